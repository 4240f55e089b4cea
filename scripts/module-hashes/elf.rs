// SPDX-License-Identifier: GPL-2.0

//! Just enough ELF parsing, for both classes and both byte orders: checking
//! that a module looks like an ELF relocatable object, listing sections, and
//! finding a section's place in vmlinux.
//!
//! vmlinux is read piece by piece through `Source` (its header, section
//! headers and section names), never as a whole.  All offsets and sizes
//! come from the file and are untrusted: every read is bounds-checked and
//! every sum is checked for overflow.
//!
//! tools/module-hashes builds this file too (`#[path]`).

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;

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

/// Bytes that can be read at any offset: an open file, or one in memory.
pub(crate) trait Source {
    /// The size in bytes.
    fn size(&self) -> io::Result<u64>;
    /// Fills `buffer` with the bytes at `offset`.
    fn read_at(&self, offset: u64, buffer: &mut [u8]) -> io::Result<()>;
}

impl Source for [u8] {
    fn size(&self) -> io::Result<u64> {
        Ok(u64::try_from(self.len()).unwrap_or(u64::MAX))
    }

    fn read_at(&self, offset: u64, buffer: &mut [u8]) -> io::Result<()> {
        let bytes = usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(buffer.len())?))
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buffer.copy_from_slice(bytes);
        Ok(())
    }
}

impl Source for File {
    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn read_at(&self, offset: u64, buffer: &mut [u8]) -> io::Result<()> {
        self.read_exact_at(buffer, offset)
    }
}

/// `start..start + len` if that lies within a file of `file_len` bytes.
fn checked_range(start: u64, len: u64, file_len: u64, what: &str) -> Result<Range<u64>, String> {
    match start.checked_add(len) {
        Some(end) if end <= file_len => Ok(start..end),
        _ => Err(format!(
            "{what} at offset {start:#x} size {len:#x} extends past the end of the file \
             ({file_len:#x} bytes)"
        )),
    }
}

/// Reads the bytes in `range` of `source`, which must lie within it;
/// `what` names them in errors.
pub(crate) fn read<S: Source + ?Sized>(
    source: &S,
    range: Range<u64>,
    what: &str,
) -> Result<Vec<u8>, String> {
    let size = source.size().map_err(|error| error.to_string())?;
    let len = range.end.saturating_sub(range.start);
    checked_range(range.start, len, size, what)?;
    let mut bytes = vec![0; usize::try_from(len).map_err(|_| format!("{what} is too large"))?];
    source
        .read_at(range.start, &mut bytes)
        .map_err(|error| format!("cannot read {what}: {error}"))?;
    Ok(bytes)
}

/// Reads integers in the file's byte order, bounds-checked.
#[derive(Clone, Copy)]
struct Endian {
    /// `ELFDATA2MSB`.
    big: bool,
}

impl Endian {
    /// `N` bytes at `at` in `bytes`.
    fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
        bytes.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    /// A 16-bit integer at `at`.
    fn u16(self, bytes: &[u8], at: usize) -> Option<u16> {
        let bytes = Self::array(bytes, at)?;
        Some(if self.big {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        })
    }

    /// A 32-bit integer at `at`.
    fn u32(self, bytes: &[u8], at: usize) -> Option<u32> {
        let bytes = Self::array(bytes, at)?;
        Some(if self.big {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    }

    /// An address-sized integer at `at`: 64 bits in a 64-bit file, else 32.
    fn word(self, class64: bool, bytes: &[u8], at: usize) -> Option<u64> {
        if !class64 {
            return self.u32(bytes, at).map(u64::from);
        }
        let bytes = Self::array(bytes, at)?;
        Some(if self.big {
            u64::from_be_bytes(bytes)
        } else {
            u64::from_le_bytes(bytes)
        })
    }
}

/// The fields of the ELF header that this tool needs.
struct Header {
    /// `ELFCLASS64` rather than `ELFCLASS32`.
    class64: bool,
    /// The byte order.
    endian: Endian,
    /// `e_type`.
    kind: u16,
    /// `e_ehsize`.
    header_size: u16,
    /// `e_shoff`.
    section_headers: u64,
    /// `e_shentsize`.
    section_header_size: u16,
    /// `e_shnum`.
    section_count: u16,
    /// `e_shstrndx`.
    names_index: u16,
}

impl Header {
    /// Parses the ELF header at the start of `bytes`.
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() < IDENT_SIZE || bytes[..MAGIC.len()] != MAGIC {
            return Err("not an ELF file".to_string());
        }
        let class64 = match bytes[4] {
            CLASS_32 => false,
            CLASS_64 => true,
            other => return Err(format!("not an ELF file: unknown ELF class {other}")),
        };
        let endian = match bytes[5] {
            DATA_LSB => Endian { big: false },
            DATA_MSB => Endian { big: true },
            other => {
                return Err(format!(
                    "not an ELF file: unknown ELF data encoding {other}"
                ))
            }
        };
        if bytes[6] != VERSION_CURRENT {
            return Err(format!("not an ELF file: unknown ELF version {}", bytes[6]));
        }
        // Offsets of e_shoff and e_ehsize; e_shentsize, e_shnum and
        // e_shstrndx follow 6, 8 and 10 bytes after e_ehsize.
        let (size, shoff_at, ehsize_at) = if class64 {
            (EHDR64_SIZE, 40, 52)
        } else {
            (EHDR32_SIZE, 32, 40)
        };
        let read = || -> Option<Self> {
            let bytes = bytes.get(..size)?;
            Some(Header {
                class64,
                endian,
                kind: endian.u16(bytes, 16)?,
                header_size: endian.u16(bytes, ehsize_at)?,
                section_headers: endian.word(class64, bytes, shoff_at)?,
                section_header_size: endian.u16(bytes, ehsize_at + 6)?,
                section_count: endian.u16(bytes, ehsize_at + 8)?,
                names_index: endian.u16(bytes, ehsize_at + 10)?,
            })
        };
        read().ok_or_else(|| "truncated ELF header".to_string())
    }

    /// `sizeof(ElfN_Ehdr)` for this class.
    fn expected_header_size(&self) -> usize {
        if self.class64 {
            EHDR64_SIZE
        } else {
            EHDR32_SIZE
        }
    }

    /// `sizeof(ElfN_Shdr)` for this class.
    fn expected_section_header_size(&self) -> usize {
        if self.class64 {
            SHDR64_SIZE
        } else {
            SHDR32_SIZE
        }
    }

    /// Checks `e_shentsize`.
    fn check_section_header_size(&self) -> Result<usize, String> {
        let (found, expected) = (
            usize::from(self.section_header_size),
            self.expected_section_header_size(),
        );
        if found != expected {
            return Err(format!(
                "bad ELF section header size {found}, expected {expected}"
            ));
        }
        Ok(expected)
    }

    /// Parses the section header at the start of `bytes`.
    fn section_header(&self, bytes: &[u8]) -> Option<SectionHeader> {
        let (endian, class64) = (self.endian, self.class64);
        // sh_offset, sh_size and sh_link follow sh_flags and sh_addr.
        let (offset_at, size_at, link_at) = if class64 { (24, 32, 40) } else { (16, 20, 24) };
        Some(SectionHeader {
            name: endian.u32(bytes, 0)?,
            kind: endian.u32(bytes, 4)?,
            offset: endian.word(class64, bytes, offset_at)?,
            size: endian.word(class64, bytes, size_at)?,
            link: endian.u32(bytes, link_at)?,
        })
    }
}

/// The fields of a section header that this tool needs.
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

impl SectionHeader {
    /// The file bytes of this section, called `what` in errors.
    fn contents(&self, file_len: u64, what: &str) -> Result<Range<u64>, String> {
        if self.kind == SECTION_NOBITS {
            return Err(format!("{what} has no file contents (SHT_NOBITS)"));
        }
        checked_range(self.offset, self.size, file_len, what)
    }
}

/// A section of an ELF file.
pub(crate) struct Section {
    /// Its name, without the NUL.
    pub(crate) name: Vec<u8>,
    /// Its header.
    header: SectionHeader,
}

/// Checks that a module of `module_len` bytes, of which `head` is the
/// start (at least its ELF header, or all of it), is a plausible kernel
/// module: an ELF relocatable object of either class and byte order whose
/// header and section header table lie within the module.
pub(crate) fn check_module(head: &[u8], module_len: usize) -> Result<(), String> {
    let header = Header::parse(head.get(..module_len).unwrap_or(head))?;
    if header.kind != TYPE_REL {
        return Err(format!(
            "not a relocatable ELF object (e_type {})",
            header.kind
        ));
    }
    let expected = header.expected_header_size();
    if usize::from(header.header_size) != expected {
        return Err(format!(
            "bad ELF header size {}, expected {expected}",
            header.header_size
        ));
    }
    let entry_size = header.check_section_header_size()?;
    // A module always has sections.  e_shnum 0 would also be the escape for
    // more than 0xff00 sections, which no module has.
    if header.section_count == 0 || header.section_headers == 0 {
        return Err("ELF object has no section header table".to_string());
    }
    let table_len = u64::from(header.section_count) * u64::try_from(entry_size).unwrap_or(0);
    let module_len = u64::try_from(module_len).unwrap_or(u64::MAX);
    checked_range(
        header.section_headers,
        table_len,
        module_len,
        "section header table",
    )?;
    Ok(())
}

/// The sections of an ELF file of either class and byte order, in section
/// header order, without the null section 0.
pub(crate) fn sections<S: Source + ?Sized>(source: &S) -> Result<Vec<Section>, String> {
    let file_len = source.size().map_err(|error| error.to_string())?;
    let mut start = [0; EHDR64_SIZE];
    let start_len = usize::try_from(file_len).map_or(EHDR64_SIZE, |len| len.min(EHDR64_SIZE));
    let start = &mut start[..start_len];
    source
        .read_at(0, start)
        .map_err(|error| format!("cannot read the ELF header: {error}"))?;
    let header = Header::parse(start)?;
    if header.section_headers == 0 {
        return Err("ELF file has no section header table".to_string());
    }
    let entry_size = header.check_section_header_size()?;
    let entry_len = u64::try_from(entry_size).unwrap_or(0);
    let first_range = checked_range(
        header.section_headers,
        entry_len,
        file_len,
        "section header 0",
    )?;
    let first_bytes = read(source, first_range, "section header 0")?;
    let truncated = || "truncated section header".to_string();
    let first = header.section_header(&first_bytes).ok_or_else(truncated)?;

    // Past 0xff00 sections, e_shnum is 0 and e_shstrndx is SHN_XINDEX; the
    // real values are in section 0.
    let count = match header.section_count {
        0 => first.size,
        count => u64::from(count),
    };
    let table_len = count
        .checked_mul(entry_len)
        .ok_or_else(|| "section count is out of range".to_string())?;
    let table_range = checked_range(
        header.section_headers,
        table_len,
        file_len,
        "section header table",
    )?;
    let table = read(source, table_range, "the section header table")?;
    let headers = table
        .chunks_exact(entry_size)
        .map(|bytes| header.section_header(bytes).ok_or_else(truncated))
        .collect::<Result<Vec<_>, _>>()?;

    let names_index = match header.names_index {
        SECTION_INDEX_EXTENDED => usize::try_from(first.link).unwrap_or(usize::MAX),
        index => usize::from(index),
    };
    let names_header = headers
        .get(names_index)
        .filter(|_| names_index != 0)
        .ok_or_else(|| format!("bad section name table index {names_index}"))?;
    let names_range = names_header.contents(file_len, "section name table")?;
    let names = read(source, names_range, "the section name table")?;

    headers
        .into_iter()
        .skip(1)
        .map(|header| {
            Ok(Section {
                name: section_name(&names, header.name)?.to_vec(),
                header,
            })
        })
        .collect()
}

/// The NUL-terminated name at `offset` in the section name table.
fn section_name(names: &[u8], offset: u32) -> Result<&[u8], String> {
    let bad = || format!("bad section name offset {offset:#x}");
    let start = usize::try_from(offset).map_err(|_| bad())?;
    let tail = names.get(start..).ok_or_else(bad)?;
    let len = tail.iter().position(|&byte| byte == 0).ok_or_else(bad)?;
    Ok(&tail[..len])
}

/// Finds the one section called `name` in an ELF file of either class and
/// byte order and returns the range of its bytes in the file.
pub(crate) fn find_section<S: Source + ?Sized>(
    source: &S,
    name: &str,
) -> Result<Range<u64>, String> {
    let sections = sections(source)?;
    let mut matching = sections
        .iter()
        .filter(|section| section.name == name.as_bytes());
    let section = matching
        .next()
        .ok_or_else(|| format!("no {name} section"))?;
    if matching.next().is_some() {
        return Err(format!("more than one {name} section"));
    }
    let file_len = source.size().map_err(|error| error.to_string())?;
    section
        .header
        .contents(file_len, &format!("section {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit little-endian executable, like x86_64 vmlinux, with
    /// sections .text ("code"), .module_hashes (24 bytes of 0xaa), .data
    /// ("data") and .shstrtab, laid out in that order after the ELF header,
    /// then the section headers at 0x88.
    const VMLINUX64LE: &[u8] = b"\
\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\
\x88\0\0\0\0\0\0\0\0\0\0\0\x40\0\0\0\0\0\x40\0\x05\0\x04\0code\xaa\xaa\xaa\xaa\xaa\xaa\xaa\
\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaadata\0.text\0.module_has\
hes\0.data\0.shstrtab\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\
\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\x01\0\0\0\0\0\0\
\0\0\0\0\0\0\0\0\0\0\0\0\0\x40\0\0\0\0\0\0\0\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\
\0\0\0\0\0\0\0\0\0\0\x07\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0D\0\0\0\0\0\0\0\x18\
\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x16\0\0\0\x01\0\0\0\0\0\0\0\
\0\0\0\0\0\0\0\0\0\0\0\0\x5c\0\0\0\0\0\0\0\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\
\0\0\0\0\0\0\0\0\0\x1c\0\0\0\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x60\0\0\0\0\0\0\0\x26\
\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    /// A 32-bit big-endian relocatable object, like a PPC32 module, with
    /// sections .text ("x"), .symtab (empty) and .shstrtab, then the
    /// section headers at 0x50.
    const MODULE32BE: &[u8] = b"\
\x7fELF\x01\x02\x01\0\0\0\0\0\0\0\0\0\0\x01\0\x14\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0P\0\0\0\0\
\x004\0\0\0\0\0\x28\0\x04\0\x03x\0.text\0.symtab\0.shstrtab\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\
\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x01\0\0\0\x01\0\0\0\0\0\0\0\0\
\0\0\x004\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x07\0\0\0\x01\0\0\0\0\0\0\0\0\0\
\0\x005\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x0f\0\0\0\x03\0\0\0\0\0\0\0\0\0\0\
\x005\0\0\0\x19\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0";

    /// Offset of the section header table of `VMLINUX64LE`.
    const SHOFF: usize = 0x88;

    fn names<S: Source + ?Sized>(source: &S) -> Vec<String> {
        sections(source)
            .unwrap()
            .iter()
            .map(|section| String::from_utf8_lossy(&section.name).into_owned())
            .collect()
    }

    #[test]
    fn fixtures_are_what_they_say() {
        assert_eq!(
            names(VMLINUX64LE),
            [".text", ".module_hashes", ".data", ".shstrtab"]
        );
        assert_eq!(names(MODULE32BE), [".text", ".symtab", ".shstrtab"]);
    }

    #[test]
    fn finds_a_section_and_its_bytes() {
        let range = find_section(VMLINUX64LE, ".module_hashes").unwrap();
        assert_eq!(range, 0x44..0x5c);
        let bytes = read(VMLINUX64LE, range, "it").unwrap();
        assert_eq!(bytes, [0xaa; 24]);
        let text = find_section(VMLINUX64LE, ".text").unwrap();
        assert_eq!(read(VMLINUX64LE, text, "it").unwrap(), b"code");
        let text = find_section(MODULE32BE, ".text").unwrap();
        assert_eq!(read(MODULE32BE, text, "it").unwrap(), b"x");
    }

    #[test]
    fn reads_a_file_piece_by_piece() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("vmlinux");
        std::fs::write(&path, VMLINUX64LE).unwrap();
        let file = File::open(&path).unwrap();
        assert_eq!(find_section(&file, ".module_hashes"), Ok(0x44..0x5c));
        let error = read(&file, 0x80..0x1000, "the end").unwrap_err();
        assert!(
            error.contains("extends past the end of the file"),
            "{error}"
        );
    }

    #[test]
    fn missing_duplicate_and_nobits_sections() {
        assert_eq!(
            find_section(VMLINUX64LE, ".bss"),
            Err("no .bss section".into())
        );
        // A name that is a prefix of another does not match it.
        assert!(find_section(VMLINUX64LE, ".tex").is_err());

        // .data renamed to .text.
        let mut image = VMLINUX64LE.to_vec();
        image[SHOFF + 3 * 64] = 1;
        assert!(find_section(&image[..], ".text")
            .unwrap_err()
            .contains("more than one"));

        // .module_hashes made SHT_NOBITS.
        let mut image = VMLINUX64LE.to_vec();
        image[SHOFF + 2 * 64 + 4] = 8;
        assert!(find_section(&image[..], ".module_hashes")
            .unwrap_err()
            .contains("SHT_NOBITS"));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        for image in [VMLINUX64LE, MODULE32BE] {
            for len in 0..image.len() {
                assert!(
                    find_section(&image[..len], ".text").is_err(),
                    "length {len}"
                );
            }
        }
        assert_eq!(
            find_section(&b"#!/bin/sh\n"[..], ".x"),
            Err("not an ELF file".into())
        );
    }

    #[test]
    fn corrupt_headers_are_errors_not_panics() {
        // Set each byte of the ELF header and the section headers to values
        // that break offsets, sizes and indices.
        let positions = (IDENT_SIZE..EHDR64_SIZE).chain(SHOFF..VMLINUX64LE.len());
        for at in positions {
            for value in [0x00, 0x01, 0x7f, 0xff] {
                let mut corrupt = VMLINUX64LE.to_vec();
                corrupt[at] = value;
                // Any answer will do, as long as a range is within the file.
                if let Ok(range) = find_section(&corrupt[..], ".module_hashes") {
                    assert!(range.end <= u64::try_from(corrupt.len()).unwrap());
                }
                let _ = check_module(&corrupt, corrupt.len());
            }
        }
    }

    #[test]
    fn offsets_near_the_end_of_the_address_space() {
        for shoff in [u64::MAX, u64::MAX - 63, u64::MAX - 64, 1 << 63] {
            let mut image = VMLINUX64LE.to_vec();
            image[40..48].copy_from_slice(&shoff.to_le_bytes());
            let error = find_section(&image[..], ".text").unwrap_err();
            assert!(error.contains("extends past the end"), "{error}");
            let mut image = MODULE32BE.to_vec();
            image[4] = 2; // Now 64-bit: e_shoff is bytes 40 to 47.
            image[40..48].copy_from_slice(&shoff.to_be_bytes());
            assert!(find_section(&image[..], ".text").is_err());
        }
    }

    #[test]
    fn extended_section_numbering() {
        let mut image = VMLINUX64LE.to_vec();
        // Move the count to section 0's sh_size and the index to its sh_link.
        image[SHOFF + 32] = image[60];
        image[SHOFF + 40] = image[62];
        image[60..64].copy_from_slice(&[0, 0, 0xff, 0xff]);
        let range = find_section(&image[..], ".module_hashes").unwrap();
        assert_eq!(range, 0x44..0x5c);
    }

    #[test]
    fn modules_are_relocatable_objects() {
        assert_eq!(check_module(MODULE32BE, MODULE32BE.len()), Ok(()));
        // Only the start is at hand; the section headers are further on.
        assert_eq!(check_module(&MODULE32BE[..52], MODULE32BE.len()), Ok(()));
        // A module shorter than its section header table.
        let error = check_module(MODULE32BE, 0x50 + 40).unwrap_err();
        assert!(error.contains("section header table"), "{error}");
        assert!(check_module(VMLINUX64LE, VMLINUX64LE.len())
            .unwrap_err()
            .contains("not a relocatable ELF object (e_type 2)"));
    }

    #[test]
    fn non_modules_are_rejected() {
        assert_eq!(check_module(b"", 0), Err("not an ELF file".into()));
        assert_eq!(
            check_module(b"hello, world, not an ELF", 24),
            Err("not an ELF file".into())
        );
        for (at, value, expected) in [
            (4, 3, "unknown ELF class"),
            (5, 0, "unknown ELF data encoding"),
            (6, 2, "unknown ELF version"),
            (41, 53, "bad ELF header size"),
            (47, 41, "bad ELF section header size"),
            (49, 0, "no section header table"),
        ] {
            let mut corrupt = MODULE32BE.to_vec();
            corrupt[at] = value;
            let error = check_module(&corrupt, corrupt.len()).unwrap_err();
            assert!(error.contains(expected), "byte {at}: {error}");
        }
        for len in 0..MODULE32BE.len() {
            assert!(check_module(MODULE32BE, len).is_err(), "length {len}");
        }
    }
}
