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

# tap_skip_all REASON: the whole script does not apply here (the kselftest
# runner reports exit status 4 as a skip).
tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

# The module files of the running kernel, by module name.
modfile() {
	find /lib/modules/$(uname -r) -name "$1.ko*" | head -n 1
}

tainted() {
	cat /proc/sys/kernel/tainted
}

# config_enabled CONFIG_FOO: is the option =y in the running kernel's .config?
config_enabled() {
	grep -qx "$1=y" /tests/config
}

# Is module authentication enforced (module.sig_enforce or lockdown)?
enforcing() {
	[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ] && return 0
	locked_down
}

# refusal: the error of a module that authentication refuses:
# EKEYREJECTED under module.sig_enforce, else EPERM (lockdown).
refusal() {
	[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ] &&
		echo EKEYREJECTED || echo EPERM
}

# Is the kernel locked down (lockdown=integrity or confidentiality)?
locked_down() {
	grep -q '\[integrity\]\|\[confidentiality\]' /sys/kernel/security/lockdown 2>/dev/null
}

# flip_byte FILE OFFSET: invert one byte of FILE in place.
flip_byte() {
	local b
	b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 0xff)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}

# The taint bit of unsigned/unauthenticated modules ('E').
TAINT_UNSIGNED_MODULE=8192
