#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the Debian test system of image.sh under QEMU (TCG; virtio disk and
# network, whose drivers are modules) and collect the TAP that its checks
# print on the second serial port.  The disk is used as a snapshot, so
# every boot starts from the same image.  Passes when the TAP stream has a
# plan, as many results as the plan says, and no failure.
#
# Usage: boot.sh IMAGE_DIR initramfs-tools|dracut APPEND LOG_PREFIX
#   LOG_PREFIX.console  the serial console
#   LOG_PREFIX.tap      the checks' TAP
# Environment: QEMU_TIMEOUT (seconds, default 900).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
[ $# = 4 ] || die "usage: boot.sh IMAGE_DIR initramfs-tools|dracut APPEND LOG_PREFIX"
dir=$1 generator=$2 append=$3 log=$4
case $generator in
initramfs-tools) initrd=$dir/initrd.img ;;
dracut) initrd=$dir/initrd-dracut.img ;;
*) die "unknown initramfs generator $generator" ;;
esac
for f in "$dir/rootfs.img" "$dir/vmlinuz" "$initrd"; do
	[ -f "$f" ] || die "$f is missing: run harness/debian/image.sh"
done

rm -f "$log.console" "$log.tap"
info "booting $(cat "$dir/kernelrelease") with the $generator initramfs: $append"
start=$SECONDS
set +e
# One vCPU: with two, multi-threaded TCG now and then runs a stale
# translation of kernel text that text_poke_bp() was patching, and the
# guest dies of "Oops: int3" in the scheduler before userspace.
timeout "${QEMU_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -cpu max -m 2048 -smp 1 \
	-kernel "$dir/vmlinuz" -initrd "$initrd" \
	-append "root=/dev/vda ro console=ttyS0 panic=-1 initramfs=$generator $append" \
	-drive "file=$dir/rootfs.img,if=virtio,format=raw,snapshot=on" \
	-netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
	-serial "file:$log.console" -serial "file:$log.tap" \
	-display none -monitor none -no-reboot
status=$?
set -e
echo "# figure: boot-seconds-on-host $((SECONDS - start))" >> "$log.tap"
[ $status != 124 ] || { tail -n 20 "$log.console"; die "the guest did not finish in ${QEMU_TIMEOUT:-900} s"; }
[ $status = 0 ] || { tail -n 20 "$log.console"; die "qemu exited with $status"; }
"$root/harness/ktap.py" "$log.tap" || { tail -n 20 "$log.console"; exit 1; }
