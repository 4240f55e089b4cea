#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build one kernel configuration.
#
# Usage: build-kernel.sh NAME [extra kbuild targets or variables...]
#
# Syncs the patched tree ($BUILD/src), then builds into $BUILD/NAME (kbuild
# O=) from tinyconfig + configs/base.config + configs/NAME.config, and
# installs the modules into $BUILD/NAME/modinst.  Every option the
# fragments ask for must end up in the final .config: an option that
# Kconfig dropped (a missing dependency, a toolchain that cannot build
# Rust) is an error, not a silently different kernel.
#
# Environment: BUILD, JOBS (default: all cores), CCACHE=0 to build without
# ccache, INSTALL_MOD_STRIP (passed to modules_install), and whatever
# tree.sh takes (LINUX_TARBALL, LINUX_SRC).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

root=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$root/build}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
export BUILD

name=${1:?usage: build-kernel.sh NAME}
shift
[ -f "$root/configs/$name.config" ] ||
	die "no configs/$name.config; the configurations are:" \
	    "$(cd "$root/configs" && ls *.config | sed 's/\.config$//' | grep -vx base | tr '\n' ' ')"
[ "$name" != base ] || die "base.config is the common fragment, not a configuration"

"$here/check-toolchain.sh"
"$here/tree.sh" sync

src=$BUILD/src
obj=$BUILD/$name
mkdir -p "$obj"

kmake() {
	local cc=()
	if [ "${CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
		cc=(CC="ccache clang-19")
	fi
	make -s -C "$src" O="$obj" ARCH=x86_64 LLVM=-19 "${cc[@]}" \
		-j"${JOBS:-$(nproc)}" "$@"
}

# The fragments, base first; a later value of an option wins.
fragments=("$root/configs/base.config" "$root/configs/$name.config")
stamp=$(cat "${fragments[@]}" | sha256sum | cut -d' ' -f1)
if ! [ -f "$obj/.config" ] || [ "$(cat "$obj/.harness-config" 2>/dev/null)" != "$stamp" ]; then
	info "configuring $name: tinyconfig + ${fragments[*]##*/}"
	rm -f "$obj/.harness-config"
	kmake tinyconfig >/dev/null
	KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "${fragments[@]}" >/dev/null
	kmake olddefconfig >/dev/null
	# Every requested value must be in the final .config.
	missing=$(awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { split($0, kv, "="); want[kv[1]] = $0; next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { want[$2] = ""; next }
		END { for (k in want) print k "\t" want[k] }' "${fragments[@]}" |
	while IFS=$'\t' read -r opt line; do
		if [ -n "$line" ]; then
			grep -qxF "$line" "$obj/.config" ||
				echo "  $line (got: $(grep -E "^(# )?$opt[= ]" "$obj/.config" || echo unset))"
		elif grep -qE "^$opt=[ym]" "$obj/.config"; then
			echo "  # $opt is not set (got: $(grep -E "^$opt=" "$obj/.config"))"
		fi
	done)
	[ -z "$missing" ] || die "configuration $name did not get what its fragments ask for:" \
		$'\n'"$missing"$'\n'"  (a missing dependency in the fragment, or a toolchain Kconfig rejects)"
	echo "$stamp" > "$obj/.harness-config"
fi

info "building $name in $obj"
kmake "$@"
rm -rf "$obj/modinst"
kmake INSTALL_MOD_PATH="$obj/modinst" ${INSTALL_MOD_STRIP:+INSTALL_MOD_STRIP=$INSTALL_MOD_STRIP} \
	modules_install >/dev/null
info "built $obj/vmlinux, $obj/arch/x86/boot/bzImage and $obj/modinst"
