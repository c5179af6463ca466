#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CXL type-3 pmem: status names the kind "cxl" and what backs it; online,
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
mh status "$DEV"
diag "$MH_OUT"

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
