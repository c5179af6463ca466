#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every scenario group of suite.conf on each kernel series, one boot per
# group, one VM at a time. Prints per-kernel tallies and ends with one line
# "N passed, M failed[, K skipped]"; exits 1 on any failure.
#   run-suite.sh [-k SERIES]... [-g GROUP]... [-o OUTDIR]
# MEMHOTCTL_BIN names the binary under test (default ./memhotctl).
set -uo pipefail
. "$(dirname "$0")/common.sh"

series=() groups=() out=$PWD/vm-results
while getopts k:g:o: o; do
	case $o in
	k) series+=("$OPTARG") ;;
	g) groups+=("$OPTARG") ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ ${#series[@]} -gt 0 ] || read -ra series <<<"$VM_SERIES_ALL"
bin=${MEMHOTCTL_BIN:-$PWD/memhotctl}
[ -x "$bin" ] || vm_die "no memhotctl binary at $bin (set MEMHOTCTL_BIN)"
export MEMHOTCTL_BIN=$(realpath "$bin")
# only what an earlier run left, never the directory itself
rm -rf "$out/suite.tap" "$out/timings" "${series[@]/#/$out/}"
mkdir -p "$out"
"$VM_DIR/kernels.sh" "${series[@]}" >/dev/null || vm_die "kernels"

P=0 F=0 S=0
summary=()
t0=$(date +%s)
for k in "${series[@]}"; do
	kp=0 kf=0 ks=0
	while read -r g profile scripts; do
		case "$g" in '' | \#*) continue ;; esac
		if [ ${#groups[@]} -gt 0 ] && [[ " ${groups[*]} " != *" $g "* ]]; then
			continue
		fi
		d=$out/$k/$g
		boot_ok=1
		rm -rf "$d/json"
		"$VM_DIR/boot.sh" -k "$k" -p "$profile" -o "$d" $scripts || boot_ok=0
		for s in $scripts; do
			name=$(basename "$s" .sh)
			if [ -f "$d/$name.tap" ]; then
				read -r p f sk < <("$VM_DIR/tap-count.sh" "$d/$name.tap" "$(cat "$d/$name.rc" 2>/dev/null || echo 1)")
			else
				p=0 f=1 sk=0
				echo "not ok - $name did not run (boot failed: see $d/console.log)" >"$d/$name.tap"
			fi
			{
				echo "# ---- $k $g $name: $p passed, $f failed, $sk skipped"
				cat "$d/$name.tap"
			} >>"$out/suite.tap"
			summary+=("$(printf '%-5s %-8s %-22s %3d passed %3d failed %3d skipped' "$k" "$g" "$name" "$p" "$f" "$sk")")
			kp=$((kp + p)) kf=$((kf + f)) ks=$((ks + sk))
		done
		# the boot's JSON documents against the schema: one point per boot
		read -r p f sk n < <(vm_json_check "$k $g" "$d" "$out/suite.tap")
		summary+=("$(printf '%-5s %-8s %-22s %3d passed %3d failed %3d skipped' "$k" "$g" "json ($n docs)" "$p" "$f" "$sk")")
		kp=$((kp + p)) kf=$((kf + f)) ks=$((ks + sk))
		[ $boot_ok = 1 ] || vm_log "$k/$g: boot failed"
		echo "$k $g $(cat "$d/boot-seconds" 2>/dev/null || echo ?)s" >>"$out/timings"
	done <"$VM_DIR/suite.conf"
	summary+=("$(printf '%-5s total: %d passed, %d failed, %d skipped' "$k" "$kp" "$kf" "$ks")")
	P=$((P + kp)) F=$((F + kf)) S=$((S + ks))
done
printf '%s\n' "${summary[@]}"
grep -h '^not ok' "$out/suite.tap" | head -n 40 | sed 's/^/  /'
echo "suite: $(($(date +%s) - t0))s; boots: $(tr '\n' ' ' <"$out/timings"); results in $out"
line="$P passed, $F failed"
[ $S -eq 0 ] || line+=", $S skipped"
echo "$line"
[ $F -eq 0 ]
