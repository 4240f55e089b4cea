#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: fetch the pinned kernel, build it with our series, boot it
# and show which modules the kernel accepts and rejects.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

config=${CONFIG:-plain}
"$here/build-kernel.sh" "$config"
"$here/qemu.sh" "$config" > /dev/null || true
log=${BUILD:-$here/../build}/$config/qemu.log
echo
echo "module loading in the guest ($config):"
printf '%-40s %s\n' "test" "result"
tr -d '\r' < "$log" | sed -n 's/^\(not ok\|ok\) [0-9]* - \(.*\)/\1|\2/p' |
	while IFS='|' read -r res what; do printf '%-40s %s\n' "$what" "$res"; done
