#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ansible-test sanity on the memhotctl.dax collection, offline, with the
# linters Debian ships (pylint, pycodestyle, yamllint, python3-voluptuous).
# ansible-test makes one virtualenv per sanity test and pip-installs its
# pinned requirements there, which needs the network. Without it, each such
# venv is made here instead, with --system-site-packages and no pip, and
# marked as complete, so the test runs with Debian's packages. Tests that
# need docker or the network are skipped by ansible-test itself (it says so).
#   contrib/ansible/sanity.sh [ansible-test sanity options...]
# Output: ansible-test's, then one line "sanity: N passed, M failed, K skipped".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
coll=$here/ansible_collections/memhotctl/dax
command -v ansible-test >/dev/null || { echo "sanity: ansible-test missing (apt-get install ansible-core)" >&2; exit 77; }
# ansible-test wants its own tree: a copy, so a source tree that is not a
# git checkout (or has files of other work in it) is tested as shipped.
work=$(mktemp -d "${TMPDIR:-/tmp}/memhotctl-sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ansible_collections/memhotctl"
cp -r "$coll" "$work/ansible_collections/memhotctl/dax"
rm -rf "$work/ansible_collections/memhotctl/dax/tests/output"
export HOME=${MEMHOTCTL_SANITY_HOME:-$work/home}
# Debian's python, where ansible-core and the linters are (not a pyenv's)
export PATH=/usr/bin:/bin:$PATH
mkdir -p "$HOME"
cd "$work/ansible_collections/memhotctl/dax" || exit 1
yaml_c=$(/usr/bin/python3 -c 'import yaml; print("true" if hasattr(yaml, "CLoader") else "false")')
# --prime-venvs makes the venvs only; each round stops at the first one
# whose pip is missing, which is made here, until none is
for _ in $(seq 1 30); do
	ansible-test sanity --python 3.11 --local --color no --prime-venvs "$@" >"$work/out" 2>&1
	venv=$(sed -n 's/^FATAL: Python [0-9.]* at "\(.*\)\/bin\/python" does not have pip available\./\1/p' "$work/out")
	[ -n "$venv" ] || break
	rm -rf "$venv"
	/usr/bin/python3 -m venv --system-site-packages --without-pip "$venv" || exit 1
	echo '[]' >"$venv/meta.install.json"
	echo "$yaml_c" >"$venv/meta.yaml.json"
	touch "$venv/marker.txt"
done
ansible-test sanity --python 3.11 --local --color no "$@" >"$work/out" 2>&1
rc=$?
grep -v '^Downloading pip\|^Download failed\|bootstrap script\|proxy\|issues/77304\|^$' "$work/out"
passed=$(grep -c '^Running sanity test' "$work/out")
failed=$(grep -c '^ERROR: The [0-9]* sanity test' "$work/out")
[ "$failed" = 0 ] || failed=$(grep -o '^ERROR: The [0-9]* sanity test' "$work/out" | grep -o '[0-9]*')
skipped=$(grep -c '^WARNING: Skipping sanity test' "$work/out")
echo "sanity: $((passed - failed)) passed, $failed failed, $skipped skipped"
exit $rc
