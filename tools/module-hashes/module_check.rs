// SPDX-License-Identifier: GPL-2.0

//! Whether the kernel would accept a module by its digest, and why not.

use std::path::{Path, PathBuf};

use crate::elf;
use crate::error::Error;
use crate::json;
use crate::manifest::Manifest;
use crate::module_file::{self, built_path};
use crate::sha256::{to_hex, Digest, Sha256};
use crate::signature;
use crate::table::Table;

/// What the kernel would make of a module.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Its digest is in the table.
    Accepted,
    /// Its digest is in neither the table nor the manifest entry for its
    /// path (or there is no such entry).
    Unknown,
    /// The manifest records this very digest for its path, but the table
    /// does not have it: the manifest is not from this kernel's build.
    ManifestMismatch,
    /// The manifest's entry for its path has another digest: the file was
    /// changed after the build.
    Modified {
        /// The digest recorded at build time.
        recorded: Digest,
    },
    /// Like `Modified`, and the file looks stripped: `evidence` says why
    /// (a heuristic).
    Stripped {
        /// The digest recorded at build time.
        recorded: Digest,
        /// What makes it look stripped.
        evidence: StripEvidence,
    },
}

/// Sections whose absence suggests that a module was stripped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StripEvidence {
    /// No `.symtab`: every module is built with one (and the kernel needs
    /// it), so the module was stripped.
    NoSymbols,
    /// No `.debug_*` sections: stripped of debug information, or built
    /// without it and changed in some other way.
    NoDebugInfo,
}

impl StripEvidence {
    /// What the evidence suggests happened.
    fn explanation(self) -> &'static str {
        match self {
            StripEvidence::NoSymbols => "stripped",
            StripEvidence::NoDebugInfo => "stripped of debug information or otherwise modified",
        }
    }
}

impl std::fmt::Display for StripEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StripEvidence::NoSymbols => "no .symtab",
            StripEvidence::NoDebugInfo => "no debug sections",
        })
    }
}

/// The verdict on one module file, with what it is based on.
#[derive(Debug)]
pub(crate) struct Report {
    /// The module file.
    pub(crate) path: PathBuf,
    /// Its digest as the kernel computes it.
    pub(crate) digest: Digest,
    /// Whether it carries a module signature.
    pub(crate) signed: bool,
    /// The manifest path matched, if any.
    pub(crate) manifest_path: Option<String>,
    /// The outcome.
    pub(crate) verdict: Verdict,
}

impl Report {
    /// Whether the kernel would accept the module by its digest.
    pub(crate) fn accepted(&self) -> bool {
        self.verdict == Verdict::Accepted
    }

    /// The verdict as `verify --json` names it: `known` (accepted by its
    /// digest), `unknown`, `manifest-mismatch`, `modified` or `stripped`
    /// (all four not known, so they need a valid signature to load).
    pub(crate) fn status(&self) -> &'static str {
        match self.verdict {
            Verdict::Accepted => "known",
            Verdict::Unknown => "unknown",
            Verdict::ManifestMismatch => "manifest-mismatch",
            Verdict::Modified { .. } => "modified",
            Verdict::Stripped { .. } => "stripped",
        }
    }

    /// Its `verify --json` line (see [`json_line`]).
    pub(crate) fn json_line(&self) -> String {
        json_line(
            &self.path.to_string_lossy(),
            self.status(),
            &self.digest,
            self.signed,
            self.manifest_path.as_deref(),
        )
    }

    /// One line: `OK` or `REJECTED`, the path, and why.
    pub(crate) fn line(&self) -> String {
        let path = self.path.display();
        let digest = to_hex(&self.digest);
        let entry = self.manifest_path.as_deref().unwrap_or("?");
        match &self.verdict {
            Verdict::Accepted if self.signed => format!(
                "OK        {path}: signature present but not needed (accepted by its digest)"
            ),
            Verdict::Accepted => format!("OK        {path}"),
            Verdict::Unknown => format!(
                "REJECTED  {path}: unknown digest {digest}{}",
                if self.manifest_path.is_some() {
                    ""
                } else {
                    " (and no modules.hashes entry for this path)"
                }
            ),
            Verdict::ManifestMismatch => format!(
                "REJECTED  {path}: unknown digest {digest}; modules.hashes lists it for {entry}, \
                 so that manifest is not from this kernel's build"
            ),
            Verdict::Modified { recorded } => format!(
                "REJECTED  {path}: modified after the build: digest {digest}, modules.hashes \
                 has {} for {entry}",
                to_hex(recorded)
            ),
            Verdict::Stripped { recorded, evidence } => format!(
                "REJECTED  {path}: {} after the build ({evidence}; a heuristic): digest \
                 {digest}, modules.hashes has {} for {entry}",
                evidence.explanation(),
                to_hex(recorded)
            ),
        }
    }
}

/// The `verify --json` line of a module, with its newline: `path`,
/// `status`, `digest`, `signed` and `manifest_path`, in that order.
pub(crate) fn json_line(
    path: &str,
    status: &str,
    digest: &Digest,
    signed: bool,
    manifest_path: Option<&str>,
) -> String {
    json::Object::new()
        .string("path", path)
        .string("status", status)
        .string("digest", &to_hex(digest))
        .bool("signed", signed)
        .optional_string("manifest_path", manifest_path)
        .line()
}

/// Why a module that differs from its manifest entry looks stripped, if it
/// does.
fn stripped_evidence(sections: &[String]) -> Option<StripEvidence> {
    if !sections.iter().any(|name| name == ".symtab") {
        return Some(StripEvidence::NoSymbols);
    }
    if !sections.iter().any(|name| name.starts_with(".debug_")) {
        return Some(StripEvidence::NoDebugInfo);
    }
    None
}

/// Checks the module at `path` against `table`, explaining a rejection
/// with `manifest` if there is one.  An `Err` is a file that cannot be
/// checked at all (missing, not ELF, corrupt compression or signature).
pub(crate) fn check(
    path: &Path,
    table: &Table,
    manifest: Option<&Manifest>,
) -> Result<Report, Error> {
    let name = path.display().to_string();
    let image = module_file::read(path)?;
    let tail = &image[image.len().saturating_sub(signature::TAIL_SIZE)..];
    let module_len = signature::unsigned_len(image.len(), tail)
        .map_err(|error| Error::NotElf(format!("{name}: {error}")))?;
    let module = &image[..module_len];
    let signed = module.len() != image.len();
    elf::check_module(module, module.len())
        .map_err(|error| Error::NotElf(format!("{name}: {error}")))?;
    let mut hasher = Sha256::new();
    hasher.update(module);
    let digest = hasher.finalize();

    let entry = manifest.and_then(|manifest| manifest.find(&built_path(path)));
    let verdict = if table.contains(&digest) {
        Verdict::Accepted
    } else {
        match entry {
            None => Verdict::Unknown,
            Some(entry) if entry.digest == digest => Verdict::ManifestMismatch,
            Some(entry) => {
                let sections: Vec<String> = elf::sections(module)
                    .unwrap_or_default()
                    .iter()
                    .map(|section| String::from_utf8_lossy(&section.name).into_owned())
                    .collect();
                match stripped_evidence(&sections) {
                    Some(evidence) => Verdict::Stripped {
                        recorded: entry.digest,
                        evidence,
                    },
                    None => Verdict::Modified {
                        recorded: entry.digest,
                    },
                }
            }
        }
    };
    Ok(Report {
        path: path.to_path_buf(),
        digest,
        signed,
        manifest_path: entry.map(|entry| entry.path.clone()),
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn stripped_heuristic() {
        assert_eq!(
            stripped_evidence(&names(&[".text"])),
            Some(StripEvidence::NoSymbols)
        );
        assert_eq!(
            stripped_evidence(&names(&[".text", ".symtab"])),
            Some(StripEvidence::NoDebugInfo)
        );
        assert_eq!(stripped_evidence(&names(&[".symtab", ".debug_info"])), None);
    }
}
