#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Common, any kind: status -j agrees with sysfs (driver, kind and backing from
# the device's path, mappings, every block's state/zone/node), status --blocks
# with lsmem --all. Arg: kind.
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
KIND=${1:-$(kind_default)}
scenario_start "$KIND: status against sysfs and lsmem"
kind_start "$KIND"
want_kind=$KIND
[ "$KIND" = multirange ] && want_kind=hmem

block_node() {
	local n
	n=$(ls -d "$SYS_MEM/memory$1"/node* 2>/dev/null | head -n1)
	echo "${n##*node}"
}
check_status() {
	local l=$1 j o want w
	mh -j status
	is "$MH_RC" 0 "$l: status -j exits 0"
	j=$MH_OUT
	o=$(mh_dev_json "$DEV" "$j")
	diag "$l: $o" | cut -c1-400
	is "$(jq -r .kind <<<"$o")" "$want_kind" "$l: kind $want_kind (path $(dax_path "$DEV"))"
	w=$(jq -r .backing <<<"$o")
	bad=
	[ -n "$w" ] || bad="empty"
	for x in $w; do
		[[ $x =~ [0-9]$ ]] || continue
		if [[ $x == namespace* ]]; then
			# not in the path: the nd parent device's namespace attribute
			[ "$(cat "$SYS_DAX/devices/$DEV/../namespace" 2>/dev/null)" = "$x" ] ||
				bad+=" '$x' not the nd parent's namespace"
			continue
		fi
		[[ "/$(dax_path "$DEV")/" == */"$x"/* ]] || bad+=" '$x' not in path"
	done
	is "${bad:-ok}" ok "$l: backing '$w' names components of the device path"
	want=$(dax_driver "$DEV")
	[ "$want" = none ] && want=
	is "$(jq -r '.driver // ""' <<<"$o")" "$want" "$l: driver as in sysfs"
	is "$(jq -r '.mappings[] | "\(.start) \(.end)"' <<<"$o")" "$(dax_ranges "$DEV")" \
		"$l: mappings as in sysfs"
	is "$(jq -r .size <<<"$o")" "$(cat "$SYS_DAX/devices/$DEV/size")" "$l: size"
	is "$(jq -r .target_node <<<"$o")" "$(dax_target_node "$DEV")" "$l: target_node"
	if [ "$(dax_driver "$DEV")" = kmem ]; then
		want=$(for b in $(dax_blocks "$DEV"); do
			echo "$b $(block_state "$b") $(block_zones "$b") $(block_node "$b")"
		done)
		is "$(jq -r '.blocks[] | "\(.block) \(.state) \(.zone) \(.node)"' <<<"$o")" "$want" \
			"$l: every block's number, state, zone, node as in sysfs"
		is "$(jq -r '"\(.online_blocks) \(.total_blocks) \(.missing_blocks)"' <<<"$o")" \
			"$(count_state "$DEV" online) $(nblocks "$DEV") 0" "$l: online/total/missing blocks"
	fi
}

setup_or_bail "kmem online movable" raw_to_kmem "$DEV" online_movable
raw_offline_block "$(dax_blocks "$DEV" | head -n1)"
check_status kmem
is "$(jq -r .removable <<<"$(mh_dev_json "$DEV" "$MH_OUT")")" true "kmem movable: removable true"

status_blocks_match_lsmem
mh status "$DEV"
is "$MH_RC" 0 "status (human) exits 0"
diag "$MH_OUT"
setup_or_bail "back to devdax" raw_to_devdax "$DEV"
done_testing
