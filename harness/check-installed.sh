#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the installed module tree of a CONFIG_MODULE_HASHES build
# ($BUILD/NAME/modinst, from make modules_install) from the outside:
#   - with MODULE_COMPRESS_ALL every module is compressed;
#   - with MODULE_INSTALL_STRIP every installed module is stripped of debug
#     information while the build tree keeps it, and without it every
#     installed module keeps its debug information;
#   - tools/module-hashes verify accepts every installed module against
#     vmlinux;
#   - modules_install with the INSTALL_MOD_STRIP that .config implies
#     installs the same tree silently, and with another one installs the
#     same tree too, after one line that says it ignored INSTALL_MOD_STRIP
#     (the kernel's packaging scripts always pass INSTALL_MOD_STRIP=1);
#   - modules rebuilt after vmlinux (make modules with other compiler
#     flags) make modules_install stop, naming one, and install nothing;
#     make puts it right.
#
# Usage: check-installed.sh NAME

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: check-installed.sh NAME}
obj=$BUILD/$name
src=$BUILD/src
[ -x "$obj/scripts/module-hashes/module-hashes" ] || die "$obj is not a CONFIG_MODULE_HASHES build"
tool=$(hash_tool)
moddir=$(echo "$obj"/modinst/lib/modules/*)
[ -d "$moddir/kernel" ] || die "$obj has no installed modules"
mapfile -t installed < <(find "$moddir/kernel" -type f | LC_ALL=C sort)
[ ${#installed[@]} -gt 0 ] || die "no modules in $moddir"
info "$name: ${#installed[@]} installed modules"

option() { grep -qx "$1=y" "$obj/.config"; }
option CONFIG_CC_IS_GCC && export KERNEL_TOOLCHAIN=gcc

has_debug_info() { # has_debug_info FILE (no grep -q: pipefail and SIGPIPE)
	[[ $(llvm-readelf-19 -S -W "$1") == *" .debug_info "* ]]
}

if option CONFIG_MODULE_COMPRESS_ALL; then
	suffix=$(compressed_suffix "$obj/.config")
	for f in "${installed[@]}"; do
		[[ $f == *.ko$suffix ]] || die "$f is not compressed ($suffix), with MODULE_COMPRESS_ALL"
	done
	info "every module is compressed ($suffix)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stripped=0
for f in "${installed[@]}"; do
	decompress "$f" > "$tmp/module.ko"
	has_debug_info "$tmp/module.ko" || stripped=$((stripped + 1))
done
if option CONFIG_MODULE_INSTALL_STRIP; then
	[ $stripped = ${#installed[@]} ] ||
		die "MODULE_INSTALL_STRIP, but $(( ${#installed[@]} - stripped )) installed modules have debug information"
	has_debug_info "$obj/lib/test_module.ko" ||
		die "the build tree's lib/test_module.ko lost its debug information"
	info "every installed module is stripped; the build tree keeps the debug information"
elif option CONFIG_DEBUG_INFO; then
	[ $stripped = 0 ] || die "without MODULE_INSTALL_STRIP, $stripped installed modules have no debug information"
	info "no MODULE_INSTALL_STRIP: every installed module keeps its debug information"
fi

"$tool" verify "$obj/vmlinux" "$moddir" > "$tmp/verify" ||
	{ cat "$tmp/verify"; die "module-hashes verify rejects installed modules"; }
[ "$(grep -c '^OK ' "$tmp/verify")" = ${#installed[@]} ] ||
	{ cat "$tmp/verify"; die "module-hashes verify did not accept all ${#installed[@]} modules"; }
info "module-hashes verify: all ${#installed[@]} installed modules are accepted by vmlinux"

# install_with DIR ARGS...: modules_install into DIR with ARGS; its output
# in DIR.log.
install_with() {
	local dir=$1
	shift
	env -u INSTALL_MOD_STRIP bash -c '. "$0"; kmake "$@"' "$here/lib.sh" "$src" "$obj" \
		INSTALL_MOD_PATH="$dir" "$@" modules_install > "$dir.log" 2>&1
}
same_tree() { diff -r "$moddir/kernel" "$(echo "$1"/lib/modules/*)/kernel" > /dev/null; }

# The setting .config implies is accepted without a word; another one is
# ignored for in-tree modules, with one line that says so.
if option CONFIG_MODULE_INSTALL_STRIP; then
	same=(INSTALL_MOD_STRIP=1) other=(INSTALL_MOD_STRIP=--strip-unneeded)
else
	same=() other=(INSTALL_MOD_STRIP=1)
fi
install_with "$tmp/same" "${same[@]}" || { cat "$tmp/same.log"; die "modules_install ${same[*]} failed"; }
! grep -q INSTALL_MOD_STRIP "$tmp/same.log" || { cat "$tmp/same.log"; die "modules_install ${same[*]} printed a note"; }
same_tree "$tmp/same" || die "modules_install ${same[*]} installed other files"
install_with "$tmp/other" "${other[@]}" || { cat "$tmp/other.log"; die "modules_install ${other[*]} failed"; }
[ "$(grep -c "${other[0]} ignored for in-tree modules" "$tmp/other.log")" = 1 ] ||
	{ cat "$tmp/other.log"; die "modules_install ${other[*]} did not say once that it ignored it"; }
same_tree "$tmp/other" || die "modules_install ${other[*]} installed other files than the build hashed"
info "modules_install ${same[*]:-without INSTALL_MOD_STRIP} and ${other[*]}: the modules vmlinux knows, a note for the latter"

# Modules rebuilt after vmlinux (make modules, with other compiler flags
# for modules only): modules_install refuses them.
kmake "$src" "$obj" -j"$(nproc)" CFLAGS_MODULE=-fno-optimize-sibling-calls modules > /dev/null
if install_with "$tmp/stale"; then
	die "modules_install installed modules rebuilt after vmlinux"
fi
grep -q "\.ko.*: not the module whose digest .*run 'make'" "$tmp/stale.log" ||
	{ cat "$tmp/stale.log"; die "the modules_install failure does not name a stale module"; }
[ -z "$(find "$tmp/stale" -name '*.ko*' 2>/dev/null)" ] || die "the failed modules_install installed modules"
info "modules_install refuses modules rebuilt after vmlinux: $(grep -m1 'not the module' "$tmp/stale.log")"
kmake "$src" "$obj" -j"$(nproc)" > /dev/null
# The build's own installed tree, which the next steps use, is replaced.
# (Not necessarily with the same bytes as before: pahole before 1.26
# encodes module BTF in an order that may vary from one build to the next.)
rm -rf "$obj/modinst"
install_with "$obj/modinst" || { cat "$obj/modinst.log"; die "modules_install failed after make"; }
"$tool" verify "$obj/vmlinux" "$(echo "$obj"/modinst/lib/modules/*)" > "$tmp/verify" ||
	{ cat "$tmp/verify"; die "after make, vmlinux rejects the modules that modules_install installs"; }
info "after make, modules_install installs modules that vmlinux knows"
