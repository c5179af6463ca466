#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build tests/vm/faults/module against Debian's linux-headers for the kernels
# the VM harness boots. Host-only; needs root when the headers are missing.
#
#   build-module.sh [SERIES|KVER ...]     SERIES: 6.1 (linux-image-amd64),
#                                         6.12 (linux-image-6.12-amd64)
# Default: both series. Prints one line per kernel: "KVER PATH-TO-KO".
# Output is cached outside the source tree, keyed by kver and a hash of the
# sources: ${MEMHOTCTL_VM_CACHE:-/var/cache/memhotctl-vm}/<kver>/memhot_fault.ko
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$here/module
cache=${MEMHOTCTL_VM_CACHE:-/var/cache/memhotctl-vm}

die() { echo "build-module.sh: $*" >&2; exit 1; }

# The ABI number in the package name moves; ask the meta package, as the
# harness does.
kver_of_series() {
	local meta pkg
	case $1 in
	6.1) meta=linux-image-amd64 ;;
	6.12) meta=linux-image-6.12-amd64 ;;
	*) die "unknown series $1" ;;
	esac
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
	      sed -n 's/^ *Depends: linux-image-\([0-9].*\)$/\1/p' | head -n1)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(apt-cache depends "$meta" 2>/dev/null |
		      sed -n 's/^ *Depends: linux-image-\([0-9].*\)$/\1/p' | head -n1)
	fi
	[ -n "$pkg" ] || die "cannot resolve $meta"
	echo "$pkg"
}

build_one() {
	local kver=$1 kdir=/usr/src/linux-headers-$1 out sum work
	if [ ! -e "$kdir/Makefile" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			"linux-headers-$kver" >/dev/null ||
			die "cannot install linux-headers-$kver"
	fi
	out=$cache/$kver
	sum=$(cat "$src/memhot_fault.c" "$src/Kbuild" | sha256sum | cut -c1-16)
	if [ -f "$out/memhot_fault.ko" ] && [ "$(cat "$out/src.sum" 2>/dev/null)" = "$sum" ]; then
		echo "$kver $out/memhot_fault.ko"
		return 0
	fi
	mkdir -p "$out"
	# Kbuild writes next to the sources: build in a scratch copy.
	work=$(mktemp -d "${TMPDIR:-/tmp}/memhot_fault.XXXXXX")
	cp "$src/memhot_fault.c" "$src/Kbuild" "$work/"
	if ! make -s -C "$kdir" M="$work" modules >"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		rm -rf "$work"
		die "build failed for $kver"
	fi
	cp "$work/memhot_fault.ko" "$out/memhot_fault.ko"
	echo "$sum" >"$out/src.sum"
	rm -rf "$work"
	echo "$kver $out/memhot_fault.ko"
}

[ $# -gt 0 ] || set -- 6.1 6.12
for arg; do
	case $arg in
	6.1|6.12) build_one "$(kver_of_series "$arg")" ;;
	*) build_one "$arg" ;;
	esac
done
