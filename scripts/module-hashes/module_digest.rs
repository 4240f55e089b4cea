// SPDX-License-Identifier: GPL-2.0

//! The digest of one module file, as the kernel computes it.
//!
//! The file is streamed through a buffer that each thread reuses from one
//! module to the next: no module is ever held in memory as a whole, and
//! the data is hashed while it is still in the CPU's cache.
//!
//! tools/module-hashes builds this file too (`#[path]`).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::elf;
use crate::sha256::{self, Digest, Sha256};
use crate::signature::{self, TAIL_SIZE};

/// Size of each thread's read buffer: large enough for few system calls,
/// small enough to stay in the CPU's L2 cache.
const BUFFER_SIZE: usize = 128 * 1024;

thread_local! {
    /// Each thread's read buffer.
    static READ_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Reads into `buffer` until it is full or the file ends; returns the
/// number of bytes read.  A short count means the file ended early.
fn read_full(file: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Streams the module in `file` through `buffer` and returns its digest.
fn digest_file(file: &mut File, buffer: &mut [u8]) -> Result<Digest, String> {
    let file_len = usize::try_from(file.metadata().map_err(|error| error.to_string())?.len())
        .map_err(|_| "file too large".to_string())?;
    let changed = || "the file changed while it was read".to_string();
    let head_len = file_len.min(buffer.len());
    if read_full(file, &mut buffer[..head_len]).map_err(|error| error.to_string())? != head_len {
        return Err(changed());
    }

    // The signature trailer is at the end: in the buffer already for a
    // small file, else read on its own.
    let mut tail_buffer = [0u8; TAIL_SIZE];
    let tail = if file_len <= buffer.len() {
        &buffer[file_len.saturating_sub(TAIL_SIZE)..file_len]
    } else {
        let offset = u64::try_from(file_len - TAIL_SIZE).map_err(|_| changed())?;
        file.read_exact_at(&mut tail_buffer, offset)
            .map_err(|error| error.to_string())?;
        &tail_buffer[..]
    };
    let module_len = signature::unsigned_len(file_len, tail).map_err(|error| error.to_string())?;
    elf::check_module(&buffer[..head_len], module_len)?;

    let mut hasher = Sha256::new();
    let mut hashed = head_len.min(module_len);
    hasher.update(&buffer[..hashed]);
    // The signature itself is never read.
    while hashed < module_len {
        let want = buffer.len().min(module_len - hashed);
        if read_full(file, &mut buffer[..want]).map_err(|error| error.to_string())? != want {
            return Err(changed());
        }
        hasher.update(&buffer[..want]);
        hashed += want;
    }
    Ok(hasher.finalize())
}

/// Returns the SHA-256 of the module at `path` without its appended
/// signature, after checking that what remains is an ELF relocatable
/// object.  Errors name the file.
pub(crate) fn module_digest(path: &Path) -> Result<Digest, String> {
    READ_BUFFER.with_borrow_mut(|buffer| {
        buffer.resize(BUFFER_SIZE, 0);
        File::open(path)
            .map_err(|error| error.to_string())
            .and_then(|mut file| digest_file(&mut file, buffer))
            .map_err(|error| format!("{}: {error}", path.display()))
    })
}

/// Formats one line as sha256sum prints it: hex digest, two spaces, name.
pub(crate) fn sha256sum_line(digest: &Digest, name: &Path) -> String {
    format!("{}  {}\n", sha256::to_hex(digest), name.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest module `elf::check_module` accepts: a 64-bit
    /// little-endian relocatable ELF header whose section header table, at
    /// offset 64, is the null section header alone.
    fn smallest_module() -> Vec<u8> {
        let mut module = vec![0u8; 128];
        module[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        module[16] = 1; // e_type: ET_REL
        module[40] = 64; // e_shoff
        module[52] = 64; // e_ehsize
        module[58] = 64; // e_shentsize
        module[60] = 1; // e_shnum
        module
    }

    /// A module of `size` bytes more than the smallest, and the file with
    /// `signature` appended, if not empty, as sign-file does.
    fn module_file(size: usize, signature: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut module = smallest_module();
        module.resize(module.len() + size, 0x5a);
        let mut file = module.clone();
        if !signature.is_empty() {
            file.extend_from_slice(signature);
            file.extend_from_slice(&[0, 0, 2, 0, 0, 0, 0, 0]);
            file.extend_from_slice(&u32::try_from(signature.len()).unwrap().to_be_bytes());
            file.extend_from_slice(b"~Module signature appended~\n");
        }
        (module, file)
    }

    fn sha256_of(data: &[u8]) -> Digest {
        let mut hasher = Sha256::new();
        hasher.update(data);
        hasher.finalize()
    }

    #[test]
    fn streamed_digest_matches_the_whole_file_digest_at_every_size() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("m.ko");
        // Around the buffer size, where the head, the tail and the
        // signature fall in different reads.
        for size in [
            0,
            100,
            BUFFER_SIZE - 400,
            BUFFER_SIZE - 30,
            BUFFER_SIZE,
            3 * BUFFER_SIZE + 7,
        ] {
            for signature in [&b""[..], &[0x30; 700]] {
                let (module, file) = module_file(size, signature);
                std::fs::write(&path, &file).unwrap();
                assert_eq!(
                    module_digest(&path),
                    Ok(sha256_of(&module)),
                    "size {size}, signature {}",
                    signature.len()
                );
            }
        }
    }

    #[test]
    fn errors_name_the_file() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("bad.ko");
        std::fs::write(&path, b"not ELF").unwrap();
        let error = module_digest(&path).unwrap_err();
        assert!(error.ends_with("bad.ko: not an ELF file"), "{error}");
        let missing = directory.path().join("missing.ko");
        assert!(module_digest(&missing)
            .unwrap_err()
            .contains("missing.ko: "));
        // A signature that leaves no room for the module.
        let (_, mut file) = module_file(0, &[0x30; 10]);
        file.drain(..128);
        std::fs::write(&path, &file).unwrap();
        let error = module_digest(&path).unwrap_err();
        assert!(
            error.contains("bad.ko: malformed module signature"),
            "{error}"
        );
    }

    #[test]
    fn manifest_lines() {
        let line = sha256sum_line(&[0xab; 32], Path::new("lib/foo.ko"));
        assert_eq!(line, format!("{}  lib/foo.ko\n", "ab".repeat(32)));
    }
}
