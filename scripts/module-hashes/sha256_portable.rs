// SPDX-License-Identifier: GPL-2.0

//! The SHA-256 block function in portable Rust (FIPS 180-4, 6.2.2).
//!
//! tools/module-hashes builds this file too (`#[path]`).

use crate::sha256::{BLOCK_SIZE, ROUND_CONSTANTS};

/// Runs the block function over `blocks`, a whole number of 64-byte blocks.
pub(crate) fn compress(state: &mut [u32; 8], blocks: &[u8]) {
    for block in blocks.chunks_exact(BLOCK_SIZE) {
        let mut schedule = [0u32; 64];
        for (word, bytes) in schedule.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        for t in 16..64 {
            let s0 = schedule[t - 15].rotate_right(7)
                ^ schedule[t - 15].rotate_right(18)
                ^ (schedule[t - 15] >> 3);
            let s1 = schedule[t - 2].rotate_right(17)
                ^ schedule[t - 2].rotate_right(19)
                ^ (schedule[t - 2] >> 10);
            schedule[t] = schedule[t - 16]
                .wrapping_add(s0)
                .wrapping_add(schedule[t - 7])
                .wrapping_add(s1);
        }

        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
        for (k, w) in ROUND_CONSTANTS.iter().zip(schedule) {
            let sum1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let choice = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(sum1)
                .wrapping_add(choice)
                .wrapping_add(*k)
                .wrapping_add(w);
            let sum0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let majority = (a & b) ^ (a & c) ^ (b & c);
            let t2 = sum0.wrapping_add(majority);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }

        for (word, value) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *word = word.wrapping_add(value);
        }
    }
}
