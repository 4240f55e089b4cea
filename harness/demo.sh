#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: fetch the pinned kernel, build it with the series (CONFIG,
# default hashes: MODULE_HASHES and MODULE_SIG), boot it twice, by default
# and with module.sig_enforce=1, and show in one table what became of each
# module tried (guest/demo/95-demo): an in-tree C and Rust module, the C
# one with a byte flipped, an out-of-tree module signed with a trusted key
# and unsigned.  The guest's full checks run in the same boots; their
# verdict is one line, their output the log the demo names.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
config=${CONFIG:-hashes}
log=$BUILD/demo.log
"$here/build.sh" "$config"
: > "$log"
modes=("" module.sig_enforce=1)
declare -A cell=()
labels=() verdicts=()

# outcome RESULT AUTH TAINT DIGEST: one cell of the table.
outcome() {
	local what
	case $1:$2 in
	loaded:none) what="loaded" ;;
	loaded:*) what="loaded by $2" ;;
	"error "*) what="refused: ${1#error }" ;;
	*) what=$1 ;;
	esac
	[[ $3 != *E* ]] || what+=", taints E"
	[ "$4" = - ] || what+="; logs sha256 ${4:0:8}"
	echo "$what"
}

for i in "${!modes[@]}"; do
	mode=${modes[$i]}
	info "booting $config${mode:+ with $mode}: the guest's checks and the demo's modules"
	echo "=== boot ${mode:-default}" >> "$log"
	qemu_log=$(obj_dir "$config")/qemu.log
	rm -f "$qemu_log"
	if EXTRA_GUEST_FILES="$here/guest/demo/95-demo:/tests/module-hashes/95-demo" \
		APPEND="$mode kunit.enable=0" "$here/boot.sh" "$config" >> "$log" 2>&1; then
		verdict=passed
	else
		verdict=FAILED
		tail -n 5 "$log" >&2
	fi
	[ -f "$qemu_log" ] || die "the guest did not start (log: $log)"
	cat "$qemu_log" >> "$log"
	checks=$(tr -d '\r' < "$qemu_log" | grep -cE '^(# )*(not )?ok [0-9]' || true)
	verdicts+=("${mode:-default}: $verdict ($checks results)")
	while IFS='|' read -r label result auth taint digest; do
		[ "$i" != 0 ] || labels+=("$label")
		cell[$i:$label]=$(outcome "$result" "$auth" "$taint" "$digest")
	done < <(tr -d '\r' < "$qemu_log" | sed -nE 's/^(# )*# demo: //p')
done

[ ${#labels[@]} -gt 0 ] || die "the guest printed no demo lines (log: $log)"
echo
printf '%-34s %-44s %s\n' "module tried ($config)" "booted by default" "booted with module.sig_enforce=1"
for label in "${labels[@]}"; do
	printf '%-34s %-44s %s\n' "$label" "${cell[0:$label]:-?}" "${cell[1:$label]:-?}"
done
echo
echo "logs sha256: the kernel logged the module's digest (its first 8 hex digits"
echo "here) in its line about a module it could not authenticate."
(IFS=';'; echo "The guest's checks in the same boots:${verdicts[*]/#/ }; log: $log")
[[ "${verdicts[*]}" != *FAILED* ]]
