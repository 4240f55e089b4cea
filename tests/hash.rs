// SPDX-License-Identifier: GPL-2.0

//! `module-hashes hash` (tools/module-hashes) and the help texts.

mod common;

use common::{assert_failed, fake_module, fake_module_like, hex, sha256, signed, Tree};

/// Runs tools/module-hashes.
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> std::process::Output {
    common::run_tools(args)
}

#[test]
fn prints_sha256sum_lines_in_argument_order() {
    let tree = Tree::new();
    tree.write("b.ko", &fake_module("b"));
    tree.write("a.ko", &fake_module("a"));
    let b = tree.root().join("b.ko");
    let a = tree.root().join("a.ko");

    let output = run(&["hash".as_ref(), b.as_os_str(), a.as_os_str()]);
    assert!(output.status.success());
    let expected = format!(
        "{}  {}\n{}  {}\n",
        hex(&sha256(&fake_module("b"))),
        b.display(),
        hex(&sha256(&fake_module("a"))),
        a.display()
    );
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn signed_module_digest_is_that_of_the_unsigned_prefix() {
    let tree = Tree::new();
    let module = fake_module("signed");
    tree.write("signed.ko", &signed(&module, b"pretend PKCS#7 message"));
    let output = run(&["hash", "-j", "1", "signed.ko"].map(|arg| {
        if arg == "signed.ko" {
            tree.root().join(arg).into_os_string()
        } else {
            arg.into()
        }
    }));
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).unwrap();
    assert!(
        line.starts_with(&format!("{}  ", hex(&sha256(&module)))),
        "{line}"
    );
}

#[test]
fn one_bad_file_means_no_output() {
    let tree = Tree::new();
    tree.write("good.ko", &fake_module("good"));
    tree.write("bad.ko", b"not ELF");
    let good = tree.root().join("good.ko");
    let bad = tree.root().join("bad.ko");
    let output = run(&[
        "hash".as_ref(),
        good.as_os_str(),
        bad.as_os_str(),
        good.as_os_str(),
    ]);
    assert_failed(&output, 1, &["bad.ko", "not an ELF file"]);
}

#[test]
fn no_file_is_a_usage_error() {
    let stderr = assert_failed(&run(&["hash"]), 2, &["no FILE given"]);
    assert!(stderr.contains("Usage:"), "{stderr}");
}

#[test]
fn modules_of_every_class_and_byte_order() {
    let tree = Tree::new();
    let kinds = [
        common::ElfBuilder::rel64(),
        common::ElfBuilder::rel64().class32(),
        common::ElfBuilder::rel64().class32().big_endian(),
        common::ElfBuilder::rel64().big_endian(),
    ];
    let mut args = vec!["hash".into()];
    let mut expected = String::new();
    for (index, kind) in kinds.into_iter().enumerate() {
        let module = fake_module_like(kind, "m");
        let path = tree.root().join(format!("{index}.ko"));
        std::fs::write(&path, &module).unwrap();
        expected.push_str(&format!("{}  {}\n", hex(&sha256(&module)), path.display()));
        args.push(path.into_os_string());
    }
    let output = run(&args);
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn unknown_command_and_no_command() {
    assert_failed(&run(&["frobnicate"]), 2, &["unknown command 'frobnicate'"]);
    assert_failed(&run::<&str>(&[]), 2, &["no command given"]);
    // The kernel build's part is not here.
    assert_failed(&run(&["write"]), 2, &["scripts/module-hashes"]);
}

#[test]
fn help_for_the_tool_and_each_command() {
    for (args, expected) in [
        (&["--help"][..], "Usage: module-hashes COMMAND"),
        (&["-h"], "Usage: module-hashes COMMAND"),
        (
            &["hash", "--help"],
            "Usage: module-hashes hash [-j N] FILE...",
        ),
    ] {
        let output = run(args);
        assert!(output.status.success(), "{args:?}");
        assert!(output.stderr.is_empty());
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.starts_with(expected), "{args:?}: {stdout}");
    }
}
