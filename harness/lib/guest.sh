# SPDX-License-Identifier: GPL-2.0
# The guest's programs: C programs built with nolibc, and Debian's
# userland of another architecture.  Sourced by lib.sh, not run.

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
