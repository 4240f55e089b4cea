// SPDX-License-Identifier: GPL-2.0

//! `module-hashes write`: fill vmlinux's `.module_hashes` section.

use std::fs;
use std::path::PathBuf;

use crate::atomic_file::StagedFile;
use crate::cli::WriteArgs;
use crate::elf;
use crate::error::Error;
use crate::layout::SECTION_NAME;
use crate::module_digest::{module_digest, sha256sum_line};
use crate::modules_order;
use crate::parallel;
use crate::table::Table;

/// Hashes the modules in modules.order, writes the table into vmlinux and,
/// if asked, the manifest.  Nothing is replaced unless every step worked.
pub(crate) fn run(args: &WriteArgs) -> Result<(), Error> {
    let order_name = args.order.display();
    let order = fs::read(&args.order).map_err(|error| format!("{order_name}: {error}"))?;
    let modules =
        modules_order::module_paths(&order).map_err(|error| format!("{order_name}: {error}"))?;
    // The manifest names the module; the digest is that of the file as it
    // will be installed, which --image-suffix names (INSTALL_MOD_STRIP).
    let files: Vec<PathBuf> = modules
        .iter()
        .map(|module| {
            let mut file = args.objtree.join(module).into_os_string();
            file.push(args.image_suffix.as_deref().unwrap_or(""));
            PathBuf::from(file)
        })
        .collect();
    let digests = parallel::try_map(&files, args.jobs, |file| module_digest(file))?;

    let manifest: Option<String> = args.manifest.as_ref().map(|_| {
        modules
            .iter()
            .zip(&digests)
            .map(|(module, digest)| sha256sum_line(digest, module))
            .collect()
    });

    let vmlinux_name = args.vmlinux.display();
    let in_vmlinux = |error: String| format!("{vmlinux_name}: {error}");
    let mut image = fs::read(&args.vmlinux).map_err(|error| in_vmlinux(error.to_string()))?;
    let permissions = fs::metadata(&args.vmlinux)
        .map_err(|error| in_vmlinux(error.to_string()))?
        .permissions();
    let section = elf::find_section(&image, SECTION_NAME).map_err(in_vmlinux)?;
    Table::new(digests)
        .write_into(&mut image[section])
        .map_err(in_vmlinux)?;

    // Stage both files before replacing either.  vmlinux goes last, so that
    // an updated vmlinux always comes with its manifest.
    let staged_vmlinux = StagedFile::create(&args.vmlinux, &image, Some(permissions))?;
    if let (Some(path), Some(text)) = (&args.manifest, manifest) {
        StagedFile::create(path, text.as_bytes(), None)?.commit()?;
    }
    staged_vmlinux.commit()?;
    Ok(())
}
