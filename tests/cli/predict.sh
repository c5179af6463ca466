#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The offline prediction (issue 18): status DEV gives each online block a
# verdict from a crafted sparse proc/kpageflags; offline and remove refuse
# a device with a block the kernel would refuse, exit 1, before any write
# (the tree is unchanged), unless --force; without the file nothing is
# predicted and the run goes on.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

PAGES=32768	# 128 MiB blocks of 4 KiB pages
[ "$(getconf PAGESIZE)" = 4096 ] || { echo "not 4 KiB pages: skip"; exit 77; }

# put_flags FILE PFN OCTAL-BYTES COUNT: COUNT flag words from PFN on
put_flags() {
	i=0
	while [ "$i" -lt "$4" ]; do
		printf "$3" | dd of="$1" bs=8 seek=$(($2 + i)) conv=notrunc status=none
		i=$((i + 1))
	done
}
SLAB='\200\0\0\0\0\0\0\0'	# bit 7
PGTABLE='\0\0\0\004\0\0\0\0'	# bit 26
RESERVED='\0\0\0\0\001\0\0\0'	# bit 32
LRU='\040\0\0\0\0\0\0\0'	# bit 5
BUDDY='\0\004\0\0\0\0\0\0'	# bit 10
# free_block FILE BLOCK: every page of memoryBLOCK free; the kernel sets
# KPF_BUDDY on a free block's tails too. One block's words, made once.
free_block() {
	if [ ! -s "$TMP/free.words" ]; then
		printf "$BUDDY" >"$TMP/free.words"
		fb=1
		while [ "$fb" -lt "$PAGES" ]; do
			cat "$TMP/free.words" "$TMP/free.words" >"$TMP/free.tmp"
			mv "$TMP/free.tmp" "$TMP/free.words"
			fb=$((fb * 2))
		done
	fi
	dd if="$TMP/free.words" of="$1" bs=8 seek=$(($2 * PAGES)) conv=notrunc status=none
}
# zoneinfo FILE: node 1's Normal zone, two CPUs' per-CPU lists (6.1's format)
zoneinfo() {
	printf '%s\n' 'Node 1, zone   Normal' '  pages free     30000' '        managed  32768' '  pagesets' \
		'    cpu: 0' '              count: 3' '              high:  100' \
		'              batch: 10' '    cpu: 1' '              count: 0' \
		'              high:  100' '              batch: 10' \
		'  node_unreclaimable:  0' >"$1"
}

# normal: dax0.0's blocks 34-38 online in ZONE_NORMAL; memory35 holds slab
# and a page table, memory37 LRU pages only.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/n"
T=$TMP/n/two
M=$T/sys/devices/system/memory
for b in 34 35 36 37 38; do echo Normal >"$M/memory$b/valid_zones"; done
K=$T/proc/kpageflags
truncate -s $((39 * PAGES * 8)) "$K"
for b in 34 35 36 37 38; do free_block "$K" "$b"; done
zoneinfo "$T/proc/zoneinfo"
put_flags "$K" $((35 * PAGES + 100)) "$SLAB" 3
put_flags "$K" $((35 * PAGES + 900)) "$PGTABLE" 1
put_flags "$K" $((37 * PAGES)) "$LRU" 2	# the rest of the block free

run 0 status dax0.0 --sysroot "$T"
grep -q "^ *35 .*3 slab pages, 1 page-table page in ZONE_NORMAL" "$TMP/out" ||
	fail "status does not name memory35's slab and page-table pages"
grep -q "^ *37 .*will-go" "$TMP/out" || fail "memory37 not predicted to go"
run 0 -j status dax0.0 --sysroot "$T"
jqt '.devices[0].blocks[1].prediction == {"verdict": "refused", "causes": {"slab": 3, "page-table": 1}, "other": 0, "pages": 32768, "reason": null}'
jqt '[.devices[0].blocks[] | .prediction.verdict] == ["will-go", "refused", "will-go", "will-go", "will-go"]'
# Only when a device is named: a plain status reads no page flags.
run 0 -j status --sysroot "$T"
jqt '[.devices[0].blocks[] | has("prediction")] | any | not'

before=$(tree_sum "$T")
for op in remove offline; do
	run 1 "$op" dax0.0 --sysroot "$T"
	err_has "memory35: 3 slab pages, 1 page-table page in ZONE_NORMAL"
	err_has "nothing changed"
	[ "$(tree_sum "$T")" = "$before" ] || fail "$op refused but the tree changed"
	run 1 -j "$op" dax0.0 --sysroot "$T"
	jqt '.outcome == "failed" and .exit_code == 1 and (.message | test("memory35: 3 slab"))'
	run 1 "$op" --dry-run dax0.0 --sysroot "$T"
	[ "$(tree_sum "$T")" = "$before" ] || fail "$op refused but the tree changed"
done

# --force tries anyway: here (plain files) every block goes offline.
run 0 offline --force dax0.0 --sysroot "$T"
for b in 34 35 36 37 38; do
	[ "$(cat "$M/memory$b/state")" = offline ] || fail "--force: memory$b not offline"
done

# Pages without flags in a Normal block: a driver's pages or free pages on
# the per-CPU lists. Beyond what those lists can hold (here 2 x 6,858) at
# least the rest are kernel pages: refused, naming that lower bound; within
# it, uncertain, and the run goes on.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/u"
T=$TMP/u/two
M=$T/sys/devices/system/memory
for b in 34 35 36 37 38; do echo Normal >"$M/memory$b/valid_zones"; done
K=$T/proc/kpageflags
truncate -s $((39 * PAGES * 8)) "$K"
for b in 34 35 37 38; do free_block "$K" "$b"; done
put_flags "$K" $((35 * PAGES + 2048)) "$LRU" 1	# then 1,023 pages unflagged
dd if=/dev/zero of="$K" bs=8 count=1023 seek=$((35 * PAGES + 2049)) conv=notrunc status=none
zoneinfo "$T/proc/zoneinfo"
run 0 -j status dax0.0 --sysroot "$T"
jqt '[.devices[0].blocks[] | .prediction.verdict] == ["will-go", "uncertain", "refused", "will-go", "will-go"]'
jqt '.devices[0].blocks[2].prediction.causes == {"unflagged-kernel": 19052}'
jqt '.devices[0].blocks[1].prediction.reason | test("1023 pages without flags.*per-CPU.*driver")'
run 0 status dax0.0 --sysroot "$T"
grep -q "^ *36 .*at least 19,052 pages allocated by the kernel without flags (driver allocations) in ZONE_NORMAL" \
	"$TMP/out" || fail "status does not name memory36's unflagged kernel pages"
before=$(tree_sum "$T")
run 1 remove dax0.0 --sysroot "$T"
err_has "memory36: at least 19,052 pages allocated by the kernel without flags"
[ "$(tree_sum "$T")" = "$before" ] || fail "remove refused but the tree changed"
# Without zoneinfo the same pages cannot be told: uncertain, the run goes on.
rm "$T/proc/zoneinfo"
run 0 -j status dax0.0 --sysroot "$T"
jqt '.devices[0].blocks[2].prediction | .verdict == "uncertain" and (.reason | test("proc/zoneinfo"))'
run 0 offline dax0.0 --sysroot "$T"
err_has "memory36: uncertain: 32768 pages without flags"

# No proc/kpageflags: not predicted, never guessed; the run goes on.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/m"
T=$TMP/m/two
for b in 34 35 36 37 38; do echo Normal >"$T/sys/devices/system/memory/memory$b/valid_zones"; done
run 0 -j status dax0.0 --sysroot "$T"
jqt '.devices[0].blocks[0].prediction.verdict == "not-predicted"'
jqt '.devices[0].blocks[0].prediction.reason | test("proc/kpageflags")'
run 0 -v offline dax0.0 --sysroot "$T"
err_has "memory34: not-predicted: cannot read"

# ZONE_MOVABLE: a reserved page refuses there too, as status says.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/v"
T=$TMP/v/two
K=$T/proc/kpageflags
truncate -s $((39 * PAGES * 8)) "$K"
put_flags "$K" $((36 * PAGES + 5000)) "$RESERVED" 1
put_flags "$K" $((36 * PAGES + 6000)) "$SLAB" 1
run 0 -j status dax0.0 --sysroot "$T"
jqt '.devices[0].blocks[2].prediction | .verdict == "refused" and .causes == {"reserved": 1}'
# ...but offline and remove do not read movable blocks' flags (the idle
# movable remove pays nothing): no verdict said even with -v, and it goes.
run 0 -v offline dax0.0 --sysroot "$T"
! grep -q "will-go\|refused\|predicted" "$TMP/err" || fail "a movable block's flags were read"
[ "$(cat "$T/sys/devices/system/memory/memory36/state")" = offline ] || fail "memory36 not offline"
exit 0
