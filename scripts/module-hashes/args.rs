// SPDX-License-Identifier: GPL-2.0

//! Reading a command's arguments as options and operands.
//!
//! Long options take their value attached (`--name=value`) or as the next
//! argument, `-jN` and `-j N` are the same, and everything after `--` is an
//! operand.  Errors are usage messages.
//!
//! tools/module-hashes builds this file too (`#[path]`).

use std::ffi::OsString;
use std::num::NonZeroUsize;

/// One parsed command-line item.
pub(crate) enum Item {
    /// An option, with its value if it came attached (`--name=value`,
    /// `-jN`).
    Option(String, Option<OsString>),
    /// Anything else.
    Operand(OsString),
}

/// The arguments of a command, read as options and operands.
pub(crate) struct Arguments {
    /// What is left to read.
    rest: std::vec::IntoIter<OsString>,
    /// Whether `--` has been seen: everything after it is an operand.
    operands_only: bool,
}

impl Arguments {
    /// Starts reading `args`.
    pub(crate) fn new(args: std::vec::IntoIter<OsString>) -> Self {
        Arguments {
            rest: args,
            operands_only: false,
        }
    }

    /// The next option or operand.
    pub(crate) fn next_item(&mut self) -> Option<Item> {
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
    pub(crate) fn value(
        &mut self,
        option: &str,
        attached: Option<OsString>,
    ) -> Result<OsString, String> {
        attached
            .or_else(|| self.rest.next())
            .ok_or_else(|| format!("option '{option}' needs a value"))
    }
}

/// Stores `value` for `option` unless it was already given.
pub(crate) fn set_once<T>(slot: &mut Option<T>, option: &str, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("option '{option}' given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// Parses the value of `-j`.
pub(crate) fn parse_jobs(value: &OsString) -> Result<NonZeroUsize, String> {
    value
        .to_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            format!(
                "invalid number of jobs '{}': expected a positive integer",
                value.to_string_lossy()
            )
        })
}
