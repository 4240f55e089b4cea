// SPDX-License-Identifier: GPL-2.0

//! Shows and checks the module digests of a kernel built with
//! `CONFIG_MODULE_HASHES`.
//!
//! The kernel build stores the sorted SHA-256 digests of its modules in the
//! `.module_hashes` section of vmlinux (`scripts/module-hashes`, whose
//! files this program shares: the layout, the ELF reader, SHA-256, the
//! module signature trailer and the parallel hashing).  This program prints
//! that table, from a vmlinux, a bzImage or the bare section, and says
//! whether the kernel would accept given module files, plain or compressed,
//! and why not.
//!
//! Built with plain rustc and std only, by this directory's Makefile; see
//! `module-hashes --help` for the command line.

mod bzimage;
mod cli;
mod decompress;
mod error;
mod hash_command;
mod help;
mod json;
mod kernel_table;
mod list_command;
mod manifest;
mod module_check;
mod module_file;
mod verify_command;

// Shared with the kernel build's scripts/module-hashes.
#[path = "../../scripts/module-hashes/args.rs"]
mod args;
#[path = "../../scripts/module-hashes/elf.rs"]
mod elf;
#[path = "../../scripts/module-hashes/layout.rs"]
mod layout;
#[path = "../../scripts/module-hashes/module_digest.rs"]
mod module_digest;
#[path = "../../scripts/module-hashes/parallel.rs"]
mod parallel;
#[path = "../../scripts/module-hashes/sha256.rs"]
mod sha256;
#[path = "../../scripts/module-hashes/sha256_portable.rs"]
mod sha256_portable;
#[cfg(target_arch = "x86_64")]
#[path = "../../scripts/module-hashes/sha256_x86.rs"]
mod sha256_x86;
#[path = "../../scripts/module-hashes/signature.rs"]
mod signature;
// Only reads tables: writing them is the kernel build's part.
#[allow(dead_code)]
#[path = "../../scripts/module-hashes/table.rs"]
mod table;

use std::io::Write;
use std::process::ExitCode;

use cli::Command;
use error::Error;

/// Runs what the command line asks for.
fn run() -> Result<(), Error> {
    match cli::parse(std::env::args_os().skip(1).collect())? {
        Command::Help(text) => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|error| Error::Failed(format!("standard output: {error}"))),
        Command::Hash(args) => hash_command::run(&args),
        Command::List(args) => list_command::run(&args),
        Command::Verify(args) => verify_command::run(&args),
    }
}

fn main() -> ExitCode {
    let Err(error) = run() else {
        return ExitCode::SUCCESS;
    };
    if let Error::Reported(_) = error {
        return error.exit_code();
    }
    // Not eprintln!, which panics when standard error is gone.
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "module-hashes: error: {}", error.message());
    if let Error::Usage(_) = error {
        let _ = stderr.write_all(help::SYNOPSIS.as_bytes());
    }
    error.exit_code()
}
