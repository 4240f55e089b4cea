// SPDX-License-Identifier: GPL-2.0

//! The command line and its help.

use std::ffi::OsString;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use crate::args::{parse_jobs, set_once, Arguments, Item};
use crate::Error;

/// The short usage printed after a command-line error.
pub(crate) const SYNOPSIS: &str = "\
Usage: module-hashes write --objtree DIR --order FILE... --vmlinux FILE
                           [--manifest FILE] [--image-suffix SUFFIX] [--check] [-j N]
       module-hashes write --help
";

/// The help text.
pub(crate) const HELP: &str = "\
Usage: module-hashes write --objtree DIR --order FILE... --vmlinux FILE
                           [--manifest FILE] [--image-suffix SUFFIX] [-j N]
       module-hashes write --check --objtree DIR --order FILE... --vmlinux FILE
                           [--image-suffix SUFFIX] [-j N]

Hash every module listed in the modules.order files and write the sorted
table of distinct digests, with its header, into the .module_hashes
section of vmlinux.  Only the bytes of that section are written, in
place, and only once every module has been hashed and the table fits.

A module's digest is the SHA-256 of its file without an appended module
signature.

With --check, nothing is written: the command fails, naming the first
module in the modules.order files, unless the table in vmlinux has the
digest of every module (kbuild runs it at modules_install, so that
modules rebuilt after vmlinux are not installed).

Options:
  --objtree DIR     directory that the paths in modules.order are relative to
  --order FILE      modules.order: one path/to/foo.o per line; the module
                    hashed is path/to/foo.ko.  Given more than once, the
                    modules of every file (kbuild adds
                    modules-extra/modules.order, the external modules of
                    make MODULE_HASHES_EXTRA=)
  --vmlinux FILE    ELF file, 32- or 64-bit, of either byte order, with a
                    .module_hashes section
  --manifest FILE   also write one line per module, in the order of --order,
                    as sha256sum does: DIGEST  path/to/foo.ko
  --image-suffix SUFFIX
                    hash path/to/foo.koSUFFIX instead, the module as it will
                    be installed (kbuild: .stripped with
                    CONFIG_MODULE_INSTALL_STRIP); the manifest still names
                    path/to/foo.ko
  --check           check vmlinux's table instead of writing it
  -j, --jobs N      hash on N threads (default: one, and one more for each
                    job slot that the make jobserver in MAKEFLAGS has free)
  -h, --help        print this help

tools/module-hashes shows and checks the table of a built kernel.

Exit status: 0 on success, 1 on error, 2 on a bad command line.
";

/// Arguments of `write`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WriteArgs {
    /// Directory the paths in modules.order are relative to.
    pub(crate) objtree: PathBuf,
    /// The modules.order files, at least one.
    pub(crate) orders: Vec<PathBuf>,
    /// The vmlinux file to update.
    pub(crate) vmlinux: PathBuf,
    /// Where to write the manifest, if anywhere.
    pub(crate) manifest: Option<PathBuf>,
    /// Appended to each module's file name to get the file hashed: the
    /// module as it will be installed (`.stripped` with
    /// CONFIG_MODULE_INSTALL_STRIP).
    pub(crate) image_suffix: Option<String>,
    /// Number of hashing threads, if given; else the jobserver decides.
    pub(crate) jobs: Option<NonZeroUsize>,
    /// Only check that vmlinux's table has the digest of every module.
    pub(crate) check: bool,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// Print the help text and stop.
    Help,
    /// Fill vmlinux's table, or check it.
    Write(WriteArgs),
}

/// Parses the arguments after the program name.
pub(crate) fn parse(args: Vec<OsString>) -> Result<Command, Error> {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        return Err(Error::Usage("no command given".to_string()));
    };
    match command.to_str() {
        Some("write") => parse_write(Arguments::new(args)).map_err(Error::Usage),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some(other @ ("list" | "verify" | "hash")) => Err(Error::Usage(format!(
            "unknown command '{other}': list, verify and hash are in tools/module-hashes"
        ))),
        _ => Err(Error::Usage(format!(
            "unknown command '{}'",
            command.to_string_lossy()
        ))),
    }
}

/// Parses the arguments of `write`; errors are usage messages.
fn parse_write(mut args: Arguments) -> Result<Command, String> {
    let (mut objtree, mut vmlinux, mut manifest, mut suffix, mut jobs) =
        (None, None, None, None, None);
    let mut orders = Vec::new();
    let mut check = false;
    while let Some(item) = args.next_item() {
        match item {
            Item::Option(option, attached) => match option.as_str() {
                "-h" | "--help" => return Ok(Command::Help),
                "--objtree" => set_once(&mut objtree, &option, args.value(&option, attached)?)?,
                "--order" => orders.push(PathBuf::from(args.value(&option, attached)?)),
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
                "--check" if attached.is_some() => {
                    return Err(format!("option '{option}' takes no value"));
                }
                "--check" if check => return Err(format!("option '{option}' given twice")),
                "--check" => check = true,
                _ => return Err(format!("write: unknown option '{option}'")),
            },
            Item::Operand(operand) => {
                return Err(format!(
                    "write: unexpected argument '{}'",
                    operand.to_string_lossy()
                ))
            }
        }
    }
    let required = |value: Option<OsString>, option: &str| {
        value
            .map(PathBuf::from)
            .ok_or_else(|| format!("write: missing option '{option}'"))
    };
    if check && manifest.is_some() {
        return Err("write: --check writes nothing: no --manifest".to_string());
    }
    let objtree = required(objtree, "--objtree")?;
    if orders.is_empty() {
        return Err("write: missing option '--order'".to_string());
    }
    Ok(Command::Write(WriteArgs {
        objtree,
        orders,
        vmlinux: required(vmlinux, "--vmlinux")?,
        manifest: manifest.map(PathBuf::from),
        image_suffix: suffix,
        jobs,
        check,
    }))
}

/// Checks the value of `--image-suffix`: a non-empty piece of a file name.
fn parse_image_suffix(value: &OsString) -> Result<String, String> {
    match value.to_str() {
        Some(text) if !text.is_empty() && !text.contains('/') => Ok(text.to_string()),
        _ => Err(format!(
            "write: --image-suffix '{}' is not a non-empty file name suffix",
            value.to_string_lossy()
        )),
    }
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
            orders: vec!["obj/modules.order".into()],
            vmlinux: "obj/vmlinux".into(),
            manifest: Some("obj/modules.sha256".into()),
            image_suffix: None,
            jobs: NonZeroUsize::new(3),
            check: false,
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
        assert_eq!(args.jobs, None);
        assert!(!args.check);
    }

    #[test]
    fn write_several_orders_in_their_order() {
        let Ok(Command::Write(args)) = parse_str(&[
            "write",
            "--objtree",
            ".",
            "--order",
            "modules.order",
            "--vmlinux",
            "v",
            "--order=modules-extra/modules.order",
        ]) else {
            panic!("write with two --order should parse");
        };
        assert_eq!(
            args.orders,
            [
                PathBuf::from("modules.order"),
                PathBuf::from("modules-extra/modules.order")
            ]
        );
        assert_eq!(
            usage_message(&["write", "--objtree", ".", "--vmlinux", "v"]),
            "write: missing option '--order'"
        );
    }

    #[test]
    fn write_check() {
        let base = ["write", "--objtree", ".", "--order", "m", "--vmlinux", "v"];
        let Ok(Command::Write(args)) = parse_str(&[&base[..], &["--check"]].concat()) else {
            panic!("write --check should parse");
        };
        assert!(args.check);
        for (extra, expected) in [
            (&["--check=yes"][..], "option '--check' takes no value"),
            (&["--check", "--check"], "option '--check' given twice"),
            (
                &["--check", "--manifest", "m"],
                "write: --check writes nothing: no --manifest",
            ),
        ] {
            assert_eq!(usage_message(&[&base[..], extra].concat()), expected);
        }
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
    fn help_everywhere() {
        for args in [
            &["--help"][..],
            &["-h"],
            &["help"],
            &["write", "--help"],
            &["write", "--objtree", "x", "-h"],
        ] {
            assert_eq!(parse_str(args), Ok(Command::Help), "{args:?}");
        }
    }

    #[test]
    fn bad_command_lines() {
        assert_eq!(usage_message(&[]), "no command given");
        assert_eq!(
            usage_message(&["frobnicate"]),
            "unknown command 'frobnicate'"
        );
        assert!(usage_message(&["list", "vmlinux"]).contains("tools/module-hashes"));
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
        assert_eq!(
            usage_message(&["write", "--", "--objtree"]),
            "write: unexpected argument '--objtree'"
        );
        for jobs in ["0", "-1", "many", ""] {
            let message = usage_message(&["write", "-j", jobs]);
            assert!(message.starts_with("invalid number of jobs"), "{message}");
        }
    }
}
