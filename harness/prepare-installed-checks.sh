#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Modules for the second half of 40-installed-modules in the guest, in
# $BUILD/NAME/installed-checks/ (copied to /tests/installed-checks):
#   accepted/  an out-of-tree module built with make M= against the build
#              and signed with the build's key (with MODULE_SIG);
#   rejected/  the same module unsigned, and the installed in-tree C and
#              Rust test modules, decompressed, with one byte flipped in
#              the middle of .comment, and compressed again the way they
#              were installed.
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

# compress_like INSTALLED FILE: compress FILE (a .ko) the way INSTALLED is.
compress_like() {
	case $1 in
	*.ko.zst) zstd -q --rm "$2" ;;
	*.ko.xz) xz -q --check=crc32 --lzma2=dict=1MiB "$2" ;;
	*.ko.gz) gzip -q -n "$2" ;;
	esac
}

for module in test_module rust_minimal; do
	installed=$(find "$obj/modinst/lib/modules" -name "$module.ko*" | head -n 1)
	[ -n "$installed" ] || die "no installed $module in $obj/modinst"
	plain=$out/rejected/$module-tampered.ko
	case $installed in
	*.ko) cp "$installed" "$plain" ;;
	*.ko.zst) zstd -q -d -c "$installed" > "$plain" ;;
	*.ko.xz) xz -q -d -c "$installed" > "$plain" ;;
	*.ko.gz) gzip -q -d -c "$installed" > "$plain" ;;
	*) die "$installed: unknown compression" ;;
	esac
	flip_byte "$plain" "$(comment_middle "$plain")"
	compress_like "$installed" "$plain"
done

# An out-of-tree module: not in the table, so it needs a signature.
oot=$obj/oot-installed
build_oot_module "$src" "$obj" "$oot"
cp "$oot/hello_oot.ko" "$out/rejected/hello_oot-unsigned.ko"
compress_like "$installed" "$out/rejected/hello_oot-unsigned.ko"
if grep -qx CONFIG_MODULE_SIG=y "$obj/.config"; then
	sign_file=$(host_sign_file "$src" "$BUILD/tools")
	"$sign_file" sha512 "$obj/certs/signing_key.pem" "$obj/certs/signing_key.pem" \
		"$oot/hello_oot.ko" "$out/accepted/hello_oot-signed.ko"
	compress_like "$installed" "$out/accepted/hello_oot-signed.ko"
fi
info "$out: $(cd "$out" && find . -type f | LC_ALL=C sort | tr '\n' ' ')"
