#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The patched kernel tree: a git repository in $BUILD/src whose tag `base` is
# the pristine base kernel and whose branch `work` adds one commit per patch
# in patches/series: the patch's edits to existing kernel files, and the new
# files of the overlay (kernel-tree directories at the repo root) that
# patches/overlay.map assigns to it.  The overlay holds each new file as the
# whole series leaves it (the end state); where a later patch changes a new
# file, the patch holds that change, and the commit that adds the file gets
# the end state with the later patches' changes to it undone.
#
# Usage: tree.sh sync|export|series
#   sync    import the base if needed, rebuild the work branch from patches/
#           and the overlay, and check it out, rewriting only changed files
#   export  the reverse: regenerate patches/ and the overlay from base..HEAD
#   series  write base..work to $BUILD/series with git format-patch, and
#           check that git am applies it to the base and gives exactly the
#           overlay's files
#
# Environment: BUILD (default: build), LINUX_TARBALL, LINUX_SRC (see harness/README.md),
# FORCE=1 to let sync discard unexported work in $BUILD/src.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

use_build_dir
src=$BUILD/src
patches=$root/patches
# The overlay is the files under these, the top directories of a kernel tree.
kernel_dirs=(arch block certs crypto Documentation drivers fs include init
	     io_uring ipc kernel lib mm net rust samples scripts security
	     sound tools usr virt)

# git in $src with a fixed identity, so that the same inputs give the same commits.
harness_git() {
	GIT_AUTHOR_NAME=harness GIT_AUTHOR_EMAIL=harness@localhost \
	GIT_COMMITTER_NAME=harness GIT_COMMITTER_EMAIL=harness@localhost \
	GIT_AUTHOR_DATE=1970-01-01T00:00:00Z GIT_COMMITTER_DATE=1970-01-01T00:00:00Z \
	git -C "$src" -c core.autocrlf=false -c gc.auto=0 -c core.abbrev=9 "$@"
}

# no_background_gc: no git command in $src (git am of `tree.sh series` in
# a worktree of it, a developer's own commits) starts an automatic gc or
# maintenance, which repacks the repository in the background while a
# later step walks or reads it (find, git archive).
no_background_gc() {
	git -C "$src" config gc.auto 0
	git -C "$src" config maintenance.auto false
}

# Where the base comes from, as a string that changes when the base does.
base_identity() {
	local tarball top
	if [ -z "${LINUX_SRC:-}" ]; then
		tarball=$("$here/fetch-linux.sh" "$BUILD/dl")
		echo "tarball:$tarball:$(stat -c '%s:%Y' "$tarball")"
		return
	fi
	[ -d "$LINUX_SRC" ] || die "LINUX_SRC=$LINUX_SRC: no such directory"
	[ -f "$LINUX_SRC/Makefile" ] && [ -d "$LINUX_SRC/kernel" ] ||
		die "LINUX_SRC=$LINUX_SRC does not look like a kernel source tree"
	top=$(git -C "$LINUX_SRC" rev-parse --show-toplevel 2>/dev/null) || true
	if [ "$top" = "$(realpath "$LINUX_SRC")" ]; then
		echo "git:$top:$(git -C "$LINUX_SRC" rev-parse HEAD)"
	else
		echo "dir:$(realpath "$LINUX_SRC")"
	fi
}

# import_base ID: make $src a repository of the base ID, unless it is one.
import_base() {
	local id=$1 tarball
	[ "$(cat "$src/.git/harness-base" 2>/dev/null)" != "$id" ] || return 0
	info "importing the base kernel into $src"
	rm -rf "$src"
	mkdir -p "$src"
	case $id in
	tarball:*)
		tarball=${id#tarball:}
		tarball=${tarball%:*:*}
		tar -xf "$tarball" -C "$src" --strip-components=1 ||
			die "cannot extract $tarball: corrupt or not a tarball"
		;;
	git:*)
		[ -z "$(git -C "$LINUX_SRC" status --porcelain --untracked-files=no)" ] ||
			info "warning: LINUX_SRC has uncommitted changes; using its HEAD commit"
		git -C "$LINUX_SRC" archive --format=tar HEAD | tar -x -C "$src"
		;;
	dir:*)
		[ -e "$LINUX_SRC/.config" ] || [ -d "$LINUX_SRC/include/config" ] &&
			die "LINUX_SRC=$LINUX_SRC has been configured or built in; run 'make mrproper' there first"
		cp -a "$LINUX_SRC/." "$src/"
		;;
	esac
	[ -f "$src/Makefile" ] && [ -d "$src/kernel" ] ||
		die "the base ($id) is not a kernel source tree"
	harness_git init -q -b base-import
	no_background_gc
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

# The patch names of patches/series (quilt: "NAME [-pN]"), in order.
series_patches() {
	[ ! -f "$patches/series" ] || awk '{ sub(/#.*/, "") } NF { print $1 }' "$patches/series"
}

# The lines "<overlay file or directory/> <patch name>" of patches/overlay.map.
map_entries() {
	[ ! -f "$patches/overlay.map" ] || awk '{ sub(/#.*/, "") } NF' "$patches/overlay.map"
}

# first_versions PATCH_OF: "FILE MODE BLOB" for each overlay file (the keys of
# the associative array named PATCH_OF, whose values are the patches that
# add them): the file as its patch adds it.  That is the overlay's end state
# with the changes of the later patches to it undone, last patch first.
first_versions() {
	local -n owner_of=$1
	local -a order includes=()
	local f i p mode
	local -x GIT_INDEX_FILE=$tmp/end-index
	harness_git read-tree --empty
	for f in "${!owner_of[@]}"; do
		mode=100644
		[ -x "$root/$f" ] && mode=100755
		harness_git update-index --add --cacheinfo \
			"$mode,$(git -C "$src" hash-object -w "$root/$f"),$f"
		includes+=("--include=$f")
	done
	[ ${#includes[@]} -gt 0 ] || return 0
	order=($(series_patches))
	for ((i = ${#order[@]} - 1; i >= 0; i--)); do
		p=${order[i]}
		for f in "${!owner_of[@]}"; do
			[ "${owner_of[$f]}" != "$p" ] ||
				echo "$f $(harness_git ls-files -s -- "$f" | cut -d' ' -f1-2)"
		done
		git mailinfo "$tmp/msg" "$tmp/patch" < "$patches/$p" > /dev/null ||
			die "patches/$p is not a mail-formatted patch (git format-patch)"
		grep -q '^diff --git ' "$tmp/patch" || continue
		harness_git apply --cached -R --whitespace=nowarn "${includes[@]}" "$tmp/patch" 2> "$tmp/err" || {
			cat "$tmp/err" >&2
			die "patches/$p changes new files of the overlay, and the overlay's" \
			    "files (the series' end state) do not have those changes"
		}
	done
}

# Print the last of the commits base + series + overlay, made without
# touching any work tree.
build_work_commits() {
	local parent p f d mode blob author email
	local -A patch_of=() known_patch=() dir_patch=()

	for p in $(series_patches); do
		[ -f "$patches/$p" ] || die "patches/series names $p, but patches/$p does not exist"
		known_patch[$p]=1
	done
	while read -r f p; do
		[ -n "${p:-}" ] || die "patches/overlay.map: '$f' names no patch"
		[ -n "${known_patch[$p]:-}" ] ||
			die "patches/overlay.map: $f is assigned to $p, which is not in patches/series"
		[[ -f $root/$f || $f == */ && -d $root/$f ]] ||
			die "patches/overlay.map names $f, which is not in the overlay"
		[[ $f != */ ]] || { dir_patch[$f]=$p; continue; }
		[ -z "${patch_of[$f]:-}" ] || die "patches/overlay.map: $f is listed twice"
		patch_of[$f]=$p
	done < <(map_entries)
	while read -r f; do
		! harness_git cat-file -e "base:$f" 2>/dev/null ||
			die "overlay file $f already exists in the base tree;" \
			    "edits to existing kernel files must be patches in patches/"
		# A directory entry assigns the files under it that have no entry.
		[ -n "${patch_of[$f]:-}" ] || for d in "${!dir_patch[@]}"; do
			[ "${f#"$d"}" = "$f" ] || patch_of[$f]=${dir_patch[$d]}
		done
		[ -n "${patch_of[$f]:-}" ] ||
			die "overlay file $f is not assigned to a patch in patches/overlay.map"
	done < <(overlay_files)

	first_versions patch_of > "$tmp/first"
	local -A first_blob=() first_mode=()
	while read -r f mode blob; do first_blob[$f]=$blob first_mode[$f]=$mode; done < "$tmp/first"

	local -x GIT_INDEX_FILE=$tmp/index
	harness_git read-tree base
	parent=$(harness_git rev-parse base)
	for p in $(series_patches); do
		git mailinfo "$tmp/msg" "$tmp/patch" < "$patches/$p" > "$tmp/info" ||
			die "patches/$p is not a mail-formatted patch (git format-patch)"
		if grep -q '^diff --git ' "$tmp/patch"; then
			harness_git apply --cached --whitespace=nowarn "$tmp/patch" 2> "$tmp/err" || {
				cat "$tmp/err" >&2
				die "patches/$p does not apply to the base tree plus the patches before it"
			}
		fi
		for f in "${!patch_of[@]}"; do
			[ "${patch_of[$f]}" = "$p" ] || continue
			harness_git update-index --add --cacheinfo "${first_mode[$f]},${first_blob[$f]},$f"
		done
		author=$(sed -n 's/^Author: //p' "$tmp/info")
		email=$(sed -n 's/^Email: //p' "$tmp/info")
		[ -n "$author$email" ] || die "patches/$p has no From: line"
		{ sed -n 's/^Subject: //p' "$tmp/info"; echo; cat "$tmp/msg"; } > "$tmp/message"
		parent=$(GIT_AUTHOR_NAME=${author:-$email} GIT_AUTHOR_EMAIL=$email \
			 GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' "$tmp/info") \
			 git -C "$src" commit-tree "$(harness_git write-tree)" -p "$parent" < "$tmp/message")
	done
	echo "$parent"
}

# tree.sh sync
cmd_sync() {
	local id tip
	id=$(base_identity)
	import_base "$id"
	no_background_gc	# also in a repository that an older harness made
	tip=$(build_work_commits)
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

# tree.sh export
cmd_export() {
	local c f name stray mode head_blob synced_blob root_blob d dp covered
	local -a edits
	local -A owner=() write_back=()
	[ -d "$src/.git" ] || die "no tree at $src: run 'make tree' first"
	[ -z "$(harness_git status --porcelain --untracked-files=no)" ] ||
		die "$src has uncommitted changes; commit them first"
	# Builds go to O= directories: a file git does not track is a new source
	# file (that git add -A skips where Debian's .gitignore ignores all).
	stray=$(harness_git status --porcelain --ignored --untracked-files=all | sed -n 's/^\(??\|!!\) //p')
	[ -z "$stray" ] ||
		die "$src has files that are not committed (add them with 'git add -f'" \
		    "where .gitignore hides them):"$'\n'"$stray"
	mkdir -p "$tmp/patches"
	touch "$tmp/series" "$tmp/map" "$tmp/dirs"
	for c in $(harness_git rev-list --reverse base..HEAD); do
		name=$(harness_git log -1 --format=%f "$c").patch
		[ ! -e "$tmp/patches/$name" ] || die "two commits have the subject of $name"
		echo "$name" >> "$tmp/series"
		# A file the commit creates goes to the overlay; later changes are edits.
		edits=()
		while read -r f; do
			if harness_git cat-file -e "base:$f" 2>/dev/null || [ -n "${owner[$f]:-}" ]; then
				edits+=("$f")
				continue
			fi
			harness_git cat-file -e "HEAD:$f" 2>/dev/null ||
				die "new file $f is removed again by a later commit; drop it from the series"
			owner[$f]=$c
			echo "$f $name" >> "$tmp/map"
		done < <(harness_git diff-tree --no-commit-id --name-only -r "$c")
		if [ ${#edits[@]} -gt 0 ]; then
			harness_git format-patch -1 --stdout --no-signature --zero-commit \
				"$c" -- "${edits[@]}" > "$tmp/patches/$name"
		else
			# No diff: the header and message, without git log's trailing blank lines.
			harness_git log -1 --format='From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001%nFrom: %an <%ae>%nDate: %aD%nSubject: [PATCH] %s%n%n%b' "$c" |
				sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$tmp/patches/$name"
		fi
	done

	# Write back only what changed in build/src since the last sync; an
	# overlay edit at the repo root meanwhile is kept, or a conflict.
	while read -r f name; do
		head_blob=$(harness_git rev-parse "HEAD:$f")
		# What the last sync wrote: the end state of the synced series.
		synced_blob=$(harness_git rev-parse -q --verify "refs/harness/synced:$f" 2>/dev/null || true)
		root_blob=
		[ -f "$root/$f" ] && root_blob=$(git hash-object "$root/$f")
		[ -z "$root_blob" ] || [ "$head_blob" != "$synced_blob" ] || continue
		[ -z "$root_blob" ] || [ -z "$synced_blob" ] || [ "$root_blob" = "$synced_blob" ] ||
		[ "$root_blob" = "$head_blob" ] ||
			die "$f was changed both at the repo root and in $src since the last sync;" \
			    "merge the repo-root edit into $src first"
		write_back[$f]=1
	done < "$tmp/map"

	# Remove the old map's files the tree no longer has (those no map listed
	# are someone's work in progress), and write the new.
	while read -r f _; do
		[[ $f == */ ]] || grep -q "^$f " "$tmp/map" || rm -f "$root/$f"
	done < <(map_entries)
	for f in "${!write_back[@]}"; do
		mkdir -p "$(dirname "$root/$f")"
		harness_git show "HEAD:$f" > "$root/$f"
		mode=-x
		[ "$(harness_git ls-tree HEAD -- "$f" | cut -d' ' -f1)" = 100755 ] && mode=+x
		chmod "$mode" "$root/$f"
	done
	mkdir -p "$patches"
	for f in $(series_patches); do rm -f "$patches/$f"; done
	cp "$tmp/patches/"*.patch "$patches/" 2>/dev/null || true
	{
		echo "# Applied in this order on top of the base kernel (quilt format)."
		cat "$tmp/series"
	} > "$patches/series"
	# Keep the directory entries whose patch still exists, and list only the
	# files they do not cover.
	while read -r d dp; do
		[[ $d == */ ]] && grep -qxF "$dp" "$tmp/series" && echo "$d $dp" >> "$tmp/dirs"
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
		done < "$tmp/map" | cat - "$tmp/dirs" | sort
	} > "$patches/overlay.map"
	harness_git update-ref refs/harness/synced HEAD
	info "exported $(wc -l < "$tmp/series") commits to patches/ and the overlay"
}

# cover_letter PATCH TEXT: put TEXT's first line in as the subject of
# format-patch's cover letter PATCH, and the rest as its text.
cover_letter() {
	local subject
	[ -f "$2" ] || die "$2: no cover letter text"
	subject=$(head -n 1 "$2")
	awk -v subject="$subject" -v text="$2" '
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
		/^\*\*\* BLURB HERE \*\*\*$/ {
			while ((getline line < text) > 0) if (++n > 2) print line
			next
		}
		{ print }' "$1" > "$1.new"
	grep -q 'SUBJECT HERE\|BLURB HERE' "$1.new" && die "cannot fill in the cover letter $1"
	mv "$1.new" "$1"
}

# tree.sh series
cmd_series() {
	local out=$BUILD/series wt=$BUILD/series-check
	cmd_sync
	rm -rf "$out"
	# The cover letter, where the project has one: its subject and text
	# from patches/cover-letter.txt.
	local cover=()
	[ ! -f "$patches/cover-letter.txt" ] || cover=(--cover-letter)
	harness_git format-patch -q --zero-commit --no-signature "${cover[@]}" -o "$out" base..work >/dev/null
	[ ${#cover[@]} = 0 ] || cover_letter "$out"/0000-cover-letter.patch "$patches/cover-letter.txt"
	info "wrote $(ls "$out" | wc -l) patches to $out${cover:+ (0000: the cover letter)}"
	# Prove that git am applies the series to the pristine base.
	harness_git worktree remove -f "$wt" 2>/dev/null || rm -rf "$wt"
	harness_git worktree prune
	harness_git worktree add -q --detach "$wt" base
	[ -z "$(ls "$out")" ] ||
		git -C "$wt" -c user.name=harness -c user.email=harness@localhost am -q $(ls "$out"/*.patch | grep -v /0000-cover-letter.patch) ||
		die "the series in $out does not apply to the base with git am"
	[ "$(git -C "$wt" rev-parse "HEAD^{tree}")" = "$(harness_git rev-parse "work^{tree}")" ] ||
		die "git am of $out gives a different tree than the work branch"
	# The overlay is the end state: the series gives exactly its files.
	local f differ=()
	while read -r f; do
		cmp -s "$root/$f" "$wt/$f" || differ+=("$f")
	done < <(overlay_files)
	[ ${#differ[@]} = 0 ] ||
		die "the series applied to the base gives other files than the overlay's: ${differ[*]}"
	harness_git worktree remove -f "$wt"
	info "git am applies the series to the base and gives the work tree and the overlay's $(overlay_files | wc -l) files"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case ${1:-} in
sync|export|series) "cmd_$1" ;;
*) die "usage: tree.sh sync|export|series" ;;
esac
