#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-series: the series is bisectable, that is every one of its
# commits builds, not only the last, and the kernel of the commit that
# hooks the verifier into the loader already does what the last one does.
#
# Usage: check-series.sh [--no-sync] [--boot] [--commits RANGE] [--target TARGET]... [CONFIG]
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
# --boot: at the first commit that has kernel/module/hashes.rs (the
# verifier and its hook) and at the last one, also run the loading-policy
# matrix in the guest, in the four boot modes.
#
# Environment: BUILD, JOBS (default: all cores), CCACHE=0, and what
# tree.sh takes (LINUX_TARBALL, LINUX_SRC).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir

range=base..work targets=() config=hashes sync=1 boot=
while [ $# -gt 0 ]; do
	case $1 in
	--no-sync) sync=; shift ;;
	--boot) boot=1; shift ;;
	--commits) range=${2:?--commits needs a range}; shift 2 ;;
	--target) targets+=("${2:?--target needs a kbuild target}"); shift 2 ;;
	-*) die "usage: check-series.sh [--no-sync] [--boot] [--commits RANGE] [--target TARGET]... [CONFIG]" ;;
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

build() {
	kmake "$wt" "$obj" -j"${JOBS:-$(nproc)}" "$@"
}

# matrix: the loading-policy matrix of the commit just built, in the four
# boot modes, with the harness's own scripts pointed at the worktree
# ($dir/src) and this build ($dir/obj-CONFIG).
matrix() {
	local mode
	rm -rf "$obj/modinst"
	build INSTALL_MOD_PATH="$obj/modinst" modules_install > /dev/null &&
	BUILD=$dir "$here/prepare-variants.sh" "${obj##*/}" > /dev/null || return 1
	for mode in "" module.sig_enforce=1 lockdown=integrity lockdown=confidentiality; do
		BUILD=$dir APPEND="$mode kunit.enable=0" "$here/qemu.sh" "${obj##*/}" > /dev/null || {
			info "the matrix fails in the boot '${mode:-default}' (log: $obj/qemu.log)"
			return 1
		}
	done
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
	if ! build "${targets[@]}" > "$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		failed+=("$subject")
		cp "$dir/build.log" "$dir/build-$i.log"
		info "[$i/${#commits[@]}] does not build; the log is $dir/build-$i.log"
		continue
	fi
	if [ -n "$boot" ] && git -C "$wt" cat-file -e HEAD:kernel/module/hashes.rs 2>/dev/null &&
	   { [ $i = ${#commits[@]} ] || ! git -C "$wt" cat-file -e HEAD~1:kernel/module/hashes.rs 2>/dev/null; }; then
		info "[$i/${#commits[@]}] the loading-policy matrix"
		matrix || failed+=("$subject (the loading-policy matrix)")
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	printf '  %s\n' "${failed[@]}" >&2
	die "${#failed[@]} of ${#commits[@]} commits of $range fail (above): the series is not bisectable"
fi
info "each of the ${#commits[@]} commits of $range builds ($config)${boot:+, and the matrix passes where the hook comes in and at the end}"
