#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, finding 4: a reader that went away (| head -1, a dropped ssh
# session) neither ends nor changes an operation. Its progress lines and
# results then go to a pipe with no reader, under the default SIGPIPE
# action (reset here, whatever the harness ignores): the tree must end
# complete and the exit status must be the operation's.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
env --default-signal=PIPE true 2>/dev/null || { echo "env lacks --default-signal: skip"; exit 77; }

# gone ARGS...: memhotctl ARGS with stdout and stderr into a pipe whose
# reader has exited; its exit status in $TMP/rc, its stderr-only lines lost.
gone() {
	rm -f "$TMP/rc"
	{
		sleep 0.3	# the reader is gone by then
		rc=0
		env --default-signal=PIPE "$MEMHOTCTL" "$@" 2>&1 || rc=$?
		echo "$rc" >"$TMP/rc"
	} | true
	cat "$TMP/rc"
}

# sum ROOT: the states of dax0.0's blocks and its driver, one line
states() {
	for b in 34 35 36 37 38; do
		printf '%s ' "$(cat "$1/sys/devices/system/memory/memory$b/state")"
	done
	readlink "$1/sys/bus/dax/devices/dax0.0/driver" | sed 's|.*/||'
}

# A plain-file tree plays the kernel for offline (the remove's unbind needs
# a real one: tests/vm/scenarios/11-remove-sigpipe.sh).
for v in -v -vv; do
	sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/p$v"
	T=$TMP/p$v/two
	rc=$(gone "$v" offline dax0.0 --sysroot "$T")
	[ "$rc" = 0 ] || fail "$v offline into a closed pipe exited $rc (141: SIGPIPE)"
	got=$(states "$T")
	[ "$got" = "offline offline offline offline offline kmem" ] ||
		fail "$v offline into a closed pipe left: $got"
	[ -z "$(ls "$MEMHOTCTL_RUNDIR" | grep -v '^lock$' || :)" ] ||
		fail "offline into a closed pipe left $(ls "$MEMHOTCTL_RUNDIR")"
	echo "ok: $v offline into a closed pipe: exit 0, $got"
done

# Results only (stdout), JSON too: the operation's status stands, the
# write error is said on stderr.
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/p-json"
T=$TMP/p-json/two
rc=0
{
	sleep 0.3
	env --default-signal=PIPE "$MEMHOTCTL" -j offline dax0.0 --sysroot "$T" \
		2>"$TMP/err" || rc=$?
	echo "$rc" >"$TMP/rc"
} | true
[ "$(cat "$TMP/rc")" = 0 ] || fail "-j offline, stdout closed: exit $(cat "$TMP/rc")"
[ "$(states "$T")" = "offline offline offline offline offline kmem" ] ||
	fail "-j offline, stdout closed: $(states "$T")"
err_has "write error on stdout: Broken pipe"
echo "ok: -j offline with stdout closed: exit 0, blocks offline, error said"

# Where the output is the result, a lost output is a failure (1).
{
	sleep 0.3
	rc=0
	env --default-signal=PIPE "$MEMHOTCTL" status --sysroot "$TREES/two" \
		2>"$TMP/err" || rc=$?
	echo "$rc" >"$TMP/rc"
} | true
[ "$(cat "$TMP/rc")" = 1 ] || fail "status into a closed pipe exited $(cat "$TMP/rc")"
err_has "write error on stdout: Broken pipe"
if [ -w /dev/full ]; then
	rc=0
	"$MEMHOTCTL" status --sysroot "$TREES/two" >/dev/full 2>"$TMP/err" || rc=$?
	[ $rc = 1 ] || fail "status >/dev/full exited $rc"
	err_has "write error on stdout: No space left on device"
fi
echo "ok: status with its output lost exits 1"
exit 0
