// SPDX-License-Identifier: GPL-2.0

//! Reading the digest table of a kernel: from a vmlinux, from the vmlinux
//! inside a bzImage, or from the bare section contents (as
//! `objcopy --dump-section .module_hashes=FILE` writes them, and as the
//! running kernel shows them in `/sys/kernel/module_hashes`).

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use crate::bzimage;
use crate::elf;
use crate::error::Error;
use crate::layout::{MAGIC, SECTION_NAME};
use crate::table::Table;

/// Reads the table of the kernel file at `path`.  Errors name the file
/// and have the kind of what went wrong.
pub(crate) fn read(path: &Path) -> Result<Table, Error> {
    let name = path.display().to_string();
    let file = fs::read(path).map_err(|error| {
        if error.kind() == ErrorKind::PermissionDenied && path.starts_with("/sys") {
            Error::Failed(format!(
                "{name}: {error} (the running kernel's table is readable by root only)"
            ))
        } else {
            Error::io(path, &error)
        }
    })?;
    from_bytes(&file).map_err(|error| error.context(&name))
}

/// Reads the table from the contents of a vmlinux, bzImage or table file.
fn from_bytes(file: &[u8]) -> Result<Table, Error> {
    if file.starts_with(&MAGIC) {
        return parse_table(file);
    }
    if bzimage::is_bzimage(file) {
        let (format, compressed) = bzimage::payload(file).map_err(Error::NotElf)?;
        let vmlinux = format.expand(compressed).map_err(|error| {
            Error::BadCompressed(format!("cannot decompress the bzImage payload: {error}"))
        })?;
        return from_vmlinux(&vmlinux)
            .map_err(|error| error.context("the vmlinux inside the bzImage"));
    }
    from_vmlinux(file).map_err(|error| match error {
        Error::NotElf(message) if message == "not an ELF file" => Error::NotElf(format!(
            "not an ELF file, an x86 bzImage or a {SECTION_NAME} table"
        )),
        other => other,
    })
}

/// Reads the table from the `.module_hashes` section of an ELF vmlinux of
/// either class and byte order.
fn from_vmlinux(vmlinux: &[u8]) -> Result<Table, Error> {
    let range = elf::find_section(vmlinux, SECTION_NAME).map_err(|error| {
        if error == format!("no {SECTION_NAME} section") {
            Error::NoSection(format!(
                "{error}: this kernel was not built with CONFIG_MODULE_HASHES"
            ))
        } else {
            Error::NotElf(error)
        }
    })?;
    let section =
        elf::read(vmlinux, range, &format!("section {SECTION_NAME}")).map_err(Error::NotElf)?;
    parse_table(&section)
}

/// Parses the contents of a `.module_hashes` section.
fn parse_table(section: &[u8]) -> Result<Table, Error> {
    Table::parse(section)
        .map_err(|error| Error::BadTable(format!("corrupt {SECTION_NAME} table: {error}")))
}
