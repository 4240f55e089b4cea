#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mmdebstrap's customize hook for the Debian test system (image.sh): turns
# the fresh trixie root in ROOT into the system a user of our kernel
# packages would have.
#   - dkms is told to sign with the distribution's out-of-tree key (the
#     tests' key, tests/keys/), and the DKMS test module's source is added;
#   - the kernel packages of make bindeb-pkg are installed with dpkg -i,
#     headers first: the image's hooks run update-initramfs and dkms
#     autoinstall, as on any Debian system;
#   - dracut makes a second initramfs of the same kernel;
#   - an unsigned build of the DKMS module, and one signed with another
#     key, are kept for the checks that must refuse them;
#   - the checks (guest/module-hashes-checks) run as a systemd unit once
#     the system has reached multi-user.target, with tools/module-hashes
#     in /usr/local/bin.
#
# Usage: customize.sh ROOT DEBS_DIR KERNELRELEASE

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
use_build_dir
sysroot=${1:?usage: customize.sh ROOT DEBS_DIR KERNELRELEASE}
debs=${2:?usage: customize.sh ROOT DEBS_DIR KERNELRELEASE}
krel=${3:?usage: customize.sh ROOT DEBS_DIR KERNELRELEASE}
in_root() { chroot "$sysroot" env PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }

echo module-hashes > "$sysroot/etc/hostname"
echo '/dev/vda / ext4 defaults 0 1' > "$sysroot/etc/fstab"

# dkms signs what it builds with the distribution's key.
install -D -m 600 "$root/tests/keys/oot-signing-key.pem" "$sysroot/etc/dkms/oot-signing-key.pem"
install -D -m 644 "$root/tests/keys/oot-signing-cert.pem" "$sysroot/etc/dkms/oot-signing-cert.pem"
mkdir -p "$sysroot/etc/dkms/framework.conf.d"
cat > "$sysroot/etc/dkms/framework.conf.d/module-hashes.conf" <<'EOF'
mok_signing_key=/etc/dkms/oot-signing-key.pem
mok_certificate=/etc/dkms/oot-signing-cert.pem
EOF
cp -r "$root/tests/dkms/hello-dkms-1.0" "$sysroot/usr/src/"
in_root dkms add hello-dkms/1.0

mkdir -p "$sysroot/tmp/debs"
headers=$(basename "$(ls "$debs"/linux-headers-"$krel"_*.deb)")
image=$(basename "$(ls "$debs"/linux-image-"$krel"_*.deb)")
cp "$debs/$headers" "$debs/$image" "$sysroot/tmp/debs/"
in_root dpkg -i "/tmp/debs/$headers"
in_root dpkg -i "/tmp/debs/$image"
rm -rf "$sysroot/tmp/debs"
[ -f "$sysroot/boot/initrd.img-$krel" ] || die "the linux-image package's hooks made no initramfs"
in_root dkms status hello-dkms/1.0 -k "$krel" | grep installed > /dev/null ||
	die "dkms did not build and install hello-dkms for $krel: $(in_root dkms status)"

in_root dracut --no-hostonly --force "/boot/initrd-dracut.img-$krel" "$krel"

# The root filesystem's driver must come from each initramfs: the guest
# checks that it loaded, authenticated, from there.
in_root lsinitramfs "/boot/initrd.img-$krel" | grep '/virtio_blk\.ko' > /dev/null ||
	die "initramfs-tools' initramfs has no virtio_blk module"
in_root lsinitrd "/boot/initrd-dracut.img-$krel" | grep '/virtio_blk\.ko' > /dev/null ||
	die "dracut's initramfs has no virtio_blk module"

# The DKMS module again, built by hand without signing, and signed with a
# key the kernel does not trust.
lib=$sysroot/usr/local/lib/module-hashes
mkdir -p "$lib" "$sysroot/tmp/hello-unsigned"
cp "$root/tests/dkms/hello-dkms-1.0"/{Makefile,hello_dkms.c} "$sysroot/tmp/hello-unsigned/"
# As dkms does: with the kernel's compiler (LLVM=1 for a clang-built one).
llvm=$(in_root grep -qx CONFIG_CC_IS_CLANG=y "/boot/config-$krel" && echo LLVM=1 || true)
in_root make -s -C "/lib/modules/$krel/build" M=/tmp/hello-unsigned $llvm modules
cp "$sysroot/tmp/hello-unsigned/hello_dkms.ko" "$lib/hello_dkms-unsigned.ko"
rm -rf "$sysroot/tmp/hello-unsigned"
other=$(untrusted_key)
cp "$other" "$sysroot/tmp/other-key.pem"
in_root "/lib/modules/$krel/build/scripts/sign-file" sha256 /tmp/other-key.pem /tmp/other-key.pem \
	/usr/local/lib/module-hashes/hello_dkms-unsigned.ko /usr/local/lib/module-hashes/hello_dkms-other-key.ko
rm -f "$sysroot/tmp/other-key.pem"

install -D -m 755 "$(hash_tool)" "$sysroot/usr/local/bin/module-hashes"
install -D -m 644 "$root/harness/guest/tap.sh" "$sysroot/usr/local/lib/module-hashes/tap.sh"
install -D -m 755 "$here/guest/module-hashes-checks" "$sysroot/usr/local/sbin/module-hashes-checks"
install -D -m 644 "$here/guest/module-hashes-checks.service" \
	"$sysroot/etc/systemd/system/module-hashes-checks.service"
in_root systemctl enable module-hashes-checks.service
