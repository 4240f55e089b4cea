// SPDX-License-Identifier: GPL-2.0

//! Cryptographic primitives from the kernel's crypto library.
//!
//! C header: [`include/crypto/sha2.h`](srctree/include/crypto/sha2.h)

#[cfg(CONFIG_CRYPTO_LIB_SHA256 = "y")]
pub mod sha256;
