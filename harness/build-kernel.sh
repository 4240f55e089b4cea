#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build one kernel configuration.
#
# Usage: build-kernel.sh NAME [extra kbuild targets or variables...]
#
# Syncs the patched tree ($BUILD/src), then builds into $BUILD/NAME (kbuild
# O=) from tinyconfig + configs/base.config + configs/NAME.config, and
# installs the modules into $BUILD/NAME/modinst.  NAME may combine
# fragments with '+' (hashes+debug: configs/hashes.config, then
# configs/debug.config).  Every option the
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

use_build_dir

name=${1:?usage: build-kernel.sh NAME}
shift
IFS=+ read -r -a parts <<< "$name"
for part in "${parts[@]}"; do
	[ -n "$part" ] && [ -f "$root/configs/$part.config" ] ||
		die "no configs/$part.config; the configurations are:" \
		    "$(cd "$root/configs" && ls *.config | sed 's/\.config$//' | grep -vx base | tr '\n' ' ')"
	[ "$part" != base ] || die "base.config is the common fragment, not a configuration"
done

"$here/check-toolchain.sh"
"$here/tree.sh" sync

src=$BUILD/src
obj=$BUILD/$name
mkdir -p "$obj"

kmake() {
	local cc=()
	if [ "${CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
		cc=(CC="ccache clang-19")
		# Relative paths in ccache's keys: hits across checkouts in
		# other directories (CI runs in a fresh clone).
		export CCACHE_BASEDIR=$BUILD
	fi
	make -s -C "$src" O="$obj" ARCH=x86_64 LLVM=-19 "${cc[@]}" \
		-j"${JOBS:-$(nproc)}" "$@"
}

"$here/configure-kernel.sh" "$name" "$src" "$obj"

info "building $name in $obj"
start=$SECONDS
full_build=no
[ $# -gt 0 ] || [ -f "$obj/vmlinux" ] || full_build=yes
kmake "$@"
# For make bench-hash: the hashing step's share of a whole build from
# scratch (incremental builds would make it look larger).
[ $full_build = no ] || echo $((SECONDS - start)) > "$obj/.harness-build-seconds"
rm -rf "$obj/modinst"
kmake INSTALL_MOD_PATH="$obj/modinst" ${INSTALL_MOD_STRIP:+INSTALL_MOD_STRIP=$INSTALL_MOD_STRIP} \
	modules_install >/dev/null
info "built $obj/vmlinux, $obj/arch/x86/boot/bzImage and $obj/modinst"
