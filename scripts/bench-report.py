#!/usr/bin/env python3
"""bench-report.py LOGS BOOTS: make bench's table, from the bench VMs'
results ($LOGS/vm-bench-CLOCK-KERNEL-BOOT.results.log, scripts/bench.sh)
and what the run measured ($LOGS/bench-meta.txt, printed first).
The base kernel is $BASE (7.3 unless set), named KERNEL 73.

For each clock (icount, wall) and row of the mock VM: ns per entry on the
base and on the tip, the median over the boots of each boot's least
repetition under -icount (what else runs only adds instructions) or of its
median on the wall clock, with the least and the most any repetition took;
tip/base; A/A, the same kernel against itself, the largest ratio between
two boots' measures of either kernel: the noise band; under -icount (shift=0: a guest instruction is a nanosecond)
the instructions the tip adds per entry; each kernel against the floor row
that moves the same bytes. Then the KUnit suite iommu-uapi-bench (tip,
-icount): the batch copy against one copy_from_user(), and VT-d's copy
loop as 7.3 has it and as the series has it, with the series' loop
built without each of its two changes (the inline copy, the batch left
uninitialized) beside it.

Goals, judged under -icount (a row meets one only when it holds with the
noise band on top):
a single-call row (one entry, one fault, one page response, hw_info) at
most 1.02 of the base and at most 10 instructions above it; a batch of 8
entries or more below 1.0 of the base; the batch copy at most 1.5x a bare
copy at one entry and 1.2x from eight on. A goal missed is printed with
its cause, counted in the compiled code."""
import os
import re
import statistics
import sys
import textwrap

ROW = re.compile(r'^\[bench\] row (\S+) entries=(\d+) bytes=(\d+) '
                 r'median=([\d.]+) min=([\d.]+) max=([\d.]+)')
KUNIT = re.compile(r'bench: (?:(\w+) )?entries=(\d+) entry_len=(\d+) '
                   r'loops=(\d+)((?: \w+_ns=\d+)+)')
FLOOR = {'invalidate': 'floor', 'invalidate_1x64': 'floor',
         'fault': 'floor_rw', 'fault_1w': 'floor_rw_1w',
         'hw_info': 'floor_info', 'uapi_info': 'floor_info'}
# rows of one call a measurement, whatever their entries: a VMM's calls
SINGLE = {('invalidate', 1), ('invalidate_1x64', 64), ('fault', 1),
          ('fault_1w', 64), ('hw_info', 1)}
# rows that run the base's code on both kernels: no goal of their own
SAME = {'invalidate': "the mock's invalidation loop is the base's on both "
        "kernels (7.3's iommu_copy_struct_from_user_array() an entry): the "
        "series' batch copy is judged on the KUnit vtd_loop rows"}
# the cause of a goal missed, counted in the compiled code
CAUSES = {('vtd_loop', 1):
          "77 instructions against 7.3's 64 on the one-entry path, its "
          "copy_from_user() aside (objdump of iommu-uapi-kunit.o): the "
          "inline copy reads and compares the table's size, tag and tag "
          'value, computes min(count, left), the batch\'s length and its '
          'address, and returns the count to the batch loop, which keeps two '
          "more registers; 7.3's loop zeroes its entry instead (3). From 8 "
          'entries a call on, the batch is the cheaper'}
LABEL = os.environ.get('BASE', '7.3')
OLD = LABEL.replace('.', '')
KERNELS = (OLD, 'tip')

# rows in families of ten: each beside its floor, by entries
ORDER = (['floor', 'invalidate', 'invalidate_1x64'] + [''] * 7 +
         ['floor_rw', 'fault', 'floor_rw_1w', 'fault_1w'] + [''] * 6 +
         ['floor_info', 'hw_info', 'uapi_info'])


def say(text):
    """print prose, wrapped; a leading newline stays"""
    lead = '\n' if text.startswith('\n') else ''
    print(lead + textwrap.fill(text.lstrip('\n'), 78, subsequent_indent='  '))


def order(name):
    """a row's place: ORDER's, or after every family"""
    return ORDER.index(name) if name in ORDER else len(ORDER) + 10


def read(logs, name, done):
    """the rows and KUnit lines of one VM's results, None when it did not
    finish (or, for a KUnit boot, when the suite failed a check)"""
    rows, kunit = {}, {}
    path = os.path.join(logs, f'vm-bench-{name}.results.log')
    try:
        text = open(path, errors='replace').read()
    except OSError:
        return None
    if done not in text or '[bench_kunit_ok] not ok' in text:
        return None
    for line in text.splitlines():
        m = ROW.match(line)
        if m:
            rows[(m[1], int(m[2]))] = tuple(map(float, m.group(4, 5, 6)))
        m = KUNIT.search(line)
        if m:
            case, n, loops = m[1] or 'batch_copy', int(m[2]), int(m[4])
            kunit[(case, n)] = {k: int(v) / loops / n for k, v in
                                re.findall(r'(\w+)_ns=(\d+)', m[5])}
    return rows, kunit


def verdict(r, band, bound, below=False):
    """ok: within the bound even with the noise band on top; MISSED: over
    it even with the band taken off; else the band is wider than the
    margin and the row says nothing"""
    if r * band < bound or (not below and r * band == bound):
        return 'ok'
    return 'MISSED' if r / band >= bound else 'noise'


def delta_verdict(delta, spread, bound):
    """verdict() for instructions added: spread is what noise adds"""
    if delta + spread <= bound:
        return 'ok'
    return 'MISSED' if delta - spread > bound else 'noise'


class Goals:
    """the goals judged, and their verdicts counted"""

    def __init__(self):
        self.missed = self.noise = 0
        self.causes = []

    def judge(self, key, *verdicts):
        worst = ('MISSED' if 'MISSED' in verdicts else
                 'noise' if 'noise' in verdicts else 'ok')
        self.missed += worst == 'MISSED'
        self.noise += worst == 'noise'
        if worst == 'MISSED':
            self.causes.append((key, CAUSES.get(key, 'not counted yet')))
        return worst


def vm_table(logs, clock, boots, goals):
    runs = {k: [r for b in range(1, boots + 1)
                if (r := read(logs, f'{clock}-{k}-{b}', '[bench] # done'))]
            for k in KERNELS}
    if not all(runs.values()):
        print(f'\n== {clock}: no complete run of each kernel')
        return 1
    icount = clock == 'icount'
    say(f'\n== {clock}: {len(runs[OLD])} boots of {LABEL}, '
        f'{len(runs["tip"])} of the tip, in turn; ns per entry '
        '(per call for the info rows): the median of the boots\' '
        + ('least repetitions' if icount else 'medians')
        + ' [the least and most of any repetition]'
        + ('; +insn: instructions the tip adds per entry' if icount else ''))
    print(f'{"row":15} {"entries":>7} {LABEL:>20} {"tip":>20} '
          f'{"tip/" + LABEL:>7} {"A/A":>6} {"+insn" if icount else "":>6} '
          f'{LABEL + "/flr":>7} {"tip/flr":>7}  goal')
    keys = sorted({key for k in KERNELS for rows, _ in runs[k] for key in rows},
                  key=lambda kv: (order(kv[0]) // 10, kv[1], order(kv[0])))
    stat, same = {}, set()
    # under -icount what else runs only adds instructions: a boot's least
    # repetition is its measure; on the wall clock, its median
    pick = 1 if icount else 0
    for key in keys:
        for k in KERNELS:
            meds = [rows[key][pick] for rows, _ in runs[k] if key in rows]
            if meds:
                stat[(k, key)] = (statistics.median(meds),
                                  min(rows[key][1] for rows, _ in runs[k] if key in rows),
                                  max(rows[key][2] for rows, _ in runs[k] if key in rows),
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
        delta = stip[0] - sold[0] if r else None
        # 64 calls of one entry: the floor of one entry a call
        fn = 1 if name == 'invalidate_1x64' else n
        flr = [stat.get((k, (FLOOR.get(name, ''), fn))) for k in KERNELS]
        goal = ''
        if r and name in SAME and key not in SINGLE:
            goal = 'no goal (*)'
            same.add(name)
        elif r and name in FLOOR and goals:
            bound = 1.02 if key in SINGLE or name != 'invalidate' else 1.0
            verdicts = [verdict(r, band, bound, below=bound == 1.0)]
            if key in SINGLE and icount:
                verdicts.append(delta_verdict(delta, (band - 1) * sold[0], 10))
            goal = goals.judge((name, n), *verdicts)
            goal += f' (<={bound:g}{", +10" if len(verdicts) > 1 else ""})'
        plus = f'{delta:+6.1f}' if delta is not None and icount else ''
        print(f'{name:15} {n:7} {cell[0]:>20} {cell[1]:>20} '
              f'{f"{r:.3f}" if r else "-":>7} {band:6.3f} {plus:>6} '
              f'{f"{sold[0] / flr[0][0]:.2f}" if sold and flr[0] else "-":>7} '
              f'{f"{stip[0] / flr[1][0]:.2f}" if stip and flr[1] else "-":>7}  {goal}')
    for name in sorted(same):
        say(f'(*) {name}: {SAME[name]}')
    for k in KERNELS:
        one = stat.get((k, ('invalidate_1x64', 64)))
        batch = [(n, stat.get((k, ('invalidate', n)))) for n in (1, 8, 64, 512)]
        if one and all(b for _, b in batch):
            say(f'batching, {k}: ns per entry at 1, 8, 64, 512 entries a call: '
                + ', '.join(f'{b[0]:.1f}' for _, b in batch)
                + f'; 64 calls of 1 entry {one[0]:.1f}')
    return 0


def kunit_tables(logs, boots, goals):
    kunit = [ku for b in range(1, boots + 1)
             if (r := read(logs, f'kunit-{b}', '[bench_kunit_ok] ok 1 '))
             and (ku := r[1])]
    if not kunit:
        print('\n== KUnit iommu-uapi-bench: no complete run')
        return 1

    def med(key, col):
        vals = [ku[key][col] for ku in kunit if key in ku and col in ku[key]]
        return statistics.median(vals), max(vals) / min(vals)

    say(f'\n== KUnit iommu-uapi-bench (tip, -icount, {len(kunit)} boots, '
        'each the least of 9 repetitions): ns per entry')
    say("batch_copy: a driver's iommu_uapi_copy_user_array() of VT-d "
        'invalidation entries (24 bytes) in one call, against one '
        'copy_from_user() of the same bytes')
    print(f'{"entries":>7} {"table":>9} {"bare":>9} {"table/bare":>10} {"A/A":>6}  goal')
    for key in sorted(k for k in kunit[0] if k[0] == 'batch_copy'):
        (t, bt), (b, bb) = med(key, 'table'), med(key, 'bare')
        band = max(bt, bb)
        bound = 1.5 if key[1] == 1 else 1.2
        goal = goals.judge(key, verdict(t / b, band, bound))
        print(f'{key[1]:7} {t:9.1f} {b:9.1f} {t / b:10.2f} {band:6.3f}  '
              f'{goal} (<={bound:g})')
    say("vtd_loop: VT-d's loop over one call's entries, 7.3's (one "
        'iommu_copy_struct_from_user_array() an entry) and the tip\'s '
        '(iommu_uapi_copy_user_array(), batches of 8); the tip\'s built '
        'with its batch zeroed (zeroed) and with the general path only '
        '(general); bare: one copy_from_user() of the entries')
    print(f'{"entries":>7} {LABEL:>9} {"tip":>9} {"tip/" + LABEL:>8} '
          f'{"+insn":>7} {"zeroed":>9} {"general":>9} {"bare":>9} {"A/A":>6}  goal')
    saved = None
    for key in sorted(k for k in kunit[0] if k[0] == 'vtd_loop'):
        n = key[1]
        cols = {c: med(key, c) for c in ('each', 'batch', 'zeroed', 'general', 'bare')
                if c in kunit[0][key]}
        band = max(v[1] for v in cols.values())
        # one copy an entry (7.3's loop) and in batches (the tip's)
        old, tip = cols['each'][0], cols['batch'][0]
        # per call: n entries
        delta = (tip - old) * n
        if n == 1:
            goal = goals.judge(key, delta_verdict(delta, (band - 1) * old, 10))
            goal += ' (+10 a call)'
        else:
            goal = goals.judge(key, verdict(tip / old, band, 1.0, below=True))
            goal += ' (<1.0)'
        cell = {c: f'{v[0]:9.1f}' if c in cols else f'{"-":>9}'
                for c, v in ((c, cols.get(c, (0, 1)))
                             for c in ('zeroed', 'general', 'bare'))}
        print(f'{n:7} {old:9.1f} {tip:9.1f} {tip / old:8.3f} {delta:+7.1f} '
              f'{cell["zeroed"]} {cell["general"]} {cell["bare"]} {band:6.3f}  {goal}')
        if n == 1 and 'general' in cols and 'zeroed' in cols:
            saved = (cols['general'][0] - tip, cols['zeroed'][0] - tip)
    if saved:
        say(f'at 1 entry a call the inline copy saves {saved[0]:.0f} '
            f'instructions, the uninitialized batch {saved[1]:.0f}')
    return 0


def main():
    logs, boots = sys.argv[1], int(sys.argv[2])
    try:
        for line in open(os.path.join(logs, 'bench-meta.txt')):
            say(line.rstrip())
    except OSError:
        print('(no bench-meta.txt: what was measured is not on record)')
    goals = Goals()
    rc = vm_table(logs, 'icount', boots, goals)
    rc |= kunit_tables(logs, boots, goals)
    say(f'\nicount: {goals.missed} goal(s) missed, {goals.noise} not judged '
        '(noise band wider than the margin)')
    for key, cause in goals.causes:
        say(f'missed {key[0]} at {key[1]}: {cause}')
    rc |= vm_table(logs, 'wall', boots, None)
    say('wall: no goals; under TCG the wall clock moves between boots by '
        "more than the goals' margins (the A/A column)")
    return rc


if __name__ == '__main__':
    sys.exit(main())
