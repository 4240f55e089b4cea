// SPDX-License-Identifier: GPL-2.0

//! Removal of an appended module signature before hashing.
//!
//! A signed module is the module as built, then the signature data, a
//! `struct module_signature` and the marker (see
//! `include/uapi/linux/module_signature.h` and `scripts/sign-file.c`).  The
//! digest covers only the module as built, so that signing after hashing
//! keeps the digest valid.  The trailer is checked the way the kernel's
//! `mod_check_sig()` checks it, so that the kernel and this tool agree on
//! where the module ends.
//!
//! tools/module-hashes builds this file too (`#[path]`).

use std::fmt;

/// `MODULE_SIGNATURE_MARKER`.
const MARKER: &[u8] = b"~Module signature appended~\n";

/// `sizeof(struct module_signature)`.
const INFO_SIZE: usize = 12;

/// `MODULE_SIGNATURE_TYPE_PKCS7`.
const ID_TYPE_PKCS7: u8 = 2;

/// Why a signature trailer was rejected.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TrailerError {
    /// The marker is there but `struct module_signature` does not fit.
    Truncated {
        /// Bytes before the marker.
        available: usize,
    },
    /// `sig_len` leaves no module before the signature.
    SignatureTooLong {
        /// `sig_len` from the trailer.
        sig_len: u32,
        /// Bytes before `struct module_signature`.
        available: usize,
    },
    /// `id_type` is not PKCS#7.
    NotPkcs7 {
        /// `id_type` from the trailer.
        id_type: u8,
    },
    /// `algo`, `hash`, `signer_len`, `key_id_len` or the padding is not zero.
    NonZeroParams,
}

impl fmt::Display for TrailerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrailerError::Truncated { available } => write!(
                f,
                "malformed module signature: {available} bytes before the marker, \
                 struct module_signature needs {INFO_SIZE}"
            ),
            TrailerError::SignatureTooLong { sig_len, available } => write!(
                f,
                "malformed module signature: sig_len {sig_len} does not fit \
                 in the {available} bytes before struct module_signature"
            ),
            TrailerError::NotPkcs7 { id_type } => write!(
                f,
                "malformed module signature: id_type {id_type} is not PKCS#7 ({ID_TYPE_PKCS7})"
            ),
            TrailerError::NonZeroParams => write!(
                f,
                "malformed module signature: PKCS#7 signature info has unexpected \
                 non-zero params"
            ),
        }
    }
}

/// How many bytes at the end of a file `unsigned_len` needs: the marker
/// and `struct module_signature`.
pub(crate) const TAIL_SIZE: usize = MARKER.len() + INFO_SIZE;

/// The length of a file of `file_len` bytes without its appended
/// signature, from `tail`, its last `TAIL_SIZE` bytes (all of it if it is
/// shorter).
pub(crate) fn unsigned_len(file_len: usize, tail: &[u8]) -> Result<usize, TrailerError> {
    let Some(info_and_marker) = tail.strip_suffix(MARKER) else {
        return Ok(file_len);
    };
    let before_marker = file_len - MARKER.len();
    let Some((_, info)) = info_and_marker.split_last_chunk::<INFO_SIZE>() else {
        return Err(TrailerError::Truncated {
            available: before_marker,
        });
    };
    let [algo, hash, id_type, signer_len, key_id_len, pad0, pad1, pad2, s0, s1, s2, s3] = *info;
    let sig_len = u32::from_be_bytes([s0, s1, s2, s3]);
    let info_start = before_marker - INFO_SIZE;

    // Same checks, in the same order, as mod_check_sig(): the kernel wants
    // at least one byte of module before the signature.
    let sig_len_bytes = usize::try_from(sig_len).unwrap_or(usize::MAX);
    if sig_len_bytes >= info_start {
        return Err(TrailerError::SignatureTooLong {
            sig_len,
            available: info_start,
        });
    }
    if id_type != ID_TYPE_PKCS7 {
        return Err(TrailerError::NotPkcs7 { id_type });
    }
    if [algo, hash, signer_len, key_id_len, pad0, pad1, pad2] != [0; 7] {
        return Err(TrailerError::NonZeroParams);
    }

    // signer_len and key_id_len are zero for PKCS#7, but the layout puts the
    // signer's name and key id before the signature data, so count them.
    let trailer_data = sig_len_bytes + usize::from(signer_len) + usize::from(key_id_len);
    Ok(info_start - trailer_data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends a trailer the way sign-file does, with the given info block.
    fn sign(module: &[u8], signature: &[u8], info: [u8; 8]) -> Vec<u8> {
        let mut file = module.to_vec();
        file.extend_from_slice(signature);
        file.extend_from_slice(&info);
        file.extend_from_slice(&u32::try_from(signature.len()).unwrap().to_be_bytes());
        file.extend_from_slice(MARKER);
        file
    }

    const PKCS7_INFO: [u8; 8] = [0, 0, ID_TYPE_PKCS7, 0, 0, 0, 0, 0];

    /// `file` without its appended signature, as `unsigned_len` finds it
    /// from the file's last `TAIL_SIZE` bytes.
    fn strip(file: &[u8]) -> Result<&[u8], TrailerError> {
        let tail = &file[file.len().saturating_sub(TAIL_SIZE)..];
        Ok(&file[..unsigned_len(file.len(), tail)?])
    }

    #[test]
    fn unsigned_file_is_unchanged() {
        let file = b"\x7fELF and the rest of a module";
        assert_eq!(strip(file), Ok(&file[..]));
        assert_eq!(strip(b""), Ok(&b""[..]));
    }

    #[test]
    fn signature_is_removed() {
        let module = b"\x7fELF module bytes";
        let signed = sign(module, &[0x30; 300], PKCS7_INFO);
        assert_eq!(strip(&signed), Ok(&module[..]));
    }

    #[test]
    fn marker_without_room_for_the_info_block() {
        let mut file = b"short".to_vec();
        file.extend_from_slice(MARKER);
        assert_eq!(strip(&file), Err(TrailerError::Truncated { available: 5 }));
        assert_eq!(strip(MARKER), Err(TrailerError::Truncated { available: 0 }));
    }

    #[test]
    fn signature_longer_than_the_file() {
        let mut signed = sign(b"module", &[1; 10], PKCS7_INFO);
        let len_at = signed.len() - MARKER.len() - 4;
        signed[len_at..len_at + 4].copy_from_slice(&1000u32.to_be_bytes());
        assert_eq!(
            strip(&signed),
            Err(TrailerError::SignatureTooLong {
                sig_len: 1000,
                available: 16
            })
        );
    }

    #[test]
    fn signature_must_leave_some_module() {
        // mod_check_sig() rejects sig_len == file_len - sizeof(info).
        let signed = sign(b"", &[1; 10], PKCS7_INFO);
        assert!(matches!(
            strip(&signed),
            Err(TrailerError::SignatureTooLong { sig_len: 10, .. })
        ));
    }

    #[test]
    fn id_type_must_be_pkcs7() {
        let signed = sign(b"module", &[1; 10], [0, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(strip(&signed), Err(TrailerError::NotPkcs7 { id_type: 1 }));
    }

    #[test]
    fn other_params_must_be_zero() {
        for field in [0, 1, 3, 4, 5, 6, 7] {
            let mut info = PKCS7_INFO;
            info[field] = 1;
            let signed = sign(b"module", &[1; 10], info);
            assert_eq!(
                strip(&signed),
                Err(TrailerError::NonZeroParams),
                "field {field}"
            );
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let text = TrailerError::NotPkcs7 { id_type: 1 }.to_string();
        assert!(text.contains("malformed module signature"), "{text}");
        assert!(text.contains("PKCS#7"), "{text}");
    }
}
