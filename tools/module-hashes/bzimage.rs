// SPDX-License-Identifier: GPL-2.0

//! The ELF vmlinux inside an x86 bzImage.
//!
//! A bzImage is the real-mode setup code, whose header describes the rest
//! (`Documentation/arch/x86/boot.rst`), then the protected-mode code at
//! `(setup_sects + 1) * 512`.  Since boot protocol 2.08 the header gives
//! the compressed kernel's place in the protected-mode code:
//! `payload_offset` and `payload_length`.  The payload is the ELF
//! `vmlinux.bin` (plus relocations) compressed with one of the kernel's
//! methods; every method but gzip appends the 32-bit uncompressed size.

use crate::decompress::Format;

/// Offset of `setup_sects`.
const SETUP_SECTS_AT: usize = 0x1f1;
/// Offset of `boot_flag`, 0xaa55.
const BOOT_FLAG_AT: usize = 0x1fe;
/// Offset of the header magic `HdrS`.
const HEADER_MAGIC_AT: usize = 0x202;
/// Offset of the boot protocol `version`.
const VERSION_AT: usize = 0x206;
/// Offset of `payload_offset`.
const PAYLOAD_OFFSET_AT: usize = 0x248;
/// Offset of `payload_length`.
const PAYLOAD_LENGTH_AT: usize = 0x24c;
/// The first boot protocol with the payload fields.
const PAYLOAD_VERSION: u16 = 0x0208;
/// Size of a sector of setup code.
const SECTOR_SIZE: usize = 512;
/// Bytes of uncompressed size appended after the compressed data.
const SIZE_APPENDED: usize = 4;

/// Whether `image` starts with an x86 boot sector and setup header.
pub(crate) fn is_bzimage(image: &[u8]) -> bool {
    image.get(BOOT_FLAG_AT..BOOT_FLAG_AT + 2) == Some(&[0x55, 0xaa][..])
        && image.get(HEADER_MAGIC_AT..HEADER_MAGIC_AT + 4) == Some(&b"HdrS"[..])
}

/// A little-endian integer at `at`, if the image is that long.
fn read_le<const N: usize>(image: &[u8], at: usize) -> Option<[u8; N]> {
    image.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// The compressed payload of a bzImage, without the appended size, and its
/// format.
pub(crate) fn payload(image: &[u8]) -> Result<(Format, &[u8]), String> {
    if !is_bzimage(image) {
        return Err("not an x86 bzImage (no boot sector with a HdrS setup header)".to_string());
    }
    let truncated = || "truncated bzImage setup header".to_string();
    let version = u16::from_le_bytes(read_le(image, VERSION_AT).ok_or_else(truncated)?);
    if version < PAYLOAD_VERSION {
        return Err(format!(
            "bzImage boot protocol {}.{:02} is older than 2.08 and does not say where the \
             kernel is",
            version >> 8,
            version & 0xff
        ));
    }
    // setup_sects 0 means 4, for very old boot loaders.
    let setup_sects = match image[SETUP_SECTS_AT] {
        0 => 4,
        sects => usize::from(sects),
    };
    let offset = u32::from_le_bytes(read_le(image, PAYLOAD_OFFSET_AT).ok_or_else(truncated)?);
    let length = u32::from_le_bytes(read_le(image, PAYLOAD_LENGTH_AT).ok_or_else(truncated)?);
    let start = usize::try_from(offset)
        .ok()
        .and_then(|offset| offset.checked_add((setup_sects + 1) * SECTOR_SIZE));
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    let payload = start
        .and_then(|start| image.get(start..start.checked_add(length)?))
        .ok_or_else(|| {
            format!(
                "bzImage payload (offset {offset:#x}, length {length:#x}) extends past the \
                 end of the file ({:#x} bytes)",
                image.len()
            )
        })?;
    let format = Format::detect(payload).ok_or_else(|| {
        "bzImage payload is not compressed in a format this tool knows \
         (gzip, xz, zstd, lz4, bzip2, lzma, lzo)"
            .to_string()
    })?;
    let compressed = match format {
        Format::Gzip => payload,
        _ => payload
            .get(..payload.len().saturating_sub(SIZE_APPENDED))
            .unwrap_or(payload),
    };
    Ok((format, compressed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bzImage with `setup_sects` and `payload` after the setup code.
    fn bzimage(setup_sects: u8, payload: &[u8]) -> Vec<u8> {
        let setup_size = (usize::from(setup_sects) + 1) * SECTOR_SIZE;
        let mut image = vec![0u8; setup_size + 100];
        image[SETUP_SECTS_AT] = setup_sects;
        image[BOOT_FLAG_AT..BOOT_FLAG_AT + 2].copy_from_slice(&[0x55, 0xaa]);
        image[HEADER_MAGIC_AT..HEADER_MAGIC_AT + 4].copy_from_slice(b"HdrS");
        image[VERSION_AT..VERSION_AT + 2].copy_from_slice(&0x020fu16.to_le_bytes());
        image[PAYLOAD_OFFSET_AT..PAYLOAD_OFFSET_AT + 4].copy_from_slice(&100u32.to_le_bytes());
        let length = u32::try_from(payload.len()).unwrap();
        image[PAYLOAD_LENGTH_AT..PAYLOAD_LENGTH_AT + 4].copy_from_slice(&length.to_le_bytes());
        image.extend_from_slice(payload);
        image.extend_from_slice(b"trailing setup data");
        image
    }

    #[test]
    fn finds_the_payload_and_drops_the_size() {
        let image = bzimage(27, b"\xfd7zXZ\0xz dataSIZE");
        assert_eq!(payload(&image), Ok((Format::Xz, &b"\xfd7zXZ\0xz data"[..])));
        let image = bzimage(4, b"\x1f\x8bgzip data");
        assert_eq!(
            payload(&image),
            Ok((Format::Gzip, &b"\x1f\x8bgzip data"[..]))
        );
    }

    #[test]
    fn bad_bzimages_are_errors() {
        assert!(payload(b"\x7fELF")
            .unwrap_err()
            .contains("not an x86 bzImage"));
        let unknown = bzimage(4, b"plain data");
        assert!(payload(&unknown)
            .unwrap_err()
            .contains("not compressed in a format"));

        let mut old = bzimage(4, b"\x1f\x8b");
        old[VERSION_AT..VERSION_AT + 2].copy_from_slice(&0x0206u16.to_le_bytes());
        assert!(payload(&old).unwrap_err().contains("older than 2.08"));

        let mut long = bzimage(4, b"\x1f\x8b");
        long[PAYLOAD_LENGTH_AT..PAYLOAD_LENGTH_AT + 4].copy_from_slice(&[0xff; 4]);
        assert!(payload(&long).unwrap_err().contains("extends past the end"));
        for len in 0..long.len() {
            let _ = payload(&long[..len]);
        }
    }
}
