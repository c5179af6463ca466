#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 19: the Ansible module memhotctl.dax.dax_memory, run by Debian's
# ansible-core (the host's, seen over 9p) with ansible-playbook -c local.
# Judged from sysfs and /proc/iomem: check mode writes nothing; system_ram
# onlines every block Movable (changed); the same again is ok and opens no
# sysfs file for writing (strace); devdax releases the range; offline of
# Normal blocks holding page tables fails with memhotctl's exit 3 and names
# a block. Leaves Normal blocks when the cleanup cannot offline them: last.
. /run/mh/guest-lib.sh
scenario_start "ansible module dax_memory"
if ! command -v ansible-playbook >/dev/null || [ ! -d /run/mh/ansible ]; then
	echo "1..0 # SKIP no ansible-playbook on the host or collection not staged"
	exit 0
fi
export HOME=/tmp/ansible-home ANSIBLE_LOCAL_TEMP=/tmp/ansible-local \
	ANSIBLE_REMOTE_TEMP=/tmp/ansible-remote \
	ANSIBLE_COLLECTIONS_PATH=/run/mh/ansible ANSIBLE_STDOUT_CALLBACK=oneline \
	ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_NOCOLOR=1 \
	PYTHONDONTWRITEBYTECODE=1
mkdir -p "$HOME"

# ap [--check] [--strace] KEY=VALUE...: one dax_memory task; sets AP_RC,
# AP_JSON (the task's result) and AP_WRITES (sysfs files opened for
# writing, with --strace)
ap() {
	local opts=() st=0 a
	while [ $# -gt 0 ]; do
		case $1 in
		--check) opts+=(--check --diff); shift ;;
		--strace) st=1; shift ;;
		*) break ;;
		esac
	done
	{
		echo "- hosts: localhost"
		echo "  gather_facts: false"
		echo "  tasks:"
		echo "    - memhotctl.dax.dax_memory:"
		echo "        binary: $MEMHOTCTL"
		for a; do echo "        ${a%%=*}: ${a#*=}"; done
	} >/tmp/ap.yml
	local t0=$SECONDS run=(timeout -k 5 600 ansible-playbook -c local -i "localhost," "${opts[@]}" /tmp/ap.yml)
	if [ $st = 1 ]; then
		# -y: memhotctl opens relative to a directory fd (openat2 under
		# its root), so the fd's path is what names the file
		strace -f -qq -y --seccomp-bpf -e trace=openat,openat2 -o /tmp/ap.strace "${run[@]}" >/tmp/ap.out 2>/tmp/ap.err
	else
		"${run[@]}" >/tmp/ap.out 2>/tmp/ap.err
	fi
	AP_RC=$?
	AP_JSON=$(sed -n 's/^localhost | [A-Z!]* => //p' /tmp/ap.out | tail -n 1)
	AP_WRITES=$([ $st = 0 ] || grep -E 'openat2?\(.*sys/(devices|bus)/[^)]*O_(WRONLY|RDWR)' /tmp/ap.strace)
	echo "# ansible-playbook ${opts[*]} dax_memory $* -> exit $AP_RC ($((SECONDS - t0)) s)"
	[ -n "$AP_JSON" ] || diag "no result: $(tail -n 5 /tmp/ap.out /tmp/ap.err)"
}
apj() { jq -r "$1" <<<"$AP_JSON" 2>/dev/null; }

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 768M) || { echo "Bail out! create-namespace"; exit 1; }
n=$(nblocks "$dev")
diag "$dev: $n blocks, driver $(dax_driver "$dev")"

# check mode: memhotctl --dry-run, nothing written
w0=$(world)
ap --check device="$dev" state=system_ram zone=movable
is "$AP_RC" 0 "check mode: ansible-playbook exits 0"
is "$(apj .changed)" true "check mode: reports changed (would online)"
is "$(apj .changed_blocks)" "$n" "check mode: $n blocks would change"
is "$(world)" "$w0" "check mode: nothing changed (blocks, drivers, policy, iomem)"
is "$(dax_driver "$dev")" device_dax "check mode: still device_dax"

# system_ram: every block online Movable, changed; the writes seen by strace
# (so the idempotence check below can fail)
ap --strace device="$dev" state=system_ram zone=movable
is "$AP_RC" 0 "system_ram: exits 0"
is "$(apj .changed)" true "system_ram: changed"
is "$(apj .changed_blocks)" "$n" "system_ram: $n blocks changed"
check "system_ram: every block online Movable" all_blocks "$dev" online Movable
is "$(dax_driver "$dev")" kmem "system_ram: driver kmem"
is "$(kmem_ram_count "$dev")" 1 "system_ram: System RAM (kmem) in /proc/iomem"
check "system_ram: strace saw the block state writes" \
	grep -Eq "memory[0-9]+/state" <<<"$AP_WRITES"

# the same again: ok, not one sysfs file opened for writing
w1=$(world)
ap --strace device="$dev" state=system_ram zone=movable
is "$AP_RC" 0 "system_ram again: exits 0"
is "$(apj .changed)" false "system_ram again: ok (changed false)"
is "$AP_WRITES" "" "system_ram again: no sysfs file opened for writing"
is "$(world)" "$w1" "system_ram again: nothing changed"

# devdax: memhotctl remove, the range released
dmesg_mark
ap device="$dev" state=devdax
is "$AP_RC" 0 "devdax: exits 0"
is "$(apj .changed)" true "devdax: changed"
is "$(dax_driver "$dev")" device_dax "devdax: driver device_dax"
is "$(kmem_ram_count "$dev")" 0 "devdax: no System RAM (kmem) over the range in /proc/iomem"
check "devdax: memory block dirs gone" all_gone "$dev"
check "devdax: no hot-remove failure in dmesg" dmesg_clean

# busy: Normal blocks on the device's node (node 1 has no other memory), a
# process bound to it whose page tables (unmovable) land in those blocks.
setup_or_bail "kmem online_kernel" raw_to_kmem "$dev" online_kernel
nd=$(dax_target_node "$dev")
rm -f /tmp/pt.ready
numactl --membind="$nd" python3 -c '
import mmap, time
maps = []
for _ in range(8):	# 8 x 512 page-table pages, 16 MiB
    m = mmap.mmap(-1, 512 << 21, mmap.MAP_PRIVATE)
    m.madvise(mmap.MADV_NOHUGEPAGE)
    for off in range(0, len(m), 2 << 20):
        m[off]
    maps.append(m)
open("/tmp/pt.ready", "w").close()
time.sleep(900)
' 2>/tmp/pt.err &
ptpid=$!
for _ in $(seq 1 240); do
	[ -e /tmp/pt.ready ] || ! kill -0 $ptpid 2>/dev/null && break
	sleep 0.5
done
diag "node $nd PageTables: $(awk '$3 == "PageTables:" {print $4, $5}' "/sys/devices/system/node/node$nd/meminfo"); $(blocks_summary "$dev")"
check "busy setup: page-table process ready" test -e /tmp/pt.ready
w2=$(world)
ap device="$dev" state=offline timeout=15
diag "$(apj .msg)"
check "busy: ansible-playbook fails" test "$AP_RC" -ne 0
is "$(apj .failed)" true "busy: the task failed"
is "$(apj .rc)" 3 "busy: rc is memhotctl's exit code 3"
is "$(apj .rc_meaning | cut -d: -f1)" busy "busy: rc_meaning says busy"
named=$(apj '.failed_blocks | map(tostring) | join(" ")')
in_dev=0
for b in $named; do dax_blocks "$dev" | grep -qx "$b" && in_dev=1; done
check "busy: names a block of $dev (failed_blocks: ${named:-none})" test $in_dev = 1
check "busy: rolled back, every block online Normal" all_blocks "$dev" online Normal
is "$(world)" "$w2" "busy: nothing changed"
kill $ptpid 2>/dev/null
wait $ptpid 2>/dev/null
# clean up without the tool under test; a failure leaves Normal blocks
raw_to_devdax "$dev" >/dev/null 2>&1 || diag "cleanup: $(blocks_summary "$dev")"
done_testing
