#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the harness needs on Debian 12 or newer, quickly when it is
# all there: LLVM 19, QEMU (x86_64, and arm64, arm, riscv64 and s390x for
# ARCH=), busybox-static, the kernel's build dependencies, the tools of the
# packaging targets and mmdebstrap (make check-debian), OVMF, sbsigntool,
# systemd's EFI stub and mtools (Secure Boot), rust-src (rustup),
# the Rust toolchain that s390 needs (rustup), bindgen-cli (cargo); and
# ccache's size limit.  As root or with sudo.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

BINDGEN_VERSION=0.73.2
packages=(clang-19 lld-19 llvm-19 libclang-19-dev qemu-system-x86 qemu-system-arm qemu-system-misc
	  busybox-static
	  dwarves ccache bc flex bison libelf-dev libdw-dev libssl-dev libc6-dev gcc make
	  cpio xz-utils zstd gzip bzip2 lz4 file git rsync kmod python3 perl openssl
	  python3-ply python3-git python3-sphinx
	  dpkg-dev debhelper rpm debugedit makepkg pacman-package-manager fakeroot
	  libarchive-tools mmdebstrap
	  ovmf sbsigntool systemd-boot-efi mtools dosfstools python3-venv
	  udev)
# udev: virtme-ng's init (vng.sh) runs the host's udevd in the guest, which
# names the virtio-serial ports its commands' I/O and status go through.

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	info "installing Debian packages: ${missing[*]}"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ccache's own limit, not only lib.sh's CCACHE_MAXSIZE: a ccache run
# without it (a make outside the harness) trims the cache to the default
# 5 GB, and Debian's configuration then builds cold again (80 minutes).
# A limit that someone set stays.
if ccache -p | grep -q '^(default) max_size '; then
	info "setting ccache's max_size to $ccache_max_size (was the default)"
	ccache --max-size "$ccache_max_size" >/dev/null
fi

if ! command -v rustc >/dev/null && [ -f "$HOME/.cargo/env" ]; then
	. "$HOME/.cargo/env"
fi
command -v rustc >/dev/null || die "rustc is not installed: install Rust with rustup (https://rustup.rs)"
if ! has_rust_src; then
	command -v rustup >/dev/null ||
		die "the Rust standard library source is missing and rustup is not there to add it"
	info "adding the rust-src component"
	rustup component add rust-src
fi
# Every architecture's toolchain (lib.sh), also when this run builds only
# one: check_toolchain checks the one it builds.
for arch in "${harness_arches[@]}"; do
	toolchain=$(ARCH=$arch bash -c '. "$1/lib.sh"; echo "$arch_rust_toolchain"' - "$here")
	[ -n "$toolchain" ] || continue
	has_rust_src "$toolchain" && RUSTUP_TOOLCHAIN=$toolchain rustfmt --version >/dev/null 2>&1 && continue
	command -v rustup >/dev/null || die "Rust $toolchain is needed (ARCH=$arch) and rustup is not there to install it"
	info "installing Rust $toolchain with rust-src and rustfmt (bindgen runs it) (ARCH=$arch)"
	rustup toolchain install "$toolchain" --profile minimal --component rust-src --component rustfmt
done
if ! command -v bindgen >/dev/null; then
	info "installing bindgen-cli $BINDGEN_VERSION"
	cargo install --locked "bindgen-cli@$BINDGEN_VERSION"
fi
check_toolchain
