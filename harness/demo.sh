#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: fetch the pinned kernel, build it with our series, boot it
# and show which modules the kernel accepts and rejects.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
config=${CONFIG:-hashes}
"$here/build.sh" "$config"
for append in "module.sig_enforce=1 kunit.enable=0" "kunit.enable=0"; do
	APPEND="$append" "$here/boot.sh" "$config" > /dev/null || true
	echo
	echo "In the guest ($config, kernel command line: $append):"
	printf '  %-72s %s\n' "what was tried" "as expected?"
	# The results of the guest's tests, nested in the runner's KTAP.
	tr -d '\r' < "$(obj_dir "$config")/qemu.log" |
		sed -nE 's/^(# )+(not ok|ok) [0-9]+ (- )?(.*)/\2|\4/p' |
		while IFS='|' read -r res what; do
			printf '  %-72s %s\n' "$what" "$([ "$res" = ok ] && echo yes || echo NO)"
		done
done
