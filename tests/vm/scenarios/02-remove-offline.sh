#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 2: remove when every block is already offline, and when half are.
. /run/mh/guest-lib.sh
scenario_start "remove, blocks already offline"

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 768M) || { echo "Bail out! create-namespace"; exit 1; }
before=$(memtotal_kb)

setup_or_bail "kmem, all offline" raw_to_kmem "$dev" offline
check "setup: every block offline" all_blocks "$dev" offline
dmesg_mark
mh remove "$dev"
is "$MH_RC" 0 "all offline: remove exits 0"
removed "$dev" "$before" "all offline"

setup_or_bail "kmem online" raw_to_kmem "$dev" online_movable
n=0
for b in $(dax_blocks "$dev"); do
	[ $((n++ % 2)) = 0 ] && raw_offline_block "$b"
done
diag "half offline: $(blocks_summary "$dev")"
is "$(count_state "$dev" offline)" $(((n + 1) / 2)) "setup: half the blocks offline"
dmesg_mark
mh remove "$dev"
is "$MH_RC" 0 "half offline: remove exits 0"
removed "$dev" "$before" "half offline"
done_testing
