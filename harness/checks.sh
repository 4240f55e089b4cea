#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side checks of a built configuration NAME of ARCH (obj_dir in lib.sh,
# build.sh NAME):
# manifest NAME   modules.hashes is sha256sum of the installed modules, and
#                 vmlinux's .module_hashes holds exactly its digests, sorted
# installed NAME  NAME/modinst is compressed, stripped and verified as .config
#                 says; modules_install with either INSTALL_MOD_STRIP, and
#                 its refusal of modules rebuilt after vmlinux
# rebuild NAME    "rm some.ko; make" and an edit of a module's source rebuild
#                 it, vmlinux's table and bzImage
# extra NAME      make MODULE_HASHES_EXTRA= (the external modules of
#                 build.sh): again changes nothing; another list rewrites
#                 only the table, to in-tree + that list; bad lists fail
#                 clearly and leave vmlinux alone
# relink NAME     build.sh again after the packaging targets: vmlinux linked
#                 again, the external modules not built again; then boot
# kconfig         without rustc, hashes-only+force enforces with MODULE_SIG;
#                 loongarch (Rust, untested) is not offered MODULE_HASHES
# paths NAME      no object, module (external ones too) or vmlinux of a
#                 build with debug information names its source or build
#                 directory
# packages NAME deb|rpm|pacman
#                 make bindeb-pkg|binrpm-pkg|pacman-pkg: verify accepts the
#                 modules against the packaged image, and not a tampered one
# series [--no-sync] [--boot] [--commits RANGE] [--target T]... [CONFIG]
#                 each commit of RANGE (base..work) builds CONFIG (hashes; the
#                 options it lacks dropped) and the Ts (default: all), in
#                 $BUILD/check-series (kept); --boot: and passes the
#                 loading-policy matrix (four boot modes) where the selftest
#                 comes in (the end of the core) and at the end; --no-sync:
#                 $BUILD/src as it is
# Environment: BUILD, JOBS, CCACHE, and what tree.sh takes.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
usage() { die "usage: checks.sh manifest NAME | installed NAME | rebuild NAME | extra NAME | relink NAME | paths NAME | kconfig |" \
	"packages NAME deb|rpm|pacman | series [--no-sync] [--boot] [--commits RANGE] [--target T]... [CONFIG]"; }
src=$BUILD/src jobs=${JOBS:-$(nproc)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

option() { grep -qx "CONFIG_$1=y" "$obj/.config"; }
# Not grep -q: under pipefail, SIGPIPE would fail it.
has_debug_info() { [[ $(llvm-readelf-19 -S -W "$1") == *" .debug_info "* ]]; }

# hashes_build: $obj is a built MODULE_HASHES configuration; tool, its
# module-hashes; kmake with the compiler of its .config.
hashes_build() {
	[ -x "$obj/scripts/module-hashes/module-hashes" ] ||
		die "$obj is not a built CONFIG_MODULE_HASHES configuration"
	tool=$(hash_tool)
	! option CC_IS_GCC || export KERNEL_TOOLCHAIN=gcc
}

# verify IMAGE MODDIR: module-hashes verify, its output in $tmp/verify.
# verify_all IMAGE MODDIR N WHAT: it accepts all N modules of WHAT.
verify() { "$tool" verify "$1" "$2" > "$tmp/verify" 2>&1; }
verify_all() {
	verify "$1" "$2" || { cat "$tmp/verify"; die "module-hashes verify rejects modules of $4"; }
	[ "$(grep -c '^OK ' "$tmp/verify")" = "$3" ] ||
		{ cat "$tmp/verify"; die "module-hashes verify did not accept all $3 modules of $4"; }
}

# module_count: the modules of $obj's table: modules.order and the external
# ones (modules-extra/modules.order, make MODULE_HASHES_EXTRA=).
module_count() { cat "$obj/modules.order" "$obj"/modules-extra/modules.order 2>/dev/null | wc -l; }

# check_manifest [LIST]: modules.hashes and the table of $obj, with the
# external modules of the directories LIST (default: build.sh's).
check_manifest() (
	cd "$obj"
	[ -s modules.hashes ] || die "$obj/modules.hashes is missing or empty"
	[ "$(wc -l < modules.hashes)" = "$(module_count)" ] ||
		die "modules.hashes has $(wc -l < modules.hashes) lines for $(module_count) modules"
	# The external modules (make MODULE_HASHES_EXTRA=, build.sh), as the
	# build copied them.
	local list want=0 d external
	list=${1-$(extra_modules .)}
	for d in $list; do want=$((want + $(wc -l < "$d/modules.order"))); done
	external=$(grep -c '  modules-extra/' modules.hashes || true)
	[ "$external" = "$want" ] ||
		die "modules.hashes lists $external external modules, $want expected (${list:-none})"
	suffix=''
	! option MODULE_INSTALL_STRIP || suffix=.stripped
	sed "s/\$/$suffix/" modules.hashes | sha256sum --quiet -c ||
		die "modules.hashes does not match sha256sum of the modules${suffix:+ (stripped images)}"

	dump_section vmlinux .module_hashes "$tmp/table" ||
		die "vmlinux has no .module_hashes section"
	local magic version algo header count_at digest
	eval "$(table_layout)"
	[ $((${#magic} / 2 + 8)) = "$count_at" ] && [ $((count_at + 8)) = "$header" ] ||
		die "module_hashes.h: the header is no longer magic, version, algo, count, entry size"
	le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
	digests=$(cut -d' ' -f1 modules.hashes | LC_ALL=C sort -u)
	count=$(wc -l <<< "$digests")
	expected=$magic$(le32 "$version")$(le32 "$algo")$(le32 "$count")$(le32 "$digest")
	table=$(od -An -v -tx1 "$tmp/table" | tr -d ' \n')
	[ "${table:0:header*2}" = "$expected" ] ||
		die "bad .module_hashes header: ${table:0:header*2}, expected $expected"
	[ "$(fold -w $((digest * 2)) <<< "${table:header*2:count*digest*2}")" = "$digests" ] ||
		die ".module_hashes does not hold the sorted digests of modules.hashes"
	[[ ${table:(header + count * digest) * 2} =~ ^0*$ ]] ||
		die ".module_hashes has non-zero bytes after the table"
	echo "$name: modules.hashes matches sha256sum of $count modules ($external external), and vmlinux's .module_hashes holds them sorted"
)

# install_with DIR ARGS...: modules_install into DIR with ARGS (and no
# INSTALL_MOD_STRIP from the environment), its output in DIR.log.
install_with() {
	local dir=$1
	shift
	(unset INSTALL_MOD_STRIP; kmake "$src" "$obj" INSTALL_MOD_PATH="$dir" "$@" modules_install) > "$dir.log" 2>&1
}

# same_modules DIR DIR2: the modules installed in DIR and DIR2 are the same
# files (kernel/ and updates/, the external ones).
same_modules() {
	local d
	for d in kernel updates; do
		[ -e "$1/$d" ] || [ -e "$2/$d" ] || continue
		diff -r "$1/$d" "$2/$d" > /dev/null || return
	done
}

check_installed() {
	local moddir suffix all='' f stripped=0 same other installed
	hashes_build
	moddir=$(echo "$obj"/modinst/lib/modules/*)
	[ -d "$moddir/kernel" ] || die "$obj has no installed modules"
	mapfile -t installed < <(find "$moddir/kernel" "$moddir/updates" -type f 2>/dev/null | LC_ALL=C sort)
	[ ${#installed[@]} -gt 0 ] || die "no modules in $moddir"
	info "$name: ${#installed[@]} installed modules"
	suffix=$(compressed_suffix "$obj/.config")
	! option MODULE_COMPRESS_ALL || all=1
	for f in "${installed[@]}"; do
		[ -z "$all" ] || [[ $f == *.ko$suffix ]] || die "$f is not compressed ($suffix), with MODULE_COMPRESS_ALL"
		decompress "$f" > "$tmp/module.ko"
		has_debug_info "$tmp/module.ko" || stripped=$((stripped + 1))
	done
	[ -z "$all" ] || info "every module is compressed ($suffix)"
	# The INSTALL_MOD_STRIP that .config implies, and another (the packaging
	# scripts pass 1).
	same=() other=(INSTALL_MOD_STRIP=1)
	if option MODULE_INSTALL_STRIP; then
		[ $stripped = ${#installed[@]} ] ||
			die "MODULE_INSTALL_STRIP, but $((${#installed[@]} - stripped)) installed modules have debug information"
		has_debug_info "$obj/lib/test_module.ko" ||
			die "the build tree's lib/test_module.ko lost its debug information"
		info "every installed module is stripped; the build tree keeps the debug information"
		same=(INSTALL_MOD_STRIP=1) other=(INSTALL_MOD_STRIP=--strip-unneeded)
	elif option DEBUG_INFO; then
		[ $stripped = 0 ] || die "without MODULE_INSTALL_STRIP, $stripped installed modules have no debug information"
		info "no MODULE_INSTALL_STRIP: every installed module keeps its debug information"
	fi
	verify_all "$obj/vmlinux" "$moddir" ${#installed[@]} "$moddir"
	info "module-hashes verify: all ${#installed[@]} installed modules are accepted by vmlinux"

	install_with "$tmp/same" "${same[@]}" || { cat "$tmp/same.log"; die "modules_install ${same[*]} failed"; }
	! grep -q INSTALL_MOD_STRIP "$tmp/same.log" || { cat "$tmp/same.log"; die "modules_install ${same[*]} printed a note"; }
	same_modules "$moddir" "$tmp"/same/lib/modules/* ||
		die "modules_install ${same[*]} installed other files"
	install_with "$tmp/other" "${other[@]}" || { cat "$tmp/other.log"; die "modules_install ${other[*]} failed"; }
	[ "$(grep -c "${other[0]} ignored for in-tree modules" "$tmp/other.log")" = 1 ] ||
		{ cat "$tmp/other.log"; die "modules_install ${other[*]} did not say once that it ignored it"; }
	same_modules "$moddir" "$tmp"/other/lib/modules/* ||
		die "modules_install ${other[*]} installed other files than the build hashed"
	info "modules_install ${same[*]:-without INSTALL_MOD_STRIP} and ${other[*]}: the modules vmlinux knows, a note for the latter"

	# The C modules rebuilt with their compiler's command line recorded in
	# a section of their own: other bytes on every architecture and
	# compiler (-fno-optimize-sibling-calls, used before, is already the
	# default where FRAME_POINTER is, as on arm64).
	kmake "$src" "$obj" -j"$jobs" CFLAGS_MODULE=-frecord-gcc-switches modules > /dev/null
	! install_with "$tmp/stale" || die "modules_install installed modules rebuilt after vmlinux"
	grep -q "modules are not in the .module_hashes table .*run 'make'" "$tmp/stale.log" &&
		grep -q '^  .*\.ko' "$tmp/stale.log" ||
		{ cat "$tmp/stale.log"; die "the modules_install failure does not name a stale module"; }
	[ -z "$(find "$tmp/stale" -name '*.ko*' 2>/dev/null)" ] || die "the failed modules_install installed modules"
	info "modules_install refuses modules rebuilt after vmlinux: $(grep -m1 'not the module' "$tmp/stale.log")"
	kmake "$src" "$obj" -j"$jobs" > /dev/null
	# Not necessarily the same bytes as before: pahole before 1.26 may
	# encode module BTF in another order from one build to the next.
	rm -rf "$obj/modinst"
	install_with "$obj/modinst" || { cat "$obj/modinst.log"; die "modules_install failed after make"; }
	verify_all "$obj/vmlinux" "$(echo "$obj"/modinst/lib/modules/*)" ${#installed[@]} "$obj/modinst (after make)"
	info "after make, modules_install installs modules that vmlinux knows"
}

# An upstream attempt once stopped rebuilding deleted modules.
check_rebuild() {
	local module=lib/test_module
	# make_after WHAT FILE...: make; each FILE must be newer than before.
	make_after() {
		local what=$1 f
		shift
		sleep 1
		touch "$obj/.rebuild-mark"
		"$here/build.sh" "$name" > /dev/null
		for f; do
			[ "$(stat -c %.9Y "$obj/$f" 2>/dev/null)" \> "$(stat -c %.9Y "$obj/.rebuild-mark")" ] ||
				die "$what; make did not rebuild $f"
		done
		check_manifest
		info "$what; make: rebuilt $*"
	}
	rm -f "$obj/$module.ko"
	make_after "rm $module.ko" $module.ko vmlinux "$arch_image"
	# An edit is its mtime, so that build/src stays clean.
	touch "$src/$module.c"
	make_after "an edit of $module.c" $module.o $module.ko vmlinux "$arch_image"
	rm -f "$obj/.rebuild-mark"
}

check_kconfig() {
	local o=$tmp/obj
	"$here/build.sh" --configure-only --obj "$o" hashes-only+force
	# Without the lockdown LSM, which brings MODULE_SIG by itself.
	"$src/scripts/config" --file "$o/.config" -d SECURITY_LOCKDOWN_LSM -d SECURITY_LOCKDOWN_LSM_EARLY
	# olddefconfig_gives WHEN MAKE-ARG OPTION=VALUE...: after make MAKE-ARG
	# olddefconfig, each OPTION has VALUE ('' for not set).
	olddefconfig_gives() {
		local when=$1 arg=$2 want value got
		shift 2
		kmake "$src" "$o" ${arg:+"$arg"} olddefconfig > /dev/null
		for want; do
			value=${want#*=}
			got=$(sed -n "s/^CONFIG_${want%%=*}=//p" "$o/.config")
			[ "$got" = "$value" ] ||
				die "$when: CONFIG_${want%%=*} is '${got:-not set}', expected '${value:-not set}'"
		done
	}
	olddefconfig_gives "with rustc" "" RUST=y MODULE_HASHES=y MODULE_AUTH=y MODULE_SIG_FORCE=y \
		MODULE_SIG= SECURITY_LOCKDOWN_LSM=
	info "with rustc: MODULE_HASHES and MODULE_SIG_FORCE, no MODULE_SIG, no lockdown LSM"
	olddefconfig_gives "without rustc" RUSTC=/nonexistent/rustc RUST= MODULE_HASHES= \
		MODULE_SIG=y MODULE_AUTH=y MODULE_SIG_FORCE=y
	info "without rustc: MODULE_SIG takes over, MODULE_SIG_FORCE stays: modules are still authenticated"
	# An architecture with Rust that MODULE_HASHES is not tested on (harness/README.md,
	# "Architectures"): Kconfig does not offer it there.
	local l=$tmp/loongarch
	mkdir -p "$l"
	make -s -C "$src" O="$l" ARCH=loongarch LLVM=-19 tinyconfig > /dev/null
	"$src/scripts/config" --file "$l/.config" -e MODULES -e RUST -e MODULE_HASHES
	make -s -C "$src" O="$l" ARCH=loongarch LLVM=-19 olddefconfig > /dev/null
	grep -qx CONFIG_RUST=y "$l/.config" || die "loongarch without RUST: this check would prove nothing"
	! grep -q '^CONFIG_MODULE_HASHES=' "$l/.config" || die "loongarch, not tested here, is offered MODULE_HASHES"
	info "loongarch (Rust, not tested here): RUST, and no MODULE_HASHES"
}

# The packaging targets build again with a build version of their own:
# vmlinux and the modules' BTF anew (with pahole before 1.27 maybe in
# another order), so NAME/modinst is no longer this build's afterwards.
check_packages() {
	local format=$1 out=$obj/packages/$1 up=${obj%/*} run=() target krel image_pkg debug_pkg='' no_debug='' image moddir modules external first f
	hashes_build
	rm -rf "$out"
	mkdir -p "$out"
	krel=$(kmake "$src" "$obj" kernelrelease)
	info "$name: make $format packages of $krel"
	# The targets write next to the build directory (deb) or into it.
	# makepkg refuses to run as root, and with Debian's pacman, which knows
	# no packages, cannot check dependencies.
	case $format in
	deb) target=(bindeb-pkg); rm -f "$up"/linux-*.deb "$up"/linux-upstream_* ;;
	rpm) target=(binrpm-pkg); rm -rf "$obj/rpmbuild" ;;
	pacman) target=(MAKEPKGOPTS=--nodeps pacman-pkg) run=(as_unprivileged); rm -f "$obj"/*.pkg.tar* ;;
	*) die "unknown package format $format: deb, rpm or pacman" ;;
	esac
	"${run[@]}" bash -c '. "$0"; kmake "$@"' "$here/lib.sh" "$src" "$obj" -j"$jobs" "${target[@]}" \
		> "$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; die "make ${target[*]} failed (log: $out/build.log)"; }
	case $format in
	deb)
		mv "$up"/linux-*.deb "$out"/
		rm -f "$up"/linux-upstream_*
		extract() { dpkg-deb -x "$1" "$2"; }
		image_pkg=$(ls "$out"/linux-image-"$krel"_*.deb)
		debug_pkg=$(ls "$out"/linux-image-"$krel"-dbg_*.deb 2>/dev/null || true)
		;;
	rpm)	# kernel-debuginfo only where scripts/package/mkspec makes one
		find "$obj/rpmbuild/RPMS" -name '*.rpm' -exec mv {} "$out"/ \;
		extract() { mkdir -p "$2" && (cd "$2" && rpm2cpio "$1" | cpio -idm --quiet); }
		image_pkg=$(ls "$out"/kernel-[0-9]*.rpm)
		debug_pkg=$(ls "$out"/kernel-debuginfo-[0-9]*.rpm 2>/dev/null || true)
		;;
	pacman)
		mv "$obj"/*.pkg.tar* "$out"/
		extract() { mkdir -p "$2" && tar -xf "$1" -C "$2"; }
		image_pkg=$(ls "$out"/linux-upstream-[0-9]*.pkg.tar*)
		no_debug="the PKGBUILD's debug package has vmlinux only"
		;;
	esac
	info "packages: $(ls -I '*.log' "$out" | tr '\n' ' ')"

	extract "$image_pkg" "$tmp/image"
	# makepkg may compute another release (its user cannot run git in the
	# tree: no '+'); take the package's.
	krel=$(find "$tmp/image" -maxdepth 4 -type d -path '*/lib/modules/*' ! -path '*/lib/modules/*/*' | head -n 1)
	krel=${krel##*/}
	image=$(find "$tmp/image" -type f \( -name "vmlinuz-$krel" -o -path "*/$krel/vmlinuz" \) | head -n 1)
	moddir=$(find "$tmp/image" -type d -path "*/modules/$krel" | head -n 1)
	[ -n "$image" ] || die "$(basename "$image_pkg") has no kernel image"
	[ -d "$moddir/kernel" ] || die "$(basename "$image_pkg") has no modules"
	modules=$(find "$moddir" -type f -name '*.ko*' | wc -l)
	[ "$modules" = "$(module_count)" ] ||
		die "$(basename "$image_pkg") has $modules modules, the table of the build $(module_count)"
	mapfile -t external < <(find "$moddir/updates" -type f -name '*.ko*' 2>/dev/null)
	verify_all "$image" "$moddir" "$modules" "$(basename "$image_pkg")"
	info "$(basename "$image_pkg"): all $modules modules (${#external[@]} external, in updates/) are accepted by its $(basename "$image")"
	# The target linked vmlinux again, with its own version, and pahole
	# -j may order its BTF otherwise; the external modules (build.sh) were
	# not built again: their BTF must carry its distilled base, which the
	# kernel relocates against its own BTF when it loads them.
	if option DEBUG_INFO_BTF_MODULES && [ ${#external[@]} -gt 0 ]; then
		for f in "${external[@]}"; do
			decompress "$f" > "$tmp/external.ko"
			[[ $(llvm-readelf-19 -S -W "$tmp/external.ko") == *" .BTF.base "* ]] ||
				die "${f#"$moddir"/}: no distilled base BTF (.BTF.base): it cannot load against this package's vmlinux"
		done
		info "its external modules carry their distilled base BTF (.BTF.base), relocated at load"
	fi

	# The first module of modules.order stands for all below.
	first=$(basename "$(head -n 1 "$obj/modules.order")" .o)
	if [ -n "$debug_pkg" ]; then
		extract "$debug_pkg" "$tmp/debug"
		f=$(find "$tmp/debug" -path "*/$krel/*" -name "$first.ko*" -type f | head -n 1)
		[ -n "$f" ] || die "$(basename "$debug_pkg") has no $first.ko"
		has_debug_info "$f" || die "$(basename "$debug_pkg"): $f has no debug information"
		info "$(basename "$debug_pkg") carries the modules' debug information"
	else
		info "no debug package of the modules: ${no_debug:-scripts/package makes none for this configuration}"
	fi

	# The check must be able to fail: one module of the package tampered with.
	f=$(find "$moddir/kernel" -type f -name "$first.ko*" | head -n 1)
	decompress "$f" > "$tmp/victim.ko"
	flip_byte "$tmp/victim.ko" "$(comment_middle "$tmp/victim.ko")"
	compress_as "${f##*.ko}" "$tmp/victim.ko"
	rm -f "$f"
	mv "$tmp/victim.ko${f##*.ko}" "$f"
	! verify "$image" "$moddir" || die "module-hashes verify accepted a tampered module of the package"
	grep -q "^REJECTED .*/$first.ko" "$tmp/verify" ||
		{ cat "$tmp/verify"; die "module-hashes verify failed, but not on the tampered module"; }
	info "the check fails on a tampered module: $(grep '^REJECTED' "$tmp/verify")"
}

check_series() {
	local range=base..work targets=() config=hashes sync=1 boot='' dir=$BUILD/check-series
	local wt obj commits c i=0 n subject failed=()
	local selftest=tools/testing/selftests/module/module_auth.sh
	while [ $# -gt 0 ]; do
		case $1 in
		--no-sync) sync='' ;;
		--boot) boot=1 ;;
		--commits) range=${2:?--commits needs a range}; shift ;;
		--target) targets+=("${2:?--target needs a kbuild target}"); shift ;;
		-*) usage ;;
		*) config=$1 ;;
		esac
		shift
	done
	config_fragments "$config" > /dev/null
	check_toolchain
	[ -z "$sync" ] || "$here/tree.sh" sync
	wt=$dir/src obj=$dir/$(obj_subdir "obj-$config")
	mkdir -p "$obj"
	mapfile -t commits < <(git -C "$src" rev-list --reverse "$range")
	n=${#commits[@]}
	[ "$n" -gt 0 ] || die "no commits in $range"
	# One worktree, moved from commit to commit: a checkout rewrites only
	# the files that differ, so kbuild rebuilds only what they change.
	if ! [ -e "$wt/.git" ] || ! git -C "$wt" rev-parse --git-dir > /dev/null 2>&1; then
		rm -rf "$wt"
		git -C "$src" worktree prune
		info "creating the worktree $wt"
		git -C "$src" worktree add -q --detach "$wt" "${commits[0]}"
	fi
	# matrix: the loading-policy matrix of the commit just built, with the
	# harness pointed at the worktree ($dir/src) and this build.
	matrix() {
		local mode
		rm -rf "$obj/modinst"
		kmake "$wt" "$obj" -j"$jobs" INSTALL_MOD_PATH="$obj/modinst" modules_install > /dev/null || return 1
		for mode in "${boot_modes[@]}"; do
			BUILD=$dir APPEND="$mode kunit.enable=0" "$here/boot.sh" "${obj##*/}" > /dev/null || {
				info "the matrix fails in the boot '${mode:-default}' (log: $obj/qemu.log)"
				return 1
			}
		done
	}
	for c in "${commits[@]}"; do
		i=$((i + 1))
		subject=$(git -C "$src" log -1 --format='%h %s' "$c")
		info "[$i/$n] $subject"
		git -C "$wt" checkout -q --detach -f "$c"
		# Each commit may add Kconfig options: configure it anew.
		rm -f "$obj/.harness-config"
		if ! "$here/build.sh" --lenient --src "$wt" --obj "$obj" --configure-only "$config" \
			2> "$dir/configure.log"; then
			cat "$dir/configure.log" >&2
			failed+=("$subject (configuration)")
		elif ! kmake "$wt" "$obj" -j"$jobs" "${targets[@]}" > "$dir/build.log" 2>&1; then
			tail -n 40 "$dir/build.log" >&2
			failed+=("$subject")
			cp "$dir/build.log" "$dir/build-$i.log"
			info "[$i/$n] does not build; the log is $dir/build-$i.log"
		elif [ -n "$boot" ] && git -C "$wt" cat-file -e HEAD:$selftest 2> /dev/null &&
		     { [ "$i" = "$n" ] || ! git -C "$wt" cat-file -e HEAD~1:$selftest 2> /dev/null; }; then
			info "[$i/$n] the loading-policy matrix"
			matrix || failed+=("$subject (the loading-policy matrix)")
		fi
	done
	if [ ${#failed[@]} -gt 0 ]; then
		printf '  %s\n' "${failed[@]}" >&2
		die "${#failed[@]} of $n commits of $range fail (above): the series is not bisectable"
	fi
	info "each of the $n commits of $range builds ($config)${boot:+, and the matrix passes where the selftest comes in (the core) and at the end}"
}

# paths NAME: a build with debug information, built with the path settings
# of reproducible-builds.rst (build.sh, kmake): no object, module or vmlinux
# names its source or build directory, and its Rust modules do have debug
# information (else there would be nothing to check).
check_paths() {
	local s o d dirs files rust found
	[ -f "$obj/.harness-path-maps" ] || die "$obj is not built with path maps (no CONFIG_DEBUG_INFO?)"
	s=$(realpath "$src") o=$(realpath "$obj")
	# The kernel's directories (not the harness's or the packaging
	# targets'), without the host programs of scripts/ and tools/.
	dirs=()
	for d in "$obj"/*/; do
		d=${d%/} d=${d##*/}
		[ -f "$src/$d/Makefile" ] && [ "$d" != scripts ] && [ "$d" != tools ] && dirs+=("$obj/$d")
	done
	# And the external modules of the table (build.sh), as built and as
	# copied for it.
	[ ! -d "$obj/modules-extra" ] || dirs+=("$obj/extra" "$obj/modules-extra")
	mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.o' -o -name '*.ko' \) -print
		echo "$obj/vmlinux"; echo "$obj/vmlinux.unstripped")
	rust=$(find "$obj/samples/rust" -name '*.ko' 2>/dev/null | head -n 1)
	[ -n "$rust" ] && has_debug_info "$rust" || die "$name has no Rust module with debug information"
	found=$(printf '%s\0' "${files[@]}" | xargs -0 grep -lF -e "$s" -e "$o" || true)
	if [ -n "$found" ]; then
		echo "$found" | head -n 20 | while read -r f; do
			echo "  ${f#"$o"/}: $(grep -aoF -e "$s" -e "$o" "$f" | head -n 1)..."
		done >&2
		die "$(echo "$found" | wc -l) of ${#files[@]} files of $name name $s or $o"
	fi
	info "none of the ${#files[@]} objects, modules and vmlinux of $name names $s or $o"
}

# The external modules of the table (build.sh: make MODULE_HASHES_EXTRA=,
# as kmake passes it).
check_extra() {
	local list first slots image unstripped before range f
	hashes_build
	list=$(extra_modules "$obj") first=${list%% *}
	[ -n "$list" ] || die "$name has no external modules in its table (CONFIG_MODULE_HASHES_EXTRA_SLOTS)"
	# Whatever happens below, the build is left with its own list.
	trap 'kmake "$src" "$obj" -j"$jobs" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
	slots=$(sed -n 's/^CONFIG_MODULE_HASHES_EXTRA_SLOTS=//p' "$obj/.config")
	image=$obj/$arch_image
	stamps() { stat -c %.9Y "$obj/vmlinux" "$image" "$obj/vmlinux.unstripped"; }
	# Up to date first (an earlier run of this check may have stopped
	# with another list), then again.
	kmake "$src" "$obj" -j"$jobs" > /dev/null
	cp "$obj/vmlinux" "$tmp/vmlinux"
	unstripped=$(sha256sum < "$obj/vmlinux.unstripped")
	before=$(stamps)

	kmake "$src" "$obj" -j"$jobs" > /dev/null
	[ "$(stamps)" = "$before" ] || die "make with the same MODULE_HASHES_EXTRA wrote vmlinux or bzImage again"
	info "make with the same external modules: vmlinux, vmlinux.unstripped and bzImage untouched"

	# Another list: the table is in-tree + that list, and only the table
	# changed (not vmlinux.unstripped, whose BTF the modules were built on).
	install_with "$tmp/one" || { cat "$tmp/one.log"; die "modules_install failed"; }
	kmake "$src" "$obj" -j"$jobs" MODULE_HASHES_EXTRA="$first" > /dev/null
	[ "$(module_count)" = $(($(wc -l < "$obj/modules.order") + $(wc -l < "$first/modules.order"))) ] ||
		die "MODULE_HASHES_EXTRA=$first: the table has $(module_count) modules"
	(check_manifest "$first") > /dev/null
	[ "$(sha256sum < "$obj/vmlinux.unstripped")" = "$unstripped" ] || die "MODULE_HASHES_EXTRA changed vmlinux.unstripped"
	[ "$(stat -c %.9Y "$image")" \> "$(stat -c %.9Y "$tmp/vmlinux")" ] || die "MODULE_HASHES_EXTRA did not rebuild bzImage"
	range=$(llvm-readelf-19 -S -W "$obj/vmlinux" | sed 's/^ *\[ *[0-9]*\] *//' |
		awk '$1 == ".module_hashes" { print $4, $5 }')
	[ -n "$range" ] || die "vmlinux has no .module_hashes section"
	range="$((16#${range% *})) $((16#${range% *} + 16#${range#* }))"
	# (cmp fails when the files differ, as they must.)
	{ cmp -l "$tmp/vmlinux" "$obj/vmlinux" || true; } | awk -v lo="${range% *}" -v hi="${range#* }" '
		{ n++ } $1 - 1 < lo || $1 - 1 >= hi { out++ }
		END { if (!n || out) { printf "%d bytes differ, %d outside the table\n", n, out; exit 1 } }' ||
		die "MODULE_HASHES_EXTRA=$first did not change vmlinux in its .module_hashes only"
	# Over the install of the whole list: the others must go.
	install_with "$tmp/one" || { cat "$tmp/one.log"; die "modules_install failed"; }
	[ "$(find "$tmp"/one/lib/modules/*/updates -name '*.ko*' -printf '%f\n' | sed 's/\.ko.*//' | LC_ALL=C sort)" = \
	  "$(module_names "$first/modules.order")" ] ||
		die "modules_install over an earlier one did not leave exactly the external modules of $first"
	info "MODULE_HASHES_EXTRA=$first: the table holds in-tree + its modules, vmlinux changed in .module_hashes only, bzImage rebuilt; modules_install over the earlier one leaves exactly its modules"

	# Bad lists: a clear error, and vmlinux left as it is.
	mkdir -p "$tmp/many" "$tmp/same-name" "$tmp/not-elf"
	for f in $(seq 0 "$slots"); do
		cp "$obj/modules-extra/hello_oot.ko" "$tmp/many/m$f.ko"
		echo "m$f.o" >> "$tmp/many/modules.order"
	done
	cp "$obj/modules-extra/hello_oot.ko" "$tmp/same-name/"
	echo 'obj-m := not_elf.o' > "$tmp/not-elf/not_elf.ko"
	before=$(stamps)
	bad_list() { # bad_list LIST MESSAGE
		! kmake "$src" "$obj" -j"$jobs" MODULE_HASHES_EXTRA="$1" > "$tmp/bad.log" 2>&1 ||
			die "MODULE_HASHES_EXTRA=$1 did not fail"
		grep -qF "$2" "$tmp/bad.log" || { cat "$tmp/bad.log"; die "MODULE_HASHES_EXTRA=$1 did not say: $2"; }
		info "MODULE_HASHES_EXTRA=${1//$tmp\//}: $(grep -m1 -F "$2" "$tmp/bad.log")"
	}
	bad_list "$tmp/none" "MODULE_HASHES_EXTRA: \"$tmp/none\" does not exist"
	bad_list "$obj/.config" "is neither a module (.ko) nor a directory with a modules.order"
	bad_list "$tmp/many" "$((slots + 1)) external modules, but CONFIG_MODULE_HASHES_EXTRA_SLOTS=$slots makes room for fewer"
	bad_list "$first $tmp/same-name/hello_oot.ko" "two external modules have the same name"
	[ "$(stamps)" = "$before" ] || die "a bad MODULE_HASHES_EXTRA wrote vmlinux"
	bad_list "$tmp/not-elf/not_elf.ko" "not_elf.ko: not an ELF file"

	# No list: in-tree modules only.
	kmake "$src" "$obj" -j"$jobs" MODULE_HASHES_EXTRA= > /dev/null
	[ "$(module_count)" = "$(wc -l < "$obj/modules.order")" ] && ! [ -e "$obj/modules-extra" ] ||
		die "MODULE_HASHES_EXTRA= (none) left external modules in the table"
	(check_manifest "") > /dev/null
	info "MODULE_HASHES_EXTRA= (none): the table holds the in-tree modules only"

	kmake "$src" "$obj" -j"$jobs" > /dev/null
	cmp -s "$tmp/vmlinux" "$obj/vmlinux" || die "make with the list of build.sh again did not give the same vmlinux"
	info "make with the list of build.sh again: the same vmlinux as before, bit for bit"
}

# relink NAME: build.sh again after the packaging targets (make check's
# last row of a distribution build): vmlinux is linked again, and pahole
# -j orders its BTF otherwise, while the external modules of the table are
# not built again; they must still load by hash, their BTF relocated from
# its distilled base.
check_relink() {
	local btf ko unstripped
	hashes_build
	[ -n "$(extra_modules "$obj")" ] || die "$name has no external modules in its table"
	ko=$(stat -c '%n %.9Y' "$obj"/extra/*/*.ko) unstripped=$(sha256sum < "$obj/vmlinux.unstripped")
	dump_section "$obj/vmlinux" .BTF "$tmp/btf"
	"$here/build.sh" "$name" > /dev/null
	[ "$(stat -c '%n %.9Y' "$obj"/extra/*/*.ko)" = "$ko" ] || die "build.sh built the external modules again"
	[ "$(sha256sum < "$obj/vmlinux.unstripped")" != "$unstripped" ] || die "build.sh did not link vmlinux again"
	dump_section "$obj/vmlinux" .BTF "$tmp/btf-now"
	cmp -s "$tmp/btf" "$tmp/btf-now" && btf="the same BTF" || btf="BTF in another order"
	info "$name: vmlinux linked again ($btf), the external modules as they were"
	APPEND='' "$here/boot.sh" "$name"
}

case ${1:-} in
paths) [ $# = 2 ] || usage; name=$2 obj=$(obj_dir "$2"); check_paths ;;
manifest|installed|rebuild|extra|relink) [ $# = 2 ] || usage; name=$2 obj=$(obj_dir "$2"); "check_$1" ;;
packages) [ $# = 3 ] || usage; name=$2 obj=$(obj_dir "$2"); check_packages "$3" ;;
kconfig) [ $# = 1 ] || usage; check_kconfig ;;
series) shift; check_series "$@" ;;
*) usage ;;
esac
