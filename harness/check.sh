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

# The configurations CI builds and boots, with the boot modes of each.
configs=(plain)
[ "$full" = full ] && configs+=()
for c in "${configs[@]}"; do
	if step "build $c" "$here/build-kernel.sh" "$c"; then
		step "boot $c" boot "$c" ""
	fi
done

step "series applies with git am" "$here/tree.sh" series

echo
echo "=== summary"
pass=0 fail=0
for i in "${!names[@]}"; do
	printf '%-5s %s\n' "${results[$i]}" "${names[$i]}"
	if [ "${results[$i]}" = pass ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "check: $pass passed, $fail failed"
[ "$fail" = 0 ]
