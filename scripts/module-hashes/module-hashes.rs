// SPDX-License-Identifier: GPL-2.0

//! Fills the `.module_hashes` section of vmlinux with the digests of the
//! modules built with the kernel (`CONFIG_MODULE_HASHES`).
//!
//! The link reserves the section in `vmlinux.unstripped`: the header of
//! `include/linux/module_hashes.h` with a count of `0xffffffff` (no table
//! yet), then zeros for one digest per module.  Once the modules are built,
//! kbuild dumps that placeholder with objcopy, and `module-hashes write`
//! hashes every module that the `modules.order` files list and writes the
//! section's new contents: the header, the sorted distinct digests and zeros
//! up to the placeholder's size.  kbuild puts them into vmlinux with
//! `objcopy --update-section` (scripts/Makefile.vmlinux): this program reads
//! and writes no ELF file.
//!
//! A module's digest is the SHA-256 of its file without an appended module
//! signature, computed by libcrypto, as the kernel computes it at load time.
//!
//! With `--check`, it is given the section of the final vmlinux instead and
//! fails unless the table has the digest of every module: `modules_install`
//! runs it so that modules rebuilt after vmlinux, which the kernel would
//! reject, are not installed (scripts/Makefile.modinst).
//!
//! `tools/module-hashes` shows and checks the table of a built kernel; it
//! shares `layout.rs` with this program.

mod layout;
#[cfg(test)]
mod tests;

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use layout::{ALGO_SHA256, HEADER_SIZE, MAGIC, SECTION_NAME, SHA256_SIZE, VERSION};

/// A SHA-256 digest, as the table stores it.
type Digest = [u8; SHA256_SIZE];

/// The `count` of the placeholder that the link reserves: no table yet.
const NO_TABLE: u32 = u32::MAX;

/// The `entry_size` of a table of SHA-256 digests.
const ENTRY_SIZE: u32 = SHA256_SIZE as u32;

/// `MODULE_SIGNATURE_MARKER`: the last bytes of a signed module.
const SIG_MARKER: &[u8] = b"~Module signature appended~\n";

/// `sizeof(struct module_signature)`, the bytes before the marker.
const SIG_INFO_SIZE: usize = 12;

/// The short usage, printed after a command-line error.
const USAGE: &str = "\
Usage: module-hashes write [--objtree DIR] --order FILE... --section FILE
                           --output FILE [--manifest FILE] [--image-suffix SUFFIX]
       module-hashes write --check [--objtree DIR] --order FILE... --section FILE
                           [--image-suffix SUFFIX]
       module-hashes --help
";

/// The rest of the help.
const HELP: &str = "
Hash the modules that the modules.order files list (SHA-256 of the file
without an appended module signature) and write the .module_hashes section
of vmlinux: the header, the sorted distinct digests and zeros up to the size
of the placeholder.  With --check, write nothing, and fail unless the table
has the digest of every module.

  --objtree DIR     directory the modules.order paths are relative to (.)
  --order FILE      modules.order: path/to/foo.o stands for path/to/foo.ko
  --section FILE    the placeholder, dumped from vmlinux.unstripped, or with
                    --check the table, dumped from vmlinux
  --output FILE     where to write the filled section
  --manifest FILE   where to write sha256sum lines: DIGEST  path/to/foo.ko
  --image-suffix S  hash path/to/foo.koS instead (kbuild: .stripped)
  --check           check the table instead of writing one
";

#[link(name = "crypto")]
extern "C" {
    /// libcrypto's one-shot SHA-256: stores the digest of the `len` bytes
    /// at `data` into the 32 bytes at `digest` and returns `digest`, or
    /// NULL on failure.
    fn SHA256(data: *const u8, len: usize, digest: *mut u8) -> *mut u8;
}

/// What the command line asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Args {
    /// Directory that the paths in the modules.order files are relative to.
    objtree: PathBuf,
    /// The modules.order files, in order.
    orders: Vec<PathBuf>,
    /// The section's bytes: the placeholder, or with `check`, the table.
    section: PathBuf,
    /// Where to write the filled section (not with `check`).
    output: Option<PathBuf>,
    /// Where to write the manifest, if anywhere (not with `check`).
    manifest: Option<PathBuf>,
    /// Appended to the name of each module to get the file hashed.
    suffix: OsString,
    /// Only check that the table has the digest of every module.
    check: bool,
}

/// Why the program failed.
#[derive(Debug, PartialEq, Eq)]
enum Error {
    /// A bad command line: exit status 2, and the usage follows.
    Usage(String),
    /// Anything else: exit status 1.
    Failed(String),
}

/// Parses the arguments after the program name; `Ok(None)` asks for help.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Args>, Error> {
    let usage = |message: String| Err(Error::Usage(message));
    let mut args = args.into_iter();
    match args.next() {
        Some(command) if command == "write" => {}
        Some(help) if help == "-h" || help == "--help" => return Ok(None),
        Some(other) => {
            return usage(format!(
                "unknown command '{}' (list, verify and hash are in tools/module-hashes)",
                other.to_string_lossy()
            ))
        }
        None => return usage("no command given".to_string()),
    }
    let mut parsed = Args::default();
    let (mut objtree, mut section, mut output, mut manifest, mut suffix) =
        (None, None, None, None, None);
    while let Some(arg) = args.next() {
        let bytes = arg.as_bytes();
        let (name, attached) = match bytes.iter().position(|&byte| byte == b'=') {
            Some(at) if bytes.starts_with(b"--") => (&bytes[..at], Some(&bytes[at + 1..])),
            _ => (bytes, None),
        };
        let name = String::from_utf8_lossy(name);
        match &*name {
            "-h" | "--help" => return Ok(None),
            "--check" if attached.is_some() => return usage("'--check' takes no value".into()),
            "--check" if parsed.check => return usage("option '--check' given twice".into()),
            "--check" => parsed.check = true,
            "--objtree" | "--order" | "--section" | "--output" | "--manifest"
            | "--image-suffix" => {
                let value = attached.map(|value| OsStr::from_bytes(value).to_owned());
                let Some(value) = value.or_else(|| args.next()) else {
                    return usage(format!("option '{name}' needs a value"));
                };
                let slot = match &*name {
                    "--order" => {
                        parsed.orders.push(value.into());
                        continue;
                    }
                    "--objtree" => &mut objtree,
                    "--section" => &mut section,
                    "--output" => &mut output,
                    "--manifest" => &mut manifest,
                    _ => &mut suffix,
                };
                if slot.replace(value).is_some() {
                    return usage(format!("option '{name}' given twice"));
                }
            }
            _ => return usage(format!("unexpected argument '{}'", arg.to_string_lossy())),
        }
    }
    if let Some(bad) = suffix
        .as_ref()
        .filter(|s| s.is_empty() || s.as_bytes().contains(&b'/'))
    {
        return usage(format!(
            "--image-suffix '{}' is not a file name suffix",
            bad.to_string_lossy()
        ));
    }
    if parsed.orders.is_empty() {
        return usage("missing option '--order'".to_string());
    }
    if parsed.check && (output.is_some() || manifest.is_some()) {
        return usage("--check writes nothing: no --output or --manifest".to_string());
    }
    if !parsed.check && output.is_none() {
        return usage("missing option '--output'".to_string());
    }
    let Some(section) = section else {
        return usage("missing option '--section'".to_string());
    };
    parsed.objtree = objtree.unwrap_or_else(|| ".".into()).into();
    parsed.section = section.into();
    parsed.output = output.map(PathBuf::from);
    parsed.manifest = manifest.map(PathBuf::from);
    parsed.suffix = suffix.unwrap_or_default();
    Ok(Some(parsed))
}

/// Appends the modules that the modules.order file at `path` lists to
/// `modules`: `path/to/foo.ko` for each line `path/to/foo.o`.  Blank lines
/// are skipped.
fn read_order(path: &Path, modules: &mut Vec<String>) -> Result<(), String> {
    let name = path.display();
    let bytes = fs::read(path).map_err(|error| format!("{name}: {error}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{name}: not UTF-8 text"))?;
    for (number, line) in text.lines().enumerate() {
        match line.strip_suffix(".o") {
            _ if line.is_empty() => {}
            Some(stem) if !stem.is_empty() && !stem.ends_with('/') => {
                modules.push(format!("{stem}.ko"));
            }
            _ => {
                return Err(format!(
                    "{name}:{}: '{line}' is not the path of an object file (path/to/foo.o)",
                    number + 1
                ))
            }
        }
    }
    Ok(())
}

/// Returns the SHA-256 of `data`, from libcrypto.
fn sha256(data: &[u8]) -> Result<Digest, String> {
    let mut digest = [0; SHA256_SIZE];
    // SAFETY: `data` is valid for reads of `data.len()` bytes and `digest`
    // for writes of the `SHA256_SIZE` bytes that SHA256() stores; SHA256()
    // keeps neither pointer.
    let result = unsafe { SHA256(data.as_ptr(), data.len(), digest.as_mut_ptr()) };
    if result.is_null() {
        return Err("libcrypto's SHA256() failed".to_string());
    }
    Ok(digest)
}

/// The length of a module file's contents without an appended signature,
/// which the kernel's loader finds with the same checks.
fn unsigned_len(file: &[u8]) -> Result<usize, String> {
    let Some(rest) = file.strip_suffix(SIG_MARKER) else {
        return Ok(file.len());
    };
    let malformed = |what: String| Err(format!("malformed module signature: {what}"));
    let Some((before, info)) = rest.split_last_chunk::<SIG_INFO_SIZE>() else {
        return malformed("no room for struct module_signature".to_string());
    };
    let sig_len = u32::from_be_bytes([info[8], info[9], info[10], info[11]]);
    let Some(signature) = usize::try_from(sig_len)
        .ok()
        .filter(|&len| len < before.len())
    else {
        return malformed(format!("sig_len {sig_len} leaves no module before it"));
    };
    if info[2] != 2 {
        return malformed(format!("id_type {} is not PKCS#7 (2)", info[2]));
    }
    if info[..8] != [0, 0, 2, 0, 0, 0, 0, 0] {
        return malformed("non-zero params besides id_type".to_string());
    }
    Ok(before.len() - signature)
}

/// Reads the module file at `path` into `buffer` and returns its digest,
/// after checking that what remains without a signature is an ELF
/// relocatable object.
fn module_digest(path: &Path, buffer: &mut Vec<u8>) -> Result<Digest, String> {
    buffer.clear();
    fs::File::open(path)
        .and_then(|mut file| file.read_to_end(buffer))
        .map_err(|error| error.to_string())?;
    let module = &buffer[..unsigned_len(buffer)?];
    if !module.starts_with(b"\x7fELF") {
        return Err("not an ELF file".to_string());
    }
    let e_type = match (module.get(5), module.get(16..18)) {
        (Some(1), Some(&[low, high])) | (Some(2), Some(&[high, low])) => [low, high],
        _ => [0, 0],
    };
    if e_type != [1, 0] {
        return Err("not a relocatable ELF object (ET_REL), as a module is".to_string());
    }
    sha256(module)
}

/// Checks the header of a `.module_hashes` section against `layout.rs`;
/// returns its count and the bytes after it.
fn parse_header(section: &[u8]) -> Result<(u32, &[u8]), String> {
    let Some((header, entries)) = section.split_first_chunk::<HEADER_SIZE>() else {
        return Err(format!(
            "{} bytes, shorter than the {HEADER_SIZE}-byte header: not a {SECTION_NAME} \
             section (was the kernel built with CONFIG_MODULE_HASHES?)",
            section.len()
        ));
    };
    let field = |at: usize| {
        u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let disagree = |what: String| {
        Err(format!(
            "the {SECTION_NAME} header has {what} (include/linux/module_hashes.h and \
             scripts/module-hashes/layout.rs disagree)"
        ))
    };
    if header[..8] != MAGIC {
        let magic = String::from_utf8_lossy(&header[..8]);
        return disagree(format!(
            "magic {magic:?}, this program writes \"MODHASH\\0\""
        ));
    }
    for (what, found, known) in [
        ("version", field(8), VERSION),
        ("algorithm", field(12), ALGO_SHA256),
        ("entry size", field(20), ENTRY_SIZE),
    ] {
        if found != known {
            return disagree(format!("{what} {found}, this program writes {known}"));
        }
    }
    Ok((field(16), entries))
}

/// Returns the digests of a filled table: `count` of them at the start of
/// `entries`, in strictly ascending order, as the kernel requires.
fn table_digests(count: u32, entries: &[u8]) -> Result<Vec<&[u8]>, String> {
    if count == NO_TABLE {
        let never = "the table was never filled in (count 0xffffffff): run 'make'";
        return Err(never.to_string());
    }
    let room = entries.len() / SHA256_SIZE;
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count > room {
        return Err(format!("count {count}, but room for {room} digests"));
    }
    let digests: Vec<&[u8]> = entries.chunks_exact(SHA256_SIZE).take(count).collect();
    if digests.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err("the digests are not sorted without duplicates".to_string());
    }
    Ok(digests)
}

/// Returns the filled section: the header, `digests` (sorted and distinct)
/// and zeros up to `size` bytes, the size of the placeholder.
fn fill(size: usize, digests: &[Digest]) -> Result<Vec<u8>, String> {
    let room = size.saturating_sub(HEADER_SIZE) / SHA256_SIZE;
    let count = u32::try_from(digests.len())
        .ok()
        .filter(|_| digests.len() <= room);
    let Some(count) = count else {
        return Err(format!(
            "the placeholder has room for {room} digests, {} are needed: more modules than \
             vmlinux.unstripped was linked for (external modules: see \
             CONFIG_MODULE_HASHES_EXTRA_SLOTS)",
            digests.len()
        ));
    };
    let mut table = Vec::with_capacity(size);
    table.extend_from_slice(&MAGIC);
    for field in [VERSION, ALGO_SHA256, count, ENTRY_SIZE] {
        table.extend_from_slice(&field.to_le_bytes());
    }
    for digest in digests {
        table.extend_from_slice(digest);
    }
    table.resize(size, 0);
    Ok(table)
}

/// Formats `digest` as lowercase hexadecimal.
fn hex(digest: &Digest) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Writes `contents` to the file at `path`.
fn write_file(path: &Path, contents: &[u8]) -> Result<(), String> {
    fs::write(path, contents).map_err(|error| format!("{}: {error}", path.display()))
}

/// Hashes the modules and writes the filled section and the manifest, or,
/// with `--check`, checks the table.
fn run(args: &Args) -> Result<(), String> {
    let section_name = args.section.display();
    let in_section = |error: String| format!("{section_name}: {error}");
    let section = fs::read(&args.section).map_err(|error| in_section(error.to_string()))?;
    // The section first: a wrong one fails before any module is read.
    let (count, entries) = parse_header(&section).map_err(in_section)?;
    let table = if args.check {
        table_digests(count, entries).map_err(in_section)?
    } else if count != NO_TABLE {
        return Err(in_section(format!(
            "count {count}, not the placeholder's 0xffffffff: this section has a table \
             already (dump the placeholder from vmlinux.unstripped)"
        )));
    } else {
        Vec::new()
    };

    let mut modules = Vec::new();
    for order in &args.orders {
        read_order(order, &mut modules)?;
    }
    let mut buffer = Vec::new();
    let mut files = Vec::with_capacity(modules.len());
    let mut digests = Vec::with_capacity(modules.len());
    for module in &modules {
        let mut file = args.objtree.join(module).into_os_string();
        file.push(&args.suffix);
        let file = PathBuf::from(file);
        let digest = module_digest(&file, &mut buffer);
        digests.push(digest.map_err(|error| format!("{}: {error}", file.display()))?);
        files.push(file);
    }

    if args.check {
        let stale: Vec<_> = files
            .iter()
            .zip(&digests)
            .filter(|(_, digest)| table.binary_search(&&digest[..]).is_err())
            .map(|(file, _)| format!("\n  {}", file.display()))
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        let more = match stale.len() {
            count @ 11.. => format!("\n  ... and {} more", count - 10),
            _ => String::new(),
        };
        return Err(format!(
            "{} of {} modules are not in the {SECTION_NAME} table ({section_name}): they \
             were rebuilt after vmlinux (make modules, make foo.ko), and the kernel would \
             reject them; run 'make' to update vmlinux first:{}{more}",
            stale.len(),
            files.len(),
            stale[..stale.len().min(10)].concat()
        ));
    }

    let mut sorted = digests.clone();
    sorted.sort_unstable();
    // Modules with the same contents need one entry.
    sorted.dedup();
    let filled = fill(section.len(), &sorted).map_err(in_section)?;
    if let Some(output) = &args.output {
        write_file(output, &filled)?;
    }
    if let Some(manifest) = &args.manifest {
        let lines: Vec<String> = modules
            .iter()
            .zip(&digests)
            .map(|(module, digest)| format!("{}  {module}\n", hex(digest)))
            .collect();
        write_file(manifest, lines.concat().as_bytes())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(args)) => run(&args).map_err(Error::Failed),
        Ok(None) => std::io::stdout()
            .lock()
            .write_all(format!("{USAGE}{HELP}").as_bytes())
            .map_err(|error| Error::Failed(format!("standard output: {error}"))),
        Err(error) => Err(error),
    };
    // Not eprintln!, which panics when standard error is gone.
    let mut stderr = std::io::stderr().lock();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => {
            let _ = write!(stderr, "module-hashes: error: {message}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Error::Failed(message)) => {
            let _ = writeln!(stderr, "module-hashes: error: {message}");
            ExitCode::FAILURE
        }
    }
}
