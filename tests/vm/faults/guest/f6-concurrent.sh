#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# f6: two memhotctl at once, on the same device and on two devices. They are
# serialised by the flock in $MEMHOTCTL_RUNDIR; both must end, the end state
# must be right (removed once, no leak), and neither may report partial (4)
# or leaked (5).
#   f6-concurrent.sh [ROUNDS]
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

rounds=${1:-2}
have_memhotctl || { echo "Bail out! no memhotctl"; exit 1; }
nd_reset >/dev/null 2>&1
nd_init
a=$(nd_create_devdax 384M) b=$(nd_create_devdax 384M)
setup_or_bail "two dax devices ($a $b)" bash -c '[ -n "$1" ] && [ -n "$2" ] && [ "$1" != null ] && [ "$2" != null ]' _ "$a" "$b"
setup_or_bail "$a to kmem" raw_to_kmem "$a" online_movable
setup_or_bail "$b to kmem" raw_to_kmem "$b" online_movable
diag "$a: $(blocks_summary "$a")" "$b: $(blocks_summary "$b")"
pol=$(policy)

# two background runs; results in R1/R2 (exit codes) and S1/S2 (seconds)
two() {
	local o1 o2 e1 e2 p1 p2 t0
	o1=$(mktemp) o2=$(mktemp) e1=$(mktemp) e2=$(mktemp)
	t0=$(now)
	"$MEMHOTCTL" -j --timeout 120 $1 >"$o1" 2>"$e1" &
	p1=$!
	"$MEMHOTCTL" -j --timeout 120 $2 >"$o2" 2>"$e2" &
	p2=$!
	wait $p1; R1=$?; S1=$(elapsed "$t0")
	wait $p2; R2=$?; S2=$(elapsed "$t0")
	F_RUNS=$((F_RUNS + 2))
	F_FAULTS=$((F_FAULTS + 1))
	O1=$(cat "$o1") O2=$(cat "$o2")
	mh_keep_json "$O1" -j
	mh_keep_json "$O2" -j
	diag "[$1] exit $R1 after $S1 s: $(jq -c '{outcome,message}' "$o1" 2>/dev/null) $(head -c 200 "$e1")" \
	     "[$2] exit $R2 after $S2 s: $(jq -c '{outcome,message}' "$o2" 2>/dev/null) $(head -c 200 "$e2")"
	rm -f "$o1" "$o2" "$e1" "$e2"
}
removed() { [ "$(dax_driver "$1")" != kmem ] && [ "$(kmem_ram_count "$1")" = 0 ] && leak_check "$1"; }
whole() { [ "$(dax_driver "$1")" = kmem ] && [ "$(count_state "$1" online)" = "$(nblocks "$1")" ]; }

for ((i = 1; i <= rounds; i++)); do
	rearm "$a"; rearm "$b"
	dmesg_mark
	# same device: one removes, the other finds nothing to do (0), or a
	# device that is no longer kmem (1), or reports busy (3)
	two "remove $a" "remove $a"
	check "round $i same device: both ended, none partial/leaked ($R1,$R2)" \
		bash -c '[[ $1 =~ ^[013]$ ]] && [[ $2 =~ ^[013]$ ]] && { [ $1 = 0 ] || [ $2 = 0 ]; }' _ "$R1" "$R2"
	check "round $i same device: $a removed" removed "$a"
	check "round $i same device: $b untouched" whole "$b"
	check "round $i: no leak in dmesg" dmesg_clean

	# two devices at once: both removed
	rearm "$a"
	two "remove $a" "remove $b"
	is "$R1/$R2" 0/0 "round $i two devices: both exit 0"
	check "round $i two devices: $a removed" removed "$a"
	check "round $i two devices: $b removed" removed "$b"

	# online one while removing the other
	rearm "$a"
	two "remove $a" "online $b"
	is "$R1/$R2" 0/0 "round $i remove $a + online $b: both exit 0"
	check "round $i: $a removed" removed "$a"
	check "round $i: $b whole online" whole "$b"
	is "$(policy)" "$pol" "round $i: auto_online_blocks unchanged"
	check "round $i: no leak in dmesg" dmesg_clean
done
count_report
done_testing
