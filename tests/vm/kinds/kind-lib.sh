# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Guest-side helpers for the kind scenarios (sourced after guest-lib.sh):
# classify dax devices and nd regions by their sysfs path (probe order makes
# names differ between kernels and profiles), and bring one device of a kind
# into devdax mode without the tool under test. run-kinds.sh prepends this
# file to every kinds/ script it stages, so the guest needs no path to it.
KIND_LIB_LOADED=1
. /run/mh/guest-lib.sh

# Kind of a sysfs path, judged here independently of memhotctl. e820 and CXL
# pmem also sit under an ndbus, so they are matched first.
kind_of_path() {
	case "$1" in
	*e820*) echo e820 ;;
	*ACPI0017* | *nvdimm-bridge* | */cxl* | *decoder*) echo cxl ;;
	*ndbus* | *ACPI0012* | *nfit*) echo nvdimm ;;
	*hmem*) echo hmem ;;
	*) echo unknown ;;
	esac
}
dax_path() { readlink -f "$SYS_DAX/devices/$1"; }
dax_kind() { kind_of_path "$(dax_path "$1")"; }
# mapping[0-9]*: a dax device also has a write-only "mapping" attribute
nmappings() { ls -d "$SYS_DAX/devices/$1"/mapping[0-9]* 2>/dev/null | wc -l; }
# dax devices of a kind, in name order
kind_devices() {
	local d n
	for d in "$SYS_DAX/devices"/dax*; do
		[ -e "$d" ] || continue
		n=${d##*/}
		[ "$(dax_kind "$n")" = "$1" ] && echo "$n"
	done | sort -V
}
# nd regions of a kind (nvdimm, e820, cxl)
nd_regions() {
	local r
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r" ] || continue
		[ "$(kind_of_path "$(readlink -f "$r")")" = "$1" ] && echo "${r##*/}"
	done | sort -V
}
# Non-zero sized dax devices of an nd region (seed devices have size 0)
region_dax() {
	local d n
	for d in "$SYS_DAX/devices"/dax*; do
		[ -e "$d" ] || continue
		n=${d##*/}
		case "$(dax_path "$n")" in */"$1"/*) ;; *) continue ;; esac
		[ "$(cat "$d/size")" != 0 ] && echo "$n"
	done | sort -V | head -n1
}

# The kind a script works on: its first argument, else the profile's.
kind_default() {
	case "${MH_PROFILE:-}" in
	e820 | cxl | nvdimm) echo "$MH_PROFILE" ;;
	hmem | hmem-multi) echo hmem ;;
	multirange) echo multirange ;;
	allkinds) echo hmem ;;
	*) echo nvdimm ;;
	esac
}

# Why a device could not be prepared (for skip lines)
KIND_WHY=

# kind_prepare KIND: set KIND_DEV to a devdax-mode device of KIND, creating
# it on first use (namespace, CXL region, multi-range device) and otherwise
# taking the existing one back to devdax. KIND_WHY says why on failure.
kind_prepare() {
	local kind=$1 dev='' d
	KIND_WHY='' KIND_DEV=''
	case $kind in
	nvdimm) dev=$(kind_nvdimm) ;;
	e820) dev=$(kind_e820) ;;
	cxl) dev=$(kind_cxl) ;;
	hmem)
		# the first single-range device that goes back to devdax (on
		# 6.12 without memhp_default_state=offline they boot online in
		# ZONE_NORMAL and may hold unmovable pages)
		for d in $(kind_devices hmem); do
			[ "$(nmappings "$d")" = 1 ] || continue
			[ "$(cat "$SYS_DAX/devices/$d/size")" != 0 ] || continue
			dev=$d
			raw_to_devdax "$d" >/dev/null 2>&1 && break
		done ;;
	multirange) dev=$(kind_multirange) ;;
	*) KIND_WHY="unknown kind $kind"; return 1 ;;
	esac
	if [ -z "$dev" ] || ! dax_exists "$dev"; then
		KIND_WHY="no $kind device could be made (see stderr)"
		return 1
	fi
	if ! raw_to_devdax "$dev" >/dev/null 2>&1; then
		KIND_WHY="$dev ($kind) cannot be taken back to devdax without the tool: $(blocks_summary "$dev")"
		return 1
	fi
	KIND_DEV=$dev
}

kind_nvdimm() {
	local r dev
	r=$(nd_regions nvdimm | head -n1)
	[ -n "$r" ] || return 1
	dev=$(region_dax "$r")
	[ -n "$dev" ] && { echo "$dev"; return; }
	ndctl disable-region -b ACPI.NFIT all >/dev/null 2>&1
	ndctl init-labels -f -b ACPI.NFIT all >/dev/null 2>&1
	ndctl enable-region -b ACPI.NFIT all >/dev/null 2>&1
	ndctl create-namespace -r "$r" -m devdax -a 2M -s 768M 2>&1 >/dev/null | sed 's/^/ndctl: /' >&2
	region_dax "$r"
}

# nd_e820 makes one raw namespace per region: convert it in place.
kind_e820() {
	local r ns dev
	r=$(nd_regions e820 | head -n1)
	[ -n "$r" ] || return 1
	dev=$(region_dax "$r")
	[ -n "$dev" ] && { echo "$dev"; return; }
	ns=$(ls -d "/sys/bus/nd/devices/$r"/namespace*.0 2>/dev/null | head -n1)
	[ -n "$ns" ] || return 1
	ndctl create-namespace -f -e "${ns##*/}" -m devdax 2>&1 >/dev/null | sed 's/^/ndctl: /' >&2
	region_dax "$r"
}

# A pmem region on the first memory device, then a devdax namespace on it.
kind_cxl() {
	local r dev
	r=$(nd_regions cxl | head -n1)
	if [ -z "$r" ]; then
		cxl create-region -m -d decoder0.0 -w 1 -t pmem mem0 2>&1 >/dev/null |
			sed 's/^/cxl: /' >&2
		sleep 1
		r=$(nd_regions cxl | head -n1)
		[ -n "$r" ] || return 1
	fi
	dev=$(region_dax "$r")
	[ -n "$dev" ] && { echo "$dev"; return; }
	ndctl create-namespace -r "$r" -m devdax 2>&1 >/dev/null | sed 's/^/ndctl: /' >&2
	region_dax "$r"
}

# Recipe 4: carve the first hmem region so that a device gets three ranges,
# its mapping1 below mapping0. Reused when it exists.
kind_multirange() {
	local d x
	for d in $(kind_devices hmem); do
		[ "$(nmappings "$d")" -ge 2 ] && { echo "$d"; return; }
	done
	d=$(kind_devices hmem | head -n1)
	[ -n "$d" ] || return 1
	x=${d#dax}
	x=${x%%.*}
	raw_to_devdax "$d" >/dev/null 2>&1 || return 1
	{
		daxctl disable-device "dax$x.0" &&
			daxctl reconfigure-device -s 0 "dax$x.0" &&
			daxctl create-device -r "$x" -s 256M &&
			daxctl create-device -r "$x" -s 256M &&
			daxctl disable-device "dax$x.1" &&
			daxctl destroy-device "dax$x.1" &&
			daxctl disable-device "dax$x.2" &&
			daxctl reconfigure-device -s 768M "dax$x.2" &&
			daxctl enable-device "dax$x.2"
	} >/dev/null 2>&1 || { echo "daxctl recipe failed" >&2; return 1; }
	echo "dax$x.2"
}

# kind_start KIND: prepare the device or end the script with a skip
# plan; sets DEV. Reports the device's path for the kind-detection record.
kind_start() {
	kind_prepare "$1"
	DEV=$KIND_DEV
	if [ -z "$DEV" ]; then
		echo "1..0 # SKIP $1: ${KIND_WHY:-no device}"
		exit 0
	fi
	diag "$1 device $DEV: $(dax_path "$DEV")"
	diag "mappings: $(dax_ranges "$DEV" | while read -r s e; do printf '%#x-%#x ' "$s" "$e"; done)"
	diag "blocks: $(dax_blocks "$DEV" | tr '\n' ' ')"
}

# The JSON object of one device in memhotctl status -j output
mh_dev_json() { jq -c --arg d "$1" '.devices[] | select(.device == $d)' <<<"$2"; }
