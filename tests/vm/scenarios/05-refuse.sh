#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 5: remove of a devdax-mode device, of an unknown device and of
# names with / or ..: the documented exit code, and nothing changes.
. /run/mh/guest-lib.sh
scenario_start "refusals change nothing"

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 512M) || { echo "Bail out! create-namespace"; exit 1; }
other=$(nd_create_devdax 384M) || { echo "Bail out! create-namespace 2"; exit 1; }
setup_or_bail "other device online" raw_to_kmem "$other" online_movable
w0=$(world)

# devdax mode: "0 done, including nothing to do" or "1 refused as it stands"
mh remove "$dev"
case $MH_RC in
0 | 1) ok "remove of a devdax-mode device exits 0 or 1 (got $MH_RC)" ;;
*) not_ok "remove of a devdax-mode device exits 0 or 1 (got $MH_RC)" ;;
esac
is "$(world)" "$w0" "remove of a devdax-mode device changes nothing"
is "$(dax_driver "$dev")" device_dax "devdax-mode device still device_dax"

mh offline "$dev"
is "$MH_RC" 1 "offline of a devdax-mode device exits 1"
is "$(world)" "$w0" "offline of a devdax-mode device changes nothing"

for name in dax9.9 dax99.0 "dax0.0/.." .. / "../dax0.0" "dax0.0/../dax0.0" \
	"/sys/bus/dax/devices/dax0.0" "dax0.0 " "dax0." "dax-1.0" "" "all"; do
	cmds="remove"
	# every command shares the name check; the others on a few names only
	case "$name" in dax9.9 | .. | "dax0.0/..") cmds="remove offline online" ;; esac
	for cmd in $cmds; do
		mh "$cmd" "$name"
		is "$MH_RC" 2 "$cmd '$name' exits 2"
	done
	is "$(world)" "$w0" "'$name' changed nothing"
done
mh status dax9.9
is "$MH_RC" 2 "status of an unknown device exits 2"
mh remove "$dev" --rebind bogus
is "$MH_RC" 2 "remove --rebind bogus exits 2"
mh online "$dev" --zone dma
is "$MH_RC" 2 "online --zone dma exits 2"
is "$(world)" "$w0" "bad options changed nothing"

# --dry-run changes nothing either
if [ "$(dax_driver "$other")" = kmem ]; then
	mh --dry-run remove "$other"
	is "$MH_RC" 0 "remove --dry-run exits 0"
	is "$(world)" "$w0" "remove --dry-run changes nothing"
fi
done_testing
