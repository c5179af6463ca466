# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Host-side settings shared by the real-kernel harness (sourced, not run).

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Kernels and initramfs live outside the source tree, keyed by kernel version.
VM_CACHE=${MEMHOTCTL_VM_CACHE:-/var/cache/memhotctl-vm}
# Series tested by default, and the Debian meta package naming each one.
VM_SERIES_ALL="6.1 6.12"

vm_log() { echo "vm: $*" >&2; }
vm_die() { echo "vm: error: $*" >&2; exit 1; }
# vm_json_check LABEL DIR TAPFILE: a boot's kept JSON documents against the
# schema (json-check.sh), its TAP line appended to TAPFILE; prints
# "PASS FAIL SKIP DOCS" for the runner's tally (one point per boot).
vm_json_check() {
	local line rc n
	line=$("$VM_DIR/json-check.sh" "$1" "$2")
	rc=$?
	n=$(ls "$2"/json/*.json 2>/dev/null | wc -l)
	printf '# ---- %s json: %s\n%s\n' "$1" "$n documents" "$line" >>"$3"
	case $rc in
	0) echo "1 0 0 $n" ;;
	77) echo "0 0 1 $n" ;;
	*) echo "0 1 0 $n" ;;
	esac
}

vm_meta_package() {
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) vm_die "unknown kernel series '$1' (known: $VM_SERIES_ALL)" ;;
	esac
}

# The versioned image package the meta package currently depends on.
vm_image_package() {
	local meta pkg
	meta=$(vm_meta_package "$1") || exit 1
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
	[ -n "$pkg" ] || vm_die "apt-cache knows no image behind $meta (apt-get update?)"
	echo "$pkg"
}

# mutant_build TOP DIR FILE SED-EXPR: a memhotctl built in DIR/build from a
# copy of TOP's tracked files (plus uncommitted edits, never the tree
# itself) in DIR/src, with SED-EXPR applied to FILE; the changed lines go to
# stderr. Fails with "NOT APPLIED" (the sed changed nothing: the source
# moved on) or "NOT BUILT" on stdout.
mutant_build() {
	local top=$1 dir=$2 file=$3 expr=$4 src=$2/src build=$2/build
	mkdir -p "$src" "$build"
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$src"
	cp "$src/$file" "$src/$file.orig"
	sed -i -e "$expr" "$src/$file"
	if cmp -s "$src/$file" "$src/$file.orig"; then
		echo "NOT APPLIED (the source changed; update the sed)"
		return 1
	fi
	diff -u "$src/$file.orig" "$src/$file" | sed -n 's/^[-+][^-+]/  &/p' >&2
	if ! (cd "$src" && autoreconf -fi >/dev/null 2>&1 && cd "$build" &&
		"$src/configure" -q >/dev/null && make -j2 >/dev/null 2>&1); then
		echo "NOT BUILT"
		return 1
	fi
}
