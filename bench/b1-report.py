#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""B1 reports from what bench/vm-b1.sh left in a guest's output directory.

usage: b1-report.py OUT.md SERIES=DIR...      B1: vm-b1.data/.writes/.kwrites/strace
       b1-report.py --ab LABEL=DIR...         A/B (vm-b1.sh ab): vm-b1-ab.data
       b1-report.py --phases DIR [LABEL]      profile (vm-b1.sh phases): phases-*.log

B1 writes the markdown to OUT.md; --ab and --phases print it.

--ab: each row one kernel's op; each column a method (raw, A, B, ...), its
median wall time (min-max) over the rounds, and the median's ratio to
raw's. Runs that failed (rc != 0) are counted and left out. A second
table pairs each method with A round by round: the median of its time
minus A's in the same round, and in how many rounds it was the faster.

--phases: stamps are when a bash reader got each -v -v line, so they
include the cost of printing them (the "between steps" column): a run
without -v does not pay that. Per-step times still show which steps cost
what.
"""
import glob
import os
import re
import statistics
import sys

METHODS = ("raw", "daxctl", "memhotctl")


def load_sums(path):
    """'op method seconds n' lines by (op, method), and the 'op method
    seconds n ATTR' ones by (op, method, attr); both empty without the file."""
    totals, by_attr = {}, {}
    if os.path.exists(path):
        for line in open(path):
            f = line.split()
            if len(f) == 4:
                totals[(f[0], f[1])] = (float(f[2]), int(f[3]))
            elif len(f) == 5:
                by_attr[(f[0], f[1], f[4])] = (float(f[2]), int(f[3]))
    return totals, by_attr


def load(d):
    runs = {}
    single = {"st": {}, "sc": {}, "ft": {}}	# the traced runs, one per op and method
    p = os.path.join(d, "vm-b1.data")
    if not os.path.exists(p):
        return None
    nb = None
    for line in open(p):
        f = line.split()
        if len(f) != 6:
            continue
        op, m, r, wall, rc, nb = f[0], f[1], f[2], float(f[3]), int(f[4]), int(f[5])
        if r in single:
            single[r][(op, m)] = {"wall": wall, "rc": rc}
        else:
            runs.setdefault((op, m), []).append((wall, rc, r))
    writes, by_attr = load_sums(os.path.join(d, "vm-b1.writes"))
    kwrites, _ = load_sums(os.path.join(d, "vm-b1.kwrites"))
    calls = {}
    for op in ("remove", "online"):
        for m in METHODS:
            p = os.path.join(d, "vm-b1.strace-%s-%s.txt" % (m, op))
            if os.path.exists(p):
                calls[(op, m)] = parse_strace_c(open(p).read())
    tap = ""
    p = os.path.join(d, "vm-b1.tap")
    if os.path.exists(p):
        tap = open(p).read()
    return {"runs": runs, **single, "kwrites": kwrites, "writes": writes,
            "by_attr": by_attr, "calls": calls, "nb": nb, "tap": tap}


def paired(runs, op, a, b):
    """a's time over b's within each round both passed: (median, min, max, n)."""
    ta = {r: w for w, rc, r in runs.get((op, a), []) if rc == 0}
    tb = {r: w for w, rc, r in runs.get((op, b), []) if rc == 0}
    q = [ta[r] / tb[r] for r in ta if r in tb]
    if not q:
        return None
    return statistics.median(q), min(q), max(q), len(q)


def parse_strace_c(text):
    """{'total': n, 'top': [(name, calls)]} from an strace -c table."""
    rows = []
    total = None
    for line in text.splitlines():
        f = line.split()
        if not f or not re.match(r"^[0-9.]+$", f[0]):
            continue
        if f[-1] == "total":
            total = int(f[3])
            continue
        # % time, seconds, usecs/call, calls, [errors], syscall
        rows.append((f[-1], int(f[3])))
    rows.sort(key=lambda x: -x[1])
    return {"total": total, "top": rows[:6]}


def ms(x):
    return "%.0f ms" % (x * 1e3) if x < 10 else "%.2f s" % x


def b1_main(argv):
    md = argv[0]
    out = ["## B1 — hot-remove on a real kernel (QEMU/TCG guest)\n"]
    p = out.append
    p("An idle kmem device on an emulated NVDIMM (sparse 10 GiB backing file), every "
      "block online Movable; each round removes it and brings it back with the same "
      "method, the methods alternating in an order that turns by one each round "
      "(raw daxctl memhotctl, daxctl memhotctl raw, …). raw = "
      "`offline` to each block, unbind kmem, bind device_dax (no checks) and back "
      "with `online_movable` writes; daxctl = `reconfigure-device -m devdax -f` / "
      "`-m system-ram`; memhotctl = `remove` / `online --zone movable`. Every result "
      "is checked from sysfs. Guests run under TCG on a shared 2-core host: compare "
      "the methods with each other, not with bare metal.\n")
    for arg in argv[1:]:
        series, d = arg.split("=", 1)
        r = load(d)
        if r is None:
            p("### Kernel %s\n\nNo data: the guest did not run B1 (see %s).\n" % (series, d))
            continue
        m = re.search(r"^# B1 on ([^\s,]+)", r["tap"], re.M)
        kver = m.group(1) if m else series
        dev = re.search(r"^# (dax\S+: .*)$", r["tap"], re.M)
        p("### Kernel %s\n" % kver)
        udevd = re.search(r"^# udevd: (.*)$", r["tap"], re.M)
        if dev:
            p(dev.group(1) + (", udevd %s" % udevd.group(1) if udevd else "") + ".\n")
        fails = [l for l in r["tap"].splitlines() if l.startswith("not ok")]
        p("| op | method | median | min–max | runs (failed) | × raw | × daxctl |")
        p("|---|---|---:|---|---|---:|---:|")
        med = {}
        for op in ("remove", "online"):
            for mt in METHODS:
                v = r["runs"].get((op, mt), [])
                good = [w for w, rc, _ in v if rc == 0]
                if good:
                    med[(op, mt)] = statistics.median(good)
            for mt in METHODS:
                v = r["runs"].get((op, mt), [])
                good = [w for w, rc, _ in v if rc == 0]
                if not good:
                    p("| %s | %s | – | – | %d (%d) | – | – |" % (op, mt, len(v), len(v)))
                    continue
                x = med[(op, mt)]
                rr = "%.2f" % (x / med[(op, "raw")]) if (op, "raw") in med else "–"
                rd = "%.2f" % (x / med[(op, "daxctl")]) if (op, "daxctl") in med else "–"
                p("| %s | %s | %s | %s–%s | %d (%d) | %s | %s |" % (
                    op, mt, ms(x), ms(min(good)), ms(max(good)), len(v),
                    len(v) - len(good), rr, rd))
        if ("remove", "raw") in med and ("remove", "daxctl") in med and \
                ("remove", "memhotctl") in med:
            a = med[("remove", "memhotctl")] / med[("remove", "raw")]
            b = med[("remove", "memhotctl")] / med[("remove", "daxctl")]
            p("\nTargets (remove): ≤ 1.05 × raw: %.3f (%s); ≤ 1.0 × daxctl: %.3f (%s)." % (
                a, "met" if a <= 1.05 else "missed by %.1f %%" % (100 * (a - 1.05)),
                b, "met" if b <= 1.0 else "missed by %.1f %%" % (100 * (b - 1.0))))
        pr = [(op, other, paired(r["runs"], op, "memhotctl", other))
              for op in ("remove", "online") for other in ("raw", "daxctl")]
        pr = [x for x in pr if x[2]]
        if pr:
            p("\nPaired by round (memhotctl's time over the other's in the same round; "
              "median over rounds, min–max): " + "; ".join(
                  "%s × %s %.2f (%.2f–%.2f, %d rounds)" % (op, o, q[0], q[1], q[2], q[3])
                  for op, o, q in pr) + ".")
        if r["kwrites"]:
            p("\nWithout strace: one run per method and op with ftrace's function_graph "
              "tracer limited to the kernel's store functions behind the writes "
              "(state_store, unbind_store, bind_store, new_id_store, remove_id_store), "
              "which stops no syscall. Own overhead = the run's wall time not spent "
              "in those functions, as a fraction of it.\n")
            p("| op | method | wall | in the kernel's writes (n) | own overhead |")
            p("|---|---|---:|---:|---:|")
            for op in ("remove", "online"):
                for mt in METHODS:
                    k, w = r["kwrites"].get((op, mt)), r["ft"].get((op, mt))
                    if k and w and w["rc"] == 0 and w["wall"] > 0:
                        p("| %s | %s | %s | %s (%d) | %.0f %% |" % (
                            op, mt, ms(w["wall"]), ms(k[0]), k[1],
                            100 * (w["wall"] - k[0]) / w["wall"]))
        p("\nUnder strace: syscalls (`strace -c -f`, all processes) and the time spent "
          "inside the kernel's `state`/`unbind`/`bind`/`new_id` writes (`strace -T -y`, "
          "summed). Own overhead (traced) = wall time of the traced run not spent in "
          "those writes, as a fraction of it: strace makes every syscall cost "
          "milliseconds in a TCG guest (and the traced writes themselves ran ~2.5× "
          "slower than untraced ones), so this mostly counts syscalls. Beyond raw = "
          "(median − raw's median) / median, untraced: the share of the wall time "
          "that raw's bare writes do not need (raw's own bash overhead is in "
          "both).\n")
        p("| op | method | syscalls | top syscalls | writes (n) | in writes | per write "
          "| wall traced | own overhead (traced) | beyond raw |")
        p("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
        for op in ("remove", "online"):
            for mt in METHODS:
                c = r["calls"].get((op, mt))
                w = r["writes"].get((op, mt))
                s = r["st"].get((op, mt))
                calls = str(c["total"]) if c and c["total"] is not None else "–"
                top = ", ".join("%s %d" % x for x in c["top"][:4]) if c else "–"
                if w and s:
                    ov_t = (s["wall"] - w[0]) / s["wall"]
                    ov_u = "%.0f %%" % (100 * (1 - med[(op, "raw")] / med[(op, mt)])) \
                        if (op, mt) in med and (op, "raw") in med else "–"
                    p("| %s | %s | %s | %s | %d | %s | %s | %s | %.0f %% | %s |" % (
                        op, mt, calls, top, w[1], ms(w[0]),
                        ms(w[0] / w[1]) if w[1] else "–", ms(s["wall"]), 100 * ov_t, ov_u))
                else:
                    p("| %s | %s | %s | %s | – | – | – | – | – | – |" % (op, mt, calls, top))
        attrs = sorted({a for (_, _, a) in r["by_attr"]})
        if attrs:
            p("\nThe traced writes by sysfs attribute (sum, count, per write):\n")
            p("| op | method | " + " | ".join(attrs) + " |")
            p("|---|---|" + "---:|" * len(attrs))
            for op in ("remove", "online"):
                for mt in METHODS:
                    cells = []
                    for a in attrs:
                        w = r["by_attr"].get((op, mt, a))
                        cells.append("%s, %d, %s" % (ms(w[0]), w[1], ms(w[0] / w[1]))
                                     if w and w[1] else "–")
                    p("| %s | %s | %s |" % (op, mt, " | ".join(cells)))
        if fails:
            p("\nFailed operations (restored by raw writes before going on):\n")
            for l in fails[:20]:
                p("- " + l)
        p("")
    with open(md, "w") as f:
        f.write("\n".join(out) + "\n")


# ---- --ab: binaries side by side ----

by_round = {}	# (label, op, method, round) -> wall, over every file loaded

def ab_load(path, label):
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


def ab_main(args):
    if not args:
        sys.exit(__doc__)
    methods, rows = [], []
    for arg in args:
        label, _, d = arg.partition("=")
        runs, failed = ab_load(os.path.join(d, "vm-b1-ab.data"), label)
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


# ---- --phases: where one run's time goes ----

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


def phases_main(args):
    if not args:
        sys.exit(__doc__)
    d = args[0]
    label = args[1] if len(args) > 1 else d
    # vm-b1.sh phases writes vm-b1.tap; the script it replaced, its own
    tap = os.path.join(d, "vm-b1-phases.tap")
    if not os.path.exists(tap):
        tap = os.path.join(d, "vm-b1.tap")
    tap = open(tap).read()
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


def main():
    args = sys.argv[1:]
    if args and args[0] == "--ab":
        ab_main(args[1:])
    elif args and args[0] == "--phases":
        phases_main(args[1:])
    elif len(args) >= 1 and not args[0].startswith("-"):
        b1_main(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
