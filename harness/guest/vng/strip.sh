#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside virtme-ng (harness/vng.sh strip), on a kernel built with
# CONFIG_MODULE_INSTALL_STRIP, under module.sig_enforce=1: the table holds
# the in-tree modules as modules_install strips them, so the build tree's
# unstripped test_module.ko, which vng links, is refused, and the kernel
# says why, once, naming the option; the stripped copy that the build made
# beside it (test_module.ko.stripped, what modules_install installs) loads
# by hash.
#
# Usage: strip.sh OBJ

. "$(dirname "$0")/../tap.sh"
obj=$1

echo "TAP version 13"
tap_check "the host asked for module.sig_enforce=1 (module_auth.expect=e)" e "$(expected_mode)"
file=$(readlink -f "$(modinfo -n test_module 2>/dev/null)")
case $file in
"$obj"/*) where=build-tree ;;
*) where="not the build tree: $file" ;;
esac
tap_check "modprobe finds the build tree's test_module.ko" build-tree "$where"
for try in 1 2; do
	err=$(modprobe test_module 2>&1)
	tap_check "the build tree's unstripped module, try $try: modprobe fails with EKEYREJECTED" yes \
		"$(case $err in *"Key was rejected by service"*) echo yes ;; *) echo "$err" ;; esac)"
done
tap_check "the kernel says once that its table holds stripped modules (CONFIG_MODULE_INSTALL_STRIP)" 1 \
	"$(dmesg | grep -c 'CONFIG_MODULE_INSTALL_STRIP')"
err=$(insmod "$file.stripped" 2>&1)
tap_check "the stripped copy beside it loads ($err)" loaded "$([ -d /sys/module/test_module ] && echo loaded)"
tap_check "the stripped copy is authenticated by hash" hash "$(cat /sys/module/test_module/authentication 2>&1)"
rmmod test_module 2>/dev/null
tap_end
