#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A kernel developer's loop, with the developer's tools: virtme-ng boots a
# configuration's kernel straight from its build directory (vng -r OBJ)
# with the host's own userspace, read-only over 9p, and the build tree's
# modules (vng links them: virtme-prep-kdir-mods, and the host's depmod).
# The selftests are built and installed the kernel's way (make
# kselftest-install TARGETS=module, with the host's compiler).
#
# Usage: vng.sh dev-loop|kselftest|strip NAME
#   dev-loop:  guest/vng/dev-loop.sh loads in-tree modules by hash with the
#              host's modprobe, refuses a copy with a byte flipped, and runs
#              the source tree's module selftest.
#   kselftest: the installed selftests run as CI systems run them
#              (run_kselftest.sh -c module), nothing of the harness in the
#              guest.
#   strip:     with CONFIG_MODULE_INSTALL_STRIP, guest/vng/strip.sh: the
#              build tree's modules are refused, the kernel says why, and
#              the stripped copies load.
# All under module.sig_enforce=1.  NAME: an x86_64 configuration with
# configs/vng.config (hashes+vng, hashes+vng+strip).
# The verdict is ktap.py's on the guest's output (vng-MODE.log in the
# build directory).  virtme-ng comes from PyPI, pinned (VNG_VERSION).
# Environment: VNG_TIMEOUT (seconds, default 900).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
VNG_VERSION=1.42
mode=${1:-} name=${2:-}
usage="usage: vng.sh dev-loop|kselftest|strip NAME"
case $mode in dev-loop|kselftest|strip) ;; *) die "$usage" ;; esac
[ -n "$name" ] || die "$usage"
[ "$HARNESS_ARCH" = x86_64 ] || die "vng.sh: x86_64 only (ARCH=$HARNESS_ARCH)"
obj=$(realpath "$(built_dir "$name")") src=$BUILD/src
[ -f "$obj/$arch_image" ] || die "no $obj/$arch_image: run 'make kernel CONFIG=$name' first"
grep -qx CONFIG_NET_9P_VIRTIO=y "$obj/.config" ||
	die "$name: not a kernel virtme-ng boots (no configs/vng.config in it)"
vng=$(pypi_program virtme-ng "$VNG_VERSION" vng)
# vng runs virtme-run and the virtme-prep-kdir-mods of its package, and
# the host's depmod.
PATH=$(dirname "$vng"):$PATH:/sbin:/usr/sbin

# The selftests, as make kselftest-install leaves them in OBJ/kselftest.
installed=$obj/kselftest/kselftest_install
if [ "$mode" != strip ]; then
	rm -rf "$installed"
	kmake "$src" "$obj" kselftest-install TARGETS=module > "$obj/kselftest-install.log" 2>&1 ||
		{ tail -n 20 "$obj/kselftest-install.log" >&2; die "make kselftest-install TARGETS=module failed"; }
	[ -x "$installed/run_kselftest.sh" ] && [ -x "$installed/module/modload" ] ||
		die "make kselftest-install left no run_kselftest.sh or module/modload in $installed"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
verdict_args=()
case $mode in
dev-loop)
	# A copy of test_module with a byte flipped where the loader never
	# looks (.comment): only authentication can refuse it.
	ko=$(grep -m1 '\(^\|/\)test_module\.o$' "$obj/modules.order") ||
		die "$name has no test_module.ko (CONFIG_TEST_LKM=m)"
	ko=$obj/${ko%.o}.ko
	at=$(comment_middle "$ko")
	cp "$ko" "$work/test_module-flipped.ko"
	flip_byte "$work/test_module-flipped.ko" "$at"
	! cmp -s "$ko" "$work/test_module-flipped.ko" || die "no byte of $ko was flipped"
	sha256sum < "$work/test_module-flipped.ko" | cut -d' ' -f1 > "$work/flipped.sha256"
	guest=(sh "$here/guest/vng/dev-loop.sh" "$obj" "$src" "$work") ;;
kselftest)
	guest=("$installed/run_kselftest.sh" -c module)
	verdict_args=(--require "selftests: module: module_auth.sh") ;;
strip)
	grep -qx CONFIG_MODULE_INSTALL_STRIP=y "$obj/.config" || die "$name: no CONFIG_MODULE_INSTALL_STRIP"
	guest=(sh "$here/guest/vng/strip.sh" "$obj") ;;
esac

# 9p for the root (--force-9p): the kernel has no virtio-fs, whether or
# not the host has virtiofsd.  root=/dev/root, the 9p mount tag that vng
# gives the root: without root=, Linux 7.3 mounts the root with no source
# ("9p: Bad value for 'source'", "VFS: Failed to pivot into new rootfs").
# TCG (--disable-kvm): KVM guests hang on the machines this was written
# on.  The guest's command runs in WORK.
log=$obj/vng-$mode.log
set +e
(cd "$work" && timeout "${VNG_TIMEOUT:-900}" "$vng" --run "$obj" --disable-kvm --force-9p \
	--memory 1G --cpus 2 --rwdir "$work" \
	--append "root=/dev/root module.sig_enforce=1 module_auth.expect=e kunit.enable=0" \
	-- "${guest[@]}") < /dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
"$here/ktap.py" "${verdict_args[@]}" "$log" || die "vng $mode on $name failed (status $status; log: $log)"
[ "$status" = 0 ] || die "vng exited with status $status (log: $log)"
