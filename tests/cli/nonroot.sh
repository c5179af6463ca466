#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A changing command on the live system without root: exit 1 with a clear
# message before anything is read or changed. With --dry-run or --sysroot
# root is not needed.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "root without setpriv: skip"; exit 77; }
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups --"
	# The build dir may be private (mktemp -d): run a copy nobody can reach.
	chmod 755 "$TMP"
	cp "$MEMHOTCTL" "$TMP/memhotctl"
	MEMHOTCTL=$TMP/memhotctl
	$AS "$MEMHOTCTL" --version >/dev/null 2>&1 ||
		{ echo "nobody cannot run $MEMHOTCTL: skip"; exit 77; }
else
	AS=
fi

# nrun EXPECTED_RC ARGS...: as a non-root user
nrun() {
	want=$1
	shift
	rc=0
	$AS "$MEMHOTCTL" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = "$want" ] || fail "(non-root) memhotctl $* exited $rc, expected $want"
	echo "ok: (non-root) memhotctl $* -> $rc"
}

for cmd in online offline remove recover; do
	nrun 1 $cmd dax0.0
	grep -qx "memhotctl: $cmd needs root" "$TMP/err" || fail "$cmd: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "$cmd printed on stdout"
done
nrun 1 recover
err_has "recover needs root"
# The live root given as a sysroot is the live system: still root only.
for r in / /. //; do
	nrun 1 offline dax0.0 --sysroot "$r"
	grep -qx "memhotctl: offline needs root" "$TMP/err" || fail "--sysroot $r: $(cat "$TMP/err")"
done
# A bad name is still a usage error, whoever asks.
nrun 2 remove ../dax0.0

# No root needed to look, or to change a tree.
T=$TREES/two
nrun 0 status --sysroot "$T"
nrun 0 remove dax0.0 --dry-run --sysroot "$T"
out_has "offline-block memory34"
exit 0
