// SPDX-License-Identifier: GPL-2.0

//! Expanding compressed data with the standard programs (`xz -dc`,
//! `zstd -dc`, `gzip -dc`, ...), recognised by their magic numbers.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;

/// A compression format and the program that expands it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// gzip (`.gz`).
    Gzip,
    /// xz (`.xz`).
    Xz,
    /// Zstandard (`.zst`).
    Zstd,
    /// LZ4, legacy or frame format (`.lz4`).
    Lz4,
    /// bzip2 (`.bz2`).
    Bzip2,
    /// The legacy LZMA format (`.lzma`).
    Lzma,
    /// lzop (`.lzo`).
    Lzo,
}

impl Format {
    /// The format `data` starts with, if it is a compressed one.
    pub(crate) fn detect(data: &[u8]) -> Option<Self> {
        const MAGICS: [(&[u8], Format); 8] = [
            (b"\x1f\x8b", Format::Gzip),
            (b"\xfd7zXZ\0", Format::Xz),
            (b"\x28\xb5\x2f\xfd", Format::Zstd),
            (b"\x02\x21\x4c\x18", Format::Lz4),
            (b"\x04\x22\x4d\x18", Format::Lz4),
            (b"BZh", Format::Bzip2),
            (b"\x5d\x00\x00", Format::Lzma),
            (b"\x89LZO\0", Format::Lzo),
        ];
        MAGICS
            .iter()
            .find(|(magic, _)| data.starts_with(magic))
            .map(|&(_, format)| format)
    }

    /// The format that a file name's extension says, if any.
    pub(crate) fn from_extension(name: &str) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension {
            "gz" => Some(Format::Gzip),
            "xz" => Some(Format::Xz),
            "zst" => Some(Format::Zstd),
            "lz4" => Some(Format::Lz4),
            "bz2" => Some(Format::Bzip2),
            "lzma" => Some(Format::Lzma),
            "lzo" => Some(Format::Lzo),
            _ => None,
        }
    }

    /// The program and arguments that expand this format from standard
    /// input to standard output.
    fn command(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Format::Gzip => ("gzip", &["-dc"]),
            Format::Xz => ("xz", &["-dc"]),
            Format::Zstd => ("zstd", &["-dcq"]),
            Format::Lz4 => ("lz4", &["-dc"]),
            Format::Bzip2 => ("bzip2", &["-dc"]),
            Format::Lzma => ("xz", &["-dc", "--format=lzma"]),
            Format::Lzo => ("lzop", &["-dc"]),
        }
    }

    /// Expands `data` by piping it through the format's program.  The
    /// error says which program failed and how.
    pub(crate) fn expand(self, data: &[u8]) -> Result<Vec<u8>, String> {
        let (program, args) = self.command();
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot run '{program}' to decompress: {error}"))?;
        let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(format!("cannot talk to '{program}'"));
        };
        // Feed and drain at the same time so that neither pipe fills up.
        let (expanded, messages) = thread::scope(|scope| {
            // The program may stop reading early on bad input: a broken
            // pipe here is reported through its exit status instead.
            scope.spawn(move || {
                let _ = stdin.write_all(data);
            });
            let messages = scope.spawn(move || {
                let mut messages = String::new();
                let _ = stderr.read_to_string(&mut messages);
                messages
            });
            let mut expanded = Vec::new();
            let read = stdout.read_to_end(&mut expanded);
            (read.map(|_| expanded), messages.join().unwrap_or_default())
        });
        let status = child
            .wait()
            .map_err(|error| format!("waiting for '{program}': {error}"))?;
        let expanded = expanded.map_err(|error| format!("reading from '{program}': {error}"))?;
        if !status.success() {
            let why = messages.lines().next().unwrap_or("").trim();
            return Err(format!(
                "'{program} {}' failed ({status}){}{why}",
                args.join(" "),
                if why.is_empty() { "" } else { ": " }
            ));
        }
        Ok(expanded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `program` can be run.
    /// Fails the test unless `program` runs: required, so that no test
    /// passes without checking what it is about.
    fn need(program: &str) {
        let runs = Command::new(program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        assert!(runs, "the tests need {program} (make setup installs it)");
    }

    /// "a module image\n" as each program compresses it (`gzip -9n`,
    /// `xz`, `zstd`, `lz4`, `bzip2`).
    const COMPRESSED: [(&str, Format, &[u8]); 5] = [
        (
            "gzip",
            Format::Gzip,
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x4b\x54\xc8\xcd\x4f\x29\xcd\x49\x55\xc8\
              \xcc\x4d\x4c\x4f\xe5\x02\x00\xa9\x34\xe3\x97\x0f\x00\x00\x00",
        ),
        (
            "xz",
            Format::Xz,
            b"\xfd\x37\x7a\x58\x5a\x00\x00\x04\xe6\xd6\xb4\x46\x02\x00\x21\x01\x16\x00\x00\x00\
              \x74\x2f\xe5\xa3\x01\x00\x0e\x61\x20\x6d\x6f\x64\x75\x6c\x65\x20\x69\x6d\x61\x67\
              \x65\x0a\x00\x00\x1c\x64\x90\x45\xac\xa2\x32\xeb\x00\x01\x27\x0f\xdf\x1a\xfc\x6a\
              \x1f\xb6\xf3\x7d\x01\x00\x00\x00\x00\x04\x59\x5a",
        ),
        (
            "zstd",
            Format::Zstd,
            b"\x28\xb5\x2f\xfd\x04\x58\x79\x00\x00\x61\x20\x6d\x6f\x64\x75\x6c\x65\x20\x69\x6d\
              \x61\x67\x65\x0a\xce\xcc\xa4\xa8",
        ),
        (
            "lz4",
            Format::Lz4,
            b"\x04\x22\x4d\x18\x64\x40\xa7\x0f\x00\x00\x80\x61\x20\x6d\x6f\x64\x75\x6c\x65\x20\
              \x69\x6d\x61\x67\x65\x0a\x00\x00\x00\x00\xd8\x63\x97\x24",
        ),
        (
            "bzip2",
            Format::Bzip2,
            b"\x42\x5a\x68\x39\x31\x41\x59\x26\x53\x59\x69\xff\x96\x0d\x00\x00\x01\xd1\x80\x00\
              \x10\x40\x00\x26\xa6\x82\x00\x20\x00\x31\x00\xd3\x4d\x04\x00\xd3\x25\xb5\x4f\x10\
              \x70\x25\x21\x78\xbb\x92\x29\xc2\x84\x83\x4f\xfc\xb0\x68",
        ),
    ];

    #[test]
    fn expands_through_each_program() {
        for (program, format, compressed) in COMPRESSED {
            need(program);
            assert_eq!(Format::detect(compressed), Some(format), "{program}");
            assert_eq!(
                format.expand(compressed).unwrap(),
                b"a module image\n",
                "{program}"
            );
        }
    }

    #[test]
    fn corrupt_input_is_an_error_naming_the_program() {
        need("xz");
        let error = Format::Xz
            .expand(b"\xfd7zXZ\0 and then garbage")
            .unwrap_err();
        assert!(error.starts_with("'xz -dc' failed"), "{error}");
    }

    #[test]
    fn formats_from_names_and_magic() {
        assert_eq!(Format::from_extension("a.ko.xz"), Some(Format::Xz));
        assert_eq!(Format::from_extension("a.ko.zst"), Some(Format::Zstd));
        assert_eq!(Format::from_extension("a.ko.gz"), Some(Format::Gzip));
        assert_eq!(Format::from_extension("a.ko"), None);
        assert_eq!(Format::detect(b"\x7fELF"), None);
        assert_eq!(Format::detect(b""), None);
    }
}
