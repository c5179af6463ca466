#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Without udevd, remove pauses between its two last checks only when
# another process hears the kernel's uevents: such a process is told of
# each offline and may online the block again. What it relies on from the
# kernel: a socket that joins the uevent group shows in /proc/net/netlink
# (protocol 15, group bit 1) while it lives, and none is there otherwise.
. /run/mh/guest-lib.sh
scenario_start "remove's pause and the kernel's uevent listeners"

# Sockets of protocol 15 (NETLINK_KOBJECT_UEVENT) in group 1, any process.
uevent_listeners() {
	local sk eth pid groups rest n=0
	while read -r sk eth pid groups rest; do
		[ "$eth" = 15 ] && (((16#$groups) & 1)) && n=$((n + 1))
	done < <(tail -n +2 /proc/net/netlink)
	echo "$n"
}
# wait_listeners N: until there are N of them, at most 5 s
wait_listeners() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(uevent_listeners)" = "$1" ] && return
		sleep 0.1
	done
}

if pgrep -x systemd-udevd >/dev/null; then
	echo "1..0 # SKIP udevd runs here: remove waits for it instead"
	exit 0
fi
setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 512M) || { echo "Bail out! create-namespace"; exit 1; }
before=$(memtotal_kb)

setup_or_bail "kmem online movable" raw_to_kmem "$dev" online_movable
is "$(uevent_listeners)" 0 "no process hears the kernel's uevents"
dmesg_mark
mh -v -v remove "$dev"
is "$MH_RC" 0 "no listener: remove exits 0"
check "no listener: the second check came without a pause" \
	grep -q "no other process hears the kernel's uevents" <<<"$MH_ERR"
removed "$dev" "$before" "no listener"

setup_or_bail "kmem online movable again" raw_to_kmem "$dev" online_movable
udevadm monitor --kernel --subsystem-match=memory >/tmp/listener.log 2>&1 &
mon=$!
wait_listeners 1
is "$(uevent_listeners)" 1 "udevadm monitor --kernel shows in /proc/net/netlink"
blocks=$(nblocks "$dev")
dmesg_mark
mh -v -v remove "$dev"
is "$MH_RC" 0 "one listener: remove exits 0"
check "one listener: the second check came after the pause" \
	grep -q "1 other socket(s) hear the kernel's uevents: second check in 100 ms" <<<"$MH_ERR"
removed "$dev" "$before" "one listener"
sleep 0.5
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
n=$(grep -c "offline.*(memory)" /tmp/listener.log)
diag "the listener heard $n offline uevents of memory blocks, the device had $blocks"
is "$n" "$blocks" "the listener heard every offline it could have reacted to"
wait_listeners 0
is "$(uevent_listeners)" 0 "the listener's socket is gone with it"
done_testing
