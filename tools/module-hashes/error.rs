// SPDX-License-Identifier: GPL-2.0

//! Errors and exit codes.

use std::process::ExitCode;

/// Why the tool stopped.  Each kind has its own exit code:
///
/// | code | meaning                                                     |
/// |------|-------------------------------------------------------------|
/// | 0    | success (`verify`: every module would be accepted)          |
/// | 1    | `Failed`: any other error, such as an I/O error             |
/// | 2    | `Usage`: a bad command line                                 |
/// | 3    | `Rejected`: `verify` found a module the kernel would refuse |
/// | 4    | `NotFound`: a path that does not exist                      |
/// | 5    | `NotElf`: a file that is not what it should be (ELF, bzImage) |
/// | 6    | `NoSection`: a vmlinux without `.module_hashes`             |
/// | 7    | `BadTable`: a corrupt digest table                          |
/// | 8    | `BadCompressed`: a compressed file that cannot be expanded  |
///
/// `Reported` wraps one of these when the output already says it (`verify
/// --json`): the tool exits with its code and prints nothing more.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Error {
    /// The command line is wrong; the usage synopsis follows the message.
    Usage(String),
    /// The command could not be carried out.
    Failed(String),
    /// `verify` ran, and some module would not be accepted.
    Rejected(String),
    /// A path given does not exist.
    NotFound(String),
    /// A file is not an ELF file of the expected kind (or a bzImage that
    /// holds one).
    NotElf(String),
    /// vmlinux has no `.module_hashes` section.
    NoSection(String),
    /// The `.module_hashes` table is corrupt.
    BadTable(String),
    /// A compressed file is corrupt, or its decompressor cannot run.
    BadCompressed(String),
    /// An error already reported on standard output: exit with its code,
    /// print nothing.
    Reported(Box<Error>),
}

impl Error {
    /// The one-line description.
    pub(crate) fn message(&self) -> &str {
        match self {
            Error::Usage(message)
            | Error::Failed(message)
            | Error::Rejected(message)
            | Error::NotFound(message)
            | Error::NotElf(message)
            | Error::NoSection(message)
            | Error::BadTable(message)
            | Error::BadCompressed(message) => message,
            Error::Reported(error) => error.message(),
        }
    }

    /// The number `exit_code` returns.
    pub(crate) fn code(&self) -> u8 {
        match self {
            Error::Failed(_) => 1,
            Error::Usage(_) => 2,
            Error::Rejected(_) => 3,
            Error::NotFound(_) => 4,
            Error::NotElf(_) => 5,
            Error::NoSection(_) => 6,
            Error::BadTable(_) => 7,
            Error::BadCompressed(_) => 8,
            Error::Reported(error) => error.code(),
        }
    }

    /// The process exit code for this error.
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }

    /// The same kind of error with `prefix: ` before the message.
    pub(crate) fn context(self, prefix: &str) -> Self {
        let wrap = |message: String| format!("{prefix}: {message}");
        match self {
            Error::Usage(message) => Error::Usage(wrap(message)),
            Error::Failed(message) => Error::Failed(wrap(message)),
            Error::Rejected(message) => Error::Rejected(wrap(message)),
            Error::NotFound(message) => Error::NotFound(wrap(message)),
            Error::NotElf(message) => Error::NotElf(wrap(message)),
            Error::NoSection(message) => Error::NoSection(wrap(message)),
            Error::BadTable(message) => Error::BadTable(wrap(message)),
            Error::BadCompressed(message) => Error::BadCompressed(wrap(message)),
            Error::Reported(error) => Error::Reported(Box::new(error.context(prefix))),
        }
    }

    /// An error opening or reading `path`: `NotFound` when it does not
    /// exist, `Failed` otherwise.
    pub(crate) fn io(path: &std::path::Path, error: &std::io::Error) -> Self {
        let message = format!("{}: {error}", path.display());
        if error.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound(message)
        } else {
            Error::Failed(message)
        }
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Failed(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_code() {
        let errors = [
            Error::Failed(String::new()),
            Error::Usage(String::new()),
            Error::Rejected(String::new()),
            Error::NotFound(String::new()),
            Error::NotElf(String::new()),
            Error::NoSection(String::new()),
            Error::BadTable(String::new()),
            Error::BadCompressed(String::new()),
        ];
        let mut codes: Vec<u8> = errors.iter().map(Error::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes, [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn context_keeps_the_kind() {
        let error = Error::BadTable("count 9".into()).context("vmlinux");
        assert_eq!(error, Error::BadTable("vmlinux: count 9".into()));
    }

    #[test]
    fn reported_errors_keep_their_code() {
        let error = Error::Reported(Box::new(Error::NotElf("a.ko".into())));
        assert_eq!(error.code(), 5);
        assert_eq!(error.message(), "a.ko");
    }
}
