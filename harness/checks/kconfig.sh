# SPDX-License-Identifier: GPL-2.0
# make check's Kconfig row: enforcement survives a build host without Rust,
# and MODULE_HASHES is offered only on tested architectures.
# Sourced by checks.sh, not run.

check_kconfig() {
	local o=$tmp/obj
	"$here/build.sh" --configure-only --obj "$o" hashes-only+force
	# Without the lockdown LSM, which brings MODULE_SIG by itself.
	"$src/scripts/config" --file "$o/.config" -d SECURITY_LOCKDOWN_LSM -d SECURITY_LOCKDOWN_LSM_EARLY
	# olddefconfig_gives WHEN MAKE-ARG OPTION=VALUE...: after make MAKE-ARG
	# olddefconfig, each OPTION has VALUE ('' for not set).
	olddefconfig_gives() {
		local when=$1 arg=$2 want value got
		shift 2
		kmake "$src" "$o" ${arg:+"$arg"} olddefconfig > /dev/null
		for want; do
			value=${want#*=}
			got=$(sed -n "s/^CONFIG_${want%%=*}=//p" "$o/.config")
			[ "$got" = "$value" ] ||
				die "$when: CONFIG_${want%%=*} is '${got:-not set}', expected '${value:-not set}'"
		done
	}
	olddefconfig_gives "with rustc" "" RUST=y MODULE_HASHES=y MODULE_AUTH=y MODULE_SIG_FORCE=y \
		MODULE_SIG= SECURITY_LOCKDOWN_LSM=
	info "with rustc: MODULE_HASHES and MODULE_SIG_FORCE, no MODULE_SIG, no lockdown LSM"
	olddefconfig_gives "without rustc" RUSTC=/nonexistent/rustc RUST= MODULE_HASHES= \
		MODULE_SIG=y MODULE_AUTH=y MODULE_SIG_FORCE=y
	info "without rustc: MODULE_SIG takes over, MODULE_SIG_FORCE stays: modules are still authenticated"
	# An architecture with Rust that MODULE_HASHES is not tested on (harness/README.md,
	# "Architectures"): Kconfig does not offer it there.
	local l=$tmp/loongarch
	mkdir -p "$l"
	make -s -C "$src" O="$l" ARCH=loongarch LLVM=-19 tinyconfig > /dev/null
	"$src/scripts/config" --file "$l/.config" -e MODULES -e RUST -e MODULE_HASHES
	make -s -C "$src" O="$l" ARCH=loongarch LLVM=-19 olddefconfig > /dev/null
	grep -qx CONFIG_RUST=y "$l/.config" || die "loongarch without RUST: this check would prove nothing"
	! grep -q '^CONFIG_MODULE_HASHES=' "$l/.config" || die "loongarch, not tested here, is offered MODULE_HASHES"
	info "loongarch (Rust, not tested here): RUST, and no MODULE_HASHES"
}
