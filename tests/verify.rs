// SPDX-License-Identifier: GPL-2.0

//! `module-hashes verify` and `list` on crafted kernels and modules.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{
    assert_failed, compress, fake_module, have_or_skip, reserved_section, run, section, sha256,
    sha256_hex, signed, signed_with_info, texts, tool, vmlinux, vmlinux_like, ElfBuilder, Tree,
    EM_PPC, EM_S390,
};

/// A built kernel: a scratch tree with a vmlinux whose table has the
/// digests of `lib/alpha.ko` and `drivers/net/beta.ko`, and their manifest
/// `modules.hashes`.
struct Build {
    /// The tree.
    tree: Tree,
}

impl Build {
    fn new() -> Self {
        let tree = Tree::new();
        let (alpha, beta) = (fake_module("alpha"), fake_module("beta"));
        let table = section(&[sha256(&alpha), sha256(&beta)], 4);
        tree.write("vmlinux", &vmlinux(&table));
        let manifest = format!(
            "{}  lib/alpha.ko\n{}  drivers/net/beta.ko\n",
            sha256_hex(&alpha),
            sha256_hex(&beta)
        );
        tree.write("modules.hashes", manifest.as_bytes());
        Build { tree }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.tree.path(relative)
    }

    /// Installs `contents` as `relative` under `install/`, the
    /// /lib/modules/VERSION of this build.
    fn install(&self, relative: &str, contents: &[u8]) -> PathBuf {
        self.tree.write(&format!("install/{relative}"), contents)
    }

    /// The manifest as modules_install installs it: `kernel/` in front.
    fn install_manifest(&self) {
        let text = String::from_utf8(self.tree.read("modules.hashes")).unwrap();
        let installed: String = text.replace("  ", "  kernel/");
        self.tree
            .write("install/modules.hashes", installed.as_bytes());
    }

    /// `verify [--json] --manifest modules.hashes vmlinux MODULES...`.
    fn verify(&self, json: bool, modules: &[&Path]) -> Output {
        let mut args = vec!["verify".into()];
        if json {
            args.push("--json".into());
        }
        args.extend([
            "--manifest".into(),
            self.path("modules.hashes").into_os_string(),
        ]);
        args.push(self.path("vmlinux").into_os_string());
        args.extend(modules.iter().map(|path| path.as_os_str().to_owned()));
        run(&args)
    }

    /// `verify [--json] vmlinux MODULES...`, without `--manifest`.
    fn verify_plain(&self, json: bool, modules: &[&Path]) -> Output {
        let mut args = vec!["verify".into()];
        if json {
            args.push("--json".into());
        }
        args.push(self.path("vmlinux").into_os_string());
        args.extend(modules.iter().map(|path| path.as_os_str().to_owned()));
        run(&args)
    }
}

/// Checks that a run exited with `code` and printed one line on standard
/// output, with every string of `expected`.
fn assert_verdict(output: &Output, code: i32, expected: &[&str]) {
    let (stdout, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(code), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    for text in expected {
        assert!(stdout.contains(text), "'{text}' not in: {stdout}");
    }
}

/// Checks that a `--json` run exited with `code`, printed nothing on
/// standard error and exactly `expected` on standard output.
fn assert_json(output: &Output, code: i32, expected: &[String]) {
    let (stdout, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(code), "{stdout}{stderr}");
    assert_eq!(stderr, "", "{stdout}");
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{stdout}");
}

/// The `--json` line of a module whose path needs no escaping.
fn json_line(
    path: &Path,
    status: &str,
    module: &[u8],
    signed: bool,
    entry: Option<&str>,
) -> String {
    let entry = entry.map_or("null".to_string(), |path| format!("\"{path}\""));
    format!(
        "{{\"path\":\"{}\",\"status\":\"{status}\",\"digest\":\"{}\",\"signed\":{signed},\
         \"manifest_path\":{entry}}}",
        path.display(),
        sha256_hex(module)
    )
}

/// The `--json` line of a manifest entry that no module stands for.
fn missing_line(path: &str, module: &[u8]) -> String {
    json_line(Path::new(path), "missing", module, false, Some(path))
}

// Verdicts.

#[test]
fn accepted_module() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    let output = build.verify(false, &[&module]);
    assert_verdict(&output, 0, &["OK ", "alpha.ko"]);
    assert_eq!(
        texts(&output).0,
        format!("OK        {}\n", module.display())
    );
}

#[test]
fn modified_module() {
    let build = Build::new();
    let tampered = fake_module("alphA");
    let module = build.install("kernel/lib/alpha.ko", &tampered);
    let output = build.verify(false, &[&module]);
    assert_verdict(
        &output,
        3,
        &[
            "REJECTED  ",
            "modified after the build",
            &sha256_hex(&tampered),
            &sha256_hex(&fake_module("alpha")),
            "for lib/alpha.ko",
        ],
    );
    assert!(texts(&output)
        .1
        .contains("1 of 1 modules would not be accepted"));
}

#[test]
fn unknown_module() {
    let build = Build::new();
    let module = build.install("extra/gamma.ko", &fake_module("gamma"));
    let output = build.verify(false, &[&module]);
    assert_verdict(
        &output,
        3,
        &["REJECTED", "unknown digest", "no modules.hashes entry"],
    );
}

#[test]
fn manifest_from_another_build() {
    let build = Build::new();
    let other = fake_module("alpha2");
    let manifest = format!("{}  lib/alpha.ko\n", sha256_hex(&other));
    build.tree.write("modules.hashes", manifest.as_bytes());
    let module = build.install("kernel/lib/alpha.ko", &other);
    let output = build.verify(false, &[&module]);
    assert_verdict(&output, 3, &["REJECTED", "unknown digest, yet listed"]);
}

#[test]
fn signed_module_is_accepted_with_a_note() {
    let build = Build::new();
    let file = signed(&fake_module("alpha"), b"pretend PKCS#7");
    let module = build.install("kernel/lib/alpha.ko", &file);
    let output = build.verify(false, &[&module]);
    assert_verdict(&output, 0, &["OK ", "signature present but not needed"]);
}

#[test]
fn malformed_signatures_are_never_accepted() {
    let build = Build::new();
    let alpha = fake_module("alpha");
    for info in [[0, 0, 1, 0, 0, 0, 0, 0], [1, 0, 2, 0, 0, 0, 0, 0]] {
        let file = signed_with_info(&alpha, b"sig", info);
        let module = build.install("kernel/lib/alpha.ko", &file);
        let output = build.verify(false, &[&module]);
        assert_verdict(
            &output,
            3,
            &["REJECTED", "malformed signature", &sha256_hex(&file)],
        );
    }
    // sig_len beyond the file: the whole file is hashed, even when the
    // table has that digest, the kernel does not accept it by it.
    let mut file = signed(&alpha, b"sig");
    let at = file.len() - common::SIGNATURE_MARKER.len() - 4;
    file[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    let table = section(&[sha256(&file)], 1);
    build.tree.write("vmlinux", &vmlinux(&table));
    let module = build.install("kernel/lib/alpha.ko", &file);
    let output = build.verify(true, &[&module]);
    let (stdout, _) = texts(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("\"status\":\"malformed-signature\""),
        "{stdout}"
    );
    assert!(stdout.contains(&sha256_hex(&file)), "{stdout}");
}

#[test]
fn compressed_modules() {
    let build = Build::new();
    for (program, extension) in [("xz", "xz"), ("zstd", "zst"), ("gzip", "gz")] {
        if !have_or_skip(program, &format!("verify of .ko.{extension}")) {
            continue;
        }
        let name = format!("kernel/lib/alpha.ko.{extension}");
        let file = compress(program, &signed(&fake_module("alpha"), b"sig"));
        let module = build.install(&name, &file);
        assert_verdict(&build.verify(false, &[&module]), 0, &["OK ", "alpha.ko"]);
        // Tampered before compression: still matched to lib/alpha.ko.
        let module = build.install(&name, &compress(program, &fake_module("alphA")));
        let output = build.verify(false, &[&module]);
        assert_verdict(
            &output,
            3,
            &["modified after the build", "for lib/alpha.ko"],
        );
        // A name that says compressed, contents that are plain ELF.
        let module = build.install(&name, &fake_module("alpha"));
        assert_verdict(&build.verify(false, &[&module]), 0, &["OK "]);
        fs::remove_file(&module).unwrap();
    }
}

// Directories and the manifest.

#[test]
fn directory_with_its_own_manifest() {
    let build = Build::new();
    build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    build.install("kernel/drivers/net/beta.ko", &fake_module("beta"));
    build.install("modules.dep", b"not a module\n");
    build.install("kernel/notes.txt", b"not a module\n");
    fs::copy(
        build.path("modules.hashes"),
        build.path("install/modules.hashes"),
    )
    .unwrap();
    // Not followed: /lib/modules/VERSION/build is a whole tree.
    std::os::unix::fs::symlink(build.path("install/kernel"), build.path("install/build")).unwrap();
    let directory = build.path("install");
    let output = build.verify_plain(false, &[&directory]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // Sorted by path.
    assert!(lines[0].starts_with("OK ") && lines[0].ends_with("drivers/net/beta.ko"));
    assert!(lines[1].starts_with("OK ") && lines[1].ends_with("lib/alpha.ko"));

    // A tampered module is explained with the directory's manifest.
    build.install("kernel/lib/alpha.ko", &fake_module("alphb"));
    let output = build.verify_plain(false, &[&directory]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("modified after the build"), "{stdout}");
    assert!(
        stderr.contains("1 of 2 modules would not be accepted"),
        "{stderr}"
    );
}

#[test]
fn missing_modules_of_an_installed_tree() {
    let build = Build::new();
    let alpha = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    build.install_manifest();
    let directory = build.path("install");
    let output = build.verify_plain(false, &[&directory]);
    let (stdout, stderr) = texts(&output);
    // Missing modules alone do not fail the check.
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        format!(
            "OK        {}\nMISSING   kernel/drivers/net/beta.ko: listed in modules.hashes, not found\n",
            alpha.display()
        )
    );
    let beta = fake_module("beta");
    assert_json(
        &build.verify_plain(true, &[&directory]),
        0,
        &[
            json_line(
                &alpha,
                "known",
                &fake_module("alpha"),
                false,
                Some("kernel/lib/alpha.ko"),
            ),
            missing_line("kernel/drivers/net/beta.ko", &beta),
        ],
    );
    // The build's manifest, with the paths of the object tree.
    assert_json(
        &build.verify(true, &[&directory]),
        0,
        &[
            json_line(
                &alpha,
                "known",
                &fake_module("alpha"),
                false,
                Some("lib/alpha.ko"),
            ),
            missing_line("drivers/net/beta.ko", &beta),
        ],
    );
    // Files alone: the manifest only explains, nothing is missing.
    assert_json(
        &build.verify(true, &[&alpha]),
        0,
        &[json_line(
            &alpha,
            "known",
            &fake_module("alpha"),
            false,
            Some("lib/alpha.ko"),
        )],
    );
    // A rejected module still decides the exit status.
    build.install("kernel/lib/alpha.ko", &fake_module("alphA"));
    let output = build.verify(false, &[&directory]);
    let (stdout, _) = texts(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(stdout.starts_with("REJECTED  "), "{stdout}");
    assert!(
        stdout.ends_with("MISSING   drivers/net/beta.ko: listed in modules.hashes, not found\n")
    );
}

#[test]
fn manifest_entries_are_matched_through_compression_and_prefixes() {
    let build = Build::new();
    let alpha = match have_or_skip("gzip", "a .ko.gz in the tree") {
        true => build.install(
            "kernel/lib/alpha.ko.gz",
            &compress("gzip", &fake_module("alpha")),
        ),
        false => build.install("kernel/lib/alpha.ko", &fake_module("alpha")),
    };
    let beta_file = signed(&fake_module("beta"), b"sig");
    let beta = build.install("kernel/drivers/net/beta.ko", &beta_file);
    build.install_manifest();
    let directory = build.path("install");
    let expected = [
        json_line(
            &beta,
            "known",
            &fake_module("beta"),
            true,
            Some("kernel/drivers/net/beta.ko"),
        ),
        json_line(
            &alpha,
            "known",
            &fake_module("alpha"),
            false,
            Some("kernel/lib/alpha.ko"),
        ),
    ];
    assert_json(&build.verify_plain(true, &[&directory]), 0, &expected);
    // Run from inside the tree, with a relative path.
    let output = tool()
        .current_dir(&directory)
        .args(["verify", "--json"])
        .arg(build.path("vmlinux"))
        .arg(".")
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(!stdout.contains("missing"), "{stdout}");
    // A module of the same name elsewhere (DKMS's updates/) is another
    // module: the in-tree one is still missing.
    fs::remove_file(&beta).unwrap();
    let dkms = build.install("updates/dkms/beta.ko", &fake_module("beta2"));
    assert_json(
        &build.verify_plain(true, &[&directory]),
        3,
        &[
            expected[1].clone(),
            json_line(&dkms, "unknown", &fake_module("beta2"), false, None),
            missing_line("kernel/drivers/net/beta.ko", &fake_module("beta")),
        ],
    );
    // Two entries that match equally well: none is chosen.
    let twice = format!("{0}  a/dummy.ko\n{0}  b/dummy.ko\n", sha256_hex(b"x"));
    build.tree.write("modules.hashes", twice.as_bytes());
    let dummy = build.install("dummy.ko", &fake_module("dummy"));
    let output = build.verify(true, &[&dummy]);
    assert!(texts(&output).0.contains("\"manifest_path\":null"));
}

#[test]
fn a_module_that_cannot_be_checked_is_not_missing() {
    let build = Build::new();
    build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    let broken = build.install("kernel/drivers/net/beta.ko.gz", b"\x1f\x8b broken");
    build.install_manifest();
    let directory = build.path("install");
    if !have_or_skip("gzip", "a corrupt .ko.gz") {
        return;
    }
    let output = build.verify_plain(false, &[&directory]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(8), "{stdout}{stderr}");
    assert!(!stdout.contains("MISSING"), "{stdout}");
    assert!(
        stderr.contains("beta.ko.gz: cannot decompress: 'gzip' failed"),
        "{stderr}"
    );
    let output = build.verify_plain(true, &[&directory]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(8), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let start = format!(
        "{{\"path\":\"{}\",\"status\":\"error\",\"error\":\"cannot",
        broken.display()
    );
    assert!(lines[0].starts_with(&start), "{stdout}");
    assert!(lines[1].contains("\"status\":\"known\""), "{stdout}");
}

#[test]
fn bad_manifests() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    for bad in [
        "zz  a.ko\n",
        "0123  a.ko\n",
        &format!("{}a.ko\n", "0".repeat(64)),
    ] {
        let manifest = format!("{}  lib/alpha.ko\n{bad}", sha256_hex(b"a"));
        build.tree.write("modules.hashes", manifest.as_bytes());
        assert_failed(
            &build.verify(false, &[&module]),
            1,
            &["modules.hashes: line 2"],
        );
    }
}

// JSON.

#[test]
fn json_known_unknown_modified_and_mismatch() {
    let build = Build::new();
    let alpha = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    let beta_file = signed(&fake_module("beta"), b"pretend PKCS#7");
    let beta = build.install("kernel/drivers/net/beta.ko", &beta_file);
    let gamma = build.install("extra/gamma.ko", &fake_module("gamma"));
    assert_json(
        &build.verify(true, &[&gamma, &alpha, &beta]),
        3,
        &[
            json_line(&gamma, "unknown", &fake_module("gamma"), false, None),
            json_line(
                &alpha,
                "known",
                &fake_module("alpha"),
                false,
                Some("lib/alpha.ko"),
            ),
            json_line(
                &beta,
                "known",
                &fake_module("beta"),
                true,
                Some("drivers/net/beta.ko"),
            ),
        ],
    );
    let tampered = fake_module("alphA");
    let alpha = build.install("kernel/lib/alpha.ko", &tampered);
    assert_json(
        &build.verify(true, &[&alpha]),
        3,
        &[json_line(
            &alpha,
            "modified",
            &tampered,
            false,
            Some("lib/alpha.ko"),
        )],
    );
    let manifest = format!("{}  lib/alpha.ko\n", sha256_hex(&tampered));
    build.tree.write("modules.hashes", manifest.as_bytes());
    assert_json(
        &build.verify(true, &[&alpha]),
        3,
        &[json_line(
            &alpha,
            "manifest-mismatch",
            &tampered,
            false,
            Some("lib/alpha.ko"),
        )],
    );
}

#[test]
fn bad_modules_do_not_stop_the_others() {
    let build = Build::new();
    let good = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    let bad = build.install("kernel/lib/bad.ko", b"not ELF");
    let worse = build.install("kernel/lib/worse.ko.gz", b"\x1f\x8b broken");
    let output = build.verify(false, &[&bad, &good, &worse]);
    let (stdout, stderr) = texts(&output);
    // The first error's kind decides the exit status.
    assert_eq!(output.status.code(), Some(5), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("OK ") && stdout.lines().count() == 1,
        "{stdout}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(stderr.contains("bad.ko: not an ELF file"), "{stderr}");
    assert!(
        stderr.contains("worse.ko.gz: cannot decompress"),
        "{stderr}"
    );

    let output = build.verify(true, &[&bad, &good, &worse]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(5), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "{{\"path\":\"{}\",\"status\":\"error\",\"error\":\"not an ELF file\"}}",
            bad.display()
        )
    );
    assert_eq!(
        lines[1],
        json_line(
            &good,
            "known",
            &fake_module("alpha"),
            false,
            Some("lib/alpha.ko")
        )
    );
    assert!(
        lines[2].contains("\"status\":\"error\",\"error\":\"cannot decompress"),
        "{stdout}"
    );
    // An error that stops the command is still a message.
    let missing = build.path("no/such/vmlinux");
    let output = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        missing.as_os_str(),
        good.as_os_str(),
    ]);
    assert_failed(&output, 4, &["no/such/vmlinux"]);
}

#[test]
fn names_cannot_forge_lines() {
    let build = Build::new();
    let alpha = fake_module("alpha");
    let digest = sha256_hex(&alpha);
    let dir = build.path("install/extra");
    fs::create_dir_all(&dir).unwrap();
    let names = [
        &b"we\"ird\\name.ko"[..],
        b"new\nOK        line\x01.ko",
        b"bad\xff.ko",
    ];
    let paths = names.map(|name| dir.join(OsStr::from_bytes(name)));
    for path in &paths {
        fs::write(path, &alpha).unwrap();
    }
    let [quoted, newline, not_utf8] = &paths;
    let modules = [quoted.as_path(), newline, not_utf8];
    let output = build.verify_plain(true, &modules);
    let dir = dir.display();
    let line = |name: &str| {
        format!(
            "{{\"path\":\"{dir}/{name}\",\"status\":\"known\",\"digest\":\"{digest}\",\
             \"signed\":false,\"manifest_path\":null}}"
        )
    };
    // Not UTF-8: a lone surrogate, distinct from U+FFFD.
    assert_json(
        &output,
        0,
        &[
            line("we\\\"ird\\\\name.ko"),
            line("new\\u000aOK        line\\u0001.ko"),
            line("bad\\udcff.ko"),
        ],
    );
    let output = build.verify_plain(false, &modules);
    let (stdout, _) = texts(&output);
    assert!(output.status.success(), "{stdout}");
    assert_eq!(
        stdout,
        format!(
            "OK        {dir}/we\\\"ird\\\\name.ko\nOK        {dir}/new\\nOK        line\\x01.ko\n\
             OK        {dir}/bad\\xff.ko\n"
        )
    );
}

// SOURCE: the kinds of kernel.

#[test]
fn bare_section_and_sysfs_style_table() {
    let build = Build::new();
    let table = section(
        &[sha256(&fake_module("alpha")), sha256(&fake_module("beta"))],
        4,
    );
    let path = build.tree.write("module_hashes", &table);
    let alpha = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    let gamma = build.install("extra/gamma.ko", &fake_module("gamma"));
    let output = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        path.as_os_str(),
        alpha.as_os_str(),
        gamma.as_os_str(),
    ]);
    assert_json(
        &output,
        3,
        &[
            json_line(&alpha, "known", &fake_module("alpha"), false, None),
            json_line(&gamma, "unknown", &fake_module("gamma"), false, None),
        ],
    );
}

#[test]
fn text_list_of_the_running_kernel() {
    let build = Build::new();
    let mut digests = [
        sha256_hex(&fake_module("alpha")),
        sha256_hex(&fake_module("beta")),
    ];
    digests.sort();
    let text = format!("{}\n{}\n", digests[0], digests[1]);
    let list = build.tree.write("module_hashes", text.as_bytes());
    let output = run(&["list".as_ref(), list.as_os_str()]);
    assert_eq!(texts(&output).0, text);
    let alpha = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    let output = run(&["verify".as_ref(), list.as_os_str(), alpha.as_os_str()]);
    assert_verdict(&output, 0, &["OK "]);
    // Without the last newline, and empty (a kernel with no modules).
    build
        .tree
        .write("module_hashes", text.trim_end().as_bytes());
    assert_eq!(texts(&run(&["list".as_ref(), list.as_os_str()])).0, text);
    build.tree.write("module_hashes", b"");
    let output = run(&["list".as_ref(), list.as_os_str()]);
    assert!(
        output.status.success() && output.stdout.is_empty(),
        "{output:?}"
    );
    let output = run(&["verify".as_ref(), list.as_os_str(), alpha.as_os_str()]);
    assert_verdict(&output, 3, &["unknown digest"]);
    // Corrupt lists.
    for (bad, expected) in [
        (
            format!("{}\n{}\n", digests[1], digests[0]),
            "entry 1 is not after entry 0",
        ),
        (
            format!("{}\n{}\n", digests[0], digests[0]),
            "entry 1 is not after entry 0",
        ),
        (
            format!("{}\n{}\n", digests[0], &digests[1][..63]),
            "line 2 is not a digest",
        ),
        (
            format!("{}\n\n{}\n", digests[0], digests[1]),
            "line 2 is not a digest",
        ),
        (
            format!("{}\n{} \n", digests[0], digests[1]),
            "line 2 is not a digest",
        ),
    ] {
        build.tree.write("module_hashes", bad.as_bytes());
        let output = run(&["list".as_ref(), list.as_os_str()]);
        assert_failed(
            &output,
            7,
            &["module_hashes: corrupt digest list", expected],
        );
    }
}

#[test]
fn list_and_verify_kernels_of_every_class_and_byte_order() {
    let alpha = fake_module("alpha");
    let table = section(&[sha256(&alpha), sha256(&fake_module("beta"))], 3);
    for kind in [
        ElfBuilder::exec64().class32().big_endian().machine(EM_PPC),
        ElfBuilder::exec64().big_endian().machine(EM_S390),
        ElfBuilder::exec64().class32(),
        ElfBuilder::exec64(),
    ] {
        let build = Build::new();
        build.tree.write("vmlinux", &vmlinux_like(kind, &table));
        let output = run(&["list".as_ref(), build.path("vmlinux").as_os_str()]);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        let mut expected = [sha256_hex(&alpha), sha256_hex(&fake_module("beta"))];
        expected.sort();
        assert_eq!(stdout, format!("{}\n{}\n", expected[0], expected[1]));
        let module = build.install("kernel/lib/alpha.ko", &alpha);
        assert_verdict(&build.verify(false, &[&module]), 0, &["OK "]);
    }
}

#[test]
fn raw_memory_image_is_searched_for_the_table() {
    // An uncompressed arm64 or RISC-V Image: no ELF, the section's bytes
    // somewhere inside.
    let build = Build::new();
    let table = section(&[sha256(&fake_module("alpha"))], 2);
    let mut image = vec![0x5a; 4096];
    image[0x38..0x3c].copy_from_slice(b"ARM\x64");
    // The magic alone, as code that checks it holds it, is no table.
    image.extend_from_slice(b"MODHASH\0 and then code");
    image.extend_from_slice(&table);
    image.extend_from_slice(&[0x5a; 100]);
    let path = build.tree.write("Image", &image);
    let output = run(&["list".as_ref(), path.as_os_str()]);
    assert_eq!(
        texts(&output).0,
        format!("{}\n", sha256_hex(&fake_module("alpha")))
    );
    // Two tables: which one would the kernel use?
    image.extend_from_slice(&section(&[sha256(b"other")], 1));
    build.tree.write("Image", &image);
    let output = run(&["list".as_ref(), path.as_os_str()]);
    assert_failed(&output, 7, &["more than one .module_hashes table"]);
}

#[test]
fn compressed_kernel_images() {
    let build = Build::new();
    let alpha = fake_module("alpha");
    let table = section(&[sha256(&alpha)], 2);
    let list = |path: &Path| tool().arg("list").arg(path).output().unwrap();
    // An x86 bzImage: setup code, then the compressed ELF vmlinux.
    let mut bzimage = vec![0u8; 0x1000];
    bzimage[0x1fe..0x200].copy_from_slice(&[0x55, 0xaa]);
    bzimage[0x202..0x206].copy_from_slice(b"HdrS");
    bzimage.extend_from_slice(&compress("gzip", &vmlinux(&table)));
    bzimage.extend_from_slice(&[0; 64]);
    // The raw memory image of an architecture whose vmlinux is not ELF.
    let mut image = vec![0u8; 0x2000];
    image[0x38..0x3c].copy_from_slice(b"ARM\x64");
    image[0x1000..0x1000 + table.len()].copy_from_slice(&table);
    // A 32-bit ARM zImage: the decompressor, with something that looks
    // like the start of a gzip stream, then the stream, then other data.
    let mut zimage = vec![0x5a; 0x800];
    zimage.extend_from_slice(b"\x1f\x8b\x08 no stream, then the payload");
    zimage.extend_from_slice(&compress("gzip", &image));
    zimage.extend_from_slice(&[0xa5; 256]);
    let mut images = vec![
        ("bzImage", bzimage),
        ("Image.gz", compress("gzip", &image)),
        ("zImage", zimage),
    ];
    // Other compressors, as an s390 bzImage or an x86 one may use them
    // (lz4 in its legacy format, as the kernel's build writes it).
    let compressors: [(&str, &[&str]); 4] = [
        ("xz", &["-c"]),
        ("zstd", &["-c"]),
        ("bzip2", &["-c"]),
        ("lz4", &["-l", "-c"]),
    ];
    for (program, args) in compressors {
        if have_or_skip(program, "compressed kernel images") {
            let mut other = vec![0x11; 0x400];
            other.extend_from_slice(&common::pipe(program, args, &image));
            other.extend_from_slice(&[0xa5; 64]);
            images.push((program, other));
        }
    }
    for (name, contents) in images {
        let path = build.tree.write(name, &contents);
        let output = list(&path);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{name}: {stderr}");
        assert_eq!(stdout, format!("{}\n", sha256_hex(&alpha)), "{name}");
        let module = build.install("kernel/lib/alpha.ko", &alpha);
        let output = tool()
            .args(["verify".as_ref(), path.as_os_str(), module.as_os_str()])
            .output()
            .unwrap();
        assert_verdict(&output, 0, &["OK "]);
    }
    // Not a kernel at all, and the start of a gzip stream and no more.
    let script = build
        .tree
        .write("script", b"#!/bin/sh\necho not a kernel\n");
    let truncated = build
        .tree
        .write("bzImage", b"\x1f\x8b\x08 a compressed kernel, maybe");
    for path in [script, truncated] {
        let why = ["no .module_hashes table in it, or in a compressed kernel in it"];
        assert_failed(&list(&path), 6, &why);
    }
    // A compressed kernel through a pipe: its streams would have to be read
    // again, which would wait for a writer that is gone.  An error, no hang.
    let fifo = build.tree.path("Image.gz.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let contents = compress("gzip", &image);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(fifo, contents))
    };
    let why = [
        "Image.gz.fifo: no .module_hashes table",
        "regular files only",
    ];
    assert_failed(&list(&fifo), 6, &why);
    writer.join().unwrap().unwrap();
    // A kernel image without a table.
    let mut bzimage = vec![0u8; 0x1000];
    bzimage.extend_from_slice(&compress("gzip", &common::ElfBuilder::exec64().build()));
    let path = build.tree.write("old-bzImage", &bzimage);
    assert_failed(&list(&path), 6, &["old-bzImage: no .module_hashes table"]);
    // A compressed kernel whose table is corrupt: the error says where.
    let mut unsorted = table.clone();
    unsorted.extend_from_slice(&[0; 64]);
    unsorted[16] = 2;
    unsorted[24..56].copy_from_slice(&[0xff; 32]);
    let path = build
        .tree
        .write("bad-Image.gz", &compress("gzip", &unsorted));
    let why = [
        "the kernel that gzip found at offset 0",
        "entry 1 is not after entry 0",
    ];
    assert_failed(&list(&path), 7, &why);
}

#[test]
fn streams_of_a_kernel_image_share_one_size_limit() {
    let build = Build::new();
    let alpha = fake_module("alpha");
    let mut image = vec![0u8; 0x2000];
    let table = section(&[sha256(&alpha)], 2);
    image[0x1000..0x1000 + table.len()].copy_from_slice(&table);
    // Ten streams of 100,000 zeros each, then the kernel: 1,008,192 bytes
    // in all.  Each stream alone is far below either limit below.  Other
    // data follows each, or gzip would go on with the next.
    let mut crafted = vec![0x5a; 0x400];
    for _ in 0..10 {
        crafted.extend_from_slice(&compress("gzip", &vec![0; 100_000]));
        crafted.extend_from_slice(&[0x5a; 16]);
    }
    crafted.extend_from_slice(&compress("gzip", &image));
    let path = build.tree.write("crafted-Image", &crafted);
    let list = |limit: &str| {
        let command = tool()
            .env("MODULE_HASHES_MAX_SIZE", limit)
            .arg("list")
            .arg(&path)
            .output();
        command.unwrap()
    };
    let output = list("1100000");
    assert!(output.status.success(), "{}", texts(&output).1);
    assert_eq!(texts(&output).0, format!("{}\n", sha256_hex(&alpha)));
    // 950,000 bytes for all of them: the tenth stream gets what the first
    // nine left, 50,000 bytes, and writes more.
    let why = [
        "crafted-Image: the kernel that gzip found at offset",
        "'gzip' wrote more than 50000 bytes (MODULE_HASHES_MAX_SIZE)",
    ];
    assert_failed(&list("950000"), 8, &why);
    // A stream whose program is not installed is passed over: here xz's,
    // with only gzip on the PATH.
    let bin = build.tree.path("only-gzip");
    fs::create_dir_all(&bin).unwrap();
    let gzip = Command::new("sh")
        .args(["-c", "command -v gzip"])
        .output()
        .unwrap();
    let gzip = String::from_utf8(gzip.stdout).unwrap();
    std::os::unix::fs::symlink(gzip.trim(), bin.join("gzip")).unwrap();
    let mut with_xz = b"\xfd7zXZ\0 not a stream".to_vec();
    with_xz.extend_from_slice(&compress("gzip", &image));
    let path = build.tree.write("xz-then-gzip-Image", &with_xz);
    let output = tool()
        .env("PATH", &bin)
        .arg("list")
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", texts(&output).1);
    assert_eq!(texts(&output).0, format!("{}\n", sha256_hex(&alpha)));
}

#[test]
fn missing_paths() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko", &fake_module("alpha"));
    let missing = build.path("no/such/file.ko");
    let vmlinux = build.path("vmlinux");
    for args in [
        vec!["verify".as_ref(), vmlinux.as_os_str(), missing.as_os_str()],
        vec!["verify".as_ref(), missing.as_os_str(), module.as_os_str()],
        vec!["list".as_ref(), missing.as_os_str()],
        vec![
            "verify".as_ref(),
            "--manifest".as_ref(),
            missing.as_os_str(),
            vmlinux.as_os_str(),
            module.as_os_str(),
        ],
    ] {
        assert_failed(&run(&args), 4, &["no/such/file.ko", "No such file"]);
    }
}

#[test]
fn module_that_is_not_elf() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko", b"just text\n");
    assert_failed(
        &build.verify(false, &[&module]),
        5,
        &["alpha.ko: not an ELF file"],
    );
}

#[test]
fn vmlinux_without_the_section() {
    let build = Build::new();
    let kernel = common::ElfBuilder::exec64()
        .section(".text", common::SHT_PROGBITS, b"x")
        .build();
    build.tree.write("vmlinux", &kernel);
    let output = run(&["list".as_ref(), build.path("vmlinux").as_os_str()]);
    assert_failed(
        &output,
        6,
        &["no .module_hashes section", "CONFIG_MODULE_HASHES"],
    );
}

#[test]
fn corrupt_tables() {
    let build = Build::new();
    let good = section(&[sha256(b"1"), sha256(b"2")], 4);
    let corrupt = |at: usize, value: u8| {
        let mut table = good.clone();
        table[at] = value;
        table
    };
    let mut unsorted = good.clone();
    unsorted[24..88].rotate_left(32);
    let mut duplicate = good.clone();
    duplicate.copy_within(24..56, 56);
    for (table, expected) in [
        (corrupt(0, b'X'), "magic \"XODHASH\\x00\""),
        (corrupt(8, 9), "version 9"),
        (corrupt(12, 2), "algorithm 2"),
        (corrupt(20, 64), "entry size 64"),
        (corrupt(16, 5), "count 5 is beyond the section: 4 fit"),
        (corrupt(19, 0x7f), "is beyond the section"),
        (unsorted, "entry 1 is not after entry 0"),
        (duplicate, "entry 1 is not after entry 0"),
        (reserved_section(24 + 32), "never filled in"),
        (vec![0; 100], "never filled in"),
        (good[..23].to_vec(), "23 bytes, less than a header"),
    ] {
        build.tree.write("vmlinux", &vmlinux(&table));
        let output = run(&["list".as_ref(), build.path("vmlinux").as_os_str()]);
        assert_failed(
            &output,
            7,
            &["vmlinux: corrupt .module_hashes table", expected],
        );
    }
    // The bare table, corrupt the same way.
    build.tree.write("table", &corrupt(8, 9));
    let output = run(&["list".as_ref(), build.path("table").as_os_str()]);
    assert_failed(
        &output,
        7,
        &["table: corrupt .module_hashes table", "version 9"],
    );
}

#[test]
fn truncated_and_corrupt_kernels_are_errors_not_panics() {
    let build = Build::new();
    let kernels = [
        vmlinux(&section(&[sha256(b"1")], 1)),
        vmlinux_like(
            ElfBuilder::exec64().class32().big_endian(),
            &section(&[sha256(b"1")], 1),
        ),
    ];
    let path = build.path("vmlinux");
    for kernel in kernels {
        // An empty file is an empty text list: a kernel without modules.
        for len in 1..kernel.len() {
            build.tree.write("vmlinux", &kernel[..len]);
            let output = run(&["list".as_ref(), path.as_os_str()]);
            let (stdout, stderr) = texts(&output);
            assert!(!stderr.contains("panicked"), "{len}: {stderr}");
            assert!(
                [1, 5, 6, 7].contains(&output.status.code().unwrap()),
                "{len}: {stderr}"
            );
            assert_eq!(stdout, "");
            assert_eq!(stderr.lines().count(), 1, "{len}: {stderr}");
        }
        // Every byte of the ELF and section headers set to 0xff.
        for at in (0..64).chain(kernel.len() - 6 * 64..kernel.len()) {
            let mut corrupt = kernel.clone();
            corrupt[at] = 0xff;
            build.tree.write("vmlinux", &corrupt);
            let output = run(&["list".as_ref(), path.as_os_str()]);
            assert!(!texts(&output).1.contains("panicked"), "{at}");
            assert!(output.status.code().is_some(), "{at}");
        }
    }
}

#[test]
fn corrupt_and_oversized_compressed_modules() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko.xz", b"\xfd7zXZ\0 and then garbage");
    if have_or_skip("xz", "a corrupt .ko.xz") {
        let output = build.verify(false, &[&module]);
        assert_failed(&output, 8, &["alpha.ko.xz: cannot decompress: 'xz' failed"]);
    }
    if have_or_skip("zstd", "decompression past the size limit") {
        // 64 MiB of zeros, a few KiB compressed.
        let bomb = compress("zstd", &vec![0; 64 << 20]);
        let module = build.install("kernel/lib/alpha.ko.zst", &bomb);
        let output = tool()
            .env("MODULE_HASHES_MAX_SIZE", "1000000")
            .args([
                "verify".as_ref(),
                build.path("vmlinux").as_os_str(),
                module.as_os_str(),
            ])
            .output()
            .unwrap();
        assert_failed(&output, 8, &["'zstd' wrote more than 1000000 bytes"]);
    }
}

/// The kernel that the project's harness built, with its installed
/// modules: `$MODULE_HASHES_BUILD` (see .cargo/config.toml).
#[test]
#[ignore = "needs the kernel built by make kernel CONFIG=hashes; run with --ignored"]
fn real_build_accepts_its_installed_modules() {
    let build =
        PathBuf::from(std::env::var_os("MODULE_HASHES_BUILD").expect("MODULE_HASHES_BUILD"));
    let vmlinux = build.join("vmlinux");
    let installed = fs::read_dir(build.join("modinst/lib/modules"))
        .ok()
        .and_then(|mut dir| dir.next().and_then(Result::ok).map(|entry| entry.path()))
        .unwrap_or_else(|| {
            panic!(
                "{} has no modinst: make kernel CONFIG=hashes",
                build.display()
            )
        });
    let manifest = build.join("modules.hashes");
    let output = run(&[
        "verify".as_ref(),
        vmlinux.as_os_str(),
        installed.as_os_str(),
    ]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.lines().count() > 0 && stdout.lines().all(|l| l.starts_with("OK ")));
    // list and the manifest agree.
    let output = run(&["list".as_ref(), vmlinux.as_os_str()]);
    let mut listed: Vec<String> = texts(&output).0.lines().map(String::from).collect();
    let text = fs::read_to_string(&manifest).unwrap();
    let mut recorded: Vec<String> = text.lines().map(|line| line[..64].to_string()).collect();
    recorded.sort();
    recorded.dedup();
    listed.sort();
    assert_eq!(listed, recorded);
    // And hash agrees with the table.
    let output = run(&[
        "hash".as_ref(),
        build.join("lib/test_module.ko").as_os_str(),
    ]);
    let digest = texts(&output).0[..64].to_string();
    assert!(listed.contains(&digest), "{digest}");
}
