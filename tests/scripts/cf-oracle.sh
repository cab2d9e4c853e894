#!/bin/sh
# cf-oracle.sh - the s2q-cf host model and control files against the real sendmail.
#
# For every sample host (the roots of the golden cases cf-*/in/root):
#   1. what the model says ($j $w $m $S $H $R $L $M, classes w {VirtHost} R M N E G
#      L m t; tests/helpers/cf-query) equals the recorded answers of sendmail -bt
#      (tests/cf-oracle/CASE.bt);
#   2. the recorded /parse answers for probe addresses (tests/cf-oracle/CASE.parse)
#      agree with where the emitted locals + smtproutes send them (qmail-send /
#      qmail-remote lookup rules, ../shared/ref/qmail.md §3.3-3.4), except for
#      mailertable entries s2q-cf itself reported as not convertible;
#   3. when the oracle can run (tests/oracle/sm.sh available; with CI=true it must),
#      the real sendmail is asked again and must give the recorded answers:
#      recipe B of ../shared/ref/sendmail.md §4.4, the unmodified cf with a private
#      /etc/mail (bind mount, over an overlay of /etc when /etc/mail does not
#      exist), -ODontProbeInterfaces=True so the machine's interface addresses
#      stay out of class w, maps built with the real makemap.
# Also checks the shared sample's own recording 02-expected-parse.txt the same way.
# S2Q_ORACLE_RECORD=1 rewrites the recordings from the live oracle (review the diff).
script=cf-oracle
. "$(dirname "$0")/lib.inc"
rec=$top/tests/cf-oracle
gold=$top/tests/golden
shared=$top/../shared/samples-sendmail
H=${S2Q_HELPERS:-$top/build/cc/tests/helpers}
cases="cf-01-plain:mx.example.test cf-02-virtual:mx1.example.com cf-04-nullclient:mx.example.test
cf-05-redhat:mx.example.test cf-debian-default:mx.example.test cf-oracle-edge:mx.example.test"
queries='$j $w $m $S $H $R $L $M $=w $={VirtHost} $=R $=M $=N $=E $=G $=L $=m $=t'

live=0 private=0
if why=$(sh "$top/tests/oracle/sm.sh" available 2>&1); then
	live=1
elif [ "${CI:-}" = true ]; then
	notok "the sendmail oracle must run with CI=true: $why"
fi

# bt_norm QUERIES: -bt output on stdin -> "QUERY: answer" lines like cf-query prints
bt_norm() {
	awk -v q="$1" '
		BEGIN { n = split(q, Q, " "); i = 0; started = 0; nl = 0 }
		/^Enter <ruleset> <address>/ { started = 1; next }
		!started { next }
		{
			line = $0
			if (substr(line, 1, 2) == "> ") {
				# each prompt starts the next answer; an empty answer leaves "> > "
				while (substr(line, 1, 2) == "> ") { flush(); i++; nl = 0; line = substr(line, 3) }
				if (line != "") L[++nl] = line
				next
			}
			if (i > 0) L[++nl] = line
		}
		END { flush() }
		function flush(   k, s, m, t, j) {
			if (i < 1 || i > n) return
			if (substr(Q[i], 2, 1) == "=") {
				m = 0
				for (k = 1; k <= nl; k++) if (L[k] != "") A[++m] = L[k]
				for (k = 2; k <= m; k++) { t = A[k]; for (j = k - 1; j >= 1 && A[j] > t; j--) A[j + 1] = A[j]; A[j + 1] = t }
				s = Q[i] ":"
				for (k = 1; k <= m; k++) s = s " " A[k]
				print s
			} else {
				print Q[i] ": " (nl ? L[1] : "")
			}
		}'
}

# private_etc_mail: 0 if a private /etc/mail can be had in a mount namespace here
private_etc_mail() {
	unshare -m sh -c '
		[ -d /etc/mail ] && exit 0
		mkdir -p "$0/up" "$0/work" &&
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/up,workdir=$0/work" /etc &&
		mkdir -p /etc/mail' "$scratch/probe.ov" >/dev/null 2>&1
}

# sm_live CASEROOT HOST: run the real sendmail -bt on the case's unmodified cf; stdin =
# commands.  Recipe B: the case's etc/mail bind-mounted over /etc/mail (over an overlay
# of /etc when /etc/mail does not exist).  Where no mount namespace allows that, -C on a
# copy of the cf whose /etc/mail/ paths point into the case (class contents and routes
# are the same; sendmail then needs TrustStickyBit for the scratch directory).
sm_live() {
	if [ "$private" = 1 ]; then
		unshare -m sh -c '
			set -e
			if [ ! -d /etc/mail ]; then
				mkdir -p "$0.ov/up" "$0.ov/work"
				mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0.ov/up,workdir=$0.ov/work" /etc
				mkdir -p /etc/mail
			fi
			mount --bind "$0" /etc/mail
			exec sh "$1" run "$2" -Am -ODontProbeInterfaces=True -bt' "$1/etc/mail" \
			"$top/tests/oracle/sm.sh" "$2" 2>/dev/null
	else
		sed "s|/etc/mail/|$1/etc/mail/|g" "$1/etc/mail/sendmail.cf" >"$1.cf"
		sh "$top/tests/oracle/sm.sh" run "$2" -C "$1.cf" -ODontProbeInterfaces=True \
			-ODontBlameSendmail=TrustStickyBit -bt 2>/dev/null
	fi
}

# probes CASEROOT: "address key" lines: x@ each local domain, x@ each mailertable key
probes() {
	out=$2
	{
		grep -v '^#' "$out/var/qmail/control/locals" | sed 's/.*/x@& -/'
		if [ -f "$1/etc/mail/mailertable" ]; then
			awk '!/^#/ && NF >= 2 { k = tolower($1)
				if (k == ".") next
				if (substr(k, 1, 1) == ".") print "x@probe" k, k; else print "x@" k, k }' \
				"$1/etc/mail/mailertable"
		fi
		echo "x@unlisted.invalid -"
	} | awk '!seen[$1]++'
}

# qroute OUT DOMAIN: where qmail sends DOMAIN: "local", or the host qmail-remote connects to
qroute() {
	awk -v d="$2" '
		FNR == 1 { f++ }
		/^#/ || /^$/ { next }
		f == 1 { loc[tolower($0)] = 1; next }
		f == 2 { i = index($0, ":"); r[tolower(substr($0, 1, i - 1))] = substr($0, i + 1); next }
		END {
			d = tolower(d)
			if (d in loc) { print "local"; exit }
			c = d
			while (1) {
				if (c in r) { v = r[c]; sub(/:.*/, "", v); print (v == "" ? d : v); exit }
				if (c == "") break
				j = index(substr(c, 2), ".")
				c = (j ? substr(c, j + 1) : "")
			}
			print d
		}' "$1/var/qmail/control/locals" "$1/var/qmail/control/smtproutes"
}

# smroute "mailer M, host H, user U" ADDRESS: "local", the host (no brackets, lower case),
# or "other:..." when sendmail does something qmail routing cannot (error, rewriting)
smroute() {
	echo "$1" | awk -v a="$2" '{
		m = $0; sub(/^mailer /, "", m); sub(/,.*/, "", m)
		h = $0; sub(/.*, host /, "", h); sub(/, user .*/, "", h)
		u = $0; sub(/.*, user /, "", u)
		if (m == "*error*" || m == "error") { print "other:error"; exit }
		l = a; sub(/@[^@]*$/, "", l)
		if (m == "local") { print (tolower(u) == tolower(l) ? "local" : "other:rewritten"); exit }
		if (u != a) { print "other:rewritten"; exit }
		gsub(/[][]/, "", h); sub(/\.$/, "", h); print tolower(h)
	}'
}

# known DOMAIN STDERR: 0 if sendmail would route DOMAIN by a mailertable key s2q-cf reported
# as not convertible (S2Q-C042..C047, C075: %n hosts, rewriting, error:, local:, odd mailers)
known() {
	grep 'S2Q-C04[2-7]\]$\|S2Q-C075\]$' "$2" 2>/dev/null |
		sed -n 's/.*: mailertable \([^ :]*\): .*/\1/p' | awk -v d="$1" '
		{ k[$0] = 1 }
		END {
			d = tolower(d)
			if (d in k) exit 0
			c = d
			while ((j = index(substr(c, 2), ".")) > 0) {
				c = substr(c, j + 1)
				if (c in k) exit 0
			}
			if ("." in k) exit 0
			exit 1
		}'
}

# routecheck NAME OUT PARSEFILE STDERR SKIP: compare recorded /parse answers with qmail's
# routes; domains listed in the file SKIP (virtual domains: s2q-virtusers' business,
# domaintable keys: reported S2Q-C052) are left out
routecheck() {
	n_same=0 n_known=0 n_skip=0 bad=""
	while IFS='	' read -r addr ans; do
		case $addr in '#'* | '') continue ;; esac
		case $addr in *@*) ;; *) continue ;; esac
		dom=${addr##*@}
		case $dom in '['*) continue ;; esac
		if grep -qixF "$dom" "$5" 2>/dev/null; then
			n_skip=$((n_skip + 1))
			continue
		fi
		s=$(smroute "$ans" "$addr")
		q=$(qroute "$2" "$dom")
		if [ "$s" = "$q" ]; then
			n_same=$((n_same + 1))
		elif known "$dom" "$4"; then
			n_known=$((n_known + 1))
		else
			case $s in
			other:*) n_known=$((n_known + 1)) ;;
			*) bad="$bad $addr(sendmail:$s,qmail:$q)" ;;
			esac
		fi
	done <"$3"
	if [ -z "$bad" ]; then
		ok "$1: /parse routes agree with locals+smtproutes ($n_same same, $n_known not comparable: reported by s2q-cf or no plain route in sendmail, $n_skip virtual domains)"
	else
		notok "$1: routes differ:$bad"
	fi
}

# S2Q_ORACLE_PRIVATE=0 forces the -C fallback of sm_live (to test it)
[ $live = 1 ] && private_etc_mail && private=${S2Q_ORACLE_PRIVATE:-1}
for c in $cases; do
	name=${c%%:*}
	host=${c#*:}
	root=$gold/$name/in/root
	[ -d "$root" ] || { notok "$name: no root $root"; continue; }
	out=$scratch/$name.out
	mkdir -p "$out"
	"$S2Q_BIN/s2q-cf" --root "$root" --hostname "$host" -o "$out" 2>"$scratch/$name.err" >/dev/null
	"$H/cf-query" "$root" /etc/mail/sendmail.cf "$host" >"$scratch/$name.model" 2>&1
	if [ "${S2Q_ORACLE_RECORD:-0}" != 1 ]; then
		if cmp -s "$rec/$name.bt" "$scratch/$name.model"; then
			ok "$name: model = recorded sendmail -bt answers"
		else
			notok "$name: model differs from the recorded sendmail -bt answers"
			diff -u "$rec/$name.bt" "$scratch/$name.model" | sed 's/^/#   /' | head -20
		fi
	fi
	probes "$root" "$out" >"$scratch/$name.probes"
	if [ $live = 1 ]; then
		cr=$scratch/$name.root
		cp -R "$root" "$cr"
		chmod -R go-w "$cr"
		if grep -q '^K' "$cr/etc/mail/sendmail.cf"; then
			awk '/^K[A-Za-z0-9_.]+[ \t]+(hash|btree)[ \t]/ { for (i = 3; i <= NF; i++) if ($i !~ /^-/) { print $i; break } }' \
				"$cr/etc/mail/sendmail.cf" | while read -r p; do
				p=${p%.db}
				[ -f "$cr$p" ] || continue
				rm -f "$cr$p.db"
				sh "$top/tests/oracle/sm.sh" makemap -C "$cr/etc/mail/sendmail.cf" hash "$cr$p" <"$cr$p" 2>/dev/null
			done
		fi
		echo "$queries" | tr ' ' '\n' | sm_live "$cr" "$host" | bt_norm "$queries" >"$scratch/$name.live"
		awk '{ print "/parse " $1 }' "$scratch/$name.probes" | sm_live "$cr" "$host" |
			awk '/^mailer / { print }' >"$scratch/$name.ans"
		awk '{ print $1 }' "$scratch/$name.probes" | paste - "$scratch/$name.ans" >"$scratch/$name.liveparse"
		if [ "${S2Q_ORACLE_RECORD:-0}" = 1 ]; then
			cp "$scratch/$name.live" "$rec/$name.bt"
			cp "$scratch/$name.liveparse" "$rec/$name.parse"
			ok "$name: recorded"
		else
			if cmp -s "$rec/$name.bt" "$scratch/$name.live"; then
				ok "$name: live sendmail -bt = recording"
			else
				notok "$name: live sendmail -bt differs from the recording"
				diff -u "$rec/$name.bt" "$scratch/$name.live" | sed 's/^/#   /' | head -20
			fi
			if cmp -s "$rec/$name.parse" "$scratch/$name.liveparse"; then
				ok "$name: live /parse = recording"
			else
				notok "$name: live /parse differs from the recording"
				diff -u "$rec/$name.parse" "$scratch/$name.liveparse" | sed 's/^/#   /' | head -20
			fi
		fi
	else
		skip "$name: live sendmail -bt" "$why"
	fi
	{
		sed -n 's/^\$={VirtHost}://p' "$scratch/$name.model" | tr ' ' '\n'
		[ -f "$root/etc/mail/domaintable" ] && awk '!/^#/ && NF { print $1 }' "$root/etc/mail/domaintable"
	} | sed '/^$/d' >"$scratch/$name.skip"
	routecheck "$name" "$out" "$rec/$name.parse" "$scratch/$name.err" "$scratch/$name.skip"
done

# the shared sample's own recording (real sendmail -bv/-bt of 02 with 02-data)
if [ -f "$shared/02-expected-parse.txt" ]; then
	routecheck "02-expected-parse.txt" "$scratch/cf-02-virtual.out" "$shared/02-expected-parse.txt" \
		"$scratch/cf-02-virtual.err" "$scratch/cf-02-virtual.skip"
else
	skip "02-expected-parse.txt" "$shared not found"
fi

# cf lines sendmail's readcf complains about (cf-errors): s2q-cf must report each of them
e=cf-errors
root=$gold/$e/in/root
"$S2Q_BIN/s2q-cf" -c --root "$root" --hostname mx.example.test 2>"$scratch/$e.err" >/dev/null
sed -n 's|^s2q-cf: [a-z]*: /etc/mail/sendmail.cf:\([0-9][0-9]*\): .*|\1|p' "$scratch/$e.err" |
	sort -un >"$scratch/$e.ours"
if [ $live = 1 ]; then
	cp -R "$root" "$scratch/$e.root"
	sed "s|/etc/mail/|$scratch/$e.root/etc/mail/|g" "$root/etc/mail/sendmail.cf" >"$scratch/$e.cf"
	sh "$top/tests/oracle/sm.sh" run mx.example.test -C "$scratch/$e.cf" -ODontProbeInterfaces=True \
		-ODontBlameSendmail=TrustStickyBit -bt </dev/null 2>&1 |
		sed -n 's/^[^:]*: line \([0-9][0-9]*\): .*/\1/p' | sort -un >"$scratch/$e.live"
	if [ "${S2Q_ORACLE_RECORD:-0}" = 1 ]; then
		cp "$scratch/$e.live" "$rec/$e.lines"
	elif cmp -s "$rec/$e.lines" "$scratch/$e.live"; then
		ok "$e: live sendmail complains about the recorded lines"
	else
		notok "$e: live sendmail complains about other lines than recorded"
	fi
else
	skip "$e: live sendmail readcf errors" "$why"
fi
missing=$(comm -23 "$rec/$e.lines" "$scratch/$e.ours" | tr '\n' ' ')
if [ -z "$missing" ]; then
	ok "$e: every line sendmail complains about is reported by s2q-cf"
else
	notok "$e: lines sendmail complains about that s2q-cf accepts: $missing"
fi
