#!/bin/bash
# One-off for issue 5: does the order in which a device's blocks are
# offlined (and onlined) change what the kernel's writes cost? After
# `vm-b1.sh 0` in bench/b1-profile.conf's guest; offw (../timeline/offw.c, built on the
# host into /var/cache/x) writes one value to each block in the order given
# and prints the time inside each write(). Rounds rotate the orders.
set -u
ROUNDS=${1:-6}
OFFW=/var/cache/x/offw
OUT=/run/mh/out
M=/sys/devices/system/memory
bs=$((16#$(cat $M/block_size_bytes)))
B=()
for m in /sys/bus/dax/devices/dax0.0/mapping*; do
	s=$(($(cat "$m/start"))) e=$(($(cat "$m/end")))
	for ((b = (s + bs - 1) / bs; b <= (e + 1) / bs - 1; b++)); do B+=("$b"); done
done
n=${#B[@]}
asc=("${B[@]}")
desc=(); for ((i = n - 1; i >= 0; i--)); do desc+=("${B[$i]}"); done
# offline: the second block first, the first one last; online: the first,
# then from the third on, the second last (a hole stays near the start)
hole_off=("${B[@]:1}" "${B[0]}")
hole_on=("${B[0]}" "${B[@]:2}" "${B[1]}")
mapfile -t shuf < <(printf '%s\n' "${B[@]}" | shuf --random-source=<(yes))
order() {	# name op -> block ids
	case $1/$2 in
	asc/*) echo "${asc[@]}" ;;
	desc/*) echo "${desc[@]}" ;;
	hole/offline) echo "${hole_off[@]}" ;;
	hole/online_movable) echo "${hole_on[@]}" ;;
	shuf/*) echo "${shuf[@]}" ;;
	esac
}
NAMES=(asc desc hole shuf)
echo "# $(uname -r): $n blocks ${B[0]}..${B[n-1]}"
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < ${#NAMES[@]}; i++)); do
		o=${NAMES[(r - 1 + i) % ${#NAMES[@]}]}
		for op in offline online_movable; do
			t=$($OFFW $op $(order $o $op) | awk '/^O total/ {print $3}')
			bad=$(for b in "${B[@]}"; do cat $M/memory$b/state; done | grep -vc "^${op%_movable}\$")
			echo "$op $o $r $t $bad" | tee -a $OUT/order.data
		done
	done
done
