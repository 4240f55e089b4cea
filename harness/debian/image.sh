#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian trixie system with our kernel, as a disk image for QEMU: made
# by mmdebstrap from Debian's archive (minbase, systemd, udev, kmod,
# initramfs-tools, dracut, dkms and what dkms needs to build, auditd), with
# the packages of make bindeb-pkg installed by customize.sh.
#
# Usage: image.sh DEBS_DIR OUT_DIR
#   OUT_DIR/rootfs.img         ext4 root filesystem (the whole disk, /dev/vda)
#   OUT_DIR/vmlinuz            the kernel, from the linux-image package
#   OUT_DIR/config             its configuration
#   OUT_DIR/initrd.img         its initramfs, made by initramfs-tools
#   OUT_DIR/initrd-dracut.img  its initramfs, made by dracut
# The packages that mmdebstrap downloads are kept in $BUILD/dl/trixie-debs.
#
# Environment: BUILD, DEBIAN_MIRROR (default: the system's Debian mirror),
# DEBIAN_EXTRA_PACKAGES (comma-separated, to install as well).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
use_build_dir
debs=$(realpath "${1:?usage: image.sh DEBS_DIR OUT_DIR}")
out=${2:?usage: image.sh DEBS_DIR OUT_DIR}
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: run 'make setup'"
mkdir -p "$out"
out=$(realpath "$out")

image_deb=$(ls "$debs"/linux-image-*_*.deb | grep -v -- '-dbg_' | head -n 1)
[ -n "$image_deb" ] || die "no linux-image package in $debs"
krel=$(dpkg-deb -f "$image_deb" Package)
krel=${krel#linux-image-}

mirror=$(debian_mirror)
cache=$BUILD/dl/trixie-debs
mkdir -p "$cache"
sysroot=$out/rootfs
rm -rf "$sysroot"

packages=systemd-sysv,udev,kmod,initramfs-tools,dracut-core,dkms,gcc,make,libc6-dev,libelf-dev,binutils
packages+=,xz-utils,zstd,cpio,procps,iproute2,auditd
# A kernel built with clang needs clang to build DKMS modules (dkms passes
# LLVM=1): add clang,lld,llvm for one.
packages+=${DEBIAN_EXTRA_PACKAGES:+,$DEBIAN_EXTRA_PACKAGES}
info "mmdebstrap: trixie with $packages, and linux $krel (log: $out/mmdebstrap.log)"
mmdebstrap --variant=minbase --include="$packages" \
	--aptopt='APT::Install-Recommends "false"' \
	--skip=download/empty --skip=essential/unlink \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
	--setup-hook="sync-in $cache /var/cache/apt/archives/" \
	--customize-hook="$here/customize.sh \"\$1\" $debs $krel" \
	--customize-hook="sync-out /var/cache/apt/archives $cache" \
	trixie "$sysroot" "deb $mirror trixie main" > "$out/mmdebstrap.log" 2>&1 ||
	{ tail -n 30 "$out/mmdebstrap.log"; die "mmdebstrap failed (log: $out/mmdebstrap.log)"; }
rm -f "$sysroot"/var/cache/apt/archives/*.deb

cp "$sysroot/boot/vmlinuz-$krel" "$out/vmlinuz"
cp "$sysroot/boot/config-$krel" "$out/config"
cp "$sysroot/boot/initrd.img-$krel" "$out/initrd.img"
cp "$sysroot/boot/initrd-dracut.img-$krel" "$out/initrd-dracut.img"
rm -f "$out/rootfs.img"
mkfs.ext4 -q -L root -d "$sysroot" "$out/rootfs.img" 4G
rm -rf "$sysroot"
echo "$krel" > "$out/kernelrelease"
info "$out: rootfs.img, vmlinuz, initrd.img, initrd-dracut.img of $krel"
