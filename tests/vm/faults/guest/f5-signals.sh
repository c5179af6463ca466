#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# f5: SIGINT, SIGTERM and SIGKILL at every step of remove and online.
#  remove: the signal goes as soon as memhotctl -v reports a step started
#    (first and last offline-block, check-offline, unbind-kmem,
#    verify-released, bind-devdax), then a second remove must converge
#    (exit 0, removed); once more while memhotctl spins on a pinned block
#    (no writer may be left holding device_hotplug_lock).
#  online: from devdax with auto_online_blocks set to "online" (Debian 6.12's
#    default; set by hand on 6.1), which memhotctl changes to "offline" for
#    the bind; signals at set-policy, unbind (device_dax), bind-kmem, first
#    and last online-block, restore-policy. After SIGINT/SIGTERM the policy
#    must be back at once; after SIGKILL "memhotctl recover" must restore it
#    and finish or undo.
# Every signalled run must end the process, leave no leak, and a second run
# must converge. The step a signal actually landed in is reported (a fast
# step can be over before a forking shell sees its progress line).
# Which signals go at each step: "all" (SIGINT, SIGTERM and SIGKILL at every
# step), "pair" (SIGKILL and one of SIGINT/SIGTERM in turn), or by default
# "turn": one signal per step, INT, TERM, KILL in turn, starting one step
# later on 6.1 than on 6.12, so that the two series together give each step
# two of the three. Under TCG on a shared 2-core host one signalled run with
# its checks and second run takes about a minute: "all" is 39 of them.
#   f5-signals.sh [turn|pair|all]
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

mode=${1:-turn}
turn_sigs=(INT TERM KILL)
shift_by=0
[ "${MH_SERIES:-}" != 6.1 ] || shift_by=1
# sigs_for K: the signals for the K-th step of a list
sigs_for() {
	case $mode in
	all) echo INT TERM KILL ;;
	pair) if [ $(($1 % 2)) = 0 ]; then echo INT KILL; else echo TERM KILL; fi ;;
	*) echo "${turn_sigs[$((($1 + shift_by) % 3))]}" ;;
	esac
}
fault_begin	# sets dev, node, mid
boot_policy=$(policy)
declare -A landed

# sig_at STEP SIG ARGS...: run memhotctl -v ARGS in the background and send
# SIG as soon as it reports STEP (a prefix of the step's description)
# started (a short step may be over by then: the signal goes all the
# same); a number instead of STEP: after that many seconds. SIG_STEP: the
# step it was in when the signal went ("over" if it had ended already).
sig_at() {
	local at=$1 sig=$2 i alive=1
	shift 2
	mh_bg -v -j --timeout 60 "$@"
	if [[ $at =~ ^[0-9.]+$ ]]; then
		sleep "$at"
	else
		for ((i = 0; i < 12000; i++)); do
			bg_step "$at"
			[ $BG_SEEN = 0 ] || break
			kill -0 "$MH_PID" 2>/dev/null || break
			nap 0.005
		done
	fi
	kill -0 "$MH_PID" 2>/dev/null || alive=0
	kill "-$sig" "$MH_PID" 2>/dev/null
	SIG_T0=$(now)
	bg_step
	SIG_STEP=$BG_STEP
	[ $alive = 1 ] || SIG_STEP="over (last: $BG_STEP)"
	mh_bg_wait 30
	SIG_END=$(awk -v a="$SIG_T0" -v b="$MH_END" 'BEGIN { printf "%.3f", b - a }')
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
# The first and last offline steps in the plan's order (the lowest block
# goes last).
mapfile -t off_steps < <(plan_block_steps remove "$dev")
setup_or_bail "remove plan has offline steps" test "${#off_steps[@]}" -ge 2
# A run a signal ended partial keeps its journal, and the next run refuses
# until recover has read it (issue 15, finding 2): recover must then end it.
recover_if_journal() {
	[ -e "$MEMHOTCTL_RUNDIR/$2.journal" ] || return 0
	mh_timed -j --timeout 60 recover "$2"
	is "$MH_RC" 0 "$1: journal left, recover exits 0 ($(json_get .outcome))"
}

remove_steps=("${off_steps[0]}" "${off_steps[-1]}" check-offline
	unbind-kmem verify-released bind-devdax)
for k in "${!remove_steps[@]}"; do
	at=${remove_steps[$k]}
	for sig in $(sigs_for "$k"); do
		rearm "$dev" || setup_or_bail "re-arm" false
		before=$(snap "$dev")
		sig_at "$at" "$sig" remove "$dev"
		t="remove SIG$sig at $at"
		landed["remove $at"]+="$sig:${SIG_STEP%% dax*} "
		diag "$t: landed in: $SIG_STEP; at exit: $(blocks_summary "$dev"); exit $MH_RC; outcome $(json_get .outcome)"
		check "$t: process ended ${SIG_END}s after the signal" test "$MH_HUNG" = 0
		check "$t: no writer left" no_writer_left
		check "$t: no leak" consistent
		if [ "$sig" = KILL ]; then
			mh_timed -j --timeout 60 recover "$dev"
			is "$MH_RC" 0 "$t: recover exits 0 ($(json_get .outcome))"
		else
			check "$t: state reported (JSON outcome '$(json_get .outcome)')" \
				test -n "$(json_get .outcome)"
		fi
		st=$(end_state "$dev" "$before")
		check "$t: device removed or whole again ($st)" bash -c '[ "$1" = removed ] || [ "$1" = rolled-back ]' _ "$st"
		is "$(policy)" "$boot_policy" "$t: auto_online_blocks as before"
		[ "$sig" = KILL ] || recover_if_journal "$t" "$dev"
		mh_timed -j --timeout 120 remove "$dev"
		is "$MH_RC/$(end_state "$dev" "$before")" 0/removed "$t: second run converges"
	done
done

# ---- remove, signalled while it spins on a pinned block ----
for sig in INT TERM KILL; do
	rearm "$dev" || setup_or_bail "re-arm" false
	setup_or_bail "pin memory$mid" fault_pin_block "$node" "$mid" 4
	before=$(snap "$dev")
	sig_at 4 "$sig" remove "$dev"
	t="remove spinning on pinned memory$mid, SIG$sig at 4s"
	diag "$t: landed in: $SIG_STEP; exit $MH_RC"
	check "$t: process ended ${SIG_END}s after the signal" test "$MH_HUNG" = 0
	check "$t: no writer left holding device_hotplug_lock" no_writer_left
	[ "$sig" = KILL ] && { mh_timed -j --timeout 30 recover "$dev"; is "$MH_RC" 0 "$t: recover exits 0"; }
	is "$(snap "$dev")" "$before" "$t: rolled back"
	fault_release
done

# ---- online, with auto_online_blocks changed by memhotctl ----
raw_to_devdax "$dev"
set_policy online
mapfile -t on_steps < <(plan_block_steps online "$dev")
setup_or_bail "online plan has online steps" test "${#on_steps[@]}" -ge 2
online_steps=(set-policy unbind bind-kmem "${on_steps[0]}" "${on_steps[-1]}" restore-policy)
for k in "${!online_steps[@]}"; do
	at=${online_steps[$k]}
	for sig in $(sigs_for "$((k + 1))"); do
		raw_to_devdax "$dev" >/dev/null 2>&1
		set_policy online
		sig_at "$at" "$sig" online "$dev"
		t="online SIG$sig at $at"
		landed["online $at"]+="$sig:${SIG_STEP%% dax*} "
		diag "$t: landed in: $SIG_STEP; at exit: $(snap "$dev"); exit $MH_RC"
		check "$t: process ended ${SIG_END}s after the signal" test "$MH_HUNG" = 0
		check "$t: no leak" consistent
		if [ "$sig" = KILL ]; then
			diag "$t: policy right after SIGKILL: $(policy)"
			mh_timed -j --timeout 60 recover "$dev"
			is "$MH_RC" 0 "$t: recover exits 0 ($(json_get .outcome))"
		fi
		is "$(policy)" online "$t: auto_online_blocks back to online"
		[ "$sig" = KILL ] || recover_if_journal "$t" "$dev"
		mh_timed -j --timeout 120 online "$dev"
		is "$MH_RC/$(dax_driver "$dev")/$(count_state "$dev" online)/$(policy)" \
			"0/kmem/$(nblocks "$dev")/online" "$t: second run converges"
	done
done
set_policy "$boot_policy"
for k in "${!landed[@]}"; do echo "# measure: f5 signal at $k landed in: ${landed[$k]}"; done
count_report
done_testing
