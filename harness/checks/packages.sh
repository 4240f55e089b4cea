# SPDX-License-Identifier: GPL-2.0
# The kernel's packaging targets (bindeb-pkg, binrpm-pkg, pacman-pkg): the
# packaged modules against the packaged kernel image.
# Sourced by checks.sh, not run.

# The packaging targets build again with a build version of their own:
# vmlinux and the modules' BTF anew (with pahole before 1.27 maybe in
# another order), so NAME/modinst is no longer this build's afterwards.
check_packages() {
	local format=$1 out=$obj/packages/$1 up=${obj%/*} run=() target krel image_pkg debug_pkg='' no_debug='' image moddir modules external first f
	hashes_build
	rm -rf "$out"
	mkdir -p "$out"
	krel=$(kmake "$src" "$obj" kernelrelease)
	info "$name: make $format packages of $krel"
	# The targets write next to the build directory (deb) or into it.
	# makepkg refuses to run as root, and with Debian's pacman, which knows
	# no packages, cannot check dependencies.
	case $format in
	deb) target=(bindeb-pkg); rm -f "$up"/linux-*.deb "$up"/linux-upstream_* ;;
	rpm) target=(binrpm-pkg); rm -rf "$obj/rpmbuild" ;;
	pacman) target=(MAKEPKGOPTS=--nodeps pacman-pkg) run=(as_unprivileged); rm -f "$obj"/*.pkg.tar* ;;
	*) die "unknown package format $format: deb, rpm or pacman" ;;
	esac
	"${run[@]}" bash -c '. "$0"; kmake "$@"' "$here/lib.sh" "$src" "$obj" -j"$jobs" "${target[@]}" \
		> "$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; die "make ${target[*]} failed (log: $out/build.log)"; }
	case $format in
	deb)
		mv "$up"/linux-*.deb "$out"/
		rm -f "$up"/linux-upstream_*
		extract() { dpkg-deb -x "$1" "$2"; }
		image_pkg=$(ls "$out"/linux-image-"$krel"_*.deb)
		debug_pkg=$(ls "$out"/linux-image-"$krel"-dbg_*.deb 2>/dev/null || true)
		;;
	rpm)	# kernel-debuginfo only where scripts/package/mkspec makes one
		find "$obj/rpmbuild/RPMS" -name '*.rpm' -exec mv {} "$out"/ \;
		extract() { mkdir -p "$2" && (cd "$2" && rpm2cpio "$1" | cpio -idm --quiet); }
		image_pkg=$(ls "$out"/kernel-[0-9]*.rpm)
		debug_pkg=$(ls "$out"/kernel-debuginfo-[0-9]*.rpm 2>/dev/null || true)
		;;
	pacman)
		mv "$obj"/*.pkg.tar* "$out"/
		extract() { mkdir -p "$2" && tar -xf "$1" -C "$2"; }
		image_pkg=$(ls "$out"/linux-upstream-[0-9]*.pkg.tar*)
		no_debug="the PKGBUILD's debug package has vmlinux only"
		;;
	esac
	info "packages: $(ls -I '*.log' "$out" | tr '\n' ' ')"

	extract "$image_pkg" "$tmp/image"
	# makepkg may compute another release (its user cannot run git in the
	# tree: no '+'); take the package's.
	krel=$(find "$tmp/image" -maxdepth 4 -type d -path '*/lib/modules/*' ! -path '*/lib/modules/*/*' | head -n 1)
	krel=${krel##*/}
	image=$(find "$tmp/image" -type f \( -name "vmlinuz-$krel" -o -path "*/$krel/vmlinuz" \) | head -n 1)
	moddir=$(find "$tmp/image" -type d -path "*/modules/$krel" | head -n 1)
	[ -n "$image" ] || die "$(basename "$image_pkg") has no kernel image"
	[ -d "$moddir/kernel" ] || die "$(basename "$image_pkg") has no modules"
	modules=$(find "$moddir" -type f -name '*.ko*' | wc -l)
	[ "$modules" = "$(module_count)" ] ||
		die "$(basename "$image_pkg") has $modules modules, the table of the build $(module_count)"
	mapfile -t external < <(find "$moddir/updates" -type f -name '*.ko*' 2>/dev/null)
	verify_all "$image" "$moddir" "$modules" "$(basename "$image_pkg")"
	info "$(basename "$image_pkg"): all $modules modules (${#external[@]} external, in updates/) are accepted by its $(basename "$image")"
	# The target linked vmlinux again, with its own version, and pahole
	# -j may order its BTF otherwise; the external modules (build.sh) were
	# not built again: their BTF must carry its distilled base, which the
	# kernel relocates against its own BTF when it loads them.
	if option DEBUG_INFO_BTF_MODULES && [ ${#external[@]} -gt 0 ]; then
		for f in "${external[@]}"; do
			decompress "$f" > "$tmp/external.ko"
			has_section "$tmp/external.ko" .BTF.base ||
				die "${f#"$moddir"/}: no distilled base BTF (.BTF.base): it cannot load against this package's vmlinux"
		done
		info "its external modules carry their distilled base BTF (.BTF.base), relocated at load"
	fi

	# The first module of modules.order stands for all below.
	first=$(basename "$(head -n 1 "$obj/modules.order")" .o)
	if [ -n "$debug_pkg" ]; then
		extract "$debug_pkg" "$tmp/debug"
		f=$(find "$tmp/debug" -path "*/$krel/*" -name "$first.ko*" -type f | head -n 1)
		[ -n "$f" ] || die "$(basename "$debug_pkg") has no $first.ko"
		has_debug_info "$f" || die "$(basename "$debug_pkg"): $f has no debug information"
		info "$(basename "$debug_pkg") carries the modules' debug information"
	else
		info "no debug package of the modules: ${no_debug:-scripts/package makes none for this configuration}"
	fi

	# The check must be able to fail: one module of the package tampered with.
	f=$(find "$moddir/kernel" -type f -name "$first.ko*" | head -n 1)
	decompress "$f" > "$tmp/victim.ko"
	flip_byte "$tmp/victim.ko" "$(comment_middle "$tmp/victim.ko")"
	compress_as "${f##*.ko}" "$tmp/victim.ko"
	rm -f "$f"
	mv "$tmp/victim.ko${f##*.ko}" "$f"
	! verify "$image" "$moddir" || die "module-hashes verify accepted a tampered module of the package"
	grep -q "^REJECTED .*/$first.ko" "$tmp/verify" ||
		{ cat "$tmp/verify"; die "module-hashes verify failed, but not on the tampered module"; }
	info "the check fails on a tampered module: $(grep '^REJECTED' "$tmp/verify")"
}
