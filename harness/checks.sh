#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side checks of a built configuration NAME of ARCH (obj_dir in lib.sh,
# build.sh NAME):
# manifest NAME   modules.hashes is sha256sum of the installed modules, and
#                 vmlinux's .module_hashes holds exactly its digests, sorted
# installed NAME  NAME/modinst is compressed, stripped and verified as .config
#                 says, against vmlinux and the architecture's kernel image;
#                 modules_install with either INSTALL_MOD_STRIP, and
#                 its refusal of modules rebuilt after vmlinux
# rebuild NAME    "rm some.ko; make" and an edit of a module's source rebuild
#                 it, vmlinux's table and bzImage
# extra NAME      make MODULE_HASHES_EXTRA= (the external modules of
#                 build.sh): again changes nothing; another list rewrites
#                 only the table, to in-tree + that list; bad lists fail
#                 clearly and leave vmlinux alone
# relink NAME     build.sh again after the packaging targets: vmlinux linked
#                 again, the external modules not built again; then boot
# kconfig         without rustc, hashes-only+force enforces with MODULE_SIG;
#                 loongarch (Rust, untested) is not offered MODULE_HASHES
# paths NAME      no object, module (external ones too) or vmlinux of a
#                 build with debug information names its source or build
#                 directory
# packages NAME deb|rpm|pacman
#                 make bindeb-pkg|binrpm-pkg|pacman-pkg: verify accepts the
#                 modules against the packaged image, and not a tampered one
# series [--no-sync] [--boot] [--commits RANGE] [--target T]... [CONFIG]
#                 each commit of RANGE (base..work) builds CONFIG (hashes; the
#                 options it lacks dropped) and the Ts (default: all), in
#                 $BUILD/check-series (kept); --boot: and passes the
#                 loading-policy matrix (four boot modes) where the selftest
#                 comes in (the end of the core) and at the end; --no-sync:
#                 $BUILD/src as it is
# Environment: BUILD, JOBS, CCACHE, and what tree.sh takes.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
usage() { die "usage: checks.sh manifest NAME | installed NAME | rebuild NAME | extra NAME | relink NAME | paths NAME | kconfig |" \
	"packages NAME deb|rpm|pacman | series [--no-sync] [--boot] [--commits RANGE] [--target T]... [CONFIG]"; }
src=$BUILD/src jobs=${JOBS:-$(nproc)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

option() { grep -qx "CONFIG_$1=y" "$obj/.config"; }
has_debug_info() { has_section "$1" .debug_info; }

# hashes_build: $obj is a built MODULE_HASHES configuration; tool, its
# module-hashes; kmake with the compiler of its .config.
hashes_build() {
	[ -x "$obj/scripts/module-hashes/module-hashes" ] ||
		die "$obj is not a built CONFIG_MODULE_HASHES configuration"
	tool=$(hash_tool)
	! option CC_IS_GCC || export KERNEL_TOOLCHAIN=gcc
}

# verify IMAGE MODDIR: module-hashes verify, its output in $tmp/verify.
# verify_all IMAGE MODDIR N WHAT: it accepts all N modules of WHAT.
verify() { "$tool" verify "$1" "$2" > "$tmp/verify" 2>&1; }
verify_all() {
	verify "$1" "$2" || { cat "$tmp/verify"; die "module-hashes verify rejects modules of $4"; }
	[ "$(grep -c '^OK ' "$tmp/verify")" = "$3" ] ||
		{ cat "$tmp/verify"; die "module-hashes verify did not accept all $3 modules of $4"; }
}

# module_count: the modules of $obj's table: modules.order and the external
# ones (modules-extra/modules.order, make MODULE_HASHES_EXTRA=).
module_count() { cat "$obj/modules.order" "$obj"/modules-extra/modules.order 2>/dev/null | wc -l; }

# check_manifest [LIST]: modules.hashes and the table of $obj, with the
# external modules of the directories LIST (default: build.sh's).
check_manifest() (
	cd "$obj"
	[ -s modules.hashes ] || die "$obj/modules.hashes is missing or empty"
	[ "$(wc -l < modules.hashes)" = "$(module_count)" ] ||
		die "modules.hashes has $(wc -l < modules.hashes) lines for $(module_count) modules"
	# The external modules (make MODULE_HASHES_EXTRA=, build.sh), as the
	# build copied them.
	local list want=0 d external
	list=${1-$(extra_modules .)}
	for d in $list; do want=$((want + $(wc -l < "$d/modules.order"))); done
	external=$(grep -c '  modules-extra/' modules.hashes || true)
	[ "$external" = "$want" ] ||
		die "modules.hashes lists $external external modules, $want expected (${list:-none})"
	suffix=''
	! option MODULE_INSTALL_STRIP || suffix=.stripped
	sed "s/\$/$suffix/" modules.hashes | sha256sum --quiet -c ||
		die "modules.hashes does not match sha256sum of the modules${suffix:+ (stripped images)}"

	dump_section vmlinux .module_hashes "$tmp/table" ||
		die "vmlinux has no .module_hashes section"
	local magic version algo header count_at digest
	eval "$(table_layout)"
	[ $((${#magic} / 2 + 8)) = "$count_at" ] && [ $((count_at + 8)) = "$header" ] ||
		die "module_hashes.h: the header is no longer magic, version, algo, count, entry size"
	le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
	digests=$(cut -d' ' -f1 modules.hashes | LC_ALL=C sort -u)
	count=$(wc -l <<< "$digests")
	expected=$magic$(le32 "$version")$(le32 "$algo")$(le32 "$count")$(le32 "$digest")
	table=$(od -An -v -tx1 "$tmp/table" | tr -d ' \n')
	[ "${table:0:header*2}" = "$expected" ] ||
		die "bad .module_hashes header: ${table:0:header*2}, expected $expected"
	[ "$(fold -w $((digest * 2)) <<< "${table:header*2:count*digest*2}")" = "$digests" ] ||
		die ".module_hashes does not hold the sorted digests of modules.hashes"
	[[ ${table:(header + count * digest) * 2} =~ ^0*$ ]] ||
		die ".module_hashes has non-zero bytes after the table"
	echo "$name: modules.hashes matches sha256sum of $count modules ($external external), and vmlinux's .module_hashes holds them sorted"
)

# install_with DIR ARGS...: modules_install into DIR with ARGS (and no
# INSTALL_MOD_STRIP from the environment), its output in DIR.log.
install_with() {
	local dir=$1
	shift
	(unset INSTALL_MOD_STRIP; kmake "$src" "$obj" INSTALL_MOD_PATH="$dir" "$@" modules_install) > "$dir.log" 2>&1
}

# same_modules DIR DIR2: the modules installed in DIR and DIR2 are the same
# files (kernel/ and updates/, the external ones).
same_modules() {
	local d
	for d in kernel updates; do
		[ -e "$1/$d" ] || [ -e "$2/$d" ] || continue
		diff -r "$1/$d" "$2/$d" > /dev/null || return
	done
}

check_installed() {
	local moddir suffix all='' f stripped=0 same other installed
	hashes_build
	moddir=$(echo "$obj"/modinst/lib/modules/*)
	[ -d "$moddir/kernel" ] || die "$obj has no installed modules"
	mapfile -t installed < <(find "$moddir/kernel" "$moddir/updates" -type f 2>/dev/null | LC_ALL=C sort)
	[ ${#installed[@]} -gt 0 ] || die "no modules in $moddir"
	info "$name: ${#installed[@]} installed modules"
	suffix=$(compressed_suffix "$obj/.config")
	! option MODULE_COMPRESS_ALL || all=1
	for f in "${installed[@]}"; do
		[ -z "$all" ] || [[ $f == *.ko$suffix ]] || die "$f is not compressed ($suffix), with MODULE_COMPRESS_ALL"
		decompress "$f" > "$tmp/module.ko"
		has_debug_info "$tmp/module.ko" || stripped=$((stripped + 1))
	done
	[ -z "$all" ] || info "every module is compressed ($suffix)"
	# The INSTALL_MOD_STRIP that .config implies, and another (the packaging
	# scripts pass 1).
	same=() other=(INSTALL_MOD_STRIP=1)
	if option MODULE_INSTALL_STRIP; then
		[ $stripped = ${#installed[@]} ] ||
			die "MODULE_INSTALL_STRIP, but $((${#installed[@]} - stripped)) installed modules have debug information"
		has_debug_info "$obj/lib/test_module.ko" ||
			die "the build tree's lib/test_module.ko lost its debug information"
		info "every installed module is stripped; the build tree keeps the debug information"
		same=(INSTALL_MOD_STRIP=1) other=(INSTALL_MOD_STRIP=--strip-unneeded)
	elif option DEBUG_INFO; then
		[ $stripped = 0 ] || die "without MODULE_INSTALL_STRIP, $stripped installed modules have no debug information"
		info "no MODULE_INSTALL_STRIP: every installed module keeps its debug information"
	fi
	verify_all "$obj/vmlinux" "$moddir" ${#installed[@]} "$moddir"
	info "module-hashes verify: all ${#installed[@]} installed modules are accepted by vmlinux"
	# And by the kernel images the architecture boots (bzImage, Image and
	# its compressed copies, zImage), as an administrator has them.
	for f in "$obj/$arch_image" "$obj/$arch_image".*; do
		[ -f "$f" ] || continue
		verify_all "$f" "$moddir" ${#installed[@]} "$moddir against $(basename "$f")"
		info "module-hashes verify: all ${#installed[@]} installed modules are accepted by $(basename "$f")"
	done

	install_with "$tmp/same" "${same[@]}" || { cat "$tmp/same.log"; die "modules_install ${same[*]} failed"; }
	! grep -q INSTALL_MOD_STRIP "$tmp/same.log" || { cat "$tmp/same.log"; die "modules_install ${same[*]} printed a note"; }
	same_modules "$moddir" "$tmp"/same/lib/modules/* ||
		die "modules_install ${same[*]} installed other files"
	install_with "$tmp/other" "${other[@]}" || { cat "$tmp/other.log"; die "modules_install ${other[*]} failed"; }
	[ "$(grep -c "${other[0]} ignored for in-tree modules" "$tmp/other.log")" = 1 ] ||
		{ cat "$tmp/other.log"; die "modules_install ${other[*]} did not say once that it ignored it"; }
	same_modules "$moddir" "$tmp"/other/lib/modules/* ||
		die "modules_install ${other[*]} installed other files than the build hashed"
	info "modules_install ${same[*]:-without INSTALL_MOD_STRIP} and ${other[*]}: the modules vmlinux knows, a note for the latter"

	# The C modules rebuilt with their compiler's command line recorded in
	# a section of their own: other bytes on every architecture and
	# compiler (-fno-optimize-sibling-calls, used before, is already the
	# default where FRAME_POINTER is, as on arm64).
	kmake "$src" "$obj" -j"$jobs" CFLAGS_MODULE=-frecord-gcc-switches modules > /dev/null
	! install_with "$tmp/stale" || die "modules_install installed modules rebuilt after vmlinux"
	grep -q "modules are not in the .module_hashes table .*run 'make'" "$tmp/stale.log" &&
		grep -q '^  .*\.ko' "$tmp/stale.log" ||
		{ cat "$tmp/stale.log"; die "the modules_install failure does not name a stale module"; }
	[ -z "$(find "$tmp/stale" -name '*.ko*' 2>/dev/null)" ] || die "the failed modules_install installed modules"
	info "modules_install refuses modules rebuilt after vmlinux: $(grep -m1 'not the module' "$tmp/stale.log")"
	kmake "$src" "$obj" -j"$jobs" > /dev/null
	# Not necessarily the same bytes as before: pahole before 1.26 may
	# encode module BTF in another order from one build to the next.
	rm -rf "$obj/modinst"
	install_with "$obj/modinst" || { cat "$obj/modinst.log"; die "modules_install failed after make"; }
	verify_all "$obj/vmlinux" "$(echo "$obj"/modinst/lib/modules/*)" ${#installed[@]} "$obj/modinst (after make)"
	info "after make, modules_install installs modules that vmlinux knows"
}

# An upstream attempt once stopped rebuilding deleted modules.
check_rebuild() {
	local module=lib/test_module
	# make_after WHAT FILE...: make; each FILE must be newer than before.
	make_after() {
		local what=$1 f
		shift
		sleep 1
		touch "$obj/.rebuild-mark"
		"$here/build.sh" "$name" > /dev/null
		for f; do
			[ "$(stat -c %.9Y "$obj/$f" 2>/dev/null)" \> "$(stat -c %.9Y "$obj/.rebuild-mark")" ] ||
				die "$what; make did not rebuild $f"
		done
		check_manifest
		info "$what; make: rebuilt $*"
	}
	rm -f "$obj/$module.ko"
	make_after "rm $module.ko" $module.ko vmlinux "$arch_image"
	# An edit is its mtime, so that build/src stays clean.
	touch "$src/$module.c"
	make_after "an edit of $module.c" $module.o $module.ko vmlinux "$arch_image"
	rm -f "$obj/.rebuild-mark"
}

# paths NAME: a build with debug information, built with the path settings
# of reproducible-builds.rst (build.sh, kmake): no object, module or vmlinux
# names its source or build directory, and its Rust modules do have debug
# information (else there would be nothing to check).
check_paths() {
	local s o d dirs files rust found
	[ -f "$obj/.harness-path-maps" ] || die "$obj is not built with path maps (no CONFIG_DEBUG_INFO?)"
	s=$(realpath "$src") o=$(realpath "$obj")
	# The kernel's directories (not the harness's or the packaging
	# targets'), without the host programs of scripts/ and tools/.
	dirs=()
	for d in "$obj"/*/; do
		d=${d%/} d=${d##*/}
		[ -f "$src/$d/Makefile" ] && [ "$d" != scripts ] && [ "$d" != tools ] && dirs+=("$obj/$d")
	done
	# And the external modules of the table (build.sh), as built and as
	# copied for it.
	[ ! -d "$obj/modules-extra" ] || dirs+=("$obj/extra" "$obj/modules-extra")
	mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.o' -o -name '*.ko' \) -print
		echo "$obj/vmlinux"; echo "$obj/vmlinux.unstripped")
	rust=$(find "$obj/samples/rust" -name '*.ko' 2>/dev/null | head -n 1)
	[ -n "$rust" ] && has_debug_info "$rust" || die "$name has no Rust module with debug information"
	found=$(printf '%s\0' "${files[@]}" | xargs -0 grep -lF -e "$s" -e "$o" || true)
	if [ -n "$found" ]; then
		echo "$found" | head -n 20 | while read -r f; do
			echo "  ${f#"$o"/}: $(grep -aoF -e "$s" -e "$o" "$f" | head -n 1)..."
		done >&2
		die "$(echo "$found" | wc -l) of ${#files[@]} files of $name name $s or $o"
	fi
	info "none of the ${#files[@]} objects, modules and vmlinux of $name names $s or $o"
}

# The checks of each concern, in files of their own.
for check_file in extra kconfig packages series; do
	. "$here/checks/$check_file.sh"
done

case ${1:-} in
paths) [ $# = 2 ] || usage; name=$2 obj=$(built_dir "$2"); check_paths ;;
manifest|installed|rebuild|extra|relink) [ $# = 2 ] || usage; name=$2 obj=$(built_dir "$2"); "check_$1" ;;
packages) [ $# = 3 ] || usage; name=$2 obj=$(built_dir "$2"); check_packages "$3" ;;
kconfig) [ $# = 1 ] || usage; check_kconfig ;;
series) shift; check_series "$@" ;;
*) usage ;;
esac
