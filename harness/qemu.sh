#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a built configuration under QEMU (TCG: KVM guests hang on the
# machines this was written on) with the harness's initramfs.
#
# Usage: qemu.sh NAME
#
# The guest runs its test scripts, prints TAP and a verdict line, and
# reboots, which ends QEMU.  The exit status is the guest's verdict:
# 0 pass, 1 fail; a panic, a timeout or a guest that never reports is a
# failure with a message that says which.  The serial log is kept in
# $BUILD/NAME/qemu.log.
#
# Environment: APPEND (extra kernel command line), QEMU_TIMEOUT (seconds,
# default 300), INTERACTIVE=1 (a shell on the console instead of tests;
# no timeout), QEMU_MEM (default 512M).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir

name=${1:?usage: qemu.sh NAME}
obj=$BUILD/$name
kernel=$obj/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no $kernel: run 'make kernel CONFIG=$name' first"
"$here/initramfs.sh" "$name"

append="console=ttyS0 panic=-1 oops=panic harness.config=$name ${APPEND:-}"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "${QEMU_MEM:-512M}" -smp 1
      -display none -monitor none -serial stdio -no-reboot
      -kernel "$kernel" -initrd "$obj/initramfs.cpio")

if [ "${INTERACTIVE:-}" = 1 ]; then
	exec "${qemu[@]}" -append "$append harness.shell"
fi

timeout=${QEMU_TIMEOUT:-300}
log=$obj/qemu.log
info "booting $name (timeout ${timeout}s): $append"
set +e
timeout -k 10 "$timeout" "${qemu[@]}" -append "$append" < /dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

exec "$here/verdict.sh" "$name" "$log" "$status" "$timeout"
