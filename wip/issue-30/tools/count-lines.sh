#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Counts the lines of Rust in FILES: no blank lines, no comment lines (//,
# ///, //!), and nothing from a line '#[cfg(test)]' to the end of its file
# (the test module, which rustfmt keeps last).
awk '
	FNR == 1 { skip = 0 }
	/^#\[cfg\(test\)\]/ { skip = 1 }
	skip { next }
	/^[ \t]*$/ { next }
	/^[ \t]*\/\// { next }
	{ n[FILENAME]++; total++ }
	END { for (f in n) printf "%6d %s\n", n[f], f; printf "%6d total\n", total }
' "$@" | sort -k2
