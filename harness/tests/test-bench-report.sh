# SPDX-License-Identifier: GPL-2.0
# bench/report.py on canned figures: the ratios and the targets' verdicts
# computed from them, and a clear error for a run with a figure missing.
. "$(dirname "$0")/lib.sh"
report() { "$harness/bench/report.py" "$@"; }

# make_run DIR HASH_16K_NS [ARCH]: a run on ARCH (x86_64) whose hash path
# costs HASH_16K_NS at 16K and scales with the size; the signatures cost
# 1 ms more than the hash.
make_run() {
	local dir=$1 h=$2 arch=${3:-x86_64} label bytes f
	mkdir -p "$dir/inputs"
	: > "$dir/kunit.log"
	if [ "$arch" = arm64 ]; then
		echo "bench: machine arch=arm64 deb=arm64 qemu=qemu-system-aarch64,-M,virt,-cpu,cortex-a57 qemu_version=7.2.22 debian_modules=4486" > "$dir/machine.txt"
		echo "[    1.2] # bench: cpu machine=aarch64 clocksource=arch_sys_counter asimd=1 sha2=1 sha512=0" >> "$dir/kunit.log"
	else
		echo "bench: machine arch=x86_64 deb=amd64 qemu=qemu-system-x86_64,-cpu,max qemu_version=7.2.22 debian_modules=4225" > "$dir/machine.txt"
		echo "[    1.2] # bench: cpu machine=x86_64 clocksource=tsc sha_ni=0 avx2=1 avx512f=0" >> "$dir/kunit.log"
	fi
	for f in '16K 16384' '64K 65536' '256K 262144' '1M 1048576' '4M 4194304'; do
		read -r label bytes <<< "$f"
		echo "$label $bytes usr/lib/modules/x/kernel/m$label.ko" >> "$dir/inputs/manifest"
		hash=$((h * bytes / 16384))
		echo "[    5.0] # module_auth_bench: bench: auth size=$label bytes=$bytes method=hash listed=0 rounds=21 median_ns=$hash q1_ns=1 q3_ns=2" >> "$dir/kunit.log"
		for k in rsa-4096 ecdsa-p384 ml-dsa-65; do
			echo "[    5.0] # module_auth_bench: bench: auth size=$label bytes=$bytes method=$k listed=0 rounds=21 median_ns=$((hash + 1000000)) q1_ns=1 q3_ns=2" >> "$dir/kunit.log"
		done
	done
	cat >> "$dir/kunit.log" <<-'EOT'
	[    1.0] module: bench: reference sha256_16k_ns=200000
	[    1.1] module: bench: lookup entries=1000 hit_ns=480.5 miss_ns=570.0 validate_ns=19000
	EOT
	cat > "$dir/memory.txt" <<-'EOT'
	bench: memory role=hashes-only config=a text=2900000 data=1600000 bss=300000 table=120 modules=3 slots=0
	bench: memory role=sig-only config=b text=3029771 data=1649432 bss=327680 table=0 modules=3 slots=0
	bench: memory role=both config=c text=3031811 data=1653656 bss=327680 table=120 modules=3 slots=0
	EOT
	cat > "$dir/host.txt" <<-'EOT'
	bench: host machine=x86_64 sha_ni=1
	bench: host sha256_Bps=1782713495.08
	bench: host sha512_Bps=860313600.00
	bench: host ecdsa-p384_verify_per_s=1834.8
	bench: host rsa-4096_verify_per_s=16460.5
	bench: host ml-dsa-65_verify_per_s=5888.6
	EOT
	echo '# selftests: bench: 10-boot-cost: bench: boot initcall=module_hashes_sysfs_init usecs=12' > "$dir/boot.log"
	echo '# bench: boot initcall=load_system_certificate_list usecs=900' >> "$dir/boot.log"
	echo '# bench: boot init_at=2.500 validated_at=3.100 entries=3' >> "$dir/boot.log"
}

make_run fast 50000
expect_ok "a complete run gives a report" report fast
out=$(report fast 2>&1)
grep -q '16K .* 50.0 .*21.0x' <<< "$out" && tap_ok "16K: hash and the ratio of each signature" ||
	tap_not_ok "16K: hash and the ratio of each signature ($(grep ' 16K ' <<< "$out"))"
grep -q 'up to 64 KB: NOT MET (16K: 21.0x, 64K: 6.0x)' <<< "$out" &&
	tap_ok "64K at 6x does not meet the 10x target; the verdict names each size" ||
	tap_not_ok "64K at 6x does not meet the 10x target ($(grep 'up to 64 KB' <<< "$out"))"
grep -q 'never more expensive .*: MET' <<< "$out" && tap_ok "a signature always dearer meets the second target" ||
	tap_not_ok "a signature always dearer meets the second target"
grep -q "Debian's 4,225 modules: MET" <<< "$out" && tap_ok "the memory target from the measured layout" ||
	tap_not_ok "the memory target from the measured layout ($(grep 'Target: hashes-only' <<< "$out"))"
grep -q 'smaller than a SIG-only one up to 6,468 modules' <<< "$out" && tap_ok "the break-even module count" ||
	tap_not_ok "the break-even module count ($(grep 'up to .* modules\.' <<< "$out"))"

make_run slow 5000000
grep -q 'never more expensive .*: MET (least margin: 1.0x)' <<< "$(report slow 2>&1)" &&
	tap_ok "a slow hash path is still cheaper than a signature 1 ms dearer" ||
	tap_not_ok "a slow hash path is still cheaper than a signature 1 ms dearer"
sed -i '/method=rsa-4096/s/median_ns=[0-9]*/median_ns=1/' slow/kunit.log
grep -q 'never more expensive .*: NOT MET' <<< "$(report slow 2>&1)" &&
	tap_ok "a signature cheaper than the hash path misses the second target" ||
	tap_not_ok "a signature cheaper than the hash path misses the second target"
sed -i 's/method=hash/method=other/' slow/kunit.log
expect_fail "a run without the hash path's figures is an error" "missing or malformed figure: the 16K figures" report slow
# report_has DESC PATTERN...: ok when the report ($out) has a line
# matching each PATTERN (grep), else not ok naming the first one missing.
report_has() {
	local desc=$1 pattern
	shift
	for pattern; do
		grep -q -- "$pattern" <<< "$out" || { tap_not_ok "$desc (no '$pattern')"; return; }
	done
	tap_ok "$desc"
}
report_has "the report names the x86_64 machine, its features and timer" 'x86_64)$' \
	'Guest: QEMU 7.2.22 TCG, qemu-system-x86_64 -cpu max (sha_ni=0, avx2=1, avx512f=0)' \
	'clocksource tsc' 'module (Debian amd64)' 'SHA-NI:'
report_has "the digests' speeds from the two largest sizes, the verification cancelling out" \
	'Digest speeds in this guest (1M to 4M): SHA-256 328 MB/s (the hash path), SHA-512 328 MB/s'
report_has "x86_64: the memory figures at Debian's amd64 counts" \
	'cloud-amd64 (1,019 modules)' 'Debian amd64 (4,225 modules)'

make_run arm 50000 arm64
out=$(report arm 2>&1)
report_has "the report names the arm64 machine, its features and timer, and the host's" 'arm64)$' \
	'qemu-system-aarch64 -M virt -cpu cortex-a57 (asimd=1, sha2=1, sha512=0)' \
	'clocksource arch_sys_counter' 'module (Debian arm64)' 'x86_64 CPU' 'not arm64 hardware'
report_has "arm64: the memory target at Debian's arm64 module count" \
	'Debian arm64 (4,486 modules)' "Debian's 4,486 modules: MET"
grep -q cloud-amd64 <<< "$out" && tap_not_ok "arm64: no amd64 module count" || tap_ok "arm64: no amd64 module count"
report_has "arm64: what would change on hardware follows the CPU's reported features" \
	'SHA-256 instructions (sha2=1)' 'no SHA-512 instructions'
make_run nomachine 50000
rm nomachine/machine.txt
expect_fail "a run without machine.txt is an error" "missing or malformed figure:.*machine.txt" report nomachine

make_run nohost 50000
rm nohost/host.txt
expect_fail "a run without host.txt is an error" "missing or malformed figure:.*host.txt" report nohost
make_run noboot 50000
sed -i '/validated_at/d' noboot/boot.log
expect_fail "a run without the boot figures is an error" "missing or malformed figure: init_at in boot.log" report noboot
make_run noinitcall 50000
sed -i "/module_hashes_sysfs_init/d" noinitcall/boot.log
expect_fail "a run without the initcall's time is an error" "module_hashes_sysfs_init in boot.log" report noinitcall
tap_end
