# SPDX-License-Identifier: GPL-2.0
# External modules in the table (MODULE_HASHES_EXTRA), and vmlinux linked
# again without building them again.
# Sourced by checks.sh, not run.

# The external modules of the table (build.sh: make MODULE_HASHES_EXTRA=,
# as kmake passes it).
check_extra() {
	local list first slots image unstripped before range f
	hashes_build
	list=$(extra_modules "$obj") first=${list%% *}
	[ -n "$list" ] || die "$name has no external modules in its table (CONFIG_MODULE_HASHES_EXTRA_SLOTS)"
	# Whatever happens below, the build is left with its own list.
	trap 'kmake "$src" "$obj" -j"$jobs" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
	slots=$(sed -n 's/^CONFIG_MODULE_HASHES_EXTRA_SLOTS=//p' "$obj/.config")
	image=$obj/$arch_image
	stamps() { stat -c %.9Y "$obj/vmlinux" "$image" "$obj/vmlinux.unstripped"; }
	# Up to date first (an earlier run of this check may have stopped
	# with another list), then again.
	kmake "$src" "$obj" -j"$jobs" > /dev/null
	cp "$obj/vmlinux" "$tmp/vmlinux"
	unstripped=$(sha256sum < "$obj/vmlinux.unstripped")
	before=$(stamps)

	kmake "$src" "$obj" -j"$jobs" > /dev/null
	[ "$(stamps)" = "$before" ] || die "make with the same MODULE_HASHES_EXTRA wrote vmlinux or bzImage again"
	info "make with the same external modules: vmlinux, vmlinux.unstripped and bzImage untouched"

	# Another list: the table is in-tree + that list, and only the table
	# changed (not vmlinux.unstripped, whose BTF the modules were built on).
	install_with "$tmp/one" || { cat "$tmp/one.log"; die "modules_install failed"; }
	kmake "$src" "$obj" -j"$jobs" MODULE_HASHES_EXTRA="$first" > /dev/null
	[ "$(module_count)" = $(($(wc -l < "$obj/modules.order") + $(wc -l < "$first/modules.order"))) ] ||
		die "MODULE_HASHES_EXTRA=$first: the table has $(module_count) modules"
	(check_manifest "$first") > /dev/null
	[ "$(sha256sum < "$obj/vmlinux.unstripped")" = "$unstripped" ] || die "MODULE_HASHES_EXTRA changed vmlinux.unstripped"
	[ "$(stat -c %.9Y "$image")" \> "$(stat -c %.9Y "$tmp/vmlinux")" ] || die "MODULE_HASHES_EXTRA did not rebuild bzImage"
	range=$(elf_section "$obj/vmlinux" .module_hashes) || die "vmlinux has no .module_hashes section"
	range="${range% *} $((${range% *} + ${range#* }))"
	# (cmp fails when the files differ, as they must.)
	{ cmp -l "$tmp/vmlinux" "$obj/vmlinux" || true; } | awk -v lo="${range% *}" -v hi="${range#* }" '
		{ n++ } $1 - 1 < lo || $1 - 1 >= hi { out++ }
		END { if (!n || out) { printf "%d bytes differ, %d outside the table\n", n, out; exit 1 } }' ||
		die "MODULE_HASHES_EXTRA=$first did not change vmlinux in its .module_hashes only"
	# Over the install of the whole list: the others must go.
	install_with "$tmp/one" || { cat "$tmp/one.log"; die "modules_install failed"; }
	[ "$(find "$tmp"/one/lib/modules/*/updates -name '*.ko*' -printf '%f\n' | sed 's/\.ko.*//' | LC_ALL=C sort)" = \
	  "$(module_names "$first/modules.order")" ] ||
		die "modules_install over an earlier one did not leave exactly the external modules of $first"
	info "MODULE_HASHES_EXTRA=$first: the table holds in-tree + its modules, vmlinux changed in .module_hashes only, bzImage rebuilt; modules_install over the earlier one leaves exactly its modules"

	# Bad lists: a clear error, and vmlinux left as it is.
	mkdir -p "$tmp/many" "$tmp/same-name" "$tmp/not-elf"
	for f in $(seq 0 "$slots"); do
		cp "$obj/modules-extra/hello_oot.ko" "$tmp/many/m$f.ko"
		echo "m$f.o" >> "$tmp/many/modules.order"
	done
	cp "$obj/modules-extra/hello_oot.ko" "$tmp/same-name/"
	echo 'obj-m := not_elf.o' > "$tmp/not-elf/not_elf.ko"
	before=$(stamps)
	bad_list() { # bad_list LIST MESSAGE
		! kmake "$src" "$obj" -j"$jobs" MODULE_HASHES_EXTRA="$1" > "$tmp/bad.log" 2>&1 ||
			die "MODULE_HASHES_EXTRA=$1 did not fail"
		grep -qF "$2" "$tmp/bad.log" || { cat "$tmp/bad.log"; die "MODULE_HASHES_EXTRA=$1 did not say: $2"; }
		info "MODULE_HASHES_EXTRA=${1//$tmp\//}: $(grep -m1 -F "$2" "$tmp/bad.log")"
	}
	bad_list "$tmp/none" "MODULE_HASHES_EXTRA: \"$tmp/none\" does not exist"
	bad_list "$obj/.config" "is neither a module (.ko) nor a directory with a modules.order"
	bad_list "$tmp/many" "$((slots + 1)) external modules, but CONFIG_MODULE_HASHES_EXTRA_SLOTS=$slots makes room for fewer"
	bad_list "$first $tmp/same-name/hello_oot.ko" "two external modules have the same name"
	[ "$(stamps)" = "$before" ] || die "a bad MODULE_HASHES_EXTRA wrote vmlinux"
	bad_list "$tmp/not-elf/not_elf.ko" "not_elf.ko: not an ELF file"

	# No list: in-tree modules only.
	kmake "$src" "$obj" -j"$jobs" MODULE_HASHES_EXTRA= > /dev/null
	[ "$(module_count)" = "$(wc -l < "$obj/modules.order")" ] && ! [ -e "$obj/modules-extra" ] ||
		die "MODULE_HASHES_EXTRA= (none) left external modules in the table"
	(check_manifest "") > /dev/null
	info "MODULE_HASHES_EXTRA= (none): the table holds the in-tree modules only"

	kmake "$src" "$obj" -j"$jobs" > /dev/null
	cmp -s "$tmp/vmlinux" "$obj/vmlinux" || die "make with the list of build.sh again did not give the same vmlinux"
	info "make with the list of build.sh again: the same vmlinux as before, bit for bit"
}

# relink NAME: build.sh again after the packaging targets (make check's
# last row of a distribution build): vmlinux is linked again, and pahole
# -j orders its BTF otherwise, while the external modules of the table are
# not built again; they must still load by hash, their BTF relocated from
# its distilled base.
check_relink() {
	local btf ko unstripped
	hashes_build
	[ -n "$(extra_modules "$obj")" ] || die "$name has no external modules in its table"
	ko=$(stat -c '%n %.9Y' "$obj"/extra/*/*.ko) unstripped=$(sha256sum < "$obj/vmlinux.unstripped")
	dump_section "$obj/vmlinux" .BTF "$tmp/btf"
	"$here/build.sh" "$name" > /dev/null
	[ "$(stat -c '%n %.9Y' "$obj"/extra/*/*.ko)" = "$ko" ] || die "build.sh built the external modules again"
	[ "$(sha256sum < "$obj/vmlinux.unstripped")" != "$unstripped" ] || die "build.sh did not link vmlinux again"
	dump_section "$obj/vmlinux" .BTF "$tmp/btf-now"
	cmp -s "$tmp/btf" "$tmp/btf-now" && btf="the same BTF" || btf="BTF in another order"
	info "$name: vmlinux linked again ($btf), the external modules as they were"
	APPEND='' "$here/boot.sh" "$name"
}
