#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The verdict of one TAP stream, from its parsed results (never from the
# descriptions): it passes when it has exactly one plan "1..N", exactly N
# results numbered 1 to N in order, and none of them is "not ok" (a
# "# SKIP" directive counts as passed; "# TODO" is not accepted).  A bail
# out fails.  Comment lines (#) and other text are ignored.
#
# Usage: tap-verdict.sh FILE
# Prints "FILE: P passed, F failed of N" and, for a failure, why.

set -euo pipefail
file=${1:?usage: tap-verdict.sh FILE}
[ -f "$file" ] || { echo "$file: no such file" >&2; exit 1; }
tr -d '\r' < "$file" | awk -v file="$file" '
	/^Bail out!/ { bail = $0 }
	/^1\.\.[0-9]+/ { plans++; split($0, p, /\.\.|[ \t]/); planned = p[2] + 0; next }
	/^(not )?ok([ \t]|$)/ {
		results++
		notok = ($1 == "not")
		number = notok ? $3 : $2
		if (number != results && !misnumbered)
			misnumbered = "result " results " is numbered " number
		if ($0 ~ /#[ \t]*TODO/)
			todo++
		if (notok && $0 !~ /#[ \t]*SKIP/) {
			failed++
			if (failures < 20)
				failure[failures++] = $0
		}
	}
	END {
		printf "%s: %d passed, %d failed of %d\n", file, results - failed, failed, planned
		if (bail) { print "  " bail; exit 1 }
		if (plans != 1) { print "  " plans + 0 " plans, not one"; exit 1 }
		if (results != planned) { print "  " results + 0 " results for a plan of " planned; exit 1 }
		if (misnumbered) { print "  " misnumbered; exit 1 }
		if (todo) { print "  " todo " TODO results"; exit 1 }
		for (i = 0; i < failures; i++)
			print "  " failure[i]
		exit failed > 0
	}'
