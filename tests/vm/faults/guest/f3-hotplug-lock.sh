#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# f3: device_hotplug_lock held by someone else for longer than the deadline.
# lock_device_hotplug() is exported neither by Debian's 6.1 nor 6.12 kernel
# (Module.symvers), so the lock is held the way the kernel itself holds it:
# an endless offline of another block (pinned by memhot_fault.ko) in a
# background process. Every memoryN/state write then loops in
# lock_device_hotplug_sysfs()'s trylock + restart_syscall(), which only a
# fatal signal ends (p0: a handled SIGALRM at 2 s did not end it).
# memhotctl must not hang past --timeout, exit 3, report the lock busy and
# change nothing.
#   f3-hotplug-lock.sh [TIMEOUT]
set -a; . /run/mh/env; set +a	# guest-main.sh sources it without export
. /run/mh/guest-lib.sh
. "$MH_GUEST_FAULTS/fault-lib.sh"

tmo=${1:-8}
fault_begin	# sets dev, node, mid
setup_or_bail "pin pages in memory$mid" fault_pin_block "$node" "$mid" 4
orig=$(snap "$dev")

hold_hotplug_lock "$mid"
trap release_hotplug_lock EXIT
is "$(block_state "$mid")" going-offline "holder spins in offline of memory$mid (holds device_hotplug_lock)"
before=$(snap "$dev")
for cmd in remove offline; do
	dmesg_mark
	# launch to exit, timed by bash's own clock: no timeout(1) or date(1)
	# to exec around it (each took up to a second in the starved guest,
	# where the holder's offline loop keeps a vCPU busy)
	mh_bg -j --timeout "$tmo" "$cmd" "$dev"
	mh_bg_wait $((tmo + 30))
	F_FAULTS=$((F_FAULTS + 1))
	is "$MH_RC" 3 "$cmd with the lock held exits 3"
	check "$cmd did not hang past --timeout $tmo + 3 s ($MH_SECS s)" \
		bash -c '[ "$1" = 0 ] && awk -v a="$2" -v b="$3" "BEGIN { exit !(a <= b) }"' \
		_ "$MH_HUNG" "$MH_SECS" $((tmo + 3))
	check "$cmd reports the hotplug lock busy" \
		bash -c 'grep -q "device_hotplug_lock" <<<"$1"' _ "$(json_get .message) $MH_ERR"
	diag "outcome $(json_get .outcome) message: $(json_get .message)"
	sleep 0.5
	is "$(snap "$dev")" "$before" "$cmd changed nothing"
	check "$cmd: holder still running" kill -0 "$HOLDER_PID"
	check "$cmd: no leak in dmesg" dmesg_clean
done
# Where the time goes (diagnostic only).
mh_stamped --timeout "$tmo" offline "$dev"
if command -v strace >/dev/null; then
	# syscalls of memhotctl and its writer child that took over 0.3 s
	strace -f -ttt -T -o /tmp/f3.strace "$MEMHOTCTL" --timeout "$tmo" offline "$dev" >/dev/null 2>&1
	grep -E ' <[0-9]+\.[0-9]+>$' /tmp/f3.strace |
		awk -F'<' '{ t = $NF; sub(/>$/, "", t) } t + 0 > 0.3' | cut -c1-160 |
		sed 's/^/# slow syscall: /'
	awk 'NR == 1 { a = $2 } { b = $2 } END { printf "# strace: %.3f s, %d lines\n", b - a, NR }' /tmp/f3.strace
fi
# The waiting writer must be gone, not queued behind the holder: once the
# holder ends, no block of the device may go offline by itself.
release_hotplug_lock
trap - EXIT
sleep 2
is "$(snap "$dev")" "$orig" "after the holder ends: nothing changes behind our back"

fault_release
mh_timed -j --timeout 120 remove "$dev"
is "$MH_RC" 0 "lock free and pins released: remove exits 0"
is "$(end_state "$dev" "$orig")" removed "device removed"
count_report
done_testing
