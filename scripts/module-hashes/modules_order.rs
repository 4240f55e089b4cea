// SPDX-License-Identifier: GPL-2.0

//! Reading `modules.order`.

use std::path::PathBuf;

/// Returns the module files that `modules.order` lists, in its order.
///
/// Each line is `path/to/foo.o` relative to the object tree; the module
/// built from it is `path/to/foo.ko`.  Empty lines are skipped.
pub(crate) fn module_paths(contents: &[u8]) -> Result<Vec<PathBuf>, String> {
    let text = std::str::from_utf8(contents).map_err(|_| "not UTF-8 text".to_string())?;
    let mut modules = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        match line.strip_suffix(".o") {
            Some(stem) if !stem.is_empty() && !stem.ends_with('/') => {
                modules.push(PathBuf::from(format!("{stem}.ko")));
            }
            _ => {
                return Err(format!(
                    "line {}: '{line}' is not the path of an object file (path/to/foo.o)",
                    number + 1
                ))
            }
        }
    }
    Ok(modules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_files_become_module_files() {
        let modules = module_paths(b"lib/test_module.o\nsamples/rust/rust_minimal.o\n").unwrap();
        assert_eq!(
            modules,
            [
                PathBuf::from("lib/test_module.ko"),
                PathBuf::from("samples/rust/rust_minimal.ko")
            ]
        );
    }

    #[test]
    fn empty_file_and_blank_lines() {
        assert_eq!(module_paths(b"").unwrap(), Vec::<PathBuf>::new());
        assert_eq!(module_paths(b"\na.o\n\n").unwrap(), [PathBuf::from("a.ko")]);
        // No final newline.
        assert_eq!(module_paths(b"a.o").unwrap(), [PathBuf::from("a.ko")]);
    }

    #[test]
    fn other_lines_are_errors_with_their_number() {
        for bad in ["a.o\nb.ko\n", "a.o\n.o\n", "a.o\ndir/.o\n", "a.o\nfoo.c\n"] {
            let error = module_paths(bad.as_bytes()).unwrap_err();
            assert!(error.starts_with("line 2: "), "{bad:?}: {error}");
        }
        assert_eq!(module_paths(b"\xff.o\n"), Err("not UTF-8 text".to_string()));
    }
}
