#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module files that only the host can make, for the guest tests of one
# built configuration, in $BUILD/NAME/fixtures (the guest's /tests/fixtures):
#   variants/   for module_auth.sh -d (30-module-auth): the installed
#               test_module signed with a key the kernel trusts (c-signed)
#               and with another key (c-otherkey), and an out-of-tree
#               module built with make M= against the build, unsigned (oot)
#               and signed both ways (a build of its own: not the one in
#               the table of a build with external modules).  The selftest
#               makes every other variant itself, in the guest.
#   accepted/, rejected/   for 40-installed-modules, compressed as the
#               installed modules are: the out-of-tree module signed with a
#               trusted key (with MODULE_SIG), unsigned and signed with
#               another key; the installed test_module and rust_minimal
#               (and the external hello_oot, build.sh) with a byte flipped
#               in the middle of .comment.
#   module_hashes   vmlinux's .module_hashes section (MODULE_HASHES).
#   extras      the names of the external modules in vmlinux's table
#               (make MODULE_HASHES_EXTRA=, build.sh), sorted.
# The trusted key is the tests' long-lived key where .config trusts its
# certificate (configs/hash-or-sig.config), else the build's own key.
#
# Usage: fixtures.sh NAME   (boot.sh runs it; it does nothing when the
# fixtures are newer than the build's installed modules and its vmlinux)

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: fixtures.sh NAME}
obj=$(obj_dir "$name")
out=$obj/fixtures
[ -d "$obj/modinst/lib/modules" ] || die "$obj has no installed modules: run 'make kernel CONFIG=$name'"
# The packaging targets relink vmlinux without installing modules again.
[ "$out/.done" -nt "$obj/modinst" ] && [ "$out/.done" -nt "$obj/vmlinux" ] && exit 0

rm -rf "$out"
mkdir -p "$out/variants" "$out/accepted" "$out/rejected"
installed() { find "$obj/modinst/lib/modules" -name "$1.ko*" | head -n 1; }
suffix=$(compressed_suffix "$obj/.config")
grep -qx CONFIG_MODULE_COMPRESS_ALL=y "$obj/.config" || suffix=

c=$out/variants/c.ko
decompress "$(installed test_module)" > "$c"
sign_module "$obj" "$c" "$out/variants/c-signed.ko"
sign_module_untrusted "$c" "$out/variants/c-otherkey.ko"
rm "$c"
# With external modules in the table (build.sh), the installed hello_oot
# tampered with too; the one built below is a rebuild, another module.
# The guest learns from extras which external modules the table has.
extras=
[ ! -f "$obj/modules-extra/modules.order" ] ||
	extras=$(module_names "$obj/modules-extra/modules.order" | tr '\n' ' ')
echo $extras > "$out/extras"
for module in test_module rust_minimal $(grep -ow hello_oot <<< "$extras"); do
	f=$out/rejected/$module-tampered.ko
	decompress "$(installed "$module")" > "$f"
	flip_byte "$f" "$(comment_middle "$f")"
	compress_as "$suffix" "$f"
done

build_oot_module "$BUILD/src" "$obj" "$obj/oot-build"
oot=$obj/oot-build/hello_oot.ko
cp "$oot" "$out/variants/oot.ko"
sign_module "$obj" "$oot" "$out/variants/oot-signed.ko"
sign_module_untrusted "$oot" "$out/variants/oot-otherkey.ko"
cp "$oot" "$out/rejected/hello_oot-unsigned.ko"
compress_as "$suffix" "$out/rejected/hello_oot-unsigned.ko"
if grep -qx CONFIG_MODULE_SIG=y "$obj/.config"; then
	cp "$out/variants/oot-signed.ko" "$out/accepted/hello_oot-signed.ko"
	compress_as "$suffix" "$out/accepted/hello_oot-signed.ko"
	cp "$out/variants/oot-otherkey.ko" "$out/rejected/hello_oot-other-key.ko"
	compress_as "$suffix" "$out/rejected/hello_oot-other-key.ko"
fi
# The table as the build wrote it (for the fuzzer's oracle), and as the
# text list that /sys/kernel/module_hashes is to show: its digests in
# lowercase hex, one per line, read here from the section's bytes at the
# offsets of module_hashes.h (table_layout; the count is little-endian).
if grep -qx CONFIG_MODULE_HASHES=y "$obj/.config"; then
	dump_section "$obj/vmlinux" .module_hashes "$out/module_hashes"
	eval "$(table_layout)"
	count=$(od -An -tu4 --endian=little -j "$count_at" -N 4 "$out/module_hashes" | tr -d ' ')
	od -An -v -tx1 -j "$header" -N $((count * digest)) "$out/module_hashes" | tr -d ' \n' |
		fold -w $((2 * digest)) > "$out/module_hashes.txt"
	[ "$count" = 0 ] || echo >> "$out/module_hashes.txt"
fi
touch "$out/.done"
info "$out: $(cd "$out" && find . -type f -name '*.ko*' | LC_ALL=C sort | tr '\n' ' ')"
