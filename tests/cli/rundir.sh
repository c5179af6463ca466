#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15: the run directory (lock, journals) must be root's alone or the
# user's own, never writable by others; a pending journal makes an
# operation refuse (exit 1, journal kept) and shows in status; a journal
# that cannot be written is an error before any change (1, not busy's 3);
# recover --dry-run needs no root; a sysroot run without MEMHOTCTL_RUNDIR
# touches no lock or journal at all.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
R=$MEMHOTCTL_RUNDIR
J=$R/dax0.0.journal

# A run directory others can write: refused, nothing changed.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/t1"
before=$(tree_sum "$TMP/t1/two")
chmod 0777 "$R"
run 1 offline dax0.0 --sysroot "$TMP/t1/two"
err_has "$R has mode 0777, writable by others: refused"
[ "$(tree_sum "$TMP/t1/two")" = "$before" ] || fail "the tree changed"
chmod 0755 "$R"

# A pending journal: offline refuses naming recover, the journal stays.
T=$TMP/t1/two
cat >"$J" <<-EOJ
	memhotctl-journal 1
	op online
	dev dax0.0
	root $(cd "$T" && pwd -P)
	policy online_movable
	unbind_started 0
	rebind_devdax 0
EOJ
chmod 0644 "$J"
cp "$J" "$TMP/j.orig"
run 1 offline dax0.0 --sysroot "$T"
err_has "run 'memhotctl recover dax0.0' first"
cmp -s "$J" "$TMP/j.orig" || fail "the journal changed"
[ "$(tree_sum "$T")" = "$before" ] || fail "the tree changed"
run 1 --dry-run offline dax0.0 --sysroot "$T"
err_has "run 'memhotctl recover dax0.0' first"
run 1 -j remove dax0.0 --sysroot "$T"
jqt '.exit_code == 1 and (.message | test("memhotctl recover dax0.0"))'
run 0 -j status --sysroot "$T"
jqt '[.devices[] | select(.device == "dax0.0")][0].pending_journal == {"op": "online", "file": "'"$J"'"}'
jqt '[.devices[] | select(.device != "dax0.0")] | all(.pending_journal == null)'
run 0 status --sysroot "$T"
out_has "dax0.0: pending journal of an interrupted online: $J; run 'memhotctl recover dax0.0'"

# recover --dry-run without root, on a journal the user can read.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0755 "$TMP" "$R"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MEMHOTCTL" recover --dry-run \
		dax0.0 --sysroot "$T" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ $rc = 0 ] || fail "recover --dry-run as nobody exited $rc"
	out_has "dax0.0: online interrupted"
	echo "ok: recover --dry-run as nobody"
fi
# The dry run prints the plan recover would run, from the library.
run 0 recover --dry-run dax0.0 --sysroot "$T"
out_has "dax0.0: online interrupted: would put 0 blocks back, 1 step (dry run, nothing changed):"
out_has "  1. restore-policy auto_online_blocks=online_movable"
run 0 -j recover --dry-run dax0.0 --sysroot "$T"
jqt '.steps == [{"step": "restore-policy", "arg": "online_movable", "done": false}]'
run 0 recover dax0.0 --sysroot "$T"
[ ! -e "$J" ] || fail "recover left the journal"

# A lax journal is refused whole (it was read as unbind_started 1, block
# 2^64-1); a FIFO as the journal neither hangs nor is read.
printf 'memhotctl-journal 1\nop remove\ndev dax0.0\nroot %s\nunbind_started 1junk\nrebind_devdax 1\nblock -1 movable online\n' \
	"$(cd "$T" && pwd -P)" >"$J"
chmod 0644 "$J"
run 1 recover --dry-run dax0.0 --sysroot "$T"
err_has "journal $J is not valid (line 5): refused"
run 1 recover dax0.0 --sysroot "$T"
[ -e "$J" ] || fail "a refused journal was deleted"
rm -f "$J"
mkfifo "$J"
rc=0
timeout 10 "$MEMHOTCTL" recover dax0.0 --sysroot "$T" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc = 1 ] || fail "recover with a FIFO journal exited $rc, expected 1"
err_has "$J is not a regular file: refused"
rc=0
timeout 10 "$MEMHOTCTL" offline dax0.0 --sysroot "$T" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc = 1 ] || fail "offline with a FIFO journal exited $rc, expected 1"
rm -f "$J"
echo "ok: lax and FIFO journals refused"

# A journal that cannot be written (ELOOP on its temporary file): exit 1.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/t2"
before=$(tree_sum "$TMP/t2/two")
ln -s /nonexistent "$R/dax0.0.journal.tmp"
run 1 offline dax0.0 --sysroot "$TMP/t2/two"
err_has "cannot write the journal"
[ "$(tree_sum "$TMP/t2/two")" = "$before" ] || fail "the tree changed"
rm -f "$R/dax0.0.journal.tmp"

# A sysroot run without MEMHOTCTL_RUNDIR: no lock, no journal, anywhere.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/t3"
	chmod -R a+rwX "$TMP/t3"
	rc=0
	env -u MEMHOTCTL_RUNDIR setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MEMHOTCTL" offline dax0.0 --sysroot "$TMP/t3/two" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ $rc = 0 ] || fail "sysroot offline as nobody exited $rc"
	for d in /run/lock/memhotctl /run/memhotctl; do
		[ ! -e "$d" ] || [ "$(stat -c %u "$d")" = 0 ] ||
			fail "$d made by an unprivileged sysroot run"
	done
	echo "ok: sysroot run as nobody made no run directory"
fi
exit 0
