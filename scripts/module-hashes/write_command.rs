// SPDX-License-Identifier: GPL-2.0

//! `module-hashes write`: fill vmlinux's `.module_hashes` section, or check
//! it.

use std::fs::{self, File, OpenOptions};
use std::num::NonZeroUsize;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::cli::WriteArgs;
use crate::elf;
use crate::jobserver::Client;
use crate::layout::SECTION_NAME;
use crate::module_digest::{module_digest, sha256sum_line};
use crate::modules_order;
use crate::parallel::{self, Threads};
use crate::sha256::Digest;
use crate::table::Table;
use crate::Error;

/// Hashes the modules in the modules.order files and writes the table into
/// vmlinux's section, in place, and the manifest if asked.  Nothing is written unless
/// every module was hashed and the table fits.  With `--check`, only
/// checks that vmlinux's table has every digest.
pub(crate) fn run(args: &WriteArgs) -> Result<(), Error> {
    // Before opening any other file, so that a descriptor number from
    // MAKEFLAGS that make did not pass on is not one of this process's own.
    let jobserver = match args.jobs {
        Some(_) => None,
        None => Client::from_env(),
    };

    let mut modules = Vec::new();
    for order in &args.orders {
        let name = order.display();
        let contents = fs::read(order).map_err(|error| format!("{name}: {error}"))?;
        modules.extend(
            modules_order::module_paths(&contents).map_err(|error| format!("{name}: {error}"))?,
        );
    }
    // The manifest names the module; the digest is that of the file as it
    // will be installed, which --image-suffix names.
    let files: Vec<PathBuf> = modules
        .iter()
        .map(|module| {
            let mut file = args.objtree.join(module).into_os_string();
            file.push(args.image_suffix.as_deref().unwrap_or(""));
            PathBuf::from(file)
        })
        .collect();

    // vmlinux first: a bad one fails before any module is read.
    let vmlinux_name = args.vmlinux.display();
    let in_vmlinux = |error: String| format!("{vmlinux_name}: {error}");
    let vmlinux = OpenOptions::new()
        .read(true)
        .write(!args.check)
        .open(&args.vmlinux)
        .map_err(|error| in_vmlinux(error.to_string()))?;
    let range = elf::find_section(&vmlinux, SECTION_NAME).map_err(in_vmlinux)?;
    let what = format!("section {SECTION_NAME}");
    let mut section = elf::read(&vmlinux, range.clone(), &what).map_err(in_vmlinux)?;
    let table = if args.check {
        Some(
            Table::parse(&section)
                .map_err(|error| in_vmlinux(format!("corrupt {SECTION_NAME} table: {error}")))?,
        )
    } else {
        Table::check_reserved(&section).map_err(in_vmlinux)?;
        None
    };

    let hash = |file: &PathBuf| module_digest(file);
    let digests = match &jobserver {
        Some(jobserver) => parallel::try_map(&files, jobserver, hash),
        None => {
            let threads = Threads::new(args.jobs.unwrap_or(NonZeroUsize::MIN));
            parallel::try_map(&files, &threads, hash)
        }
    };
    // Every token is back in the jobserver now, whatever happened; an error
    // of a module comes first.
    let returned = jobserver.map_or(Ok(()), Client::finish);
    let digests = digests?;
    returned?;
    if let Some(table) = table {
        return check(&table, &args.vmlinux, &files, &digests);
    }

    let manifest: Option<String> = args.manifest.as_ref().map(|_| {
        modules
            .iter()
            .zip(&digests)
            .map(|(module, digest)| sha256sum_line(digest, module))
            .collect()
    });
    Table::new(digests)
        .write_into(&mut section)
        .map_err(in_vmlinux)?;
    if let (Some(path), Some(text)) = (&args.manifest, manifest) {
        fs::write(path, text).map_err(|error| format!("{}: {error}", path.display()))?;
    }
    write_section(&vmlinux, range.start, &section).map_err(in_vmlinux)?;
    Ok(())
}

/// Writes `section` at `offset` in vmlinux, and nothing else.
fn write_section(vmlinux: &File, offset: u64, section: &[u8]) -> Result<(), String> {
    vmlinux
        .write_all_at(section, offset)
        .map_err(|error| format!("cannot write section {SECTION_NAME}: {error}"))
}

/// Fails, naming the first module of the modules.order files, if vmlinux's table
/// lacks the digest of a module: one rebuilt after vmlinux (`make modules`,
/// `make foo.ko`), which the kernel would reject.
fn check(
    table: &Table,
    vmlinux: &Path,
    files: &[PathBuf],
    digests: &[Digest],
) -> Result<(), Error> {
    let stale: Vec<&PathBuf> = files
        .iter()
        .zip(digests)
        .filter(|(_, digest)| !table.contains(digest))
        .map(|(file, _)| file)
        .collect();
    let Some(first) = stale.first() else {
        return Ok(());
    };
    let more = match stale.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let vmlinux = vmlinux.display();
    Err(Error::Failed(format!(
        "{}{more}: not the module whose digest {vmlinux} has (it was rebuilt after \
         {vmlinux}): run 'make' (or 'make vmlinux') first",
        first.display()
    )))
}
