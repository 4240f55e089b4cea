// SPDX-License-Identifier: GPL-2.0

//! Hash-based authentication of the modules built together with the kernel.
//!
//! The build records the SHA-256 digest of every in-tree module in the
//! `.module_hashes` section of vmlinux, sorted, so that a lookup is a binary
//! search; [`kernel::module_hashes`] describes the section.  The module
//! loader (`kernel/module/auth.c`) asks [`module_hashes_known`] whether the
//! image it is about to load, without an appended signature, is one of them.

use kernel::{
    bindings,
    crypto::sha2::{sha256, SHA256_DIGEST_SIZE},
    module_hashes::{Header, ALGO_SHA256, MAGIC, VERSION},
    prelude::*,
    sync::SetOnce,
    transmute::FromBytes,
};

const __LOG_PREFIX: &[u8] = b"module\0";

/// A SHA-256 digest: an entry of the table.
type Digest = [u8; SHA256_DIGEST_SIZE];

/// Why a `.module_hashes` section cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TableError {
    /// Smaller than the header.
    TooShort,
    /// Not [`MAGIC`].
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

/// A validated table of SHA-256 digests.
///
/// # Invariants
///
/// `entries` is in strictly ascending order.
#[derive(Clone, Copy)]
struct Table<'a> {
    entries: &'a [Digest],
}

impl<'a> Table<'a> {
    /// Validates a `.module_hashes` section and returns its table.
    fn parse(section: &'a [u8]) -> Result<Self, TableError> {
        let (header, rest) = Header::from_bytes_copy_prefix(section).ok_or(TableError::TooShort)?;
        if header.magic() != MAGIC {
            return Err(TableError::BadMagic);
        }
        if header.version() != VERSION {
            return Err(TableError::BadVersion);
        }
        if header.algo() != ALGO_SHA256 {
            return Err(TableError::BadAlgorithm);
        }
        if header.entry_size() as usize != SHA256_DIGEST_SIZE {
            return Err(TableError::BadEntrySize);
        }
        let count = header.count() as usize;
        let size = count
            .checked_mul(SHA256_DIGEST_SIZE)
            .ok_or(TableError::Truncated)?;
        let bytes = rest.get(..size).ok_or(TableError::Truncated)?;
        // SAFETY: `bytes` is `count` digests long, and a `Digest` is an array
        // of bytes: alignment 1, no padding, every bit pattern valid.  The
        // new slice covers the same memory as `bytes`, borrowed for the same
        // lifetime.
        let entries = unsafe { core::slice::from_raw_parts(bytes.as_ptr().cast(), count) };
        if !entries.is_sorted_by(|a: &Digest, b| a < b) {
            return Err(TableError::Unsorted);
        }
        // INVARIANT: `entries` was checked above to be strictly ascending.
        Ok(Table { entries })
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Returns whether `digest` is in the table: a binary search, which the
    /// order of the entries (the type invariant) makes correct.
    fn contains(&self, digest: &Digest) -> bool {
        self.entries.binary_search(digest).is_ok()
    }
}

/// The kernel's `.module_hashes` section.
fn vmlinux_section() -> &'static [u8] {
    let start = (&raw const bindings::__start_module_hashes).cast::<u8>();
    let stop = (&raw const bindings::__stop_module_hashes).cast::<u8>();
    // SAFETY: The linker script places the `.module_hashes` section between
    // `__start_module_hashes` and `__stop_module_hashes`, in read-only data
    // that is never written for as long as the kernel runs; `u8` has no
    // alignment requirement.
    unsafe { core::slice::from_raw_parts(start, stop.addr() - start.addr()) }
}

/// The kernel's table, validated on first use.
static VMLINUX_TABLE: SetOnce<Result<Table<'static>, TableError>> = SetOnce::new();

/// The table of the kernel's `.module_hashes` section, validated on the
/// first call.
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
/// `image` is the module as loaded (after in-kernel decompression), without
/// an appended signature.  On return, `digest` holds its SHA-256, for the
/// caller's log message.
///
/// Returns true if that digest is in the table of the kernel's
/// `.module_hashes` section, which is validated on the first call; an
/// unusable table means that no module is known.
///
/// # Safety
///
/// - `image` must be valid for reading `len` bytes, and not written, for
///   the duration of the call.
/// - `digest` must be valid for writing `SHA256_DIGEST_SIZE` bytes for the
///   duration of the call.
#[export]
pub unsafe extern "C" fn module_hashes_known(
    image: *const u8,
    len: usize,
    digest: *mut u8,
) -> bool {
    // SAFETY: The caller guarantees that `image` is valid for reading `len`
    // bytes and not written during the call; `u8` has no alignment
    // requirement.
    let image = unsafe { core::slice::from_raw_parts(image, len) };
    let computed = sha256(image);
    // SAFETY: The caller guarantees that `digest` is valid for writing
    // `SHA256_DIGEST_SIZE` bytes, the size of a `Digest`, which is a byte
    // array with alignment 1.  Nothing reads the memory before it is written.
    unsafe { digest.cast::<Digest>().write(computed) };
    vmlinux_table().is_some_and(|table| table.contains(&computed))
}

/// Gives the digests of the kernel's table to `/sys/kernel/module_hashes`
/// (`kernel/module/hashes_sysfs.c`): stores their address in `*digests`
/// and returns how many there are, none when the table is unusable.  The
/// table is validated on the first call, as for [`module_hashes_known`].
///
/// # Safety
///
/// `digests` must be valid for writing a pointer.
#[export]
pub unsafe extern "C" fn module_hashes_digests(digests: *mut *const u8) -> usize {
    let entries = vmlinux_table().map_or(&[][..], |table| table.entries);
    // SAFETY: The caller guarantees that `digests` is valid for writing a
    // pointer.
    unsafe { digests.write(entries.as_ptr().cast()) };
    entries.len()
}

/// Builds a section, for the tests and the benchmark: a header claiming
/// `count` entries, then `digests`, then `padding` zero bytes.  In vmalloc
/// memory: the benchmark's largest table is 2 MiB.
#[cfg(any(CONFIG_MODULE_HASHES_KUNIT_TEST, CONFIG_MODULE_HASHES_BENCH))]
fn section(count: u32, digests: &[Digest], padding: usize) -> Result<VVec<u8>> {
    let mut s = VVec::new();
    s.extend_from_slice(MAGIC, GFP_KERNEL)?;
    for field in [VERSION, ALGO_SHA256, count, SHA256_DIGEST_SIZE as u32] {
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

#[cfg(CONFIG_MODULE_HASHES_KUNIT_TEST)]
#[kunit_tests(module_hashes)]
mod tests {
    use super::*;

    fn digest_of(n: u8) -> Digest {
        sha256(&[n])
    }

    /// Five distinct digests in ascending order.
    fn sorted_digests() -> [Digest; 5] {
        let mut d = [0u8, 1, 2, 3, 4].map(digest_of);
        d.sort_unstable();
        d
    }

    const HEADER_SIZE: usize = core::mem::size_of::<Header>();

    #[test]
    fn header_layout() {
        assert_eq!(HEADER_SIZE, 24);
        assert_eq!(MAGIC, b"MODHASH\0");
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
            assert!(!table.contains(&[0; SHA256_DIGEST_SIZE]));
            assert!(!table.contains(&[0xff; SHA256_DIGEST_SIZE]));
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
}

#[cfg(CONFIG_MODULE_HASHES_BENCH)]
mod hashes_bench;
