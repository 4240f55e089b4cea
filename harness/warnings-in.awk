# SPDX-License-Identifier: GPL-2.0
#
# Print the compiler diagnostics (rustc, clippy, rustdoc, clang) of a build
# log that are located in given files, and count them.
#
# Usage: awk -v files="PATH..." -v strip="PREFIX/..." -f warnings-in.awk LOG
#
# files: paths relative to the source tree; strip: prefixes to remove from a
# location first (the source tree, absolute, with a trailing /).  A rustc
# diagnostic is the block from a "warning:" or "error:" line to the next,
# located by its first " --> PATH:LINE:COL"; a clang one is one
# "PATH:LINE:COL: warning: ..." line.  Exits 1 when any is in the files;
# prints "N in the files, M elsewhere" last.

function norm(path,    i, n, p) {
	n = split(strip, p, " ")
	for (i = 1; i <= n; i++)
		if (p[i] != "" && index(path, p[i]) == 1)
			path = substr(path, length(p[i]) + 1)
	sub(/^\.\//, "", path)
	return path
}

# Count the diagnostic text located at loc, and print it if it is ours.
function count(loc, text) {
	if (loc in ours) { print text; mine++ } else other++
}

# Count the pending rustc diagnostic, unless it has no location ("warning:
# N warnings emitted").
function flush() {
	if (block != "" && loc != "")
		count(loc, block)
	block = loc = ""
}

BEGIN {
	n = split(files, f, " ")
	for (i = 1; i <= n; i++)
		ours[f[i]] = 1
}

/^[^ :]+:[0-9]+:[0-9]+: (warning|error): / {
	flush()
	split($0, part, ":")
	count(norm(part[1]), $0)
	next
}

/^(warning|error)(\[[^]]*\])?: / {
	flush()
	block = $0
	next
}

# kbuild's progress lines and make's messages end a diagnostic.
/^  [A-Z]+ |^make(\[[0-9]+\])?: / {
	flush()
	next
}

block != "" {
	if (loc == "" && /^ *--> /) {
		loc = $0
		gsub(/^ *--> |:[0-9]+:[0-9]+$/, "", loc)
		loc = norm(loc)
	}
	block = block "\n" $0
}

END {
	flush()
	printf "%d in the files, %d elsewhere\n", mine, other
	exit mine > 0
}
