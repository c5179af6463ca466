#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CXL type-3 pmem: status names the kind "cxl", what backs it and the CXL
# region and memdevs (against cxl list); online,
# offline and remove work on it. Emulated CXL memory is very slow: no
# workloads, only block state changes.
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
scenario_start "cxl: kind, backing, online/offline/remove"
kind_start cxl
diag "cxl regions: $(cxl list -R 2>/dev/null | jq -c '[.[]? | {region, resource, size}]' 2>/dev/null)"
before=$(memtotal_kb)
path=$(dax_path "$DEV")

mh -j status "$DEV"
o=$(jq -c '.devices[0]' <<<"$MH_OUT")
diag "status: $o"
is "$(jq -r .kind <<<"$o")" cxl "status: kind cxl (path $path)"
bk=$(jq -r .backing <<<"$o")
r=$(grep -o 'region[0-9]*' <<<"$path" | head -n1)
check "status: backing '$bk' names the region ($r)" eval '[[ " $bk " == *"$r"* ]]'

# The CXL region and memdevs, against cxl-cli: the region whose range holds
# the device's first mapping, its memdevs by position. The nd region named in
# the dax path (nvdimm-bridgeN/ndbusN/regionM) is not it, even when its
# number happens to match.
cl=$(cxl list -R -T 2>/dev/null)
diag "cxl list -RT: $(jq -c . <<<"$cl" 2>/dev/null)"
start=$(jq -r '.mappings[0].start' <<<"$o")
creg=$(jq -c --argjson s "$start" '[if type == "array" then .[] else . end |
	select(.resource <= $s and $s < .resource + .size)][0] // {}' <<<"$cl")
want_r=$(jq -r '.region // ""' <<<"$creg")
want_m=$(jq -r '[.mappings[]? | {position, memdev}] | sort_by(.position) |
	map(.memdev) | join(" ")' <<<"$creg")
check "cxl list has a region holding mapping0 ($start)" test -n "$want_r"
is "$(jq -r '.cxl.region // ""' <<<"$o")" "$want_r" "status -j: cxl.region is cxl list's region"
check "status -j: cxl.region is under /sys/bus/cxl/devices" \
	test -d "/sys/bus/cxl/devices/$(jq -r '.cxl.region // "none"' <<<"$o")"
is "$(jq -r '.cxl.memdevs // [] | join(" ")' <<<"$o")" "$want_m" \
	"status -j: cxl.memdevs are the region's (${want_m:-none})"
check "cxl list: the region has a memdev" test -n "$want_m"
mh status "$DEV"
diag "$MH_OUT"
line="$DEV: cxl region $want_r"
for m in $want_m; do line+=", memdev $m"; done
check "status: says '$line'" grep -qxF "$line" <<<"$MH_OUT"

mh online "$DEV"
is "$MH_RC" 0 "online exits 0"
check "online: every block online Movable" all_blocks "$DEV" online Movable
is "$(dax_target_node "$DEV")" "$(ls -d "$SYS_MEM/memory$(dax_blocks "$DEV" | head -n1)"/node* | sed 's/.*node//')" \
	"online: blocks on the device's target node"
mh offline "$DEV"
is "$MH_RC" 0 "offline exits 0"
check "offline: every block offline" all_blocks "$DEV" offline
mh online "$DEV"
is "$MH_RC" 0 "online again exits 0"
dmesg_mark
mh remove "$DEV"
is "$MH_RC" 0 "remove exits 0"
removed "$DEV" "$before" "remove"
done_testing
