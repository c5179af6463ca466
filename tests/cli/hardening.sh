#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The built memhotctl is hardened (configure's default, or dpkg-buildflags'
# hardening=+all): PIE, full RELRO (GNU_RELRO + BIND_NOW), the stack
# protector and _FORTIFY_SOURCE, read from the ELF file itself.
# Skips for an ASan build (no _FORTIFY_SOURCE there) and --disable-hardening.
set -eu

bin=${MEMHOTCTL:-$PWD/memhotctl}
[ -x "$bin" ] || { echo "memhotctl not built at $bin" >&2; exit 99; }
command -v readelf >/dev/null || { echo "readelf missing: skip"; exit 77; }
if [ -f config.h ] && ! grep -q '^#define MH_HARDENING 1' config.h; then
	echo "configured with --disable-hardening: skip"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhotctl-hardening.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C readelf -W -h "$bin" >"$tmp/h"
LC_ALL=C readelf -W -d "$bin" >"$tmp/d"
LC_ALL=C readelf -W -l "$bin" >"$tmp/l"
LC_ALL=C readelf -W --dyn-syms "$bin" >"$tmp/s"
if grep -q ' __asan_init' "$tmp/s"; then
	echo "AddressSanitizer build (no _FORTIFY_SOURCE with ASan): skip"
	exit 77
fi

n=0 bad=0
check() {	# check WHAT: result of the command after it
	n=$((n + 1))
	what=$1
	shift
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		bad=$((bad + 1))
	fi
}
echo "1..6"
check "PIE: ELF type DYN" grep -Eq '^ *Type: +DYN' "$tmp/h"
check "PIE: DF_1_PIE in FLAGS_1" grep -Eq '\(FLAGS_1\) .*Flags:.* PIE' "$tmp/d"
check "BIND_NOW (DF_BIND_NOW or DF_1_NOW)" \
	grep -Eq '\(BIND_NOW\)|\(FLAGS\) .*BIND_NOW|\(FLAGS_1\) .*Flags:.* NOW' "$tmp/d"
check "RELRO: a GNU_RELRO segment" grep -Eq '^ *GNU_RELRO ' "$tmp/l"
check "stack protector: __stack_chk_fail imported" \
	grep -Eq ' UND __stack_chk_fail(@|$)' "$tmp/s"
check "_FORTIFY_SOURCE: fortified __*_chk functions imported" \
	grep -Eq ' UND __[a-z0-9_]+_chk(@|$)' "$tmp/s"
echo "# fortified: $(grep -Eo ' UND __[a-z0-9_]+_chk(@|$)' "$tmp/s" |
	sed 's/ UND //; s/@$//' | sort -u | tr '\n' ' ')"
[ $bad = 0 ]
