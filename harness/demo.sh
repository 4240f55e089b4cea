#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: fetch the pinned kernel, build it with our series, boot it
# and show which modules the kernel accepts and rejects.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

config=${CONFIG:-hashes}
"$here/build-kernel.sh" "$config"
log=${BUILD:-$here/../build}/$config/qemu.log
for append in "module.sig_enforce=1 kunit.enable=0" "kunit.enable=0"; do
	APPEND="$append" "$here/qemu.sh" "$config" > /dev/null || true
	echo
	echo "In the guest ($config, kernel command line: $append):"
	printf '  %-72s %s\n' "what was tried" "as expected?"
	tr -d '\r' < "$log" | sed -n 's/^\(not ok\|ok\) [0-9]* - \(.*\)/\1|\2/p' |
		while IFS='|' read -r res what; do
			printf '  %-72s %s\n' "$what" "$([ "$res" = ok ] && echo yes || echo NO)"
		done
done
