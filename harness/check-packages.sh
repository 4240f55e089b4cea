#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Package a built CONFIG_MODULE_HASHES configuration with one of the
# kernel's own packaging targets, run plainly as a packager would, and
# check the packages from the outside:
#   - every module the image package installs is accepted by
#     module-hashes verify against the kernel image of the same package
#     set, and it installs every module of modules.order;
#   - the debug package (where the target makes one) carries the modules'
#     debug information;
#   - the same check fails once a module of the package is tampered with,
#     so that it cannot pass by accident.
#
# Usage: check-packages.sh NAME deb|rpm|pacman
#   deb     make bindeb-pkg (linux-image, linux-image-dbg, linux-headers)
#   rpm     make binrpm-pkg (kernel, kernel-headers, kernel-devel and,
#           where scripts/package/mkspec makes one, kernel-debuginfo)
#   pacman  make pacman-pkg MAKEPKGOPTS=--nodeps (Debian's makepkg: its
#           pacman knows no packages to check dependencies against); its
#           debug package has vmlinux only.  makepkg refuses to run as
#           root, so it runs as_unprivileged (lib.sh).
# The packages are left in $BUILD/NAME/packages/FORMAT.  The packaging
# targets build again, with a build version of their own: vmlinux and the
# modules' BTF are made anew (and with pahole before 1.27 the BTF may come
# out in another order), so $BUILD/NAME/modinst is no longer this build's
# afterwards.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: check-packages.sh NAME deb|rpm|pacman}
format=${2:?usage: check-packages.sh NAME deb|rpm|pacman}
obj=$BUILD/$name
src=$BUILD/src
[ -x "$obj/scripts/module-hashes/module-hashes" ] || die "$obj is not a built CONFIG_MODULE_HASHES configuration"
tool=$(hash_tool)
grep -qx CONFIG_CC_IS_GCC=y "$obj/.config" && export KERNEL_TOOLCHAIN=gcc
out=$obj/packages/$format
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

krel=$(kmake "$src" "$obj" kernelrelease)
info "$name: make $format packages of $krel"
# The packaging targets write next to the build directory (deb) or into
# it (rpm); take what they make from there.
case $format in
deb)
	rm -f "$(dirname "$obj")"/linux-*.deb "$(dirname "$obj")"/linux-upstream_*
	kmake "$src" "$obj" -j"${JOBS:-$(nproc)}" bindeb-pkg > "$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; die "make bindeb-pkg failed (log: $out/build.log)"; }
	mv "$(dirname "$obj")"/linux-*.deb "$out"/
	rm -f "$(dirname "$obj")"/linux-upstream_*
	extract() { dpkg-deb -x "$1" "$2"; }
	image_pkg=$(ls "$out"/linux-image-"$krel"_*.deb)
	debug_pkg=$(ls "$out"/linux-image-"$krel"-dbg_*.deb 2>/dev/null || true)
	;;
rpm)
	rm -rf "$obj/rpmbuild"
	kmake "$src" "$obj" -j"${JOBS:-$(nproc)}" binrpm-pkg > "$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; die "make binrpm-pkg failed (log: $out/build.log)"; }
	find "$obj/rpmbuild/RPMS" -name '*.rpm' -exec mv {} "$out"/ \;
	extract() { mkdir -p "$2" && (cd "$2" && rpm2cpio "$1" | cpio -idm --quiet); }
	image_pkg=$(ls "$out"/kernel-[0-9]*.rpm)
	debug_pkg=$(ls "$out"/kernel-debuginfo-[0-9]*.rpm 2>/dev/null || true)
	;;
pacman)
	rm -f "$obj"/*.pkg.tar*
	as_unprivileged bash -c '. "$0"; kmake "$@"' "$here/lib.sh" \
		"$src" "$obj" -j"${JOBS:-$(nproc)}" MAKEPKGOPTS=--nodeps pacman-pkg > "$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; die "make pacman-pkg failed (log: $out/build.log)"; }
	mv "$obj"/*.pkg.tar* "$out"/
	extract() { mkdir -p "$2" && tar -xf "$1" -C "$2"; }
	image_pkg=$(ls "$out"/linux-upstream-[0-9]*.pkg.tar*)
	debug_pkg=
	no_debug="the PKGBUILD's debug package has vmlinux only"
	;;
*)
	die "unknown package format $format: deb, rpm or pacman"
	;;
esac
info "packages: $(cd "$out" && ls | grep -v '\.log$' | tr '\n' ' ')"

extract "$image_pkg" "$tmp/image"
# makepkg may compute another release (its user cannot run git in the
# tree: no '+'); take the package's.
krel=$(find "$tmp/image" -maxdepth 4 -type d -path '*/lib/modules/*' ! -path '*/lib/modules/*/*' | head -n 1)
krel=${krel##*/}
image=$(find "$tmp/image" -type f \( -name "vmlinuz-$krel" -o -path "*/$krel/vmlinuz" \) | head -n 1)
moddir=$(find "$tmp/image" -type d -path "*/modules/$krel" | head -n 1)
[ -n "$image" ] || die "$(basename "$image_pkg") has no kernel image"
[ -d "$moddir/kernel" ] || die "$(basename "$image_pkg") has no modules"
modules=$(find "$moddir/kernel" -type f -name '*.ko*' | wc -l)
[ "$modules" = "$(wc -l < "$obj/modules.order")" ] ||
	die "$(basename "$image_pkg") has $modules modules, modules.order $(wc -l < "$obj/modules.order")"

verify() { # verify: module-hashes verify of the package's modules, output in $tmp/verify
	"$tool" verify "$image" "$moddir" > "$tmp/verify" 2>&1
}
verify || { cat "$tmp/verify"; die "module-hashes verify rejects modules of $(basename "$image_pkg")"; }
[ "$(grep -c '^OK ' "$tmp/verify")" = "$modules" ] ||
	{ cat "$tmp/verify"; die "module-hashes verify did not accept all $modules modules"; }
info "$(basename "$image_pkg"): all $modules modules are accepted by its $(basename "$image")"

# The first module of modules.order stands for all in the checks below.
first=$(head -n 1 "$obj/modules.order")
first=$(basename "${first%.o}")
if [ -n "$debug_pkg" ]; then
	extract "$debug_pkg" "$tmp/debug"
	dbg=$(find "$tmp/debug" -path "*/$krel/*" -name "$first.ko*" -type f | head -n 1)
	[ -n "$dbg" ] || die "$(basename "$debug_pkg") has no $first.ko"
	[[ $(llvm-readelf-19 -S -W "$dbg") == *" .debug_info "* ]] ||
		die "$(basename "$debug_pkg"): $dbg has no debug information"
	info "$(basename "$debug_pkg") carries the modules' debug information"
else
	info "no debug package of the modules: ${no_debug:-scripts/package makes none for this configuration}"
fi

# The check must be able to fail: one module of the package tampered with.
victim=$(find "$moddir/kernel" -type f -name "$first.ko*" | head -n 1)
suffix=${victim##*.ko}
decompress "$victim" > "$tmp/victim.ko"
flip_byte "$tmp/victim.ko" "$(comment_middle "$tmp/victim.ko")"
rm -f "$victim"
compress_as "$suffix" "$tmp/victim.ko"
mv "$tmp/victim.ko$suffix" "$victim"
if verify; then
	die "module-hashes verify accepted a tampered module of the package"
fi
grep -q "^REJECTED .*/$first.ko" "$tmp/verify" ||
	{ cat "$tmp/verify"; die "module-hashes verify failed, but not on the tampered module"; }
info "the check fails on a tampered module: $(grep '^REJECTED' "$tmp/verify")"
