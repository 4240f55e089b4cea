#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn a guest's serial log into the verdict of a scripted QEMU run.
#
# Usage: verdict.sh NAME LOG QEMU_STATUS TIMEOUT
#
# Exit 0 when the guest printed "HARNESS-RESULT: pass" and no TAP line
# failed; otherwise 1, with a message that says whether the guest failed
# tests, panicked, timed out or ended without a verdict.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

name=$1 log=$2 status=$3 timeout=$4
clean=$(tr -d '\r' < "$log")
verdict=$(sed -n 's/^HARNESS-RESULT: \([a-z0-9 ]*\).*/\1/p' <<< "$clean" | tail -n 1)
passed=$(grep -c '^ok ' <<< "$clean" || true)
failed=$(grep -c '^not ok ' <<< "$clean" || true)
if [ -z "$verdict" ]; then
	if grep -q 'Kernel panic - not syncing' <<< "$clean"; then
		die "guest $name panicked: $(grep -m1 'Kernel panic - not syncing' <<< "$clean")"
	elif [ "$status" = 124 ] || [ "$status" = 137 ]; then
		die "guest $name timed out after ${timeout}s without a verdict (log: $log)"
	fi
	die "guest $name ended (qemu status $status) without a verdict (log: $log)"
fi
echo "guest $name: $passed passed, $failed failed"
[ "$verdict" = pass ] && [ "$failed" = 0 ] ||
	die "guest $name failed: $(grep '^not ok ' <<< "$clean" | head -n 20)"
