// SPDX-License-Identifier: GPL-2.0

//! tools/module-hashes/Makefile: plain rustc builds the tool from its own
//! files and scripts/module-hashes/layout.rs alone, and the tool reads a
//! compressed kernel image with the standard programs.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{compress, fake_module, section, sha256, sha256_hex, texts, vmlinux, Tree};

/// Copies the files the Makefile may use into a kernel-like tree.
fn copy_sources(tree: &Tree) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tool = source.join("tools/module-hashes");
    for entry in fs::read_dir(&tool).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        if name.ends_with(".rs") || name == "Makefile" {
            let contents = fs::read(tool.join(name)).unwrap();
            tree.write(&format!("tools/module-hashes/{name}"), &contents);
        }
    }
    let layout = fs::read(source.join("scripts/module-hashes/layout.rs")).unwrap();
    tree.write("scripts/module-hashes/layout.rs", &layout);
}

#[test]
fn builds_with_plain_rustc_and_reads_a_compressed_image() {
    let tree = Tree::new();
    copy_sources(&tree);
    let out = tree.path("out");
    let status = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(tree.path("tools/module-hashes"))
        .arg(format!("O={}", out.display()))
        .env_remove("MAKEFLAGS")
        .status()
        .expect("this test needs make and rustc");
    assert!(status.success(), "make failed");
    let program = out.join("module-hashes");
    let help = Command::new(&program).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(texts(&help)
        .0
        .starts_with("Usage: module-hashes list SOURCE"));

    // It reads a compressed kernel image with the standard programs alone.
    if !common::have_or_skip("gzip", "reading a kernel image") {
        return;
    }
    let alpha = fake_module("alpha");
    let mut bzimage = vec![0u8; 0x1000];
    bzimage.extend_from_slice(&compress("gzip", &vmlinux(&section(&[sha256(&alpha)], 1))));
    let image = tree.write("bzImage", &bzimage);
    let output = Command::new(&program)
        .env("PATH", "/usr/bin:/bin")
        .arg("list")
        .arg(&image)
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, format!("{}\n", sha256_hex(&alpha)));
}
