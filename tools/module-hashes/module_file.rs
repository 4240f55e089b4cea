// SPDX-License-Identifier: GPL-2.0

//! Reading an installed module file: plain, or compressed as
//! `make modules_install` leaves it (`.ko.xz`, `.ko.zst`, `.ko.gz`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::decompress::Format;
use crate::error::Error;

/// The extensions of module files, compressed or not.
const MODULE_SUFFIXES: [&str; 4] = [".ko", ".ko.xz", ".ko.zst", ".ko.gz"];

/// Whether `name` is the name of a module file.
pub(crate) fn is_module_name(name: &str) -> bool {
    MODULE_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// `path` without a compression extension: the `.ko` path the build used.
pub(crate) fn built_path(path: &Path) -> PathBuf {
    let name = path.to_string_lossy();
    for suffix in [".xz", ".zst", ".gz"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            if stem.ends_with(".ko") {
                return PathBuf::from(stem);
            }
        }
    }
    path.to_path_buf()
}

/// Reads the module at `path`: the module image as the kernel would see
/// it, decompressed when the file starts with a compression format's magic
/// or has a compression extension.  Errors name the file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    let file = fs::read(path).map_err(|error| Error::io(path, &error))?;
    let by_name = Format::from_extension(&path.to_string_lossy());
    let Some(format) = Format::detect(&file).or(by_name) else {
        return Ok(file);
    };
    format.expand(&file).map_err(|error| {
        Error::BadCompressed(format!("{}: cannot decompress: {error}", path.display()))
    })
}

/// Every module file under `directory`, recursively, sorted.  Symbolic
/// links to directories are not followed (`/lib/modules/<version>/build`
/// points to a whole kernel tree).
pub(crate) fn find_under(directory: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut modules = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = fs::read_dir(&current).map_err(|error| Error::io(&current, &error))?;
        for entry in entries {
            let entry = entry.map_err(|error| Error::io(&current, &error))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|error| Error::io(&path, &error))?;
            if kind.is_dir() {
                pending.push(path);
            } else if is_module_name(&entry.file_name().to_string_lossy())
                && (kind.is_file() || path.is_file())
            {
                modules.push(path);
            }
        }
    }
    modules.sort();
    Ok(modules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_and_built_paths() {
        for name in ["a.ko", "a.ko.xz", "a.ko.zst", "a.ko.gz"] {
            assert!(is_module_name(name), "{name}");
            assert_eq!(built_path(Path::new(name)), Path::new("a.ko"));
        }
        for name in ["a.o", "a.ko.bak", "modules.hashes", "a.xz"] {
            assert!(!is_module_name(name), "{name}");
        }
        assert_eq!(built_path(Path::new("a.xz")), Path::new("a.xz"));
    }

    #[test]
    fn finds_modules_but_does_not_follow_directory_links() {
        let root = tempfile::tempdir().unwrap();
        let kernel = root.path().join("kernel/lib");
        fs::create_dir_all(&kernel).unwrap();
        for name in ["b.ko", "a.ko.xz", "notes.txt"] {
            fs::write(kernel.join(name), b"").unwrap();
        }
        fs::write(root.path().join("top.ko.zst"), b"").unwrap();
        std::os::unix::fs::symlink(&kernel, root.path().join("build")).unwrap();
        let found = find_under(root.path()).unwrap();
        let relative: Vec<_> = found
            .iter()
            .map(|path| path.strip_prefix(root.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            relative,
            [
                PathBuf::from("kernel/lib/a.ko.xz"),
                PathBuf::from("kernel/lib/b.ko"),
                PathBuf::from("top.ko.zst")
            ]
        );
    }
}
