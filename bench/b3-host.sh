#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# B3, host side (issue 20): boot each Debian kernel with bench/b3-profile.conf
# through tests/vm/boot.sh, run bench/vm-b3.sh in it (every size in one
# boot), then bench/b3-report.py over all kernels. One VM at a time: each
# boot holds the shared VM lock (B3_LOCK, /tmp/memhotctl-vm.lock).
#
#   MEMHOTCTL=PATH b3-host.sh OUTDIR
# OUTDIR gets b3.md, b3-time-per-block.png, b3.json and SERIES/ (the
# guest's files). Environment: B3_SERIES ("6.1 6.12"), B3_ROUNDS (5),
# B3_SIZES ("64 256 1024 2048"), B3_UDEVD (0), B3_TIMEOUT (seconds for one
# boot's script, 18000), B3_FTRACE (1; 0: no ftrace run, so no figure of
# memhotctl's own CPU), B3_METHODS ("raw daxctl memhotctl": the methods timed).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: b3-host.sh OUTDIR}
boot=$here/../tests/vm/boot.sh
series=${B3_SERIES:-6.1 6.12}
rounds=${B3_ROUNDS:-5}
sizes=${B3_SIZES:-64 256 1024 2048}
sizes=$(tr ' ,:' '+++' <<<"$sizes")
bin=${MEMHOTCTL:-$PWD/memhotctl}
lock=${B3_LOCK:-/tmp/memhotctl-vm.lock}

[ -x "$boot" ] || { echo "b3: no harness at $boot" >&2; exit 1; }
[ -x "$bin" ] || { echo "b3: no memhotctl binary ($bin)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
# benchtime for the guest: outside /tmp, /run and /var/tmp, which the
# guest does not see (it mounts tmpfs there).
. "$here/../tests/vm/common.sh"
mkdir -p "$VM_CACHE"
bt=$(mktemp -d "$VM_CACHE/b3-bin.XXXXXX")
trap 'rm -rf "$bt"' EXIT
cc -O2 -Wall -o "$bt/benchtime" "$here/benchtime.c" || exit 1

rc=0
dirs=()
for s in $series; do
	o=$out/$s
	rm -rf "$o"
	mkdir -p "$o"
	echo "b3: booting $s (sizes $sizes, rounds $rounds); output in $o" >&2
	MEMHOTCTL_BIN=$bin MH_GUEST_B3_BENCHTIME=$bt/benchtime \
		MH_GUEST_B3_FTRACE=${B3_FTRACE:-1} \
		MH_GUEST_B3_METHODS="${B3_METHODS:-raw daxctl memhotctl}" \
		flock "$lock" bash "$boot" -k "$s" -p "$here/b3-profile.conf" \
		-o "$o" "$here/vm-b3.sh:$rounds,$sizes" 2>"$o/boot.err" || rc=1
	dirs+=("$s=$o")
done
python3 "$here/b3-report.py" --out "$out" "${dirs[@]}" || rc=1
exit $rc
