// SPDX-License-Identifier: GPL-2.0

//! SHA-2 message digests.
//!
//! This uses the kernel's SHA-2 library, which picks the fastest
//! implementation the CPU supports (for example the x86 SHA extensions).
//!
//! C header: [`include/crypto/sha2.h`](srctree/include/crypto/sha2.h)

use crate::bindings;

/// The size of a SHA-256 digest in bytes.
pub const SHA256_DIGEST_SIZE: usize = bindings::SHA256_DIGEST_SIZE as usize;

/// Computes the SHA-256 digest of `data`.
///
/// # Examples
///
/// ```
/// use kernel::crypto::sha2::sha256;
///
/// let digest = sha256(b"abc");
/// assert_eq!(&digest[..4], &[0xba, 0x78, 0x16, 0xbf]);
/// ```
#[inline]
pub fn sha256(data: &[u8]) -> [u8; SHA256_DIGEST_SIZE] {
    let mut out = [0u8; SHA256_DIGEST_SIZE];
    // SAFETY: `data` is valid for reading `data.len()` bytes and `out` for
    // writing `SHA256_DIGEST_SIZE` bytes, the size of the C function's
    // output; both are byte buffers, so any alignment is valid, and they
    // cannot overlap because `out` is a local that only this call can reach.
    unsafe { bindings::sha256(data.as_ptr(), data.len(), out.as_mut_ptr()) };
    out
}

#[cfg(CONFIG_RUST_SHA2_KUNIT_TEST)]
#[macros::kunit_tests(rust_kernel_sha2)]
mod tests {
    use super::*;

    /// A smoke test of the binding: lib/crypto's own KUnit suite tests the
    /// implementation.
    #[test]
    fn sha256_abc() {
        let abc = [
            0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
            0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
            0xf2, 0x00, 0x15, 0xad,
        ];
        assert_eq!(sha256(b"abc"), abc);
    }
}
