#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the tools kernel maintainers judge a series with, run on this
# series, quickly and without a boot.
#
# Usage: lint.sh [OPTION...] [GATE...]
#
# Gates (default: all, in this order); each runs even when an earlier one
# failed, and the exit status is non-zero when any failed:
#   checkpatch     checkpatch.pl --strict on the patches of tree.sh series:
#                  nothing but the types harness/checkpatch.ignore justifies
#   rustfmt        rustfmt --check (the tree's .rustfmt.toml) of the added .rs
#   cargo-fmt      cargo fmt --check of the host tool (Cargo.toml)
#   cargo-clippy   cargo clippy --all-targets -- -D warnings
#   kernel-clippy  make CLIPPY=1 of rust/ and the series' Rust objects, and
#   rustdoc        make rustdoc, in $BUILD/lint (hashes+bench: every Rust
#                  item of the series, the benchmark's too):
#                  no warning in a file the series adds
#   sphinx         sphinx-build -W of the added .rst files, each of which
#                  must be in the toctree of its directory's index.rst
#
# Options, to point a gate at other inputs (the self-tests use them):
#   --src DIR        the kernel tree (default: $BUILD/src, after tree.sh series)
#   --obj DIR        the build directory of kernel-clippy and rustdoc
#   --patches PATH   these patches (a file or a directory of *.patch)
#   --rust FILE      rustfmt these files, not the added ones
#   --rst FILE       check these .rst files, not the added ones
#   --manifest FILE  the Cargo.toml of cargo-fmt and cargo-clippy
#   --checkpatch-ignore FILE   instead of harness/checkpatch.ignore
#   --kbuild ARG     one more make argument of kernel-clippy (for example
#                    RUSTFLAGS_hashes.o=-Wclippy::pedantic)
# --patches, --rust, --rst and --kbuild are repeatable.
#
# Environment: BUILD, JOBS, CCACHE=0, and tree.sh's LINUX_TARBALL, LINUX_SRC.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir

all_gates=(checkpatch rustfmt cargo-fmt cargo-clippy kernel-clippy rustdoc sphinx)
src='' patches=() rust_files=() rst_files=() kbuild_args=() gates=()
lint_obj=$BUILD/lint manifest=$root/Cargo.toml ignore_file=$here/checkpatch.ignore
while [ $# -gt 0 ]; do
	case $1 in
	--src|--obj|--patches|--rust|--rst|--manifest|--checkpatch-ignore|--kbuild)
		[ $# -ge 2 ] || die "lint.sh: $1 needs an argument"
		case $1 in
		--src) src=$(cd "$2" && pwd) || die "--src $2: no such directory" ;;
		--obj) lint_obj=$(mkdir -p "$2" && cd "$2" && pwd) || die "--obj $2: cannot create it" ;;
		--patches) patches+=("$2") ;;
		--rust) rust_files+=("$(realpath "$2")") ;;
		--rst) rst_files+=("$(realpath "$2")") ;;
		--manifest) manifest=$(realpath "$2") ;;
		--checkpatch-ignore) ignore_file=$(realpath "$2") ;;
		--kbuild) kbuild_args+=("$2") ;;
		esac
		shift
		;;
	-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) die "lint.sh: unknown option $1 (see lint.sh --help)" ;;
	*)
		[[ " ${all_gates[*]} " == *" $1 "* ]] ||
			die "lint.sh: unknown gate '$1'; the gates are: ${all_gates[*]}"
		gates+=("$1")
		;;
	esac
	shift
done
[ ${#gates[@]} -gt 0 ] || gates=("${all_gates[@]}")

# Install what the kernel's tools need for Debian's python3 (spdxcheck.py:
# ply and GitPython; sphinx: Sphinx), which they run, not another in PATH.
ensure_packages() {
	local p missing=() sudo=
	for p in python3-ply python3-git python3-sphinx; do
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

# Without --src, the gates that look at the series need tree.sh series.
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
if [ -z "$src" ] && [ -n "$needs_tree" ]; then
	"$here/tree.sh" series
	series_dir=$BUILD/series
fi
src=${src:-$BUILD/src}

# series_files [PATTERN...]: the files the series adds, relative to $src.
series_files() {
	git -C "$src" diff --name-only --diff-filter=A base work -- "$@"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The gates run in a subshell in an if, so without set -e: each checks its
# commands' status itself.
gate_checkpatch() {
	local p list=() ignores=() line
	[ -x "$src/scripts/checkpatch.pl" ] || die "no $src/scripts/checkpatch.pl"
	if [ ${#patches[@]} -eq 0 ]; then
		[ -n "$series_dir" ] || die "no series to check: run without --src, or give --patches"
		patches=("$series_dir")
	fi
	for p in "${patches[@]}"; do
		p=$(realpath "$p")
		# A cover letter is no patch for checkpatch.
		if [ -d "$p" ]; then
			mapfile -t -O "${#list[@]}" list < <(ls "$p"/*.patch | grep -v '/0000-cover-letter\.patch$')
		else
			list+=("$p")
		fi
	done
	for p in "${list[@]}"; do [ -f "$p" ] || die "no patch $p"; done
	# checkpatch.ignore: "--ignore TYPE[,TYPE...]" lines, each under a
	# comment that says why.
	if [ -f "$ignore_file" ]; then
		while read -r line; do
			[ -n "$line" ] || continue
			[[ $line =~ ^--ignore\ [A-Z0-9_]+(,[A-Z0-9_]+)*$ ]] ||
				die "$ignore_file: '$line' is not an '--ignore TYPE' line"
			ignores+=(--ignore "${line#--ignore }")
		done < <(sed 's/[[:space:]]*#.*//' "$ignore_file")
	fi
	# In the tree, where checkpatch finds it, so that the checks that need
	# one (spdxcheck.py) run too.
	(cd "$src" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --no-color \
		--show-types --summary-file "${ignores[@]}" "${list[@]}")
}

gate_rustfmt() {
	local f out=$tmp/rustfmt.out config=$src/.rustfmt.toml files=("${rust_files[@]}")
	[ -f "$config" ] || die "no $config (the kernel's rustfmt configuration)"
	[ ${#files[@]} -gt 0 ] || mapfile -t files < <(series_files '*.rs' | sed "s|^|$src/|")
	[ ${#files[@]} -gt 0 ] || { info "rustfmt: the series adds no .rs file"; return 0; }
	# Through stdin, one file at a time, so that rustfmt does not also check
	# the submodules a file declares, and reports each difference once.
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

# lint_make GATE MAKE-ARGS...: configure $lint_obj and make in it; fail when
# the build fails or its log has diagnostics located in the series' files.
lint_make() {
	local gate=$1 log=$lint_obj/${1#kernel-}.log files
	shift
	"$here/build.sh" --configure-only --src "$src" --obj "$lint_obj" hashes+bench \
		2> >(grep -v "does not exist\|Creating one" >&2) || return 1
	info "$gate: make $* in $lint_obj"
	if ! nice -n 19 bash -c '. "$0"; kmake "$@"' "$here/lib.sh" "$src" "$lint_obj" \
		-j"${JOBS:-$(nproc)}" "$@" > "$log" 2>&1; then
		cat "$log"
		echo "$gate: the build failed (above)"
		return 1
	fi
	files=$(series_files | tr '\n' ' ')
	if ! awk -v files="$files" -v strip="$src/ $lint_obj/" -f "$here/warnings-in.awk" "$log" > "$tmp/ours"; then
		cat "$tmp/ours"
		echo "$gate: warnings in the series' files (above); the whole log is $log"
		return 1
	fi
	echo "$gate: no warnings in the series' files ($(tail -n 1 "$tmp/ours"))"
}

gate_kernel_clippy() {
	local f o targets=(rust/)
	# The series' Rust objects: rust/kernel.o for the kernel crate, else an
	# object its Makefile names.  kbuild would not rebuild (and show the
	# warnings of) an object that is up to date: remove them.
	for f in $(series_files '*.rs'); do
		case $f in
		rust/kernel/*) o=rust/kernel.o ;;
		rust/*|scripts/*|tools/*|samples/*) continue ;; # in rust/, or host programs
		*)
			o=${f%.rs}.o
			grep -qsw "${o##*/}" "$src/$(dirname "$f")/Makefile" || continue
			targets+=("$o")
			;;
		esac
		rm -f "$lint_obj/$o"
	done
	lint_make kernel-clippy CLIPPY=1 "${kbuild_args[@]}" "${targets[@]}"
}

gate_rustdoc() {
	lint_make rustdoc CLIPPY=1 rustdoc
}

gate_sphinx() {
	local f i name index fail=0 files=("${rst_files[@]}") s=$tmp/sphinx
	if [ ${#files[@]} -eq 0 ]; then
		mapfile -t files < <(series_files '*.rst' | sed "s|^|$src/|")
		# Sphinx warns about a document that is in no toctree.
		for f in "${files[@]}"; do
			name=$(basename "$f" .rst)
			index=$(dirname "$f")/index.rst
			grep -qE "^[[:space:]]+$name(\.rst)?[[:space:]]*$" "$index" 2>/dev/null && continue
			echo "sphinx: ${f#"$src"/} is in no toctree: add '$name' to the toctree of ${index#"$src"/}"
			fail=1
		done
	fi
	[ ${#files[@]} -gt 0 ] || { info "sphinx: the series adds no .rst file"; return 0; }
	# A project of copies of the files, with the settings of the kernel's
	# Documentation/conf.py that change what Sphinx reports; links to other
	# kernel documents cannot resolve here, so those warnings are off.
	mkdir -p "$s/src"
	cat > "$s/src/conf.py" <<-'EOF'
		project = 'lint'
		primary_domain = 'c'
		highlight_language = 'none'
		suppress_warnings = ['ref.doc', 'ref.ref', 'ref.any', 'toc.not_readable']
	EOF
	for i in "${!files[@]}"; do
		[ -f "${files[$i]}" ] || die "no ${files[$i]}"
		cp "${files[$i]}" "$s/src/doc$i.rst"
	done
	{ printf 'Lint\n====\n\n.. toctree::\n\n'; printf '   doc%s\n' "${!files[@]}"; } > "$s/src/index.rst"
	if ! /usr/bin/python3 -m sphinx -W --keep-going -q -E -b dummy "$s/src" "$s/out" > "$s/log" 2>&1; then
		# Name the real files, not the copies.
		for i in "${!files[@]}"; do sed -i "s|$s/src/doc$i.rst|${files[$i]}|g" "$s/log"; done
		cat "$s/log"
		echo "sphinx: warnings (above)"
		return 1
	fi
	[ "$fail" = 0 ] && echo "sphinx: ${#files[@]} files without warnings"
	return $fail
}

case " ${gates[*]} " in
*" checkpatch "*|*" sphinx "*) ensure_packages ;;
esac

results=()
for g in "${gates[@]}"; do
	echo "--- lint: $g"
	if ( "gate_${g//-/_}" ); then results+=("pass  $g"); else results+=("FAIL  $g"); fi
done
echo "--- lint summary"
printf '%s\n' "${results[@]}"
[[ " ${results[*]} " != *" FAIL "* ]]
