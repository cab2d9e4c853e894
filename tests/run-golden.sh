#!/bin/sh
# run-golden.sh - golden CLI tests.
#
# A case is a directory tests/golden/NAME/ with
#   cmd        shell script, run with sh in a scratch copy of in/ (cwd), with
#              $S2Q_BIN, $S2Q_HELPERS, $S2Q_FAULT_SO and $CASE (the case dir) set
#   in/        the input tree (optional)
#   expected/  rc, stdout, stderr (each compared when present) and tree/ (the
#              whole scratch tree after the run, compared with diff -r)
#   nosanitize if present, the case is skipped in the SANITIZE=1 run; its
#              one line says why
# S2Q_UPDATE=1 writes the actual results into expected/ (review the diff!).
# S2Q_GOLDEN=GLOB runs only the cases whose name matches (e.g. 'newu-hostile-*').
# S2Q_VALGRIND=1 (make check-valgrind) runs every s2q program under valgrind
#   memcheck: $S2Q_BIN becomes a directory of wrappers, one per program, that
#   exec valgrind on the real binary; any memcheck error or leak (definite,
#   indirect or possible) fails the case; nosanitize cases are skipped.
# Paths of the scratch dir in output are replaced by the word @WORK@.
# Exits 1 when a case fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${S2Q_BIN:=$top/bin}"
export S2Q_BIN S2Q_HELPERS="${S2Q_HELPERS:-}" S2Q_FAULT_SO="${S2Q_FAULT_SO:-}"
n=0 nfail=0
vg=""
if [ "${S2Q_VALGRIND:-0}" = 1 ]; then
	vg=$(mktemp -d "${TMPDIR:-/tmp}/s2q-valgrind.XXXXXX")
	trap 'rm -rf "$vg"' EXIT INT TERM
	mkdir "$vg/bin" "$vg/log"
	for p in "$S2Q_BIN"/s2q-*; do
		[ -x "$p" ] || continue
		cat >"$vg/bin/$(basename "$p")" <<-EOF
		#!/bin/sh
		exec valgrind -q --tool=memcheck --error-exitcode=86 --leak-check=full \\
			--show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \\
			--log-file="$vg/log/%p" "$p" "\$@"
		EOF
		chmod 755 "$vg/bin/$(basename "$p")"
	done
	S2Q_BIN="$vg/bin"
fi
for c in "$top"/tests/golden/${S2Q_GOLDEN:-*}/; do
	[ -f "$c/cmd" ] || continue
	name=$(basename "$c")
	n=$((n + 1))
	if { [ "${S2Q_SANITIZE:-0}" = 1 ] || [ -n "$vg" ]; } && [ -f "$c/nosanitize" ]; then
		echo "ok $n - golden $name # SKIP $(cat "$c/nosanitize")"
		continue
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/s2q-golden.XXXXXX")
	mkdir "$work/tree" "$work/out"
	[ -d "$c/in" ] && cp -a "$c/in/." "$work/tree/"
	(cd "$work/tree" && CASE="$c" sh "$c/cmd" >"$work/out/stdout" 2>"$work/out/stderr"; echo $? >"$work/out/rc")
	for f in stdout stderr; do
		sed "s|$work/tree|@WORK@|g" "$work/out/$f" >"$work/out/$f.x" && mv "$work/out/$f.x" "$work/out/$f"
	done
	find "$work/tree" -mindepth 1 -type d -empty -delete
	if [ "${S2Q_UPDATE:-0}" = 1 ]; then
		mkdir -p "$c/expected"
		cp "$work/out/rc" "$work/out/stdout" "$work/out/stderr" "$c/expected/"
		rm -rf "$c/expected/tree" && cp -a "$work/tree" "$c/expected/tree"
	fi
	why=""
	for f in rc stdout stderr; do
		if [ -f "$c/expected/$f" ] && ! cmp -s "$c/expected/$f" "$work/out/$f"; then
			why="$why $f"
			diff -u "$c/expected/$f" "$work/out/$f" | sed 's/^/#   /' | head -40
		fi
	done
	if [ -d "$c/expected/tree" ] && ! diff -r "$c/expected/tree" "$work/tree" >"$work/out/treediff" 2>&1; then
		why="$why tree"
		sed 's/^/#   /' "$work/out/treediff" | head -40
	fi
	if [ -n "$vg" ]; then
		for l in "$vg"/log/*; do
			[ -s "$l" ] || continue
			why="$why valgrind"
			sed 's/^/#   /' "$l" | head -40
		done
		rm -f "$vg"/log/*
	fi
	if [ -z "$why" ]; then
		echo "ok $n - golden $name${vg:+ (valgrind)}"
	else
		echo "not ok $n - golden $name (differs:$why)"
		nfail=$((nfail + 1))
	fi
	rm -rf "$work"
done
[ "$nfail" -eq 0 ]
