#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One-core comparison of `module-hashes write` with `sha256sum` on the same
# files: about 1,000 ELF relocatable objects of 10 KB to 2 MB found on this
# machine (installed kernel modules if there are any, else the objects of
# the kernel builds under /work/main/build), copied to a scratch directory
# first so that builds running meanwhile do not change them.  Both run
# pinned to one CPU (taskset) with a warm page cache, RUNS times each,
# alternating; the best time of each counts.
#
# The files are spread over the sorted list of candidates, not its first
# COUNT.
#
# Usage: ./bench.sh [COUNT [RUNS]]    (defaults: 1000 files, 7 runs)
# Environment: BENCH_DIR (scratch directory, removed at the end unless
# KEEP=1), SOURCES (directories to look for files in), OLD=1 to also time
# the current writer (/work/main/scripts/module-hashes) with -j 1.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
count=${1:-1000}
runs=${2:-7}
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/module-hashes-bench.XXXXXX")}
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/m"
sources=${SOURCES:-$(ls -d /usr/lib/modules/*/ 2>/dev/null || true) /work/main/build}

# The writer, built as kbuild builds it (-O, no debug information).
. "$here/flags.sh"
# shellcheck disable=SC2086
RUSTC_BOOTSTRAP=1 rustc $RUST_LINTS -O -Cstrip=debuginfo -o "$dir/module-hashes" \
	"$here/scripts/module-hashes/module-hashes.rs"

# ELF relocatable objects (e_type 1 at offset 16, little-endian here).
is_rel() {
	case $(od -An -tx1 -N18 "$1" 2>/dev/null | tr -d ' \n') in
	7f454c46????????????????????????0100) return 0 ;;
	esac
	return 1
}
n=0
: > "$dir/modules.order"
while IFS= read -r f; do
	is_rel "$f" || continue
	n=$((n + 1))
	name=$(printf 'm/%04d' "$n")
	cp "$f" "$dir/$name.ko" || { n=$((n - 1)); continue; }
	echo "$name.o" >> "$dir/modules.order"
	[ "$n" -lt "$count" ] || break
done < <(find $sources \( -name '*.ko' -o -name '*.o' \) -type f -size +10k -size -2048k \
	2>/dev/null | LC_ALL=C sort | awk -v want="$count" '{ f[NR] = $0 }
	END { step = NR / (want * 1.5); if (step < 1) step = 1
	      for (i = 1; i <= NR; i += step) print f[int(i)] }')
bytes=$(cat "$dir"/m/*.ko | wc -c)
echo "files: $n ELF relocatable objects, $((bytes / 1000000)) MB (from: $sources)"
stat -c %s "$dir"/m/*.ko | sort -n | awk '{ s[NR] = $1 } END {
	printf "sizes: min %d KB, median %d KB, max %d KB\n", s[1] / 1000, s[int((NR + 1) / 2)] / 1000, s[NR] / 1000 }'
[ "$n" -gt 0 ] || exit 1

# A placeholder with one slot per file.
{ printf 'MODHASH\0\1\0\0\0\1\0\0\0\377\377\377\377\40\0\0\0'
  head -c $((32 * n)) /dev/zero; } > "$dir/placeholder"

pin=
command -v taskset >/dev/null && pin="taskset -c 0"
cd "$dir"
cat m/*.ko > /dev/null		# warm the page cache

now() { date +%s%N; }
run_writer() {
	$pin ./module-hashes write --objtree . --order modules.order --section placeholder \
		--output table --manifest modules.hashes
}
run_sha256sum() { $pin sha256sum m/*.ko > sha256sum.out; }

old=
if [ "${OLD:-}" = 1 ] && command -v ld >/dev/null; then
	rustc --edition=2021 -O -o old-writer /work/main/scripts/module-hashes/module-hashes.rs &&
	printf '.section .module_hashes,"a"\n.incbin "placeholder"\n.text\n.globl _start\n_start: ret\n' \
		> v.S && gcc -c v.S -o v.o && ld -o vmlinux v.o && old=y
fi
run_old() {
	$pin ./old-writer write -j 1 --objtree . --order modules.order --vmlinux vmlinux \
		--manifest old.hashes
}

best_writer=0 best_sum=0 best_old=0
for _ in $(seq "$runs"); do
	t0=$(now); run_writer; t1=$(now); run_sha256sum; t2=$(now)
	w=$((t1 - t0)) s=$((t2 - t1))
	[ "$best_writer" = 0 ] || [ "$w" -lt "$best_writer" ] && best_writer=$w
	[ "$best_sum" = 0 ] || [ "$s" -lt "$best_sum" ] && best_sum=$s
	if [ -n "$old" ]; then
		t0=$(now); run_old; t1=$(now); o=$((t1 - t0))
		[ "$best_old" = 0 ] || [ "$o" -lt "$best_old" ] && best_old=$o
	fi
done

# The writer and sha256sum agree.
cmp -s modules.hashes sha256sum.out ||
	{ echo "error: the manifest differs from sha256sum's output" >&2; exit 1; }

ms() { awk -v ns="$1" 'BEGIN { printf "%.1f ms", ns / 1e6 }'; }
mbps() { awk -v ns="$1" -v b="$bytes" 'BEGIN { printf "%.0f MB/s", b / (ns / 1e9) / 1e6 }'; }
echo "one CPU ($pin), best of $runs runs:"
echo "  module-hashes write: $(ms $best_writer) ($(mbps $best_writer))"
echo "  sha256sum:           $(ms $best_sum) ($(mbps $best_sum))"
[ -z "$old" ] || echo "  current writer -j 1: $(ms $best_old) ($(mbps $best_old))"
awk -v w="$best_writer" -v s="$best_sum" \
	'BEGIN { printf "ratio module-hashes / sha256sum: %.2f (target: at most 2)\n", w / s }'
