# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the harness scripts.  Sourced, not run.

# The repository of the sourcing script (REPO_ROOT: the harness self-tests).
root=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

die() { echo "harness: error: $*" >&2; exit 1; }
info() { echo "harness: $*" >&2; }

# The target architecture: ARCH as make takes it (default x86_64), kept in
# HARNESS_ARCH for the scripts this one runs.  ARCH itself is unset in the
# environment; kmake gives the kernel's make its own ARCH=.  (Under make,
# ARCH= also reaches the other makes through MAKEFLAGS: tools/module-hashes
# does not use it, and nolibc's headers are every architecture's.)
case ${ARCH:-${HARNESS_ARCH:-x86_64}} in
x86_64|x86|amd64) HARNESS_ARCH=x86_64 ;;
arm64|aarch64) HARNESS_ARCH=arm64 ;;
riscv|riscv64) HARNESS_ARCH=riscv ;;
arm|armhf) HARNESS_ARCH=arm ;;
s390|s390x) HARNESS_ARCH=s390 ;;
*) die "ARCH=${ARCH:-$HARNESS_ARCH}: the harness builds x86_64, arm64, riscv, arm (ARMv7) and s390" ;;
esac
export HARNESS_ARCH
unset ARCH
# What differs between them: the kernel image (in the build directory),
# Debian's name of the architecture and the triplet of the guest's
# programs, QEMU (its TCG machine and CPU), the console, and the Rust
# toolchain where the stable one is too old for the tree (rustup's name,
# RUSTUP_TOOLCHAIN).
arch_rust_toolchain=
case $HARNESS_ARCH in
x86_64)	arch_image=arch/x86/boot/bzImage arch_deb=amd64 arch_triplet=x86_64-linux-gnu
	arch_qemu=(qemu-system-x86_64 -cpu max) arch_console=ttyS0 ;;
arm64)	arch_image=arch/arm64/boot/Image arch_deb=arm64 arch_triplet=aarch64-linux-gnu
	arch_qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57) arch_console=ttyAMA0 ;;
riscv)	arch_image=arch/riscv/boot/Image arch_deb=riscv64 arch_triplet=riscv64-linux-gnu
	arch_qemu=(qemu-system-riscv64 -M virt -bios default) arch_console=ttyS0 ;;
arm)	arch_image=arch/arm/boot/zImage arch_deb=armhf arch_triplet=arm-linux-gnueabihf
	arch_qemu=(qemu-system-arm -M virt -cpu cortex-a15) arch_console=ttyAMA0 ;;
s390)	arch_image=arch/s390/boot/bzImage arch_deb=s390x arch_triplet=s390x-linux-gnu
	arch_qemu=(qemu-system-s390x -M s390-ccw-virtio -cpu max) arch_console=ttysclp0
	# 7.3 wants rustc 1.96 for s390 (scripts/min-tool-version.sh).
	arch_rust_toolchain=1.96.0 ;;
esac

# qemu_accel CPUS: QEMU's accelerator options for a guest of CPUS vCPUs.
# TCG, not KVM: KVM guests hang on the machines this was written on.  One
# vCPU runs on multi-threaded TCG; more run on one host thread
# (thread=single), which interleaves them and so keeps SMP's semantics for
# the kernel, because with multi-threaded TCG a vCPU now and then executed
# a stale translation of kernel text that text_poke_bp() was patching on
# another, and the guest died of "Oops: int3" before userspace.
qemu_accel() {
	if [ "$1" -gt 1 ]; then
		echo "-accel tcg,thread=single"
	else
		echo "-accel tcg"
	fi
}

# obj_dir NAME: the build directory of configuration NAME: $BUILD/NAME for
# x86_64, $BUILD/ARCH/NAME for the others; obj_subdir NAME: the same
# relative to $BUILD.
obj_subdir() {
	if [ "$HARNESS_ARCH" = x86_64 ]; then
		echo "$1"
	else
		echo "$HARNESS_ARCH/$1"
	fi
}
obj_dir() { echo "$BUILD/$(obj_subdir "$1")"; }

# use_build_dir: BUILD (default build/), created, made absolute and exported.
use_build_dir() {
	mkdir -p "${BUILD:=$root/build}"
	BUILD=$(cd "$BUILD" && pwd)
	export BUILD
}

# kmake SRC OBJ MAKE-ARGS...: make in the kernel tree SRC, output in OBJ,
# with LLVM 19, or GCC and binutils (as Debian) with KERNEL_TOOLCHAIN=gcc.
# ccache (unless CCACHE=0) through Debian's links in /usr/lib/ccache, not
# CC="ccache ...": CC and HOSTCC stay one program, as the packaging scripts
# expect (install-extmod-build rebuilds host programs when they differ).
kmake() {
	local src=$1 obj=$2 tc=() path=$PATH envs=()
	shift 2
	case ${KERNEL_TOOLCHAIN:-llvm} in
	llvm)	tc=(LLVM=-19) ;;
	gcc)	;;
	*)	die "KERNEL_TOOLCHAIN=$KERNEL_TOOLCHAIN: llvm or gcc" ;;
	esac
	# Documentation/kbuild/reproducible-builds.rst's settings for absolute
	# paths, for a build with debug information (build.sh marks it) or
	# with REPRODUCIBLE_PATHS=1 (repro.sh): no source or build path in
	# what it makes.
	if [ "${REPRODUCIBLE_PATHS:-0}" = 1 ] || [ -f "$obj/.harness-path-maps" ]; then
		local s o
		s=$(realpath "$src") o=$(realpath -m "$obj")
		envs=("KCFLAGS=-fdebug-prefix-map=$s/= -fdebug-prefix-map=$o=."
		      "KAFLAGS=-fdebug-prefix-map=$s/= -fdebug-prefix-map=$o=."
		      "KRUSTFLAGS=--remap-path-prefix=$s/= --remap-path-prefix=$o=. --remap-path-scope=object")
		# make repro also compares the headers package, which carries
		# host programs (objtool, resolve_btfids, scripts/): the same
		# maps for them.
		[ "${REPRODUCIBLE_PATHS:-0}" != 1 ] ||
			envs+=("HOSTCFLAGS=-ffile-prefix-map=$s/= -ffile-prefix-map=$o=."
			       "HOSTRUSTFLAGS=--remap-path-prefix=$s/= --remap-path-prefix=$o=.")
	fi
	if [ "${CCACHE:-1}" != 0 ] && [ -d /usr/lib/ccache ]; then
		# Relative keys: hits across checkouts (CI clones afresh); a
		# distribution configuration alone fills ccache's default 5 GB.
		export CCACHE_BASEDIR=${BUILD:-$root/build} CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-40G}
		path=/usr/lib/ccache:$PATH
	fi
	# The external modules whose digests the table gets (build.sh).
	local extra
	extra=$(extra_modules "$obj")
	[ -z "$extra" ] || tc+=("MODULE_HASHES_EXTRA=$extra")
	# The Rust toolchain of the architecture, where not the default.
	[ -z "$arch_rust_toolchain" ] || envs+=("RUSTUP_TOOLCHAIN=$arch_rust_toolchain")
	PATH=$path env "${envs[@]}" make -s -C "$src" O="$obj" ARCH="$HARNESS_ARCH" "${tc[@]}" "$@"
}

# config_fragments NAME [--no-base]: configs/base.config and
# configs/arch/ARCH.config (not with --no-base) and configs/PART.config for
# each '+'-joined PART of NAME (debian/cloud-amd64).
config_fragments() {
	local part parts
	[ "${2:-}" = --no-base ] || echo "$root/configs/base.config" "$root/configs/arch/$HARNESS_ARCH.config" | tr ' ' '\n'
	IFS=+ read -r -a parts <<< "$1"
	for part in "${parts[@]}"; do
		[ -n "$part" ] && [ -f "$root/configs/$part.config" ] && [ "$part" != base ] ||
			die "no configuration '$part'; they are:" \
			    "$(cd "$root/configs" && ls *.config | sed 's/\.config$//' | grep -vx base | tr '\n' ' ')"
		echo "$root/configs/$part.config"
	done
}

# has_rust_src [TOOLCHAIN]: rustc (rustup's TOOLCHAIN, else the default)
# runs and has the library source that the kernel builds core from.
has_rust_src() {
	local sysroot
	sysroot=$(${1:+env RUSTUP_TOOLCHAIN=$1} rustc --print sysroot 2>/dev/null) &&
		[ -d "$sysroot/lib/rustlib/src/rust/library/core" ]
}

# check_toolchain: die naming what a kernel build and a boot need but miss.
check_toolchain() {
	local tool missing=()
	local guest=(busybox)
	# Another architecture's guest gets Debian's programs (guest_userland).
	[ "$HARNESS_ARCH" = x86_64 ] || guest=(apt-get dpkg-deb)
	[ "${KERNEL_TOOLCHAIN:-llvm}" = llvm ] || [ "$HARNESS_ARCH" = x86_64 ] ||
		die "KERNEL_TOOLCHAIN=$KERNEL_TOOLCHAIN builds x86_64 only (the host's GCC); ARCH=$HARNESS_ARCH needs LLVM"
	for tool in clang-19 ld.lld-19 llvm-nm-19 llvm-ar-19 llvm-objcopy-19 \
		    rustc cargo bindgen make flex bison bc cpio xz zstd perl \
		    "${arch_qemu[0]}" "${guest[@]}" gcc; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	local rust="rust-src (rustup component add rust-src)"
	[ -z "$arch_rust_toolchain" ] ||
		rust="Rust $arch_rust_toolchain with rust-src (rustup toolchain install $arch_rust_toolchain --component rust-src)"
	has_rust_src "$arch_rust_toolchain" || missing+=("$rust")
	for tool in /usr/include/libelf.h /usr/include/openssl/ssl.h; do
		[ -f "$tool" ] || missing+=("$tool")
	done
	[ ${#missing[@]} = 0 ] || die "missing tools: ${missing[*]}; run 'make setup' (Debian) or see harness/README.md"
}

# check_sha256 FILE SUM: succeed when FILE's sha256 is SUM.
check_sha256() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || { info "$1: sha256 $got, expected $2"; return 1; }
}

# apt_download DIR SUITE PACKAGE[=VERSION]...: download Debian packages
# (of APT_ARCH, default amd64) into DIR through a private apt configuration
# in DIR/apt (sources list naming SUITE, lists, cache, status; the system's
# Debian keyring): the system's apt sources are never touched.  The mirror
# is DEBIAN_MIRROR or the one the system uses for Debian's main archive.
apt_download() {
	local dir=$1 suite=$2 package=${*:3} apt=$1/apt mirror=${DEBIAN_MIRROR:-} opts
	command -v apt-get >/dev/null || die "apt-get is needed to download $package"
	[ -n "$mirror" ] || mirror=$(apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(LABEL)' 2>/dev/null |
		awk '$2 == "Debian" && $3 == "Debian" { print $1; exit }')
	[ -n "$mirror" ] || die "cannot find a Debian mirror in the system's apt configuration;" \
		"set DEBIAN_MIRROR=<url of a Debian archive>"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/preferences.d"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$apt/sources.list"
	: > "$apt/status"
	opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/sources.list.d"
	      -o Dir::Etc::Preferences="$apt/preferences" -o Dir::Etc::PreferencesParts="$apt/preferences.d"
	      -o Dir::State::Lists="$apt/lists" -o Dir::State::status="$apt/status" -o Dir::Cache="$apt/cache"
	      -o APT::Architecture="${APT_ARCH:-amd64}" -o Acquire::Languages=none -o APT::Sandbox::User=root)
	info "updating private apt lists for $suite from $mirror"
	apt-get -q "${opts[@]}" update >&2 || die "apt-get update of $suite failed (see above)"
	info "downloading $package"
	(cd "$dir" && apt-get -q "${opts[@]}" download "${@:3}") >&2 ||
		die "apt-get download $package failed (see above)"
}

# debian_modules DIR: Debian's 7.3.4 amd64 kernel's modules (4,225),
# decompressed into DIR/modules once (DIR/modules/.done), from its modules
# package downloaded into DIR (apt_download: the system's apt sources are
# never touched; DEBIAN_MIRROR overrides the mirror); that directory.
debian_modules() {
	local dir=$1 suite=trixie-backports package=linux-modules-7.3.4+deb13-amd64
	local version=7.3.4-1~bpo13+1 expected=4225 modules=$1/modules deb count
	if ! [ -f "$modules/.done" ]; then
		deb=$(ls "$dir/${package}"_*_amd64.deb 2>/dev/null | head -n1) || true
		if [ -z "$deb" ]; then
			apt_download "$dir" "$suite" "$package=$version"
			deb=$(ls "$dir/${package}"_*_amd64.deb 2>/dev/null | head -n1) ||
				die "apt-get did not produce a $package .deb in $dir"
		fi
		info "extracting $(basename "$deb")"
		rm -rf "$modules" "$dir/extract"
		mkdir -p "$dir/extract" "$modules"
		dpkg-deb -x "$deb" "$dir/extract" || die "cannot extract $deb"
		info "decompressing the modules into $modules"
		(cd "$dir/extract" && find . -name '*.ko.xz' -print0) |
			xargs -0 -n 64 -P "$(nproc)" sh -c '
				dest=$0 src=$1
				shift
				for f; do
					out=$dest/${f%.xz}
					mkdir -p "${out%/*}" && xz -dc "$src/$f" > "$out" || exit 255
				done' "$modules" "$dir/extract" ||
			die "decompressing the modules failed"
		rm -rf "$dir/extract"
		count=$(find "$modules" -name '*.ko' | wc -l)
		[ "$count" -eq "$expected" ] || info "warning: $count modules, expected $expected"
		touch "$modules/.done"
	fi
	echo "$modules"
}

# guest_program SRC OUT: the guest's C program SRC (the selftest's modload
# helper, the harness's guest/src programs), static, for the target
# architecture: clang with the kernel's own C library for such programs
# (tools/include/nolibc) and the tree's UAPI headers, so that it needs no
# C library or cross compiler of the target.  Both installed once into
# $BUILD/tools/nolibc-ARCH, with make O=: the source tree stays clean.
guest_program() {
	local src=$BUILD/src dir=$BUILD/tools/nolibc-$HARNESS_ARCH key
	# Installed again for another commit of the tree.
	key=$(git -C "$src" rev-parse HEAD 2>/dev/null) || key=$(date +%s%N)
	if [ "$(cat "$dir/.done" 2>/dev/null)" != "$key" ]; then
		rm -rf "$dir"
		make -s -C "$src" O="$dir/obj" ARCH="$HARNESS_ARCH" LLVM=-19 \
			INSTALL_HDR_PATH="$dir/sysroot" headers_install >&2 &&
		make -s -C "$src/tools/include/nolibc" OUTPUT="$dir/" headers >&2 ||
			die "cannot install nolibc and the UAPI headers for $HARNESS_ARCH"
		echo "$key" > "$dir/.done"
	fi
	clang-19 --target="$arch_triplet" -static -nostdlib -nostdinc -ffreestanding \
		-fno-stack-protector -Os -Wall -fuse-ld=lld -I"$dir/sysroot/include" -include nolibc.h \
		-o "$2" "$1" || die "cannot build $1 for $HARNESS_ARCH"
}

# guest_userland: a directory with Debian's busybox-static, xz and zstd of
# the target architecture and the libraries of the last two, downloaded
# once into $BUILD/dl; for the guests of every architecture but the host's
# own.  From trixie (the first release with riscv64), else from bookworm
# (mirrors that lack trixie's updates for an architecture: s390x here).
guest_userland() {
	local dir=$BUILD/dl/guest-$arch_deb deb suite d
	local packages=(busybox-static xz-utils zstd libc6 liblzma5 libzstd1 liblz4-1 zlib1g libxxhash0)
	if [ "$(cut -d' ' -f2- "$dir/.done" 2>/dev/null)" != "${packages[*]}" ]; then
		for suite in trixie bookworm; do
			rm -rf "$dir" && mkdir -p "$dir/debs"
			(APT_ARCH=$arch_deb apt_download "$dir/debs" $suite "${packages[@]}") && break
			info "warning: no $arch_deb userland from $suite (see above)"
			suite=
		done
		[ -n "$suite" ] || return 1
		for deb in "$dir"/debs/*.deb; do
			dpkg-deb -x "$deb" "$dir/root" || return 1
		done
		# Merged into /usr as trixie's packages are (bookworm's put
		# busybox in /bin and libc in /lib).
		for d in bin sbin lib; do
			[ -d "$dir/root/$d" ] && ! [ -L "$dir/root/$d" ] || continue
			mkdir -p "$dir/root/usr/$d"
			cp -a "$dir/root/$d/." "$dir/root/usr/$d/" && rm -rf "${dir:?}/root/$d" || return 1
		done
		echo "$suite ${packages[*]}" > "$dir/.done"
	fi
	info "guest userland: Debian $(cut -d' ' -f1 "$dir/.done") $arch_deb"
	echo "$dir/root"
}

# decompress FILE: the module FILE (.ko, .ko.zst, .ko.xz, .ko.gz) as ELF.
decompress() {
	case $1 in
	*.ko) cat "$1" ;;
	*.ko.zst) zstd -q -d -c "$1" ;;
	*.ko.xz) xz -q -d -c "$1" ;;
	*.ko.gz) gzip -q -d -c "$1" ;;
	*) die "$1: not a module file" ;;
	esac
}

# compress_as SUFFIX FILE: compress the .ko FILE in place into FILE.SUFFIX
# (.zst, .xz, .gz, or nothing) the way modules_install does.
compress_as() {
	case $1 in
	.zst) zstd -q --rm -f "$2" ;;
	.xz) xz -q -f --check=crc32 --lzma2=dict=1MiB "$2" ;;
	.gz) gzip -q -n -f "$2" ;;
	"") ;;
	*) die "compress_as: unknown suffix $1" ;;
	esac
}

# compressed_suffix CONFIG: the suffix (.zst, .xz, .gz or nothing) that
# modules_install gives modules with the .config CONFIG.
compressed_suffix() {
	sed -n -e 's/^CONFIG_MODULE_COMPRESS_ZSTD=y$/.zst/p' -e 's/^CONFIG_MODULE_COMPRESS_XZ=y$/.xz/p' \
		-e 's/^CONFIG_MODULE_COMPRESS_GZIP=y$/.gz/p' "$1"
}

# The steps of a test run (check.sh, debian/check.sh).  step NAME COMMAND...
# runs COMMAND under a heading, records pass or FAIL with its time and
# returns its status, for later steps to depend on.  step_summary WHAT
# prints every step and fails when any failed.
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
# step_summary WHAT [RESULT]: the steps' verdicts and times; with RESULT,
# also published as results/RESULT (publish_result).
step_summary() {
	local i fail=0 summary
	summary=$(mktemp)
	for i in "${!step_names[@]}"; do
		printf '%-5s %s\n' "${step_results[$i]}" "${step_names[$i]}"
		[ "${step_results[$i]}" = pass ] || fail=$((fail + 1))
	done > "$summary"
	echo "$1: $((${#step_names[@]} - fail)) passed, $fail failed, in $SECONDS s" >> "$summary"
	printf '\n=== summary\n'
	cat "$summary"
	[ -z "${2:-}" ] || publish_result "$2" "$summary" "$1"
	rm -f "$summary"
	[ "$fail" = 0 ]
}

# publish_result NAME FILE TARGET: FILE as results/NAME in the repository,
# the record that README's figures link to, headed by the target that
# wrote it, the date, the commit and the machine.  Written by the targets
# only, never by hand.
publish_result() {
	local commit cpu
	commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$root" diff --quiet HEAD -- . ':!results' 2>/dev/null || commit+=" with uncommitted changes"
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mkdir -p "$root/results"
	{
		echo "# $3, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
		echo "# $(nproc) cores${cpu:+ ($cpu)}, $(uname -m); written by the target, not by hand"
		echo
		cat "$2"
	} > "$root/results/$1.tmp"
	mv "$root/results/$1.tmp" "$root/results/$1"
	info "published results/$1"
}

# The boot modes of the loading-policy matrix (check.sh, checks.sh series).
boot_modes=("" module.sig_enforce=1 lockdown=integrity lockdown=confidentiality)

# expected_boot_mode CONFIG APPEND: the boot mode that a boot of the kernel
# of .config CONFIG with the command line APPEND asks for, which the guest
# tests grade against (module_auth.expect=, tap.sh): e for
# module.sig_enforce=1 or MODULE_SIG_FORCE (it decides before lockdown),
# or under Secure Boot (harness.secureboot: boot.sh --secure-boot) with
# IMA_ARCH_POLICY, which sets sig_enforce; else i or c for lockdown
# (lockdown=, harness.lockdown= of guest/init, forced in .config, Secure
# Boot with LOCK_DOWN_IN_EFI_SECURE_BOOT); else d.  APPEND's own
# module_auth.expect= wins: a test that asks for one mode and boots
# another must fail.
expected_boot_mode() {
	local w mode=d enforce=
	grep -qx CONFIG_MODULE_SIG_FORCE=y "$1" && enforce=1
	grep -qx CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY=y "$1" && mode=i
	grep -qx CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY=y "$1" && mode=c
	for w in $2; do
		case $w in
		module_auth.expect=*) echo "${w#*=}"; return ;;
		module.sig_enforce=[1yY]) enforce=1 ;;
		lockdown=integrity|harness.lockdown=integrity) [ $mode = c ] || mode=i ;;
		lockdown=confidentiality|harness.lockdown=confidentiality) mode=c ;;
		harness.secureboot)
			grep -qx CONFIG_IMA_ARCH_POLICY=y "$1" && enforce=1
			grep -qx CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT=y "$1" && [ $mode != c ] && mode=i ;;
		esac
	done
	[ -z "$enforce" ] || mode=e
	echo $mode
}

# section_bytes ELF SECTION: the size of a section in bytes (empty if none).
section_bytes() {
	local hex
	hex=$(llvm-readelf-19 -S -W "$1" | awk -v s="$2" '$2 == s { print $6 }')
	[ -z "$hex" ] || echo $((16#$hex))
}

# dump_section ELF SECTION FILE: the bytes of SECTION into FILE (or
# /dev/stdout).  objcopy's output goes to a file of its own, never to
# /dev/null: llvm-objcopy renames its output over the path, and as root
# that replaces /dev/null with a regular file.
dump_section() {
	local discard rc=0
	discard=$(mktemp) || return
	llvm-objcopy-19 --dump-section "$2=$3" "$1" "$discard" || rc=$?
	rm -f "$discard"
	return $rc
}

# flip_byte FILE OFFSET, one definition for the host and the guest.
. "$root/harness/guest/tap.sh"

# table_layout: the .module_hashes layout of module_hashes.h (the one
# definition, for every check) as shell assignments: magic (hex), version,
# algo, header (size), count_at (offset of count), digest (its size).
table_layout() {
	local prog=$BUILD/tools/table-layout
	if ! [ -x "$prog" ] || [ "$root/include/linux/module_hashes.h" -nt "$prog" ]; then
		mkdir -p "$BUILD/tools"
		gcc -x c -o "$prog" - <<-EOF || die "cannot compile the layout of module_hashes.h"
		#include <linux/types.h>
		#include <stdbool.h>
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
			       MODULE_HASHES_VERSION, MODULE_HASHES_ALGO_SHA256, sizeof(struct module_hashes_header),
			       offsetof(struct module_hashes_header, count), MODULE_HASHES_SHA256_SIZE);
			return 0;
		}
		EOF
	fi
	"$prog"
}

# comment_middle MODULE: the middle of .comment, unused by the loader: with
# a byte flipped there, a module loads where authentication does not stop it.
comment_middle() {
	local off size
	read -r off size < <(llvm-readelf-19 -S -W "$1" |
		sed -n 's/^ *\[ *[0-9]*\] \.comment  *[A-Z]*  *[0-9a-f]*  *\([0-9a-f]*\)  *\([0-9a-f]*\).*/\1 \2/p')
	[ -n "$off" ] || die "$1 has no .comment section"
	echo $((16#$off + 16#$size / 2))
}

# host_sign_file SRC DIR: build SRC's scripts/sign-file for the host into
# DIR (a configuration without MODULE_SIG does not build it); its path.
host_sign_file() {
	local sign_file=$2/sign-file
	if ! [ -x "$sign_file" ] || [ "$1/scripts/sign-file.c" -nt "$sign_file" ]; then
		mkdir -p "$2"
		gcc -O2 -w -o "$sign_file" "$1/scripts/sign-file.c" -I"$1/scripts/include" \
			-I"$1/include/uapi" -lcrypto || die "cannot build sign-file (needs libssl-dev)"
	fi
	echo "$sign_file"
}

# hash_tool: tools/module-hashes of $BUILD/src, built into $BUILD/tools.
hash_tool() {
	make -s -C "$BUILD/src/tools/module-hashes" O="$BUILD/tools/module-hashes" >&2 ||
		die "cannot build tools/module-hashes"
	echo "$BUILD/tools/module-hashes/module-hashes"
}

# as_unprivileged CMD...: run CMD, for tools that refuse root (makepkg), as
# uid and gid 1000 in a user namespace where 1000 is the caller (it owns
# what the caller owns: the build tree, the Rust toolchain) and 0 an
# unprivileged outside id (a fake root's chown fails with EPERM, which
# fakeroot ignores).  Each map is one write(2), as the kernel requires.
as_unprivileged() {
	local dir pid status map=$'1000 0 1\n0 100000 1\n'
	dir=$(mktemp -d)
	mkfifo "$dir/go"
	unshare --user -- sh -c 'read _ < "$0"; shift; exec "$@"' "$dir/go" - "$@" &
	pid=$!
	while [ "$(readlink "/proc/$pid/ns/user")" = "$(readlink /proc/self/ns/user)" ]; do
		sleep 0.01
	done
	printf %s "$map" | dd of="/proc/$pid/uid_map" bs=64 iflag=fullblock status=none &&
	echo deny > "/proc/$pid/setgroups" &&
	printf %s "$map" | dd of="/proc/$pid/gid_map" bs=64 iflag=fullblock status=none ||
		{ kill "$pid"; rm -rf "$dir"; die "cannot map the ids of a user namespace"; }
	echo go > "$dir/go"
	wait "$pid"
	status=$?
	rm -rf "$dir"
	return $status
}

# untrusted_key: a key and its certificate (one file) no test kernel trusts.
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

# sign_module OBJ IN OUT: sign the module IN into OUT (SHA-512, sign-file)
# with a key the kernel built in OBJ trusts: the tests' long-lived key where
# .config names its certificate (configs/hash-or-sig.config), else the
# build's key; without MODULE_SIG there is neither: untrusted_key.
# sign_module_untrusted IN OUT: with untrusted_key.
sign_module() {
	local sign_file key=$1/certs/signing_key.pem cert
	sign_file=$(host_sign_file "$BUILD/src" "$BUILD/tools")
	if [ -n "$1" ] && grep -qx 'CONFIG_SYSTEM_TRUSTED_KEYS="oot-signing-cert.pem"' "$1/.config"; then
		key=$root/tests/keys/oot-signing-key.pem cert=$root/tests/keys/oot-signing-cert.pem
	else
		[ -n "$1" ] && [ -f "$key" ] || key=$(untrusted_key)
		cert=$key
	fi
	"$sign_file" sha512 "$key" "$cert" "$2" "$3"
}
sign_module_untrusted() { sign_module "" "$1" "$2"; }

# build_oot_module SRC OBJ DIR [MODSRC [BUILD]]: build the external module
# MODSRC (default: guest/oot, which records BUILD, default "tests", in its
# modinfo) in DIR with make M= against the kernel build OBJ of the tree
# SRC, as a distribution's DKMS would; again, only what changed.
build_oot_module() {
	local modsrc=${4:-$(dirname "${BASH_SOURCE[0]}")/guest/oot} sum
	# A new copy when the source changed (by content: a package's files
	# may be older than the last build), else make M= again in place,
	# which rebuilds what the kernel build changed, and nothing else.
	sum=$(cd "$modsrc" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum)
	if [ "$(cat "$3/.harness-source" 2>/dev/null)" != "$sum" ]; then
		rm -rf "$3"
		cp -r "$modsrc" "$3"
		echo "$sum" > "$3/.harness-source"
	fi
	# kmake: with the build's toolchain and its path maps (the module's
	# directory is inside OBJ).
	kmake "$1" "$2" M="$3" HELLO_OOT_BUILD="${5:-tests}" modules > "$3/build.log" 2>&1 ||
		{ cat "$3/build.log" >&2; die "the out-of-tree module $3 does not build against $2"; }
}

# The real external module of the tests: Debian's DKMS package of
# v4l2loopback, from testing (trixie's 0.15.0 does not build against 7.3).
v4l2loopback_deb=(forky v4l2loopback-dkms 0.15.4-2)

# dkms_source SUITE PACKAGE VERSION: the module source that Debian's PACKAGE
# ships in /usr/src, downloaded once into $BUILD/dl.  VERSION, or the
# suite's newest one once VERSION has left the archive.  Fails (run it as
# "x=$(dkms_source ...) || die") when there is neither.
dkms_source() {
	local dl=$BUILD/dl dir=$BUILD/dl/dkms/$2-$3 deb
	if ! [ -f "$dir/.done" ]; then
		deb=$(ls "$dl/$2_$3_"*.deb 2>/dev/null | head -n 1)
		if [ -z "$deb" ]; then
			if ! (apt_download "$dl" "$1" "$2=$3"); then
				info "warning: cannot download $2 $3 from $1 (see above): trying its current version"
				(apt_download "$dl" "$1" "$2") || return 1
			fi
			deb=$(ls "$dl/$2_"*.deb 2>/dev/null | sort -V | tail -n 1)
			[ -n "$deb" ] || return 1
		fi
		rm -rf "$dir" && mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir/deb" || return 1
		echo "${deb##*/}" > "$dir/.done"
	fi
	ls -d "$dir"/deb/usr/src/*/
}

# build_extra_modules SRC OBJ: build the external modules that the table
# of OBJ gets (CONFIG_MODULE_HASHES_EXTRA_SLOTS; make
# MODULE_HASHES_EXTRA=) in OBJ/extra: guest/oot as the kernel package's
# own, and v4l2loopback from Debian with CONFIG_VIDEO_DEV, and print their
# directories, the list for MODULE_HASHES_EXTRA.
build_extra_modules() {
	local src=$1 obj=$2 dirs=("$2/extra/hello_oot") v4l2
	mkdir -p "$obj/extra"
	build_oot_module "$src" "$obj" "$obj/extra/hello_oot" "" kernel-package
	if grep -qx CONFIG_VIDEO_DEV=m "$obj/.config"; then
		v4l2=$(dkms_source "${v4l2loopback_deb[@]}") ||
			die "no source of ${v4l2loopback_deb[1]} (from Debian ${v4l2loopback_deb[0]})"
		build_oot_module "$src" "$obj" "$obj/extra/v4l2loopback" "$v4l2"
		dirs+=("$obj/extra/v4l2loopback")
	fi
	echo "${dirs[*]}"
}

# module_names ORDER: the names of the modules of the modules.order file
# ORDER, sorted, one per line.
module_names() { sed 's|.*/||; s/\.o$//' "$1" | LC_ALL=C sort; }

# extra_modules OBJ: the external modules of OBJ's table (build.sh), which
# kmake passes on every make as a distribution's packaging would; none
# unless they all still exist.
extra_modules() {
	local list d
	list=$(cat "$1/.harness-extra-modules" 2>/dev/null) || return 0
	for d in $list; do [ -f "$d/modules.order" ] || return 0; done
	echo "$list"
}
