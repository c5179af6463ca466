#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 8: two devices (two namespaces); removing one leaves the
# other's blocks untouched.
. /run/mh/guest-lib.sh
scenario_start "two devices"

setup_or_bail "namespaces" nd_reset
a=$(nd_create_devdax 384M) || { echo "Bail out! create-namespace 1"; exit 1; }
b=$(nd_create_devdax 384M) || { echo "Bail out! create-namespace 2"; exit 1; }
diag "$a: $(dax_blocks "$a" | tr '\n' ' ')  $b: $(dax_blocks "$b" | tr '\n' ' ')"
before=$(memtotal_kb)
setup_or_bail "$a kmem" raw_to_kmem "$a" online_movable
setup_or_bail "$b kmem" raw_to_kmem "$b" online_movable
with_b=$(( before + $(nblocks "$b") * $(block_size) / 1024 ))
bstate=$(blocks_summary "$b")

dmesg_mark
mh remove "$a"
is "$MH_RC" 0 "remove $a exits 0"
is "$(dax_driver "$a")" device_dax "$a: driver device_dax"
check "$a: block dirs gone" all_gone "$a"
is "$(kmem_ram_count "$a")" 0 "$a: no System RAM (kmem) left"
is "$(blocks_summary "$b")" "$bstate" "$b: every block untouched"
is "$(dax_driver "$b")" kmem "$b: still kmem"
is "$(kmem_ram_count "$b")" 1 "$b: System RAM (kmem) still there"
is "$(memtotal_kb)" "$with_b" "MemTotal = before + $b's blocks"
check "no hot-remove failure in dmesg" dmesg_clean

# offline of one leaves the other alone too
raw_to_kmem "$a" online_movable
astate=$(blocks_summary "$a")
mh offline "$b"
is "$MH_RC" 0 "offline $b exits 0"
check "$b: every block offline" all_blocks "$b" offline
is "$(blocks_summary "$a")" "$astate" "$a: untouched by offline $b"

dmesg_mark
mh remove "$b"
is "$MH_RC" 0 "remove $b (offline) exits 0"
mh remove "$a"
is "$MH_RC" 0 "remove $a again exits 0"
removed "$a" "$before" "both removed ($a)"
removed "$b" "$before" "both removed ($b)"
done_testing
