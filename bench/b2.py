#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""B2: memhotctl against lsmem on synthetic sysfs trees of growing size.

Called by bench/run. For each layout (block size) and block count it
generates a tree, checks that both tools read it (block counts and id sums
against the generator's manifest), warms everything up once, then times
R rounds of alternating runs (A B A B ...) through benchtime, which gives
wall time and peak RSS of the command alone. It writes a markdown report,
a data file and a gnuplot PNG of time per block against block count.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

LSMEM_COLS = "RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES"
DEV = "dax0.0"


def log(msg):
    print("b2: " + msg, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, a):
        self.a = a
        self.mh = a.memhotctl if a.memhotctl and os.access(a.memhotctl, os.X_OK) else None
        self.env = dict(os.environ, MEMHOTCTL_RUNDIR=os.path.join(a.work, "run"),
                        LC_ALL="C")
        os.makedirs(self.env["MEMHOTCTL_RUNDIR"], exist_ok=True)

    def once(self, argv, out="/dev/null"):
        r = subprocess.run([self.a.benchtime, "-o", out, "--"] + argv,
                           env=self.env, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("benchtime failed: %s" % r.stderr)
        f = r.stdout.split()
        return {"wall": int(f[0]) / 1e6, "rss": int(f[1]), "user": int(f[2]) / 1e6,
                "sys": int(f[3]) / 1e6, "rc": int(f[4])}

    def capture(self, argv):
        r = subprocess.run(argv, env=self.env, capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr

    def alternate(self, cmds, rounds):
        """cmds: {key: argv}. One warm-up each, then A B C A B C ..."""
        res = {k: [] for k in cmds}
        for argv in cmds.values():
            self.once(argv)
        for _ in range(rounds):
            for k, argv in cmds.items():
                res[k].append(self.once(argv))
        return res


def summary(runs):
    w = [r["wall"] for r in runs]
    m = [r["rss"] for r in runs]
    c = [r["user"] + r["sys"] for r in runs]
    return {"med": statistics.median(w), "min": min(w), "max": max(w),
            "cpu": statistics.median(c), "user": statistics.median(r["user"] for r in runs),
            "sys": statistics.median(r["sys"] for r in runs),
            "rss": statistics.median(m), "rss_max": max(m),
            "rc": sorted({r["rc"] for r in runs}), "n": len(w)}


def paired_ratio(a, b, key="wall"):
    if key == "cpu":
        return statistics.median((x["user"] + x["sys"]) / max(1e-6, y["user"] + y["sys"])
                                 for x, y in zip(a, b))
    return statistics.median(x["wall"] / y["wall"] for x, y in zip(a, b))


def check_lsmem(b, root, man):
    rc, out, err = b.capture(["lsmem", "-J", "--all", "--sysroot", root,
                              "-o", "BLOCK,STATE"])
    if rc:
        return "lsmem rc=%d %s" % (rc, err.strip())
    mem = json.loads(out)["memory"]
    ids = [int(x["block"]) for x in mem]
    online = sum(1 for x in mem if x["state"] == "online")
    if (len(ids), sum(ids), online) != (man["blocks"], man["ids_sum"], man["online"]):
        return "lsmem read %d blocks (id sum %d, %d online), tree has %d (%d, %d)" % (
            len(ids), sum(ids), online, man["blocks"], man["ids_sum"], man["online"])
    return "ok"


def check_mh(b, root, man):
    errs = []
    rc, out, err = b.capture([b.mh, "-j", "status", "--blocks", "--sysroot", root])
    try:
        blk = json.loads(out)["blocks"]
        ids = [x["block"] for x in blk]
        if (len(ids), sum(ids)) != (man["blocks"], man["ids_sum"]):
            errs.append("status --blocks: %d blocks (id sum %d), tree has %d (%d)" % (
                len(ids), sum(ids), man["blocks"], man["ids_sum"]))
    except (ValueError, KeyError, TypeError):
        errs.append("status --blocks -j rc=%d: %s" % (rc, (err or out)[:200].strip()))
    rc, out, err = b.capture([b.mh, "-j", "status", "--sysroot", root, DEV])
    try:
        d = json.loads(out)["devices"][0]
        if d["total_blocks"] != 4 or [x["block"] for x in d["blocks"]] != \
                sorted(x["block"] for x in d["blocks"]):
            errs.append("status %s: total_blocks %s" % (DEV, d["total_blocks"]))
    except (ValueError, KeyError, TypeError, IndexError):
        errs.append("status %s -j rc=%d: %s" % (DEV, rc, (err or out)[:200].strip()))
    rc, out, err = b.capture([b.mh, "-j", "remove", "--dry-run", "--sysroot", root, DEV])
    try:
        o = json.loads(out)
        n = sum(1 for s in o["steps"] if s["step"] == "offline-block")
        if rc or not o["dry_run"] or n != 4:
            errs.append("remove --dry-run: rc=%d, %d offline-block steps" % (rc, n))
    except (ValueError, KeyError, TypeError):
        errs.append("remove --dry-run -j rc=%d: %s" % (rc, (err or out)[:200].strip()))
    return "; ".join(errs) or "ok"


def fmt_t(s):
    if s >= 1:
        return "%.3f s" % s
    return "%.2f ms" % (s * 1e3)


def fmt_s(s):
    return "%s (%s–%s)" % (fmt_t(s["med"]), fmt_t(s["min"]), fmt_t(s["max"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memhotctl")
    ap.add_argument("--benchtime", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--sizes", default="1024,8192,65536")
    ap.add_argument("--layouts", default="128M,2G")
    ap.add_argument("--b1", help="B1 results markdown to include")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite latest.md and the plot from latest.json")
    a = ap.parse_args()
    if a.report_only:
        j = json.load(open(os.path.join(a.out, "latest.json")))
        write_report(a, Bench(a), j["base"], j["rows"],
                     sorted({r["n"] for r in j["rows"]}),
                     list(dict.fromkeys(r["layout"] for r in j["rows"])))
        return
    b = Bench(a)
    here = os.path.dirname(os.path.abspath(__file__))
    sizes = [int(x) for x in a.sizes.split(",")]
    layouts = a.layouts.split(",")
    os.makedirs(a.out, exist_ok=True)
    if not b.mh:
        log("no memhotctl binary: measuring lsmem only")

    base = {}
    cmds = {"lsmem": ["lsmem", "--version"]}
    if b.mh:
        cmds = {"mh": [b.mh, "--version"], **cmds}
    for k, v in b.alternate(cmds, a.rounds).items():
        base[k] = summary(v)

    rows = []
    for lay in layouts:
        for n in sizes:
            root = os.path.join(a.work, "tree-%s-%d" % (lay, n))
            shutil.rmtree(root, ignore_errors=True)
            t0 = time.monotonic()
            subprocess.run([sys.executable, os.path.join(here, "gen-sysroot.py"),
                            "--blocks", str(n), "--block-size", lay, "--node-links",
                            "--out", root], check=True, stdout=subprocess.DEVNULL)
            gen = time.monotonic() - t0
            man = json.load(open(os.path.join(root, "bench-manifest.json")))
            log("%s x %d: generated in %.1f s" % (lay, n, gen))
            row = {"layout": lay, "n": n, "gen": gen,
                   "chk_lsmem": check_lsmem(b, root, man),
                   "chk_mh": check_mh(b, root, man) if b.mh else "n/a"}
            lcols = ["-o", LSMEM_COLS]
            pair = {}
            if b.mh:
                pair["mh_tab"] = [b.mh, "status", "--blocks", "--sysroot", root]
            pair["ls_tab"] = ["lsmem", "--all", "--sysroot", root] + lcols
            if b.mh:
                pair["mh_json"] = [b.mh, "-j", "status", "--blocks", "--sysroot", root]
            pair["ls_json"] = ["lsmem", "-J", "--all", "--sysroot", root] + lcols
            if b.mh:
                pair["mh_dev"] = [b.mh, "status", "--sysroot", root, DEV]
                pair["mh_dry"] = [b.mh, "remove", "--dry-run", "--sysroot", root, DEV]
            runs = b.alternate(pair, a.rounds)
            row["runs"] = runs
            row["s"] = {k: summary(v) for k, v in runs.items()}
            if b.mh:
                row["r_tab"] = paired_ratio(runs["mh_tab"], runs["ls_tab"])
                row["r_json"] = paired_ratio(runs["mh_json"], runs["ls_json"])
                row["c_tab"] = paired_ratio(runs["mh_tab"], runs["ls_tab"], "cpu")
                row["c_json"] = paired_ratio(runs["mh_json"], runs["ls_json"], "cpu")
            rows.append(row)
            log("%s x %d: %s" % (lay, n, "  ".join(
                "%s %s" % (k, fmt_t(v["med"])) for k, v in row["s"].items())))
            shutil.rmtree(root, ignore_errors=True)

    write_report(a, b, base, rows, sizes, layouts)


def per_block(row, key, base=None):
    t = row["s"][key]["med"]
    if base is not None:
        t -= base
    return t / row["n"] * 1e6


def write_report(a, b, base, rows, sizes, layouts):
    out = []
    p = out.append
    mhver = "n/a"
    if b.mh:
        mhver = subprocess.run([b.mh, "--version"], capture_output=True,
                               text=True).stdout.strip()
    lsver = subprocess.run(["lsmem", "--version"], capture_output=True,
                           text=True).stdout.strip()
    p("# memhotctl benchmarks\n")
    p("Generated by `bench/run` on %s; %s, %d CPUs, load average %s at the end." % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), platform.release(),
        os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    p("Tools: `%s` (%s), `%s`. Trees on %s. %d alternating rounds after one "
      "warm-up run of each command; figures are median (min–max) wall time; "
      "RSS is the median peak RSS. Ratios: median of the per-round ratios "
      "(A/B of the same round, side by side).\n" % (
          b.mh or "memhotctl: not built", mhver, lsver, a.work, a.rounds))
    p("## B2 — scale on synthetic sysfs trees (host)\n")
    p("Trees from `bench/gen-sysroot.py`: ids with holes (PCI hole, node gaps, a "
      "devdax device without blocks), 4 system nodes + 4 dax nodes, zones "
      "none/DMA32/Normal/Movable, 4 dax devices with 2–3 mappings each; "
      "`%s` is the 4-block device. lsmem runs with the columns memhotctl "
      "prints (`-o %s`).\n" % (DEV, LSMEM_COLS))
    p("Process start-up alone (`--version`): memhotctl %s, lsmem %s.\n" % (
        fmt_s(base["mh"]) if "mh" in base else "n/a", fmt_s(base["lsmem"])))
    p("Checks: the generated block count, id sum and online count as read back by "
      "`lsmem -J` and by `memhotctl -j status --blocks`; `status %s` must give "
      "4 blocks, `remove --dry-run` 4 offline-block steps.\n" % DEV)

    p("### Trees and checks\n")
    p("| layout | blocks | generated in | lsmem reads it | memhotctl reads it |")
    p("|---|---:|---:|---|---|")
    for r in rows:
        p("| %s | %d | %.1f s | %s | %s |" % (r["layout"], r["n"], r["gen"],
                                            r["chk_lsmem"], r["chk_mh"]))
    for title, mk, lk, rk, ck in (
            ("status --blocks against lsmem --all (table output)",
             "mh_tab", "ls_tab", "r_tab", "c_tab"),
            ("-j status --blocks against lsmem -J --all (JSON output)",
             "mh_json", "ls_json", "r_json", "c_json")):
        p("\n### %s\n" % title)
        p("| layout | blocks | memhotctl wall | lsmem wall | wall ratio | memhotctl CPU "
          "(user+sys) | lsmem CPU | CPU ratio | peak RSS memhotctl / lsmem |")
        p("|---|---:|---|---|---:|---:|---:|---:|---|")
        for r in rows:
            s = r["s"]
            if b.mh:
                p("| %s | %d | %s | %s | **%.2f** | %s | %s | %.2f | %d / %d KiB |" % (
                    r["layout"], r["n"], fmt_s(s[mk]), fmt_s(s[lk]), r[rk],
                    fmt_t(s[mk]["cpu"]), fmt_t(s[lk]["cpu"]), r[ck],
                    s[mk]["rss"], s[lk]["rss"]))
            else:
                p("| %s | %d | n/a | %s | – | n/a | %s | – | – / %d KiB |" % (
                    r["layout"], r["n"], fmt_s(s[lk]), fmt_t(s[lk]["cpu"]),
                    s[lk]["rss"]))
    bad_rc = [(r["layout"], r["n"], k, v["rc"]) for r in rows
              for k, v in r["s"].items() if v["rc"] != [0]]
    if bad_rc:
        p("\nNon-zero exit codes: " + ", ".join("%s/%d %s %s" % x for x in bad_rc))

    p("\n### Time per block (µs): wall, wall net of process start-up, CPU (user+sys)\n")
    keys = [("mh_tab", "mh", "memhotctl status --blocks"),
            ("mh_json", "mh", "memhotctl -j status --blocks"),
            ("ls_tab", "lsmem", "lsmem --all"), ("ls_json", "lsmem", "lsmem -J --all")]
    keys = [k for k in keys if k[1] in base]
    p("| layout | blocks | " + " | ".join(k[2] for k in keys) + " |")
    p("|---|---:|" + "---:|" * len(keys))
    for r in rows:
        p("| %s | %d | " % (r["layout"], r["n"]) + " | ".join(
            "%.1f (net %.1f, CPU %.1f)" % (per_block(r, k), per_block(r, k, base[bk]["med"]),
                                            r["s"][k]["cpu"] / r["n"] * 1e6)
            for k, bk, _ in keys) + " |")

    if b.mh:
        p("\n### status DEV and remove --dry-run DEV (%s, 4 blocks)\n" % DEV)
        p("| layout | blocks | status %s wall | CPU | RSS KiB | remove --dry-run %s wall "
          "| CPU | RSS KiB |" % (DEV, DEV))
        p("|---|---:|---|---:|---:|---|---:|---:|")
        for r in rows:
            s = r["s"]
            p("| %s | %d | %s | %s | %d | %s | %s | %d |" % (
                r["layout"], r["n"], fmt_s(s["mh_dev"]), fmt_t(s["mh_dev"]["cpu"]),
                s["mh_dev"]["rss"], fmt_s(s["mh_dry"]), fmt_t(s["mh_dry"]["cpu"]),
                s["mh_dry"]["rss"]))

    p("\n### Targets\n")
    if b.mh:
        p("| layout | target | measured | met |")
        p("|---|---|---|---|")
        for lay in layouts:
            lr = {r["n"]: r for r in rows if r["layout"] == lay}
            lo, hi = min(lr), max(lr)
            R, L = lr[hi], lr[lo]
            for key, pk, name in (("mh_tab", "r_tab", "table"), ("mh_json", "r_json", "JSON")):
                ck = "c" + pk[1:]
                p("| %s | status --blocks (%s) ≤ 0.5 × lsmem time at %d | wall %.2f × "
                  "(CPU %.2f ×) | %s |" % (lay, name, hi, R[pk], R[ck],
                                           verdict(R[pk] <= 0.5, R[ck] <= 0.5)))
                lk = "ls_tab" if key == "mh_tab" else "ls_json"
                p("| %s | peak RSS (%s) ≤ lsmem's at %d | %d vs %d KiB (%.2f ×) | %s |" % (
                    lay, name, hi, R["s"][key]["rss"], R["s"][lk]["rss"],
                    R["s"][key]["rss"] / R["s"][lk]["rss"],
                    yes(R["s"][key]["rss"] <= R["s"][lk]["rss"])))
                raw = per_block(R, key) / per_block(L, key)
                net = per_block(R, key, base["mh"]["med"]) / per_block(L, key, base["mh"]["med"])
                bc = base["mh"]["cpu"]
                cpu = ((R["s"][key]["cpu"] - bc) / R["n"]) / ((L["s"][key]["cpu"] - bc) / L["n"])
                p("| %s | time per block (%s) flat ±20 %% from %d to %d | wall %.2f ×, "
                  "wall net of start-up %.2f ×, CPU net of start-up %.2f × | %s |" % (
                      lay, name, lo, hi, raw, net, cpu,
                      verdict(0.8 <= net <= 1.2, 0.8 <= cpu <= 1.2)))
            for key, name in (("mh_dev", "status " + DEV), ("mh_dry", "remove --dry-run " + DEV)):
                q = R["s"][key]["med"] / L["s"][key]["med"]
                qc = R["s"][key]["cpu"] / max(1e-6, L["s"][key]["cpu"])
                p("| %s | %s at %d < 2 × its time at %d | wall %.2f × (%s vs %s), "
                  "CPU %.2f × | %s |" % (
                    lay, name, hi, lo, q, fmt_t(R["s"][key]["med"]),
                    fmt_t(L["s"][key]["med"]), qc, verdict(q < 2, qc < 2)))
    else:
        p("memhotctl was not built: targets not evaluated.")

    p("\n![time per block](time-per-block.png)\n")
    if a.b1 and os.path.exists(a.b1):
        p(open(a.b1).read())
    else:
        p("## B1 — hot-remove on a real kernel\n\nNot run in this invocation "
          "(`bench/run --b1` runs it in the QEMU harness).\n")

    with open(os.path.join(a.out, "latest.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(a.out, "latest.json"), "w") as f:
        json.dump({"base": base, "rows": [{k: v for k, v in r.items() if k != "runs"}
                                          for r in rows]}, f, indent=1)
    plot(a, rows, layouts, keys)


def yes(ok):
    return "yes" if ok else "**no**"


def verdict(wall, cpu):
    """Wall time is the target's measure; CPU time tells noise from cost."""
    if wall == cpu:
        return yes(wall)
    return "wall %s, CPU %s" % (yes(wall), yes(cpu))


def plot(a, rows, layouts, keys):
    """Two panels against block count: wall time and CPU time per block."""
    dat = os.path.join(a.out, "time-per-block.dat")
    nk = len(keys)
    with open(dat, "w") as f:
        for lay in layouts:
            f.write("# layout %s: blocks, wall us/block: %s, CPU us/block: same\n" % (
                lay, " ".join(k[0] for k in keys)))
            for r in rows:
                if r["layout"] == lay:
                    f.write("%d " % r["n"] + " ".join(
                        "%.4f" % per_block(r, k[0]) for k in keys) + " " + " ".join(
                        "%.4f" % (r["s"][k[0]]["cpu"] / r["n"] * 1e6) for k in keys) + "\n")
            f.write("\n\n")
    if not shutil.which("gnuplot"):
        log("gnuplot missing: no PNG")
        return
    panels = []
    for off, what in ((2, "wall time"), (2 + nk, "CPU time (user+sys)")):
        lines = []
        for i, lay in enumerate(layouts):
            for j, k in enumerate(keys):
                lines.append("'%s' index %d using 1:%d with linespoints lw 2 dt %d "
                             "lc %d title '%s, %s blocks'" % (
                                 dat, i, j + off, i + 1, j + 1, k[2], lay))
        panels.append("set title 'Median %s per memory block'\nplot %s" % (
            what, ", ".join(lines)))
    gp = """set terminal pngcairo size 1000,1300 noenhanced
set output '%s'
set multiplot layout 2,1
set xlabel 'memory blocks in the tree'
set ylabel 'microseconds per block'
set logscale x 2
set yrange [0:*]
set key outside bottom center horizontal maxrows 4 font ',9'
set grid
%s
unset multiplot
""" % (os.path.join(a.out, "time-per-block.png"), "\n".join(panels))
    r = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
    if r.returncode:
        log("gnuplot failed: " + r.stderr)


if __name__ == "__main__":
    main()
