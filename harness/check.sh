#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check / make check-full: every test, as steps, with a summary.
#
# Usage: check.sh [full|debug]
#
# debug: only the debug-kernel run (KASAN and kmemleak, configs/debug.config)
# of the hashes configuration's matrix; full includes it.
# Each step runs even when an earlier one failed (except those that need a
# kernel that failed to build); the exit status is non-zero when any failed.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cd "$root"
use_build_dir
full=${1:-}

# boot CONFIG APPEND: a scripted guest run of a built configuration.
boot() {
	APPEND="$2" "$here/qemu.sh" "$1"
}

if [ "$full" != debug ]; then
step "harness self-tests" "$here/tests/run.sh"
step "host tool: cargo test" cargo test --quiet
# The maintainers' tools: checkpatch, rustfmt, clippy, rustdoc, Sphinx.
step "lint" "$here/lint.sh"
step "Kconfig: enforcement survives a build host without Rust" "$here/check-kconfig.sh"
fi

# log_shows CONFIG PATTERN: does the serial log of the last boot of CONFIG
# have a line that matches grep -E PATTERN?  (Not tr | grep -q: grep
# exits at the first match, and under pipefail tr's SIGPIPE would make a
# long log look like a miss.)
log_shows() {
	local log
	log=$(tr -d '\r' < "$BUILD/$1/qemu.log")
	grep -qE "$2" <<< "$log"
}

# boot_expecting CONFIG APPEND PATTERN...: a scripted run whose serial log
# must also match each grep -E PATTERN (for example KUnit suites that ran).
boot_expecting() {
	local config=$1 append=$2 pattern
	shift 2
	boot "$config" "$append" || return 1
	for pattern in "$@"; do
		log_shows "$config" "$pattern" || {
			echo "harness: error: the log of $config does not show: $pattern" >&2
			return 1
		}
	done
}

# The loading-policy matrix: each configuration in each boot mode.  The
# first boot of the hashes configuration also runs the KUnit suites.
modes=("module.sig_enforce=1" "lockdown=integrity" "lockdown=confidentiality")
matrix() {
	local c=$1 mode
	shift
	step "$c: module variants" "$here/prepare-variants.sh" "$c" || return 0
	for mode in "$@"; do
		step "boot $c: ${mode:-default}" boot "$c" "$mode kunit.enable=0"
	done
}

# boot_failing CONFIG APPEND PATTERN: a scripted run that must fail, with a
# serial log that matches grep -E PATTERN (the failure it is meant to show).
boot_failing() {
	local config=$1 append=$2 pattern=$3
	if boot "$config" "$append"; then
		echo "harness: error: the boot of $config with '$append' passed" >&2
		return 1
	fi
	log_shows "$config" "$pattern" || {
		echo "harness: error: $config failed, but its log does not show: $pattern" >&2
		return 1
	}
}

# The debug kernel: KASAN and kmemleak over the whole matrix of the hashes
# configuration; a KASAN report panics the guest (kasan.fault=panic), a leak
# fails 99-debug-reports, and a deliberate leak proves that it would.
debug_matrix() {
	local c=hashes+debug mode
	step "build $c" "$here/build-kernel.sh" "$c" || return 0
	step "$c: module variants" "$here/prepare-variants.sh" "$c" || return 0
	for mode in "" "${modes[@]}"; do
		# Under lockdown, debugfs and so kmemleak cannot be read.
		step "boot $c: ${mode:-default}" boot_expecting "$c" \
			"$mode kunit.enable=0 kasan.fault=panic" '^ok [0-9]+ - KASAN reported no memory error' \
			"^ok [0-9]+ - kmemleak$([ "${mode#lockdown}" = "$mode" ] && echo ' found no leak')"
	done
	step "boot $c: a deliberate leak is found" boot_failing "$c" \
		"kunit.enable=0 harness.leak" '^not ok [0-9]+ - kmemleak found no leak'
}

# A distribution's build (configs/distro.config: MODVERSIONS with
# GENDWARFKSYMS, BTF modules, every module compressed, lockdown forced to
# integrity): once with zstd and MODULE_INSTALL_STRIP, once with xz and
# without it.  The installed tree is checked on the host (stripped or not,
# compressed, accepted by module-hashes verify, INSTALL_MOD_STRIP at
# modules_install ignored with a note, a stale module refused) and loaded
# in the guest as kmod would; then packaged by the kernel's own targets
# (bindeb-pkg; with "all", binrpm-pkg and pacman-pkg too).
distro() {
	local c=$1
	step "build $c" "$here/build-kernel.sh" "$c" || return 0
	step "$c: manifest and vmlinux table" "$here/check-manifest.sh" "$c"
	step "$c: installed modules on the host" "$here/check-installed.sh" "$c"
	if step "$c: out-of-tree and tampered modules" "$here/prepare-installed-checks.sh" "$c"; then
		step "boot $c: installed modules under lockdown" boot_expecting "$c" "" \
			'^ok [0-9]+ - lockdown is forced to integrity' \
			'^ok [0-9]+ - vfat: does not load before its dependencies' \
			'^ok [0-9]+ - vfat: loads with its dependencies' \
			'^ok [0-9]+ - test_module-tampered.ko.* is rejected' \
			'^ok [0-9]+ - hello_oot-signed.ko.* loads' \
			'^ok [0-9]+ - hello_oot-signed.ko.*: no digest logged' \
			'^ok [0-9]+ - hello_oot-other-key.ko.* is rejected'
	fi
	# Last: the packaging targets build again (with their own
	# KBUILD_BUILD_VERSION), after which modinst/ is not this build's.
	step "$c: make bindeb-pkg, the package's modules against its kernel" \
		"$here/check-packages.sh" "$c" deb
	if [ "${2:-}" = all ]; then
		step "$c: make binrpm-pkg, the package's modules against its kernel" \
			"$here/check-packages.sh" "$c" rpm
		step "$c: make pacman-pkg, the package's modules against its kernel" \
			"$here/check-packages.sh" "$c" pacman
	fi
}

if [ "$full" = debug ]; then
	debug_matrix
elif step "build hashes" "$here/build-kernel.sh" hashes; then
	step "hashes: manifest and vmlinux table" "$here/check-manifest.sh" hashes
	step "host tool: list and verify on the real build" cargo test --quiet -- --ignored
	step "hashes: rm a .ko or edit its source, make" "$here/check-rebuild.sh" hashes
	step "boot hashes: KUnit" boot_expecting hashes "" \
		'^ok [0-9]+ rust_kernel_sha256$' '^ok [0-9]+ module_hashes$'
	matrix hashes "" "${modes[@]}"
fi
if [ "$full" != debug ] && step "build hashes-only" "$here/build-kernel.sh" hashes-only; then
	step "hashes-only: manifest and vmlinux table" "$here/check-manifest.sh" hashes-only
	matrix hashes-only "" "${modes[@]}"
fi
# The xz variant differs from distro only in MODULE_COMPRESS_XZ and
# MODULE_INSTALL_STRIP, so it is built in distro's directory (a symlink), after
# distro's checks: kbuild rebuilds what those two touch in about a minute,
# where a build of its own would take thirteen of CI's sixty.  The next
# run's distro build turns the directory back the same way.
share_build_dir() {
	[ -L "$BUILD/$2" ] || rm -rf "${BUILD:?}/$2"
	ln -sfn "$1" "$BUILD/$2"
}
if [ "$full" != debug ]; then
	distro hash-or-sig+distro all
	share_build_dir hash-or-sig+distro hash-or-sig+distro+xz
	distro hash-or-sig+distro+xz
fi
if [ "$full" = full ]; then
	if step "build plain (MODULE_SIG only)" "$here/build-kernel.sh" plain; then
		matrix plain "" "${modes[@]}"
	fi
	if step "build none" "$here/build-kernel.sh" none; then
		matrix none "" "module.sig_enforce=1"
	fi
	# MODULE_SIG_FORCE on a hashes-only kernel: the default boot enforces.
	if step "build hashes-only+force" "$here/build-kernel.sh" hashes-only+force; then
		matrix hashes-only+force ""
	fi
fi

if [ "$full" = full ]; then
	debug_matrix
fi

if [ "$full" != debug ]; then
	step "series applies with git am" "$here/tree.sh" series
fi
if [ "$full" = full ]; then
	step "series is bisectable: each commit builds, the hook's commit passes the matrix" \
		"$here/check-series.sh" --boot
	# The project's claim, with the contrast and the self-check (about an
	# hour: six builds without ccache).
	step "reproducible: hashes-only and hash-or-sig identical, signed differs" \
		env REPRO_EXPECT_DIFFERENT=signed "$here/repro.sh" hashes-only hash-or-sig signed
	step "Debian's configuration, packages and system (make check-debian)" "$here/debian/check.sh"
fi

step_summary check
