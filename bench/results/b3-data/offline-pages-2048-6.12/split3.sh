#!/bin/bash
# guest: where a remove/online's time goes, per kernel store function, daxctl vs memhotctl binaries
# args: N ROUNDS BIN1+BIN2...
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
N=${1:-2048}; ROUNDS=${2:-2}; BINS=${3:-}
OUT=/run/mh/out
SYS_MEM=/sys/devices/system/memory SYS_DAX=/sys/bus/dax
export MEMHOTCTL_RUNDIR=/run/memhotctl-bench; mkdir -p $MEMHOTCTL_RUNDIR /tmp/s
BT=/tmp/s/benchtime; cp /work/b3run/benchtime $BT
METHODS=(daxctl)
i=0
declare -A ENVS
for b in ${BINS//+/ }; do i=$((i+1)); cp "${b%@*}" /tmp/s/mh$i; METHODS+=(mh$i); ENVS[mh$i]=; [ "${b#*@}" != "$b" ] && ENVS[mh$i]="MH_EXP_NICE=${b#*@}"; echo "# mh$i = $b"; done
modprobe -q kmem; modprobe -q device_dax
echo offline >$SYS_MEM/auto_online_blocks
ndctl disable-region all >/dev/null 2>&1; ndctl init-labels -f all >/dev/null 2>&1; ndctl enable-region all >/dev/null 2>&1
ndctl destroy-namespace -f all >/dev/null 2>&1
read -r bs <$SYS_MEM/block_size_bytes; mb=$((16#$bs >> 20))
want=$(((N + 1) * mb))
j=$(ndctl create-namespace -r region0 -m devdax -M mem -a 2M -s "${want}M" 2>&1) || { echo "Bail out! $j"; exit 1; }
DEV=$(jq -r '.daxregion.devices[0].chardev' <<<"$j")
echo "# dev $DEV"
/tmp/s/mh1 --timeout 3600 online $DEV --zone movable >/dev/null || { echo "Bail out! online"; exit 1; }
echo "# blocks $(ls -d /sys/bus/dax/devices/$DEV/../../*/memory* 2>/dev/null | wc -l) online $(grep -l '^online' $SYS_MEM/memory*/state | wc -l)"
TR=/sys/kernel/tracing
[ -e $TR/current_tracer ] || mount -t tracefs nodev $TR
STORES="state_store unbind_store bind_store new_id_store remove_id_store"
echo >$TR/set_ftrace_filter
echo offline_pages >$TR/set_graph_function
echo 2 >$TR/max_graph_depth
echo 1 >$TR/options/funcgraph-tail
echo 32768 >$TR/buffer_size_kb
cmd() {
  case $1/$2 in
  remove/daxctl) echo daxctl reconfigure-device -m devdax -f $DEV ;;
  online/daxctl) echo daxctl reconfigure-device -m system-ram $DEV ;;
  remove/*) echo env ${ENVS[$2]} /tmp/s/$2 --timeout 3600 remove $DEV ;;
  online/*) echo env ${ENVS[$2]} /tmp/s/$2 --timeout 3600 online $DEV --zone movable ;;
  esac
}
n=0
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < ${#METHODS[@]}; k++)); do
    m=${METHODS[(r - 1 + k) % ${#METHODS[@]}]}
    for op in remove online; do
      if [ $op = online ]; then
        res=$($BT -o /tmp/s/last.out -- $(cmd $op $m) 2>/tmp/s/last.err); read -r wall rss usr sys rc <<<"$res"
        echo "$r $m $op wall=$((wall/1000)) usr=$((usr/1000)) sys=$((sys/1000)) rc=$rc" >>$OUT/split.data; n=$((n+1)); echo "ok $n - $m online"; continue
      fi
      echo function_graph >$TR/current_tracer; echo >$TR/trace; echo 1 >$TR/tracing_on
      res=$($BT -o /tmp/s/last.out -- $(cmd $op $m) 2>/tmp/s/last.err)
      echo 0 >$TR/tracing_on
      read -r wall rss usr sys rc <<<"$res"
      fn=$(awk 'match($0, /[0-9.]+ us/) { d = substr($0, RSTART, RLENGTH - 3); f = "?"; if (match($0, /[a-z_0-9.]+\(\);/)) f = substr($0, RSTART, RLENGTH - 3); else if (match($0, /\/\* [a-z_0-9.]+ \*\//)) f = substr($0, RSTART + 3, RLENGTH - 6); t[f] += d; c[f]++ }
        END { for (f in t) if (t[f] > 50000) printf "%s=%.3f/%d ", f, t[f] / 1e6, c[f] }' $TR/trace)
      grep -c . $TR/trace | sed 's/^/# trace lines /'; cat $TR/per_cpu/cpu*/stats 2>/dev/null | grep -i overrun | sed 's/^/# /' 
      echo nop >$TR/current_tracer
      line="$r $m $op wall=$((wall/1000)) usr=$((usr/1000)) sys=$((sys/1000)) rc=$rc $fn"
      echo "$line" >>$OUT/split.data
      n=$((n+1)); [ "$rc" = 0 ] && echo "ok $n - $line" || { echo "not ok $n - $line"; head -5 /tmp/s/last.err | sed 's/^/# /'; }
    done
  done
done
echo "1..$n"
