# SPDX-License-Identifier: GPL-2.0
# The one QEMU launcher of the harness's guests (boot.sh, debian/boot.sh,
# debian/figures.sh).  Sourced by lib.sh, not run.

# qemu_accel CPUS: QEMU's accelerator options for a guest of CPUS vCPUs.
# TCG, not KVM: KVM guests hang on the machines this was written on.  One
# vCPU runs on multi-threaded TCG; more run on one host thread
# (thread=single), which interleaves them and so keeps SMP's semantics for
# the kernel, because with multi-threaded TCG a vCPU now and then executed
# a stale translation of kernel text that text_poke_bp() was patching on
# another, and the guest died of "Oops: int3" before userspace.
qemu_accel() {
	if [ "$1" -gt 1 ]; then
		echo "-accel tcg,thread=single"
	else
		echo "-accel tcg"
	fi
}

# qemu_command ARRAY CPUS MEM: set the array named ARRAY to QEMU for a
# guest of the harness's architecture (arch_qemu) with CPUS vCPUs and MEM
# of memory, no display, no monitor, and no reboot: a guest that reboots
# or panics (panic=-1) ends QEMU.  The caller adds the kernel or firmware,
# disks, serial ports and the command line.
qemu_command() {
	local -n cmd=$1
	cmd=("${arch_qemu[@]}" $(qemu_accel "$2") -m "$3" -smp "$2"
	     -display none -monitor none -no-reboot)
}

# qemu_run SECONDS COMMAND...: run QEMU's COMMAND, its input closed, for at
# most SECONDS (then killed); status 124 or 137 when it timed out.
qemu_run() {
	timeout -k 10 "$1" "${@:2}" < /dev/null
}
