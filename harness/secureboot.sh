# SPDX-License-Identifier: GPL-2.0
# UEFI Secure Boot for the test guests (x86_64), sourced by boot.sh and
# debian/boot.sh: OVMF's Secure Boot firmware (Debian's ovmf:
# OVMF_CODE_4M.secboot.fd, which needs q35 with SMM) with our own PK, KEK
# and db enrolled in a copy of its empty variable store (virt-fw-vars of
# virt-firmware, PyPI), and the kernel as a unified kernel image (systemd's
# EFI stub with the kernel, its initramfs and command line) signed with
# the db key (sbsign), as \EFI\BOOT\BOOTX64.EFI of an EFI system
# partition.  Not the firmware's -kernel path: OVMF 2022.11 starts even an
# unsigned image given that way, its direct-boot loader falling back to an
# unverified path.

SB_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
SB_VARS_TEMPLATE=/usr/share/OVMF/OVMF_VARS_4M.fd
SB_STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
# The owner of our keys in the variable store.
SB_OWNER=6d6f6475-6c65-2d68-6173-686573000001
SB_VIRT_FIRMWARE=26.10

# sb_tools: die unless the programs are there (make setup).
sb_tools() {
	local f
	for f in "$SB_CODE" "$SB_VARS_TEMPLATE" "$SB_STUB" /usr/bin/sbsign /usr/bin/sbverify \
		 /usr/bin/mcopy /sbin/mkfs.fat /usr/bin/objcopy; do
		[ -e "$f" ] || die "$f is missing (ovmf, systemd-boot-efi, sbsigntool, mtools, dosfstools, binutils): run 'make setup'"
	done
}

# sb_virt_fw_vars: virt-fw-vars of virt-firmware $SB_VIRT_FIRMWARE; its path.
sb_virt_fw_vars() { pypi_program virt-firmware "$SB_VIRT_FIRMWARE" virt-fw-vars; }

# sb_keys: the PK, KEK and db keys and certificates (TEST ONLY), made once
# in $BUILD/tools/secureboot; that directory.
sb_keys() {
	local dir=$BUILD/tools/secureboot k
	if ! [ -f "$dir/.done" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		for k in PK KEK db; do
			openssl req -new -x509 -newkey rsa:2048 -sha256 -nodes -days 36500 -batch \
				-subj "/CN=module-hashes test Secure Boot $k/" \
				-keyout "$dir/$k.key" -out "$dir/$k.crt" 2>/dev/null ||
				die "openssl cannot make the Secure Boot $k key"
		done
		touch "$dir/.done"
	fi
	echo "$dir"
}

# sb_vars OUT: a variable store with our PK, KEK and db, Secure Boot on.
sb_vars() {
	local keys tool
	keys=$(sb_keys) tool=$(sb_virt_fw_vars)
	"$tool" --input "$SB_VARS_TEMPLATE" --output "$1" \
		--set-pk "$SB_OWNER" "$keys/PK.crt" --add-kek "$SB_OWNER" "$keys/KEK.crt" \
		--add-db "$SB_OWNER" "$keys/db.crt" --secure-boot > "$1.log" 2>&1 ||
		{ cat "$1.log" >&2; die "virt-fw-vars cannot enroll the keys"; }
}

# sb_uki KERNEL INITRD CMDLINE OUT: a unified kernel image of systemd's
# stub, the kernel, the initramfs and the command line, each section at
# the next aligned address after the one before (the stub's layout rule).
sb_uki() {
	local align end=0 next args=() section file idx size vma
	align=$((16#$(objdump -p "$SB_STUB" | awk '$1 == "SectionAlignment" { print $2 }')))
	while read -r idx _ size vma _; do
		[[ $idx =~ ^[0-9]+$ ]] || continue
		[ $((16#$vma + 16#$size)) -le $end ] || end=$((16#$vma + 16#$size))
	done < <(objdump -h "$SB_STUB")
	[ "$end" -gt 0 ] || die "cannot read the sections of $SB_STUB"
	printf '%s' "$3" > "$4.cmdline"
	printf 'ID=module-hashes\nNAME="module-hashes test"\n' > "$4.osrel"
	next=$end
	for section in .osrel:"$4.osrel" .cmdline:"$4.cmdline" .initrd:"$2" .linux:"$1"; do
		file=${section#*:} section=${section%%:*}
		next=$(((next + align - 1) / align * align))
		args+=(--add-section "$section=$file" --change-section-vma "$section=$(printf 0x%x "$next")")
		next=$((next + $(stat -Lc %s "$file")))
	done
	objcopy "${args[@]}" "$SB_STUB" "$4" || die "objcopy cannot make the unified kernel image $4"
	rm -f "$4.cmdline" "$4.osrel"
}

# sb_sign IN OUT: IN signed with the db key.
sb_sign() {
	local keys
	keys=$(sb_keys)
	sbsign --key "$keys/db.key" --cert "$keys/db.crt" --output "$2" "$1" 2> "$2.log" ||
		{ cat "$2.log" >&2; die "sbsign cannot sign $1"; }
	rm -f "$2.log"
}

# sb_esp EFI OUT: an EFI system partition (FAT) with EFI as the removable
# media boot loader, \EFI\BOOT\BOOTX64.EFI.
sb_esp() {
	local kib=$(( ($(stat -Lc %s "$1") / 1024 + 4096) / 1024 * 1024 + 1024 ))
	rm -f "$2"
	mkfs.fat -C -n ESP "$2" "$kib" > /dev/null || die "mkfs.fat cannot make $2"
	mmd -i "$2" ::/EFI ::/EFI/BOOT && mcopy -i "$2" "$1" ::/EFI/BOOT/BOOTX64.EFI ||
		die "mtools cannot write $1 into $2"
}

# sb_qemu_args ESP VARS: QEMU's options for the Secure Boot firmware, the
# variable store VARS and the disk ESP.  The ESP is a SATA disk on q35's
# AHCI controller, not virtio: a virtio ESP took a PCI slot before the
# guest's own virtio disk, and the Debian system's root, /dev/vda, became
# /dev/vdb.
sb_qemu_args() {
	echo -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on \
		-drive if=pflash,format=raw,unit=0,file="$SB_CODE",readonly=on \
		-drive if=pflash,format=raw,unit=1,file="$2" \
		-drive if=none,id=esp,format=raw,file="$1" -device ide-hd,drive=esp,bus=ide.0
}
