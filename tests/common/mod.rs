// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by the integration tests of tools/module-hashes: scratch
//! trees, fake modules and kernels, the `.module_hashes` layout written
//! from scratch, and oracles that are standard programs (`sha256sum`, the
//! compressors), with no crates.io dependencies.

// Each test crate uses a part of these helpers.
#![allow(dead_code)]

mod elf_builder;

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

#[allow(unused_imports)]
pub(crate) use elf_builder::{ElfBuilder, EM_ARM, EM_PPC, EM_S390, EM_X86_64, SHT_PROGBITS};

/// `MODULE_SIGNATURE_MARKER`.
pub(crate) const SIGNATURE_MARKER: &[u8] = b"~Module signature appended~\n";

/// The tool, with an environment that does not depend on the caller's:
/// no size limit.
pub(crate) fn tool() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_module-hashes"));
    command.env_remove("MODULE_HASHES_MAX_SIZE");
    command
}

/// Runs the tool with `args`.
pub(crate) fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    tool().args(args).output().expect("run module-hashes")
}

/// Writes a line on the real standard error, which `cargo test` shows
/// even for a test that passes (the test harness captures only `print!`
/// and `eprint!`).
pub(crate) fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether `program` can be run.
pub(crate) fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Whether `program` can be run: it must be, since a test that skips its
/// checks where the program is missing would pass without testing (make
/// setup installs them all).  Always true; panics naming `what` otherwise.
pub(crate) fn have_or_skip(program: &str, what: &str) -> bool {
    assert!(
        have(program),
        "{program} is needed for {what}: install it (make setup)"
    );
    true
}

/// Runs `program` with `args`, `input` on its standard input, and returns
/// its standard output; panics if it fails.
pub(crate) fn pipe(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("this test needs {program}: {error}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("writer").expect("feed the program");
    assert!(output.status.success(), "{program} {args:?} failed");
    output.stdout
}

/// The SHA-256 of `bytes` in hex, by `sha256sum`, the oracle.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let output = pipe("sha256sum", &[], bytes);
    String::from_utf8(output[..64].to_vec()).expect("hex")
}

/// The SHA-256 of `bytes`, by `sha256sum`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let hex = sha256_hex(bytes);
    let mut digest = [0; 32];
    for (byte, pair) in digest.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
    }
    digest
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `data` compressed by `program -c`.
pub(crate) fn compress(program: &str, data: &[u8]) -> Vec<u8> {
    pipe(program, &["-c"], data)
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
        .section(".symtab", SHT_PROGBITS, b"symbols")
        .section(".debug_info", SHT_PROGBITS, b"debug")
        .build()
}

/// `module` signed the way scripts/sign-file does: signature, `struct
/// module_signature` (PKCS#7, `sig_len`), marker.
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

/// A `.module_hashes` section as the build writes it, from
/// include/linux/module_hashes.h: header, the digests sorted, zeros up to
/// `room` digests.
pub(crate) fn section(digests: &[[u8; 32]], room: usize) -> Vec<u8> {
    let mut sorted = digests.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut section = b"MODHASH\0".to_vec();
    for field in [1, 1, u32::try_from(sorted.len()).unwrap(), 32] {
        section.extend_from_slice(&u32::to_le_bytes(field));
    }
    for digest in &sorted {
        section.extend_from_slice(digest);
    }
    section.resize(24 + 32 * room.max(sorted.len()), 0);
    section
}

/// The section as the build reserves it before writing the table: the
/// placeholder count 0xffffffff.
pub(crate) fn reserved_section(size: usize) -> Vec<u8> {
    let mut section = vec![0; size];
    section[..24].copy_from_slice(b"MODHASH\0\x01\0\0\0\x01\0\0\0\xff\xff\xff\xff\x20\0\0\0");
    section
}

/// A vmlinux of the class, byte order and machine of `builder` with
/// `.text`, a `.module_hashes` section of these contents, and `.data`.
pub(crate) fn vmlinux_like(builder: ElfBuilder, section: &[u8]) -> Vec<u8> {
    builder
        .section(".text", SHT_PROGBITS, b"\x0f\x0b pretend kernel text")
        .section(".module_hashes", SHT_PROGBITS, section)
        .section(".data", SHT_PROGBITS, b"pretend kernel data")
        .build()
}

/// A 64-bit little-endian vmlinux with this section.
pub(crate) fn vmlinux(section: &[u8]) -> Vec<u8> {
    vmlinux_like(ElfBuilder::exec64(), section)
}

/// A scratch directory under cargo's target directory, removed when
/// dropped.
pub(crate) struct Tree {
    /// Its root.
    root: PathBuf,
}

impl Tree {
    /// A new, empty tree.
    pub(crate) fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "tree-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("scratch directory");
        Tree { root }
    }

    /// The root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// A path in the tree.
    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Writes `contents` to `relative`, creating directories, and returns
    /// its path.
    pub(crate) fn write(&self, relative: &str, contents: &[u8]) -> PathBuf {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        fs::write(&path, contents).expect("write");
        path
    }

    /// Reads `relative`.
    pub(crate) fn read(&self, relative: &str) -> Vec<u8> {
        fs::read(self.path(relative)).expect("read")
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Standard output and error, as text.
pub(crate) fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Checks that a run failed with `code`, printed nothing on standard
/// output and one error line, first, with every string of `expected`, and
/// did not panic.  Returns standard error.
pub(crate) fn assert_failed(output: &Output, code: i32, expected: &[&str]) -> String {
    let (stdout, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stdout, "", "stdout");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("module-hashes: error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(stderr.starts_with("module-hashes: error: "), "{stderr}");
    for text in expected {
        assert!(errors[0].contains(text), "'{text}' not in: {stderr}");
    }
    stderr
}

/// `relative` in the kernel tree of `$KERNEL_SRC` (see .cargo/config.toml),
/// which must have it: the harness's tree (make tree) does.
pub(crate) fn kernel_file(relative: &str) -> Option<PathBuf> {
    let tree = PathBuf::from(std::env::var_os("KERNEL_SRC").expect("KERNEL_SRC is not set"));
    let path = tree.join(relative);
    assert!(
        path.is_file(),
        "{} is missing: run make tree first",
        path.display()
    );
    Some(path)
}
