// SPDX-License-Identifier: GPL-2.0

//! The SHA-256 block function with the x86 SHA extensions (SHA-NI).
//!
//! The SHA instructions keep the eight working variables in two registers
//! in the order ABEF and CDGH, so the state is shuffled into that order once
//! per call and back at the end.
//!
//! tools/module-hashes builds this file too (`#[path]`).

use std::arch::x86_64::{
    __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_blend_epi16, _mm_loadu_si128, _mm_set_epi64x,
    _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32, _mm_shuffle_epi32,
    _mm_shuffle_epi8, _mm_storeu_si128,
};

use crate::sha256::{BLOCK_SIZE, ROUND_CONSTANTS};

/// Proof that the CPU has the instructions `compress_blocks` needs: only
/// `detect` makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ShaNi {
    /// Keeps the type from being built outside this module.
    _private: (),
}

impl ShaNi {
    /// Returns a token if this CPU has SHA, SSE4.1 and SSSE3.
    pub(crate) fn detect() -> Option<Self> {
        if is_x86_feature_detected!("sha")
            && is_x86_feature_detected!("sse4.1")
            && is_x86_feature_detected!("ssse3")
        {
            Some(ShaNi { _private: () })
        } else {
            None
        }
    }

    /// Runs the block function over `blocks`, a whole number of 64-byte
    /// blocks.
    pub(crate) fn compress(self, state: &mut [u32; 8], blocks: &[u8]) {
        // SAFETY: `self` exists, so `detect` found every CPU feature that
        // `compress_blocks` is compiled for.
        unsafe { compress_blocks(state, blocks) }
    }
}

/// Four rounds: adds the round constants of group `$group` to the four
/// schedule words `$words` and runs two `sha256rnds2`, each of which also
/// swaps the roles of the two state registers.
macro_rules! four_rounds {
    ($abef:ident, $cdgh:ident, $words:expr, $group:expr) => {{
        let constants = _mm_loadu_si128(ROUND_CONSTANTS.as_ptr().add(4 * $group).cast::<__m128i>());
        let words = _mm_add_epi32($words, constants);
        $cdgh = _mm_sha256rnds2_epu32($cdgh, $abef, words);
        $abef = _mm_sha256rnds2_epu32($abef, $cdgh, _mm_shuffle_epi32(words, 0x0e));
    }};
}

/// The next four schedule words W[t..t+4] from the groups t-16 (`$oldest`,
/// which they replace), t-12, t-8 and t-4 (`$newest`).
macro_rules! next_schedule {
    ($oldest:ident, $older:ident, $old:ident, $newest:ident) => {
        $oldest = _mm_sha256msg2_epu32(
            _mm_add_epi32(
                _mm_sha256msg1_epu32($oldest, $older),
                _mm_alignr_epi8($newest, $old, 4),
            ),
            $newest,
        );
    };
}

/// The SHA-NI block function.
///
/// # Safety
///
/// The CPU must support SHA, SSE4.1 and SSSE3 (SSE2 is part of x86_64).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
unsafe fn compress_blocks(state: &mut [u32; 8], blocks: &[u8]) {
    // SAFETY: the caller guarantees the CPU features.  Every load and store
    // is an unaligned 16-byte access within `state` (8 words), a 64-byte
    // block or `ROUND_CONSTANTS` (64 words, groups 0 to 15 of 4), as the
    // offsets below show.
    unsafe {
        // Byte order of each word: the message is big-endian.
        let byte_swap = _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203);

        let dcba = _mm_loadu_si128(state.as_ptr().cast::<__m128i>());
        let hgfe = _mm_loadu_si128(state.as_ptr().add(4).cast::<__m128i>());
        let cdab = _mm_shuffle_epi32(dcba, 0xb1);
        let efgh = _mm_shuffle_epi32(hgfe, 0x1b);
        let mut abef = _mm_alignr_epi8(cdab, efgh, 8);
        let mut cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

        for block in blocks.chunks_exact(BLOCK_SIZE) {
            let (abef_start, cdgh_start) = (abef, cdgh);
            let block = block.as_ptr();
            // The last four groups of four schedule words, in named
            // variables (not an array) so that they stay in registers.
            let mut w0 = _mm_shuffle_epi8(_mm_loadu_si128(block.cast::<__m128i>()), byte_swap);
            let mut w1 =
                _mm_shuffle_epi8(_mm_loadu_si128(block.add(16).cast::<__m128i>()), byte_swap);
            let mut w2 =
                _mm_shuffle_epi8(_mm_loadu_si128(block.add(32).cast::<__m128i>()), byte_swap);
            let mut w3 =
                _mm_shuffle_epi8(_mm_loadu_si128(block.add(48).cast::<__m128i>()), byte_swap);
            four_rounds!(abef, cdgh, w0, 0);
            four_rounds!(abef, cdgh, w1, 1);
            four_rounds!(abef, cdgh, w2, 2);
            four_rounds!(abef, cdgh, w3, 3);
            for group in [4, 8, 12] {
                next_schedule!(w0, w1, w2, w3);
                four_rounds!(abef, cdgh, w0, group);
                next_schedule!(w1, w2, w3, w0);
                four_rounds!(abef, cdgh, w1, group + 1);
                next_schedule!(w2, w3, w0, w1);
                four_rounds!(abef, cdgh, w2, group + 2);
                next_schedule!(w3, w0, w1, w2);
                four_rounds!(abef, cdgh, w3, group + 3);
            }

            abef = _mm_add_epi32(abef, abef_start);
            cdgh = _mm_add_epi32(cdgh, cdgh_start);
        }

        let feba = _mm_shuffle_epi32(abef, 0x1b);
        let dchg = _mm_shuffle_epi32(cdgh, 0xb1);
        let dcba = _mm_blend_epi16(feba, dchg, 0xf0);
        let hgfe = _mm_alignr_epi8(dchg, feba, 8);
        _mm_storeu_si128(state.as_mut_ptr().cast::<__m128i>(), dcba);
        _mm_storeu_si128(state.as_mut_ptr().add(4).cast::<__m128i>(), hgfe);
    }
}
