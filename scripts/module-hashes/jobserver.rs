// SPDX-License-Identifier: GPL-2.0

//! Hashing threads as GNU make jobs: a client of the make jobserver.
//!
//! make passes its jobserver in MAKEFLAGS: `--jobserver-auth=fifo:PATH`
//! (make 4.4) names a fifo, `--jobserver-auth=R,W` (make 4.2 and 4.3;
//! `--jobserver-fds=R,W` before) the read and write ends of a pipe that the
//! process inherits.  The pipe holds one byte for each free job slot.  A
//! process that make starts has one slot already, so the first thread needs
//! no token; each further thread reads one byte first and writes the same
//! byte back when it ends.
//!
//! Tokens are read without waiting: the hashing never waits for a slot, it
//! runs with the threads it could get.  The descriptors make passes are not
//! used as they are: they are opened again through `/proc/self/fd`, which
//! gives this process its own open file description, non-blocking, without
//! changing make's.  make 4.3 closes them for commands that are not marked
//! recursive (`+`), and their numbers may then be something else: they are
//! used only if both are the same pipe.  Without a usable jobserver, there
//! is one thread.

use std::env;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::parallel::Pool;

/// `O_NONBLOCK`, which std does not export, on Linux.
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
const O_NONBLOCK: i32 = 0x80;
/// `O_NONBLOCK`, which std does not export, on Linux.
#[cfg(any(target_arch = "sparc", target_arch = "sparc64"))]
const O_NONBLOCK: i32 = 0x4000;
/// `O_NONBLOCK`, which std does not export, on Linux.
#[cfg(not(any(
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "sparc",
    target_arch = "sparc64"
)))]
const O_NONBLOCK: i32 = 0o4000;

/// Where MAKEFLAGS says the jobserver is.
#[derive(Debug, PartialEq, Eq)]
enum Auth {
    /// A named fifo (make 4.4).
    Fifo(PathBuf),
    /// Inherited file descriptors for reading and writing (make 4.3).
    Fds(u32, u32),
}

/// The jobserver named by the last `--jobserver-auth=` (or
/// `--jobserver-fds=`) word in `makeflags`, if any.  Variable definitions
/// follow ` -- ` and are not looked at.
fn auth(makeflags: &str) -> Option<Auth> {
    let value = makeflags
        .split_whitespace()
        .take_while(|&word| word != "--")
        .filter_map(|word| {
            word.strip_prefix("--jobserver-auth=")
                .or_else(|| word.strip_prefix("--jobserver-fds="))
        })
        .last()?;
    if let Some(path) = value.strip_prefix("fifo:") {
        return (!path.is_empty()).then(|| Auth::Fifo(path.into()));
    }
    // Negative numbers mean that make has disabled the jobserver.
    let (read, write) = value.split_once(',')?;
    Some(Auth::Fds(read.parse().ok()?, write.parse().ok()?))
}

/// A connection to the make jobserver.
pub(crate) struct Client {
    /// What errors call the jobserver.
    name: String,
    /// Tokens are read from here, without waiting.
    read: File,
    /// Tokens are written back here.
    write: File,
    /// The first error giving a token back, if any.
    lost: Mutex<Option<String>>,
}

impl Client {
    /// The jobserver that MAKEFLAGS names, if there is one and it is a pipe
    /// this process can reach.
    pub(crate) fn from_env() -> Option<Self> {
        Client::open(&auth(env::var("MAKEFLAGS").ok()?.as_str())?)
    }

    /// Opens the jobserver at `auth` for this process's own use.
    fn open(auth: &Auth) -> Option<Self> {
        if !cfg!(target_os = "linux") {
            return None;
        }
        let (name, read_path, write_path) = match auth {
            Auth::Fifo(path) => (
                format!("the make jobserver fifo {}", path.display()),
                path.clone(),
                path.clone(),
            ),
            Auth::Fds(read, write) => (
                format!("the make jobserver (file descriptor {write})"),
                PathBuf::from(format!("/proc/self/fd/{read}")),
                PathBuf::from(format!("/proc/self/fd/{write}")),
            ),
        };
        // Non-blocking for writing too, so that opening a fifo without a
        // reader fails instead of waiting.
        let open = |path: &PathBuf, write: bool| {
            OpenOptions::new()
                .read(!write)
                .write(write)
                .custom_flags(O_NONBLOCK)
                .open(path)
                .ok()
                .filter(|file| file.metadata().is_ok_and(|data| data.file_type().is_fifo()))
        };
        let read = open(&read_path, false)?;
        let write = open(&write_path, true)?;
        let (Ok(read_data), Ok(write_data)) = (read.metadata(), write.metadata()) else {
            return None;
        };
        if (read_data.dev(), read_data.ino()) != (write_data.dev(), write_data.ino()) {
            return None;
        }
        Some(Client {
            name,
            read,
            write,
            lost: Mutex::new(None),
        })
    }

    /// Fails if a token could not be given back.
    pub(crate) fn finish(self) -> Result<(), String> {
        match self.lost.into_inner() {
            Ok(None) => Ok(()),
            Ok(Some(error)) => Err(error),
            Err(_) => Err(format!("{}: a token was not given back", self.name)),
        }
    }
}

impl Pool for Client {
    fn try_take(&self) -> Option<u8> {
        let mut token = [0];
        // Nothing to read (no token free), the end of the file and errors
        // all mean no token.
        (&self.read).read_exact(&mut token).ok()?;
        Some(token[0])
    }

    fn give_back(&self, token: u8) {
        // The pipe had room for the token before it was taken.
        if let Err(error) = (&self.write).write_all(&[token]) {
            if let Ok(mut lost) = self.lost.lock() {
                lost.get_or_insert_with(|| {
                    format!("{}: cannot give back a token: {error}", self.name)
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makeflags() {
        for (flags, expected) in [
            ("", None),
            ("s -j8", None),
            ("s -j8 --jobserver-auth=3,4", Some(Auth::Fds(3, 4))),
            (" -j8 --jobserver-fds=5,6 -j", Some(Auth::Fds(5, 6))),
            (
                "-j4 --jobserver-auth=fifo:/tmp/GMfifo123",
                Some(Auth::Fifo("/tmp/GMfifo123".into())),
            ),
            // The last one counts.
            (
                "--jobserver-auth=3,4 --jobserver-auth=fifo:/tmp/f",
                Some(Auth::Fifo("/tmp/f".into())),
            ),
            ("--jobserver-auth=-2,-2", None),
            ("--jobserver-auth=3", None),
            ("--jobserver-auth=fifo:", None),
            ("--jobserver-auth=gmake_semaphore_1234", None),
            ("-j4 -- V=--jobserver-auth=3,4", None),
        ] {
            assert_eq!(auth(flags), expected, "{flags:?}");
        }
    }

    #[test]
    fn only_a_pipe_is_a_jobserver() {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("plain");
        std::fs::write(&file, b"++++").unwrap();
        assert!(Client::open(&Auth::Fifo(file)).is_none());
        assert!(Client::open(&Auth::Fifo(directory.path().join("missing"))).is_none());
        // Standard input of a test is not a pipe shared with descriptor
        // 999999, which is not open.
        assert!(Client::open(&Auth::Fds(0, 999_999)).is_none());
    }
}
