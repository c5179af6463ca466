#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Common, any kind: online from devdax under each auto_online_blocks policy:
# every block Movable, the policy restored, no other block changed. Arg: kind.
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
KIND=${1:-$(kind_default)}
scenario_start "$KIND: online under each auto_online_blocks"
kind_start "$KIND"
orig=$(policy)
before=$(memtotal_kb)
for pol in offline online online_kernel online_movable; do
	set_policy "$pol" 2>/dev/null || { skip "policy $pol not accepted by this kernel"; continue; }
	o=$(others "$DEV")
	mh online "$DEV"
	is "$MH_RC" 0 "policy $pol: online exits 0"
	check "policy $pol: every block online Movable" all_blocks "$DEV" online Movable
	is "$(policy)" "$pol" "policy $pol: auto_online_blocks restored"
	is "$(others "$DEV")" "$o" "policy $pol: no other block changed"
	set_policy offline
	setup_or_bail "back to devdax" raw_to_devdax "$DEV"
	is "$(memtotal_kb)" "$before" "policy $pol: MemTotal back after raw devdax"
done
set_policy "$orig"
done_testing
