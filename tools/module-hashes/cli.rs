// SPDX-License-Identifier: GPL-2.0

//! The command line.

use std::ffi::OsString;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use crate::args::{parse_jobs, set_once, Arguments, Item};
use crate::error::Error;
use crate::help::{HASH_HELP, LIST_HELP, MAIN_HELP, VERIFY_HELP};

/// Arguments of `hash`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HashArgs {
    /// Files to hash.
    pub(crate) files: Vec<PathBuf>,
    /// Number of hashing threads.
    pub(crate) jobs: NonZeroUsize,
}

/// Arguments of `list`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ListArgs {
    /// The vmlinux, bzImage or table file.
    pub(crate) kernel: PathBuf,
    /// The build's modules.hashes, if given.
    pub(crate) manifest: Option<PathBuf>,
}

/// Arguments of `verify`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct VerifyArgs {
    /// The vmlinux, bzImage or table file.
    pub(crate) kernel: PathBuf,
    /// The build's modules.hashes, if given.
    pub(crate) manifest: Option<PathBuf>,
    /// Module files and directories to check.
    pub(crate) modules: Vec<PathBuf>,
    /// Number of checking threads.
    pub(crate) jobs: NonZeroUsize,
    /// Print JSON Lines instead of text.
    pub(crate) json: bool,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// Print this help text and stop.
    Help(&'static str),
    /// Print module digests.
    Hash(HashArgs),
    /// Print a kernel's table.
    List(ListArgs),
    /// Check modules against a kernel's table.
    Verify(VerifyArgs),
}

/// Parses the arguments after the program name.
pub(crate) fn parse(args: Vec<OsString>) -> Result<Command, Error> {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        return Err(usage("no command given"));
    };
    match command.to_str() {
        Some("hash") => parse_hash(Arguments::new(args)).map_err(Error::Usage),
        Some("list") => parse_list(Arguments::new(args)).map_err(Error::Usage),
        Some("verify") => parse_verify(Arguments::new(args)).map_err(Error::Usage),
        Some("-h" | "--help" | "help") => Ok(Command::Help(MAIN_HELP)),
        Some("write") => Err(usage(
            "unknown command 'write': the kernel build writes the table with \
             scripts/module-hashes/module-hashes",
        )),
        _ => Err(usage(&format!(
            "unknown command '{}'",
            command.to_string_lossy()
        ))),
    }
}

/// A usage error with `message`.
fn usage(message: &str) -> Error {
    Error::Usage(message.to_string())
}

/// The number of threads when `-j` is not given.
fn default_jobs() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// Error for an option the command does not have.
fn unknown_option(command: &str, option: &str) -> String {
    format!("{command}: unknown option '{option}'")
}

/// Parses the arguments of `hash`.
fn parse_hash(mut args: Arguments) -> Result<Command, String> {
    let mut files = Vec::new();
    let mut jobs = None;
    while let Some(item) = args.next_item() {
        match item {
            Item::Option(option, attached) => match option.as_str() {
                "-h" | "--help" => return Ok(Command::Help(HASH_HELP)),
                "-j" | "--jobs" => {
                    let value = parse_jobs(&args.value(&option, attached)?)?;
                    set_once(&mut jobs, &option, value)?;
                }
                _ => return Err(unknown_option("hash", &option)),
            },
            Item::Operand(file) => files.push(PathBuf::from(file)),
        }
    }
    if files.is_empty() {
        return Err("hash: no FILE given".to_string());
    }
    Ok(Command::Hash(HashArgs {
        files,
        jobs: jobs.unwrap_or_else(default_jobs),
    }))
}

/// Parses the arguments of `list`.
fn parse_list(mut args: Arguments) -> Result<Command, String> {
    let (mut manifest, mut operands) = (None, Vec::new());
    while let Some(item) = args.next_item() {
        match item {
            Item::Option(option, attached) => match option.as_str() {
                "-h" | "--help" => return Ok(Command::Help(LIST_HELP)),
                "--manifest" => {
                    set_once(&mut manifest, &option, args.value(&option, attached)?)?;
                }
                _ => return Err(unknown_option("list", &option)),
            },
            Item::Operand(operand) => operands.push(PathBuf::from(operand)),
        }
    }
    let mut operands = operands.into_iter();
    let (Some(kernel), None) = (operands.next(), operands.next()) else {
        return Err("list: expected exactly one KERNEL".to_string());
    };
    Ok(Command::List(ListArgs {
        kernel,
        manifest: manifest.map(PathBuf::from),
    }))
}

/// Parses the arguments of `verify`.
fn parse_verify(mut args: Arguments) -> Result<Command, String> {
    let (mut manifest, mut jobs, mut operands) = (None, None, Vec::new());
    let mut json = false;
    while let Some(item) = args.next_item() {
        match item {
            Item::Option(option, attached) => match option.as_str() {
                "-h" | "--help" => return Ok(Command::Help(VERIFY_HELP)),
                "--json" if attached.is_some() => {
                    return Err(format!("option '{option}' takes no value"));
                }
                "--json" if json => return Err(format!("option '{option}' given twice")),
                "--json" => json = true,
                "--manifest" => {
                    set_once(&mut manifest, &option, args.value(&option, attached)?)?;
                }
                "-j" | "--jobs" => {
                    let value = parse_jobs(&args.value(&option, attached)?)?;
                    set_once(&mut jobs, &option, value)?;
                }
                _ => return Err(unknown_option("verify", &option)),
            },
            Item::Operand(operand) => operands.push(PathBuf::from(operand)),
        }
    }
    let mut operands = operands.into_iter();
    let Some(kernel) = operands.next() else {
        return Err("verify: no KERNEL given".to_string());
    };
    let modules: Vec<PathBuf> = operands.collect();
    if modules.is_empty() {
        return Err("verify: no MODULE_OR_DIR given".to_string());
    }
    Ok(Command::Verify(VerifyArgs {
        kernel,
        manifest: manifest.map(PathBuf::from),
        modules,
        jobs: jobs.unwrap_or_else(default_jobs),
        json,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Result<Command, Error> {
        parse(args.iter().map(OsString::from).collect())
    }

    fn usage_message(args: &[&str]) -> String {
        match parse_str(args) {
            Err(Error::Usage(message)) => message,
            other => panic!("{args:?}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn hash_files_and_double_dash() {
        assert_eq!(
            parse_str(&["hash", "-j", "2", "a.ko", "--", "-b.ko"]),
            Ok(Command::Hash(HashArgs {
                files: vec!["a.ko".into(), "-b.ko".into()],
                jobs: NonZeroUsize::new(2).unwrap(),
            }))
        );
        assert!(matches!(parse_str(&["hash", "-"]), Ok(Command::Hash(_))));
    }

    #[test]
    fn help_everywhere() {
        assert_eq!(parse_str(&["--help"]), Ok(Command::Help(MAIN_HELP)));
        assert_eq!(parse_str(&["-h"]), Ok(Command::Help(MAIN_HELP)));
        assert_eq!(parse_str(&["help"]), Ok(Command::Help(MAIN_HELP)));
        assert_eq!(parse_str(&["hash", "-h"]), Ok(Command::Help(HASH_HELP)));
    }

    #[test]
    fn list_and_verify() {
        assert_eq!(
            parse_str(&["list", "--manifest=m", "vmlinux"]),
            Ok(Command::List(ListArgs {
                kernel: "vmlinux".into(),
                manifest: Some("m".into()),
            }))
        );
        assert_eq!(
            parse_str(&["verify", "-j2", "bzImage", "a.ko", "--manifest", "m", "dir"]),
            Ok(Command::Verify(VerifyArgs {
                kernel: "bzImage".into(),
                manifest: Some("m".into()),
                modules: vec!["a.ko".into(), "dir".into()],
                jobs: NonZeroUsize::new(2).unwrap(),
                json: false,
            }))
        );
        assert_eq!(
            parse_str(&["verify", "--json", "k", "a.ko"]),
            Ok(Command::Verify(VerifyArgs {
                kernel: "k".into(),
                manifest: None,
                modules: vec!["a.ko".into()],
                jobs: default_jobs(),
                json: true,
            }))
        );
        assert_eq!(
            usage_message(&["verify", "--json=yes", "k", "a.ko"]),
            "option '--json' takes no value"
        );
        assert_eq!(
            usage_message(&["verify", "--json", "--json", "k", "a.ko"]),
            "option '--json' given twice"
        );
        assert_eq!(
            usage_message(&["list", "--json", "k"]),
            "list: unknown option '--json'"
        );
        assert_eq!(parse_str(&["list", "-h"]), Ok(Command::Help(LIST_HELP)));
        assert_eq!(
            parse_str(&["verify", "--help"]),
            Ok(Command::Help(VERIFY_HELP))
        );
        assert_eq!(
            usage_message(&["list"]),
            "list: expected exactly one KERNEL"
        );
        assert_eq!(
            usage_message(&["list", "a", "b"]),
            "list: expected exactly one KERNEL"
        );
        assert_eq!(usage_message(&["verify"]), "verify: no KERNEL given");
        assert_eq!(
            usage_message(&["verify", "vmlinux"]),
            "verify: no MODULE_OR_DIR given"
        );
        assert_eq!(
            usage_message(&["verify", "-j", "x"]),
            "invalid number of jobs 'x': expected a positive integer"
        );
    }

    #[test]
    fn bad_command_lines() {
        assert_eq!(usage_message(&[]), "no command given");
        assert_eq!(
            usage_message(&["frobnicate"]),
            "unknown command 'frobnicate'"
        );
        assert!(usage_message(&["write", "--objtree", "."]).contains("scripts/module-hashes"));
        assert_eq!(
            usage_message(&["list", "--manifest"]),
            "option '--manifest' needs a value"
        );
        assert_eq!(
            usage_message(&["list", "--manifest", "a", "--manifest=b", "k"]),
            "option '--manifest' given twice"
        );
        assert_eq!(
            usage_message(&["list", "--frob"]),
            "list: unknown option '--frob'"
        );
        assert_eq!(usage_message(&["hash"]), "hash: no FILE given");
        assert_eq!(
            usage_message(&["hash", "--objtree", "x"]),
            "hash: unknown option '--objtree'"
        );
        for jobs in ["0", "-1", "many", ""] {
            let message = usage_message(&["hash", "-j", jobs, "a"]);
            assert!(message.starts_with("invalid number of jobs"), "{message}");
        }
    }
}
