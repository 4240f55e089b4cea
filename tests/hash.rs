// SPDX-License-Identifier: GPL-2.0

//! `module-hashes hash`, the command line and the help.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::{
    assert_failed, fake_module, fake_module_like, have_or_skip, run, sha256_hex, signed,
    signed_with_info, texts, ElfBuilder, Tree,
};

#[test]
fn sha256sum_lines_in_argument_order() {
    let tree = Tree::new();
    let b = tree.write("b.ko", &fake_module("b"));
    let a = tree.write("a.ko", &fake_module("a"));
    let output = run(&["hash".as_ref(), b.as_os_str(), a.as_os_str()]);
    assert!(output.status.success(), "{output:?}");
    let expected = format!(
        "{}  {}\n{}  {}\n",
        sha256_hex(&fake_module("b")),
        b.display(),
        sha256_hex(&fake_module("a")),
        a.display()
    );
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn same_output_on_any_number_of_threads() {
    let tree = Tree::new();
    let mut args = vec!["hash".into()];
    for index in 0..9 {
        let name = format!("m{index}.ko");
        args.push(tree.write(&name, &fake_module(&name)).into_os_string());
    }
    let base = run(&args);
    assert!(base.status.success(), "{base:?}");
    assert_eq!(base.stdout.split(|&b| b == b'\n').count(), 10);
    for jobs in ["1", "2", "4", "16"] {
        let mut with_jobs = args.clone();
        with_jobs.splice(1..1, ["-j".into(), jobs.into()]);
        assert_eq!(run(&with_jobs).stdout, base.stdout, "-j {jobs}");
    }
}

#[test]
fn signed_module_digest_is_that_of_the_unsigned_prefix() {
    let tree = Tree::new();
    let module = fake_module("signed");
    let path = tree.write("signed.ko", &signed(&module, b"pretend PKCS#7 message"));
    let output = run(&["hash".as_ref(), path.as_os_str()]);
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).unwrap();
    assert!(
        line.starts_with(&format!("{}  ", sha256_hex(&module))),
        "{line}"
    );
}

#[test]
fn malformed_signature_hashes_the_whole_file_with_a_warning() {
    let tree = Tree::new();
    // id_type 1 (PGP): mod_check_sig() refuses it, module_unsigned_len()
    // fails, and the kernel hashes the whole image.
    let file = signed_with_info(&fake_module("m"), b"sig", [0, 0, 1, 0, 0, 0, 0, 0]);
    let path = tree.write("m.ko", &file);
    let output = run(&["hash".as_ref(), path.as_os_str()]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with(&sha256_hex(&file)), "{stdout}");
    assert!(
        stderr.contains("warning") && stderr.contains("malformed"),
        "{stderr}"
    );
}

#[test]
fn one_bad_file_means_no_output() {
    let tree = Tree::new();
    let good = tree.write("good.ko", &fake_module("good"));
    let bad = tree.write("bad.ko", b"not ELF");
    let output = run(&[
        "hash".as_ref(),
        good.as_os_str(),
        bad.as_os_str(),
        good.as_os_str(),
    ]);
    assert_failed(&output, 1, &["bad.ko", "not an ELF file"]);
    let missing = tree.path("missing.ko");
    let output = run(&["hash".as_ref(), missing.as_os_str()]);
    assert_failed(&output, 1, &["missing.ko", "No such file"]);
    let output = run(&["hash".as_ref(), tree.root().as_os_str()]);
    assert_failed(&output, 1, &["not a regular file"]);
}

#[test]
fn modules_of_every_class_and_byte_order() {
    let tree = Tree::new();
    let kinds = [
        ElfBuilder::rel64(),
        ElfBuilder::rel64().class32(),
        ElfBuilder::rel64().class32().big_endian(),
        ElfBuilder::rel64().big_endian(),
    ];
    let mut args = vec!["hash".into()];
    let mut expected = String::new();
    for (index, kind) in kinds.into_iter().enumerate() {
        let module = fake_module_like(kind, "m");
        let path = tree.write(&format!("{index}.ko"), &module);
        expected.push_str(&format!("{}  {}\n", sha256_hex(&module), path.display()));
        args.push(path.into_os_string());
    }
    let output = run(&args);
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
    // Not a relocatable object: a vmlinux.
    let vmlinux = tree.write("vmlinux.ko", &common::vmlinux(&common::section(&[], 0)));
    let output = run(&["hash".as_ref(), vmlinux.as_os_str()]);
    assert_failed(&output, 1, &["not a relocatable ELF object"]);
}

#[test]
fn names_are_escaped_as_sha256sum_escapes_them() {
    if !have_or_skip("sha256sum", "the sha256sum -c check of escaped names") {
        return;
    }
    let tree = Tree::new();
    let module = fake_module("m");
    let mut args = vec!["hash".into()];
    for name in [
        &b"plain.ko"[..],
        b"new\nline.ko",
        b"back\\slash.ko",
        b"caf\xc3\xa9.ko",
    ] {
        let path = tree.root().join(OsStr::from_bytes(name));
        std::fs::write(&path, &module).unwrap();
        args.push(path.into_os_string());
    }
    let output = run(&args);
    assert!(output.status.success(), "{output:?}");
    let lines: Vec<&[u8]> = output.stdout.split(|&b| b == b'\n').collect();
    // Four lines and the empty string after the last newline: the newline
    // in a name did not make a line.
    assert_eq!(
        lines.len(),
        5,
        "{:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(lines[1].starts_with(b"\\") && lines[1].ends_with(b"new\\nline.ko"));
    assert!(lines[2].starts_with(b"\\") && lines[2].ends_with(b"back\\\\slash.ko"));
    assert!(lines[3].ends_with("café.ko".as_bytes()));
    // sha256sum -c reads the lines back: the module is not signed, so its
    // digest is that of the file.
    let list = tree.write("list", &output.stdout);
    let check = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg(&list)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
}

#[test]
fn compressed_modules_are_hashed_decompressed() {
    let tree = Tree::new();
    let module = signed(&fake_module("m"), b"sig");
    for (program, extension) in [("xz", "xz"), ("zstd", "zst"), ("gzip", "gz")] {
        if !have_or_skip(program, &format!("hash of a .ko.{extension}")) {
            continue;
        }
        let name = format!("m.ko.{extension}");
        let path = tree.write(&name, &common::compress(program, &module));
        let output = run(&["hash".as_ref(), path.as_os_str()]);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stdout.starts_with(&sha256_hex(&fake_module("m"))),
            "{stdout}"
        );
    }
}

#[test]
fn bad_command_lines() {
    for (args, expected) in [
        (&[][..], "no command given"),
        (&["frobnicate"], "unknown command 'frobnicate'"),
        (&["hash"], "hash: wrong number of operands"),
        (&["list"], "list: wrong number of operands"),
        (&["list", "a", "b"], "list: wrong number of operands"),
        (&["verify", "vmlinux"], "verify: wrong number of operands"),
        (&["hash", "--json", "a.ko"], "hash: unknown option '--json'"),
        (
            &["list", "--manifest", "m", "k"],
            "list: unknown option '--manifest'",
        ),
        (
            &["verify", "--frob", "k", "a"],
            "verify: unknown option '--frob'",
        ),
        (
            &["verify", "k", "a", "--manifest"],
            "\"--manifest\" needs a value",
        ),
        (&["hash", "-j"], "\"-j\" needs a value"),
        (&["hash", "-j", "0", "a"], "-j: not a positive number"),
        (&["hash", "-j", "many", "a"], "-j: not a positive number"),
    ] {
        let output = run(args);
        let stderr = assert_failed(&output, 2, &[expected]);
        assert!(
            stderr.contains("Usage: module-hashes list SOURCE"),
            "{stderr}"
        );
    }
    // After --, and a lone -, are operands.
    let output = run(&["hash", "--", "-j"]);
    assert_failed(&output, 1, &["-j: No such file"]);
    let output = run(&["hash", "-"]);
    assert_failed(&output, 1, &["-: No such file"]);
}

#[test]
fn help() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["hash", "-h"],
        &["verify", "k", "--help"],
    ] {
        let output = run(args);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert_eq!(stderr, "");
        assert!(
            stdout.starts_with("Usage: module-hashes list SOURCE\n"),
            "{stdout}"
        );
        assert!(stdout.contains("Exit status:"), "{stdout}");
    }
}
