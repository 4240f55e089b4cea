#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a built configuration of ARCH (lib.sh) under QEMU (TCG: KVM guests
# hang on the machines this was written on) and judge its KTAP.
#
# Usage: boot.sh [--require NAME]... [--expect-fail NAME]... NAME
#
# The initramfs (initramfs.cpio in the build directory) holds
# busybox-static, the guest's /init, the kernel's kselftest runner with the
# guest tests (guest/tests; guest/bench for make bench) and the selftest
# module_auth.sh, the modload helper, xz and zstd (the host's, or Debian's
# of ARCH), the installed modules, the build tree's .ko files,
# the configuration's .config, and the fixtures of fixtures.sh.  The guest
# runs the tests with the kselftest runner and powers off.  The verdict is
# ktap.py's on the serial log (qemu.log there): every KTAP document
# in it (KUnit's at boot, the runner's) complete and passing; --require and
# --expect-fail are ktap.py's, and every test has its nested results.
#
# Environment: APPEND (more kernel command line), QEMU_TIMEOUT (seconds,
# default 300), QEMU_MEM (default 512M), INTERACTIVE=1 (a shell on the
# console instead of the tests, no timeout), EXTRA_GUEST_FILES="src:dst ...".

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
verdict_args=()
while [ $# -gt 1 ]; do
	case $1 in
	--require|--expect-fail) verdict_args+=("$1" "$2"); shift 2 ;;
	*) die "boot.sh: unknown option $1" ;;
	esac
done
name=${1:?usage: boot.sh [--require NAME]... [--expect-fail NAME]... NAME}
obj=$(obj_dir "$name")
kernel=$obj/$arch_image
[ -f "$kernel" ] || die "no $kernel: run 'make kernel CONFIG=$name ARCH=$HARNESS_ARCH' first"
"$here/fixtures.sh" "$name"

# The initramfs, laid out as kselftest installs tests: /tests/kselftest
# (the runner), /tests/module-hashes (ours), /tests/module (the selftest).
stage=$obj/initramfs
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,lib,usr/bin,tests/kselftest,tests/module}
if [ "$HARNESS_ARCH" = x86_64 ]; then
	busybox=$(command -v busybox) || die "busybox (busybox-static) is not installed"
	[[ $(file -L "$busybox") == *"statically linked"* ]] || die "$busybox is not statically linked: install busybox-static"
	cp "$busybox" "$stage/bin/busybox"
	# The host's xz and zstd with their libraries, off the guest's PATH:
	# the selftest compresses with them, which busybox cannot.
	for prog in xz zstd; do
		path=$(command -v "$prog") || continue
		cp -L "$path" "$stage/usr/bin/$prog"
		for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	done
else
	# The same from Debian's packages of the architecture: the libraries
	# where Debian's dynamic loader looks, the loader where the programs
	# name it.
	userland=$(guest_userland) || die "cannot download Debian's busybox-static, xz and zstd for $arch_deb"
	cp "$userland/usr/bin/busybox" "$stage/bin/busybox"
	cp "$userland/usr/bin/xz" "$userland/usr/bin/zstd" "$stage/usr/bin/"
	mkdir -p "$stage/usr/lib/$arch_triplet"
	find "$userland/usr/lib/$arch_triplet" -maxdepth 1 -name '*.so*' -exec cp -L -t "$stage/usr/lib/$arch_triplet" {} +
	interpreter=$(llvm-readelf-19 -l "$userland/usr/bin/xz" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	[ -n "$interpreter" ] || die "$userland/usr/bin/xz names no program interpreter"
	mkdir -p "$stage$(dirname "$interpreter")"
	cp -L "$userland/usr/lib/$arch_triplet/${interpreter##*/}" "$stage$interpreter"
	# Every library they need is there, or the selftest finds no
	# compressor that runs (trixie's libzstd needs libxxhash).
	for f in "$stage/usr/bin/xz" "$stage/usr/bin/zstd" "$stage/usr/lib/$arch_triplet"/*.so*; do
		dynamic=$(llvm-readelf-19 -d "$f") || die "llvm-readelf cannot read $f"
		for lib in $(sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' <<< "$dynamic"); do
			[ -e "$stage/usr/lib/$arch_triplet/$lib" ] ||
				die "the guest's ${f#"$stage"} needs $lib, which guest_userland (lib.sh) does not download"
		done
	done
fi
cp "$here/guest/init" "$stage/init"
cp -r "$here/guest/tests" "$stage/tests/module-hashes"
cp -r "$here/guest/bench" "$stage/tests/bench"
cp "$here/guest/tap.sh" "$stage/tests/"
cp "$obj/.config" "$stage/tests/config"
cp "$BUILD/src/tools/testing/selftests/kselftest/"{runner.sh,ktap_helpers.sh} "$stage/tests/kselftest/"
cp "$root/tools/testing/selftests/module/"module_auth.{sh,table} "$stage/tests/module/"
guest_modload "$stage/bin/modload"
cp -a "$obj/modinst/lib/modules" "$stage/lib/"
cp -a "$obj/fixtures" "$stage/tests/fixtures"
# The build tree's modules, before install-time stripping and compression.
(cd "$obj" && find . \( -path ./modinst -o -path ./initramfs -o -path ./fixtures \) -prune -o \
	-name '*.ko' -print | cpio -pdm --quiet "$stage/build" 2>/dev/null) || true
for pair in ${EXTRA_GUEST_FILES:-}; do
	mkdir -p "$(dirname "$stage/${pair#*:}")"
	cp -a "${pair%%:*}" "$stage/${pair#*:}"
done
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc --reproducible --quiet -R 0:0) > "$obj/initramfs.cpio"

append="${arch_console:+console=$arch_console }panic=-1 oops=panic harness.config=$name ${APPEND:-}"
qemu=("${arch_qemu[@]}" -accel tcg -m "${QEMU_MEM:-512M}" -smp 1
      -display none -monitor none -serial stdio -no-reboot
      -kernel "$kernel" -initrd "$obj/initramfs.cpio")
[ "${INTERACTIVE:-}" != 1 ] || exec "${qemu[@]}" -append "$append harness.shell"

timeout=${QEMU_TIMEOUT:-300}
log=$obj/qemu.log
info "booting $name (timeout ${timeout}s): $append"
set +e
timeout -k 10 "$timeout" "${qemu[@]}" -append "$append" < /dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
"$here/ktap.py" --nested "${verdict_args[@]}" "$log" && exit 0
[ "$status" != 124 ] && [ "$status" != 137 ] || die "guest $name timed out after ${timeout}s (log: $log)"
die "guest $name failed (log: $log)"
