#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The patched kernel tree: a git repository in $BUILD/src whose tag `base`
# is the pristine base kernel and whose branch `work` is base plus one
# commit per patch in patches/series.  Each commit carries the patch's
# edits to existing kernel files and the new files from the overlay (the
# kernel-tree directories at the repo root) that patches/overlay.map
# assigns to it.  A new file is in the overlay as the commit that creates
# it has it; a later commit's changes to it are edits in that commit's
# patch, as in any quilt series.
#
# Usage: tree.sh COMMAND
#   sync     import the base if needed, rebuild the work branch from
#            patches/ and the overlay, and check it out in $BUILD/src.
#            Only files whose content changed are rewritten, so an
#            incremental kernel build recompiles only what changed.
#   export   the reverse of sync: regenerate patches/ and the overlay from
#            the commits base..HEAD in $BUILD/src (the developer loop).
#   series   write base..work as a git format-patch series to
#            $BUILD/series and check that `git am` applies it to the base.
#
# Environment: BUILD (default: build), LINUX_TARBALL, LINUX_SRC (see README),
# FORCE=1 to let sync discard unexported work in $BUILD/src.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

use_build_dir
src=$BUILD/src
patches=$root/patches

# The top-level directories of a kernel tree: files under these at the repo
# root are the overlay.
kernel_dirs=(arch block certs crypto Documentation drivers fs include init
	     io_uring ipc kernel lib mm net rust samples scripts security
	     sound tools usr virt)

# A fixed identity for the commits the harness makes, so that the same
# patches and overlay always give the same commits.
harness_git() {
	GIT_AUTHOR_NAME=harness GIT_AUTHOR_EMAIL=harness@localhost \
	GIT_AUTHOR_DATE='1970-01-01T00:00:00Z' \
	GIT_COMMITTER_NAME=harness GIT_COMMITTER_EMAIL=harness@localhost \
	GIT_COMMITTER_DATE='1970-01-01T00:00:00Z' \
	git -C "$src" -c core.autocrlf=false -c gc.auto=0 -c core.abbrev=9 "$@"
}

# Where the base comes from, as a string that changes when the base does.
base_identity() {
	if [ -n "${LINUX_SRC:-}" ]; then
		[ -d "$LINUX_SRC" ] || die "LINUX_SRC=$LINUX_SRC: no such directory"
		[ -f "$LINUX_SRC/Makefile" ] && [ -d "$LINUX_SRC/kernel" ] ||
			die "LINUX_SRC=$LINUX_SRC does not look like a kernel source tree"
		if git -C "$LINUX_SRC" rev-parse --show-toplevel >/dev/null 2>&1 &&
		   [ "$(git -C "$LINUX_SRC" rev-parse --show-toplevel)" = "$(realpath "$LINUX_SRC")" ]; then
			echo "git:$(realpath "$LINUX_SRC"):$(git -C "$LINUX_SRC" rev-parse HEAD)"
		else
			echo "dir:$(realpath "$LINUX_SRC")"
		fi
	else
		local tarball
		tarball=$("$here/fetch-linux.sh" "$BUILD/dl")
		echo "tarball:$tarball:$(stat -c '%s:%Y' "$tarball")"
	fi
}

import_base() {
	local id=$1 kind=${1%%:*}
	if [ -d "$src/.git" ] && [ "$(cat "$src/.git/harness-base" 2>/dev/null)" = "$id" ]; then
		return
	fi
	info "importing the base kernel into $src"
	rm -rf "$src"
	mkdir -p "$src"
	case $kind in
	tarball)
		local tarball=${id#tarball:}
		tarball=${tarball%:*:*}
		tar -xf "$tarball" -C "$src" --strip-components=1 ||
			die "cannot extract $tarball: corrupt or not a tarball"
		;;
	git)
		if [ -n "$(git -C "$LINUX_SRC" status --porcelain --untracked-files=no)" ]; then
			info "warning: LINUX_SRC has uncommitted changes; using its HEAD commit"
		fi
		git -C "$LINUX_SRC" archive --format=tar HEAD | tar -x -C "$src"
		;;
	dir)
		[ -e "$LINUX_SRC/.config" ] || [ -d "$LINUX_SRC/include/config" ] &&
			die "LINUX_SRC=$LINUX_SRC has been configured or built in; run 'make mrproper' there first"
		cp -a "$LINUX_SRC/." "$src/"
		;;
	esac
	[ -f "$src/Makefile" ] && [ -d "$src/kernel" ] ||
		die "the base ($id) is not a kernel source tree"
	harness_git init -q -b base-import
	# -f: a released tree may hold files its own .gitignore would skip.
	harness_git add -f -A .
	harness_git commit -q --no-verify -m "Linux base" -m "Imported by the harness from ${id%:*}."
	harness_git tag -f base >/dev/null
	harness_git checkout -q -b work
	harness_git update-ref refs/harness/synced HEAD
	echo "$id" > "$src/.git/harness-base"
}

# The overlay: new kernel files at their kernel paths in the repo root.
overlay_files() {
	(cd "$root" && git ls-files --cached --others --exclude-standard -- "${kernel_dirs[@]}" |
	 while read -r f; do [ -f "$f" ] && echo "$f"; done | sort -u)
}

series_patches() {
	[ -f "$patches/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]\+-p[0-9]*//' "$patches/series" | awk 'NF { print $1 }'
}

# overlay.map lines: "<overlay path> <patch name>".
map_entries() {
	[ -f "$patches/overlay.map" ] || return 0
	sed -e 's/#.*//' "$patches/overlay.map" | awk 'NF'
}

# Build base + series + overlay as commits, without touching any work
# tree; print the last commit.
build_work_commits() {
	local tmp=$1 parent p f mode blob author email
	local -A patch_of=() known_patch=()

	for p in $(series_patches); do
		[ -f "$patches/$p" ] || die "patches/series names $p, but patches/$p does not exist"
		known_patch[$p]=1
	done
	local -A dir_patch=()
	while read -r f p; do
		[ -n "${p:-}" ] || die "patches/overlay.map: '$f' names no patch"
		[ -n "${known_patch[$p]:-}" ] ||
			die "patches/overlay.map: $f is assigned to $p, which is not in patches/series"
		if [ "${f%/}" != "$f" ]; then
			# A directory entry: every overlay file under it.
			[ -d "$root/$f" ] || die "patches/overlay.map names $f, which is not in the overlay"
			dir_patch[$f]=$p
			continue
		fi
		[ -f "$root/$f" ] || die "patches/overlay.map names $f, which is not in the overlay"
		[ -z "${patch_of[$f]:-}" ] || die "patches/overlay.map: $f is listed twice"
		patch_of[$f]=$p
	done < <(map_entries)
	local d
	while read -r f; do
		[ -z "${patch_of[$f]:-}" ] || continue
		for d in "${!dir_patch[@]}"; do
			[ "${f#"$d"}" = "$f" ] || patch_of[$f]=${dir_patch[$d]}
		done
	done < <(overlay_files)
	while read -r f; do
		if harness_git cat-file -e "base:$f" 2>/dev/null; then
			die "overlay file $f already exists in the base tree;" \
			    "edits to existing kernel files must be patches in patches/"
		fi
		[ -n "${patch_of[$f]:-}" ] ||
			die "overlay file $f is not assigned to a patch in patches/overlay.map"
	done < <(overlay_files)

	export GIT_INDEX_FILE=$tmp/index
	harness_git read-tree base
	parent=$(harness_git rev-parse base)
	for p in $(series_patches); do
		git mailinfo "$tmp/msg" "$tmp/patch" < "$patches/$p" > "$tmp/info" ||
			die "patches/$p is not a mail-formatted patch (git format-patch)"
		if [ -s "$tmp/patch" ] && grep -q '^diff --git ' "$tmp/patch"; then
			harness_git apply --cached --whitespace=nowarn "$tmp/patch" 2> "$tmp/err" || {
				cat "$tmp/err" >&2
				die "patches/$p does not apply to the base tree plus the patches before it"
			}
		fi
		for f in "${!patch_of[@]}"; do
			[ "${patch_of[$f]}" = "$p" ] || continue
			mode=100644
			[ -x "$root/$f" ] && mode=100755
			blob=$(git -C "$src" hash-object -w "$root/$f")
			harness_git update-index --add --cacheinfo "$mode,$blob,$f"
		done
		author=$(sed -n 's/^Author: //p' "$tmp/info")
		email=$(sed -n 's/^Email: //p' "$tmp/info")
		[ -n "$author$email" ] || die "patches/$p has no From: line"
		{
			sed -n 's/^Subject: //p' "$tmp/info"
			echo
			cat "$tmp/msg"
		} > "$tmp/message"
		parent=$(GIT_AUTHOR_NAME=${author:-$email} GIT_AUTHOR_EMAIL=$email \
			 GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' "$tmp/info") \
			 git -C "$src" commit-tree "$(harness_git write-tree)" -p "$parent" < "$tmp/message")
	done
	unset GIT_INDEX_FILE
	echo "$parent"
}

cmd_sync() {
	local id tip
	id=$(base_identity)
	import_base "$id"
	tip=$(build_work_commits "$tmp")

	if [ "${FORCE:-}" != 1 ]; then
		[ -z "$(harness_git status --porcelain --untracked-files=no)" ] ||
			die "$src has uncommitted changes; commit them and run 'make export'," \
			    "or discard them with 'make tree FORCE=1'"
		if [ "$(harness_git rev-parse HEAD)" != "$(harness_git rev-parse refs/harness/synced)" ] &&
		   [ "$(harness_git rev-parse "HEAD^{tree}")" != "$(harness_git rev-parse "$tip^{tree}")" ]; then
			die "$src has commits that are not in patches/ and the overlay;" \
			    "run 'make export' to keep them, or 'make tree FORCE=1' to discard them"
		fi
	fi
	# Checking out only rewrites files whose content differs.
	harness_git checkout -q -f -B work "$tip"
	harness_git update-ref refs/harness/synced "$tip"
}

cmd_export() {
	[ -d "$src/.git" ] || die "no tree at $src: run 'make tree' first"
	[ -z "$(harness_git status --porcelain --untracked-files=no)" ] ||
		die "$src has uncommitted changes; commit them first"
	# Builds go to O= directories, so a file git does not track in
	# build/src is a new source file that was not committed.  Debian's
	# tree ignores everything at the top level, so git add -A skips them.
	local stray
	stray=$(harness_git status --porcelain --ignored --untracked-files=all | sed -n 's/^\(??\|!!\) //p')
	[ -z "$stray" ] ||
		die "$src has files that are not committed (add them with 'git add -f'" \
		    "where .gitignore hides them):"$'\n'"$stray"
	local c f name
	local -a edits news
	local -A owner=()
	mkdir -p "$tmp/patches"
	: > "$tmp/series"
	: > "$tmp/map"
	for c in $(harness_git rev-list --reverse base..HEAD); do
		edits=()
		news=()
		# A file the commit creates goes to the overlay, as the commit
		# has it; later changes to it are edits in later patches.
		while read -r f; do
			if harness_git cat-file -e "base:$f" 2>/dev/null || [ -n "${owner[$f]:-}" ]; then
				edits+=("$f")
			else
				harness_git cat-file -e "HEAD:$f" 2>/dev/null ||
					die "new file $f is removed again by a later commit; drop it from the series"
				owner[$f]=$c
				news+=("$f")
			fi
		done < <(harness_git diff-tree --no-commit-id --name-only -r "$c")
		name=$(harness_git log -1 --format=%f "$c").patch
		[ ! -e "$tmp/patches/$name" ] || die "two commits have the subject of $name"
		if [ ${#edits[@]} -gt 0 ]; then
			harness_git format-patch -1 --stdout --no-signature --zero-commit \
				"$c" -- "${edits[@]}" > "$tmp/patches/$name"
		else
			# A patch without a diff: its header and message, without
			# the blank lines git log leaves at the end.
			harness_git log -1 --format='From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001%nFrom: %an <%ae>%nDate: %aD%nSubject: [PATCH] %s%n%n%b' "$c" |
				sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$tmp/patches/$name"
		fi
		echo "$name" >> "$tmp/series"
		for f in "${news[@]}"; do
			echo "$f $name" >> "$tmp/map"
		done
	done

	# Write back only what changed in build/src since the last sync: an
	# overlay file edited at the repo root meanwhile is kept, unless both
	# sides changed it, which is a conflict to resolve by hand.
	local -A write_back=()
	local head_blob synced_blob root_blob
	while read -r f name; do
		head_blob=$(harness_git rev-parse "${owner[$f]}:$f")
		# The version the last sync wrote: the file as the commit that
		# created it had it.
		synced_blob=$(harness_git log --diff-filter=A --format=%H refs/harness/synced -- "$f" 2>/dev/null |
			      tail -n 1)
		[ -z "$synced_blob" ] ||
			synced_blob=$(harness_git rev-parse -q --verify "$synced_blob:$f" 2>/dev/null || true)
		root_blob=
		[ -f "$root/$f" ] && root_blob=$(git hash-object "$root/$f")
		if [ -z "$root_blob" ] || [ "$head_blob" != "$synced_blob" ]; then
			if [ -n "$root_blob" ] && [ -n "$synced_blob" ] &&
			   [ "$root_blob" != "$synced_blob" ] && [ "$root_blob" != "$head_blob" ]; then
				die "$f was changed both at the repo root and in $src since the last sync;" \
				    "merge the repo-root edit into $src first"
			fi
			write_back[$f]=1
		fi
	done < "$tmp/map"

	# Remove the overlay files of the old map that the tree no longer has
	# (overlay files the map never listed are someone's work in progress),
	# then write the new ones.
	local old
	while read -r old _; do
		[ "${old%/}" = "$old" ] || continue
		grep -q "^$old " "$tmp/map" || rm -f "$root/$old"
	done < <(map_entries)
	while read -r f name; do
		[ -n "${write_back[$f]:-}" ] || continue
		mkdir -p "$(dirname "$root/$f")"
		harness_git show "${owner[$f]}:$f" > "$root/$f"
		if [ "$(harness_git ls-tree "${owner[$f]}" -- "$f" | cut -d' ' -f1)" = 100755 ]; then
			chmod +x "$root/$f"
		else
			chmod -x "$root/$f"
		fi
	done < "$tmp/map"
	mkdir -p "$patches"
	for f in $(series_patches); do rm -f "$patches/$f"; done
	cp "$tmp/patches/"*.patch "$patches/" 2>/dev/null || true
	{
		echo "# Applied in this order on top of the base kernel (quilt format)."
		cat "$tmp/series"
	} > "$patches/series"
	# Keep the directory entries whose patch still exists, and list only
	# the files they do not cover.
	local d dp covered
	: > "$tmp/dirs"
	while read -r d dp; do
		[ "${d%/}" != "$d" ] && grep -qxF "$dp" "$tmp/series" && echo "$d $dp" >> "$tmp/dirs"
	done < <(map_entries)
	{
		echo "# <new file in the overlay, or a directory/ for all files under it>"
		echo "# <the patch whose commit adds it>"
		while read -r f name; do
			covered=
			while read -r d dp; do
				[ "${f#"$d"}" != "$f" ] && [ "$dp" = "$name" ] && covered=1
			done < "$tmp/dirs"
			[ -n "$covered" ] || echo "$f $name"
		done < "$tmp/map"
		cat "$tmp/dirs"
	} | { read -r h1; read -r h2; echo "$h1"; echo "$h2"; sort; } > "$patches/overlay.map"
	harness_git update-ref refs/harness/synced HEAD
	info "exported $(wc -l < "$tmp/series") commits to patches/ and the overlay"
}

cmd_series() {
	cmd_sync
	local out=$BUILD/series wt
	rm -rf "$out"
	harness_git format-patch -q --zero-commit --no-signature -o "$out" base..work >/dev/null
	info "wrote $(ls "$out" | wc -l) patches to $out"
	# Prove the series applies with git am to the pristine base.
	wt=$BUILD/series-check
	harness_git worktree remove -f "$wt" 2>/dev/null || rm -rf "$wt"
	harness_git worktree prune
	harness_git worktree add -q --detach "$wt" base
	if [ -n "$(ls "$out")" ]; then
		git -C "$wt" -c user.name=harness -c user.email=harness@localhost \
			am -q "$out"/*.patch ||
			die "the series in $out does not apply to the base with git am"
	fi
	[ "$(git -C "$wt" rev-parse "HEAD^{tree}")" = "$(harness_git rev-parse "work^{tree}")" ] ||
		die "git am of $out gives a different tree than the work branch"
	harness_git worktree remove -f "$wt"
	info "git am applies the series to the base and gives the work tree"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case ${1:-} in
sync) cmd_sync ;;
export) cmd_export ;;
series) cmd_series ;;
*) die "usage: tree.sh sync|export|series" ;;
esac
