#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot one Debian kernel under QEMU with a device profile and run guest scripts
# in it, one boot for all of them. Results land in OUTDIR:
#   NAME.tap NAME.err NAME.rc NAME.dmesg (per script), dmesg.txt, console.log
#   boot.sh [-k SERIES] [-p PROFILE] [-o OUTDIR] [-t SECONDS] [-i INIT] SCRIPT[:ARGS]...
# SCRIPT is a path relative to tests/vm (scenarios/x.sh) or absolute; ":ARGS"
# passes space-free words separated by commas. The memhotctl under test is
# MEMHOTCTL_BIN (default: the build's ./memhotctl); it is copied, with the
# scripts, into a stage directory exported to the guest as a second 9p share,
# because the guest mounts tmpfs over /tmp, /run and /var/tmp.
# -i systemd (or INIT=systemd in the profile): the guest's PID 1 is the
# root's systemd, running contrib/'s udev rule and units (ExecStart on the
# staged binary) and the scripts as a service of tests/vm/systemd/.
# Exit: 0 the guest ran every script and powered off; 1 it did not (timeout,
# panic twice, init failure); 2 usage.
set -euo pipefail
. "$(dirname "$0")/common.sh"

series=6.12 profile=nvdimm out= timeout= init=
while getopts k:p:o:t:i: o; do
	case $o in
	k) series=$OPTARG ;;
	p) profile=$OPTARG ;;
	o) out=$OPTARG ;;
	t) timeout=$OPTARG ;;
	i) init=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: boot.sh [-k SERIES] [-p PROFILE] [-o OUTDIR] SCRIPT..." >&2; exit 2; }
pfile=$profile
[ -f "$pfile" ] || pfile=$VM_DIR/profiles/$profile.conf
[ -f "$pfile" ] || vm_die "no profile $profile"

MACHINE= CPU=max SMP=2 MEM= QEMU_ARGS=() NINEP_BUS= APPEND= MODULES= UDEVD=0 TIMEOUT=300
INIT=script GUEST_ETC=
# shellcheck source=profiles/nvdimm.conf
. "$pfile"
init=${init:-$INIT}
case $init in script | systemd) ;; *) vm_die "unknown init $init (script, systemd)" ;; esac
# TIMEOUT bounds one script; the boot's bound is a minute more than all of
# them (two with systemd, whose own boot takes 20-60 s under TCG).
init_time=0
[ "$init" = script ] || init_time=60
timeout=${timeout:-$((60 + TIMEOUT * $# + init_time))}

read -r _ kver kdir < <("$VM_DIR/kernels.sh" "$series") || vm_die "no kernel for $series"

mkdir -p "$VM_CACHE"
run=$(mktemp -d "$VM_CACHE/stage.XXXXXX")
cleanup() { rm -rf "$run"; }
trap cleanup EXIT
stage=$run/stage
mkdir -p "$stage/out" "$stage/bin" "$stage/scenarios" "$run/img"

# The binary under test: the default is the build's, found from the cwd.
bin=${MEMHOTCTL_BIN:-$PWD/memhotctl}
if [ -x "$bin" ]; then
	cp "$bin" "$stage/bin/memhotctl"
fi
cp "$VM_DIR/guest-main.sh" "$VM_DIR/guest-lib.sh" "$stage/"
cp "$VM_DIR"/scenarios/*.sh "$stage/scenarios/" 2>/dev/null || true
# the Ansible collection (scenarios/14-ansible.sh)
[ ! -d "$VM_DIR/../../contrib/ansible" ] || cp -r "$VM_DIR/../../contrib/ansible" "$stage/ansible"

: >"$stage/plan"
for s in "$@"; do
	path=${s%%:*} args=
	[ "$path" = "$s" ] || args=${s#*:}
	case "$path" in
	/*) src=$path ;;
	*) src=$VM_DIR/$path ;;
	esac
	[ -f "$src" ] || vm_die "no script $src"
	name=$(basename "$src" .sh)
	cp "$src" "$stage/scripts.$name.sh"
	echo "$name scripts.$name.sh ${args//,/ }" >>"$stage/plan"
done
{
	echo "MH_SERIES=$series"
	echo "MH_KVER=$kver"
	echo "MH_PROFILE=$(basename "$pfile" .conf)"
	echo "MH_UDEVD=$([ "$init" = systemd ] && echo 0 || echo "$UDEVD")"
	echo "MH_INIT=$init"
	echo "MEMHOTCTL=/run/mh/bin/memhotctl"
	echo "MEMHOTCTL_RUNDIR=/run/memhotctl-test"
	echo "MH_SCRIPT_TIMEOUT=$TIMEOUT"
} >"$stage/env"
for v in ${!MH_GUEST_@}; do echo "$v=${!v@Q}" >>"$stage/env"; done

# systemd: the units as "make install" makes them, but on the staged binary,
# enabled as "systemctl enable" would; the rule; the profile's /etc files.
if [ "$init" = systemd ]; then
	sd=$stage/systemd/system
	mkdir -p "$sd/sysinit.target.wants" "$stage/systemd/rules"
	for u in "$VM_DIR"/../../contrib/systemd/*.service.in; do
		sed 's|@bindir@|/run/mh/bin|g' "$u" >"$sd/$(basename "$u" .in)"
	done
	cp "$VM_DIR"/systemd/*.service "$VM_DIR"/systemd/*.target "$sd/"
	ln -s ../memhotctl-apply.service ../mh-boot-state.service "$sd/sysinit.target.wants/"
	cp "$VM_DIR"/../../contrib/udev/*.rules "$stage/systemd/rules/"
	[ -z "$GUEST_ETC" ] || { mkdir -p "$stage/etc" && cp -R "$VM_DIR/$GUEST_ETC/." "$stage/etc/"; }
fi

# Substitute @IMG:name:size@ by fresh sparse files.
args=()
for a in "${QEMU_ARGS[@]}"; do
	while [[ $a =~ @IMG:([A-Za-z0-9_]+):([0-9]+[KMGT]?)@ ]]; do
		img=$run/img/${BASH_REMATCH[1]}.img
		truncate -s "${BASH_REMATCH[2]}" "$img"
		a=${a/"${BASH_REMATCH[0]}"/$img}
	done
	args+=("$a")
done

# KVM hung at "Booting from ROM" on some machines: only when asked for, and
# only if a guest kernel prints its banner within 15 s.
kvm_answers() {
	[ -w /dev/kvm ] || return 1
	timeout -k 2 15 qemu-system-x86_64 -accel kvm -cpu host -machine pc -m 256M \
		-nodefaults -display none -serial stdio -no-reboot \
		-kernel "$kdir/vmlinuz" -append "console=ttyS0 panic=-1 earlyprintk=ttyS0" \
		</dev/null 2>/dev/null | grep -q -m1 'Linux version'
}
accel=(-accel tcg,thread=multi -cpu "$CPU")
if [ "${MEMHOTCTL_VM_KVM:-0}" = 1 ]; then
	if kvm_answers; then
		accel=(-accel kvm -cpu "${CPU/max/host}")
	else
		vm_log "KVM did not answer a probe; using TCG"
	fi
fi
mods=${MODULES// /,}
cmd=(qemu-system-x86_64 "${accel[@]}" -machine "$MACHINE" -smp "$SMP" -m "$MEM"
	"${args[@]}"
	-kernel "$kdir/vmlinuz" -initrd "$kdir/initrd.img"
	-append "console=ttyS0 quiet panic=-1 oops=panic mh.modules=$mods mh.init=$init $APPEND"
	-display none -serial stdio -monitor none -no-reboot
	-fsdev local,id=fs0,path=/,security_model=none,readonly=on,multidevs=remap
	-device "virtio-9p-pci,fsdev=fs0,mount_tag=hostfs$NINEP_BUS"
	-fsdev "local,id=fs1,path=$stage,security_model=none,multidevs=remap"
	-device "virtio-9p-pci,fsdev=fs1,mount_tag=stage$NINEP_BUS")

# A TCG guest once spun for 30 minutes before its kernel printed anything;
# the bound of the whole boot (hours for the fault scripts) would have let
# it eat a CI run. So the guest's init must speak within BOOT_LIMIT seconds
# (normally it does in well under a minute), else the boot is tried again.
BOOT_LIMIT=${MEMHOTCTL_VM_BOOT_LIMIT:-300}
reached_init() {	# qemu's pid: 0 once init spoke or qemu ended, 1 past the limit
	local t0=$SECONDS
	while kill -0 "$1" 2>/dev/null; do
		grep -qs 'MH-GUEST-START' "$out/console.log" && return 0
		[ $((SECONDS - t0)) -lt "$BOOT_LIMIT" ] || return 1
		sleep 2
	done
	return 0
}

[ -n "$out" ] || out=$PWD/vm-out
mkdir -p "$out"
rc=1
# A panic before init spoke is the emulator's or the kernel's alone (TCG
# once oopsed twice in a row on an int3 left by a jump-label patch in
# sched_clock_cpu(), 3 s into a 6.12 boot): up to three tries. Any other
# failure gets one more try.
for try in 1 2 3; do
	start=$(date +%s)
	qrc=0
	timeout -k 10 "$timeout" "${cmd[@]}" </dev/null >"$out/console.log" 2>&1 &
	qpid=$!
	if ! reached_init $qpid; then
		kill $qpid 2>/dev/null || true
		wait $qpid || true
		secs=$(($(date +%s) - start))
		cp "$out/console.log" "$out/console.stuck.log"
		if [ $try = 1 ]; then
			vm_log "$series/$profile: guest init silent after ${secs}s, retrying"
			rm -rf "$stage/out"/*
			continue
		fi
		vm_log "$series/$profile: guest init silent after ${secs}s, twice"
		break
	fi
	wait $qpid || qrc=$?
	secs=$(($(date +%s) - start))
	if [ -f "$stage/out/done" ]; then
		rc=0
		break
	fi
	if [ $qrc = 124 ] || [ $qrc = 137 ]; then
		vm_log "$series/$profile: boot killed after ${secs}s (timeout $timeout)"
		break
	fi
	early=0
	grep -q 'MH-GUEST-START' "$out/console.log" || early=1
	if grep -q 'Kernel panic\|MH-INIT-FAIL' "$out/console.log" &&
	   { [ $try = 1 ] || { [ $early = 1 ] && [ $try -lt 3 ]; }; }; then
		vm_log "$series/$profile: guest panicked after ${secs}s$([ $early = 0 ] ||
			echo ' before its init'), retrying"
		cp "$out/console.log" "$out/console.panic$try.log"
		rm -rf "$stage/out"/*
		continue
	fi
	vm_log "$series/$profile: guest did not finish (qemu exit $qrc after ${secs}s)"
	break
done
cp -r "$stage/out/." "$out/"
echo "$secs" >"$out/boot-seconds"
vm_log "$series/$profile ($kver): ${secs}s, $([ $rc = 0 ] && echo ok || echo FAILED)"
exit $rc
