#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# f5: SIGINT, SIGTERM and SIGKILL at points of remove and online.
#  remove: signal after DELAYS while blocks are being offlined, then a second
#    remove must converge (exit 0, removed); once more while memhotctl spins
#    on a pinned block (no writer may be left holding device_hotplug_lock).
#  online: from devdax with auto_online_blocks set to "online" (Debian 6.12's
#    default; set by hand on 6.1), which memhotctl changes to "offline" for
#    the bind: after SIGINT/SIGTERM the policy must be back at once; after
#    SIGKILL "memhotctl recover" must restore it and finish or undo.
# Every signalled run must end the process, leave no leak, and a second run
# must converge.
#   f5-signals.sh [DELAYS (comma list, default 0.5,2; the full set is
#                  0.1,0.5,1,2 and takes about 15 minutes under TCG)]
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

IFS=, read -ra delays <<<"${1:-0.5,2}"
have_memhotctl || { echo "Bail out! no memhotctl"; exit 1; }
setup_or_bail "module loads" fault_module_load
dev=$(fault_setup_dev 768M online_movable)
setup_or_bail "kmem device" test -n "$dev"
node=$(dax_target_node "$dev")
mid=$(mid_block "$dev")
boot_policy=$(policy)

# sig_run SIG DELAY ARGS...: run memhotctl ARGS, send SIG after DELAY s
sig_run() {
	local sig=$1 d=$2
	shift 2
	mh_bg -j --timeout 60 "$@"
	sleep "$d"
	# signal first: reading the state forks a lot and takes seconds on a
	# loaded TCG host
	kill "-$sig" "$MH_PID" 2>/dev/null
	SIG_T0=$(now)
	SIG_STATE=$(blocks_summary "$dev")
	mh_bg_wait 30
	SIG_END=$(elapsed "$SIG_T0")
	F_FAULTS=$((F_FAULTS + 1))
}
no_writer_left() {
	sleep 1
	! grep -qs going-offline "$SYS_MEM"/memory*/state
}
consistent() {	# kmem or not, never a leaked range
	leak_check "$dev"
}

# ---- remove ----
for sig in INT TERM KILL; do
	for d in "${delays[@]}"; do
		rearm "$dev" || setup_or_bail "re-arm" false
		before=$(snap "$dev")
		sig_run "$sig" "$d" remove "$dev"
		t="remove SIG$sig at ${d}s"
		diag "$t: just after the signal: $SIG_STATE; exit $MH_RC; outcome $(json_get .outcome)"
		check "$t: process ended ${SIG_END}s after the signal" test "$MH_HUNG" = 0
		check "$t: no writer left" no_writer_left
		check "$t: no leak" consistent
		if [ "$sig" = KILL ]; then
			mh_timed -j --timeout 60 recover "$dev"
			is "$MH_RC" 0 "$t: recover exits 0 ($(json_get .outcome))"
		else
			check "$t: state reported (output)" test -n "$MH_OUT$MH_ERR"
		fi
		st=$(end_state "$dev" "$before")
		check "$t: device removed or whole again ($st)" bash -c '[ "$1" = removed ] || [ "$1" = rolled-back ]' _ "$st"
		is "$(policy)" "$boot_policy" "$t: auto_online_blocks as before"
		mh_timed -j --timeout 120 remove "$dev"
		is "$MH_RC/$(end_state "$dev" "$before")" 0/removed "$t: second run converges"
	done
done

# ---- remove, signalled while it spins on a pinned block ----
for sig in INT TERM KILL; do
	rearm "$dev" || setup_or_bail "re-arm" false
	setup_or_bail "pin memory$mid" fault_pin_block "$node" "$mid" 4
	before=$(snap "$dev")
	sig_run "$sig" 4 remove "$dev"
	t="remove spinning on pinned memory$mid, SIG$sig at 4s"
	diag "$t: just after the signal: $SIG_STATE; exit $MH_RC"
	check "$t: process ended ${SIG_END}s after the signal" test "$MH_HUNG" = 0
	check "$t: no writer left holding device_hotplug_lock" no_writer_left
	[ "$sig" = KILL ] && { mh_timed -j --timeout 30 recover "$dev"; is "$MH_RC" 0 "$t: recover exits 0"; }
	is "$(snap "$dev")" "$before" "$t: rolled back"
	fault_release
done

# ---- online, with auto_online_blocks changed by memhotctl ----
raw_to_devdax "$dev"
set_policy online
for sig in INT TERM KILL; do
	for d in "${delays[@]}"; do
		raw_to_devdax "$dev" >/dev/null 2>&1
		set_policy online
		sig_run "$sig" "$d" online "$dev"
		t="online SIG$sig at ${d}s"
		diag "$t: just after the signal: $SIG_STATE; after: $(snap "$dev"); exit $MH_RC"
		check "$t: process ended ${SIG_END}s after the signal" test "$MH_HUNG" = 0
		check "$t: no leak" consistent
		if [ "$sig" = KILL ]; then
			diag "$t: policy right after SIGKILL: $(policy)"
			mh_timed -j --timeout 60 recover "$dev"
			is "$MH_RC" 0 "$t: recover exits 0 ($(json_get .outcome))"
		fi
		is "$(policy)" online "$t: auto_online_blocks back to online"
		mh_timed -j --timeout 120 online "$dev"
		is "$MH_RC/$(dax_driver "$dev")/$(count_state "$dev" online)/$(policy)" \
			"0/kmem/$(nblocks "$dev")/online" "$t: second run converges"
	done
done
set_policy "$boot_policy"
count_report
done_testing
