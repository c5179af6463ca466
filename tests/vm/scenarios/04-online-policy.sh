#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 4: online from devdax under auto_online_blocks = offline,
# online, online_kernel: every block in the zone asked, the policy restored.
. /run/mh/guest-lib.sh
scenario_start "online from devdax under each auto_online_blocks"

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 768M) || { echo "Bail out! create-namespace"; exit 1; }
orig=$(policy)
before=$(memtotal_kb)

for pol in offline online online_kernel online_movable; do
	set_policy "$pol" 2>/dev/null || { skip "policy $pol not accepted by this kernel"; continue; }
	o=$(others "$dev")
	mh online "$dev"
	is "$MH_RC" 0 "policy $pol: online exits 0"
	check "policy $pol: every block online, valid_zones Movable" all_blocks "$dev" online Movable
	diag "policy $pol: $(blocks_summary "$dev")"
	is "$(policy)" "$pol" "policy $pol: auto_online_blocks restored"
	is "$(dax_driver "$dev")" kmem "policy $pol: driver kmem"
	is "$(others "$dev")" "$o" "policy $pol: no other block changed"
	# back to devdax without the tool under test
	setup_or_bail "back to devdax" raw_to_devdax "$dev"
	is "$(memtotal_kb)" "$before" "policy $pol: MemTotal back after raw devdax"
done

# --zone normal under the policy that would pick Movable otherwise; last,
# since Normal blocks may not go offline again.
set_policy online_movable 2>/dev/null || set_policy online
pol=$(policy)
mh online "$dev" --zone normal
is "$MH_RC" 0 "policy $pol: online --zone normal exits 0"
check "policy $pol: every block online, valid_zones Normal" all_blocks "$dev" online Normal
diag "policy $pol, --zone normal: $(blocks_summary "$dev")"
is "$(policy)" "$pol" "policy $pol: auto_online_blocks restored after --zone normal"
set_policy "$orig"
done_testing
