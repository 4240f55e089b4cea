// SPDX-License-Identifier: GPL-2.0

//! Test helper: builds small ELF files with chosen sections, of either
//! class and byte order, for the integration tests.

/// `SHT_PROGBITS`.
pub(crate) const SHT_PROGBITS: u32 = 1;
/// `SHT_NOBITS`.
pub(crate) const SHT_NOBITS: u32 = 8;
/// `SHT_STRTAB`.
const SHT_STRTAB: u32 = 3;

/// `EM_PPC`.
pub(crate) const EM_PPC: u16 = 20;
/// `EM_S390`.
pub(crate) const EM_S390: u16 = 22;
/// `EM_ARM`.
pub(crate) const EM_ARM: u16 = 40;
/// `EM_X86_64`.
pub(crate) const EM_X86_64: u16 = 62;

/// An ELF file under construction: header fields and sections.
#[derive(Clone, Debug)]
pub(crate) struct ElfBuilder {
    /// 64-bit (`ELFCLASS64`) rather than 32-bit.
    class64: bool,
    /// Big-endian (`ELFDATA2MSB`) rather than little-endian.
    big_endian: bool,
    /// `e_type`.
    e_type: u16,
    /// `e_machine`.
    machine: u16,
    /// Name, `sh_type` and contents of each section after the null one.
    sections: Vec<(String, u32, Vec<u8>)>,
}

impl ElfBuilder {
    /// A 64-bit little-endian executable, like x86_64 vmlinux.
    pub(crate) fn exec64() -> Self {
        ElfBuilder {
            class64: true,
            big_endian: false,
            e_type: 2,
            machine: EM_X86_64,
            sections: Vec::new(),
        }
    }

    /// A 64-bit little-endian relocatable object, like a module.
    pub(crate) fn rel64() -> Self {
        Self::exec64().relocatable()
    }

    /// Makes the file a relocatable object (`ET_REL`), like a module.
    pub(crate) fn relocatable(mut self) -> Self {
        self.e_type = 1;
        self
    }

    /// Makes the file big-endian.
    pub(crate) fn big_endian(mut self) -> Self {
        self.big_endian = true;
        self
    }

    /// Makes the file 32-bit.
    pub(crate) fn class32(mut self) -> Self {
        self.class64 = false;
        self
    }

    /// Sets `e_machine` (`EM_X86_64` unless set).
    pub(crate) fn machine(mut self, machine: u16) -> Self {
        self.machine = machine;
        self
    }

    /// Size of the ELF header: where the first section's contents start.
    pub(crate) fn header_size(&self) -> usize {
        if self.class64 {
            64
        } else {
            52
        }
    }

    /// Where the contents of the first section called `name` start in the
    /// file that `build` lays out.
    pub(crate) fn offset_of(&self, name: &str) -> Option<usize> {
        let mut offset = self.header_size();
        for (section, kind, contents) in &self.sections {
            if section == name {
                return Some(offset);
            }
            if *kind != SHT_NOBITS {
                offset += contents.len();
            }
        }
        None
    }

    /// Adds a section; a `SHT_NOBITS` one gets the size of `contents` but
    /// no file bytes.
    pub(crate) fn section(mut self, name: &str, kind: u32, contents: &[u8]) -> Self {
        self.sections
            .push((name.to_string(), kind, contents.to_vec()));
        self
    }

    /// Lays out the file: header, section contents, section name table,
    /// then the section header table at the end.
    pub(crate) fn build(&self) -> Vec<u8> {
        let ehdr_size = self.header_size();
        let shdr_size = if self.class64 { 64 } else { 40 };

        let mut names = vec![0u8];
        let mut headers = vec![(0u32, 0u32, 0usize, 0usize)];
        let mut file = vec![0u8; ehdr_size];
        for (name, kind, contents) in &self.sections {
            let name_offset = names.len();
            names.extend_from_slice(name.as_bytes());
            names.push(0);
            let offset = file.len();
            if *kind != SHT_NOBITS {
                file.extend_from_slice(contents);
            }
            headers.push((to_u32(name_offset), *kind, offset, contents.len()));
        }
        let names_name = names.len();
        names.extend_from_slice(b".shstrtab\0");
        headers.push((to_u32(names_name), SHT_STRTAB, file.len(), names.len()));
        file.extend_from_slice(&names);
        while file.len() % 8 != 0 {
            file.push(0);
        }
        let shoff = file.len();
        let shnum = to_u16(headers.len());

        for (name, kind, offset, size) in headers {
            let mut header = Vec::new();
            self.put32(&mut header, name);
            self.put32(&mut header, kind);
            self.put_word(&mut header, 0); // sh_flags
            self.put_word(&mut header, 0); // sh_addr
            self.put_word(&mut header, offset);
            self.put_word(&mut header, size);
            self.put32(&mut header, 0); // sh_link
            self.put32(&mut header, 0); // sh_info
            self.put_word(&mut header, 1); // sh_addralign
            self.put_word(&mut header, 0); // sh_entsize
            assert_eq!(header.len(), shdr_size);
            file.extend_from_slice(&header);
        }

        let mut ehdr = Vec::new();
        ehdr.extend_from_slice(b"\x7fELF");
        ehdr.push(if self.class64 { 2 } else { 1 });
        ehdr.push(if self.big_endian { 2 } else { 1 });
        ehdr.push(1); // EI_VERSION
        ehdr.resize(16, 0);
        self.put16(&mut ehdr, self.e_type);
        self.put16(&mut ehdr, self.machine);
        self.put32(&mut ehdr, 1); // e_version
        self.put_word(&mut ehdr, 0); // e_entry
        self.put_word(&mut ehdr, 0); // e_phoff
        self.put_word(&mut ehdr, shoff);
        self.put32(&mut ehdr, 0); // e_flags
        self.put16(&mut ehdr, to_u16(ehdr_size));
        self.put16(&mut ehdr, 0); // e_phentsize
        self.put16(&mut ehdr, 0); // e_phnum
        self.put16(&mut ehdr, to_u16(shdr_size));
        self.put16(&mut ehdr, shnum);
        self.put16(&mut ehdr, shnum - 1); // e_shstrndx: the last section
        assert_eq!(ehdr.len(), ehdr_size);
        file[..ehdr_size].copy_from_slice(&ehdr);
        file
    }

    /// Appends a 16-bit integer in the file's byte order.
    fn put16(&self, out: &mut Vec<u8>, value: u16) {
        let bytes = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }

    /// Appends a 32-bit integer in the file's byte order.
    fn put32(&self, out: &mut Vec<u8>, value: u32) {
        let bytes = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }

    /// Appends an address-sized integer (32 or 64 bits) in the file's byte
    /// order.
    fn put_word(&self, out: &mut Vec<u8>, value: usize) {
        if self.class64 {
            let value = u64::try_from(value).expect("a small test file");
            let bytes = if self.big_endian {
                value.to_be_bytes()
            } else {
                value.to_le_bytes()
            };
            out.extend_from_slice(&bytes);
        } else {
            self.put32(out, to_u32(value));
        }
    }
}

/// Narrows a small test value.
fn to_u32(value: usize) -> u32 {
    u32::try_from(value).expect("a small test file")
}

/// Narrows a small test value.
fn to_u16(value: usize) -> u16 {
    u16::try_from(value).expect("a small test file")
}
