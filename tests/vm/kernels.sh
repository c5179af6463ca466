#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch Debian kernels and build a busybox initramfs for each, cached by kernel
# version outside the source tree. Prints "SERIES KVER DIR" per kernel; DIR
# holds vmlinuz, initrd.img and lib/modules/KVER (what the guest mounts).
#   kernels.sh [6.1|6.12|all]...
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Everything any profile may load; missing ones are skipped (not every
# series builds every driver as a module).
# overlay: a writable /etc over the host's for the systemd guests (boot.sh -i).
MODULES="virtio_pci 9pnet_virtio 9p nfit nd_pmem dax_pmem kmem device_dax
	nd_e820 dax_hmem cxl_acpi cxl_pci cxl_mem cxl_pmem cxl_port overlay"

# Copy the dependency closure of the wanted modules, decompressed.
copy_modules() {
	local src=$1 kver=$2 dst=$3 m line path rel
	mkdir -p "$dst/lib/modules/$kver"
	for m in $MODULES; do
		modprobe -C /dev/null -d "$src" -S "$kver" --show-depends "$m" 2>/dev/null || true
	done | while read -r line; do
		case "$line" in insmod\ *) ;; *) continue ;; esac
		path=${line#insmod }
		path=${path%% *}
		rel=${path#"$src/lib/modules/$kver/"}
		rel=${rel#"$src/usr/lib/modules/$kver/"}
		mkdir -p "$dst/lib/modules/$kver/$(dirname "$rel")"
		case "$rel" in
		*.xz) xz -dc "$path" >"$dst/lib/modules/$kver/${rel%.xz}" ;;
		*.zst) zstd -qdc "$path" >"$dst/lib/modules/$kver/${rel%.zst}" ;;
		*) cp "$path" "$dst/lib/modules/$kver/$rel" ;;
		esac
	done
	cp "$src/lib/modules/$kver/"modules.{builtin,builtin.modinfo,order} \
		"$dst/lib/modules/$kver/" 2>/dev/null || true
	depmod -b "$dst" "$kver"
}

build_initramfs() {
	local dir=$1 kver=$2 root
	root=$(mktemp -d "$dir/initramfs.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc,sys,newroot,lib}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp -a "$dir/lib/modules" "$root/lib/"
	install -m 0755 "$VM_DIR/initramfs-init" "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
		gzip -1 >"$dir/initrd.img.new"
	mv "$dir/initrd.img.new" "$dir/initrd.img"
	rm -rf "$root"
}

prepare() {
	local series=$1 pkg kver ver dir tmp deb
	pkg=$(vm_image_package "$series")
	kver=${pkg#linux-image-}
	ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
	dir=$VM_CACHE/$kver
	# The stamp names the package version and the init script's checksum:
	# a new upload or a changed init rebuilds, anything else is reused.
	stamp="$ver $(sha1sum <"$VM_DIR/initramfs-init" | cut -c1-12) $(echo "$MODULES" | sha1sum | cut -c1-12)"
	if [ -f "$dir/ready" ] && [ "$(cat "$dir/ready")" = "$stamp" ]; then
		echo "$series $kver $dir"
		return
	fi
	vm_log "preparing $pkg $ver in $dir"
	mkdir -p "$dir"
	rm -rf "$dir/ready" "$dir"/tmp.* "$dir"/initramfs.*
	tmp=$(mktemp -d "$dir/tmp.XXXXXX")
	(cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>"$tmp/apt.log") ||
		{ cat "$tmp/apt.log" >&2; vm_die "apt-get download $pkg failed"; }
	deb=$(ls "$tmp"/*.deb)
	dpkg-deb -x "$deb" "$tmp/x"
	# merged-/usr packages put modules under usr/lib
	if [ ! -d "$tmp/x/lib/modules/$kver" ] && [ -d "$tmp/x/usr/lib/modules/$kver" ]; then
		mkdir -p "$tmp/x/lib"
		ln -s ../usr/lib/modules "$tmp/x/lib/modules"
	fi
	depmod -b "$tmp/x" "$kver"
	rm -rf "${dir:?}/lib"
	copy_modules "$tmp/x" "$kver" "$dir"
	cp "$tmp/x/boot/vmlinuz-$kver" "$dir/vmlinuz"
	cp "$tmp/x/boot/config-$kver" "$dir/config" 2>/dev/null || true
	rm -rf "$tmp"
	build_initramfs "$dir" "$kver"
	echo "$stamp" >"$dir/ready"
	echo "$series $kver $dir"
}

[ $# -gt 0 ] || set -- all
mkdir -p "$VM_CACHE"
# One preparer at a time; kmod in the guest needs the mount point to exist.
exec 9>"$VM_CACHE/lock"
flock 9
mkdir -p /usr/lib/modules 2>/dev/null || true
for s in "$@"; do
	if [ "$s" = all ]; then
		for t in $VM_SERIES_ALL; do prepare "$t"; done
	else
		prepare "$s"
	fi
done
