#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what module authentication costs, measured in the kernel, and
# one report of it ($BUILD/bench/report.txt, printed at the end).
#
# Usage: [ARCH=arm64] bench.sh (x86_64 by default; not part of make check)
#
# 1. The authentication step: the kernel hashes+bench (configs/bench.config)
#    boots with harness.suite=bench and runs the KUnit suites module_auth_bench
#    and module_hashes_bench (CONFIG_MODULE_HASHES_BENCH) at boot.  Their
#    inputs, in the initramfs's /module_auth_bench: real modules of Debian's
#    kernel for the same architecture of about 16K, 64K, 256K, 1M and 4M
#    (inputs.py),
#    each signed with RSA-4096/SHA-512, ECDSA P-384/SHA-512 and ML-DSA-65
#    as scripts/sign-file signs (CMS, detached, no certificates; signed
#    attributes for ML-DSA, which OpenSSL 3.5 needs), and the three
#    certificates.  Debian 12's OpenSSL 3.0 has no ML-DSA: the keys and
#    signatures are made with Debian trixie's OpenSSL 3.5, downloaded
#    (apt_download) and run with its own C library, not installed.
# 2. The lookup at scale and the validation of the table: the same boot.
# 3. Memory: size(1) of vmlinux and the .module_hashes section of three
#    kernels of one configuration (plain, MODULE_SIG only) that differ only
#    in MODULE_HASHES and MODULE_SIG (configs/hashes-on, configs/sig-off).
# 4. Boot: hashes+bench boots again with KUnit off and initcall_debug; the
#    guest test guest/bench/10-boot-cost checks that nothing reads the
#    table before the first module load, and times the one initcall.
# Also, as a reference of real hardware: openssl speed on this host's CPU
# (on x86_64, SHA-NI, which QEMU 7.2's TCG does not emulate).
#
# The figures are medians; every figure from the guest is also given as a
# ratio to one measured in the same run (report.py).  Exit status 0
# when the benchmark ran, whether or not the targets are met (the report
# says); 1 on an error.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
use_build_dir
case $HARNESS_ARCH in
x86_64|arm64) ;;
*) die "make bench runs on x86_64 and arm64, not ARCH=$HARNESS_ARCH" ;;
esac

# build/bench for x86_64, as make bench-hash shares its Debian modules;
# build/arm64/bench for arm64.
out=$(obj_dir bench)
bench_config=hashes+bench
# The memory comparison: hashes-only, SIG-only and both, in that order.
memory_configs=(plain+hashes-on+sig-off plain plain+hashes-on)
mkdir -p "$out"
rm -rf "$out/run"
mkdir -p "$out/run"
run=$out/run

# openssl35 ARG...: Debian trixie's openssl (3.5), with its own libraries
# and dynamic loader, downloaded once into $BUILD/dl/openssl-trixie.
openssl35() {
	local dir=$BUILD/dl/openssl-trixie deb
	if ! [ -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/root"
		apt_download "$dir" trixie openssl libssl3t64 libc6 libzstd1 zlib1g
		for deb in "$dir"/*.deb; do
			dpkg-deb -x "$deb" "$dir/root" || die "cannot extract $deb"
		done
		touch "$dir/.done"
	fi
	OPENSSL_MODULES=$dir/root/usr/lib/x86_64-linux-gnu/ossl-modules \
		"$dir/root/usr/lib64/ld-linux-x86-64.so.2" \
		--library-path "$dir/root/usr/lib/x86_64-linux-gnu" \
		"$dir/root/usr/bin/openssl" "$@"
}

# The key types, as module_auth_bench names them, and openssl's words.
keys=(rsa-4096 ecdsa-p384 ml-dsa-65)
declare -A newkey=([rsa-4096]=rsa:4096 [ecdsa-p384]="ec -pkeyopt ec_paramgen_curve:P-384"
		   [ml-dsa-65]=ML-DSA-65)

# make_inputs DIR: the guest's /module_auth_bench.  Names the machine in
# $run/machine.txt: the guest architecture, its QEMU and Debian's module
# count for that architecture, which the memory figures scale to.
make_inputs() {
	local dir=$1 modules k label attrs qemu_version
	modules=$(debian_modules "$out")
	"$here/inputs.py" "$modules" "$dir" || die "cannot pick the benchmark's modules"
	qemu_version=$("${arch_qemu[0]}" --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p')
	echo "bench: machine arch=$HARNESS_ARCH deb=$arch_deb qemu=$(IFS=,; echo "${arch_qemu[*]}")" \
		"qemu_version=$qemu_version debian_modules=$(cat "$modules/.done")" \
		> "$run/machine.txt"
	openssl35 version | grep -q '^OpenSSL 3\.[5-9]' || die "trixie's openssl is not 3.5 or later"
	mkdir -p "$out/keys"
	for k in "${keys[@]}"; do
		if ! [ -f "$out/keys/$k.pem" ]; then
			info "generating the $k key"
			# shellcheck disable=SC2086 # newkey holds words
			openssl35 req -x509 -newkey ${newkey[$k]} -nodes -days 36500 \
				-subj "/CN=module-hashes bench $k" -keyout "$out/keys/$k.key" \
				-out "$out/keys/$k.pem.tmp" -addext keyUsage=digitalSignature 2>/dev/null ||
				die "openssl cannot make the $k key"
			mv "$out/keys/$k.pem.tmp" "$out/keys/$k.pem"
		fi
		openssl35 x509 -in "$out/keys/$k.pem" -outform DER -out "$dir/$k.der" ||
			die "cannot convert the $k certificate"
		# sign-file's CMS_NOATTR, which OpenSSL 3.5 cannot do with ML-DSA.
		attrs=-noattr
		[ "$k" != ml-dsa-65 ] || attrs=
		while read -r label _; do
			openssl35 cms -sign -binary -nocerts -nosmimecap $attrs -md sha512 -outform DER \
				-signer "$out/keys/$k.pem" -inkey "$out/keys/$k.key" \
				-in "$dir/$label.ko" -out "$dir/$label.ko.$k.p7s" ||
				die "cannot sign $label.ko with $k"
		done < "$dir/manifest"
	done
}

# memory CONFIG ROLE: one line of the memory figures.
memory() {
	local obj sizes text data bss table count slots
	obj=$(obj_dir "$1")
	sizes=$(llvm-size-19 -B "$obj/vmlinux" | awk 'NR == 2 { print $1, $2, $3 }') ||
		die "llvm-size cannot read $obj/vmlinux"
	read -r text data bss <<< "$sizes"
	table=$(section_bytes "$obj/vmlinux" .module_hashes)
	count=$(wc -l < "$obj/modules.order")
	slots=$(sed -n 's/^CONFIG_MODULE_HASHES_EXTRA_SLOTS=//p' "$obj/.config")
	echo "bench: memory role=$2 config=$1 text=$text data=$data bss=$bss" \
		"table=${table:-0} modules=$count slots=${slots:-0}"
}

# host_reference: the same operations in userspace OpenSSL 3.5 on this
# host's CPU, real hardware: the digests' bytes per second (-mr), and the
# verifications per second of its table of signature algorithms.
host_reference() {
	local digest speed sha_ni=0
	grep -qw sha_ni /proc/cpuinfo && sha_ni=1
	echo "bench: host machine=$(uname -m) sha_ni=$sha_ni"
	for digest in sha256 sha512; do
		speed=$(openssl35 speed -seconds 1 -mr -bytes 16384 -evp "$digest" 2>/dev/null |
			awk -F: '$1 == "+F" { print $4 }')
		[ -n "$speed" ] || die "openssl speed $digest printed no figure"
		echo "bench: host ${digest}_Bps=$speed"
	done
	openssl35 speed -seconds 1 rsa4096 ecdsap384 ML-DSA-65 2>/dev/null |
		awk '/ bits ecdsa \(nistp384\) / { print "bench: host ecdsa-p384_verify_per_s=" $NF }
		     /keygens\/s +sign\/s +verify\/s/ { table = 1; next }
		     table && $1 == "rsa4096" { print "bench: host rsa-4096_verify_per_s=" $NF }
		     table && $1 == "ML-DSA-65" { print "bench: host ml-dsa-65_verify_per_s=" $NF }'
}

for c in "$bench_config" "${memory_configs[@]}"; do
	"$root/harness/build.sh" "$c"
done

info "preparing the benchmark's modules, keys and signatures"
make_inputs "$run/inputs"

info "booting $bench_config: the KUnit benchmarks (a few minutes under TCG)"
APPEND="harness.suite=bench" EXTRA_GUEST_FILES="$run/inputs:/module_auth_bench" QEMU_TIMEOUT=${QEMU_TIMEOUT:-1800} \
	"$root/harness/boot.sh" --require module_auth_bench --require module_hashes_bench "$bench_config" > /dev/null
cp "$(obj_dir "$bench_config")/qemu.log" "$run/kunit.log"

info "booting $bench_config again, without KUnit: the cost of the table at boot"
# Its clocksource is finer than jiffies (bench.config).  Without KALLSYMS,
# initcall_debug names an initcall by its address: System.map's, so no
# KASLR, which EFI_STUB (x86_64's fragment, for Secure Boot) turns on
# through RELOCATABLE.
# MODULE_SIG's initcall that loads the built-in certificates, to compare.
initcalls=$(awk '$3 == "module_hashes_sysfs_init" || $3 == "load_system_certificate_list" {
		printf "%s%s@0x%s", n++ ? "," : "", $3, $1 }' "$(obj_dir "$bench_config")/System.map")
[[ $initcalls == *module_hashes_sysfs_init* ]] ||
	die "no module_hashes_sysfs_init in $bench_config's System.map"
APPEND="harness.suite=bench kunit.enable=0 initcall_debug printk.time=1 nokaslr harness.initcalls=$initcalls" \
	"$root/harness/boot.sh" "$bench_config" > /dev/null
cp "$(obj_dir "$bench_config")/qemu.log" "$run/boot.log"

{
	roles=(hashes-only sig-only both)
	for i in 0 1 2; do
		memory "${memory_configs[$i]}" "${roles[$i]}"
	done
} > "$run/memory.txt"
info "timing OpenSSL on this host's CPU"
host_reference > "$run/host.txt"

"$here/report.py" "$run" > "$out/report.txt.tmp" ||
	die "the run's figures are incomplete (above); its logs are in $run"
mv "$out/report.txt.tmp" "$out/report.txt"
cat "$out/report.txt"
if [ "$HARNESS_ARCH" = x86_64 ]; then
	publish_result bench.txt "$out/report.txt" "make bench"
else
	publish_result "bench-$HARNESS_ARCH.txt" "$out/report.txt" "make bench ARCH=$HARNESS_ARCH"
fi
info "report: $out/report.txt; the run's logs and figures: $run"
