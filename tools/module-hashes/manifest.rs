// SPDX-License-Identifier: GPL-2.0

//! The `modules.hashes` manifest: what each module's digest was when it was
//! built, one `DIGEST  path/to/foo.ko` line per module, as sha256sum
//! prints.

use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path};

use crate::error::Error;
use crate::sha256::{Digest, DIGEST_SIZE};

/// One line of the manifest.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The digest recorded at build time.
    pub(crate) digest: Digest,
    /// The module's path relative to the object tree.
    pub(crate) path: String,
}

/// The entries of a manifest.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    /// In file order.
    entries: Vec<Entry>,
    /// The indices of the entries by file name (the last component of
    /// their path), in file order: `find` looks only at these.
    by_name: HashMap<String, Vec<usize>>,
}

/// Parses 64 lowercase or uppercase hex digits.
fn parse_hex(text: &str) -> Option<Digest> {
    if text.len() != 2 * DIGEST_SIZE {
        return None;
    }
    let mut digest = [0u8; DIGEST_SIZE];
    for (byte, pair) in digest.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(digest)
}

/// The normal components of `path` (no `.`, `..` or root), as strings.
fn components(path: &Path) -> Vec<&str> {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect()
}

impl Manifest {
    /// Reads and parses the manifest at `path`.  Errors name the file.
    pub(crate) fn read(path: &Path) -> Result<Self, Error> {
        let contents = fs::read(path).map_err(|error| Error::io(path, &error))?;
        Manifest::parse(&contents)
            .map_err(|error| Error::Failed(format!("{}: {error}", path.display())))
    }

    /// The entries, in file order.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Parses the manifest text.  Both sha256sum separators (two spaces,
    /// or space and `*`) are accepted; blank lines are skipped.
    pub(crate) fn parse(contents: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(contents).map_err(|_| "not UTF-8 text".to_string())?;
        let mut entries = Vec::new();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let entry = line
                .split_once(' ')
                .and_then(|(hex, rest)| {
                    let path = rest.strip_prefix([' ', '*'])?;
                    Some(Entry {
                        digest: parse_hex(hex)?,
                        path: path.to_string(),
                    })
                })
                .filter(|entry| !entry.path.is_empty())
                .ok_or_else(|| {
                    format!(
                        "line {}: expected 'SHA256  path/to/module.ko', found '{line}'",
                        number + 1
                    )
                })?;
            entries.push(entry);
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            if let Some(name) = components(Path::new(&entry.path)).last() {
                by_name.entry((*name).to_string()).or_default().push(index);
            }
        }
        Ok(Manifest { entries, by_name })
    }

    /// The entry for the module at `module`, a path ending in `.ko`: the
    /// one whose path and `module` agree on the most trailing components,
    /// where one of them must be a suffix of the other (the manifest says
    /// `lib/test_module.ko`, the installed module is
    /// `/lib/modules/<version>/kernel/lib/test_module.ko`).  `None` if no
    /// entry matches or two match equally well.
    pub(crate) fn find(&self, module: &Path) -> Option<&Entry> {
        let wanted = components(module);
        // An entry with another file name has no trailing component in
        // common with `module`.
        let candidates = wanted
            .last()
            .and_then(|name| self.by_name.get(*name))
            .map_or(&[][..], Vec::as_slice);
        let mut best: Option<(usize, &Entry)> = None;
        let mut tied = false;
        for entry in candidates.iter().map(|&index| &self.entries[index]) {
            let have = components(Path::new(&entry.path));
            let common = wanted
                .iter()
                .rev()
                .zip(have.iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            if common == 0 || common < wanted.len().min(have.len()) {
                continue;
            }
            match best {
                Some((length, _)) if length > common => {}
                Some((length, _)) if length == common => tied = true,
                _ => {
                    best = Some((common, entry));
                    tied = false;
                }
            }
        }
        if tied {
            return None;
        }
        best.map(|(_, entry)| entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn parses_sha256sum_lines() {
        let parsed = manifest(&format!("{A}  lib/a.ko\n\n{B} *drivers/b b.ko\n"));
        assert_eq!(
            parsed.entries,
            [
                Entry {
                    digest: [0xaa; 32],
                    path: "lib/a.ko".into()
                },
                Entry {
                    digest: [0xbb; 32],
                    path: "drivers/b b.ko".into()
                }
            ]
        );
    }

    #[test]
    fn bad_lines_are_errors_with_their_number() {
        for bad in [
            format!("{A}  a.ko\n{A} a.ko\n"),
            format!("{A}  a.ko\n{}  a.ko\n", &A[1..]),
            format!("{A}  a.ko\nzz{}  a.ko\n", &A[2..]),
            format!("{A}  a.ko\n{A}  \n"),
        ] {
            let error = Manifest::parse(bad.as_bytes()).unwrap_err();
            assert!(error.starts_with("line 2: "), "{bad:?}: {error}");
        }
        assert!(Manifest::parse(b"\xff").is_err());
    }

    #[test]
    fn finds_entries_by_path_suffix() {
        let parsed = manifest(&format!(
            "{A}  lib/test_module.ko\n{B}  drivers/net/dummy.ko\n{B}  fs/x/dummy.ko\n"
        ));
        let find = |path: &str| {
            parsed
                .find(Path::new(path))
                .map(|entry| entry.path.as_str())
        };
        assert_eq!(
            find("/lib/modules/7.3.4/kernel/lib/test_module.ko"),
            Some("lib/test_module.ko")
        );
        assert_eq!(find("test_module.ko"), Some("lib/test_module.ko"));
        assert_eq!(find("./lib/test_module.ko"), Some("lib/test_module.ko"));
        assert_eq!(
            find("kernel/drivers/net/dummy.ko"),
            Some("drivers/net/dummy.ko")
        );
        // Both dummy.ko entries match the bare name equally well.
        assert_eq!(find("dummy.ko"), None);
        // The directories disagree.
        assert_eq!(find("kernel/sound/test_module.ko"), None);
        assert_eq!(find("other.ko"), None);
    }
}
