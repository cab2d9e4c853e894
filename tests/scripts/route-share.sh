#!/bin/sh
# route-share.sh - s2q-route proves an alias name once for all plain local domains
# (class w on the sendmail side with no virtusertable, access, domaintable or hosts
# entry naming it; locals on the qmail side, taken by qmail-smtpd, not in percenthack,
# no aliases.cdb key naming it) and prints that answer at each of them.  The output
# must be byte for byte what --each-domain (every address resolved on its own)
# prints, also when one domain is made different on one side only, and the
# difference must still show at exactly that domain.  The resolvers' own verdicts
# on the domains are checked through the test helpers (-P).
script=route-share
. "$(dirname "$0")/lib.inc"
r=$S2Q_BIN/s2q-route
t=$scratch/t
mkdir -p "$t"
cp -a "$top/tests/golden/route-basic/in/root" "$t/root"
# three more local domains; d2..d4 get changed below, d5 stays plain
printf 'd2.example\nd3.example\nd4.example\nd5.example\n' >>"$t/root/etc/mail/local-host-names"
"$S2Q_BIN/s2q-migrate" --from "$t/root" --to "$t/out" --hostname mail.example.com --no-route \
	--no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
check "the route test host converts" test -f "$t/out/etc/aliases.cdb"

same_as_each() { # same_as_each NAME: --all equals --all --each-domain (text, json, --jobs 2)
	for opt in "" --json "--jobs 2"; do
		# shellcheck disable=SC2086
		"$r" $opt --sendmail "$t/root" --qmail "$t/out" --hostname mail.example.com --all \
			>"$scratch/shared" 2>"$scratch/shared.err"
		rs=$?
		# shellcheck disable=SC2086
		"$r" $opt --each-domain --sendmail "$t/root" --qmail "$t/out" \
			--hostname mail.example.com --all >"$scratch/each" 2>"$scratch/each.err"
		re=$?
		check "$1: ${opt:-text}: same exit code as --each-domain ($rs)" test $rs -eq $re
		check "$1: ${opt:-text}: same report as --each-domain" cmp -s "$scratch/shared" "$scratch/each"
		check "$1: ${opt:-text}: same diagnostics" cmp -s "$scratch/shared.err" "$scratch/each.err"
	done
	"$r" --sendmail "$t/root" --qmail "$t/out" --hostname mail.example.com --all \
		>"$scratch/report" 2>/dev/null
}

plainness() { # the helpers' verdicts, one "side domain verdict" line each
	for d in example.com mail.example.com localhost d2.example d3.example d4.example \
		d5.example remote.example; do
		"$S2Q_HELPERS/smresolve" -H mail.example.com -P "$t/root" "$d" 2>/dev/null |
			sed 's/^/sendmail /'
		"$S2Q_HELPERS/qresolve" -P "$t/out" "$d" 2>/dev/null | sed 's/^/qmail /'
	done
}

# the lines at DOMAIN, with DOMAIN written as example.com, sorted
at() { grep "@$1: " "$scratch/report" | sed "s/@$1: /@example.com: /" | sort; }

same_as_each "unchanged host"
at example.com >"$scratch/at.ex"
at d5.example >"$scratch/at.d5"
check "unchanged host: d5 answers as example.com ($(wc -l <"$scratch/at.ex") lines)" \
	cmp -s "$scratch/at.ex" "$scratch/at.d5"
at d3.example >"$scratch/at.d3"
check "unchanged host: d3 answers as example.com" cmp -s "$scratch/at.ex" "$scratch/at.d3"

# sendmail side only: a virtusertable entry for one name at d3
printf 'sales@d3.example\terror:nouser 550 gone\n' >>"$t/root/etc/mail/virtusertable"
# qmail side only: d2 no longer local (qmail-send sends it away); an aliases.cdb
# record for team@d4 (fastforward finds it before team@)
grep -v '^d2\.example$' "$t/out/var/qmail/control/locals" >"$scratch/locals"
cp "$scratch/locals" "$t/out/var/qmail/control/locals"
{ cdb -d "$t/out/etc/aliases.cdb" | sed '/^$/d'
  printf '+16,21::team@d4.example->&x@elsewhere.example\000\n\n'; } >"$scratch/dump"
cdb -c "$t/out/etc/aliases.cdb" "$scratch/dump"
check "the tampered aliases.cdb has team@d4.example" \
	sh -c "cdb -q '$t/out/etc/aliases.cdb' ':team@d4.example' | grep -q elsewhere"

same_as_each "changed host"
at example.com >"$scratch/at.ex2"
check "changed host: example.com answers as before" cmp -s "$scratch/at.ex" "$scratch/at.ex2"
# at d3 only sales (and sales+detail) change, at d4 only team
for x in d3.example:sales d4.example:team; do
	d=${x%%:*} n=${x#*:}
	at "$d" >"$scratch/at.x"
	grep -v "^[a-z-]* $n[+@]" "$scratch/at.x" >"$scratch/at.x.rest"
	grep -v "^[a-z-]* $n[+@]" "$scratch/at.ex" >"$scratch/at.ex.rest"
	check "$d: every name but $n answers as example.com" cmp -s "$scratch/at.ex.rest" "$scratch/at.x.rest"
	check "$d: $n@$d answers differently" sh -c "! grep -qx \"\$(grep '^[a-z-]* $n@example.com: ' '$scratch/at.x')\" '$scratch/at.ex'"
done
nd2=$(grep -c '@d2\.example' "$scratch/report")
check "d2: every address differs ($nd2)" test "$(grep -v '^same ' "$scratch/report" | grep -c '@d2\.example')" -eq "$nd2"
at d5.example >"$scratch/at.d5"
check "d5 (plain): answers as in the unchanged host" cmp -s "$scratch/at.ex" "$scratch/at.d5"

plainness >"$scratch/plain"
cat >"$scratch/plain.want" <<'EOF'
sendmail example.com	plain
qmail example.com	plain
sendmail mail.example.com	plain
qmail mail.example.com	plain
sendmail localhost	plain
qmail localhost	plain
sendmail d2.example	plain
qmail d2.example	not-plain
sendmail d3.example	not-plain
qmail d3.example	plain
sendmail d4.example	plain
qmail d4.example	not-plain
sendmail d5.example	plain
qmail d5.example	plain
sendmail remote.example	not-plain
qmail remote.example	not-plain
EOF
if cmp -s "$scratch/plain" "$scratch/plain.want"; then
	ok "the resolvers' plain-domain verdicts"
else
	notok "the resolvers' plain-domain verdicts"
	diff "$scratch/plain.want" "$scratch/plain" | sed 's/^/# /'
fi

# access (the isp sample has it): a user@domain key makes only that domain not plain,
# a domain key also its subdomains
cp -a "$top/samples/isp/root" "$t/isp"
isp() { "$S2Q_HELPERS/smresolve" -H mx1.isp.example.net -P "$t/isp" mail.isp.example.net \
	pop.isp.example.net 2>/dev/null | tr '\t\n' ' ;'; }
check "isp: mail. and pop.isp.example.net are plain" test "$(isp)" = \
	"mail.isp.example.net plain;pop.isp.example.net plain;"
printf 'To:abuse@isp.example.net\tREJECT\n' >>"$t/isp/etc/mail/access"
check "isp: To:abuse@isp.example.net leaves the subdomains plain" test "$(isp)" = \
	"mail.isp.example.net plain;pop.isp.example.net plain;"
printf 'To:someone@pop.isp.example.net\tREJECT\n' >>"$t/isp/etc/mail/access"
check "isp: To:someone@pop.isp.example.net: pop. is not plain" test "$(isp)" = \
	"mail.isp.example.net plain;pop.isp.example.net not-plain;"
printf 'To:isp.example.net\tREJECT\n' >>"$t/isp/etc/mail/access"
check "isp: To:isp.example.net reaches both subdomains" test "$(isp)" = \
	"mail.isp.example.net not-plain;pop.isp.example.net not-plain;"

# found by review: answers that depend on the domain without naming it in full.
# A .qmail line using $HOST2 (the domain without its last label), one choosing its
# aliases cdb by $HOST, and a domaintable declared -f (case kept) with a
# mixed-case key for a class-w name: each must keep the report equal to --each-domain
each_equal() { # each_equal NAME ROOT OUT
	"$r" --sendmail "$2" --qmail "$3" --hostname mail.example.com --all >"$scratch/sh" 2>/dev/null
	rs=$?
	"$r" --each-domain --sendmail "$2" --qmail "$3" --hostname mail.example.com --all \
		>"$scratch/ea" 2>/dev/null
	check "$1: same exit code as --each-domain ($rs)" test $rs -eq $?
	check "$1: same report as --each-domain" cmp -s "$scratch/sh" "$scratch/ea"
}
mkdir -p "$t/h"
cp -a "$top/tests/golden/route-basic/in/root" "$t/h/root"
printf 'a.example.com\nb.example.com\n' >>"$t/h/root/etc/mail/local-host-names"
"$S2Q_BIN/s2q-migrate" --from "$t/h/root" --to "$t/h/out" --hostname mail.example.com \
	--no-route --no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
printf '|forward "copy@$HOST2"\n' >"$t/h/out/var/qmail/alias/.qmail-archive"
each_equal "\$HOST2 in a .qmail line" "$t/h/root" "$t/h/out"
check "\$HOST2: archive@a.example.com goes to copy@a.example" \
	grep -q "archive@a.example.com: .*forward copy@a.example via" "$scratch/sh"
printf '|fastforward /etc/aliases-$HOST.cdb\n' >"$t/h/out/var/qmail/alias/.qmail-archive"
i=0
for d in mail.example.com localhost example.com a.example.com b.example.com; do
	i=$((i + 1))
	printf '+9,12::archive@->&to%d@x.test\000\n\n' "$i" >"$scratch/dump"
	cdb -c "$t/h/out/etc/aliases-$d.cdb" "$scratch/dump"
done
each_equal "an aliases cdb chosen by \$HOST" "$t/h/root" "$t/h/out"
check "\$HOST cdb: archive@b.example.com goes to to5@x.test" \
	grep -q "archive@b.example.com: .*forward to5@x.test" "$scratch/sh"
mkdir -p "$t/dt"
cp -a "$top/tests/golden/route-basic/in/root" "$t/dt/root"
printf 'Mixed.Example\n' >>"$t/dt/root/etc/mail/local-host-names"
"$S2Q_BIN/s2q-migrate" --from "$t/dt/root" --to "$t/dt/out" --hostname mail.example.com \
	--no-route --no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
cf=$t/dt/root/etc/mail/sendmail.cf
awk '{ print }
	/^Kmailertable / { print "Kdomaintable hash -f -o /etc/mail/domaintable" }
	/^R\$\+ < \$\+ @ \$\+ >/ { print "R$* < @ $+ > $*\t\t$: $1 < @ $(domaintable $2 $) > $3" }' \
	"$cf" >"$scratch/cf" && cp "$scratch/cf" "$cf"
printf 'Mixed.Example\texample.com\n' >"$t/dt/root/etc/mail/domaintable"
printf 'alice@example.com\terror:nouser 550 alice is gone\n' >>"$t/dt/root/etc/mail/virtusertable"
check "-f domaintable: the cf declares it" grep -q '^Kdomaintable hash -f' "$cf"
each_equal "a -f domaintable with a mixed-case key" "$t/dt/root" "$t/dt/out"
check "-f domaintable: alice@Mixed.Example follows the domaintable (gone)" \
	grep -q "alice@Mixed.Example: sendmail: bounce 5.1.1 alice is gone" "$scratch/sh"
# a cycle of 64 aliases through a fixed address: qmail meets its Delivered-To loop or its
# depth limit one level later at another domain than at the one the cycle names
mkdir -p "$t/cy"
cp -a "$top/tests/golden/route-basic/in/root" "$t/cy/root"
i=0
while [ $i -lt 64 ]; do
	echo "c$i: c$(((i + 1) % 64))@mail.example.com"
	i=$((i + 1))
done >>"$t/cy/root/etc/mail/aliases"
"$S2Q_BIN/s2q-migrate" --from "$t/cy/root" --to "$t/cy/out" --hostname mail.example.com \
	--no-route --no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
# s2q-aliases sees the cycle (S2Q-A020) and bounces it: the qmail tree gets the
# cycle by hand, one ~alias/.qmail-cN forward each
i=0
while [ $i -lt 64 ]; do
	echo "&c$(((i + 1) % 64))@mail.example.com" >"$t/cy/out/var/qmail/alias/.qmail-c$i"
	i=$((i + 1))
done
each_equal "a 64-alias cycle" "$t/cy/root" "$t/cy/out"
check "64-alias cycle: c0@example.com meets the depth limit" \
	grep -q "c0@example.com: .*qmail: defer s2q: more than 64 forwarding levels" "$scratch/sh"

# the isp sample (class w: 4 own names, 3 with virtusertable entries): the same report
s=$top/samples/isp
"$S2Q_BIN/s2q-migrate" --from "$s/root" --to "$t/ispout" --hostname "$(cat "$s/hostname")" \
	--no-route --no-home-check --alias-uid 7790 --alias-gid 2108 >/dev/null 2>&1
"$r" --sendmail "$s/root" --qmail "$t/ispout" --hostname "$(cat "$s/hostname")" --all \
	>"$scratch/isp.shared" 2>/dev/null
"$r" --each-domain --sendmail "$s/root" --qmail "$t/ispout" --hostname "$(cat "$s/hostname")" \
	--all >"$scratch/isp.each" 2>/dev/null
check "isp sample: same report as --each-domain ($(wc -l <"$scratch/isp.each") lines)" \
	cmp -s "$scratch/isp.shared" "$scratch/isp.each"
# sendmail's check_rcpt refusing at plain domains (access "To:webmaster@": the
# unqualified answer must not be taken there), and qmail's rcpthosts refusing
# qmail-inject's defaulthost (its answer must not be taken for L@defaulthost)
cp -a "$s/root" "$t/isp2"
printf 'To:webmaster@\tREJECT\n' >>"$t/isp2/etc/mail/access"
dh=$(cat "$t/ispout/var/qmail/control/defaulthost")
grep -vix "$dh" "$t/ispout/var/qmail/control/rcpthosts" >"$scratch/rh"
cp "$scratch/rh" "$t/ispout/var/qmail/control/rcpthosts"
"$r" --sendmail "$t/isp2" --qmail "$t/ispout" --hostname "$(cat "$s/hostname")" --all \
	>"$scratch/isp.shared" 2>/dev/null
"$r" --each-domain --sendmail "$t/isp2" --qmail "$t/ispout" --hostname "$(cat "$s/hostname")" \
	--all >"$scratch/isp.each" 2>/dev/null
check "isp, refusals on both sides: same report as --each-domain" \
	cmp -s "$scratch/isp.shared" "$scratch/isp.each"
check "isp, refusals: webmaster@ refused by sendmail at a plain domain" \
	grep -q "webmaster@mail.isp.example.net: sendmail: bounce 5.2.1" "$scratch/isp.each"
check "isp, refusals: qmail refuses the defaulthost $dh" \
	grep -q "webmaster@$dh: .*refused 5.7.1 sorry, that domain" "$scratch/isp.each"
echo "1..$tap_n"
