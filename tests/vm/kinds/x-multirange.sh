#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A device of three ranges whose mapping1 lies below mapping0: online onlines
# every block of every range, status counts them all, remove takes all of
# them out and nothing leaks. A tool that derives blocks from resource+size
# sees only mapping0's start onwards and fails here (mutant-resource-size.sh).
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
scenario_start "multirange: every block of every range"
kind_start multirange
m0=$(($(cat "$SYS_DAX/devices/$DEV/mapping0/start")))
m1=$(($(cat "$SYS_DAX/devices/$DEV/mapping1/start" 2>/dev/null || echo 0)))
nr=$(nmappings "$DEV")
check "setup: $nr mappings (>= 2)" test "$nr" -ge 2
check "setup: mapping1 lies below mapping0" test "$m1" -lt "$m0"
res=$(($(cat "$SYS_DAX/devices/$DEV/resource" 2>/dev/null || echo 0)))
diag "resource $(printf '%#x' "$res") size $(cat "$SYS_DAX/devices/$DEV/size")"
before=$(memtotal_kb)
o=$(others "$DEV")
n=$(nblocks "$DEV")

mh online "$DEV"
is "$MH_RC" 0 "online exits 0"
check "online: all $n blocks of all ranges online Movable" all_blocks "$DEV" online Movable
diag "$(blocks_summary "$DEV")"
is "$(kmem_ram_count "$DEV")" "$nr" "online: one System RAM (kmem) per range"
is "$(others "$DEV")" "$o" "online: no other block changed"
mh -j status "$DEV"
is "$(jq -r '.devices[0] | "\(.total_blocks) \(.online_blocks) \(.missing_blocks)"' <<<"$MH_OUT")" \
	"$n $n 0" "status: total/online/missing blocks"
is "$(jq -r '[.devices[0].blocks[].block] | join(" ")' <<<"$MH_OUT")" \
	"$(dax_blocks "$DEV" | tr '\n' ' ' | sed 's/ $//')" "status: block list = every range's blocks"

dmesg_mark
mh remove "$DEV"
is "$MH_RC" 0 "remove exits 0"
removed "$DEV" "$before" "remove"
is "$(grep -c 'System RAM (kmem)' /proc/iomem)" 0 "remove: no System RAM (kmem) anywhere in /proc/iomem"

# half the blocks offline, the low range's among them
setup_or_bail "kmem online" raw_to_kmem "$DEV" online_movable
i=0
for b in $(dax_blocks "$DEV"); do [ $((i++ % 2)) = 1 ] && raw_offline_block "$b"; done
diag "half offline: $(blocks_summary "$DEV")"
mh offline "$DEV"
is "$MH_RC" 0 "offline (half offline) exits 0"
check "offline: every block offline" all_blocks "$DEV" offline
dmesg_mark
mh remove "$DEV"
is "$MH_RC" 0 "remove (offline) exits 0"
removed "$DEV" "$before" "remove offline"
check "no 'cannot be hotremoved' in the whole dmesg" eval "! dmesg | grep -q 'cannot be hotremoved'"
done_testing
