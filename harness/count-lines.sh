#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The size of the series' code, as issue 30 counts it: the lines of the
# patched tree ($BUILD/src) that the series adds in C, Rust and headers,
# without blank lines, comments and tests (a Rust file from its first
# #[cfg(test)] or #[kunit_tests] item on, but for "mod tests;" with its
# tests in a file of their own; KUnit-only C files, the selftests).
# Groups: scripts/module-hashes (the writer, with the layout.rs that
# tools/ shares), tools/module-hashes, and the kernel (new files, and the
# lines added to existing ones).  Fails when a group, or the total, is over
# its limit.
#
# Usage: count-lines.sh [--list]   (--list: the count of every file)

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
src=$BUILD/src
[ -d "$src/.git" ] || die "$src: no tree (make tree)"
list=${1:-}

# code LANGUAGE: the lines of code of standard input.
code() {
	awk -v lang="$1" '
		# A test module in a file of its own ("mod tests;") is one item;
		# any other test item runs to the end of the file.
		pending && /^[ \t]*mod [a-z_]+;/ { pending = 0; next }
		pending { exit }
		lang == "rust" && /^[ \t]*#\[(cfg\(test\)|kunit_tests)/ { pending = 1; next }
		{ line = $0 }
		lang == "c" {
			out = ""
			while (line != "") {
				if (in_comment) {
					i = index(line, "*/")
					if (!i) { line = ""; break }
					line = substr(line, i + 2); in_comment = 0
				} else {
					i = index(line, "/*")
					if (!i) { out = out line; line = ""; break }
					out = out substr(line, 1, i - 1); line = substr(line, i + 2); in_comment = 1
				}
			}
			line = out
		}
		line ~ /^[ \t]*(\/\/.*)?$/ { next }
		{ n++ }
		END { print n + 0 }'
}
language() { case $1 in *.rs) echo rust ;; *.c|*.h) echo c ;; *) echo none ;; esac; }
# test_file PATH: a file that only tests or benchmarks.
test_file() {
	case $1 in
	tools/testing/*|*/tests.rs|*_bench.c|*_test.c|*/tests/*) return 0 ;;
	esac
	return 1
}

declare -A total=()
mapfile -t new < <(git -C "$src" diff --name-only --diff-filter=A base work)
for f in "${new[@]}"; do
	lang=$(language "$f")
	[ "$lang" != none ] && ! test_file "$f" || continue
	case $f in
	scripts/module-hashes/*) group=scripts ;;
	tools/module-hashes/*) group=tools ;;
	*) group=kernel ;;
	esac
	n=$(code "$lang" < "$src/$f")
	total[$group]=$(( ${total[$group]:-0} + n ))
	[ -z "$list" ] || printf '%6d  %s\n' "$n" "$f"
done
mapfile -t changed < <(git -C "$src" diff --name-only --diff-filter=M base work)
for f in "${changed[@]}"; do
	lang=$(language "$f")
	[ "$lang" != none ] && ! test_file "$f" || continue
	n=$(git -C "$src" diff -U0 base work -- "$f" | sed -n 's/^+\([^+]\|$\)/\1/p' | code "$lang")
	total[kernel]=$(( ${total[kernel]:-0} + n ))
	[ -z "$list" ] || printf '%6d  %s (added lines)\n' "$n" "$f"
done

status=0
report() { # report NAME COUNT LIMIT
	local verdict=ok
	[ "$2" -le "$3" ] || { verdict="OVER"; status=1; }
	printf '%-36s %5d lines (limit %d): %s\n' "$1" "$2" "$3" "$verdict"
}
scripts=${total[scripts]:-0} tools=${total[tools]:-0} kernel=${total[kernel]:-0}
report "scripts/module-hashes (the writer)" "$scripts" 400
report "tools/module-hashes" "$tools" 700
report "kernel" "$kernel" 1800
report "together" $((scripts + tools + kernel)) 1800
exit $status
