#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PID 1 of the test guest after switch_root: run each script of /run/mh/plan,
# its TAP to out/NAME.tap, then save dmesg and power off. Never exits (PID 1).
# In a systemd guest the same, as mh-test.service (tests/vm/systemd/).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
MH=/run/mh
OUT=$MH/out

mkdir -p /dev/pts /dev/shm /run/lock
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
hostname mhguest 2>/dev/null
[ -r "$MH/env" ] && { set -a; . "$MH/env"; set +a; }

if [ "${MH_UDEVD:-0}" = 1 ] && [ -x /lib/systemd/systemd-udevd ]; then
	/lib/systemd/systemd-udevd --daemon
	udevadm trigger --action=add >/dev/null 2>&1
	udevadm settle -t 30
fi

echo "MH-GUEST-START $(uname -r)" >/dev/console
while read -r name script args; do
	[ -n "$name" ] || continue
	case "$name" in \#*) continue ;; esac
	echo "MH-SCRIPT-BEGIN $name" >/dev/console
	first=$(($(dmesg | wc -l) + 1))
	(cd "$MH" && exec timeout -k 10 "${MH_SCRIPT_TIMEOUT:-900}" \
		bash "$MH/$script" $args) >"$OUT/$name.tap" 2>"$OUT/$name.err" </dev/null
	echo "$?" >"$OUT/$name.rc"
	dmesg | tail -n "+$first" >"$OUT/$name.dmesg" 2>&1
	echo "MH-SCRIPT-END $name $(cat "$OUT/$name.rc")" >/dev/console
done <"$MH/plan"
dmesg >"$OUT/dmesg.txt" 2>&1
# systemd guest (boot.sh -i systemd): the boot's journal, apply's units in it
[ "${MH_INIT:-script}" != systemd ] ||
	journalctl -b --no-pager -o short-monotonic >"$OUT/journal.txt" 2>&1
echo "done" >"$OUT/done"
sync
echo "MH-GUEST-DONE" >/dev/console
busybox poweroff -f
sleep 10
echo o >/proc/sysrq-trigger
sleep infinity
