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

# The block steps in the plan's order, taken by the real kernel: offline
# upwards with the lowest block last, online downwards (each keeps the
# kernel's walk over the zone after every change short; see plan.c).
mapfile -t blocks < <(dax_blocks "$dev")
setup_or_bail "kmem for the order checks" raw_to_kmem "$dev" online_movable
dmesg_mark
mh -v remove "$dev"
is "$MH_RC" 0 "remove -v exits 0"
is "$(steps_started | tr '\n' ' ')" \
	"$(for b in "${blocks[@]:1}" "${blocks[0]}"; do printf 'offline-block memory%s ' "$b"; done)" \
	"offline order: memory${blocks[1]} up to memory${blocks[-1]}, then memory${blocks[0]}"
removed "$dev" "$before" "remove -v"
mh -v online "$dev" --zone movable
is "$MH_RC" 0 "online -v exits 0"
is "$(steps_started | tr '\n' ' ')" \
	"$(for ((i = ${#blocks[@]} - 1; i >= 0; i--)); do printf 'online-block memory%s ' "${blocks[i]}"; done)" \
	"online order: memory${blocks[-1]} down to memory${blocks[0]}"
check "online -v: every block online Movable" all_blocks "$dev" online Movable
dmesg_mark
mh remove "$dev"
is "$MH_RC" 0 "remove after the online -v exits 0"
removed "$dev" "$before" "remove after the online -v"

# kmem not loaded: online loads it, through libkmod (opened only then).
if rmmod kmem 2>/dev/null; then
	check "kmem unloaded for the test" test ! -d /sys/module/kmem
	mh online "$dev" --zone movable
	is "$MH_RC" 0 "online with kmem unloaded exits 0"
	check "online loaded the kmem module" test -d /sys/module/kmem
	is "$(dax_driver "$dev")" kmem "online with kmem unloaded: driver kmem"
	check "online with kmem unloaded: every block online Movable" \
		all_blocks "$dev" online Movable
	mh remove "$dev"
	is "$MH_RC" 0 "remove after that exits 0"
	removed "$dev" "$before" "remove after kmem was loaded by online"
else
	skip "kmem cannot be unloaded here: $(lsmod | awk '$1 == "kmem"')"
fi
modprobe kmem 2>/dev/null	# for the scripts after this one, whatever happened
done_testing
