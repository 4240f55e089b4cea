#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-series: the series is bisectable, that is every one of its
# commits builds, not only the last.
#
# Usage: check-series.sh [--no-sync] [--commits RANGE] [--target TARGET]... [CONFIG]
#
# Checks out each commit of RANGE (default base..work) of $BUILD/src in
# turn in one git worktree, $BUILD/check-series/src, configures CONFIG
# (default hashes) for it from tinyconfig + configs/base.config +
# configs/CONFIG.config, dropping the options that commit does not have yet
# (configure-kernel.sh --lenient), and builds it into
# $BUILD/check-series/obj: `make LLVM=-19` and the TARGETs, by default the
# whole kernel and its modules.  The build directory and the worktree are
# kept, so every step after the first, and the next run, build only what
# changed.  Every commit is built even when an earlier one failed; the
# exit status is non-zero when any failed, and the failed commits are
# named.  --no-sync: use $BUILD/src as it is, without tree.sh sync first.
#
# Environment: BUILD, JOBS (default: all cores), CCACHE=0, and what
# tree.sh takes (LINUX_TARBALL, LINUX_SRC).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir

range=base..work targets=() config=hashes sync=1
while [ $# -gt 0 ]; do
	case $1 in
	--no-sync) sync=; shift ;;
	--commits) range=${2:?--commits needs a range}; shift 2 ;;
	--target) targets+=("${2:?--target needs a kbuild target}"); shift 2 ;;
	-*) die "usage: check-series.sh [--no-sync] [--commits RANGE] [--target TARGET]... [CONFIG]" ;;
	*) config=$1; shift ;;
	esac
done
[ -f "$root/configs/$config.config" ] || die "no configs/$config.config"

"$here/check-toolchain.sh"
[ -z "$sync" ] || "$here/tree.sh" sync

src=$BUILD/src
dir=$BUILD/check-series
wt=$dir/src
obj=$dir/obj-$config
mkdir -p "$dir" "$obj"

mapfile -t commits < <(git -C "$src" rev-list --reverse "$range")
[ ${#commits[@]} -gt 0 ] || die "no commits in $range"

# One worktree, moved from commit to commit: a checkout rewrites only the
# files that differ, so kbuild rebuilds only what they change.
if ! [ -e "$wt/.git" ] || ! git -C "$wt" rev-parse --git-dir >/dev/null 2>&1; then
	rm -rf "$wt"
	git -C "$src" worktree prune
	info "creating the worktree $wt"
	git -C "$src" worktree add -q --detach "$wt" "${commits[0]}"
fi

kmake() {
	local cc=()
	if [ "${CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
		cc=(CC="ccache clang-19")
	fi
	make -s -C "$wt" O="$obj" ARCH=x86_64 LLVM=-19 "${cc[@]}" -j"${JOBS:-$(nproc)}" "$@"
}

failed=()
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	subject=$(git -C "$src" log -1 --format='%h %s' "$c")
	info "[$i/${#commits[@]}] $subject"
	git -C "$wt" checkout -q --detach -f "$c"
	# Each commit may add Kconfig options: configure it anew.
	rm -f "$obj/.harness-config"
	if ! "$here/configure-kernel.sh" --lenient "$config" "$wt" "$obj" 2>"$dir/configure.log"; then
		cat "$dir/configure.log" >&2
		failed+=("$subject (configuration)")
		continue
	fi
	if ! kmake "${targets[@]}" > "$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		failed+=("$subject")
		cp "$dir/build.log" "$dir/build-$i.log"
		info "[$i/${#commits[@]}] does not build; the log is $dir/build-$i.log"
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	printf '  %s\n' "${failed[@]}" >&2
	die "${#failed[@]} of ${#commits[@]} commits of $range do not build (above): the series is not bisectable"
fi
info "each of the ${#commits[@]} commits of $range builds ($config)"
