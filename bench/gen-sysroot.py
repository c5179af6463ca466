#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate a synthetic sysroot shaped like a real kernel's memory sysfs.

The tree holds exactly --blocks memoryN directories (ids with holes: the
x86 PCI hole below 4 GiB, gaps between nodes, a devdax device whose range
has no blocks), four system-RAM nodes, and four dax devices on the dax bus:

  dax0.0  nvdimm, kmem, 4 blocks in 2 mappings (mapping1 below mapping0),
          online Movable, target node 4   <- the "4-block device"
  dax1.0  hmem, kmem, 1/8 of the blocks in 3 mappings, online Movable, node 5
  dax2.0  cxl, device_dax (no memory blocks), node 6
  dax3.0  hmem, kmem, 1/8 of the blocks in 2 mappings: the first online
          Normal, the second offline, node 7

It writes plain files through dir fds (no path walks), so 65,536 blocks
generate in seconds. A summary for the benchmark's checks goes to
DIR/bench-manifest.json (outside sys/ and proc/).
"""
import argparse
import json
import os
import sys

SYS_NODES = 4
DAX_NODE = {"dax0.0": 4, "dax1.0": 5, "dax2.0": 6, "dax3.0": 7}
NODE_GAP = 4            # missing ids between two system nodes
DAX_GAP = 2             # missing ids between two mappings of one device
WFLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    s = s.strip().upper().rstrip("B").rstrip("I")
    if s and s[-1] in mult:
        return int(s[:-1]) * mult[s[-1]]
    return int(s, 0)


def put(dfd, name, text, mode=0o444):
    fd = os.open(name, WFLAGS, mode, dir_fd=dfd)
    os.write(fd, text.encode())
    os.close(fd)


def mkdirs(path):
    os.makedirs(path, exist_ok=True)
    return path


def plan(nblocks, bs):
    """Return ([(id, node, state, zones)], {dev: info}) with nblocks present."""
    dax0 = 4
    dax1 = max(3 * 2, nblocks // 8)
    dax3 = max(2 * 2, nblocks // 8)
    nsys = nblocks - dax0 - dax1 - dax3
    if nsys < SYS_NODES * 8:
        sys.exit("gen-sysroot: too few blocks (%d)" % nblocks)

    # The PCI hole: 3 GiB..4 GiB has no memory on x86.
    hole_lo = (3 << 30) // bs
    hole_hi = max(hole_lo, ((4 << 30) // bs) - 1) if bs <= (1 << 30) else -1
    blocks = []
    bid = 0
    per_node = [nsys // SYS_NODES] * SYS_NODES
    per_node[0] += nsys - sum(per_node)
    dma32_end = (4 << 30) // bs      # ids below 4 GiB are DMA32
    for node, count in enumerate(per_node):
        if node:
            bid += NODE_GAP
        for _ in range(count):
            if hole_lo <= bid <= hole_hi:
                bid = hole_hi + 1
            if bid == 0:
                zones = "none"          # spans DMA and DMA32
            elif bid < dma32_end:
                zones = "DMA32"
            else:
                zones = "Normal"
            blocks.append((bid, node, "online", zones))
            bid += 1

    devs = {}

    def device(name, sizes, state_of, zones_of, order=None, present=True):
        nonlocal bid
        bid += NODE_GAP
        maps = []
        for i, n in enumerate(sizes):
            if i:
                bid += DAX_GAP
            maps.append((bid, bid + n - 1))
            if present:
                for k in range(n):
                    blocks.append((bid + k, DAX_NODE[name], state_of(bid + k),
                                   zones_of(bid + k)))
            bid += n
        if order:
            maps = [maps[i] for i in order]
        devs[name] = {"maps": maps, "blocks": sum(sizes) if present else 0}

    # dax0.0: two ranges, the second listed first (mapping1 below mapping0).
    device("dax0.0", [2, 2], lambda b: "online", lambda b: "Movable",
           order=[1, 0])
    device("dax1.0", [dax1 - 2 * (dax1 // 3), dax1 // 3, dax1 // 3],
           lambda b: "online", lambda b: "Movable")
    device("dax2.0", [16], None, None, present=False)
    # dax3.0: first range onlined into Normal, second left offline.
    split = bid + NODE_GAP + (dax3 - dax3 // 2)

    def st3(b):
        return "online" if b < split else "offline"

    def zn3(b):
        return "Normal" if b < split else "Movable Normal"

    device("dax3.0", [dax3 - dax3 // 2, dax3 // 2], st3, zn3)
    blocks.sort()
    assert len(blocks) == nblocks, (len(blocks), nblocks)
    return blocks, devs


def write_tree(root, nblocks, bs, node_links):
    blocks, devs = plan(nblocks, bs)
    sysd = os.path.join(root, "sys")
    memdir = mkdirs(os.path.join(sysd, "devices/system/memory"))
    nodedir = mkdirs(os.path.join(sysd, "devices/system/node"))
    mkdirs(os.path.join(sysd, "bus/memory/devices"))

    mfd = os.open(memdir, os.O_RDONLY | os.O_DIRECTORY)
    put(mfd, "block_size_bytes", "%x\n" % bs)
    put(mfd, "auto_online_blocks", "offline\n", 0o644)
    put(mfd, "uevent", "")
    nodes = sorted({b[1] for b in blocks} | set(DAX_NODE.values()))
    nfds = {}
    for n in nodes:
        d = mkdirs(os.path.join(nodedir, "node%d" % n))
        nfds[n] = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        put(nfds[n], "online", "1\n", 0o644)
    rng = "0-%d\n" % nodes[-1]
    for f in ("online", "possible", "has_memory", "has_normal_memory"):
        put(os.open(nodedir, os.O_RDONLY | os.O_DIRECTORY), f, rng)

    for bid, node, state, zones in blocks:
        name = "memory%d" % bid
        os.mkdir(name, 0o755, dir_fd=mfd)
        bfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=mfd)
        put(bfd, "state", state + "\n", 0o644)
        put(bfd, "online", "1\n" if state == "online" else "0\n", 0o644)
        put(bfd, "phys_index", "%08x\n" % bid)
        put(bfd, "phys_device", "0\n")
        put(bfd, "removable", "1\n")
        put(bfd, "valid_zones", zones + "\n")
        put(bfd, "uevent", "", 0o644)
        os.symlink("../../node/node%d" % node, "node%d" % node, dir_fd=bfd)
        os.symlink("../../../../bus/memory", "subsystem", dir_fd=bfd)
        os.close(bfd)
        if node_links:
            os.symlink("../../memory/" + name, name, dir_fd=nfds[node])
    os.close(mfd)
    for fd in nfds.values():
        os.close(fd)

    write_dax(root, devs, bs)
    write_proc(root, blocks, devs, bs)

    manifest = {
        "blocks": nblocks,
        "block_size": bs,
        "first_id": blocks[0][0],
        "last_id": blocks[-1][0],
        "ids_sum": sum(b[0] for b in blocks),
        "online": sum(1 for b in blocks if b[2] == "online"),
        "nodes": nodes,
        "devices": {k: {"blocks": v["blocks"],
                        "mappings": [[a * bs, (z + 1) * bs - 1]
                                     for a, z in v["maps"]]}
                    for k, v in devs.items()},
    }
    with open(os.path.join(root, "bench-manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


DAX_PARENT = {
    "dax0.0": ("devices/platform/ACPI0012:00/ndbus0/region0", "dax0.0",
               "namespace0.0"),
    "dax1.0": ("devices/platform/hmem.1", None, None),
    "dax2.0": ("devices/platform/ACPI0017:00/root0/decoder0.0/region2",
               "dax_region2", None),
    "dax3.0": ("devices/platform/hmem.3", None, None),
}
DAX_DRIVER = {"dax0.0": "kmem", "dax1.0": "kmem", "dax2.0": "device_dax",
              "dax3.0": "kmem"}


def rel_up(path_from_sys):
    """'../' count to climb from sys/<path> back to sys/."""
    return "../" * len(path_from_sys.split("/"))


def write_dax(root, devs, bs):
    sysd = os.path.join(root, "sys")
    busdev = mkdirs(os.path.join(sysd, "bus/dax/devices"))
    for drv in ("kmem", "device_dax"):
        mkdirs(os.path.join(sysd, "bus/dax/drivers", drv))
    for name, info in devs.items():
        parent, mid, ns = DAX_PARENT[name]
        reldir = parent + ("/" + mid if mid else "") + "/" + name
        ddir = mkdirs(os.path.join(sysd, reldir))
        if ns:
            mkdirs(os.path.join(sysd, parent, ns))
        rdir = mkdirs(os.path.join(os.path.dirname(ddir), "dax_region"))
        rfd = os.open(rdir, os.O_RDONLY | os.O_DIRECTORY)
        put(rfd, "id", "%s\n" % name[3:].split(".")[0])
        put(rfd, "align", "2097152\n")
        os.close(rfd)
        dfd = os.open(ddir, os.O_RDONLY | os.O_DIRECTORY)
        up = rel_up(reldir)
        maps = info["maps"]
        size = sum((z - a + 1) * bs for a, z in maps)
        put(dfd, "size", "%d\n" % size, 0o644)
        put(dfd, "resource", "0x%x\n" % (maps[0][0] * bs))
        put(dfd, "target_node", "%d\n" % DAX_NODE[name])
        put(dfd, "numa_node", "0\n")
        put(dfd, "align", "2097152\n", 0o644)
        put(dfd, "modalias", "dax:t0*\n")
        put(dfd, "uevent", "DEVNAME=%s\nDRIVER=%s\n" % (name, DAX_DRIVER[name]),
            0o644)
        os.symlink(up + "bus/dax/drivers/" + DAX_DRIVER[name], "driver",
                   dir_fd=dfd)
        os.symlink(up + "bus/dax", "subsystem", dir_fd=dfd)
        off = 0
        for i, (a, z) in enumerate(maps):
            os.mkdir("mapping%d" % i, 0o755, dir_fd=dfd)
            mfd = os.open("mapping%d" % i, os.O_RDONLY | os.O_DIRECTORY,
                          dir_fd=dfd)
            put(mfd, "start", "0x%x\n" % (a * bs))
            put(mfd, "end", "0x%x\n" % ((z + 1) * bs - 1))
            put(mfd, "page_offset", "0x%x\n" % (off // 4096))
            off += (z - a + 1) * bs
            os.close(mfd)
        os.close(dfd)
        os.symlink("../../../" + reldir, os.path.join(busdev, name))
        os.symlink("../../../../" + reldir,
                   os.path.join(sysd, "bus/dax/drivers", DAX_DRIVER[name], name))


def write_proc(root, blocks, devs, bs):
    proc = mkdirs(os.path.join(root, "proc"))
    with open(os.path.join(proc, "cmdline"), "w") as f:
        f.write("BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ro quiet\n")
    params = mkdirs(os.path.join(root, "sys/module/memory_hotplug/parameters"))
    for k, v in (("memmap_on_memory", "N"), ("online_policy", "contig-zones"),
                 ("auto_movable_ratio", "301"),
                 ("auto_movable_numa_aware", "Y")):
        with open(os.path.join(params, k), "w") as f:
            f.write(v + "\n")
    total = sum(1 for b in blocks if b[2] == "online") * bs // 1024
    with open(os.path.join(proc, "meminfo"), "w") as f:
        f.write("MemTotal:       %8d kB\nMemFree:        %8d kB\n"
                "MemAvailable:   %8d kB\n" % (total, total * 9 // 10,
                                              total * 9 // 10))
    # Runs of consecutive ids are one "System RAM" range, as in a real iomem.
    dax_of = {}
    for name, info in devs.items():
        for a, z in info["maps"]:
            for b in range(a, z + 1):
                dax_of[b] = name
    lines = ["00000000-00000fff : Reserved"]
    run = None
    for bid, _n, _s, _z in blocks + [(None, 0, "", "")]:
        key = dax_of.get(bid)
        if run and bid == run[1] + 1 and key == run[2]:
            run[1] = bid
            continue
        if run:
            lo, hi = run[0] * bs, (run[1] + 1) * bs - 1
            if lo == 0:
                lo = 0x1000
            if run[2]:
                lines.append("%08x-%08x : %s" % (lo, hi, run[2]))
                lines.append("  %08x-%08x : System RAM (kmem)" % (lo, hi))
            else:
                lines.append("%08x-%08x : System RAM" % (lo, hi))
        run = [bid, bid, key] if bid is not None else None
    with open(os.path.join(proc, "iomem"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, required=True)
    ap.add_argument("--block-size", default="128M")
    ap.add_argument("--node-links", action="store_true",
                    help="also node/nodeX/memoryN links")
    ap.add_argument("--out", required=True, help="new directory")
    a = ap.parse_args()
    bs = parse_size(a.block_size)
    if bs & (bs - 1):
        sys.exit("gen-sysroot: block size must be a power of two")
    if os.path.exists(a.out) and os.listdir(a.out):
        sys.exit("gen-sysroot: %s exists and is not empty" % a.out)
    os.makedirs(a.out, exist_ok=True)
    m = write_tree(a.out, a.blocks, bs, a.node_links)
    print(json.dumps({"blocks": m["blocks"], "block_size": bs,
                      "last_id": m["last_id"]}))


if __name__ == "__main__":
    main()
