#!/bin/sh
# route-nested.sh - s2q-route takes what qmail-send answered for an unqualified
# name's first re-injection as the answer for that address by SMTP.  Here
# qmail-inject's host is a virtual domain (sample 02 masquerades as example.com,
# which has a virtusertable entry, so s2q-virtusers sends every other name there
# on to NAME@mx1.example.com), the case of every alias name of such a host.  The
# report must be byte for byte what --each-domain (every address resolved on its
# own) prints, also where that re-injection meets qmail's forwarding level limit
# one level earlier than the address on its own does (a 64-hop alias chain).
script=route-nested
. "$(dirname "$0")/lib.inc"
r=$S2Q_BIN/s2q-route
t=$scratch/t
mkdir -p "$t"
cp -a "$top/tests/golden/virtusers-sample02/in/root" "$t/root"
m=$t/root/etc/mail
cp "$top/tests/golden/virtusers-sample02/in/passwd" "$t/root/etc/passwd"
i=0
while [ $i -lt 50 ]; do
	echo "u$i:x:$((2000 + i)):100:user $i:/home/u$i:/bin/sh"
	i=$((i + 1))
done >>"$t/root/etc/passwd"
mkdir -p "$m/lists"
for k in 0 1 2 3 4; do
	printf 'u%d\nu%d\nlist%d@remote.example\n' "$k" "$((k + 10))" "$k" >"$m/lists/l$k"
done
# 300 names: one user, a user and a remote address, an :include: list; then the chain
i=0
while [ $i -lt 300 ]; do
	if [ $((i % 10)) -eq 0 ]; then
		echo "n$i: :include:/etc/mail/lists/l$((i / 10 % 5)), u1"
	elif [ $((i % 7)) -eq 0 ]; then
		echo "n$i: u$((i % 50)), r$i@remote.example"
	else
		echo "n$i: u$((i % 50))"
	fi
	i=$((i + 1))
done >>"$m/aliases"
i=0
while [ $i -lt 63 ]; do
	echo "k$i: k$((i + 1))"
	i=$((i + 1))
done >>"$m/aliases"
echo "k63: dest@remote.example" >>"$m/aliases"
"$S2Q_BIN/s2q-migrate" --from "$t/root" --to "$t/out" --hostname mx1.example.com --no-route \
	--no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
check "the host converts" test -f "$t/out/etc/aliases.cdb"
check "qmail-inject's host is example.com" grep -qx example.com "$t/out/var/qmail/control/defaulthost"
# sendmail stops the chain after 10 aliases (and s2q-aliases converts that); on the
# qmail side it is made of ~alias/.qmail files instead: 64 hops from k0@mx1
i=0
while [ $i -lt 63 ]; do
	echo "&k$((i + 1))@mx1.example.com" >"$t/out/var/qmail/alias/.qmail-k$i"
	i=$((i + 1))
done
echo "&dest@remote.example" >"$t/out/var/qmail/alias/.qmail-k63"

# the way an unqualified name goes: example.com's catch-all, then NAME@mx1 first of all
"$r" --sendmail "$t/root" --qmail "$t/out" --hostname mx1.example.com --trace n3 \
	>"$scratch/trace" 2>/dev/null
check "n3 goes through example.com's virtual domain" \
	grep -q "^  qmail: virtualdomains: 'example.com' -> prepend" "$scratch/trace"
check "n3's first re-injection is n3@mx1.example.com" \
	sh -c "grep '^  qmail:   qmail-send: <' '$scratch/trace' | head -1 |
		grep -q '<n3@mx1.example.com>'"

for opt in "" --json "--jobs 2"; do
	# shellcheck disable=SC2086
	"$r" $opt --sendmail "$t/root" --qmail "$t/out" --hostname mx1.example.com --all \
		>"$scratch/shared" 2>"$scratch/shared.err"
	rs=$?
	# shellcheck disable=SC2086
	"$r" $opt --each-domain --sendmail "$t/root" --qmail "$t/out" --hostname mx1.example.com \
		--all >"$scratch/each" 2>"$scratch/each.err"
	re=$?
	check "${opt:-text}: same exit code as --each-domain ($rs)" test $rs -eq $re
	check "${opt:-text}: same report as --each-domain" cmp -s "$scratch/shared" "$scratch/each"
	check "${opt:-text}: same diagnostics" cmp -s "$scratch/shared.err" "$scratch/each.err"
	[ -z "$opt" ] && cp "$scratch/shared" "$scratch/report"
done
n=$(grep -c '^[a-z-]* n[0-9]*@mx1\.example\.com: ' "$scratch/report")
check "every name at mx1.example.com is reported ($n)" test "$n" -eq 300
# the chain: 64 levels from k0@mx1 (the limit), one more from k0 (example.com first)
check "k0: qmail meets the level limit" \
	grep -q "^[a-z-]* k0: .*qmail: defer s2q: more than 64 forwarding levels" "$scratch/report"
check "k0@mx1.example.com: qmail forwards to dest@remote.example" \
	grep -q "^[a-z-]* k0@mx1\.example\.com: .*qmail: forward dest@remote\.example via" "$scratch/report"
echo "1..$tap_n"
