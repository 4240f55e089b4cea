#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure a kernel build directory from tinyconfig + configs/base.config +
# configs/NAME.config (the configure step of build-kernel.sh, on its own).
# NAME may combine fragments with '+': hashes+debug is base, then hashes,
# then debug.
#
# Usage: configure-kernel.sh [--lenient] [--base CONFIG] NAME SRC OBJ
#
# With --base, the configuration starts from the full .config CONFIG (a
# distribution's) instead of tinyconfig + configs/base.config; NAME's
# fragments are merged over it the same way.  NAME may name fragments in
# subdirectories of configs/ (debian/cloud-amd64).
#
# Configures OBJ (kbuild O=) for the source tree SRC, unless OBJ was already
# configured from the same fragments.  Every option the fragments ask for
# must end up in the final .config (an option that Kconfig dropped is an
# error), except with --lenient: then options that the tree does not know
# yet (an early commit of the series, see check-series.sh) are dropped
# silently.
#
# Environment: KERNEL_TOOLCHAIN and CCACHE, as for kmake in lib.sh (the
# compiler is part of the configuration).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

lenient='' base=''
while [ $# -gt 3 ]; do
	case $1 in
	--lenient) lenient=1 ;;
	--base) base=$(realpath "$2"); shift ;;
	*) break ;;
	esac
	shift
done
[ $# = 3 ] || die "usage: configure-kernel.sh [--lenient] [--base CONFIG] NAME SRC OBJ"
[ -z "$base" ] || [ -f "$base" ] || die "--base $base: no such file"
name=$1 src=$2 obj=$3
# The fragments, base first; a later value of an option wins.
fragments=()
[ -n "$base" ] || fragments=("$root/configs/base.config")
IFS=+ read -r -a parts <<< "$name"
for part in "${parts[@]}"; do
	[ -n "$part" ] && [ -f "$root/configs/$part.config" ] || die "no configs/$part.config"
	[ "$part" != base ] || die "base.config is the common fragment, not a configuration"
	fragments+=("$root/configs/$part.config")
done
[ -f "$src/Makefile" ] && [ -d "$src/kernel" ] || die "$src is not a kernel source tree"
mkdir -p "$obj"
src=$(cd "$src" && pwd)
obj=$(cd "$obj" && pwd)
# The tests' certificate, for configurations that trust it
# (CONFIG_SYSTEM_TRUSTED_KEYS, relative to the build directory).
cp "$root/tests/keys/oot-signing-cert.pem" "$obj/"

# missing_options: the values the fragments ask for that .config does not
# have, one per line.
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

# The same stamp as build-kernel.sh's, so that its build directories stay
# configured; a lenient configuration is a different one.  A .config that
# a later make changed behind the harness's back (a syncconfig without
# rustc drops RUST and MODULE_HASHES) is configured again.
stamp=$(cat ${base:+"$base"} "${fragments[@]}" | sha256sum | cut -d' ' -f1)${lenient:+-lenient}
stamp+=-${KERNEL_TOOLCHAIN:-llvm}
if [ -f "$obj/.config" ] && [ "$(cat "$obj/.harness-config" 2>/dev/null)" = "$stamp" ]; then
	[ -n "$lenient" ] || [ -z "$(missing_options)" ] && exit 0
	info "$obj/.config lost options its fragments ask for: configuring it again"
fi

info "configuring $obj: ${base:-tinyconfig} + ${fragments[*]#$root/configs/}"
rm -f "$obj/.harness-config"
if [ -n "$base" ]; then
	cp "$base" "$obj/.config"
else
	kmake "$src" "$obj" tinyconfig >/dev/null
fi
KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
	"$obj/.config" "${fragments[@]}" >/dev/null
kmake "$src" "$obj" olddefconfig >/dev/null
if [ -z "$lenient" ]; then
	# Every requested value must be in the final .config.
	missing=$(missing_options)
	[ -z "$missing" ] || die "configuration $name did not get what its fragments ask for:" \
		$'\n'"$missing"$'\n'"  (a missing dependency in the fragment, or a toolchain Kconfig rejects)"
fi
echo "$stamp" > "$obj/.harness-config"
