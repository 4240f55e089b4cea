// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by the integration tests: a scratch object tree with fake
//! modules and a fake vmlinux, and runners for the two binaries: the kernel
//! build's `module-hashes write` (scripts/module-hashes) and the
//! `module-hashes` of tools/module-hashes.

// Each test crate uses a part of these helpers.
#![allow(dead_code)]

mod elf_builder;

use std::ffi::OsString;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[allow(unused_imports)]
pub(crate) use elf_builder::{ElfBuilder, EM_ARM, EM_PPC, EM_S390, EM_X86_64, SHT_PROGBITS};
use sha2::Digest as _;

/// `MODULE_SIGNATURE_MARKER`.
pub(crate) const SIGNATURE_MARKER: &[u8] = b"~Module signature appended~\n";

/// The kernel build's binary, scripts/module-hashes, outside any make
/// jobserver.
pub(crate) fn write_tool() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_module-hashes-write"));
    command.env_remove("MAKEFLAGS");
    command
}

/// The binary of tools/module-hashes.
pub(crate) fn tools() -> Command {
    Command::new(env!("CARGO_BIN_EXE_module-hashes"))
}

/// Runs scripts/module-hashes with `args`.
pub(crate) fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    write_tool()
        .args(args)
        .output()
        .expect("run scripts/module-hashes")
}

/// Runs tools/module-hashes with `args`.
pub(crate) fn run_tools<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    tools()
        .args(args)
        .output()
        .expect("run tools/module-hashes")
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
    fake_module_like(ElfBuilder::rel64(), name)
}

/// Like `fake_module`, of the class and byte order of `builder`.
pub(crate) fn fake_module_like(builder: ElfBuilder, name: &str) -> Vec<u8> {
    builder
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

/// A 64-bit little-endian executable with `.text`, a `.module_hashes` of
/// `section_size` bytes as the kernel build reserves it, and `.data`.
pub(crate) fn vmlinux(section_size: usize) -> Vmlinux {
    vmlinux_with_section(&reserved_section(section_size))
}

/// The section as the kernel build reserves it: the header of
/// include/linux/module_hashes.h with the placeholder count 0xffffffff,
/// then zeros.
pub(crate) fn reserved_section(size: usize) -> Vec<u8> {
    let mut section = vec![0; size];
    let header = b"MODHASH\0\x01\0\0\0\x01\0\0\0\xff\xff\xff\xff\x20\0\0\0";
    let end = header.len().min(size);
    section[..end].copy_from_slice(&header[..end]);
    section
}

/// A vmlinux whose `.module_hashes` section has these contents.
pub(crate) fn vmlinux_with_section(section: &[u8]) -> Vmlinux {
    vmlinux_like(ElfBuilder::exec64(), section)
}

/// A vmlinux of the class, byte order and machine of `builder`, with
/// `.text`, a `.module_hashes` section with these contents, and `.data`.
pub(crate) fn vmlinux_like(builder: ElfBuilder, section: &[u8]) -> Vmlinux {
    let builder = builder
        .section(".text", SHT_PROGBITS, TEXT)
        .section(".module_hashes", SHT_PROGBITS, section)
        .section(".data", SHT_PROGBITS, b"pretend kernel data");
    let start = builder.offset_of(".module_hashes").expect("the section");
    Vmlinux {
        bytes: builder.build(),
        section: start..start + section.len(),
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
