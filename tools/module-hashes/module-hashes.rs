// SPDX-License-Identifier: GPL-2.0

//! Shows and checks the module digests of a kernel built with
//! `CONFIG_MODULE_HASHES`.
//!
//! The kernel build stores the sorted SHA-256 digests of its modules in the
//! `.module_hashes` section of vmlinux (`include/linux/module_hashes.h`).
//! This program prints that table, says whether the kernel would accept
//! module files by their digests, and prints module digests.  It is built
//! with plain rustc and std only, by this directory's Makefile, and shares
//! one file with the kernel build's `scripts/module-hashes`: the layout.

mod elf;
mod kernel;
#[path = "../../scripts/module-hashes/layout.rs"]
mod layout;
mod module;
mod sha256;
mod verify;

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::sync::{atomic::AtomicUsize, atomic::Ordering, OnceLock};
use std::{fmt::Write as _, path::PathBuf, process::ExitCode, thread};

/// A SHA-256 digest, as the table stores it.
pub(crate) type Digest = [u8; layout::SHA256_SIZE];

/// Exit status: an error of no other kind (I/O, a bad manifest).
pub(crate) const FAILED: u8 = 1;
/// Exit status: a bad command line.
const USAGE: u8 = 2;
/// Exit status: `verify` found a module that the kernel would not accept.
pub(crate) const REJECTED: u8 = 3;
/// Exit status: a path that does not exist.
pub(crate) const NOT_FOUND: u8 = 4;
/// Exit status: a file of the wrong kind (not ELF, not a kernel).
pub(crate) const BAD_FORMAT: u8 = 5;
/// Exit status: a kernel without a `.module_hashes` table.
pub(crate) const NO_TABLE: u8 = 6;
/// Exit status: a corrupt table.
pub(crate) const BAD_TABLE: u8 = 7;
/// Exit status: a module that cannot be decompressed.
pub(crate) const DECOMPRESS: u8 = 8;

/// The help text; its first paragraph is the synopsis.
const HELP: &str = "\
Usage: module-hashes list SOURCE
       module-hashes verify [--json] [--manifest FILE] [-j N] SOURCE MODULE_OR_DIR...
       module-hashes hash [-j N] FILE...

list prints the digests in the kernel's .module_hashes table; hash, the
digests the kernel computes of modules; verify, for each module, OK if the
kernel accepts it by its digest, else REJECTED and why, then MISSING for
each entry of the manifest (--manifest, or DIR/modules.hashes) with no
module under DIR.  --json prints {path, status, digest, signed,
manifest_path} lines, status known, unknown, modified, manifest-mismatch,
malformed-signature or missing, and {path, status: error, error}.  SOURCE:
a vmlinux or kernel image of any architecture (compressed with gzip, xz,
bzip2, lzma, lzop, lz4 or zstd: decompressed by those programs, together up
to the size limit below), the bare section, or /sys/kernel/module_hashes.
Modules (.ko[.xz|.zst|.gz], up to $MODULE_HASHES_MAX_SIZE bytes, default
2 GiB) are hashed without a well-formed signature.  -j N: threads.

Exit status: 0 success, 1 error, 2 bad usage, 3 a module not accepted, 4 no
such file, 5 bad file, 6 no table, 7 corrupt table, 8 cannot decompress;
verify exits with the code of the first error, else 3.
";

/// Why a command failed: the exit status, and a message unless the output
/// says it already.
#[derive(Debug)]
pub(crate) struct Error(pub(crate) u8, pub(crate) String);

/// `error` with `prefix: ` in front of its message.
pub(crate) fn context(error: Error, prefix: &str) -> Error {
    Error(error.0, format!("{prefix}: {}", error.1))
}

/// An I/O error: `NOT_FOUND` for a missing file, else `FAILED`.
pub(crate) fn io_error(error: io::Error) -> Error {
    let missing = error.kind() == io::ErrorKind::NotFound;
    Error(if missing { NOT_FOUND } else { FAILED }, error.to_string())
}

/// A name for messages and text output, with every byte but printable
/// ASCII escaped (and `\`, `'`, `"`): it cannot forge a line.
pub(crate) fn show(name: &OsStr) -> String {
    name.as_bytes().escape_ascii().to_string()
}

/// `raw` as a JSON string; bytes that are not UTF-8 are the lone surrogates
/// U+DC80 to U+DCFF, as Python's `surrogateescape` reads them.
pub(crate) fn json(raw: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in raw.utf8_chunks() {
        for character in chunk.valid().chars() {
            let _ = match character {
                '"' | '\\' => write!(out, "\\{character}"),
                '\0'..='\x1f' | '\x7f' => write!(out, "\\u{:04x}", u32::from(character)),
                _ => write!(out, "{character}"),
            };
        }
        out.extend(chunk.invalid().iter().map(|b| format!("\\udc{b:02x}")));
    }
    out + "\""
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Prints `module-hashes: KIND: MESSAGE` on standard error.
pub(crate) fn report(kind: &str, message: &str) {
    let _ = writeln!(io::stderr().lock(), "module-hashes: {kind}: {message}");
}

/// Writes `bytes` on standard output.
pub(crate) fn print(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    let written = stdout.write_all(bytes).and_then(|()| stdout.flush());
    written.map_err(|error| Error(FAILED, format!("standard output: {error}")))
}

/// `function` of each item, on up to `jobs` threads, in item order.
pub(crate) fn par_map<T: Sync, R: Send + Sync>(
    items: &[T],
    jobs: usize,
    function: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let results: Vec<OnceLock<R>> = items.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(index) else { break };
        let _ = results[index].set(function(item));
    };
    // The scope waits for every thread, and panics if one did.
    thread::scope(|scope| (0..jobs.min(items.len())).for_each(|_| drop(scope.spawn(work))));
    results.into_iter().flat_map(OnceLock::into_inner).collect()
}

/// The command line.
#[derive(Default)]
pub(crate) struct Args {
    /// `hash`, `list` or `verify`.
    command: String,
    /// SOURCE, modules, files.
    pub(crate) operands: Vec<PathBuf>,
    /// `--manifest FILE`.
    pub(crate) manifest: Option<PathBuf>,
    /// `--json`.
    pub(crate) json: bool,
    /// `-j N`: threads.
    pub(crate) jobs: usize,
}

/// Parses the command line after the program name; `None` asks for help.
fn parse(args: Vec<OsString>) -> Result<Option<Args>, Error> {
    let synopsis = HELP.split("\n\n").next().unwrap_or(HELP);
    let usage = |why: String| Err(Error(USAGE, format!("{why}\n{synopsis}")));
    let mut args = args.into_iter();
    let command = args.next().unwrap_or_default();
    let command = command.to_string_lossy().into_owned();
    match command.as_str() {
        "hash" | "list" | "verify" => {}
        "-h" | "--help" | "help" => return Ok(None),
        "" => return usage("no command given".into()),
        _ => return usage(format!("unknown command '{command}'")),
    }
    let (mut parsed, mut jobs, mut options) = (Args::default(), None, true);
    while let Some(arg) = args.next() {
        let option = arg.to_str().filter(|text| options && text.starts_with('-'));
        let missing = Error(USAGE, format!("{arg:?} needs a value\n{synopsis}"));
        let value = || args.next().ok_or(missing);
        match (command.as_str(), option.filter(|text| text.len() > 1)) {
            (_, None) => parsed.operands.push(PathBuf::from(&arg)),
            (_, Some("--")) => options = false,
            (_, Some("-h" | "--help")) => return Ok(None),
            ("verify", Some("--json")) => parsed.json = true,
            ("verify", Some("--manifest")) => parsed.manifest = Some(value()?.into()),
            ("hash" | "verify", Some("-j" | "--jobs")) => jobs = Some(value()?),
            (_, Some(option)) => return usage(format!("{command}: unknown option '{option}'")),
        }
    }
    let count = parsed.operands.len();
    if count == 0 || command == "list" && count > 1 || command == "verify" && count < 2 {
        return usage(format!("{command}: wrong number of operands"));
    }
    parsed.jobs = match jobs.map(|text| text.to_string_lossy().parse()) {
        None => thread::available_parallelism().map_or(1, usize::from),
        Some(Ok(jobs)) if jobs > 0 => jobs,
        Some(_) => return usage("-j: not a positive number".into()),
    };
    parsed.command = command;
    Ok(Some(parsed))
}

/// `list`: the digests of the table.
fn list(args: &Args) -> Result<(), Error> {
    let table = kernel::read(&args.operands[0])?;
    let lines: String = table.iter().map(|digest| hex(digest) + "\n").collect();
    print(lines.as_bytes())
}

/// `hash`: the digest of each module in sha256sum format, or nothing if
/// some file cannot be hashed.
fn hash(args: &Args) -> Result<(), Error> {
    let results = par_map(&args.operands, args.jobs, |path| module::examine(path));
    let (mut out, mut failed) = (Vec::new(), false);
    for (path, result) in args.operands.iter().zip(results) {
        let (name, raw) = (show(path.as_os_str()), path.as_os_str().as_bytes());
        let module = match result {
            Ok(module) => module,
            Err(Error(_, why)) => {
                failed = true;
                report("error", &format!("{name}: {why}"));
                continue;
            }
        };
        if let Some(why) = module.malformed {
            let why = format!("{name}: malformed signature ({why}): whole file hashed");
            report("warning", &why);
        }
        // As sha256sum: a name with `\`, newline or CR starts with `\`, and
        // is escaped (other unusual bytes too, as \xHH).
        let (prefix, name) = match raw.iter().any(|byte| b"\\\n\r".contains(byte)) {
            true => ("\\", name.into_bytes()),
            false => ("", raw.to_vec()),
        };
        out.extend(format!("{prefix}{}  ", hex(&module.digest)).bytes());
        out.extend(name.iter().chain(b"\n"));
    }
    match failed {
        true => Err(Error(FAILED, String::new())),
        false => print(&out),
    }
}

fn main() -> ExitCode {
    let result = match parse(std::env::args_os().skip(1).collect()) {
        Ok(None) => print(HELP.as_bytes()),
        Ok(Some(args)) if args.command == "list" => list(&args),
        Ok(Some(args)) if args.command == "hash" => hash(&args),
        Ok(Some(args)) => verify::run(&args),
        Err(error) => Err(error),
    };
    let Err(Error(code, message)) = result else {
        return ExitCode::SUCCESS;
    };
    if !message.is_empty() {
        report("error", &message);
    }
    ExitCode::from(code)
}
