#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The JSON contract (man/memhotctl.schema.json): every command's -j output on
# the sysroot trees follows the schema, dry runs, real runs on plain files
# and refusals alike; exit_code is the exit status; errors found before a
# device is read print no JSON; and the validator rejects broken documents
# (a number as a string, a missing key, an extra key, "" for null...).
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
[ -n "$JSON_PY" ] || { echo "python3-jsonschema missing: skip"; exit 77; }

DOCS=$TMP/docs
mkdir -p "$DOCS"
n=0

# jrun ARGS...: memhotctl -j ARGS, whatever its exit status (1, 3, 4, 5 are
# documents too); the document is kept, its exit_code must be the status.
jrun() {
	rc=0
	"$MEMHOTCTL" -j "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	case $rc in 0 | 1 | 3 | 4 | 5) ;; *) fail "memhotctl -j $* exited $rc" ;; esac
	[ -s "$TMP/out" ] || fail "memhotctl -j $* printed no JSON (exit $rc)"
	[ "$(jq '[if type == "array" then .[] else . end | .exit_code // 0] |
		max // 0' "$TMP/out")" = "$rc" ] ||
		fail "memhotctl -j $*: exit_code is not the exit status $rc"
	n=$((n + 1))
	cp "$TMP/out" "$DOCS/$(printf %03d $n).json"
	echo "ok: memhotctl -j $* -> $rc"
}

# errjson EXPECTED_RC ARGS...: an error before there is a result: one error
# document (run() validated it) whose exit_code is the status and whose
# error is the first line said on stderr
errjson() {
	run "$@"
	[ -s "$TMP/err" ] || fail "memhotctl $* said nothing on stderr"
	jq -e --argjson rc "$1" --arg said "$(head -n1 "$TMP/err" | sed 's/^memhotctl: //')" \
		'.exit_code == $rc and .error == $said and (has("operation") | not)' \
		"$TMP/out" >/dev/null || fail "memhotctl $* printed no error document: $(cat "$TMP/out")"
	echo "ok: error document of memhotctl $*"
}

# fresh NAME: a new copy of the trees, for runs that write
fresh() {
	sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/$1"
	echo "$TMP/$1"
}

# A journal belongs to one tree (its root line): each tree's runs get a
# run directory of their own, or one tree's journal blocks the next.
rundir() {
	export MEMHOTCTL_RUNDIR="$TMP/run-$1"
	mkdir -p "$MEMHOTCTL_RUNDIR"
}

# status, and status --blocks, on every tree that reads
for t in two offline zone-none nodax; do
	jrun status --sysroot "$TREES/$t"
	jrun status --blocks --sysroot "$TREES/$t"
done
jrun status dax1.0 --sysroot "$TREES/two"
jrun status all --sysroot "$TREES/two"

# dry runs of every operation on every device: plans and refusals
for t in two/dax0.0 two/dax1.0 offline/dax0.0 zone-none/dax0.0; do
	for op in online offline remove recover; do
		jrun $op "${t#*/}" --dry-run --sysroot "$TREES/${t%/*}"
	done
done
jrun online dax1.0 --zone normal --dry-run --sysroot "$TREES/two"
jrun remove dax0.0 --rebind none --dry-run --sysroot "$TREES/two"
jrun remove dax0.0 --force --dry-run --sysroot "$TREES/two"
jrun recover --dry-run --sysroot "$TREES/two"

# Kernels without valid_zones: zone is null, in the streamed --blocks too
# (between zones and at the end).
R=$(fresh r0)
for b in 35 36 38; do rm "$R/two/sys/devices/system/memory/memory$b/valid_zones"; done
jrun status --blocks --sysroot "$R/two"
[ "$(jq -c '[.blocks[8:][].zone]' "$TMP/out")" = '["Movable",null,null,"Movable",null]' ] ||
	fail "zones without valid_zones: $(jq -c '[.blocks[].zone]' "$TMP/out")"
jrun status --sysroot "$R/two"
[ "$(jq -c '[.devices[0].blocks[].zone]' "$TMP/out")" = '["Movable",null,null,"Movable",null]' ] ||
	fail "device zones without valid_zones"

# Real runs on plain files (no kernel behind them: partial and failed
# outcomes are documents too), then recover from the journal they leave.
R=$(fresh r1)
rundir r1-two
jrun offline dax0.0 --sysroot "$R/two"
jrun offline dax0.0 --sysroot "$R/two"
jrun online dax1.0 --sysroot "$R/two"
rundir r1-offline
jrun online dax0.0 --sysroot "$R/offline"
rundir r1-zone-none
jrun remove dax0.0 --sysroot "$R/zone-none"
R=$(fresh r2)
rundir r2
jrun remove dax0.0 --sysroot "$R/two"
jrun recover dax0.0 --dry-run --sysroot "$R/two"
jrun recover --dry-run --sysroot "$R/two"
jrun recover --sysroot "$R/two"
jrun recover dax0.0 --sysroot "$R/two"

# One call over every kept document: the count goes to the log.
"$JSON_PY" "$VALIDATE_JSON" "$DOCS"/*.json >"$TMP/vout" 2>&1 ||
	{ cat "$TMP/vout" >&2; fail "documents do not follow the schema"; }
grep -qx "validated $n documents" "$TMP/vout" || fail "$(cat "$TMP/vout"), expected $n"
echo "ok: $(cat "$TMP/vout")"

# Errors before there is a result print an error document (the man page's
# rule): usage, a bad or unknown name, a tree that does not read, the lock
# (on a new tree: the lock is taken before any write, and the tree must read).
errjson 2 -j remove --sysroot "$TREES/two"
errjson 2 -j online dax0.0 dax1.0 --sysroot "$TREES/two"
errjson 2 -j remove ../dax0.0 --sysroot "$TREES/two"
errjson 2 -j remove dax9.0 --sysroot "$TREES/two"
errjson 2 -j --zone sideways online dax0.0 --sysroot "$TREES/two"
errjson 1 -j status --sysroot "$TREES/bad-state"
errjson 1 -j status --blocks --sysroot "$TREES/bad-state"
errjson 1 -j remove dax0.0 --dry-run --sysroot "$TREES/bad-state"
R=$(fresh r3)
: >"$TMP/notadir"
(
	export MEMHOTCTL_RUNDIR="$TMP/notadir/run"
	errjson 1 -j remove dax0.0 --sysroot "$R/two"
)
if command -v flock >/dev/null; then
	hold_lock
	errjson 3 -j --timeout 1 remove dax0.0 --sysroot "$R/two"
	lock_holder_gone
fi

# The validator is not a rubber stamp: each break of the contract fails it.
# broken NAME DOC FILTER: jq FILTER applied to DOC must not validate
broken() {
	jq "$3" "$DOCS/$2" >"$TMP/bad-$1.json" || fail "jq '$3' on $2"
	if "$JSON_PY" "$VALIDATE_JSON" -q "$TMP/bad-$1.json" 2>"$TMP/verr"; then
		fail "a document with $1 ($3) validates"
	fi
	echo "ok: $1 rejected: $(head -n1 "$TMP/verr")"
}
st=001.json	# status, two
bl=002.json	# status --blocks, two
op=$(grep -l '"operation": "remove"' "$DOCS"/*.json | head -n1)
op=${op##*/}
ra=$(grep -l '^\[$' "$DOCS"/*.json | head -n1)
ra=${ra##*/}
[ -n "$op" ] && [ -n "$ra" ] || fail "no remove document or recover array kept"
broken number-as-string $st '.block_size |= tostring'
broken missing-key $st 'del(.devices[0].removable)'
broken extra-key $st '.devices[0].colour = "blue"'
broken no-version $st 'del(.schema_version)'
broken other-version $st '.schema_version = 2'
broken empty-for-null $st '.devices[0].reason = ""'
broken bad-kind $st '.devices[0].kind = "dram"'
broken cxl-on-nvdimm $st '.devices[0].cxl = null'
broken bool-as-string $bl '.blocks[0].removable = "true"'
broken negative-start $bl '.blocks[0].start = -1'
broken bad-state $bl '.blocks[0].state = "on"'
broken bad-outcome "$op" '.outcome = "ok"'
broken fraction "$op" '.blocks[0].attempts = 1.5'
broken block-on-driver-step "$op" '(.steps[] | select(.step == "settle-udev")) += {"block": 1}'
broken exit-code-2 "$op" '.exit_code = 2'
broken not-recover-in-array "$ra" '.[0].operation = "remove"'
# No CXL tree here: a CXL device's two forms, made from the nvdimm one.
for c in null '{"region": "region0", "memdevs": ["mem0", "mem1"]}'; do
	jq ".devices[0] += {\"kind\": \"cxl\", \"cxl\": $c}" "$DOCS/$st" >"$TMP/cxl.json"
	"$JSON_PY" "$VALIDATE_JSON" -q "$TMP/cxl.json" || fail "cxl $c rejected"
	echo "ok: cxl $c accepted"
done
broken cxl-missing $st '.devices[0].kind = "cxl"'

# Keys announced ahead of their emitter validate in either form.
for pj in null '{"op": "remove", "file": "/run/memhotctl/dax0.0.journal"}'; do
	jq ".devices[0].pending_journal = $pj" "$DOCS/$st" >"$TMP/pj.json"
	"$JSON_PY" "$VALIDATE_JSON" -q "$TMP/pj.json" || fail "pending_journal $pj rejected"
	echo "ok: pending_journal $pj accepted"
done
broken pending-journal-extra $st '.devices[0].pending_journal = {"op": "remove", "file": "f", "x": 1}'

head -c 200 "$DOCS/$st" >"$TMP/bad-cut.json"
! "$JSON_PY" "$VALIDATE_JSON" -q "$TMP/bad-cut.json" 2>/dev/null ||
	fail "a document cut short validates"
echo "ok: a document cut short rejected"
exit 0
