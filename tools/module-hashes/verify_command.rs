// SPDX-License-Identifier: GPL-2.0

//! `module-hashes verify`: would the kernel accept these modules?

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::cli::VerifyArgs;
use crate::error::Error;
use crate::kernel_table;
use crate::manifest::Manifest;
use crate::module_check::{self, Report};
use crate::module_file;
use crate::parallel::{self, Threads};

/// The manifest file name that `verify` looks for in a directory argument.
const MANIFEST_NAME: &str = "modules.hashes";

/// The module files that the arguments stand for, in argument order, and
/// the first directory argument's manifest, if it has one.
fn expand_arguments(arguments: &[PathBuf]) -> Result<(Vec<PathBuf>, Option<PathBuf>), Error> {
    let mut modules = Vec::new();
    let mut found_manifest = None;
    for argument in arguments {
        let metadata = argument
            .metadata()
            .map_err(|error| Error::io(argument, &error))?;
        if metadata.is_dir() {
            let candidate = argument.join(MANIFEST_NAME);
            if found_manifest.is_none() && candidate.is_file() {
                found_manifest = Some(candidate);
            }
            modules.extend(module_file::find_under(argument)?);
        } else {
            modules.push(argument.clone());
        }
    }
    Ok((modules, found_manifest))
}

/// Writes `text` to standard output.
fn print(text: &str) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| Error::Failed(format!("standard output: {error}")))
}

/// Checks every module and prints a line for each; succeeds only if every
/// module would be accepted.
pub(crate) fn run(args: &VerifyArgs) -> Result<(), Error> {
    let table = kernel_table::read(&args.kernel)?;
    let (modules, found_manifest) = expand_arguments(&args.modules)?;
    let manifest_path: Option<&Path> = args.manifest.as_deref().or(found_manifest.as_deref());
    let manifest = manifest_path.map(Manifest::read).transpose()?;

    // Each module's outcome is its own: one bad file does not stop the
    // others.
    let threads = Threads::new(args.jobs);
    let outcomes: Vec<Result<Report, Error>> = parallel::try_map(&modules, &threads, |module| {
        Ok::<_, Error>(module_check::check(module, &table, manifest.as_ref()))
    })?;

    let mut listing = String::new();
    let mut first_error = None;
    let mut rejected = 0usize;
    for outcome in outcomes {
        match outcome {
            Ok(report) => {
                if !report.accepted() {
                    rejected += 1;
                }
                listing.push_str(&report.line());
                listing.push('\n');
            }
            // The first error is returned, so main prints it last; the
            // others are printed here, each on its line.
            Err(error) if first_error.is_none() => first_error = Some(error),
            Err(error) => {
                print(&listing)?;
                listing.clear();
                let _ = writeln!(
                    io::stderr().lock(),
                    "module-hashes: error: {}",
                    error.message()
                );
            }
        }
    }
    print(&listing)?;

    if let Some(error) = first_error {
        return Err(error);
    }
    if rejected > 0 {
        return Err(Error::Rejected(format!(
            "{rejected} of {} modules would not be accepted by their digests",
            modules.len()
        )));
    }
    Ok(())
}
