#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, findings 1 and 2 on a real kernel: the lock and journals live in
# /run/memhotctl, root's alone; an unprivileged user's lock at the old
# /run/lock/memhotctl neither stops root nor plants anything; a pending
# journal makes offline refuse (exit 1, journal and policy kept), and
# recover then restores blocks and policy.
. /run/mh/guest-lib.sh
scenario_start "run directory root's alone; a pending journal is refused, then recovered"

# The default place is what is tested here, not the suite's test directory.
unset MEMHOTCTL_RUNDIR
RUN=/run/memhotctl
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 512M) || { echo "Bail out! create-namespace"; exit 1; }
orig=$(policy)
rm -rf "$RUN" /run/lock/memhotctl
mkdir -p /run/lock && chmod 1777 /run/lock	# as on Debian

# --- 1. a user's flock at the old path -------------------------------------
nobody sh -c 'mkdir -p /run/lock/memhotctl && exec flock -x /run/lock/memhotctl/lock sleep 600' &
holder=$!
# Until the user's flock is there: the file must exist first (a probe
# before the user's mkdir fails for want of the directory, not the lock).
for _ in $(seq 300); do
	[ -e /run/lock/memhotctl/lock ] &&
		! flock -n /run/lock/memhotctl/lock true 2>/dev/null && break
	sleep 0.1
done
check "user holds an flock on /run/lock/memhotctl/lock" \
	sh -c '! flock -n /run/lock/memhotctl/lock true'
setup_or_bail "to kmem" raw_to_kmem "$dev" online_movable
mh remove "$dev"
is "$MH_RC" 0 "remove with a user's lock at the old path: exit 0"
is "$(dax_driver "$dev")" device_dax "remove: driver device_dax"
check "remove: block dirs gone" all_gone "$dev"
is "$(stat -c '%U %a' "$RUN" 2>&1)" "root 755" "$RUN made by root, mode 755"
is "$(stat -c '%U %a %F %h' "$RUN/lock" 2>&1)" "root 600 regular empty file 1" \
	"$RUN/lock: root's, 0600, one link"
nobody sh -c "echo x >$RUN/$dev.journal" 2>/dev/null
check "user cannot plant a journal in $RUN" test ! -e "$RUN/$dev.journal"
nobody sh -c "mv $RUN/lock $RUN/lock.old" 2>/dev/null
check "user cannot rename the lock" test -f "$RUN/lock" -a ! -e "$RUN/lock.old"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# A run directory given by a user (theirs) is refused before any change.
mkdir -p /tmp/userrun && chown 65534:65534 /tmp/userrun && chmod 755 /tmp/userrun
MEMHOTCTL_RUNDIR=/tmp/userrun mh online "$dev"
is "$MH_RC" 1 "MEMHOTCTL_RUNDIR owned by a user: exit 1"
is "$(dax_driver "$dev")" device_dax "user's run directory: nothing changed"

# --- 2. a pending journal ----------------------------------------------------
# What a killed offline leaves: the journal with every block online Movable
# and the policy it replaced, the first block already offline.
# (From devdax again: a binary that failed part 1 may have left it in kmem.)
setup_or_bail "back to devdax" raw_to_devdax "$dev"
setup_or_bail "to kmem" raw_to_kmem "$dev" online_movable
set_policy online_movable
blocks=$(dax_blocks "$dev")
first=$(echo "$blocks" | head -1)
{
	echo "memhotctl-journal 1"
	echo "op offline"
	echo "dev $dev"
	echo "root /"
	echo "policy online_movable"
	echo "unbind_started 0"
	echo "rebind_devdax 0"
	for b in $blocks; do echo "block $b movable online"; done
} >"$RUN/$dev.journal"
chmod 644 "$RUN/$dev.journal"
cp "$RUN/$dev.journal" /tmp/journal.orig
raw_offline_block "$first"
set_policy offline
w=$(world)

mh status -j "$dev"
check "status -j names the pending journal" \
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1])["devices"][0]; \
sys.exit(0 if d["pending_journal"]["op"] == "offline" else 1)' "$MH_OUT"
mh offline "$dev"
is "$MH_RC" 1 "offline with a pending journal: exit 1"
check "offline names 'memhotctl recover $dev'" grep -q "memhotctl recover $dev" /tmp/mh.err
check "the journal is kept as it was" cmp -s "$RUN/$dev.journal" /tmp/journal.orig
is "$(policy)" offline "the policy is untouched"
is "$(world)" "$w" "no block changed"

mh recover "$dev"
is "$MH_RC" 0 "recover: exit 0"
check "recover: every block online, Movable" all_blocks "$dev" online Movable
is "$(policy)" online_movable "recover: auto_online_blocks restored"
check "recover: journal removed" test ! -e "$RUN/$dev.journal"
mh status -j "$dev"
check "status -j: pending_journal null" \
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1])["devices"][0]; \
sys.exit(0 if d["pending_journal"] is None else 1)' "$MH_OUT"

setup_or_bail "back to devdax" raw_to_devdax "$dev"
set_policy "$orig"
rm -rf /tmp/userrun /tmp/journal.orig
done_testing
