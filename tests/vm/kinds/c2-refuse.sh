#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Common, any kind: a devdax-mode device, unknown devices and bad names are
# refused with the documented exit code and change nothing; --dry-run
# changes nothing. Arg: kind.
[ -n "${KIND_LIB_LOADED:-}" ] || . "${MH_GUEST_KIND_LIB:-/run/mh/kind-lib.sh}"
KIND=${1:-$(kind_default)}
scenario_start "$KIND: refusals change nothing"
kind_start "$KIND"
w0=$(world)

mh remove "$DEV"
case $MH_RC in
0 | 1) ok "remove of a devdax-mode device exits 0 or 1 (got $MH_RC)" ;;
*) not_ok "remove of a devdax-mode device exits 0 or 1 (got $MH_RC)" ;;
esac
mh offline "$DEV"
is "$MH_RC" 1 "offline of a devdax-mode device exits 1"
is "$(world)" "$w0" "devdax-mode device: nothing changed"
is "$(dax_driver "$DEV")" device_dax "devdax-mode device still device_dax"

# Name checking is kind-independent (the main suite covers every form); here
# a few, against this kind's device.
for name in dax9.9 "../$DEV" "$DEV/.."; do
	mh remove "$name"
	is "$MH_RC" 2 "remove '$name' exits 2"
done
mh status dax9.9
is "$MH_RC" 2 "status dax9.9 exits 2"
is "$(world)" "$w0" "bad names changed nothing"

setup_or_bail "kmem online" raw_to_kmem "$DEV" online_movable
w1=$(world)
mh --dry-run remove "$DEV"
is "$MH_RC" 0 "remove --dry-run exits 0"
is "$(world)" "$w1" "--dry-run changed nothing"
done_testing
