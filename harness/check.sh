#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check / check-full / check-debug: the suites below, as steps, with a
# summary.  Usage: check.sh [full|debug|--list]  (--list: print every
# row, the targets that run it and the build it needs, and run nothing)
#
# Each row: when (c: make check and check-full; f: check-full only; d:
# check-debug and check-full), the build it needs ("-": none; ARCH/NAME for
# another architecture than x86_64), a name and a command.  A row whose
# build failed is skipped; every other row runs even when an earlier one
# failed, and the exit status says whether any failed.  A boot passes on
# ktap.py's verdict of its KTAP (boot.sh).  ONLY=REGEX (make ONLY=...)
# runs only the rows whose names match it (bash =~: escape the '+' of
# configuration names), for one part of a run.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cd "$root"
use_build_dir
# Each row says its architecture (on_arch); ARCH= would move the x86_64
# rows to another one under their names.
[ "$HARNESS_ARCH" = x86_64 ] ||
	die "check.sh runs every architecture itself (ARCH=$HARNESS_ARCH given); choose rows with ONLY="
# A regular expression that bash can use (status 2: it cannot).
[[ x =~ ${ONLY:-} ]]; [ $? != 2 ] || die "ONLY='$ONLY' is not a regular expression (bash =~)"
run=${1:-check}
case $run in check|full|debug|--list) ;; *) die "usage: check.sh [full|debug|--list]" ;; esac
declare -A broken=()
listed=0

suite() { # suite WHEN BUILD NAME COMMAND...
	local when=$1 build=$2 name=$3
	shift 3
	if [ "$run" = --list ]; then
		case $when in
		c) when="check check-full" ;; f) when="check-full" ;; d) when="check-debug check-full" ;;
		esac
		printf '%-22s %-26s %s\n' "$when" "$build" "$name"
		listed=$((listed + 1))
		return 0
	fi
	case $run:$when in check:c|full:*|debug:d) ;; *) return 0 ;; esac
	[[ $name =~ ${ONLY:-} ]] || return 0
	[ -z "${broken[$build]:-}" ] || return 0
	step "$name" "$@" || { [ "${name%% *}" != build ] || broken[$build]=1; }
}
boot() { # boot APPEND [boot.sh option...] CONFIG
	APPEND=$1 "$here/boot.sh" "${@:2}"
}
kunit() { # kunit WHEN CONFIG: the boot that runs KUnit, whose suites must pass
	local b
	b=$(obj_subdir "$2")
	suite "$1" "$b" "boot $b: KUnit" boot "" --require rust_kernel_sha2 --require module_hashes "$2"
}
matrix() { # [extra=APPEND] [QEMU_SMP=N] matrix WHEN CONFIG MODE...
	local when=$1 c=$2 b mode
	b=$(obj_subdir "$c")
	for mode in "${@:3}"; do
		suite "$when" "$b" "boot $b: ${mode:-default}${extra:+ $extra}${QEMU_SMP:+, $QEMU_SMP vCPUs}" \
			boot "$mode kunit.enable=0${extra:+ $extra}" "$c"
	done
}
# secure_boot WHEN CONFIG: CONFIG under UEFI Secure Boot (boot.sh
# --secure-boot): locked down by the firmware's Secure Boot alone, in-tree
# modules load by hash and unknown ones are refused.
secure_boot() {
	suite "$1" "$2" "boot $2: UEFI Secure Boot (OVMF, our keys), locked down by it" \
		boot "kunit.enable=0" --secure-boot "$2"
}
# on_arch WHEN ARCH CONFIG...: the CONFIGs built, checked on the host and
# booted through the loading-policy matrix for ARCH (lib.sh) as for x86_64,
# KUnit too where CONFIG has it (hashes).
on_arch() {
	local when=$1 c b saved=$HARNESS_ARCH
	export HARNESS_ARCH=$2
	for c in "${@:3}"; do
		b=$(obj_subdir "$c")
		suite "$when" "$b" "build $b" "$here/build.sh" "$c"
		suite "$when" "$b" "$b: manifest and vmlinux table" "$here/checks.sh" manifest "$c"
		suite "$when" "$b" "$b: installed modules on the host" "$here/checks.sh" installed "$c"
		[ "$c" != hashes ] || kunit "$when" "$c"
		matrix "$when" "$c" "${boot_modes[@]}"
	done
	export HARNESS_ARCH=$saved
}
oracle_proof() { # oracle_proof CONFIG
	boot "module_auth.expect=e kunit.enable=0" --expect-fail 30-module-auth \
		--expect-fail 40-installed-modules --expect-fail 05-concurrent-loads "$1" &&
	grep -q 'not ok .*the kernel enforces the boot mode asked for: asked for e, the kernel reports d' \
		"$(obj_dir "$1")/qemu.log"
}
distro() { # distro CONFIG PACKAGE-FORMAT...: a distribution's build (configs/distro.config)
	local c=$1 f
	suite c "$c" "build $c" "$here/build.sh" "$c"
	suite c "$c" "$c: no source or build path in its objects (reproducible-builds.rst)" \
		"$here/checks.sh" paths "$c"
	suite c "$c" "$c: manifest and vmlinux table" "$here/checks.sh" manifest "$c"
	suite c "$c" "$c: installed modules on the host" "$here/checks.sh" installed "$c"
	suite c "$c" "boot $c: installed modules, lockdown forced" boot "" "$c"
	secure_boot c "$c"
	# Last: the packaging targets build again, with their own version.
	for f in "${@:2}"; do
		suite c "$c" "$c: make $f packages, their modules against their kernel" \
			"$here/checks.sh" packages "$c" "$f"
	done
	# Then vmlinux linked once more (pahole -j orders its BTF otherwise),
	# the external modules of the table not built again: they load, their
	# BTF relocated from its distilled base.
	suite c "$c" "boot $c: linked again, external modules not rebuilt" "$here/checks.sh" relink "$c"
}
# hash-or-sig+distro+xz differs from distro in compression and strip only:
# it is built in distro's directory, a rebuild of a minute.
share_build_dir() { [ -L "$BUILD/$2" ] || rm -rf "${BUILD:?}/$2"; ln -sfn "$1" "$BUILD/$2"; }

suite c - "harness self-tests" "$here/tests/run.sh"
suite c - "lint: checkpatch, rustfmt, clippy, rustdoc, Sphinx" "$here/lint.sh"
suite c - "Kconfig: enforcement survives a build host without Rust; only tested architectures" "$here/checks.sh" kconfig
suite c hashes "build hashes" "$here/build.sh" hashes
# After a build: the tests read the patched tree (.cargo/config.toml).
suite c - "host programs: cargo test" cargo test --quiet
suite c - "writer's kbuild glue on scratch trees" "$here/kbuild-hashes.sh"
suite c - "size of the series' code: writer, tools, kernel" "$here/count-lines.sh"
suite c hashes "hashes: manifest and vmlinux table" "$here/checks.sh" manifest hashes
suite c hashes "host tool: list and verify on the real build" cargo test --quiet -- --ignored
suite c hashes "hashes: rm a .ko or edit its source, make" "$here/checks.sh" rebuild hashes
kunit c hashes
matrix c hashes "${boot_modes[@]}"
# Four vCPUs: the concurrent loaders (guest/tests/05-concurrent-loads) on
# SMP, and under enforcement the short fuzz run (80-fuzz).
QEMU_SMP=4 extra=harness.fuzz=1000 matrix c hashes module.sig_enforce=1
secure_boot c hashes
suite c hashes "boot hashes: the same image unsigned, refused by the Secure Boot firmware" \
	boot "kunit.enable=0" --unsigned hashes
# A kernel developer's loop (vng.sh): virtme-ng boots the kernel from its
# build directory with the host's userspace and kmod.  The options it needs
# (configs/vng.config), then MODULE_INSTALL_STRIP, are rebuilds of hashes
# in place, after the rest of it.
[ "$run" = debug ] || [ "$run" = --list ] ||
	{ share_build_dir hashes hashes+vng; share_build_dir hashes hashes+vng+strip; }
suite c hashes+vng "build hashes+vng (hashes rebuilt with virtme-ng's options)" "$here/build.sh" hashes+vng
suite c hashes+vng "vng -r, module.sig_enforce=1: the build tree's modules by hash with the host's modprobe, a flipped copy refused, the selftest" \
	"$here/vng.sh" dev-loop hashes+vng
suite c hashes+vng "vng -r, module.sig_enforce=1: the module selftests as make kselftest-install and run_kselftest.sh run them" \
	"$here/vng.sh" kselftest hashes+vng
suite c hashes+vng+strip "build hashes+vng+strip (the same, modules stripped before they are hashed)" \
	"$here/build.sh" hashes+vng+strip
suite c hashes+vng+strip "vng -r, MODULE_INSTALL_STRIP: the build tree's modules refused, the kernel says why once, the stripped copies load" \
	"$here/vng.sh" strip hashes+vng+strip
suite c hashes-only "build hashes-only" "$here/build.sh" hashes-only
suite c hashes-only "hashes-only: manifest and vmlinux table" "$here/checks.sh" manifest hashes-only
suite c hashes-only "hashes-only: external modules: make again, another list, bad lists" \
	"$here/checks.sh" extra hashes-only
matrix c hashes-only "${boot_modes[@]}"
QEMU_SMP=4 matrix c hashes-only ""
QEMU_SMP=4 extra=harness.fuzz=1000 matrix c hashes-only lockdown=integrity
secure_boot c hashes-only
# The oracle does not trust the kernel: a boot that asks for
# module.sig_enforce (module_auth.expect=e) and does not get it fails,
# naming both modes.
suite c hashes-only "boot hashes-only: asked for module.sig_enforce, not booted with it: the tests fail" \
	oracle_proof hashes-only
suite c hashes-only "boot hashes-only: an injected failing guest test fails the boot" \
	env EXTRA_GUEST_FILES="$here/guest/injected-failure:/tests/module-hashes/50-injected-failure" \
	"$here/boot.sh" --expect-fail 50-injected-failure hashes-only
distro hash-or-sig+distro deb rpm pacman
[ "$run" = debug ] || [ "$run" = --list ] || share_build_dir hash-or-sig+distro hash-or-sig+distro+xz
distro hash-or-sig+distro+xz deb
# The other architectures: arm64 here, riscv64, 32-bit ARM and big-endian
# s390x in check-full.
on_arch c arm64 hashes hashes-only
on_arch f riscv hashes hashes-only
on_arch f arm hashes-only
on_arch f s390 hashes-only
suite f plain "build plain (MODULE_SIG only)" "$here/build.sh" plain
matrix f plain "${boot_modes[@]}"
suite f none "build none" "$here/build.sh" none
matrix f none "" module.sig_enforce=1
suite f hashes-only+force "build hashes-only+force" "$here/build.sh" hashes-only+force
matrix f hashes-only+force ""
# Unusable tables: the kernel boots, says so once, and knows no module.
suite f hashes-only "hashes-only: unusable tables (placeholder, unsorted, truncated, version 2)" \
	"$here/badtable.sh" hashes-only
# Secure Boot with IMA's architecture policy and no lockdown LSM: the
# policy sets module.sig_enforce, and unknown modules are refused.
suite f hashes-only+ima "build hashes-only+ima" "$here/build.sh" hashes-only+ima
secure_boot f hashes-only+ima
# The same kernel without Secure Boot: nothing enforces (column d).
matrix f hashes-only+ima ""
# make bench's kernel, without its inputs (Debian's modules): the table's
# benchmark runs and checks its lookups; the authentication one skips.
suite f hashes+bench "build hashes+bench" "$here/build.sh" hashes+bench
suite f hashes+bench "boot hashes+bench: the benchmarks' suites" \
	boot harness.suite=bench --require module_hashes_bench hashes+bench
# KASAN panics the guest on a report; 99-debug-reports fails on a leak
# (and must on a deliberate one) and on any report of lockdep, UBSAN and
# DEBUG_ATOMIC_SLEEP.  Lockdown is raised by /init (harness.lockdown=),
# after it opened kmemleak, which lockdown then keeps readable.  Two
# vCPUs for the concurrent loaders: with four, on one host thread (TCG's
# thread=single), a boot of the debug kernel takes over 20 minutes.  A log
# buffer that holds the whole run: the checks read it from its start.
debug_modes=("" module.sig_enforce=1 harness.lockdown=integrity harness.lockdown=confidentiality)
d=hashes+debug
suite d $d "build $d" "$here/build.sh" $d
QEMU_SMP=2 QEMU_TIMEOUT=1800 extra="kasan.fault=panic log_buf_len=16M" matrix d $d "${debug_modes[@]}"
suite d $d "boot $d: a deliberate leak is found" \
	env QEMU_TIMEOUT=1800 APPEND="kunit.enable=0 harness.leak" "$here/boot.sh" --expect-fail 99-debug-reports $d
# Fault injection and the long fuzz run, under module.sig_enforce.
QEMU_TIMEOUT=1800 extra="kasan.fault=panic log_buf_len=16M harness.faults" matrix d $d module.sig_enforce=1
QEMU_TIMEOUT=3600 extra="kasan.fault=panic log_buf_len=16M harness.fuzz=10000" matrix d $d module.sig_enforce=1
# KCSAN cannot be built with KASAN: a row of its own.
d=hashes+kcsan
suite d $d "build $d" "$here/build.sh" $d
QEMU_SMP=2 QEMU_TIMEOUT=1800 extra=log_buf_len=16M matrix d $d "${debug_modes[@]}"
suite c - "series applies with git am" "$here/tree.sh" series
suite f - "series is bisectable; the core's last commit passes the matrix" "$here/checks.sh" series --boot
suite f - "reproducible from another source path: hashes-only and hash-or-sig+distro(+xz) identical, signed differs" \
	env REPRO_EXPECT_DIFFERENT=signed REPRO_PUBLISH=1 "$here/repro/repro.sh" hashes-only hash-or-sig+distro hash-or-sig+distro+xz signed
suite f - "Debian's configuration, packages and system (make check-debian)" "$here/debian/check.sh"
suite f - "Debian's configuration and packages reproducible, two builds at two paths (make repro CONFIG=debian)" \
	"$here/repro/repro.sh" debian
# llvm-objcopy with /dev/null or /dev/stdout as its output file replaces
# it, as root, with a regular file (dump_section in lib/elf.sh); nothing
# may do that again.
suite c - "the host's /dev/null and /dev/stdout are still what they were" \
	sh -c 'test -c /dev/null && { test -L /dev/stdout || test -c /dev/stdout; }'
[ "$run" != --list ] || { echo "$listed rows"; exit 0; }
# A typo in ONLY, or a '+' not escaped, would otherwise pass with no row.
[ ${#step_names[@]} -gt 0 ] || die "ONLY='${ONLY:-}' matches no row of make $run"
target="make check" result=check.txt
[ "$run" = check ] || target="make check-$run" result=check-$run.txt
# A whole run is the record (results/); a run of some rows is not.
[ -z "${ONLY:-}" ] || result=
step_summary "$target" $result
