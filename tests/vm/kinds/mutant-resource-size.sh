#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guard for the multirange rows: build a memhotctl whose block ids come from
# resource+size (mapping0's start for size bytes) instead of every mappingN,
# from a patched COPY of the source tree, and show that the multirange
# group fails with it. On demand only (a build and a boot per kernel).
#   tests/vm/kinds/mutant-resource-size.sh [-k SERIES]... [-a]
# -a runs the whole multirange group, else only x-multirange. Prints
# "killed" (it failed, as it must) or "SURVIVED"; exits 1 unless killed.
set -uo pipefail
KINDS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$KINDS_DIR/../common.sh"
top=$(cd "$VM_DIR/../.." && pwd)

series=() all=0
while getopts k:a o; do
	case $o in
	k) series+=("$OPTARG") ;;
	a) all=1 ;;
	*) exit 2 ;;
	esac
done
[ ${#series[@]} -gt 0 ] || series=(6.12)

file=src/lib/dax.c
expr='s/if (!mh_range_blocks(&dev->ranges\[i\], block_size, &first, &last))/struct mh_range rs = { dev->ranges[0].start, dev->ranges[0].start + dev->size - 1 };\n\t\tif (i || !mh_range_blocks(\&rs, block_size, \&first, \&last))/'

mkdir -p "$VM_CACHE"
work=$(mktemp -d "$VM_CACHE/mutant-rs.XXXXXX")
trap 'rm -rf "$work"' EXIT
build=$work/build
if ! why=$(mutant_build "$top" "$work" "$file" "$expr"); then
	echo "resource-size: $why"
	exit 1
fi
if [ $all = 1 ]; then
	grep '^multirange ' "$KINDS_DIR/suite.conf" >"$work/suite.conf"
else
	echo "multirange multirange kinds/x-multirange.sh" >"$work/suite.conf"
fi
kargs=()
for k in "${series[@]}"; do kargs+=(-k "$k"); done
res=${MUTANT_OUT:-$work/results}
if MEMHOTCTL_BIN=$build/memhotctl "$KINDS_DIR/run-kinds.sh" "${kargs[@]}" \
	-s "$work/suite.conf" -o "$res" >"$work/run.log" 2>&1; then
	echo "resource-size: SURVIVED ($(tail -n1 "$work/run.log"))"
	exit 1
fi
echo "resource-size: killed ($(tail -n1 "$work/run.log"))"
grep -h '^not ok' "$res/suite.tap" | head -n 8 | sed 's/^/    /'
exit 0
