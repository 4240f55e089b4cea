#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pick real modules of make bench's sizes, without their signatures.

Usage: inputs.py MODULES OUT

MODULES is a tree of decompressed .ko files (Debian's, from debian_modules
in lib.sh).  For each size of the benchmark (16K, 64K, 256K, 1M, 4M), the
module whose image without its appended signature is closest to that size
is written to OUT/<size>.ko without the signature, as the kernel hashes and
verifies it; OUT/manifest lists "<size> <bytes> <module path>".  A module
whose signature trailer is malformed is an error.
"""
import os
import struct
import sys

SIZES = [('16K', 16 << 10), ('64K', 64 << 10), ('256K', 256 << 10),
         ('1M', 1 << 20), ('4M', 4 << 20)]
MARKER = b'~Module signature appended~\n'
# struct module_signature: algo, hash, id_type, signer_len, key_id_len,
# pad[3], __be32 sig_len.
SIG_INFO = struct.Struct('>BBBBB3xI')


def unsigned_length(path):
    """The length of the module without an appended signature."""
    size = os.path.getsize(path)
    with open(path, 'rb') as f:
        if size < len(MARKER) + SIG_INFO.size:
            return size
        f.seek(size - len(MARKER) - SIG_INFO.size)
        tail = f.read()
    if not tail.endswith(MARKER):
        return size
    sig_len = SIG_INFO.unpack(tail[:SIG_INFO.size])[5]
    length = size - len(MARKER) - SIG_INFO.size - sig_len
    if length <= 0:
        sys.exit(f'inputs.py: {path}: malformed signature trailer')
    return length


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    modules, out = sys.argv[1:]
    lengths = {}
    for top, _, files in os.walk(modules):
        for name in files:
            if name.endswith('.ko'):
                path = os.path.join(top, name)
                lengths[os.path.relpath(path, modules)] = unsigned_length(path)
    if not lengths:
        sys.exit(f'inputs.py: no .ko files under {modules}')
    os.makedirs(out, exist_ok=True)
    # By name, so that of two as close, the choice is stable.
    paths = sorted(lengths)
    with open(os.path.join(out, 'manifest'), 'w') as manifest:
        for label, target in SIZES:
            path = min(paths, key=lambda p: abs(lengths[p] - target))
            with open(os.path.join(modules, path), 'rb') as f:
                image = f.read(lengths[path])
            with open(os.path.join(out, label + '.ko'), 'wb') as f:
                f.write(image)
            manifest.write(f'{label} {len(image)} {path}\n')


main()
