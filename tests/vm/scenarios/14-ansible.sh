#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 19: the Ansible module memhotctl.dax.dax_memory, run by Debian's
# ansible-core (the host's, seen over 9p) with ansible-playbook -c local.
# Judged from sysfs and /proc/iomem: check mode writes nothing; system_ram
# onlines every block Movable (changed); the same again is ok and no
# memhotctl it ran opened a sysfs file for writing (strace); devdax releases
# the range; offline of Normal blocks holding page tables fails with
# memhotctl's exit 3 and names a block. Leaves Normal blocks when the
# cleanup cannot offline them: last in its boot.
# One playbook for all of it (each ansible-playbook costs about a minute in
# a TCG guest): raw tasks between the module's record the kernel's state
# (this script called as "snap PHASE DEV"), the TAP is judged afterwards.
. /run/mh/guest-lib.sh
AP=/tmp/ap

# ---- called by the playbook's raw tasks ----------------------------------------
snap() {	# PHASE DEV: the state before PHASE; memhotctl runs after it are PHASE's
	local dev=$2 f=$AP/snap.$1
	echo "$1" >"$AP/phase"
	world >"$f.world"
	{
		echo "driver $(dax_driver "$dev")"
		echo "kmem $(kmem_ram_count "$dev")"
		all_blocks "$dev" online Movable && echo movable
		all_blocks "$dev" online Normal && echo normal
		all_gone "$dev" && echo gone
		echo "summary $(blocks_summary "$dev")"
	} >"$f.facts"
	dmesg >"$f.dmesg"
}
busy_setup() {	# DEV: Normal blocks with page tables of a process bound to them
	local dev=$1 nd
	raw_to_kmem "$dev" online_kernel || return 1
	nd=$(dax_target_node "$dev")
	plant_page_tables "$nd" "$AP"
	echo "$PT_PID" >"$AP/pt.pid"
	echo "PageTables $(awk '$3 == "PageTables:" {print $4, $5}' "/sys/devices/system/node/node$nd/meminfo")" >"$AP/pt.info"
}
case ${1:-} in
snap) snap "$2" "$3"; exit 0 ;;
busy) snap removed "$2"; busy_setup "$2"; snap busy "$2"; exit 0 ;;
esac

# ---- the scenario ------------------------------------------------------------------
scenario_start "ansible module dax_memory"
if ! command -v ansible-playbook >/dev/null || [ ! -d /run/mh/ansible ]; then
	echo "1..0 # SKIP no ansible-playbook on the host or collection not staged"
	exit 0
fi
rm -rf "$AP"
mkdir -p "$AP/home"
export HOME=$AP/home ANSIBLE_LOCAL_TEMP=$AP/local ANSIBLE_REMOTE_TEMP=$AP/remote \
	ANSIBLE_COLLECTIONS_PATH=/run/mh/ansible ANSIBLE_STDOUT_CALLBACK=oneline \
	ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_NOCOLOR=1 \
	PYTHONDONTWRITEBYTECODE=1

setup_or_bail "namespaces" nd_reset
dev=$(nd_create_devdax 768M) || { echo "Bail out! create-namespace"; exit 1; }
n=$(nblocks "$dev")
diag "$dev: $n blocks, driver $(dax_driver "$dev")"

# The module's memhotctl: the one under test under strace, one trace per
# run, named by the playbook's phase.
cat >"$AP/memhotctl" <<EOF
#!/bin/bash
exec strace -f -qq -y --seccomp-bpf -e trace=openat,openat2 \\
	-o "$AP/strace.\$(cat "$AP/phase").\$\$" "$MEMHOTCTL" "\$@"
EOF
chmod +x "$AP/memhotctl"
me=/run/mh/scenarios/14-ansible.sh
task() {	# NAME ARGS...: a dax_memory task
	echo "    - name: $1"
	shift
	echo "      memhotctl.dax.dax_memory:"
	echo "        binary: $AP/memhotctl"
	echo "        device: $dev"
	for a; do echo "        ${a%%=*}: ${a#*=}"; done
}
raw() { echo "    - ansible.builtin.raw: bash $me $*"; }
{
	echo "- hosts: localhost"
	echo "  gather_facts: false"
	echo "  tasks:"
	raw snap check "$dev"
	task "check mode" state=system_ram zone=movable
	echo "      check_mode: true"
	echo "      diff: true"
	raw snap sysram "$dev"
	task "system_ram" state=system_ram zone=movable
	raw snap again "$dev"
	task "system_ram again" state=system_ram zone=movable
	raw snap devdax "$dev"
	task "devdax" state=devdax
	raw busy "$dev"
	task "busy" state=offline timeout=5
	echo "      ignore_errors: true"
	raw snap end "$dev"
} >"$AP/play.yml"
t0=$SECONDS
timeout -k 5 270 ansible-playbook -c local -i "localhost," "$AP/play.yml" >"$AP/out" 2>"$AP/err"
rc=$?
echo "# ansible-playbook: 5 dax_memory tasks, 6 raw ones -> exit $rc ($((SECONDS - t0)) s)"
kill "$(cat "$AP/pt.pid" 2>/dev/null)" 2>/dev/null
is "$rc" 0 "ansible-playbook exits 0 (the busy task's failure ignored)"
mapfile -t R < <(sed -n 's/^localhost | [A-Z!]* => //p' "$AP/out")
mapfile -t RS < <(sed -n 's/^localhost | \([A-Z!]*\) => .*/\1/p' "$AP/out")
is "${#R[@]}" 5 "five dax_memory results"
[ "${#R[@]}" = 5 ] || diag "$(tail -n 20 "$AP/out" "$AP/err" | cut -c1-400)"
r() { jq -r "$2" <<<"${R[$1]}" 2>/dev/null; }
fact() { grep -qx "$2" "$AP/snap.$1.facts"; }
factv() { sed -n "s/^$2 //p" "$AP/snap.$1.facts"; }
writes() {	# PHASE: sysfs files memhotctl opened for writing in that phase
	cat "$AP"/strace."$1".* 2>/dev/null |
		grep -E 'openat2?\(.*sys/(devices|bus)/[^)]*O_(WRONLY|RDWR)'
}
for p in sysram again devdax busy end; do
	[ -f "$AP/snap.$p.facts" ] || { not_ok "the playbook reached phase $p"; done_testing; exit 1; }
done

# check mode: memhotctl --dry-run, nothing written
is "$(r 0 .changed)" true "check mode: reports changed (would online)"
is "$(r 0 .changed_blocks)" "$n" "check mode: $n blocks would change"
is "$(r 0 '.command | index("--dry-run") != null')" true "check mode: memhotctl ran with --dry-run"
is "$(cat "$AP/snap.sysram.world")" "$(cat "$AP/snap.check.world")" \
	"check mode: nothing changed (blocks, drivers, policy, iomem)"
is "$(writes check)" "" "check mode: no sysfs file opened for writing"

# system_ram: every block online Movable, changed, the writes seen by strace
is "$(r 1 .changed)" true "system_ram: changed"
is "$(r 1 .changed_blocks)" "$n" "system_ram: $n blocks changed"
check "system_ram: every block online Movable" fact again movable
is "$(factv again driver)" kmem "system_ram: driver kmem"
is "$(factv again kmem)" 1 "system_ram: System RAM (kmem) in /proc/iomem"
check "system_ram: strace saw the block state writes" \
	grep -Eq "memory[0-9]+/state" <<<"$(writes sysram)"

# the same again: ok, no sysfs write, nothing changed
is "$(r 2 .changed)" false "system_ram again: ok (changed false)"
is "$(writes again)" "" "system_ram again: no sysfs file opened for writing"
is "$(cat "$AP/snap.devdax.world")" "$(cat "$AP/snap.again.world")" "system_ram again: nothing changed"

# devdax: memhotctl remove, the range released
is "$(r 3 .changed)" true "devdax: changed"
is "$(r 3 .rc)" 0 "devdax: rc 0"
is "$(factv removed driver)" device_dax "devdax: driver device_dax"
is "$(factv removed kmem)" 0 "devdax: no System RAM (kmem) over the range in /proc/iomem"
check "devdax: memory block dirs gone" fact removed gone
if tail -n "+$(($(wc -l <"$AP/snap.devdax.dmesg") + 1))" "$AP/snap.removed.dmesg" |
	grep -qiE "$DMESG_BAD"; then
	not_ok "devdax: no hot-remove failure in dmesg"
else
	ok "devdax: no hot-remove failure in dmesg"
fi

# busy: offline of Normal blocks holding page tables: memhotctl's exit 3,
# a block of the device named, everything rolled back
diag "busy setup: $(cat "$AP/pt.info" 2>/dev/null); $(factv busy summary)"
diag "busy: $(r 4 .msg)"
check "busy setup: every block online Normal, page tables placed" \
	eval 'fact busy normal && test -e "$AP/pt.ready"'
is "${RS[4]:-}" 'FAILED!' "busy: the task failed"
if [ "$(r 4 .rc)" = 1 ]; then
	# issue 18: the page tables were predicted, refused before any write
	check "busy: refused before any change, page tables named ($(r 4 .msg | head -c 200))" \
		eval 'r 4 .msg | grep -q "page-table page"'
else
	is "$(r 4 .rc)" 3 "busy: rc is memhotctl's exit code 3 (or 1 when predicted)"
	is "$(r 4 .rc_meaning | cut -d: -f1)" busy "busy: rc_meaning says busy"
	diag "busy: memhotctl's blocks: $(r 4 '[.result.blocks[] | "\(.block):\(.state):\(.attempts):\(.error)"] | join(" ")')"
	named=$(r 4 '.failed_blocks | map(tostring) | join(" ")')
	in_dev=0
	for b in $named; do dax_blocks "$dev" | grep -qx "$b" && in_dev=1; done
	check "busy: names a block of $dev (failed_blocks: ${named:-none})" test $in_dev = 1
	is "$named" "$(r 4 '[.result.blocks[] | select((.error // "") != "") | .block | tostring] | join(" ")')" \
		"busy: failed_blocks are the blocks memhotctl's JSON gives an error"
fi
check "busy: rolled back, every block online Normal" fact end normal
is "$(cat "$AP/snap.end.world")" "$(cat "$AP/snap.busy.world")" "busy: nothing changed"
# clean up without the tool under test; a failure leaves Normal blocks
sleep 1
raw_to_devdax "$dev" >/dev/null 2>&1 || diag "cleanup: $(blocks_summary "$dev")"
done_testing
