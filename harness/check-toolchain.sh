#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that the tools a kernel build and a QEMU boot need are present,
# and say which are missing and how to get them.  `make setup` (Debian)
# installs them.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

missing=()
for tool in clang-19 ld.lld-19 llvm-nm-19 llvm-ar-19 llvm-objcopy-19 \
	    rustc cargo bindgen make flex bison bc cpio xz zstd perl \
	    qemu-system-x86_64 busybox gcc; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if command -v rustc >/dev/null; then
	sysroot=$(rustc --print sysroot)
	[ -d "$sysroot/lib/rustlib/src/rust/library/core" ] || missing+=("rust-src (rustup component add rust-src)")
fi
for header in /usr/include/libelf.h /usr/include/openssl/ssl.h; do
	[ -f "$header" ] || missing+=("$header")
done
[ ${#missing[@]} -eq 0 ] ||
	die "missing tools: ${missing[*]}; run 'make setup' (Debian) or see README.md"
