#!/bin/sh
# run.sh - run or merge the libFuzzer targets (called by `make fuzz` / `make fuzz-merge`).
#
#   sh tests/fuzz/run.sh run   FUZZ_BUILD SECONDS NAME...
#   sh tests/fuzz/run.sh merge FUZZ_BUILD 0       NAME...
#
# run: for each NAME, FUZZ_BUILD/bin/fuzz_NAME fuzzes for SECONDS seconds
#   starting from tests/fuzz/corpus/NAME/ (the recorded seeds, read only) and
#   tests/fuzz/regress/NAME/ (every crash ever found); new inputs go to
#   FUZZ_BUILD/corpus/NAME/.  Then every input of the three directories is
#   run once more and must pass.  A crash, leak, timeout or out-of-memory
#   input is copied to tests/fuzz/regress/NAME/ (so `make check` replays it
#   from then on) and the run fails.  Per-target options: a line
#   "fuzz-options: -max_len=N ..." in tests/fuzz/fuzz_NAME.c; a dictionary:
#   tests/fuzz/NAME.dict.  The summary (executions, coverage, corpus size)
#   is printed and kept in FUZZ_BUILD/summary.txt.
# merge: the inputs of FUZZ_BUILD/corpus/NAME/ that add coverage are added to
#   tests/fuzz/corpus/NAME/ (libFuzzer -merge=1); review and commit them.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
mode=$1 fb=$2 secs=$3
shift 3
case $fb in /*) ;; *) fb="$top/$fb" ;; esac
mkdir -p "$fb"
sum="$fb/summary.txt"
[ "$mode" = run ] && : >"$sum"
fail=0

for name in "$@"; do
	bin="$fb/bin/fuzz_$name"
	seeds="$top/tests/fuzz/corpus/$name"
	regress="$top/tests/fuzz/regress/$name"
	new="$fb/corpus/$name"
	art="$fb/artifacts/$name"
	log="$fb/fuzz_$name.log"
	mkdir -p "$new" "$art" "$seeds"
	opts=$(sed -n 's/.*fuzz-options: *\(-[^*]*\).*/\1/p' "$top/tests/fuzz/fuzz_$name.c" | head -1)
	dict=""
	[ -f "$top/tests/fuzz/$name.dict" ] && dict="-dict=$top/tests/fuzz/$name.dict"
	dirs="$new $seeds"
	[ -d "$regress" ] && dirs="$dirs $regress"

	if [ "$mode" = merge ]; then
		before=$(ls "$seeds" | wc -l)
		# shellcheck disable=SC2086
		"$bin" -merge=1 $opts $dict "$seeds" "$new" >"$log" 2>&1 || {
			echo "fuzz-merge $name: failed, see $log"; fail=1; continue; }
		echo "fuzz-merge $name: tests/fuzz/corpus/$name: $before -> $(ls "$seeds" | wc -l) inputs"
		continue
	fi

	echo "fuzz $name: ${secs}s from $(ls "$seeds" | wc -l) seeds (options: ${opts:-none})"
	# shellcheck disable=SC2086
	ASAN_OPTIONS="${ASAN_OPTIONS:-}" "$bin" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=20 -rss_limit_mb=2560 -artifact_prefix="$art/" $opts $dict $dirs >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
	corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1)
	crashed=""
	for a in "$art"/*; do
		[ -f "$a" ] || continue
		mkdir -p "$regress"
		cp "$a" "$regress/" && crashed="$crashed $(basename "$a")"
		rm -f "$a"
	done
	if [ $rc -ne 0 ] || [ -n "$crashed" ]; then
		echo "fuzz $name: FAILED (exit $rc); saved as regression inputs in tests/fuzz/regress/$name/:${crashed:- none}"
		grep -m1 -A12 'ERROR:\|fuzz property failed\|runtime error' "$log" | sed 's/^/    /'
		echo "fuzz $name: FAILED${crashed:+ crash inputs:$crashed}" >>"$sum"
		fail=1
		continue
	fi
	# every input once more, crash-free (libFuzzer with -runs=0 only executes the corpus)
	# shellcheck disable=SC2086
	if ! "$bin" -runs=0 $opts $dirs >"$log.rerun" 2>&1; then
		echo "fuzz $name: FAILED on the corpus rerun, see $log.rerun"
		echo "fuzz $name: FAILED on the corpus rerun" >>"$sum"
		fail=1
		continue
	fi
	line="fuzz $name: ${secs}s, ${execs:-?} executions, ${cov:-cov ?}, ${corp:-corp ?} (new inputs in ${new#"$top"/}), 0 crashes, corpus rerun clean"
	echo "$line"
	echo "$line" >>"$sum"
done
[ "$mode" = run ] && { echo; echo "summary ($sum):"; cat "$sum"; }
exit $fail
