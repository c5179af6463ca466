#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""B1 A/B summary: a markdown table from vm-b1-ab.sh's vm-b1-ab.data files.

usage: b1-ab-report.py LABEL=DIR...   (e.g. 6.1=out-6.1 6.12=out-6.12)

Each row: one kernel's op; each column: a method (raw, A, B, ...), its
median wall time (min-max) over the rounds, and the median's ratio to
raw's. Runs that failed (rc != 0) are counted and left out. A second
table pairs each method with A round by round: the median of its time
minus A's in the same round, and in how many rounds it was the faster.
"""
import os
import statistics
import sys

by_round = {}	# (label, op, method, round) -> wall, over every file loaded

def load(path, label):
    runs, failed = {}, {}
    for line in open(path):
        f = line.split()
        if len(f) != 5:
            continue
        op, m, r, wall, rc = f[0], f[1], f[2], float(f[3]), int(f[4])
        if rc:
            failed[(op, m)] = failed.get((op, m), 0) + 1
        else:
            runs.setdefault((op, m), []).append(wall)
            by_round[(label, op, m, r)] = wall
    return runs, failed


def main(args):
    if not args:
        sys.exit(__doc__)
    methods, rows = [], []
    for arg in args:
        label, _, d = arg.partition("=")
        runs, failed = load(os.path.join(d, "vm-b1-ab.data"), label)
        for (op, m) in runs:
            if m not in methods:
                methods.append(m)
        rows.append((label, runs, failed))
    methods.sort(key=lambda m: (m != "raw", m))
    print("| kernel | op | " + " | ".join(methods) + " |")
    print("|---|---|" + "---:|" * len(methods))
    for label, runs, failed in rows:
        for op in ("remove", "online"):
            raw = runs.get((op, "raw"))
            base = statistics.median(raw) if raw else None
            cells = []
            for m in methods:
                w = runs.get((op, m))
                if not w:
                    cells.append("-")
                    continue
                med = statistics.median(w)
                cell = f"{med * 1000:,.0f} ms ({min(w) * 1000:,.0f}-{max(w) * 1000:,.0f})"
                if m != "raw" and base:
                    cell += f", {med / base:.2f} x raw"
                if failed.get((op, m)):
                    cell += f", {failed[(op, m)]} failed"
                cells.append(cell)
            n = max(len(runs.get((op, m), [])) for m in methods)
            print(f"| {label} | {op} ({n} rounds) | " + " | ".join(cells) + " |")
    paired_table(rows, methods)


def paired_table(rows, methods):
    others = [m for m in methods if m not in ("raw", "A")]
    if not others:
        return
    print("\n| kernel | op | " + " | ".join(f"{m} - A per round" for m in others) + " |")
    print("|---|---|" + "---:|" * len(others))
    for label, _, _ in rows:
        for op in ("remove", "online"):
            cells = []
            for m in others:
                d = [w - by_round[(label, op, "A", r)]
                     for (lb, o, mm, r), w in by_round.items()
                     if (lb, o, mm) == (label, op, m) and (label, op, "A", r) in by_round]
                cells.append(f"median {statistics.median(d) * 1000:+,.0f} ms, "
                             f"faster in {sum(x < 0 for x in d)} of {len(d)}" if d else "-")
            print(f"| {label} | {op} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
