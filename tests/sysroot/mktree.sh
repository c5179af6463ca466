#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the sysfs/procfs trees the library tests read: mktree.sh OUTDIR
# makes OUTDIR/<scenario>/ for every scenario below. Trees are generated
# rather than stored so that links look like a real machine's; the helpers
# (block, blocks, dax) are in tests/lib/tree-lib.sh, shared with the CLI's.
set -eu

out=${1:?usage: mktree.sh OUTDIR}
# shellcheck source=SCRIPTDIR/../lib/tree-lib.sh
. "$(dirname "$0")/../lib/tree-lib.sh"
# shellcheck disable=SC2034 # read by block() in tree-lib.sh
TREE_ONLINE_ATTR=1	# these trees have memoryN/online; the CLI ones do not

# base ROOT POLICY: memory dir, system blocks 0-7 (0 spans zones), procfs,
# and the dax bus even where no device is on it
base() {
	memory_base "$1" "$2" Normal
	dax_bus "$1"
	cat >"$1/proc/meminfo" <<-EOM
	MemTotal:        1048576 kB
	MemFree:          524288 kB
	MemAvailable:     786432 kB
	EOM
	cat >"$1/proc/iomem" <<-EOM
	00000000-00000fff : Reserved
	00001000-3fffffff : System RAM
	  01000000-01ffffff : Kernel code
	EOM
}

NFIT=LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0/dax0.0
# blocks 34-38: 0x110000000-0x137ffffff (5 blocks, 640 MiB)
R34_38=$((34 * BS)):$((39 * BS - 1))
SZ5=$((5 * BS))

t=$out/kmem-movable; base "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $SZ5 1 "$R34_38"
blocks "$t" 34 38 online Movable 1
# per-node meminfo, as nodeN/meminfo prints it: node 1 is the device's
for n in 0:1048576:262144 1:655360:524288; do
	mkdir -p "$t/sys/devices/system/node/node${n%%:*}"
	printf 'Node %s MemTotal:  %8s kB\nNode %s MemFree:   %8s kB\nNode %s MemUsed: 0 kB\n' \
		"${n%%:*}" "$(echo "$n" | cut -d: -f2)" "${n%%:*}" "${n##*:}" "${n%%:*}" \
		>"$t/sys/devices/system/node/node${n%%:*}/meminfo"
done
printf '110000000-137ffffff : dax0.0\n  110000000-137ffffff : System RAM (kmem)\n' \
	>>"$t/proc/iomem"

t=$out/already-offline; base "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $SZ5 1 "$R34_38"
blocks "$t" 34 38 offline "Movable Normal" 1

t=$out/half-offline; base "$t" online_movable
dax "$t" dax0.0 kmem "$NFIT" $SZ5 1 "$R34_38"
blocks "$t" 34 35 offline "Movable Normal" 1
blocks "$t" 36 38 online Movable 1

# device_dax: kmem has not added the blocks, so none exist
t=$out/devdax; base "$t" online
dax "$t" dax0.0 device_dax "$NFIT" $SZ5 1 "$R34_38"

# no driver at all, policy offline: online needs no set-policy, no unbind
t=$out/nodriver; base "$t" offline
dax "$t" dax0.0 "" "platform/hmem.0" $SZ5 1 "$R34_38"

# two ranges, mapping1 (blocks 50-51) below mapping0 (blocks 60-61)
t=$out/multirange; base "$t" offline
dax "$t" dax1.0 kmem "platform/hmem.1" $((4 * BS)) 2 \
	$((60 * BS)):$((62 * BS - 1)) $((50 * BS)):$((52 * BS - 1))
blocks "$t" 50 51 online Movable 2
blocks "$t" 60 61 online Movable 2
blocks "$t" 52 59 online Normal 0	# between the ranges: not the device's
# node side links, as on a live system; memory61's is left out on purpose
for i in 0 1 2 3 4 5 6 7 52 53 54 55 56 57 58 59 50 51 60; do
	n=0
	case $i in 50|51|60) n=2 ;; esac
	mkdir -p "$t/sys/devices/system/node/node$n"
	ln -s "../../memory/memory$i" "$t/sys/devices/system/node/node$n/memory$i"
done

# 2 MiB into block 34 to 1 MiB into block 39: whole blocks 35-38 only
t=$out/partial; base "$t" offline
dax "$t" dax0.0 kmem "platform/e820_pmem/ndbus0/region0/dax0.0" \
	$((5 * BS - 1048576)) 1 $((34 * BS + 2097152)):$((39 * BS + 1048575))
block "$t" 34 online Normal 0
blocks "$t" 35 38 online Movable 1
block "$t" 39 online Normal 0

# memory40 spans zones
t=$out/zone-none; base "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $SZ5 1 $((38 * BS)):$((43 * BS - 1))
blocks "$t" 38 39 online Movable 1
block "$t" 40 online none 1
blocks "$t" 41 42 online Movable 1

# online in a kernel zone: removable, with a warning
t=$out/kmem-normal; base "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $SZ5 1 "$R34_38"
blocks "$t" 34 38 online Normal 1

# smaller than a block (CXL region): no whole block
t=$out/noblock; base "$t" offline
dax "$t" dax0.0 device_dax \
	"platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0" \
	67108864 1 $((34 * BS)):$((34 * BS + 67108863))

# malformed: a state attribute written without O_TRUNC
t=$out/bad-state; base "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $SZ5 1 "$R34_38"
blocks "$t" 34 38 online Movable 1
printf 'onlinee\n' >"$t/sys/devices/system/memory/memory35/state"

# malformed: phys_index with 0x, a mapping end that is not hex
t=$out/bad-index; base "$t" offline
printf '0x3\n' >"$t/sys/devices/system/memory/memory3/phys_index"
t=$out/bad-mapping; base "$t" offline
dax "$t" dax0.0 kmem "$NFIT" $SZ5 1 "$R34_38"
blocks "$t" 34 38 online Movable 1
echo 'junk' >"$t/sys/devices/$NFIT/dax0.0/mapping0/end"

# holes and large ids (like an arm64 machine at 1 TiB); absolute bus link
t=$out/holes; base "$t" offline
blocks "$t" 8192 8195 online DMA 0
blocks "$t" 8198 8199 offline "DMA" 0
ln -s /sys/devices/platform/hmem.0/dax0.0 "$t/sys/bus/dax/devices/dax0.0"
d=$t/sys/devices/platform/hmem.0/dax0.0
mkdir -p "$d/mapping0"
ln -s ../../../../bus/dax/drivers/kmem "$d/driver"
echo $((2 * BS)) >"$d/size"
printf '0x%x\n' $((8198 * BS)) >"$d/mapping0/start"
printf '0x%x\n' $((8200 * BS - 1)) >"$d/mapping0/end"
exit 0
