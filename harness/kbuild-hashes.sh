#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The writer (scripts/module-hashes) and its kbuild glue, without building
# a kernel, from the patched tree ($BUILD/src, or KSRC):
#
#  1. The program's command line: exit status, usage, help.
#  2. scripts/Makefile.vmlinux and scripts/Makefile.modinst of the tree,
#     run by make on small scratch trees with real ELF files: a
#     vmlinux.unstripped with a placeholder assembled from
#     include/linux/module_hashes.h as Makefile.vmlinux does, and modules
#     compiled with gcc.  With GNU objcopy and llvm-objcopy, and with
#     llvm-objcopy on big-endian 32- and 64-bit files.  Among the checks:
#     the table is sha256sum's, a build killed while hashing leaves the old
#     vmlinux and is redone, make -n removes nothing, names with spaces or
#     globs remove only themselves, a stale module is refused with nothing
#     installed.
#
# (Format, lints and the unit tests: lint.sh and cargo test.)
#
# Usage: kbuild-hashes.sh [-k] (-k: keep the scratch directory)
# Needs: rustc, gcc, GNU binutils, make, sha256sum, od, libssl-dev; clang-19,
# ld.lld-19 and llvm-objcopy-19.

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
ksrc=${KSRC:-$BUILD/src}	# read only
[ -f "$ksrc/scripts/module-hashes/module-hashes.rs" ] || die "$ksrc: no scripts/module-hashes (make tree)"
keep=
[ "${1:-}" = -k ] && keep=y
work=$(mktemp -d "${TMPDIR:-/tmp}/module-hashes-test.XXXXXX")
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
failures=0
checks=0

pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then pass; else fail "$what"; fi
}
contains() { case $1 in *"$2"*) return 0;; esac; return 1; }

src=$ksrc/scripts/module-hashes/module-hashes.rs
bin=$work/module-hashes
rustc --edition=2021 -O -o "$bin" "$src" || die "cannot build $src"

echo "== 1. command line"
expect() { # expect STATUS TEXT ARGS...: exit status and a piece of stderr
	local status=$1 text=$2; shift 2
	local err
	err=$("$bin" "$@" 2>&1 >/dev/null)
	local got=$?
	if [ "$got" = "$status" ] && contains "$err" "$text"; then pass
	else fail "module-hashes $*: status $got (want $status), stderr: $err"; fi
}
expect 2 "no command given"
expect 2 "Usage: module-hashes write" frob
expect 2 "missing option '--order'" write --section s --output o
expect 2 "unexpected argument '-j'" write -j 4
expect 2 "--check writes nothing" write --check --order o --section s --output o
printf 'MODHASH\0\1\0\0\0\1\0\0\0\377\377\377\377\40\0\0\0' > "$work/placeholder"
expect 1 "nosuch.order: No such file or directory" \
	write --order nosuch.order --section "$work/placeholder" --output "$work/x"
expect 1 "/dev/full: No space left on device" \
	write --order /dev/null --section "$work/placeholder" --output /dev/full
"$bin" write --order /dev/null --section "$work/placeholder" --output "$work/x"
check "empty modules.order: an empty table" \
	test "$(od -An -tx1 -j16 -N4 "$work/x" | tr -d ' ')" = 00000000
expect 1 "0 bytes, shorter than the 24-byte header" \
	write --order /dev/null --section /dev/null --output "$work/x"
out=$("$bin" --help 2>&1); status=$?
check "--help: status 0 and the options" \
	test "$status" = 0 -a -n "$(contains "$out" "--image-suffix" && echo y)"
check "help to a full stdout fails cleanly" \
	sh -c "'$bin' --help >/dev/full 2>/dev/null; test \$? = 1"

echo "== 2. kbuild: Makefile.vmlinux and Makefile.modinst"
# A source tree with the edited Makefiles and the kernel's own helpers.
srctree=$work/srctree
mkdir -p "$srctree/scripts"
for f in Kbuild.include Makefile.lib Makefile.modstrip Makefile.vmlinux Makefile.modinst; do
	ln -s "$ksrc/scripts/$f" "$srctree/scripts/$f"
done
printf '#!/bin/sh\necho "depmod $*" > "$MODLIB/depmod.ran"\n' > "$srctree/scripts/depmod.sh"
chmod +x "$srctree/scripts/depmod.sh"

# new_tree DIR SLOTS [CC LD]: an object tree with auto.conf, the program, and
# a vmlinux.unstripped with room for SLOTS digests (the .S is what
# filechk_module_hashes_S in Makefile.vmlinux writes).
new_tree() {
	local dir=$1 slots=$2 cc=${3:-gcc} ld=${4:-ld}
	mkdir -p "$dir/include/config" "$dir/scripts/module-hashes"
	cp "$bin" "$dir/scripts/module-hashes/module-hashes"
	cat > "$dir/include/config/auto.conf" <<-EOF
	CONFIG_MODULES=y
	CONFIG_MODULE_HASHES=y
	CONFIG_MODULE_HASHES_EXTRA_SLOTS=2
	EOF
	{
		echo '#include <linux/module_hashes.h>'
		echo '.section .module_hashes,"a"'
		echo '.balign 8'
		echo '.ascii MODULE_HASHES_MAGIC'
		echo '.byte 0'
		echo '.byte MODULE_HASHES_VERSION, 0, 0, 0'
		echo '.byte MODULE_HASHES_ALGO_SHA256, 0, 0, 0'
		echo '.byte 0xff, 0xff, 0xff, 0xff'
		echo '.byte MODULE_HASHES_SHA256_SIZE, 0, 0, 0'
		echo ".fill MODULE_HASHES_SHA256_SIZE * ($slots), 1, 0"
		echo '.section .modinfo,"a"'
		echo '.asciz "vermagic=test"'
		echo '.data'
		echo 'data: .long 0x12345678'
		echo '.text'
		echo '.globl _start'
		echo '_start: .long 0'
	} > "$dir/.module-hashes.S"
	$cc -I"$ksrc/include" -c "$dir/.module-hashes.S" -o "$dir/.module-hashes.o" &&
	$ld -o "$dir/vmlinux.unstripped" "$dir/.module-hashes.o" &&
	: > "$dir/modules.builtin" && : > "$dir/modules.builtin.modinfo"
}

# module FILE TEXT: a small relocatable object with debug information.
module() {
	mkdir -p "$(dirname "$1")"
	printf 'int f(void) { return %d; }\n' "$(printf '%s' "$2" | cksum | cut -d' ' -f1)" |
		gcc -g -x c -c - -o "$1"
}

# The section of an ELF file, in hex.
section_hex() {
	"${OBJCOPY:-objcopy}" -O binary --only-section=.module_hashes "$1" "$work/section.bin" &&
	od -An -tx1 -v "$work/section.bin" | tr -d ' \n'
}

# expected_table SIZE FILE...: the section that the table of the distinct
# digests of FILE... fills, in hex, from sha256sum.
expected_table() {
	local size=$1; shift
	local digests count hex
	digests=$(sha256sum "$@" | cut -d' ' -f1 | LC_ALL=C sort -u)
	count=$(printf '%s\n' "$digests" | grep -c .)
	hex=4d4f4448415348000100000001000000$(printf '%02x000000' "$count")20000000
	hex=$hex$(printf '%s' "$digests" | tr -d '\n')
	while [ ${#hex} -lt $((size * 2)) ]; do hex=${hex}00; done
	printf '%s' "$hex"
}

# bytes_differ_only_in_section A B FILE_OF_SECTION: A and B differ only
# within the .module_hashes section of A.
bytes_differ_only_in_section() {
	local offset size
	read -r offset size < <(elf_section "$1" .module_hashes) || return 1
	[ "$(stat -c %s "$1")" = "$(stat -c %s "$2")" ] || return 1
	cmp -l "$1" "$2" | awk -v lo="$offset" -v hi="$((offset + size))" \
		'$1 - 1 < lo || $1 - 1 >= hi { bad = 1 } END { exit bad }'
}

mk_vmlinux() { # in the tree: make vmlinux
	make -s -f "$srctree/scripts/Makefile.vmlinux" -o vmlinux.unstripped \
		srctree="$srctree" objtree=. quiet=quiet_ Q=@ SRCARCH=x86 \
		OBJCOPY="${OBJCOPY:-objcopy}" STRIP="${STRIP:-strip}" \
		KBUILD_HASHES_EXTRA="${EXTRA:-}" "$@" vmlinux
}
mk_install() { # in the tree: make modules_install
	MODLIB=$1 make -s -f "$srctree/scripts/Makefile.modinst" \
		srctree="$srctree" objtree=. quiet=quiet_ Q=@ \
		MODLIB="$1" KERNELRELEASE=test OBJCOPY="${OBJCOPY:-objcopy}" \
		"${@:2}"
}

for objcopy in objcopy llvm-objcopy-19; do
	command -v $objcopy >/dev/null || continue
	echo "-- with $objcopy"
	export OBJCOPY=$objcopy
	t=$work/tree-$objcopy
	new_tree "$t" 5 || { fail "cannot assemble vmlinux.unstripped"; continue; }
	module "$t/drivers/foo/foo.ko" foo
	module "$t/lib/bar.ko" bar
	cp "$t/lib/bar.ko" "$t/lib/copy_of_bar.ko"
	printf '%s\n' drivers/foo/foo.o lib/bar.o lib/copy_of_bar.o > "$t/modules.order"
	# An external module directory, as make M= leaves it.
	ext=$work/ext-$objcopy
	module "$ext/zfs.ko" zfs
	echo zfs.o > "$ext/modules.order"
	cd "$t" || exit 1

	out=$(EXTRA=$ext mk_vmlinux 2>&1)
	check "make vmlinux succeeds: $out" test -f vmlinux
	check "no temporary files left" test -z "$(ls -A | grep -e '^\.tmp_')"
	# What cmd_strip_relocs alone would have written.
	$OBJCOPY --set-section-flags .modinfo=noload vmlinux.unstripped "$work/ref" &&
		$OBJCOPY --remove-section=.modinfo -w --strip-unneeded-symbol='__mod_device_table__*' "$work/ref"
	section_hex vmlinux > "$work/got.hex"
	size=$(stat -c %s "$work/section.bin")
	check "section size kept (24 + 5 * 32)" test "$size" = 184
	expected_table 184 drivers/foo/foo.ko lib/bar.ko modules-extra/zfs.ko > "$work/want.hex"
	check "table = header + sorted distinct sha256sum digests + zeros" \
		cmp -s "$work/got.hex" "$work/want.hex"
	check "vmlinux = stripped vmlinux.unstripped but for the section" \
		bytes_differ_only_in_section vmlinux "$work/ref"
	check "no .modinfo in vmlinux" test -z "$(elf_section vmlinux .modinfo)"
	check "external module copied" cmp -s "$ext/zfs.ko" modules-extra/zfs.ko
	sha256sum drivers/foo/foo.ko lib/bar.ko lib/copy_of_bar.ko modules-extra/zfs.ko \
		> "$work/manifest"
	check "modules.hashes = sha256sum output" cmp -s modules.hashes "$work/manifest"

	before=$(stat -c %Y.%i vmlinux)
	EXTRA=$ext mk_vmlinux >/dev/null 2>&1
	check "nothing to do the second time" test "$(stat -c %Y.%i vmlinux)" = "$before"

	# Install, then check the installed tree.
	modlib=$work/install-$objcopy/lib/modules/test
	out=$(mk_install "$modlib" 2>&1)
	check "modules_install succeeds: $out" test -f "$modlib/kernel/lib/bar.ko"
	check "external module installed in updates/" cmp -s "$modlib/updates/zfs.ko" "$ext/zfs.ko"
	sed 's:  modules-extra/:  updates/:; t; s:  :  kernel/:' "$work/manifest" > "$work/installed"
	check "installed modules.hashes" cmp -s "$modlib/modules.hashes" "$work/installed"
	check "depmod ran" test -f "$modlib/depmod.ran"

	# The hygiene fix: names from an old modules.hashes are quoted, and
	# make -n removes nothing.
	for f in "a b.ko" a b.ko "x.ko" "*.ko" "z.ko.xz"; do
		: > "$modlib/updates/$f"
	done
	{
		cat "$modlib/modules.hashes"
		h=$(printf '%064d' 0)
		printf '%s  updates/a b.ko\n%s  updates/*.ko\n%s  updates/z.ko\n' "$h" "$h" "$h"
		printf '%s  ../../escape.ko\n%s  kernel/lib/bar.ko\n' "$h" "$h"
	} > "$work/old" && cp "$work/old" "$modlib/modules.hashes"
	: > "$work/install-$objcopy/lib/modules/escape.ko"
	mk_install "$modlib" -n >/dev/null 2>&1
	check "make -n removes nothing" test -f "$modlib/updates/a b.ko" -a -f "$modlib/updates/zfs.ko"
	rm -f "$modlib/depmod.ran"
	mk_install "$modlib" >/dev/null 2>&1
	check "old external module 'a b.ko' removed" test ! -e "$modlib/updates/a b.ko"
	check "'a' and 'b.ko' kept" test -f "$modlib/updates/a" -a -f "$modlib/updates/b.ko"
	check "'*.ko' removed, x.ko kept" test ! -e "$modlib/updates/*.ko" -a -f "$modlib/updates/x.ko"
	check "z.ko.xz removed" test ! -e "$modlib/updates/z.ko.xz"
	check "paths with .. are not followed" test -f "$work/install-$objcopy/lib/modules/escape.ko"
	check "zfs.ko installed again" cmp -s "$modlib/updates/zfs.ko" "$ext/zfs.ko"
	check "depmod ran after the removal" test -f "$modlib/depmod.ran"

	# A module rebuilt after vmlinux: modules_install refuses, names it,
	# and installs and removes nothing of the external modules.
	module lib/bar.ko "bar, rebuilt"
	cp "$work/old" "$modlib/modules.hashes"
	: > "$modlib/updates/a b.ko"
	rm -f "$modlib/updates/zfs.ko"
	out=$(mk_install "$modlib" 2>&1)
	status=$?
	check "install refused: $out" test "$status" != 0
	check "message names lib/bar.ko" contains "$out" "./lib/bar.ko"
	check "message says to run make" contains "$out" "run 'make'"
	check "nothing removed when the check fails" test -f "$modlib/updates/a b.ko"
	check "nothing external installed when the check fails" test ! -e "$modlib/updates/zfs.ko"
	check "no temporary file left by the check" \
		sh -c "! ls '${TMPDIR:-/tmp}'/vmlinux.module_hashes.* >/dev/null 2>&1"

	# make vmlinux again takes the rebuilt module.
	EXTRA=$ext mk_vmlinux >/dev/null 2>&1
	section_hex vmlinux > "$work/got.hex"
	expected_table 184 drivers/foo/foo.ko lib/bar.ko lib/copy_of_bar.ko modules-extra/zfs.ko \
		> "$work/want.hex"
	check "rebuilt module's digest in the new vmlinux" cmp -s "$work/got.hex" "$work/want.hex"

	# A build killed while it hashes leaves the previous vmlinux as it was,
	# older than the modules, so the next make writes a new one.
	cp vmlinux "$work/vmlinux.before"
	mv scripts/module-hashes/module-hashes "$work/real"
	printf '#!/bin/sh\nkill -KILL $PPID\nexit 1\n' > scripts/module-hashes/module-hashes
	chmod +x scripts/module-hashes/module-hashes
	touch drivers/foo/foo.ko
	EXTRA=$ext mk_vmlinux >/dev/null 2>&1
	check "killed: make fails, vmlinux unchanged" cmp -s vmlinux "$work/vmlinux.before"
	check "killed: vmlinux older than the module" test drivers/foo/foo.ko -nt vmlinux
	mv "$work/real" scripts/module-hashes/module-hashes
	EXTRA=$ext mk_vmlinux >/dev/null 2>&1
	check "killed: the next make writes vmlinux" test vmlinux -nt drivers/foo/foo.ko
	check "killed: temporaries gone after the next make" test -z "$(ls -A | grep -e '^\.tmp_')"

	# Failures: no vmlinux, no modules.hashes, no temporary files.
	mv lib/bar.ko "$work/bar.ko"
	touch drivers/foo/foo.ko
	out=$(EXTRA=$ext mk_vmlinux 2>&1)
	check "missing module: make fails, naming it: $out" contains "$out" "lib/bar.ko: No such file"
	check "missing module: no vmlinux, no modules.hashes" test ! -e vmlinux -a ! -e modules.hashes
	check "missing module: no temporary files" test -z "$(ls -A | grep -e '^\.tmp_')"
	mv "$work/bar.ko" lib/bar.ko

	# More modules than slots (5): 2 distinct in-tree, 4 external.
	module "$ext/spl.ko" spl
	module "$ext/icp.ko" icp
	module "$ext/lz4.ko" lz4
	printf '%s\n' zfs.o spl.o icp.o lz4.o > "$ext/modules.order"
	sed -i 's/EXTRA_SLOTS=2/EXTRA_SLOTS=4/' include/config/auto.conf
	out=$(EXTRA=$ext mk_vmlinux 2>&1)
	check "too many modules: make fails: $out" contains "$out" "room for 5 digests, 7 are needed"
	check "too many modules: no vmlinux" test ! -e vmlinux -a ! -e modules.hashes
	printf '%s\n' zfs.o > "$ext/modules.order"

	# A placeholder that does not match the layout (count != 0xffffffff
	# stands for an old or wrong header).
	cp vmlinux.unstripped "$work/good.unstripped"
	$OBJCOPY -O binary --only-section=.module_hashes vmlinux.unstripped "$work/ph"
	printf '\002' | dd of="$work/ph" bs=1 seek=8 conv=notrunc 2>/dev/null
	$OBJCOPY --update-section .module_hashes="$work/ph" vmlinux.unstripped
	out=$(EXTRA=$ext mk_vmlinux 2>&1)
	check "wrong placeholder: make fails: $out" contains "$out" "version 2, this program writes 1"
	cp "$work/good.unstripped" vmlinux.unstripped

	# CONFIG_MODULE_INSTALL_STRIP: foo.ko.stripped is hashed (Makefile.modfinal
	# makes it), modules.hashes names foo.ko.
	echo 'CONFIG_MODULE_INSTALL_STRIP=y' >> include/config/auto.conf
	echo 'CONFIG_MODULE_INSTALL_STRIP_OPTIONS="--strip-debug"' >> include/config/auto.conf
	for m in drivers/foo/foo lib/bar lib/copy_of_bar; do
		strip --strip-debug -o $m.ko.stripped $m.ko
	done
	out=$(EXTRA=$ext mk_vmlinux 2>&1)
	check "strip: make vmlinux: $out" test -f vmlinux
	section_hex vmlinux > "$work/got.hex"
	expected_table 184 drivers/foo/foo.ko.stripped lib/bar.ko.stripped \
		lib/copy_of_bar.ko.stripped modules-extra/zfs.ko.stripped > "$work/want.hex"
	check "strip: digests of the stripped images" cmp -s "$work/got.hex" "$work/want.hex"
	sha256sum drivers/foo/foo.ko.stripped lib/bar.ko.stripped lib/copy_of_bar.ko.stripped \
		modules-extra/zfs.ko.stripped | sed 's/\.stripped$//' > "$work/manifest"
	check "strip: modules.hashes names foo.ko" cmp -s modules.hashes "$work/manifest"
	out=$(mk_install "$modlib" 2>&1)
	check "strip: modules_install: $out" cmp -s "$modlib/kernel/lib/bar.ko" lib/bar.ko.stripped
	strip --strip-all -o lib/bar.ko.stripped lib/bar.ko
	out=$(mk_install "$modlib" 2>&1)
	check "strip: a changed image is refused: $out" contains "$out" "lib/bar.ko.stripped"
	cd "$work" || exit 1
done
unset OBJCOPY

# Big-endian 32- and 64-bit vmlinux files (ppc32, s390x) with llvm-objcopy:
# the table's integers stay little-endian.
if true; then
	for target in powerpc-linux-gnu s390x-linux-gnu; do
		echo "-- $target with llvm-objcopy-19"
		t=$work/tree-$target
		new_tree "$t" 3 "clang-19 --target=$target" ld.lld-19 ||
			{ fail "$target: cannot assemble"; continue; }
		for m in a b; do
			clang-19 --target=$target -x c -c - -o "$t/$m.ko" <<<"int $m(void) { return 1; }"
		done
		printf '%s\n' a.o b.o > "$t/modules.order"
		cd "$t" || exit 1
		out=$(OBJCOPY=llvm-objcopy-19 STRIP=llvm-strip-19 mk_vmlinux 2>&1)
		check "$target: make vmlinux: $out" test -f vmlinux
		OBJCOPY=llvm-objcopy-19 section_hex vmlinux > "$work/got.hex"
		expected_table 120 a.ko b.ko > "$work/want.hex"
		check "$target: little-endian table" cmp -s "$work/got.hex" "$work/want.hex"
		check "$target: still big-endian ELF" sh -c "readelf -h vmlinux | grep -q 'big endian'"
		cd "$work" || exit 1
	done
fi

echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
