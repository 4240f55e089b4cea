// SPDX-License-Identifier: GPL-2.0

//! Just enough ELF, of either class and byte order: the section names of a
//! module, and the contents of one section of vmlinux.  Every offset and
//! size comes from the file: all reads are bounds-checked.

use crate::{Error, BAD_FORMAT, NO_TABLE};

/// The unsigned integer of `len` (at most 8) bytes at `at` in `bytes`,
/// big-endian if `big`: 0 if out of range, `usize::MAX` if it does not fit.
pub(crate) fn int(bytes: &[u8], at: usize, len: usize, big: bool) -> usize {
    let field = bytes.get(at..at.saturating_add(len));
    let mut field = field.unwrap_or_default().to_vec();
    if !big {
        field.reverse();
    }
    let value = field.iter().fold(0, |v: u64, b| v << 8 | u64::from(*b));
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// The `len` bytes at `at` in `file`, if it has them.
fn get(file: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    file.get(at..at.checked_add(len)?)
}

/// A section: its name, `sh_type`, `sh_offset` and `sh_size`.
type Section<'a> = (&'a [u8], usize, usize, usize);

/// `e_type` and the sections of an ELF file, without the null section.
fn sections(file: &[u8]) -> Result<(usize, Vec<Section<'_>>), String> {
    let ident = file.get(..7).filter(|ident| ident.starts_with(b"\x7fELF"));
    let (class64, big) = match ident.ok_or("not an ELF file")?[4..] {
        [class @ (1 | 2), data @ (1 | 2), 1] => (class == 2, data == 2),
        _ => return Err("not an ELF file: unknown class, byte order or version".into()),
    };
    // Word size, sizeof(Ehdr), sizeof(Shdr), e_shoff, sh_offset.
    let (word, ehdr, shdr, shoff_at, offset_at) = match class64 {
        true => (8, 64, 64, 40, 24),
        false => (4, 52, 40, 32, 16),
    };
    let field = |at: usize, len: usize| int(file, at, len, big);
    // e_ehsize, then e_shentsize, e_shnum and e_shstrndx.
    let at = ehdr - 12;
    if file.len() < ehdr || field(at, 2) != ehdr || field(at + 6, 2) != shdr {
        return Err("truncated or bad ELF header".into());
    }
    let (count, names) = (field(at + 8, 2), field(at + 10, 2));
    let table = get(file, field(shoff_at, word), count * shdr).filter(|_| count > 0);
    let layout = [(0, 4), (4, 4), (offset_at, word), (offset_at + word, word)];
    let headers: Vec<[usize; 4]> = (table.ok_or("bad section header table")?)
        .chunks_exact(shdr)
        .map(|header| layout.map(|(at, len)| int(header, at, len, big)))
        .collect();
    let [_, _, at, len] = *headers.get(names).ok_or("bad section name table index")?;
    let names = get(file, at, len).ok_or("section name table beyond the end of the file")?;
    let mut sections = Vec::new();
    for &[name, kind, at, len] in &headers[1..] {
        let name = names.get(name..).ok_or("bad section name offset")?;
        let name = name.split(|&b| b == 0).next().unwrap_or_default();
        sections.push((name, kind, at, len));
    }
    Ok((field(16, 2), sections))
}

/// Checks that `image` is an ELF relocatable object, as a module is.
pub(crate) fn check_module(image: &[u8]) -> Result<(), String> {
    match sections(image)? {
        (1, _) => Ok(()),
        (kind, _) => Err(format!("not a relocatable ELF object (e_type {kind})")),
    }
}

/// The contents of the one section called `name` of an ELF file.
pub(crate) fn section<'a>(file: &'a [u8], name: &str) -> Result<&'a [u8], Error> {
    let (_, sections) = sections(file).map_err(|why| Error(BAD_FORMAT, why))?;
    let mut found = sections.iter().filter(|s| s.0 == name.as_bytes());
    let why = match (found.next(), found.next()) {
        (None, _) => {
            let why = format!("no {name} section: not built with CONFIG_MODULE_HASHES");
            return Err(Error(NO_TABLE, why));
        }
        // Not SHT_NOBITS.
        (Some(&(_, kind, at, len)), None) if kind != 8 => match get(file, at, len) {
            Some(contents) => return Ok(contents),
            None => "is beyond the end of the file",
        },
        _ => "is not one section with contents",
    };
    Err(Error(BAD_FORMAT, format!("section {name} {why}")))
}
