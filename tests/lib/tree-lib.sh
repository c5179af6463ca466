# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# Helpers for fake sysfs/procfs trees, sourced by tests/cli/mktree.sh and
# tests/sysroot/mktree.sh so that each only describes its own trees.
# Links (bus -> device, driver, memoryN/nodeX) look like a real machine's,
# dangling ones included. Block size is 128 MiB (0x8000000): block N
# starts at N * 0x8000000.

# shellcheck disable=SC2034 # used by the scripts that source this
BS=134217728

# Set to 1 after sourcing for an "online" attribute (1/0) beside each
# block's state; the CLI trees have none and must stay as they are. Not
# taken from the environment, so a stray export cannot change a tree.
TREE_ONLINE_ATTR=0

# block_attrs ROOT ID STATE VALID_ZONES NODE: the attributes of an existing
# memoryID dir; NODE "" for no node link. Builtins but the one ln.
block_attrs() {
	d=$1/sys/devices/system/memory/memory$2
	printf '%s\n' "$3" >"$d/state"
	if [ "$TREE_ONLINE_ATTR" = 1 ]; then
		if [ "$3" = online ]; then echo 1 >"$d/online"; else echo 0 >"$d/online"; fi
	fi
	printf '%08x\n' "$2" >"$d/phys_index"
	printf '%s\n' "$4" >"$d/valid_zones"
	echo 1 >"$d/removable"
	[ -z "$5" ] || ln -s "../../node/node$5" "$d/node$5"	# dangles, as in captured trees
}

# block ROOT ID STATE VALID_ZONES NODE
block() {
	mkdir -p "$1/sys/devices/system/memory/memory$2"
	block_attrs "$@"
}

# blocks ROOT FIRST LAST STATE VALID_ZONES NODE: the dirs in one mkdir, so a
# device of thousands of blocks (NODE "": no links) takes no fork per block
blocks() {
	(cd "$1/sys/devices/system/memory" &&
		seq -f "memory%.0f" "$2" "$3" | xargs -r mkdir -p)
	i=$2
	while [ "$i" -le "$3" ]; do
		block_attrs "$1" "$i" "$4" "$5" "$6"
		i=$((i + 1))
	done
}

# memory_base ROOT POLICY ZONES: memory dir, system blocks 0-7 of node 0
# (block 0 spans zones, 1-7 in ZONES) and an empty proc dir; meminfo and
# iomem are left to the caller, whose trees differ there.
memory_base() {
	m=$1/sys/devices/system/memory
	mkdir -p "$m" "$1/proc"
	printf '8000000\n' >"$m/block_size_bytes"
	printf '%s\n' "$2" >"$m/auto_online_blocks"
	block "$1" 0 online none 0
	blocks "$1" 1 7 online "$3" 0
}

# dax_bus ROOT: the dax bus with its two drivers, no devices
dax_bus() {
	mkdir -p "$1/sys/bus/dax/devices" "$1/sys/bus/dax/drivers/kmem" \
		"$1/sys/bus/dax/drivers/device_dax"
}

# dax ROOT NAME DRIVER DEVPATH SIZE TARGET_NODE START:END...
# DEVPATH is where the device lives under sys/devices; the bus entry is a
# link to it, as on a real machine. DRIVER "" means no driver link. The
# dax bus is made here too, for trees whose base has none.
dax() {
	root=$1 name=$2 drv=$3 dpath=$4 size=$5 tnode=$6
	shift 6
	dax_bus "$root"
	d=$root/sys/devices/$dpath/$name
	mkdir -p "$d"
	ln -s "../../../devices/$dpath/$name" "$root/sys/bus/dax/devices/$name"
	[ -z "$drv" ] || ln -s "../../../../../../bus/dax/drivers/$drv" "$d/driver"
	echo "$size" >"$d/size"
	echo "$tnode" >"$d/target_node"
	echo 0 >"$d/numa_node"
	n=0
	for r in "$@"; do
		mkdir -p "$d/mapping$n"
		printf '0x%x\n' "${r%%:*}" >"$d/mapping$n/start"
		printf '0x%x\n' "${r##*:}" >"$d/mapping$n/end"
		echo 0 >"$d/mapping$n/page_offset"
		n=$((n + 1))
	done
	printf '0x%x\n' "${1%%:*}" >"$d/resource"
}
