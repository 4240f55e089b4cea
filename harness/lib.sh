# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the harness scripts.  Sourced, not run.

# The repository of the sourcing script (REPO_ROOT: the harness self-tests).
root=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

die() { echo "harness: error: $*" >&2; exit 1; }
info() { echo "harness: $*" >&2; }

# The architectures the harness builds and boots, as make spells them.
harness_arches=(x86_64 arm64 riscv arm s390)
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
*) die "ARCH=${ARCH:-$HARNESS_ARCH}: the harness builds ${harness_arches[*]} (arm: ARMv7)" ;;
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

# built_dir NAME: obj_dir NAME, refused when build.sh last built another
# configuration there (its .harness-name): check.sh rebuilds hashes as
# hashes+vng in place, and a boot of hashes would otherwise boot that.
built_dir() {
	local obj last
	obj=$(obj_dir "$1")
	last=$(cat "$obj/.harness-name" 2>/dev/null) || true
	[ -z "$last" ] || [ "$last" = "$1" ] ||
		die "$obj holds $last now, not $1: run 'make kernel CONFIG=$1 ARCH=$HARNESS_ARCH' first"
	echo "$obj"
}

# use_build_dir: BUILD (default build/), created, made absolute and exported.
use_build_dir() {
	mkdir -p "${BUILD:=$root/build}"
	BUILD=$(cd "$BUILD" && pwd)
	export BUILD
}

# ccache's limit for the harness's builds (kmake), and in ccache's own
# configuration (setup-debian.sh): a distribution configuration alone
# fills ccache's default 5 GB.
ccache_max_size=40G

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
		# Relative keys: hits across checkouts (CI clones afresh).
		export CCACHE_BASEDIR=${BUILD:-$root/build} CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-$ccache_max_size}
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

# Timing, one way for every figure: wall_clock is the time now in seconds
# (to the nanosecond), seconds_since START the seconds since START with three
# decimals.  Whole-second step times use bash's $SECONDS.
wall_clock() { date +%s.%N; }
seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", e - s }'; }

# sum16 FILE: the start of FILE's sha256 (enough to tell builds apart in a
# report), or "missing".
sum16() { if [ -f "$1" ]; then sha256sum < "$1" | cut -c1-16; else echo missing; fi; }

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
	for i in "${!step_names[@]}"; do
		[ "${step_results[$i]}" = pass ] || fail=$((fail + 1))
	done
	summary=$(mktemp) || { echo "$1: $fail failed (no room for the summary)"; return 1; }
	for i in "${!step_names[@]}"; do
		printf '%-5s %s\n' "${step_results[$i]}" "${step_names[$i]}"
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
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
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

# The helpers of each concern, in files of their own.
for harness_lib in downloads elf guest modules qemu; do
	. "$(dirname "${BASH_SOURCE[0]}")/lib/$harness_lib.sh"
done
