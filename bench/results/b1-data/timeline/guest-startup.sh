#!/bin/bash
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
export MEMHOTCTL_RUNDIR=/run/memhotctl-bench
mkdir -p $MEMHOTCTL_RUNDIR
E=/work/exp; M=/run/mh/bin/memhotctl; VMB1=/run/mh/scripts.vm-b1.sh; O=/run/mh/out
SYS_MEM=/sys/devices/system/memory; DEV=dax0.0; BLOCKS=
bs=$((16#$(cat $SYS_MEM/block_size_bytes)))
for m in /sys/bus/dax/devices/$DEV/mapping*; do
	s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
	for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do BLOCKS+="$b "; done
done
BLOCKS=${BLOCKS% }
now() { echo "${EPOCHREALTIME/./}"; }
st() { local t0 t1 i a=(); for i in $(seq 11); do t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); a+=($((t1-t0))); done; echo "# startup $* : median $(printf '%s\n' "${a[@]}" | sort -n | sed -n 6p) us ($(printf '%s\n' "${a[@]}" | sort -n | tr '\n' ' '))"; }
for k in 1 2; do st $E/t0; st $E/t3; st $E/t1; st $E/t2; st $M --version; done
strace -f -tt -T -y -o $O/remove.strace $M --timeout 900 remove $DEV
bash $VMB1 __raw_online $DEV "$BLOCKS"
strace -f -tt -T -y -o $O/online.strace $M --timeout 900 online $DEV --zone movable
echo "1..0"
