// SPDX-License-Identifier: GPL-2.0

//! `module-hashes hash`: print module digests.

use std::io::{self, Write};

use crate::cli::HashArgs;
use crate::error::Error;
use crate::module_digest::{module_digest, sha256sum_line};
use crate::parallel::{self, Threads};

/// Prints the module digest of every file in sha256sum format, or nothing
/// if any file cannot be hashed.
pub(crate) fn run(args: &HashArgs) -> Result<(), Error> {
    let threads = Threads::new(args.jobs);
    let digests = parallel::try_map(&args.files, &threads, |file| module_digest(file))?;
    let listing: String = args
        .files
        .iter()
        .zip(&digests)
        .map(|(file, digest)| sha256sum_line(digest, file))
        .collect();
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(listing.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| Error::Failed(format!("standard output: {error}")))
}
