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

# The boot mode the host asked for, from module_auth.expect= on the command
# line (d: default, e: module.sig_enforce=1 or MODULE_SIG_FORCE, i and c:
# lockdown integrity and confidentiality), never from what the kernel says
# about itself: a kernel that ignored what it was asked must fail the
# tests, not be graded in another column.  "none" when the host gave none.
expected_mode() {
	em=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^module_auth\.expect=\([deic]\)$/\1/p' | tail -n 1)
	echo "${em:-none}"
}

# The mode the kernel reports: module.sig_enforce first (it decides before
# lockdown), then the lockdown level.
reported_mode() {
	if [ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ]; then
		echo e
	elif grep -q '\[integrity\]' /sys/kernel/security/lockdown 2>/dev/null; then
		echo i
	elif grep -q '\[confidentiality\]' /sys/kernel/security/lockdown 2>/dev/null; then
		echo c
	else
		echo d
	fi
}

# Did the host ask for module authentication to be enforced?  A test
# that asks without module_auth.expect= on the command line fails.
enforcing() {
	case $(expected_mode) in
	e|i|c) return 0 ;;
	d) return 1 ;;
	esac
	tap_not_ok "the command line says which boot mode the host asked for (module_auth.expect=d|e|i|c)"
	tap_end
	exit 1
}

# refusal: the error of a module that authentication refuses in the mode
# the host asked for: EKEYREJECTED under module.sig_enforce, EPERM under
# lockdown alone.
refusal() {
	case $(expected_mode) in
	e) echo EKEYREJECTED ;;
	i|c) echo EPERM ;;
	*) echo "no-refusal-in-mode-$(expected_mode)" ;;
	esac
}

# Did the host ask for lockdown (integrity or confidentiality)?
locked_down() {
	case $(expected_mode) in i|c) return 0 ;; esac
	return 1
}

# kmemleak COMMAND: give kmemleak a command (scan, clear), through the
# descriptor /init opened before it raised lockdown, where it did.
# kmemleak_report N: kmemleak's report, through descriptor N (8 or 9, each
# read once) where /init opened them, else by path.
kmemleak() {
	if [ -e /proc/self/fd/7 ]; then
		echo "$1" >&7
	else
		echo "$1" > /sys/kernel/debug/kmemleak
	fi
}
kmemleak_report() {
	if [ -e "/proc/self/fd/$1" ]; then
		eval "cat <&$1"
	else
		cat /sys/kernel/debug/kmemleak
	fi
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
