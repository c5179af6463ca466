#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# f4: another agent onlines the device's blocks while memhotctl removes it.
#  - loop: a shell loop writing online_movable to every block of the device;
#  - udev: systemd-udevd with rules in /run/udev/rules.d that online every
#    added block and re-online every block that goes offline (a distribution
#    style rule; on 6.12 "online" lands in ZONE_NORMAL). udevadm works here
#    because the harness enters the root with switch_root, not chroot.
#  - slow udev: a rule whose RUN program onlines a block SLOW_SECS after
#    its offline uevent, later than memhotctl's offlines end. memhotctl
#    must wait for udevd to finish with its offline uevents before the
#    unbind, see the blocks come back and roll back (exit 3); a fixed
#    pause shorter than the rule would unbind before it acted.
# N runs in a row (default 10 + 10 + 2): each must end removed (exit 0) or
# rolled back (exit 3; slow udev: rolled back only); a leak ("cannot be
# hotremoved" in dmesg, or System RAM (kmem) left in /proc/iomem without
# kmem bound) is never allowed.
# daxctl leaked 1-2 of 3 runs under the loop (real-kernel-vm.md).
#   f4-race-onliner.sh [LOOP_RUNS] [UDEV_RUNS] [SLOW_UDEV_RUNS]
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

loop_runs=${1:-10} udev_runs=${2:-10} slow_runs=${3:-2}
SLOW_SECS=1.5
have_memhotctl || { echo "Bail out! no memhotctl"; exit 1; }
dev=$(fault_setup_dev 768M online_movable)
setup_or_bail "kmem device" test -n "$dev"
orig_policy=$(policy)

onliner() {
	local b
	while :; do
		for b in $(dax_blocks "$dev"); do
			[ "$(block_state "$b")" = offline ] &&
				echo online_movable >"$SYS_MEM/memory$b/state" 2>/dev/null
		done
	done
}

# named_each_moved BEFORE AFTER MESSAGE: every block whose zone differs
# between the two snaps ("N:state:Zone" words) is named in MESSAGE as
# "memoryN Zone" (its zone now); at least one block must differ.
named_each_moved() {
	local w id z n=0
	for w in $2; do
		[[ $w =~ ^([0-9]+):online:(.*)$ ]] || continue
		id=${BASH_REMATCH[1]} z=${BASH_REMATCH[2]}
		[[ " $1 " == *" $id:online:$z "* ]] && continue
		[[ $3 == *"memory$id $z"* ]] || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

declare -A tally
one_run() {
	local kind=$1 i=$2 before st
	rearm "$dev" || { not_ok "$kind run $i: re-arm the device"; return; }
	before=$(snap "$dev")
	dmesg_mark
	mh_timed -j --timeout 60 remove "$dev"
	F_FAULTS=$((F_FAULTS + 1))
	st=$(end_state "$dev" "$before")
	# a rollback under a racing onliner may leave blocks online in another
	# zone than before (udev onlines into the default zone): accept any
	# all-online kmem state with exit 3, but nothing else.
	if [ "$st" = other ] && [ "$MH_RC" = 3 ] && [ "$(dax_driver "$dev")" = kmem ] &&
	   [ "$(count_state "$dev" online)" = "$(nblocks "$dev")" ]; then
		st=rolled-back
	fi
	# When the onliner wins the fight over a block's zone (the rule onlines
	# each block memhotctl offlines to move it back), the rollback cannot
	# restore the zones: exit 4 (partial) is then the truth, provided every
	# block is online, kmem still bound, and the message names each block
	# left in another zone with that zone.
	if [ "$st" = other ] && [ "$MH_RC" = 4 ] && [ "$(dax_driver "$dev")" = kmem ] &&
	   [ "$(count_state "$dev" online)" = "$(nblocks "$dev")" ] &&
	   named_each_moved "$before" "$(snap "$dev")" "$(json_get .message)"; then
		st=rolled-back-other-zones
	fi
	tally[$kind/$st/$MH_RC]=$((${tally[$kind/$st/$MH_RC]:-0} + 1))
	if [ "$st" = leaked ]; then
		F_LEAKS=$((F_LEAKS + 1))
		not_ok "$kind run $i: leaked, exit $MH_RC"
		diag "  before: $before" "  after:  $(snap "$dev")" "  message: $(json_get .message)"
		dmesg_new | grep -iE 'cannot be hotremoved|removing memory fails' | sed 's/^/# dmesg: /'
		# a leaked range stays until reboot: nothing more can run on it
		count_report
		echo "Bail out! $kind run $i leaked the range (reboot needed)"
		exit 1
	fi
	case "$st/$MH_RC" in
	removed/0 | rolled-back/3 | rolled-back-other-zones/4)
		ok "$kind run $i: $st, exit $MH_RC ($MH_SECS s)" ;;
	*)
		not_ok "$kind run $i: $st, exit $MH_RC"
		diag "  before: $before" "  after:  $(snap "$dev")" "  json: $(head -c 600 <<<"$MH_OUT")"
		;;
	esac
	dmesg_new | grep -iE 'cannot be hotremoved|removing memory fails' | sed 's/^/# dmesg: /'
}

# --- a shell loop ---
onliner &
loop_pid=$!
t0=$SECONDS
for ((i = 1; i <= loop_runs; i++)); do one_run loop "$i"; done
kill "$loop_pid"; wait "$loop_pid" 2>/dev/null
echo "# measure: f4 loop: $loop_runs runs in $((SECONDS - t0)) s, re-arm included"

# slow_run I: one remove while a rule onlines each block SLOW_SECS after
# its offline uevent; the rule is there only during the run, so that the
# re-arm's own offlines (and their delayed RUNs) cannot interfere.
slow_rule=/run/udev/rules.d/99-memhot-fault-slow-online.rules
slow_rule_on() {
	printf '%s\n' "SUBSYSTEM==\"memory\", ACTION==\"offline\", RUN+=\"/bin/sh -c 'sleep $SLOW_SECS; echo online_movable >/sys%p/state'\"" >"$slow_rule"
	udevadm control --reload
}
slow_rule_off() {
	rm -f "$slow_rule"
	udevadm control --reload
	udevadm settle -t 30	# the delayed RUNs still sleeping
}
all_movable() {
	local b
	for b in $(dax_blocks "$1"); do [ "$(block_zones "$b")" = Movable ] || return 1; done
}
slow_run() {
	local i=$1 before st t
	# The quick rule's runs may leave blocks in Normal; the slow rule onlines
	# Movable, so start from Movable for a rollback to restore every zone.
	all_movable "$dev" || raw_to_devdax "$dev" >/dev/null 2>&1
	rearm "$dev" && all_movable "$dev" ||
		{ not_ok "slow udev run $i: re-arm the device, every block Movable"; return; }
	before=$(snap "$dev")
	slow_rule_on
	dmesg_mark
	mh_timed -j --timeout 60 remove "$dev"
	F_FAULTS=$((F_FAULTS + 1))
	slow_rule_off
	st=$(end_state "$dev" "$before")
	[ "$st" = leaked ] && F_LEAKS=$((F_LEAKS + 1))
	t=$(json_get .message)
	if [ "$st/$MH_RC" = rolled-back/3 ] && [[ $t == *"another agent"* ]] &&
	   [ "$(json_get .rolled_back)" = true ]; then
		ok "slow udev run $i: rolled back, exit 3, after $MH_SECS s (rule: $SLOW_SECS s)"
	else
		not_ok "slow udev run $i: $st, exit $MH_RC (want rolled-back, exit 3, a racer named)"
		diag "  before: $before" "  after:  $(snap "$dev")" "  message: $t"
	fi
	dmesg_new | grep -iE 'cannot be hotremoved|removing memory fails' | sed 's/^/# dmesg: /'
}

# --- systemd-udevd with onlining rules ---
started_udevd=0
if [ "$udev_runs" -gt 0 ] || [ "$slow_runs" -gt 0 ]; then
	if ! pgrep -x systemd-udevd >/dev/null && ! pgrep -f 'udevd --daemon' >/dev/null; then
		/lib/systemd/systemd-udevd --daemon && started_udevd=1
	fi
	mkdir -p /run/udev/rules.d
fi
# With udevd and no onlining rule yet, the kernel's offline uevent of each
# block reaches memhotctl as its confirmation: -v -v names each one, and
# none of its (500 ms) waits for one runs out.
if pgrep -x systemd-udevd >/dev/null || pgrep -f 'udevd --daemon' >/dev/null; then
	rearm "$dev"
	n=$(nblocks "$dev")
	mh -v -v --timeout 60 remove "$dev"
	is "$MH_RC" 0 "udevd, no onlining rule: remove exits 0"
	is "$(grep -c 'uevent (kernel) offline memory' <<<"$MH_ERR")" "$n" \
		"udevd, no onlining rule: the kernel's offline uevent of each of the $n blocks seen"
	is "$(grep -c 'no offline uevent' <<<"$MH_ERR")" 0 \
		"udevd, no onlining rule: no wait for an offline uevent ran out"
	is "$(grep -c 'watching memory uevents' <<<"$MH_ERR")" 1 "udevd: remove watches uevents"
	# The watch ends with the last check, before the unbind's remove uevents.
	closed=$(grep -n 'memory uevents no longer watched' <<<"$MH_ERR" | head -n1 | cut -d: -f1)
	unbind=$(grep -n "unbind-kmem $dev: done" <<<"$MH_ERR" | head -n1 | cut -d: -f1)
	before=no
	[ -n "$closed" ] && [ -n "$unbind" ] && [ "$closed" -lt "$unbind" ] && before=yes
	is "$before" yes \
		"udevd: the uevent watch closes before the unbind (lines ${closed:-none}, ${unbind:-none})"
	mh -v -v --timeout 60 online "$dev" --zone movable
	is "$MH_RC" 0 "udevd: online exits 0"
	is "$(count_state "$dev" online)" "$n" "udevd: online brought every block back"
	is "$(grep -c 'watching memory uevents' <<<"$MH_ERR")" 0 \
		"udevd: online, which offlines nothing, watches no uevents"
	# Removed again, as the udev runs below expect: their first re-arm binds
	# kmem under the onlining rule, which puts the blocks where its
	# rollbacks can put them back.
	mh --timeout 60 remove "$dev"
	is "$MH_RC" 0 "udevd: removed again"
fi
if [ "$udev_runs" -gt 0 ]; then
	mkdir -p /run/udev/rules.d
	cat >/run/udev/rules.d/99-memhot-fault-online.rules <<'RULES'
SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"
SUBSYSTEM=="memory", ACTION=="offline", ATTR{state}=="offline", ATTR{state}="online"
RULES
	udevadm control --reload
	udevadm settle -t 10
	# prove the rule acts: offline a block by hand, udevd puts it back
	b=$(dax_blocks "$dev" | head -n1)
	rearm "$dev"
	raw_offline_block "$b"
	sleep 2
	is "$(block_state "$b")" online "udev rule re-onlines memory$b after a raw offline ($(block_zones "$b"))"
	t0=$SECONDS
	for ((i = 1; i <= udev_runs; i++)); do one_run udev "$i"; done
	echo "# measure: f4 udev: $udev_runs runs in $((SECONDS - t0)) s, re-arm included"
	rm -f /run/udev/rules.d/99-memhot-fault-online.rules
	udevadm control --reload
	udevadm settle -t 10
fi
if [ "$slow_runs" -gt 0 ]; then
	# prove the rule acts, and late: a raw offline, the block back after
	b=$(dax_blocks "$dev" | head -n1)
	rearm "$dev"
	slow_rule_on
	raw_offline_block "$b"
	sleep 0.5
	early=$(block_state "$b")
	sleep "$SLOW_SECS"; sleep 1
	late=$(block_state "$b")
	slow_rule_off
	is "$early/$late" offline/online "slow rule re-onlines memory$b after $SLOW_SECS s, not at once"
	for ((i = 1; i <= slow_runs; i++)); do slow_run "$i"; done
fi
[ $started_udevd = 1 ] && udevadm control --exit

is "$(policy)" "$orig_policy" "auto_online_blocks unchanged"
for k in "${!tally[@]}"; do echo "# measure: f4 $k x${tally[$k]}"; done
check "no leak over all runs" bash -c "! dmesg | grep -qE 'cannot be hotremoved|removing memory fails'"
count_report
done_testing
