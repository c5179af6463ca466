#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile --sysroot trees: nothing is read or written outside the tree, a
# FIFO or a device where a regular file belongs never hangs a command, an
# unreadable dax device is named, and a rejected name reaches the
# terminal escaped.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
MEM=sys/devices/system/memory

# fresh NAME: a copy of the "two" tree at $TMP/NAME
fresh() {
	rm -rf "${TMP:?}/$1"
	cp -a "$TREES/two" "$TMP/$1"
	T=$TMP/$1
}

# run_bounded RC ARGS...: run, but fail (not hang) past 10 seconds
run_bounded() {
	want=$1
	shift
	rc=0
	timeout -s KILL 10 "$MEMHOTCTL" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" != 137 ] || fail "memhotctl $* hung (killed after 10 s)"
	[ "$rc" = "$want" ] || fail "memhotctl $* exited $rc, expected $want"
	echo "ok: memhotctl $* -> $rc"
}

# 1. memory36 is a link out of the tree, to a canary block that reads
# online: never read (status does not show it online), never written.
for how in absolute relative; do
	fresh escape
	canary=$TMP/outside/memory36
	rm -rf "$TMP/outside"
	mkdir -p "$TMP/outside"
	mv "$T/$MEM/memory36" "$canary"
	if [ $how = absolute ]; then
		ln -s "$canary" "$T/$MEM/memory36"
	else
		ln -s ../../../../../outside/memory36 "$T/$MEM/memory36"
	fi
	before=$(tree_sum "$TMP/outside")
	run 1 status dax0.0 --sysroot "$T"
	err_has "$T/$MEM/memory36/state"
	run 1 status --blocks --sysroot "$T"
	err_has "$T/$MEM/memory36/state"
	for cmd in offline remove; do
		rc=0
		"$MEMHOTCTL" $cmd dax0.0 --sysroot "$T" >"$TMP/out" 2>"$TMP/err" || rc=$?
		[ $rc != 0 ] || fail "$how link: $cmd exited 0 with memory36 out of the tree"
		grep -q "blocks offlined" "$TMP/out" && fail "$how link: $cmd claims offlined blocks"
		echo "ok: $how link: $cmd dax0.0 -> $rc"
	done
	[ "$(cat "$canary/state")" = online ] || fail "$how link: the canary was written"
	[ "$(tree_sum "$TMP/outside")" = "$before" ] || fail "$how link: outside changed"
	for b in 34 35 37 38; do
		[ "$(cat "$T/$MEM/memory$b/state")" = online ] ||
			fail "$how link: memory$b changed before the refusal"
	done
	echo "ok: $how link out of the tree: refused, nothing outside touched"
done

# 1b. Without openat2 (ENOSYS: a kernel before 5.6; EPERM: a seccomp
# filter) a sysroot is refused, naming why, and nothing is written.
NO_OPENAT2=$PWD/tests/unit/test-hostile
fresh noopenat2
before=$(tree_sum "$T")
for e in ENOSYS EPERM; do
	for cmd in "offline dax0.0" "remove dax0.0" "online dax1.0" status; do
		rc=0
		"$NO_OPENAT2" --no-openat2 $e "$MEMHOTCTL" $cmd --sysroot "$T" \
			>"$TMP/out" 2>"$TMP/err" || rc=$?
		[ $rc != 77 ] || { echo "no seccomp filters here: skip $e"; break 2; }
		[ $rc = 1 ] || fail "$e: memhotctl $cmd exited $rc, expected 1"
		err_has "openat2() RESOLVE_IN_ROOT is not available"
		echo "ok: without openat2 ($e): $cmd -> 1"
	done
done
[ "$(tree_sum "$T")" = "$before" ] || fail "without openat2: the tree changed"

# 2. A FIFO as an attribute, as block_size_bytes, as a state: an error
# naming the file, at once, not a hang.
for f in "$MEM/memory35/state" "$MEM/block_size_bytes" "$MEM/memory36/valid_zones" \
	sys/bus/dax/devices/dax0.0/size sys/bus/dax/devices/dax0.0/mapping0/start; do
	fresh fifo
	rm -f "$T/$f"
	mkfifo "$T/$f"
	before=$(tree_sum "$T")
	for cmd in status offline remove; do
		run_bounded 1 $cmd dax0.0 --sysroot "$T"
		err_has "$T/$f"
		err_has "not a regular file"
	done
	run_bounded 1 status --sysroot "$T"
	err_has "not a regular file"
	[ "$(tree_sum "$T")" = "$before" ] || fail "FIFO $f: the tree changed"
done

# 3. A dax device whose bus link loops: named with its error, never
# dropped from status nor called absent.
fresh loop
ln -s dax7.0 "$T/sys/bus/dax/devices/dax7.0"
run 1 status --sysroot "$T"
err_has "dax7.0: cannot read $T/sys/bus/dax/devices/dax7.0: Too many levels of symbolic links"
out_has dax0.0
run 1 status -j --sysroot "$T"
jq -e '.devices | length == 2' "$TMP/out" >/dev/null || fail "status -j: the readable devices"
run 1 status dax7.0 --sysroot "$T"
err_has "Too many levels of symbolic links"
grep -q "no such dax device" "$TMP/err" && fail "a looping device called absent"
for cmd in offline remove online; do
	run 1 $cmd dax7.0 --sysroot "$T"
	err_has "dax7.0: cannot read"
done

# 4. A rejected name with ESC and a newline: escaped, one line, no ESC.
esc=$(printf '\033')
name=$(printf 'dax\033[1m\n0.0')
for cmd in status offline remove online recover; do
	run 2 $cmd "$name" --sysroot "$TREES/two"
	grep -q "$esc" "$TMP/err" && fail "$cmd: a raw ESC reached stderr"
	[ "$(wc -l <"$TMP/err")" = 1 ] || fail "$cmd: the newline was echoed raw"
	err_has "'dax\\x1b[1m\\x0a0.0'"
done
echo "escaped: $(cat "$TMP/err")"

# 5. Whatever else a message quotes (a command, an option, a --sysroot or a
# file name of a hostile tree) reaches the terminal escaped too.
raw_esc_free() {
	grep -q "$esc" "$TMP/err" && fail "$1: a raw ESC reached stderr"
	[ "$(wc -l <"$TMP/err")" = 1 ] || fail "$1: more than one line"
	err_has "$2"
}
run 2 "$(printf 'st\033[2Jatus')" --sysroot "$TREES/two"
raw_esc_free "a command" "'st\x1b[2Jatus' is not a command"
run 2 status "$(printf -- '--sys\033root')" --sysroot "$TREES/two"
raw_esc_free "an option" "unknown option '--sys\x1broot'"
run 1 status --sysroot "$(printf '%s/no\033[31m\nwhere' "$TMP")"
raw_esc_free "a sysroot" "no\x1b[31m\x0awhere"
exit 0
