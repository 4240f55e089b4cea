#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check / make check-full: every test, as steps, with a summary.
#
# Usage: check.sh [full]
#
# Each step runs even when an earlier one failed (except those that need a
# kernel that failed to build); the exit status is non-zero when any failed.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
cd "$root"
full=${1:-}

declare -a names results
step() {
	local name=$1 start=$SECONDS
	shift
	echo "=== $name"
	if "$@"; then
		results+=("pass")
	else
		results+=("FAIL")
	fi
	names+=("$name ($((SECONDS - start))s)")
}

# boot CONFIG APPEND: a scripted guest run of a built configuration.
boot() {
	APPEND="$2" "$here/qemu.sh" "$1"
}

step "harness self-tests" "$here/tests/run.sh"
step "host tool: cargo test" cargo test --quiet
# The maintainers' tools: checkpatch, rustfmt, clippy, rustdoc, Sphinx.
step "lint" "$here/lint.sh"

# boot_expecting CONFIG APPEND PATTERN...: a scripted run whose serial log
# must also match each grep -E PATTERN (for example KUnit suites that ran).
boot_expecting() {
	local config=$1 append=$2 pattern
	shift 2
	boot "$config" "$append" || return 1
	for pattern in "$@"; do
		tr -d '\r' < "${BUILD:-$root/build}/$config/qemu.log" | grep -qE "$pattern" || {
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

if step "build hashes" "$here/build-kernel.sh" hashes; then
	step "hashes: manifest and vmlinux table" "$here/check-manifest.sh" hashes
	step "host tool: list and verify on the real build" cargo test --quiet -- --ignored
	step "hashes: rm a .ko or edit its source, make" "$here/check-rebuild.sh" hashes
	step "boot hashes: KUnit" boot_expecting hashes "" \
		'^ok [0-9]+ rust_kernel_sha256$' '^ok [0-9]+ module_hashes$'
	matrix hashes "" "${modes[@]}"
fi
if step "build hashes-only" "$here/build-kernel.sh" hashes-only; then
	step "hashes-only: manifest and vmlinux table" "$here/check-manifest.sh" hashes-only
	matrix hashes-only "" "${modes[@]}"
fi
if [ "$full" = full ]; then
	if step "build plain (MODULE_SIG only)" "$here/build-kernel.sh" plain; then
		matrix plain "" "${modes[@]}"
	fi
	if step "build none" "$here/build-kernel.sh" none; then
		matrix none "" "module.sig_enforce=1"
	fi
fi

step "series applies with git am" "$here/tree.sh" series
if [ "$full" = full ]; then
	step "series is bisectable: each commit builds" "$here/check-series.sh"
fi

echo
echo "=== summary"
pass=0 fail=0
for i in "${!names[@]}"; do
	printf '%-5s %s\n' "${results[$i]}" "${names[$i]}"
	if [ "${results[$i]}" = pass ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "check: $pass passed, $fail failed"
[ "$fail" = 0 ]
