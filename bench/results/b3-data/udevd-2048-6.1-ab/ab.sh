#!/bin/bash
# Experiment: per-CPU cache drains inside offline_pages, daxctl vs memhotctl.
# slab.sh N ROUNDS BIN1+BIN2 ; function profiler counts + times.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
N=${1:-2048} ROUNDS=${2:-2} BINS=${3:-} METH=${4:-dx+mh}
OUT=/run/mh/out; mkdir -p $OUT /tmp/b3
SYS_MEM=/sys/devices/system/memory
SYS_DAX=/sys/bus/dax
MEMHOTCTL=${MEMHOTCTL:-/run/mh/bin/memhotctl}
[ -x "$MEMHOTCTL" ] || MEMHOTCTL=memhotctl
export MEMHOTCTL_RUNDIR=${MEMHOTCTL_RUNDIR:-/run/memhotctl-bench}
MH_TIMEOUT=3600		# TCG and 2,048 blocks: never let the tool's deadline decide

# ---- raw transitions: the kernel interface and nothing else --------------
drv_of() {
	local l=$SYS_DAX/devices/$1/driver
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}
blocks_of() {
	local bs m s e b
	read -r bs <$SYS_MEM/block_size_bytes
	bs=$((16#$bs))
	for m in "$SYS_DAX/devices/$1"/mapping*; do
		read -r s <"$m/start"
		read -r e <"$m/end"
		s=$((s)) e=$((e))
		for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do
			echo "$b"
		done
	done | sort -n
}
# kmem does not match pmem dax devices by type: new_id (which also probes),
# then bind for when the id was there already.
kmem_bind() {
	echo "$1" >"$SYS_DAX/drivers/kmem/new_id" 2>/dev/null
	[ -L "$SYS_DAX/devices/$1/driver" ] || echo "$1" >"$SYS_DAX/drivers/kmem/bind"
}
raw_remove() {
	local dev=$1 b
	for b in $BLOCKS; do
		echo offline >"$SYS_MEM/memory$b/state"
	done
	echo "$dev" >"$SYS_DAX/drivers/kmem/unbind"
	echo "$dev" >"$SYS_DAX/drivers/device_dax/bind"
}
raw_online() {
	local dev=$1 b
	echo "$dev" >"$SYS_DAX/drivers/device_dax/unbind"
	kmem_bind "$dev"
	for b in $BLOCKS; do
		echo online_movable >"$SYS_MEM/memory$b/state"
	done
}
is_removed() {
	local b
	[ "$(drv_of "$DEV")" = device_dax ] || return 1
	for b in $BLOCKS; do [ ! -d "$SYS_MEM/memory$b" ] || return 1; done
}
is_online() {
	local b s z
	[ "$(drv_of "$DEV")" = kmem ] || return 1
	for b in $BLOCKS; do
		read -r s <"$SYS_MEM/memory$b/state" 2>/dev/null || return 1
		read -r z <"$SYS_MEM/memory$b/valid_zones" 2>/dev/null || return 1
		[ "$s" = online ] && [ "$z" = Movable ] || return 1
	done
}
# Back to a known state whatever a failed op left.
restore() {
	local want=$1 b s
	if [ "$want" = online ]; then
		is_online && return 0
		[ "$(drv_of "$DEV")" = kmem ] || {
			[ "$(drv_of "$DEV")" = none ] ||
				echo "$DEV" >"$SYS_DAX/drivers/$(drv_of "$DEV")/unbind" 2>/dev/null
			kmem_bind "$DEV"
		}
		for b in $BLOCKS; do
			read -r s <"$SYS_MEM/memory$b/state"
			[ "$s" = online ] || echo online_movable >"$SYS_MEM/memory$b/state"
		done
		is_online
	else
		is_removed && return 0
		for b in $BLOCKS; do
			s=
			read -r s <"$SYS_MEM/memory$b/state" 2>/dev/null
			[ "$s" != online ] || echo offline >"$SYS_MEM/memory$b/state"
		done
		[ "$(drv_of "$DEV")" = none ] || echo "$DEV" >"$SYS_DAX/drivers/$(drv_of "$DEV")/unbind"
		echo "$DEV" >"$SYS_DAX/drivers/device_dax/bind"
		is_removed
	fi
}

make_device() {
	local n=$1 bs mb j want
	read -r bs <$SYS_MEM/block_size_bytes
	mb=$((16#$bs >> 20))
	want=$(((n + 1) * mb))
	for try in 1 2; do
		ndctl destroy-namespace -f all >/dev/null 2>&1
		j=$(ndctl create-namespace -r region0 -m devdax -M mem -a 2M -s "${want}M" 2>&1) ||
			{ echo "# create-namespace ${want}M: $j"; return 1; }
		DEV=$(jq -r '.daxregion.devices[0].chardev' <<<"$j")
		BLOCKS=$(blocks_of "$DEV" | tr '\n' ' ')
		BLOCKS=${BLOCKS% }
		NB=$(wc -w <<<"$BLOCKS")
		[ "$NB" = "$n" ] && return 0
		want=$((want + (n - NB) * mb))
	done
	[ "$NB" = "$n" ]
}
export MEMHOTCTL_RUNDIR=/run/memhotctl-bench
mkdir -p $MEMHOTCTL_RUNDIR
i=0; for b in ${BINS//+/ }; do i=$((i+1)); cp $b /tmp/b3/mh$i; done
[ -n "$BINS" ] || { cp /run/mh/bin/memhotctl /tmp/b3/mh1; i=1; }
NBIN=$i
modprobe -q kmem; modprobe -q device_dax
echo offline >$SYS_MEM/auto_online_blocks
ndctl disable-region all >/dev/null 2>&1; ndctl init-labels -f all >/dev/null 2>&1; ndctl enable-region all >/dev/null 2>&1
make_device $N || { echo "not ok 1 make_device"; exit 1; }
restore online || { echo "not ok 1 online"; exit 1; }
echo "ok 1 $DEV $NB blocks online"
cmd() {
	case $1 in
	dx) echo "daxctl reconfigure-device -m devdax -f $DEV" ;;
	dxn) echo "nice -n 19 daxctl reconfigure-device -m devdax -f $DEV" ;;
	mh) echo "/tmp/b3/mh1 --timeout 3600 remove $DEV" ;;
	mhn) echo "nice -n 19 /tmp/b3/mh1 --timeout 3600 remove $DEV" ;;
	mhi) echo "chrt -i 0 /tmp/b3/mh1 --timeout 3600 remove $DEV" ;;
	mh2) echo "/tmp/b3/mh2 --timeout 3600 remove $DEV" ;;
	mh2n) echo "nice -n 19 /tmp/b3/mh2 --timeout 3600 remove $DEV" ;;
	mhp) echo "env MH_EXP_SCHED=pnice /tmp/b3/mh1 --timeout 3600 remove $DEV" ;;
	mhb) echo "env MH_EXP_SCHED=pbatch /tmp/b3/mh1 --timeout 3600 remove $DEV" ;;
	esac
}
on() {
	case $1 in
	dx*) daxctl reconfigure-device -m system-ram $DEV >/dev/null 2>&1 ;;
	mh*) /tmp/b3/mh1 --timeout 3600 online $DEV --zone movable >/dev/null 2>&1 ;;
	esac
	udevadm settle -t 120
	restore online >/dev/null 2>&1
	udevadm settle -t 120
}
echo "# udevd: $(pgrep -x systemd-udevd | head -1)"
M=(${METH//+/ })
n=1
for ((r=1;r<=ROUNDS;r++)); do
	for ((j=0;j<${#M[@]};j++)); do
		m=${M[(r-1+j)%${#M[@]}]}
		mode=${m#*:}; m=${m%%:*}
		udevadm settle -t 120
		t0=$EPOCHREALTIME
		case $mode in
		perf) perf record -q -a -g -F 499 -o /tmp/b3/p.data -- $(cmd $m) >/dev/null 2>/tmp/b3/err; rc=$? ;;
		strace) strace -f -c -o $OUT/strace.$r.$m $(cmd $m) >/dev/null 2>/tmp/b3/err; rc=$? ;;
		*) /usr/bin/time -f "%U %S %M" -o /tmp/b3/time $(cmd $m) >/dev/null 2>/tmp/b3/err; rc=$? ;;
		esac
		t1=$EPOCHREALTIME
		is_removed && st=ok || st=wrong
		n=$((n+1)); echo "ok $n - $m $mode round $r rc $rc $st $(echo "$t1 - $t0" | bc) s"
		echo "W $r $m $mode wall $(echo "$t1 - $t0" | bc) rc $rc $st cpu $(cat /tmp/b3/time 2>/dev/null | tail -1)" >> $OUT/udev.data
		if [ $mode = perf ]; then
			perf report -q -i /tmp/b3/p.data --stdio --no-children --sort comm,dso --percent-limit 0.5 > $OUT/perf.$r.$m.comm 2>&1
			perf report -q -i /tmp/b3/p.data --stdio --no-children -g none --sort comm,dso,sym --percent-limit 0.3 > $OUT/perf.$r.$m.sym 2>&1
			perf report -q -i /tmp/b3/p.data --stdio --no-children -G --comm $(basename $(cmd $m | cut -d' ' -f1)) --percent-limit 2 > $OUT/perf.$r.$m.graph 2>&1
		fi
		restore removed >/dev/null 2>&1
		on $m
	done
done
echo "1..$n"
