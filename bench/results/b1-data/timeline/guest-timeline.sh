#!/bin/bash
# experiment (not part of the project): where does memhotctl remove's time go
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
export MEMHOTCTL_RUNDIR=/run/memhotctl-bench
mkdir -p $MEMHOTCTL_RUNDIR
E=/work/exp; B=${EXP_BIN:-$E/b/memhotctl}; VMB1=/run/mh/scripts.vm-b1.sh
SYS_MEM=/sys/devices/system/memory; DEV=dax0.0; BLOCKS=
bs=$((16#$(cat $SYS_MEM/block_size_bytes)))
for m in /sys/bus/dax/devices/$DEV/mapping*; do
	s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
	for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do BLOCKS+="$b "; done
done
BLOCKS=${BLOCKS% }
echo "# $(uname -r) blocks: $(wc -w <<<"$BLOCKS")"
now() { echo "${EPOCHREALTIME/./}"; }
drv() { basename "$(readlink /sys/bus/dax/devices/$DEV/driver 2>/dev/null)"; }
for r in 1 2 3; do
	t0=$(now); bash $VMB1 __raw_remove $DEV "$BLOCKS"; t1=$(now); echo "# r$r raw remove $(( (t1-t0)/1000 )) ms drv $(drv)"
	bash $VMB1 __raw_online $DEV "$BLOCKS"
	t0=$(now); $E/offw offline $BLOCKS > /run/offw.$r; t2=$(now); echo $DEV > /sys/bus/dax/drivers/kmem/unbind; t3=$(now); echo $DEV > /sys/bus/dax/drivers/device_dax/bind; t1=$(now)
	echo "# r$r offw remove $(( (t1-t0)/1000 )) ms drv $(drv); $(tail -1 /run/offw.$r); offw proc $(( (t2-t0)/1000 )) ms unbind $(( (t3-t2)/1000 )) ms bind $(( (t1-t3)/1000 )) ms"
	bash $VMB1 __raw_online $DEV "$BLOCKS"
	t0=$(now); EXP_T=1 $B --timeout 900 -v -v remove $DEV 2> /run/mh.$r; rc=$?; t1=$(now)
	echo "# r$r memhotctl remove $(( (t1-t0)/1000 )) ms rc $rc drv $(drv)"
	awk -v t0=$t0 -v t1=$t1 '
		/^T[0-9]+ W .*state offline/ { t = substr($1,2); if (!fw) fw = t; lw = t; wsum += $(NF-1); nw++ }
		/^C .*state/ { csum += $(NF-2); nc++ }
		END { printf "#   W span %d ms (n %d, parent sum %d ms, child write sum %d ms)\n", (lw-fw)/1000, nw, wsum/1000, csum/1000 }' /run/mh.$r
	awk -v t0=$t0 -v t1=$t1 '/^T[0-9]+/ && !/offline-block/ && !/ W / { t = substr($1,2); if (!p) p = t0; printf "#     +%5d ms (d %4d) %s\n", (t-t0)/1000, (t-p)/1000, substr($0, index($0," ")+1); p = t } END { printf "#     +%5d ms end\n", (t1-t0)/1000 }' /run/mh.$r
	grep "unbind\|bind-devdax" /run/mh.$r | grep "^C\|W" | sed 's/^/#     /'
	bash $VMB1 __raw_online $DEV "$BLOCKS"
done
echo "1..0"
