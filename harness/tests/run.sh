#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness's own tests: each test-*.sh here is run in a fresh temporary
# directory and prints TAP.  Fast: they use a tiny fake kernel tree, never
# a real download or build.  Each script's output is judged by ktap.py
# from its parsed results, so a script that stops early (fewer results
# than its plan) fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
outs=$(mktemp -d)
trap 'rm -rf "$outs"' EXIT
passed=0 failed=0 bad=()
for t in "$here"/test-*.sh; do
	name=$(basename "$t" .sh)
	tmp=$(mktemp -d)
	(cd "$tmp" && bash "$t") > "$outs/$name.tap" 2>&1
	rm -rf "$tmp"
	echo "# $name.sh"
	sed 's/^/  /' "$outs/$name.tap"
	verdict=$(cd "$outs" && "$here/../ktap.py" "$name.tap") || bad+=("$name.sh")
	sed 's/^/  => /' <<< "$verdict"
	# "FILE: document K: P passed, F failed, S skipped of N"; a skip
	# counts as passed.
	while read -r p f s; do
		passed=$((passed + p + s))
		failed=$((failed + f))
	done < <(sed -nE 's/^.*: document [0-9]+: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped of [0-9]+$/\1 \2 \3/p' <<< "$verdict")
done
echo "harness: $passed passed, $failed failed"
[ ${#bad[@]} = 0 ] || echo "harness: FAIL: ${bad[*]}"
[ ${#bad[@]} = 0 ] && [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
