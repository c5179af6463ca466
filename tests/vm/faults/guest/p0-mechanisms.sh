#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# p0: prove each fault mechanism on this kernel with raw sysfs writes only (no
# memhotctl) and measure it. Results are TAP lines plus "# measure:" lines
# that run-faults.sh collects per kernel.
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

measure() { echo "# measure: $*"; }
# sw_bg ARGS...: sigwrite in the background, its output in $SW_OUT
sw_bg() {
	SW_OUT=$(mktemp)
	$SIGWRITE "$@" >"$SW_OUT" 2>&1 &
	SW_PID=$!
	sw_started
}
# sw_result: wait for the writer (in this shell, not a subshell), set $R
sw_result() { wait "$SW_PID" 2>/dev/null; SW_RC=$?; R=$(sed -n 's/^result=//p' "$SW_OUT"); }

setup_or_bail "module loads ($FAULT_KO)" fault_module_load
dev=$(fault_setup_dev 768M online_movable)
setup_or_bail "kmem device with movable blocks" test -n "$dev"
node=$(dax_target_node "$dev")
blk=$(mid_block "$dev")
diag "device $dev node $node blocks $(blocks_summary "$dev")"
t0=$(now)
setup_or_bail "pin pages in block $blk" fault_pin_block "$node" "$blk" 4
measure "pinblock took $(elapsed "$t0") s: $(fault_pins)"
before=$(snap "$dev")

# 1-2: SIGALRM with a handler ends the endless offline with EINTR on time.
for a in 1 3; do
	r=$($SIGWRITE --alarm "$a" "$SYS_MEM/memory$blk/state" offline | sed -n 's/^result=//p')
	measure "offline pinned Movable block, SIGALRM(handler) at ${a}s: $r"
	case "$r" in
	EINTR" secs="*) ok "SIGALRM at ${a}s ends the offline with EINTR" ;;
	*) not_ok "SIGALRM at ${a}s ends the offline with EINTR ($r)" ;;
	esac
	secs=$(sed "s/.*secs=\([0-9.]*\).*/\1/" <<<"$r")
	# latency from the alarm to EINTR; under a loaded TCG host up to ~0.5 s
	check "EINTR within 1 s of the alarm ($secs s)" le "$secs" "$((a + 1))"
	is "$(block_state "$blk")/$(zone_of "$blk")" "online/Movable" "block back online in Movable"
done

# 3: external SIGTERM with default disposition kills the writer.
sw_bg "$SYS_MEM/memory$blk/state" offline
wait_going_offline "$blk"
t0=$(now); kill -TERM "$SW_PID"; sw_result
measure "external SIGTERM (default, fatal): writer gone after $(elapsed "$t0") s (wait status $SW_RC)"
is "$(block_state "$blk")" online "SIGTERM: block online again"

# 4: SIGINT with a handler (what a CLI that traps SIGINT has).
sw_bg --handle INT "$SYS_MEM/memory$blk/state" offline
wait_going_offline "$blk"
t0=$(now); kill -INT "$SW_PID"; sw_result; r=$R
measure "external SIGINT (handler): $r, $(elapsed "$t0") s after kill"
case "$r" in EINTR*) ok "SIGINT with handler gives EINTR" ;; *) not_ok "SIGINT with handler gives EINTR ($r)" ;; esac

# 5: ignored-by-default SIGCHLD is discarded: no interruption.
sw_bg --alarm 3 "$SYS_MEM/memory$blk/state" offline
wait_going_offline "$blk"; kill -CHLD "$SW_PID"; sw_result; r=$R
measure "SIGCHLD(default) at ~1s, SIGALRM at 3s: $r"
case "$r" in *secs=[3-9]*) ok "SIGCHLD (default ignore) does not interrupt" ;; *) not_ok "SIGCHLD does not interrupt ($r)" ;; esac

# 6: a blocked signal does not interrupt either.
sw_bg --alarm 3 --block USR1 "$SYS_MEM/memory$blk/state" offline
wait_going_offline "$blk"; kill -USR1 "$SW_PID"; sw_result; r=$R
measure "SIGUSR1 blocked at ~1s, SIGALRM at 3s: $r"
case "$r" in *secs=[3-9]*) ok "a blocked signal does not interrupt" ;; *) not_ok "a blocked signal does not interrupt ($r)" ;; esac

# 7: SIGSTOP then SIGCONT.
sw_bg --alarm 6 "$SYS_MEM/memory$blk/state" offline
wait_going_offline "$blk"; kill -STOP "$SW_PID"; sleep 1; st=$(block_state "$blk"); kill -CONT "$SW_PID"; sw_result; r=$R
measure "SIGSTOP while in offline (block read '$st' while stopped), SIGCONT 1s later, alarm 6s: $r"
ok "SIGSTOP/SIGCONT observed ($r)"

# 8: a bash background job ignores SIGINT (no job control): kill -INT is lost.
( exec 2>/dev/null; echo offline >"$SYS_MEM/memory$blk/state" ) &
p=$!; wait_going_offline "$blk"; kill -INT $p; sleep 1
if kill -0 $p 2>/dev/null; then st=still-running; else st=ended; fi
measure "bash background writer (SIGINT ignored by bash for async jobs) after kill -INT: $st"
kill -TERM $p; wait $p 2>/dev/null
is "$(block_state "$blk")" online "block online after the background writer is killed"

# 9: device_hotplug_lock contention: a second writer, on another block, waits
# in lock_device_hotplug_sysfs()'s trylock + restart_syscall loop.
other=$(dax_blocks "$dev" | head -n1)
hold_hotplug_lock "$blk"
measure "holder state while spinning: $(block_state "$blk")"
sw_bg --alarm 2 "$SYS_MEM/memory$other/state" offline
sleep 4
if kill -0 "$SW_PID" 2>/dev/null; then alive=yes; else alive=no; fi
measure "second writer (block $other) with SIGALRM at 2s, alive after 4.3s: $alive"
is "$alive" yes "a handled SIGALRM does not end a write waiting for device_hotplug_lock"
t0=$(now); release_hotplug_lock; sw_result; r=$R
measure "holder killed: second writer then ended $(elapsed "$t0") s later: $r"
is "$(block_state "$other")" offline "second writer completed once the lock was free"
raw_online_block "$other" online_movable
# 9b: a fatal signal ends the waiting writer at once.
hold_hotplug_lock "$blk"
sw_bg "$SYS_MEM/memory$other/state" offline
sleep 1
t0=$(now); kill -TERM "$SW_PID"; wait "$SW_PID" 2>/dev/null
measure "waiting writer killed by SIGTERM after $(elapsed "$t0") s"
sleep 0.2
is "$(block_state "$other")" online "the waiting writer changed nothing"
# 9c: the restart loop under strace, counted for 2 s
if command -v strace >/dev/null; then
	strace -f -e trace=write -o /tmp/st.txt timeout -s KILL 2 sh -c "echo offline > $SYS_MEM/memory$other/state" 2>/dev/null
	measure "restarts in 2 s while the lock is held: $(grep -c ERESTARTNOINTR /tmp/st.txt)"
	raw_online_block "$other" online_movable 2>/dev/null
fi
release_hotplug_lock
is "$(snap "$dev")" "$before" "device state unchanged after the lock tests"

# 10: EBUSY fast: a kernel-zone block with a pinned page.
kb=$(dax_blocks "$dev" | tail -n1)
raw_offline_block "$kb"
measure "offline block $kb valid_zones: $(block_zones "$kb")"
if echo online_kernel >"$SYS_MEM/memory$kb/state" 2>/dev/null; then
	measure "block $kb onlined kernel: zone $(block_zones "$kb")"
	if fault_pin_block "$node" "$kb" 4; then
		r=$($SIGWRITE "$SYS_MEM/memory$kb/state" offline | sed -n 's/^result=//p')
		measure "offline of Normal block with pinned page: $r"
		case "$r" in EBUSY*) ok "kernel-zone block with a pinned page: EBUSY" ;; *) not_ok "EBUSY expected ($r)" ;; esac
		dmesg | grep -m1 -i 'unmovable\|offlin.*fail' | sed 's/^/# dmesg: /'
	else
		not_ok "pin a page in the Normal block"
	fi
	fault_release
	# 10b: kernel objects under numactl --membind (no module)
	mkdir -p /tmp/ff && mount -t tmpfs tmpfs /tmp/ff
	t0=$(now)
	numactl --membind="$node" bash -c 'cd /tmp/ff && for i in $(seq 30000); do : >f$i; done'
	measure "30000 files under membind=$node took $(elapsed "$t0") s"
	r=$($SIGWRITE --alarm 20 "$SYS_MEM/memory$kb/state" offline | sed -n 's/^result=//p')
	measure "offline of Normal block after 30000 files: $r"
	case "$r" in EBUSY*) ok "kernel-zone block with slab objects: EBUSY" ;; *) not_ok "files method gives EBUSY ($r)" ;; esac
	umount /tmp/ff
	sleep 1
	raw_offline_block "$kb" 2>/dev/null
	measure "after umount, block $kb: $(block_state "$kb")"
else
	not_ok "online_kernel accepted for block $kb"
fi
fault_release
done_testing
