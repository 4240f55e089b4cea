// SPDX-License-Identifier: GPL-2.0

//! The digest of one module file, as the kernel computes it.

use std::fs;
use std::path::Path;

use crate::elf;
use crate::sha256::{self, Digest};
use crate::signature;

/// Returns the SHA-256 of the module at `path` without its appended
/// signature, after checking that what remains is an ELF relocatable
/// object.  Errors name the file.
pub(crate) fn module_digest(path: &Path) -> Result<Digest, String> {
    let name = path.display();
    let file = fs::read(path).map_err(|error| format!("{name}: {error}"))?;
    let module = signature::strip(&file).map_err(|error| format!("{name}: {error}"))?;
    elf::check_module(module).map_err(|error| format!("{name}: {error}"))?;
    Ok(sha256::digest(module))
}

/// Formats one line as sha256sum prints it: hex digest, two spaces, name.
pub(crate) fn sha256sum_line(digest: &Digest, name: &Path) -> String {
    format!("{}  {}\n", sha256::to_hex(digest), name.display())
}
