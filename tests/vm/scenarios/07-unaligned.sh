#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 3, case 7: devices whose ranges are not block-aligned: only whole
# blocks are touched; a device with no whole block is refused, unchanged.
. /run/mh/guest-lib.sh
scenario_start "ranges not aligned to memory blocks"

setup_or_bail "namespaces" nd_reset
bs=$(block_size)
# 304 MiB (a multiple of the region's 16 MiB alignment, not of 128 MiB)
dev=$(nd_create_devdax 304M) || { echo "Bail out! create-namespace 304M"; exit 1; }
read -r s e < <(dax_ranges "$dev")
diag "$dev: mapping $(printf '%#x-%#x' "$s" "$e"), whole blocks $(dax_blocks "$dev" | tr '\n' ' ')"
if [ $((s % bs)) -ne 0 ] || [ $(((e + 1) % bs)) -ne 0 ]; then
	ok "setup: range is not block-aligned"
else
	not_ok "setup: range is not block-aligned"
fi
before=$(memtotal_kb)
o=$(others "$dev")

mh online "$dev"
is "$MH_RC" 0 "online exits 0"
check "online: every whole block online Movable" all_blocks "$dev" online Movable
is "$(others "$dev")" "$o" "online: no block outside the whole blocks changed"
first=$(dax_blocks "$dev" | head -n1)
last=$(dax_blocks "$dev" | tail -n1)
ks=$((first * bs)) ke=$(((last + 1) * bs - 1))
is "$(iomem_count $ks $ke 'System RAM (kmem)')" 1 "online: System RAM (kmem) present"
# kmem's resource is exactly the whole blocks
span=$(awk '/System RAM \(kmem\)/ {print $1}' /proc/iomem | head -n1)
is "$span" "$(printf '%x-%x' $ks $ke)" "online: System RAM (kmem) spans exactly the whole blocks"
is "$(( $(memtotal_kb) - before ))" "$(( $(nblocks "$dev") * bs / 1024 ))" \
	"online: MemTotal grew by the whole blocks exactly"

dmesg_mark
mh remove "$dev"
is "$MH_RC" 0 "remove exits 0"
removed "$dev" "$before" "remove"
is "$(others "$dev")" "$o" "remove: no other block changed"

# A device with no whole block: 128 MiB less the metadata never covers one.
setup_or_bail "namespaces" nd_reset
small=$(nd_create_devdax 128M) || { echo "Bail out! create-namespace 128M"; exit 1; }
diag "$small: $(dax_ranges "$small"), whole blocks: '$(dax_blocks "$small" | tr '\n' ' ')'"
if [ -z "$(dax_blocks "$small")" ]; then
	w0=$(world)
	for cmd in online remove offline; do
		mh "$cmd" "$small"
		case $MH_RC in
		0 | 1) ok "$cmd of a device with no whole block exits 0 or 1 (got $MH_RC)" ;;
		*) not_ok "$cmd of a device with no whole block exits 0 or 1 (got $MH_RC)" ;;
		esac
		is "$(world)" "$w0" "$cmd of a device with no whole block changes nothing"
	done
	mh online "$small"
	is "$MH_RC" 1 "online of a device with no whole block is refused (exit 1)"
else
	skip "128M namespace unexpectedly covers a whole block"
fi
done_testing
