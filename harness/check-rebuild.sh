#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Incremental rebuilds of a CONFIG_MODULE_HASHES build keep vmlinux and
# the modules consistent: after "rm some.ko; make" and after an edit of one
# module's source, that module is rebuilt and so are vmlinux's table and
# bzImage.  (An upstream attempt once stopped rebuilding deleted modules.)
#
# Usage: check-rebuild.sh NAME

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
name=${1:?usage: check-rebuild.sh NAME}
obj=$BUILD/$name
module=lib/test_module

newer() { [ "$(stat -c %.9Y "$1")" \> "$(stat -c %.9Y "$2")" ]; }

rm -f "$obj/$module.ko"
sleep 1
touch "$obj/.rebuild-mark"
"$here/build-kernel.sh" "$name" > /dev/null
[ -f "$obj/$module.ko" ] || die "rm $module.ko; make did not rebuild $module.ko"
newer "$obj/vmlinux" "$obj/.rebuild-mark" || die "rm $module.ko; make did not rewrite vmlinux"
newer "$obj/arch/x86/boot/bzImage" "$obj/.rebuild-mark" || die "rm $module.ko; make did not rebuild bzImage"
"$here/check-manifest.sh" "$name"
info "rm $module.ko; make: rebuilt the module, vmlinux and bzImage"

# An edit of the module's source (its mtime, so build/src stays clean).
sleep 1
touch "$obj/.rebuild-mark"
touch "$BUILD/src/$module.c"
"$here/build-kernel.sh" "$name" > /dev/null
newer "$obj/$module.o" "$obj/.rebuild-mark" || die "an edit of $module.c did not rebuild $module.o"
newer "$obj/$module.ko" "$obj/.rebuild-mark" || die "an edit of $module.c did not relink $module.ko"
newer "$obj/vmlinux" "$obj/.rebuild-mark" || die "an edit of $module.c did not rewrite vmlinux"
"$here/check-manifest.sh" "$name"
info "an edit of $module.c: rebuilt the module and vmlinux's table"
rm -f "$obj/.rebuild-mark"
