#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Small sysroot trees for the CLI tests: mktree.sh OUTDIR makes
# OUTDIR/<name>/ for each tree below. The helpers (block, blocks, dax)
# are in tests/lib/tree-lib.sh, shared with the library tests' trees.
set -eu

out=${1:?usage: mktree.sh OUTDIR}
# shellcheck source=SCRIPTDIR/../lib/tree-lib.sh
. "$(dirname "$0")/../lib/tree-lib.sh"

# system ROOT POLICY: blocks 0-7 of node 0 (block 0 spans zones), procfs;
# no dax bus, dax() adds it where a tree has a device
system() {
	memory_base "$1" "$2" "DMA32 Normal"
	printf 'MemTotal:        8388608 kB\nMemFree:         6291456 kB\nMemAvailable:    7340032 kB\n' \
		>"$1/proc/meminfo"
	printf '00000000-3fffffff : System RAM\n' >"$1/proc/iomem"
}

# params ROOT: memory_hotplug module parameters and a kernel command line
params() {
	p=$1/sys/module/memory_hotplug/parameters
	mkdir -p "$p"
	echo contig-zones >"$p/online_policy"
	echo 301 >"$p/auto_movable_ratio"
	echo N >"$p/memmap_on_memory"
	echo 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 memhp_default_state=offline movable_node' \
		>"$1/proc/cmdline"
}

NFIT=LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0
R34_38=$((34 * BS)):$((39 * BS - 1))

# two: dax0.0 kmem, blocks 34-38 online Movable; dax1.0 device_dax (no blocks)
t=$out/two; system "$t" offline; params "$t"
dax "$t" dax0.0 kmem "$NFIT" $((5 * BS)) 1 "$R34_38"
blocks "$t" 34 38 online Movable 1
dax "$t" dax1.0 device_dax "platform/hmem.0" $((2 * BS)) 2 \
	$((64 * BS)):$((66 * BS - 1))
printf '110000000-137ffffff : dax0.0\n  110000000-137ffffff : System RAM (kmem)\n' \
	>>"$t/proc/iomem"

# offline: dax0.0 kmem with every block offline, policy online
t=$out/offline; system "$t" online
dax "$t" dax0.0 kmem "$NFIT" $((5 * BS)) 1 "$R34_38"
blocks "$t" 34 38 offline "Movable Normal" 1

# zone-none: memory36 spans zones, the device cannot be offlined
t=$out/zone-none; system "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $((5 * BS)) 1 "$R34_38"
blocks "$t" 34 38 online Movable 1
printf 'none\n' >"$t/sys/devices/system/memory/memory36/valid_zones"

# nodax: memory blocks only, no dax bus at all
t=$out/nodax; system "$t" offline

# bad-state: a state attribute written without O_TRUNC
t=$out/bad-state; system "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $((5 * BS)) 1 "$R34_38"
blocks "$t" 34 38 online Movable 1
printf 'onlinee\n' >"$t/sys/devices/system/memory/memory35/state"
