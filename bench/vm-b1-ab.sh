#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# B1 A/B, guest side: after `vm-b1.sh 0` set the device up, alternate
# raw, memhotctl as is (A) and memhotctl with extra environment (B) for
# remove and online, ROUNDS times, plain wall times (no -v, no strace).
# B is another binary instead when ENV is a path; more of them are C, D...
# With udevd running, each op starts once its queue is empty (as in
# vm-b1.sh).
#
#   vm-b1-ab.sh ROUNDS BIN ENV       e.g. vm-b1-ab.sh 4 /var/cache/x/memhotctl MH_BENCH_NOPIN=1
#   vm-b1-ab.sh ROUNDS BIN BIN_B...  e.g. vm-b1-ab.sh 6 /var/cache/x/old /var/cache/x/new
#
# BIN must be visible in the guest (the host's / is, except /tmp, /run and
# /var/tmp). Lines "op method round wall_s rc" in /run/mh/out/vm-b1-ab.data.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
ROUNDS=${1:-4} BIN=${2:?binary} ENVB=${3:?env or binary for B}
shift 3
BIN_B=$BIN
case "$ENVB" in /*) BIN_B=$ENVB ENVB= ;; esac
MORE=("$@")	# C, D, ...: more binaries
UDEVD_RUNNING=0
pgrep -x systemd-udevd >/dev/null && UDEVD_RUNNING=1
OUT=/run/mh/out
# raw's script from tmpfs, as vm-b1.sh runs it: the stage share is uncached 9p.
VMB1=/tmp/vm-b1-ab-raw.sh
cp /run/mh/scripts.vm-b1.sh "$VMB1" || exit 1
export MEMHOTCTL_RUNDIR=/run/memhotctl-bench
SYS_MEM=/sys/devices/system/memory
DEV=dax0.0
BLOCKS=
bs=$((16#$(cat $SYS_MEM/block_size_bytes)))
for m in /sys/bus/dax/devices/$DEV/mapping*; do
	s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
	for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do BLOCKS+="$b "; done
done
BLOCKS=${BLOCKS% }
N=0
one() {	# op method round cmd...; method B runs with ENVB exported
	local op=$1 m=$2 r=$3 t0 t1 rc
	shift 3
	[ "$UDEVD_RUNNING" = 0 ] || udevadm settle -t 120
	t0=${EPOCHREALTIME/./}
	# a subshell that execs, for both: one fork and one exec each, no env(1)
	(if [ "$m" = B ] && [ -n "$ENVB" ]; then export "$ENVB"; fi; exec "$@") \
		>"$OUT/ab.last.out" 2>"$OUT/ab.last.err"
	rc=$?
	t1=${EPOCHREALTIME/./}
	N=$((N + 1))
	printf '%s %s %s %d.%06d %d\n' "$op" "$m" "$r" $(((t1 - t0) / 1000000)) \
		$(((t1 - t0) % 1000000)) $rc >>"$OUT/vm-b1-ab.data"
	echo "$([ $rc = 0 ] || echo 'not ')ok $N - $op $m $r: rc $rc $(((t1 - t0) / 1000)) ms"
}
LETTERS=(C D E F)
desc="A = $BIN; B = ${ENVB:-$BIN_B}"
for i in "${!MORE[@]}"; do desc+="; ${LETTERS[$i]} = ${MORE[$i]}"; done
echo "# $(uname -r) $DEV: $(wc -w <<<"$BLOCKS") blocks; $desc; udevd running: $UDEVD_RUNNING"
NAMES=(raw A B) BINS=("" "$BIN" "$BIN_B")
for i in "${!MORE[@]}"; do NAMES+=("${LETTERS[$i]}") BINS+=("${MORE[$i]}"); done
# The order turns by one each round, as in vm-b1.sh: no method always
# comes right after the same other one.
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < ${#NAMES[@]}; i++)); do
		k=$(((r - 1 + i) % ${#NAMES[@]}))
		m=${NAMES[$k]} b=${BINS[$k]}
		if [ "$m" = raw ]; then
			one remove raw $r bash "$VMB1" __raw_remove "$DEV" "$BLOCKS"
			one online raw $r bash "$VMB1" __raw_online "$DEV" "$BLOCKS"
		else
			one remove "$m" $r "$b" --timeout 900 remove "$DEV"
			one online "$m" $r "$b" --timeout 900 online "$DEV" --zone movable
		fi
	done
done
echo "1..$N"
