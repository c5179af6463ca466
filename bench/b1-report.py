#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""B1 summary: OUT.md from the guests' vm-b1.data/.writes/strace files.

usage: b1-report.py OUT.md SERIES=DIR...
"""
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


def main():
    md = sys.argv[1]
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
    for arg in sys.argv[2:]:
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


if __name__ == "__main__":
    main()
