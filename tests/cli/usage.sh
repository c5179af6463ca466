#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Usage errors exit 2; options work before and after the command.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
T=$TREES/two

run 0 --help
out_has "Usage: memhotctl"
run 0 remove --help
out_has "--rebind"
run 0 --version
out_has "memhotctl "
run 2
err_has "Usage: memhotctl"
run 2 frobnicate
err_has "'frobnicate' is not a command"
run 2 --bogus status --sysroot "$T"
err_has "memhotctl: unknown option '--bogus'"
run 2 status --sysroot "$T" --bogus
run 2 status -x --sysroot "$T"
run 2 status --sysroot
err_has "needs an argument"
run 2 remove dax0.0 --timeout abc --sysroot "$T"
run 2 remove dax0.0 --timeout 0 --sysroot "$T"
run 2 remove dax0.0 --timeout -1 --sysroot "$T"
run 2 status --dry-run --sysroot "$T"
err_has "--dry-run does not apply to status"
run 2 remove dax0.0 --zone normal --sysroot "$T" --dry-run
run 2 online dax0.0 --rebind none --sysroot "$T" --dry-run
run 2 online dax0.0 --zone sideways --sysroot "$T" --dry-run
run 2 remove dax0.0 --rebind kmem --sysroot "$T" --dry-run
run 2 remove --sysroot "$T" --dry-run
run 2 remove dax0.0 dax1.0 --sysroot "$T" --dry-run
run 2 recover dax0.0 dax1.0 --sysroot "$T" --dry-run
run 2 status --blocks dax0.0 --sysroot "$T"

# Options before and after the command give the same result.
run 0 -j --sysroot "$T" status
cp "$TMP/out" "$TMP/before"
run 0 status --sysroot "$T" -j
cmp "$TMP/before" "$TMP/out" || fail "options after the command differ"
run 0 --sysroot="$T" status --json
cmp "$TMP/before" "$TMP/out" || fail "--opt=value form differs"

# Hidden lists for bash completion.
run 0 --list-cmds
printf 'status\nonline\noffline\nremove\nrecover\napply\n' | diff - "$TMP/out" >&2 ||
	fail "--list-cmds"
run 0 --list-opts
for o in --json --verbose --quiet --timeout --sysroot --dry-run --blocks --zone \
	--rebind --force --config --help --version; do
	grep -qx -- "$o" "$TMP/out" || fail "--list-opts lacks $o"
done
grep -q -- '--list' "$TMP/out" && fail "--list-opts lists hidden options"
run 0 --list-opts status
out_has "--blocks"
grep -qx -- '--zone' "$TMP/out" && fail "--list-opts status lists --zone"
run 0 --list-opts online
grep -qx -- '--zone' "$TMP/out" || fail "--list-opts online lacks --zone"
exit 0
