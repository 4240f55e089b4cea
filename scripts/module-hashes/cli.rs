// SPDX-License-Identifier: GPL-2.0

//! The command line.

use std::ffi::OsString;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use crate::error::Error;
use crate::help::{HASH_HELP, LIST_HELP, MAIN_HELP, VERIFY_HELP, WRITE_HELP};

/// Arguments of `write`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WriteArgs {
    /// Directory the paths in modules.order are relative to.
    pub(crate) objtree: PathBuf,
    /// The modules.order file.
    pub(crate) order: PathBuf,
    /// The vmlinux file to update.
    pub(crate) vmlinux: PathBuf,
    /// Where to write the manifest, if anywhere.
    pub(crate) manifest: Option<PathBuf>,
    /// Appended to each module's file name to get the file hashed: the
    /// module as it will be installed (`.stripped` with INSTALL_MOD_STRIP).
    pub(crate) image_suffix: Option<String>,
    /// Number of hashing threads.
    pub(crate) jobs: NonZeroUsize,
}

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
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// Print this help text and stop.
    Help(&'static str),
    /// Fill vmlinux's table.
    Write(WriteArgs),
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
        Some("write") => parse_write(Arguments::new(args)),
        Some("hash") => parse_hash(Arguments::new(args)),
        Some("list") => parse_list(Arguments::new(args)),
        Some("verify") => parse_verify(Arguments::new(args)),
        Some("-h" | "--help" | "help") => Ok(Command::Help(MAIN_HELP)),
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

/// One parsed command-line item.
enum Item {
    /// An option, with its value if it came attached (`--name=value`,
    /// `-jN`).
    Option(String, Option<OsString>),
    /// Anything else.
    Operand(OsString),
}

/// The arguments of a command, read as options and operands.
struct Arguments {
    /// What is left to read.
    rest: std::vec::IntoIter<OsString>,
    /// Whether `--` has been seen: everything after it is an operand.
    operands_only: bool,
}

impl Arguments {
    /// Starts reading `args`.
    fn new(args: std::vec::IntoIter<OsString>) -> Self {
        Arguments {
            rest: args,
            operands_only: false,
        }
    }

    /// The next option or operand.
    fn next_item(&mut self) -> Option<Item> {
        let arg = self.rest.next()?;
        if self.operands_only {
            return Some(Item::Operand(arg));
        }
        // Option names are ASCII; anything that is not UTF-8 is an operand.
        let Some(text) = arg.to_str() else {
            return Some(Item::Operand(arg));
        };
        if text == "--" {
            self.operands_only = true;
            return self.next_item();
        }
        if let Some(long) = text.strip_prefix("--") {
            return Some(match long.split_once('=') {
                Some((name, value)) => Item::Option(format!("--{name}"), Some(value.into())),
                None => Item::Option(text.to_string(), None),
            });
        }
        if let Some(jobs) = text.strip_prefix("-j").filter(|jobs| !jobs.is_empty()) {
            return Some(Item::Option("-j".to_string(), Some(jobs.into())));
        }
        // A lone "-" is an operand, as usual.
        if text.len() > 1 && text.starts_with('-') {
            return Some(Item::Option(text.to_string(), None));
        }
        Some(Item::Operand(arg))
    }

    /// The value of `option`: given attached, or the next argument.
    fn value(&mut self, option: &str, attached: Option<OsString>) -> Result<OsString, Error> {
        attached
            .or_else(|| self.rest.next())
            .ok_or_else(|| usage(&format!("option '{option}' needs a value")))
    }
}

/// Stores `value` for `option` unless it was already given.
fn set_once<T>(slot: &mut Option<T>, option: &str, value: T) -> Result<(), Error> {
    if slot.is_some() {
        return Err(usage(&format!("option '{option}' given twice")));
    }
    *slot = Some(value);
    Ok(())
}

/// Parses the value of `-j`.
fn parse_jobs(value: &OsString) -> Result<NonZeroUsize, Error> {
    value
        .to_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            usage(&format!(
                "invalid number of jobs '{}': expected a positive integer",
                value.to_string_lossy()
            ))
        })
}

/// The number of threads when `-j` is not given.
fn default_jobs() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// Error for an option the command does not have.
fn unknown_option(command: &str, option: &str) -> Error {
    usage(&format!("{command}: unknown option '{option}'"))
}

/// Parses the arguments of `write`.
fn parse_write(mut args: Arguments) -> Result<Command, Error> {
    let (mut objtree, mut order, mut vmlinux, mut manifest, mut suffix, mut jobs) =
        (None, None, None, None, None, None);
    while let Some(item) = args.next_item() {
        match item {
            Item::Option(option, attached) => match option.as_str() {
                "-h" | "--help" => return Ok(Command::Help(WRITE_HELP)),
                "--objtree" => set_once(&mut objtree, &option, args.value(&option, attached)?)?,
                "--order" => set_once(&mut order, &option, args.value(&option, attached)?)?,
                "--vmlinux" => set_once(&mut vmlinux, &option, args.value(&option, attached)?)?,
                "--manifest" => {
                    set_once(&mut manifest, &option, args.value(&option, attached)?)?;
                }
                "--image-suffix" => {
                    let value = parse_image_suffix(&args.value(&option, attached)?)?;
                    set_once(&mut suffix, &option, value)?;
                }
                "-j" | "--jobs" => {
                    let value = parse_jobs(&args.value(&option, attached)?)?;
                    set_once(&mut jobs, &option, value)?;
                }
                _ => return Err(unknown_option("write", &option)),
            },
            Item::Operand(operand) => {
                return Err(usage(&format!(
                    "write: unexpected argument '{}'",
                    operand.to_string_lossy()
                )))
            }
        }
    }
    let required = |value: Option<OsString>, option: &str| {
        value
            .map(PathBuf::from)
            .ok_or_else(|| usage(&format!("write: missing option '{option}'")))
    };
    Ok(Command::Write(WriteArgs {
        objtree: required(objtree, "--objtree")?,
        order: required(order, "--order")?,
        vmlinux: required(vmlinux, "--vmlinux")?,
        manifest: manifest.map(PathBuf::from),
        image_suffix: suffix,
        jobs: jobs.unwrap_or_else(default_jobs),
    }))
}

/// Checks the value of `--image-suffix`: a non-empty piece of a file name.
fn parse_image_suffix(value: &OsString) -> Result<String, Error> {
    match value.to_str() {
        Some(text) if !text.is_empty() && !text.contains('/') => Ok(text.to_string()),
        _ => Err(usage(&format!(
            "write: --image-suffix '{}' is not a non-empty file name suffix",
            value.to_string_lossy()
        ))),
    }
}

/// Parses the arguments of `hash`.
fn parse_hash(mut args: Arguments) -> Result<Command, Error> {
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
        return Err(usage("hash: no FILE given"));
    }
    Ok(Command::Hash(HashArgs {
        files,
        jobs: jobs.unwrap_or_else(default_jobs),
    }))
}

/// Parses the arguments of `list`.
fn parse_list(mut args: Arguments) -> Result<Command, Error> {
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
        return Err(usage("list: expected exactly one KERNEL"));
    };
    Ok(Command::List(ListArgs {
        kernel,
        manifest: manifest.map(PathBuf::from),
    }))
}

/// Parses the arguments of `verify`.
fn parse_verify(mut args: Arguments) -> Result<Command, Error> {
    let (mut manifest, mut jobs, mut operands) = (None, None, Vec::new());
    while let Some(item) = args.next_item() {
        match item {
            Item::Option(option, attached) => match option.as_str() {
                "-h" | "--help" => return Ok(Command::Help(VERIFY_HELP)),
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
        return Err(usage("verify: no KERNEL given"));
    };
    let modules: Vec<PathBuf> = operands.collect();
    if modules.is_empty() {
        return Err(usage("verify: no MODULE_OR_DIR given"));
    }
    Ok(Command::Verify(VerifyArgs {
        kernel,
        manifest: manifest.map(PathBuf::from),
        modules,
        jobs: jobs.unwrap_or_else(default_jobs),
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
    fn write_with_every_option_spelling() {
        let expected = WriteArgs {
            objtree: "obj".into(),
            order: "obj/modules.order".into(),
            vmlinux: "obj/vmlinux".into(),
            manifest: Some("obj/modules.sha256".into()),
            image_suffix: None,
            jobs: NonZeroUsize::new(3).unwrap(),
        };
        for args in [
            &[
                "write",
                "--objtree",
                "obj",
                "--order",
                "obj/modules.order",
                "--vmlinux",
                "obj/vmlinux",
                "--manifest",
                "obj/modules.sha256",
                "-j",
                "3",
            ][..],
            &[
                "write",
                "--objtree=obj",
                "--order=obj/modules.order",
                "--vmlinux=obj/vmlinux",
                "--manifest=obj/modules.sha256",
                "-j3",
            ],
            &[
                "write",
                "--jobs=3",
                "--vmlinux",
                "obj/vmlinux",
                "--order",
                "obj/modules.order",
                "--manifest",
                "obj/modules.sha256",
                "--objtree",
                "obj",
            ],
        ] {
            assert_eq!(
                parse_str(args),
                Ok(Command::Write(expected.clone())),
                "{args:?}"
            );
        }
    }

    #[test]
    fn write_defaults() {
        let Ok(Command::Write(args)) =
            parse_str(&["write", "--objtree", ".", "--order", "m", "--vmlinux", "v"])
        else {
            panic!("write should parse");
        };
        assert_eq!(args.manifest, None);
        assert_eq!(args.image_suffix, None);
        assert_eq!(args.jobs, default_jobs());
    }

    #[test]
    fn write_image_suffix() {
        let base = ["write", "--objtree", ".", "--order", "m", "--vmlinux", "v"];
        let Ok(Command::Write(args)) =
            parse_str(&[&base[..], &["--image-suffix=.stripped"]].concat())
        else {
            panic!("write should parse");
        };
        assert_eq!(args.image_suffix.as_deref(), Some(".stripped"));
        for bad in ["--image-suffix=", "--image-suffix=a/b"] {
            let message = usage_message(&[&base[..], &[bad]].concat());
            assert!(message.contains("--image-suffix"), "{bad}: {message}");
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
        assert_eq!(
            parse_str(&["write", "--help"]),
            Ok(Command::Help(WRITE_HELP))
        );
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
            }))
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
        assert_eq!(
            usage_message(&["write", "--order", "m", "--vmlinux", "v"]),
            "write: missing option '--objtree'"
        );
        assert_eq!(
            usage_message(&["write", "--objtree"]),
            "option '--objtree' needs a value"
        );
        assert_eq!(
            usage_message(&["write", "--objtree", "a", "--objtree", "b"]),
            "option '--objtree' given twice"
        );
        assert_eq!(
            usage_message(&["write", "--frob"]),
            "write: unknown option '--frob'"
        );
        assert_eq!(
            usage_message(&["write", "stray"]),
            "write: unexpected argument 'stray'"
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
