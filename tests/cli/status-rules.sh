#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# status names what works against apply (issue 17): every udev rule line
# that onlines memory blocks, with file and line, the /etc file of a name
# hiding the /usr/lib one as udev does; daxctl's reconfigure rule; each
# device's memhotctl.conf entry and whether the device is as it says. A
# symlink, a FIFO and an oversized file in a rule directory are not read
# (status neither follows nor blocks), nor is a mask.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
T=$TREES/two
E=$T/etc/udev/rules.d
U=$T/usr/lib/udev/rules.d
mkdir -p "$E" "$U" "$T/run/udev/rules.d" "$T/etc/memhotctl.conf.d"

# RHEL's style: a GOTO guard, then a match and an assignment on one line.
cat >"$U/40-redhat.rules" <<'R'
# Memory hotadd request
SUBSYSTEM!="memory", GOTO="memory_hotplug_end"
ACTION!="add", GOTO="memory_hotplug_end"
ATTR{state}=="offline", ATTR{state}="online"
LABEL="memory_hotplug_end"
R
# A distribution file hidden by an /etc file of the same name.
printf 'SUBSYSTEM=="memory", ATTR{state}="online_kernel"\n' >"$U/60-hidden.rules"
printf '# emptied by the administrator\n' >"$E/60-hidden.rules"
# A RUN program writing online into the state file; a comment and a
# match-only line that are not onlining.
cat >"$T/run/udev/rules.d/70-run.rules" <<'R'
# SUBSYSTEM=="memory", ATTR{state}="online"
SUBSYSTEM=="memory", ATTR{state}=="online", GOTO="x"
SUBSYSTEM=="memory", ACTION=="add", RUN+="/bin/sh -c 'echo online > /sys$devpath/state'"
R
# Hostile entries: a link out of the tree, a FIFO, a file over 1 MiB.
printf 'SUBSYSTEM=="memory", ATTR{state}="online"\n' >"$TMP/outside.rules"
ln -s "$TMP/outside.rules" "$E/80-link.rules"
mkfifo "$E/81-fifo.rules"
{ printf 'SUBSYSTEM=="memory", ATTR{state}="online"\n'; head -c 1100000 /dev/zero | tr '\0' '#'; } \
	>"$E/82-big.rules"
printf 'ACTION=="add", SUBSYSTEM=="dax", RUN+="daxctl reconfigure-device --check-config"\n' \
	>"$U/90-daxctl-device.rules"
printf '[device]\nname = dax0.0\nstate = system-ram\n\n[device]\nname = dax1.0\nstate = system-ram\n' \
	>"$T/etc/memhotctl.conf.d/10.conf"

run 0 status --sysroot "$T"
out_has "udev rule onlining blocks: $U/40-redhat.rules:4: ATTR{state}==\"offline\", ATTR{state}=\"online\""
out_has "udev rule onlining blocks: $T/run/udev/rules.d/70-run.rules:3: SUBSYSTEM=="
out_has "daxctl rule:               $U/90-daxctl-device.rules (daxctl and memhotctl apply would race"
out_has "dax0.0: configured system-ram movable ($T/etc/memhotctl.conf.d/10.conf:1): as configured"
out_has "dax1.0: configured system-ram movable ($T/etc/memhotctl.conf.d/10.conf:5): not as configured"
run 0 -j status --sysroot "$T"
jqt '[.hotplug.udev_rules[] | "\(.file | sub(".*/"; "")):\(.line)"] == ["40-redhat.rules:4", "70-run.rules:3"]'
jqt '.hotplug.udev_rules_cut == false and (.hotplug.daxctl_rule | endswith("/usr/lib/udev/rules.d/90-daxctl-device.rules"))'
jqt '.configuration == {"files": 1, "error": null}'
jqt '[.devices[].configured.matches] == [true, false]'

# A mask in /etc hides daxctl's rule; a broken configuration is shown.
ln -s /dev/null "$E/90-daxctl-device.rules"
printf 'oops\n' >"$T/etc/memhotctl.conf.d/20.conf"
run 0 -j status --sysroot "$T"
jqt '.hotplug.daxctl_rule == null'
jqt '.configuration.error | test("20.conf:1: ")'
jqt '[.devices[].configured] == [null, null]'
run 0 status --sysroot "$T"
out_has "configuration: $T/etc/memhotctl.conf.d/20.conf:1: "

# Nothing of it: no rule lines, no configuration.
run 0 -j status --sysroot "$TREES/offline"
jqt '.hotplug.udev_rules == [] and .hotplug.daxctl_rule == null and .configuration.files == 0'
