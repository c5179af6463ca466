#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# After a boot: check every JSON document its guest kept (DIR/json/*.json,
# see mh_keep_json in guest-lib.sh) against man/memhotctl.schema.json.
#   json-check.sh LABEL DIR...
# Prints one TAP line without a number ("ok - LABEL: N JSON documents follow
# the schema", or "not ok - ..." followed by the validator's complaints as
# "# " lines, or "ok # SKIP ..." when the boot kept none or no python3 with
# jsonschema is there). Exit 0 pass, 1 fail, 77 skip.
label=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
py=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema' 2>/dev/null; then
		py=$p
		break
	fi
done
docs=()
for d; do
	for f in "$d"/json/*.json; do
		[ -f "$f" ] && docs+=("$f")
	done
done
if [ ${#docs[@]} = 0 ]; then
	echo "ok # SKIP $label: no JSON documents kept"
	exit 77
fi
if [ -z "$py" ]; then
	echo "ok # SKIP $label: ${#docs[@]} JSON documents not validated (python3-jsonschema missing)"
	exit 77
fi
if res=$("$py" "$top/tests/lib/validate-json.py" "${docs[@]}" 2>&1); then
	echo "ok - $label: ${#docs[@]} JSON documents follow the schema"
	exit 0
fi
echo "not ok - $label: JSON documents that do not follow the schema"
sed 's/^/# /' <<<"$res" | head -n 40
exit 1
