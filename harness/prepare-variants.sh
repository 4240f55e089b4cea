#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the module files of the loading-policy matrix that only the host
# can make, for one built configuration, in $BUILD/NAME/variants/ (copied
# to /tests/variants in the guest, where 30-module-auth hands the
# directory to the selftest module_auth.sh with -d): copies of the
# installed test_module signed with a key the kernel trusts and with
# another key, and an out-of-tree module built with make M= against the
# build, unsigned and signed with both keys.  Every other variant (flipped
# bytes, a malformed trailer, truncated, empty, forced, compressed) the
# selftest makes itself, in the guest, from the installed modules.
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
installed=$(find "$obj/modinst/lib/modules" -name 'test_module.ko*' 2>/dev/null | head -n 1)
[ -n "$installed" ] || die "$obj has no installed test_module: run 'make kernel CONFIG=$name'"

rm -rf "$out"
mkdir -p "$out"

# The module exactly as the guest's selftest takes it: the installed file,
# decompressed.
c=$obj/variants.c.ko
decompress "$installed" > "$c"
sign_module "$obj" "$c" "$out/c-signed.ko"
sign_module_untrusted "$c" "$out/c-otherkey.ko"
rm -f "$c"

# An out-of-tree module, built against this build with make M=.
oot=$obj/oot-build
build_oot_module "$src" "$obj" "$oot"
cp "$oot/hello_oot.ko" "$out/oot.ko"
sign_module "$obj" "$out/oot.ko" "$out/oot-signed.ko"
sign_module_untrusted "$out/oot.ko" "$out/oot-otherkey.ko"

info "prepared $(ls "$out" | wc -l) module variants in $out"
