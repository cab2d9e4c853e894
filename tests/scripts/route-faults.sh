#!/bin/sh
# route-faults.sh - make malloc calls of an s2q-route run fail in turn
# (tests/wrap/faultinject.c): each run either exits 111 with a fatal message,
# or (a failure absorbed, e.g. by qsort) prints exactly the report of the run
# without a fault; never a crash, never a report with parts missing, never a
# different verdict.  The route test host of tests/golden/route-basic,
# converted by the real converters, a few addresses of each kind.
script=route-faults
. "$(dirname "$0")/lib.inc"

if [ "${S2Q_SANITIZE:-0}" = 1 ]; then
	skip "malloc faults" "runs in the plain build: an LD_PRELOADed malloc cannot stack over ASan"
	echo "1..$tap_n"
	exit 0
fi
if [ -z "${S2Q_FAULT_SO:-}" ] || [ ! -f "$S2Q_FAULT_SO" ]; then
	notok "S2Q_FAULT_SO (tests/wrap/faultinject.c) not built"
	echo "1..$tap_n"
	exit 0
fi

t="$scratch/t"
mkdir -p "$t"
cp -a "$top/tests/golden/route-basic/in/root" "$t/root"
(cd "$t" && sh "$top/tests/golden/route-basic/convert.sh" root out >/dev/null 2>&1)
addrs="sales@example.com support archive@example.com info+x@virt.example jobs@virt.example
s2q.nosuch@example.com"
max=1500

for mode in text json; do
	opt=""
	[ $mode = json ] && opt=--json
	# shellcheck disable=SC2086
	(cd "$t" && env LD_PRELOAD="$S2Q_FAULT_SO" S2Q_FAULT_COUNT="$scratch/count" \
		"$S2Q_BIN/s2q-route" $opt --sendmail root --qmail out --hostname mail.example.com \
		--known out.json/aliases $addrs >"$scratch/want" 2>"$scratch/wanterr")
	rc0=$?
	total=$(sed -n 's/^malloc //p' "$scratch/count")
	if [ $rc0 -ne 0 ] || [ "${total:-0}" -eq 0 ]; then
		notok "$mode: without a fault: exit $rc0 (want 0), $total malloc calls"
		continue
	fi
	step=$(( (total + max - 1) / max ))
	n=1 bad="" n111=0 nsame=0 tried=0
	while [ $n -le "$total" ]; do
		: >"$scratch/flog"
		# shellcheck disable=SC2086
		(cd "$t" && LD_PRELOAD="$S2Q_FAULT_SO" S2Q_FAULT="malloc:$n" S2Q_FAULT_LOG="$scratch/flog" \
			exec "$S2Q_BIN/s2q-route" $opt --sendmail root --qmail out --hostname mail.example.com \
			--known out.json/aliases $addrs >"$scratch/got" 2>"$scratch/goterr")
		rc=$?
		tried=$((tried + 1))
		if [ ! -s "$scratch/flog" ]; then
			:	# not reached in this run
		elif [ $rc -eq 111 ]; then
			n111=$((n111 + 1))
			grep -q 'fatal' "$scratch/goterr" || bad="$bad $n:111-without-message"
		elif [ $rc -eq $rc0 ] && cmp -s "$scratch/got" "$scratch/want"; then
			nsame=$((nsame + 1))
		else
			bad="$bad $n:exit=$rc"
		fi
		[ -n "$bad" ] && [ "$(echo "$bad" | wc -w)" -ge 5 ] && break
		if [ $n -lt "$total" ] && [ $((n + step)) -gt "$total" ]; then
			n=$total
		else
			n=$((n + step))
		fi
	done
	if [ -n "$bad" ]; then
		notok "$mode: malloc faults: failures at$bad"
		sed 's/^/#   /' "$scratch/goterr" | head -5
	else
		ok "$mode: $tried of $total malloc calls failed in turn, all cleanly ($n111 exit 111, $nsame absorbed with the full report)"
	fi
done
echo "1..$tap_n"
