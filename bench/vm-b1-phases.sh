#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# B1 profiling, guest side: where does memhotctl's time go? Run after
# `vm-b1.sh 0` (with B1_STRACE=0) left the device online movable:
#
#   tests/vm/boot.sh -k 6.1 -p bench/b1-profile.conf -o OUT \
#       $PWD/bench/vm-b1.sh:0 $PWD/bench/vm-b1-phases.sh:ROUNDS
#   (MH_GUEST_B1_STRACE=0 in the host's environment reaches the guest)
#
# Per round: raw remove/online (for the scale), then memhotctl -v -v remove
# and online with every stderr line stamped on arrival (OUT/phases-N-OP.log:
# "seconds-since-start line"). Then one remove and online under
# strace -f -tt -T (OUT/phases-strace-OP.txt), unless
# MH_GUEST_B1_PHASES_STRACE=0 (strace makes every syscall cost ~40 ms in
# a TCG guest: good for counting, not for timing).
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
ROUNDS=${1:-2}
OUT=/run/mh/out
MH=/run/mh
MEMHOTCTL=${MEMHOTCTL:-/run/mh/bin/memhotctl}
export MEMHOTCTL_RUNDIR=${MEMHOTCTL_RUNDIR:-/run/memhotctl-bench}
VMB1=$MH/scripts.vm-b1.sh
SYS_MEM=/sys/devices/system/memory
DEV=dax0.0
BLOCKS=
for m in /sys/bus/dax/devices/$DEV/mapping*; do
	bs=$((16#$(cat $SYS_MEM/block_size_bytes)))
	s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
	for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do BLOCKS+="$b "; done
done
BLOCKS=${BLOCKS% }
now() { echo "${EPOCHREALTIME/./}"; }
N=0
stamp() {	# prefix each line with the seconds since $1 (microseconds)
	local t0=$1 l t
	while IFS= read -r l; do
		t=${EPOCHREALTIME/./}	# no $(now): a fork per line lags behind
		t=$((t - t0))
		printf '%d.%06d %s\n' $((t / 1000000)) $((t % 1000000)) "$l"
	done
}
run() {	# name cmd...
	local name=$1 t0 t1 rc
	shift
	t0=$(now)
	"$@" >"$OUT/phases-$name.out" 2> >(stamp "$t0" >"$OUT/phases-$name.log")
	rc=$?
	t1=$(now)
	N=$((N + 1))
	echo "ok $N - $name rc $rc $(((t1 - t0) / 1000)) ms"
	sleep 0.3	# let the stamper finish
}
echo "# $(uname -r) $DEV: $(wc -w <<<"$BLOCKS") blocks"
# What every run pays before its first write: exec and libraries, then the
# snapshot and plan (a dry run), against daxctl's own listing.
for i in 1 2 3; do
	run "$i-version" "$MEMHOTCTL" --version
	run "$i-dry-run" "$MEMHOTCTL" remove --dry-run "$DEV"
	run "$i-daxctl-list" daxctl list -d "$DEV"
done
for ((r = 1; r <= ROUNDS; r++)); do
	run "$r-raw-remove" bash "$VMB1" __raw_remove "$DEV" "$BLOCKS"
	run "$r-raw-online" bash "$VMB1" __raw_online "$DEV" "$BLOCKS"
	run "$r-remove" "$MEMHOTCTL" -v -v --timeout 900 remove "$DEV"
	run "$r-online" "$MEMHOTCTL" -v -v --timeout 900 online "$DEV" --zone movable
done
[ "${MH_GUEST_B1_PHASES_STRACE:-1}" = 1 ] || { echo "1..$N"; exit 0; }
for op in remove online; do
	a=(--timeout 900 "$op" "$DEV")
	[ $op = online ] && a+=(--zone movable)
	run "strace-$op" strace -f -tt -T -y -o "$OUT/phases-strace-$op.txt" "$MEMHOTCTL" "${a[@]}"
done
echo "1..$N"
