#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# f7: not enough free memory elsewhere. Node 0 (2 GiB) is filled with tmpfs
# data bound there until ~300 MiB stay free, and the device's node with
# ~560 MiB of tmpfs data bound there (shmem pages: movable, not reclaimable
# without swap, not counted in MemAvailable). Offlining the device would have
# to migrate 560 MiB into 300 MiB: the kernel would spin in offline_pages().
# memhotctl must see it before it starts and refuse with exit 1, changing
# nothing; with --force (opt-in, see below) it should end at the deadline,
# rolled back (3).
# With the device's data gone the same remove proceeds (not over-cautious).
#   f7-no-room.sh [FREE_MIB_LEFT_ON_NODE0] [MIB_USED_ON_DEVICE] [force]
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

left=${1:-300} used=${2:-560} force=${3:-}
have_memhotctl || { echo "Bail out! no memhotctl"; exit 1; }
dev=$(fault_setup_dev 768M online_movable)
setup_or_bail "kmem device" test -n "$dev"
node=$(dax_target_node "$dev")
node_free() { awk '/MemFree/ {print int($4 / 1024)}' "/sys/devices/system/node/node$1/meminfo"; }
avail() { awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo; }
fill() {	# fill NODE MIB DIR
	mkdir -p "$3" && mount -t tmpfs -o size=2g tmpfs "$3" &&
		numactl --membind="$1" dd if=/dev/zero of="$3/fill" bs=1M count="$2" status=none
}
setup_or_bail "fill node $node with $used MiB" fill "$node" "$used" /tmp/f7dev
n0=$(($(node_free 0) - left))
setup_or_bail "fill node 0 with $n0 MiB" fill 0 "$n0" /tmp/f7n0
sync; echo 3 >/proc/sys/vm/drop_caches
diag "node0 free $(node_free 0) MiB, node$node free $(node_free "$node") MiB, MemAvailable $(avail) MiB," \
	"device online $(($(count_state "$dev" online) * $(block_size) >> 20)) MiB"
echo "# measure: f7 node0 free $(node_free 0) MiB, node$node free $(node_free "$node") MiB, MemAvailable $(avail) MiB"

before=$(snap "$dev")
dmesg_mark
mh_timed -j --timeout 60 remove "$dev"
F_FAULTS=$((F_FAULTS + 1))
is "$MH_RC" 1 "remove refuses: exit 1"
check "refused before changing anything (quick: $MH_SECS s)" le "$MH_SECS" 10
is "$(snap "$dev")" "$before" "nothing changed"
check "no offline was attempted (dmesg)" bash -c "! dmesg | tail -n +$((DMESG_MARK + 1)) | grep -qi offlin"
check "message says memory is short" bash -c 'grep -qiE "memory|room|available" <<<"$1"' _ "$(json_get .message) $MH_ERR"
diag "message: $(json_get .message)"

mh_timed -j --dry-run remove "$dev"
check "dry-run reports the refusal too (exit $MH_RC)" test "$MH_RC" = 1

# --force really tries. Opt-in: on 6.1 (loaded TCG host) it drove the guest
# into soft lockups ("BUG: soft lockup - CPU#1 stuck for 23s! [memhotctl]")
# and RCU stalls while offline_pages() migrated into a nearly full node 0,
# for minutes, past --timeout 20. That is the refusal's reason to exist.
if [ "$force" = force ]; then
	mh_timed -j --force --timeout 20 remove "$dev"
	F_FAULTS=$((F_FAULTS + 1))
	is "$MH_RC" 3 "--force: tries, ends at the deadline with exit 3"
	check "--force ended within 20 + 3 s ($MH_SECS s)" le "$MH_SECS" 23
	is "$(snap "$dev")" "$before" "--force: rolled back"
	check "no leak" dmesg_clean
	diag "node0 free after: $(node_free 0) MiB"
else
	skip "--force run (pass 'force' as the third argument)"
fi

# The device's own data gone: it fits now, even with node 0 still full.
rm -f /tmp/f7dev/fill
diag "node0 free $(node_free 0) MiB, node$node free $(node_free "$node") MiB, MemAvailable $(avail) MiB"
mh_timed -j --timeout 120 remove "$dev"
is "$MH_RC" 0 "with room again, remove exits 0"
is "$(end_state "$dev" "$before")" removed "device removed"
umount /tmp/f7dev /tmp/f7n0
count_report
done_testing
