#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The verdict of a log of KTAP/TAP results, from the parsed results.

Usage: ktap.py [--nested] [--require NAME]... [--expect-fail NAME]... FILE

Every KTAP/TAP document in FILE (a console log or a TAP file), and every
stream nested in it (by four spaces, or by "# " from the kselftest
runner), needs one plan, as many results numbered 1..N, no "Bail out!",
no TODO, and only ok results (SKIP, XFAIL are ok); a nested stream that
starts with a version line may omit its plan (KUnit's parameterised
cases).  A kernel panic in FILE fails.  --nested: every top-level result
has a nested stream (its subtests; catches output that went missing).
--require NAME: a
top-level result "NAME" or "...: NAME" passed without SKIP; --expect-fail
NAME: one is "not ok", and that is accepted.  Exit 0 pass, 1 fail, 2 usage.
"""
import argparse
import re
import signal
import sys

STAMP = re.compile(r'^\[\s*\d+\.\d+\](?: |$)')
VERSION = re.compile(r'K?TAP version \d+')
PLAN = re.compile(r'1\.\.(\d+)\b')
RESULT = re.compile(r'(not )?ok(?=\s|$)(?:\s+(\d+)\b)?\s*(.*)$')
DIRECTIVE = re.compile(r'(SKIP|TODO|XFAIL)\b', re.I)
MAX_LINES = 30


class Result:
    def __init__(self, m, line, nested):
        desc, _, directive = m[3].partition('#')
        d = DIRECTIVE.match(directive.strip())
        self.ok, self.number, self.line, self.nested = not m[1], m[2], line, nested
        self.directive = d[1].upper() if d else None
        self.name = re.sub(r'^-(\s+|$)', '', desc.strip())
        self.head = line.partition('#')[0].strip() or line


class Stream:
    def __init__(self, lines, nested=False):
        self.plans, self.results, self.bail = [], [], None
        self.nested, self.versioned = nested, False
        chunk = []
        for line in lines:
            if line.startswith('    ') or line.startswith('# ') or line == '#':
                chunk.append(line[4:] if line.startswith('    ') else line[2:])
                continue
            if VERSION.match(line):
                self.versioned = True
                chunk = []
            elif PLAN.match(line):
                self.plans.append(int(PLAN.match(line)[1]))
                chunk = []
            elif m := RESULT.match(line):
                nested = Stream(chunk, True)
                if not (nested.plans or nested.results or nested.bail):
                    nested = None  # only diagnostics
                self.results.append(Result(m, line, nested))
                chunk = []
            elif line.startswith('Bail out!') and not self.bail:
                self.bail = line

    def size(self):
        return self.plans[0] if len(self.plans) == 1 else len(self.results)

    def problems(self):
        why = [self.bail] if self.bail else []
        if not self.plans:
            if not (self.nested and self.versioned and self.results):
                why.append('no plan')
        elif len(self.plans) > 1:
            why.append(f'{len(self.plans)} plans, not one')
        elif len(self.results) != self.plans[0]:
            why.append(f'{len(self.results)} results for a plan of {self.plans[0]}')
        for i, r in enumerate(self.results, 1):
            if r.number is None or int(r.number) != i:
                why.append(f'result {i} is numbered {r.number or "nothing"}')
                break
        return why


def join(path, text):
    return f'{path} / {text}' if path else text


def stream_failures(s, path=''):
    """Every failure in stream s and the streams nested in it."""
    out = [f'{path}: {why}' if path else why for why in s.problems()]
    for r in s.results:
        out += result_failures(r, path)
    return out


def result_failures(r, path=''):
    out = stream_failures(r.nested, join(path, r.head)) if r.nested else []
    if r.directive == 'TODO':
        out.insert(0, join(path, 'TODO result: ' + r.line))
    elif not out and not r.ok and r.directive not in ('SKIP', 'XFAIL'):
        out.append(join(path, r.line))
    return out


def named(r, names):
    return [n for n in names if r.name == n or r.name.endswith(': ' + n)]


def main():
    ap = argparse.ArgumentParser(description='The verdict of a KTAP/TAP log.')
    ap.add_argument('--nested', action='store_true')
    ap.add_argument('--require', action='append', default=[], metavar='NAME')
    ap.add_argument('--expect-fail', action='append', default=[], metavar='NAME')
    ap.add_argument('file', metavar='FILE')
    args = ap.parse_args()
    try:
        with open(args.file, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError as e:
        print(f'ktap.py: {args.file}: {e.strerror}', file=sys.stderr)
        return 2
    docs = [[]]
    for line in text.replace('\r', '').split('\n'):
        line = STAMP.sub('', line, count=1)
        if VERSION.match(line):
            docs.append([])
        docs[-1].append(line)
    if not any(PLAN.match(line) or RESULT.match(line) for line in docs[0]):
        docs.pop(0)
    passed, found = True, {}
    if not docs:
        print(f'{args.file}: no KTAP or TAP document')
        passed = False
    panic = re.search(r'Kernel panic - not syncing.*', text)
    if panic:
        print(f'{args.file}: the kernel panicked: {panic[0].strip()}')
        passed = False
    for k, doc in enumerate(docs, 1):
        s = Stream(doc)
        lines = s.problems()
        passed = passed and not lines
        counts = {'passed': 0, 'failed': 0, 'skipped': 0}
        for r in s.results:
            fails = result_failures(r)
            if args.nested and not r.nested:
                fails.append(r.line + ': no nested results')
            outcome = 'failed' if fails else 'skipped' if r.directive == 'SKIP' else 'passed'
            counts[outcome] += 1
            good = outcome == 'passed' and r.directive is None
            bad = not r.ok and r.directive is None
            for name in named(r, args.require):
                found.setdefault(('--require', name), []).append((good, r.line))
            for name in named(r, args.expect_fail):
                found.setdefault(('--expect-fail', name), []).append((bad, r.line))
            if bad and named(r, args.expect_fail):
                lines.append('expected: ' + r.line)
            elif fails:
                lines += fails
                passed = False
        print(f'{args.file}: document {k}: {counts["passed"]} passed, '
              f'{counts["failed"]} failed, {counts["skipped"]} skipped of {s.size()}')
        for line in lines[:MAX_LINES]:
            print('  ' + line)
        if len(lines) > MAX_LINES:
            print(f'  ... and {len(lines) - MAX_LINES} more')
    for key in [('--require', n) for n in args.require] + \
               [('--expect-fail', n) for n in args.expect_fail]:
        seen = found.get(key, [])
        if not any(good for good, _ in seen):
            why = 'not ' + ('passed' if key[0] == '--require' else 'failed')
            print(f'{args.file}: {key[0]} {key[1]}: ' +
                  (f'{why}: {seen[0][1]}' if seen else 'no such result'))
            passed = False
    print('verdict: ' + ('pass' if passed else 'FAIL'))
    return 0 if passed else 1


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under | head
    sys.exit(main())
