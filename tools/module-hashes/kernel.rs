// SPDX-License-Identifier: GPL-2.0

//! A kernel's digest table, from any SOURCE: a vmlinux (its
//! `.module_hashes` section), the bare section, the text list of
//! `/sys/kernel/module_hashes` (one hex digest per line, sorted), or a
//! kernel image of any architecture: uncompressed, or the compressed
//! kernel in it, found as `scripts/extract-vmlinux` finds it (each stream
//! that starts with a compressor's magic) and decompressed by the standard
//! programs.  What is neither ELF nor a table (an uncompressed image, the
//! payload of an architecture whose image is not ELF) is searched for its
//! one well-formed header.

use std::fs::{self, File};
use std::io::{Seek, SeekFrom};
use std::path::Path;
use std::process::Command;

use crate::layout::{ALGO_SHA256, HEADER_SIZE, MAGIC, SECTION_NAME, SHA256_SIZE, VERSION};
use crate::{context, elf, io_error, module, show, Digest, Error};
use crate::{BAD_TABLE, DECOMPRESS, NO_TABLE};

/// The sorted digests of the SOURCE at `path`.  Errors name the file.
pub(crate) fn read(path: &Path) -> Result<Vec<Digest>, Error> {
    let table = fs::read(path).map_err(io_error);
    let table = table.and_then(|data| from_bytes(path, &data));
    table.map_err(|error| context(error, &show(path.as_os_str())))
}

/// The digests of the SOURCE `data`, read from `path`.
fn from_bytes(path: &Path, data: &[u8]) -> Result<Vec<Digest>, Error> {
    if data.starts_with(b"\x7fELF") {
        return parse_section(elf::section(data, SECTION_NAME)?);
    }
    if data.starts_with(&MAGIC) {
        return parse_section(data);
    }
    let first_line = data.split(|&byte| byte == b'\n').next();
    if data.is_empty() || first_line.and_then(parse_hex).is_some() {
        return parse_text(data);
    }
    if let Some(table) = scan(data)? {
        return Ok(table);
    }
    let why = "in it, or in a compressed kernel in it (searched in regular files only)";
    scan_payloads(path, data)?.ok_or(Error(NO_TABLE, format!("no {SECTION_NAME} table {why}")))
}

/// 64 hex digits as a digest.
pub(crate) fn parse_hex(hex: &[u8]) -> Option<Digest> {
    let valid = hex.len() == 2 * SHA256_SIZE && hex.iter().all(u8::is_ascii_hexdigit);
    let mut digest = [0; SHA256_SIZE];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    valid.then_some(digest)
}

/// `digests` if they are sorted without duplicates, as the kernel's binary
/// search needs them; `what` names them in the error.
fn sorted(digests: Vec<Digest>, what: &str) -> Result<Vec<Digest>, Error> {
    let Some(at) = digests.windows(2).position(|pair| pair[0] >= pair[1]) else {
        return Ok(digests);
    };
    let why = format!("corrupt {what}: entry {} is not after entry {at}", at + 1);
    Err(Error(BAD_TABLE, why))
}

/// The digests of the text list.
fn parse_text(text: &[u8]) -> Result<Vec<Digest>, Error> {
    let (lines, mut digests) = (text.strip_suffix(b"\n").unwrap_or(text), Vec::new());
    // An empty list splits into one empty line: none.
    let lines = lines.split(|&b| b == b'\n').skip(text.is_empty().into());
    for (number, line) in lines.enumerate() {
        let why = format!("corrupt digest list: line {} is not a digest", number + 1);
        digests.push(parse_hex(line).ok_or(Error(BAD_TABLE, why))?);
    }
    sorted(digests, "digest list")
}

/// The digests of a `.module_hashes` section (or of memory from its start
/// on), checked as the kernel relies on them.
fn parse_section(section: &[u8]) -> Result<Vec<Digest>, Error> {
    let bad = |why: String| Error(BAD_TABLE, format!("corrupt {SECTION_NAME} table: {why}"));
    let never = "the table was never filled in, so the kernel knows no module";
    if section.len() < HEADER_SIZE {
        return Err(bad(format!("{} bytes, less than a header", section.len())));
    }
    if section.iter().all(|&byte| byte == 0) {
        return Err(bad(never.into()));
    }
    let field = |at: usize| elf::int(section, at, 4, false);
    let (version, algo, size) = (field(8), field(12), field(20));
    let expected = (VERSION as usize, ALGO_SHA256 as usize, SHA256_SIZE);
    if section[..8] != MAGIC || (version, algo, size) != expected {
        let magic = section[..8].escape_ascii();
        let why = format!("magic \"{magic}\", version {version}, algorithm {algo}");
        return Err(bad(format!("bad header: {why}, entry size {size}")));
    }
    let count = field(16);
    if count == u32::MAX as usize {
        return Err(bad(never.into()));
    }
    let entries = section[HEADER_SIZE..].chunks_exact(SHA256_SIZE).take(count);
    let digests: Vec<Digest> = entries.filter_map(|entry| entry.try_into().ok()).collect();
    if digests.len() < count {
        let why = format!("count {count} is beyond the section: {} fit", digests.len());
        return Err(bad(why));
    }
    sorted(digests, &format!("{SECTION_NAME} table"))
}

/// The table of the memory image `data`, if it has a well-formed header:
/// magic, version, algorithm and entry size.
fn scan(data: &[u8]) -> Result<Option<Vec<Digest>>, Error> {
    let mut header = MAGIC.to_vec();
    header.extend([VERSION, ALGO_SHA256].map(u32::to_le_bytes).concat());
    let size = (SHA256_SIZE as u32).to_le_bytes();
    let plausible = |at: &usize| {
        data[*at..].starts_with(&header) && data.get(at + 20..at + 24) == Some(&size[..])
    };
    let found: Vec<usize> = (0..data.len()).filter(plausible).take(2).collect();
    let why = format!("more than one {SECTION_NAME} table");
    match found[..] {
        [] => Ok(None),
        [at] => parse_section(&data[at..]).map(Some),
        _ => Err(Error(BAD_TABLE, why)),
    }
}

/// The compressors of kernel images: the magic of a stream, as
/// `scripts/extract-vmlinux` looks for it, and the program that
/// decompresses it to standard output.
const COMPRESSORS: [(&[u8], &[&str]); 7] = [
    (b"\x1f\x8b\x08", &["gzip", "-dc"]),
    (b"\xfd7zXZ\0", &["xz", "-dc"]),
    (b"BZh", &["bzip2", "-dc"]),
    (b"\x5d\0\0\0", &["xz", "--format=lzma", "-dc"]),
    (b"\x89LZ", &["lzop", "-dc"]),
    (b"\x02!L\x18", &["lz4", "-dc"]),
    (b"\x28\xb5\x2f\xfd", &["zstd", "-dc"]),
];

/// The table of the kernel compressed in the image `data` at `path` (a
/// bzImage, arm64 `Image.gz`, a 32-bit ARM `zImage`): each stream from a
/// compressor's magic, the first 64 of each compressor, is decompressed as
/// far as it goes (other data may follow it, which its exit status
/// reports), and searched: a vmlinux holds its table's bytes too.  Only in
/// a regular file, which each stream reads again.  A stream whose program
/// is not installed is passed over; one that decompresses to more than the
/// size limit left is an error.
fn scan_payloads(path: &Path, data: &[u8]) -> Result<Option<Vec<Digest>>, Error> {
    // Each stream is read from the file again, which a pipe cannot be.
    if !fs::metadata(path).map_err(io_error)?.is_file() {
        return Ok(None);
    }
    // The streams together decompress to no more than one may: an image
    // crafted with hundreds of them does not keep the programs busy for
    // hours.
    let mut budget = module::limit();
    for (magic, program) in COMPRESSORS {
        let starts = (0..data.len()).filter(|&at| data[at..].starts_with(magic));
        for at in starts.take(64) {
            let mut stream = File::open(path).map_err(io_error)?;
            stream.seek(SeekFrom::Start(at as u64)).map_err(io_error)?;
            let mut command = Command::new(program[0]);
            command.args(&program[1..]).stdin(stream);
            let whose = format!("the kernel that {} found at offset {at}", program[0]);
            let (payload, _) = match module::run_capped(command, budget) {
                Ok(output) => output,
                Err(why) if why.starts_with(module::CANNOT_RUN) => continue,
                Err(why) => return Err(Error(DECOMPRESS, format!("{whose}: {why}"))),
            };
            budget -= payload.len() as u64;
            if let Some(table) = scan(&payload).map_err(|error| context(error, &whose))? {
                return Ok(Some(table));
            }
        }
    }
    Ok(None)
}
