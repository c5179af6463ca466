#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# B1, guest side: hot-remove and re-online an idle >= 8 GiB kmem device on a
# real kernel. Run as root inside a guest with an NVDIMM region of >= 9 GiB
# (bench/b1-profile.conf), MEMHOTCTL=path of the binary. Three variants,
# each setting the device up first (online movable):
#
#   vm-b1.sh [ROUNDS] [OUTDIR]      B1 (defaults: 5, /run/mh/out or /tmp/b1)
#   vm-b1.sh ab ROUNDS A B|ENV [C...]   A/B: binaries side by side
#   vm-b1.sh phases [ROUNDS]        where one remove's time goes (default 2)
#
# B1: three ways, alternating: raw sysfs writes (no checks), daxctl,
# memhotctl. Writes OUTDIR/vm-b1.data, one line per timed operation:
#   op method round wall_s rc blocks
# (op: remove|online; method: raw|daxctl|memhotctl; round "ft" = the run
# with ftrace on the store functions, "sc" = the one under strace -c, "st" =
# the one under strace -T); the ftrace sums in OUTDIR/vm-b1.kwrites; the
# strace -c tables as OUTDIR/vm-b1.strace-METHOD-OP.txt; and the time inside
# the kernel's writes of the "st" runs in OUTDIR/vm-b1.writes, "op method
# seconds n" per op and method, then "op method seconds n ATTR" per sysfs
# attribute written. Stdout is TAP-ish.
#
# ab: raw and each binary (A, B, C, ...) remove then online, ROUNDS times,
# untraced, no -v, the order turning each round. B runs binary A with the
# environment variable ENV=value set instead when the third argument is not
# a path. Binaries must be visible in the guest (the host's / is, except
# /tmp, /run and /var/tmp). Lines "op method round wall_s rc" in
# OUTDIR/vm-b1-ab.data; `b1-report.py --ab` makes the tables.
#
# phases: times `memhotctl --version`, `remove --dry-run` and `daxctl list`,
# then ROUNDS rounds of raw and `memhotctl -v -v` remove/online with every
# stderr line stamped on arrival (OUTDIR/phases-N-OP.log: "seconds line"),
# then one remove and online under strace -f -tt -T -y
# (OUTDIR/phases-strace-OP.txt) unless MH_GUEST_B1_PHASES_STRACE=0 (strace
# makes every syscall cost ~40 ms in a TCG guest: good for counting, not for
# timing). `b1-report.py --phases OUTDIR` makes the table.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C

SYS_MEM=/sys/devices/system/memory
SYS_DAX=/sys/bus/dax
MEMHOTCTL=${MEMHOTCTL:-/run/mh/bin/memhotctl}
[ -x "$MEMHOTCTL" ] || MEMHOTCTL=memhotctl
export MEMHOTCTL_RUNDIR=${MEMHOTCTL_RUNDIR:-/run/memhotctl-bench}
MH_TIMEOUT=900		# TCG is slow: never let the tool's deadline decide
NS_SIZE=${B1_NS_SIZE:-8448M}	# 8 GiB + room for map=dev's struct pages

# ---- raw transitions: the kernel interface and nothing else --------------
drv_of() {
	local l=$SYS_DAX/devices/$1/driver
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}
blocks_of() {
	local bs m s e b
	bs=$((16#$(cat $SYS_MEM/block_size_bytes)))
	for m in "$SYS_DAX/devices/$1"/mapping*; do
		s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
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
# Entry points for strace: the raw method as a process of its own.
case "${1:-}" in
__raw_remove | __raw_online)
	BLOCKS=$3
	"${1#__}" "$2"
	exit
	;;
esac

# The stage share (/run/mh) is 9p without a cache: an exec from it cost
# 30-50 ms more than from tmpfs (b1.md), while bash and daxctl come from the
# cached host root. memhotctl and this script (raw's) run from tmpfs, as a
# local disk would serve them.
RAW_SCRIPT=$0
if [ "$MEMHOTCTL" = /run/mh/bin/memhotctl ] && cp "$MEMHOTCTL" /tmp/memhotctl-b1; then
	MEMHOTCTL=/tmp/memhotctl-b1
fi
cp "$0" /tmp/vm-b1-raw.sh && RAW_SCRIPT=/tmp/vm-b1-raw.sh
MODE=b1
case "${1:-}" in ab | phases) MODE=$1; shift ;; esac
OUT=
case $MODE in
b1) ROUNDS=${1:-5} OUT=${2:-} ;;
ab)
	ROUNDS=${1:?rounds} BIN=${2:?binary A} ENVB=${3:?env or binary B}
	shift 3
	MORE=("$@")	# C, D, ...: more binaries
	BIN_B=$BIN
	case "$ENVB" in /*) BIN_B=$ENVB ENVB= ;; esac
	;;
phases) ROUNDS=${1:-2} ;;
esac
[ -n "$OUT" ] || { [ -d /run/mh/out ] && OUT=/run/mh/out || OUT=/tmp/b1; }
mkdir -p "$OUT" "$MEMHOTCTL_RUNDIR"
DATA=$OUT/vm-b1.data
WRITES=$OUT/vm-b1.writes
N=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); echo "not ok $N - $*"; }
now() { echo "${EPOCHREALTIME/./}"; }	# microseconds

# The operations, as each tool is meant to be used.
op_cmd() {	# op method -> argv on stdout, one word a line
	case "$1/$2" in
	remove/raw) printf '%s\n' bash "$RAW_SCRIPT" __raw_remove "$DEV" "$BLOCKS" ;;
	online/raw) printf '%s\n' bash "$RAW_SCRIPT" __raw_online "$DEV" "$BLOCKS" ;;
	remove/daxctl) printf '%s\n' daxctl reconfigure-device -m devdax -f "$DEV" ;;
	online/daxctl) printf '%s\n' daxctl reconfigure-device -m system-ram "$DEV" ;;
	remove/memhotctl) printf '%s\n' "$MEMHOTCTL" --timeout $MH_TIMEOUT remove "$DEV" ;;
	online/memhotctl) printf '%s\n' "$MEMHOTCTL" --timeout $MH_TIMEOUT online "$DEV" --zone movable ;;
	esac
}
# State after each op, checked from sysfs, never from a tool's words.
is_removed() {
	local b
	[ "$(drv_of "$DEV")" = device_dax ] || return 1
	for b in $BLOCKS; do [ ! -d "$SYS_MEM/memory$b" ] || return 1; done
}
is_online() {
	local b
	[ "$(drv_of "$DEV")" = kmem ] || return 1
	for b in $BLOCKS; do
		[ "$(cat "$SYS_MEM/memory$b/state" 2>/dev/null)" = online ] || return 1
		[ "$(cat "$SYS_MEM/memory$b/valid_zones" 2>/dev/null)" = Movable ] || return 1
	done
}
# Back to a known state whatever a failed op left.
restore() {
	local want=$1 b
	if [ "$want" = online ]; then
		is_online && return 0
		[ "$(drv_of "$DEV")" = kmem ] || {
			echo "$DEV" >"$SYS_DAX/drivers/$(drv_of "$DEV")/unbind" 2>/dev/null
			kmem_bind "$DEV"
		}
		for b in $BLOCKS; do
			[ "$(cat "$SYS_MEM/memory$b/state")" = online ] ||
				echo online_movable >"$SYS_MEM/memory$b/state"
		done
		is_online
	else
		is_removed && return 0
		for b in $BLOCKS; do
			[ "$(cat "$SYS_MEM/memory$b/state" 2>/dev/null)" != online ] ||
				echo offline >"$SYS_MEM/memory$b/state"
		done
		[ "$(drv_of "$DEV")" = none ] || echo "$DEV" >"$SYS_DAX/drivers/$(drv_of "$DEV")/unbind"
		echo "$DEV" >"$SYS_DAX/drivers/device_dax/bind"
		is_removed
	fi
}
# timed OP METHOD ROUND [PREFIX...]: run once, log a data line
timed() {
	local op=$1 m=$2 r=$3 t0 t1 rc good
	shift 3
	local -a argv
	mapfile -t argv < <(op_cmd "$op" "$m")
	# With udevd, each op starts with its queue empty: memhotctl waits for
	# udevd to finish with its blocks' events, and must not pay for the
	# events of the op before it (raw and daxctl do not wait).
	[ "$UDEVD_RUNNING" = 0 ] || udevadm settle -t 120
	t0=$(now)
	"$@" "${argv[@]}" >"$OUT/vm-b1.last.out" 2>"$OUT/vm-b1.last.err"
	rc=$?
	t1=$(now)
	if [ "$op" = remove ]; then is_removed; else is_online; fi
	good=$?
	echo "$op $m $r $(((t1 - t0) / 1000000)).$(printf %06d $(((t1 - t0) % 1000000))) $rc $NB" >>"$DATA"
	if [ $rc = 0 ] && [ $good = 0 ]; then
		ok "$op $m round $r: $(((t1 - t0) / 1000)) ms"
	else
		not_ok "$op $m round $r: rc $rc, state $([ $good = 0 ] && echo right || echo wrong)"
		sed 's/^/# /' "$OUT/vm-b1.last.err" | head -n 15
		restore "$([ "$op" = remove ] && echo removed || echo online)" ||
			{ echo "Bail out! cannot restore $DEV"; exit 1; }
	fi
}

# ---- ab: binaries side by side -------------------------------------------
# ab_one OP NAME ROUND CMD...: one untraced run; B runs with ENVB exported.
ab_one() {
	local op=$1 m=$2 r=$3 t0 t1 rc
	shift 3
	[ "$UDEVD_RUNNING" = 0 ] || udevadm settle -t 120
	t0=$(now)
	# a subshell that execs, for every method: one fork and one exec each
	(if [ "$m" = B ] && [ -n "$ENVB" ]; then export "$ENVB"; fi; exec "$@") \
		>"$OUT/ab.last.out" 2>"$OUT/ab.last.err"
	rc=$?
	t1=$(now)
	N=$((N + 1))
	printf '%s %s %s %d.%06d %d\n' "$op" "$m" "$r" $(((t1 - t0) / 1000000)) \
		$(((t1 - t0) % 1000000)) $rc >>"$OUT/vm-b1-ab.data"
	echo "$([ $rc = 0 ] || echo 'not ')ok $N - $op $m $r: rc $rc $(((t1 - t0) / 1000)) ms"
}
ab_rounds() {
	local letters=(C D E F) names=(raw A B) bins=("" "$BIN" "$BIN_B")
	local desc="A = $BIN; B = ${ENVB:-$BIN_B}" i k m b r
	for i in "${!MORE[@]}"; do
		desc+="; ${letters[$i]} = ${MORE[$i]}"
		names+=("${letters[$i]}") bins+=("${MORE[$i]}")
	done
	echo "# $(uname -r) $DEV: $NB blocks; $desc; udevd running: $UDEVD_RUNNING"
	# The order turns by one each round, as in B1's rounds.
	for ((r = 1; r <= ROUNDS; r++)); do
		for ((i = 0; i < ${#names[@]}; i++)); do
			k=$(((r - 1 + i) % ${#names[@]}))
			m=${names[$k]} b=${bins[$k]}
			if [ "$m" = raw ]; then
				ab_one remove raw $r bash "$RAW_SCRIPT" __raw_remove "$DEV" "$BLOCKS"
				ab_one online raw $r bash "$RAW_SCRIPT" __raw_online "$DEV" "$BLOCKS"
			else
				ab_one remove "$m" $r "$b" --timeout $MH_TIMEOUT remove "$DEV"
				ab_one online "$m" $r "$b" --timeout $MH_TIMEOUT online "$DEV" --zone movable
			fi
		done
	done
}

# ---- phases: where one remove's time goes --------------------------------
stamp() {	# prefix each line with the seconds since $1 (microseconds)
	local t0=$1 l t
	while IFS= read -r l; do
		t=${EPOCHREALTIME/./}	# no $(now): a fork per line lags behind
		t=$((t - t0))
		printf '%d.%06d %s\n' $((t / 1000000)) $((t % 1000000)) "$l"
	done
}
phase_run() {	# name cmd...
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
phases_rounds() {
	local i r op a
	echo "# $(uname -r) $DEV: $NB blocks"
	# What every run pays before its first write: exec and libraries, then
	# the snapshot and plan (a dry run), against daxctl's own listing.
	for i in 1 2 3; do
		phase_run "$i-version" "$MEMHOTCTL" --version
		phase_run "$i-dry-run" "$MEMHOTCTL" remove --dry-run "$DEV"
		phase_run "$i-daxctl-list" daxctl list -d "$DEV"
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		phase_run "$r-raw-remove" bash "$RAW_SCRIPT" __raw_remove "$DEV" "$BLOCKS"
		phase_run "$r-raw-online" bash "$RAW_SCRIPT" __raw_online "$DEV" "$BLOCKS"
		phase_run "$r-remove" "$MEMHOTCTL" -v -v --timeout $MH_TIMEOUT remove "$DEV"
		phase_run "$r-online" "$MEMHOTCTL" -v -v --timeout $MH_TIMEOUT online "$DEV" --zone movable
	done
	[ "${MH_GUEST_B1_PHASES_STRACE:-1}" = 1 ] || return 0
	# Bounded: in a 6.1 guest this strace once never returned after
	# memhotctl and its writer children had exited (its log complete).
	for op in remove online; do
		a=(--timeout $MH_TIMEOUT "$op" "$DEV")
		[ $op = online ] && a+=(--zone movable)
		phase_run "strace-$op" timeout -k 5 300 strace -f -tt -T -y \
			-o "$OUT/phases-strace-$op.txt" "$MEMHOTCTL" "${a[@]}"
	done
}

echo "# B1 on $(uname -r), auto_online_blocks=$(cat $SYS_MEM/auto_online_blocks)"
UDEVD_RUNNING=0
pgrep -x systemd-udevd >/dev/null && UDEVD_RUNNING=1
echo "# udevd: $([ $UDEVD_RUNNING = 1 ] && echo 'running (each op starts once its queue is empty)' || echo 'not running')"
echo "# memhotctl: $("$MEMHOTCTL" --version 2>&1 | head -n1); $(daxctl --version 2>&1 | sed 's/^/daxctl /')"
modprobe -q kmem 2>/dev/null
modprobe -q device_dax 2>/dev/null
echo offline >$SYS_MEM/auto_online_blocks 2>/dev/null

# One namespace of NS_SIZE, devdax, on a freshly labelled region; the
# ab and phases variants take the one an earlier run in this boot made.
if [ "$MODE" != b1 ] && [ -e $SYS_DAX/devices/dax0.0 ]; then
	DEV=dax0.0
else
	ndctl disable-region all >/dev/null 2>&1
	ndctl init-labels -f all >/dev/null 2>&1
	ndctl enable-region all >/dev/null 2>&1
	j=$(ndctl create-namespace -r region0 -m devdax -a 2M -s "$NS_SIZE" 2>&1) ||
		{ echo "Bail out! create-namespace: $j"; exit 1; }
	DEV=$(jq -r '.daxregion.devices[0].chardev' <<<"$j")
fi
BLOCKS=$(blocks_of "$DEV" | tr '\n' ' ')
BLOCKS=${BLOCKS% }
NB=$(wc -w <<<"$BLOCKS")
echo "# $DEV: $NB blocks of $((16#$(cat $SYS_MEM/block_size_bytes) >> 20)) MiB (${BLOCKS%% *}..${BLOCKS##* }), target_node $(cat $SYS_DAX/devices/$DEV/target_node)"
[ "$NB" -ge 64 ] && ok "device has >= 64 blocks ($NB)" || not_ok "device has >= 64 blocks ($NB)"
restore online || { echo "Bail out! cannot online $DEV"; exit 1; }
ok "setup: $DEV online movable"
echo "# MemFree $(awk '/^MemFree/ {print $2}' /proc/meminfo) kB"

case $MODE in
ab) ab_rounds; echo "1..$N"; exit 0 ;;
phases) phases_rounds; echo "1..$N"; exit 0 ;;
esac
: >"$DATA"
: >"$WRITES"

# Timed rounds, each remove followed by the same tool's online. The order
# turns by one each round (A B C, B C A, C A B, ...): in a fixed order each
# remove always came right after the same other tool's online, and that
# tool's leftovers (the order its blocks came online, its udev events) were
# paid by one method only.
METHODS=(raw daxctl memhotctl)
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < 3; i++)); do
		m=${METHODS[(r - 1 + i) % 3]}
		timed remove $m $r
		timed online $m $r
	done
done

# The kernel's own time in the store functions behind the state, unbind,
# bind, new_id and remove_id writes, from ftrace's function_graph tracer
# limited to them: no ptrace stop on any syscall, so the wall time around
# them is what it is untraced, and the rest of it is the method's own
# overhead. One run per method and op (round "ft"); sums in
# OUTDIR/vm-b1.kwrites as "op method seconds n". B1_FTRACE=0 skips it.
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
}
if [ "${B1_FTRACE:-${MH_GUEST_B1_FTRACE:-1}}" = 1 ] && ftrace_ready; then
	: >"$OUT/vm-b1.kwrites"
	for m in raw daxctl memhotctl; do
		for op in remove online; do
			echo function_graph >$TR/current_tracer
			echo >$TR/trace
			echo 1 >$TR/tracing_on
			timed $op $m ft
			echo 0 >$TR/tracing_on
			# " 1) @ 123456.7 us |  state_store();", or on the line
			# "} /* state_store */" when the call was split: a duration
			awk -v m=$m -v op=$op '
				/_store(\(\);| \*\/)/ && match($0, /[0-9.]+ us/) {
					s += substr($0, RSTART, RLENGTH - 3); n++
				}
				END { printf "%s %s %.6f %d\n", op, m, s / 1e6, n }' \
				$TR/trace >>"$OUT/vm-b1.kwrites"
			echo nop >$TR/current_tracer
		done
	done
	echo >$TR/set_ftrace_filter
else
	echo "# no ftrace function_graph here: no untraced overhead figure"
fi

# Syscall counts (strace -c -f), then the time inside the kernel's
# state/unbind/bind/new_id writes (strace -T -y) against the wall time.
# B1_STRACE=0 (or MH_GUEST_B1_STRACE=0 through boot.sh) skips both.
[ "${B1_STRACE:-${MH_GUEST_B1_STRACE:-1}}" = 1 ] || { echo "1..$N"; exit 0; }
for m in raw daxctl memhotctl; do
	for op in remove online; do
		timed $op $m sc strace -f -c -o "$OUT/vm-b1.strace-$m-$op.txt"
	done
done
for m in raw daxctl memhotctl; do
	for op in remove online; do
		f=$OUT/vm-b1.strace-T-$m-$op.txt
		# -ff: one file per process, so no call is split by another's.
		timed $op $m st strace -f -ff -T -y -e trace=write,pwrite64,writev -o "$f"
		# write(3</sys/devices/system/memory/memory40/state>, ...) = 8 <0.012>
		cat "$f".* >"$f" && rm -f "$f".*
		# Totals, then one line per attribute (state, unbind, ...): which
		# of the kernel's writes cost a method more than another's.
		awk -v m=$m -v op=$op '
			match($0, /<\/sys\/[^>]*\/(state|unbind|bind|new_id|remove_id)>/) && /<[0-9.]+>$/ {
				t = $NF; gsub(/[<>]/, "", t); s += t; n++
				a = substr($0, RSTART, RLENGTH); sub(/.*\//, "", a); sub(/>$/, "", a)
				ks[a] += t; kn[a]++
			}
			END {
				printf "%s %s %.6f %d\n", op, m, s, n
				for (a in ks) printf "%s %s %.6f %d %s\n", op, m, ks[a], kn[a], a
			}' "$f" >>"$WRITES"
	done
done
echo "1..$N"
