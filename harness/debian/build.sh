#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Debian's own cloud-amd64 configuration of 7.3.4 with the series, as
# Debian builds it (GCC; Rust with rustc and bindgen), in $BUILD/debian-cloud:
# Debian's configuration (harness/debian/cloud-amd64.pin), then
# configs/hash-or-sig.config and configs/debian/cloud-amd64.config.
# checks.sh packages debian-cloud deb packages it with make bindeb-pkg.
#
# Usage: build.sh [--src SRC]   (SRC: a copy of the patched tree, as make
# repro builds from; default: $BUILD/src, synced from patches/; environment:
# BUILD, JOBS, CCACHE, REPRODUCIBLE_PATHS; see lib.sh)

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
. "$here/cloud-amd64.pin"

use_build_dir
export KERNEL_TOOLCHAIN=gcc

# Debian's configuration, pinned: the .deb and the file inside it.
dl=$BUILD/dl/debian-cloud
config=$dl/config
mkdir -p "$dl"
if ! [ -f "$config" ] || ! check_sha256 "$config" "$PIN_CONFIG_SHA256" 2>/dev/null; then
	deb=$(debian_package "$dl" "$PIN_SUITE" "$PIN_PACKAGE" "$PIN_VERSION" "$PIN_DEB_SHA256")
	pinned_member "$deb" "$PIN_CONFIG" "$config" "$PIN_CONFIG_SHA256"
fi

"$root/harness/build.sh" "$@" --base "$config" --obj "$BUILD/debian-cloud" hash-or-sig+debian/cloud-amd64
