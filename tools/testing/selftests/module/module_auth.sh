#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module authentication policy: load each module variant the way the row of
# module_auth.table for it says, through init_module(2) and/or
# finit_module(2) (with the modload helper), and check the outcome in the
# column for this kernel's configuration and boot mode: loaded or not, the
# errno, and the module's taint.  Every module that loads is unloaded.
#
# Usage: module_auth.sh [VARIANTS_DIR [TABLE [CONFIG]]]
#   VARIANTS_DIR  the module files (default: /tests/variants)
#   TABLE         the expectations (default: module_auth.table next to this)
#   CONFIG        the kernel's .config (default: /proc/config.gz or
#                 /tests/config)
# Output: TAP.  POSIX sh (busybox ash is enough).

dir=${1:-/tests/variants}
table=${2:-$(dirname "$0")/module_auth.table}
config=${3:-/tests/config}
modload=${MODLOAD:-modload}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }

has() { grep -qx "CONFIG_$1=y" "$config"; }
if has MODULE_HASHES && has MODULE_SIG; then class=HS
elif has MODULE_HASHES; then class=H
elif has MODULE_SIG; then class=S
else class=N
fi
mode=d
grep -qw 'module.sig_enforce=1' /proc/cmdline && mode=e
# CONFIG_MODULE_SIG_FORCE enforces without the parameter.
[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ] && mode=e
grep -qw 'lockdown=integrity' /proc/cmdline && mode=i
grep -qw 'lockdown=confidentiality' /proc/cmdline && mode=c
column=$class:$mode
echo "# module authentication policy: configuration $class, boot mode $mode"

# The column of this configuration and boot mode in the table.
col=$(grep '^# file ' "$table" | tr -s ' ' '\n' | grep -n -x "$column" | cut -d: -f1)
[ -n "$col" ] || { echo "Bail out! no column $column in $table"; exit 1; }
col=$((col - 1))	# the leading '#' is a field of the header only

errno_word() {
	case $1 in
	EKEYREJECTED) echo KEY ;; EPERM) echo PERM ;; EBADMSG) echo BADMSG ;;
	ENOEXEC) echo NOEXEC ;; EINVAL) echo INVAL ;; EOPNOTSUPP) echo NOTSUP ;;
	*) echo "$1" ;;
	esac
}

# try FILE MODULE CALL FLAGS EXPECTED
try() {
	file=$1 module=$2 call=$3 flags=$4 want=$5
	what="$file via ${call}_module (flags $flags): expect $want"
	if [ "$want" = - ]; then
		skip "$what"
		return
	fi
	if [ "$call" = init ]; then
		result=$($modload init "$dir/$file")
	else
		result=$($modload finit "$dir/$file" "$flags")
	fi
	case $result in
	loaded)
		taint=$(cat "/sys/module/$module/taint" 2>/dev/null)
		rmmod "$module" || echo "# could not unload $module"
		got=ok
		case $taint in *E*) got=E ;; esac
		;;
	"error "*)
		got=$(errno_word "${result#error }")
		;;
	*)
		got="modload failed: $result"
		;;
	esac
	if [ "$got" = "$want" ]; then
		ok "$what"
	else
		not_ok "$what, got $got"
	fi
}

grep -v '^#' "$table" | while read -r line; do
	[ -n "$line" ] || continue
	set -- $line
	file=$1 module=$2 call=$3 flags=$4
	eval "want=\${$col}"
	case $call in
	both) try "$file" "$module" init "$flags" "$want"
	      try "$file" "$module" finit "$flags" "$want" ;;
	*) try "$file" "$module" "$call" "$flags" "$want" ;;
	esac
done > /tmp/module_auth.tap
cat /tmp/module_auth.tap
total=$(grep -c '^ok\|^not ok' /tmp/module_auth.tap)
echo "1..$total"
! grep -q '^not ok' /tmp/module_auth.tap
