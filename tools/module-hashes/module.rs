// SPDX-License-Identifier: GPL-2.0

//! Module files: reading them (decompressed by the standard programs, up to
//! a size limit) and what the kernel makes of them: their digest without a
//! well-formed signature.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::{env, fs, fs::File};

use crate::{elf, io_error, sha256::sha256, Digest, Error, BAD_FORMAT, DECOMPRESS, FAILED};

/// `MODULE_SIGNATURE_MARKER`.
const MARKER: &[u8] = b"~Module signature appended~\n";

/// What the kernel makes of a module file.
pub(crate) struct Module {
    /// The digest the kernel computes.
    pub(crate) digest: Digest,
    /// Whether the file ends with the signature marker.
    pub(crate) signed: bool,
    /// Why the signature trailer is malformed, if it is: the digest is then
    /// of the whole file, and the kernel accepts the module by no digest.
    pub(crate) malformed: Option<&'static str>,
}

/// The size limit in bytes on what a program writes (a decompressed module,
/// the kernels decompressed from an image): `$MODULE_HASHES_MAX_SIZE`, by
/// default 2 GiB.
pub(crate) fn limit() -> u64 {
    let value = env::var("MODULE_HASHES_MAX_SIZE").unwrap_or_default();
    value.parse().unwrap_or(2 << 30).min(u64::MAX - 1)
}

/// The length of `image` without its signature, as the kernel's
/// `module_unsigned_len()` and `mod_check_sig()` find it, or why its
/// signature trailer (`struct module_signature`, then the marker) is
/// malformed.
fn unsigned_len(image: &[u8]) -> Result<usize, &'static str> {
    let Some(rest) = image.strip_suffix(MARKER).filter(|rest| !rest.is_empty()) else {
        return Ok(image.len());
    };
    let info = rest.split_last_chunk::<12>().filter(|(r, _)| !r.is_empty());
    let (rest, info) = info.ok_or("no room for struct module_signature")?;
    let sig_len = u32::from_be_bytes([info[8], info[9], info[10], info[11]]) as usize;
    if sig_len >= rest.len() {
        return Err("sig_len is beyond the file");
    }
    // id_type PKCS#7; algo, hash, signer_len, key_id_len and padding 0.
    if info[..8] != [0, 0, 2, 0, 0, 0, 0, 0] {
        return Err("not PKCS#7, or unexpected non-zero params");
    }
    Ok(rest.len() - sig_len)
}

/// Reads the module at `path` and says what the kernel makes of it.
/// Errors do not name the file.
pub(crate) fn examine(path: &Path) -> Result<Module, Error> {
    let image = load(path)?;
    let trailer = unsigned_len(&image);
    let module = &image[..*trailer.as_ref().unwrap_or(&image.len())];
    elf::check_module(module).map_err(|why| Error(BAD_FORMAT, why))?;
    Ok(Module {
        digest: sha256(module),
        signed: image.len() > MARKER.len() && image.ends_with(MARKER),
        malformed: trailer.err(),
    })
}

/// The module image in the regular file at `path`, decompressed if it
/// starts with the magic of xz, zstd or gzip or, not being ELF, has the
/// extension.
fn load(path: &Path) -> Result<Vec<u8>, Error> {
    let formats: [(&str, &[u8], &str); 3] = [
        ("gzip", b"\x1f\x8b", "gz"),
        ("xz", b"\xfd7zXZ\0", "xz"),
        ("zstd", b"\x28\xb5\x2f\xfd", "zst"),
    ];
    if !fs::metadata(path).map_err(io_error)?.is_file() {
        return Err(Error(FAILED, "not a regular file".into()));
    }
    let (mut magic, file) = (Vec::new(), File::open(path).map_err(io_error)?);
    file.take(6).read_to_end(&mut magic).map_err(io_error)?;
    let extension = path.extension().unwrap_or_default();
    let elf = magic.starts_with(b"\x7fELF");
    let by_magic = formats.iter().find(|format| magic.starts_with(format.1));
    let by_name = formats.iter().find(|format| !elf && extension == format.2);
    let Some((program, ..)) = by_magic.or(by_name) else {
        return fs::read(path).map_err(io_error);
    };
    let (mut command, input) = (Command::new(program), File::open(path).map_err(io_error)?);
    command.arg("-dc").stdin(input);
    let cannot = |why: String| Error(DECOMPRESS, format!("cannot decompress: {why}"));
    run_bounded(command).map_err(cannot)
}

/// What `command` writes on standard output (its standard error is
/// discarded), if it succeeds and writes no more than the size limit.
pub(crate) fn run_bounded(command: Command) -> Result<Vec<u8>, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    match run_capped(command, limit())? {
        (output, status) if status.success() => Ok(output),
        (_, status) => Err(format!("'{program}' failed ({status})")),
    }
}

/// The start of the error of a program that cannot be started.
pub(crate) const CANNOT_RUN: &str = "cannot run";

/// What `command` writes on standard output, up to `cap` bytes, and its
/// exit status.
pub(crate) fn run_capped(mut command: Command, cap: u64) -> Result<(Vec<u8>, ExitStatus), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let spawned = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn();
    let mut child = spawned.map_err(|error| format!("{CANNOT_RUN} '{program}': {error}"))?;
    let mut output = Vec::new();
    // Reads one byte past the cap at most, then closes the pipe (the
    // statement's end drops it).
    let stdout = child.stdout.take().ok_or("no pipe")?;
    let read = stdout.take(cap + 1).read_to_end(&mut output);
    let too_large = output.len() as u64 > cap;
    if too_large {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|error| error.to_string())?;
    read.map_err(|error| format!("reading from '{program}': {error}"))?;
    if too_large {
        let why = "(MODULE_HASHES_MAX_SIZE)";
        return Err(format!("'{program}' wrote more than {cap} bytes {why}"));
    }
    Ok((output, status))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(module: &[u8], signature: &[u8], info: [u8; 8]) -> Vec<u8> {
        let mut file = module.to_vec();
        file.extend_from_slice(signature);
        file.extend_from_slice(&info);
        file.extend_from_slice(&u32::try_from(signature.len()).unwrap().to_be_bytes());
        file.extend_from_slice(MARKER);
        file
    }

    const PKCS7: [u8; 8] = [0, 0, 2, 0, 0, 0, 0, 0];

    #[test]
    fn trailers_as_the_kernel_reads_them() {
        assert_eq!(unsigned_len(b"module"), Ok(6));
        assert_eq!(unsigned_len(MARKER), Ok(MARKER.len()));
        assert_eq!(unsigned_len(&signed(b"module", b"sig", PKCS7)), Ok(6));
        let mut short = vec![0; 12];
        short.extend_from_slice(MARKER);
        assert!(unsigned_len(&short).is_err());
        let mut short = vec![0; 11];
        short.extend_from_slice(MARKER);
        assert!(unsigned_len(&short).is_err());
        // mod_check_sig() wants one byte of module before the signature.
        assert!(unsigned_len(&signed(b"", b"sig", PKCS7)).is_err());
        assert_eq!(unsigned_len(&signed(b"m", b"sig", PKCS7)), Ok(1));
        assert!(unsigned_len(&signed(b"m", b"sig", [0, 0, 1, 0, 0, 0, 0, 0])).is_err());
        for at in [0, 1, 3, 4, 5, 6, 7] {
            let mut info = PKCS7;
            info[at] = 1;
            assert!(unsigned_len(&signed(b"m", b"sig", info)).is_err(), "{at}");
        }
        let mut long = signed(b"module", b"sig", PKCS7);
        let at = long.len() - MARKER.len() - 4;
        long[at..at + 4].copy_from_slice(&[0xff; 4]);
        assert!(unsigned_len(&long).is_err());
    }
}
