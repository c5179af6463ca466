# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Guest-side helpers for the scenarios (sourced inside the test guest):
# TAP output, NVDIMM namespace setup, a dax device's blocks from its mappings,
# raw sysfs transitions that do not go through the tool under test, and the
# observations scenarios are judged by (sysfs, /proc/iomem, /proc/meminfo,
# dmesg). Scenarios judge memhotctl by these, never by its own words.

SYS_MEM=/sys/devices/system/memory
SYS_DAX=/sys/bus/dax
MEMHOTCTL=${MEMHOTCTL:-/run/mh/bin/memhotctl}
export MEMHOTCTL_RUNDIR=${MEMHOTCTL_RUNDIR:-/run/memhotctl-test}
T_N=0
T_FAIL=0

# ---- TAP ------------------------------------------------------------------
ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
diag() { local l; while IFS= read -r l; do echo "# $l"; done <<<"$*"; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $*"; }
# check DESC CMD...: one test point from a command's status
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3"
		diag "  got:  '$1'" "  want: '$2'"
	fi
}
done_testing() { echo "1..$T_N"; [ "$T_FAIL" -eq 0 ]; }
# daxctl comparison lines: recorded, never judged
daxctl_note() { echo "# daxctl: $*"; }

have_memhotctl() { [ -x "$MEMHOTCTL" ]; }
# Every JSON document memhotctl prints is kept, one file each, for the host
# to check against man/memhotctl.schema.json after the boot (json-check.sh).
MH_JSON_DIR=${MH_JSON_DIR:-/run/mh/out/json}
MH_JSON_N=0
# mh_keep_json STDOUT ARGS...: keep STDOUT when memhotctl ARGS asked for JSON
mh_keep_json() {
	local out=$1 a json=0
	shift
	for a; do
		case $a in
		--) break ;;
		--json | -j* | -[!-]*j*) json=1 && break ;;
		esac
	done
	[ -n "$out" ] && [ $json = 1 ] || return 0
	MH_JSON_N=$((MH_JSON_N + 1))
	mkdir -p "$MH_JSON_DIR" &&
		printf '%s\n' "$out" >"$MH_JSON_DIR/${0##*/}-$BASHPID-$MH_JSON_N.json"
}
# mh ARGS...: run the tool; sets MH_RC, MH_OUT (stdout), MH_ERR (stderr)
mh() {
	MH_OUT=$(timeout -k 5 300 "$MEMHOTCTL" "$@" 2>/tmp/mh.err)
	MH_RC=$?
	MH_ERR=$(</tmp/mh.err)
	echo "# \$ memhotctl $* -> exit $MH_RC"
	[ -z "$MH_ERR" ] || diag "  stderr: ${MH_ERR:0:2000}"
	mh_keep_json "$MH_OUT" "$@"
}

# ---- memory blocks ----------------------------------------------------------
block_size() { echo $((16#$(cat $SYS_MEM/block_size_bytes))); }
# read without forking (every fork is slow under TCG)
rd() {
	local v
	{ IFS= read -r v <"$1"; } 2>/dev/null || return 1
	echo "$v"
}
block_state() { rd "$SYS_MEM/memory$1/state" || echo gone; }
block_zones() { rd "$SYS_MEM/memory$1/valid_zones" || echo gone; }
block_exists() { [ -d "$SYS_MEM/memory$1" ]; }
policy() { rd $SYS_MEM/auto_online_blocks; }
set_policy() { echo "$1" >$SYS_MEM/auto_online_blocks; }
memtotal_kb() { awk '/^MemTotal:/ {print $2}' /proc/meminfo; }

# Whole blocks of a dax device, from every mappingN rounded inward (kmem's
# rule), in ascending order. Falls back to resource+size on kernels without
# mapping attributes.
dax_ranges() {
	local dev=$1 m
	for m in "$SYS_DAX/devices/$dev"/mapping*; do
		[ -d "$m" ] || continue
		echo "$(($(cat "$m/start"))) $(($(cat "$m/end")))"
	done
}
dax_blocks() {
	local bs s e first last b
	bs=$(block_size)
	dax_ranges "$1" | while read -r s e; do
		first=$(((s + bs - 1) / bs))
		last=$(((e + 1) / bs - 1))
		for ((b = first; b <= last; b++)); do echo "$b"; done
	done | sort -n
}
# Count blocks of DEV in a state (online|offline|gone)
count_state() {
	local dev=$1 want=$2 n=0 b
	for b in $(dax_blocks "$dev"); do
		[ "$(block_state "$b")" = "$want" ] && n=$((n + 1))
	done
	echo $n
}
nblocks() { dax_blocks "$1" | wc -l; }
# plan_block_steps OP DEV: the block steps of memhotctl's plan for OP, in
# its order, as -v names them ("offline-block memory35", ...)
plan_block_steps() {
	local j
	j=$("$MEMHOTCTL" -j "$1" "$2" --dry-run)
	mh_keep_json "$j" -j
	jq -r '.steps[] | select(.step | endswith("-block")) | "\(.step) memory\(.block)"' <<<"$j"
}
# steps_started: the block steps a -v run reported starting, in order
steps_started() {
	sed -n 's/.*\] \([a-z]*-block memory[0-9]*\).* \.\.\.$/\1/p' <<<"$MH_ERR"
}
# Summary "34:online:Movable 35:offline:Movable ..." for diagnostics
blocks_summary() {
	local b out=
	for b in $(dax_blocks "$1"); do
		out+="$b:$(block_state "$b"):$(block_zones "$b" | tr ' ' '/') "
	done
	echo "${out% }"
}
dax_driver() {
	local l=$SYS_DAX/devices/$1/driver
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}
dax_exists() { [ -e "$SYS_DAX/devices/$1" ]; }
dax_target_node() { cat "$SYS_DAX/devices/$1/target_node"; }
# Resource lines of /proc/iomem overlapping [s,e] named NAME
iomem_count() {
	local s=$1 e=$2 name=$3 line a b n=0
	while IFS= read -r line; do
		[[ $line =~ ^\ *([0-9a-f]+)-([0-9a-f]+)\ :\ (.*)$ ]] || continue
		[ "${BASH_REMATCH[3]}" = "$name" ] || continue
		a=$((16#${BASH_REMATCH[1]})) b=$((16#${BASH_REMATCH[2]}))
		[ $a -le $e ] && [ $b -ge $s ] && n=$((n + 1))
	done </proc/iomem
	echo $n
}
# System RAM (kmem) ranges overlapping any range of DEV
kmem_ram_count() {
	local s e n=0
	while read -r s e; do
		n=$((n + $(iomem_count "$s" "$e" "System RAM (kmem)")))
	done < <(dax_ranges "$1")
	echo $n
}

# ---- dmesg ---------------------------------------------------------------------
# What in dmesg means a failed hot-remove, a leak or a kernel bug. "Oops"
# as a word: "loops_per_jiffy" is in a boot's log when the host is busy.
DMESG_BAD='cannot be hotremoved|removing memory fails|could not reserve|BUG:|WARNING:|\bOops\b'
dmesg_mark() { DMESG_MARK=$(dmesg | wc -l); }
dmesg_new() { dmesg | tail -n "+$((DMESG_MARK + 1))"; }
dmesg_clean() {
	# no hot-remove failure or leak since the mark
	! dmesg_new | grep -qiE "$DMESG_BAD"
}

# ---- raw transitions (not through the tool under test) ------------------------
# new_id matches the device to the driver (kmem does not match PMEM by
# default); bind covers a driver that already matches.
raw_bind() {
	local dev=$1 drv=$2
	modprobe -q "$drv" 2>/dev/null
	[ "$(dax_driver "$dev")" = "$drv" ] && return 0
	echo "$dev" >"$SYS_DAX/drivers/$drv/new_id" 2>/dev/null
	[ "$(dax_driver "$dev")" = "$drv" ] ||
		echo "$dev" >"$SYS_DAX/drivers/$drv/bind" 2>/dev/null
	[ "$(dax_driver "$dev")" = "$drv" ]
}
raw_unbind() {
	local dev=$1 drv
	drv=$(dax_driver "$dev")
	[ "$drv" = none ] || echo "$dev" >"$SYS_DAX/drivers/$drv/unbind"
}
# raw_online_block N online_movable|online_kernel|online
raw_online_block() {
	[ "$(block_state "$1")" = online ] || echo "$2" >"$SYS_MEM/memory$1/state"
}
raw_offline_block() {
	[ "$(block_state "$1")" = offline ] || echo offline >"$SYS_MEM/memory$1/state"
}
# raw_to_kmem DEV [online_movable|online_kernel|offline]: kmem with every
# block in the given state, the policy restored afterwards.
raw_to_kmem() {
	local dev=$1 how=${2:-online_movable} old b
	old=$(policy)
	set_policy offline
	raw_unbind "$dev"
	raw_bind "$dev" kmem || { set_policy "$old"; return 1; }
	set_policy "$old"
	[ "$how" = offline ] && return 0
	for b in $(dax_blocks "$dev"); do
		raw_online_block "$b" "$how" || return 1
	done
}
# raw_to_devdax DEV: every block offline, kmem unbound, device_dax bound.
raw_to_devdax() {
	local dev=$1 b
	if [ "$(dax_driver "$dev")" = kmem ]; then
		for b in $(dax_blocks "$dev"); do
			raw_offline_block "$b" 2>/dev/null ||
				{ sleep 1; raw_offline_block "$b"; } || return 1
		done
		raw_unbind "$dev"
	fi
	[ "$(dax_driver "$dev")" = device_dax ] || raw_unbind "$dev"
	raw_bind "$dev" device_dax
}

# ---- NVDIMM namespaces ---------------------------------------------------------
# Fresh labels on every region, so namespaces can be sized.
nd_init() {
	ndctl disable-region all >/dev/null 2>&1
	ndctl init-labels -f all >/dev/null 2>&1
	ndctl enable-region all >/dev/null 2>&1
}
# nd_create_devdax SIZE [ALIGN] [REGION]: prints the new dax device's name
nd_create_devdax() {
	local size=$1 align=${2:-2M} region=${3:-region0} j
	j=$(ndctl create-namespace -r "$region" -m devdax -a "$align" -s "$size" 2>/dev/null) ||
		return 1
	jq -r '.daxregion.devices[0].chardev' <<<"$j"
}
# Back to a clean region: every dax device to devdax, every namespace gone.
nd_reset() {
	local d
	for d in "$SYS_DAX/devices"/dax*; do
		[ -e "$d" ] || continue
		raw_to_devdax "$(basename "$d")" >/dev/null 2>&1
	done
	ndctl destroy-namespace -f all >/dev/null 2>&1
	nd_init
	[ -z "$(ls "$SYS_DAX/devices" 2>/dev/null)" ]
}

# Stop the scenario when a precondition of the test fails, after saying why.
setup_or_bail() {
	local what=$1
	shift
	if ! "$@"; then
		echo "Bail out! setup failed: $what"
		exit 1
	fi
}

# ---- whole-system snapshots -----------------------------------------------------
# Everything a changing command could touch: block states and zones, drivers,
# the policy, /proc/iomem. Two equal snapshots mean nothing changed.
world() {
	local m d
	local s z
	for m in "$SYS_MEM"/memory*; do
		{ read -r s <"$m/state"; read -r z <"$m/valid_zones"; } 2>/dev/null
		echo "${m##*/} $s $z"
	done
	for d in "$SYS_DAX/devices"/*; do
		[ -e "$d" ] && echo "${d##*/} $(readlink "$d/driver")"
	done
	echo "policy $(policy)"
	cat /proc/iomem
}
# Block states of every block not belonging to the given devices
others() {
	local skip=" " d m n s z
	for d in "$@"; do skip+="$(dax_blocks "$d" | tr '\n' ' ')"; done
	for m in "$SYS_MEM"/memory*; do
		n=${m##*memory}
		[[ $skip == *" $n "* ]] && continue
		{ read -r s <"$m/state"; read -r z <"$m/valid_zones"; } 2>/dev/null
		echo "$n $s $z"
	done
}
# All blocks of DEV in STATE; with ZONE also valid_zones == ZONE
all_blocks() {
	local dev=$1 st=$2 zone=${3:-} b
	[ -n "$(dax_blocks "$dev")" ] || return 1
	for b in $(dax_blocks "$dev"); do
		[ "$(block_state "$b")" = "$st" ] || return 1
		[ -z "$zone" ] || [ "$(block_zones "$b")" = "$zone" ] || return 1
	done
}
all_gone() {
	local b
	for b in $(dax_blocks "$1"); do block_exists "$b" && return 1; done
	return 0
}
# The checks that make a remove a remove, judged from the kernel's state:
# REMOVED DEV MEMTOTAL_BEFORE LABEL
removed() {
	local dev=$1 before=$2 l=$3
	is "$(dax_driver "$dev")" device_dax "$l: driver device_dax"
	is "$(kmem_ram_count "$dev")" 0 "$l: no System RAM (kmem) over the range in /proc/iomem"
	check "$l: memory block dirs gone" all_gone "$dev"
	is "$(memtotal_kb)" "$before" "$l: MemTotal back to its value before kmem"
	if dmesg_clean; then
		ok "$l: no hot-remove failure in dmesg"
	else
		not_ok "$l: no hot-remove failure in dmesg"
		diag "$(dmesg_new | grep -iE "hotremoved|removing memory|reserve|BUG|WARNING|\\bOops\\b" | head)"
	fi
}
# Preamble of every scenario
# plant_page_tables NODE DIR: a process bound to NODE maps 8 x 1 GiB and
# touches every 2 MiB of it without THP: 8 x 512 page-table pages on NODE
# (issue 18's kernel allocations in Normal blocks). It is its own session,
# so it outlives a script that only sets it up; DIR/pt.ready appears once
# the tables are in place, DIR/pt.err has its errors. PT_PID is its pid.
plant_page_tables() {
	local nd=$1 dir=$2
	rm -f "$dir/pt.ready"
	setsid numactl --membind="$nd" python3 -c '
import mmap, sys, time
maps = []
for _ in range(8):
    m = mmap.mmap(-1, 512 << 21, mmap.MAP_PRIVATE)
    m.madvise(mmap.MADV_NOHUGEPAGE)
    for off in range(0, len(m), 2 << 20):
        m[off]
    maps.append(m)
open(sys.argv[1], "w").close()
time.sleep(900)
' "$dir/pt.ready" </dev/null >/dev/null 2>"$dir/pt.err" &
	PT_PID=$!
	for _ in $(seq 1 240); do
		[ -e "$dir/pt.ready" ] && break
		kill -0 "$PT_PID" 2>/dev/null || break
		sleep 0.5
	done
}

# status_blocks_match_lsmem: status --blocks -j lists every block as lsmem
# --all does (block, range, state, node, zones; lsmem prints "None" for
# "none" and joins zones with "/", so both are compared folded).
status_blocks_match_lsmem() {
	local got want what="status --blocks agrees with lsmem --all (block, range, state, node, zones)"
	mh -j status --blocks
	is "$MH_RC" 0 "status --blocks -j exits 0"
	got=$(jq -r '.blocks[] | "\(.block) \(.start) \(.end) \(.state) \(.node) \(.zone)"' <<<"$MH_OUT" | lsmem_fold)
	want=$(lsmem --all -J -b -o BLOCK,RANGE,STATE,NODE,ZONES | jq -r '.memory[] |
		(.range | split("-")) as $r |
		"\(.block) \($r[0] | ltrimstr("0x")) \($r[1] | ltrimstr("0x")) \(.state) \(.node) \(.zones)"' |
		while read -r blk s e st nd z; do
			echo "$blk $((16#$s)) $((16#$e)) $st $nd $z"
		done | lsmem_fold)
	if [ "$got" = "$want" ]; then
		ok "$what"
	else
		not_ok "$what"
		diag "$(diff <(echo "$want") <(echo "$got") | head -n 20)"
	fi
}
lsmem_fold() { tr 'A-Z/' 'a-z ' | sed 's/  */ /g'; }

scenario_start() {
	if ! have_memhotctl; then
		echo "1..0 # SKIP no memhotctl binary staged"
		exit 0
	fi
	echo "# $1 on $(uname -r), auto_online_blocks=$(policy)"
}
