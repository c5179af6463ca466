#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# B3, guest side: how remove and online scale with the device (issue 20).
# Run as root in a guest with one sparse NVDIMM region of >= 256 GiB + slack
# (bench/b3-profile.conf), MEMHOTCTL=path of the binary, B3_BENCHTIME=path
# of a compiled bench/benchtime.c (b3-host.sh builds it):
#
#   vm-b3.sh [ROUNDS] [SIZES] [OUTDIR]
#
# SIZES: block counts (128 MiB blocks), separated by '+' or ':' (boot.sh
# splits a script's arguments at commas), default B3_SIZES or
# 64+256+1024+2048; ROUNDS default B3_ROUNDS or 5. For each size, in one
# boot: a devdax namespace of that many blocks (-M mem: its memmap in RAM,
# so the sparse image stays sparse) on the one region, re-created per size,
# onlined movable; then ROUNDS rounds of raw sysfs writes (upwards, no
# checks), daxctl and memhotctl, the order turning each round, each a
# remove then an online; then `memhotctl status DEV` (the per-block
# prediction where memhotctl has one), and one more run of each method and
# op with ftrace on the kernel's store functions (below). Every op runs
# under benchtime: wall time, memhotctl's (or daxctl's, or raw's bash)
# user+sys CPU with the children it waited for (memhotctl's writer), and
# peak RSS. After every op
# the device's place is checked from sysfs: an op that left it elsewhere is
# recorded "wrong" and the device put back, never timed as a success.
#
# OUTDIR/vm-b3.data, one line per op:
#   size op method round wall_s rc blocks user_s sys_s maxrss_kb state
# (op remove|online|status; method raw|daxctl|memhotctl; state ok|wrong;
# round "ft": the ftrace run); OUTDIR/vm-b3.kwrites: "size op method
# seconds n", the time in the kernel's store functions of each ft run;
# OUTDIR/vm-b3.info: "key value" lines (kernel, versions, memory, setup
# time per size, whether status predicts). Stdout is TAP.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C

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
# Entry points: the raw method as a process of its own.
case "${1:-}" in
__raw_remove | __raw_online)
	BLOCKS=$3
	"${1#__}" "$2"
	exit
	;;
esac

ROUNDS=${1:-${B3_ROUNDS:-${MH_GUEST_B3_ROUNDS:-5}}}
SIZES=${2:-${B3_SIZES:-${MH_GUEST_B3_SIZES:-64+256+1024+2048}}}
SIZES=${SIZES//[+:,]/ }
OUT=${3:-}
[ -n "$OUT" ] || { [ -d /run/mh/out ] && OUT=/run/mh/out || OUT=/tmp/b3; }
BT=${B3_BENCHTIME:-${MH_GUEST_B3_BENCHTIME:-}}
mkdir -p "$OUT" "$MEMHOTCTL_RUNDIR"
DATA=$OUT/vm-b3.data
INFO=$OUT/vm-b3.info
N=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); echo "not ok $N - $*"; }
bail() { echo "Bail out! $*"; echo "1..$N"; exit 1; }
info() { echo "$*" >>"$INFO"; echo "# $*"; }

# The stage share (/run/mh) is 9p without a cache (an exec from it costs
# 30-50 ms more than from tmpfs, b1.md): the binaries run from tmpfs.
mkdir -p /tmp/b3
RAW_SCRIPT=/tmp/b3/vm-b3-raw.sh
cp "$0" "$RAW_SCRIPT" || bail "cannot copy $0"
cp "$MEMHOTCTL" /tmp/b3/memhotctl && MEMHOTCTL=/tmp/b3/memhotctl
[ -n "$BT" ] && [ -x "$BT" ] || bail "no benchtime binary (B3_BENCHTIME=${BT:-unset})"
cp "$BT" /tmp/b3/benchtime && BT=/tmp/b3/benchtime

# ---- state checks from sysfs, read with builtins (2,048 blocks: no fork each)
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

# The operations, as each tool is meant to be used.
op_cmd() {	# op method -> argv on stdout, one word a line
	case "$1/$2" in
	remove/raw) printf '%s\n' bash "$RAW_SCRIPT" __raw_remove "$DEV" "$BLOCKS" ;;
	online/raw) printf '%s\n' bash "$RAW_SCRIPT" __raw_online "$DEV" "$BLOCKS" ;;
	remove/daxctl) printf '%s\n' daxctl reconfigure-device -m devdax -f "$DEV" ;;
	online/daxctl) printf '%s\n' daxctl reconfigure-device -m system-ram "$DEV" ;;
	remove/memhotctl) printf '%s\n' "$MEMHOTCTL" --timeout $MH_TIMEOUT remove "$DEV" ;;
	online/memhotctl) printf '%s\n' "$MEMHOTCTL" --timeout $MH_TIMEOUT online "$DEV" --zone movable ;;
	status/memhotctl) printf '%s\n' "$MEMHOTCTL" status "$DEV" ;;
	esac
}
# timed OP METHOD ROUND: run once under benchtime, check, log a data line.
timed() {
	local op=$1 m=$2 r=$3 res wall rss usr sys rc good=0
	local -a argv
	mapfile -t argv < <(op_cmd "$op" "$m")
	[ "$UDEVD_RUNNING" = 0 ] || udevadm settle -t 120
	res=$("$BT" -o /tmp/b3/last.out -- "${argv[@]}" 2>/tmp/b3/last.err)
	read -r wall rss usr sys rc <<<"$res"
	[ -n "$rc" ] || { rc=127 wall=0 rss=0 usr=0 sys=0; }
	case $op in
	remove) is_removed || good=1 ;;
	online) is_online || good=1 ;;
	status) is_online || good=1 ;;	# status must change nothing
	esac
	printf '%d %s %s %s %d.%06d %d %d %d.%06d %d.%06d %d %s\n' "$SIZE" "$op" "$m" "$r" \
		$((wall / 1000000)) $((wall % 1000000)) "$rc" "$NB" \
		$((usr / 1000000)) $((usr % 1000000)) $((sys / 1000000)) $((sys % 1000000)) \
		"$rss" "$([ $good = 0 ] && echo ok || echo wrong)" >>"$DATA"
	if [ "$rc" = 0 ] && [ $good = 0 ]; then
		ok "$SIZE $op $m round $r: $((wall / 1000)) ms, cpu $(((usr + sys) / 1000)) ms, rss $rss kB"
	else
		not_ok "$SIZE $op $m round $r: rc $rc, state $([ $good = 0 ] && echo right || echo wrong)"
		sed 's/^/# /' /tmp/b3/last.err | head -n 15
		case $op in
		remove) restore removed ;;
		*) restore online ;;
		esac || bail "cannot restore $DEV"
	fi
}

# A devdax namespace of exactly N blocks on the region, the previous one
# gone. The dax range starts past the namespace's info block, so one
# block more is asked for, and the size corrected once if the region's
# start is not block aligned.
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
# The kernel's own time in the store functions behind the state, unbind,
# bind, new_id and remove_id writes, from ftrace's function_graph tracer
# limited to them (as B1): the CPU a write costs counts as its writer's
# system time, so memhotctl's own CPU is its user+sys minus this. One run
# per method and op and size (round "ft", left out of the medians); sums in
# OUTDIR/vm-b3.kwrites as "size op method seconds n". B3_FTRACE=0 skips it.
TR=/sys/kernel/tracing
STORES="state_store unbind_store bind_store new_id_store remove_id_store"
ftrace_ready() {
	local f
	[ -e $TR/current_tracer ] || mount -t tracefs nodev $TR 2>/dev/null
	[ -e $TR/current_tracer ] && grep -qw function_graph $TR/available_tracers || return 1
	echo >$TR/set_ftrace_filter
	for f in $STORES; do echo "$f" >>$TR/set_ftrace_filter 2>/dev/null; done
	grep -qw state_store $TR/set_ftrace_filter || return 1
	echo 1 >$TR/options/funcgraph-tail	# "} /* state_store */" on a split call
	# 2,048 blocks of calls on each CPU's buffer, with room to spare
	echo 4096 >$TR/buffer_size_kb
}
ftrace_pass() {
	local m op
	for m in "${METHODS[@]}"; do
		for op in remove online; do
			echo function_graph >$TR/current_tracer
			echo >$TR/trace
			echo 1 >$TR/tracing_on
			timed $op $m ft
			echo 0 >$TR/tracing_on
			# " 1) @ 123456.7 us |  state_store();", or on the line
			# "} /* state_store */" when the call was split: a duration
			awk -v s=$SIZE -v m=$m -v op=$op '
				/_store(\(\);| \*\/)/ && match($0, /[0-9.]+ us/) {
					t += substr($0, RSTART, RLENGTH - 3); n++
				}
				END { printf "%d %s %s %.6f %d\n", s, op, m, t / 1e6, n }' \
				$TR/trace >>"$OUT/vm-b3.kwrites"
			echo nop >$TR/current_tracer
		done
	done
}

# Every block offline, the device to devdax, the namespace gone.
drop_device() {
	[ -z "${DEV:-}" ] || [ ! -e "$SYS_DAX/devices/$DEV" ] || restore removed >/dev/null 2>&1
	ndctl destroy-namespace -f all >/dev/null 2>&1
}

: >"$DATA"
: >"$INFO"
UDEVD_RUNNING=0
pgrep -x systemd-udevd >/dev/null && UDEVD_RUNNING=1
modprobe -q kmem 2>/dev/null
modprobe -q device_dax 2>/dev/null
echo offline >$SYS_MEM/auto_online_blocks 2>/dev/null
info "kernel $(uname -r)"
info "memhotctl $("$MEMHOTCTL" --version 2>&1 | head -n1)"
info "daxctl $(daxctl --version 2>&1)"
info "cpus $(nproc) $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
info "memtotal_kb $(awk '/^MemTotal/ {print $2}' /proc/meminfo)"
info "block_mib $((16#$(cat $SYS_MEM/block_size_bytes) >> 20))"
info "udevd $UDEVD_RUNNING"
info "rounds $ROUNDS"
info "sizes $SIZES"

ndctl disable-region all >/dev/null 2>&1
ndctl init-labels -f all >/dev/null 2>&1
ndctl enable-region all >/dev/null 2>&1

# B3_METHODS: which of raw, daxctl and memhotctl are timed (all three by
# default). A follow-up at 2,048 blocks can leave raw out: about 2 minutes
# an op there, against 20-30 s for the others.
read -r -a METHODS <<<"${B3_METHODS:-${MH_GUEST_B3_METHODS:-raw daxctl memhotctl}}"
for m in "${METHODS[@]}"; do
	case $m in raw | daxctl | memhotctl) ;; *) bail "B3_METHODS: no method '$m'" ;; esac
done
[ ${#METHODS[@]} -gt 0 ] || bail "B3_METHODS names no method"
info "methods ${METHODS[*]}"
FTRACE=${B3_FTRACE:-${MH_GUEST_B3_FTRACE:-1}}
: >"$OUT/vm-b3.kwrites"
if [ "$FTRACE" != 0 ] && ! ftrace_ready; then
	FTRACE=0
	echo "# no ftrace function_graph here: no figure of memhotctl's own CPU"
fi
info "ftrace $FTRACE"
for SIZE in $SIZES; do
	t0=$SECONDS
	if ! make_device "$SIZE"; then
		not_ok "$SIZE blocks: a devdax namespace of $SIZE blocks (got ${NB:-none})"
		drop_device
		continue
	fi
	info "device $SIZE $DEV blocks ${BLOCKS%% *}..${BLOCKS##* } made_s $((SECONDS - t0))"
	t0=$SECONDS
	restore online || bail "cannot online $DEV ($SIZE blocks)"
	ok "$SIZE blocks: $DEV online movable ($((SECONDS - t0)) s raw)"
	info "setup $SIZE online_s $((SECONDS - t0)) memfree_kb $(awk '/^MemFree/ {print $2}' /proc/meminfo)"
	# Does status predict per block (issue 18)? Then its time is the
	# prediction's cost; else plain status's, said so.
	pred=no
	"$MEMHOTCTL" -j status "$DEV" 2>/dev/null | grep -qiE '"(verdict|prediction|predict)' && pred=yes
	info "predict $SIZE $pred"
	for ((r = 1; r <= ROUNDS; r++)); do
		for ((i = 0; i < ${#METHODS[@]}; i++)); do
			m=${METHODS[(r - 1 + i) % ${#METHODS[@]}]}
			timed remove $m $r
			timed online $m $r
		done
		timed status memhotctl $r
	done
	[ "$FTRACE" = 0 ] || ftrace_pass
	drop_device
done
echo "1..$N"
