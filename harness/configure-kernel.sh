#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure a kernel build directory from tinyconfig + configs/base.config +
# configs/NAME.config (the configure step of build-kernel.sh, on its own).
# NAME may combine fragments with '+': hashes+debug is base, then hashes,
# then debug.
#
# Usage: configure-kernel.sh [--lenient] NAME SRC OBJ
#
# Configures OBJ (kbuild O=) for the source tree SRC, unless OBJ was already
# configured from the same fragments.  Every option the fragments ask for
# must end up in the final .config (an option that Kconfig dropped is an
# error), except with --lenient: then options that the tree does not know
# yet (an early commit of the series, see check-series.sh) are dropped
# silently.
#
# Environment: CCACHE=0 to configure without ccache (the compiler is part
# of the configuration).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

lenient=''
if [ "${1:-}" = --lenient ]; then
	lenient=1
	shift
fi
[ $# = 3 ] || die "usage: configure-kernel.sh [--lenient] NAME SRC OBJ"
name=$1 src=$2 obj=$3
# The fragments, base first; a later value of an option wins.
fragments=("$root/configs/base.config")
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

kmake() {
	local cc=()
	if [ "${CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
		cc=(CC="ccache clang-19")
	fi
	make -s -C "$src" O="$obj" ARCH=x86_64 LLVM=-19 "${cc[@]}" "$@"
}

# The same stamp as build-kernel.sh's, so that its build directories stay
# configured; a lenient configuration is a different one.
stamp=$(cat "${fragments[@]}" | sha256sum | cut -d' ' -f1)${lenient:+-lenient}
if [ -f "$obj/.config" ] && [ "$(cat "$obj/.harness-config" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

info "configuring $obj: tinyconfig + ${fragments[*]##*/}"
rm -f "$obj/.harness-config"
kmake tinyconfig >/dev/null
KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
	"$obj/.config" "${fragments[@]}" >/dev/null
kmake olddefconfig >/dev/null
if [ -z "$lenient" ]; then
	# Every requested value must be in the final .config.
	missing=$(awk '
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
	done)
	[ -z "$missing" ] || die "configuration $name did not get what its fragments ask for:" \
		$'\n'"$missing"$'\n'"  (a missing dependency in the fragment, or a toolchain Kconfig rejects)"
fi
echo "$stamp" > "$obj/.harness-config"
