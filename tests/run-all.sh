#!/bin/sh
# run-all.sh - every test of s2q; TAP in the middle, "N passed, N failed" at the end.
# Called by `make check` with S2Q_BIN, S2Q_UNITS, S2Q_HELPERS, S2Q_FAULT_SO set.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp "${TMPDIR:-/tmp}/s2q-check.XXXXXX")
trap 'rm -f "$log"' EXIT INT TERM

# like a real malloc, ASan returns NULL for absurd sizes instead of aborting
ASAN_OPTIONS="allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
for t in $S2Q_UNITS; do
	name=$(basename "$t")
	echo "# unit: $name"
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log.unit" 2>&1
	rc=$?
	sed -n '/^\(not \)\{0,1\}ok /p; /^#/p' "$log.unit" | tee -a "$log"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log.unit")
	seen=$(grep -c '^\(not \)\{0,1\}ok ' "$log.unit")
	if [ $rc -ne 0 ] && [ "$seen" = "${plan:-x}" ] && ! grep -q '^not ok ' "$log.unit"; then
		echo "not ok - $name exited $rc" | tee -a "$log"
	elif [ "$seen" != "${plan:-x}" ]; then
		echo "not ok - $name crashed after $seen of ${plan:-?} tests (exit $rc):" | tee -a "$log"
		grep -v '^\(not \)\{0,1\}ok \|^1\.\.' "$log.unit" | head -20 | sed 's/^/#   /'
	fi
done
rm -f "$log.unit"
echo "# golden"
sh "$top/tests/run-golden.sh" 2>&1 | tee -a "$log"
# The scripts are independent (each has its own scratch directory; the ones that
# touch /etc do it in a private mount namespace): S2Q_JOBS at a time (default: the
# number of CPUs), each one's output shown whole, in name order, when it is done.
jobs=${S2Q_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) jobs=1 ;; esac
outd=$(mktemp -d "${TMPDIR:-/tmp}/s2q-check-out.XXXXXX")
trap 'rm -f "$log"; rm -rf "$outd"' EXIT INT TERM
# the slowest ones start first (the seconds make check printed here), so that
# none of them is left to run alone at the end; then the rest in name order
slow="samples-oracle aliases-faults virtusers-oracle cf-faults smres-oracle diff-oracle"
{
	for n in $slow; do
		[ -e "$top/tests/scripts/$n.sh" ] && echo "$top/tests/scripts/$n.sh"
	done
	for s in "$top"/tests/scripts/*.sh; do
		case " $slow " in *" $(basename "$s" .sh) "*) continue ;; esac
		[ -e "$s" ] && echo "$s"
	done
} | xargs -P "$jobs" -I{} sh -c 's=$1 t=$(date +%s); sh "$s" >"$2/${s##*/}.out" 2>&1
	echo "$(($(date +%s) - t))" >"$2/${s##*/}.done"' sh {} "$outd"
for s in "$top"/tests/scripts/*.sh; do
	[ -e "$s" ] || continue
	b=$(basename "$s")
	if [ -f "$outd/$b.done" ]; then
		echo "# script: $b ($(cat "$outd/$b.done") s)"
		tee -a "$log" <"$outd/$b.out"
	else
		echo "# script: $b"
		echo "not ok - $b did not run to its end" | tee -a "$log"
	fi
done

passed=$(grep -c '^ok ' "$log" | tr -d ' ')
failed=$(grep -c '^not ok ' "$log" | tr -d ' ')
skipped=$(grep -c '^ok .*# SKIP' "$log" | tr -d ' ')
passed=$((passed - skipped))
echo
if [ "$failed" -gt 0 ]; then
	echo "failed tests:"
	grep '^not ok ' "$log"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
