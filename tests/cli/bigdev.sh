#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, finding 7, through the CLI: dax0.0 with 2,100 blocks offlined
# under `ulimit -n 256` and 1024, soft and hard limit both (raising the soft
# one cannot help): exit 0, every block offline, the summary counts them.
# (Remove, online and the rollback: tests/unit/test-exec-big.c.)
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$top_srcdir/tests/lib/tree-lib.sh"

N=2100
FIRST=34
LAST=$((FIRST + N - 1))

# 2,100 block dirs: on a tmpfs when there is one.
base=$TMP
if [ -w /dev/shm ]; then
	base=$(mktemp -d /dev/shm/memhotctl-big.XXXXXX)
	trap 'rm -rf "$TMP" "$base"' EXIT
fi

mkbig() {
	t=$1
	memory_base "$t" offline "Normal"
	# 262 GiB on dax0.0, and more than that free elsewhere
	printf 'MemTotal:        419430400 kB\nMemFree:         314572800 kB\nMemAvailable:    314572800 kB\n' \
		>"$t/proc/meminfo"
	printf '00000000-3fffffff : System RAM\n' >"$t/proc/iomem"
	dax "$t" dax0.0 kmem LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0 \
		$((N * BS)) 1 $((FIRST * BS)):$(((LAST + 1) * BS - 1))
	# no node links: blocks() then forks nothing per block
	blocks "$t" $FIRST $LAST online Movable ""
}

for lim in 1024 256; do
	T=$base/t$lim
	mkbig "$T"
	rc=0
	(ulimit -Sn $lim && ulimit -Hn $lim &&
		exec "$MEMHOTCTL" offline dax0.0 --sysroot "$T") >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ $rc = 0 ] || fail "ulimit -n $lim: offline of $N blocks exited $rc"
	grep -qx "dax0.0: offlined ($N blocks offlined, driver kmem)" "$TMP/out" ||
		fail "ulimit -n $lim: summary"
	left=$(grep -lx online "$T"/sys/devices/system/memory/memory*/state |
		grep -cv '/memory[0-7]/state$' || :)
	[ "$left" = 0 ] || fail "ulimit -n $lim: $left blocks still online"
	echo "ok: $N blocks offlined at ulimit -n $lim (hard too)"
	rm -rf "$T"
done
exit 0
