#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Modules for the second half of 40-installed-modules in the guest, in
# $BUILD/NAME/installed-checks/ (copied to /tests/installed-checks):
#   accepted/  an out-of-tree module built with make M= against the build
#              and signed with a key the kernel trusts (with MODULE_SIG:
#              the tests' long-lived key of configs/hash-or-sig.config, or
#              the build's key);
#   rejected/  the same module unsigned and signed with another key, and
#              the installed in-tree C and Rust test modules, decompressed,
#              with one byte flipped in the middle of .comment, and
#              compressed again the way they were installed.
# Files are compressed as the installed modules are (MODULE_COMPRESS_ALL).
#
# Usage: prepare-installed-checks.sh NAME

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: prepare-installed-checks.sh NAME}
obj=$BUILD/$name
src=$BUILD/src
out=$obj/installed-checks
[ -d "$obj/modinst/lib/modules" ] || die "$obj has no installed modules: run 'make kernel CONFIG=$name'"

rm -rf "$out"
mkdir -p "$out/accepted" "$out/rejected"

suffix=$(compressed_suffix "$obj/.config")
grep -qx CONFIG_MODULE_COMPRESS_ALL=y "$obj/.config" || suffix=

for module in test_module rust_minimal; do
	installed=$(find "$obj/modinst/lib/modules" -name "$module.ko*" | head -n 1)
	[ -n "$installed" ] || die "no installed $module in $obj/modinst"
	plain=$out/rejected/$module-tampered.ko
	decompress "$installed" > "$plain"
	flip_byte "$plain" "$(comment_middle "$plain")"
	compress_as "$suffix" "$plain"
done

# An out-of-tree module: not in the table, so it needs a signature.
oot=$obj/oot-installed
build_oot_module "$src" "$obj" "$oot"
cp "$oot/hello_oot.ko" "$out/rejected/hello_oot-unsigned.ko"
compress_as "$suffix" "$out/rejected/hello_oot-unsigned.ko"
if grep -qx CONFIG_MODULE_SIG=y "$obj/.config"; then
	sign_module "$obj" "$oot/hello_oot.ko" "$out/accepted/hello_oot-signed.ko"
	compress_as "$suffix" "$out/accepted/hello_oot-signed.ko"
	sign_module_untrusted "$oot/hello_oot.ko" "$out/rejected/hello_oot-other-key.ko"
	compress_as "$suffix" "$out/rejected/hello_oot-other-key.ko"
fi
info "$out: $(cd "$out" && find . -type f | LC_ALL=C sort | tr '\n' ' ')"
