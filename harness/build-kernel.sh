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
# ccache, and whatever tree.sh takes (LINUX_TARBALL, LINUX_SRC).

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

build() {
	kmake "$src" "$obj" -j"${JOBS:-$(nproc)}" "$@"
}

"$here/configure-kernel.sh" "$name" "$src" "$obj"

info "building $name in $obj"
start=$SECONDS
full_build=no
[ $# -gt 0 ] || [ -f "$obj/vmlinux" ] || full_build=yes
build "$@"
# For make bench-hash: the hashing step's share of a whole build from
# scratch (incremental builds would make it look larger).
[ $full_build = no ] || echo $((SECONDS - start)) > "$obj/.harness-build-seconds"
rm -rf "$obj/modinst"
build INSTALL_MOD_PATH="$obj/modinst" modules_install >/dev/null
info "built $obj/vmlinux, $obj/arch/x86/boot/bzImage and $obj/modinst"
