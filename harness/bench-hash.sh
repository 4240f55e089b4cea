#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark the module-hashes host tool on a distribution's modules.
#
# Usage: bench-hash.sh BENCHDIR TOOL
#
# BENCHDIR (build/bench) gets Debian's amd64 modules, decompressed once
# (debian_modules, lib.sh).
# TOOL is the module-hashes binary.  Best of BENCH_RUNS (default 3) runs
# each, it times reading every module (cat, the floor), sha256sum, openssl
# dgst -sha256 and TOOL hash -j 1 and -j $(nproc), and says whether the
# targets are met: one thread at least as fast as openssl, all cores within
# 1.5x of cat.  Exit status 0 whether or not they are (a measurement); 1 on
# a setup error.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

bench=${1:?usage: bench-hash.sh BENCHDIR TOOL}
tool=${2:?usage: bench-hash.sh BENCHDIR TOOL}
runs=${BENCH_RUNS:-3}
[ -x "$tool" ] || die "$tool: not an executable (build the tool first)"
tool=$(realpath "$tool")
mkdir -p "$bench"
bench=$(cd "$bench" && pwd)

# best_of RUNS COMMAND...: the shortest wall time of RUNS runs, in seconds.
best_of() {
	local runs=$1 best='' t start
	shift
	for _ in $(seq "$runs"); do
		start=$(date +%s.%N)
		"$@" > /dev/null || die "benchmark command failed: $*"
		t=$(echo "$(date +%s.%N) - $start" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
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
jobs=$(nproc)

# each COMMAND...: COMMAND on every module, from $modules.
each() { (cd "$modules" && xargs -0 "$@" < "$list"); }
names=(cat sha256sum openssl tool_1 tool_all)
labels=("cat (read floor)" sha256sum "openssl dgst -sha256" "module-hashes hash -j 1" "module-hashes hash -j $jobs")
run_cat() { each cat; }
run_sha256sum() { each sha256sum; }
run_openssl() { each openssl dgst -sha256; }
run_tool_1() { each "$tool" hash -j 1; }
run_tool_all() { each "$tool" hash -j "$jobs"; }

# Warm the page cache so that every command reads from memory.
run_cat > /dev/null

info "timing $count modules ($((bytes / 1000000)) MB), best of $runs runs each"
declare -A seconds
for name in "${names[@]}"; do
	seconds[$name]=$(best_of "$runs" "run_$name")
done

printf '\n%-30s %9s %9s %17s\n' command seconds MB/s 'speed vs openssl'
for i in "${!names[@]}"; do
	s=${seconds[${names[$i]}]}
	printf '%-30s %9.3f %9.1f %16.2fx\n' "${labels[$i]}" "$s" \
		"$(echo "$bytes / 1000000 / $s" | bc -l)" "$(echo "${seconds[openssl]} / $s" | bc -l)"
done
echo

verdict() { # verdict TARGET BC-CONDITION
	if [ "$(echo "$2" | bc -l)" = 1 ]; then echo "target met:     $1"; else echo "target NOT met: $1"; fi
}
verdict "single-thread throughput >= openssl" "${seconds[tool_1]} <= ${seconds[openssl]}"
verdict "all-core time within 1.5x of cat" "${seconds[tool_all]} <= 1.5 * ${seconds[cat]}"

# The hashing step inside a kernel build: time the write step of the last
# build of a CONFIG_MODULE_HASHES configuration against that whole build.
obj=${BENCH_BUILD:-$(dirname "$(dirname "$modules")")/hashes}
if [ -f "$obj/.harness-build-seconds" ] && [ -f "$obj/vmlinux" ]; then
	copy=$(mktemp)
	cp "$obj/vmlinux" "$copy"
	step=$(best_of "$runs" bash -c "cd '$obj' && '$tool' write --objtree . --order modules.order --vmlinux '$copy' > /dev/null")
	rm -f "$copy" "$copy".*
	whole=$(cat "$obj/.harness-build-seconds")
	printf 'hashing step of the %s build (%s modules): %.3f s of a %s s build (%.3f%%)\n' \
		"$(basename "$obj")" "$(wc -l < "$obj/modules.order")" "$step" "$whole" \
		"$(echo "100 * $step / $whole" | bc -l)"
	printf 'for the %s modules above, all cores: %.3f s, %.3f%% of that build time\n' \
		"$count" "${seconds[tool_all]}" "$(echo "100 * ${seconds[tool_all]} / $whole" | bc -l)"
fi
