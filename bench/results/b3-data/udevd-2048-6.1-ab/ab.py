#!/usr/bin/env python3
"""ab.py udev.data [skip_round1]: per method median wall (min-max), paired ratio to dx, cpu (user+sys) median."""
import collections, statistics, sys
runs = collections.defaultdict(dict)
cpu = collections.defaultdict(list)
skip = len(sys.argv) > 2
for l in open(sys.argv[1]):
    f = l.split()
    if f[0] != 'W' or (skip and f[1] == '1'):
        continue
    runs[f[2]][f[1]] = float(f[5])
    if 'cpu' in f:
        i = f.index('cpu')
        if len(f) > i + 2:
            cpu[f[2]].append(float(f[i + 1]) + float(f[i + 2]))
for m, v in runs.items():
    w = list(v.values())
    pr = [v[r] / runs['dx'][r] for r in v if r in runs.get('dx', {})]
    print('%-5s n=%d median %6.2f (%5.2f-%5.2f)  /dx medians %.3f paired %.3f  cpu %s' % (
        m, len(w), statistics.median(w), min(w), max(w),
        statistics.median(w) / statistics.median(runs['dx'].values()),
        statistics.median(pr), '%.2f' % statistics.median(cpu[m]) if cpu[m] else '-'))
