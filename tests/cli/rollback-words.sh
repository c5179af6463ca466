#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, finding 9: a rollback that failed is not called rolled back.
# On a tree of plain files the kmem unbind cannot happen (no driver
# files), and putting the blocks back fails too (a plain state file reads
# "online_movable", not online): the run is partial, and neither its
# summary nor its JSON may say "rolled back".
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/a"
run 4 remove dax0.0 --sysroot "$TMP/a/two"
out_has "not restored: memory34 offline"
! grep -q "rolled back" "$TMP/out" || fail "a failed rollback called rolled back"

# the partial run keeps its journal, which would block the next tree's run
[ -f "$MEMHOTCTL_RUNDIR/dax0.0.journal" ] || fail "partial remove left no journal"
export MEMHOTCTL_RUNDIR="$TMP/run-b"
mkdir -p "$MEMHOTCTL_RUNDIR"
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/b"
run 4 -j remove dax0.0 --sysroot "$TMP/b/two"
jqt '.outcome == "partial" and .rolled_back == false'
exit 0
