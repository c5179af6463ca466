#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# B1, host side: boot each Debian kernel with bench/b1-profile.conf through
# the project's harness (tests/vm/boot.sh), run bench/vm-b1.sh in it, and
# write the markdown summary to OUT.md. One VM at a time.
#
#   MEMHOTCTL=PATH b1-host.sh OUT.md
# Environment: B1_SERIES ("6.1 6.12"), B1_ROUNDS (5), B1_WORK (raw outputs,
# default /var/tmp/memhotctl-b1: console logs, strace files), B1_UDEVD (0; 1:
# systemd-udevd runs in the guest, see b1-profile.conf).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
md=${1:?usage: b1-host.sh OUT.md}
boot=$here/../tests/vm/boot.sh
work=${B1_WORK:-/var/tmp/memhotctl-b1}
series=${B1_SERIES:-6.1 6.12}
rounds=${B1_ROUNDS:-5}
bin=${MEMHOTCTL:-$PWD/memhotctl}

if [ ! -x "$boot" ]; then
	echo "b1: no harness at $boot" >&2
	printf '## B1 — hot-remove on a real kernel\n\nNot run: no tests/vm/boot.sh.\n' >"$md"
	exit 1
fi
[ -x "$bin" ] || { echo "b1: no memhotctl binary ($bin)" >&2; exit 1; }
command -v strace >/dev/null || apt-get install -y strace >/dev/null

rc=0
dirs=()
for s in $series; do
	o=$work/$s
	rm -rf "$o"
	mkdir -p "$o"
	echo "b1: booting $s (rounds $rounds); log in $o" >&2
	MEMHOTCTL_BIN=$bin bash "$boot" -k "$s" -p "$here/b1-profile.conf" \
		-o "$o" "$here/vm-b1.sh:$rounds" 2>"$o/boot.err" || rc=1
	dirs+=("$s=$o")
done
python3 "$here/b1-report.py" "$md" "${dirs[@]}" || rc=1
exit $rc
