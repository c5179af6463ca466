#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# apply's systemd units as "make install" puts them: systemd-analyze verify
# finds nothing to say (syntax, dependencies, that ExecStart's binary is
# installed, that the man pages of Documentation= are). Installed into a
# scratch DESTDIR and verified with --root there, so the binary and pages
# checked are the ones this build installs, not the host's.
# Runs from the top build directory (make check).
set -u
command -v systemd-analyze >/dev/null 2>&1 ||
	{ echo "systemd-analyze not installed: skip"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhotctl-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

${MAKE:-make} -s install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "make install DESTDIR=... failed"; exit 1; }
[ "$(sed -n 's/^systemdsystemunitdir = //p' Makefile)" != no ] ||
	{ echo "configured --with-systemdsystemunitdir=no: skip"; exit 77; }
unit=$(find "$tmp/root" -name memhotctl-apply.service)
[ -n "$unit" ] || { echo "make install put no memhotctl-apply.service"; exit 1; }
udir=$(dirname "$unit")
[ -f "$udir/memhotctl-apply@.service" ] || { echo "no memhotctl-apply@.service in $udir"; exit 1; }
find "$tmp/root" -name 90-memhotctl-apply.rules | grep -q . ||
	{ echo "the udev rule is not installed"; exit 1; }

# The man pages are there only when asciidoctor built them.
man=--man=no
mandir=$(find "$tmp/root" -type d -name man8 | head -n1)
if [ -n "$mandir" ] && command -v man >/dev/null 2>&1; then
	man=--man=yes
	MANPATH=$(dirname "$mandir")
	export MANPATH
else
	echo "# no man pages or no man(1): Documentation= not checked"
fi
(cd "$tmp" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$man" --root="$tmp/root" \
	"$unit" "$udir/memhotctl-apply@.service") >"$tmp/verify.log" 2>&1
rc=$?
cat "$tmp/verify.log"
if [ $rc != 0 ] || [ -s "$tmp/verify.log" ]; then
	echo "systemd-analyze verify had something to say (exit $rc)"
	exit 1
fi
echo "systemd-analyze verify $man: nothing to say about $(basename "$unit") and memhotctl-apply@.service"
