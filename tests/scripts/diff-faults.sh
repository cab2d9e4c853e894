#!/bin/sh
# diff-faults.sh - make every malloc call of an s2q-diff run fail in turn
# (tests/wrap/faultinject.c): each run either exits 111 with nothing but a
# fatal message, or (when the failure was absorbed, e.g. by qsort) prints
# exactly the report of the run without a fault; never a crash, never a
# report with parts missing.  The trees are never written.
script=diff-faults
. "$(dirname "$0")/lib.inc"

if [ "${S2Q_SANITIZE:-0}" = 1 ]; then
	skip "malloc faults" "runs in the plain build: an LD_PRELOADed malloc cannot stack over ASan"
	exit 0
fi
if [ -z "${S2Q_FAULT_SO:-}" ] || [ ! -f "$S2Q_FAULT_SO" ]; then
	notok "S2Q_FAULT_SO (tests/wrap/faultinject.c) not built"
	exit 0
fi

t="$scratch/t"
mkdir -p "$t/A/users" "$t/B/users" "$t/A/control" "$t/B/control" "$t/B/home/joe"
printf '=joe:joe:1000:1000:/home/joe:::\n+joe-:joe:1000:1000:/home/joe:-::\n.\n' > "$t/A/users/assign"
printf '=joe:joe:1000:1000:/home/joe:::\n=Ann:ann:1001:1001:/home/ann:::\n.\n' > "$t/B/users/assign"
"$S2Q_BIN/s2q-newu" -d "$t/A" && "$S2Q_BIN/s2q-newu" -d "$t/B"
printf 'example.com\n' > "$t/A/control/rcpthosts"
printf 'example.com\nexample.org\n' > "$t/B/control/rcpthosts"
printf '+9,0:a.example->\n\n' | cdb -c "$t/B/control/morercpthosts.cdb"
printf '|prog\n' > "$t/B/home/joe/.qmail" && chmod 755 "$t/B/home/joe/.qmail"
before=$(treesum "$t")

for mode in text json; do
	opt=""
	[ $mode = json ] && opt=--json
	(cd "$t" && env LD_PRELOAD="$S2Q_FAULT_SO" S2Q_FAULT_COUNT="$scratch/count" \
		"$S2Q_BIN/s2q-diff" $opt --ignore-owner A B >"$scratch/want" 2>"$scratch/wanterr")
	rc0=$?
	total=$(sed -n 's/^malloc //p' "$scratch/count")
	if [ $rc0 -ne 1 ] || [ "${total:-0}" -eq 0 ]; then
		notok "$mode: without a fault: exit $rc0 (want 1), $total malloc calls"
		continue
	fi
	n=1 bad="" n111=0 nsame=0
	while [ $n -le "$total" ]; do
		: >"$scratch/flog"
		(cd "$t" && LD_PRELOAD="$S2Q_FAULT_SO" S2Q_FAULT="malloc:$n" S2Q_FAULT_LOG="$scratch/flog" \
			exec "$S2Q_BIN/s2q-diff" $opt --ignore-owner A B >"$scratch/got" 2>"$scratch/goterr")
		rc=$?
		if [ ! -s "$scratch/flog" ]; then
			:	# not reached in this run (allocation pattern differs): nothing to check
		elif [ $rc -eq 111 ]; then
			n111=$((n111 + 1))
			grep -q 'fatal' "$scratch/goterr" || bad="$bad $n:111-without-message"
		elif [ $rc -eq $rc0 ] && cmp -s "$scratch/got" "$scratch/want"; then
			nsame=$((nsame + 1))
		else
			bad="$bad $n:exit=$rc"
		fi
		[ -n "$bad" ] && [ "$(echo "$bad" | wc -w)" -ge 5 ] && break
		n=$((n + 1))
	done
	if [ -n "$bad" ]; then
		notok "$mode: malloc faults: failures at$bad"
		sed 's/^/#   /' "$scratch/goterr" | head -5
	else
		ok "$mode: all $total malloc calls fail cleanly ($n111 exit 111, $nsame absorbed with the full report)"
	fi
done
check "the trees are never written" [ "$(treesum "$t")" = "$before" ]
