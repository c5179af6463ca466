#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, finding 4: `memhotctl -v remove DEV 2>&1 | head -1`. The reader
# leaves after the first progress line, and every later line meets a pipe
# with no reader (SIGPIPE at its default, as in a login shell): the remove
# must still end complete, judged from sysfs, /proc/iomem and the journal
# directory, and exit 0.
. /run/mh/guest-lib.sh
scenario_start "remove into a pipe whose reader leaves (SIGPIPE)"

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 768M) || { echo "Bail out! create-namespace"; exit 1; }
before=$(memtotal_kb)
setup_or_bail "kmem online" raw_to_kmem "$dev" online_movable
check "setup: every block online" all_blocks "$dev" online
dmesg_mark

first=$(env --default-signal=PIPE timeout -k 5 300 "$MEMHOTCTL" -v remove "$dev" 2>&1 |
	head -1; echo "rc=${PIPESTATUS[0]}")
diag "first line and exit: $first"
is "${first##*rc=}" 0 "remove with its reader gone exits 0 (141: killed by SIGPIPE)"
removed "$dev" "$before" "reader gone"
is "$(ls "$MEMHOTCTL_RUNDIR" 2>/dev/null | grep -c '\.journal$')" 0 "no journal left"
done_testing
