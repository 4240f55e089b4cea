// SPDX-License-Identifier: GPL-2.0

//! `verify`: would the kernel accept these modules by their digests, and
//! if not, why?  A `modules.hashes` manifest (`DIGEST  path` lines, as
//! sha256sum writes them) explains rejections and, for a directory, names
//! the modules that are missing.

use std::collections::HashSet;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::{ffi::OsStr, fs};

use crate::module::{examine, Module};
use crate::{context, hex, io_error, json, kernel, par_map, print, report, show, Args, Digest};
use crate::{Error, FAILED, REJECTED};

/// The manifest file that a directory may have.
const MANIFEST: &str = "modules.hashes";

/// What `verify` says of a known module that is signed too.
const NOT_NEEDED: &str = ": signature present but not needed";

/// A manifest entry: the digest of a module at build time, and its path.
pub(crate) type Entry = (Digest, Vec<u8>);

/// Reads the manifest at `path`.  Errors name the file.
pub(crate) fn read_manifest(path: &Path) -> Result<Vec<Entry>, Error> {
    let name = show(path.as_os_str());
    let text = fs::read(path).map_err(|error| context(io_error(error), &name))?;
    let (mut entries, lines) = (Vec::new(), text.split(|&b| b == b'\n').enumerate());
    for (number, line) in lines.filter(|(_, line)| !line.is_empty()) {
        let rest = line.get(64..).unwrap_or_default();
        let path = rest.strip_prefix(b"  ").or(rest.strip_prefix(b" *"));
        let digest = line.get(..64).and_then(kernel::parse_hex);
        let entry = digest.zip(path.filter(|path| !path.is_empty()));
        let why = format!("{name}: line {} is not 'SHA256  path'", number + 1);
        let (digest, path) = entry.ok_or(Error(FAILED, why))?;
        entries.push((digest, path.to_vec()));
    }
    Ok(entries)
}

/// The components of `path` from the last, without `.`, `..` and empty
/// ones.
fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    let parts = path.rsplit(|&byte| byte == b'/');
    parts.filter(|part| !matches!(*part, b"" | b"." | b".."))
}

/// The manifest entry of the module at `module`, without its compression
/// extension: the one whose path and the module's agree on the most
/// trailing components, one being a suffix of the other (`lib/a.ko` and
/// `/lib/modules/VERSION/kernel/lib/a.ko`).  None if none, or two, match
/// best.
fn find(manifest: &[Entry], module: &[u8]) -> Option<usize> {
    let stem = |suffix: &[u8]| module.strip_suffix(suffix).filter(|s| s.ends_with(b".ko"));
    let built = stem(b".xz").or(stem(b".zst")).or(stem(b".gz"));
    let module = built.unwrap_or(module);
    let (mut matches, last) = (Vec::new(), components(module).next().unwrap_or_default());
    for (index, (_, path)) in manifest.iter().enumerate() {
        if !path.ends_with(last) {
            continue;
        }
        let pairs = components(module).zip(components(path));
        let common = pairs.take_while(|(a, b)| a == b).count();
        let shorter = || components(module).count().min(components(path).count());
        if common > 0 && common == shorter() {
            matches.push((common, index));
        }
    }
    matches.sort_unstable();
    match matches[..] {
        [.., (a, _), (b, _)] if a == b => None,
        [.., (_, index)] => Some(index),
        [] => None,
    }
}

/// Adds the module files under `directory` to `files`, without following
/// symbolic links to directories (`/lib/modules/VERSION/build`).
fn walk(directory: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let context = |error| context(io_error(error), &show(directory.as_os_str()));
    for entry in fs::read_dir(directory).map_err(context)? {
        let entry = entry.map_err(context)?;
        let (path, kind) = (entry.path(), entry.file_type().map_err(context)?);
        let name = entry.file_name();
        let suffixes = [&b".ko"[..], b".ko.xz", b".ko.zst", b".ko.gz"];
        let module = suffixes.iter().any(|s| name.as_bytes().ends_with(s));
        if kind.is_dir() {
            walk(&path, files)?;
        } else if module && path.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// The `--json` status of a module, given whether the table lists it and
/// its manifest entry, and the rest of its text line.
fn verdict(module: &Module, listed: bool, entry: Option<&Entry>) -> (&'static str, String) {
    let digest = hex(&module.digest);
    if let Some(why) = module.malformed {
        let why = format!(": malformed signature ({why}); digest {digest}");
        return ("malformed-signature", why);
    }
    if listed {
        let note = module.signed.then_some(NOT_NEEDED);
        return ("known", note.unwrap_or_default().into());
    }
    let Some((recorded, path)) = entry else {
        let why = format!(": unknown digest {digest} (no {MANIFEST} entry)");
        return ("unknown", why);
    };
    let (recorded, path) = (hex(recorded), show(OsStr::from_bytes(path)));
    let (status, how) = match recorded == digest {
        true => ("manifest-mismatch", "unknown digest, yet listed"),
        false => ("modified", "modified after the build"),
    };
    let why = format!(": {how}: digest {digest}, {MANIFEST} has {recorded} for {path}");
    (status, why)
}

/// A `--json` line: of a module, or of a missing manifest entry.
fn record(path: &[u8], status: &str, digest: &Digest, signed: bool, of: Option<&[u8]>) -> String {
    let (path, digest, entry) = (json(path), hex(digest), of.map_or("null".into(), json));
    let rest = format!("\"digest\":\"{digest}\",\"signed\":{signed},\"manifest_path\":{entry}");
    format!("{{\"path\":{path},\"status\":\"{status}\",{rest}}}\n")
}

/// Checks every module and prints a line for each, then one for each
/// manifest entry that no module under the directories stands for.
pub(crate) fn run(args: &Args) -> Result<(), Error> {
    let table = kernel::read(&args.operands[0])?;
    let (mut files, mut manifest, mut tree) = (Vec::new(), args.manifest.clone(), false);
    for operand in &args.operands[1..] {
        let context = |error| context(io_error(error), &show(operand.as_os_str()));
        if !fs::metadata(operand).map_err(context)?.is_dir() {
            files.push(operand.clone());
            continue;
        }
        manifest = manifest.or(Some(operand.join(MANIFEST)).filter(|own| own.is_file()));
        let start = files.len();
        walk(operand, &mut files)?;
        files[start..].sort();
        tree = true;
    }
    let manifest = manifest.map_or(Ok(Vec::new()), |path| read_manifest(&path))?;
    let results = par_map(&files, args.jobs, |path| examine(path));
    let (mut out, mut seen, mut first_error, mut rejected) = (Vec::new(), HashSet::new(), None, 0);
    for (path, result) in files.iter().zip(results) {
        let (raw, name) = (path.as_os_str().as_bytes(), show(path.as_os_str()));
        let index = find(&manifest, raw);
        seen.extend(index);
        let entry = index.map(|index| &manifest[index]);
        let line = match result {
            Err(Error(code, why)) => {
                first_error = first_error.or(Some(code));
                if !args.json {
                    report("error", &format!("{name}: {why}"));
                    continue;
                }
                let (path, why) = (json(raw), json(why.as_bytes()));
                format!("{{\"path\":{path},\"status\":\"error\",\"error\":{why}}}\n")
            }
            Ok(module) => {
                let listed = table.binary_search(&module.digest).is_ok();
                let (status, why) = verdict(&module, listed, entry);
                rejected += usize::from(status != "known");
                let word = if status == "known" { "OK" } else { "REJECTED" };
                let of = entry.map(|entry| &entry.1[..]);
                match args.json {
                    true => record(raw, status, &module.digest, module.signed, of),
                    false => format!("{word:<10}{name}{why}\n"),
                }
            }
        };
        out.extend_from_slice(line.as_bytes());
    }
    // Only a tree says which modules should be there.
    for (index, (digest, path)) in manifest.iter().enumerate() {
        let name = show(OsStr::from_bytes(path));
        let line = match args.json {
            true => record(path, "missing", digest, false, Some(path)),
            false => format!("MISSING   {name}: listed in {MANIFEST}, not found\n"),
        };
        if tree && !seen.contains(&index) {
            out.extend_from_slice(line.as_bytes());
        }
    }
    print(&out)?;
    if rejected > 0 && !args.json {
        let total = files.len();
        let why = format!("{rejected} of {total} modules would not be accepted by their digests");
        report("error", &why);
    }
    match (first_error, rejected) {
        (Some(code), _) => Err(Error(code, String::new())),
        (None, 0) => Ok(()),
        _ => Err(Error(REJECTED, String::new())),
    }
}
