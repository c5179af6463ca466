#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, finding 7: a device of more blocks than memhotctl may open
# files. The whole NVDIMM of the nvdimm-big profile (more than 1,024 blocks
# of 128 MiB) as one devdax namespace, its memmap in RAM (-M mem), then
# online and remove under `ulimit -n 256`, soft and hard limit both (so
# raising the soft one cannot help). Judged from sysfs and /proc/iomem.
. /run/mh/guest-lib.sh
scenario_start "online and remove of a device over 1,024 blocks at ulimit -n 256"

# mhl ARGS...: memhotctl under the low limit, bounded by the script's own
mhl() {
	MH_OUT=$( (ulimit -Sn 256 && ulimit -Hn 256 &&
		exec timeout -k 5 1500 "$MEMHOTCTL" --timeout 1400 "$@") 2>/tmp/mh.err)
	MH_RC=$?
	MH_ERR=$(</tmp/mh.err)
	echo "# \$ (ulimit -n 256) memhotctl $* -> exit $MH_RC"
	[ -z "$MH_ERR" ] || diag "  stderr: ${MH_ERR:0:2000}"
}

setup_or_bail "namespaces" nd_reset
t=$SECONDS
j=$(ndctl create-namespace -r region0 -m devdax -M mem -a 2M 2>&1) ||
	{ echo "Bail out! create-namespace: $j"; exit 1; }
dev=$(jq -r '.daxregion.devices[0].chardev' <<<"$j")
n=$(nblocks "$dev")
diag "$dev: $n blocks of $(($(block_size) >> 20)) MiB, namespace made in $((SECONDS - t)) s"
check "$dev has more than 1,024 blocks ($n)" [ "$n" -gt 1024 ]
before=$(memtotal_kb)

t=$SECONDS
mhl online "$dev"
diag "online: $((SECONDS - t)) s"
is "$MH_RC" 0 "online at ulimit -n 256: exit 0"
is "$(dax_driver "$dev")" kmem "online: driver kmem"
is "$(count_state "$dev" online)" "$n" "online: all $n blocks online"
check "online: System RAM (kmem) over the range in /proc/iomem" \
	[ "$(kmem_ram_count "$dev")" -ge 1 ]

t=$SECONDS
dmesg_mark
mhl remove "$dev"
diag "remove: $((SECONDS - t)) s"
is "$MH_RC" 0 "remove at ulimit -n 256: exit 0"
removed "$dev" "$before" "remove at ulimit -n 256"
is "$(ls "$MEMHOTCTL_RUNDIR" 2>/dev/null | grep -c '\.journal$')" 0 "no journal left"
done_testing
