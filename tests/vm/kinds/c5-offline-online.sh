#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Common, any kind: offline, online, online --zone normal (valid_zones as
# asked), then remove of Normal blocks recorded (0, or 3 rolled back). May
# leave Normal blocks behind: last in its boot. Arg: kind.
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
KIND=${1:-$(kind_default)}
scenario_start "$KIND: offline, online, online --zone normal"
kind_start "$KIND"
before=$(memtotal_kb)
nr=$(nmappings "$DEV")
setup_or_bail "kmem online movable" raw_to_kmem "$DEV" online_movable
with=$(memtotal_kb)

mh offline "$DEV"
is "$MH_RC" 0 "offline exits 0"
check "offline: every block offline" all_blocks "$DEV" offline
is "$(dax_driver "$DEV")" kmem "offline: still kmem"
is "$(kmem_ram_count "$DEV")" "$nr" "offline: ranges still System RAM (kmem)"
is "$(memtotal_kb)" "$before" "offline: MemTotal as without the device"
mh offline "$DEV"
is "$MH_RC" 0 "offline again: exit 0"

mh online "$DEV"
is "$MH_RC" 0 "online exits 0"
check "online: every block online Movable" all_blocks "$DEV" online Movable
is "$(memtotal_kb)" "$with" "online: MemTotal as with the device"
mh online "$DEV" --zone movable
is "$MH_RC" 0 "online again: exit 0"

mh offline "$DEV"
is "$MH_RC" 0 "offline before --zone normal exits 0"
mh online "$DEV" --zone normal
is "$MH_RC" 0 "online --zone normal exits 0"
check "online --zone normal: every block online Normal" all_blocks "$DEV" online Normal
diag "after --zone normal: $(blocks_summary "$DEV")"

dmesg_mark
mh remove "$DEV"
diag "remove of Normal blocks: exit $MH_RC, $(blocks_summary "$DEV"), driver $(dax_driver "$DEV")"
case $MH_RC in
0) removed "$DEV" "$before" "remove after Normal" ;;
3) check "remove after Normal, busy: rolled back to online Normal" all_blocks "$DEV" online Normal
   is "$(dax_driver "$DEV")" kmem "remove after Normal, busy: still kmem" ;;
*) not_ok "remove after Normal exits 0 or 3 (got $MH_RC)" ;;
esac
check "remove after Normal: no leak in dmesg" dmesg_clean
done_testing
