# SPDX-License-Identifier: GPL-2.0
#
# Print the compiler diagnostics (rustc, clippy, rustdoc, clang) of a build
# log that are located in given files, and count them.
#
# Usage: awk -v files="PATH..." -v strip="PREFIX/..." -f warnings-in.awk LOG
#
# files: the paths (relative to the source tree) whose diagnostics count,
# separated by spaces.  strip: prefixes to remove from a location before
# comparing it (the source tree, as an absolute path, with a trailing /).
# A rustc-style diagnostic is the block from a "warning:" or "error:" line
# to the next one; its location is its first " --> PATH:LINE:COL" line.  A
# clang-style diagnostic is one "PATH:LINE:COL: warning: ..." line.  The
# exit status is 1 when any diagnostic is in the files, else 0; the last
# line printed is "N in the files, M elsewhere".

function norm(path,    i, n, p) {
	n = split(strip, p, " ")
	for (i = 1; i <= n; i++)
		if (p[i] != "" && index(path, p[i]) == 1)
			path = substr(path, length(p[i]) + 1)
	sub(/^\.\//, "", path)
	return path
}

function flush() {
	if (block != "" && loc != "") {
		if (loc in ours) {
			printf "%s\n", block
			mine++
		} else {
			other++
		}
	}
	block = ""
	loc = ""
}

BEGIN {
	n = split(files, f, " ")
	for (i = 1; i <= n; i++)
		ours[f[i]] = 1
	mine = other = 0
}

# A clang diagnostic.
/^[^ :]+:[0-9]+:[0-9]+: (warning|error): / {
	flush()
	split($0, part, ":")
	if (norm(part[1]) in ours) {
		print
		mine++
	} else {
		other++
	}
	next
}

# The start of a rustc diagnostic; "warning: N warnings emitted" and the
# like have no location and are dropped by flush().
/^(warning|error)(\[[^]]*\])?: / {
	flush()
	block = $0
	next
}

# The end of a diagnostic: kbuild's progress lines and make's messages.
/^  [A-Z]+ |^make(\[[0-9]+\])?: / {
	flush()
	next
}

block != "" {
	if (loc == "" && $0 ~ /^ *--> /) {
		loc = $0
		sub(/^ *--> /, "", loc)
		sub(/:[0-9]+:[0-9]+$/, "", loc)
		loc = norm(loc)
	}
	block = block "\n" $0
}

END {
	flush()
	printf "%d in the files, %d elsewhere\n", mine, other
	exit mine > 0
}
