// SPDX-License-Identifier: GPL-2.0

//! SHA-256 message digests (FIPS 180-4).
//!
//! This uses the kernel's SHA-2 library, which picks the fastest
//! implementation the CPU supports (for example the x86 SHA extensions).
//!
//! C header: [`include/crypto/sha2.h`](srctree/include/crypto/sha2.h)

use crate::bindings;
use core::mem::MaybeUninit;

/// The size of a SHA-256 digest in bytes.
pub const DIGEST_SIZE: usize = bindings::SHA256_DIGEST_SIZE as usize;

/// A SHA-256 digest.
pub type Digest = [u8; DIGEST_SIZE];

/// Computes the SHA-256 digest of `data` in one shot.
///
/// # Examples
///
/// ```
/// use kernel::crypto::sha256;
///
/// let digest = sha256::digest(b"abc");
/// assert_eq!(&digest[..4], &[0xba, 0x78, 0x16, 0xbf]);
/// ```
#[inline]
pub fn digest(data: &[u8]) -> Digest {
    let mut out = [0u8; DIGEST_SIZE];
    // SAFETY: `data` is valid for reading `data.len()` bytes and `out` for
    // writing `DIGEST_SIZE` bytes, the size of the C function's output; both
    // are byte buffers, so any alignment is valid, and they cannot overlap
    // because `out` is a local that only this call can reach.
    unsafe { bindings::sha256(data.as_ptr(), data.len(), out.as_mut_ptr()) };
    out
}

/// An incremental SHA-256 computation, for a message that is not in one
/// piece.
///
/// # Examples
///
/// ```
/// use kernel::crypto::sha256::{self, Sha256};
///
/// let mut hasher = Sha256::new();
/// hasher.update(b"a");
/// hasher.update(b"bc");
/// assert_eq!(hasher.finalize(), sha256::digest(b"abc"));
/// ```
///
/// # Invariants
///
/// `ctx` was initialized by `sha256_init()` and not finalized: it can be
/// passed to `sha256_update()` and `sha256_final()`.
pub struct Sha256 {
    ctx: bindings::sha256_ctx,
}

impl Sha256 {
    /// Starts a new digest computation.
    #[inline]
    pub fn new() -> Self {
        let mut ctx = MaybeUninit::<bindings::sha256_ctx>::uninit();
        // SAFETY: `ctx.as_mut_ptr()` is valid and properly aligned for
        // writing a `struct sha256_ctx`, which `sha256_init` initializes
        // entirely; nothing else refers to `ctx`.
        unsafe { bindings::sha256_init(ctx.as_mut_ptr()) };
        // INVARIANT: `sha256_init` initialized the context.
        Self {
            // SAFETY: `sha256_init` initialized `ctx` above.
            ctx: unsafe { ctx.assume_init() },
        }
    }

    /// Adds `data` to the message.
    #[inline]
    pub fn update(&mut self, data: &[u8]) {
        // SAFETY: `self.ctx` is an initialized, unfinalized context (type
        // invariant), borrowed mutably, so nothing else accesses it during
        // the call; `data` is valid for reading `data.len()` bytes, with no
        // alignment requirement, and cannot overlap the context, which
        // `&mut self` borrows exclusively.
        unsafe { bindings::sha256_update(&mut self.ctx, data.as_ptr(), data.len()) };
    }

    /// Finishes the computation and returns the digest of the message.
    #[inline]
    pub fn finalize(mut self) -> Digest {
        let mut out = [0u8; DIGEST_SIZE];
        // SAFETY: `self.ctx` is an initialized, unfinalized context (type
        // invariant) that this call owns; `out` is a local byte array valid
        // for writing `DIGEST_SIZE` bytes.  `sha256_final` zeroizes the
        // context, which is consumed with `self` and never used again.
        unsafe { bindings::sha256_final(&mut self.ctx, out.as_mut_ptr()) };
        out
    }
}

impl Default for Sha256 {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(CONFIG_RUST_SHA256_KUNIT_TEST)]
#[macros::kunit_tests(rust_kernel_sha256)]
mod tests {
    use super::*;

    /// FIPS 180-4 (and NIST CSRC example) digests.
    const EMPTY: Digest = hex(b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const ABC: Digest = hex(b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const MSG448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const MSG448_DIGEST: Digest =
        hex(b"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const MILLION_A: Digest =
        hex(b"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        }
    }

    const fn hex(s: &[u8; 2 * DIGEST_SIZE]) -> Digest {
        let mut out = [0u8; DIGEST_SIZE];
        let mut i = 0;
        while i < DIGEST_SIZE {
            out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
            i += 1;
        }
        out
    }

    #[test]
    fn one_shot_fips_vectors() {
        assert_eq!(digest(b""), EMPTY);
        assert_eq!(digest(b"abc"), ABC);
        assert_eq!(digest(MSG448), MSG448_DIGEST);
    }

    #[test]
    fn incremental_matches_one_shot() {
        assert_eq!(Sha256::new().finalize(), EMPTY);
        let mut hasher = Sha256::new();
        for chunk in MSG448.chunks(7) {
            hasher.update(chunk);
        }
        assert_eq!(hasher.finalize(), MSG448_DIGEST);
    }

    static A_BLOCK: [u8; 4096] = [b'a'; 4096];

    #[test]
    fn million_a_in_uneven_chunks() {
        let block = &A_BLOCK;
        let mut hasher = Sha256::new();
        let mut left = 1_000_000usize;
        // Chunk sizes that cross the 64-byte block boundary at every offset.
        let mut size = 1usize;
        while left > 0 {
            let n = size.min(left).min(block.len());
            hasher.update(&block[..n]);
            left -= n;
            size = (size * 7 + 13) % 4001 + 1;
        }
        assert_eq!(hasher.finalize(), MILLION_A);
    }
}
