#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A real run on a tree of plain files: offline writes every block's state,
# prints the summary line on stdout (nothing on stderr when not a tty), and
# its JSON reports each block; a second offline has nothing to do.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
T=$TREES/two
M=$T/sys/devices/system/memory

run 0 offline dax0.0 --sysroot "$T"
grep -qx "dax0.0: offlined (5 blocks offlined, driver kmem)" "$TMP/out" ||
	fail "summary line: $(cat "$TMP/out")"
[ ! -s "$TMP/err" ] || fail "progress on stderr without a tty or -v"
for b in 34 35 36 37 38; do
	[ "$(cat "$M/memory$b/state")" = offline ] || fail "memory$b not offline"
done
[ "$(cat "$M/memory7/state")" = online ] || fail "memory7 was touched"

# Nothing left to do: exit 0, no block written.
run 0 -j offline dax0.0 --sysroot "$T"
jqt '.outcome == "done" and .exit_code == 0 and .dry_run == false'
jqt '[.blocks[].state] | all(. == "offline")'
jqt '[.steps[] | select(.step == "offline-block")] | length == 0'

# -v shows progress per step on stderr; -q prints nothing on success.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/t2"
run 0 -v offline dax0.0 --sysroot "$TMP/t2/two"
err_has "offline-block memory34"
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/t3"
run 0 -q offline dax0.0 --sysroot "$TMP/t3/two"
[ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ] || fail "-q printed something"

# --timeout bounds the whole operation from its start, the wait for the
# lock included: while another holder keeps the lock, a remove gives up
# when its second is over (exit 3, busy), having written nothing.
if command -v flock >/dev/null; then
	sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/t4"
	before=$(tree_sum "$TMP/t4/two")
	hold_lock
	t0=$(date +%s%N)
	run 3 --timeout 1 remove dax0.0 --sysroot "$TMP/t4/two"
	ms=$((($(date +%s%N) - t0) / 1000000))
	lock_holder_gone
	[ $ms -ge 900 ] && [ $ms -lt 5000 ] || fail "--timeout 1 with the lock held took $ms ms"
	err_has "another memhotctl holds $MEMHOTCTL_RUNDIR/lock"
	[ "$(tree_sum "$TMP/t4/two")" = "$before" ] || fail "the tree changed"
	[ "$(grep -c "another memhotctl holds" "$TMP/err")" = 1 ] ||
		fail "the lock message more than once"
	echo "ok: --timeout 1 ends the wait for the lock after $ms ms"
fi

# A lock that cannot be had at all (its directory cannot be made): an
# error before any change, exit 1 and not busy's 3, said in one line that
# names the lock; the tree stays as it was.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/t5"
before=$(tree_sum "$TMP/t5/two")
: >"$TMP/notadir"
(
	export MEMHOTCTL_RUNDIR="$TMP/notadir/run"
	run 1 remove dax0.0 --sysroot "$TMP/t5/two"
)
err_has "cannot take the lock $TMP/notadir/run/lock: Not a directory"
[ "$(wc -l <"$TMP/err")" = 1 ] || fail "the lock failure said in more than one line"
[ "$(tree_sum "$TMP/t5/two")" = "$before" ] || fail "the tree changed"
exit 0
