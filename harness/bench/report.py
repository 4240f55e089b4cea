#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report, from the figures of one run of harness/bench/bench.sh.

Usage: report.py RUN

RUN holds machine.txt (the guest's architecture and QEMU, the module count
of Debian's kernel for it), kunit.log (the serial log of the benchmark
boot), boot.log (that of the boot-cost boot), memory.txt, host.txt and
inputs/manifest.  Every
figure is a line "bench: KIND key=value ..." in them.  Prints the report;
exits 1 if a figure the report needs is missing (a run that went wrong),
not when a target is missed: that is a result, and the report says so.
"""
import os
import re
import sys
import textwrap

LINE = re.compile(r'bench: (\w+) (.*)$')
KEYS = ['rsa-4096', 'ecdsa-p384', 'ml-dsa-65']
KEY_NAMES = {'rsa-4096': 'RSA-4096', 'ecdsa-p384': 'ECDSA P-384',
             'ml-dsa-65': 'ML-DSA-65'}
HEADER = 24          # struct module_hashes_header
ENTRY = 32           # one SHA-256 digest
# Debian's cloud-amd64 configuration (make check-debian builds it).
CLOUD_AMD64 = ('Debian cloud-amd64', 1019)


class MissingFigure(Exception):
    pass


def records(path, kind):
    """The key=value dicts of the lines "bench: KIND ..." of PATH."""
    found = []
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line.rstrip())
            if m and m[1] == kind:
                found.append(dict(kv.split('=', 1) for kv in m[2].split()
                                  if '=' in kv))
    return found


def need(items, what):
    if not items:
        raise MissingFigure(what)
    return items


def us(ns):
    return f'{ns / 1000:,.1f}'


def kb(n):
    return f'{n / 1024:,.1f} KiB'


def auth_section(run, machine, out):
    manifest = {}
    with open(os.path.join(run, 'inputs', 'manifest')) as f:
        for line in f:
            label, size, path = line.split()
            manifest[label] = (int(size), os.path.basename(path)[:-3])
    rows = need(records(os.path.join(run, 'kunit.log'), 'auth'),
                'module_auth_bench figures in kunit.log')
    by = {}
    for r in rows:
        by.setdefault(r['size'], {})[r['method']] = r
    out.append('1. The authentication step, timed in the kernel (KUnit '
               'module_auth_bench)')
    out.append('   Median of the rounds (interleaved: hash, then each '
               'signature, per round),')
    out.append('   in microseconds of the guest under TCG; "x" columns: '
               'that signature\'s time')
    out.append('   over the hash path\'s, measured side by side.')
    out.append('')
    head = f'   {"size":<5} {"module (Debian " + machine["deb"] + ")":<22} {"bytes":>9} ' \
           f'{"rounds":>6} {"hash":>9}'
    for k in KEYS:
        head += f' {KEY_NAMES[k]:>12} {"x":>6}'
    out.append(head)
    verdict_small, verdict_all = [], []
    for label in manifest:
        if label not in by or 'hash' not in by[label]:
            raise MissingFigure(f'the {label} figures in kunit.log')
        h = int(by[label]['hash']['median_ns'])
        size, module = manifest[label]
        line = f'   {label:<5} {module:<22} {size:>9,} ' \
               f'{by[label]["hash"]["rounds"]:>6} {us(h):>9}'
        ratios = []
        for k in KEYS:
            if k not in by[label]:
                raise MissingFigure(f'the {label} {k} figure in kunit.log')
            s = int(by[label][k]['median_ns'])
            ratios.append(s / h)
            line += f' {us(s):>12} {s / h:>5.1f}x'
        out.append(line)
        cheapest = min(ratios)
        verdict_all.append((label, cheapest))
        if size <= 64 * 1024 + 1024:
            verdict_small.append((label, cheapest))
    out.append('')
    met = all(r >= 10 for _, r in verdict_small)
    out.append('   Target: the hash path at least 10x cheaper than the '
               'cheapest signature up to 64 KB: '
               + ('MET' if met else 'NOT MET') + ' ('
               + ', '.join(f'{label}: {r:.1f}x' for label, r in verdict_small)
               + ')')
    met = all(r >= 1 for _, r in verdict_all)
    out.append('   Target: the hash path never more expensive than a '
               'signature, at any size: ' + ('MET' if met else 'NOT MET')
               + f' (least margin: {min(r for _, r in verdict_all):.1f}x)')
    out.append('   The hash path here is a miss (Debian\'s modules are not '
               'in this kernel\'s table);')
    out.append('   a hit costs the same SHA-256 and a lookup within a few '
               'hundred ns of it (part 2).')
    # The two largest sizes: what the extra bytes cost, the verification
    # of a signature (the same for both) cancelling out.
    (small, big) = sorted(manifest, key=lambda label: manifest[label][0])[-2:]
    extra = manifest[big][0] - manifest[small][0]

    def speed(method):
        ns = int(by[big][method]['median_ns']) - int(by[small][method]['median_ns'])
        return extra / ns * 1000 if ns > 0 else float('nan')
    out.append(f'   Digest speeds in this guest ({small} to {big}): SHA-256 '
               f'{speed("hash"):,.0f} MB/s (the hash path), SHA-512 '
               f'{speed("rsa-4096"):,.0f} MB/s (RSA-4096\'s).')
    return manifest


def host_section(run, machine, manifest, out):
    host = {}
    for r in need(records(os.path.join(run, 'host.txt'), 'host'),
                  'figures in host.txt'):
        host.update(r)
    for key in ['sha256_Bps', 'sha512_Bps'] + [k + '_verify_per_s'
                                               for k in KEYS]:
        if key not in host:
            raise MissingFigure(f'{key} in host.txt')
    sha256, sha512 = float(host['sha256_Bps']), float(host['sha512_Bps'])
    host_machine = host.get('machine', 'unknown')
    out.append('')
    out.append('   The same on real hardware, estimated: userspace OpenSSL '
               f'3.5 on this host\'s {host_machine} CPU')
    if host_machine != GUEST_MACHINE.get(machine['arch'], machine['arch']):
        out.append(f'   (not {machine["arch"]} hardware: the cost of the same '
                   'algorithms on a real CPU)')
    sha_ni = ' with SHA-NI' if host.get('sha_ni') == '1' else ''
    out.append(f'   (SHA-256 {sha256 / 1e6:,.0f} MB/s{sha_ni}, SHA-512 '
               f'{sha512 / 1e6:,.0f} MB/s; verifications/s: '
               + ', '.join(f'{KEY_NAMES[k]} {float(host[k + "_verify_per_s"]):,.0f}'
                           for k in KEYS) + ').')
    out.append('   Signature = SHA-512 of the image + one verification; '
               'not the kernel\'s code, whose')
    out.append('   public-key arithmetic is portable C and slower: the '
               'ratios below are a floor.')
    for label, (size, _) in manifest.items():
        h = size / sha256
        line = f'   {label:<5} hash {h * 1e6:>8.1f} us'
        for k in KEYS:
            s = size / sha512 + 1 / float(host[k + '_verify_per_s'])
            line += f'   {KEY_NAMES[k]} {s / h:>5.1f}x'
        out.append(line)


def lookup_section(run, out):
    log = os.path.join(run, 'kunit.log')
    ref = need(records(log, 'reference'), 'the SHA-256 reference in kunit.log')
    ref_ns = int(ref[0]['sha256_16k_ns'])
    rows = need(records(log, 'lookup'), 'module_hashes_bench figures')
    out.append('')
    out.append('2. The table at scale (KUnit module_hashes_bench), in '
               'nanoseconds under TCG, and as a')
    out.append(f'   share of the SHA-256 of 16 KiB in the same run '
               f'({us(ref_ns)} us), which every load by hash pays:')
    out.append('')
    out.append(f'   {"entries":>8} {"hit ns":>9} {"miss ns":>9} '
               f'{"share":>7} {"validation us":>14} {"share":>7}')
    for r in rows:
        hit, miss = float(r['hit_ns']), float(r['miss_ns'])
        val = int(r['validate_ns'])
        out.append(f'   {int(r["entries"]):>8,} {hit:>9.1f} {miss:>9.1f} '
                   f'{100 * max(hit, miss) / ref_ns:>6.2f}% {us(val):>14} '
                   f'{100 * val / ref_ns:>6.1f}%')
    out.append('   Validation (header, bounds, order of every entry) runs '
               'once, at the first load.')


def memory_section(run, machine, out):
    rows = {r['role']: r for r in need(records(os.path.join(run, 'memory.txt'),
                                               'memory'), 'memory.txt')}
    for role in ('hashes-only', 'sig-only', 'both'):
        if role not in rows:
            raise MissingFigure(f'the {role} line of memory.txt')
    out.append('')
    out.append('3. Memory: size(1) of vmlinux, three kernels of one '
               'configuration that differ only')
    out.append('   in MODULE_HASHES and MODULE_SIG; the .module_hashes '
               'section is resident for the')
    out.append('   kernel\'s lifetime (part of its read-only data):')
    out.append('')
    out.append(f'   {"kernel":<12} {"config":<24} {"text":>10} {"data":>9} '
               f'{"bss":>9} {"total":>10} {"table":>7} {"entries":>8}')
    total = {}
    for role in ('hashes-only', 'sig-only', 'both'):
        r = rows[role]
        t = int(r['text']) + int(r['data']) + int(r['bss'])
        total[role] = t
        entries = int(r['modules']) + int(r['slots'])
        out.append(f'   {role:<12} {r["config"]:<24} {int(r["text"]):>10,} '
                   f'{int(r["data"]):>9,} {int(r["bss"]):>9,} {t:>10,} '
                   f'{int(r["table"]):>7,} {entries:>8}')
    ho = rows['hashes-only']
    entries = int(ho['modules']) + int(ho['slots'])
    if int(ho['table']) != HEADER + ENTRY * entries:
        out.append(f'   (the table is {ho["table"]} bytes, not {HEADER} + '
                   f'{ENTRY} x {entries}: padded)')
    sig_stack = total['both'] - total['hashes-only']
    hashes_code = total['both'] - total['sig-only'] - int(rows['both']['table'])
    out.append('')
    out.append(f'   What MODULE_SIG adds (both - hashes-only): '
               f'{sig_stack:,} bytes ({kb(sig_stack)}).')
    out.append(f'   What MODULE_HASHES adds without its table (both - '
               f'SIG only - table): {hashes_code:,} bytes ({kb(hashes_code)}).')
    fixed = total['hashes-only'] - int(ho['table'])
    out.append('')
    out.append(f'   At a distribution\'s module count (table = {HEADER} + '
               f'{ENTRY} bytes per module, from the layout above):')
    debian = [(f'Debian {machine["deb"]}', int(machine['debian_modules']))]
    if machine['deb'] == 'amd64':
        debian.insert(0, CLOUD_AMD64)
    met = True
    for name, n in debian:
        table = HEADER + ENTRY * n
        hashes_only = fixed + table
        both = total['both'] - int(rows['both']['table']) + table
        met = met and hashes_only < total['sig-only']
        out.append(f'   {name} ({n:,} modules): table {kb(table)}; '
                   f'hashes-only {hashes_only:,}, SIG only '
                   f'{total["sig-only"]:,}, both {both:,} bytes')
    even = (total['sig-only'] - fixed - HEADER) // ENTRY
    out.append(f'   A hashes-only kernel stays smaller than a SIG-only one up '
               f'to {even:,} modules.')
    out.append('   Target: hashes-only smaller than SIG-only up to Debian\'s '
               f'{debian[-1][1]:,} modules: ' + ('MET' if met else 'NOT MET'))


def boot_section(run, out):
    log = os.path.join(run, 'boot.log')
    boot = need(records(log, 'boot'), 'the boot-cost figures in boot.log')
    fig, initcalls = {}, {}
    for r in boot:
        if 'initcall' in r:
            initcalls[r['initcall']] = int(r['usecs'])
        else:
            fig.update(r)
    for key in ('init_at', 'validated_at', 'entries'):
        if not fig.get(key):
            raise MissingFigure(f'{key} in boot.log')
    if 'module_hashes_sysfs_init' not in initcalls:
        raise MissingFigure('the time of module_hashes_sysfs_init in boot.log')
    init_at, validated = float(fig['init_at']), float(fig['validated_at'])
    usecs = initcalls['module_hashes_sysfs_init']
    out.append('')
    out.append('4. Boot (the benchmark\'s kernel again, with kunit.enable=0 '
               'initcall_debug; guest')
    out.append('   test guest/bench/10-boot-cost, which fails otherwise):')
    out.append(f'   - nothing reads the table before the first module '
               f'load: its validation ({fig["entries"]} entries)')
    out.append(f'     was logged at {validated:.3f} s, after /init started at '
               f'{init_at:.3f} s, at that load;')
    out.append(f'   - the feature\'s one initcall, module_hashes_sysfs_init '
               f'(a sysfs file over the')
    out.append(f'     section), took {usecs} us: '
               f'{100 * usecs / (init_at * 1e6):.2g}% of the {init_at:.3f} s '
               'to /init in the same boot;')
    certs = initcalls.get('load_system_certificate_list')
    if certs is not None:
        out.append(f'   - for comparison, MODULE_SIG\'s load_system_certificate_list '
                   f'(the built-in keys) took')
        out.append(f'     {certs} us in the same boot;')
    out.append('   - the table\'s bytes come with the kernel image '
               '(32 per module, part 3): digests do')
    out.append('     not compress, so a compressed image grows by as much; '
               'no code runs over them.')


# uname -m of each harness architecture.
GUEST_MACHINE = {'arm64': 'aarch64'}

# What would change on real hardware, by the guest's architecture, then
# what holds for both.
REAL_HARDWARE = {'x86_64': '''
What would change on real hardware
   - QEMU's TCG does not emulate SHA-NI: the guest's SHA-256 and
     SHA-512 run the kernel's AVX2 code (or generic C), instruction by
     instruction.  With SHA-NI, the kernel's SHA-256 is several times faster
     while SHA-512 (no SHA-NI instruction for it on most x86 CPUs) is not:
     the hash path gains most, so every "x" of part 1 grows, most at the
     large sizes, where the digests dominate.  The OpenSSL estimate shows
     the direction.'''}
# arm64: the guest CPU's SHA instructions, as it reported them (sha2: the
# ARMv8 Crypto Extensions' SHA-256; sha512: ARMv8.2's SHA-512).
ARM64_HARDWARE = ('Under TCG every instruction is emulated: the guest\'s '
                  'SHA-256 runs {sha256}, and its SHA-512 runs {sha512}, at '
                  'the speeds part 1 gives.  On hardware, each runs at the '
                  'speed of the CPU\'s own instructions, and the ratios of '
                  'part 1 follow what that CPU has: the OpenSSL estimate of '
                  'part 1 shows one CPU.')
COMMON_HARDWARE = '''
   - The public-key arithmetic (RSA's multi-precision integers, ECDSA's
     field arithmetic, ML-DSA's NTT) is scalar code, which TCG slows less
     than vector code: its share of a signature's time on real hardware is
     smaller than here.
   - Lookups and validation are memcmp()s over the table: their ratios to
     the SHA-256 reference hold on real hardware to within cache effects
     (65,536 entries are 2 MiB, more than many L2 caches).
   - Memory (part 3) and what runs at boot (part 4) do not depend on the
     machine.'''


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: report.py RUN')
    run = sys.argv[1]
    out = []
    try:
        machine = need(records(os.path.join(run, 'machine.txt'), 'machine'),
                       'machine.txt')[0]
        for key in ('arch', 'deb', 'qemu', 'qemu_version', 'debian_modules'):
            if not machine.get(key):
                raise MissingFigure(f'{key} in machine.txt')
        out += ['make bench: what module authentication costs '
                f'(Linux 7.3 + module-hashes, {machine["arch"]})', '']
        cpu = need(records(os.path.join(run, 'kunit.log'), 'cpu'),
                   'the guest CPU line in kunit.log')[0]
        features = ', '.join(f'{k}={v}' for k, v in cpu.items()
                             if k not in ('machine', 'clocksource'))
        out.append(f'Guest: QEMU {machine["qemu_version"]} TCG, '
                   f'{machine["qemu"].replace(",", " ")} ({features});')
        out.append(f'timed by its clocksource {cpu.get("clocksource")}; '
                   'every guest figure is compared with one of the same run.')
        out.append('')
        manifest = auth_section(run, machine, out)
        host_section(run, machine, manifest, out)
        lookup_section(run, out)
        memory_section(run, machine, out)
        boot_section(run, out)
    except (MissingFigure, OSError, KeyError, ValueError) as e:
        if out:
            print('\n'.join(out))
        sys.exit(f'report.py: missing or malformed figure: {e}')
    if machine['arch'] == 'arm64':
        insns = 'the SHA-256 instructions (sha2=1), each emulated by a C helper'
        text = ARM64_HARDWARE.format(
            sha256=insns if cpu.get('sha2') == '1' else 'NEON or scalar code',
            sha512='its SHA-512 instructions' if cpu.get('sha512') == '1'
            else 'scalar code (the CPU has no SHA-512 instructions)')
        out.append('\nWhat would change on real hardware\n'
                   + textwrap.fill(text, 75, initial_indent='   - ',
                                   subsequent_indent='     ')
                   + COMMON_HARDWARE)
    else:
        out.append(REAL_HARDWARE[machine['arch']] + COMMON_HARDWARE)
    print('\n'.join(out))


main()
