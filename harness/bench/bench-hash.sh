#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark the module-hashes host programs on a distribution's modules.
#
# Usage: bench-hash.sh BENCHDIR WRITER TOOL
#
# BENCHDIR (build/bench) gets Debian's amd64 modules, decompressed once
# (debian_modules, lib.sh).  WRITER is scripts/module-hashes (the build's
# step), TOOL is tools/module-hashes.  Best of BENCH_RUNS (default 3) runs
# each, all on one core (taskset -c 0), it times reading every module (cat,
# the floor), sha256sum, openssl dgst -sha256, the build's step (WRITER
# write over a modules.order of them all and a placeholder section) and
# TOOL hash -j 1, and says whether the target is met: the build's step
# within 2x of sha256sum on one core.  Exit status 0 whether or not it is
# (a measurement); 1 on a setup error.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
use_build_dir

usage='usage: bench-hash.sh BENCHDIR WRITER TOOL'
bench=${1:?$usage}
writer=${2:?$usage}
tool=${3:?$usage}
runs=${BENCH_RUNS:-3}
for program in "$writer" "$tool"; do
	[ -x "$program" ] || die "$program: not an executable (build it first)"
done
writer=$(realpath "$writer") tool=$(realpath "$tool")
mkdir -p "$bench"
bench=$(cd "$bench" && pwd)
one_core=(taskset -c 0)
command -v taskset > /dev/null || one_core=()

# best_of RUNS COMMAND...: the shortest wall time of RUNS runs, in seconds.
best_of() {
	local runs=$1 best='' t start
	shift
	for _ in $(seq "$runs"); do
		start=$(wall_clock)
		"$@" > /dev/null || die "benchmark command failed: $*"
		t=$(seconds_since "$start")
		if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
			best=$t
		fi
	done
	echo "$best"
}

modules=$(debian_modules "$bench")
list=$bench/modules.list
(cd "$modules" && find . -name '*.ko' -print0 | sort -z) > "$list"
count=$(tr -cd '\0' < "$list" | wc -c)
bytes=$(cd "$modules" && xargs -0 stat -c %s < "$list" | awk '{ s += $1 } END { print s }')

# The build's step needs what kbuild gives it: a modules.order (foo.o for
# foo.ko) and the placeholder section that the link reserved, here made
# from include/linux/module_hashes.h's layout (table_layout): the magic,
# the version, the algorithm, the count 0xffffffff (no table yet), the
# entry size, all little-endian, then room for one digest per module.
order=$bench/modules.order placeholder=$bench/placeholder
tr '\0' '\n' < "$list" | sed 's|^\./||; s|\.ko$|.o|' > "$order"
eval "$(table_layout)"
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
header_hex=$magic$(le32 "$version")$(le32 "$algo")$(le32 0xffffffff)$(le32 "$digest")
[ $((${#header_hex} / 2)) = "$header" ] && [ "$count_at" = 16 ] ||
	die "module_hashes.h: the header is no longer magic, version, algo, count, entry size"
{ printf "$(sed 's/../\\x&/g' <<< "$header_hex")"
  head -c $((digest * count)) /dev/zero; } > "$placeholder"

# each COMMAND...: COMMAND on every module, from $modules, on one core.
each() { (cd "$modules" && xargs -0 "${one_core[@]}" "$@" < "$list"); }
names=(cat sha256sum openssl write hash)
labels=("cat (read floor)" sha256sum "openssl dgst -sha256" "module-hashes write (build step)"
	"tools module-hashes hash -j 1")
run_cat() { each cat; }
run_sha256sum() { each sha256sum; }
run_openssl() { each openssl dgst -sha256; }
run_write() {
	"${one_core[@]}" "$writer" write --objtree "$modules" --order "$order" \
		--section "$placeholder" --output "$bench/table" --manifest "$bench/manifest"
}
run_hash() { each "$tool" hash -j 1; }

# The build's step is right, not only fast: its manifest is sha256sum's of
# each module without its appended signature (Debian signs its modules):
# the 28-byte marker at the end, before it struct module_signature (12
# bytes, the signature's length a big-endian u32 at its end), before that
# the signature.
unsigned_sha256() {
	local size sig=0
	size=$(stat -c %s "$1")
	if [ "$(tail -c 28 "$1")" = "~Module signature appended~" ]; then
		sig=$(od -An -tu1 -j $((size - 32)) -N 4 "$1" |
			awk '{ print ((($1 * 256 + $2) * 256 + $3) * 256 + $4) }')
		sig=$((sig + 40))
	fi
	head -c $((size - sig)) "$1" | sha256sum | sed "s|-\$|$1|"
}
run_write
(cd "$modules" && sed 's/\.o$/.ko/' "$order" | while read -r ko; do unsigned_sha256 "$ko"; done) |
	cmp -s - "$bench/manifest" ||
	die "module-hashes write and sha256sum disagree on the digests of $modules"

# Warm the page cache so that every command reads from memory.
run_cat > /dev/null

info "timing $count modules ($((bytes / 1000000)) MB), best of $runs runs each, one core"
declare -A seconds
for name in "${names[@]}"; do
	seconds[$name]=$(best_of "$runs" "run_$name")
done

report=$bench/hash-report.txt
{
	echo "$count modules ($((bytes / 1000000)) MB), best of $runs runs each, on one core (taskset -c 0)"
	echo
	printf '%-36s %9s %9s %17s\n' command seconds MB/s 'time / sha256sum'
	for i in "${!names[@]}"; do
		s=${seconds[${names[$i]}]}
		printf '%-36s %9.3f %9.1f %16.2fx\n' "${labels[$i]}" "$s" \
			"$(echo "$bytes / 1000000 / $s" | bc -l)" "$(echo "$s / ${seconds[sha256sum]}" | bc -l)"
	done
	echo

	verdict() { # verdict TARGET BC-CONDITION
		if [ "$(echo "$2" | bc -l)" = 1 ]; then echo "target met:     $1"; else echo "target NOT met: $1"; fi
	}
	verdict "the build's step within 2x of sha256sum, one core" "${seconds[write]} <= 2 * ${seconds[sha256sum]}"

	# The hashing step inside a kernel build: time the write step of the last
	# build of a CONFIG_MODULE_HASHES configuration against that whole build.
	obj=${BENCH_BUILD:-$(dirname "$(dirname "$modules")")/hashes}
	if [ -f "$obj/.harness-build-seconds" ] && [ -f "$obj/vmlinux.unstripped" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		dump_section "$obj/vmlinux.unstripped" .module_hashes "$tmp/placeholder"
		step=$(best_of "$runs" "$writer" write --objtree "$obj" --order "$obj/modules.order" \
			--section "$tmp/placeholder" --output "$tmp/table")
		whole=$(cat "$obj/.harness-build-seconds")
		printf 'hashing step of the %s build (%s modules): %.3f s of a %s s build (%.3f%%)\n' \
			"$(basename "$obj")" "$(wc -l < "$obj/modules.order")" "$step" "$whole" \
			"$(echo "100 * $step / $whole" | bc -l)"
	fi
} > "$report"
echo
cat "$report"
publish_result bench-hash.txt "$report" "make bench-hash"
