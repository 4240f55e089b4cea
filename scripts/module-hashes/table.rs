// SPDX-License-Identifier: GPL-2.0

//! The digest table as the kernel reads it from `.module_hashes`.

use crate::layout::{ALGO_SHA256, HEADER_SIZE, MAGIC, SECTION_NAME, SHA256_SIZE, VERSION};
use crate::sha256::{Digest, DIGEST_SIZE};

// The table stores exactly what the hasher produces.
const _: () = assert!(SHA256_SIZE == DIGEST_SIZE);

/// Sorted, duplicate-free module digests.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Table {
    /// In ascending memcmp() order, so the kernel can binary-search.
    digests: Vec<Digest>,
}

impl Table {
    /// Sorts and deduplicates `digests`.  Two modules with the same
    /// contents need only one entry.
    pub(crate) fn new(mut digests: Vec<Digest>) -> Self {
        digests.sort_unstable();
        digests.dedup();
        Table { digests }
    }

    /// Number of distinct digests.
    pub(crate) fn count(&self) -> usize {
        self.digests.len()
    }

    /// Bytes needed for the header and the digests.
    pub(crate) fn size(&self) -> usize {
        HEADER_SIZE + SHA256_SIZE * self.count()
    }

    /// Fills `section` with the header, the digests and zeros up to its end.
    pub(crate) fn write_into(&self, section: &mut [u8]) -> Result<(), String> {
        if section.len() < self.size() {
            return Err(format!(
                "section {SECTION_NAME} is {} bytes, too small for {} digests ({} bytes needed)",
                section.len(),
                self.count(),
                self.size()
            ));
        }
        let count = u32::try_from(self.count())
            .map_err(|_| format!("{} digests do not fit in the table header", self.count()))?;
        let entry_size = u32::try_from(SHA256_SIZE).unwrap_or(u32::MAX);

        let (header, rest) = section.split_at_mut(HEADER_SIZE);
        header[..8].copy_from_slice(&MAGIC);
        header[8..12].copy_from_slice(&VERSION.to_le_bytes());
        header[12..16].copy_from_slice(&ALGO_SHA256.to_le_bytes());
        header[16..20].copy_from_slice(&count.to_le_bytes());
        header[20..24].copy_from_slice(&entry_size.to_le_bytes());

        let (entries, padding) = rest.split_at_mut(SHA256_SIZE * self.count());
        for (entry, digest) in entries.chunks_exact_mut(SHA256_SIZE).zip(&self.digests) {
            entry.copy_from_slice(digest);
        }
        // A previous run may have left a longer table here.
        padding.fill(0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(byte: u8) -> Digest {
        [byte; DIGEST_SIZE]
    }

    #[test]
    fn sorts_and_deduplicates() {
        let table = Table::new(vec![digest_of(3), digest_of(1), digest_of(3), digest_of(2)]);
        assert_eq!(table.count(), 3);
        assert_eq!(table.digests, [digest_of(1), digest_of(2), digest_of(3)]);
    }

    #[test]
    fn layout_matches_the_uapi_header() {
        let table = Table::new(vec![digest_of(0xbb), digest_of(0xaa)]);
        let mut section = vec![0xffu8; HEADER_SIZE + 4 * SHA256_SIZE];
        table.write_into(&mut section).unwrap();

        assert_eq!(&section[..8], b"MODHASH\0");
        assert_eq!(section[8..12], [1, 0, 0, 0]); // version
        assert_eq!(section[12..16], [1, 0, 0, 0]); // algo: SHA-256
        assert_eq!(section[16..20], [2, 0, 0, 0]); // count
        assert_eq!(section[20..24], [32, 0, 0, 0]); // entry_size
        assert_eq!(section[24..56], digest_of(0xaa));
        assert_eq!(section[56..88], digest_of(0xbb));
        assert!(section[88..].iter().all(|&byte| byte == 0));
    }

    #[test]
    fn exact_fit_and_empty_table() {
        let table = Table::new(vec![digest_of(1)]);
        let mut section = vec![0u8; table.size()];
        table.write_into(&mut section).unwrap();
        assert_eq!(section[24..], digest_of(1));

        let empty = Table::new(Vec::new());
        let mut section = vec![0xffu8; HEADER_SIZE];
        empty.write_into(&mut section).unwrap();
        assert_eq!(section[16..20], [0; 4]);
    }

    #[test]
    fn too_small_names_both_sizes() {
        let table = Table::new(vec![digest_of(1), digest_of(2)]);
        let mut section = vec![0u8; HEADER_SIZE + SHA256_SIZE];
        let error = table.write_into(&mut section).unwrap_err();
        assert!(error.contains("is 56 bytes"), "{error}");
        assert!(error.contains("2 digests (88 bytes needed)"), "{error}");
        assert!(section.iter().all(|&byte| byte == 0), "nothing written");
    }
}
