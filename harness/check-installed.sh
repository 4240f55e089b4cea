#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the installed module tree of a CONFIG_MODULE_HASHES build
# ($BUILD/NAME/modinst, from make modules_install) from the outside:
#   - with MODULE_COMPRESS_ALL every module is compressed;
#   - with INSTALL_MOD_STRIP every installed module is stripped of debug
#     information while the build tree keeps it;
#   - scripts/module-hashes verify accepts every installed module against
#     vmlinux;
#   - modules_install with another INSTALL_MOD_STRIP than the build's fails
#     with a message that says so, and installs nothing.
#
# Usage: check-installed.sh NAME   (INSTALL_MOD_STRIP as for the build)

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: check-installed.sh NAME}
obj=$BUILD/$name
tool=$obj/scripts/module-hashes/module-hashes
[ -x "$tool" ] || die "$obj is not a CONFIG_MODULE_HASHES build"
moddir=$(echo "$obj"/modinst/lib/modules/*)
[ -d "$moddir/kernel" ] || die "$obj has no installed modules"
mapfile -t installed < <(find "$moddir/kernel" -type f | LC_ALL=C sort)
[ ${#installed[@]} -gt 0 ] || die "no modules in $moddir"
info "$name: ${#installed[@]} installed modules"

option() { grep -qx "$1=y" "$obj/.config"; }

decompressed() { # decompressed FILE: the module's ELF image on stdout
	case $1 in
	*.ko) cat "$1" ;;
	*.ko.zst) zstd -q -d -c "$1" ;;
	*.ko.xz) xz -q -d -c "$1" ;;
	*.ko.gz) gzip -q -d -c "$1" ;;
	*) die "$1: not a module file" ;;
	esac
}

has_debug_info() { # has_debug_info FILE (no grep -q: pipefail and SIGPIPE)
	[[ $(llvm-readelf-19 -S -W "$1") == *" .debug_info "* ]]
}

if option CONFIG_MODULE_COMPRESS_ALL; then
	suffix=.zst
	option CONFIG_MODULE_COMPRESS_XZ && suffix=.xz
	option CONFIG_MODULE_COMPRESS_GZIP && suffix=.gz
	for f in "${installed[@]}"; do
		[[ $f == *.ko$suffix ]] || die "$f is not compressed ($suffix), with MODULE_COMPRESS_ALL"
	done
	info "every module is compressed ($suffix)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stripped=0
for f in "${installed[@]}"; do
	decompressed "$f" > "$tmp/module.ko"
	has_debug_info "$tmp/module.ko" || stripped=$((stripped + 1))
done
if [ -n "${INSTALL_MOD_STRIP:-}" ]; then
	[ $stripped = ${#installed[@]} ] ||
		die "INSTALL_MOD_STRIP=$INSTALL_MOD_STRIP, but $(( ${#installed[@]} - stripped )) installed modules have debug information"
	has_debug_info "$obj/lib/test_module.ko" ||
		die "the build tree's lib/test_module.ko lost its debug information"
	info "every installed module is stripped; the build tree keeps the debug information"
elif option CONFIG_DEBUG_INFO; then
	[ $stripped = 0 ] || die "without INSTALL_MOD_STRIP, $stripped installed modules have no debug information"
	info "no INSTALL_MOD_STRIP: every installed module keeps its debug information"
fi

"$tool" verify "$obj/vmlinux" "$moddir" > "$tmp/verify" ||
	{ cat "$tmp/verify"; die "module-hashes verify rejects installed modules"; }
[ "$(grep -c '^OK ' "$tmp/verify")" = ${#installed[@]} ] ||
	{ cat "$tmp/verify"; die "module-hashes verify did not accept all ${#installed[@]} modules"; }
info "module-hashes verify: all ${#installed[@]} installed modules are accepted by vmlinux"

# The other strip setting at modules_install must fail, clearly.
if [ -n "${INSTALL_MOD_STRIP:-}" ]; then other=(); else other=(INSTALL_MOD_STRIP=1); fi
set +e
env -u INSTALL_MOD_STRIP make -s -C "$BUILD/src" O="$obj" ARCH=x86_64 LLVM=-19 \
	INSTALL_MOD_PATH="$tmp/install" "${other[@]}" modules_install > "$tmp/log" 2>&1
status=$?
set -e
cat "$tmp/log"
[ $status != 0 ] || die "modules_install with ${other[*]:-no INSTALL_MOD_STRIP} succeeded on a build made ${INSTALL_MOD_STRIP:+with INSTALL_MOD_STRIP=$INSTALL_MOD_STRIP}${INSTALL_MOD_STRIP:-without INSTALL_MOD_STRIP}"
grep -q 'INSTALL_MOD_STRIP' "$tmp/log" || die "the modules_install failure does not name INSTALL_MOD_STRIP"
[ -z "$(find "$tmp/install" -name '*.ko*' 2>/dev/null)" ] || die "the failed modules_install installed modules"
info "modules_install with ${other[*]:-no INSTALL_MOD_STRIP} fails as it must"
