#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ARCH= in lib.sh: its names, a clear error for others, and what each
# architecture brings (its fragment, build directory, image, QEMU).
. "$(dirname "$0")/lib.sh"
echo "1..12"

# arch_of ARCH: HARNESS_ARCH after lib.sh has taken ARCH, and that ARCH is gone.
arch_of() { ARCH=$1 bash -c '. "$0/lib.sh"; echo "$HARNESS_ARCH ${ARCH-unset}"' "$harness"; }
got=$(for a in x86_64 amd64 arm64 aarch64 riscv riscv64 arm armhf s390 s390x; do arch_of "$a"; done | tr '\n' ,)
[ "$got" = "x86_64 unset,x86_64 unset,arm64 unset,arm64 unset,riscv unset,riscv unset,arm unset,arm unset,s390 unset,s390 unset," ] &&
	tap_ok "ARCH names, kernel and Debian spellings, become make's; ARCH is unset" || tap_not_ok "ARCH names: $got"
got=$(env -u ARCH -u HARNESS_ARCH bash -c '. "$0/lib.sh"; echo "$HARNESS_ARCH"' "$harness")
[ "$got" = x86_64 ] && tap_ok "no ARCH: x86_64" || tap_not_ok "no ARCH: $got"
got=$(env -u ARCH HARNESS_ARCH=riscv bash -c '. "$0/lib.sh"; echo "$HARNESS_ARCH"' "$harness")
[ "$got" = riscv ] && tap_ok "a script run by a script keeps its architecture (HARNESS_ARCH)" || tap_not_ok "HARNESS_ARCH: $got"
expect_fail "an architecture the harness does not build is refused by name" \
	"ARCH=mips: the harness builds x86_64 arm64 riscv arm s390 \(arm: ARMv7\)" \
	env ARCH=mips bash -c '. "$0/lib.sh"' "$harness"

facts() { ARCH=$1 BUILD=/b bash -c '. "$0/lib.sh"; echo "$(obj_dir hashes) $arch_image ${arch_qemu[0]} $arch_deb"; config_fragments hashes' "$harness"; }
got=$(facts x86_64 | head -n 1)
[ "$got" = "/b/hashes arch/x86/boot/bzImage qemu-system-x86_64 amd64" ] &&
	tap_ok "x86_64 builds in BUILD/NAME, as before" || tap_not_ok "x86_64: $got"
got=$(facts arm64 | head -n 1)
[ "$got" = "/b/arm64/hashes arch/arm64/boot/Image qemu-system-aarch64 arm64" ] &&
	tap_ok "arm64 builds in BUILD/arm64/NAME, boots Image in qemu-system-aarch64" || tap_not_ok "arm64: $got"
got=$(facts s390 | head -n 1)
[ "$got" = "/b/s390/hashes arch/s390/boot/bzImage qemu-system-s390x s390x" ] &&
	tap_ok "s390 builds in BUILD/s390/NAME, boots in qemu-system-s390x" || tap_not_ok "s390: $got"
got=$(facts riscv | sed -n '2,$p' | sed "s|$harness/../configs/||; s|.*/configs/||" | tr '\n' ' ')
[ "$got" = "base.config arch/riscv.config hashes.config " ] &&
	tap_ok "the fragments: base, the architecture's, the configuration's" || tap_not_ok "fragments: $got"
missing=
for a in $(bash -c '. "$0/lib.sh"; echo "${harness_arches[@]}"' "$harness"); do
	[ -f "$harness/../configs/arch/$a.config" ] || missing+=" $a"
done
[ -z "$missing" ] && tap_ok "every architecture has its fragment in configs/arch" || tap_not_ok "no fragment for:$missing"

# built_dir: a directory that build.sh last built as another configuration
# (check.sh's in-place rebuilds) is refused by name; one without a record
# (an older build) or with its own name is taken.
built() { BUILD=$PWD/b bash -c '. "$0/lib.sh"; built_dir "$1"' "$harness" "$1"; }
mkdir -p b/hashes b/plain
echo hashes+vng+strip > b/hashes/.harness-name
expect_fail "built_dir refuses a directory rebuilt as another configuration" \
	"b/hashes holds hashes\+vng\+strip now, not hashes: run 'make kernel CONFIG=hashes" built hashes
echo hashes > b/hashes/.harness-name
[ "$(built hashes)" = "$PWD/b/hashes" ] && tap_ok "built_dir takes the directory of its own configuration" ||
	tap_not_ok "built_dir hashes: $(built hashes 2>&1)"
[ "$(built plain)" = "$PWD/b/plain" ] && tap_ok "built_dir takes a directory without a record" ||
	tap_not_ok "built_dir plain: $(built plain 2>&1)"
