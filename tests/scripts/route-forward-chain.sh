#!/bin/sh
# route-forward-chain.sh - 41 users whose .forward files each forward to the next one
# (and keep a copy: \fN, fN+1): following one reads the others, and the sendmail-side
# resolver's cache of list files grows (and moves) while a .forward is being followed.
# It used to read the moved entries (a use-after-free found by review: a crash, or under
# SANITIZE=1 an ASan report).  s2q-route must finish, the same with and without
# --each-domain, and the chain must show as sendmail's "loop broken" past 10 levels.
script=route-forward-chain
. "$(dirname "$0")/lib.inc"
r=$S2Q_BIN/s2q-route
R=$scratch/root
cp -a "$top/tests/golden/route-basic/in/root" "$R"
echo d2.example >>"$R/etc/mail/local-host-names"
i=0
while [ $i -lt 40 ]; do
	echo "f$i:x:$((3000 + i)):$((3000 + i))::/home/f$i:/bin/sh" >>"$R/etc/passwd"
	mkdir -p "$R/home/f$i"
	printf '\\f%d, f%d\n' $i $((i + 1)) >"$R/home/f$i/.forward"
	i=$((i + 1))
done
echo "f40:x:3040:3040::/home/f40:/bin/sh" >>"$R/etc/passwd"
mkdir -p "$R/home/f40"
"$S2Q_BIN/s2q-migrate" --from "$R" --to "$scratch/out" --hostname mail.example.com --no-route \
	--no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
check "the host converts" test -f "$scratch/out/var/qmail/control/rcpthosts"

"$r" --sendmail "$R" --qmail "$scratch/out" --hostname mail.example.com --all \
	>"$scratch/sh" 2>"$scratch/sh.err"
rs=$?
check "s2q-route finishes (exit 0 or 1, got $rs)" test $rs -le 1
"$r" --each-domain --sendmail "$R" --qmail "$scratch/out" --hostname mail.example.com --all \
	>"$scratch/ea" 2>"$scratch/ea.err"
re=$?
check "--each-domain finishes (exit 0 or 1, got $re)" test $re -le 1
check "s2q-route: the report ends with its summary" sh -c "tail -n 1 '$scratch/sh' | grep -q '^summary: '"
check "--each-domain: the report ends with its summary" sh -c "tail -n 1 '$scratch/ea' | grep -q '^summary: '"
check "no sanitizer report" sh -c "! grep -q Sanitizer '$scratch/sh.err' '$scratch/ea.err'"
check "the same report either way" cmp -s "$scratch/sh" "$scratch/ea"
check "every f0..f40 is proved at each domain" \
	test "$(grep -c '^[a-z-]* f[0-9]*@d2\.example: ' "$scratch/ea")" -eq 41
check "f17: sendmail breaks the forwarding loop past 10 levels" \
	grep -q '^different f17: sendmail: bounce 5.4.6 aliasing/forwarding loop broken' "$scratch/ea"
"$S2Q_HELPERS/smresolve" -H mail.example.com "$R" f0 >"$scratch/f0" 2>/dev/null
check "smresolve f0 finishes" test $? -eq 0
echo "1..$tap_n"
