// SPDX-License-Identifier: GPL-2.0

//! `module-hashes list`: print the table of a kernel.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::cli::ListArgs;
use crate::error::Error;
use crate::kernel_table;
use crate::manifest::Manifest;
use crate::sha256::{to_hex, Digest};

/// Prints every digest of the kernel's table, with the manifest's module
/// paths if a manifest is given.
pub(crate) fn run(args: &ListArgs) -> Result<(), Error> {
    let table = kernel_table::read(&args.kernel)?;
    let manifest = args.manifest.as_deref().map(Manifest::read).transpose()?;

    let mut paths: HashMap<&Digest, Vec<&str>> = HashMap::new();
    let mut not_in_table = 0usize;
    for entry in manifest.iter().flat_map(Manifest::entries) {
        if table.contains(&entry.digest) {
            paths.entry(&entry.digest).or_default().push(&entry.path);
        } else {
            not_in_table += 1;
        }
    }

    let mut listing = String::with_capacity(table.count() * 100);
    for digest in &table {
        let hex = to_hex(digest);
        match paths.get(digest) {
            Some(modules) => {
                for module in modules {
                    listing.push_str(&format!("{hex}  {module}\n"));
                }
            }
            None => listing.push_str(&format!("{hex}\n")),
        }
    }
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(listing.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| Error::Failed(format!("standard output: {error}")))?;
    if not_in_table > 0 {
        let _ = writeln!(
            io::stderr().lock(),
            "module-hashes: warning: {not_in_table} modules.hashes entries are not in the table \
             (is the manifest from another build?)"
        );
    }
    Ok(())
}
