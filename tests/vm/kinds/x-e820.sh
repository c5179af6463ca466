#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e820 legacy pmem: the device's head block is partial (map=dev keeps 18M):
# online and remove touch only whole blocks; kmem's range is the whole blocks.
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
scenario_start "e820: only whole blocks"
kind_start e820
bs=$(block_size)
read -r s e < <(dax_ranges "$DEV")
if [ $((s % bs)) -ne 0 ]; then ok "setup: head block partial ($(printf '%#x' "$s"))"
else not_ok "setup: head block partial ($(printf '%#x' "$s"))"; fi
head=$((s / bs))
first=$(dax_blocks "$DEV" | head -n1)
last=$(dax_blocks "$DEV" | tail -n1)
is "$first" $((head + 1)) "first whole block is the one after the partial head"
before=$(memtotal_kb)
o=$(others "$DEV")
hs=$(block_state "$head")
diag "head block memory$head: $hs"

mh -j status "$DEV"
is "$(jq -r '.devices[0].kind' <<<"$MH_OUT")" e820 "status kind e820"
diag "backing: $(jq -r '.devices[0].backing' <<<"$MH_OUT")"

mh online "$DEV"
is "$MH_RC" 0 "online exits 0"
check "online: every whole block online Movable" all_blocks "$DEV" online Movable
is "$(block_state "$head")" "$hs" "online: partial head block memory$head untouched"
is "$(others "$DEV")" "$o" "online: no other block changed"
span=$(awk '/System RAM \(kmem\)/ {print $1}' /proc/iomem | head -n1)
is "$span" "$(printf '%x-%x' $((first * bs)) $(((last + 1) * bs - 1)))" \
	"online: System RAM (kmem) spans exactly the whole blocks"
is "$(($(memtotal_kb) - before))" "$(($(nblocks "$DEV") * bs / 1024))" \
	"online: MemTotal grew by the whole blocks exactly"
mh -j status "$DEV"
is "$(jq -r '.devices[0] | "\(.total_blocks) \(.online_blocks)"' <<<"$MH_OUT")" \
	"$(nblocks "$DEV") $(nblocks "$DEV")" "status: total and online blocks = whole blocks"

dmesg_mark
mh remove "$DEV"
is "$MH_RC" 0 "remove exits 0"
removed "$DEV" "$before" "remove"
is "$(block_state "$head")" "$hs" "remove: partial head block untouched"
is "$(others "$DEV")" "$o" "remove: no other block changed"
done_testing
