// SPDX-License-Identifier: GPL-2.0

//! The `.module_hashes` section of vmlinux: the SHA-256 digests of the
//! modules built together with the kernel (`CONFIG_MODULE_HASHES`).
//!
//! The section is a [`Header`] followed by `count` digests of `entry_size`
//! bytes; see the C header for the whole layout.
//!
//! C header: [`include/linux/module_hashes.h`](srctree/include/linux/module_hashes.h)

use crate::{bindings, transmute::FromBytes};

/// The bytes a valid section starts with (`MODULE_HASHES_MAGIC` and its NUL).
pub const MAGIC: &[u8; 8] = bindings::MODULE_HASHES_MAGIC;

/// The version of the layout that this kernel reads.
pub const VERSION: u32 = bindings::MODULE_HASHES_VERSION;

/// The value of [`Header::algo`] for SHA-256 digests.
pub const ALGO_SHA256: u32 = bindings::MODULE_HASHES_ALGO_SHA256;

/// The header of the section (`struct module_hashes_header`).
#[repr(transparent)]
pub struct Header(bindings::module_hashes_header);

// SAFETY: `struct module_hashes_header` is an array of bytes followed by four
// `__le32` integers, without padding (checked below): every bit pattern is a
// valid value, and it has no interior mutability.
unsafe impl FromBytes for Header {}

const _: () = assert!(core::mem::size_of::<Header>() == 8 + 4 * 4);

impl Header {
    /// The magic bytes, [`MAGIC`] in a valid section.
    #[inline]
    pub fn magic(&self) -> &[u8; 8] {
        &self.0.magic
    }

    /// The layout version, [`VERSION`] for this kernel.
    #[inline]
    pub fn version(&self) -> u32 {
        u32::from_le(self.0.version)
    }

    /// The digest algorithm, [`ALGO_SHA256`] for this kernel.
    #[inline]
    pub fn algo(&self) -> u32 {
        u32::from_le(self.0.algo)
    }

    /// The number of digests that follow the header.
    #[inline]
    pub fn count(&self) -> u32 {
        u32::from_le(self.0.count)
    }

    /// The size of each digest in bytes.
    #[inline]
    pub fn entry_size(&self) -> u32 {
        u32::from_le(self.0.entry_size)
    }
}
