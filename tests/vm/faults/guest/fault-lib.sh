# SPDX-License-Identifier: GPL-2.0-or-later
# Guest-side helpers for the fault scenarios (sourced after the harness's
# guest-lib.sh): the pinning module, a kmem device to break, snapshots of what
# the kernel says (sysfs, /proc/iomem, dmesg) to judge a run by.
# MH_GUEST_FAULTS (from run-faults.sh) is a host directory visible through the
# guest's read-only 9p root: fault-lib.sh, sigwrite.py, KVER/memhot_fault.ko.

FAULTS=${MH_GUEST_FAULTS:-/var/cache/memhotctl-vm/faults}
FAULT_KO=${FAULT_KO:-$FAULTS/$MH_KVER/memhot_fault.ko}
FAULT_CTL=/sys/kernel/debug/memhot_fault/ctl
SIGWRITE="python3 $FAULTS/sigwrite.py"

# sw_started: wait (10 s at most) until a background sigwrite is about to
# write; python starts slowly under TCG.
sw_started() {
	local i
	for i in $(seq 100); do
		grep -q '^started' "$SW_OUT" 2>/dev/null && { sleep 0.2; return 0; }
		sleep 0.1
	done
	return 1
}

# EPOCHREALTIME (bash 5): no fork of date, which takes a while in a
# starved guest
now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
# nap SECS: sleep without a fork (a read that times out on a pipe nobody
# writes): sleep(1) is an exec over 9p, slow in a starved guest
nap() {
	[ -n "${NAP_FD:-}" ] || exec {NAP_FD}<> <(:)
	read -r -t "$1" -u "$NAP_FD" _ || :
}
# elapsed T0: seconds since T0 with 3 decimals
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# le A B: A <= B for decimals
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

fault_module_load() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	[ -e "$FAULT_CTL" ] || insmod "$FAULT_KO" || return 1
	# offline_pages()'s "failed due to ..." is pr_debug: make it visible
	echo 'file memory_hotplug.c +p' >/sys/kernel/debug/dynamic_debug/control 2>/dev/null
	[ -e "$FAULT_CTL" ]
}

# mh_stamped ARGS...: the tool with -v, each stderr line prefixed with the
# seconds since start, stamped by one process (a fork per line would lag)
mh_stamped() {
	local t0
	t0=$(now)
	{ "$MEMHOTCTL" -v "$@" 2>&1 >/dev/null; echo "(exit $?)"; } |
		python3 -c 'import sys, time
t0 = float(sys.argv[1])
for l in sys.stdin:
    print("# +%.3f %s" % (time.time() - t0, l.rstrip()), flush=True)' "$t0"
}
# fault_pin_block NODE BLOCK [COUNT]: pin pages inside memory block BLOCK
fault_pin_block() {
	echo "pinblock $1 $2 ${3:-4}" >"$FAULT_CTL" &&
		grep -q "^block $2 " "$FAULT_CTL"
}
fault_release() { [ -e "$FAULT_CTL" ] && echo release >"$FAULT_CTL"; }
fault_pins() { grep -v '^pfn ' "$FAULT_CTL" | tr '\n' ' '; }
# fault_pfns BLOCK: the pfns (0x..., one a line) the module pinned in memory BLOCK
fault_pfns() {
	local bs pfn
	bs=$(( 16#$(cat "$SYS_MEM/block_size_bytes") ))
	sed -n 's/^pfn //p' "$FAULT_CTL" | while read -r pfn; do
		[ $(( pfn * 4096 / bs )) = "$1" ] && echo "$pfn"
	done
}

# fault_setup_dev [SIZE] [online_movable|online_kernel|offline]: a fresh kmem
# device from the NVDIMM; prints its name.
fault_setup_dev() {
	local size=${1:-768M} how=${2:-online_movable} dev
	nd_reset >/dev/null 2>&1 || true
	nd_init
	dev=$(nd_create_devdax "$size") || return 1
	[ -n "$dev" ] && [ "$dev" != null ] || return 1
	raw_to_kmem "$dev" "$how" || return 1
	echo "$dev"
}
# Middle block of a device (the one a bounded offline reaches after others).
mid_block() {
	local bl
	mapfile -t bl < <(dax_blocks "$1")
	echo "${bl[$((${#bl[@]} / 2))]}"
}

# snap DEV: one line that must be equal before and after a rolled-back run:
# driver, policy, every block's state and zone, kmem ranges in /proc/iomem.
snap() {
	echo "driver=$(dax_driver "$1") policy=$(policy) kmem=$(kmem_ram_count "$1") $(blocks_summary "$1")"
}
# zone of an online block as valid_zones reads ("Movable", "Normal")
zone_of() { block_zones "$1"; }

# A device whose range is still System RAM (kmem) while kmem is not bound is
# a leak; so is the kernel's own message.
leak_check() {
	local dev=$1
	if dmesg | grep -qE 'cannot be hotremoved|removing memory fails'; then
		return 1
	fi
	if [ "$(dax_driver "$dev")" != kmem ] && [ "$(kmem_ram_count "$dev")" != 0 ]; then
		return 1
	fi
	return 0
}

# json_get KEY: from $MH_OUT (memhotctl -j), empty when absent
json_get() { jq -r "$1 // empty" <<<"$MH_OUT" 2>/dev/null; }

# A block that spins in offline_pages() holds device_hotplug_lock for as long
# as it runs: the way to hold the lock from userspace (lock_device_hotplug is
# not exported to modules). Sets HOLDER_PID.
hold_hotplug_lock() {
	local blk=$1
	( exec 2>/dev/null; echo offline >"$SYS_MEM/memory$blk/state" ) &
	HOLDER_PID=$!
	# wait until the writer is in offline (state going-offline)
	local i
	for i in $(seq 50); do
		[ "$(block_state "$blk")" = going-offline ] && return 0
		sleep 0.1
	done
	return 0
}
release_hotplug_lock() {
	[ -n "${HOLDER_PID:-}" ] || return 0
	# SIGTERM: bash's async subshells ignore SIGINT
	kill -TERM "$HOLDER_PID" 2>/dev/null
	wait "$HOLDER_PID" 2>/dev/null
	HOLDER_PID=
}

# ---- runs of the tool and how they ended ---------------------------------------
F_RUNS=0 F_FAULTS=0 F_LEAKS=0
count_report() { echo "# count: runs=$F_RUNS faults=$F_FAULTS leaks=$F_LEAKS"; }

# mh_timed ARGS...: mh with the wall time in MH_SECS
mh_timed() {
	local tf TIMEFORMAT=%R
	tf=$(mktemp)
	# bash's time keyword: no fork of date/awk around the run to blur it
	{ time mh "$@"; } 2>"$tf"
	MH_SECS=$(tail -n1 "$tf")
	rm -f "$tf"
	F_RUNS=$((F_RUNS + 1))
	echo "# took $MH_SECS s"
}
# mh_bg ARGS...: the tool in the background (MH_PID, output in MH_BGOUT/ERR)
mh_bg() {
	MH_BGOUT=$(mktemp) MH_BGERR=$(mktemp)
	MH_T0=${EPOCHREALTIME:-$(now)}
	MH_BG_ARGS=("$@")
	# Without job control bash starts async commands with SIGINT and SIGQUIT
	# ignored; with it (set -m) they keep the default a terminal's Ctrl-C
	# meets, and the pid is the tool's own (no wrapper to start slowly).
	set -m
	"$MEMHOTCTL" "$@" >"$MH_BGOUT" 2>"$MH_BGERR" &
	MH_PID=$!
	set +m
	F_RUNS=$((F_RUNS + 1))
}
# mh_bg_wait [SECS]: wait for the background tool, at most SECS (default
# 60) before SIGKILL; sets MH_RC, MH_OUT, MH_ERR, MH_SECS, MH_HUNG and
# MH_END (when it ended: bash's wait returns at its exit, no polling)
mh_bg_wait() {
	local max=${1:-60} wd hung=$MH_BGERR.hung
	# the watchdog: a subshell that SIGKILLs the tool after max seconds
	(
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "$max" &
		sp=$!
		wait $sp
		kill -KILL "$MH_PID" 2>/dev/null && : >"$hung"
	) &
	wd=$!
	wait "$MH_PID" 2>/dev/null
	MH_RC=$?
	MH_END=${EPOCHREALTIME:-$(now)}
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	MH_HUNG=0
	[ ! -e "$hung" ] || MH_HUNG=1
	MH_SECS=$(awk -v a="$MH_T0" -v b="$MH_END" 'BEGIN { printf "%.3f", b - a }')
	MH_OUT=$(cat "$MH_BGOUT") MH_ERR=$(cat "$MH_BGERR")
	rm -f "$MH_BGOUT" "$MH_BGERR" "$hung"
	[ $MH_HUNG = 1 ] || mh_keep_json "$MH_OUT" "${MH_BG_ARGS[@]}"
	echo "# background memhotctl -> exit $MH_RC after $MH_SECS s$([ $MH_HUNG = 0 ] || echo ' (HUNG, killed)')"
	# stderr without -v's progress lines
	local e
	e=$(grep -v '\] .* \(\.\.\.\|done\)$' <<<"$MH_ERR" | head -n 20)
	[ -z "$e" ] || diag "$(sed 's/^/  stderr: /' <<<"$e")"
}
# bg_step [PREFIX]: the step the background tool (run with -v) last
# started, from its progress lines "[i/n] STEP ..." in MH_BGERR, into
# BG_STEP; BG_SEEN=1 when a step starting with PREFIX has started (it may
# be over already). No fork.
bg_step() {
	local l
	BG_STEP= BG_SEEN=0
	while IFS= read -r l; do
		[[ $l =~ \]\ (.*)\ \.\.\.$ ]] || continue
		BG_STEP=${BASH_REMATCH[1]}
		[[ -z ${1:-} || $BG_STEP != "$1"* ]] || BG_SEEN=1
	done <"$MH_BGERR"
}

# end_state DEV BEFORE: removed | rolled-back | leaked | other
# (BEFORE is snap's line from before the run)
end_state() {
	local dev=$1 before=$2
	if ! leak_check "$dev"; then
		echo leaked
	elif [ "$(dax_driver "$dev")" != kmem ] && [ "$(kmem_ram_count "$dev")" = 0 ]; then
		echo removed
	elif [ "$(snap "$dev")" = "$before" ]; then
		echo rolled-back
	else
		echo other
	fi
}
# judge_end DEV BEFORE DESC: one test point, removed with exit 0 or rolled
# back with exit 3; counts leaks
judge_end() {
	local st
	st=$(end_state "$1" "$2")
	[ "$st" = leaked ] && F_LEAKS=$((F_LEAKS + 1))
	case "$st/$MH_RC" in
	removed/0 | rolled-back/3) ok "$3: $st, exit $MH_RC" ;;
	*)
		not_ok "$3: $st, exit $MH_RC"
		diag "  before: $2" "  after:  $(snap "$1")"
		;;
	esac
}
# Back to kmem with every block online movable (after a run removed it).
rearm() {
	local dev=$1
	[ "$(dax_driver "$dev")" = kmem ] && [ "$(count_state "$dev" online)" = "$(nblocks "$dev")" ] &&
		return 0
	# another agent (udev rule, onliner loop) may online blocks meanwhile:
	# a failed write is fine as long as every block ends up online
	raw_to_kmem "$dev" online_movable 2>/dev/null
	local i b
	for i in 1 2 3 4 5; do
		[ "$(dax_driver "$dev")" = kmem ] || raw_to_kmem "$dev" online_movable 2>/dev/null
		for b in $(dax_blocks "$dev"); do
			raw_online_block "$b" online_movable 2>/dev/null
		done
		[ "$(dax_driver "$dev")" = kmem ] &&
			[ "$(count_state "$dev" online)" = "$(nblocks "$dev")" ] && return 0
		sleep 1
	done
	return 1
}
# wait_going_offline BLOCK: until a writer is inside offline_pages() for it
wait_going_offline() {
	local i
	for i in $(seq 100); do
		[ "$(block_state "$1")" = going-offline ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- the kernel log as /dev/kmsg gives it (issue 18) --------------------------
# kmsg_records [SEQ]: the log's records after sequence number SEQ, verbatim
kmsg_records() {
	python3 -c 'import os, sys
after = int(sys.argv[1])
fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
while True:
    try:
        r = os.read(fd, 8192)
    except BlockingIOError:
        break
    except BrokenPipeError:
        continue
    if not r:
        break
    t = r.decode("utf-8", "replace")
    if int(t.split(",")[1]) > after:
        sys.stdout.write(t)' "${1:--1}"
}
kmsg_mark() { KMSG_MARK=$(kmsg_records | grep -v '^ ' | tail -n1 | cut -d, -f2); }
# kmsg_block_of PFN_HEX: the memory block holding that page frame
kmsg_block_of() {
	local bs
	bs=$((16#$(cat "$SYS_MEM/block_size_bytes")))
	echo $(((16#$1 * 4096) / bs))
}
# kmsg_judge NAME BLOCK JSON RECORDS: a block's kernel_log in memhotctl's JSON
# against the records the kernel wrote since the mark; prints each record about
# the block as "# kmsg-record: ..." (the test data of tests/data/kmsg)
kmsg_judge() {
	local name=$1 b=$2 json=$3 recs=$4 kl page because failed pfn dumped kfailed
	kl=$(jq -c --argjson b "$b" '.blocks[]? | select(.block == $b) | .kernel_log' <<<"$json")
	echo "# measure: $name memory$b kernel_log: $kl"
	grep -v '^ ' <<<"$recs" | grep -E 'pfn:0x|page dumped because|flags: |page_type: |memory offlining' |
		head -n 12 | sed 's/^/# kmsg-record: /'
	is "$(jq -r '.read // empty' <<<"$kl")" true "$name: memory$b kernel_log read"
	page=$(jq -r '.page // empty' <<<"$kl")
	because=$(jq -r '.page_dumped_because // empty' <<<"$kl")
	failed=$(jq -r '.failed_due_to // empty' <<<"$kl")
	# What the kernel itself dumped in this block since the mark, the last one.
	dumped=
	for pfn in $(grep -v '^ ' <<<"$recs" | sed -n 's/.*;page:.* pfn:0x\([0-9a-f]*\)$/\1/p'); do
		[ "$(kmsg_block_of "$pfn")" = "$b" ] && dumped=$pfn
	done
	if [ -n "$dumped" ]; then
		check "$name: quotes the page the kernel dumped in memory$b (pfn:0x$dumped): $page" \
			bash -c '[[ "$1" == "pfn:0x$2 "* ]]' _ "$page" "$dumped"
		is "$because" "$(grep -v '^ ' <<<"$recs" | sed -n 's/^[^;]*;page dumped because: //p' | tail -n1)" \
			"$name: and the kernel's 'page dumped because' words"
	else
		is "$page" "" "$name: no page quoted, as the kernel dumped none in memory$b"
	fi
	kfailed=$(grep -v '^ ' <<<"$recs" | sed -n 's/^[^;]*;memory offlining \[mem \(0x[0-9a-f]*\)-.*\] failed due to \(.*\)$/\1 \2/p' |
		while read -r a why; do
			[ $((a / $(( 16#$(cat "$SYS_MEM/block_size_bytes") )) )) = "$b" ] && echo "$why"
		done | tail -n1)
	is "$failed" "$kfailed" "$name: failed_due_to as the kernel's pr_debug said ('${kfailed:-none printed}')"
	check "$name: other blocks carry no kernel_log" \
		test "$(jq --argjson b "$b" '[.blocks[]? | select(.block != $b and .kernel_log != null)] | length' <<<"$json")" = 0
}

# The start the pinning scenarios share: memhotctl there, the module loaded,
# a 768 MiB device online movable. Sets dev, its target node and mid, a
# block in its middle; bails out (TAP) when any of it fails.
fault_begin() {
	have_memhotctl || { echo "Bail out! no memhotctl"; exit 1; }
	setup_or_bail "module loads" fault_module_load
	dev=$(fault_setup_dev 768M online_movable)
	setup_or_bail "kmem device" test -n "$dev"
	node=$(dax_target_node "$dev")
	mid=$(mid_block "$dev")
}
