#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Counts the lines of the writer as the size limit counts them: every *.rs
# file in scripts/module-hashes/, without blank lines, without comment lines
# (whose first non-blank characters are //, which covers /// and //! doc
# comments), and without #[cfg(test)] items: the attribute line and the item
# after it, to its closing brace if it has a body (tests.rs, the test module
# that `#[cfg(test)] mod tests;` loads, is left out as a whole).
cd "$(dirname "$0")/scripts/module-hashes" || exit 1
total=0
for f in *.rs; do
	[ "$f" = tests.rs ] && continue
	n=$(awk '
		skip == 0 && /^[ \t]*#\[cfg\(test\)\]/ { skip = 1; depth = 0; next }
		skip == 1 {
			o = gsub(/\{/, "{"); c = gsub(/\}/, "}"); depth += o - c
			if ((o > 0 || depth > 0) && depth > 0) next
			if (o == 0 && depth == 0 && $0 !~ /;[ \t]*$/) next
			skip = 0; next
		}
		/^[ \t]*$/ { next }
		/^[ \t]*\/\// { next }
		{ count++ }
		END { print count + 0 }' "$f")
	printf '%5d %s\n' "$n" "$f"
	total=$((total + n))
done
printf '%5d total\n' "$total"
