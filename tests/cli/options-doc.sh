#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every option --list-opts gives is in --help and in the man page, for the
# tool and for each command; the bash completion offers commands, options
# and device names.
. "${srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
MAN=$top_srcdir/man

check_doc() {	# CMD ("" for the tool)
	page=$MAN/memhotctl${1:+-$1}.8.adoc
	[ -f "$page" ] || fail "no man page $page"
	"$MEMHOTCTL" --list-opts $1 >"$TMP/opts"
	[ -s "$TMP/opts" ] || fail "--list-opts $1 is empty"
	"$MEMHOTCTL" $1 --help >"$TMP/help"
	while read -r o; do
		grep -q -- "$o\\b" "$TMP/help" || fail "$o missing in 'memhotctl $1 --help'"
		grep -q -- "\\*$o\\*" "$page" || fail "$o missing in $page"
	done <"$TMP/opts"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES \
		"SEE ALSO"; do
		grep -qx "== $s" "$page" || fail "$page lacks $s"
	done
	grep -q MEMHOTCTL_RUNDIR "$page" || fail "$page lacks MEMHOTCTL_RUNDIR"
	echo "ok: options of '${1:-memhotctl}' documented"
}
check_doc ""
for cmd in $("$MEMHOTCTL" --list-cmds); do
	check_doc "$cmd"
	grep -q "memhotctl-$cmd" "$MAN/memhotctl.8.adoc" || fail "memhotctl(8) lacks memhotctl-$cmd"
done
# The exit codes of the tool's page.
for c in 0 1 2 3 4 5; do
	grep -q "^\\*$c\\*::" "$MAN/memhotctl.8.adoc" || fail "exit status $c undocumented"
done

# Bash completion, driven through its function with a fake command line.
command -v bash >/dev/null || { echo "no bash: completion not tested"; exit 0; }
mkdir -p "$TMP/bin"
ln -s "$MEMHOTCTL" "$TMP/bin/memhotctl"
complete_words() {	# LINE: print the completions of its last word
	PATH="$TMP/bin:$PATH" bash -c '
		. "$1"
		line=$2
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		unset -f _init_completion
		_memhotctl
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ \
		"$top_srcdir/bash-completion/memhotctl" "$1"
}
expect_completion() {	# LINE EXPECTED...
	line=$1
	shift
	got=$(complete_words "$line" | tr '\n' ' ')
	[ "$got" = "$* " ] || fail "completion of '$line': got '$got', expected '$* '"
	echo "ok: completion '$line' -> $*"
}
expect_completion "memhotctl re" recover remove
expect_completion "memhotctl remove --r" --rebind
expect_completion "memhotctl --q" --quiet
expect_completion "memhotctl online --zone " movable normal
expect_completion "memhotctl --sysroot $TREES/two remove d" dax0.0 dax1.0
expect_completion "memhotctl status --sysroot $TREES/two " all dax0.0 dax1.0
expect_completion "memhotctl apply --sysroot $TREES/two " all dax0.0 dax1.0
expect_completion "memhotctl apply --c" --config
complete_words "memhotctl status --" >"$TMP/c"
"$MEMHOTCTL" --list-opts status | sort | diff - "$TMP/c" >&2 ||
	fail "status options completion differs from --list-opts status"
exit 0
