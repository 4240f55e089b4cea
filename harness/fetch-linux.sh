#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the pinned base kernel tarball, verified; print its path.
#
# Usage: fetch-linux.sh DLDIR
#
# The Debian package of harness/linux.pin is downloaded into DLDIR with
# apt_download (the system's apt sources are never touched; DEBIAN_MIRROR
# overrides the mirror); the .deb and the tarball in it must match the
# pinned sha256 sums.  LINUX_TARBALL=/path/to/linux.tar.xz: use that
# tarball as it is (the user's, not checked against the pin).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "${LINUX_PIN:-$here/linux.pin}"

dl=${1:?usage: fetch-linux.sh DLDIR}
mkdir -p "$dl"
dl=$(cd "$dl" && pwd -P)

if [ -n "${LINUX_TARBALL:-}" ]; then
	[ -f "$LINUX_TARBALL" ] || die "LINUX_TARBALL=$LINUX_TARBALL: no such file"
	realpath "$LINUX_TARBALL"
	exit 0
fi

tarball=$dl/$(basename "$PIN_TARBALL")
if [ -f "$tarball" ] && [ "$(cat "$tarball.verified" 2>/dev/null)" = "$PIN_TARBALL_SHA256" ]; then
	echo "$tarball"
	exit 0
fi

deb=$(debian_package "$dl" "$PIN_SUITE" "$PIN_PACKAGE" "$PIN_VERSION" "$PIN_DEB_SHA256")
info "extracting $PIN_TARBALL from $(basename "$deb")"
rm -f "$tarball" "$tarball.verified"
pinned_member "$deb" "$PIN_TARBALL" "$tarball" "$PIN_TARBALL_SHA256"
echo "$PIN_TARBALL_SHA256" > "$tarball.verified"
echo "$tarball"
