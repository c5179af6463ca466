#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 6: status --json agrees with sysfs on every block; status
# --blocks agrees with lsmem --all.
. /run/mh/guest-lib.sh
scenario_start "status against sysfs and lsmem"

setup_or_bail "namespaces" nd_reset
a=$(nd_create_devdax 512M) || { echo "Bail out! create-namespace"; exit 1; }
b=$(nd_create_devdax 384M) || { echo "Bail out! create-namespace 2"; exit 1; }
setup_or_bail "kmem online movable" raw_to_kmem "$a" online_movable
# one block offline, so states differ within a device
raw_offline_block "$(dax_blocks "$a" | head -n1)"
diag "$a: $(blocks_summary "$a")"

# node of a block from its nodeN link
block_node() {
	local n
	n=$(ls -d "$SYS_MEM/memory$1"/node* 2>/dev/null | head -n1)
	echo "${n##*node}"
}

check_dev() {
	local dev=$1 j=$2 got want blk
	got=$(jq -r --arg d "$dev" '.devices[] | select(.device == $d) | .driver // ""' <<<"$j")
	want=$(dax_driver "$dev")
	[ "$want" = none ] && want=""
	is "${got:-}" "$want" "$dev: driver as in sysfs"
	got=$(jq -r --arg d "$dev" '.devices[] | select(.device == $d) |
		.mappings[] | "\(.start) \(.end)"' <<<"$j")
	is "$got" "$(dax_ranges "$dev")" "$dev: mappings as in sysfs"
	got=$(jq -r --arg d "$dev" '.devices[] | select(.device == $d) | .size' <<<"$j")
	is "$got" "$(cat "$SYS_DAX/devices/$dev/size")" "$dev: size as in sysfs"
	got=$(jq -r --arg d "$dev" '.devices[] | select(.device == $d) | .target_node' <<<"$j")
	is "$got" "$(dax_target_node "$dev")" "$dev: target_node as in sysfs"
	if [ "$(dax_driver "$dev")" = kmem ]; then
		got=$(jq -r --arg d "$dev" '.devices[] | select(.device == $d) |
			.blocks[] | "\(.block) \(.state) \(.zone) \(.node)"' <<<"$j")
		want=$(for blk in $(dax_blocks "$dev"); do
			echo "$blk $(block_state "$blk") $(block_zones "$blk") $(block_node "$blk")"
		done)
		is "$got" "$want" "$dev: every block's number, state, zone, node as in sysfs"
		got=$(jq -r --arg d "$dev" '.devices[] | select(.device == $d) |
			"\(.online_blocks) \(.total_blocks)"' <<<"$j")
		is "$got" "$(count_state "$dev" online) $(nblocks "$dev")" \
			"$dev: online_blocks and total_blocks as in sysfs"
	fi
}

mh -j status
is "$MH_RC" 0 "status -j exits 0"
j=$MH_OUT
if jq -e . >/dev/null 2>&1 <<<"$j"; then ok "status -j is JSON"; else not_ok "status -j is JSON"; fi
is "$(jq -r .auto_online_blocks <<<"$j")" "$(policy)" "auto_online_blocks as in sysfs"
is "$(jq -r .block_size <<<"$j")" "$(block_size)" "block_size as in sysfs"
is "$(jq -r '[.devices[].device] | sort | join(" ")' <<<"$j")" \
	"$(ls "$SYS_DAX/devices" | sort | tr '\n' ' ' | sed 's/ $//')" "every dax device listed"
check_dev "$a" "$j"
check_dev "$b" "$j"

mh -j status "$a"
is "$(jq -r '[.devices[].device] | join(" ")' <<<"$MH_OUT")" "$a" "status DEV lists that device only"

status_blocks_match_lsmem
is "$(jq '.blocks | length' <<<"$MH_OUT")" "$(ls -d "$SYS_MEM"/memory* | wc -l)" \
	"status --blocks lists every block"

# human output: the lsmem-like table has one row per block
mh status --blocks
is "$MH_RC" 0 "status --blocks exits 0"
mh status
is "$MH_RC" 0 "status exits 0"
diag "$MH_OUT"
done_testing
