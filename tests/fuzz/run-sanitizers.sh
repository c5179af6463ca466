#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The whole test suite (unit, sysroot, CLI, executor, fuzz-corpus replay)
# once more under AddressSanitizer and UndefinedBehaviorSanitizer, in an
# out-of-tree build of its own.
#
#   tests/fuzz/run-sanitizers.sh [BUILDDIR]     (or: make check-sanitizers)
#
# BUILDDIR defaults to a fresh mktemp dir, removed on success (KEEP=1 keeps
# it). Environment: CC (default clang, else gcc), JOBS (default 2),
# MEMHOTCTL_FUZZ_SECONDS (default 0 here: the fuzz corpus is replayed, the
# fuzzing itself is the plain make check's job).
#
# Every sanitizer report fails the run, even from a process whose exit
# status a test expected to be non-zero: reports go to files (log_path)
# that are checked at the end, besides make check's own verdict.
set -u

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-2}
if [ -z "${CC:-}" ]; then
	if command -v clang >/dev/null 2>&1; then CC=clang; else CC=gcc; fi
fi
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

say() { echo "run-sanitizers: $*"; }
result() {
	echo "================================================================"
	echo "run-sanitizers: $*"
	echo "================================================================"
}

start=$(date +%s)
if [ $# -ge 1 ]; then
	b=$1
	mkdir -p "$b" || exit 99
	made=
else
	b=$(mktemp -d "${TMPDIR:-/tmp}/memhotctl-sanitize.XXXXXX") || exit 99
	made=1
fi
b=$(cd "$b" && pwd)

# A sanitizer that cannot link is a broken toolchain, not a pass: skip.
probe=$b/san-probe
printf 'int main(void) { return 0; }\n' >"$probe.c"
if ! "$CC" $SAN -o "$probe" "$probe.c" >"$probe.log" 2>&1 || ! "$probe"; then
	result "SKIP ($CC cannot build with $SAN; see $probe.log)"
	exit 77
fi
rm -f "$probe" "$probe.c" "$probe.log"

if [ ! -x "$srcdir/configure" ]; then
	say "no configure in $srcdir: autoreconf -fi"
	(cd "$srcdir" && autoreconf -fi) || { result "FAIL (autoreconf)"; exit 1; }
fi

say "CC=$CC, build in $b"
cd "$b" || exit 99
if ! "$srcdir/configure" -q CC="$CC" CFLAGS="$SAN -g -O1" LDFLAGS="$SAN" \
		>configure.out 2>&1; then
	cat configure.out
	result "FAIL (configure; $b/config.log)"
	exit 1
fi
if ! make -j"$jobs" >make.out 2>&1; then
	tail -n 40 make.out
	result "FAIL (build; $b/make.out)"
	exit 1
fi

# The non-root CLI test writes reports too: a world-writable dir of its
# own (a mktemp'd build dir is 0700).
logs=$(mktemp -d "${TMPDIR:-/tmp}/memhotctl-sanitizer-reports.XXXXXX") || exit 99
chmod 1777 "$logs"

# halt at the first report; reports to files; leaks count (the CLI and the
# tests are short-lived, but a leak per block or per retry would not be)
ASAN_OPTIONS="log_path=$logs/asan:abort_on_error=0:exitcode=86:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
LSAN_OPTIONS="${LSAN_OPTIONS:-}"
MEMHOTCTL_FUZZ_SECONDS=${MEMHOTCTL_FUZZ_SECONDS:-0}
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS MEMHOTCTL_FUZZ_SECONDS

rc=0
make -j"$jobs" check >check.out 2>&1 || rc=$?
grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' check.out | sed 's/^/  /'
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' check.out | sed 's/^/  /'

reports=$(find "$logs" -type f 2>/dev/null | sort)
if [ -n "$reports" ]; then
	for r in $reports; do
		echo "---- $r"
		head -n 40 "$r"
	done
fi
secs=$(( $(date +%s) - start ))

if [ "$rc" != 0 ] || [ -n "$reports" ]; then
	[ "$rc" = 0 ] || for l in $(grep -lE '^:test-result: (FAIL|ERROR)' \
			$(find . -name '*.trs') 2>/dev/null); do
		echo "---- ${l%.trs}.log (last lines)"
		tail -n 30 "${l%.trs}.log"
	done
	result "FAIL in ${secs}s (make check exit $rc, $(echo "$reports" | grep -c .) sanitizer report(s) in $logs); build kept in $b"
	exit 1
fi
rm -rf "$logs"
result "PASS in ${secs}s: make check under ASan+UBSan ($CC), no sanitizer report"
if [ -n "$made" ] && [ -z "${KEEP:-}" ]; then
	cd / && rm -rf "$b"
fi
exit 0
