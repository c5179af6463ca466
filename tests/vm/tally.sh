# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The one tally of the real-kernel runners (sourced after common.sh):
# run-suite.sh (scenarios and kinds) counts and reports through these
# functions; faults/run-faults.sh (one point per scenario) reads its TAP with
# tally_points and ends with tally_line.
#   tally_begin OUT; per script tally_script; per boot tally_json;
#   per series tally_series; at the end tally_report (its status: 0 no failure).

# tally_begin OUT: counts to zero; OUT/suite.tap and OUT/matrix collect.
tally_begin() {
	TALLY_OUT=$1 TALLY_T0=$(date +%s)
	P=0 F=0 S=0 kp=0 kf=0 ks=0
	TALLY_SUMMARY=()
}

# tally_result TAP RC: "PASS FAIL SKIP" of one script (tap-count.sh); a
# script that left no TAP did not run, which is one failure.
tally_result() {
	if [ -f "$1" ]; then
		"$VM_DIR/tap-count.sh" "$1" "$2"
	else
		echo "0 1 0"
	fi
}

# tally_points TAP: "POINTS FAILED", every ok / not ok line (a fault
# scenario is one point of run-faults.sh: it passes with no failed point)
tally_points() {
	awk '/^ok / { n++ } /^not ok / { n++; f++ } END { printf "%d %d\n", n, f }' \
		"$1" 2>/dev/null || echo "0 0"
}

# tally_row SERIES GROUP NAME PASS FAIL SKIP: one summary row, into the series.
tally_row() {
	TALLY_SUMMARY+=("$(printf '%-5s %-10s %-22s %3d passed %3d failed %3d skipped' "$@")")
	kp=$((kp + $4)) kf=$((kf + $5)) ks=$((ks + $6))
}

# tally_script SERIES GROUP NAME DIR: DIR/NAME.tap and .rc as boot.sh left
# them, appended to suite.tap with a header, one matrix row.
tally_script() {
	local k=$1 g=$2 name=$3 d=$4 p f sk res
	read -r p f sk < <(tally_result "$d/$name.tap" "$(cat "$d/$name.rc" 2>/dev/null || echo 1)")
	[ -f "$d/$name.tap" ] ||
		echo "not ok - $name did not run (boot failed: see $d/console.log)" >"$d/$name.tap"
	{
		echo "# ---- $k $g $name: $p passed, $f failed, $sk skipped"
		cat "$d/$name.tap"
	} >>"$TALLY_OUT/suite.tap"
	res=pass
	[ "$sk" -gt 0 ] && [ "$p" = 0 ] && res=skip
	[ "$f" -gt 0 ] && res=fail
	printf '%-5s %-10s %-18s %-4s %3d passed %3d failed %3d skipped\n' \
		"$k" "$g" "$name" "$res" "$p" "$f" "$sk" >>"$TALLY_OUT/matrix"
	tally_row "$k" "$g" "$name" "$p" "$f" "$sk"
}

# tally_json SERIES GROUP DIR: the boot's JSON documents, one point.
tally_json() {
	local p f sk n
	read -r p f sk n < <(vm_json_check "$1 $2" "$3" "$TALLY_OUT/suite.tap")
	tally_row "$1" "$2" "json ($n docs)" "$p" "$f" "$sk"
}

# tally_series SERIES SECONDS: the series' total row; into the grand total.
tally_series() {
	TALLY_SUMMARY+=("$(printf '%-5s total: %d passed, %d failed, %d skipped in %ds' \
		"$1" "$kp" "$kf" "$ks" "$2")")
	P=$((P + kp)) F=$((F + kf)) S=$((S + ks))
	kp=0 kf=0 ks=0
}

# tally_line PASS FAIL SKIP: the last line every runner prints.
tally_line() {
	local line="$1 passed, $2 failed"
	[ "$3" -eq 0 ] || line+=", $3 skipped"
	echo "$line"
}

# tally_report LABEL: rows, the failed points, timings, the last line.
tally_report() {
	printf '%s\n' "${TALLY_SUMMARY[@]}"
	grep -h '^not ok' "$TALLY_OUT/suite.tap" 2>/dev/null | head -n 40 | sed 's/^/  /'
	cat "$TALLY_OUT/timings" 2>/dev/null
	echo "$1: $(($(date +%s) - TALLY_T0))s; results in $TALLY_OUT"
	tally_line "$P" "$F" "$S"
	[ "$F" -eq 0 ]
}
