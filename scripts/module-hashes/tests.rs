// SPDX-License-Identifier: GPL-2.0

//! Unit tests of `module-hashes write`: `rustc --test module-hashes.rs`.
//!
//! `sha256sum` (coreutils), if it is installed, serves as the oracle for
//! the digests and the manifest.

use super::*;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A scratch object tree, removed when dropped.
struct Tree(PathBuf);

impl Tree {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "module-hashes-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let root = std::env::temp_dir().join(name);
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        Tree(root)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    fn write(&self, relative: &str, contents: &[u8]) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    fn read(&self, relative: &str) -> Vec<u8> {
        fs::read(self.path(relative)).unwrap()
    }

    fn exists(&self, relative: &str) -> bool {
        self.path(relative).exists()
    }

    /// Writes `relative` as a modules.order that lists `objects`.
    fn write_order(&self, relative: &str, objects: &[&str]) {
        let text: String = objects.iter().map(|object| format!("{object}\n")).collect();
        self.write(relative, text.as_bytes());
    }

    /// The arguments of `write` on this tree, then `extra`.
    fn args(&self, extra: &[&str]) -> Vec<OsString> {
        let mut args: Vec<OsString> =
            vec!["write".into(), "--objtree".into(), self.0.clone().into()];
        for (option, file) in [
            ("--order", "modules.order"),
            ("--section", "placeholder"),
            ("--output", "table"),
            ("--manifest", "modules.hashes"),
        ] {
            args.extend([option.into(), self.path(file).into()]);
        }
        args.extend(extra.iter().map(OsString::from));
        args
    }

    /// The arguments of `write --check` with the table written before.
    fn check_args(&self, extra: &[&str]) -> Vec<OsString> {
        let mut args = self.args(&[]);
        args.truncate(args.len() - 4);
        args[6] = self.path("table").into();
        args.push("--check".into());
        args.extend(extra.iter().map(OsString::from));
        args
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs `write` with `args` as `main` would, without exiting.
fn write(args: Vec<OsString>) -> Result<(), Error> {
    match parse_args(args)? {
        Some(args) => run(&args).map_err(Error::Failed),
        None => panic!("help asked for"),
    }
}

/// The error message of a failed `write`.
fn failure(args: Vec<OsString>) -> String {
    match write(args) {
        Err(Error::Failed(message)) => message,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// The message of a command-line error.
fn usage(args: &[&str]) -> String {
    match parse_args(args.iter().map(OsString::from)) {
        Err(Error::Usage(message)) => message,
        other => panic!("{args:?}: expected a usage error, got {other:?}"),
    }
}

/// A small ELF relocatable object: the 64-bit header, then `name`.
fn fake_module(name: &str) -> Vec<u8> {
    let mut module = vec![0u8; 64];
    module[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    module[16] = 1; // e_type: ET_REL
    module.extend_from_slice(name.as_bytes());
    module
}

/// `module` with a signature appended as sign-file does, with `info` as
/// the first 8 bytes of `struct module_signature`.
fn signed(module: &[u8], signature: &[u8], info: [u8; 8]) -> Vec<u8> {
    let mut file = module.to_vec();
    file.extend_from_slice(signature);
    file.extend_from_slice(&info);
    file.extend_from_slice(&u32::try_from(signature.len()).unwrap().to_be_bytes());
    file.extend_from_slice(SIG_MARKER);
    file
}

const PKCS7: [u8; 8] = [0, 0, 2, 0, 0, 0, 0, 0];

/// The placeholder that the link reserves, with room for `slots` digests.
fn placeholder(slots: usize) -> Vec<u8> {
    let mut section = b"MODHASH\0\x01\0\0\0\x01\0\0\0\xff\xff\xff\xff\x20\0\0\0".to_vec();
    section.resize(HEADER_SIZE + slots * SHA256_SIZE, 0);
    section
}

fn digest_of(data: &[u8]) -> Digest {
    sha256(data).unwrap()
}

/// What `sha256sum FILE...` prints in `directory`, if it is installed.
fn sha256sum(directory: &Path, files: &[&str]) -> Option<String> {
    let output = Command::new("sha256sum")
        .args(files)
        .current_dir(directory)
        .output()
        .ok()?;
    assert!(output.status.success());
    Some(String::from_utf8(output.stdout).unwrap())
}

/// A tree with three modules, two of them identical, in modules.order,
/// and a placeholder with room for `slots` digests.
fn tree_with_modules(slots: usize) -> Tree {
    let tree = Tree::new();
    tree.write("drivers/foo/foo.ko", &fake_module("foo"));
    tree.write("lib/bar.ko", &fake_module("bar"));
    tree.write("lib/copy_of_bar.ko", &fake_module("bar"));
    tree.write_order(
        "modules.order",
        &["drivers/foo/foo.o", "lib/bar.o", "lib/copy_of_bar.o"],
    );
    tree.write("placeholder", &placeholder(slots));
    tree
}

fn field(section: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(section[at..at + 4].try_into().unwrap())
}

#[test]
fn sha256_from_libcrypto() {
    assert_eq!(
        hex(&digest_of(b"")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        hex(&digest_of(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // Several blocks: FIPS 180-2's two-block message, and a million 'a'.
    assert_eq!(
        hex(&digest_of(
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        )),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(
        hex(&digest_of(&vec![b'a'; 1_000_000])),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
}

#[test]
fn table_bytes_header_digests_and_padding() {
    let tree = tree_with_modules(4);
    write(tree.args(&[])).unwrap();
    let table = tree.read("table");
    assert_eq!(table.len(), placeholder(4).len());
    assert_eq!(&table[..8], b"MODHASH\0");
    assert_eq!(
        [8, 12, 16, 20].map(|at| field(&table, at)),
        [1, 1, 2, 32],
        "version, algo, count, entry_size"
    );
    let mut expected = [
        digest_of(&fake_module("foo")),
        digest_of(&fake_module("bar")),
    ];
    expected.sort();
    assert!(expected[0] < expected[1]);
    assert_eq!(table[24..56], expected[0]);
    assert_eq!(table[56..88], expected[1]);
    assert!(table[88..].iter().all(|&byte| byte == 0));
}

#[test]
fn fill_sorts_nothing_itself_and_pads_any_size() {
    let digests = [[1; 32], [2; 32]];
    // Exact fit; a size that is not a whole number of slots.
    assert_eq!(fill(88, &digests).unwrap().len(), 88);
    let odd = fill(100, &digests).unwrap();
    assert_eq!(odd.len(), 100);
    assert_eq!(odd[24..56], [1; 32]);
    assert!(odd[88..].iter().all(|&byte| byte == 0));
    // No module: an empty table.
    let empty = fill(24, &[]).unwrap();
    assert_eq!(empty, b"MODHASH\0\x01\0\0\0\x01\0\0\0\0\0\0\0\x20\0\0\0");
    let error = fill(87, &digests).unwrap_err();
    assert!(
        error.contains("room for 1 digests, 2 are needed"),
        "{error}"
    );
}

#[test]
fn many_modules_are_sorted() {
    let tree = Tree::new();
    let mut objects = Vec::new();
    for index in 0..200 {
        tree.write(&format!("m/{index}.ko"), &fake_module(&index.to_string()));
        objects.push(format!("m/{index}.o"));
    }
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    tree.write_order("modules.order", &objects);
    tree.write("placeholder", &placeholder(200));
    write(tree.args(&[])).unwrap();
    let table = tree.read("table");
    assert_eq!(field(&table, 16), 200);
    let entries: Vec<&[u8]> = table[24..].chunks(32).collect();
    assert!(entries.windows(2).all(|pair| pair[0] < pair[1]));
}

#[test]
fn manifest_is_what_sha256sum_prints() {
    let tree = tree_with_modules(3);
    write(tree.args(&[])).unwrap();
    let manifest = String::from_utf8(tree.read("modules.hashes")).unwrap();
    let mut expected = String::new();
    for (name, module) in [
        ("drivers/foo/foo.ko", "foo"),
        ("lib/bar.ko", "bar"),
        ("lib/copy_of_bar.ko", "bar"),
    ] {
        expected += &format!("{}  {name}\n", hex(&digest_of(&fake_module(module))));
    }
    assert_eq!(manifest, expected);
    let files = ["drivers/foo/foo.ko", "lib/bar.ko", "lib/copy_of_bar.ko"];
    if let Some(oracle) = sha256sum(&tree.0, &files) {
        assert_eq!(manifest, oracle);
    }
}

#[test]
fn without_manifest_none_is_written() {
    let tree = tree_with_modules(3);
    let mut args = tree.args(&[]);
    args.truncate(args.len() - 2);
    write(args).unwrap();
    assert!(tree.exists("table"));
    assert!(!tree.exists("modules.hashes"));
}

#[test]
fn signed_modules_are_hashed_without_the_signature() {
    let tree = Tree::new();
    let module = fake_module("signed");
    tree.write("signed.ko", &signed(&module, &[0x30; 517], PKCS7));
    tree.write_order("modules.order", &["signed.o"]);
    tree.write("placeholder", &placeholder(1));
    write(tree.args(&[])).unwrap();
    assert_eq!(tree.read("table")[24..], digest_of(&module));
    assert_eq!(
        tree.read("modules.hashes"),
        format!("{}  signed.ko\n", hex(&digest_of(&module))).into_bytes()
    );
}

#[test]
fn unsigned_len_checks_the_trailer_as_the_kernel_does() {
    let module = fake_module("m");
    assert_eq!(unsigned_len(&module), Ok(module.len()));
    assert_eq!(unsigned_len(b""), Ok(0));
    let file = signed(&module, &[1; 10], PKCS7);
    assert_eq!(unsigned_len(&file), Ok(module.len()));
    // The smallest module the kernel accepts before a signature: one byte.
    assert_eq!(unsigned_len(&signed(b"x", &[1; 10], PKCS7)), Ok(1));
    for (file, expected) in [
        (SIG_MARKER.to_vec(), "no room for struct module_signature"),
        ([&[0; 11][..], SIG_MARKER].concat(), "no room"),
        (signed(b"", &[1; 10], PKCS7), "sig_len 10 leaves no module"),
        (
            signed(&module, &[1; 10], [0, 0, 1, 0, 0, 0, 0, 0]),
            "id_type 1 is not PKCS#7",
        ),
        (
            signed(&module, &[1; 10], [0, 0, 2, 5, 0, 0, 0, 0]),
            "non-zero params",
        ),
        (
            signed(&module, &[1; 10], [0, 0, 2, 0, 0, 0, 0, 9]),
            "non-zero",
        ),
    ] {
        let error = unsigned_len(&file).unwrap_err();
        assert!(error.starts_with("malformed module signature: "), "{error}");
        assert!(error.contains(expected), "{error}");
    }
    let mut huge = signed(&module, &[1; 10], PKCS7);
    let at = huge.len() - SIG_MARKER.len() - 4;
    huge[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(unsigned_len(&huge)
        .unwrap_err()
        .contains("sig_len 4294967295"));
}

#[test]
fn modules_must_be_elf_relocatable_objects() {
    let tree = Tree::new();
    let mut buffer = Vec::new();
    let mut digest = |contents: &[u8]| {
        tree.write("m.ko", contents);
        module_digest(&tree.path("m.ko"), &mut buffer)
    };
    assert!(digest(&fake_module("x")).is_ok());
    // 32-bit big-endian.
    let mut big = fake_module("x");
    big[4..6].copy_from_slice(&[1, 2]);
    big[16..18].copy_from_slice(&[0, 1]);
    assert!(digest(&big).is_ok());
    let mut executable = fake_module("x");
    executable[16] = 2;
    for (contents, expected) in [
        (&b"#!/bin/sh\n"[..], "not an ELF file"),
        (b"", "not an ELF file"),
        (b"\x7fELF\x02\x01", "not a relocatable ELF object"),
        (&executable, "not a relocatable ELF object"),
        (&big[..17], "not a relocatable ELF object"),
    ] {
        let error = digest(contents).unwrap_err();
        assert!(error.starts_with(expected), "{error}");
    }
    // The reused buffer does not leak one module into the next.
    let small = digest(&fake_module("a")).unwrap();
    assert_eq!(small, digest_of(&fake_module("a")));
}

#[test]
fn image_suffix_hashes_the_installed_image_under_the_module_name() {
    let tree = Tree::new();
    tree.write("lib/foo.ko", &fake_module("foo with debug info"));
    tree.write("lib/foo.ko.stripped", &fake_module("foo"));
    tree.write_order("modules.order", &["lib/foo.o"]);
    tree.write("placeholder", &placeholder(1));
    write(tree.args(&["--image-suffix", ".stripped"])).unwrap();
    let digest = digest_of(&fake_module("foo"));
    assert_eq!(tree.read("table")[24..], digest);
    assert_eq!(
        tree.read("modules.hashes"),
        format!("{}  lib/foo.ko\n", hex(&digest)).into_bytes()
    );
    if let Some(oracle) = sha256sum(&tree.0, &["lib/foo.ko.stripped"]) {
        assert_eq!(oracle, format!("{}  lib/foo.ko.stripped\n", hex(&digest)));
    }
    // --check hashes the image too.
    write(tree.check_args(&["--image-suffix=.stripped"])).unwrap();
    let error = failure(tree.check_args(&[]));
    assert!(
        error.contains("lib/foo.ko\n") || error.ends_with("lib/foo.ko"),
        "{error}"
    );
    // A missing image is an error that names it.
    fs::remove_file(tree.path("lib/foo.ko.stripped")).unwrap();
    let error = failure(tree.args(&["--image-suffix=.stripped"]));
    assert!(
        error.contains("lib/foo.ko.stripped: No such file"),
        "{error}"
    );
}

#[test]
fn second_order_adds_external_modules() {
    let tree = tree_with_modules(4);
    tree.write("modules-extra/zfs.ko", &fake_module("zfs"));
    tree.write_order("modules-extra/modules.order", &["modules-extra/zfs.o"]);
    let extra = tree.path("modules-extra/modules.order");
    let extra = extra.to_str().unwrap();
    write(tree.args(&["--order", extra])).unwrap();
    let table = tree.read("table");
    assert_eq!(field(&table, 16), 3);
    let manifest = String::from_utf8(tree.read("modules.hashes")).unwrap();
    assert_eq!(manifest.lines().count(), 4);
    assert_eq!(
        manifest.lines().last().unwrap(),
        format!(
            "{}  modules-extra/zfs.ko",
            hex(&digest_of(&fake_module("zfs")))
        )
    );
    write(tree.check_args(&["--order", extra])).unwrap();
    tree.write("modules-extra/zfs.ko", &fake_module("zfs, rebuilt"));
    let error = failure(tree.check_args(&["--order", extra]));
    assert!(error.contains("1 of 4 modules"), "{error}");
    assert!(error.ends_with("modules-extra/zfs.ko"), "{error}");
}

#[test]
fn check_accepts_the_table_written_and_changes_nothing() {
    let tree = tree_with_modules(3);
    write(tree.args(&[])).unwrap();
    let before = [tree.read("table"), tree.read("modules.hashes")];
    write(tree.check_args(&[])).unwrap();
    assert_eq!([tree.read("table"), tree.read("modules.hashes")], before);
}

#[test]
fn check_names_the_modules_rebuilt_after_vmlinux() {
    let tree = tree_with_modules(3);
    write(tree.args(&[])).unwrap();
    tree.write("lib/bar.ko", &fake_module("bar, rebuilt"));
    tree.write("lib/copy_of_bar.ko", &fake_module("bar, rebuilt"));
    let error = failure(tree.check_args(&[]));
    assert!(error.contains("2 of 3 modules"), "{error}");
    assert!(error.contains("rebuilt after vmlinux"), "{error}");
    assert!(error.contains("run 'make'"), "{error}");
    let named: Vec<&str> = error.lines().skip(1).map(str::trim).collect();
    assert_eq!(named.len(), 2, "{error}");
    assert!(named[0].ends_with("lib/bar.ko"), "{error}");
    assert!(named[1].ends_with("lib/copy_of_bar.ko"), "{error}");
}

#[test]
fn check_names_ten_modules_and_counts_the_rest() {
    let tree = Tree::new();
    let objects: Vec<String> = (0..25).map(|index| format!("m{index}.o")).collect();
    for index in 0..25 {
        tree.write(&format!("m{index}.ko"), &fake_module(&index.to_string()));
    }
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    tree.write_order("modules.order", &objects);
    tree.write("placeholder", &placeholder(25));
    write(tree.args(&[])).unwrap();
    for index in 0..25 {
        tree.write(&format!("m{index}.ko"), &fake_module("changed"));
    }
    let error = failure(tree.check_args(&[]));
    assert!(error.contains("25 of 25 modules"), "{error}");
    assert_eq!(error.lines().count(), 12, "{error}");
    assert!(error.ends_with("... and 15 more"), "{error}");
}

#[test]
fn check_refuses_tables_the_kernel_would_not_use() {
    let tree = tree_with_modules(3);
    // The placeholder itself: vmlinux was never finished.
    tree.write("table", &placeholder(3));
    let error = failure(tree.check_args(&[]));
    assert!(error.contains("never filled in"), "{error}");
    write(tree.args(&[])).unwrap();
    let good = tree.read("table");
    let corrupt = |at: usize, value: u8| {
        let mut table = good.clone();
        table[at] = value;
        tree.write("table", &table);
        failure(tree.check_args(&[]))
    };
    assert!(corrupt(16, 4).contains("count 4, but room for 3"));
    assert!(corrupt(19, 0x7f).contains("but room for 3"));
    assert!(corrupt(24 + 32, 0).contains("not sorted"));
    let mut duplicate = good.clone();
    duplicate.copy_within(24..56, 56);
    tree.write("table", &duplicate);
    assert!(failure(tree.check_args(&[])).contains("not sorted"));
    assert!(corrupt(8, 2).contains("version 2"));
}

#[test]
fn placeholders_that_do_not_match_the_layout() {
    for (at, value, expected) in [
        (0, b'X', "magic \"XODHASH\\0\""),
        (8, 2, "version 2, this program writes 1"),
        (12, 7, "algorithm 7, this program writes 1"),
        (20, 64, "entry size 64, this program writes 32"),
    ] {
        let tree = tree_with_modules(3);
        let mut section = placeholder(3);
        section[at] = value;
        tree.write("placeholder", &section);
        let error = failure(tree.args(&[]));
        assert!(error.contains(expected), "{error}");
        assert!(error.contains("layout.rs disagree"), "{error}");
        assert!(!tree.exists("table") && !tree.exists("modules.hashes"));
    }
    // All zeros (no header), too short, empty (objcopy found no section).
    for (section, expected) in [
        (vec![0; 24 + 96], "magic \"\\0\\0\\0\\0\\0\\0\\0\\0\""),
        (
            placeholder(0)[..23].to_vec(),
            "23 bytes, shorter than the 24-byte",
        ),
        (Vec::new(), "0 bytes, shorter than the 24-byte header"),
    ] {
        let tree = tree_with_modules(3);
        tree.write("placeholder", &section);
        let error = failure(tree.args(&[]));
        assert!(error.contains("placeholder: "), "{error}");
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn a_filled_table_is_not_a_placeholder() {
    let tree = tree_with_modules(3);
    write(tree.args(&[])).unwrap();
    fs::rename(tree.path("table"), tree.path("placeholder")).unwrap();
    let error = failure(tree.args(&[]));
    assert!(
        error.contains("count 2, not the placeholder's 0xffffffff"),
        "{error}"
    );
    assert!(!tree.exists("table"));
}

#[test]
fn more_modules_than_slots() {
    // Two distinct digests; room for one.
    let tree = tree_with_modules(1);
    let error = failure(tree.args(&[]));
    assert!(error.contains("placeholder: the placeholder has room for 1 digests, 2 are needed"));
    assert!(!tree.exists("table") && !tree.exists("modules.hashes"));
    // Duplicates need no slot of their own.
    let tree = tree_with_modules(2);
    write(tree.args(&[])).unwrap();
}

/// Runs `write` on a tree that `spoil` changed, and checks that it failed
/// with a message that has `expected` in it and wrote nothing.
fn assert_fails(spoil: impl FnOnce(&Tree), expected: &[&str]) {
    let tree = tree_with_modules(3);
    spoil(&tree);
    let error = failure(tree.args(&[]));
    for expected in expected {
        assert!(error.contains(expected), "{error}");
    }
    assert!(!tree.exists("table") && !tree.exists("modules.hashes"));
}

#[test]
fn bad_inputs_are_errors_that_name_the_file() {
    assert_fails(
        |tree| tree.write_order("modules.order", &["lib/bar.o", "lib/missing.o"]),
        &["lib/missing.ko: No such file"],
    );
    assert_fails(
        |tree| {
            fs::remove_file(tree.path("lib/bar.ko")).unwrap();
            fs::create_dir(tree.path("lib/bar.ko")).unwrap();
        },
        &["lib/bar.ko: Is a directory"],
    );
    assert_fails(
        |tree| tree.write("lib/bar.ko", b"#!/bin/sh\n"),
        &["lib/bar.ko: not an ELF file"],
    );
    assert_fails(
        |tree| {
            tree.write(
                "lib/bar.ko",
                &signed(b"x", &[1; 5], [0, 0, 1, 0, 0, 0, 0, 0]),
            )
        },
        &["lib/bar.ko: malformed module signature: id_type 1"],
    );
    assert_fails(
        |tree| fs::remove_file(tree.path("modules.order")).unwrap(),
        &["modules.order: No such file"],
    );
    assert_fails(
        |tree| fs::remove_file(tree.path("placeholder")).unwrap(),
        &["placeholder: No such file"],
    );
    assert_fails(
        |tree| tree.write_order("modules.order", &["lib/bar.o", "", "lib/bar.ko"]),
        &["modules.order:3: 'lib/bar.ko' is not the path of an object file"],
    );
    assert_fails(
        |tree| tree.write("modules.order", b"lib/\xff.o\n"),
        &["modules.order: not UTF-8 text"],
    );
}

#[test]
fn unwritable_output_is_an_error_that_names_it() {
    let tree = tree_with_modules(3);
    let mut args = tree.args(&[]);
    args[8] = tree.path("no/such/dir/table").into();
    let error = failure(args);
    assert!(error.contains("no/such/dir/table: No such file"), "{error}");
}

#[test]
fn modules_order_lines() {
    let tree = Tree::new();
    let read = |contents: &[u8]| {
        tree.write("m.order", contents);
        let mut modules = Vec::new();
        read_order(&tree.path("m.order"), &mut modules).map(|()| modules)
    };
    assert_eq!(
        read(b"lib/a.o\n\nsamples/rust/rust_minimal.o").unwrap(),
        ["lib/a.ko", "samples/rust/rust_minimal.ko"]
    );
    assert_eq!(read(b"").unwrap(), Vec::<String>::new());
    assert_eq!(read(b"a.o\r\n").unwrap(), ["a.ko"]);
    for bad in ["a.o\nb.ko\n", "a.o\n.o\n", "a.o\ndir/.o\n", "a.o\nfoo.c\n"] {
        let error = read(bad.as_bytes()).unwrap_err();
        assert!(error.contains("m.order:2: '"), "{bad:?}: {error}");
    }
}

#[test]
fn empty_modules_order_gives_an_empty_table() {
    let tree = Tree::new();
    tree.write_order("modules.order", &[]);
    tree.write("placeholder", &placeholder(0));
    write(tree.args(&[])).unwrap();
    assert_eq!(field(&tree.read("table"), 16), 0);
    assert!(tree.read("modules.hashes").is_empty());
    write(tree.check_args(&[])).unwrap();
}

#[test]
fn command_line_spellings() {
    let expected = Args {
        objtree: "obj".into(),
        orders: vec!["o1".into(), "o2".into()],
        section: "s".into(),
        output: Some("out".into()),
        manifest: Some("m".into()),
        suffix: ".stripped".into(),
        check: false,
    };
    for args in [
        &[
            "write",
            "--objtree",
            "obj",
            "--order",
            "o1",
            "--section",
            "s",
            "--output",
            "out",
            "--manifest",
            "m",
            "--image-suffix",
            ".stripped",
            "--order",
            "o2",
        ][..],
        &[
            "write",
            "--order=o1",
            "--order=o2",
            "--image-suffix=.stripped",
            "--manifest=m",
            "--output=out",
            "--section=s",
            "--objtree=obj",
        ],
    ] {
        let parsed = parse_args(args.iter().map(OsString::from));
        assert_eq!(parsed, Ok(Some(expected.clone())), "{args:?}");
    }
    let Ok(Some(defaults)) =
        parse_args(["write", "--order", "o", "--section", "s", "--check"].map(OsString::from))
    else {
        panic!("should parse");
    };
    assert_eq!(defaults.objtree, PathBuf::from("."));
    assert_eq!(defaults.suffix, OsString::new());
    assert!(defaults.check && defaults.output.is_none() && defaults.manifest.is_none());
    // A value may start with '-' or have '=' in it.
    let Ok(Some(odd)) = parse_args(
        [
            "write",
            "--order",
            "-o",
            "--section=a=b",
            "--output",
            "--check",
        ]
        .map(OsString::from),
    ) else {
        panic!("should parse");
    };
    assert_eq!(odd.orders, [PathBuf::from("-o")]);
    assert_eq!(odd.section, PathBuf::from("a=b"));
    assert_eq!(odd.output, Some(PathBuf::from("--check")));
    assert!(!odd.check);
}

#[test]
fn help_everywhere() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["write", "--help"],
        &["write", "--order", "x", "-h"],
    ] {
        assert_eq!(parse_args(args.iter().map(OsString::from)), Ok(None));
    }
}

#[test]
fn bad_command_lines() {
    let base = ["write", "--order", "o", "--section", "s", "--output", "t"];
    let with = |extra: &[&str]| usage(&[&base[..], extra].concat());
    assert_eq!(usage(&[]), "no command given");
    assert!(usage(&["frob"]).starts_with("unknown command 'frob'"));
    assert!(usage(&["list"]).contains("tools/module-hashes"));
    assert_eq!(
        usage(&["write", "--section", "s", "--output", "t"]),
        "missing option '--order'"
    );
    assert_eq!(
        usage(&["write", "--order", "o", "--output", "t"]),
        "missing option '--section'"
    );
    assert_eq!(
        usage(&["write", "--order", "o", "--section", "s"]),
        "missing option '--output'"
    );
    assert_eq!(
        with(&["--check"]),
        "--check writes nothing: no --output or --manifest"
    );
    assert_eq!(
        usage(&[
            "write",
            "--order",
            "o",
            "--section",
            "s",
            "--check",
            "--manifest",
            "m"
        ]),
        "--check writes nothing: no --output or --manifest"
    );
    assert_eq!(with(&["--check=yes"]), "'--check' takes no value");
    assert_eq!(
        with(&["--check", "--check"]),
        "option '--check' given twice"
    );
    for option in [
        "--objtree",
        "--section",
        "--output",
        "--manifest",
        "--image-suffix",
    ] {
        assert_eq!(
            with(&[option, "a", option, "b"]),
            format!("option '{option}' given twice")
        );
        assert_eq!(with(&[option]), format!("option '{option}' needs a value"));
    }
    assert_eq!(with(&["--order"]), "option '--order' needs a value");
    for bad in ["--image-suffix=", "--image-suffix=a/b"] {
        assert!(with(&[bad]).contains("is not a file name suffix"), "{bad}");
    }
    assert_eq!(with(&["--frob"]), "unexpected argument '--frob'");
    assert_eq!(with(&["--frob=1"]), "unexpected argument '--frob=1'");
    assert_eq!(with(&["-j4"]), "unexpected argument '-j4'");
    assert_eq!(with(&["stray"]), "unexpected argument 'stray'");
    let not_utf8 = OsStr::from_bytes(b"--\xff").to_owned();
    let args = base.iter().map(OsString::from).chain([not_utf8]);
    assert!(matches!(parse_args(args), Err(Error::Usage(m)) if m.starts_with("unexpected")));
}

#[test]
fn non_utf8_paths_are_fine() {
    let tree = tree_with_modules(3);
    let odd = tree.0.join(OsStr::from_bytes(b"pl\xe9ce"));
    fs::copy(tree.path("placeholder"), &odd).unwrap();
    let mut args = tree.args(&[]);
    let mut attached = OsString::from("--section=");
    attached.push(&odd);
    args.push(attached);
    args.remove(5);
    args.remove(5);
    write(args).unwrap();
}
