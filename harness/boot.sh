#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a built configuration of ARCH (lib.sh) under QEMU (TCG: KVM guests
# hang on the machines this was written on) and judge its KTAP.
#
# Usage: boot.sh [--require NAME]... [--expect-fail NAME]...
#                [--secure-boot|--unsigned] [--kernel FILE] NAME
#
# --kernel FILE: boot FILE instead of NAME's kernel image (with its
# modules): a vmlinux, through its PVH entry, on x86_64 (badtable.sh).
# --secure-boot: under UEFI Secure Boot (secureboot.sh), the kernel, its
# initramfs and command line a unified kernel image signed with our db key,
# on an EFI system partition; the command line says harness.secureboot, and
# no lockdown=.  --unsigned: the same image unsigned, which the firmware
# must refuse: passes when it did, and no kernel started.
#
# The initramfs (initramfs.cpio in the build directory) holds
# busybox-static, the guest's /init, the kernel's kselftest runner with the
# guest tests (guest/tests; guest/bench for make bench, guest/badtable for
# checks.sh badtable: harness.suite=) and the selftest
# module_auth.sh, the modload helper, xz and zstd (the host's, or Debian's
# of ARCH), the installed modules, the build tree's .ko files,
# the configuration's .config, and the fixtures of fixtures.sh.  The guest
# runs the tests with the kselftest runner and powers off.  The verdict is
# ktap.py's on the serial log (qemu.log there): every KTAP document
# in it (KUnit's at boot, the runner's) complete and passing; --require and
# --expect-fail are ktap.py's, and every test has its nested results.
#
# Environment: APPEND (more kernel command line), QEMU_TIMEOUT (seconds,
# default 300), QEMU_MEM (default 512M), QEMU_SMP (vCPUs, default 1), INTERACTIVE=1 (a shell on the
# console instead of the tests, no timeout), EXTRA_GUEST_FILES="src:dst ...".

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
verdict_args=() secure_boot='' unsigned='' kernel=''
while [ $# -gt 1 ]; do
	case $1 in
	--require|--expect-fail) verdict_args+=("$1" "$2"); shift 2 ;;
	--secure-boot) secure_boot=1; shift ;;
	--unsigned) secure_boot=1 unsigned=1; shift ;;
	--kernel) kernel=$(realpath "$2"); shift 2 ;;
	*) die "boot.sh: unknown option $1" ;;
	esac
done
usage="usage: boot.sh [--require NAME]... [--expect-fail NAME]... [--secure-boot|--unsigned] [--kernel FILE] NAME"
name=${1:?$usage}
obj=$(built_dir "$name")
kernel=${kernel:-$obj/$arch_image}
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
cp -r "$here/guest/badtable" "$stage/tests/badtable"
cp "$here/guest/tap.sh" "$stage/tests/"
cp "$obj/.config" "$stage/tests/config"
cp "$BUILD/src/tools/testing/selftests/kselftest/"{runner.sh,ktap_helpers.sh} "$stage/tests/kselftest/"
# The selftest of the tree the kernel was built from (check-series boots
# commits of the series, whose selftest is not yet the end state's).
cp "$BUILD/src/tools/testing/selftests/module/"module_auth.{sh,table} "$stage/tests/module/"
guest_program "$BUILD/src/tools/testing/selftests/module/modload.c" "$stage/bin/modload"
for prog in modfuzz modfaults; do
	guest_program "$here/guest/src/$prog.c" "$stage/bin/$prog"
done
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

cpus=${QEMU_SMP:-1}
append="${arch_console:+console=$arch_console }panic=-1 oops=panic harness.config=$name harness.cpus=$cpus ${APPEND:-}"
[ -z "$secure_boot" ] || append+=" harness.secureboot"
# What the boot asks for, which the guest grades the kernel against.
case " $append " in
*" module_auth.expect="*) ;;
*) append+=" module_auth.expect=$(expected_boot_mode "$obj/.config" "$append")" ;;
esac
qemu_command qemu "$cpus" "${QEMU_MEM:-512M}"
qemu+=(-serial stdio)
if [ -n "$secure_boot" ]; then
	[ "$HARNESS_ARCH" = x86_64 ] || die "--secure-boot: x86_64 only (OVMF)"
	. "$here/secureboot.sh"
	sb_tools
	sb=$obj/secureboot
	rm -rf "$sb" && mkdir -p "$sb"
	sb_uki "$kernel" "$obj/initramfs.cpio" "$append" "$sb/uki.efi"
	efi=$sb/uki.efi
	[ -n "$unsigned" ] || { sb_sign "$sb/uki.efi" "$sb/uki-signed.efi"; efi=$sb/uki-signed.efi; }
	sb_esp "$efi" "$sb/esp.img"
	sb_vars "$sb/vars.fd"
	qemu+=($(sb_qemu_args "$sb/esp.img" "$sb/vars.fd") -nic none)
else
	qemu+=(-kernel "$kernel" -initrd "$obj/initramfs.cpio")
fi
[ "${INTERACTIVE:-}" != 1 ] || [ -n "$secure_boot" ] || exec "${qemu[@]}" -append "$append harness.shell"

timeout=${QEMU_TIMEOUT:-300}
log=$obj/qemu.log
info "booting $name${secure_boot:+ under Secure Boot${unsigned:+, unsigned}} (timeout ${timeout}s): $append"
if [ -n "$unsigned" ]; then
	# The firmware that refuses an image goes on to other boot options
	# and then waits in its boot menu: stop it once it has decided.
	"${qemu[@]}" < /dev/null > "$log" 2>&1 &
	pid=$!
	for ((i = 0; i < timeout; i++)); do
		! grep -q -a -e 'Access Denied' -e 'Security Violation' -e 'Linux version' "$log" || break
		kill -0 $pid 2>/dev/null || break
		sleep 1
	done
	sleep 2
	kill $pid 2>/dev/null || true
	wait $pid || true
	! grep -q -a 'Linux version' "$log" ||
		die "the firmware started the unsigned image of $name (log: $log)"
	refused=$(grep -a -m1 -e 'Access Denied' -e 'Security Violation' "$log" | tr -d '\r') ||
		die "the firmware did not say that it refused the unsigned image of $name (log: $log)"
	info "the firmware refused the unsigned image: ${refused##*BdsDxe: }"
	exit 0
fi
[ -n "$secure_boot" ] || qemu+=(-append "$append")
set +e
qemu_run "$timeout" "${qemu[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
"$here/ktap.py" --nested "${verdict_args[@]}" "$log" && exit 0
[ "$status" != 124 ] && [ "$status" != 137 ] || die "guest $name timed out after ${timeout}s (log: $log)"
die "guest $name failed (log: $log)"
