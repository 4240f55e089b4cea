#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make repro CONFIG=debian: Debian's cloud-amd64 configuration, as make
# check-debian builds it (debian/build.sh: hash-or-sig, MODULE_SIG_KEY="",
# the distribution's key only as a trusted certificate,
# MODULE_INSTALL_STRIP; GCC) and packages it (make bindeb-pkg, through
# checks.sh packages), built twice, each from its own copy of the source
# at another path into its own build directory, with only the settings of
# Documentation/kbuild/reproducible-builds.rst (fixed time, user and host;
# the path maps of its example, through kmake) and SOURCE_DATE_EPOCH for
# the packages.  ccache stays on: with the base directory and the path
# maps, the second build at its other path hits what the first compiled.
#
# Compared byte for byte: vmlinux, bzImage, every module of both build
# trees (unstripped and as hashed), modules.hashes, the table, and the
# linux-image, linux-image-dbg and linux-headers packages (for a package
# that differs, the files in it that do).  Then the contrast: the same
# configuration with Debian's own scheme, every module signed at
# modules_install with a key generated in the build (configs/debian/
# sig-all.config), built in both places too, must differ, and the report
# says where.  Then one build's modules against the other's kernel:
# module-hashes verify accepts the modules of the second build's
# linux-image package against the first build's vmlinuz.  (make
# check-debian boots the first build's packages in its Debian system.)
#
# The report, with the time of each build (cold or warm, from ccache's
# hit rate) and the cores: $BUILD/repro/debian-report.txt.  Exit status:
# non-zero when something that must be identical differs, or the contrast
# does not differ.
#
# Environment: REPRO_REBUILD=0 compares the builds of an earlier run.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
use_build_dir
export KERNEL_TOOLCHAIN=gcc
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 1970'
export KBUILD_BUILD_USER=builder KBUILD_BUILD_HOST=reproducible SOURCE_DATE_EPOCH=0
export REPRODUCIBLE_PATHS=1 KDEB_COMPRESS=${KDEB_COMPRESS:-zstd}
report=$BUILD/repro/debian-report.txt
one=$BUILD/repro/debian-1/build two=$BUILD/repro/debian-2/other-path/build
mkdir -p "$BUILD/repro"
[ "${REPRO_REBUILD:-1}" = 0 ] || "$root/harness/tree.sh" sync
: > "$report"
say() { echo "$*" | tee -a "$report"; }

# ccache_hits: ccache's hits and misses so far, "HITS MISSES".
ccache_hits() {
	ccache --print-stats 2>/dev/null |
		awk -F'\t' '$1 ~ /^(direct|preprocessed)_cache_hit$/ { h += $2 } $1 == "cache_miss" { m = $2 } END { print h + 0, m + 0 }'
}

# build DIR: Debian's configuration and its packages from a copy of the
# tree in DIR/src, into DIR/debian-cloud; then the contrast into
# DIR/debian-cloud-sig-all, installed into its modinst/.  Times and ccache
# rates into DIR/times.
build() {
	local dir=$1 start h0 m0 h1 m1
	rm -rf "$dir"
	mkdir -p "$dir/src"
	git -C "$BUILD/src" archive HEAD | tar -x -C "$dir/src"
	ln -s "$BUILD/dl" "$dir/dl"
	: > "$dir/times"
	timed() { # timed WHAT COMMAND...: run, log, and note time and ccache hits
		read -r h0 m0 < <(ccache_hits)
		start=$SECONDS
		"${@:2}" >> "$dir/build.log" 2>&1 ||
			{ tail -n 40 "$dir/build.log" >&2; die "$1 in $dir failed (log: $dir/build.log)"; }
		read -r h1 m1 < <(ccache_hits)
		printf '%s: %d s, ccache %d hits, %d misses\n' "$1" $((SECONDS - start)) \
			$((h1 - h0)) $((m1 - m0)) >> "$dir/times"
	}
	info "repro debian: building in $dir"
	timed "build (debian/build.sh)" env BUILD="$dir" "$root/harness/debian/build.sh" --src "$dir/src"
	timed "make bindeb-pkg" env BUILD="$dir" "$root/harness/checks.sh" packages debian-cloud deb
	timed "contrast: build with MODULE_SIG_ALL" env BUILD="$dir" "$root/harness/build.sh" --src "$dir/src" \
		--base "$BUILD/dl/debian-cloud/config" --obj "$dir/debian-cloud-sig-all" debian/sig-all
	timed "contrast: modules_install (signs every module)" \
		bash -c '. "$1/lib.sh"; rm -rf "$2/modinst"; kmake "$3" "$2" INSTALL_MOD_PATH="$2/modinst" modules_install' \
		- "$root/harness" "$dir/debian-cloud-sig-all" "$dir/src"
	rm -rf "$dir/src"	# 1.8 GB; the comparison needs the builds only
}

if [ "${REPRO_REBUILD:-1}" != 0 ] || ! [ -s "$one/times" ] || ! [ -s "$two/times" ]; then
	build "$one"
	build "$two"
fi

# sum16 FILE: the start of its sha256, or "missing".
sum16() { if [ -f "$1" ]; then sha256sum "$1" | cut -c1-16; else echo missing; fi; }
row() { printf '%-64s %-16s %-16s %s\n' "$@"; }
differ=0 same=0
# compare NAME FILE1 FILE2: one row of the report.
compare() {
	local a b
	a=$(sum16 "$2") b=$(sum16 "$3")
	if [ "$a" = "$b" ] && [ "$a" != missing ]; then
		same=$((same + 1))
		[ "${QUIET_SAME:-}" = 1 ] || row "$1" "$a" "$b" yes >> "$report"
	else
		differ=$((differ + 1))
		row "$1" "$a" "$b" NO >> "$report"
	fi
}
# package_diff DEB1 DEB2: the files of two packages that differ.
package_diff() {
	local t
	t=$(mktemp -d)
	dpkg-deb -R "$1" "$t/1" && dpkg-deb -R "$2" "$t/2"
	diff -rq "$t/1" "$t/2" | sed "s|$t/[12]/||g; s/^/    /" | head -n 20 | tee -a "$report"
	rm -rf "$t"
}

o1=$one/debian-cloud o2=$two/debian-cloud
{
	echo "== make repro CONFIG=debian: $(nproc) cores, $(date -u '+%Y-%m-%d')"
	echo "build 1: $one"; sed 's/^/  /' "$one/times"
	echo "build 2: $two"; sed 's/^/  /' "$two/times"
	echo
	row artifact "build 1" "build 2" identical
} >> "$report"
for f in vmlinux arch/x86/boot/bzImage modules.hashes; do
	compare "$f" "$o1/$f" "$o2/$f"
done
a=$(dump_section "$o1/vmlinux" .module_hashes /dev/stdout | sha256sum | cut -c1-16)
b=$(dump_section "$o2/vmlinux" .module_hashes /dev/stdout | sha256sum | cut -c1-16)
row ".module_hashes table" "$a" "$b" "$([ "$a" = "$b" ] && echo yes || echo NO)" >> "$report"
[ "$a" = "$b" ] || differ=$((differ + 1))
modules=0
while read -r ko; do
	modules=$((modules + 1))
	QUIET_SAME=1 compare "$ko" "$o1/$ko" "$o2/$ko"
	[ ! -f "$o1/$ko.stripped" ] || QUIET_SAME=1 compare "$ko.stripped" "$o1/$ko.stripped" "$o2/$ko.stripped"
done < <(sed 's/\.o$/.ko/' "$o1/modules.order")
echo "modules of the build tree: $modules, each unstripped and as hashed (identical ones not listed)" >> "$report"
packages=0
for deb in "$o1"/packages/deb/linux-*.deb; do
	name=${deb##*/}
	packages=$((packages + 1))
	compare "package $name" "$deb" "$o2/packages/deb/$name"
	cmp -s "$deb" "$o2/packages/deb/$name" || package_diff "$deb" "$o2/packages/deb/$name"
done
say "debian: $((same + 0)) compared artifacts identical, $differ differ ($modules modules, $packages packages)"
status=0
[ "$differ" = 0 ] || status=1

# The contrast: Debian's own scheme differs between the two builds.
c1=$one/debian-cloud-sig-all c2=$two/debian-cloud-sig-all
cdiffer=0
echo >> "$report"
echo "== contrast: MODULE_SIG_ALL with a key generated in the build (configs/debian/sig-all.config)" >> "$report"
for f in vmlinux certs/signing_key.x509; do
	a=$(sum16 "$c1/$f") b=$(sum16 "$c2/$f")
	row "$f" "$a" "$b" "$([ "$a" = "$b" ] && echo yes || { cdiffer=$((cdiffer + 1)); echo NO; })" >> "$report"
done
signed=0 signed_differ=0
while read -r f; do
	signed=$((signed + 1))
	cmp -s "$c1/modinst/$f" "$c2/modinst/$f" || signed_differ=$((signed_differ + 1))
done < <(cd "$c1/modinst" && find . -name '*.ko*' -type f | LC_ALL=C sort)
echo "installed modules that differ: $signed_differ of $signed (their appended signatures, by another key)" >> "$report"
say "contrast: vmlinux and the built-in key differ: $cdiffer of 2; installed modules differ: $signed_differ of $signed"
[ "$cdiffer" = 2 ] && [ "$signed_differ" = "$signed" ] && [ "$signed" -gt 0 ] ||
	{ say "the contrast was expected to differ in vmlinux, the key and every installed module"; status=1; }

# One build's modules are the other's: verify the second build's packaged
# modules against the first build's packaged kernel.
tool=$(hash_tool)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
dpkg-deb -x "$(ls "$o1"/packages/deb/linux-image-*.deb | grep -v -- -dbg_)" "$t/1"
dpkg-deb -x "$(ls "$o2"/packages/deb/linux-image-*.deb | grep -v -- -dbg_)" "$t/2"
vmlinuz=$(ls "$t"/1/boot/vmlinuz-*)
moddir=$(ls -d "$t"/2/lib/modules/*)
if "$tool" verify "$vmlinuz" "$moddir" > "$t/verify" 2>&1; then
	say "cross-build: module-hashes verify accepts the $(find "$moddir" -name '*.ko*' | wc -l) modules of build 2's package against build 1's ${vmlinuz##*/}"
else
	tail -n 20 "$t/verify" | tee -a "$report"
	say "cross-build: module-hashes verify refused build 2's modules against build 1's kernel"
	status=1
fi
echo "report: $report"
exit $status
