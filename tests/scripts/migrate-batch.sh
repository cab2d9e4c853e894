#!/bin/sh
# migrate-batch.sh - s2q-migrate --batch: a manifest of generated hosts, some corrupt
# (a bad cf line, an alias file that cannot be read, a missing root, a bad manifest
# line), run in parallel: every good host converted, every bad one reported with its
# reason, one JSON line each in manifest order, a report per host, exit 1.
script=migrate-batch
. "$(dirname "$0")/lib.inc"
m=$S2Q_BIN/s2q-migrate
src=$top/tests/golden/migrate-sample02/in/root
b=$scratch/b
mkdir -p "$b"
good="h01 h02 h03 h05 h06 h08"
for h in $good h04 h07; do cp -a "$src" "$b/$h"; done
# per host a different host name, so the outputs differ
echo "Zbogus line" >>"$b/h04/etc/mail/sendmail.cf"
rm "$b/h07/etc/mail/aliases" && mkdir "$b/h07/etc/mail/aliases"
{
	echo "# generated hosts"
	for h in h01 h02 h03 h04; do echo "$h $b/$h $b/out-$h --hostname mx.$h.example.com"; done
	echo ""
	echo "h05 $b/h05 $b/out-h05 --hostname mx.h05.example.com --exclude-domains ^hosted-a"
	echo "h06 $b/h06 $b/out-h06 --hostname mx.h06.example.com"
	echo "h07 $b/h07 $b/out-h07 --hostname mx.h07.example.com"
	echo "h08 $b/h08 $b/out-h08 --hostname mx.h08.example.com"
	echo "h09 $b/nonexistent $b/out-h09 --hostname mx.h09.example.com"
	echo "h01 $b/h01 $b/out-dup"
	echo "only-two words"
} >"$b/manifest"
"$m" --batch "$b/manifest" -j 3 --report-dir "$b/rep" --no-route --no-home-check >"$b/sum" 2>"$b/err"
rc=$?
check "exit 1 (some hosts not converted)" test $rc -eq 1
check "one JSON line per host, manifest order" test "$(cut -d'"' -f4 "$b/sum" | tr '\n' ' ')" = "h01 h02 h03 h04 h05 h06 h07 h08 h09 "
for h in $good; do
	check "$h converted" grep -q "^{\"name\":\"$h\",\"status\":\"converted\",\"exit\":0," "$b/sum"
	check "$h written" test -s "$b/out-$h/var/qmail/users/cdb"
	check "$h report" grep -q '"status":"converted"' "$b/rep/$h.json"
done
check "h04 refused with the cf error as reason" grep -q '^{"name":"h04","status":"refused","exit":100,.*"reason":"cf: 1 input error' "$b/sum"
check "h04 report names the bad line" grep -q 'unknown configuration line \\"Zbogus line\\"' "$b/rep/h04.json"
check "h04 wrote nothing" test ! -e "$b/out-h04"
check "h07 refused, its reason names the alias file" grep -q '^{"name":"h07","status":"refused","exit":100,.*/etc/mail/aliases' "$b/sum"
check "h07 wrote nothing" test ! -e "$b/out-h07"
check "h09 (no root) reported" grep -q '^{"name":"h09","status":"refused","exit":100,.*unable to find' "$b/sum"
check "h05 kept hosted-a out" sh -c "! grep -q hosted-a '$b/out-h05/var/qmail/control/virtualdomains'"
check "h06 has hosted-a" grep -q hosted-a "$b/out-h06/var/qmail/control/virtualdomains"
check "h08 report carries its own host name" grep -q "\"hostname\":\"mx.h08.example.com\"" "$b/rep/h08.json"
check "duplicate name reported" grep -q 'manifest:12: host h01 is already named on line 2 \[S2Q-G031\]' "$b/err"
check "bad manifest line reported" grep -q 'manifest:13: want NAME SENDMAIL_ROOT OUTROOT \[options\] \[S2Q-G030\]' "$b/err"
check "no progress line when stderr is not a terminal" sh -c "! grep -q '\[1/9\]' '$b/err'"
# a batch of good hosts only: exit 0
grep -E '^h0[1236] .*--hostname' "$b/manifest" | sed 's/out-/again-/' >"$b/good"
"$m" --batch "$b/good" -j 2 --no-route --no-home-check >"$b/sum2" 2>"$b/err2"
rc=$?
check "all good: exit 0" test $rc -eq 0
[ $rc -eq 0 ] || sed "s/^/#   /" "$b/sum2" "$b/err2" "$b/good" | head
check "all good: four lines" test "$(wc -l <"$b/sum2")" -eq 4
check "same input, same bytes: a second run's tree" sh -c "diff -r '$b/out-h01' '$b/again-h01'"
echo "1..$tap_n"
