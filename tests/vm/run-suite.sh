#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real-kernel runner: every group of a suite file on each kernel series,
# one boot per group (boot.sh), one VM at a time. Suites are data:
#   GROUP PROFILE SCRIPT[:ARGS]...   (paths relative to tests/vm)
# suite.conf holds the scenarios, kinds/suite*.conf the device kinds
# (kinds/run-kinds.sh calls this with -s and -l). Prints per-script and
# per-kernel tallies (tally.sh) and ends with one line
# "N passed, M failed[, K skipped]"; exits 1 on any failure.
#   run-suite.sh [-k SERIES]... [-g GROUP]... [-s SUITE] [-l LIB] [-n LABEL] [-o OUTDIR]
# -l LIB: stage each script with LIB prepended, so the guest needs no path
# into the source tree. -n: the label of the timing line (default "suite"). MEMHOTCTL_BIN names the binary under test (default
# ./memhotctl). Per group: OUTDIR/SERIES/GROUP/ as boot.sh leaves it;
# OUTDIR/suite.tap, OUTDIR/matrix (one row per script), OUTDIR/timings.
set -uo pipefail
. "$(dirname "$0")/common.sh"
. "$VM_DIR/tally.sh"

series=() groups=() out=$PWD/vm-results suite=$VM_DIR/suite.conf lib='' label=suite
while getopts k:g:o:s:l:n: o; do
	case $o in
	k) series+=("$OPTARG") ;;
	g) groups+=("$OPTARG") ;;
	o) out=$OPTARG ;;
	s) suite=$OPTARG ;;
	l) lib=$OPTARG ;;
	n) label=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ ${#series[@]} -gt 0 ] || read -ra series <<<"$VM_SERIES_ALL"
bin=${MEMHOTCTL_BIN:-$PWD/memhotctl}
[ -x "$bin" ] || vm_die "no memhotctl binary at $bin (set MEMHOTCTL_BIN)"
MEMHOTCTL_BIN=$(realpath "$bin")
export MEMHOTCTL_BIN
[ -f "$suite" ] || vm_die "no suite file $suite"
[ -z "$lib" ] || [ -f "$lib" ] || vm_die "no library $lib"
# only what an earlier run left, never the directory itself
rm -rf "$out/suite.tap" "$out/timings" "$out/matrix" "$out/staged" "${series[@]/#/$out/}"
mkdir -p "$out"
"$VM_DIR/kernels.sh" "${series[@]}" >/dev/null || vm_die "kernels"

# script SCRIPT[:ARGS] -> the path boot.sh runs[:ARGS]: with -l, a staged
# copy with the library prepended
script() {
	local path=${1%%:*} args='' dst
	[ "$path" = "$1" ] || args=:${1#*:}
	if [ -z "$lib" ]; then
		echo "$1"
		return
	fi
	mkdir -p "$out/staged"
	dst=$out/staged/$(basename "$path")
	if [ ! -f "$dst" ]; then
		{
			echo '#!/bin/bash'
			cat "$lib" "$VM_DIR/$path"
		} >"$dst" || return 1
	fi
	echo "$dst$args"
}

tally_begin "$out"
for k in "${series[@]}"; do
	kt0=$(date +%s)
	while read -r g profile scripts; do
		case "$g" in '' | \#*) continue ;; esac
		if [ ${#groups[@]} -gt 0 ] && [[ " ${groups[*]} " != *" $g "* ]]; then
			continue
		fi
		d=$out/$k/$g
		run=()
		for s in $scripts; do run+=("$(script "$s")") || vm_die "stage $s"; done
		boot_ok=1
		rm -rf "$d/json"
		gs=$(date +%s)
		"$VM_DIR/boot.sh" -k "$k" -p "$profile" -o "$d" "${run[@]}" || boot_ok=0
		secs=$(($(date +%s) - gs))
		for s in $scripts; do
			tally_script "$k" "$g" "$(basename "${s%%:*}" .sh)" "$d"
		done
		# the boot's JSON documents against the schema: one point per boot
		tally_json "$k" "$g" "$d"
		[ $boot_ok = 1 ] || vm_log "$k/$g: boot failed"
		echo "$k $g guest $(cat "$d/boot-seconds" 2>/dev/null || echo ?)s, with staging ${secs}s" >>"$out/timings"
	done <"$suite"
	tally_series "$k" $(($(date +%s) - kt0))
done
tally_report "$label"
