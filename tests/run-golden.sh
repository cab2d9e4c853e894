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
# Paths of the scratch dir in output are replaced by the word @WORK@.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${S2Q_BIN:=$top/bin}"
export S2Q_BIN S2Q_HELPERS="${S2Q_HELPERS:-}" S2Q_FAULT_SO="${S2Q_FAULT_SO:-}"
n=0
for c in "$top"/tests/golden/*/; do
	[ -f "$c/cmd" ] || continue
	name=$(basename "$c")
	n=$((n + 1))
	if [ "${S2Q_SANITIZE:-0}" = 1 ] && [ -f "$c/nosanitize" ]; then
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
	if [ -z "$why" ]; then
		echo "ok $n - golden $name"
	else
		echo "not ok $n - golden $name (differs:$why)"
	fi
	rm -rf "$work"
done
