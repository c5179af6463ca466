#!/bin/bash
# guest: at N blocks, strace -c -f and perf of daxctl and memhotctl binaries' remove
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
N=${1:-2048}; BINS=${2:-}
OUT=/run/mh/out
SYS_MEM=/sys/devices/system/memory
export MEMHOTCTL_RUNDIR=/run/memhotctl-bench; mkdir -p $MEMHOTCTL_RUNDIR /tmp/s
i=0; MS=()
for b in ${BINS//+/ }; do i=$((i+1)); cp "$b" /tmp/s/mh$i; MS+=(mh$i); done
modprobe -q kmem; modprobe -q device_dax
echo offline >$SYS_MEM/auto_online_blocks
ndctl disable-region all >/dev/null 2>&1; ndctl init-labels -f all >/dev/null 2>&1; ndctl enable-region all >/dev/null 2>&1
ndctl destroy-namespace -f all >/dev/null 2>&1
read -r bs <$SYS_MEM/block_size_bytes; mb=$((16#$bs >> 20))
j=$(ndctl create-namespace -r region0 -m devdax -M mem -a 2M -s "$(((N + 1) * mb))M" 2>&1) || { echo "Bail out! $j"; exit 1; }
DEV=$(jq -r '.daxregion.devices[0].chardev' <<<"$j")
on() { /tmp/s/mh1 --timeout 3600 online $DEV --zone movable >/dev/null || echo "# online failed"; }
on
for m in daxctl "${MS[@]}"; do
  if [ $m = daxctl ]; then cmd=(daxctl reconfigure-device -m devdax -f $DEV); else cmd=(/tmp/s/$m --timeout 3600 remove $DEV); fi
  strace -f -c -S time -o $OUT/c-$m.txt "${cmd[@]}" >/dev/null 2>&1; echo "# strace $m rc $?"; on
  perf record -a -g -o /tmp/s/p-$m.data -- "${cmd[@]}" >/dev/null 2>&1; echo "# perf $m rc $?"; on
  perf report -i /tmp/s/p-$m.data --no-children --stdio --sort comm,dso -g none 2>/dev/null | grep -v '^#' | grep . | head -20 > $OUT/pc-$m.txt
  perf report -i /tmp/s/p-$m.data --no-children --stdio --comm ${m/daxctl/daxctl} --sort sym -g none 2>/dev/null | grep -v '^#' | grep . | head -60 > $OUT/ps-$m.txt
  perf script -i /tmp/s/p-$m.data -F comm,tid,cpu,time,ip,sym 2>/dev/null | gzip > $OUT/script-$m.txt.gz
done
echo "ok 1 - done"; echo "1..1"
