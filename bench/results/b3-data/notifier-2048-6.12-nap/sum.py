#!/usr/bin/env python3
"""Per remove (or online, slab6): wall time, the traced kernel functions'
sums (seconds), the queued flush_cpu_slab works; usage: sum.py slabN.data"""
import collections
import re
import sys

for path in sys.argv[1:]:
    runs = collections.OrderedDict()
    works = collections.Counter()
    hdr = None
    for line in open(path):
        f = line.split()
        if f[:1] == ["F"]:
            runs.setdefault((f[1], f[2]), {})[f[3]] = float(f[4])
        elif f[:1] == ["W"]:
            runs.setdefault((f[1], f[2]), {})["wall"] = float(f[4])
        elif f[:1] == ["=="]:
            hdr = (f[1], f[2], f[3])
        elif hdr and hdr[2] == "wq" and "flush_cpu_slab" in line:
            m = re.search(r"hitcount:\s+(\d+)", line)
            works[hdr[:2]] += int(m.group(1))
    print("== " + path)
    for (r, m), v in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rest = " ".join("%s %.2f" % (k, x) for k, x in sorted(v.items()) if k != "wall")
        print("%-5s round %s wall %6.2f  %s  flush works %s" % (
            m, r, v.get("wall", 0), rest, works.get((r, m), "-")))
