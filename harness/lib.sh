# SPDX-License-Identifier: GPL-2.0
# Small helpers shared by the harness scripts.  Sourced, not run.

die() {
	echo "harness: error: $*" >&2
	exit 1
}

info() {
	echo "harness: $*" >&2
}

# check_sha256 FILE SUM: succeed when FILE's sha256 is SUM.
check_sha256() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	if [ "$got" != "$2" ]; then
		echo "harness: $1: sha256 $got, expected $2" >&2
		return 1
	fi
}
