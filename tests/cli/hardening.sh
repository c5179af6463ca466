#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The built memhotctl is hardened (configure's default, or dpkg-buildflags'
# hardening=+all): PIE, full RELRO (GNU_RELRO + BIND_NOW), the stack
# protector and _FORTIFY_SOURCE, read from the ELF file itself.
# What is expected: config.h's MH_HARDEN_EXPECT (what configure found in
# effect: less with --disable-hardening, -O0, ASan, -fno-stack-protector...);
# a binary named by MEMHOTCTL (a package's) must have all of it.
set -eu

if [ -n "${MEMHOTCTL:-}" ]; then
	bin=$MEMHOTCTL expect="ssp fortify pie pie-ld relro now"
else
	bin=$PWD/memhotctl
	expect=$(sed -n 's/^#define MH_HARDEN_EXPECT "\(.*\)"$/\1/p' config.h)
fi
[ -x "$bin" ] || { echo "memhotctl not built at $bin" >&2; exit 99; }
command -v readelf >/dev/null || { echo "readelf missing: skip"; exit 77; }
[ -n "$expect" ] || { echo "no hardening configured: skip"; exit 77; }
echo "# expected: $expect"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhotctl-hardening.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C readelf -W -h "$bin" >"$tmp/h"
LC_ALL=C readelf -W -d "$bin" >"$tmp/d"
LC_ALL=C readelf -W -l "$bin" >"$tmp/l"
LC_ALL=C readelf -W --dyn-syms "$bin" >"$tmp/s"

n=0 bad=0
# check FEATURE WHAT COMMAND...: when FEATURE is expected, COMMAND must pass
check() {
	n=$((n + 1))
	case " $expect " in
	*" $1 "*) ;;
	*) echo "ok $n - $2 # SKIP not configured"; return 0 ;;
	esac
	what=$2
	shift 2
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		bad=$((bad + 1))
	fi
}
echo "1..6"
check pie-ld "PIE: ELF type DYN" grep -Eq '^ *Type: +DYN' "$tmp/h"
check pie-ld "PIE: DF_1_PIE in FLAGS_1" grep -Eq '\(FLAGS_1\) .*Flags:.* PIE' "$tmp/d"
check now "BIND_NOW (DF_BIND_NOW or DF_1_NOW)" \
	grep -Eq '\(BIND_NOW\)|\(FLAGS\) .*BIND_NOW|\(FLAGS_1\) .*Flags:.* NOW' "$tmp/d"
check relro "RELRO: a GNU_RELRO segment" grep -Eq '^ *GNU_RELRO ' "$tmp/l"
check ssp "stack protector: __stack_chk_fail imported" \
	grep -Eq ' UND __stack_chk_fail(@|$)' "$tmp/s"
check fortify "_FORTIFY_SOURCE: fortified __*_chk functions imported" \
	grep -Eq ' UND __[a-z0-9_]+_chk(@|$)' "$tmp/s"
echo "# fortified: $(grep -Eo ' UND __[a-z0-9_]+_chk(@|$)' "$tmp/s" |
	sed 's/ UND //; s/@$//' | sort -u | tr '\n' ' ')"
[ $bad = 0 ]
