#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernels with an unusable .module_hashes, from a built x86_64
# configuration NAME: copies of its vmlinux whose table is
#   placeholder  the build's placeholder (vmlinux.unstripped's section: a
#                count of 0xffffffff, more than the section holds)
#   unsorted     the digests in reverse order
#   truncated    a header cut after its version (the rest of it zeros)
#   version      version 2
# each booted through its PVH entry (QEMU's -kernel vmlinux, CONFIG_PVH)
# into guest/badtable in the default mode and with module.sig_enforce=1:
# the kernel boots, says once which is wrong and that no module is known
# by hash, and treats in-tree modules as unknown ones.  Then the good
# vmlinux through the same suite, which must fail: the proof that the suite
# can.
#
# Usage: badtable.sh NAME

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: badtable.sh NAME}
[ "$HARNESS_ARCH" = x86_64 ] || die "badtable.sh: x86_64 (PVH) only"
obj=$(obj_dir "$name")
grep -qx CONFIG_PVH=y "$obj/.config" || die "$name has no CONFIG_PVH"
grep -qx CONFIG_MODULE_HASHES=y "$obj/.config" || die "$name has no CONFIG_MODULE_HASHES"
out=$obj/badtable
rm -rf "$out" && mkdir -p "$out"

# section_offset ELF: the file offset of .module_hashes.
section_offset() {
	local s
	s=$(elf_section "$1" .module_hashes) || die "$1 has no .module_hashes section"
	echo "${s% *}"
}

# spoil KIND VMLINUX: make the table of VMLINUX (in place) unusable as KIND.
spoil() {
	eval "$(table_layout)"
	case $1 in
	placeholder)
		dump_section "$obj/vmlinux.unstripped" .module_hashes "$out/placeholder.bin"
		llvm-objcopy-19 --update-section ".module_hashes=$out/placeholder.bin" "$2" ;;
	*)
		python3 - "$2" "$(section_offset "$2")" "$1" "$header" "$count_at" <<-'PY'
		import struct, sys
		path, offset, kind, header, count_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
		with open(path, "r+b") as f:
		    f.seek(offset)
		    head = bytearray(f.read(header))
		    count, size = struct.unpack_from("<II", head, count_at)
		    if kind == "unsorted":
		        digests = [f.read(size) for _ in range(count)]
		        if count < 2:
		            sys.exit(f"{path}: {count} digests cannot be out of order")
		        f.seek(offset + header)
		        f.write(b"".join(reversed(digests)))
		    elif kind == "truncated":
		        f.seek(offset + 12)
		        f.write(bytes(header - 12))
		    elif kind == "version":
		        f.seek(offset + 8)
		        f.write(struct.pack("<I", 2))
		PY
		;;
	esac
}

status=0
for case in placeholder:Truncated unsorted:Unsorted truncated:BadAlgorithm version:BadVersion good:; do
	kind=${case%%:*} error=${case#*:}
	cp "$obj/vmlinux" "$out/vmlinux-$kind"
	[ "$kind" = good ] || spoil "$kind" "$out/vmlinux-$kind"
	for mode in "" module.sig_enforce=1; do
		args=()
		# The good table: the suite must fail (the kernel says nothing
		# of the sort, and knows the modules).
		[ "$kind" != good ] || args=(--expect-fail 10-no-module-known)
		if APPEND="harness.suite=badtable harness.badtable=${error:-none} kunit.enable=0 $mode" \
			"$here/boot.sh" --kernel "$out/vmlinux-$kind" "${args[@]}" "$name" > "$out/$kind${mode:+-enforce}.log" 2>&1; then
			info "$kind table${mode:+, $mode}: as expected"
		else
			tail -n 30 "$out/$kind${mode:+-enforce}.log" >&2
			info "$kind table${mode:+, $mode}: FAILED (log: $out/$kind${mode:+-enforce}.log)"
			status=1
		fi
	done
done
exit $status
