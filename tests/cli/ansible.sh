#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Ansible module memhotctl.dax.dax_memory (contrib/ansible) against the
# built memhotctl on sysroot trees (its test-only option sysroot): argument
# handling, check mode (nothing written, the plan's blocks reported, the
# diff), changed only when memhotctl changed blocks, ok when nothing is to
# do, failures carrying memhotctl's exit code, its meaning and the blocks it
# named, and a schema_version key tolerated. Run directly the way Ansible
# runs a module (python3 MODULE ARGS.json), and once via ansible-playbook.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
PY=/usr/bin/python3
MOD=$top_srcdir/contrib/ansible/ansible_collections/memhotctl/dax/plugins/modules/dax_memory.py
"$PY" -c 'import ansible.module_utils.basic' 2>/dev/null ||
	{ echo "ansible-core missing: skip" >&2; exit 77; }

# mod EXPECTED_RC JSON_ARGS [check] [diff]: the module's result in $TMP/out
mod() {
	want=$1 args=$2 cm=false df=false
	[ "${3:-}" != check ] || cm=true
	[ "${4:-}" != diff ] || df=true
	# binary first: a later key of the same name in ARGS wins
	printf '{"ANSIBLE_MODULE_ARGS": {"binary": "%s", %s, "_ansible_check_mode": %s, "_ansible_diff": %s}}\n' \
		"$MEMHOTCTL" "$args" "$cm" "$df" >"$TMP/args.json"
	rc=0
	"$PY" "$MOD" "$TMP/args.json" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = "$want" ] || fail "module {$args} check=$cm exited $rc, expected $want"
	echo "ok: dax_memory {$args} check=$cm -> $(jq -c '{changed, rc, failed}' "$TMP/out")"
}
# jqis FILTER WANT: jq -c FILTER on the result prints WANT
jqis() {
	got=$(jq -c "$1" "$TMP/out")
	[ "$got" = "$2" ] || fail "jq '$1': got $got, want $2"
}
T=$TREES/two
M=$T/sys/devices/system/memory
dev='"device": "dax0.0", "sysroot": "'$T'"'

# argument handling: Ansible's own checks, and the module's
mod 1 '"device": "dax0.0"'
jqis .msg '"missing required arguments: state"'
mod 1 "$dev, \"state\": \"gone\""
jqis '.msg | startswith("value of state must be one of: system_ram, devdax, offline")' true
mod 1 "$dev, \"state\": \"system_ram\", \"zone\": \"dma\""
jqis '.msg | startswith("value of zone must be one of: movable, normal")' true
mod 1 "$dev, \"state\": \"offline\", \"force\": true"
jqis '[.rc, .msg]' '[2,"force applies to state=devdax only (memhotctl remove --force)"]'
mod 1 "$dev, \"state\": \"offline\", \"timeout\": 0"
jqis .rc 2
mod 1 "$dev, \"state\": \"offline\", \"binary\": \"/nonexistent/memhotctl\""
jqis '[.failed, .msg]' '[true,"memhotctl not found or not executable: /nonexistent/memhotctl"]'

# check mode: memhotctl --dry-run; the tree is not written
before=$(tree_sum "$T")
mod 0 "$dev, \"state\": \"offline\"" check diff
jqis '[.changed, .changed_blocks, .rc, .outcome]' '[true,5,0,"done"]'
jqis '.command[-3:]' '["--dry-run","--sysroot","'"$T"'"]'
jqis '.changed_steps[0]' '"offline-block memory35"'
jqis '.diff.before | split("\n")[0:2]' '["driver: kmem","memory34: online Movable"]'
jqis '.diff.after | split("\n")[0:2]' '["driver: kmem","memory34: offline Movable"]'
[ "$(tree_sum "$T")" = "$before" ] || fail "check mode changed the tree"
mod 0 "$dev, \"state\": \"system_ram\", \"zone\": \"movable\"" check
jqis '[.changed, .changed_blocks, .command]' '[false,0,[]]'

# the change: every block offline, changed, after re-read by status
mod 0 "$dev, \"state\": \"offline\", \"timeout\": 30" - diff
jqis '[.changed, .changed_blocks, .rc, .rc_meaning]' '[true,5,0,"done"]'
jqis '.command[1:6]' '["-j","offline","dax0.0","--timeout","30"]'
jqis '[.after.blocks[].state] | unique' '["offline"]'
jqis '[.before.blocks[].state] | unique' '["online"]'
jqis '.diff.after | split("\n")[1]' '"memory34: offline Movable"'
for b in 34 35 36 37 38; do
	[ "$(cat "$M/memory$b/state")" = offline ] || fail "memory$b not offline"
done
[ "$(cat "$M/memory7/state")" = online ] || fail "memory7 was touched"

# the same again: ok, no memhotctl command run, the tree as it was
before=$(tree_sum "$T")
mod 0 "$dev, \"state\": \"offline\""
jqis '[.changed, .changed_blocks, .command, .outcome]' '[false,0,[],"none"]'
[ "$(tree_sum "$T")" = "$before" ] || fail "an ok run changed the tree"

# memhotctl run, nothing changed by it: a block missing (status cannot
# call the device offline), the others offline already: changed is false
# because memhotctl's JSON has no done step, not because of a guess
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/m" >/dev/null
rm -r "$TMP/m/offline/sys/devices/system/memory/memory38"
before=$(tree_sum "$TMP/m/offline")
mod 0 "\"device\": \"dax0.0\", \"sysroot\": \"$TMP/m/offline\", \"state\": \"offline\""
jqis '[.changed, .changed_blocks, .command[2], .rc, .before.missing_blocks]' '[false,0,"offline",0,1]'
[ "$(tree_sum "$TMP/m/offline")" = "$before" ] || fail "the tree changed"
# a remove's plan: only the driver steps change something, no block does
mod 0 "\"device\": \"dax0.0\", \"sysroot\": \"$TMP/m/offline\", \"state\": \"devdax\"" check
jqis '[.changed, .changed_blocks, .changed_steps]' '[true,0,["unbind-kmem kmem","bind-devdax device_dax"]]'

# failures: exit code, meaning, message and the blocks named
Z=$TREES/zone-none
before=$(tree_sum "$Z")
mod 1 "\"device\": \"dax0.0\", \"sysroot\": \"$Z\", \"state\": \"offline\""
jqis '[.failed, .changed, .rc, .failed_blocks, .outcome]' '[true,false,1,[36],"failed"]'
jqis .rc_meaning '"error before any change (nothing changed)"'
jqis '.msg | contains("memory36 of dax0.0 spans zones")' true
[ "$(tree_sum "$Z")" = "$before" ] || fail "a refused run changed the tree"
mod 1 "\"device\": \"dax9.0\", \"sysroot\": \"$T\", \"state\": \"devdax\""
jqis '[.rc, .rc_meaning, .command[2]]' '[2,"usage or bad input (nothing changed)","status"]'
jqis '.msg | contains("no such dax device")' true
# busy: the lock held by another memhotctl, a one-second deadline
if command -v flock >/dev/null; then
	B=$TREES/offline
	hold_lock
	before=$(tree_sum "$B")
	mod 1 "\"device\": \"dax0.0\", \"sysroot\": \"$B\", \"state\": \"system_ram\", \"timeout\": 1"
	lock_holder_gone
	jqis '[.rc, .changed, .failed_blocks]' '[3,false,[]]'
	jqis '.rc_meaning | startswith("busy")' true
	jqis '.msg | contains("another memhotctl holds")' true
	[ "$(tree_sum "$B")" = "$before" ] || fail "a busy run changed the tree"
fi

# a "schema_version" key in memhotctl's JSON is tolerated
cat >"$TMP/mh-schema" <<EOF
#!/bin/sh
out=\$("$MEMHOTCTL" "\$@"); rc=\$?
printf '%s\n' "\$out" | jq -c '. + {schema_version: 1}'
exit \$rc
EOF
chmod +x "$TMP/mh-schema"
sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/s" >/dev/null
printf '{"ANSIBLE_MODULE_ARGS": {"device": "dax0.0", "sysroot": "%s", "state": "offline", "binary": "%s"}}\n' \
	"$TMP/s/two" "$TMP/mh-schema" >"$TMP/args.json"
"$PY" "$MOD" "$TMP/args.json" >"$TMP/out" 2>"$TMP/err" || fail "with schema_version"
jqis '[.changed, .changed_blocks, .result.schema_version]' '[true,5,1]'
echo "ok: schema_version tolerated"

# through ansible-playbook, as a collection: the same result
if command -v ansible-playbook >/dev/null; then
	sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/p" >/dev/null
	cat >"$TMP/play.yml" <<EOF
- hosts: localhost
  gather_facts: false
  tasks:
    - memhotctl.dax.dax_memory:
        device: dax0.0
        state: offline
        binary: $MEMHOTCTL
        sysroot: $TMP/p/two
EOF
	HOME=$TMP ANSIBLE_LOCAL_TEMP=$TMP/al ANSIBLE_REMOTE_TEMP=$TMP/ar \
	ANSIBLE_COLLECTIONS_PATH=$top_srcdir/contrib/ansible ANSIBLE_STDOUT_CALLBACK=oneline \
	ANSIBLE_PYTHON_INTERPRETER=$PY ANSIBLE_NOCOLOR=1 \
		ansible-playbook -c local -i localhost, "$TMP/play.yml" >"$TMP/play.out" 2>&1 ||
		{ cat "$TMP/play.out" >&2; fail "ansible-playbook failed"; }
	sed -n 's/^localhost | [A-Z!]* => //p' "$TMP/play.out" >"$TMP/out"
	jqis '[.changed, .changed_blocks]' '[true,5]'
	[ "$(cat "$TMP/p/two/sys/devices/system/memory/memory36/state")" = offline ] ||
		fail "ansible-playbook: memory36 not offline"
	echo "ok: ansible-playbook -c local ran the collection's module"

	# the rollout playbook: one host at a time, stopping at the first
	# failure. h1's device is devdax already (ok), h2's remove fails on a
	# tree whose blocks are offline (no driver files to unbind: exit 3,
	# busy, nothing to put back), h3 is never touched.
	sh "$top_srcdir/tests/cli/mktree.sh" "$TMP/r" >/dev/null
	cp -r "$TMP/r/two" "$TMP/r/two3"
	before=$(tree_sum "$TMP/r/two3")
	cat >"$TMP/hosts" <<EOF
[pool]
h1 dax_device=dax1.0 dax_sysroot=$TMP/r/two
h2 dax_device=dax0.0 dax_sysroot=$TMP/r/offline
h3 dax_device=dax0.0 dax_sysroot=$TMP/r/two3
[pool:vars]
ansible_connection=local
ansible_python_interpreter=$PY
dax_memhotctl=$MEMHOTCTL
dax_timeout=5
EOF
	rc=0
	HOME=$TMP ANSIBLE_LOCAL_TEMP=$TMP/al ANSIBLE_REMOTE_TEMP=$TMP/ar ANSIBLE_NOCOLOR=1 \
	ANSIBLE_COLLECTIONS_PATH=$top_srcdir/contrib/ansible \
		ansible-playbook -i "$TMP/hosts" -e dax_hosts=pool -e ansible_become=false \
		"$top_srcdir/contrib/ansible/playbooks/remove-memory.yml" >"$TMP/play.out" 2>&1 || rc=$?
	[ $rc = 2 ] || { cat "$TMP/play.out" >&2; fail "rollout playbook exited $rc, expected 2"; }
	grep -q '"msg": "h1: dax1.0: already devdax (outcome none, exit 0, 0 blocks changed, driver device_dax)"' \
		"$TMP/play.out" || { cat "$TMP/play.out" >&2; fail "h1's result not shown"; }
	grep -q '^fatal: \[h2\]: FAILED! .*failed with exit 3 (busy' "$TMP/play.out" ||
		{ cat "$TMP/play.out" >&2; fail "h2's failure not shown with exit 3"; }
	! grep -q 'h3' "$TMP/play.out" || { cat "$TMP/play.out" >&2; fail "the rollout went on to h3"; }
	[ "$(tree_sum "$TMP/r/two3")" = "$before" ] || fail "h3's tree changed"
	echo "ok: remove-memory.yml: h1 ok, h2 failed with exit 3, h3 untouched"
fi
exit 0
