// SPDX-License-Identifier: GPL-2.0

//! `module-hashes verify` and `list` (tools/module-hashes) on crafted
//! kernels and modules.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{
    assert_failed, hex, reserved_section, sha256, signed, vmlinux, vmlinux_like, ElfBuilder, Tree,
    EM_PPC, EM_S390, SHT_PROGBITS,
};

/// Runs tools/module-hashes.
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    common::run_tools(args)
}

/// A module as the build leaves it: code, symbols and debug information.
fn built_module(name: &str) -> Vec<u8> {
    module_with(name, &[".symtab", ".strtab", ".debug_info", ".debug_line"])
}

/// A module called `name` with `.text`, `.modinfo` and the `extra`
/// sections (empty).
fn module_with(name: &str, extra: &[&str]) -> Vec<u8> {
    let mut builder = ElfBuilder::rel64()
        .section(".text", SHT_PROGBITS, name.as_bytes())
        .section(
            ".modinfo",
            SHT_PROGBITS,
            format!("name={name}\0").as_bytes(),
        );
    for section in extra {
        builder = builder.section(section, SHT_PROGBITS, section.as_bytes());
    }
    builder.build()
}

/// A built kernel: an object tree with two modules, a vmlinux whose table
/// has their digests, and the manifest `modules.hashes`.
struct Build {
    /// The object tree.
    tree: Tree,
}

impl Build {
    /// Builds `lib/alpha.ko` and `drivers/net/beta.ko` and writes the
    /// table with the tool itself.
    fn new() -> Self {
        let tree = Tree::new();
        tree.write("lib/alpha.ko", &built_module("alpha"));
        tree.write("drivers/net/beta.ko", &built_module("beta"));
        tree.write_order(&["lib/alpha.o", "drivers/net/beta.o"]);
        tree.write("vmlinux", &vmlinux(24 + 32 * 4).bytes);
        let root = tree.root();
        // The table as the kernel build writes it.
        let output = common::run(&[
            "write".as_ref(),
            "--objtree".as_ref(),
            root.as_os_str(),
            "--order".as_ref(),
            root.join("modules.order").as_os_str(),
            "--vmlinux".as_ref(),
            root.join("vmlinux").as_os_str(),
            "--manifest".as_ref(),
            root.join("modules.hashes").as_os_str(),
        ]);
        assert!(output.status.success(), "{output:?}");
        Build { tree }
    }

    /// A path in the tree.
    fn path(&self, relative: &str) -> PathBuf {
        self.tree.root().join(relative)
    }

    /// Installs `contents` as `relative` under `install/`, the
    /// /lib/modules/<version> of this build, and returns its path.
    fn install(&self, relative: &str, contents: &[u8]) -> PathBuf {
        self.tree.write(&format!("install/{relative}"), contents);
        self.path(&format!("install/{relative}"))
    }

    /// Runs `verify` with the vmlinux, the manifest and `modules`.
    fn verify(&self, modules: &[&Path]) -> Output {
        let mut args = vec![
            "verify".into(),
            "--manifest".into(),
            self.path("modules.hashes").into_os_string(),
            self.path("vmlinux").into_os_string(),
        ];
        args.extend(modules.iter().map(|path| path.as_os_str().to_owned()));
        run(&args)
    }
}

/// Standard output and error of a run, as text.
fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Checks that a run exited with `code` and printed one line, containing
/// every string in `expected`, on standard output.
fn assert_verdict(output: &Output, code: i32, expected: &[&str]) {
    let (stdout, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(code), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    for text in expected {
        assert!(stdout.contains(text), "'{text}' not in: {stdout}");
    }
}

/// Whether `program` can be run.
/// Fails the test unless `program` runs: the compressors are required
/// (`make setup` installs them), so that no test passes without checking
/// what it is about.
fn need(program: &str) {
    let runs = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(runs, "the tests need {program} (make setup installs it)");
}

/// `data` compressed with `program -c`.
fn compress(program: &str, data: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .arg("-c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the compressor");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data).expect("feed the compressor"));
    let output = child.wait_with_output().expect("compressor output");
    writer.join().expect("writer");
    assert!(output.status.success(), "{program} -c failed");
    output.stdout
}

#[test]
fn accepted_module() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    assert_verdict(&build.verify(&[&module]), 0, &["OK ", "alpha.ko"]);
}

#[test]
fn tampered_module_was_modified_after_the_build() {
    let build = Build::new();
    let mut tampered = built_module("alpha");
    let at = tampered
        .windows(5)
        .position(|window| window == b"alpha")
        .unwrap();
    tampered[at] = b'A';
    let module = build.install("kernel/lib/alpha.ko", &tampered);
    assert_verdict(
        &build.verify(&[&module]),
        3,
        &[
            "REJECTED",
            "modified after the build",
            &hex(&sha256(&tampered)),
            &hex(&sha256(&built_module("alpha"))),
            "for lib/alpha.ko",
        ],
    );
}

#[test]
fn stripped_modules_are_recognised_heuristically() {
    let build = Build::new();
    let no_debug = build.install(
        "kernel/lib/alpha.ko",
        &module_with("alpha", &[".symtab", ".strtab"]),
    );
    assert_verdict(
        &build.verify(&[&no_debug]),
        3,
        &[
            "stripped of debug information or otherwise modified after the build",
            "(no debug sections; a heuristic)",
        ],
    );
    let no_symbols = build.install("kernel/drivers/net/beta.ko", &module_with("beta", &[]));
    assert_verdict(
        &build.verify(&[&no_symbols]),
        3,
        &[
            "REJECTED",
            "stripped after the build (no .symtab; a heuristic)",
            "for drivers/net/beta.ko",
        ],
    );
}

#[test]
fn unknown_module() {
    let build = Build::new();
    let module = build.install("extra/gamma.ko", &built_module("gamma"));
    assert_verdict(
        &build.verify(&[&module]),
        3,
        &["REJECTED", "unknown digest", "no modules.hashes entry"],
    );
}

#[test]
fn manifest_from_another_build() {
    let build = Build::new();
    let other = built_module("alpha2");
    let manifest = format!("{}  lib/alpha.ko\n", hex(&sha256(&other)));
    build.tree.write("modules.hashes", manifest.as_bytes());
    let module = build.install("kernel/lib/alpha.ko", &other);
    assert_verdict(
        &build.verify(&[&module]),
        3,
        &["not from this kernel's build"],
    );
}

#[test]
fn signed_module_is_accepted_with_a_note() {
    let build = Build::new();
    let module = build.install(
        "kernel/lib/alpha.ko",
        &signed(&built_module("alpha"), b"pretend PKCS#7"),
    );
    assert_verdict(
        &build.verify(&[&module]),
        0,
        &["OK ", "signature present but not needed"],
    );
}

#[test]
fn compressed_modules() {
    let build = Build::new();
    for (program, extension) in [("xz", "xz"), ("zstd", "zst"), ("gzip", "gz")] {
        need(program);
        let module = build.install(
            &format!("kernel/lib/alpha.ko.{extension}"),
            &compress(program, &signed(&built_module("alpha"), b"sig")),
        );
        assert_verdict(&build.verify(&[&module]), 0, &["OK ", "alpha.ko"]);

        // Tampered before compression: still matched to lib/alpha.ko.
        let module = build.install(
            &format!("kernel/lib/alpha.ko.{extension}"),
            &compress(program, &module_with("alpha", &[".symtab"])),
        );
        assert_verdict(
            &build.verify(&[&module]),
            3,
            &["stripped of debug information", "for lib/alpha.ko"],
        );
    }
}

#[test]
fn directory_with_its_own_manifest() {
    let build = Build::new();
    build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    need("xz");
    build.install(
        "kernel/drivers/net/beta.ko.xz",
        &compress("xz", &built_module("beta")),
    );
    build.install("modules.dep", b"not a module\n");
    fs::copy(
        build.path("modules.hashes"),
        build.path("install/modules.hashes"),
    )
    .unwrap();

    let directory = build.path("install");
    let output = run(&[
        "verify".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stdout.lines().all(|line| line.starts_with("OK ")),
        "{stdout}"
    );

    // A tampered module is explained with the directory's manifest.
    build.install("kernel/lib/alpha.ko", &built_module("alphb"));
    let output = run(&[
        "verify".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("modified after the build"), "{stdout}");
    assert!(
        stderr.contains("1 of 2 modules would not be accepted"),
        "{stderr}"
    );
}

#[test]
fn table_file_instead_of_vmlinux() {
    let build = Build::new();
    let vmlinux = build.tree.read("vmlinux");
    let section = common::vmlinux(24 + 32 * 4).section;
    build.tree.write("table.bin", &vmlinux[section]);
    let module = build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    let output = run(&[
        "verify".as_ref(),
        build.path("table.bin").as_os_str(),
        module.as_os_str(),
    ]);
    assert_verdict(&output, 0, &["OK "]);
}

#[test]
fn list_and_verify_on_big_endian_and_32_bit_kernels() {
    for kind in [
        ElfBuilder::exec64().class32().big_endian().machine(EM_PPC),
        ElfBuilder::exec64().big_endian().machine(EM_S390),
        ElfBuilder::exec64().class32(),
    ] {
        let build = Build::new();
        // The same table in a vmlinux of another kind.
        let table = build.tree.read("vmlinux")[vmlinux(24 + 32 * 4).section].to_vec();
        let other = vmlinux_like(kind, &table);
        assert_eq!(other.bytes[other.section.clone()], table[..]);
        build.tree.write("vmlinux", &other.bytes);
        let output = run(&["list".as_ref(), build.path("vmlinux").as_os_str()]);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        assert_eq!(stdout.lines().count(), 2, "{stdout}");
        let module = build.install("kernel/lib/alpha.ko", &built_module("alpha"));
        assert_verdict(&build.verify(&[&module]), 0, &["OK ", "alpha.ko"]);
    }
    // Still no table in a reserved section.
    let build = Build::new();
    let unfilled = vmlinux_like(
        ElfBuilder::exec64().class32().big_endian(),
        &reserved_section(24 + 32),
    );
    build.tree.write("vmlinux", &unfilled.bytes);
    assert_failed(
        &run(&["list".as_ref(), build.path("vmlinux").as_os_str()]),
        7,
        &["never filled in"],
    );
}

/// A minimal x86 bzImage whose payload is `vmlinux` compressed with
/// `program` (and the 32-bit size every method but gzip appends).
fn bzimage(program: &str, vmlinux: &[u8]) -> Vec<u8> {
    let mut payload = compress(program, vmlinux);
    if program != "gzip" {
        payload.extend_from_slice(&u32::try_from(vmlinux.len()).unwrap().to_le_bytes());
    }
    let setup_sects = 3usize;
    let mut image = vec![0u8; (setup_sects + 1) * 512 + 0x40];
    image[0x1f1] = u8::try_from(setup_sects).unwrap();
    image[0x1fe..0x200].copy_from_slice(&[0x55, 0xaa]);
    image[0x202..0x206].copy_from_slice(b"HdrS");
    image[0x206..0x208].copy_from_slice(&0x020fu16.to_le_bytes());
    image[0x248..0x24c].copy_from_slice(&0x40u32.to_le_bytes());
    let length = u32::try_from(payload.len()).unwrap();
    image[0x24c..0x250].copy_from_slice(&length.to_le_bytes());
    image.extend_from_slice(&payload);
    image
}

#[test]
fn list_prints_the_table_of_a_vmlinux_or_bzimage() {
    let build = Build::new();
    let mut digests = [
        hex(&sha256(&built_module("alpha"))),
        hex(&sha256(&built_module("beta"))),
    ];
    let paths: std::collections::HashMap<_, _> = [
        (digests[0].clone(), "lib/alpha.ko"),
        (digests[1].clone(), "drivers/net/beta.ko"),
    ]
    .into();
    digests.sort();

    let mut kernels = vec![build.path("vmlinux")];
    for program in ["gzip", "xz", "zstd"] {
        need(program);
        let name = format!("bzImage.{program}");
        build
            .tree
            .write(&name, &bzimage(program, &build.tree.read("vmlinux")));
        kernels.push(build.path(&name));
    }
    for kernel in kernels {
        let output = run(&["list".as_ref(), kernel.as_os_str()]);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{}: {stderr}", kernel.display());
        assert_eq!(stdout, format!("{}\n{}\n", digests[0], digests[1]));

        let output = run(&[
            "list".as_ref(),
            "--manifest".as_ref(),
            build.path("modules.hashes").as_os_str(),
            kernel.as_os_str(),
        ]);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stderr}");
        let expected: String = digests
            .iter()
            .map(|digest| format!("{digest}  {}\n", paths[digest]))
            .collect();
        assert_eq!(stdout, expected);
    }
}

#[test]
fn bzimage_without_a_vmlinux_inside() {
    let build = Build::new();
    let mut image = bzimage("gzip", b"not an ELF file at all");
    build.tree.write("bzImage", &image);
    let output = run(&["list".as_ref(), build.path("bzImage").as_os_str()]);
    assert_failed(&output, 5, &["bzImage", "not an ELF file"]);

    // Corrupt the gzip stream.
    let end = image.len();
    image[end - 12..end - 4].fill(0xff);
    build.tree.write("bzImage", &image);
    let output = run(&["list".as_ref(), build.path("bzImage").as_os_str()]);
    assert_failed(
        &output,
        8,
        &["cannot decompress the bzImage payload", "gzip"],
    );
}

// Bad inputs: one error line each, and a code per kind.

#[test]
fn missing_paths() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    let missing = build.path("no/such/file.ko");
    assert_failed(
        &run(&[
            "verify".as_ref(),
            build.path("vmlinux").as_os_str(),
            missing.as_os_str(),
        ]),
        4,
        &["no/such/file.ko", "No such file"],
    );
    assert_failed(
        &run(&["verify".as_ref(), missing.as_os_str(), module.as_os_str()]),
        4,
        &["no/such/file.ko"],
    );
    assert_failed(
        &run(&["list".as_ref(), missing.as_os_str()]),
        4,
        &["no/such/file.ko"],
    );
    let output = run(&[
        "verify".as_ref(),
        "--manifest".as_ref(),
        missing.as_os_str(),
        build.path("vmlinux").as_os_str(),
        module.as_os_str(),
    ]);
    assert_failed(&output, 4, &["no/such/file.ko"]);
}

#[test]
fn kernel_that_is_not_elf() {
    let build = Build::new();
    build
        .tree
        .write("vmlinux", b"#!/bin/sh\necho not a kernel\n");
    assert_failed(
        &run(&["list".as_ref(), build.path("vmlinux").as_os_str()]),
        5,
        &["vmlinux", "not an ELF file"],
    );
}

#[test]
fn module_that_is_not_elf() {
    let build = Build::new();
    let module = build.install("kernel/lib/alpha.ko", b"just text\n");
    let output = build.verify(&[&module]);
    assert_failed(&output, 5, &["alpha.ko", "not an ELF file"]);
}

#[test]
fn vmlinux_without_the_section() {
    let build = Build::new();
    build
        .tree
        .write("vmlinux", &common::vmlinux_without_section());
    assert_failed(
        &run(&["list".as_ref(), build.path("vmlinux").as_os_str()]),
        6,
        &["no .module_hashes section", "CONFIG_MODULE_HASHES"],
    );
}

#[test]
fn corrupt_tables() {
    let build = Build::new();
    let good = build.tree.read("vmlinux");
    let section = common::vmlinux(24 + 32 * 4).section;
    let corrupt = |at: usize, value: u8| {
        let mut image = good.clone();
        image[section.start + at] = value;
        image
    };
    let mut unsorted = good.clone();
    let entries = section.start + 24..section.start + 24 + 64;
    unsorted[entries.clone()].rotate_left(32);
    for (image, expected) in [
        (corrupt(0, b'X'), "wrong magic"),
        (corrupt(8, 9), "version 9"),
        (corrupt(16, 5), "count 5 is beyond the section"),
        (unsorted, "not sorted"),
        (common::vmlinux(24 + 32 * 4).bytes, "never filled in"),
    ] {
        build.tree.write("vmlinux", &image);
        let output = run(&["list".as_ref(), build.path("vmlinux").as_os_str()]);
        assert_failed(&output, 7, &["corrupt .module_hashes table", expected]);
    }
}

#[test]
fn corrupt_compressed_module() {
    let build = Build::new();
    need("xz");
    let mut compressed = compress("xz", &built_module("alpha"));
    let middle = compressed.len() / 2;
    compressed.truncate(middle);
    let module = build.install("kernel/lib/alpha.ko.xz", &compressed);
    assert_failed(
        &build.verify(&[&module]),
        8,
        &["alpha.ko.xz", "cannot decompress"],
    );
}

/// The JSON line of the module "alpha", known by its hash, at `path`.
fn known_alpha(path: &Path, manifest_path: Option<&str>) -> String {
    json_line(
        path,
        "known",
        &digest_of(&built_module("alpha")),
        false,
        manifest_path,
    )
}

/// A module the table knows, a file that is not ELF, and a corrupt gzip
/// file, installed in `build`.
fn good_bad_worse(build: &Build) -> [PathBuf; 3] {
    [
        build.install("kernel/lib/alpha.ko", &built_module("alpha")),
        build.install("kernel/lib/bad.ko", b"not ELF"),
        build.install("kernel/lib/worse.ko.gz", b"\x1f\x8b broken"),
    ]
}

#[test]
fn bad_modules_do_not_stop_the_others() {
    let build = Build::new();
    let [good, bad, worse] = good_bad_worse(&build);
    let output = build.verify(&[&bad, &good, &worse]);
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
}

#[test]
fn help_for_list_and_verify() {
    for (command, expected) in [
        ("list", "Usage: module-hashes list"),
        ("verify", "Usage: module-hashes verify"),
    ] {
        let output = run(&[command, "--help"]);
        let (stdout, _) = texts(&output);
        assert!(output.status.success());
        assert!(stdout.starts_with(expected), "{stdout}");
        assert!(stdout.contains("Exit status:"), "{stdout}");
    }
}

/// The real kernel built by `make kernel CONFIG=hashes`: in `$BUILD/hashes`,
/// where the harness builds (`build/` of the repository by default).
fn real_build() -> std::path::PathBuf {
    std::env::var_os("BUILD")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("build"))
        .join("hashes")
}

#[test]
#[ignore = "needs the kernel built by make kernel CONFIG=hashes; run with --ignored"]
fn real_build_accepts_its_installed_modules() {
    let build = real_build();
    let build = build.as_path();
    let vmlinux = build.join("vmlinux");
    assert!(vmlinux.exists(), "{} is not built", vmlinux.display());
    let manifest = build.join("modules.hashes");
    let installed = fs::read_dir(build.join("modinst/lib/modules"))
        .expect("modinst/lib/modules")
        .next()
        .expect("one kernel version")
        .expect("entry")
        .path();
    for kernel in [vmlinux.clone(), build.join("arch/x86/boot/bzImage")] {
        let output = run(&[
            "verify".as_ref(),
            "--manifest".as_ref(),
            manifest.as_os_str(),
            kernel.as_os_str(),
            installed.as_os_str(),
        ]);
        let (stdout, stderr) = texts(&output);
        assert!(output.status.success(), "{stdout}{stderr}");
        assert!(
            stdout.lines().count() > 0,
            "no modules under {}",
            installed.display()
        );
        assert!(
            stdout.lines().all(|line| line.starts_with("OK ")),
            "{stdout}"
        );
    }
    // list and the manifest agree.
    let output = run(&[
        "list".as_ref(),
        "--manifest".as_ref(),
        manifest.as_os_str(),
        vmlinux.as_os_str(),
    ]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success() && stderr.is_empty(), "{stderr}");
    assert!(stdout.lines().all(|line| line.len() > 66), "{stdout}");
}

// verify --json and missing modules.

/// The digest of `contents` as `verify` prints it.
fn digest_of(contents: &[u8]) -> String {
    hex(&sha256(contents))
}

/// The JSON line `verify --json` prints for a module whose path needs no
/// escaping.
fn json_line(
    path: &Path,
    status: &str,
    digest: &str,
    signed: bool,
    manifest_path: Option<&str>,
) -> String {
    let manifest_path = manifest_path.map_or("null".to_string(), |path| format!("\"{path}\""));
    format!(
        "{{\"path\":\"{}\",\"status\":\"{status}\",\"digest\":\"{digest}\",\"signed\":{signed},\
         \"manifest_path\":{manifest_path}}}",
        path.display()
    )
}

/// The JSON line of a manifest entry that no module stands for.
fn missing_json_line(manifest_path: &str, digest: &str) -> String {
    json_line(
        Path::new(manifest_path),
        "missing",
        digest,
        false,
        Some(manifest_path),
    )
}

impl Build {
    /// Runs `verify --json` with the vmlinux, the manifest and `modules`.
    fn verify_json(&self, modules: &[&Path]) -> Output {
        let mut args = vec![
            "verify".into(),
            "--json".into(),
            "--manifest".into(),
            self.path("modules.hashes").into_os_string(),
            self.path("vmlinux").into_os_string(),
        ];
        args.extend(modules.iter().map(|path| path.as_os_str().to_owned()));
        run(&args)
    }

    /// Installs the manifest as `make modules_install` does, with the
    /// installed paths: `kernel/` in front of each.
    fn install_manifest(&self) {
        let text = String::from_utf8(self.tree.read("modules.hashes")).unwrap();
        let installed: String = text
            .lines()
            .map(|line| {
                let (digest, path) = line.split_once("  ").unwrap();
                format!("{digest}  kernel/{path}\n")
            })
            .collect();
        self.tree
            .write("install/modules.hashes", installed.as_bytes());
    }
}

/// Checks that a `--json` run exited with `code`, printed nothing on
/// standard error, and printed exactly `expected` on standard output.
fn assert_json(output: &Output, code: i32, expected: &[String]) {
    let (stdout, stderr) = texts(output);
    assert_eq!(output.status.code(), Some(code), "{stdout}{stderr}");
    assert_eq!(stderr, "", "{stdout}");
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{stdout}");
}

#[test]
fn json_known_unknown_and_signed() {
    let build = Build::new();
    let alpha = build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    let signed_beta = signed(&built_module("beta"), b"pretend PKCS#7");
    let beta = build.install("kernel/drivers/net/beta.ko", &signed_beta);
    let gamma = build.install("extra/gamma.ko", &built_module("gamma"));
    let signed_gamma = build.install("extra/delta.ko", &signed(&built_module("delta"), b"s"));

    // Only files: the manifest explains, nothing is missing.
    assert_json(
        &build.verify_json(&[&alpha, &beta]),
        0,
        &[
            known_alpha(&alpha, Some("lib/alpha.ko")),
            json_line(
                &beta,
                "known",
                &digest_of(&built_module("beta")),
                true,
                Some("drivers/net/beta.ko"),
            ),
        ],
    );
    assert_json(
        &build.verify_json(&[&gamma, &alpha, &signed_gamma]),
        3,
        &[
            json_line(
                &gamma,
                "unknown",
                &digest_of(&built_module("gamma")),
                false,
                None,
            ),
            known_alpha(&alpha, Some("lib/alpha.ko")),
            json_line(
                &signed_gamma,
                "unknown",
                &digest_of(&built_module("delta")),
                true,
                None,
            ),
        ],
    );
}

#[test]
fn json_modified_stripped_and_manifest_mismatch() {
    let build = Build::new();
    let tampered = built_module("alphA");
    let alpha = build.install("kernel/lib/alpha.ko", &tampered);
    let stripped = module_with("beta", &[]);
    let beta = build.install("kernel/drivers/net/beta.ko", &stripped);
    assert_json(
        &build.verify_json(&[&alpha, &beta]),
        3,
        &[
            json_line(
                &alpha,
                "modified",
                &digest_of(&tampered),
                false,
                Some("lib/alpha.ko"),
            ),
            json_line(
                &beta,
                "stripped",
                &digest_of(&stripped),
                false,
                Some("drivers/net/beta.ko"),
            ),
        ],
    );

    // A manifest from another build, which has the module's digest.
    let manifest = format!("{}  lib/alpha.ko\n", digest_of(&tampered));
    build.tree.write("modules.hashes", manifest.as_bytes());
    assert_json(
        &build.verify_json(&[&alpha]),
        3,
        &[json_line(
            &alpha,
            "manifest-mismatch",
            &digest_of(&tampered),
            false,
            Some("lib/alpha.ko"),
        )],
    );
}

#[test]
fn json_errors_replace_the_messages_on_standard_error() {
    let build = Build::new();
    let [good, bad, worse] = good_bad_worse(&build);
    let output = build.verify_json(&[&bad, &good, &worse]);
    let (stdout, stderr) = texts(&output);
    // The same exit status as without --json: the first error's kind.
    assert_eq!(output.status.code(), Some(5), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let error_start = |path: &Path| {
        format!(
            "{{\"path\":\"{}\",\"status\":\"error\",\"error\":\"",
            path.display()
        )
    };
    assert!(lines[0].starts_with(&error_start(&bad)), "{stdout}");
    assert!(lines[0].ends_with("not an ELF file\"}"), "{stdout}");
    assert_eq!(
        lines[1],
        json_line(
            &good,
            "known",
            &digest_of(&built_module("alpha")),
            false,
            Some("lib/alpha.ko")
        )
    );
    assert!(lines[2].starts_with(&error_start(&worse)), "{stdout}");
    assert!(
        lines[2].contains("\"error\":\"cannot decompress"),
        "{stdout}"
    );

    // An error that stops the command is still a message on standard
    // error.
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
fn json_escapes_paths() {
    let build = Build::new();
    let alpha = built_module("alpha");
    let digest = digest_of(&alpha);
    let quoted = build.install("extra/we\"ird\\name.ko", &alpha);
    let newline = build.install("extra/new\nline\u{1}.ko", &alpha);
    // Not UTF-8: written lossily.
    let dir = build.path("install/extra");
    let not_utf8 =
        dir.join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"bad\xff.ko"));
    fs::write(&not_utf8, &alpha).unwrap();
    let output = build.verify_json(&[&quoted, &newline, &not_utf8]);
    let dir = dir.display();
    let line = |name: &str| {
        format!(
            "{{\"path\":\"{dir}/{name}\",\"status\":\"known\",\"digest\":\"{digest}\",\
             \"signed\":false,\"manifest_path\":null}}"
        )
    };
    assert_json(
        &output,
        0,
        &[
            line("we\\\"ird\\\\name.ko"),
            line("new\\u000aline\\u0001.ko"),
            line("bad\u{fffd}.ko"),
        ],
    );
}

#[test]
fn missing_modules_of_an_installed_tree() {
    let build = Build::new();
    let alpha = build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    build.install_manifest();
    let directory = build.path("install");
    let beta_digest = digest_of(&built_module("beta"));

    // The directory's own manifest, with the installed paths.
    let output = run(&[
        "verify".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    let (stdout, stderr) = texts(&output);
    // Missing modules alone do not fail the check.
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        format!(
            "OK        {}\n\
             MISSING   kernel/drivers/net/beta.ko: listed in modules.hashes, not found\n",
            alpha.display()
        )
    );
    let output = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    assert_json(
        &output,
        0,
        &[
            known_alpha(&alpha, Some("kernel/lib/alpha.ko")),
            missing_json_line("kernel/drivers/net/beta.ko", &beta_digest),
        ],
    );

    // The build's manifest, with the paths in the object tree.
    assert_json(
        &build.verify_json(&[&directory]),
        0,
        &[
            known_alpha(&alpha, Some("lib/alpha.ko")),
            missing_json_line("drivers/net/beta.ko", &beta_digest),
        ],
    );

    // A rejected module still decides the exit status.
    build.install("kernel/lib/alpha.ko", &built_module("alphA"));
    let output = build.verify(&[&directory]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.starts_with("REJECTED  "), "{stdout}");
    assert!(
        stdout.ends_with("MISSING   drivers/net/beta.ko: listed in modules.hashes, not found\n"),
        "{stdout}"
    );
    assert!(
        stderr.contains("1 of 1 modules would not be accepted"),
        "{stderr}"
    );
}

#[test]
fn missing_modules_are_matched_through_compression_and_prefixes() {
    let build = Build::new();
    need("gzip");
    need("zstd");
    let alpha = build.install(
        "kernel/lib/alpha.ko.gz",
        &compress("gzip", &built_module("alpha")),
    );
    let beta = build.install(
        "kernel/drivers/net/beta.ko.zst",
        &compress("zstd", &signed(&built_module("beta"), b"sig")),
    );
    build.install_manifest();
    let directory = build.path("install");
    let expected = [
        json_line(
            &beta,
            "known",
            &digest_of(&built_module("beta")),
            true,
            Some("kernel/drivers/net/beta.ko"),
        ),
        known_alpha(&alpha, Some("kernel/lib/alpha.ko")),
    ];
    let output = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    assert_json(&output, 0, &expected);
    // The build's manifest: the kernel/ directory is not in its paths.
    let output = build.verify_json(&[&directory]);
    let (stdout, _) = texts(&output);
    assert!(!stdout.contains("missing"), "{stdout}");
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    // Run from inside the tree, with relative paths.
    let output = common::tools()
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
    let dkms = build.install("updates/dkms/beta.ko", &built_module("beta2"));
    let output = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    assert_json(
        &output,
        3,
        &[
            expected[1].clone(),
            json_line(
                &dkms,
                "unknown",
                &digest_of(&built_module("beta2")),
                false,
                None,
            ),
            missing_json_line(
                "kernel/drivers/net/beta.ko",
                &digest_of(&built_module("beta")),
            ),
        ],
    );
}

#[test]
fn a_module_that_cannot_be_checked_is_not_missing() {
    let build = Build::new();
    build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    let broken = build.install("kernel/drivers/net/beta.ko.gz", b"\x1f\x8b broken");
    build.install_manifest();
    let directory = build.path("install");
    let output = run(&[
        "verify".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(8), "{stdout}{stderr}");
    assert!(!stdout.contains("MISSING"), "{stdout}");
    assert!(stderr.contains("beta.ko.gz: cannot decompress"), "{stderr}");

    let output = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        build.path("vmlinux").as_os_str(),
        directory.as_os_str(),
    ]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(8), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with(&format!(
            "{{\"path\":\"{}\",\"status\":\"error\",\"error\":\"cannot decompress",
            broken.display()
        )),
        "{stdout}"
    );
    assert!(lines[1].contains("\"status\":\"known\""), "{stdout}");
}

#[test]
fn sysfs_style_table_file_with_json() {
    // /sys/kernel/module_hashes holds the raw section, padding included.
    let build = Build::new();
    let vmlinux = build.tree.read("vmlinux");
    let section = common::vmlinux(24 + 32 * 4).section;
    build.tree.write("module_hashes", &vmlinux[section]);
    let alpha = build.install("kernel/lib/alpha.ko", &built_module("alpha"));
    let gamma = build.install("extra/gamma.ko", &built_module("gamma"));
    let output = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        build.path("module_hashes").as_os_str(),
        alpha.as_os_str(),
        gamma.as_os_str(),
    ]);
    assert_json(
        &output,
        3,
        &[
            known_alpha(&alpha, None),
            json_line(
                &gamma,
                "unknown",
                &digest_of(&built_module("gamma")),
                false,
                None,
            ),
        ],
    );
}

#[test]
fn help_and_synopsis_mention_json() {
    let output = run(&["verify", "--help"]);
    let (stdout, _) = texts(&output);
    assert!(output.status.success());
    assert!(stdout.contains("[--json]"), "{stdout}");
    assert!(stdout.contains("\"status\":\"missing\""), "{stdout}");
    let output = run(&["verify"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("verify [--manifest FILE] [--json]"),
        "{stderr}"
    );
}
