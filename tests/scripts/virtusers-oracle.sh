#!/bin/sh
# virtusers-oracle.sh - s2q-virtusers against the real sendmail.
#
# For every case of tests/virtusers (see tests/virtusers/oracle.inc) the table
# is converted twice (with the alias user's ids: users/assign routes +detail;
# without: every domain's shell line does) and every probe address is run
# through the converted tree by tests/virtusers/qlocal.sh, which executes the
# generated .qmail files as qmail-local would, with the real fastforward.  The
# outcome (local name, remote address, bounce or deferral with its text) must
# equal what the real sendmail answered (/parse, and -bv for bounce versus
# retry), recorded in NAME.sm; a probe marked with a diagnostic code must
# differ instead, and s2q-virtusers must have reported that code.  Sample 02
# (../shared/samples-sendmail) is converted from its sendmail.cf (--root) and
# checked against its recorded /parse and -bv answers the same way.
#
# When the oracle can run here (tests/oracle/sm.sh available), sendmail is asked
# again and must still answer what the recordings say.  With CI=true an oracle
# that cannot run is a failure, otherwise a SKIP.
script=virtusers-oracle
. "$(dirname "$0")/lib.inc"
. "$top/tests/virtusers/oracle.inc"
V="$S2Q_BIN/s2q-virtusers"
Q="$top/tests/virtusers/qlocal.sh"
samples="$top/../shared/samples-sendmail"

# compare NAME PROBES OURS THEIRS DIAGS: per probe, equal or (marked) different
compare() {
	awk -F '\t' -v diags="$5" '
	FILENAME == ARGV[1] { want[$1] = (NF > 1 ? $2 : ""); order[++n] = $1; next }
	FILENAME == ARGV[2] { ours[$1] = $2; next }
	{ theirs[$1] = $2 }
	END {
		while ((getline l < diags) > 0) seen = seen " " l
		bad = 0
		for (i = 1; i <= n; i++) {
			a = order[i]; o = ours[a]; t = theirs[a]
			if (!(a in theirs)) { print "#   " a ": no sendmail answer recorded"; bad++; continue }
			same = (o == t)
			if (!same && t ~ /^(bounce|defer) \? /) {
				# sendmail gave a keyword, not a D.S.N: compare kind and text
				split(t, tw, " "); split(o, ow, " ")
				tt = t; sub(/^[a-z]+ \? /, "", tt); ot = o; sub(/^[a-z]+ [^ ]+ /, "", ot)
				same = (tw[1] == ow[1] && tt == ot)
			}
			if (want[a] == "") {
				if (!same) { print "#   " a ": sendmail <" t "> qmail <" o ">"; bad++ }
			} else if (same) {
				print "#   " a ": expected a difference (" want[a] ") but both say <" o ">"; bad++
			} else if (index(seen, " " want[a]) == 0) {
				print "#   " a ": differs (<" t "> vs <" o ">) but " want[a] " was not reported"; bad++
			}
		}
		exit bad ? 1 : 0
	}' "$2" "$3" "$4"
}

# convert NAME MODE OUT: s2q-virtusers with the case's classes; MODE ids|noids
convert() {
	name=$1 mode=$2 o=$3
	mkdir -p "$o"
	set -- -w mx.example.test -w localhost --me mx.example.test --defaultdomain example.test
	for d in $(vu_conf "$name" local); do set -- "$@" -w "$d"; done
	for d in $(vu_conf "$name" virthost); do set -- "$@" --virthost "$d"; done
	[ -n "$(vu_conf "$name" entire)" ] && set -- "$@" --entire-domain
	[ "$mode" = ids ] && set -- "$@" --alias-uid 7790 --alias-gid 2108
	"$V" --json "$@" -o "$o" "$vdir/$name.vt" > "$o.json" 2> "$o.err"
}

for name in $(vu_cases); do
	awk 'NF { print $1 }' "$vdir/$name.probes" > "$scratch/$name.addrs"
	sm_outcome < "$vdir/$name.sm" > "$scratch/$name.theirs"
	for mode in ids noids; do
		o="$scratch/$name-$mode"
		if ! convert "$name" "$mode" "$o"; then
			notok "$name ($mode): s2q-virtusers failed: $(head -3 "$o.err")"
			continue
		fi
		grep -o 'S2Q-V[0-9]*' "$o.err" | sort -u > "$o.codes"
		locals="mx.example.test localhost $(vu_conf "$name" local)"
		"$Q" "$o" "$locals" < "$scratch/$name.addrs" > "$o.ours"
		if compare "$name" "$vdir/$name.probes" "$o.ours" "$scratch/$name.theirs" "$o.codes"; then
			ok "$name ($mode): $(wc -l < "$scratch/$name.addrs") addresses route as sendmail routed them"
		else
			notok "$name ($mode): routes differ from sendmail's"
		fi
	done
done

# sample 02: its cf, data and recorded answers; the addresses at its virtual domains
if [ -d "$samples/02-data" ]; then
	r="$scratch/s02/root"
	mkdir -p "$r/etc/mail" "$scratch/s02/out"
	cp "$samples/02-data/"* "$r/etc/mail/" && cp "$samples/02-virtual-hosting.cf" "$r/etc/mail/sendmail.cf"
	chmod -R u+w "$r"
	printf 'alias:x:7790:2108::/var/qmail/alias:/bin/false\nalice:x:2001:2001::/home/alice:/bin/sh\nbob:x:2002:2002::/home/bob:/bin/sh\n' > "$scratch/s02/passwd"
	if "$V" --root "$r" --hostname mx1.example.com --passwd "$scratch/s02/passwd" \
		-o "$scratch/s02/out" 2> "$scratch/s02/err"; then
		grep -v '^#' "$samples/02-expected-parse.txt" | sort > "$scratch/s02/parse"
		grep -v '^#' "$samples/02-expected-bv.txt" | sort > "$scratch/s02/bv"
		join -t "$(printf '\t')" "$scratch/s02/parse" "$scratch/s02/bv" | sm_outcome > "$scratch/s02/theirs"
		# the addresses whose domain is virtual in the converted tree
		awk -F '\t' '{ print $1 }' "$scratch/s02/theirs" | while IFS= read -r a; do
			d=$(printf '%s' "${a##*@}" | tr 'A-Z' 'a-z')
			case "$a" in *@*) ;; *) continue ;; esac
			grep -q "^$d:" "$scratch/s02/out/var/qmail/control/virtualdomains" && printf '%s\n' "$a"
		done > "$scratch/s02/addrs"
		"$Q" "$scratch/s02/out" "mx1.example.com mail.example.com localhost" \
			< "$scratch/s02/addrs" > "$scratch/s02/ours"
		grep -o 'S2Q-V[0-9]*' "$scratch/s02/err" | sort -u > "$scratch/s02/codes"
		if [ "$(wc -l < "$scratch/s02/addrs")" -ge 8 ] &&
			compare s02 "$scratch/s02/addrs" "$scratch/s02/ours" "$scratch/s02/theirs" "$scratch/s02/codes"; then
			ok "sample 02: $(wc -l < "$scratch/s02/addrs") virtual-domain addresses route as the recorded sendmail answers"
		else
			notok "sample 02: routes differ from the recorded sendmail answers"
		fi
	else
		notok "sample 02: s2q-virtusers failed: $(head -3 "$scratch/s02/err")"
	fi
else
	notok "sample 02: $samples/02-data is missing"
fi

# the live oracle: the recordings are still what sendmail says
if why=$("$SMO" available); then
	for name in $(vu_cases); do
		if oracle_setup "$scratch/oracle" "$name" && oracle_run "$name" "$scratch/$name.live"; then
			if cmp -s "$vdir/$name.sm" "$scratch/$name.live"; then
				ok "$name: sendmail still answers as recorded"
			else
				notok "$name: sendmail's answers changed"
				diff "$vdir/$name.sm" "$scratch/$name.live" | head -10 | sed 's/^/#   /'
			fi
		else
			notok "$name: the sendmail oracle failed"
		fi
	done
elif [ "${CI:-}" = true ]; then
	notok "the sendmail oracle must run in CI: $why"
else
	skip "live sendmail oracle" "$why"
fi
