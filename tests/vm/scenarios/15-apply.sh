#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 17: apply with --config in /run (the guest's /etc is the host's,
# read-only). An NVDIMM devdax namespace configured system-ram (by its
# namespace UUID) ends with every block online Movable; apply again
# writes no file under /sys (strace); a broken config is refused with
# file:line and nothing changes; configured devdax, the system RAM is
# removed and released in /proc/iomem; blocks onlined into Normal behind
# the tool's back go Movable, or apply names the blocks and why; status
# names a rule planted in /etc/udev/rules.d with file and line. Last in
# its group: that case may leave blocks in Normal.
. /run/mh/guest-lib.sh
scenario_start "apply brings a device to its configured state"

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 512M) || { echo "Bail out! create-namespace"; exit 1; }
ns=$(cat "$SYS_DAX/devices/$dev/../namespace")
uuid=$(cat "/sys/bus/nd/devices/$ns/uuid")
C=/run/mh-apply
mkdir -p "$C"
(umask 022 && printf '# test\n[device]\nuuid = %s\nstate = system-ram\n' "$uuid" >"$C/50-pmem.conf")
diag "$dev on $ns, uuid $uuid"
before=$(memtotal_kb)
o=$(others "$dev")

# 1. devdax configured system-ram (movable by default): online Movable.
mh apply "$dev" --config "$C/50-pmem.conf"
is "$MH_RC" 0 "devdax -> system-ram: apply exits 0"
is "$(dax_driver "$dev")" kmem "devdax -> system-ram: driver kmem"
check "devdax -> system-ram: every block online, valid_zones Movable" all_blocks "$dev" online Movable
diag "$(blocks_summary "$dev")"
[ "$(kmem_ram_count "$dev")" -gt 0 ] && ok "System RAM (kmem) over the range in /proc/iomem" ||
	not_ok "System RAM (kmem) over the range in /proc/iomem"
is "$(others "$dev")" "$o" "no other block changed"

# 2. Again, for every device: not one file under /sys opened for writing.
w0=$(world)
if command -v strace >/dev/null; then
	strace -f -qq -e trace=openat,write,pwrite64 -o /tmp/apply.strace \
		"$MEMHOTCTL" apply all --config "$C" >/tmp/apply.out 2>&1
	rc=$?
	is "$rc" 0 "apply all again exits 0"
	n=$(grep -cE 'openat\(.*"/sys[^"]*".*O_(WRONLY|RDWR)' /tmp/apply.strace)
	is "$n" 0 "apply all again: no file under /sys opened for writing"
	n=$(grep -cE '^[0-9]+ +(write|pwrite64)\(([03-9]|[1-9][0-9]+),' /tmp/apply.strace)
	is "$n" 0 "apply all again: no write but to stdout and stderr"
	diag "$(cat /tmp/apply.out)"
else
	skip "no strace in the guest's root"
fi
mh -j apply all --config "$C"
is "$MH_RC" 0 "apply -j all again exits 0"
is "$(jq -r "[.apply[] | select(.device == \"$dev\") | .changed] == [false]" <<<"$MH_OUT")" true \
	"apply -j: $dev not changed"
is "$(world)" "$w0" "apply again: nothing changed"

# 3. A broken file beside the good one: file:line, exit 1, nothing changed.
(umask 022 && printf '[device]\nname = %s\nstate = devdax\nzone = sideways\n' "$dev" >"$C/60-bad.conf")
mh apply all --config "$C"
is "$MH_RC" 1 "broken config: exit 1"
[[ $MH_ERR == *"$C/60-bad.conf:4: "* ]] && ok "broken config: the error names file and line" ||
	not_ok "broken config: the error names file and line"
is "$(world)" "$w0" "broken config: nothing changed"
rm -f "$C/60-bad.conf"

# 4. Configured devdax: removed, range released.
(umask 022 && printf '[device]\nuuid = %s\nstate = devdax\n' "$uuid" >"$C/50-pmem.conf")
dmesg_mark
mh apply "$dev" --config "$C"
is "$MH_RC" 0 "system-ram -> devdax: apply exits 0"
removed "$dev" "$before" "system-ram -> devdax"
w1=$(world)
mh apply "$dev" --config "$C"
is "$MH_RC" 0 "devdax as configured: exit 0"
is "$(world)" "$w1" "devdax as configured: nothing changed"

# 5. Onlined into Normal behind the tool's back, configured movable: every
# block Movable, or exit 1 (predicted refused) / 3 (valid_zones) naming them.
(umask 022 && printf '[device]\nuuid = %s\nstate = system-ram\nzone = movable\n' "$uuid" >"$C/50-pmem.conf")
setup_or_bail "online_kernel behind apply's back" raw_to_kmem "$dev" online_kernel
diag "before: $(blocks_summary "$dev")"
mh apply "$dev" --config "$C"
diag "after: $(blocks_summary "$dev")"
case $MH_RC in
0) check "Normal -> Movable: every block online, valid_zones Movable" all_blocks "$dev" online Movable ;;
1 | 3)
	[[ $MH_ERR == *memory[0-9]* ]] && ok "Normal -> Movable refused (exit $MH_RC): the blocks are named" ||
		not_ok "Normal -> Movable refused (exit $MH_RC): the blocks are named"
	check "Normal -> Movable refused: every block still online" all_blocks "$dev" online ;;
*) not_ok "Normal -> Movable: exit $MH_RC" ;;
esac

# 6. status names a memory-onlining rule planted in /etc/udev/rules.d (a
# tmpfs over it, with its files copied: the guest's /etc is read-only).
R=/etc/udev/rules.d
if mkdir -p /run/mh-rules && cp -a "$R/." /run/mh-rules/ 2>/dev/null &&
	mount -t tmpfs mh-rules "$R" && cp -a /run/mh-rules/. "$R/"; then
	printf '# planted\nSUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"\n' \
		>"$R/99-mh-planted.rules"
	mh -j status
	is "$(jq -r '[.hotplug.udev_rules[] | select(.file == "/etc/udev/rules.d/99-mh-planted.rules") | .line] == [2]' <<<"$MH_OUT")" true \
		"status -j names the planted rule, line 2"
	mh status
	[[ $MH_OUT == *"/etc/udev/rules.d/99-mh-planted.rules:2: SUBSYSTEM=="* ]] &&
		ok "status names the planted rule with file and line" ||
		not_ok "status names the planted rule with file and line"
	diag "$(grep -E "udev rule|daxctl rule" <<<"$MH_OUT")"
	umount "$R"
else
	not_ok "tmpfs over $R"
fi
done_testing
