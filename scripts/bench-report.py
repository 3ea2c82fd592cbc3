#!/usr/bin/env python3
"""bench-report.py LOGS BOOTS: make bench's table, from the bench VMs'
results ($LOGS/vm-bench-CLOCK-KERNEL-BOOT.results.log, scripts/bench.sh).
The base kernel is $BASE (7.3 unless set), named KERNEL 73.

For each clock (icount, wall) and row: ns per entry on the base and on the tip,
the median of the boots' medians with the least and the most any repetition
took; tip/base; A/A, the same kernel against itself, the largest ratio
between two boots' medians of either kernel: the noise band; and each
kernel against the floor row that moves the same bytes. Then what batching
buys, and the KUnit measurement of the batch copy alone (tip).

Goals: tip/base <= 1.02 on every row, below 1.0 for batches of
8 entries and more, each with a noise band narrower than the margin; the
batch copy within 1.5x of a bare copy_from_user(). A row meets its goal
only when it holds with the band: ratio * A/A under the bound."""
import os
import re
import statistics
import sys

ROW = re.compile(r'^\[bench\] row (\S+) entries=(\d+) bytes=(\d+) '
                 r'median=([\d.]+) min=([\d.]+) max=([\d.]+)')
KUNIT = re.compile(r'bench: entries=(\d+) entry_len=(\d+) loops=(\d+) '
                   r'table_ns=(\d+) bare_ns=(\d+)')
FLOOR = {'invalidate': 'floor', 'invalidate_1x64': 'floor',
         'fault': 'floor_rw', 'hw_info': 'floor_info',
         'uapi_info': 'floor_info'}
LABEL = os.environ.get('BASE', '7.3')
OLD = LABEL.replace('.', '')
KERNELS = (OLD, 'tip')

# rows in families of ten: each beside its floor, by entries
ORDER = (['floor', 'invalidate', 'invalidate_1x64'] + [''] * 7 +
         ['floor_rw', 'fault'] + [''] * 8 +
         ['floor_info', 'hw_info', 'uapi_info'])


def order(name):
    """a row's place: ORDER's, or after every family"""
    return ORDER.index(name) if name in ORDER else len(ORDER) + 10


def read(logs, name, done):
    rows, kunit = {}, {}
    path = os.path.join(logs, f'vm-bench-{name}.results.log')
    try:
        text = open(path, errors='replace').read()
    except OSError:
        return None
    # a KUnit boot whose suite failed a check: its timings are not taken
    if done not in text or '[bench_kunit_ok] not ok' in text:
        return None
    for line in text.splitlines():
        m = ROW.match(line)
        if m:
            rows[(m[1], int(m[2]))] = tuple(map(float, m.group(4, 5, 6)))
        m = KUNIT.search(line)
        if m:
            n, elen, loops, table, bare = map(int, m.groups())
            kunit[(n, elen)] = (table / loops / n, bare / loops / n)
    return rows, kunit


def ratio(a, b):
    return f'{a / b:.3f}' if a and b else '-'


def verdict(r, band, bound):
    """ok: under the bound even with the noise band on top; MISSED: over
    it even with the band taken off; else the band is wider than the
    margin and the row says nothing"""
    if r * band < bound:
        return 'ok'
    return 'MISSED' if r / band >= bound else 'noise'


def table(logs, clock, boots):
    runs = {k: [r for b in range(1, boots + 1)
                if (r := read(logs, f'{clock}-{k}-{b}', '[bench] # done'))]
            for k in KERNELS}
    if not all(runs.values()):
        print(f'\n== {clock}: no complete run of each kernel')
        return 1
    print(f'\n== {clock}: {len(runs[OLD])} boots of {LABEL}, '
          f'{len(runs["tip"])} of the tip, in turn; ns per entry '
          '(per call for the info rows), median of the boots [min-max]')
    print(f'{"row":16} {"entries":>7} {LABEL:>22} {"tip":>22} '
          f'{"tip/" + LABEL:>8} {"A/A":>6} {LABEL + "/flr":>8} {"tip/flr":>8}  goal')
    keys = sorted({key for k in KERNELS for rows, _ in runs[k] for key in rows},
                  key=lambda kv: (order(kv[0]) // 10, kv[1], order(kv[0])))
    stat, missed, noise = {}, 0, 0
    for key in keys:
        for k in KERNELS:
            vals = [rows[key] for rows, _ in runs[k] if key in rows]
            if vals:
                meds = [v[0] for v in vals]
                stat[(k, key)] = (statistics.median(meds),
                                  min(v[1] for v in vals),
                                  max(v[2] for v in vals),
                                  max(meds) / min(meds))
    for key in keys:
        name, n = key
        cell, band = [], 1.0
        for k in KERNELS:
            s = stat.get((k, key))
            cell.append(f'{s[0]:9.1f} [{s[1]:.0f}-{s[2]:.0f}]' if s else '-')
            band = max(band, s[3]) if s else band
        sold, stip = stat.get((OLD, key)), stat.get(('tip', key))
        r = stip[0] / sold[0] if sold and stip else None
        # 64 calls of one entry: the floor of one entry a call
        fn = 1 if name == 'invalidate_1x64' else n
        flr = [stat.get((k, (FLOOR.get(name, ''), fn))) for k in KERNELS]
        goal = ''
        if name in FLOOR and r:
            goal = verdict(r, band, 1.02)
            if name == 'invalidate' and n >= 8:
                goal = verdict(r, band, 1.0) + ' (<1.0)'
            missed += goal.startswith('MISSED')
            noise += goal.startswith('noise')
        print(f'{name:16} {n:7} {cell[0]:>22} {cell[1]:>22} '
              f'{ratio(r, 1) if r else "-":>8} {band:6.3f} '
              f'{ratio(sold[0], flr[0][0]) if sold and flr[0] else "-":>8} '
              f'{ratio(stip[0], flr[1][0]) if stip and flr[1] else "-":>8}  {goal}')
    for k in KERNELS:
        one, batch = stat.get((k, ('invalidate_1x64', 64))), stat.get((k, ('invalidate', 64)))
        if one and batch:
            print(f'batching, {k}: 64 calls of 1 entry {one[0]:.1f} ns/entry, '
                  f'1 call of 64 {batch[0]:.1f} ns/entry: '
                  f'{one[0] / batch[0]:.1f}x cheaper batched')
    kunit = [ku for b in range(1, boots + 1)
             if (r := read(logs, f'kunit-{b}', '[bench_kunit_ok] ok 1 '))
             and (ku := r[1])]
    if kunit and clock == 'icount':
        print(f'KUnit iommu-uapi-bench (tip, -icount): a driver\'s batch copy of '
              f'VT-d invalidation entries (24 bytes) against one '
              f'copy_from_user() of the same bytes, ns per entry, median of '
              f'{len(kunit)} boots')
        print(f'{"entries":>7} {"entry_len":>9} {"table":>9} {"bare":>9} '
              f'{"table/bare":>10}  goal')
        for key in sorted(kunit[0]):
            t = statistics.median(ku[key][0] for ku in kunit if key in ku)
            b = statistics.median(ku[key][1] for ku in kunit if key in ku)
            goal = ''
            if key[1] == 24:
                goal = 'ok' if t / b <= 1.5 else 'MISSED'
                missed += goal == 'MISSED'
            else:
                goal = '(longer entries: checked one by one, no goal)'
            print(f'{key[0]:7} {key[1]:9} {t:9.1f} {b:9.1f} {t / b:10.2f}  {goal}')
    print(f'{clock}: {missed} goal(s) missed, {noise} not judged (noise band '
          'wider than the margin)')
    return 0


def main():
    logs, boots = sys.argv[1], int(sys.argv[2])
    rc = 0
    for clock in ('icount', 'wall'):
        rc |= table(logs, clock, boots)
    return rc


if __name__ == '__main__':
    sys.exit(main())
