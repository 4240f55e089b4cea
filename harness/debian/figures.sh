#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What MODULE_HASHES costs on Debian's configuration, side by side: the
# build of build.sh (MODULE_HASHES and MODULE_SIG), and the same
# configuration with MODULE_HASHES alone and with MODULE_SIG alone
# (configs/debian/hashes-only.config, sig-only.config), each booted under
# QEMU with the same memory and a minimal initramfs that prints MemTotal.
# The variants are built in build.sh's directory, one after the other,
# which is then configured and built as build.sh left it: kbuild
# recompiles only the few files that depend on the options that differ.
# A directory of its own per variant would recompile everything, because
# ccache keys objects with debug information on the build directory.  Prints one table: size vmlinux (text, data, bss), the
# .module_hashes section, MemTotal, and the time of the hashing step in
# the build.
#
# Usage: figures.sh   (after build.sh)

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
[ "$HARNESS_ARCH" = x86_64 ] || die "the Debian system is amd64: ARCH=$HARNESS_ARCH is not for it"
use_build_dir
export KERNEL_TOOLCHAIN=gcc
src=$BUILD/src
config=$BUILD/dl/debian-cloud/config
[ -f "$config" ] && [ -f "$BUILD/debian-cloud/vmlinux" ] || die "run harness/debian/build.sh first"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A minimal initramfs: busybox prints MemTotal and powers off.
mkdir -p "$tmp/initramfs/bin" "$tmp/initramfs/proc"
cp "$(command -v busybox)" "$tmp/initramfs/bin/busybox"
cat > "$tmp/initramfs/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox grep MemTotal /proc/meminfo
/bin/busybox poweroff -f
EOF
chmod +x "$tmp/initramfs/init"
(cd "$tmp/initramfs" && find . | cpio -o -H newc --quiet) > "$tmp/initramfs.cpio"

memtotal() { # memtotal BZIMAGE
	local qemu
	qemu_command qemu 1 2048
	qemu_run 300 "${qemu[@]}" -kernel "$1" -initrd "$tmp/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 quiet" -serial stdio 2>&1 |
		tr -d '\r' | awk '/^MemTotal:/ { print $2 " kB" }'
}

printf '%-40s %-26s %-14s %-12s %-14s %s\n' configuration "size vmlinux (text data bss)" \
	.module_hashes MemTotal "hashing step" "strip step"
obj=$BUILD/debian-cloud
# build_variant FRAGMENTS: configure and build build.sh's directory so.
build_variant() {
	"$root/harness/build.sh" --base "$config" --obj "$obj" "$1" > "$tmp/build.log" 2>&1 ||
		{ grep -v 'die__\|DW_TAG' "$tmp/build.log" | tail -n 30; die "cannot build $1"; }
}
both=hash-or-sig+debian/cloud-amd64
# Whatever happens, leave the directory as build.sh made it.
trap 'build_variant "$both" || true; rm -rf "$tmp"' EXIT
for variant in both hashes-only sig-only; do
	case $variant in
	both)	fragments=$both ;;
	*)	fragments=$both+debian/$variant ;;
	esac
	build_variant "$fragments"
	sizes=$(size "$obj/vmlinux" | awk 'NR == 2 { print $1, $2, $3 }')
	table=$(section_bytes "$obj/vmlinux" .module_hashes)
	[ -z "$table" ] || table="$table bytes"
	step=- strip_step=-
	if [ -n "$table" ]; then
		# The step the series adds to a build: hash every module and
		# write the table (cold page cache aside, as in the build).
		dump_section "$obj/vmlinux.unstripped" .module_hashes "$tmp/placeholder"
		start=$(wall_clock)
		(cd "$obj" && scripts/module-hashes/module-hashes write --objtree . --order modules.order \
			--section "$tmp/placeholder" --output "$tmp/table" \
			$(grep -qx CONFIG_MODULE_INSTALL_STRIP=y .config && echo --image-suffix .stripped))
		step="$(seconds_since "$start") s"
		# And the stripping that MODULE_INSTALL_STRIP moves into the
		# build (modules_install did it before), on one core.
		start=$(wall_clock)
		sed 's/\.o$/.ko/' "$obj/modules.order" | while read -r ko; do
			strip --strip-debug -o "$tmp/stripped.ko" "$obj/$ko"
		done
		strip_step="$(seconds_since "$start") s"
	fi
	printf '%-40s %-26s %-14s %-12s %-14s %s\n' "$variant ($fragments)" "$sizes" "${table:--}" \
		"$(memtotal "$obj/arch/x86/boot/bzImage")" "$step" "$strip_step"
done
