#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 17, proofs 1 and 2, profile systemd (INIT=systemd): contrib's udev
# rule and memhotctl-apply@.service on an NVDIMM devdax namespace that
# /etc/memhotctl.conf.d selects by its UUID as system-ram (movable).
# Disabling and enabling its region is a real add event: udev starts
# memhotctl-apply@DEV.service, which must leave every block online Movable
# with no command typed (1); the same with a distribution-style rule in
# /etc/udev/rules.d that onlines every added block (2). Judged from sysfs,
# /proc/iomem and the instance's journal. A namespace without an entry is
# left alone. Last in its boot: the control at the end leaves Normal blocks.
. /run/mh/guest-lib.sh
scenario_start "issue 17: udev rule + memhotctl-apply@.service on NVDIMM hot-add"
[ "$(cat /proc/1/comm)" = systemd ] || { echo "Bail out! PID 1 is not systemd"; exit 1; }

since() { date '+%Y-%m-%d %H:%M:%S'; }
# runs DEV: how many runs of memhotctl-apply@DEV.service ended this boot
runs() {
	journalctl -b -u "memhotctl-apply@$1.service" --no-pager -o cat |
		grep -cE "^(Finished|Failed to start) memhotctl-apply@$1\.service|skipped because"
}
# wait_run DEV N: until more than N runs of the instance ended (90 s at most)
wait_run() {
	local i
	for ((i = 0; i < 90; i++)); do
		[ "$(runs "$1")" -gt "$2" ] &&
			[ "$(systemctl show -p ActiveState --value "memhotctl-apply@$1.service")" != activating ] &&
			return 0
		sleep 1
	done
	return 1
}
# the dax device of the namespace whose uuid attribute is UUID (ndctl list
# shows it as raw_uuid: its "uuid" of a devdax namespace is the info block's)
ns_dax() {
	local d ns
	for d in "$SYS_DAX"/devices/dax*; do
		ns=$(cat "$d/../namespace" 2>/dev/null) || continue
		[ "$(cat "/sys/bus/nd/devices/$ns/uuid" 2>/dev/null)" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}
# disable and enable the region; DEV's instance run; judge DEV's blocks Movable
replug() {
	local what=$1 c j dev
	udevadm settle -t 30
	t=$(runs "$DEV") s=$(since)
	ndctl disable-region "$region" >/dev/null 2>&1 && ndctl enable-region "$region" >/dev/null 2>&1 ||
		{ echo "Bail out! $what: disable/enable $region"; exit 1; }
	dev=$(ns_dax "$uuid")
	[ -n "$dev" ] || { echo "Bail out! $what: no dax device after enable"; exit 1; }
	wait_run "$dev" "$t"
	check "$what: udev started memhotctl-apply@$dev.service on the add event, it ended" \
		wait_run "$dev" "$t"
	diag "$what: journal of memhotctl-apply@$dev.service:"
	diag "$(journalctl -u "memhotctl-apply@$dev.service" --since "$s" --no-pager -o cat)"
	is "$(systemctl show -p Result --value "memhotctl-apply@$dev.service")" success \
		"$what: the instance succeeded"
	udevadm settle -t 30
	is "$(dax_driver "$dev")" kmem "$what: $dev driver kmem"
	check "$what: every block of $dev online, valid_zones Movable" all_blocks "$dev" online Movable
	diag "$what: $(blocks_summary "$dev")"
	is "$(kmem_ram_count "$dev")" 1 "$what: System RAM (kmem) over $dev's range in /proc/iomem"
	DEV=$dev
}

setup_or_bail "labels" nd_init
# the NVDIMM's region: region0 on 6.12, region2 on 6.1 (region ids are
# shared with the HMEM ranges' dax regions there)
region=$(ls -d /sys/bus/nd/devices/region* 2>/dev/null | head -n1)
region=${region##*/}
[ -n "$region" ] || { echo "Bail out! no nd region"; exit 1; }
s=$(since)
udevadm settle -t 30
j=$(ndctl create-namespace -r "$region" -m devdax -a 2M -s 512M 2>/run/mh-ndctl.err) || {
	diag "$(cat /run/mh-ndctl.err)"
	diag "$(ndctl list -RNDu 2>&1 | head -40)"
	echo "Bail out! create-namespace"
	exit 1
}
dev=$(jq -r '.daxregion.devices[0].chardev' <<<"$j")
ns=$(cat "$SYS_DAX/devices/$dev/../namespace")
uuid=$(cat "/sys/bus/nd/devices/$ns/uuid")
diag "$dev on $ns, uuid $uuid (ndctl: uuid $(jq -r .uuid <<<"$j"), raw_uuid $(jq -r .raw_uuid <<<"$j"))"
# Its creation was an add event too, before any entry selects it.
check "no entry: memhotctl-apply@$dev.service ran for the new device" wait_run "$dev" 0
diag "$(journalctl -u "memhotctl-apply@$dev.service" --since "$s" --no-pager -o cat)"
is "$(dax_driver "$dev")" device_dax "no entry: $dev left device_dax"
is "$(kmem_ram_count "$dev")" 0 "no entry: no System RAM (kmem) over its range"

cat >/etc/memhotctl.conf.d/60-nvdimm.conf <<EOC
# the namespace made by $0
[device]
uuid = $uuid
state = system-ram
EOC
policy0=$(policy)
DEV=$dev
# 1: the region's add event, nothing else
# what memhotctl makes of it (diagnostics, not judged)
diag "$("$MEMHOTCTL" apply --dry-run "$dev" 2>&1)"
diag "$("$MEMHOTCTL" status "$dev" 2>&1 | head -12)"
replug "proof 1"
is "$(policy)" "$policy0" "proof 1: auto_online_blocks unchanged ($policy0)"

# 2: a distribution's rule onlines every added block in the kernel's zone;
# the entry now names the device by the uuid ndctl printed (the dax info
# block's, not the namespace's uuid attribute): either must select it.
info_uuid=$(jq -r .uuid <<<"$j")
check "ndctl's uuid of the devdax namespace ($info_uuid) is not its uuid attribute" [ "$info_uuid" != "$uuid" ]
sed -i "s/^uuid = .*/uuid = $info_uuid/" /etc/memhotctl.conf.d/60-nvdimm.conf
rule=/etc/udev/rules.d/40-memhotctl-test-online.rules
echo 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"' >"$rule"
udevadm control --reload
setup_or_bail "back to devdax" raw_to_devdax "$DEV"
replug "proof 2 (with $rule)"
is "$(policy)" "$policy0" "proof 2: auto_online_blocks unchanged ($policy0)"

# Control: the planted rule does online added blocks. Without an entry and
# with auto_online_blocks offline, kmem bound by hand: the rule alone must
# bring the blocks online (in the kernel's default zone).
rm -f /etc/memhotctl.conf.d/60-nvdimm.conf
setup_or_bail "back to devdax" raw_to_devdax "$DEV"
set_policy offline
raw_unbind "$DEV" && raw_bind "$DEV" kmem
udevadm settle -t 30
sleep 1
is "$(count_state "$DEV" online)" "$(nblocks "$DEV")" "control: $rule onlines every added block by itself"
diag "control: $(blocks_summary "$DEV")"
set_policy "$policy0"
done_testing
