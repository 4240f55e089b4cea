# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the guest test scripts (busybox sh).  Sourced.
tap_n=0
tap_failed=0

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

# tap_check DESCRIPTION EXPECTED ACTUAL
tap_check() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1 (expected '$2', got '$3')"
	fi
}

tap_end() {
	echo "1..$tap_n"
	[ $tap_failed -eq 0 ]
}

# The module files of the running kernel, by module name.
modfile() {
	find /lib/modules/$(uname -r) -name "$1.ko*" | head -n 1
}

tainted() {
	cat /proc/sys/kernel/tainted
}
