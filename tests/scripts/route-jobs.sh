#!/bin/sh
# route-jobs.sh - s2q-route with worker processes (--jobs N, and the default on a big
# --all run) writes byte for byte what one process writes: the same lines in the same
# order, the same JSON, the same summary and exit code.  The isp sample (3,157
# addresses: chunks of 64..197 addresses, so every worker gets many).
script=route-jobs
. "$(dirname "$0")/lib.inc"
r=$S2Q_BIN/s2q-route
s=$top/samples/isp
host=$(cat "$s/hostname")

"$S2Q_BIN/s2q-migrate" --from "$s/root" --to "$scratch/out" --hostname "$host" --no-route \
	--no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
check "the isp sample converts" test -f "$scratch/out/var/qmail/control/rcpthosts"

for mode in text json; do
	opt=""
	[ $mode = json ] && opt=--json
	# shellcheck disable=SC2086
	"$r" $opt --jobs 1 --sendmail "$s/root" --qmail "$scratch/out" --hostname "$host" --all \
		>"$scratch/one.$mode" 2>"$scratch/one.err"
	rc1=$?
	n=$(wc -l <"$scratch/one.$mode")
	check "$mode: one process: exit 0 or 1, $n lines" test $rc1 -le 1 -a "$n" -gt 3000
	for j in 2 3 16; do
		# shellcheck disable=SC2086
		"$r" $opt --jobs $j --sendmail "$s/root" --qmail "$scratch/out" --hostname "$host" \
			--all >"$scratch/many.$mode" 2>"$scratch/many.err"
		rcj=$?
		check "$mode: --jobs $j: same exit code ($rcj)" test $rcj -eq $rc1
		check "$mode: --jobs $j: same output" cmp -s "$scratch/one.$mode" "$scratch/many.$mode"
		check "$mode: --jobs $j: same diagnostics" cmp -s "$scratch/one.err" "$scratch/many.err"
	done
done
check "json: one document, results then summary" sh -c "head -c 35 '$scratch/many.json' |
	grep -q '^{\"program\":\"s2q-route\",\"results\":\[' &&
	tail -n 1 '$scratch/many.json' | grep -q '^\],\"summary\":{.*,\"diagnostics\":\[.*\]}\$'"

# a few named addresses with more workers than addresses
"$r" --jobs 4 --sendmail "$s/root" --qmail "$scratch/out" --hostname "$host" postmaster root \
	>"$scratch/few4" 2>/dev/null
rc4=$?
"$r" --sendmail "$s/root" --qmail "$scratch/out" --hostname "$host" postmaster root \
	>"$scratch/few1" 2>/dev/null
check "more workers than addresses: same exit code" test $rc4 -eq $?
check "more workers than addresses: same output" cmp -s "$scratch/few1" "$scratch/few4"

# a worker that dies fails the run (exit 111, "a worker process failed"), and the other
# workers are stopped: the report goes to a FIFO nobody reads yet, so every process
# blocks on its output; then one worker is killed and the FIFO drained
fifo=$scratch/fifo
mkfifo "$fifo"
"$r" --json --trace --jobs 3 --sendmail "$s/root" --qmail "$scratch/out" --hostname "$host" --all \
	>"$fifo" 2>"$scratch/kill.err" &
par=$!
exec 3<"$fifo"
# wait (up to 60 s: make check runs scripts side by side) until all three workers exist;
# the parent forks them one after another, so the first seen is not yet all of them
kids=""
n=0
while [ "$(echo $kids | wc -w)" -lt 3 ] && [ $n -lt 600 ]; do
	sleep 0.1
	n=$((n + 1))
	kids=""
	for st in /proc/[0-9]*/stat; do
		set -- $(sed 's/^[0-9]* (.*) //' "$st" 2>/dev/null)
		[ "${2:-}" = "$par" ] && kids="$kids ${st#/proc/}"
	done
	kids=$(echo "$kids" | sed 's|/stat||g')
done
sleep 1
victim=$(echo $kids | cut -d' ' -f2)
check "three workers started" test "$(echo $kids | wc -w)" -eq 3
kill -KILL "$victim" 2>/dev/null
cat <&3 >/dev/null
exec 3<&-
wait $par
rk=$?
check "a killed worker: exit 111 (got $rk)" test $rk -eq 111
check "a killed worker: said so" grep -q 'fatal: a worker process failed' "$scratch/kill.err"
left=0
for k in $kids; do
	[ -d "/proc/$k" ] && [ "$(sed 's/^[0-9]* (.*) \(.\).*/\1/' "/proc/$k/stat" 2>/dev/null)" != Z ] &&
		left=$((left + 1))
done
check "a killed worker: no worker left running" test $left -eq 0

for bad in 0 17 x 2x -1 ""; do
	"$r" --jobs "$bad" --sendmail "$s/root" --qmail "$scratch/out" --all >/dev/null 2>&1
	check "--jobs '$bad': usage, exit 100" test $? -eq 100
done
echo "1..$tap_n"
