#!/bin/sh
# smres-oracle.sh - the sendmail-side route resolver (convert/lib/resolve/smres)
# against the real sendmail, address by address.
#
# For every address sendmail was asked about, tests/helpers/smresolve must give
# the same deliveries as the recorded `sendmail -bv ADDRESS` (both mapped to
# the delivery vocabulary by tests/smres/bv2dlv.awk: -bv shows neither the user
# a program runs as nor the status of an error, so those two are compared as
# "?" and as the error text), and for the hosts with a check_rcpt recording
# the same SMTP verdict as `check_rcpt <ADDRESS>` from a client that may not
# relay (tests/smres/rcpt2dlv.awk; there the status is compared too):
#
#   - the bundled samples (samples/office, isp, hosting: expected-bv.txt,
#     expected-check_rcpt.txt, recorded by samples/record.sh);
#   - the cases of tests/smres (hub, fwd, virt, lrelay, plus, nullc, s02, edge, sticky,
#     luhost, gecos, cyrus: one feature set each, see their sendmail.mc), recorded by
#     tests/smres/record.sh;
#   - sample 02 of ../shared/samples-sendmail against its own recording
#     (02-expected-bv.txt), when that directory is there;
#   - the -bv recordings of tests/aliases (loops, depth, includes, self
#     references), with the aliases oracle's configuration
#     (tests/smres/aliases-oracle.cf is tests/aliases/oracle.mc.in built with
#     the oracle directory /oracle).
#
# When the oracle can run here (tests/oracle/sm.sh available), sendmail is asked
# again about the tests/smres cases and the aliases cases and must still answer
# what the recordings say (the samples are re-asked by samples-oracle.sh).  With
# CI=true an oracle that cannot run is a failure, otherwise a SKIP.
script=smres-oracle
. "$(dirname "$0")/lib.inc"
R="$S2Q_HELPERS/smresolve"
M="$top/tests/smres/bv2dlv.awk"
C="$top/tests/smres/rcpt2dlv.awk"
SMO="$top/tests/oracle/sm.sh"
shared="$top/../shared/samples-sendmail"

# compare NAME OURS THEIRS: ok when equal, else notok with the first differences
compare() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff "$2" "$3" | head -12 | sed 's/^/#   /'
	fi
}

# host NAME DIR: every address of DIR/expected-bv.txt (and check_rcpt) through smresolve
host() {
	name=$1 d=$2 h=$(cat "$2/hostname")
	f=$(printf '%s' "$1" | tr / -)
	grep -v '^#' "$d/expected-bv.txt" | cut -f 1 > "$scratch/$f.addrs"
	n=$(wc -l < "$scratch/$f.addrs")
	if ! "$R" -H "$h" "$d/root" < "$scratch/$f.addrs" > "$scratch/$f.ours" 2> "$scratch/$f.err"; then
		notok "$name: smresolve failed: $(head -3 "$scratch/$f.err")"
		return
	fi
	awk -v ours=1 -f "$M" "$scratch/$f.ours" > "$scratch/$f.o"
	awk -f "$M" "$d/expected-bv.txt" > "$scratch/$f.t"
	if [ "$n" -lt 10 ] || [ "$(wc -l < "$scratch/$f.o")" != "$n" ]; then
		notok "$name: $n addresses recorded, $(wc -l < "$scratch/$f.o") answered"
		return
	fi
	# DIR/known-diff: addresses whose answer is known to differ, each with
	# why (MIGRATION.md "what smres does not model"): left out of the
	# comparison, and each must still differ (a fix shows up here)
	if [ -f "$d/known-diff" ]; then
		grep -v '^#' "$d/known-diff" | cut -f 1 | grep . > "$scratch/$f.kd"
		k=$(wc -l < "$scratch/$f.kd")
		for x in o t; do
			awk -F '\t' -v kn="$scratch/$f.$x.known" -v rest="$scratch/$f.$x.rest" '
				NR == FNR { k[$1] = 1; next }
				{ print > (($1 in k) ? kn : rest) }' "$scratch/$f.kd" "$scratch/$f.$x"
		done
		same=$(paste -d '\n' "$scratch/$f.o.known" "$scratch/$f.t.known" |
			awk 'NR % 2 { a = $0; next } a == $0 { print a }' | cut -f 1)
		unasked=$(cut -f 1 "$scratch/$f.o.known" | awk 'NR == FNR { a[$1] = 1; next }
			!($1 in a)' - "$scratch/$f.kd")
		if [ -z "$same$unasked" ]; then
			ok "$name: the $k known differences (known-diff) still differ"
		else
			notok "$name: known-diff lists addresses that now agree ($same) or were not asked ($unasked)"
		fi
		compare "$name: $((n - k)) addresses route as sendmail -bv says ($k known to differ)" \
			"$scratch/$f.o.rest" "$scratch/$f.t.rest"
	else
		compare "$name: $n addresses route as sendmail -bv says" "$scratch/$f.o" "$scratch/$f.t"
	fi
	[ -f "$d/expected-check_rcpt.txt" ] || return
	grep -v '^#' "$d/expected-check_rcpt.txt" | cut -f 1 |
		"$R" -r -H "$h" "$d/root" 2> /dev/null | awk -v ours=1 -f "$C" > "$scratch/$f.ro"
	awk -f "$C" "$d/expected-check_rcpt.txt" > "$scratch/$f.rt"
	compare "$name: $(wc -l < "$scratch/$f.rt") check_rcpt verdicts equal sendmail's" \
		"$scratch/$f.ro" "$scratch/$f.rt"
}

# the mapper itself must see differences: a changed route, user and error text
printf 'a\tforward x@y via mx:y.example | mailbox bob | bounce 5.1.1\n' > "$scratch/m.ours"
printf 'a\tbob... deliverable: mailer local, user bob | x@y... deliverable: mailer esmtp, host y.example, user x@y | a... User unknown\n' > "$scratch/m.bv"
awk -v ours=1 -f "$M" "$scratch/m.ours" > "$scratch/m.o"
awk -f "$M" "$scratch/m.bv" > "$scratch/m.t"
sed 's/mx:y.example/relay:y.example:25/' "$scratch/m.ours" | awk -v ours=1 -f "$M" > "$scratch/m.o2"
sed 's/user bob$/user bob2/; s/user bob /user bob2 /' "$scratch/m.bv" | awk -f "$M" > "$scratch/m.t2"
if cmp -s "$scratch/m.o" "$scratch/m.t" && ! cmp -s "$scratch/m.o2" "$scratch/m.t" &&
	! cmp -s "$scratch/m.o" "$scratch/m.t2"; then
	ok "the -bv mapper equates the same routes and tells different ones apart"
else
	notok "the -bv mapper: $(cat "$scratch/m.o") / $(cat "$scratch/m.t")"
fi

for s in office isp hosting; do
	if [ -f "$top/samples/$s/expected-bv.txt" ]; then
		host "samples/$s" "$top/samples/$s"
	else
		notok "samples/$s: no recording"
	fi
done
for d in "$top"/tests/smres/*/; do
	[ -f "$d/hostname" ] || continue
	host "tests/smres/$(basename "$d")" "$d"
done

# sample 02 against the recording that came with it
if [ -f "$shared/02-expected-bv.txt" ]; then
	grep -v '^#' "$shared/02-expected-bv.txt" | cut -f 1 |
		"$R" -H mx1.example.com "$top/tests/smres/s02/root" 2> /dev/null |
		awk -v ours=1 -f "$M" > "$scratch/s02.o"
	awk -f "$M" "$shared/02-expected-bv.txt" > "$scratch/s02.t"
	compare "sample 02: $(wc -l < "$scratch/s02.t") addresses route as its recorded -bv answers" \
		"$scratch/s02.o" "$scratch/s02.t"
else
	skip "sample 02 of ../shared" "$shared is not there"
fi

# the aliases cases: the oracle configuration of tests/aliases under the root /oracle
. "$top/tests/aliases/oracle.inc"
ar="$scratch/aroot"
mkdir -p "$ar/oracle/mqueue" "$ar/etc"
cp -R "$adir/root/var/spool/mqueue/lists" "$ar/oracle/mqueue/lists"
cp "$top/tests/smres/aliases-oracle.cf" "$ar/oracle/oracle.cf"
printf 'mail.example.org\n' > "$ar/oracle/local-host-names"
printf '127.0.0.1\tlocalhost\n127.0.0.1\tmx.example.test mx\n' > "$ar/oracle/hosts"
: > "$ar/oracle/aliases"
cp "$adir/passwd" "$ar/etc/passwd"
for name in $aliases_bv_cases; do
	list=""
	for f in $(aliases_files "$name"); do
		cp "$f" "$ar/oracle/$(basename "$f")"
		list="${list:+$list,}/oracle/$(basename "$f")"
	done
	cut -f 1 "$adir/$name.bv" |
		"$R" -H mx.example.test -C /oracle/oracle.cf -A "$list" "$ar" 2> /dev/null |
		awk -v ours=1 -f "$M" > "$scratch/a.$name.o"
	sed 's|ORACLE|/oracle|g' "$adir/$name.bv" | awk -f "$M" > "$scratch/a.$name.t"
	compare "tests/aliases/$name: $(wc -l < "$scratch/a.$name.t") names route as sendmail -bv says" \
		"$scratch/a.$name.o" "$scratch/a.$name.t"
done

# the live oracle
if why=$("$SMO" available); then
	if out=$(sh "$top/tests/smres/record.sh" --check 2>&1); then
		ok "tests/smres: sendmail still answers as recorded"
	else
		notok "tests/smres: sendmail's answers changed"
		printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
	fi
	od="$scratch/oracle"
	mkdir -p "$od" "$scratch/live"
	if oracle_setup "$od"; then
		for name in $aliases_bv_cases; do
			if oracle_run "$name" "$scratch/live" && cmp -s "$adir/$name.bv" "$scratch/live/$name.bv"; then
				ok "tests/aliases/$name: sendmail -bv still answers as recorded"
			else
				notok "tests/aliases/$name: sendmail -bv answers changed"
				diff "$adir/$name.bv" "$scratch/live/$name.bv" | head -10 | sed 's/^/#   /'
			fi
		done
	else
		notok "the aliases oracle configuration could not be built (m4, sendmail-cf)"
	fi
elif [ "${CI:-}" = true ]; then
	notok "the sendmail oracle must run in CI: $why"
else
	skip "live sendmail oracle" "$why"
fi
