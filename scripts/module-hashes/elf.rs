// SPDX-License-Identifier: GPL-2.0

//! Just enough ELF parsing: checking that a module looks like an ELF
//! relocatable object, and finding a section's file bytes in vmlinux.
//!
//! All offsets and sizes come from the file and are untrusted: every read is
//! bounds-checked and every sum is checked for overflow.

use std::ops::Range;

/// `\x7fELF`.
const MAGIC: [u8; 4] = *b"\x7fELF";
/// `EI_NIDENT`: size of `e_ident`.
const IDENT_SIZE: usize = 16;
/// `ELFCLASS32`.
const CLASS_32: u8 = 1;
/// `ELFCLASS64`.
const CLASS_64: u8 = 2;
/// `ELFDATA2LSB`.
const DATA_LSB: u8 = 1;
/// `ELFDATA2MSB`.
const DATA_MSB: u8 = 2;
/// `EV_CURRENT`.
const VERSION_CURRENT: u8 = 1;
/// `ET_REL`: modules are relocatable objects.
const TYPE_REL: u16 = 1;
/// `SHT_NOBITS`: a section that occupies no file bytes.
const SECTION_NOBITS: u32 = 8;
/// `SHN_XINDEX`: the real `e_shstrndx` is in section 0's `sh_link`.
const SECTION_INDEX_EXTENDED: u16 = 0xffff;

/// `sizeof(Elf64_Ehdr)`.
const EHDR64_SIZE: usize = 64;
/// `sizeof(Elf32_Ehdr)`.
const EHDR32_SIZE: usize = 52;
/// `sizeof(Elf64_Shdr)`.
const SHDR64_SIZE: usize = 64;
/// `sizeof(Elf32_Shdr)`.
const SHDR32_SIZE: usize = 40;

/// Bounds-checked reads of integers in one byte order.
#[derive(Clone, Copy)]
struct Reader<'a> {
    /// The whole file.
    bytes: &'a [u8],
    /// Byte order of the integers.
    big_endian: bool,
}

impl Reader<'_> {
    /// `N` bytes at `offset`, or `None` past the end of the file.
    fn array<const N: usize>(&self, offset: usize) -> Option<[u8; N]> {
        let end = offset.checked_add(N)?;
        self.bytes.get(offset..end)?.try_into().ok()
    }

    /// A 16-bit integer at `offset`.
    fn u16(&self, offset: usize) -> Option<u16> {
        let bytes = self.array(offset)?;
        Some(if self.big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        })
    }

    /// A 32-bit integer at `offset`.
    fn u32(&self, offset: usize) -> Option<u32> {
        let bytes = self.array(offset)?;
        Some(if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    }

    /// A 64-bit integer at `offset`.
    fn u64(&self, offset: usize) -> Option<u64> {
        let bytes = self.array(offset)?;
        Some(if self.big_endian {
            u64::from_be_bytes(bytes)
        } else {
            u64::from_le_bytes(bytes)
        })
    }
}

/// Converts a file offset or size to `usize`, which it must fit to be in the
/// file at all.
fn to_usize(value: u64, what: &str) -> Result<usize, String> {
    usize::try_from(value).map_err(|_| format!("{what} {value:#x} is out of range"))
}

/// `start..start + len` if that lies within a file of `file_len` bytes.
fn checked_range(
    start: usize,
    len: usize,
    file_len: usize,
    what: &str,
) -> Result<Range<usize>, String> {
    match start.checked_add(len) {
        Some(end) if end <= file_len => Ok(start..end),
        _ => Err(format!(
            "{what} at offset {start:#x} size {len:#x} extends past the end of the file \
             ({file_len:#x} bytes)"
        )),
    }
}

/// Checks `e_ident` and returns its class and whether it is big-endian.
fn read_ident(bytes: &[u8]) -> Result<(u8, bool), String> {
    if bytes.len() < IDENT_SIZE || bytes[..MAGIC.len()] != MAGIC {
        return Err("not an ELF file".to_string());
    }
    let class = bytes[4];
    if class != CLASS_32 && class != CLASS_64 {
        return Err(format!("not an ELF file: unknown ELF class {class}"));
    }
    let big_endian = match bytes[5] {
        DATA_LSB => false,
        DATA_MSB => true,
        other => {
            return Err(format!(
                "not an ELF file: unknown ELF data encoding {other}"
            ))
        }
    };
    if bytes[6] != VERSION_CURRENT {
        return Err(format!("not an ELF file: unknown ELF version {}", bytes[6]));
    }
    Ok((class, big_endian))
}

/// Checks that `bytes` is a plausible kernel module: an ELF relocatable
/// object of either class and byte order whose header and section header
/// table lie within the file.
pub(crate) fn check_module(bytes: &[u8]) -> Result<(), String> {
    check_module_start(bytes, bytes.len())
}

/// `check_module` for a module of `module_len` bytes of which only the
/// start, `head` (at least the ELF header, or all of it), is at hand.
pub(crate) fn check_module_start(head: &[u8], module_len: usize) -> Result<(), String> {
    let bytes = head.get(..module_len).unwrap_or(head);
    let (class, big_endian) = read_ident(bytes)?;
    let reader = Reader { bytes, big_endian };
    let truncated = || "truncated ELF header".to_string();

    // e_shoff, then the offsets of e_ehsize, e_shentsize and e_shnum, and
    // the sizes the headers have in this class.
    let (shoff, ehsize_at, shentsize_at, shnum_at, ehdr_size, shdr_size) = if class == CLASS_64 {
        let shoff = reader.u64(40).ok_or_else(truncated)?;
        (shoff, 52, 58, 60, EHDR64_SIZE, SHDR64_SIZE)
    } else {
        let shoff = reader.u32(32).ok_or_else(truncated)?;
        (u64::from(shoff), 40, 46, 48, EHDR32_SIZE, SHDR32_SIZE)
    };
    if module_len < ehdr_size {
        return Err(truncated());
    }

    let e_type = reader.u16(16).ok_or_else(truncated)?;
    if e_type != TYPE_REL {
        return Err(format!("not a relocatable ELF object (e_type {e_type})"));
    }
    let e_ehsize = reader.u16(ehsize_at).ok_or_else(truncated)?;
    if usize::from(e_ehsize) != ehdr_size {
        return Err(format!(
            "bad ELF header size {e_ehsize}, expected {ehdr_size}"
        ));
    }
    let e_shentsize = reader.u16(shentsize_at).ok_or_else(truncated)?;
    if usize::from(e_shentsize) != shdr_size {
        return Err(format!(
            "bad ELF section header size {e_shentsize}, expected {shdr_size}"
        ));
    }
    // A module always has sections.  e_shnum 0 would also be the escape for
    // more than 0xff00 sections, which no module has.
    let e_shnum = reader.u16(shnum_at).ok_or_else(truncated)?;
    if e_shnum == 0 || shoff == 0 {
        return Err("ELF object has no section header table".to_string());
    }
    let table_start = to_usize(shoff, "section header table offset")?;
    checked_range(
        table_start,
        usize::from(e_shnum) * shdr_size,
        module_len,
        "section header table",
    )?;
    Ok(())
}

/// One `Elf64_Shdr`, with the fields this tool needs.
struct SectionHeader {
    /// `sh_name`: offset of the name in the section name string table.
    name: u32,
    /// `sh_type`.
    kind: u32,
    /// `sh_offset`.
    offset: u64,
    /// `sh_size`.
    size: u64,
    /// `sh_link`.
    link: u32,
}

/// Reads `Elf64_Shdr` entries of a 64-bit little-endian file.
struct SectionHeaders<'a> {
    /// The whole file.
    reader: Reader<'a>,
    /// File offset of the section header table.
    start: usize,
}

impl SectionHeaders<'_> {
    /// Section header number `index`.
    fn get(&self, index: usize) -> Result<SectionHeader, String> {
        let at = index
            .checked_mul(SHDR64_SIZE)
            .and_then(|offset| offset.checked_add(self.start))
            .ok_or_else(|| format!("section header {index} is out of range"))?;
        let read = || -> Option<SectionHeader> {
            Some(SectionHeader {
                name: self.reader.u32(at)?,
                kind: self.reader.u32(at.checked_add(4)?)?,
                offset: self.reader.u64(at.checked_add(24)?)?,
                size: self.reader.u64(at.checked_add(32)?)?,
                link: self.reader.u32(at.checked_add(40)?)?,
            })
        };
        read().ok_or_else(|| format!("section header {index} extends past the end of the file"))
    }

    /// The file bytes of `section`, called `what` in errors.
    fn contents(&self, section: &SectionHeader, what: &str) -> Result<Range<usize>, String> {
        if section.kind == SECTION_NOBITS {
            return Err(format!("{what} has no file contents (SHT_NOBITS)"));
        }
        let start = to_usize(section.offset, "section offset")?;
        let len = to_usize(section.size, "section size")?;
        checked_range(start, len, self.reader.bytes.len(), what)
    }
}

/// Finds the section called `name` in a 64-bit little-endian ELF file and
/// returns the range of its bytes in the file.
pub(crate) fn find_section(bytes: &[u8], name: &str) -> Result<Range<usize>, String> {
    let (class, big_endian) = read_ident(bytes)?;
    if class != CLASS_64 || big_endian {
        return Err("only 64-bit little-endian ELF files are supported".to_string());
    }
    let reader = Reader { bytes, big_endian };
    let truncated = || "truncated ELF header".to_string();
    if bytes.len() < EHDR64_SIZE {
        return Err(truncated());
    }
    let shoff = reader.u64(40).ok_or_else(truncated)?;
    let shentsize = reader.u16(58).ok_or_else(truncated)?;
    let shnum = reader.u16(60).ok_or_else(truncated)?;
    let shstrndx = reader.u16(62).ok_or_else(truncated)?;
    if shoff == 0 {
        return Err("ELF file has no section header table".to_string());
    }
    if usize::from(shentsize) != SHDR64_SIZE {
        return Err(format!(
            "bad ELF section header size {shentsize}, expected {SHDR64_SIZE}"
        ));
    }

    let start = to_usize(shoff, "section header table offset")?;
    let headers = SectionHeaders { reader, start };
    // Past 0xff00 sections, e_shnum is 0 and e_shstrndx is SHN_XINDEX; the
    // real values are in section 0.
    let first = headers.get(0)?;
    let count = if shnum == 0 {
        to_usize(first.size, "section count")?
    } else {
        usize::from(shnum)
    };
    let table_len = count
        .checked_mul(SHDR64_SIZE)
        .ok_or_else(|| "section count is out of range".to_string())?;
    checked_range(start, table_len, bytes.len(), "section header table")?;

    let names_index = if shstrndx == SECTION_INDEX_EXTENDED {
        to_usize(u64::from(first.link), "section name table index")?
    } else {
        usize::from(shstrndx)
    };
    if names_index == 0 || names_index >= count {
        return Err(format!("bad section name table index {names_index}"));
    }
    let names = &bytes[headers.contents(&headers.get(names_index)?, "section name table")?];

    let mut found = None;
    for index in 1..count {
        let section = headers.get(index)?;
        if section_name(names, section.name)? == name.as_bytes() {
            if found.is_some() {
                return Err(format!("more than one {name} section"));
            }
            found = Some(section);
        }
    }
    let section = found.ok_or_else(|| format!("no {name} section"))?;
    headers.contents(&section, &format!("section {name}"))
}

/// The NUL-terminated name at `offset` in the section name table.
fn section_name(names: &[u8], offset: u32) -> Result<&[u8], String> {
    let bad = || format!("bad section name offset {offset:#x}");
    let start = usize::try_from(offset).map_err(|_| bad())?;
    let tail = names.get(start..).ok_or_else(bad)?;
    let len = tail.iter().position(|&byte| byte == 0).ok_or_else(bad)?;
    Ok(&tail[..len])
}

/// The section names of a module that `check_module` accepted, in
/// section order, for any ELF class and byte order.  Names that are not
/// UTF-8 are converted lossily.
pub(crate) fn section_names(bytes: &[u8]) -> Result<Vec<String>, String> {
    check_module(bytes)?;
    let (class, big_endian) = read_ident(bytes)?;
    let reader = Reader { bytes, big_endian };
    let truncated = || "truncated ELF file".to_string();
    let class64 = class == CLASS_64;
    let (shoff, shnum, shstrndx, shdr_size) = if class64 {
        (reader.u64(40), reader.u16(60), reader.u16(62), SHDR64_SIZE)
    } else {
        (
            reader.u32(32).map(u64::from),
            reader.u16(48),
            reader.u16(50),
            SHDR32_SIZE,
        )
    };
    let (shoff, shnum, shstrndx) = (
        to_usize(shoff.ok_or_else(truncated)?, "section header table offset")?,
        usize::from(shnum.ok_or_else(truncated)?),
        usize::from(shstrndx.ok_or_else(truncated)?),
    );
    // sh_name, sh_offset and sh_size of section `index`.
    let header = |index: usize| -> Option<(u32, u64, u64)> {
        let at = shoff.checked_add(index.checked_mul(shdr_size)?)?;
        if class64 {
            Some((reader.u32(at)?, reader.u64(at + 24)?, reader.u64(at + 32)?))
        } else {
            Some((
                reader.u32(at)?,
                u64::from(reader.u32(at + 16)?),
                u64::from(reader.u32(at + 20)?),
            ))
        }
    };
    if shstrndx == 0 || shstrndx >= shnum {
        return Err(format!("bad section name table index {shstrndx}"));
    }
    let (_, names_offset, names_size) = header(shstrndx).ok_or_else(truncated)?;
    let names_range = checked_range(
        to_usize(names_offset, "section offset")?,
        to_usize(names_size, "section size")?,
        bytes.len(),
        "section name table",
    )?;
    let names = &bytes[names_range];
    (1..shnum)
        .map(|index| {
            let (name, _, _) = header(index).ok_or_else(truncated)?;
            Ok(String::from_utf8_lossy(section_name(names, name)?).into_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elf_builder::{ElfBuilder, SHT_NOBITS, SHT_PROGBITS};

    fn vmlinux_with(sections: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut builder = ElfBuilder::exec64();
        for &(name, kind, contents) in sections {
            builder = builder.section(name, kind, contents);
        }
        builder.build()
    }

    fn section_header_offset(image: &[u8]) -> usize {
        usize::try_from(u64::from_le_bytes(image[40..48].try_into().unwrap())).unwrap()
    }

    #[test]
    fn finds_a_section_and_its_bytes() {
        let image = vmlinux_with(&[
            (".text", SHT_PROGBITS, b"code"),
            (".module_hashes", SHT_PROGBITS, &[0xaa; 56]),
            (".data", SHT_PROGBITS, b"data"),
        ]);
        let range = find_section(&image, ".module_hashes").unwrap();
        assert_eq!(range.len(), 56);
        assert!(image[range].iter().all(|&byte| byte == 0xaa));
        assert_eq!(&image[find_section(&image, ".text").unwrap()], b"code");
    }

    #[test]
    fn missing_duplicate_and_nobits_sections() {
        let image = vmlinux_with(&[(".text", SHT_PROGBITS, b"code")]);
        assert_eq!(
            find_section(&image, ".module_hashes"),
            Err("no .module_hashes section".into())
        );
        // A name that is a prefix of another does not match it.
        assert!(find_section(&image, ".tex").is_err());

        let image = vmlinux_with(&[(".x", SHT_PROGBITS, b"1"), (".x", SHT_PROGBITS, b"2")]);
        assert!(find_section(&image, ".x")
            .unwrap_err()
            .contains("more than one"));

        let image = vmlinux_with(&[(".module_hashes", SHT_NOBITS, &[0; 24])]);
        assert!(find_section(&image, ".module_hashes")
            .unwrap_err()
            .contains("SHT_NOBITS"));
    }

    #[test]
    fn rejects_other_classes_and_byte_orders() {
        for builder in [
            ElfBuilder::exec64().big_endian(),
            ElfBuilder::exec64().class32(),
        ] {
            let image = builder
                .section(".module_hashes", SHT_PROGBITS, &[0; 24])
                .build();
            let error = find_section(&image, ".module_hashes").unwrap_err();
            assert!(error.contains("only 64-bit little-endian"), "{error}");
        }
        assert_eq!(
            find_section(b"#!/bin/sh\n", ".x"),
            Err("not an ELF file".into())
        );
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let image = vmlinux_with(&[(".module_hashes", SHT_PROGBITS, &[0; 24])]);
        assert!(find_section(&image, ".module_hashes").is_ok());
        for len in 0..image.len() {
            assert!(
                find_section(&image[..len], ".module_hashes").is_err(),
                "length {len}"
            );
        }
    }

    #[test]
    fn corrupt_headers_are_errors_not_panics() {
        let image = vmlinux_with(&[(".module_hashes", SHT_PROGBITS, &[0; 24])]);
        // Set each byte of the ELF header and the section headers to values
        // that break offsets, sizes and indices.
        let positions = (IDENT_SIZE..EHDR64_SIZE).chain(section_header_offset(&image)..image.len());
        for at in positions {
            for value in [0x00, 0x01, 0x7f, 0xff] {
                let mut corrupt = image.clone();
                corrupt[at] = value;
                // Any answer will do, as long as a range is within the file.
                if let Ok(range) = find_section(&corrupt, ".module_hashes") {
                    assert!(range.end <= corrupt.len());
                }
            }
        }
    }

    #[test]
    fn extended_section_numbering() {
        let mut image = vmlinux_with(&[(".module_hashes", SHT_PROGBITS, &[7; 32])]);
        let shoff = section_header_offset(&image);
        let shnum = u16::from_le_bytes([image[60], image[61]]);
        let shstrndx = u16::from_le_bytes([image[62], image[63]]);
        // Move the count to section 0's sh_size and the index to its sh_link.
        image[shoff + 32..shoff + 40].copy_from_slice(&u64::from(shnum).to_le_bytes());
        image[shoff + 40..shoff + 44].copy_from_slice(&u32::from(shstrndx).to_le_bytes());
        image[60..62].copy_from_slice(&0u16.to_le_bytes());
        image[62..64].copy_from_slice(&SECTION_INDEX_EXTENDED.to_le_bytes());
        let range = find_section(&image, ".module_hashes").unwrap();
        assert_eq!(&image[range], &[7; 32]);
    }

    #[test]
    fn modules_of_every_class_and_byte_order() {
        for builder in [
            ElfBuilder::rel64(),
            ElfBuilder::rel64().big_endian(),
            ElfBuilder::rel64().class32(),
            ElfBuilder::rel64().class32().big_endian(),
        ] {
            let module = builder.section(".modinfo", SHT_PROGBITS, b"name=x").build();
            assert_eq!(check_module(&module), Ok(()));
        }
    }

    #[test]
    fn section_names_of_every_class_and_byte_order() {
        for builder in [
            ElfBuilder::rel64(),
            ElfBuilder::rel64().big_endian(),
            ElfBuilder::rel64().class32(),
            ElfBuilder::rel64().class32().big_endian(),
        ] {
            let module = builder
                .section(".text", SHT_PROGBITS, b"x")
                .section(".symtab", SHT_PROGBITS, b"")
                .build();
            assert_eq!(
                section_names(&module).unwrap(),
                [".text", ".symtab", ".shstrtab"]
            );
            for len in 0..module.len() {
                assert!(section_names(&module[..len]).is_err(), "length {len}");
            }
        }
    }

    #[test]
    fn non_modules_are_rejected() {
        assert_eq!(check_module(b""), Err("not an ELF file".into()));
        assert_eq!(
            check_module(b"hello, world, not an ELF"),
            Err("not an ELF file".into())
        );
        let executable = ElfBuilder::exec64()
            .section(".text", SHT_PROGBITS, b"x")
            .build();
        assert!(check_module(&executable)
            .unwrap_err()
            .contains("not a relocatable"));

        let module = ElfBuilder::rel64()
            .section(".modinfo", SHT_PROGBITS, b"name=x")
            .build();
        for (at, value, expected) in [
            (4, 3, "unknown ELF class"),
            (5, 0, "unknown ELF data encoding"),
            (6, 2, "unknown ELF version"),
            (52, 63, "bad ELF header size"),
            (58, 63, "bad ELF section header size"),
        ] {
            let mut corrupt = module.clone();
            corrupt[at] = value;
            let error = check_module(&corrupt).unwrap_err();
            assert!(error.contains(expected), "byte {at}: {error}");
        }
        for len in 0..module.len() {
            assert!(check_module(&module[..len]).is_err(), "length {len}");
        }
    }
}
