#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs that boots a test kernel: busybox-static, the guest
# /init, the guest test scripts, the modload helper, the selftest
# module_auth.sh with ktap_helpers.sh, the host's xz and zstd, and the
# configuration's installed modules (from $BUILD/NAME/modinst) and built
# tree of .ko files.
#
# Usage: initramfs.sh NAME
# Writes $BUILD/NAME/initramfs.cpio (newc, uncompressed, reproducible).
# EXTRA_GUEST_FILES="src:dst ..." adds files (used by the test suites).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir

name=${1:?usage: initramfs.sh NAME}
obj=$BUILD/$name
[ -d "$obj/modinst/lib/modules" ] || die "$obj has no installed modules: run 'make kernel CONFIG=$name' first"
busybox=$(command -v busybox) || die "busybox (busybox-static) is not installed"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable' ||
	die "$busybox is not statically linked: install busybox-static"

stage=$obj/initramfs
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,tests,lib}
cp "$busybox" "$stage/bin/busybox"
cp "$here/guest/init" "$stage/init"
cp "$here/guest/tap.sh" "$stage/tests/tap.sh"
cp "$here/guest/tests/"* "$stage/tests/"
# The tests decide what to expect from the configuration they run on.
cp "$obj/.config" "$stage/tests/config"
gcc -static -Os -Wall -o "$stage/bin/modload" "$root/tools/testing/selftests/module/modload.c" ||
	die "cannot build the static modload helper (needs gcc and libc6-dev)"
cp -a "$obj/modinst/lib/modules" "$stage/lib/"
# The selftest of the loading policy, laid out as kselftest installs it,
# with the variants that only the host can make when prepare-variants.sh
# made them.
mkdir -p "$stage/tests/selftests/module" "$stage/tests/selftests/kselftest"
cp "$root/tools/testing/selftests/module/module_auth.sh" \
   "$root/tools/testing/selftests/module/module_auth.table" "$stage/tests/selftests/module/"
cp "$BUILD/src/tools/testing/selftests/kselftest/ktap_helpers.sh" "$stage/tests/selftests/kselftest/"
if [ -d "$obj/variants" ]; then
	cp -a "$obj/variants" "$stage/tests/variants"
fi
# The host's xz and zstd, with their shared libraries, in /usr/bin (not in
# the guest's PATH): the selftest compresses modules with them, which
# busybox cannot (its xz only decompresses; it has no zstd).
for prog in xz zstd; do
	path=$(command -v "$prog") || continue
	mkdir -p "$stage/usr/bin"
	cp -L "$path" "$stage/usr/bin/$prog"
	for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
done
# Modules to accept and reject beside the installed tree, when
# prepare-installed-checks.sh made them.
if [ -d "$obj/installed-checks" ]; then
	cp -a "$obj/installed-checks" "$stage/tests/installed-checks"
fi
# The built modules as they are in the build tree, for tests that need the
# exact build output (before any install-time stripping or compression).
(cd "$obj" && find . -path ./modinst -prune -o -path ./initramfs -prune -o -name '*.ko' -print |
	cpio -pdm --quiet "$stage/build" 2>/dev/null) || true
for pair in ${EXTRA_GUEST_FILES:-}; do
	mkdir -p "$(dirname "$stage/${pair#*:}")"
	cp -a "${pair%%:*}" "$stage/${pair#*:}"
done

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc --reproducible --quiet -R 0:0) > "$obj/initramfs.cpio.tmp"
mv "$obj/initramfs.cpio.tmp" "$obj/initramfs.cpio"
info "wrote $obj/initramfs.cpio"
