#!/bin/bash
# Experiment for issue 20: at 2,048 blocks, does memhotctl's block order
# (offline upwards with the lowest last, online downwards) still beat the
# orders daxctl writes in (the memory directory's kernfs order) and a
# shuffle? One-process writer (offw), time inside each write().
#   order-scale.sh ROUNDS NBLOCKS   (in bench/b3-profile.conf's guest)
set -u
ROUNDS=${1:-3} NBL=${2:-2048}
OFFW=${OFFW:-/var/cache/x/offw}	# offw.c: git show d6d19e8:bench/results/b1-data/timeline/offw.c
OUT=/run/mh/out
M=/sys/devices/system/memory
D=/sys/bus/dax
modprobe -q kmem; modprobe -q device_dax
echo offline >$M/auto_online_blocks
ndctl disable-region all >/dev/null 2>&1
ndctl init-labels -f all >/dev/null 2>&1
ndctl enable-region all >/dev/null 2>&1
bs=$((16#$(cat $M/block_size_bytes))) mb=$((bs >> 20))
want=$(((NBL + 1) * mb))
for try in 1 2; do
	ndctl destroy-namespace -f all >/dev/null 2>&1
	j=$(ndctl create-namespace -r region0 -m devdax -M mem -a 2M -s "${want}M" 2>&1) || { echo "Bail out! $j"; exit 1; }
	DEV=$(jq -r '.daxregion.devices[0].chardev' <<<"$j")
	B=()
	for m in $D/devices/$DEV/mapping*; do
		s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
		for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do B+=("$b"); done
	done
	[ ${#B[@]} = "$NBL" ] && break
	want=$((want + (NBL - ${#B[@]}) * mb))
done
n=${#B[@]}
echo "# $(uname -r): $DEV $n blocks ${B[0]}..${B[n-1]}"
echo "$DEV" >$D/drivers/device_dax/unbind
echo "$DEV" >$D/drivers/kmem/new_id 2>/dev/null
[ -L $D/devices/$DEV/driver ] || echo "$DEV" >$D/drivers/kmem/bind
desc=(); for ((i = n - 1; i >= 0; i--)); do desc+=("${B[$i]}"); done
$OFFW online_movable "${desc[@]}" | tail -n1 | sed 's/^/# setup /'
hole_off=("${B[@]:1}" "${B[0]}")
mapfile -t shuf < <(printf '%s\n' "${B[@]}" | shuf --random-source=<(yes))
# daxctl's order: readdir of the memory directory, the device's blocks
declare -A in; for b in "${B[@]}"; do in[$b]=1; done
kfs=(); for f in $(ls -U $M); do b=${f#memory}; [ -n "${in[$b]:-}" ] && kfs+=("$b"); done
echo "# kfs order starts ${kfs[*]:0:8} (${#kfs[@]} blocks)"
order() {
	case $1/$2 in
	mh/offline) echo "${hole_off[@]}" ;;
	mh/online_movable) echo "${desc[@]}" ;;
	shuf/*) echo "${shuf[@]}" ;;
	kfs/*) echo "${kfs[@]}" ;;
	esac
}
NAMES=(mh shuf kfs)
N=0
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < ${#NAMES[@]}; i++)); do
		o=${NAMES[(r - 1 + i) % ${#NAMES[@]}]}
		for op in offline online_movable; do
			$OFFW $op $(order $o $op) >$OUT/w-$o-$op-$r.txt
			t=$(awk '/^O total/ {print $3}' $OUT/w-$o-$op-$r.txt)
			bad=$(for b in "${B[@]}"; do cat $M/memory$b/state; done | grep -vc "^${op%_movable}\$")
			N=$((N + 1))
			echo "ok $N - $op $o round $r: $((t / 1000)) ms, $bad not ${op%_movable}"
			echo "$op $o $r $t $bad" >>$OUT/order.data
		done
	done
done
echo "1..$N"
