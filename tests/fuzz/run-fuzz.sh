#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the libFuzzer targets with clang itself (the library sources they
# need, instrumented, plus -fsanitize=address,undefined) and run each for a
# bounded time over its seed corpus in tests/fuzz/corpus/TARGET/.
#
#   run-fuzz.sh [TARGET...]        what make check runs (all targets)
#   run-fuzz.sh --merge TARGET     fuzz, then fold what was found into the
#                                  seed corpus (minimised; for maintainers)
#
# Environment: MEMHOTCTL_FUZZ_SECONDS per target (default 15; 0 replays the
# corpus only), CLANG (default clang), srcdir (the top srcdir, as make check
# exports it). Run from the top build directory. Exit 77 (skip) when clang
# cannot build a libFuzzer binary; 1 on any crash, sanitizer report or
# failed check, with the reproducer's path.
set -u

: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
top_srcdir=$(cd "$srcdir" && pwd)
fuzzdir=$top_srcdir/tests/fuzz
libdir=$top_srcdir/src/lib
out=$PWD/tests/fuzz
CLANG=${CLANG:-clang}
secs=${MEMHOTCTL_FUZZ_SECONDS:-15}

merge=
if [ "${1:-}" = --merge ]; then
	merge=1
	shift
	[ $# = 1 ] || { echo "usage: $0 --merge TARGET" >&2; exit 2; }
fi
targets=${*:-fuzz-parse fuzz-tree fuzz-journal}

# Library sources each target links (it is built without the library's
# archive so that the library itself carries the fuzzer's coverage).
sources() {
	case $1 in
	fuzz-parse) echo "log.c names.c sysroot.c range.c block.c dax.c iomem.c err.c" ;;
	fuzz-tree) echo "log.c names.c sysroot.c range.c block.c dax.c iomem.c snapshot.c meminfo.c err.c plan.c verify.c" ;;
	fuzz-journal) echo "log.c names.c sysroot.c range.c block.c dax.c deadline.c lock.c journal.c err.c" ;;
	*) return 1 ;;
	esac
}

mkdir -p "$out" || exit 99
CFLAGS_FUZZ="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
if [ -f config.h ]; then
	CPPFLAGS_FUZZ="-include $PWD/config.h -I$libdir"
else
	CPPFLAGS_FUZZ="-D_GNU_SOURCE -I$libdir"
fi

# Can this clang link a libFuzzer binary at all?
probe=$out/probe
cat >"$probe.c" <<-'EOF'
	#include <stddef.h>
	#include <stdint.h>
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
EOF
if ! "$CLANG" $CFLAGS_FUZZ -o "$probe" "$probe.c" >"$probe.log" 2>&1; then
	echo "SKIP: $CLANG cannot build with -fsanitize=fuzzer (see $probe.log)"
	rm -f "$probe.c"
	exit 77
fi
rm -f "$probe" "$probe.c" "$probe.log"

build() {
	t=$1
	bin=$out/$t
	srcs="$fuzzdir/$t.c"
	for s in $(sources "$t"); do
		srcs="$srcs $libdir/$s"
	done
	# rebuild only when a source or header is newer than the binary
	if [ -x "$bin" ] && [ -z "$(find "$fuzzdir/$t.c" "$libdir" -newer "$bin" \
					-name '*.[ch]' 2>/dev/null)" ]; then
		return 0
	fi
	echo "building $t"
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS_FUZZ $CPPFLAGS_FUZZ -o "$bin.tmp" $srcs >"$out/$t.build.log" 2>&1 || {
		cat "$out/$t.build.log"
		echo "FAIL: $t does not build"
		return 1
	}
	mv "$bin.tmp" "$bin"
}

# A tmpfs for the trees fuzz-tree makes, when there is one.
tmp=$(mktemp -d "$( [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/memhotctl-fuzz.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
export MEMHOTCTL_FUZZ_TMPDIR="$tmp"

run() {
	t=$1
	bin=$out/$t
	corpus=$fuzzdir/corpus/$t
	work=$tmp/$t
	art=$out/artifact-$t-	# libFuzzer appends crash-<sha1>, leak-, timeout-...
	mkdir -p "$work"
	[ -d "$corpus" ] || { echo "FAIL: no corpus $corpus"; return 1; }
	if [ "$secs" = 0 ]; then
		how="-runs=0"
		echo "$t: replaying $(ls "$corpus" | wc -l) seed inputs"
	else
		how="-max_total_time=$secs"
		echo "$t: $secs s over $(ls "$corpus" | wc -l) seed inputs"
	fi
	# New finds go to the scratch dir (first), never into the source tree.
	# Exit codes forced to 1: libFuzzer's default (77) would read as a skip.
	rc=0
	"$bin" $how -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
		-artifact_prefix="$art" "$work" "$corpus" >"$out/$t.log" 2>&1 || rc=$?
	grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units)' "$out/$t.log" | sed "s/^/  $t: /"
	if [ "$rc" != 0 ]; then
		tail -n 60 "$out/$t.log"
		echo "FAIL: $t (exit $rc); full log $out/$t.log"
		for a in "$art"*; do
			[ -f "$a" ] || continue
			echo "  reproducer: $a"
			echo "  replay:     $bin $a"
			echo "  keep it:    cp $a $corpus/  (once fixed)"
		done
		return 1
	fi
	if [ -n "$merge" ]; then
		"$bin" -merge=1 -max_len=4096 "$corpus" "$work" >"$out/$t.merge.log" 2>&1 ||
			{ echo "FAIL: merge, see $out/$t.merge.log"; return 1; }
		echo "  $t: merged into $corpus"
	fi
	return 0
}

status=0
for t in $targets; do
	sources "$t" >/dev/null || { echo "unknown target $t" >&2; exit 2; }
	build "$t" || { status=1; continue; }
	run "$t" || status=1
done
[ "$status" = 0 ] && echo "PASS: fuzz targets ($targets): no crash, no sanitizer report"
exit $status
