#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Small sysroot trees for the CLI tests: mktree.sh OUTDIR makes
# OUTDIR/<name>/ for each tree below. Block size 128 MiB; block N starts
# at N * 0x8000000. Links look like a real machine's (bus -> device,
# driver, dangling memoryN/nodeX).
set -eu

out=${1:?usage: mktree.sh OUTDIR}
BS=134217728

# block ROOT ID STATE VALID_ZONES NODE
block() {
	d=$1/sys/devices/system/memory/memory$2
	mkdir -p "$d"
	printf '%s\n' "$3" >"$d/state"
	printf '%08x\n' "$2" >"$d/phys_index"
	printf '%s\n' "$4" >"$d/valid_zones"
	echo 1 >"$d/removable"
	ln -s "../../node/node$5" "$d/node$5"
}

# blocks ROOT FIRST LAST STATE VALID_ZONES NODE
blocks() {
	i=$2
	while [ "$i" -le "$3" ]; do
		block "$1" "$i" "$4" "$5" "$6"
		i=$((i + 1))
	done
}

# system ROOT POLICY: blocks 0-7 of node 0 (block 0 spans zones), procfs
system() {
	m=$1/sys/devices/system/memory
	mkdir -p "$m" "$1/proc"
	printf '8000000\n' >"$m/block_size_bytes"
	printf '%s\n' "$2" >"$m/auto_online_blocks"
	block "$1" 0 online none 0
	blocks "$1" 1 7 online "DMA32 Normal" 0
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

# dax ROOT NAME DRIVER DEVPATH SIZE TARGET_NODE START:END...
dax() {
	root=$1 name=$2 drv=$3 dpath=$4 size=$5 tnode=$6
	shift 6
	mkdir -p "$root/sys/bus/dax/devices" "$root/sys/bus/dax/drivers/kmem" \
		"$root/sys/bus/dax/drivers/device_dax"
	d=$root/sys/devices/$dpath/$name
	mkdir -p "$d"
	ln -s "../../../devices/$dpath/$name" "$root/sys/bus/dax/devices/$name"
	[ -z "$drv" ] || ln -s "../../../../../../bus/dax/drivers/$drv" "$d/driver"
	echo "$size" >"$d/size"
	echo "$tnode" >"$d/target_node"
	echo 0 >"$d/numa_node"
	n=0
	for r in "$@"; do
		mkdir -p "$d/mapping$n"
		printf '0x%x\n' "${r%%:*}" >"$d/mapping$n/start"
		printf '0x%x\n' "${r##*:}" >"$d/mapping$n/end"
		echo 0 >"$d/mapping$n/page_offset"
		n=$((n + 1))
	done
	printf '0x%x\n' "${1%%:*}" >"$d/resource"
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
