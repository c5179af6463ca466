#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot a kernel, make an NVDIMM devdax device system RAM, and store the
# guest's sysfs memory blocks, dax bus and device trees (with /proc/iomem as
# proc/iomem) as a sysroot tarball for the sysroot tests.
#   capture-sysfs.sh [-k SERIES] [-p PROFILE] [-s SIZE] [-m HOW] [NAME]
# HOW: online_movable (default) | online_kernel | offline. NAME defaults to
# nvdimm-kmem-movable-SERIES; the result is tests/vm/captures/NAME.tar.xz.
set -euo pipefail
. "$(dirname "$0")/common.sh"

series=6.12 profile=nvdimm size=768M how=online_movable
while getopts k:p:s:m: o; do
	case $o in
	k) series=$OPTARG ;;
	p) profile=$OPTARG ;;
	s) size=$OPTARG ;;
	m) how=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
short=${how#online_}
name=${1:-$profile-kmem-$short-$series}
out=$(mktemp -d "$VM_CACHE/capture.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$VM_DIR/boot.sh" -k "$series" -p "$profile" -o "$out" \
	"$VM_DIR/capture-guest.sh:$size,$how" || vm_die "boot failed: see $out"
grep -q '^ok 1' "$out/capture-guest.tap" ||
	{ cat "$out/capture-guest.tap" "$out/capture-guest.err" >&2; vm_die "capture failed"; }
mkdir -p "$VM_DIR/captures"
cp "$out/capture.tar.xz" "$VM_DIR/captures/$name.tar.xz"
vm_log "wrote captures/$name.tar.xz ($(stat -c %s "$VM_DIR/captures/$name.tar.xz") bytes)"
