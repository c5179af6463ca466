#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the kind groups of kinds/suite.conf on each kernel series, one boot per
# group (boot.sh), one VM at a time; tally like run-suite.sh and end with one
# line "N passed, M failed[, K skipped]"; exit 1 on any failure.
#   kinds/run-kinds.sh [-k SERIES]... [-g GROUP]... [-s SUITE] [-o OUTDIR]
# MEMHOTCTL_BIN names the binary under test (default ./memhotctl). Each
# kinds/ script is staged with kind-lib.sh prepended, so the guest needs no
# path into the source tree. Per group: OUTDIR/SERIES/GROUP/ as boot.sh
# leaves it; OUTDIR/matrix has one row per script with its boot's seconds.
set -uo pipefail
KINDS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$KINDS_DIR/../common.sh"

series=() groups=() out=$PWD/vm-kinds suite=$KINDS_DIR/suite.conf
while getopts k:g:o:s: o; do
	case $o in
	k) series+=("$OPTARG") ;;
	g) groups+=("$OPTARG") ;;
	o) out=$OPTARG ;;
	s) suite=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ ${#series[@]} -gt 0 ] || read -ra series <<<"$VM_SERIES_ALL"
bin=${MEMHOTCTL_BIN:-$PWD/memhotctl}
[ -x "$bin" ] || vm_die "no memhotctl binary at $bin (set MEMHOTCTL_BIN)"
MEMHOTCTL_BIN=$(realpath "$bin")
export MEMHOTCTL_BIN
rm -rf "$out/suite.tap" "$out/timings" "$out/matrix" "$out/staged" "${series[@]/#/$out/}"
mkdir -p "$out/staged"
"$VM_DIR/kernels.sh" "${series[@]}" >/dev/null || vm_die "kernels"

# stage SCRIPT[:ARGS] -> absolute staged path[:ARGS]
stage() {
	local path=${1%%:*} args='' dst
	[ "$path" = "$1" ] || args=:${1#*:}
	dst=$out/staged/$(basename "$path")
	if [ ! -f "$dst" ]; then
		{
			echo '#!/bin/bash'
			cat "$KINDS_DIR/kind-lib.sh" "$VM_DIR/$path"
		} >"$dst" || return 1
	fi
	echo "$dst$args"
}

P=0 F=0 S=0
summary=()
t0=$(date +%s)
for k in "${series[@]}"; do
	kp=0 kf=0 ks=0 kt0=$(date +%s)
	while read -r g profile scripts; do
		case "$g" in '' | \#*) continue ;; esac
		if [ ${#groups[@]} -gt 0 ] && [[ " ${groups[*]} " != *" $g "* ]]; then
			continue
		fi
		d=$out/$k/$g
		staged=()
		for s in $scripts; do staged+=("$(stage "$s")") || vm_die "stage $s"; done
		boot_ok=1
		rm -rf "$d/json"
		gs=$(date +%s)
		"$VM_DIR/boot.sh" -k "$k" -p "$profile" -o "$d" "${staged[@]}" || boot_ok=0
		secs=$(($(date +%s) - gs))
		for s in $scripts; do
			name=$(basename "${s%%:*}" .sh)
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
			res=pass
			[ "$sk" -gt 0 ] && [ "$p" = 0 ] && res=skip
			[ "$f" -gt 0 ] && res=fail
			printf '%-5s %-10s %-18s %-4s %3d passed %3d failed %3d skipped\n' \
				"$k" "$g" "$name" "$res" "$p" "$f" "$sk" >>"$out/matrix"
			summary+=("$(printf '%-5s %-10s %-18s %3d passed %3d failed %3d skipped' "$k" "$g" "$name" "$p" "$f" "$sk")")
			kp=$((kp + p)) kf=$((kf + f)) ks=$((ks + sk))
		done
		# the boot's JSON documents against the schema: one point per boot
		read -r p f sk n < <(vm_json_check "$k $g" "$d" "$out/suite.tap")
		summary+=("$(printf '%-5s %-10s %-18s %3d passed %3d failed %3d skipped' "$k" "$g" "json ($n docs)" "$p" "$f" "$sk")")
		kp=$((kp + p)) kf=$((kf + f)) ks=$((ks + sk))
		[ $boot_ok = 1 ] || vm_log "$k/$g: boot failed"
		echo "$k $g guest $(cat "$d/boot-seconds" 2>/dev/null || echo ?)s, with staging ${secs}s" >>"$out/timings"
	done <"$suite"
	summary+=("$(printf '%-5s total: %d passed, %d failed, %d skipped in %ds' "$k" "$kp" "$kf" "$ks" $(($(date +%s) - kt0)))")
	P=$((P + kp)) F=$((F + kf)) S=$((S + ks))
done
printf '%s\n' "${summary[@]}"
grep -h '^not ok' "$out/suite.tap" | head -n 40 | sed 's/^/  /'
cat "$out/timings"
echo "kinds: $(($(date +%s) - t0))s; results in $out"
line="$P passed, $F failed"
[ $S -eq 0 ] || line+=", $S skipped"
echo "$line"
[ $F -eq 0 ]
