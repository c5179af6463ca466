#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 1: remove a kmem device whose blocks are all online movable.
. /run/mh/guest-lib.sh
scenario_start "remove, every block online movable"

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 768M) || { echo "Bail out! create-namespace"; exit 1; }
before=$(memtotal_kb)
setup_or_bail "kmem online movable" raw_to_kmem "$dev" online_movable
diag "blocks: $(blocks_summary "$dev")"
check "setup: every block online Movable" all_blocks "$dev" online Movable
is "$(kmem_ram_count "$dev")" 1 "setup: System RAM (kmem) in /proc/iomem"

dmesg_mark
mh remove "$dev"
is "$MH_RC" 0 "remove exits 0"
removed "$dev" "$before" "remove"
diag "after: $(blocks_summary "$dev")"

# The same through JSON, to check the object's outcome against sysfs.
setup_or_bail "kmem again" raw_to_kmem "$dev" online_movable
dmesg_mark
mh -j remove "$dev"
is "$MH_RC" 0 "remove -j exits 0"
is "$(jq -r .outcome <<<"$MH_OUT" 2>/dev/null)" "done" "remove -j outcome done"
removed "$dev" "$before" "remove -j"
done_testing
