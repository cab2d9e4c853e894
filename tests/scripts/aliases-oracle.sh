#!/bin/sh
# aliases-oracle.sh - the aliases parser against the real sendmail.
#
# For every case in tests/aliases (see tests/aliases/oracle.inc):
#   - what the parser stores equals the recorded `praliases` of sendmail's
#     database, and the diagnostics it words as sendmail equal what
#     `sendmail -bi` printed (tests/helpers/aliasdump -p / -n);
#   - for the loop and depth cases, the parser's verdict per name (ok, too
#     deep, loop) equals what the recorded `sendmail -bv NAME` says;
#   - when the oracle can run here (tests/oracle/sm.sh available), sendmail
#     is asked again and must still say what the recordings say (the -bv
#     answers are compared as verdicts: they name files of the host).
# With CI=true an oracle that cannot run is a failure, otherwise a SKIP.
# Last, a generated file of 1M aliases is parsed (no timing).
script=aliases-oracle
. "$(dirname "$0")/lib.inc"
. "$top/tests/aliases/oracle.inc"
A="$S2Q_HELPERS/aliasdump"

# same NAME WANT GOT: ok if the files are equal, else notok and the first lines of the diff
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff "$2" "$3" | head -20 | sed 's/^/#   /'
	fi
}

# verdicts NAME BVFILE: the parser's verdicts for the names sendmail was asked about
verdicts() {
	bv_classes "$2" > "$scratch/want.v"
	# shellcheck disable=SC2046
	"$A" -v $aliases_opts $(aliases_files "$1") > "$scratch/all.v" 2>"$scratch/err" || return 1
	awk -F '\t' 'NR == FNR { v[$1] = $2; next } { print $1 "\t" (($1 in v) ? v[$1] : "absent") }' \
		"$scratch/all.v" "$scratch/want.v" > "$scratch/got.v"
}

for name in $(aliases_cases); do
	files=$(aliases_files "$name")
	# shellcheck disable=SC2086
	if "$A" -n -P ORACLE $aliases_opts $files > "$scratch/$name.n" 2>"$scratch/err"; then
		same "$name: diagnostics as sendmail -bi words them" "$adir/$name.newaliases" "$scratch/$name.n"
	else
		notok "$name: aliasdump -n failed: $(head -3 "$scratch/err")"
	fi
	# shellcheck disable=SC2086
	if "$A" -p $aliases_opts $files > "$scratch/$name.p" 2>"$scratch/err"; then
		same "$name: table equals sendmail's praliases" "$adir/$name.praliases" "$scratch/$name.p"
	else
		notok "$name: aliasdump -p failed: $(head -3 "$scratch/err")"
	fi
	if [ -e "$adir/$name.bv" ]; then
		if verdicts "$name" "$adir/$name.bv"; then
			same "$name: loop and depth verdicts equal sendmail -bv" "$scratch/want.v" "$scratch/got.v"
		else
			notok "$name: aliasdump -v failed: $(head -3 "$scratch/err")"
		fi
	fi
done

# the live oracle: the recordings are still what sendmail says
if why=$("$top/tests/oracle/sm.sh" available); then
	od="$scratch/oracle"
	mkdir -p "$od" "$scratch/live"
	if oracle_setup "$od"; then
		for name in $(aliases_cases); do
			if ! oracle_run "$name" "$scratch/live"; then
				notok "$name: the sendmail oracle failed"
				continue
			fi
			same "$name: sendmail -bi still prints the recording" "$adir/$name.newaliases" \
				"$scratch/live/$name.newaliases"
			same "$name: sendmail's praliases still equals the recording" "$adir/$name.praliases" \
				"$scratch/live/$name.praliases"
			if [ -e "$adir/$name.bv" ]; then
				bv_classes "$adir/$name.bv" > "$scratch/rec.v"
				bv_classes "$scratch/live/$name.bv" > "$scratch/live.v"
				same "$name: sendmail -bv verdicts still equal the recording" "$scratch/rec.v" \
					"$scratch/live.v"
			fi
		done
	else
		notok "cannot build the oracle configuration (m4, /usr/share/sendmail/cf)"
	fi
elif [ "${CI:-}" = true ]; then
	notok "the sendmail oracle must run in CI: $why"
else
	skip "live sendmail oracle" "$why"
fi

# 1M aliases, some continued, some duplicated: parsed in full, every name checked
awk 'BEGIN {
	for (i = 0; i < 1000000; i++) {
		r = i % 10;
		if (r == 0)      printf "u%d: a%d,\n\tb%d@example.com\n", i, i, i;
		else if (r == 1) printf "U%d@Example.COM: \"|/usr/bin/prog %d\", u%d\n", i, i, i - 1;
		else if (r == 2) printf "u%d: :include:/etc/mail/lists/staff, \\\nu%d\n", i, i - 2;
		else             printf "u%d: u%d, x%d@remote.example\n", i, (i * 7) % 1000000, i;
	}
	print "u5: duplicate";
}' > "$scratch/big.aliases"
if "$A" -n -P X $aliases_opts "$scratch/big.aliases" > "$scratch/big.n" 2>"$scratch/err" &&
	"$A" -v $aliases_opts "$scratch/big.aliases" > "$scratch/big.v" 2>>"$scratch/err"; then
	check "1M generated aliases: all stored, one duplicate" \
		grep -qx 'X/big.aliases: 1000001 aliases, longest [0-9]* bytes, [0-9]* bytes total' "$scratch/big.n"
	check "1M generated aliases: one verdict per name" test "$(wc -l < "$scratch/big.v")" -eq 1000000
else
	notok "1M generated aliases: aliasdump failed: $(head -3 "$scratch/err")"
fi
rm -f "$scratch/big.aliases" "$scratch/big.n" "$scratch/big.v"
