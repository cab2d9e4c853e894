#!/bin/sh
# samples-oracle.sh - the bundled sample hosts (samples/office, isp, hosting)
# and the real sendmail's answers recorded for them (samples/record.sh).
#
# Without the oracle:
#   - every recording is well formed (header, ADDRESS<TAB>non-empty answer,
#     sorted, no oracle trouble such as "can not chdir" or a private path);
#   - the recordings are current: they answer exactly the addresses that
#     `samples/record.sh --addresses NAME` derives from the sample's files now;
#   - samples/hosting/gen.sh regenerates its committed files byte for byte
#     (and with -n 3 writes 3 domains, deterministically);
#   - the converters accept every sample (s2q-cf, s2q-aliases, s2q-virtusers
#     exit 0; office has no virtusertable: S2Q-V017, exit 100);
#   - where m4 and sendmail-cf are installed, samples/regen.sh reproduces the
#     committed sendmail.cf files (skipped otherwise: the tests never need m4).
# With the oracle (tests/oracle/sm.sh available): `samples/record.sh --check`
# asks sendmail again and must find every recording unchanged.  With CI=true
# an oracle that cannot run is a failure, otherwise a SKIP.
script=samples-oracle
. "$(dirname "$0")/lib.inc"
sd="$top/samples"
samples="office isp hosting"

# same NAME WANT GOT: ok if the files are equal, else notok and the first lines of the diff
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff "$2" "$3" | head -20 | sed 's/^/#   /'
	fi
}

# wellformed FILE: the recording's body lines are ADDRESS<TAB>ANSWER, sorted, answers sane
wellformed() {
	grep -q '^# Real sendmail ' "$1" || return 1
	grep -v '^#' "$1" > "$scratch/body" || return 1
	[ -s "$scratch/body" ] || return 1
	awk -F '\t' 'NF != 2 || $1 == "" || $2 == "" { bad = 1 } END { exit bad }' "$scratch/body" || return 1
	LC_ALL=C sort -c "$scratch/body" 2>/dev/null || return 1
	! grep -Eq 'can not chdir|/tmp/|s2q-samples\.|cannot open|World writable' "$scratch/body"
}

for smp in $samples; do
	for f in "$sd/$smp"/expected-bv.txt "$sd/$smp"/expected-check_rcpt.txt; do
		[ -e "$f" ] && check "$smp: $(basename "$f") is well formed" wellformed "$f"
	done
	check "$smp: expected-bi.txt is sendmail -bi's summary" \
		grep -q '^/etc/mail/aliases: [0-9]* aliases, longest [0-9]* bytes, [0-9]* bytes total$' \
		"$sd/$smp/expected-bi.txt"
	if sh "$sd/record.sh" --addresses "$smp" > "$scratch/$smp.addrs" 2>"$scratch/err"; then
		grep -v '^#' "$sd/$smp/expected-bv.txt" | cut -f 1 > "$scratch/$smp.rec"
		same "$smp: expected-bv.txt answers exactly the addresses of the sample's files" \
			"$scratch/$smp.addrs" "$scratch/$smp.rec"
		if [ -e "$sd/$smp/expected-check_rcpt.txt" ]; then
			grep -v '^#' "$sd/$smp/expected-check_rcpt.txt" | cut -f 1 > "$scratch/$smp.rcpt"
			same "$smp: expected-check_rcpt.txt answers the same addresses" \
				"$scratch/$smp.addrs" "$scratch/$smp.rcpt"
		fi
	else
		notok "$smp: record.sh --addresses failed: $(head -3 "$scratch/err")"
	fi
done

# a few answers that show what the samples are about (and that the files are not stale)
ans() { awk -F '\t' -v a="$2" '$1 == a { print $2 }' "$sd/$1/expected-bv.txt"; }
check "office: carla's .forward keeps a copy (backslash) and forwards" \
	test "$(ans office carla)" = '\carla... deliverable: mailer local, user \carla | carla.rossi@mobile.example.org... deliverable: mailer relay, host [smtp.provider.example.net], user carla.rossi@mobile.example.org'
check "office: no LUSER_RELAY, unknown names bounce" \
	test "$(ans office nosuch.user@office.example.com)" = 'nosuch.user@office.example.com... User unknown'
check "isp: mailertable . overrides SMART_HOST, which only literals reach" \
	test "$(ans isp 'someone@[192.0.2.25]')" = 'someone@[192.0.2.25]... deliverable: mailer relay, host [relay-legacy.isp.example.net], user someone@[192.0.2.25]'
check "isp: virtusertable %1 catch-all keeps the case" \
	test "$(ans isp Jane.Doe@garden-club.example.org)" = 'Jane.Doe@garden-club.example.org... deliverable: mailer esmtp, host [outbound.isp.example.net], user Jane.Doe@members.garden-club.example.net'
check "isp: To: REJECT at RCPT time" \
	grep -qx 'someone@blocked.example.org	$# error $@ 5 . 2 . 1 $: "550 Mailbox disabled for this recipient"' \
	"$sd/isp/expected-check_rcpt.txt"
check "hosting: LUSER_RELAY local:unknown-user reaches the support queue" \
	test "$(ans hosting nosuchname)" = '"|/usr/local/bin/rt-mailgate --queue support --action correspond"... deliverable: mailer prog, user "|/usr/local/bin/rt-mailgate --queue support --action correspond"'

# the hosting generator: deterministic, reproduces the committed files
gd="$scratch/gen"
mkdir -p "$gd"
if sh "$sd/hosting/gen.sh" "$gd" > /dev/null 2>"$scratch/err"; then
	for f in local-host-names virtuser-domains virtusertable aliases.sites; do
		same "hosting: gen.sh reproduces $f" "$sd/hosting/root/etc/mail/$f" "$gd/$f"
	done
else
	notok "hosting: gen.sh failed: $(head -3 "$scratch/err")"
fi
rm -rf "$gd"
mkdir -p "$gd/a" "$gd/b"
if sh "$sd/hosting/gen.sh" -n 3 "$gd/a" > /dev/null && sh "$sd/hosting/gen.sh" -n 3 "$gd/b" > /dev/null; then
	check "hosting: gen.sh -n 3 writes 3 domains" \
		test "$(grep -vc '^#' "$gd/a/local-host-names")$(grep -vc '^#' "$gd/a/virtuser-domains")" = 41
	check "hosting: gen.sh -n 3 is deterministic" diff -r "$gd/a" "$gd/b"
else
	notok "hosting: gen.sh -n 3 failed"
fi
check "hosting: gen.sh refuses a bad -n" sh -c '! sh "$1" -n x "$2" 2>/dev/null' sh "$sd/hosting/gen.sh" "$gd/a"
rm -rf "$gd"

# the converters accept every sample
conv() { # conv NAME HOSTNAME: run s2q-cf, s2q-aliases, s2q-virtusers on the sample
	n=$1 r="$sd/$1/root" h=$2 o="$scratch/conv.$1"
	mkdir -p "$o/cf" "$o/al" "$o/vu"
	al=$(awk '/^O AliasFile=/ { print substr($0, 13) }' "$r/etc/mail/sendmail.cf" | tr ',' ' ')
	"$S2Q_BIN/s2q-cf" --root "$r" --hostname "$h" -o "$o/cf" 2>"$o/cf.err"
	check "$n: s2q-cf accepts it" test $? -eq 0
	set --
	for a in $al; do set -- "$@" "$r$a"; done
	"$S2Q_BIN/s2q-aliases" --me "$h" --passwd "$r/etc/passwd" --root "$r" \
		--alias-uid 7790 --alias-gid 2108 -o "$o/al" "$@" 2>"$o/al.err"
	check "$n: s2q-aliases accepts it" test $? -eq 0
	set --
	for a in $al; do set -- "$@" --aliases "$r$a"; done
	"$S2Q_BIN/s2q-virtusers" --root "$r" --hostname "$h" --passwd "$r/etc/passwd" \
		--alias-uid 7790 --alias-gid 2108 "$@" -o "$o/vu" 2>"$o/vu.err"
	rc=$?
	if grep -q '^Kvirtuser' "$r/etc/mail/sendmail.cf"; then
		check "$n: s2q-virtusers accepts it" test $rc -eq 0
	else
		check "$n: s2q-virtusers: no virtusertable here (S2Q-V017, exit 100)" \
			sh -c '[ "$1" -eq 100 ] && grep -q "S2Q-V017" "$2"' sh "$rc" "$o/vu.err"
	fi
}
for smp in $samples; do
	conv "$smp" "$(cat "$sd/$smp/hostname")"
done

# the committed sendmail.cf files are what m4 makes of the .mc files
if command -v m4 > /dev/null 2>&1 && [ -r /usr/share/sendmail/cf/m4/cf.m4 ]; then
	mkdir -p "$scratch/regen"
	cp -R "$sd/regen.sh" "$scratch/regen/"
	for smp in $samples; do
		mkdir -p "$scratch/regen/$smp/root/etc/mail"
		cp "$sd/$smp/root/etc/mail/sendmail.mc" "$scratch/regen/$smp/root/etc/mail/"
	done
	if sh "$scratch/regen/regen.sh" > /dev/null 2>"$scratch/err"; then
		for smp in $samples; do
			same "$smp: regen.sh reproduces sendmail.cf" "$sd/$smp/root/etc/mail/sendmail.cf" \
				"$scratch/regen/$smp/root/etc/mail/sendmail.cf"
		done
	else
		notok "regen.sh failed: $(head -3 "$scratch/err")"
	fi
else
	skip "regen.sh reproduces sendmail.cf" "m4 or sendmail-cf (/usr/share/sendmail/cf) not installed"
fi

# the live oracle: sendmail still says what the recordings say
if why=$("$top/tests/oracle/sm.sh" available); then
	if sh "$sd/record.sh" --check > "$scratch/check" 2>&1; then
		ok "sendmail still answers as recorded ($(grep -c '^same: ' "$scratch/check") recordings)"
	else
		notok "sendmail's answers differ from the recordings (samples/record.sh --check)"
		head -40 "$scratch/check" | sed 's/^/#   /'
	fi
elif [ "${CI:-}" = true ]; then
	notok "the sendmail oracle must run in CI: $why"
else
	skip "live sendmail oracle (samples/record.sh --check)" "$why"
fi
