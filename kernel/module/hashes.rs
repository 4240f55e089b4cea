// SPDX-License-Identifier: GPL-2.0

//! Hash-based authentication of the modules built together with the kernel.
//!
//! The build records the SHA-256 digest of every in-tree module in the
//! `.module_hashes` section of vmlinux, sorted, so that a lookup is a binary
//! search. The layout of that section is defined in
//! [`include/uapi/linux/module_hashes.h`](srctree/include/uapi/linux/module_hashes.h).
//! The module loader asks [`module_hashes_known`] whether the image it is
//! about to load is one of them.
//!
//! A module's digest does not cover an appended module signature, so a module
//! may be both hashed and signed.

use kernel::{
    bindings,
    crypto::sha256::{self, Digest, DIGEST_SIZE},
    prelude::*,
    sync::SetOnce,
};

const __LOG_PREFIX: &[u8] = b"module\0";

const HEADER_SIZE: usize = core::mem::size_of::<bindings::module_hashes_header>();
const MAGIC: &[u8] = bindings::MODULE_HASHES_MAGIC;
const SIGNATURE_MARKER: &[u8] = bindings::MODULE_SIGNATURE_MARKER;
const SIGNATURE_INFO_SIZE: usize = core::mem::size_of::<bindings::module_signature>();

/// Why a `.module_hashes` section cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TableError {
    /// Smaller than the header.
    TooShort,
    /// Not [`MAGIC`]: for example the all-zero placeholder the linker reserves.
    BadMagic,
    /// A format version this kernel does not know.
    BadVersion,
    /// A digest algorithm other than SHA-256.
    BadAlgorithm,
    /// An entry size other than that of a SHA-256 digest.
    BadEntrySize,
    /// More entries than the section holds.
    Truncated,
    /// Entries out of order or repeated, so a binary search would be wrong.
    Unsorted,
}

/// A validated table of SHA-256 digests, sorted in ascending order.
#[derive(Clone, Copy)]
struct Table<'a> {
    entries: &'a [u8],
}

fn le32_at(bytes: &[u8], offset: usize) -> u32 {
    let mut field = [0u8; 4];
    field.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(field)
}

impl<'a> Table<'a> {
    /// Validates a `.module_hashes` section and returns its table.
    fn parse(section: &'a [u8]) -> Result<Self, TableError> {
        if section.len() < HEADER_SIZE {
            return Err(TableError::TooShort);
        }
        if section[..MAGIC.len()] != *MAGIC {
            return Err(TableError::BadMagic);
        }
        let field = |offset| le32_at(section, MAGIC.len() + offset);
        if field(0) != bindings::MODULE_HASHES_VERSION {
            return Err(TableError::BadVersion);
        }
        if field(4) != bindings::MODULE_HASHES_ALGO_SHA256 {
            return Err(TableError::BadAlgorithm);
        }
        if field(12) as usize != DIGEST_SIZE {
            return Err(TableError::BadEntrySize);
        }
        let size = (field(8) as usize)
            .checked_mul(DIGEST_SIZE)
            .ok_or(TableError::Truncated)?;
        let entries = section[HEADER_SIZE..]
            .get(..size)
            .ok_or(TableError::Truncated)?;
        let table = Table { entries };
        for i in 1..table.len() {
            if table.entry(i - 1) >= table.entry(i) {
                return Err(TableError::Unsorted);
            }
        }
        Ok(table)
    }

    fn len(&self) -> usize {
        self.entries.len() / DIGEST_SIZE
    }

    fn entry(&self, index: usize) -> &'a [u8] {
        &self.entries[index * DIGEST_SIZE..(index + 1) * DIGEST_SIZE]
    }

    /// Returns whether `digest` is in the table.
    fn contains(&self, digest: &Digest) -> bool {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.entry(mid).cmp(&digest[..]) {
                core::cmp::Ordering::Less => low = mid + 1,
                core::cmp::Ordering::Greater => high = mid,
                core::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

/// Returns the part of a module image that its digest covers: the image
/// without an appended module signature, or `None` if the signature trailer
/// is malformed.  The checks are those of `mod_check_sig()`.
fn unsigned_image(image: &[u8]) -> Option<&[u8]> {
    // `MODULE_SIGNATURE_MARKER` is a C string: leave out its NUL.
    let marker = &SIGNATURE_MARKER[..SIGNATURE_MARKER.len() - 1];
    let Some(signed) = image.strip_suffix(marker) else {
        return Some(image);
    };
    let info_start = signed.len().checked_sub(SIGNATURE_INFO_SIZE)?;
    let info = &signed[info_start..];
    // struct module_signature: algo, hash, id_type, signer_len, key_id_len,
    // __pad[3], __be32 sig_len.
    let mut sig_len = [0u8; 4];
    sig_len.copy_from_slice(&info[8..12]);
    let sig_len = u32::from_be_bytes(sig_len) as usize;
    let zero_params = info[0] == 0 && info[1] == 0 && info[3..8].iter().all(|&b| b == 0);
    let pkcs7 = u32::from(info[2]) == bindings::module_signature_type_MODULE_SIGNATURE_TYPE_PKCS7;
    if !pkcs7 || !zero_params || sig_len >= info_start {
        return None;
    }
    Some(&signed[..info_start - sig_len])
}

/// The `.module_hashes` section of the running kernel.
fn vmlinux_section() -> &'static [u8] {
    // SAFETY: The linker script defines both symbols as the bounds of the
    // `.module_hashes` output section, which is read-only data that lives
    // as long as the kernel.
    unsafe {
        let start = core::ptr::addr_of!(bindings::__start_module_hashes).cast::<u8>();
        let end = core::ptr::addr_of!(bindings::__stop_module_hashes).cast::<u8>();
        core::slice::from_raw_parts(start, (end as usize).saturating_sub(start as usize))
    }
}

/// The kernel's table, validated on first use.
static VMLINUX_TABLE: SetOnce<Result<Table<'static>, TableError>> = SetOnce::new();

fn vmlinux_table() -> Option<Table<'static>> {
    if let Some(table) = VMLINUX_TABLE.copy() {
        return table.ok();
    }
    let table = Table::parse(vmlinux_section());
    // Whoever populates it logs: one line, however many modules follow.
    if VMLINUX_TABLE.populate(table) {
        match table {
            Ok(t) => pr_info!("{} in-tree module digests in .module_hashes\n", t.len()),
            Err(e) => pr_warn!(
                ".module_hashes is unusable ({:?}): no module is known by hash\n",
                e
            ),
        }
    }
    table.ok()
}

/// Checks whether a module image is one the kernel was built with.
///
/// `image` is the module as loaded (after in-kernel decompression), possibly
/// with an appended signature. On return, `digest` holds the SHA-256 of the
/// image without the signature, for the caller's log message.
///
/// Returns true if that digest is in the `.module_hashes` table. A malformed
/// signature trailer or an unusable table means "not known".
///
/// # Safety
///
/// `image` must be valid for reading `len` bytes and `digest` for writing
/// `SHA256_DIGEST_SIZE` bytes for the duration of the call.
#[export]
pub unsafe extern "C" fn module_hashes_known(
    image: *const u8,
    len: usize,
    digest: *mut u8,
) -> bool {
    // SAFETY: The caller guarantees that `image` is valid for reading `len`
    // bytes for the duration of the call.
    let image = unsafe { core::slice::from_raw_parts(image, len) };
    // SAFETY: The caller guarantees that `digest` is valid for writing
    // `SHA256_DIGEST_SIZE` bytes, and `u8` has no alignment requirement.
    let digest = unsafe { &mut *digest.cast::<Digest>() };
    match unsigned_image(image) {
        Some(unsigned) => {
            *digest = sha256::digest(unsigned);
            vmlinux_table().is_some_and(|table| table.contains(digest))
        }
        None => {
            *digest = sha256::digest(image);
            false
        }
    }
}

#[cfg(CONFIG_MODULE_HASHES_KUNIT_TEST)]
#[kunit_tests(module_hashes)]
mod tests {
    use super::*;

    /// Builds a section: a header claiming `count` entries, then `digests`,
    /// then `padding` zero bytes.
    fn section(count: u32, digests: &[Digest], padding: usize) -> Result<KVec<u8>> {
        let mut s = KVec::new();
        s.extend_from_slice(MAGIC, GFP_KERNEL)?;
        for field in [
            bindings::MODULE_HASHES_VERSION,
            bindings::MODULE_HASHES_ALGO_SHA256,
            count,
            DIGEST_SIZE as u32,
        ] {
            s.extend_from_slice(&field.to_le_bytes(), GFP_KERNEL)?;
        }
        for d in digests {
            s.extend_from_slice(d, GFP_KERNEL)?;
        }
        for _ in 0..padding {
            s.push(0, GFP_KERNEL)?;
        }
        Ok(s)
    }

    fn digest_of(n: u8) -> Digest {
        sha256::digest(&[n])
    }

    /// Five distinct digests in ascending order.
    fn sorted_digests() -> [Digest; 5] {
        let mut d = [0u8, 1, 2, 3, 4].map(digest_of);
        d.sort_unstable();
        d
    }

    #[test]
    fn header_layout_matches_uapi() {
        assert_eq!(HEADER_SIZE, 24);
        assert_eq!(MAGIC.len(), 8);
        assert_eq!(bindings::MODULE_HASHES_SHA256_SIZE as usize, DIGEST_SIZE);
    }

    #[test]
    fn empty_table_knows_nothing() -> Result {
        let s = section(0, &[], 64)?;
        let table = Table::parse(&s).map_err(|_| EINVAL)?;
        assert_eq!(table.len(), 0);
        assert!(!table.contains(&digest_of(0)));
        Ok(())
    }

    #[test]
    fn one_entry() -> Result {
        let s = section(1, &[digest_of(7)], 0)?;
        let table = Table::parse(&s).map_err(|_| EINVAL)?;
        assert!(table.contains(&digest_of(7)));
        assert!(!table.contains(&digest_of(8)));
        Ok(())
    }

    #[test]
    fn first_middle_last_and_absent() -> Result {
        let d = sorted_digests();
        for count in 2..=d.len() {
            let s = section(count as u32, &d[..count], 32)?;
            let table = Table::parse(&s).map_err(|_| EINVAL)?;
            for (i, digest) in d.iter().enumerate() {
                assert_eq!(table.contains(digest), i < count);
            }
            assert!(!table.contains(&[0; DIGEST_SIZE]));
            assert!(!table.contains(&[0xff; DIGEST_SIZE]));
            assert!(!table.contains(&digest_of(100)));
        }
        Ok(())
    }

    #[test]
    fn corrupt_headers_are_rejected() -> Result {
        let d = sorted_digests();
        assert_eq!(Table::parse(&[]).err(), Some(TableError::TooShort));
        assert_eq!(Table::parse(&[0; 100]).err(), Some(TableError::BadMagic));
        let good = section(2, &d[..2], 0)?;
        assert!(Table::parse(&good).is_ok());
        assert_eq!(
            Table::parse(&good[..HEADER_SIZE - 1]).err(),
            Some(TableError::TooShort)
        );
        for (offset, error) in [
            (0, TableError::BadMagic),
            (8, TableError::BadVersion),
            (12, TableError::BadAlgorithm),
            (20, TableError::BadEntrySize),
        ] {
            let mut bad = section(2, &d[..2], 0)?;
            bad[offset] ^= 0x40;
            assert_eq!(Table::parse(&bad).err(), Some(error));
        }
        assert_eq!(
            Table::parse(&section(3, &d[..2], 0)?).err(),
            Some(TableError::Truncated)
        );
        assert_eq!(
            Table::parse(&section(u32::MAX, &d[..2], 0)?).err(),
            Some(TableError::Truncated)
        );
        assert_eq!(
            Table::parse(&section(2, &[d[1], d[0]], 0)?).err(),
            Some(TableError::Unsorted)
        );
        assert_eq!(
            Table::parse(&section(2, &[d[0], d[0]], 0)?).err(),
            Some(TableError::Unsorted)
        );
        Ok(())
    }

    /// Appends a signature trailer with `sig_len` signature bytes.
    fn signed(image: &[u8], sig_len: u32, id_type: u8) -> Result<KVec<u8>> {
        let mut s = KVec::new();
        s.extend_from_slice(image, GFP_KERNEL)?;
        for _ in 0..sig_len {
            s.push(0x5a, GFP_KERNEL)?;
        }
        s.extend_from_slice(&[0, 0, id_type, 0, 0, 0, 0, 0], GFP_KERNEL)?;
        s.extend_from_slice(&sig_len.to_be_bytes(), GFP_KERNEL)?;
        s.extend_from_slice(&SIGNATURE_MARKER[..SIGNATURE_MARKER.len() - 1], GFP_KERNEL)?;
        Ok(s)
    }

    #[test]
    fn signature_is_not_hashed() -> Result {
        let image = b"\x7fELF a module image";
        assert_eq!(unsigned_image(image), Some(&image[..]));
        let s = signed(image, 40, 2)?;
        assert_eq!(unsigned_image(&s), Some(&image[..]));
        Ok(())
    }

    #[test]
    fn malformed_trailers_are_not_known() -> Result {
        let image = b"\x7fELF a module image";
        // Not PKCS#7.
        assert_eq!(unsigned_image(&signed(image, 40, 1)?), None);
        // A signature longer than the file.
        let mut s = signed(image, 40, 2)?;
        let at = s.len() - SIGNATURE_MARKER.len() + 1 - 4;
        s[at..at + 4].copy_from_slice(&1000u32.to_be_bytes());
        assert_eq!(unsigned_image(&s), None);
        // Non-zero parameters.
        let mut s = signed(image, 40, 2)?;
        s[at - 8] = 1;
        assert_eq!(unsigned_image(&s), None);
        // Only the marker.
        assert_eq!(
            unsigned_image(&SIGNATURE_MARKER[..SIGNATURE_MARKER.len() - 1]),
            None
        );
        Ok(())
    }

    #[test]
    fn unknown_image_is_not_known() {
        let image = b"\x7fELF not a module of this kernel";
        let mut digest = [0u8; DIGEST_SIZE];
        // SAFETY: Both buffers are valid for the call.
        let known =
            unsafe { module_hashes_known(image.as_ptr(), image.len(), digest.as_mut_ptr()) };
        assert!(!known);
        assert_eq!(digest, sha256::digest(image));
    }
}
