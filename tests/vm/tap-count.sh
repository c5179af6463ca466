#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Count one script's TAP: prints "PASS FAIL SKIP". A script that bailed out,
# printed no plan, or exited non-zero without a failing point counts one
# failure more, so a crash is never a pass.
#   tap-count.sh FILE.tap [EXIT_STATUS]
tap=$1 rc=${2:-0}
awk -v rc="$rc" '
	/^ok / && /# [Ss][Kk][Ii][Pp]/ { s++; next }
	/^ok / { p++; next }
	/^not ok / && /# TODO/ { p++; next }
	/^not ok / { f++; next }
	/^1\.\.0 *# *[Ss][Kk][Ii][Pp]/ { s++; plan = 1; next }
	/^1\.\.[0-9]+/ { plan = 1; n = substr($1, 4) + 0; next }
	/^Bail out!/ { bail = 1 }
	END {
		if (bail || !plan || (rc != 0 && f == 0) || (plan && n && n != p + f + s))
			f++
		printf "%d %d %d\n", p, f, s
	}' "$tap" 2>/dev/null || echo "0 1 0"
