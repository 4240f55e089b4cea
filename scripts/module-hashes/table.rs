// SPDX-License-Identifier: GPL-2.0

//! The digest table as the kernel reads it from `.module_hashes`.
//!
//! tools/module-hashes builds this file too (`#[path]`).

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

    /// Reads the table the way the kernel does, from the bytes of a
    /// `.module_hashes` section, and checks everything the kernel relies on:
    /// the header, that `count` digests fit in the section, and that they
    /// are sorted without duplicates.
    pub(crate) fn parse(section: &[u8]) -> Result<Self, String> {
        let Some((header, rest)) = section.split_first_chunk::<HEADER_SIZE>() else {
            return Err(format!(
                "section is {} bytes, shorter than the {HEADER_SIZE}-byte header",
                section.len()
            ));
        };
        let field = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        if header[..8] != MAGIC {
            if section.iter().all(|&byte| byte == 0) {
                return Err("the table was never filled in (the section is all zeros), \
                            so the kernel knows no module"
                    .to_string());
            }
            return Err("bad header: wrong magic (expected \"MODHASH\")".to_string());
        }
        let (version, algo, count, entry_size) = (field(8), field(12), field(16), field(20));
        if version != VERSION {
            return Err(format!("bad header: version {version}, expected {VERSION}"));
        }
        if algo != ALGO_SHA256 {
            return Err(format!(
                "bad header: algorithm {algo}, expected {ALGO_SHA256} (SHA-256)"
            ));
        }
        if usize::try_from(entry_size).ok() != Some(SHA256_SIZE) {
            return Err(format!(
                "bad header: entry size {entry_size}, expected {SHA256_SIZE}"
            ));
        }
        if count == u32::MAX {
            return Err(
                "the table was never filled in (its count is the placeholder \
                        that the build reserves the section with), so the kernel knows \
                        no module"
                    .to_string(),
            );
        }
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        let fits = rest.len() / SHA256_SIZE;
        if count > fits {
            return Err(format!(
                "count {count} is beyond the section: it has room for {fits} digests"
            ));
        }
        let digests: Vec<Digest> = rest
            .chunks_exact(SHA256_SIZE)
            .take(count)
            .map(|entry| entry.try_into().unwrap_or([0; SHA256_SIZE]))
            .collect();
        if let Some(index) = digests.windows(2).position(|pair| pair[0] >= pair[1]) {
            return Err(format!(
                "digests are not sorted without duplicates: entry {} is not after entry {index}",
                index + 1
            ));
        }
        Ok(Table { digests })
    }

    /// Whether `digest` is in the table.
    pub(crate) fn contains(&self, digest: &Digest) -> bool {
        self.digests.binary_search(digest).is_ok()
    }

    /// Number of distinct digests.
    pub(crate) fn count(&self) -> usize {
        self.digests.len()
    }

    /// Bytes needed for the header and the digests.
    pub(crate) fn size(&self) -> usize {
        HEADER_SIZE + SHA256_SIZE * self.count()
    }

    /// Checks the header that the kernel build put into the section it
    /// reserved, from `include/linux/module_hashes.h`, against this tool's
    /// copy of the layout: a build-time proof that the two agree.  The
    /// count is not checked, so that a written table can be rewritten.
    pub(crate) fn check_reserved(section: &[u8]) -> Result<(), String> {
        let Some(header) = section.first_chunk::<HEADER_SIZE>() else {
            return Err(format!(
                "section {SECTION_NAME} is {} bytes, shorter than the {HEADER_SIZE}-byte header",
                section.len()
            ));
        };
        let field = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let disagree = |what: &str, kernel: String, tool: String| {
            Err(format!(
                "the kernel's {SECTION_NAME} header has {what} {kernel}, this tool writes \
                 {tool}: include/linux/module_hashes.h and scripts/module-hashes/layout.rs \
                 disagree"
            ))
        };
        if header[..8] != MAGIC {
            return disagree(
                "magic",
                format!("{:?}", String::from_utf8_lossy(&header[..8])),
                "\"MODHASH\"".to_string(),
            );
        }
        for (what, at, tool) in [
            ("version", 8, VERSION),
            ("algorithm", 12, ALGO_SHA256),
            (
                "entry size",
                20,
                u32::try_from(SHA256_SIZE).unwrap_or(u32::MAX),
            ),
        ] {
            if field(at) != tool {
                return disagree(what, field(at).to_string(), tool.to_string());
            }
        }
        Ok(())
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

/// The digests, in ascending order.
impl<'a> IntoIterator for &'a Table {
    type Item = &'a Digest;
    type IntoIter = std::slice::Iter<'a, Digest>;

    fn into_iter(self) -> Self::IntoIter {
        self.digests.iter()
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
    fn layout_matches_the_kernel_header() {
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

    fn written(table: &Table, room: usize) -> Vec<u8> {
        let mut section = vec![0u8; HEADER_SIZE + room * SHA256_SIZE];
        table.write_into(&mut section).unwrap();
        section
    }

    #[test]
    fn parse_reads_what_write_into_wrote() {
        let table = Table::new(vec![digest_of(9), digest_of(4), digest_of(7)]);
        let parsed = Table::parse(&written(&table, 5)).unwrap();
        assert_eq!(parsed, table);
        assert!(parsed.contains(&digest_of(7)));
        assert!(!parsed.contains(&digest_of(8)));
        assert_eq!(
            Table::parse(&written(&Table::new(vec![]), 0))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn parse_rejects_corrupt_tables() {
        let good = written(&Table::new(vec![digest_of(1), digest_of(2)]), 2);
        let corrupt = |at: usize, value: u8| {
            let mut section = good.clone();
            section[at] = value;
            Table::parse(&section).unwrap_err()
        };
        assert!(corrupt(0, b'X').contains("wrong magic"));
        assert!(corrupt(8, 2).contains("version 2"));
        assert!(corrupt(12, 2).contains("algorithm 2"));
        assert!(corrupt(20, 64).contains("entry size 64"));
        assert!(corrupt(16, 3).contains("count 3 is beyond the section"));
        assert!(corrupt(19, 0xff).contains("is beyond the section"));
        // The second digest made smaller than, then equal to, the first.
        assert!(corrupt(HEADER_SIZE + SHA256_SIZE, 0).contains("not sorted"));
        let mut duplicate = good.clone();
        duplicate.copy_within(
            HEADER_SIZE..HEADER_SIZE + SHA256_SIZE,
            HEADER_SIZE + SHA256_SIZE,
        );
        assert!(Table::parse(&duplicate).unwrap_err().contains("not sorted"));
        assert!(Table::parse(&[0; 100])
            .unwrap_err()
            .contains("never filled in"));
        for len in 0..HEADER_SIZE {
            assert!(Table::parse(&good[..len])
                .unwrap_err()
                .contains("shorter than"));
        }
    }

    #[test]
    fn reserved_header_must_match_the_layout() {
        let mut reserved = vec![0u8; HEADER_SIZE + SHA256_SIZE];
        reserved[..HEADER_SIZE]
            .copy_from_slice(b"MODHASH\0\x01\0\0\0\x01\0\0\0\xff\xff\xff\xff\x20\0\0\0");
        assert_eq!(Table::check_reserved(&reserved), Ok(()));
        // A table written before can be written again.
        let table = Table::new(vec![digest_of(1)]);
        table.write_into(&mut reserved).unwrap();
        assert_eq!(Table::check_reserved(&reserved), Ok(()));
        for (at, value, expected) in [
            (0, b'X', "magic"),
            (8, 2, "version 2, this tool writes 1"),
            (12, 2, "algorithm 2"),
            (20, 64, "entry size 64"),
        ] {
            let mut corrupt = reserved.clone();
            corrupt[at] = value;
            let error = Table::check_reserved(&corrupt).unwrap_err();
            assert!(error.contains(expected), "{error}");
            assert!(error.ends_with("disagree"), "{error}");
        }
        assert!(Table::check_reserved(&reserved[..HEADER_SIZE - 1])
            .unwrap_err()
            .contains("shorter than"));
    }

    #[test]
    fn iterates_in_ascending_order() {
        let table = Table::new(vec![digest_of(2), digest_of(1)]);
        let digests: Vec<&Digest> = table.into_iter().collect();
        assert_eq!(digests, [&digest_of(1), &digest_of(2)]);
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
