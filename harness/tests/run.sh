#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness's own tests: each test-*.sh here is run in a fresh temporary
# directory and prints TAP.  Fast: they use a tiny fake kernel tree, never
# a real download or build.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
for t in "$here"/test-*.sh; do
	tmp=$(mktemp -d)
	out=$(cd "$tmp" && bash "$t" 2>&1)
	echo "# $(basename "$t")"
	sed 's/^/  /' <<< "$out"
	p=$(grep -c '^ok ' <<< "$out")
	f=$(grep -c '^not ok ' <<< "$out")
	passed=$((passed + p))
	failed=$((failed + f))
	rm -rf "$tmp"
done
echo "harness: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
