#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real machines' sysfs trees (util-linux's lsmem test dumps): every block of
# `memhotctl status --blocks` agrees with lsmem (range, state, block, node,
# zones), both with the installed lsmem and with lsmem's expected outputs.
# Skipped (77) when the shared fixtures are not there.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

SHARED=${MEMHOTCTL_SHARED:-$top_srcdir/../shared}
FIX=$SHARED/fixtures/real-sysfs
ls "$FIX"/*.tar.bz2 >/dev/null 2>&1 || { echo "no fixtures in $FIX: skip"; exit 77; }

# rows: "RANGE STATE BLOCK NODE ZONES" from an lsmem-like table on stdin;
# offline rows have no REMOVABLE, so count from the end. ZONES may be
# missing (lsmem 2.38 prints aarch64's DMA blank): "?" then.
rows() {	# NCOLS_WITH_ZONES REMOVABLE_COL(1/0)
	awk -v n="$1" -v rm="$2" '/^0x/ {
		z = "?"; f = NF
		if (f == n || (rm && $3 != "online" && f == n - 1)) { z = $f; f-- }
		print $1, $3, $(f - 1), $f, z
	}'
}

# agree OURS THEIRS: the same blocks, equal fields (THEIRS "?" zones match any)
agree() {
	awk 'NR == FNR { a[$3] = $0; n++; next }
	     { m++; if (!($3 in a)) { print "missing in memhotctl: " $0; bad = 1; next }
	       split(a[$3], o, " ")
	       if (o[1] != $1 || o[2] != $2 || o[4] != $4 || ($5 != "?" && o[5] != $5)) {
		       print "memhotctl: " a[$3]; print "lsmem:     " $0; bad = 1 } }
	     END { if (n != m) { print n " blocks vs " m; bad = 1 } exit bad }' "$1" "$2" >&2
}

have_lsmem=no
if command -v lsmem >/dev/null && lsmem --help 2>&1 | grep -q -- --sysroot; then
	have_lsmem=yes
fi
checked=0
for tb in "$FIX"/*.tar.bz2; do
	name=$(basename "$tb" .tar.bz2)
	mkdir -p "$TMP/rs/$name"
	tar --no-same-owner -xjf "$tb" -C "$TMP/rs/$name"
	sys=$(find "$TMP/rs/$name" -maxdepth 3 -type d -name sys | head -n 1)
	[ -n "$sys" ] || fail "$name: no sys/ inside"
	root=$(dirname "$sys")

	run 0 status --blocks --sysroot "$root"
	rows 7 1 <"$TMP/out" >"$TMP/ours"
	[ -s "$TMP/ours" ] || fail "$name: no block rows"
	# JSON says the same as the table.
	run 0 -j status --blocks --sysroot "$root"
	jq -r '.blocks[] | "\(.block) \(.state) \(.node) \(.zone | if . == "none" then "None" else gsub(" "; "/") end)"' \
		"$TMP/out" >"$TMP/json"
	awk '{ print $3, $2, $4, $5 }' "$TMP/ours" | diff - "$TMP/json" >&2 ||
		fail "$name: JSON and table differ"

	if [ $have_lsmem = yes ]; then
		lsmem --all --sysroot "$root" -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES \
			| rows 6 0 >"$TMP/lsmem"
		agree "$TMP/ours" "$TMP/lsmem" || fail "$name: differs from lsmem"
		echo "ok: $name agrees with lsmem ($(wc -l <"$TMP/ours") blocks)"
		checked=$((checked + 1))
	fi
	exp=$FIX/lsmem-expected/lsmem-$name
	if [ -f "$exp" ]; then
		awk '/^\$ lsmem --all --output RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES$/ { f = 1; next }
		     f && /^$/ { f = 0 } f' "$exp" | rows 7 1 >"$TMP/expected"
		[ -s "$TMP/expected" ] || fail "$name: no --all table in $exp"
		agree "$TMP/ours" "$TMP/expected" || fail "$name: differs from $exp"
		echo "ok: $name agrees with lsmem-expected"
		checked=$((checked + 1))
	fi
done
[ $checked -gt 0 ] || { echo "nothing to compare against: skip"; exit 77; }
exit 0
