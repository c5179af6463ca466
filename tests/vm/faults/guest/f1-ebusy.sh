#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# f1: EBUSY on one block in the middle of the device. The block is onlined
# online_kernel and holds an unmovable page (the module's pin, or with
# argument "files" 30,000 empty files created under numactl --membind on a
# tmpfs), so every offline of it fails fast with EBUSY ("unmovable page").
# memhotctl remove must retry a bounded number of times, put the blocks it
# offlined back online into their own zones, leave the device with kmem and
# exit 3 naming the block.
#   f1-ebusy.sh [module|files]
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

method=${1:-module}
fault_begin	# sets dev, node, mid
setup_or_bail "offline memory$mid" raw_offline_block "$mid"
setup_or_bail "online_kernel memory$mid" raw_online_block "$mid" online_kernel
case $method in
module)
	setup_or_bail "pin pages in memory$mid" fault_pin_block "$node" "$mid" 8
	;;
files)
	mkdir -p /tmp/f1 && mount -t tmpfs tmpfs /tmp/f1
	numactl --membind="$node" bash -c 'cd /tmp/f1 && for i in $(seq 30000); do : >f$i; done'
	;;
esac
diag "method $method, device $dev: $(blocks_summary "$dev")"
# The fault is real: a raw offline of the block fails with EBUSY.
r=$($SIGWRITE --alarm 20 "$SYS_MEM/memory$mid/state" offline | sed -n 's/^result=//p')
case "$r" in EBUSY*) ok "raw offline of memory$mid: $r" ;; *) not_ok "raw offline of memory$mid fails with EBUSY ($r)" ;; esac

# Issue 18: the module's pages carry no flag in /proc/kpageflags, like free
# pages on the per-CPU lists; 8 of them are within what those lists can
# hold, so the prediction cannot call the block refused, and must not call
# it will-go. (Judged against the raw offline's EBUSY above.)
diag "node $node zoneinfo per-CPU lists: $(awk -v n="Node $node," '$0 ~ /^Node/ {z = (index($0, n) == 1 && /Normal/)} z && /cpu:|high|batch/' /proc/zoneinfo | tr -s ' ' | tr '\n' ' ')"
mh -j status "$dev"
pv=$(jq -r --argjson b "$mid" '.devices[0].blocks[] | select(.block == $b) | .prediction.verdict' <<<"$MH_OUT")
diag "status prediction for memory$mid: $(jq -c --argjson b "$mid" '.devices[0].blocks[] | select(.block == $b) | .prediction' <<<"$MH_OUT")"
[ "$method" = module ] &&
	is "$pv" uncertain "status: the pinned block memory$mid is uncertain (pages without flags, within the per-CPU capacity)"

before=$(snap "$dev")
dmesg_mark
kmsg_mark
mh_timed -j --timeout 60 remove "$dev"
F_FAULTS=$((F_FAULTS + 1))
is "$MH_RC" 3 "remove exits 3 (busy)"
check "bounded: ended before the deadline ($MH_SECS s < 60)" le "$MH_SECS" 59
is "$(dax_driver "$dev")" kmem "device still bound to kmem"
is "$(snap "$dev")" "$before" "every block back online in its original zone"
is "$(block_zones "$mid")" Normal "memory$mid still in Normal"
is "$(kmem_ram_count "$dev")" "$(dax_ranges "$dev" | wc -l)" "/proc/iomem still has the System RAM (kmem) range"
check "no leak in dmesg" dmesg_clean
check "dmesg shows the kernel refusing memory$mid" bash -c "dmesg | tail -n +$((DMESG_MARK + 1)) | grep -qiE 'unmovable|offlining .* failed|isolate'"
check "output names memory$mid" bash -c "grep -qE '\"block\": *$mid\\b|memory$mid\\b' <<<\"\$1\"" _ "$MH_OUT$MH_ERR"
att=$(jq -r --argjson b "$mid" '.blocks[]? | select(.block == $b) | .attempts' <<<"$MH_OUT" 2>/dev/null)
diag "attempts on memory$mid: ${att:-?}; outcome $(json_get .outcome); message: $(json_get .message)"
check "retried more than once, a bounded number of times (${att:-?})" \
	bash -c '[ -n "$1" ] && [ "$1" -gt 1 ] && [ "$1" -lt 1000 ]' _ "$att"
is "$(json_get .outcome)" busy "JSON outcome busy"
is "$(json_get .rolled_back)" true "JSON rolled_back true"
# Issue 18: the result quotes what the kernel logged about memory$mid, judged
# against the kernel log itself.
kmsg_judge "remove" "$mid" "$MH_OUT" "$(kmsg_records "$KMSG_MARK")"
check "remove: advice for memory$mid" \
	test -n "$(jq -r --argjson b "$mid" '.blocks[] | select(.block == $b) | .kernel_log.advice // empty' <<<"$MH_OUT")"

# The human form says the same.
mh_timed --timeout 30 offline "$dev"
is "$MH_RC" 3 "offline also exits 3"
check "human output names memory$mid" bash -c "grep -q 'memory$mid' <<<\"\$1\"" _ "$MH_OUT$MH_ERR"
check "human output quotes the kernel's page and says what to do" \
	bash -c 'grep -q "^    kernel: page pfn:0x" <<<"$1" && grep -q "^    what to do: " <<<"$1"' _ "$MH_OUT"
diag "offline's text: $(grep -A2 "^  memory$mid:" <<<"$MH_OUT" | tr '\n' '|')"
is "$(snap "$dev")" "$before" "offline rolled back too"

fault_release
[ "$method" = files ] && umount /tmp/f1
count_report
done_testing
