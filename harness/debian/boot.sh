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
# Environment: QEMU_TIMEOUT (seconds, default 900); SECURE_BOOT=1: under
# UEFI Secure Boot (../secureboot.sh), the kernel, the initramfs and the
# command line (with harness.secureboot) a signed unified kernel image.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
[ "$HARNESS_ARCH" = x86_64 ] || die "the Debian system is amd64: ARCH=$HARNESS_ARCH is not for it"
[ $# = 4 ] || die "usage: boot.sh IMAGE_DIR initramfs-tools|dracut APPEND LOG_PREFIX"
dir=$1 generator=$2 append=$3 log=$4
case $generator in
initramfs-tools) initrd=$dir/initrd.img ;;
dracut) initrd=$dir/initrd-dracut.img ;;
*) die "unknown initramfs generator $generator" ;;
esac
for f in "$dir/rootfs.img" "$dir/vmlinuz" "$dir/config" "$initrd"; do
	[ -f "$f" ] || die "$f is missing: run harness/debian/image.sh"
done

cmdline="root=/dev/vda ro console=ttyS0 panic=-1 initramfs=$generator $append"
boot=(-kernel "$dir/vmlinuz" -initrd "$initrd")
if [ "${SECURE_BOOT:-}" = 1 ]; then
	. "$root/harness/secureboot.sh"
	sb_tools
	cmdline+=" harness.secureboot"
fi
# What the boot asks for, which the guest grades the kernel against.
cmdline+=" module_auth.expect=$(expected_boot_mode "$dir/config" "$cmdline")"
if [ "${SECURE_BOOT:-}" = 1 ]; then
	sb=$log.secureboot
	rm -rf "$sb" && mkdir -p "$sb"
	sb_uki "$dir/vmlinuz" "$initrd" "$cmdline" "$sb/uki.efi"
	sb_sign "$sb/uki.efi" "$sb/uki-signed.efi"
	sb_esp "$sb/uki-signed.efi" "$sb/esp.img"
	sb_vars "$sb/vars.fd"
	boot=($(sb_qemu_args "$sb/esp.img" "$sb/vars.fd"))
fi

rm -f "$log.console" "$log.tap"
info "booting $(cat "$dir/kernelrelease") with the $generator initramfs${SECURE_BOOT:+ under Secure Boot}: $cmdline"
start=$SECONDS
set +e
[ "${SECURE_BOOT:-}" = 1 ] || boot+=(-append "$cmdline")
qemu_command qemu 1 2048
qemu_run "${QEMU_TIMEOUT:-900}" "${qemu[@]}" \
	-drive "file=$dir/rootfs.img,if=virtio,format=raw,snapshot=on" "${boot[@]}" \
	-netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
	-serial "file:$log.console" -serial "file:$log.tap"
status=$?
set -e
echo "# figure: boot-seconds-on-host $((SECONDS - start))" >> "$log.tap"
[ $status != 124 ] && [ $status != 137 ] ||
	{ tail -n 20 "$log.console"; die "the guest did not finish in ${QEMU_TIMEOUT:-900} s"; }
[ $status = 0 ] || { tail -n 20 "$log.console"; die "qemu exited with $status"; }
"$root/harness/ktap.py" "$log.tap" || { tail -n 20 "$log.console"; exit 1; }
