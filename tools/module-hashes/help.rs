// SPDX-License-Identifier: GPL-2.0

//! The help texts.

/// The short usage printed after a command-line error.
pub(crate) const SYNOPSIS: &str = "\
Usage: module-hashes hash [-j N] FILE...
       module-hashes list [--manifest FILE] KERNEL
       module-hashes verify [--manifest FILE] [--json] [-j N] KERNEL MODULE_OR_DIR...
       module-hashes [COMMAND] --help
";

/// The exit status table, shared by the help texts.
macro_rules! exit_status {
    () => {
        "\
Exit status:
  0  success; for verify, every module would be accepted
  1  any other error (an I/O error, a bad manifest)
  2  a bad command line
  3  verify: some module would not be accepted by its digest
  4  a path that does not exist
  5  a file that is not ELF (not a vmlinux, bzImage or table; not a
     module; a malformed module signature)
  6  a vmlinux without a .module_hashes section
  7  a corrupt .module_hashes table (bad header, count beyond the
     section, digests not sorted)
  8  a compressed file that cannot be decompressed (corrupt, or its
     program is missing)
With several problems, verify exits with the code of the first error;
3 only if every module could be checked.
"
    };
}

/// Help for the tool as a whole.
pub(crate) const MAIN_HELP: &str = concat!(
    "\
Usage: module-hashes COMMAND [OPTION]...

Show and check the .module_hashes table of a kernel built with
CONFIG_MODULE_HASHES: the digests of the modules that the kernel accepts,
which the kernel build writes into vmlinux (scripts/module-hashes).

Commands:
  hash     print the module digests of files, in sha256sum format
  list     print the digests in a kernel's table
  verify   say whether a kernel would accept modules by their digests

Options:
  -h, --help    print this help

Run 'module-hashes COMMAND --help' for the options of a command.

The exit codes below are those of list and verify; hash exits 1 on any
error.

",
    exit_status!()
);

/// Help for `hash`.
pub(crate) const HASH_HELP: &str = "\
Usage: module-hashes hash [-j N] FILE...

Print the module digest of each FILE in sha256sum format: the SHA-256 of
the file without an appended module signature.  Each FILE must be an ELF
relocatable object.  Nothing is printed unless every FILE can be hashed.

Options:
  -j, --jobs N      hash on N threads (default: the number of CPUs)
  -h, --help        print this help

Exit status: 0 on success, 1 on error, 2 on a bad command line.
";

/// Help for `list`.
pub(crate) const LIST_HELP: &str = concat!(
    "\
Usage: module-hashes list [--manifest FILE] KERNEL

Print the digests in the .module_hashes table of KERNEL, one per line in
table (ascending) order.  KERNEL is a vmlinux, an x86 bzImage (its
compressed vmlinux is expanded with gzip, xz, zstd, lz4, bzip2 or lzop),
or the bare section contents (objcopy --dump-section .module_hashes=FILE).

With a manifest (modules.hashes, written by the build), each digest is
followed by the path of its module(s), in sha256sum format; a digest the
manifest does not know is printed alone, and manifest entries that are not
in the table are counted in a warning on standard error.

Options:
  --manifest FILE   the modules.hashes of the same build
  -h, --help        print this help

",
    exit_status!()
);

/// Help for `verify`.
pub(crate) const VERIFY_HELP: &str = concat!(
    "\
Usage: module-hashes verify [--manifest FILE] [--json] [-j N] KERNEL MODULE_OR_DIR...

Say, for each module, whether KERNEL would accept it by its digest, and if
not, why.  KERNEL is a vmlinux, a bzImage or a bare table, as for 'list';
the running kernel's table is /sys/kernel/module_hashes (readable by root
only), so 'verify /sys/kernel/module_hashes /lib/modules/$(uname -r)'
audits a running system.
A module is a .ko, .ko.xz, .ko.zst or .ko.gz file, signed or not (the
compressed ones are expanded with xz, zstd or gzip); a directory, such as
/lib/modules/VERSION, stands for every module under it (symbolic links to
directories are not followed).

One line per module on standard output:
  OK        path                      its digest is in the table
  OK        path: signature present but not needed
  REJECTED  path: unknown digest D    not in the table, nothing else known
  REJECTED  path: modified after the build: digest D, modules.hashes has E
  REJECTED  path: stripped after the build (no .symtab; a heuristic): ...
  REJECTED  path: stripped of debug information or otherwise modified after
            the build (no debug sections; a heuristic): ...
  REJECTED  path: unknown digest D; modules.hashes lists it ... (the
            manifest belongs to another build)
The manifest entry of a module is the one whose path is a suffix of the
module's (kernel/lib/foo.ko.xz matches lib/foo.ko) or the other way round.
A module that cannot be checked at all gets an error line on standard
error, and the others are still checked.

With a manifest and a directory argument, every manifest entry that no
module file found stands for gets a line after the others:
  MISSING   path: listed in modules.hashes, not found
Missing modules do not change the exit status (an initramfs holds only
some of them); see below for a strict check.  With only module files as
arguments, nothing is missing: the manifest only explains rejections.

With --json, each line is a JSON object instead (JSON Lines), with these
keys in this order:
  {\"path\":P,\"status\":S,\"digest\":D,\"signed\":B,\"manifest_path\":M}
S is \"known\" (accepted by its digest), \"unknown\" (not in the table: it
would need a valid signature to load), \"modified\", \"stripped\" or
\"manifest-mismatch\" (the REJECTED lines above, not known either), or
\"missing\" (P and M are the manifest's path, D its recorded digest, B
false).  D is the module digest in hex, B whether the file carries a
module signature, M the manifest entry's path or null.  A module that
cannot be checked gets {\"path\":P,\"status\":\"error\",\"error\":MESSAGE}
instead of a message on standard error.  The exit status is the same as
without --json.  A strict packaging check, which fails on missing
modules as well:
  module-hashes verify --json KERNEL DIR >report.json || exit
  if grep '\"status\":\"missing\"' report.json; then exit 1; fi

Options:
  --manifest FILE   the build's modules.hashes, to explain rejections and
                    find missing modules; without it, DIR/modules.hashes is
                    used for a directory argument DIR that has one
  --json            print JSON Lines
  -j, --jobs N      check on N threads (default: the number of CPUs)
  -h, --help        print this help

",
    exit_status!()
);
