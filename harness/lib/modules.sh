# SPDX-License-Identifier: GPL-2.0
# Module files on the host: (de)compression, signing, building
# out-of-tree and external modules, module names.  Sourced by lib.sh, not run.

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
	local modsrc=${4:-$(dirname "${BASH_SOURCE[0]}")/../guest/oot} sum
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
