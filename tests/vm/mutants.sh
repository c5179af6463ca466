#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guard for the real-kernel suite: build deliberately broken memhotctl
# binaries from a patched COPY of the source tree and show that the suite
# fails on each. On demand only (each mutant costs a build and several
# boots); not part of CI.
#   tests/vm/mutants.sh [-k SERIES] [MUTANT...]
# Prints "killed" (the suite failed, as it must) or "SURVIVED" per mutant and
# exits 1 if any survived or could not be made.
set -uo pipefail
. "$(dirname "$0")/common.sh"
top=$(cd "$VM_DIR/../.." && pwd)

series=6.12
while getopts k: o; do
	case $o in
	k) series=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# name|file|sed expression|suite groups that must catch it
MUTANTS=(
	# offline every block but the last; the check before unbind must stop it
	"skip-last-offline|src/lib/plan.c|s/if (v->blocks\[i\]->state == MH_BLOCK_OFFLINE)/if (v->blocks[i]->state == MH_BLOCK_OFFLINE || i + 1 == v->nr_blocks)/|remove"
	# the same without the final check: kmem is unbound with a block online (leak)
	"no-check-offline|src/lib/plan.c|s/if (v->blocks\[i\]->state == MH_BLOCK_OFFLINE)/if (v->blocks[i]->state == MH_BLOCK_OFFLINE || i + 1 == v->nr_blocks)/;/MH_STEP_CHECK_OFFLINE, 0/s/ret = add_step(p, MH_STEP_CHECK_OFFLINE, 0, MH_ZONE_UNKNOWN, NULL)/ret = 0/|remove"
	# auto_online_blocks never restored after online
	"no-restore-policy|src/lib/plan.c|/MH_STEP_RESTORE_POLICY, 0/s/ret = add_step(p, MH_STEP_RESTORE_POLICY, 0, MH_ZONE_UNKNOWN,/ret = 0; (void)(/|layout"
	# online always into ZONE_NORMAL
	"zone-always-normal|src/lib/plan.c|s/enum mh_zone zone = opts->zone == MH_ZONE_NORMAL ? MH_ZONE_NORMAL : MH_ZONE_MOVABLE;/enum mh_zone zone = MH_ZONE_NORMAL;/|layout"
)

want=("$@")
work=$(mktemp -d "$VM_CACHE/mutants.XXXXXX")
trap 'rm -rf "$work"' EXIT
results=()
bad=0
for m in "${MUTANTS[@]}"; do
	IFS='|' read -r name file expr groups <<<"$m"
	if [ ${#want[@]} -gt 0 ] && [[ " ${want[*]} " != *" $name "* ]]; then
		continue
	fi
	build=$work/$name/build
	if ! why=$(mutant_build "$top" "$work/$name" "$file" "$expr"); then
		results+=("$name: $why")
		bad=1
		continue
	fi
	gargs=()
	for g in $groups; do gargs+=(-g "$g"); done
	if MEMHOTCTL_BIN=$build/memhotctl "$VM_DIR/run-suite.sh" -k "$series" \
		"${gargs[@]}" -o "$work/$name/results" >"$work/$name/suite.log" 2>&1; then
		results+=("$name: SURVIVED ($(tail -n1 "$work/$name/suite.log"))")
		bad=1
	else
		results+=("$name: killed ($(tail -n1 "$work/$name/suite.log"))")
		mapfile -t first < <(grep -h '^not ok' "$work/$name/results/suite.tap" | head -n 3)
		for l in "${first[@]}"; do results+=("    $l"); done
	fi
done
printf '%s\n' "${results[@]}"
exit $bad
