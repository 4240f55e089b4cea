#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check a CONFIG_MODULE_HASHES build from the outside: every module's line
# in modules.hashes is the sha256sum of its .ko (of its stripped image,
# .ko.stripped, with CONFIG_MODULE_INSTALL_STRIP), and the .module_hashes
# section of vmlinux holds exactly those digests, sorted, after a valid
# header.
#
# Usage: check-manifest.sh NAME

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
obj=$BUILD/${1:?usage: check-manifest.sh NAME}
cd "$obj"

[ -s modules.hashes ] || die "$obj/modules.hashes is missing or empty"
[ "$(wc -l < modules.hashes)" = "$(wc -l < modules.order)" ] ||
	die "modules.hashes has $(wc -l < modules.hashes) lines, modules.order $(wc -l < modules.order)"
# With CONFIG_MODULE_INSTALL_STRIP, the digests are those of the stripped
# images that modules_install installs (foo.ko.stripped).
suffix=''
grep -qx CONFIG_MODULE_INSTALL_STRIP=y .config && suffix=.stripped
sed "s/\$/$suffix/" modules.hashes | sha256sum --quiet -c ||
	die "modules.hashes does not match sha256sum of the modules${suffix:+ (stripped images)}"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
llvm-objcopy-19 --dump-section .module_hashes="$tmp" vmlinux /dev/null ||
	die "vmlinux has no .module_hashes section"
header=$(head -c 24 "$tmp" | od -An -tx1 | tr -d ' \n')
count=$(cut -d' ' -f1 modules.hashes | sort -u | wc -l)
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
expected=4d4f444841534800$(le32 1)$(le32 1)$(le32 "$count")$(le32 32)
[ "$header" = "$expected" ] || die "bad .module_hashes header: $header, expected $expected"
table=$(tail -c +25 "$tmp" | head -c $((count * 32)) | od -An -v -tx1 | tr -d ' \n' | fold -w 64)
[ "$table" = "$(cut -d' ' -f1 modules.hashes | LC_ALL=C sort -u)" ] ||
	die ".module_hashes does not hold the sorted digests of modules.hashes"
rest=$(tail -c +$((25 + count * 32)) "$tmp" | tr -d '\0' | wc -c)
[ "$rest" = 0 ] || die ".module_hashes has non-zero bytes after the table"
echo "$1: modules.hashes matches sha256sum of $count modules, and vmlinux's .module_hashes holds them sorted"
