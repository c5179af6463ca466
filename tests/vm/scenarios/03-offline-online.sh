#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 3: offline then online, and online --zone normal: valid_zones
# afterwards as asked. Leaves Normal blocks behind: run last in its boot.
. /run/mh/guest-lib.sh
scenario_start "offline, online, online --zone normal"

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 768M) || { echo "Bail out! create-namespace"; exit 1; }
before=$(memtotal_kb)
setup_or_bail "kmem online movable" raw_to_kmem "$dev" online_movable
with=$(memtotal_kb)

mh offline "$dev"
is "$MH_RC" 0 "offline exits 0"
check "offline: every block offline" all_blocks "$dev" offline
is "$(dax_driver "$dev")" kmem "offline: still bound to kmem"
is "$(kmem_ram_count "$dev")" 1 "offline: range still System RAM (kmem)"
is "$(memtotal_kb)" "$before" "offline: MemTotal back to its value without the device"

mh offline "$dev"
is "$MH_RC" 0 "offline again: nothing to do, exit 0"
check "offline again: every block offline" all_blocks "$dev" offline

mh online "$dev"
is "$MH_RC" 0 "online exits 0"
check "online: every block online, valid_zones Movable" all_blocks "$dev" online Movable
is "$(memtotal_kb)" "$with" "online: MemTotal as with the device online"
diag "after online: $(blocks_summary "$dev")"

mh online "$dev" --zone movable
is "$MH_RC" 0 "online again: nothing to do, exit 0"

mh offline "$dev"
is "$MH_RC" 0 "offline before --zone normal exits 0"
mh online "$dev" --zone normal
is "$MH_RC" 0 "online --zone normal exits 0"
check "online --zone normal: every block online, valid_zones Normal" \
	all_blocks "$dev" online Normal
diag "after online --zone normal: $(blocks_summary "$dev")"
is "$(dax_driver "$dev")" kmem "online --zone normal: driver kmem"

# Normal blocks may hold unmovable pages by now: record what remove does.
dmesg_mark
mh remove "$dev"
diag "remove of Normal blocks: exit $MH_RC, blocks $(blocks_summary "$dev"), driver $(dax_driver "$dev")"
case $MH_RC in
0) removed "$dev" "$before" "remove after Normal" ;;
3) check "remove after Normal, busy: rolled back to online" all_blocks "$dev" online Normal
   is "$(dax_driver "$dev")" kmem "remove after Normal, busy: still kmem" ;;
*) not_ok "remove after Normal exits 0 or 3 (got $MH_RC)" ;;
esac
check "remove after Normal: no leak in dmesg" dmesg_clean
done_testing
