// SPDX-License-Identifier: GPL-2.0

//! Cryptographic primitives from the kernel's crypto library.

#[cfg(CONFIG_RUST_CRYPTO_LIB_SHA256)]
pub mod sha2;
