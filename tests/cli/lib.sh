# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the CLI tests: paths, a scratch dir, trees and assertions.
# Run from the top build directory (make check); srcdir is the top srcdir.
set -eu

: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
top_srcdir=$srcdir
MEMHOTCTL=${MEMHOTCTL:-$PWD/memhotctl}
[ -x "$MEMHOTCTL" ] || { echo "memhotctl not built at $MEMHOTCTL" >&2; exit 99; }
command -v jq >/dev/null || { echo "jq missing: skip" >&2; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memhotctl-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export MEMHOTCTL_RUNDIR="$TMP/run"
mkdir -p "$MEMHOTCTL_RUNDIR"
TREES=$TMP/trees
sh "$top_srcdir/tests/cli/mktree.sh" "$TREES"
GOLDEN=$top_srcdir/tests/cli/golden

fail() {
	echo "FAIL: $*" >&2
	[ ! -s "$TMP/out" ] || { echo "--- stdout" >&2; cat "$TMP/out" >&2; }
	[ ! -s "$TMP/err" ] || { echo "--- stderr" >&2; cat "$TMP/err" >&2; }
	exit 1
}

# The JSON contract: what -j prints is checked against man/memhotctl.schema.json
# when a python3 with jsonschema is there (schema.sh insists on one).
JSON_PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema' 2>/dev/null; then
		JSON_PY=$p
		break
	fi
done
VALIDATE_JSON="$top_srcdir/tests/lib/validate-json.py"

# is_json ARGS...: true when memhotctl ARGS asks for JSON (-j, --json, -vj...)
is_json() {
	for a; do
		case $a in
		--json | -j* | -[!-]*j*) return 0 ;;
		--) return 1 ;;
		esac
	done
	return 1
}

# validate_out ARGS...: $TMP/out, printed by memhotctl ARGS, follows the schema
validate_out() {
	[ -n "$JSON_PY" ] && [ -s "$TMP/out" ] || return 0
	"$JSON_PY" "$VALIDATE_JSON" -q "$TMP/out" 2>"$TMP/verr" || {
		cat "$TMP/verr" >&2
		fail "JSON of memhotctl $* does not follow the schema"
	}
	echo "ok: JSON of memhotctl $* follows the schema"
}

# run EXPECTED_RC ARGS...: memhotctl ARGS, stdout in $TMP/out, stderr in $TMP/err
run() {
	want=$1
	shift
	rc=0
	"$MEMHOTCTL" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = "$want" ] || fail "memhotctl $* exited $rc, expected $want"
	echo "ok: memhotctl $* -> $rc"
	! is_json "$@" || validate_out "$@"
}

# A checksum of a tree's file contents, names and link targets.
tree_sum() {
	(cd "$1" && find . -type f -exec md5sum {} + | sort &&
		find . -type l -printf '%p -> %l\n' | sort) | md5sum
}

# same_as GOLDEN_NAME: $TMP/out, with the tree path replaced by @ROOT@, matches it
same_as() {
	sed "s|$TREES/[^/ ]*|@ROOT@|g" "$TMP/out" >"$TMP/out.norm"
	diff -u "$GOLDEN/$1" "$TMP/out.norm" >&2 || fail "output differs from golden/$1"
}

err_has() {
	grep -qF -- "$1" "$TMP/err" || fail "stderr lacks '$1'"
}

out_has() {
	grep -qF -- "$1" "$TMP/out" || fail "stdout lacks '$1'"
}

# jqt FILTER: the filter must print true on $TMP/out
jqt() {
	[ "$(jq -r "$1" "$TMP/out")" = true ] || fail "jq '$1' is not true"
}

# hold_lock: another holder of the run directory's lock, for 10 s at most,
# taken before this returns; lock_holder_gone ends it. Sets $holder.
hold_lock() {
	flock -x "$MEMHOTCTL_RUNDIR/lock" sleep 10 &
	holder=$!
	i=0
	while flock -n "$MEMHOTCTL_RUNDIR/lock" true; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "the holder never took the lock"
		sleep 0.05
	done
}

lock_holder_gone() {
	kill "$holder" 2>/dev/null || :	# gone already if the run outwaited it
	wait "$holder" 2>/dev/null || :
}
