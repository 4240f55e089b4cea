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
# that differs, the files in it that do).  Then one build's modules
# against the other's kernel: module-hashes verify accepts the modules of
# the second build's linux-image package against the first build's
# vmlinuz.  Then the first build's packages boot in the Debian system of
# make check-debian, under module.sig_enforce=1 and under UEFI Secure
# Boot.  Last, the contrast: the same configuration with Debian's own
# scheme, every module signed at modules_install with a key generated in
# the build (configs/debian/sig-all.config), built in both places too,
# must differ, and the report says where.
#
# The report, with the time of each build (cold or warm, from ccache's
# hit rate) and the cores: $BUILD/repro/debian-report.txt.  Exit status:
# non-zero when something that must be identical differs, or the contrast
# does not differ.
#
# Environment: REPRO_RESUME=1 goes on with an interrupted run.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
use_build_dir
export KERNEL_TOOLCHAIN=gcc
# Not 0: dpkg-buildpackage takes SOURCE_DATE_EPOCH=0 for unset (Perl's
# ||=, falling back to the changelog's date, and when that is 0 too, to
# the time of the build), and dpkg-deb then stamps every file of every
# package with the time of the build.
export SOURCE_DATE_EPOCH=1767225600
export KBUILD_BUILD_TIMESTAMP="$(date -u -d "@$SOURCE_DATE_EPOCH")"
export KBUILD_BUILD_USER=builder KBUILD_BUILD_HOST=reproducible
export REPRODUCIBLE_PATHS=1 KDEB_COMPRESS=${KDEB_COMPRESS:-zstd}
report=$BUILD/repro/debian-report.txt
one=$BUILD/repro/debian-1/build two=$BUILD/repro/debian-2/other-path/build
mkdir -p "$BUILD/repro"
"$root/harness/tree.sh" sync
: > "$report"
say() { echo "$*" | tee -a "$report"; }

# ccache_hits: ccache's hits and misses so far, "HITS MISSES".
ccache_hits() {
	ccache --print-stats 2>/dev/null |
		awk -F'\t' '$1 ~ /^(direct|preprocessed)_cache_hit$/ { h += $2 } $1 == "cache_miss" { m = $2 } END { print h + 0, m + 0 }'
}

# build DIR: Debian's configuration and its packages from a copy of the
# tree in DIR/src, into DIR/debian-cloud.  Times and ccache rates into
# DIR/times.  With REPRO_RESUME=1 a step already in DIR/times is not run
# again (a run that was interrupted goes on where it stopped).
build() {
	local dir=$1 tree
	tree=$(git -C "$BUILD/src" rev-parse "HEAD^{tree}")
	# A run is resumed only on the source it started with.
	if [ "${REPRO_RESUME:-0}" != 1 ] || [ "$(cat "$dir/source" 2>/dev/null)" != "$tree" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/src"
		git -C "$BUILD/src" archive HEAD | tar -x -C "$dir/src"
		ln -s "$BUILD/dl" "$dir/dl"
		: > "$dir/times"
		echo "$tree" > "$dir/source"
	fi
	info "repro debian: building in $dir"
	timed "$dir" "build (debian/build.sh)" env BUILD="$dir" "$root/harness/debian/build.sh" --src "$dir/src"
	# mkdebian dates debian/changelog with date -R, the time of the build:
	# a date that honours SOURCE_DATE_EPOCH, as Debian's own packaging
	# takes the date from its changelog.
	timed "$dir" "make bindeb-pkg" env BUILD="$dir" PATH="$here/bin:$PATH" \
		"$root/harness/checks.sh" packages debian-cloud deb
}

# contrast DIR: once build 1 and 2 are compared, the same tree configured
# again with Debian's own scheme (configs/debian/sig-all.config: every
# module signed at modules_install with a key generated in the build) and
# built incrementally in place, then installed into DIR/modinst.
contrast() {
	local dir=$1
	timed "$dir" "contrast: MODULE_SIG_ALL, built again in place" env BUILD="$dir" \
		"$root/harness/build.sh" --src "$dir/src" --base "$BUILD/dl/debian-cloud/config" \
		--obj "$dir/debian-cloud" hash-or-sig+debian/cloud-amd64+debian/sig-all
	timed "$dir" "contrast: modules_install (signs every module)" \
		bash -c '. "$1/lib.sh"; rm -rf "$2/modinst"; kmake "$3" "$2" INSTALL_MOD_PATH="$2/modinst" modules_install' \
		- "$root/harness" "$dir/debian-cloud" "$dir/src"
}

# timed DIR WHAT COMMAND...: run, log into DIR/build.log, and note the time
# and ccache's hits in DIR/times; stop the run when it fails.
timed() {
	local dir=$1 what=$2 start h0 m0 h1 m1
	shift 2
	if [ "${REPRO_RESUME:-0}" = 1 ] && grep -q "^$what:" "$dir/times" 2>/dev/null; then
		return 0
	fi
	read -r h0 m0 < <(ccache_hits)
	start=$SECONDS
	"$@" >> "$dir/build.log" 2>&1 ||
		{ tail -n 40 "$dir/build.log" >&2; die "$what in $dir failed (log: $dir/build.log)"; }
	read -r h1 m1 < <(ccache_hits)
	printf '%s: %d s, ccache %d hits, %d misses\n' "$what" $((SECONDS - start)) \
		$((h1 - h0)) $((m1 - m0)) >> "$dir/times"
}

build "$one"
build "$two"

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
# package_diff DEB1 DEB2: the files of two packages that differ, or where
# their contents are the same, what differs in the archives: the members'
# metadata (mode, owner, time) and order.
package_diff() {
	local t i
	t=$(mktemp -d)
	dpkg-deb -R "$1" "$t/1" && dpkg-deb -R "$2" "$t/2"
	{ diff -rq --no-dereference "$t/1" "$t/2" || true; } | sed "s|$t/[12]/||g; s/^/    /" > "$t/files"
	if ! [ -s "$t/files" ]; then
		for i in 1 2; do	# the archive, its members and their files
			{ ar tv "${!i}" | sed 's/^/ar: /'
			  dpkg-deb --ctrl-tarfile "${!i}" | tar tv --full-time | sed 's/^/control: /'
			  dpkg-deb --fsys-tarfile "${!i}" | tar tv --full-time | sed 's/^/data: /'; } > "$t/list$i" 2> /dev/null || true
		done
		echo "    same files, other archive metadata:" > "$t/files"
		# (sed reads to the end: head would end the pipe early, and
		# pipefail would take grep's SIGPIPE for a failure.)
		{ diff "$t/list1" "$t/list2" || true; } | sed -n 's/^\([<>]\)/    \1/p' | sed -n '1,6p' >> "$t/files"
	fi
	head -n 20 "$t/files" | tee -a "$report"
	rm -rf "$t"
}

o1=$one/debian-cloud o2=$two/debian-cloud
{
	echo "== make repro CONFIG=debian: $(nproc) cores, $(date -u '+%Y-%m-%d')"
	echo "build 1: $one"; grep -v '^contrast' "$one/times" | sed 's/^/  /'
	echo "build 2: $two"; grep -v '^contrast' "$two/times" | sed 's/^/  /'
	echo
	row artifact "build 1" "build 2" identical
} >> "$report"
for f in vmlinux arch/x86/boot/bzImage modules.hashes; do
	compare "$f" "$o1/$f" "$o2/$f"
done
# (llvm-objcopy writes nothing to /dev/stdout: through files.)
tables=$(mktemp -d)
dump_section "$o1/vmlinux" .module_hashes "$tables/1" && dump_section "$o2/vmlinux" .module_hashes "$tables/2" ||
	die "cannot dump the .module_hashes sections"
[ -s "$tables/1" ] || die "the .module_hashes section of $o1/vmlinux is empty"
compare ".module_hashes table ($(($(stat -c %s "$tables/1") / 32)) slots)" "$tables/1" "$tables/2"
rm -rf "$tables"
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

# Build 1's packages in the Debian system of make check-debian: installed
# by dpkg (its hooks make the initramfs; dkms builds and signs an
# out-of-tree module), booted under module.sig_enforce=1 and under UEFI
# Secure Boot with nothing asked on the command line; the system checks
# itself (debian/guest/module-hashes-checks).
image=$BUILD/repro/debian-image
if "$root/harness/debian/image.sh" "$o1/packages/deb" "$image" >> "$one/build.log" 2>&1; then
	for mode in module.sig_enforce=1 secureboot; do
		log=$image/initramfs-tools-${mode%%[.=]*}
		result=0
		if [ "$mode" = secureboot ]; then
			env SECURE_BOOT=1 "$root/harness/debian/boot.sh" "$image" initramfs-tools "" "$log"
		else
			"$root/harness/debian/boot.sh" "$image" initramfs-tools "$mode" "$log"
		fi >> "$one/build.log" 2>&1 || result=$?
		tap=$(grep -c '^ok ' "$log.tap" 2>/dev/null || true)
		if [ $result = 0 ]; then
			say "boot: build 1's packages in Debian trixie, ${mode/secureboot/under UEFI Secure Boot}: ${tap:-0} checks passed"
		else
			say "boot: build 1's packages in Debian trixie, ${mode/secureboot/under UEFI Secure Boot}: FAILED (log: $log.console)"
			status=1
		fi
	done
else
	say "boot: image.sh could not make the Debian system of build 1's packages (log: $one/build.log)"
	status=1
fi

# The contrast: Debian's own scheme differs between the two builds.  The
# build trees become the contrast's, so what the comparison above needs
# from them is read first.
contrast "$one"
contrast "$two"
c1=$one/debian-cloud c2=$two/debian-cloud
cdiffer=0
echo >> "$report"
{
	echo "== contrast: MODULE_SIG_ALL with a key generated in the build (configs/debian/sig-all.config)"
	echo "build 1:"; grep '^contrast' "$one/times" | sed 's/^/  /'
	echo "build 2:"; grep '^contrast' "$two/times" | sed 's/^/  /'
} >> "$report"
for f in vmlinux certs/signing_key.x509; do
	a=$(sum16 "$c1/$f") b=$(sum16 "$c2/$f")
	# (Counted here: a command substitution is a subshell.)
	same_file=yes
	[ "$a" = "$b" ] || { same_file=NO; cdiffer=$((cdiffer + 1)); }
	row "$f" "$a" "$b" "$same_file" >> "$report"
done
signed=0 signed_differ=0
while read -r f; do
	signed=$((signed + 1))
	cmp -s "$c1/modinst/$f" "$c2/modinst/$f" || signed_differ=$((signed_differ + 1))
done < <(cd "$c1/modinst" && find . -name '*.ko*' -type f | LC_ALL=C sort)
# Where they differ: the digests the kernel computes of them (module-hashes
# hash: decompressed, without the appended signature) are the same.
module_digests() { # module_digests DIR: "DIGEST  PATH" of its modules, sorted
	(cd "$1" && find . -name '*.ko*' -type f -print0 | xargs -0 "$tool" hash | LC_ALL=C sort)
}
unsigned_same=$(LC_ALL=C comm -12 <(module_digests "$c1/modinst") <(module_digests "$c2/modinst") | wc -l)
echo "installed modules that differ: $signed_differ of $signed; without their appended signatures, $unsigned_same of $signed are identical" >> "$report"
say "contrast: vmlinux and the built-in key differ: $cdiffer of 2; installed modules differ: $signed_differ of $signed, only in their signatures: $unsigned_same"
[ "$cdiffer" = 2 ] && [ "$signed_differ" = "$signed" ] && [ "$signed" -gt 0 ] ||
	{ say "the contrast was expected to differ in vmlinux, the key and every installed module"; status=1; }

rm -rf "$one/src" "$two/src"	# 1.8 GB each; what is left is compared
echo "report: $report"
publish_result repro-debian.txt "$report" "make repro CONFIG=debian"
exit $status
