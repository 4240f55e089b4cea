# SPDX-License-Identifier: GPL-2.0
# ELF sections of vmlinux and modules (llvm-readelf, objcopy), and the
# .module_hashes layout of its one definition, module_hashes.h.  Sourced by lib.sh, not run.

# The one reader of section headers, for every architecture's ELF files:
# llvm-readelf's table, whose rows after the null section read "[ N] NAME
# TYPE ADDRESS OFFSET SIZE ...".
elf_section_rows() {
	llvm-readelf-19 -S -W "$1" | sed -n 's/^ *\[ *[1-9][0-9]*\] //p'
}

# elf_section ELF NAME: "OFFSET SIZE" of section NAME, in bytes; status 1
# when ELF has no such section.
elf_section() {
	local off='' size=''
	read -r off size < <(elf_section_rows "$1" | awk -v s="$2" '$1 == s { print $4, $5; exit }') || true
	[ -n "$off" ] || return 1
	echo $((16#$off)) $((16#$size))
}

# elf_section_names ELF: the names of its sections, in order.
elf_section_names() { elf_section_rows "$1" | awk '{ print $1 }'; }

# has_section ELF NAME: ELF has a section NAME.
has_section() { elf_section "$1" "$2" > /dev/null; }

# section_bytes ELF SECTION: the size of a section in bytes (empty if none).
section_bytes() {
	local s
	s=$(elf_section "$1" "$2") || return 0
	echo "${s#* }"
}

# dump_section ELF SECTION FILE: the bytes of SECTION into the regular file
# FILE.  Never a path in /dev: llvm-objcopy renames its output over the
# path, and as root that replaces /dev/null or /dev/stdout with a regular
# file (it did, both).  objcopy's own output goes to a file of its own.
dump_section() {
	local discard rc=0
	case $3 in
	/dev/*) die "dump_section: $3: llvm-objcopy would replace it with a regular file; give it a file" ;;
	esac
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
	local s
	s=$(elf_section "$1" .comment) || die "$1 has no .comment section"
	echo $((${s% *} + ${s#* } / 2))
}
