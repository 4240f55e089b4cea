// SPDX-License-Identifier: GPL-2.0

//! `module-hashes write` (scripts/module-hashes) on scratch object trees.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

use common::{
    assert_failed, fake_module, fake_module_like, hex, reserved_section, run, sha256, signed,
    signed_with_info, vmlinux, vmlinux_like, vmlinux_without_section, ElfBuilder, Tree, Vmlinux,
    EM_ARM, EM_PPC, EM_S390, EM_X86_64,
};

/// A tree with three modules (two of them identical), modules.order and a
/// vmlinux with room for three digests.
fn tree_with_modules() -> (Tree, Vmlinux) {
    let tree = Tree::new();
    tree.write("drivers/foo/foo.ko", &fake_module("foo"));
    tree.write("lib/bar.ko", &fake_module("bar"));
    tree.write("lib/copy_of_bar.ko", &fake_module("bar"));
    tree.write_order(&["drivers/foo/foo.o", "lib/bar.o", "lib/copy_of_bar.o"]);
    let vmlinux = vmlinux(24 + 32 * 3);
    tree.write("vmlinux", &vmlinux.bytes);
    (tree, vmlinux)
}

/// Header fields of the table at the start of `section`.
fn header_fields(section: &[u8]) -> (&[u8], [u32; 4]) {
    let field = |at: usize| u32::from_le_bytes(section[at..at + 4].try_into().unwrap());
    (&section[..8], [field(8), field(12), field(16), field(20)])
}

#[test]
fn writes_the_sorted_distinct_digests() {
    let (tree, original) = tree_with_modules();
    let output = run(&tree.write_args());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty() && output.stderr.is_empty());

    let written = tree.read("vmlinux");
    assert_eq!(written.len(), original.bytes.len());
    // Only the section changed.
    assert_eq!(
        written[..original.section.start],
        original.bytes[..original.section.start]
    );
    assert_eq!(
        written[original.section.end..],
        original.bytes[original.section.end..]
    );

    let section = &written[original.section.clone()];
    let (magic, [version, algo, count, entry_size]) = header_fields(section);
    assert_eq!(magic, b"MODHASH\0");
    assert_eq!((version, algo, count, entry_size), (1, 1, 2, 32));

    let mut expected = [sha256(&fake_module("foo")), sha256(&fake_module("bar"))];
    expected.sort();
    assert!(expected[0] < expected[1]);
    assert_eq!(section[24..56], expected[0]);
    assert_eq!(section[56..88], expected[1]);
    // The third slot, reserved for the duplicate, is zero padding.
    assert!(section[88..].iter().all(|&byte| byte == 0));
}

#[test]
fn manifest_is_what_sha256sum_prints() {
    let (tree, _) = tree_with_modules();
    assert!(run(&tree.write_args()).status.success());

    let sha256sum = Command::new("sha256sum")
        .args(["drivers/foo/foo.ko", "lib/bar.ko", "lib/copy_of_bar.ko"])
        .current_dir(tree.root())
        .output()
        .expect("run sha256sum");
    assert!(sha256sum.status.success());
    assert_eq!(
        String::from_utf8(tree.read("modules.sha256")).unwrap(),
        String::from_utf8(sha256sum.stdout).unwrap()
    );
}

#[test]
fn signed_modules_are_hashed_without_the_signature() {
    let tree = Tree::new();
    let module = fake_module("signed");
    tree.write("signed.ko", &signed(&module, &[0x30; 517]));
    tree.write_order(&["signed.o"]);
    let original = vmlinux(24 + 32);
    tree.write("vmlinux", &original.bytes);
    assert!(run(&tree.write_args()).status.success());

    let digest = sha256(&module);
    let section = &tree.read("vmlinux")[original.section];
    assert_eq!(section[24..], digest[..]);
    assert_eq!(
        tree.read("modules.sha256"),
        format!("{}  signed.ko\n", hex(&digest)).into_bytes()
    );
}

#[test]
fn image_suffix_hashes_the_installed_image_under_the_module_name() {
    let tree = Tree::new();
    // The build tree's module and, beside it, its stripped image: only
    // the image is what gets installed, so only its digest counts.
    tree.write("lib/foo.ko", &fake_module("foo with debug info"));
    tree.write("lib/foo.ko.stripped", &fake_module("foo"));
    tree.write_order(&["lib/foo.o"]);
    let original = vmlinux(24 + 32);
    tree.write("vmlinux", &original.bytes);
    let mut args = tree.write_args();
    args.push("--image-suffix=.stripped".into());
    let output = run(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let digest = sha256(&fake_module("foo"));
    assert_eq!(tree.read("vmlinux")[original.section][24..], digest[..]);
    assert_eq!(
        tree.read("modules.sha256"),
        format!("{}  lib/foo.ko\n", hex(&digest)).into_bytes()
    );

    // A missing image is an error that names it.
    fs::remove_file(tree.root().join("lib/foo.ko.stripped")).unwrap();
    let output = run(&args);
    assert_failed(&output, 1, &["lib/foo.ko.stripped"]);
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let tree = Tree::new();
    let mut objects = Vec::new();
    for index in 0..40 {
        tree.write(
            &format!("m/mod{index}.ko"),
            &fake_module(&format!("module {index}")),
        );
        objects.push(format!("m/mod{index}.o"));
    }
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    tree.write_order(&objects);

    let mut results = Vec::new();
    for jobs in ["1", "2", "7", "64"] {
        tree.write("vmlinux", &vmlinux(24 + 32 * 40).bytes);
        let mut args = tree.write_args();
        args.extend(["-j".into(), jobs.into()]);
        assert!(run(&args).status.success());
        results.push((tree.read("vmlinux"), tree.read("modules.sha256")));
    }
    assert!(results.windows(2).all(|pair| pair[0] == pair[1]));
}

#[test]
fn rewriting_replaces_the_old_table_and_keeps_the_mode() {
    let (tree, original) = tree_with_modules();
    let vmlinux_path = tree.root().join("vmlinux");
    fs::set_permissions(&vmlinux_path, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(run(&tree.write_args()).status.success());

    // Fewer modules the second time: the rest of the old table is cleared.
    tree.write_order(&["lib/bar.o"]);
    assert!(run(&tree.write_args()).status.success());
    let section = &tree.read("vmlinux")[original.section.clone()];
    assert_eq!(header_fields(section).1[2], 1);
    assert_eq!(section[24..56], sha256(&fake_module("bar")));
    assert!(section[56..].iter().all(|&byte| byte == 0));

    let mode = fs::metadata(&vmlinux_path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
    assert_eq!(
        tree.files().len(),
        6,
        "no temporary files: {:?}",
        tree.files()
    );
}

#[test]
fn empty_modules_order_gives_an_empty_table() {
    let tree = Tree::new();
    tree.write_order(&[]);
    let original = vmlinux(24);
    tree.write("vmlinux", &original.bytes);
    assert!(run(&tree.write_args()).status.success());
    let section = &tree.read("vmlinux")[original.section];
    assert_eq!(header_fields(section), (&b"MODHASH\0"[..], [1, 1, 0, 32]));
    assert!(tree.read("modules.sha256").is_empty());
}

#[test]
fn without_manifest_option_no_manifest_is_written() {
    let (tree, _) = tree_with_modules();
    let mut args = tree.write_args();
    args.truncate(args.len() - 2);
    assert!(run(&args).status.success());
    assert!(!tree.root().join("modules.sha256").exists());
}

/// Runs `write` on a tree that `break_tree` spoiled, and checks that it
/// failed cleanly: the expected error, vmlinux untouched, no new files.
fn assert_write_fails(break_tree: impl FnOnce(&Tree), code: i32, expected: &[&str]) {
    let (tree, _) = tree_with_modules();
    break_tree(&tree);
    let vmlinux_before = fs::read(tree.root().join("vmlinux")).ok();
    let files_before = tree.files();

    let output = run(&tree.write_args());
    assert_failed(&output, code, expected);
    assert_eq!(fs::read(tree.root().join("vmlinux")).ok(), vmlinux_before);
    assert_eq!(tree.files(), files_before, "files left behind");
}

#[test]
fn missing_module() {
    assert_write_fails(
        |tree| tree.write_order(&["lib/bar.o", "lib/missing.o"]),
        1,
        &["lib/missing.ko", "No such file"],
    );
}

#[test]
fn module_that_is_not_elf() {
    assert_write_fails(
        |tree| tree.write("lib/bar.ko", b"#!/bin/sh\necho not a module\n"),
        1,
        &["lib/bar.ko", "not an ELF file"],
    );
}

#[test]
fn module_that_is_not_relocatable() {
    assert_write_fails(
        |tree| tree.write("lib/bar.ko", &vmlinux(24).bytes),
        1,
        &["lib/bar.ko", "not a relocatable ELF object"],
    );
}

/// `file`, a signed module, with its `sig_len` replaced.
fn with_sig_len(mut file: Vec<u8>, sig_len: u32) -> Vec<u8> {
    let at = file.len() - common::SIGNATURE_MARKER.len() - 4;
    file[at..at + 4].copy_from_slice(&sig_len.to_be_bytes());
    file
}

#[test]
fn malformed_signature_trailer() {
    let cases: [(Vec<u8>, &str); 4] = [
        // Not PKCS#7.
        (
            signed_with_info(&fake_module("bar"), &[1; 64], [0, 0, 1, 0, 0, 0, 0, 0]),
            "id_type 1",
        ),
        // Non-zero signer_len.
        (
            signed_with_info(&fake_module("bar"), &[1; 64], [0, 0, 2, 5, 0, 0, 0, 0]),
            "non-zero params",
        ),
        // sig_len larger than the file.
        (
            with_sig_len(signed(&fake_module("bar"), &[1; 64]), 100_000),
            "sig_len 100000",
        ),
        // The marker alone.
        (
            common::SIGNATURE_MARKER.to_vec(),
            "struct module_signature needs 12",
        ),
    ];
    for (file, detail) in cases {
        assert_write_fails(
            |tree| tree.write("lib/bar.ko", &file),
            1,
            &["lib/bar.ko", "malformed module signature", detail],
        );
    }
}

#[test]
fn vmlinux_without_the_section() {
    assert_write_fails(
        |tree| tree.write("vmlinux", &vmlinux_without_section()),
        1,
        &["vmlinux", "no .module_hashes section"],
    );
}

#[test]
fn section_too_small() {
    // Room for one digest; the tree has two distinct modules.
    assert_write_fails(
        |tree| tree.write("vmlinux", &vmlinux(24 + 32).bytes),
        1,
        &["vmlinux", "is 56 bytes", "2 digests (88 bytes needed)"],
    );
}

/// vmlinux and modules of the 64-bit little-endian x86, the 32-bit
/// little-endian ARM, the 32-bit big-endian PPC32 and the 64-bit big-endian
/// s390 kind.
fn every_class_and_byte_order() -> [(&'static str, ElfBuilder); 4] {
    [
        ("x86_64", ElfBuilder::exec64().machine(EM_X86_64)),
        ("arm", ElfBuilder::exec64().class32().machine(EM_ARM)),
        (
            "ppc32",
            ElfBuilder::exec64().class32().big_endian().machine(EM_PPC),
        ),
        ("s390", ElfBuilder::exec64().big_endian().machine(EM_S390)),
    ]
}

#[test]
fn vmlinux_of_every_class_and_byte_order() {
    for (arch, kind) in every_class_and_byte_order() {
        let module_kind = kind.clone().relocatable();
        let tree = Tree::new();
        tree.write("a.ko", &fake_module_like(module_kind.clone(), "a"));
        tree.write("b.ko", &fake_module_like(module_kind.clone(), "b"));
        tree.write_order(&["a.o", "b.o"]);
        let original = vmlinux_like(kind, &reserved_section(24 + 32 * 3));
        tree.write("vmlinux", &original.bytes);
        let output = run(&tree.write_args());
        assert!(
            output.status.success(),
            "{arch}: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        let written = tree.read("vmlinux");
        assert_eq!(written.len(), original.bytes.len(), "{arch}");
        assert_eq!(
            written[..original.section.start],
            original.bytes[..original.section.start],
            "{arch}"
        );
        assert_eq!(
            written[original.section.end..],
            original.bytes[original.section.end..],
            "{arch}"
        );
        // The table's integers are little-endian whatever the ELF file's.
        let section = &written[original.section.clone()];
        let (magic, fields) = header_fields(section);
        assert_eq!(
            (magic, fields),
            (&b"MODHASH\0"[..], [1, 1, 2, 32]),
            "{arch}"
        );
        let mut expected = [
            sha256(&fake_module_like(module_kind.clone(), "a")),
            sha256(&fake_module_like(module_kind, "b")),
        ];
        expected.sort();
        assert_eq!(section[24..56], expected[0], "{arch}");
        assert_eq!(section[56..88], expected[1], "{arch}");
        assert!(section[88..].iter().all(|&byte| byte == 0), "{arch}");

        // --check reads the table of the same file.
        let mut check = tree.write_args();
        check.truncate(check.len() - 2);
        check.push("--check".into());
        let output = run(&check);
        assert!(
            output.status.success(),
            "{arch}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn writes_in_place() {
    let (tree, original) = tree_with_modules();
    let path = tree.root().join("vmlinux");
    // Something the kernel build would not leave there: proof that the
    // bytes outside the section are not rewritten.
    let mut bytes = original.bytes.clone();
    let end = bytes.len();
    bytes[end - 1] = 0x5a;
    fs::write(&path, &bytes).unwrap();
    let before = fs::metadata(&path).unwrap();

    assert!(run(&tree.write_args()).status.success());
    let after = fs::metadata(&path).unwrap();
    assert_eq!(
        (after.dev(), after.ino()),
        (before.dev(), before.ino()),
        "the same file"
    );
    assert_eq!(after.nlink(), 1);
    let written = fs::read(&path).unwrap();
    assert_eq!(written.len(), bytes.len());
    assert_eq!(
        written[..original.section.start],
        bytes[..original.section.start]
    );
    assert_eq!(
        written[original.section.end..],
        bytes[original.section.end..]
    );
    assert_ne!(
        written[original.section.clone()],
        bytes[original.section.clone()]
    );

    // A hard link sees the new table: the file was not replaced.
    let link = tree.root().join("vmlinux.link");
    fs::hard_link(&path, &link).unwrap();
    tree.write_order(&["lib/bar.o"]);
    assert!(run(&tree.write_args()).status.success());
    assert_eq!(fs::read(&link).unwrap(), fs::read(&path).unwrap());
    assert_eq!(
        header_fields(&fs::read(&link).unwrap()[original.section]).1[2],
        1
    );
}

#[test]
fn vmlinux_that_cannot_be_written() {
    let (tree, _) = tree_with_modules();
    let path = tree.root().join("vmlinux");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    if fs::OpenOptions::new().write(true).open(&path).is_ok() {
        // Running as root: the permissions do not keep anyone out.
        return;
    }
    assert_write_fails(
        |tree| {
            let path = tree.root().join("vmlinux");
            fs::set_permissions(path, fs::Permissions::from_mode(0o444)).unwrap();
        },
        1,
        &["vmlinux", "ermission denied"],
    );
}

#[test]
fn vmlinux_that_is_not_elf() {
    assert_write_fails(
        |tree| tree.write("vmlinux", b"not a kernel"),
        1,
        &["vmlinux", "not an ELF file"],
    );
}

#[test]
fn missing_vmlinux_and_modules_order() {
    assert_write_fails(
        |tree| fs::remove_file(tree.root().join("vmlinux")).unwrap(),
        1,
        &["vmlinux", "No such file"],
    );
    assert_write_fails(
        |tree| fs::remove_file(tree.root().join("modules.order")).unwrap(),
        1,
        &["modules.order", "No such file"],
    );
}

#[test]
fn bad_modules_order_line() {
    assert_write_fails(
        |tree| tree.write_order(&["lib/bar.o", "lib/bar.ko"]),
        1,
        &["modules.order", "line 2"],
    );
}

#[test]
fn bad_command_lines() {
    let (tree, _) = tree_with_modules();
    let mut missing_vmlinux = tree.write_args();
    missing_vmlinux.drain(5..7);
    let mut zero_jobs = tree.write_args();
    zero_jobs.extend(["-j".into(), "0".into()]);
    let mut stray = tree.write_args();
    stray.push("stray".into());
    let mut unknown = tree.write_args();
    unknown.push("--frobnicate".into());

    let vmlinux_before = tree.read("vmlinux");
    for (args, expected) in [
        (missing_vmlinux, "missing option '--vmlinux'"),
        (zero_jobs, "invalid number of jobs '0'"),
        (stray, "unexpected argument 'stray'"),
        (unknown, "unknown option '--frobnicate'"),
    ] {
        let stderr = assert_failed(&run(&args), 2, &[expected]);
        assert!(stderr.contains("Usage: module-hashes write"), "{stderr}");
    }
    assert_eq!(tree.read("vmlinux"), vmlinux_before);
    assert!(!tree.root().join("modules.sha256").exists());
}

/// The arguments of `write --check` for `tree`: those of `write` without
/// the manifest.
fn check_args(tree: &Tree) -> Vec<std::ffi::OsString> {
    let mut args = tree.write_args();
    args.truncate(args.len() - 2);
    args.push("--check".into());
    args
}

#[test]
fn check_passes_after_write_and_changes_nothing() {
    let (tree, _) = tree_with_modules();
    assert!(run(&tree.write_args()).status.success());
    let files_before = tree.files();
    let vmlinux_before = tree.read("vmlinux");
    let output = run(&check_args(&tree));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
    assert_eq!(tree.read("vmlinux"), vmlinux_before);
    assert_eq!(tree.files(), files_before);
}

#[test]
fn check_names_the_first_module_rebuilt_after_vmlinux() {
    let (tree, _) = tree_with_modules();
    assert!(run(&tree.write_args()).status.success());
    tree.write("lib/bar.ko", &fake_module("bar, rebuilt"));
    tree.write("lib/copy_of_bar.ko", &fake_module("bar, rebuilt"));
    let vmlinux_before = tree.read("vmlinux");
    assert_failed(
        &run(&check_args(&tree)),
        1,
        &[
            "lib/bar.ko (and 1 more): not the module whose digest",
            "run 'make'",
        ],
    );
    assert_eq!(tree.read("vmlinux"), vmlinux_before);
}

#[test]
fn check_fails_on_a_vmlinux_without_a_table() {
    let (tree, _) = tree_with_modules();
    assert_failed(
        &run(&check_args(&tree)),
        1,
        &["vmlinux: corrupt .module_hashes table", "never filled in"],
    );
}

#[test]
fn check_takes_no_manifest() {
    let (tree, _) = tree_with_modules();
    let mut args = tree.write_args();
    args.push("--check".into());
    assert_failed(&run(&args), 2, &["--check writes nothing"]);
}

#[test]
fn header_the_kernel_reserved_must_match_the_tools_layout() {
    for (at, value, expected) in [
        (0, b'X', "magic"),
        (8, 2, "version 2, this tool writes 1"),
        (12, 7, "algorithm 7"),
        (20, 64, "entry size 64"),
    ] {
        assert_write_fails(
            |tree| {
                let mut section = common::reserved_section(24 + 32 * 3);
                section[at] = value;
                tree.write("vmlinux", &common::vmlinux_with_section(&section).bytes);
            },
            1,
            &[
                expected,
                "include/linux/module_hashes.h and scripts/module-hashes/layout.rs disagree",
            ],
        );
    }
    // A section reserved the old way, all zeros, has no header to check.
    assert_write_fails(
        |tree| {
            tree.write(
                "vmlinux",
                &common::vmlinux_with_section(&[0; 24 + 32 * 3]).bytes,
            )
        },
        1,
        &["magic", "disagree"],
    );
}

#[test]
fn help_and_other_commands() {
    for args in [&["--help"][..], &["-h"], &["write", "--help"]] {
        let output = run(args);
        assert!(output.status.success(), "{args:?}");
        assert!(output.stderr.is_empty());
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.starts_with("Usage: module-hashes write --objtree DIR"),
            "{args:?}: {stdout}"
        );
        assert!(stdout.contains("jobserver"), "{stdout}");
    }
    assert_failed(&run(&["frobnicate"]), 2, &["unknown command 'frobnicate'"]);
    assert_failed(&run::<&str>(&[]), 2, &["no command given"]);
    for command in ["list", "verify", "hash"] {
        assert_failed(&run(&[command]), 2, &["tools/module-hashes"]);
    }
}

/// The arguments of `write` for `tree`, with modules-extra/modules.order as a
/// second `--order`, as kbuild passes it for make MODULE_HASHES_EXTRA=.
fn args_with_extra_order(tree: &Tree) -> Vec<std::ffi::OsString> {
    let mut args = tree.write_args();
    args.extend([
        "--order".into(),
        tree.root().join("modules-extra/modules.order").into(),
    ]);
    args
}

#[test]
fn second_order_adds_its_modules_to_the_table_and_the_manifest() {
    let (tree, original) = tree_with_modules();
    tree.write("modules-extra/zfs.ko", &fake_module("zfs"));
    tree.write("modules-extra/modules.order", b"modules-extra/zfs.o\n");
    let output = run(&args_with_extra_order(&tree));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let section = &tree.read("vmlinux")[original.section];
    let (_, [_, _, count, _]) = header_fields(section);
    let mut expected = [
        sha256(&fake_module("foo")),
        sha256(&fake_module("bar")),
        sha256(&fake_module("zfs")),
    ];
    expected.sort();
    assert_eq!(count, 3);
    assert_eq!(section[24..], expected.concat()[..]);
    let manifest = String::from_utf8(tree.read("modules.sha256")).unwrap();
    assert_eq!(
        manifest.lines().last(),
        Some(
            format!(
                "{}  modules-extra/zfs.ko",
                hex(&sha256(&fake_module("zfs")))
            )
            .as_str()
        )
    );
    assert_eq!(manifest.lines().count(), 4);

    // --check knows the external module too, and names it once it changes.
    let mut check = check_args(&tree);
    check.extend(args_with_extra_order(&tree).split_off(tree.write_args().len()));
    assert!(run(&check).status.success());
    tree.write("modules-extra/zfs.ko", &fake_module("zfs, rebuilt"));
    assert_failed(&run(&check), 1, &["modules-extra/zfs.ko: not the module"]);
}

#[test]
fn external_modules_beyond_the_reserved_room_are_an_error() {
    let (tree, original) = tree_with_modules();
    tree.write("modules-extra/zfs.ko", &fake_module("zfs"));
    tree.write("modules-extra/spl.ko", &fake_module("spl"));
    tree.write(
        "modules-extra/modules.order",
        b"modules-extra/zfs.o\nmodules-extra/spl.o\n",
    );
    let before = tree.read("vmlinux");
    assert_failed(
        &run(&args_with_extra_order(&tree)),
        1,
        &["too small for 4 digests"],
    );
    assert_eq!(tree.read("vmlinux"), before);
    assert_eq!(before.len(), original.bytes.len());
}
