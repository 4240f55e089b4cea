#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside virtme-ng (harness/vng.sh): the guest runs the host's own
# userspace, and /lib/modules/$(uname -r) is vng's directory of symlinks
# to the build tree's modules (virtme-prep-kdir-mods).  A kernel developer
# loads them with the host's kmod, as built, under module.sig_enforce=1:
# in-tree C and Rust modules load by hash, untainted; a copy with one byte
# flipped (made by the host) is refused and logged with its digest.  Then
# the module selftest of the source tree, with the modload that make
# kselftest-install built for the host.
#
# Usage: dev-loop.sh OBJ SRC WORK
#   OBJ: the kernel's build directory; SRC: its source tree; WORK: the
#   host's directory with test_module-flipped.ko and its sha256 (flipped.sha256)

. "$(dirname "$0")/../tap.sh"
obj=$1 src=$2 work=$3

echo "TAP version 13"
tap_check "the host asked for module.sig_enforce=1 (module_auth.expect=e)" e "$(expected_mode)"
tap_check "the kernel enforces module.sig_enforce" Y "$(cat /sys/module/module/parameters/sig_enforce)"
tap_check "the guest runs the host's modprobe (kmod)" yes \
	"$(modprobe --version 2>/dev/null | grep -q '^kmod' && echo yes)"

for m in test_module rust_minimal; do
	file=$(modinfo -n "$m" 2>/dev/null)
	case $(readlink -f "$file") in
	"$obj"/*) where=build-tree ;;
	*) where="not the build tree: $file" ;;
	esac
	tap_check "$m: modprobe finds the build tree's module" build-tree "$where"
	before=$(tainted)
	err=$(modprobe "$m" 2>&1)
	tap_check "$m: modprobe loads it ($err)" loaded "$([ -d "/sys/module/$m" ] && echo loaded)"
	tap_check "$m: authenticated by hash" hash "$(cat "/sys/module/$m/authentication" 2>&1)"
	tap_check "$m: the kernel gets no taint E from it" 0 $((($(tainted) & ~before) & TAINT_UNSIGNED_MODULE))
	tap_check "$m: its own taint has no E" "" "$(grep E "/sys/module/$m/taint")"
	modprobe -r "$m" 2>/dev/null
done

flipped=$work/test_module-flipped.ko
digest=$(cat "$work/flipped.sha256")
err=$(insmod "$flipped" 2>&1)
status=$?
tap_check "a copy with one byte flipped: insmod fails" 1 "$([ $status != 0 ] && echo 1)"
tap_check "a copy with one byte flipped: refused with EKEYREJECTED" yes \
	"$(case $err in *"Key was rejected by service"*) echo yes ;; *) echo "$err" ;; esac)"
tap_check "a copy with one byte flipped: the kernel logs its file and digest" yes \
	"$(dmesg | grep -q "test_module-flipped.ko: sha256 $digest is not in .module_hashes" && echo yes)"
tap_end
status=$?

# The selftest, from the source tree, graded by the mode asked for.
MODLOAD=$obj/kselftest/kselftest_install/module/modload \
	sh "$src/tools/testing/selftests/module/module_auth.sh" -e e || status=1
exit $status
