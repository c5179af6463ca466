#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarise vm-b1-phases.sh output: where memhotctl's remove/online time goes.

usage: b1-phases-report.py DIR [LABEL]   (DIR holds phases-*.log and the .tap)

Stamps are when a bash reader got each -v -v line, so they include the
cost of printing them (the "between steps" column): a run without -v does
not pay that. Per-step times still show which steps cost what.
"""
import glob
import os
import re
import statistics
import sys


def steps(path):
    rows, start = [], None
    begun = {}
    for line in open(path):
        m = re.match(r"^(\d+\.\d+) memhotctl: \S+: \[(\d+)/\d+\] (\S+)(.*?)( \.\.\.|: done)$", line)
        if not m:
            continue
        t, idx, kind, end = float(m.group(1)), int(m.group(2)), m.group(3), m.group(5)
        if end == " ...":
            begun[idx] = t
            if start is None:
                start = t
        elif idx in begun:
            rows.append((idx, kind, begun[idx], t))
    return start, rows


def summary(path):
    start, rows = steps(path)
    if not rows:
        return None
    blocks = [r for r in rows if r[1] in ("offline-block", "online-block")]
    other = {}
    for r in rows:
        if r not in blocks:
            other[r[1]] = other.get(r[1], 0) + r[3] - r[2]
    gaps = sum(rows[i][2] - rows[i - 1][3] for i in range(1, len(rows)))
    per = [b[3] - b[2] for b in blocks]
    return {"start": start, "first": per[0] if per else 0,
            "rest": sum(per[1:]), "n": len(per) - 1,
            "median": statistics.median(per[1:]) if len(per) > 1 else 0,
            "other": other, "gaps": gaps, "end": rows[-1][3]}


def main():
    d = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) > 2 else d
    tap = open(os.path.join(d, "vm-b1-phases.tap")).read()
    wall = {m.group(1): int(m.group(2)) for m in
            re.finditer(r"^ok \d+ - (\S+) rc \d+ (\d+) ms", tap, re.M)}
    print("#### %s\n" % label)
    for what in ("version", "dry-run", "daxctl-list"):
        v = [w for k, w in wall.items() if k.endswith("-" + what)]
        if v:
            print("- `%s`: median %d ms (%d–%d)" % (what, statistics.median(v), min(v), max(v)))
    print("\n| run | wall | raw same round | until 1st step | 1st block | other blocks "
          "(median each) | other steps | between steps (-v printing) |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for p in sorted(glob.glob(os.path.join(d, "phases-[0-9]*-*.log"))):
        name = os.path.basename(p)[7:-4]
        if "raw" in name or name.split("-", 1)[1] not in ("remove", "online"):
            continue
        s = summary(p)
        if not s:
            continue
        rnd, op = name.split("-", 1)
        raw = wall.get("%s-raw-%s" % (rnd, op))
        print("| %s | %d ms | %s | %.2f s | %.2f s | %.2f s (%d ms) | %s | %.2f s |" % (
            name, wall.get(name, 0), "%d ms" % raw if raw else "–", s["start"], s["first"],
            s["rest"], 1000 * s["median"],
            ", ".join("%s %.2f s" % kv for kv in s["other"].items()), s["gaps"]))
    print()


if __name__ == "__main__":
    main()
