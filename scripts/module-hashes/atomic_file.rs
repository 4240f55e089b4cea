// SPDX-License-Identifier: GPL-2.0

//! Replacing a file all at once.
//!
//! The new contents go to a temporary file in the target's directory, which
//! is then renamed over the target, so a reader (or make, after an error)
//! sees either the old file or the complete new one.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A complete temporary file waiting to replace its target.  Dropping it
/// without `commit` removes it.
#[derive(Debug)]
pub(crate) struct StagedFile {
    /// The temporary file, in the target's directory.
    temp: PathBuf,
    /// The file it replaces.
    target: PathBuf,
    /// Set once the rename has happened, so that drop leaves it alone.
    committed: bool,
}

impl StagedFile {
    /// Writes `contents` to a new temporary file next to `target`, with
    /// `permissions` if given.
    pub(crate) fn create(
        target: &Path,
        contents: &[u8],
        permissions: Option<Permissions>,
    ) -> Result<Self, String> {
        let (mut file, temp) = create_temp(target).map_err(|error| {
            format!(
                "{}: cannot create a temporary file: {error}",
                target.display()
            )
        })?;
        let staged = StagedFile {
            temp,
            target: target.to_path_buf(),
            committed: false,
        };
        let written = match permissions {
            Some(permissions) => file.set_permissions(permissions),
            None => Ok(()),
        }
        .and_then(|()| file.write_all(contents))
        .and_then(|()| file.flush());
        written.map_err(|error| format!("{}: {error}", staged.temp.display()))?;
        Ok(staged)
    }

    /// Renames the temporary file over the target.
    pub(crate) fn commit(mut self) -> Result<(), String> {
        fs::rename(&self.temp, &self.target).map_err(|error| {
            format!(
                "cannot rename {} to {}: {error}",
                self.temp.display(),
                self.target.display()
            )
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the error that brought us here is the one to
            // report.
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Creates a file that did not exist, named after `target` in its directory.
fn create_temp(target: &Path) -> io::Result<(File, PathBuf)> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut attempt = 0u32;
    loop {
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.{attempt}.tmp", std::process::id()));
        let temp = directory.join(temp_name);
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((file, temp)),
            // Left over from an earlier process with the same id.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_replaces_the_target() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("vmlinux");
        fs::write(&target, b"old").unwrap();
        let staged = StagedFile::create(&target, b"new", None).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(entries(directory.path()).len(), 2);
        staged.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(entries(directory.path()), ["vmlinux"]);
    }

    #[test]
    fn drop_without_commit_leaves_nothing() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("manifest");
        drop(StagedFile::create(&target, b"new", None).unwrap());
        assert_eq!(entries(directory.path()), Vec::<String>::new());
    }

    #[test]
    fn permissions_are_applied() {
        use std::os::unix::fs::PermissionsExt;
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("vmlinux");
        let staged =
            StagedFile::create(&target, b"x", Some(Permissions::from_mode(0o751))).unwrap();
        staged.commit().unwrap();
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o751);
    }

    #[test]
    fn missing_directory_is_an_error() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("no/such/dir/file");
        let error = StagedFile::create(&target, b"x", None).unwrap_err();
        assert!(error.contains("cannot create a temporary file"), "{error}");
    }
}
