#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debian: a real Debian system on our kernel.  Debian's own
# cloud-amd64 configuration with the hash-or-signature setup is built with
# GCC and packaged with make bindeb-pkg (build.sh); the packages are
# checked on the host (checks.sh packages); a trixie system made with
# mmdebstrap installs them with dpkg, its hooks make the initramfs and
# dkms builds and signs an out-of-tree module (image.sh); the system boots
# under QEMU with the initramfs of initramfs-tools and of dracut, each
# under lockdown=integrity and module.sig_enforce=1, and checks itself
# (boot.sh, guest/module-hashes-checks).  Figures go to the summary, with
# those of figures.sh (the same configuration with MODULE_HASHES alone and
# MODULE_SIG alone).
#
# Each step runs even when an earlier independent one failed; the exit
# status is non-zero when any failed.  The packages are compressed with
# zstd (KDEB_COMPRESS, a packager's choice): xz would spend most of an
# hour on the debug package's 1,019 modules on two cores.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
use_build_dir
obj=$BUILD/debian-cloud
image=$BUILD/debian-image

figures=()
figure() { figures+=("$(printf '%-44s %s' "$1" "$2")"); }

if step "build Debian's cloud-amd64 configuration (GCC)" "$here/build.sh" &&
   step "make bindeb-pkg; the packages' modules against their kernel" \
	env KDEB_COMPRESS="${KDEB_COMPRESS:-zstd}" "$root/harness/checks.sh" packages debian-cloud deb; then
	figure "build seconds (this run)" "$(cat "$obj/.harness-build-seconds")"
	figure "modules in modules.order" "$(wc -l < "$obj/modules.order")"
	figure "digests in vmlinux's table" \
		"$("$(hash_tool)" list "$obj/vmlinux" | wc -l)"
	figure ".module_hashes bytes" \
		"$(section_bytes "$obj/vmlinux" .module_hashes)"
	figure "size vmlinux (text data bss)" "$(size "$obj/vmlinux" | awk 'NR == 2 { print $1, $2, $3 }')"
	if step "a trixie system with the packages (mmdebstrap, dpkg, dkms, dracut)" \
		"$here/image.sh" "$obj/packages/deb" "$image"; then
		for generator in initramfs-tools dracut; do
			for mode in lockdown=integrity module.sig_enforce=1; do
				step "boot with $generator, $mode" \
					"$here/boot.sh" "$image" "$generator" "$mode" "$image/$generator-${mode%%=*}"
				while read -r _ _ what value; do
					figure "$generator, $mode: $what" "$value"
				done < <(grep '^# figure: ' "$image/$generator-${mode%%=*}.tap" 2>/dev/null)
			done
		done
		# Under UEFI Secure Boot, with nothing asked on the command
		# line: Secure Boot locks the kernel down, and IMA's
		# architecture policy (Debian has IMA_ARCH_POLICY) sets
		# module.sig_enforce.
		step "boot with initramfs-tools under UEFI Secure Boot" \
			env SECURE_BOOT=1 "$here/boot.sh" "$image" initramfs-tools "" "$image/initramfs-tools-secureboot"
	fi
fi

# The same configuration with MODULE_HASHES alone and MODULE_SIG alone,
# for size vmlinux and MemTotal side by side.
step "figures: MODULE_HASHES and MODULE_SIG, each alone and both" \
	bash -c '"$0" > "$1"' "$here/figures.sh" "$obj/figures.txt"

mkdir -p "$obj"
{
	echo "=== figures"
	printf '%s\n' "${figures[@]}"
	[ ! -s "$obj/figures.txt" ] || { echo; cat "$obj/figures.txt"; }
} > "$obj/report.txt"
status=0
step_summary "make check-debian" >> "$obj/report.txt" || status=1
echo
cat "$obj/report.txt"
publish_result check-debian.txt "$obj/report.txt" "make check-debian"
exit $status
