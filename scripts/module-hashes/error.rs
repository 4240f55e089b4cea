// SPDX-License-Identifier: GPL-2.0

//! Errors and exit codes.

use std::process::ExitCode;

/// Why the tool stopped.  Each kind has its own exit code:
///
/// | code | meaning                             |
/// |------|-------------------------------------|
/// | 0    | success                             |
/// | 1    | `Failed`: bad input or an I/O error |
/// | 2    | `Usage`: a bad command line         |
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Error {
    /// The command line is wrong; the usage synopsis follows the message.
    Usage(String),
    /// The command could not be carried out.
    Failed(String),
}

impl Error {
    /// The one-line description.
    pub(crate) fn message(&self) -> &str {
        match self {
            Error::Usage(message) | Error::Failed(message) => message,
        }
    }

    /// The process exit code for this error.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Error::Failed(_) => ExitCode::from(1),
            Error::Usage(_) => ExitCode::from(2),
        }
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Failed(message)
    }
}
