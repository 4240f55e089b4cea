#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch and verify the pinned base kernel tarball.
#
# Usage: fetch-linux.sh DLDIR
#
# Prints the path of the verified tarball on stdout.  The Debian binary
# package named in harness/linux.pin is downloaded with apt-get through a
# private apt configuration kept under DLDIR/apt (its own sources list,
# lists and cache, the system's Debian keyring): the system's apt sources
# are never touched.  Both the .deb and the tarball inside it are checked
# against the pinned sha256 sums; a mismatch is an error.
#
# LINUX_TARBALL=/path/to/linux.tar.xz skips the download and uses that
# tarball as it is (it is not checked against the pin: it is the user's).
# DEBIAN_MIRROR=http://... overrides the mirror, which is otherwise taken
# from the system's apt configuration.

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
if [ -f "$tarball" ] && [ -f "$tarball.verified" ] &&
   [ "$(cat "$tarball.verified")" = "$PIN_TARBALL_SHA256" ]; then
	echo "$tarball"
	exit 0
fi

deb=$dl/${PIN_PACKAGE}_${PIN_VERSION//:/%3a}_all.deb
if ! [ -f "$deb" ] || ! check_sha256 "$deb" "$PIN_DEB_SHA256" 2>/dev/null; then
	rm -f "$deb"
	mirror=${DEBIAN_MIRROR:-}
	if [ -z "$mirror" ] && command -v apt-get >/dev/null; then
		# The mirror the system already uses for Debian's main archive.
		mirror=$(apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(LABEL)' 2>/dev/null |
			 awk '$2 == "Debian" && $3 == "Debian" { print $1; exit }')
	fi
	[ -n "$mirror" ] || die "cannot find a Debian mirror in the system's apt configuration;" \
		"set DEBIAN_MIRROR=<url of a Debian archive> or LINUX_TARBALL=<linux tarball>"
	command -v apt-get >/dev/null ||
		die "apt-get is needed to download $PIN_PACKAGE; or set LINUX_TARBALL or LINUX_SRC"

	apt=$dl/apt
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
		 "$apt/sources.list.d" "$apt/preferences.d"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $PIN_SUITE main" \
		> "$apt/sources.list"
	: > "$apt/status"
	aptopts=(
		-o Dir::Etc::SourceList="$apt/sources.list"
		-o Dir::Etc::SourceParts="$apt/sources.list.d"
		-o Dir::Etc::Preferences="$apt/preferences"
		-o Dir::Etc::PreferencesParts="$apt/preferences.d"
		-o Dir::State::Lists="$apt/lists"
		-o Dir::State::status="$apt/status"
		-o Dir::Cache="$apt/cache"
		-o APT::Architecture=amd64
		-o Acquire::Languages=none
		-o APT::Sandbox::User=root
	)
	info "updating private apt lists for $PIN_SUITE from $mirror"
	apt-get -q "${aptopts[@]}" update >&2 ||
		die "apt-get update of $PIN_SUITE failed (see above)"
	info "downloading $PIN_PACKAGE=$PIN_VERSION"
	(cd "$dl" && apt-get -q "${aptopts[@]}" download "$PIN_PACKAGE=$PIN_VERSION") >&2 ||
		die "apt-get download $PIN_PACKAGE=$PIN_VERSION failed (see above)"
	[ -f "$deb" ] || die "apt-get did not produce $deb"
	check_sha256 "$deb" "$PIN_DEB_SHA256" ||
		die "$deb does not match the pinned sha256 $PIN_DEB_SHA256; refusing it"
fi

info "extracting $PIN_TARBALL from $(basename "$deb")"
rm -f "$tarball" "$tarball.verified"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$PIN_TARBALL" > "$tarball.tmp" ||
	die "cannot extract $PIN_TARBALL from $deb"
size=$(stat -c %s "$tarball.tmp")
[ "$size" = "$PIN_TARBALL_SIZE" ] ||
	die "$PIN_TARBALL is $size bytes, the pin says $PIN_TARBALL_SIZE; refusing it"
check_sha256 "$tarball.tmp" "$PIN_TARBALL_SHA256" ||
	die "$PIN_TARBALL does not match the pinned sha256 $PIN_TARBALL_SHA256; refusing it"
mv "$tarball.tmp" "$tarball"
echo "$PIN_TARBALL_SHA256" > "$tarball.verified"
echo "$tarball"
