#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 17, proofs 3 and 4, profile systemd (INIT=systemd): the boot's
# memhotctl-apply.service ("memhotctl apply all", enabled as the package
# enables it) against HMEM as the kernel brought it up, configured by the
# profile's /etc/memhotctl.conf.d/50-hmem.conf: the range at 4G system-ram
# (movable), the one at 4608M devdax. On 6.12 both come up kmem, online in
# Normal (Debian's auto_online_blocks): after boot the first has every block
# Movable, or apply's journal names each block left elsewhere; the second
# is devdax, its range released, nothing leaked. 6.1 binds HMEM to
# device_dax: the first is onlined Movable from devdax, the second left be.
# Judged from the boot-time snapshot (mh-boot-state.service, before the
# boot service), sysfs, /proc/iomem, dmesg and the units' journal; no
# memhotctl command is typed. Runs first in its boot: it judges the boot.
. /run/mh/guest-lib.sh
scenario_start "issue 17: the boot's memhotctl-apply.service on HMEM"
diag "systemd guest: the scripts start at $(cut -d' ' -f1 /proc/uptime) s of uptime"
boot=/run/mh-boot-state.txt
[ -s "$boot" ] || { echo "Bail out! no boot snapshot $boot (mh-boot-state.service)"; exit 1; }
[ "$(cat /proc/1/comm)" = systemd ] || { echo "Bail out! PID 1 is not systemd"; exit 1; }

# the dax device whose first range starts at ADDR
dev_at() {
	local d
	for d in "$SYS_DAX"/devices/dax*; do
		[ "$(($(cat "$d/mapping0/start" 2>/dev/null || echo -1)))" = "$(($1))" ] &&
			{ echo "${d##*/}"; return 0; }
	done
	return 1
}
boot_driver() { awk -v d="$1" '$1 == d { n = split($2, a, "/"); print a[n] }' "$boot"; }
# "state zone" of every block of DEV at boot, one per line
boot_blocks() {
	local b
	for b in $(dax_blocks "$1"); do
		awk -v m="memory$b" '$1 == m { print $2, $3 }' "$boot"
	done
}
unit=memhotctl-apply.service
journal=$(journalctl -b -u "$unit" --no-pager -o cat)
diag "journal of $unit:"
diag "$journal"
is "$(systemctl show -p ExecMainCode --value "$unit")" 1 "$unit ran at boot (its main process exited)"
rc=$(systemctl show -p ExecMainStatus --value "$unit")
diag "$unit: exit $rc, result $(systemctl show -p Result --value "$unit")"

mv=$(dev_at 0x100000000) || { echo "Bail out! no HMEM device at 4G"; exit 1; }
dd=$(dev_at 0x120000000) || { echo "Bail out! no HMEM device at 4608M"; exit 1; }
diag "at boot: $mv $(boot_driver "$mv") [$(boot_blocks "$mv" | tr '\n' ' ')], $dd $(boot_driver "$dd") [$(boot_blocks "$dd" | tr '\n' ' ')]"
diag "now: $mv $(dax_driver "$mv") $(blocks_summary "$mv"); $dd $(dax_driver "$dd") $(blocks_summary "$dd")"

# How the kernel brought them up: the premise of the scenario on each series.
if [ "$MH_SERIES" = 6.1 ]; then
	is "$(boot_driver "$mv")" device_dax "6.1: HMEM at 4G came up device_dax"
	is "$(boot_driver "$dd")" device_dax "6.1: HMEM at 4608M came up device_dax"
else
	is "$(boot_driver "$mv")" kmem "6.12: HMEM at 4G came up kmem"
	is "$(boot_blocks "$mv" | sort -u)" "online Normal" "6.12: its blocks came up online in Normal"
	is "$(boot_driver "$dd")" kmem "6.12: HMEM at 4608M came up kmem (system RAM)"
	is "$(boot_blocks "$dd" | sort -u)" "online Normal" "6.12: its blocks came up online in Normal"
fi

# 3: configured system-ram (zone movable by default)
is "$(dax_driver "$mv")" kmem "$mv (system-ram): driver kmem"
is "$(kmem_ram_count "$mv")" 1 "$mv: System RAM (kmem) over its range in /proc/iomem"
left=
for b in $(dax_blocks "$mv"); do
	[ "$(block_state "$b")" = online ] && [ "$(block_zones "$b")" = Movable ] || left+=" $b"
done
if [ -z "$left" ]; then
	ok "$mv: every block online Movable after boot"
	is "$rc" 0 "$unit exited 0"
else
	diag "blocks not online Movable:$left"
	named=1
	for b in $left; do grep -q "memory$b\b" <<<"$journal" || named=0; done
	is "$named" 1 "$mv: apply's journal names every block left out of Movable:$left"
	isnt_zero=$([ "$rc" != 0 ] && echo 1 || echo 0)
	is "$isnt_zero" 1 "$unit exited non-zero for the blocks it could not move ($rc)"
fi

# 4: configured devdax
is "$(dax_driver "$dd")" device_dax "$dd (devdax): driver device_dax"
is "$(kmem_ram_count "$dd")" 0 "$dd: no System RAM (kmem) over its range in /proc/iomem"
check "$dd: its memory block dirs are gone" all_gone "$dd"
is "$(iomem_count $((0x120000000)) $((0x12fffffff)) "System RAM")" 0 \
	"$dd: no System RAM of any name over 0x120000000-0x12fffffff"
left=$(ls /run/memhotctl 2>/dev/null | grep -v '^lock$' | tr '\n' ' ')
is "$left" "" "no journal left in /run/memhotctl"
# the whole boot's dmesg but its command line (oops=panic)
bad=$(dmesg | grep -v 'ommand line:' |
	grep -iE "$DMESG_BAD")
is "$bad" "" "no hot-remove failure or leak in this boot's dmesg"

# udev's coldplug started an instance per device after the boot service:
# the devices were as configured, so they must have changed nothing.
for d in "$mv" "$dd"; do
	diag "memhotctl-apply@$d.service: $(systemctl show -p Result,ExecMainStatus --value "memhotctl-apply@$d.service" | tr '\n' ' ')"
done
done_testing
