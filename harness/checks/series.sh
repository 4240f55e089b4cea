# SPDX-License-Identifier: GPL-2.0
# Every commit of the series builds; the matrix where the selftest comes in
# and at the end.
# Sourced by checks.sh, not run.

check_series() {
	local range=base..work targets=() config=hashes sync=1 boot='' dir=$BUILD/check-series
	local wt obj commits c i=0 n subject failed=()
	local selftest=tools/testing/selftests/module/module_auth.sh
	while [ $# -gt 0 ]; do
		case $1 in
		--no-sync) sync='' ;;
		--boot) boot=1 ;;
		--commits) range=${2:?--commits needs a range}; shift ;;
		--target) targets+=("${2:?--target needs a kbuild target}"); shift ;;
		-*) usage ;;
		*) config=$1 ;;
		esac
		shift
	done
	config_fragments "$config" > /dev/null
	check_toolchain
	[ -z "$sync" ] || "$here/tree.sh" sync
	wt=$dir/src obj=$dir/$(obj_subdir "obj-$config")
	mkdir -p "$obj"
	mapfile -t commits < <(git -C "$src" rev-list --reverse "$range")
	n=${#commits[@]}
	[ "$n" -gt 0 ] || die "no commits in $range"
	# One worktree, moved from commit to commit: a checkout rewrites only
	# the files that differ, so kbuild rebuilds only what they change.
	if ! [ -e "$wt/.git" ] || ! git -C "$wt" rev-parse --git-dir > /dev/null 2>&1; then
		rm -rf "$wt"
		git -C "$src" worktree prune
		info "creating the worktree $wt"
		git -C "$src" worktree add -q --detach "$wt" "${commits[0]}"
	fi
	# matrix: the loading-policy matrix of the commit just built, with the
	# harness pointed at the worktree ($dir/src) and this build.
	matrix() {
		local mode
		rm -rf "$obj/modinst"
		kmake "$wt" "$obj" -j"$jobs" INSTALL_MOD_PATH="$obj/modinst" modules_install > /dev/null || return 1
		for mode in "${boot_modes[@]}"; do
			BUILD=$dir APPEND="$mode kunit.enable=0" "$here/boot.sh" "${obj##*/}" > /dev/null || {
				info "the matrix fails in the boot '${mode:-default}' (log: $obj/qemu.log)"
				return 1
			}
		done
	}
	for c in "${commits[@]}"; do
		i=$((i + 1))
		subject=$(git -C "$src" log -1 --format='%h %s' "$c")
		info "[$i/$n] $subject"
		git -C "$wt" checkout -q --detach -f "$c"
		# Each commit may add Kconfig options: configure it anew.
		rm -f "$obj/.harness-config"
		if ! "$here/build.sh" --lenient --src "$wt" --obj "$obj" --configure-only "$config" \
			2> "$dir/configure.log"; then
			cat "$dir/configure.log" >&2
			failed+=("$subject (configuration)")
		elif ! kmake "$wt" "$obj" -j"$jobs" "${targets[@]}" > "$dir/build.log" 2>&1; then
			tail -n 40 "$dir/build.log" >&2
			failed+=("$subject")
			cp "$dir/build.log" "$dir/build-$i.log"
			info "[$i/$n] does not build; the log is $dir/build-$i.log"
		elif [ -n "$boot" ] && git -C "$wt" cat-file -e HEAD:$selftest 2> /dev/null &&
		     { [ "$i" = "$n" ] || ! git -C "$wt" cat-file -e HEAD~1:$selftest 2> /dev/null; }; then
			info "[$i/$n] the loading-policy matrix"
			matrix || failed+=("$subject (the loading-policy matrix)")
		fi
	done
	if [ ${#failed[@]} -gt 0 ]; then
		printf '  %s\n' "${failed[@]}" >&2
		die "${#failed[@]} of $n commits of $range fail (above): the series is not bisectable"
	fi
	info "each of the $n commits of $range builds ($config)${boot:+, and the matrix passes where the selftest comes in (the core) and at the end}"
}
