#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad or unknown device names: refused with exit 2 before any path is
# built, the message lists the devices present, and nothing changes.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
T=$TREES/two
before=$(tree_sum "$T")

for name in / .. ../.. dax0.0/.. ../dax0.0 dax0.0/../../../etc "dax0.0 " \
	dax0 dax0. .0 dax0.0.0 daxa.b dax-1.0 dax0.0x memory34 '' '*' 'dax*'; do
	for cmd in status online offline remove recover; do
		run 2 $cmd "$name" --sysroot "$T"
		err_has "not a dax device name"
		err_has "(present: dax0.0 dax1.0)"
		[ ! -s "$TMP/out" ] || fail "$cmd '$name' printed on stdout"
		[ $cmd = status ] || run 2 $cmd "$name" --sysroot "$T" --dry-run -j
	done
done

# Well-formed but absent: the spec's message, exactly.
for cmd in status online offline remove; do
	run 2 $cmd dax9.9 --sysroot "$T"
	grep -qx "memhotctl: 'dax9.9': no such dax device (present: dax0.0 dax1.0)" "$TMP/err" ||
		fail "$cmd dax9.9 message: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "$cmd dax9.9 printed on stdout"
done
# One bad name among good ones refuses the whole status.
run 2 status dax0.0 ../x --sysroot "$T"
[ ! -s "$TMP/out" ] || fail "status printed before refusing a bad name"

# No dax bus at all: "present: none".
run 2 remove dax0.0 --sysroot "$TREES/nodax"
err_has "(present: none)"

[ "$(tree_sum "$T")" = "$before" ] || fail "a refused command changed the tree"
echo "tree unchanged"
exit 0
