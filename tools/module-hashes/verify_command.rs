// SPDX-License-Identifier: GPL-2.0

//! `module-hashes verify`: would the kernel accept these modules?

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::cli::VerifyArgs;
use crate::error::Error;
use crate::json;
use crate::kernel_table;
use crate::manifest::{Entry, Manifest};
use crate::module_check::{self, Report};
use crate::module_file::{self, built_path};
use crate::parallel::{self, Threads};

/// The manifest file name that `verify` looks for in a directory argument.
const MANIFEST_NAME: &str = "modules.hashes";

/// What the arguments stand for.
struct Expanded {
    /// The module files, in argument order.
    modules: Vec<PathBuf>,
    /// The first directory argument's manifest, if it has one.
    manifest: Option<PathBuf>,
    /// Whether some argument is a directory: a tree of modules, where
    /// every module of the manifest is expected.
    has_directory: bool,
}

/// The module files that the arguments stand for.
fn expand_arguments(arguments: &[PathBuf]) -> Result<Expanded, Error> {
    let mut expanded = Expanded {
        modules: Vec::new(),
        manifest: None,
        has_directory: false,
    };
    for argument in arguments {
        let metadata = argument
            .metadata()
            .map_err(|error| Error::io(argument, &error))?;
        if metadata.is_dir() {
            expanded.has_directory = true;
            let candidate = argument.join(MANIFEST_NAME);
            if expanded.manifest.is_none() && candidate.is_file() {
                expanded.manifest = Some(candidate);
            }
            expanded.modules.extend(module_file::find_under(argument)?);
        } else {
            expanded.modules.push(argument.clone());
        }
    }
    Ok(expanded)
}

/// Writes `text` to standard output.
fn print(text: &str) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| Error::Failed(format!("standard output: {error}")))
}

/// The JSON line of a module that cannot be checked: its path, status
/// `error`, and the error message without the path in front.
fn error_json_line(module: &Path, error: &Error) -> String {
    let path = module.to_string_lossy();
    let message = error.message();
    let message = message
        .strip_prefix(&*module.display().to_string())
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(message);
    json::Object::new()
        .string("path", &path)
        .string("status", "error")
        .string("error", message)
        .line()
}

/// The line of a manifest entry whose module is not among those checked.
fn missing_line(entry: &Entry, as_json: bool) -> String {
    if as_json {
        module_check::json_line(
            &entry.path,
            "missing",
            &entry.digest,
            false,
            Some(&entry.path),
        )
    } else {
        format!(
            "MISSING   {}: listed in {MANIFEST_NAME}, not found\n",
            entry.path
        )
    }
}

/// Checks every module and prints a line for each, then one for each
/// module of the manifest that is missing from the directories given;
/// succeeds only if every module would be accepted.
pub(crate) fn run(args: &VerifyArgs) -> Result<(), Error> {
    let table = kernel_table::read(&args.kernel)?;
    let expanded = expand_arguments(&args.modules)?;
    let modules = &expanded.modules;
    let manifest_path: Option<&Path> = args.manifest.as_deref().or(expanded.manifest.as_deref());
    let manifest = manifest_path.map(Manifest::read).transpose()?;

    // Each module's outcome is its own: one bad file does not stop the
    // others.
    let threads = Threads::new(args.jobs);
    let outcomes: Vec<Result<Report, Error>> = parallel::try_map(modules, &threads, |module| {
        Ok::<_, Error>(module_check::check(module, &table, manifest.as_ref()))
    })?;

    // The manifest entries that some module file stands for, checked or
    // not: found by the same lookup as the explanations.
    let mut found: HashSet<String> = HashSet::new();
    let mut listing = String::new();
    let mut first_error = None;
    let mut rejected = 0usize;
    for (module, outcome) in modules.iter().zip(outcomes) {
        match outcome {
            Ok(report) => {
                if let Some(path) = &report.manifest_path {
                    found.insert(path.clone());
                }
                if !report.accepted() {
                    rejected += 1;
                }
                if args.json {
                    listing.push_str(&report.json_line());
                } else {
                    listing.push_str(&report.line());
                    listing.push('\n');
                }
            }
            Err(error) => {
                if let Some(entry) = manifest
                    .as_ref()
                    .and_then(|manifest| manifest.find(&built_path(module)))
                {
                    found.insert(entry.path.clone());
                }
                if args.json {
                    listing.push_str(&error_json_line(module, &error));
                    first_error.get_or_insert(error);
                } else if first_error.is_none() {
                    // The first error is returned, so main prints it last;
                    // the others are printed here, each on its line.
                    first_error = Some(error);
                } else {
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
    }

    // Only a tree says which modules should be there: single files are
    // checked with the manifest only to explain rejections.
    if expanded.has_directory {
        for entry in manifest.iter().flat_map(Manifest::entries) {
            if !found.contains(entry.path.as_str()) {
                listing.push_str(&missing_line(entry, args.json));
            }
        }
    }
    print(&listing)?;

    let outcome = if let Some(error) = first_error {
        Err(error)
    } else if rejected > 0 {
        Err(Error::Rejected(format!(
            "{rejected} of {} modules would not be accepted by their digests",
            modules.len()
        )))
    } else {
        Ok(())
    };
    // The JSON lines say it all.
    outcome.map_err(|error| {
        if args.json {
            Error::Reported(Box::new(error))
        } else {
            error
        }
    })
}
