# SPDX-License-Identifier: GPL-2.0
# Helpers for the harness tests.  Sourced; the current directory is a
# fresh temporary directory.
harness=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The TAP vocabulary of the guest tests (tap_ok, tap_not_ok, tap_check,
# tap_end), one for the host and the guest.
. "$harness/guest/tap.sh"

# expect_fail DESCRIPTION PATTERN COMMAND...: COMMAND must fail and print
# PATTERN (a grep -E pattern) on stderr or stdout.
expect_fail() {
	local desc=$1 pattern=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		tap_not_ok "$desc (succeeded)"
	elif grep -qE "$pattern" <<< "$out"; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc (message was: $(tail -n 3 <<< "$out"))"
	fi
}

expect_ok() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$desc"
	else
		tap_not_ok "$desc (failed: $(tail -n 5 <<< "$out"))"
	fi
}

# A fake project: a repo root with the harness linked in, an empty patch
# series, and a tiny kernel tree to use as LINUX_SRC.
make_project() {
	mkdir -p proj/patches fake-linux/kernel fake-linux/include
	ln -s "$harness" proj/harness
	printf '# series\n' > proj/patches/series
	printf '# map\n' > proj/patches/overlay.map
	printf 'VERSION = 7\n' > fake-linux/Makefile
	printf 'int main_c;\n' > fake-linux/kernel/main.c
	printf 'obj-y += main.o\n' > fake-linux/kernel/Makefile
	git -C proj init -q
	export LINUX_SRC=$PWD/fake-linux BUILD=$PWD/build REPO_ROOT=$PWD/proj
}

tree() { "$harness/tree.sh" "$@"; }
