// SPDX-License-Identifier: GPL-2.0

//! A benchmark of the table of module digests
//! (`CONFIG_MODULE_HASHES_BENCH`): what a lookup that finds its digest, one
//! that does not, and the validation that the first module load does cost
//! at the sizes of real tables.  Each is logged as a median over rounds, in
//! nanoseconds, next to the SHA-256 of 16 KiB measured in the same run,
//! which every load by hash pays too.

use super::*;

#[kunit_tests(module_hashes_bench)]
mod bench {
    use super::*;
    use kernel::time::{Instant, Monotonic};

    /// Tables of about Debian's cloud kernel (1,019 modules), Debian's
    /// amd64 kernel (4,225) and the most that MODULE_HASHES_EXTRA_SLOTS
    /// alone can add (65,536).
    const ENTRIES: [usize; 3] = [1000, 4225, 65536];
    /// Lookups per round, of digests that are in the table or are not.
    const PROBES: usize = 4096;
    /// Rounds of each measurement, of which the median is logged.
    const ROUNDS: usize = 15;

    fn digest_of_index(i: usize) -> Digest {
        sha256(&(i as u64).to_le_bytes())
    }

    /// The median of `samples`, in nanoseconds.
    fn median(samples: &mut [i64; ROUNDS]) -> i64 {
        samples.sort_unstable();
        samples[ROUNDS / 2]
    }

    /// A section holding the digests of `0..entries`, sorted.
    fn sorted_section(entries: usize) -> Result<VVec<u8>> {
        let mut digests = VVec::with_capacity(entries, GFP_KERNEL)?;
        for i in 0..entries {
            digests.push(digest_of_index(i), GFP_KERNEL)?;
        }
        digests.sort_unstable();
        section(entries as u32, &digests, 0)
    }

    /// The median over rounds of the time of one lookup of `probes`,
    /// in tenths of a nanosecond; each lookup must answer `expected`.
    fn lookup_tenths_ns(table: &Table<'_>, probes: &[Digest], expected: bool) -> Result<i64> {
        let mut samples = [0i64; ROUNDS];
        for sample in samples.iter_mut() {
            let start = Instant::<Monotonic>::now();
            let found = probes.iter().filter(|d| table.contains(d)).count();
            *sample = start.elapsed().as_nanos() * 10 / PROBES as i64;
            let want = if expected { probes.len() } else { 0 };
            if probes.len() != PROBES || found != want {
                pr_err!("bench: {} of {} lookups found\n", found, probes.len());
                return Err(EINVAL);
            }
        }
        Ok(median(&mut samples))
    }

    #[test]
    fn sha256_reference() -> Result {
        let image = VVec::from_elem(0x5au8, 16384, GFP_KERNEL)?;
        let mut samples = [0i64; ROUNDS];
        for sample in samples.iter_mut() {
            let start = Instant::<Monotonic>::now();
            let digest = sha256(&image);
            *sample = start.elapsed().as_nanos();
            assert_ne!(digest, [0; SHA256_DIGEST_SIZE]);
        }
        pr_info!("bench: reference sha256_16k_ns={}\n", median(&mut samples));
        Ok(())
    }

    #[test]
    fn lookup_and_validation() -> Result {
        for entries in ENTRIES {
            let s = sorted_section(entries)?;
            let mut samples = [0i64; ROUNDS];
            for sample in samples.iter_mut() {
                let start = Instant::<Monotonic>::now();
                let table = Table::parse(&s);
                *sample = start.elapsed().as_nanos();
                assert!(table.is_ok_and(|t| t.len() == entries));
            }
            let validate_ns = median(&mut samples);
            let table = Table::parse(&s).map_err(|_| EINVAL)?;

            // Digests in the table, spread over it, and digests that are not.
            let mut hits = KVVec::with_capacity(PROBES, GFP_KERNEL)?;
            let mut misses = KVVec::with_capacity(PROBES, GFP_KERNEL)?;
            for i in 0..PROBES {
                hits.push(digest_of_index(i * entries / PROBES), GFP_KERNEL)?;
                misses.push(digest_of_index(entries + i), GFP_KERNEL)?;
            }
            let hit = lookup_tenths_ns(&table, &hits, true)?;
            let miss = lookup_tenths_ns(&table, &misses, false)?;
            pr_info!(
                "bench: lookup entries={} hit_ns={}.{} miss_ns={}.{} validate_ns={}\n",
                entries,
                hit / 10,
                hit % 10,
                miss / 10,
                miss % 10,
                validate_ns
            );
        }
        Ok(())
    }
}
