#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the real-kernel fault scenarios (tests/vm/faults/guest/fN-*.sh) through
# the harness's boot.sh, one boot per kernel series, and print TAP plus counts.
#   run-faults.sh [-k SERIES]... [-o OUTDIR] [-t SECONDS] [-S] [SCENARIO[:ARGS]]...
# -S: boot nothing, only summarise what OUTDIR holds from an earlier run.
# SCENARIO: f1 .. f7 or p0 (mechanism probe, no memhotctl needed), or a path.
# Default: every fN scenario on 6.1 and 6.12. The tool under test is
# MEMHOTCTL_BIN (default ./memhotctl, as boot.sh). Needs root, qemu, and the
# Debian archive for kernels and headers.
# Exit: 0 every scenario passed, 1 a scenario failed or a boot did not finish.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
. "$vm/common.sh"
. "$vm/tally.sh"

series=() out= tmo= summary_only=0
while getopts k:o:t:S o; do
	case $o in
	S) summary_only=1 ;;
	k) series+=("$OPTARG") ;;
	o) out=$OPTARG ;;
	t) tmo=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ ${#series[@]} -gt 0 ] || read -ra series <<<"$VM_SERIES_ALL"
if [ $# -eq 0 ]; then
	for f in "$here"/guest/f[0-9]-*.sh; do set -- "$@" "$(basename "$f" .sh | cut -d- -f1)"; done
fi
out=${out:-$PWD/faults-out}
export MEMHOTCTL_BIN=${MEMHOTCTL_BIN:-$PWD/memhotctl}
[ $summary_only = 1 ] || [ -x "$MEMHOTCTL_BIN" ] || vm_log "no memhotctl at $MEMHOTCTL_BIN: scenarios needing it will fail"

# Guest-visible copy of the fault helpers and modules: the guest sees the
# host's / read-only but has tmpfs on /tmp, /run and /var/tmp.
stage_faults() {
	mkdir -p "$VM_CACHE"
	stage=$(mktemp -d "$VM_CACHE/faults.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	cp "$here/guest/fault-lib.sh" "$here/guest/sigwrite.py" "$stage/"
	MEMHOTCTL_VM_CACHE=$VM_CACHE "$here/build-module.sh" "${series[@]}" >"$stage/ko.list" ||
		vm_die "module build failed"
	while read -r kver ko; do
		mkdir -p "$stage/$kver" && cp "$ko" "$stage/$kver/"
	done <"$stage/ko.list"
	chmod -R a+rX "$stage"
	export MH_GUEST_FAULTS=$stage
}
[ $summary_only = 1 ] || stage_faults

scripts=()
for s; do
	name=${s%%:*} args=
	[ "$name" = "$s" ] || args=:${s#*:}
	case $name in
	/*) path=$name ;;
	*) path=$(ls "$here"/guest/"$name"-*.sh 2>/dev/null | head -n1) ;;
	esac
	[ -f "$path" ] || vm_die "no scenario $name"
	scripts+=("$path$args")
done
# Faults run long (endless offlines, 20 runs of f4): the profile gives each
# script 1800 s (f5 took about 15 minutes on a loaded host), the boot a
# generous total.
profile=$here/nvdimm-faults.conf
tmo=${tmo:-$((300 + 900 * ${#scripts[@]}))}

n=0 js=0 fail=0 tests=0 tfail=0 runs=0 faults=0 survived=0 leaks=0
for k in "${series[@]}"; do
	o=$out/$k
	brc=0
	if [ $summary_only = 0 ]; then
		rm -rf "$o"
		mkdir -p "$o"
		# A scenario that can leak a range (f4) gets a boot of its own: a
		# leak lasts until reboot and would break every later scenario.
		shared=() alone=()
		for s in "${scripts[@]}"; do
			case $(basename "${s%%:*}") in
			f4-*) alone+=("$s") ;;
			*) shared+=("$s") ;;
			esac
		done
		if [ ${#shared[@]} -gt 0 ]; then
			"$vm/boot.sh" -k "$k" -p "$profile" -o "$o" -t "$tmo" "${shared[@]}" || brc=$?
		fi
		for s in "${alone[@]}"; do
			"$vm/boot.sh" -k "$k" -p "$profile" -o "$o/alone" -t "$tmo" "$s" || brc=$?
			cp "$o/alone/"*.{tap,err,rc,dmesg} "$o/" 2>/dev/null
		done
	fi
	for s in "${scripts[@]}"; do
		name=$(basename "${s%%:*}" .sh)
		n=$((n + 1))
		tap=$o/$name.tap
		rc=$(cat "$o/$name.rc" 2>/dev/null || echo none)
		read -r t tf < <(tally_points "$tap")
		tests=$((tests + t)) tfail=$((tfail + tf))
		# scenarios end with "# count: runs=N faults=N leaks=N"
		c=$(sed -n 's/^# count: //p' "$tap" 2>/dev/null | tail -n1)
		f=0
		for kv in $c; do
			case $kv in
			runs=*) runs=$((runs + ${kv#runs=})) ;;
			faults=*) f=${kv#faults=} ;;
			leaks=*) leaks=$((leaks + ${kv#leaks=})) ;;
			esac
		done
		faults=$((faults + f))
		sed -n 's/^# measure: /# '"$k $name"': /p' "$tap" 2>/dev/null
		grep -E '^not ok |^Bail out' "$tap" 2>/dev/null | sed "s/^/# $k $name: /"
		if [ "$rc" = 0 ] && [ "$tf" = 0 ] && [ "$t" -gt 0 ]; then
			survived=$((survived + f))
			echo "ok $n - $k $name ($t checks)"
		else
			fail=$((fail + 1))
			echo "not ok $n - $k $name (exit $rc, $tf of $t checks failed$([ $brc = 0 ] || echo ", boot failed"))"
		fi
	done
	# the JSON documents of this series' boots against the schema: one point
	n=$((n + 1)) js=$((js + 1))
	jl=$("$vm/json-check.sh" "$k json" "$o" "$o/alone") || [ $? = 77 ] || fail=$((fail + 1))
	sed "1s/^\(not \)\{0,1\}ok /&$n /" <<<"$jl"
done
echo "1..$n"
echo "# scenarios $((n - js)), JSON checks $js, checks $tests ($tfail failed), memhotctl runs $runs, faults injected $faults, survived $survived (in passing scenarios), leaks $leaks"
echo "# output: $out"
tally_line $((n - fail)) $fail 0
[ $fail = 0 ]
