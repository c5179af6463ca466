#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every kind in one guest: status names each device's kind (judged from its
# sysfs path), backing and, for CXL, the CXL region and memdevs; each device, online movable, is removed in turn
# while the others' blocks stay as they were.
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
scenario_start "all kinds in one guest"
devs=() kinds=()
for k in nvdimm e820 hmem cxl; do
	if kind_prepare "$k"; then
		devs+=("$KIND_DEV") kinds+=("$k")
		diag "$k: $KIND_DEV $(dax_path "$KIND_DEV")"
	else
		skip "$k: $KIND_WHY"
	fi
done
before=$(memtotal_kb)
mh -j status
is "$MH_RC" 0 "status -j exits 0"
j=$MH_OUT
for i in "${!devs[@]}"; do
	d=${devs[i]} k=${kinds[i]}
	o=$(mh_dev_json "$d" "$j")
	is "$(jq -r .kind <<<"$o")" "$k" "$d: status kind $k (path $(dax_path "$d"))"
	diag "$d: backing '$(jq -r .backing <<<"$o")'"
	check "$d: backing not empty" test -n "$(jq -r .backing <<<"$o")"
	[ "$k" = cxl ] || continue
	# Here the CXL pmem sits on a second nd bus: its nd region number need
	# not be the CXL region's. status must name the latter (cxl list -RT).
	s=$(jq -r '.mappings[0].start' <<<"$o")
	creg=$(cxl list -R -T 2>/dev/null | jq -c --argjson s "$s" '[if type == "array" then .[] else . end |
		select(.resource <= $s and $s < .resource + .size)][0] // {}')
	diag "$d: cxl list region $creg; status cxl $(jq -c .cxl <<<"$o")"
	is "$(jq -r '.cxl.region // ""' <<<"$o")" "$(jq -r '.region // "none"' <<<"$creg")" \
		"$d: status cxl.region is cxl list's region"
	is "$(jq -r '.cxl.memdevs // [] | join(" ")' <<<"$o")" \
		"$(jq -r '[.mappings[]? | {position, memdev}] | sort_by(.position) | map(.memdev) | join(" ")' <<<"$creg")" \
		"$d: status cxl.memdevs are the region's"
done
for d in "${devs[@]}"; do
	setup_or_bail "$d kmem online movable" raw_to_kmem "$d" online_movable
done
for i in "${!devs[@]}"; do
	d=${devs[i]} k=${kinds[i]}
	rest=()
	for x in "${devs[@]}"; do [ "$x" = "$d" ] || rest+=("$x"); done
	o=$(for x in "${rest[@]}"; do echo "$x $(dax_driver "$x") $(blocks_summary "$x")"; done)
	mb=$(memtotal_kb)
	dmesg_mark
	mh remove "$d"
	is "$MH_RC" 0 "$k $d: remove exits 0"
	removed "$d" $((mb - $(nblocks "$d") * $(block_size) / 1024)) "$k $d"
	is "$(for x in "${rest[@]}"; do echo "$x $(dax_driver "$x") $(blocks_summary "$x")"; done)" \
		"$o" "$k $d: other devices untouched"
done
is "$(memtotal_kb)" "$before" "MemTotal back to its value with every device in devdax"
done_testing
