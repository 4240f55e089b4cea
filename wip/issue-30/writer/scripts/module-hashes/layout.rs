// SPDX-License-Identifier: GPL-2.0

//! Constants of the `.module_hashes` section layout.
//!
//! They mirror `include/linux/module_hashes.h`, the kernel's definition of
//! the layout.  The build checks them against it every time it writes a
//! table: the kernel build reserves the section with a header made from that
//! file, and `write` refuses a header that differs from these values.
//!
//! tools/module-hashes builds this file too (`#[path]`).

/// `MODULE_HASHES_MAGIC` with its terminating NUL.
pub(crate) const MAGIC: [u8; 8] = *b"MODHASH\0";

/// `MODULE_HASHES_VERSION`.
pub(crate) const VERSION: u32 = 1;

/// `MODULE_HASHES_ALGO_SHA256`.
pub(crate) const ALGO_SHA256: u32 = 1;

/// `MODULE_HASHES_SHA256_SIZE`: bytes per digest.
pub(crate) const SHA256_SIZE: usize = 32;

/// `sizeof(struct module_hashes_header)`: magic, version, algo, count and
/// entry_size.
pub(crate) const HEADER_SIZE: usize = 24;

/// Name of the vmlinux section that holds the table.
pub(crate) const SECTION_NAME: &str = ".module_hashes";
