#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# status on small trees: human output (golden), JSON keys and types (jq),
# status --blocks (golden, JSON), no dax bus, a malformed attribute.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
T=$TREES/two

run 0 status --sysroot "$T"
same_as status-two.txt
run 0 status all --sysroot "$T"
same_as status-two.txt

run 0 -j status --sysroot "$T"
jqt '.auto_online_blocks == "offline" and .block_size == 134217728'
jqt '.hotplug.parameters.online_policy == "contig-zones"'
jqt '.hotplug.memhp_default_state == "offline" and .hotplug.movable_node == true'
jqt '[.devices[].device] == ["dax0.0", "dax1.0"]'
jqt '.devices[0] | .driver == "kmem" and .mode == "system-ram" and .kind == "nvdimm"'
jqt '.devices[0] | .size == 671088640 and .target_node == 1 and .numa_node == 0'
jqt '.devices[0].mappings == [{"start": 4563402752, "end": 5234491391}]'
jqt '[.devices[0].blocks[].block] == [34, 35, 36, 37, 38]'
jqt '.devices[0].blocks[0] == {"block": 34, "state": "online", "zone": "Movable", "node": 1}'
jqt '.devices[0] | .online_blocks == 5 and .total_blocks == 5 and .missing_blocks == 0'
jqt '.devices[0] | .removable == true and .reason == null'
jqt '.devices[1] | .driver == "device_dax" and .mode == "devdax" and .kind == "hmem"'
jqt '.devices[1] | .removable == false and (.reason | length) > 0 and .blocks == []'
jqt '[.. | numbers] | length > 10'

run 0 -j status dax1.0 --sysroot "$T"
jqt '[.devices[].device] == ["dax1.0"]'

run 0 -j status --sysroot "$TREES/zone-none"
jqt '.devices[0].removable == false'
jqt '.devices[0].reason | test("memory36")'
jqt '.devices[0].blocks[2].zone == "none"'

# status --blocks: every block, like lsmem --all.
run 0 status --blocks --sysroot "$T"
same_as blocks-two.txt
run 0 -j status --blocks --sysroot "$T"
jqt '.block_size == 134217728 and (.blocks | length) == 13'
jqt '.blocks[0] == {"block": 0, "start": 0, "end": 134217727, "state": "online", "zone": "none", "node": 0, "removable": false}'
jqt '.blocks[1].zone == "DMA32 Normal" and .blocks[1].removable == true'
jqt '[.blocks[].block] == [0,1,2,3,4,5,6,7,34,35,36,37,38]'
jqt '.blocks[8].start == 34 * 134217728 and .blocks[8].end == 35 * 134217728 - 1'

# No dax bus at all: status reports the configuration, --blocks still works.
run 0 status --sysroot "$TREES/nodax"
out_has "no dax devices"
run 0 -j status --sysroot "$TREES/nodax"
jqt '.devices == []'
run 0 status --blocks --sysroot "$TREES/nodax"
[ "$(grep -c '^0x' "$TMP/out")" = 8 ] || fail "nodax: 8 block rows expected"

# A malformed attribute: exit 1, the message names the file.
run 1 status --sysroot "$TREES/bad-state"
err_has "memory35/state"
run 1 status --blocks --sysroot "$TREES/bad-state"
err_has "memory35/state"
[ ! -s "$TMP/out" ] || fail "bad-state printed on stdout"

# One device that cannot be read does not hide the others: status shows
# dax0.0, names dax1.0 and its file on stderr, and exits 1.
cp -a "$T" "$TMP/two-bad"
echo junk >"$TMP/two-bad/sys/devices/platform/hmem.0/dax1.0/mapping0/end"
run 1 status --sysroot "$TMP/two-bad"
out_has "dax0.0"
err_has "dax1.0: unexpected content in"
err_has "dax1.0/mapping0/end"
run 1 -j status --sysroot "$TMP/two-bad"
jqt '[.devices[].device] == ["dax0.0"] and .devices[0].removable == true'
run 0 status dax0.0 --sysroot "$TMP/two-bad"
run 1 status dax1.0 --sysroot "$TMP/two-bad"
err_has "mapping0/end"
# Nothing readable: the first error, as before.
run 1 -j status --sysroot "$TREES/bad-state"
jqt '.exit_code == 1 and (.error | test("memory35/state")) and (has("devices") | not)'
# The error document is -j's alone: the table run above printed nothing.

# A missing root: exit 1.
run 1 status --sysroot "$TMP/nonexistent"

# libkmod and libcxl are loaded on first use (src/lib/dlib.h): not by a
# start, nor by status of a tree without CXL devices.
for args in "--version" "status --sysroot $T" "status --blocks --sysroot $T"; do
	# shellcheck disable=SC2086 # args are words
	LD_DEBUG=files "$MEMHOTCTL" $args >/dev/null 2>"$TMP/ld" ||
		fail "memhotctl $args failed under LD_DEBUG"
	grep -q "file=libc\.so\.6" "$TMP/ld" ||
		fail "LD_DEBUG=files showed no library loads: nothing to check"
	! grep -E "file=lib(kmod|cxl)\.so" "$TMP/ld" ||
		fail "memhotctl $args loaded libkmod or libcxl"
	echo "ok: memhotctl $args loads neither libkmod nor libcxl"
done

exit 0
