#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""B1 A/B summary: a markdown table from vm-b1-ab.sh's vm-b1-ab.data files.

usage: b1-ab-report.py LABEL=DIR...   (e.g. 6.1=out-6.1 6.12=out-6.12)

Each row: one kernel's op; each column: a method (raw, A, B, ...), its
median wall time (min-max) over the rounds, and the median's ratio to
raw's. Runs that failed (rc != 0) are counted and left out.
"""
import os
import statistics
import sys


def load(path):
    runs, failed = {}, {}
    for line in open(path):
        f = line.split()
        if len(f) != 5:
            continue
        op, m, wall, rc = f[0], f[1], float(f[3]), int(f[4])
        if rc:
            failed[(op, m)] = failed.get((op, m), 0) + 1
        else:
            runs.setdefault((op, m), []).append(wall)
    return runs, failed


def main(args):
    if not args:
        sys.exit(__doc__)
    methods, rows = [], []
    for arg in args:
        label, _, d = arg.partition("=")
        runs, failed = load(os.path.join(d, "vm-b1-ab.data"))
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


if __name__ == "__main__":
    main(sys.argv[1:])
