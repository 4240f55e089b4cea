#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build one kernel configuration.
#
# Usage: build.sh [--configure-only] [--lenient] [--base CONFIG] [--src SRC]
#                 [--obj OBJ] NAME [TARGET...]
#
# NAME is configs/NAME.config; '+' combines fragments (hashes+debug: base,
# then hashes, then debug).  The configuration is tinyconfig +
# configs/base.config + the fragments, or with --base the full .config
# CONFIG (a distribution's) + the fragments.  Every option the fragments
# ask for must end up in .config (a dropped option is an error, not a
# silently different kernel), except with --lenient, where options the tree
# does not know yet (an early commit of the series) are dropped.  OBJ is
# configured again only when the fragments or the toolchain changed.  One
# with CONFIG_DEBUG_INFO (without --base) is built with the path settings
# of Documentation/kbuild/reproducible-builds.rst (kmake in lib.sh).
#
# SRC defaults to $BUILD/src (synced from patches/ first), OBJ to
# $BUILD/NAME ($BUILD/ARCH/NAME for another ARCH than x86_64, lib.sh).
# Without TARGETs: make all, with CONFIG_MODULE_HASHES_EXTRA_SLOTS the
# external modules of build_extra_modules (lib.sh) and make
# MODULE_HASHES_EXTRA=..., then modules_install into OBJ/modinst (not with
# --base).  Environment: ARCH, BUILD, JOBS, CCACHE, KERNEL_TOOLCHAIN
# (lib.sh), and what tree.sh takes.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir

configure_only='' lenient='' base='' src='' obj=''
while [ $# -gt 0 ]; do
	case $1 in
	--configure-only) configure_only=1 ;;
	--lenient) lenient=1 ;;
	--base) base=$(realpath "${2:?--base needs a file}"); shift ;;
	--src) src=$(realpath "${2:?--src needs a directory}"); shift ;;
	--obj) obj=${2:?--obj needs a directory}; shift ;;
	-*) die "build.sh: unknown option $1" ;;
	*) break ;;
	esac
	shift
done
name=${1:?usage: build.sh [--configure-only] [--lenient] [--base CONFIG] [--src SRC] [--obj OBJ] NAME [TARGET...]}
shift
[ -z "$base" ] || [ -f "$base" ] || die "--base $base: no such file"
mapfile -t fragments < <(config_fragments "$name" ${base:+--no-base})
check_toolchain
if [ -z "$src" ]; then
	"$here/tree.sh" sync
	src=$BUILD/src
fi
[ -f "$src/Makefile" ] && [ -d "$src/kernel" ] || die "$src is not a kernel source tree"
own_obj=$obj
obj=${obj:-$(obj_dir "$name")}
mkdir -p "$obj"
obj=$(cd "$obj" && pwd)
# The tests' certificate, for configurations that trust it
# (CONFIG_SYSTEM_TRUSTED_KEYS, relative to the build directory).
cp "$root/tests/keys/oot-signing-cert.pem" "$obj/"

# missing_options: what the fragments ask for that .config lacks.
missing_options() {
	awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { split($0, kv, "="); want[kv[1]] = $0; next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { want[$2] = ""; next }
		END { for (k in want) print k "\t" want[k] }' "${fragments[@]}" |
	while IFS=$'\t' read -r opt line; do
		if [ -n "$line" ]; then
			grep -qxF "$line" "$obj/.config" ||
				echo "  $line (got: $(grep -E "^(# )?${opt}[= ]" "$obj/.config" || echo unset))"
		elif grep -qE "^$opt=[ym]" "$obj/.config"; then
			echo "  # $opt is not set (got: $(grep -E "^$opt=" "$obj/.config"))"
		fi
	done
}

# Configure unless OBJ already has this configuration and still has every
# option (a syncconfig without rustc drops RUST and MODULE_HASHES).  The
# tree's Kconfig files are part of it: kbuild's syncconfig keeps a visible
# option that a select no longer sets, so a series that drops a select
# would otherwise still be built with what it selected.
stamp=$( { cat ${base:+"$base"} "${fragments[@]}"
	   (cd "$src" && find . -path ./.git -prune -o -name 'Kconfig*' -type f -print0 |
		LC_ALL=C sort -z | xargs -0 cat); } | sha256sum | cut -d' ' -f1)
stamp+=${lenient:+-lenient}-${KERNEL_TOOLCHAIN:-llvm}
if ! [ -f "$obj/.config" ] || [ "$(cat "$obj/.harness-config" 2>/dev/null)" != "$stamp" ] ||
   { [ -z "$lenient" ] && [ -n "$(missing_options)" ]; }; then
	info "configuring $obj: ${base:-tinyconfig} + ${fragments[*]#$root/configs/}"
	rm -rf "$obj/.harness-config" "$obj/.harness-extra-modules" "$obj/extra"
	if [ -n "$base" ]; then
		cp "$base" "$obj/.config"
	else
		kmake "$src" "$obj" tinyconfig >/dev/null
	fi
	KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "${fragments[@]}" >/dev/null
	kmake "$src" "$obj" olddefconfig >/dev/null
	missing=$(missing_options)
	[ -n "$lenient" ] || [ -z "$missing" ] ||
		die "configuration $name did not get what its fragments ask for:"$'\n'"$missing" \
		    $'\n'"  (a missing dependency in the fragment, or a toolchain Kconfig rejects)"
	echo "$stamp" > "$obj/.harness-config"
fi
# Which configuration obj_dir NAME holds now, for built_dir (lib.sh); a
# directory of --obj is not obj_dir's.
if [ -z "$own_obj" ]; then
	echo "$name" > "$obj/.harness-name"
else
	rm -f "$obj/.harness-name"
fi
# A build with debug information maps its paths away (kmake), as a
# distribution's would; not a distribution's own configuration (--base).
if [ -z "$base" ] && grep -qx CONFIG_DEBUG_INFO=y "$obj/.config"; then
	touch "$obj/.harness-path-maps"
else
	rm -f "$obj/.harness-path-maps"
fi
[ -z "$configure_only" ] || exit 0

info "building $name in $obj"
start=$SECONDS fresh=
[ -f "$obj/vmlinux" ] || fresh=1
kmake "$src" "$obj" -j"${JOBS:-$(nproc)}" "${@:-all}"
[ $# = 0 ] || exit 0
# External modules built against this build, then their digests added to
# its table (kmake passes them on from then on), as a distribution that
# builds ZFS in its kernel's package build would.
if [ -z "$base" ] && grep -qE '^CONFIG_MODULE_HASHES_EXTRA_SLOTS=[1-9]' "$obj/.config"; then
	extra=$(build_extra_modules "$src" "$obj") || exit
	info "external modules for the table: $extra"
	# Their list, for every later make, once make took it.
	kmake "$src" "$obj" -j"${JOBS:-$(nproc)}" MODULE_HASHES_EXTRA="$extra" all
	echo "$extra" > "$obj/.harness-extra-modules"
fi
# For the benchmarks: the time of a build from scratch.
[ -z "$fresh$base" ] || echo $((SECONDS - start)) > "$obj/.harness-build-seconds"
[ -z "$base" ] || exit 0
rm -rf "$obj/modinst"
kmake "$src" "$obj" INSTALL_MOD_PATH="$obj/modinst" modules_install >/dev/null
info "built $obj/vmlinux, its kernel image and $obj/modinst"
