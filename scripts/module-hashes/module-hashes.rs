// SPDX-License-Identifier: GPL-2.0

//! Embeds the digests of the kernel's modules in vmlinux, and shows and
//! checks them.
//!
//! With `CONFIG_MODULE_HASHES`, the build hashes every module it built
//! (SHA-256 of the `.ko` without an appended signature) and stores the
//! sorted digests in the `.module_hashes` section of vmlinux, whose layout
//! `include/uapi/linux/module_hashes.h` defines.  The kernel then accepts a
//! module whose digest is in that table.
//!
//! Kbuild builds this as a host program with plain rustc and std only; see
//! `module-hashes --help` for the command line.

mod atomic_file;
mod bzimage;
mod cli;
mod decompress;
mod elf;
#[cfg(test)]
mod elf_builder;
mod error;
mod hash_command;
mod help;
mod kernel_table;
mod layout;
mod list_command;
mod manifest;
mod module_check;
mod module_digest;
mod module_file;
mod modules_order;
mod parallel;
mod sha256;
mod sha256_portable;
#[cfg(target_arch = "x86_64")]
mod sha256_x86;
mod signature;
mod table;
mod verify_command;
mod write_command;

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
        Command::Write(args) => write_command::run(&args),
        Command::Hash(args) => hash_command::run(&args),
        Command::List(args) => list_command::run(&args),
        Command::Verify(args) => verify_command::run(&args),
    }
}

fn main() -> ExitCode {
    let Err(error) = run() else {
        return ExitCode::SUCCESS;
    };
    // Not eprintln!, which panics when standard error is gone.
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "module-hashes: error: {}", error.message());
    if let Error::Usage(_) = error {
        let _ = stderr.write_all(help::SYNOPSIS.as_bytes());
    }
    error.exit_code()
}
