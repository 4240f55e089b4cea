// SPDX-License-Identifier: GPL-2.0

//! Embeds the digests of the kernel's modules in vmlinux.
//!
//! With `CONFIG_MODULE_HASHES`, the build hashes every module it built
//! (SHA-256 of the `.ko` without an appended signature) and stores the
//! sorted digests in the `.module_hashes` section of vmlinux, whose layout
//! `include/linux/module_hashes.h` defines.  The kernel then accepts a
//! module whose digest is in that table.
//!
//! This is the build's part, `module-hashes write`; see `--help` for the
//! command line.  Kbuild builds it as a host program with plain rustc and
//! std only.  `tools/module-hashes` shows and checks the table of a built
//! kernel, and shares the files that define the layout, read ELF, compute
//! SHA-256 and parse module signatures.

mod args;
mod cli;
mod elf;
mod jobserver;
mod layout;
mod module_digest;
mod modules_order;
mod parallel;
mod sha256;
mod sha256_portable;
#[cfg(target_arch = "x86_64")]
mod sha256_x86;
mod signature;
mod table;
mod write_command;

use std::io::Write;
use std::process::ExitCode;

/// Why `write` failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Error {
    /// The command line is wrong (exit status 2); the usage synopsis
    /// follows the message.
    Usage(String),
    /// Anything else (exit status 1).
    Failed(String),
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Failed(message)
    }
}

/// Runs what the command line asks for.
fn run() -> Result<(), Error> {
    match cli::parse(std::env::args_os().skip(1).collect())? {
        cli::Command::Help => std::io::stdout()
            .lock()
            .write_all(cli::HELP.as_bytes())
            .map_err(|error| Error::Failed(format!("standard output: {error}"))),
        cli::Command::Write(args) => write_command::run(&args),
    }
}

fn main() -> ExitCode {
    let (message, code) = match run() {
        Ok(()) => return ExitCode::SUCCESS,
        Err(Error::Usage(message)) => (message, 2),
        Err(Error::Failed(message)) => (message, 1),
    };
    // Not eprintln!, which panics when standard error is gone.
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "module-hashes: error: {message}");
    if code == 2 {
        let _ = stderr.write_all(cli::SYNOPSIS.as_bytes());
    }
    ExitCode::from(code)
}
