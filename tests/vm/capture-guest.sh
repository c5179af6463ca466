#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side of capture-sysfs.sh: put a devdax namespace in system-ram mode
# (blocks online movable, without the tool under test), then copy the sysfs
# and procfs files memhotctl reads into a sysroot tree (plain files keeping
# their modes, links as links) and tar it to out/capture.tar.xz.
#   capture-guest.sh [SIZE] [online_movable|online_kernel|offline]
. /run/mh/guest-lib.sh
size=${1:-768M} how=${2:-online_movable}
root=/tmp/capture
echo "# capture: namespace $size, blocks $how"
SECONDS=0

nd_reset || { echo "Bail out! reset"; exit 1; }
dev=$(nd_create_devdax "$size") || { echo "Bail out! create-namespace"; exit 1; }
raw_to_kmem "$dev" "$how" || { echo "Bail out! kmem"; exit 1; }
echo "# $dev: $(blocks_summary "$dev")"

# copy_tree DIR: one cp (forks are slow under TCG); sysfs attributes without
# a show method (bind, unbind, new_id) fail to read and are made empty files
# of their mode; power/ directories are noise.
copy_tree() {
	local src=$1 p
	timeout 120 cp -a --parents "$src" "$root/" 2>/dev/null
	find "$src" -type f -perm 200 2>/dev/null | while IFS= read -r p; do
		: >"$root$p"
		chmod 200 "$root$p"
	done
	find "$root$src" -depth -type d -name power -exec rm -rf {} + 2>/dev/null
}

rm -rf "$root"
mkdir -p "$root/proc"
copy_tree /sys/devices/system/memory
for n in /sys/devices/system/node/node* /sys/devices/system/node/*online \
	/sys/devices/system/node/possible /sys/devices/system/node/has_*; do
	[ -e "$n" ] && copy_tree "$n"
done
copy_tree /sys/bus/dax
copy_tree /sys/module/memory_hotplug/parameters
# the device trees behind each dax device, from its top platform device down
for d in /sys/bus/dax/devices/*; do
	real=$(realpath "$d")
	top=$(echo "$real" | cut -d/ -f1-5)
	copy_tree "$top"
done
cat /proc/iomem >"$root/proc/iomem"
cat /proc/meminfo >"$root/proc/meminfo"
{
	echo "kernel $(uname -r)"
	echo "profile ${MH_PROFILE:-?}"
	echo "device $dev namespace $size blocks $how"
	echo "auto_online_blocks $(policy)"
	echo "made by tests/vm/capture-sysfs.sh"
} >"$root/CAPTURE-INFO"
tar -C "$root" -cJf /run/mh/out/capture.tar.xz . || { echo "Bail out! tar"; exit 1; }
echo "# $(find "$root" | wc -l) entries, $(stat -c %s /run/mh/out/capture.tar.xz) bytes"
echo "# took ${SECONDS}s"
echo "ok 1 - captured"
echo "1..1"
