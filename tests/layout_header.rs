// SPDX-License-Identifier: GPL-2.0

//! The layout constants that tools/module-hashes shares with
//! scripts/module-hashes (layout.rs) against include/linux/module_hashes.h,
//! the kernel's definition of the `.module_hashes` layout.

#[path = "../scripts/module-hashes/layout.rs"]
mod layout;

use std::collections::HashMap;
use std::path::Path;

/// The header's text, from the kernel tree of `$KERNEL_SRC` (see
/// .cargo/config.toml), or the directory of Cargo.toml if it has it.
fn header() -> String {
    let relative = "include/linux/module_hashes.h";
    let tree = std::env::var_os("KERNEL_SRC").map(std::path::PathBuf::from);
    let candidates = [
        tree,
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()),
    ];
    let Some(path) = candidates
        .into_iter()
        .flatten()
        .map(|tree| tree.join(relative))
        .find(|path| path.is_file())
    else {
        panic!("this test needs {relative}: set KERNEL_SRC to a kernel tree that has it");
    };
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// `#define NAME VALUE` lines, the value without a trailing comment.
fn defines(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.trim().strip_prefix("#define")?.split_whitespace();
            let name = words.next()?.to_string();
            let value = words.next()?.to_string();
            Some((name, value))
        })
        .collect()
}

/// Size in bytes of each member of `struct NAME`, in order.
fn struct_members(text: &str, name: &str) -> Vec<(String, usize)> {
    let opening = format!("struct {name} {{");
    let body = text
        .split_once(&opening)
        .unwrap_or_else(|| panic!("no {opening}"))
        .1
        .split_once("};")
        .expect("struct end")
        .0;
    body.lines()
        .filter_map(|line| {
            let declaration = line.split(';').next()?.trim();
            let (kind, member) = declaration.split_once(char::is_whitespace)?;
            let kind_size = match kind {
                "u8" | "__u8" => 1,
                "__le16" | "__u16" => 2,
                "__le32" | "__u32" => 4,
                "__le64" | "__u64" => 8,
                other => panic!("unexpected member type {other}"),
            };
            let member = member.trim();
            let (member, count) = match member.split_once('[') {
                Some((member, count)) => (
                    member,
                    count
                        .trim_end_matches(']')
                        .parse::<usize>()
                        .expect("array length"),
                ),
                None => (member, 1),
            };
            Some((member.to_string(), kind_size * count))
        })
        .collect()
}

#[test]
fn constants_match_the_kernel_header() {
    let text = header();
    let defines = defines(&text);
    let value = |name: &str| -> u64 {
        defines[name]
            .parse()
            .unwrap_or_else(|_| panic!("{name} is not a number"))
    };

    let magic = defines["MODULE_HASHES_MAGIC"].trim_matches('"');
    let mut magic_with_nul = magic.as_bytes().to_vec();
    magic_with_nul.push(0);
    assert_eq!(layout::MAGIC[..], magic_with_nul[..]);

    assert_eq!(u64::from(layout::VERSION), value("MODULE_HASHES_VERSION"));
    assert_eq!(
        u64::from(layout::ALGO_SHA256),
        value("MODULE_HASHES_ALGO_SHA256")
    );
    assert_eq!(
        u64::try_from(layout::SHA256_SIZE).unwrap(),
        value("MODULE_HASHES_SHA256_SIZE")
    );
}

#[test]
fn header_struct_matches_the_kernel_header() {
    let members = struct_members(&header(), "module_hashes_header");
    let names: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
    // The order the tool writes the fields in.
    assert_eq!(names, ["magic", "version", "algo", "count", "entry_size"]);
    assert_eq!(members[0].1, layout::MAGIC.len());
    let size: usize = members.iter().map(|(_, size)| size).sum();
    assert_eq!(size, layout::HEADER_SIZE);
}

#[test]
fn section_name_matches_the_linker_script_comment() {
    // The header names the section; the tool must look for the same one.
    assert!(header().contains(layout::SECTION_NAME));
}
