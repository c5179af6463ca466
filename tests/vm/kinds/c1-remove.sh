#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Common, any kind: remove with every block online movable, with every block
# already offline, with half of them offline. Arg: kind (default: profile's).
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
KIND=${1:-$(kind_default)}
scenario_start "$KIND: remove (online, all offline, half offline)"
kind_start "$KIND"
before=$(memtotal_kb)
nr=$(nmappings "$DEV")

setup_or_bail "kmem online movable" raw_to_kmem "$DEV" online_movable
check "setup: every block online Movable" all_blocks "$DEV" online Movable
is "$(kmem_ram_count "$DEV")" "$nr" "setup: one System RAM (kmem) per mapping"
dmesg_mark
mh remove "$DEV"
is "$MH_RC" 0 "online: remove exits 0"
removed "$DEV" "$before" "online"

setup_or_bail "kmem, all offline" raw_to_kmem "$DEV" offline
check "setup: every block offline" all_blocks "$DEV" offline
dmesg_mark
mh remove "$DEV"
is "$MH_RC" 0 "all offline: remove exits 0"
removed "$DEV" "$before" "all offline"

setup_or_bail "kmem online" raw_to_kmem "$DEV" online_movable
n=0
for b in $(dax_blocks "$DEV"); do
	[ $((n++ % 2)) = 0 ] && raw_offline_block "$b"
done
diag "half offline: $(blocks_summary "$DEV")"
dmesg_mark
mh -j remove "$DEV"
is "$MH_RC" 0 "half offline: remove -j exits 0"
is "$(jq -r .outcome <<<"$MH_OUT" 2>/dev/null)" "done" "half offline: outcome done"
removed "$DEV" "$before" "half offline"
done_testing
