#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --dry-run prints the plan (golden), its JSON has done:false steps, and
# nothing changes; refused operations exit 1 and change nothing either.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
T=$TREES/two
sum_two=$(tree_sum "$T")
sum_off=$(tree_sum "$TREES/offline")
sum_zn=$(tree_sum "$TREES/zone-none")

run 0 remove dax0.0 --dry-run --sysroot "$T"
same_as dryrun-remove-two.txt
run 0 --dry-run --sysroot "$T" remove dax0.0 --rebind none
same_as dryrun-remove-none-two.txt
run 0 offline dax0.0 --dry-run --sysroot "$T"
same_as dryrun-offline-two.txt
run 0 online dax0.0 --dry-run --sysroot "$TREES/offline"
same_as dryrun-online-offline.txt
run 0 online dax1.0 --zone normal --dry-run --sysroot "$T"
same_as dryrun-online-normal-two.txt

steps='load-kmem set-policy unbind bind-kmem online-block offline-block check-offline
unbind-kmem verify-released bind-devdax restore-policy settle-udev'
run 0 -j remove dax0.0 --dry-run --sysroot "$T"
jqt '.device == "dax0.0" and .operation == "remove" and .dry_run == true'
jqt '.outcome == "done" and .exit_code == 0 and .rolled_back == false'
jqt '[.steps[].done] | all(. == false)'
jqt '[.steps[] | select(.step == "offline-block") | .block] == [35, 36, 37, 38, 34]'
jqt '[.steps[].step] | index("check-offline") < index("unbind-kmem")'
jqt '.driver == "kmem" and ([.blocks[].state] | all(. == "online"))'
for s in $(jq -r '.steps[].step' "$TMP/out"); do
	echo "$steps" | grep -qw -- "$s" || fail "unknown step name $s"
done
# Human and JSON plans list the same steps.
jq -r '.steps[].step' "$TMP/out" >"$TMP/json-steps"
run 0 remove dax0.0 --dry-run --sysroot "$T"
sed -n 's/^ *[0-9]*\. \([a-z-]*\).*/\1/p' "$TMP/out" | diff "$TMP/json-steps" - >&2 ||
	fail "human and JSON plans differ"

run 0 -j online dax0.0 --dry-run --sysroot "$TREES/offline"
jqt '[.steps[] | select(.step == "online-block") | .zone] | all(. == "movable")'

# Refused as the system stands: exit 1, a reason, nothing changed.
run 1 offline dax0.0 --dry-run --sysroot "$TREES/zone-none"
err_has "memory36"
run 1 remove dax0.0 --sysroot "$TREES/zone-none"
run 1 -j remove dax0.0 --dry-run --sysroot "$TREES/zone-none"
jqt '.outcome == "failed" and .exit_code == 1 and (.message | test("memory36"))'
run 1 offline dax1.0 --dry-run --sysroot "$T"
err_has "dax1.0"
run 1 remove dax0.0 --dry-run --sysroot "$TREES/bad-state"
err_has "memory35/state"

# recover with no journal: nothing to do.
run 0 recover --dry-run --sysroot "$T"
out_has "nothing to recover"
run 0 -j recover --dry-run --sysroot "$T"
jqt '. == []'
run 0 -j recover dax0.0 --dry-run --sysroot "$T"
jqt '.message == "nothing to recover" and .dry_run == true'

[ "$(tree_sum "$T")" = "$sum_two" ] || fail "dry runs changed the tree"
[ "$(tree_sum "$TREES/offline")" = "$sum_off" ] || fail "dry runs changed 'offline'"
[ "$(tree_sum "$TREES/zone-none")" = "$sum_zn" ] || fail "a refusal changed 'zone-none'"
echo "trees unchanged"
exit 0
