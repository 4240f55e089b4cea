#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the tools kernel maintainers judge a series with, run on this
# series, quickly and without a boot.
#
# Usage: lint.sh [OPTION...] [GATE...]
#
# Gates (default: all of them, in this order):
#   checkpatch     scripts/checkpatch.pl --strict on every patch of the
#                  series (tree.sh series): no error, warning or check,
#                  except the types harness/checkpatch.ignore justifies
#   rustfmt        rustfmt --check with the tree's .rustfmt.toml on every
#                  .rs file the series adds
#   cargo-fmt      cargo fmt --check on the host tool (Cargo.toml)
#   cargo-clippy   cargo clippy --all-targets -- -D warnings
#   kernel-clippy  make CLIPPY=1 of rust/ and of the series' Rust objects
#                  in $BUILD/lint (the hashes configuration): no warning
#                  located in a file the series adds
#   rustdoc        make rustdoc in $BUILD/lint: no warning located in a
#                  file the series adds
#   sphinx         sphinx-build -W (a minimal Sphinx project) on every .rst
#                  file the series adds, each of which must also be in the
#                  toctree of its directory's index.rst
#
# Options, to point a gate at other inputs (the self-tests use them):
#   --src DIR            the patched kernel tree (default: $BUILD/src, synced
#                        and written out as a series by tree.sh series first)
#   --obj DIR            the build directory of kernel-clippy and rustdoc
#                        (default: $BUILD/lint)
#   --patches PATH       check these patches (a file or a directory of
#                        *.patch; repeatable) instead of the series
#   --rust FILE          rustfmt these files (repeatable) instead of the
#                        .rs files the series adds
#   --rst FILE           check these .rst files (repeatable) instead of
#                        the ones the series adds
#   --manifest FILE      the Cargo.toml of cargo-fmt and cargo-clippy
#   --checkpatch-ignore FILE   instead of harness/checkpatch.ignore
#   --kbuild ARG         one more argument for the kernel-clippy make
#                        (for example RUSTFLAGS_hashes.o=-Wclippy::pedantic)
#
# Every gate runs even when an earlier one failed; the exit status is
# non-zero when any failed.  Environment: BUILD, JOBS, CCACHE=0, and what
# tree.sh takes (LINUX_TARBALL, LINUX_SRC).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir

all_gates=(checkpatch rustfmt cargo-fmt cargo-clippy kernel-clippy rustdoc sphinx)
src='' obj='' patches=() rust_files=() rst_files=() kbuild_args=() gates=()
manifest=$root/Cargo.toml
ignore_file=$here/checkpatch.ignore
while [ $# -gt 0 ]; do
	case $1 in
	--src|--obj|--patches|--rust|--rst|--manifest|--checkpatch-ignore|--kbuild)
		[ $# -ge 2 ] || die "lint.sh: $1 needs an argument"
		case $1 in
		--src) src=$(cd "$2" && pwd) || die "--src $2: no such directory" ;;
		--obj) mkdir -p "$2" && obj=$(cd "$2" && pwd) ;;
		--patches) patches+=("$2") ;;
		--rust) rust_files+=("$(realpath "$2")") ;;
		--rst) rst_files+=("$(realpath "$2")") ;;
		--manifest) manifest=$(realpath "$2") ;;
		--checkpatch-ignore) ignore_file=$(realpath "$2") ;;
		--kbuild) kbuild_args+=("$2") ;;
		esac
		shift 2
		;;
	-h|--help)
		sed -n '3,/^$/s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	-*) die "lint.sh: unknown option $1 (see lint.sh --help)" ;;
	*)
		[[ " ${all_gates[*]} " == *" $1 "* ]] ||
			die "lint.sh: unknown gate '$1'; the gates are: ${all_gates[*]}"
		gates+=("$1")
		shift
		;;
	esac
done
[ ${#gates[@]} -gt 0 ] || gates=("${all_gates[@]}")

# The kernel tree's tools run Debian's python3 (spdxcheck.py needs ply and
# GitPython, the Sphinx check needs Sphinx), not another python3 that
# happens to come first in PATH.
lint_packages=(python3-ply python3-git python3-sphinx)
ensure_packages() {
	local p missing=() sudo=
	for p in "${lint_packages[@]}"; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	command -v apt-get >/dev/null ||
		die "missing Debian packages ${missing[*]} and no apt-get: install ply, GitPython and Sphinx for /usr/bin/python3"
	[ "$(id -u)" = 0 ] || sudo=sudo
	info "installing Debian packages: ${missing[*]}"
	$sudo apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null
}

needs_tree=''
for g in "${gates[@]}"; do
	case $g in
	checkpatch) [ ${#patches[@]} -gt 0 ] || needs_tree=1 ;;
	rustfmt) [ ${#rust_files[@]} -gt 0 ] || needs_tree=1 ;;
	sphinx) [ ${#rst_files[@]} -gt 0 ] || needs_tree=1 ;;
	kernel-clippy|rustdoc) needs_tree=1 ;;
	esac
done
series_dir=''
if [ -z "$src" ]; then
	src=$BUILD/src
	if [ -n "$needs_tree" ]; then
		"$here/tree.sh" series
		series_dir=$BUILD/series
	fi
fi

# The files the series adds (paths in the tree), and those with a suffix.
series_files() {
	git -C "$src" diff --name-only --diff-filter=A base work -- "$@"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gate_checkpatch() {
	local p list=() ignores=() line
	[ -x "$src/scripts/checkpatch.pl" ] || die "no $src/scripts/checkpatch.pl"
	if [ ${#patches[@]} -eq 0 ]; then
		[ -n "$series_dir" ] || die "no series to check: run without --src, or give --patches"
		patches=("$series_dir")
	fi
	for p in "${patches[@]}"; do
		if [ -d "$p" ]; then
			list+=("$p"/*.patch)
		else
			list+=("$(realpath "$p")")
		fi
	done
	for p in "${list[@]}"; do
		[ -f "$p" ] || die "no patch $p"
	done
	# harness/checkpatch.ignore: "--ignore TYPE[,TYPE...]" lines, each
	# under a comment that says why; # starts a comment.
	if [ -f "$ignore_file" ]; then
		while IFS= read -r line; do
			line=${line%%#*}
			read -r line <<< "$line" || true
			[ -n "$line" ] || continue
			[[ $line =~ ^--ignore\ [A-Z0-9_]+(,[A-Z0-9_]+)*$ ]] ||
				die "$ignore_file: '$line' is not an '--ignore TYPE' line"
			ignores+=(--ignore "${line#--ignore }")
		done < "$ignore_file"
	fi
	# Run in the tree (checkpatch finds it from the current directory), so
	# that the checks that need one, like spdxcheck.py, run too.
	(cd "$src" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --no-color \
		--show-types --summary-file "${ignores[@]}" "${list[@]}")
}

gate_rustfmt() {
	local f out=$tmp/rustfmt.out config=$src/.rustfmt.toml
	[ -f "$config" ] || die "no $config (the kernel's rustfmt configuration)"
	local files=("${rust_files[@]}")
	if [ ${#files[@]} -eq 0 ]; then
		mapfile -t files < <(series_files '*.rs' | sed "s|^|$src/|")
	fi
	[ ${#files[@]} -gt 0 ] || { info "rustfmt: the series adds no .rs file"; return 0; }
	: > "$out"
	# One file at a time through stdin, so that rustfmt does not also
	# check the files of the submodules a file declares (each is checked
	# on its own), and so each difference is reported once.
	for f in "${files[@]}"; do
		rustfmt --check --color never --config-path "$config" --edition 2021 < "$f" |
			sed "s|^Diff in <stdin>:|Diff in ${f#"$src"/}:|" >> "$out" ||
			echo "rustfmt failed on $f" >> "$out"
	done
	if [ -s "$out" ]; then
		cat "$out"
		echo "rustfmt: differences in $(grep -c '^Diff in ' "$out") places; run rustfmt --config-path $config on the files"
		return 1
	fi
	echo "rustfmt: ${#files[@]} files formatted as rustfmt wants"
}

gate_cargo_fmt() {
	(cd "$(dirname "$manifest")" && cargo fmt --manifest-path "$manifest" --check -- --color never)
}

gate_cargo_clippy() {
	(cd "$(dirname "$manifest")" &&
	 nice -n 19 cargo clippy --quiet --manifest-path "$manifest" --all-targets --color never -- -D warnings)
}

lint_obj=${obj:-$BUILD/lint}
lint_make() {
	nice -n 19 bash -c '. "$0"; kmake "$@"' "$here/lib.sh" "$src" "$lint_obj" -j"${JOBS:-$(nproc)}" "$@"
}

configure_lint() {
	"$here/build.sh" --configure-only --src "$src" --obj "$lint_obj" hashes \
		2> >(grep -v "does not exist\|Creating one" >&2)
}

# check_log LOG WHAT: fail when LOG has diagnostics in the series' files.
check_log() {
	local log=$1 what=$2 files
	files=$(series_files | tr '\n' ' ')
	if awk -v files="$files" -v strip="$src/ $lint_obj/" -f "$here/warnings-in.awk" "$log" > "$tmp/ours"; then
		echo "$what: no warnings in the series' files ($(tail -n 1 "$tmp/ours"))"
	else
		cat "$tmp/ours"
		echo "$what: warnings in the series' files (above); the whole log is $log"
		return 1
	fi
}

gate_kernel_clippy() {
	local f o targets=(rust/) objs=() log=$lint_obj/clippy.log
	configure_lint || return 1
	# The series' Rust objects: kernel crate files build rust/kernel.o, a
	# file elsewhere that its Makefile names as an object builds that.
	for f in $(series_files '*.rs'); do
		case $f in
		rust/kernel/*) o=rust/kernel.o ;;
		rust/*) continue ;;
		scripts/*|tools/*|samples/*) continue ;; # host programs: cargo-clippy
		*)
			o=${f%.rs}.o
			grep -qsw "${o##*/}" "$src/$(dirname "$f")/Makefile" || continue
			targets+=("$o")
			;;
		esac
		[[ " ${objs[*]} " == *" $o "* ]] || objs+=("$o")
	done
	# kbuild does not rebuild an object that is up to date, and so would
	# not show its warnings again: rebuild the series' objects every time.
	for o in "${objs[@]}"; do
		rm -f "$lint_obj/$o"
	done
	info "kernel-clippy: make CLIPPY=1 ${targets[*]} ${kbuild_args[*]} in $lint_obj"
	if ! lint_make CLIPPY=1 "${kbuild_args[@]}" "${targets[@]}" > "$log" 2>&1; then
		cat "$log"
		echo "kernel-clippy: the build failed (above)"
		return 1
	fi
	check_log "$log" kernel-clippy
}

gate_rustdoc() {
	local log=$lint_obj/rustdoc.log
	configure_lint || return 1
	info "rustdoc: make rustdoc in $lint_obj"
	if ! lint_make CLIPPY=1 rustdoc > "$log" 2>&1; then
		cat "$log"
		echo "rustdoc: make rustdoc failed (above)"
		return 1
	fi
	check_log "$log" rustdoc
}

gate_sphinx() {
	local f rel name dir index docs=() fail=0
	local files=("${rst_files[@]}")
	if [ ${#files[@]} -eq 0 ]; then
		mapfile -t files < <(series_files '*.rst' | sed "s|^|$src/|")
		# Sphinx warns about a document that is in no toctree.
		for f in "${files[@]}"; do
			rel=${f#"$src"/}
			name=$(basename "$rel" .rst)
			dir=$(dirname "$f")
			index=$dir/index.rst
			if ! grep -qE "^[[:space:]]+$name(\.rst)?[[:space:]]*$" "$index" 2>/dev/null; then
				echo "sphinx: $rel is in no toctree: add '$name' to the toctree of ${index#"$src"/}"
				fail=1
			fi
		done
	fi
	[ ${#files[@]} -gt 0 ] || { info "sphinx: the series adds no .rst file"; return 0; }
	# A minimal project holding the files, with the settings of the
	# kernel's Documentation/conf.py that change what Sphinx reports.
	# Links to other kernel documents cannot resolve here: those warnings
	# are off, everything else is an error.
	mkdir -p "$tmp/sphinx/src"
	cat > "$tmp/sphinx/src/conf.py" <<-'EOF'
		project = 'lint'
		primary_domain = 'c'
		highlight_language = 'none'
		suppress_warnings = ['ref.doc', 'ref.ref', 'ref.any', 'toc.not_readable']
	EOF
	for f in "${files[@]}"; do
		[ -f "$f" ] || die "no $f"
		name=doc$(( ${#docs[@]} + 1 ))
		cp "$f" "$tmp/sphinx/src/$name.rst"
		docs+=("$name")
		echo "$name: $f" >> "$tmp/sphinx/names"
	done
	printf 'Lint\n====\n\n.. toctree::\n\n%s\n' "$(printf '   %s\n' "${docs[@]}")" \
		> "$tmp/sphinx/src/index.rst"
	if ! /usr/bin/python3 -m sphinx -W --keep-going -q -E -b dummy \
		"$tmp/sphinx/src" "$tmp/sphinx/out" > "$tmp/sphinx/log" 2>&1; then
		# Name the real files, not the copies.
		while read -r name f; do
			sed -i "s|$tmp/sphinx/src/${name%:}.rst|$f|g" "$tmp/sphinx/log"
		done < "$tmp/sphinx/names"
		cat "$tmp/sphinx/log"
		echo "sphinx: warnings (above)"
		return 1
	fi
	[ "$fail" = 0 ] && echo "sphinx: ${#files[@]} files without warnings"
	return $fail
}

case " ${gates[*]} " in
*" checkpatch "*|*" sphinx "*) ensure_packages ;;
esac

declare -a results
for g in "${gates[@]}"; do
	echo "--- lint: $g"
	if ( "gate_${g//-/_}" ); then
		results+=("pass  $g")
	else
		results+=("FAIL  $g")
	fi
done
echo "--- lint summary"
printf '%s\n' "${results[@]}"
! printf '%s\n' "${results[@]}" | grep -q '^FAIL'
