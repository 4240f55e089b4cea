# SPDX-License-Identifier: GPL-2.0
# Small helpers shared by the harness scripts.  Sourced, not run.

# The repository (REPO_ROOT, for the harness self-tests) of the sourcing
# script.
root=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# use_build_dir: BUILD (default: build/ in the repository), created,
# absolute and exported to the scripts this one runs.
use_build_dir() {
	BUILD=${BUILD:-$root/build}
	mkdir -p "$BUILD"
	BUILD=$(cd "$BUILD" && pwd)
	export BUILD
}

# kmake SRC OBJ MAKE-ARGS...: make in the kernel tree SRC with its output in
# OBJ (kbuild O=), with the harness's toolchain: LLVM 19 (clang, lld) by
# default, or GCC and binutils with KERNEL_TOOLCHAIN=gcc, as Debian builds
# its kernels (Rust is rustc and bindgen either way).  The compilers run
# through ccache unless CCACHE=0, by Debian's compiler links in
# /usr/lib/ccache rather than CC="ccache ...": CC and HOSTCC stay the same
# program, as the packaging scripts expect (install-extmod-build rebuilds
# the host programs with CC when the two differ).
kmake() {
	local src=$1 obj=$2 tc=()
	shift 2
	case ${KERNEL_TOOLCHAIN:-llvm} in
	llvm)	tc=(LLVM=-19) ;;
	gcc)	;;
	*)	die "KERNEL_TOOLCHAIN=$KERNEL_TOOLCHAIN: llvm or gcc" ;;
	esac
	if [ "${CCACHE:-1}" != 0 ] && [ -d /usr/lib/ccache ]; then
		# Relative paths in ccache's keys: hits across checkouts in
		# other directories (CI runs in a fresh clone).
		export CCACHE_BASEDIR=${BUILD:-$root/build}
		# A distribution configuration alone fills ccache's default 5 GB.
		export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-40G}
		PATH=/usr/lib/ccache:$PATH make -s -C "$src" O="$obj" ARCH=x86_64 "${tc[@]}" "$@"
	else
		make -s -C "$src" O="$obj" ARCH=x86_64 "${tc[@]}" "$@"
	fi
}

# config_fragments NAME [--no-base]: the fragment files of configuration
# NAME, one per line, configs/base.config first (unless --no-base): NAME
# joins configs/<part>.config names with '+' (debian/cloud-amd64 is a part).
config_fragments() {
	local part parts
	[ "${2:-}" = --no-base ] || echo "$root/configs/base.config"
	IFS=+ read -r -a parts <<< "$1"
	for part in "${parts[@]}"; do
		[ -n "$part" ] && [ -f "$root/configs/$part.config" ] && [ "$part" != base ] ||
			die "no configuration '$part'; they are:" \
			    "$(cd "$root/configs" && ls *.config | sed 's/\.config$//' | grep -vx base | tr '\n' ' ')"
		echo "$root/configs/$part.config"
	done
}

# check_toolchain: the tools a kernel build and a boot need are there, or
# say which are missing (make setup installs them on Debian).
check_toolchain() {
	local tool missing=()
	for tool in clang-19 ld.lld-19 llvm-nm-19 llvm-ar-19 llvm-objcopy-19 \
		    rustc cargo bindgen make flex bison bc cpio xz zstd perl \
		    qemu-system-x86_64 busybox gcc; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	[ -d "$(rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library/core" ] ||
		missing+=("rust-src (rustup component add rust-src)")
	for tool in /usr/include/libelf.h /usr/include/openssl/ssl.h; do
		[ -f "$tool" ] || missing+=("$tool")
	done
	[ ${#missing[@]} = 0 ] || die "missing tools: ${missing[*]}; run 'make setup' (Debian) or see README.md"
}

die() {
	echo "harness: error: $*" >&2
	exit 1
}

info() {
	echo "harness: $*" >&2
}

# check_sha256 FILE SUM: succeed when FILE's sha256 is SUM.
check_sha256() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	if [ "$got" != "$2" ]; then
		echo "harness: $1: sha256 $got, expected $2" >&2
		return 1
	fi
}

# apt_download DIR SUITE PACKAGE=VERSION: download one Debian binary package
# into DIR with apt-get, through a private apt configuration in DIR/apt
# (its own sources list naming SUITE, lists, cache and status, the system's
# Debian keyring); the system's apt sources are never touched.  The mirror
# is DEBIAN_MIRROR or the one the system uses for Debian's main archive.
apt_download() {
	local dir=$1 suite=$2 package=$3 mirror apt
	command -v apt-get >/dev/null || die "apt-get is needed to download $package"
	mirror=${DEBIAN_MIRROR:-}
	if [ -z "$mirror" ]; then
		mirror=$(apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(LABEL)' 2>/dev/null |
			 awk '$2 == "Debian" && $3 == "Debian" { print $1; exit }')
	fi
	[ -n "$mirror" ] || die "cannot find a Debian mirror in the system's apt configuration;" \
		"set DEBIAN_MIRROR=<url of a Debian archive>"
	apt=$dir/apt
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
		 "$apt/sources.list.d" "$apt/preferences.d"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		> "$apt/sources.list"
	: > "$apt/status"
	local aptopts=(
		-o Dir::Etc::SourceList="$apt/sources.list"
		-o Dir::Etc::SourceParts="$apt/sources.list.d"
		-o Dir::Etc::Preferences="$apt/preferences"
		-o Dir::Etc::PreferencesParts="$apt/preferences.d"
		-o Dir::State::Lists="$apt/lists"
		-o Dir::State::status="$apt/status"
		-o Dir::Cache="$apt/cache"
		-o APT::Architecture=amd64
		-o Acquire::Languages=none
		-o APT::Sandbox::User=root
	)
	info "updating private apt lists for $suite from $mirror"
	apt-get -q "${aptopts[@]}" update >&2 || die "apt-get update of $suite failed (see above)"
	info "downloading $package"
	(cd "$dir" && apt-get -q "${aptopts[@]}" download "$package") >&2 ||
		die "apt-get download $package failed (see above)"
}

# decompress FILE: the module FILE (.ko, .ko.zst, .ko.xz, .ko.gz) as ELF on
# stdout.
decompress() {
	case $1 in
	*.ko) cat "$1" ;;
	*.ko.zst) zstd -q -d -c "$1" ;;
	*.ko.xz) xz -q -d -c "$1" ;;
	*.ko.gz) gzip -q -d -c "$1" ;;
	*) die "$1: not a module file" ;;
	esac
}

# compress_as SUFFIX FILE: compress the module FILE (a .ko) in place into
# FILE.SUFFIX (.zst, .xz, .gz, or nothing) the way modules_install does.
compress_as() {
	case $1 in
	.zst) zstd -q --rm -f "$2" ;;
	.xz) xz -q -f --check=crc32 --lzma2=dict=1MiB "$2" ;;
	.gz) gzip -q -n -f "$2" ;;
	"") ;;
	*) die "compress_as: unknown suffix $1" ;;
	esac
}

# compressed_suffix CONFIG: the suffix modules_install gives modules of the
# kernel configured by the .config CONFIG (.zst, .xz, .gz or nothing).
compressed_suffix() {
	sed -n -e 's/^CONFIG_MODULE_COMPRESS_ZSTD=y$/.zst/p' -e 's/^CONFIG_MODULE_COMPRESS_XZ=y$/.xz/p' \
		-e 's/^CONFIG_MODULE_COMPRESS_GZIP=y$/.gz/p' "$1"
}

# The steps of a test run (check.sh, debian/check.sh).  step NAME
# COMMAND...: runs COMMAND under a heading, records pass or FAIL with its
# time, and returns its status, so that later steps can depend on it.
# step_summary WHAT: prints every step and fails when any failed.
step_names=() step_results=()
step() {
	local name=$1 start=$SECONDS status=0
	shift
	echo "=== $name"
	"$@" || status=$?
	if [ $status = 0 ]; then step_results+=(pass); else step_results+=(FAIL); fi
	step_names+=("$name ($((SECONDS - start))s)")
	return $status
}
step_summary() {
	local i pass=0 fail=0
	echo
	echo "=== summary"
	for i in "${!step_names[@]}"; do
		printf '%-5s %s\n' "${step_results[$i]}" "${step_names[$i]}"
		if [ "${step_results[$i]}" = pass ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
	echo "$1: $pass passed, $fail failed"
	[ "$fail" = 0 ]
}

# section_bytes ELF SECTION: the size of a section in bytes (empty if none).
section_bytes() {
	local hex
	hex=$(llvm-readelf-19 -S -W "$1" | awk -v s="$2" '$2 == s { print $6 }')
	[ -z "$hex" ] || echo $((16#$hex))
}

# flip_byte FILE OFFSET, one definition for the host and the guest.
. "$root/harness/guest/tap.sh"

# table_layout: the .module_hashes layout, from include/linux/module_hashes.h
# (the one definition; every check reads it from here), as shell
# assignments: magic (hex of its 8 bytes), version, algo, header (size),
# count_at (offset of count), digest (bytes per digest).
table_layout() {
	local prog=$BUILD/tools/table-layout
	if ! [ -x "$prog" ] || [ "$root/include/linux/module_hashes.h" -nt "$prog" ]; then
		mkdir -p "$BUILD/tools"
		gcc -x c -o "$prog" - <<-EOF || die "cannot compile the layout of module_hashes.h"
		#include <linux/types.h>
		#include <stddef.h>
		#include <stdio.h>
		typedef __u8 u8;
		#include "$root/include/linux/module_hashes.h"
		int main(void)
		{
			const unsigned char m[8] = MODULE_HASHES_MAGIC;
			printf("magic=");
			for (int i = 0; i < 8; i++)
				printf("%02x", m[i]);
			printf(" version=%d algo=%d header=%zu count_at=%zu digest=%d\\n",
			       MODULE_HASHES_VERSION, MODULE_HASHES_ALGO_SHA256,
			       sizeof(struct module_hashes_header),
			       offsetof(struct module_hashes_header, count),
			       MODULE_HASHES_SHA256_SIZE);
			return 0;
		}
		EOF
	fi
	"$prog"
}

# comment_middle MODULE: the offset of the middle of .comment, a section
# that the loader does not use, so that a module with a byte flipped there
# still loads where authentication does not stop it.
comment_middle() {
	local off size
	read -r off size < <(llvm-readelf-19 -S -W "$1" |
		sed -n 's/^ *\[ *[0-9]*\] \.comment  *[A-Z]*  *[0-9a-f]*  *\([0-9a-f]*\)  *\([0-9a-f]*\).*/\1 \2/p')
	[ -n "$off" ] || die "$1 has no .comment section"
	echo $((16#$off + 16#$size / 2))
}

# host_sign_file SRC DIR: build the kernel's scripts/sign-file for the host
# into DIR (a configuration without MODULE_SIG does not build it) and
# print its path.
host_sign_file() {
	local sign_file=$2/sign-file
	if ! [ -x "$sign_file" ] || [ "$1/scripts/sign-file.c" -nt "$sign_file" ]; then
		mkdir -p "$2"
		gcc -O2 -w -o "$sign_file" "$1/scripts/sign-file.c" -I"$1/scripts/include" \
			-I"$1/include/uapi" -lcrypto || die "cannot build sign-file (needs libssl-dev)"
	fi
	echo "$sign_file"
}

# hash_tool: the path of tools/module-hashes (list, verify, hash) of the
# patched tree $BUILD/src, built with its own Makefile into $BUILD/tools.
hash_tool() {
	make -s -C "$BUILD/src/tools/module-hashes" O="$BUILD/tools/module-hashes" >&2 ||
		die "cannot build tools/module-hashes"
	echo "$BUILD/tools/module-hashes/module-hashes"
}

# as_unprivileged CMD...: run CMD as uid and gid 1000 in a user namespace
# where 1000 is the caller, so that it owns what the caller owns (the build
# tree, the Rust toolchain), and 0 an unprivileged outside id, so that a
# fake root's chown fails with EPERM, which fakeroot ignores.  For tools
# that refuse to run as root (makepkg).  Each map is one write(2), as the
# kernel requires.
as_unprivileged() {
	local dir pid status
	dir=$(mktemp -d)
	mkfifo "$dir/go"
	unshare --user -- sh -c 'read _ < "$0"; shift; exec "$@"' "$dir/go" - "$@" &
	pid=$!
	while [ "$(readlink "/proc/$pid/ns/user")" = "$(readlink /proc/self/ns/user)" ]; do
		sleep 0.01
	done
	printf '1000 0 1\n0 100000 1\n' | dd of="/proc/$pid/uid_map" bs=64 iflag=fullblock status=none &&
	echo deny > "/proc/$pid/setgroups" &&
	printf '1000 0 1\n0 100000 1\n' | dd of="/proc/$pid/gid_map" bs=64 iflag=fullblock status=none ||
		{ kill "$pid"; rm -rf "$dir"; die "cannot map the ids of a user namespace"; }
	echo go > "$dir/go"
	wait "$pid"
	status=$?
	rm -rf "$dir"
	return $status
}

# untrusted_key: a key (with its certificate, in one file) that no test
# kernel trusts, made once in $BUILD/tools.
untrusted_key() {
	local key=$BUILD/tools/other-key.pem
	if ! [ -f "$key" ]; then
		mkdir -p "$BUILD/tools"
		openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -batch \
			-subj "/CN=module-hashes test key the kernel does not know/" \
			-keyout "$key.tmp" -out "$key.tmp" 2>/dev/null || die "openssl cannot make a key"
		mv "$key.tmp" "$key"
	fi
	echo "$key"
}

# sign_module OBJ IN OUT: sign the module IN into OUT (SHA-512, with
# scripts/sign-file) with a key that the kernel built in OBJ trusts: the
# tests' long-lived key where its .config names the tests' certificate
# (configs/hash-or-sig.config), else the key that the build generated.
# A kernel without MODULE_SIG has neither: then the key is untrusted_key.
sign_module() {
	local sign_file key cert
	sign_file=$(host_sign_file "$BUILD/src" "$BUILD/tools")
	if grep -qx 'CONFIG_SYSTEM_TRUSTED_KEYS="oot-signing-cert.pem"' "$1/.config"; then
		key=$root/tests/keys/oot-signing-key.pem cert=$root/tests/keys/oot-signing-cert.pem
	elif [ -f "$1/certs/signing_key.pem" ]; then
		key=$1/certs/signing_key.pem cert=$key
	else
		key=$(untrusted_key) cert=$key
	fi
	"$sign_file" sha512 "$key" "$cert" "$2" "$3"
}

# sign_module_untrusted IN OUT: sign the module IN into OUT with
# untrusted_key.
sign_module_untrusted() {
	local sign_file key
	sign_file=$(host_sign_file "$BUILD/src" "$BUILD/tools")
	key=$(untrusted_key)
	"$sign_file" sha512 "$key" "$key" "$1" "$2"
}

# build_oot_module SRC OBJ DIR: build the harness's out-of-tree module
# (guest/oot) in DIR with make M= against the kernel build OBJ of the
# source tree SRC, as a distribution's DKMS would.
build_oot_module() {
	rm -rf "$3"
	cp -r "$(dirname "${BASH_SOURCE[0]}")/guest/oot" "$3"
	make -s -C "$1" O="$2" ARCH=x86_64 LLVM=-19 M="$3" modules > "$3/build.log" 2>&1 ||
		{ cat "$3/build.log" >&2; die "the out-of-tree module does not build against $2"; }
}
