// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by the integration tests: a scratch object tree with fake
//! modules and a fake vmlinux, and a runner for the built binary.

// Each test crate uses a part of these helpers.
#![allow(dead_code)]

#[path = "../../scripts/module-hashes/elf_builder.rs"]
mod elf_builder;

use std::ffi::OsString;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) use elf_builder::{ElfBuilder, SHT_PROGBITS};
use sha2::Digest as _;

/// `MODULE_SIGNATURE_MARKER`.
pub(crate) const SIGNATURE_MARKER: &[u8] = b"~Module signature appended~\n";

/// The binary under test.
pub(crate) fn module_hashes() -> Command {
    Command::new(env!("CARGO_BIN_EXE_module-hashes"))
}

/// Runs the binary with `args`.
pub(crate) fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    module_hashes()
        .args(args)
        .output()
        .expect("run module-hashes")
}

/// SHA-256 by the sha2 crate, the oracle.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(bytes).into()
}

/// Lowercase hex, as sha256sum prints.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A small ELF relocatable object whose contents depend on `name`.
pub(crate) fn fake_module(name: &str) -> Vec<u8> {
    ElfBuilder::rel64()
        .section(".text", SHT_PROGBITS, name.as_bytes())
        .section(
            ".modinfo",
            SHT_PROGBITS,
            format!("name={name}\0").as_bytes(),
        )
        .build()
}

/// `module` with a signature appended the way scripts/sign-file does:
/// signature, `struct module_signature` (PKCS#7, `sig_len`), marker.
pub(crate) fn signed(module: &[u8], signature: &[u8]) -> Vec<u8> {
    signed_with_info(module, signature, [0, 0, 2, 0, 0, 0, 0, 0])
}

/// Like `signed`, with the first eight bytes of `struct module_signature`
/// given.
pub(crate) fn signed_with_info(module: &[u8], signature: &[u8], info: [u8; 8]) -> Vec<u8> {
    let mut file = module.to_vec();
    file.extend_from_slice(signature);
    file.extend_from_slice(&info);
    let sig_len = u32::try_from(signature.len()).expect("small signature");
    file.extend_from_slice(&sig_len.to_be_bytes());
    file.extend_from_slice(SIGNATURE_MARKER);
    file
}

/// A fake vmlinux and where its `.module_hashes` section is.
pub(crate) struct Vmlinux {
    /// The file.
    pub(crate) bytes: Vec<u8>,
    /// The file bytes of `.module_hashes`.
    pub(crate) section: Range<usize>,
}

/// Contents of the section before `.module_hashes`.
const TEXT: &[u8] = b"\x0f\x0b pretend kernel text";

/// A 64-bit little-endian executable with `.text`, a zero-filled
/// `.module_hashes` of `section_size` bytes and `.data`.
pub(crate) fn vmlinux(section_size: usize) -> Vmlinux {
    let bytes = ElfBuilder::exec64()
        .section(".text", SHT_PROGBITS, TEXT)
        .section(".module_hashes", SHT_PROGBITS, &vec![0; section_size])
        .section(".data", SHT_PROGBITS, b"pretend kernel data")
        .build();
    // The builder lays sections out in order right after the 64-byte ELF
    // header.
    let start = 64 + TEXT.len();
    Vmlinux {
        bytes,
        section: start..start + section_size,
    }
}

/// A vmlinux built without `.module_hashes`.
pub(crate) fn vmlinux_without_section() -> Vec<u8> {
    ElfBuilder::exec64()
        .section(".text", SHT_PROGBITS, TEXT)
        .build()
}

/// A scratch object tree in a temporary directory.
pub(crate) struct Tree {
    /// Removed with the tree.
    directory: tempfile::TempDir,
}

impl Tree {
    /// An empty tree.
    pub(crate) fn new() -> Self {
        Tree {
            directory: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// The tree's root.
    pub(crate) fn root(&self) -> &Path {
        self.directory.path()
    }

    /// Writes `contents` to `relative` in the tree, creating directories.
    pub(crate) fn write(&self, relative: &str, contents: &[u8]) {
        let path = self.root().join(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(path, contents).expect("write");
    }

    /// Reads `relative` in the tree.
    pub(crate) fn read(&self, relative: &str) -> Vec<u8> {
        fs::read(self.root().join(relative)).expect("read")
    }

    /// Writes modules.order listing `objects`.
    pub(crate) fn write_order(&self, objects: &[&str]) {
        let text: String = objects.iter().map(|object| format!("{object}\n")).collect();
        self.write("modules.order", text.as_bytes());
    }

    /// Arguments for `write` on this tree, with a manifest.
    pub(crate) fn write_args(&self) -> Vec<OsString> {
        let root = self.root();
        vec![
            "write".into(),
            "--objtree".into(),
            root.into(),
            "--order".into(),
            root.join("modules.order").into(),
            "--vmlinux".into(),
            root.join("vmlinux").into(),
            "--manifest".into(),
            root.join("modules.sha256").into(),
        ]
    }

    /// Every file in the tree, relative to its root, sorted.
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        fn walk(directory: &Path, root: &Path, files: &mut Vec<PathBuf>) {
            for entry in fs::read_dir(directory).expect("read_dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, root, files);
                } else {
                    files.push(path.strip_prefix(root).expect("in root").to_path_buf());
                }
            }
        }
        let mut files = Vec::new();
        walk(self.root(), self.root(), &mut files);
        files.sort();
        files
    }
}

/// Checks that a run failed with `code`, printed exactly one error line,
/// first, containing every string in `expected`, and did not panic.
/// Returns standard error.
pub(crate) fn assert_failed(output: &Output, code: i32, expected: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty(), "stdout: {:?}", output.stdout);
    let error_lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("module-hashes: error: "))
        .collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(stderr.starts_with("module-hashes: error: "), "{stderr}");
    for text in expected {
        assert!(error_lines[0].contains(text), "'{text}' not in: {stderr}");
    }
    stderr
}
