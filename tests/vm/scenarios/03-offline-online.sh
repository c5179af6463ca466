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

# Issue 18, case 3: anonymous and page-cache pages put on the device's node
# (a process bound to it): every block predicted to go, and offline goes.
nd=$(dax_target_node "$dev")
if command -v numactl >/dev/null && command -v python3 >/dev/null; then
	rm -f /tmp/mv.ready
	numactl --membind="$nd" python3 -c '
import mmap, time
m = mmap.mmap(-1, 128 << 20, mmap.MAP_PRIVATE)
for off in range(0, len(m), 4096):
    m[off] = 1
with open("/tmp/mv.cache", "wb") as f:
    f.write(b"x" * (64 << 20))
open("/tmp/mv.ready", "w").close()
time.sleep(600)
' &
	mvpid=$!
	for _ in $(seq 1 120); do
		[ -e /tmp/mv.ready ] || ! kill -0 $mvpid 2>/dev/null && break
		sleep 0.5
	done
	diag "node $nd with anon and page cache: $(awk '$3 ~ /^(Active|Inactive|FilePages|AnonPages):?$/ {printf "%s %s kB ", $3, $4}' /sys/devices/system/node/node$nd/meminfo)"
	mh -j status "$dev"
	verdicts=$(jq -r '[.devices[0].blocks[] | "memory\(.block)=\(.prediction.verdict)"] | join(" ")' <<<"$MH_OUT")
	is "$(jq '[.devices[0].blocks[] | select(.prediction.verdict != "will-go")] | length' <<<"$MH_OUT")" 0 \
		"movable, anon and page cache on it: every block predicted to go ($verdicts)"
	mh offline "$dev"
	diag "agreement: offline of movable $dev ($verdicts): exit $MH_RC"
	is "$MH_RC" 0 "movable with anon and page cache: offline exits 0"
	check "movable with anon and page cache: every block offline" all_blocks "$dev" offline
	kill $mvpid 2>/dev/null
	wait $mvpid 2>/dev/null
	rm -f /tmp/mv.cache /tmp/mv.ready
else
	skip "no numactl or python3: no pages planted on the movable device"
	mh offline "$dev"
fi

[ "$(count_state "$dev" online)" = 0 ] || mh offline "$dev"
is "$MH_RC" 0 "offline before --zone normal exits 0"
mh online "$dev" --zone normal
is "$MH_RC" 0 "online --zone normal exits 0"
check "online --zone normal: every block online, valid_zones Normal" \
	all_blocks "$dev" online Normal
diag "after online --zone normal: $(blocks_summary "$dev")"
is "$(dax_driver "$dev")" kmem "online --zone normal: driver kmem"

# Issue 18, case 1: kernel allocations in the Normal blocks. Page tables of
# a process bound to the device's node (its only memory) land there (slab
# objects never did, see kinds/x-hmem-normal.sh). status names each block's
# verdict; a block predicted refused stops remove before any write (exit 1:
# every block still online Normal, no offline tried, so nothing in the
# kernel log); --force then tries, and the kernel has the last word. With
# the process gone, remove goes as before.
ptpid=
if command -v numactl >/dev/null && command -v python3 >/dev/null; then
	plant_page_tables "$nd" /tmp
	ptpid=$PT_PID
	diag "node $nd page tables: $(awk '$3 == "PageTables:" {print $4, $5}' /sys/devices/system/node/node$nd/meminfo)"
fi
mh -j status "$dev"
verdicts=$(jq -r '[.devices[0].blocks[] | "memory\(.block)=\(.prediction.verdict)"] | join(" ")' <<<"$MH_OUT")
refused=$(jq '[.devices[0].blocks[] | select(.prediction.verdict == "refused")] | length' <<<"$MH_OUT")
diag "predicted before remove: $verdicts"
pre_refused=$(jq -r '[.devices[0].blocks[] | select(.prediction.verdict == "refused") | .block] | join(" ")' <<<"$MH_OUT")
mh status "$dev"
diag "$MH_OUT"
pre_snap=$(blocks_summary "$dev")
dmesg_mark
mh remove "$dev"
diag "remove of Normal blocks: exit $MH_RC, blocks $(blocks_summary "$dev"), driver $(dax_driver "$dev")"
if [ "${refused:-0}" -gt 0 ]; then
	is "$MH_RC" 1 "remove with $refused block(s) predicted refused exits 1"
	check "refused before any write: every block online Normal" all_blocks "$dev" online Normal
	is "$(dax_driver "$dev")" kmem "refused before any write: still kmem"
	check "refused before any write: no offline attempt in the kernel log" \
		eval '! dmesg_new | grep -qiE "unmovable page|offlining|isolat"'
	check "refused: the message names pages by cause" \
		grep -qE "(slab|page-table|reserved) page|allocated by the kernel" <<<"$MH_ERR"
	dmesg_mark
	mh --timeout 30 remove --force "$dev"
	diag "agreement: remove --force of $dev ($verdicts): exit $MH_RC"
	diag "remove --force: exit $MH_RC, blocks $(blocks_summary "$dev"), driver $(dax_driver "$dev")"
	[ "$MH_RC" != 3 ] ||
		check "remove --force, busy: rolled back to online Normal" all_blocks "$dev" online Normal
else
	diag "agreement: remove of $dev ($verdicts): exit $MH_RC"
fi
if [ -n "$ptpid" ]; then
	kill $ptpid 2>/dev/null
	wait $ptpid 2>/dev/null
	if [ "$(count_state "$dev" online)" != 0 ]; then
		mh -j status "$dev"
		verdicts=$(jq -r '[.devices[0].blocks[] | "memory\(.block)=\(.prediction.verdict)"] | join(" ")' <<<"$MH_OUT")
		pre_refused=$(jq -r '[.devices[0].blocks[] | select(.prediction.verdict == "refused") | .block] | join(" ")' <<<"$MH_OUT")
		pre_snap=$(blocks_summary "$dev")
		dmesg_mark
		mh remove "$dev"
		diag "agreement: remove of $dev without the process ($verdicts): exit $MH_RC"
	fi
fi
# A Normal block can catch a kernel allocation at any time (a stray slab
# page, a driver's page): then the prediction refuses and exit 1 is right,
# provided nothing changed, judged from sysfs and the kernel log, and the
# blocks refused are the ones status predicted refused (before the remove
# or, for an allocation that landed in between, right after it).
case $MH_RC in
0) removed "$dev" "$before" "remove after Normal" ;;
1) rm_err=$MH_ERR
   named=$(grep -oE 'memory[0-9]+: [^;]*(slab|page-table|reserved|allocated by the kernel)' <<<"$rm_err" |
	   sed -E 's/^memory([0-9]+):.*/\1/' | sort -un | tr '\n' ' ')
   mh -j status "$dev"
   post_refused=$(jq -r '[.devices[0].blocks[] | select(.prediction.verdict == "refused") | .block] | join(" ")' <<<"$MH_OUT")
   diag "remove after Normal refused: named [$named], predicted refused before [$pre_refused], after [$post_refused]"
   is "$(blocks_summary "$dev")" "$pre_snap" "remove after Normal, refused: every block's state and zone unchanged"
   is "$(dax_driver "$dev")" kmem "remove after Normal, refused: still kmem"
   check "remove after Normal, refused: no offline attempt in the kernel log" \
	eval '! dmesg_new | grep -qiE "unmovable page|offlining|isolat"'
   check "remove after Normal, refused: names at least one block" test -n "$named"
   check "remove after Normal, refused: each block named was predicted refused by status" \
	bash -c 'for b in $1; do grep -qw "$b" <<<"$2 $3" || exit 1; done' _ "$named" "$pre_refused" "$post_refused" ;;
3) check "remove after Normal, busy: rolled back to online" all_blocks "$dev" online Normal
   is "$(dax_driver "$dev")" kmem "remove after Normal, busy: still kmem" ;;
*) not_ok "remove after Normal exits 0, 1 (predicted refused) or 3 (got $MH_RC)" ;;
esac
check "remove after Normal: no leak in dmesg" dmesg_clean
done_testing
