#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the module files of the loading-policy matrix for one built
# configuration, in $BUILD/NAME/variants/ (copied to /tests/variants in
# the guest): the in-tree C and Rust modules as built, copies with one
# byte flipped at the start, the middle and the end, signed copies (with
# the build's key, with another key, with a corrupt signature, with a
# garbage trailer), truncated, empty and compressed copies, and an
# out-of-tree module built with make M= against the build.
#
# Usage: prepare-variants.sh NAME

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: prepare-variants.sh NAME}
obj=$BUILD/$name
src=$BUILD/src
out=$obj/variants
[ -f "$obj/lib/test_module.ko" ] || die "$obj is not built: run 'make kernel CONFIG=$name'"

rm -rf "$out"
mkdir -p "$out"

for kind in c rust; do
	case $kind in
	c) ko=$obj/lib/test_module.ko ;;
	rust) ko=$obj/samples/rust/rust_minimal.ko ;;
	esac
	cp "$ko" "$out/$kind.ko"
	size=$(stat -c %s "$ko")
	cp "$ko" "$out/$kind-flip-start.ko"
	flip_byte "$out/$kind-flip-start.ko" 7		# e_ident[EI_OSABI]
	cp "$ko" "$out/$kind-flip-middle.ko"
	flip_byte "$out/$kind-flip-middle.ko" "$(comment_middle "$ko")"
	cp "$ko" "$out/$kind-flip-end.ko"
	flip_byte "$out/$kind-flip-end.ko" $((size - 1))
done

c=$out/c.ko
# Truncated, empty, and with a byte appended.
head -c $(($(stat -c %s "$c") / 2)) "$c" > "$out/c-truncated.ko"
: > "$out/empty.ko"
# A signature trailer that claims more signature than the file holds.
{ cat "$c"; printf '\0\0\2\0\0\0\0\0\377\377\377\0~Module signature appended~\n'; } > "$out/c-garbage-trailer.ko"

# Signed copies, with a key the kernel trusts where it has one (else one
# it does not know: such a kernel treats every signature as absent).
sign_module "$obj" "$c" "$out/c-signed.ko"
cp "$out/c-signed.ko" "$out/c-badsig.ko"
# A byte inside the PKCS#7 blob: 40 bytes before the trailer's end.
flip_byte "$out/c-badsig.ko" $(($(stat -c %s "$out/c-signed.ko") - 28 - 12 - 40))

# Compressed copies, loaded with MODULE_INIT_COMPRESSED_FILE.
# Forced loads use the module as built, with MODULE_INIT_IGNORE_* flags.
cp "$c" "$out/c-force-modver.ko"
cp "$c" "$out/c-force-vermagic.ko"

zstd -q -19 -o "$out/c.ko.zst" "$c"
xz -q --check=crc32 --lzma2=dict=1MiB -c "$c" > "$out/c.ko.xz"

# An out-of-tree module, built against this build with make M=.
oot=$obj/oot-build
build_oot_module "$src" "$obj" "$oot"
cp "$oot/hello_oot.ko" "$out/oot.ko"
sign_module "$obj" "$out/oot.ko" "$out/oot-signed.ko"
sign_module_untrusted "$out/oot.ko" "$out/oot-otherkey.ko"

info "prepared $(ls "$out" | wc -l) module variants in $out"
