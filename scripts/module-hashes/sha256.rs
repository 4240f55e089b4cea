// SPDX-License-Identifier: GPL-2.0

//! SHA-256 (FIPS 180-4), streaming.
//!
//! The block function has two implementations: portable Rust, and the x86
//! SHA extensions where the CPU has them.  The choice is made at run time, so
//! one binary runs on every host.
//!
//! tools/module-hashes builds this file too (`#[path]`).

use crate::sha256_portable;
#[cfg(target_arch = "x86_64")]
use crate::sha256_x86::ShaNi;

/// Size of a SHA-256 digest in bytes.
pub(crate) const DIGEST_SIZE: usize = 32;

/// A SHA-256 digest.
pub(crate) type Digest = [u8; DIGEST_SIZE];

/// Size of the blocks the compression function consumes.
pub(crate) const BLOCK_SIZE: usize = 64;

/// Initial hash value H(0) (FIPS 180-4, 5.3.3).
const INITIAL_STATE: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Round constants K (FIPS 180-4, 4.2.2), shared by both implementations.
pub(crate) const ROUND_CONSTANTS: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// Which implementation of the block function a hasher uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// Portable Rust, available everywhere.
    Portable,
    /// The x86 SHA extensions; the token proves the CPU has them.
    #[cfg(target_arch = "x86_64")]
    ShaNi(ShaNi),
}

impl Backend {
    /// The fastest implementation this CPU supports.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(sha_ni) = ShaNi::detect() {
            return Backend::ShaNi(sha_ni);
        }
        Backend::Portable
    }

    /// Runs the block function over `blocks`, a whole number of blocks.
    fn compress(self, state: &mut [u32; 8], blocks: &[u8]) {
        debug_assert_eq!(blocks.len() % BLOCK_SIZE, 0);
        match self {
            Backend::Portable => sha256_portable::compress(state, blocks),
            #[cfg(target_arch = "x86_64")]
            Backend::ShaNi(sha_ni) => sha_ni.compress(state, blocks),
        }
    }
}

/// A streaming SHA-256 computation.
#[derive(Clone, Debug)]
pub(crate) struct Sha256 {
    /// Intermediate hash value.
    state: [u32; 8],
    /// Input not yet compressed because it does not fill a block.
    buffer: [u8; BLOCK_SIZE],
    /// Number of valid bytes in `buffer`.
    buffered: usize,
    /// Total input length in bytes, for the final padding.
    length: u64,
    /// Block function in use.
    backend: Backend,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    /// Starts a computation with the fastest backend for this CPU.
    pub(crate) fn new() -> Self {
        Self::with_backend(Backend::detect())
    }

    /// Starts a computation with the given backend.
    pub(crate) fn with_backend(backend: Backend) -> Self {
        Sha256 {
            state: INITIAL_STATE,
            buffer: [0; BLOCK_SIZE],
            buffered: 0,
            length: 0,
            backend,
        }
    }

    /// Feeds `data` into the computation.
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);

        if self.buffered > 0 {
            let take = data.len().min(BLOCK_SIZE - self.buffered);
            self.buffer[self.buffered..self.buffered + take].copy_from_slice(&data[..take]);
            self.buffered += take;
            data = &data[take..];
            if self.buffered < BLOCK_SIZE {
                return;
            }
            self.backend.compress(&mut self.state, &self.buffer);
            self.buffered = 0;
        }

        // Whole blocks go straight from the input, in one call so that the
        // SIMD backend keeps its state in registers across them.
        let whole = data.len() - data.len() % BLOCK_SIZE;
        if whole > 0 {
            self.backend.compress(&mut self.state, &data[..whole]);
        }
        let rest = &data[whole..];
        self.buffer[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    /// Pads the message and returns its digest.
    pub(crate) fn finalize(mut self) -> Digest {
        let bit_length = self.length.wrapping_mul(8);
        // 0x80, then zeros up to 8 bytes short of a block boundary.
        let mut padding = [0u8; BLOCK_SIZE];
        padding[0] = 0x80;
        let padding_len = if self.buffered < BLOCK_SIZE - 8 {
            BLOCK_SIZE - 8 - self.buffered
        } else {
            2 * BLOCK_SIZE - 8 - self.buffered
        };
        self.update(&padding[..padding_len]);
        self.update(&bit_length.to_be_bytes());
        debug_assert_eq!(self.buffered, 0);

        let mut digest = [0u8; DIGEST_SIZE];
        for (bytes, word) in digest.chunks_exact_mut(4).zip(self.state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

/// Formats a digest as lowercase hex, as sha256sum prints it.
pub(crate) fn to_hex(digest: &Digest) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * DIGEST_SIZE);
    for byte in digest {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    /// Every backend this CPU can run, the portable one first.
    fn backends() -> Vec<Backend> {
        let mut backends = vec![Backend::Portable];
        if Backend::detect() != Backend::Portable {
            backends.push(Backend::detect());
        }
        backends
    }

    fn hash_with(backend: Backend, data: &[u8]) -> String {
        let mut hasher = Sha256::with_backend(backend);
        hasher.update(data);
        to_hex(&hasher.finalize())
    }

    /// Small deterministic generator so that failures reproduce.
    fn xorshift(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn reports_the_backend_in_use() {
        // Not an assertion: shows in `cargo test -- --nocapture` which paths
        // the other tests covered on this machine.
        println!("SHA-256 backends tested: {:?}", backends());
    }

    #[test]
    fn fips_180_4_short_messages() {
        for backend in backends() {
            assert_eq!(
                hash_with(backend, b""),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            );
            assert_eq!(
                hash_with(backend, b"abc"),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            );
            assert_eq!(
                hash_with(
                    backend,
                    b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
                ),
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            );
            assert_eq!(
                hash_with(
                    backend,
                    b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
                      hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
                ),
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            );
        }
    }

    #[test]
    fn fips_180_4_million_a_in_uneven_chunks() {
        let million = vec![b'a'; 1_000_000];
        for backend in backends() {
            let mut hasher = Sha256::with_backend(backend);
            let mut rest = &million[..];
            let mut chunk = 1;
            while !rest.is_empty() {
                let take = chunk.min(rest.len());
                hasher.update(&rest[..take]);
                rest = &rest[take..];
                chunk = chunk * 7 % 1009 + 1;
            }
            assert_eq!(
                to_hex(&hasher.finalize()),
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
            );
        }
    }

    #[test]
    fn random_lengths_match_the_sha2_crate() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for len in 0..300 {
            let data: Vec<u8> = (0..len).map(|_| xorshift(&mut seed) as u8).collect();
            let expected: Digest = sha2::Sha256::digest(&data).into();
            for backend in backends() {
                // One shot, and split at a random point.
                let mut hasher = Sha256::with_backend(backend);
                hasher.update(&data);
                assert_eq!(hasher.finalize(), expected, "{backend:?}, length {len}");

                let split = if len == 0 {
                    0
                } else {
                    xorshift(&mut seed) as usize % len
                };
                let mut hasher = Sha256::with_backend(backend);
                hasher.update(&data[..split]);
                hasher.update(&data[split..]);
                assert_eq!(
                    hasher.finalize(),
                    expected,
                    "{backend:?}, length {len} split {split}"
                );
            }
        }
    }

    #[test]
    fn one_shot_equals_streaming() {
        let data: Vec<u8> = (0..=255).cycle().take(4096 + 17).collect();
        let mut one_shot = Sha256::new();
        one_shot.update(&data);
        let mut hasher = Sha256::new();
        for piece in data.chunks(100) {
            hasher.update(piece);
        }
        assert_eq!(one_shot.finalize(), hasher.finalize());
    }

    #[test]
    fn hex_is_lowercase_and_complete() {
        let mut digest = [0u8; DIGEST_SIZE];
        digest[0] = 0xab;
        digest[31] = 0x0f;
        let hex = to_hex(&digest);
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("ab00"));
        assert!(hex.ends_with("000f"));
    }
}
