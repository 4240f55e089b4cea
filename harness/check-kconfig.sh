#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A configuration that asks for enforced module authentication keeps it
# when MODULE_HASHES drops out: MODULE_HASHES needs Rust, and Rust is not
# available on every build host.  Tried as a user would: the hashes-only
# configuration with MODULE_SIG_FORCE and without the lockdown LSM (which
# brings MODULE_SIG by itself), then make olddefconfig with a rustc that
# does not exist.  MODULE_SIG must take over, with MODULE_SIG_FORCE still
# set; with rustc, the same .config keeps MODULE_HASHES without MODULE_SIG.
# Kconfig only: seconds, no build.
#
# Usage: check-kconfig.sh

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
use_build_dir
src=$BUILD/src
"$here/tree.sh" sync
obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT

"$here/configure-kernel.sh" hashes-only+force "$src" "$obj"
"$src/scripts/config" --file "$obj/.config" -d SECURITY_LOCKDOWN_LSM -d SECURITY_LOCKDOWN_LSM_EARLY

value() { sed -n "s/^CONFIG_$1=//p" "$obj/.config"; }
expect() { # expect WHEN OPTION VALUE ('' for not set)
	local got
	got=$(value "$2")
	[ "$got" = "$3" ] || die "$1: CONFIG_$2 is '${got:-not set}', expected '${3:-not set}'"
}

kmake "$src" "$obj" olddefconfig > /dev/null
for option in RUST MODULE_HASHES MODULE_AUTH MODULE_SIG_FORCE; do
	expect "with rustc" "$option" y
done
expect "with rustc" MODULE_SIG ''
expect "with rustc" SECURITY_LOCKDOWN_LSM ''
info "with rustc: MODULE_HASHES and MODULE_SIG_FORCE, no MODULE_SIG, no lockdown LSM"

kmake "$src" "$obj" RUSTC=/nonexistent/rustc olddefconfig > /dev/null
expect "without rustc" RUST ''
expect "without rustc" MODULE_HASHES ''
for option in MODULE_SIG MODULE_AUTH MODULE_SIG_FORCE; do
	expect "without rustc" "$option" y
done
info "without rustc: MODULE_SIG takes over, MODULE_SIG_FORCE stays: modules are still authenticated"
