#!/bin/sh
# newu-faults.sh - make every write, fsync, close, rename, open(O_CREAT) and
# malloc call of an s2q-newu run fail in turn: each run exits 111, leaves the
# old users/cdb byte-identical and no temp file behind.
script=newu-faults
. "$(dirname "$0")/lib.inc"

if [ "${S2Q_SANITIZE:-0}" = 1 ]; then
	skip "fault injection" "runs in the plain build: an LD_PRELOADed malloc cannot stack over ASan"
	exit 0
fi
d="$scratch/q"
mkdir -p "$d/users"
i=0
while [ $i -lt 3000 ]; do
	printf '=user%d:user%d:%d:100:/home/user%d:::\n+user%d-:user%d:%d:100:/home/user%d:-::\n' \
		$i $i $((i + 1000)) $i $i $i $((i + 1000)) $i
	i=$((i + 1))
done > "$d/users/assign"
echo . >> "$d/users/assign"
printf 'the old users/cdb\n' > "$d/users/cdb"
before=$(treesum "$d")

for f in write fsync close rename open malloc; do
	n=1 fired=0 bad=""
	while [ $n -le 400 ]; do
		rm -rf "$scratch/log" "$scratch/run"
		cp -a "$d" "$scratch/run"
		S2Q_FAULT=$f:$n S2Q_FAULT_LOG="$scratch/log" LD_PRELOAD="$S2Q_FAULT_SO" \
			"$S2Q_BIN/s2q-newu" -d "$scratch/run" >/dev/null 2>"$scratch/err"
		rc=$?
		[ -s "$scratch/log" ] || break	# the Nth call never came: all sites done
		fired=$((fired + 1))
		[ $rc -eq 111 ] || bad="$bad $f:$n:rc=$rc"
		[ "$(treesum "$scratch/run")" = "$before" ] || { bad="$bad $f:$n:tree-changed"; break; }
		n=$((n + 1))
	done
	if [ $fired -eq 0 ] && [ "$f" != malloc ]; then
		notok "$f: the fault never fired"
	elif [ -n "$bad" ]; then
		notok "$f: failures at$bad"
	else
		ok "$f: $fired call sites fail cleanly (exit 111, users/cdb untouched, no temp)"
	fi
done
# and without a fault the run succeeds and replaces users/cdb
"$S2Q_BIN/s2q-newu" -d "$d" 2>/dev/null
check "no fault: users/cdb written" test "$(treesum "$d")" != "$before"
