#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# apply (issue 17) on trees of plain files: a device without an entry, or
# already as configured, is left alone with not one file written (mtimes);
# a configuration error (file:line) or a conflict applies nothing to any
# device; blocks online in Normal configured movable whose offline is
# predicted refused are named and left; --dry-run plans and writes nothing;
# the defaults are read under --sysroot. The transitions that need a
# kernel (bind, online) run in tests/vm/scenarios/*-apply.sh.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
C=$TMP/conf
mkdir -p "$C"

# no_write TREE: no file of TREE written since $TMP/mark was made
no_write() {
	w=$(find "$1" -newer "$TMP/mark" \( -type f -o -type d \) | head -3)
	[ -z "$w" ] || fail "written: $w"
}
mark() { sleep 0.02; touch "$TMP/mark"; sleep 0.02; }

# Usage: an operand is needed, and all stands alone.
run 2 apply --sysroot "$TREES/two" --config "$C"
err_has "apply takes DEV... or all"
run 2 apply all dax0.0 --sysroot "$TREES/two" --config "$C"
run 2 apply dax9.0 --sysroot "$TREES/two" --config "$C"

# two: dax0.0 online Movable, dax1.0 devdax. Configured so: nothing to do,
# not one write, exit 0, and the same a second time.
cat >"$C/10-pmem.conf" <<'CONF'
# the NVDIMM namespace as movable system RAM
[device]
name = dax0.0
state = system-ram

[device]
kind = hmem
state = devdax
CONF
T=$TREES/two
mark
for i in 1 2; do
	run 0 apply all --sysroot "$T" --config "$C"
	out_has "dax0.0: system-ram movable ($C/10-pmem.conf:2): already system-ram movable as configured"
	out_has "dax1.0: devdax ($C/10-pmem.conf:6): already devdax as configured"
done
run 0 -j apply dax0.0 dax1.0 --sysroot "$T" --config "$C/10-pmem.conf"
jqt '.exit_code == 0 and ([.apply[] | .changed] == [false, false])'
jqt '.apply[0].entry == {"file": "'"$C"'/10-pmem.conf", "line": 2, "state": "system-ram", "zone": "movable"}'
jqt '.apply[0].before == {"mode": "system-ram", "zone": "movable", "online": 5, "offline": 0} and .apply[0].after == .apply[0].before'
jqt '.apply[1].before.mode == "devdax" and (.apply[1].operations | length) == 0'
no_write "$T"

# No entry: left alone, said so, exit 0.
: >"$C/empty.conf"
run 0 -j apply all --sysroot "$T" --config "$C/empty.conf"
jqt '[.apply[] | .entry == null and .changed == false and .message == "no entry in the configuration: left alone"] | all'
no_write "$T"

# The defaults under --sysroot: etc/memhotctl.conf.d of the tree.
mkdir -p "$T/etc/memhotctl.conf.d"
cp "$C/10-pmem.conf" "$T/etc/memhotctl.conf.d/"
mark
run 0 -j apply all --sysroot "$T"
jqt '.apply[0].entry.file == "'"$T"'/etc/memhotctl.conf.d/10-pmem.conf"'
no_write "$T"

# uuid_selects UUID: an entry of that uuid selects dax0.0 of tree two (and
# not dax1.0), which is as configured: nothing written.
uuid_selects() {
	printf '[device]\nuuid = %s\nstate = system-ram\n' "$1" >"$C/uuid.conf"
	mark
	run 0 -j apply all --sysroot "$T" --config "$C/uuid.conf"
	jqt '.apply[0].entry.line == 1 and .apply[0].changed == false and .apply[1].entry == null'
	no_write "$T"
}
# Selected by the NVDIMM namespace's UUID (upper case in sysfs is matched)...
T=$TREES/two
R="$T/sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0"
echo namespace0.0 >"$R/namespace"
mkdir -p "$T/sys/bus/nd/devices/namespace0.0"
echo 6A3C1E5B-0D2F-4C7A-9E11-22F0A4B5C6D7 >"$T/sys/bus/nd/devices/namespace0.0/uuid"
uuid_selects 6a3c1e5b-0d2f-4c7a-9e11-22f0a4b5c6d7
# ...or by its dax info block's UUID, the one ndctl prints for a devdax
# namespace (the nd dax device's, the parent of dax0.0).
echo 0B7E9C52-3A41-4F6D-8E20-91C3D5A7B8E4 >"$R/uuid"
uuid_selects 0b7e9c52-3a41-4f6d-8e20-91c3d5a7b8e4

# offline: dax0.0's blocks offline. --dry-run plans the online, writes nothing.
T=$TREES/offline
mark
run 0 apply dax0.0 --dry-run --sysroot "$T" --config "$C/10-pmem.conf"
out_has "5. online-block memory34 movable"
out_has "dax0.0: system-ram movable ($C/10-pmem.conf:2): dry run: nothing changed"
run 0 -j apply all --dry-run --sysroot "$T" --config "$C"
jqt '.dry_run and .apply[0].operations[0].operation == "online" and ([.apply[0].operations[0].steps[].step] | length) == 5'
no_write "$T"

# A configuration error anywhere: file:line, exit 1, no device changed
# (dax0.0 would be onlined otherwise).
printf '[device]\nname = dax0.0\nstate = system-ram\nzone = movible\n' >"$C/20-bad.conf"
run 1 apply all --sysroot "$T" --config "$C"
err_has "memhotctl: $C/20-bad.conf:4: "
no_write "$T"
run 1 -j apply all --sysroot "$T" --config "$C"
jqt '.exit_code == 1 and (.error | test("20-bad.conf:4"))'
# Two entries of one rank wanting different things for dax0.0.
printf '[device]\nstart = 0x%x\nstate = devdax\n' $((34 * 134217728)) >"$C/20-bad.conf"
run 1 apply dax0.0 --sysroot "$T" --config "$C"
err_has "$C/20-bad.conf:1"
no_write "$T"
rm "$C/20-bad.conf"
# A --config that is not there, or not a regular file.
run 1 apply all --sysroot "$T" --config "$C/none.conf"
err_has "$C/none.conf"
mkfifo "$C/fifo.conf"
run 1 apply all --sysroot "$T" --config "$C"
err_has "$C/fifo.conf: not a regular file"
rm "$C/fifo.conf"
no_write "$T"

# Blocks online in Normal, configured movable, memory35 holding slab: the
# move is refused before any write, naming the block and why.
[ "$(getconf PAGESIZE)" = 4096 ] || { echo "not 4 KiB pages: rest skipped"; exit 0; }
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/n"
T=$TMP/n/two
for b in 34 35 36 37 38; do
	echo Normal >"$T/sys/devices/system/memory/memory$b/valid_zones"
done
truncate -s $((39 * 32768 * 8)) "$T/proc/kpageflags"
printf '\200\0\0\0\0\0\0\0' | dd of="$T/proc/kpageflags" bs=8 seek=$((35 * 32768 + 7)) \
	conv=notrunc status=none
mark
run 1 apply dax0.0 --sysroot "$T" --config "$C"
err_has "memory35: 1 slab page in ZONE_NORMAL"
run 1 -j apply dax0.0 --sysroot "$T" --config "$C"
jqt '.apply[0].before.zone == "normal" and .apply[0].changed == false and .apply[0].operations[0].operation == "offline" and .apply[0].operations[0].outcome == "failed"'
jqt '.apply[0].message | test("memory35: 1 slab page")'
no_write "$T"
# --dry-run shows the offline the move starts with.
rm "$T/proc/kpageflags"
mark
run 0 -j apply dax0.0 --dry-run --sysroot "$T" --config "$C"
jqt '.apply[0].operations[0].operation == "offline" and ([.apply[0].operations[0].steps[] | select(.step == "offline-block")] | length) == 5'
no_write "$T"

# On the live system --config is trusted as the defaults are: a file
# others may write is refused before any device is read (--dry-run: no
# root needed, nothing could change anyway).
cp "$C/10-pmem.conf" "$TMP/live.conf"
chmod 0666 "$TMP/live.conf"
run 1 apply all --dry-run --config "$TMP/live.conf"
err_has "$TMP/live.conf: not owned by root or writable by others: not trusted"
