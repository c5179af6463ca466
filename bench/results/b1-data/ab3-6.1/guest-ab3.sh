#!/bin/bash
# experiment: raw vs memhotctl as is (A), without CPU pinning (B), without the quiet period (C)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
export MEMHOTCTL_RUNDIR=/run/memhotctl-bench
mkdir -p $MEMHOTCTL_RUNDIR
X=/work/exp/b/memhotctl; VMB1=/run/mh/scripts.vm-b1.sh
SYS_MEM=/sys/devices/system/memory; DEV=dax0.0; BLOCKS=
bs=$((16#$(cat $SYS_MEM/block_size_bytes)))
for m in /sys/bus/dax/devices/$DEV/mapping*; do
	s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
	for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do BLOCKS+="$b "; done
done
BLOCKS=${BLOCKS% }
now() { echo "${EPOCHREALTIME/./}"; }
run() { local tag=$1 t0 t1; shift; t0=$(now); "$@" >/run/out.last 2>/run/err.last; rc=$?; t1=$(now); echo "# $tag $(( (t1-t0)/1000 )) rc $rc"; }
for r in 1 2 3 4 5 6; do
	run "r$r raw" bash $VMB1 __raw_remove $DEV "$BLOCKS"; bash $VMB1 __raw_online $DEV "$BLOCKS"
	run "r$r A" $X --timeout 900 remove $DEV; bash $VMB1 __raw_online $DEV "$BLOCKS"
	run "r$r B-nopin" env EXP_NOPIN=1 $X --timeout 900 remove $DEV; bash $VMB1 __raw_online $DEV "$BLOCKS"
	run "r$r C-noquiet" env EXP_QUIET=0 $X --timeout 900 remove $DEV; bash $VMB1 __raw_online $DEV "$BLOCKS"
	run "r$r A-env" env EXP_NONE=1 $X --timeout 900 remove $DEV; bash $VMB1 __raw_online $DEV "$BLOCKS"
done
echo "1..0"
