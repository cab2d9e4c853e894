#!/bin/sh
# aliases-route.sh - issue 3's last check: every aliases case of tests/aliases,
# converted with s2q-aliases (and s2q-cf for the control files, s2q-newu for
# users/cdb), is proved name by name with s2q-route: every alias name must
# route the same under qmail as under sendmail, or be a known change (a
# converter diagnostic at the deciding line, or a structural change S2Q-R3nn).
#
# The sendmail side is the host the recordings were made on
# (tests/aliases/oracle.inc): oracle.mc.in with its private directory as
# /etc/mail of a sendmail root, the case's alias files as its AliasFile list,
# tests/aliases/passwd, the :include: lists of tests/aliases/root.  For the
# cases with `sendmail -bv` recordings (NAME.bv) the names are the recorded
# ones, and the sendmail side of s2q-route must agree with the recording
# (deliverable or not, loops and depth); for the others, every name
# praliases recorded.  Entries sendmail's newaliases skips (the parser's
# S2Q-A001..A009 errors) are commented out first, as sendmail stored the
# rest.  What may remain is in tests/scripts/aliases-route.d/expected:
# files s2q-aliases refuses by design, and recorded bugs; any other
# unexplained difference fails, and so does a recorded one that went away.
script=aliases-route
. "$(dirname "$0")/lib.inc"
. "$top/tests/aliases/oracle.inc"
# per case: "NAME refused CODE..." (s2q-aliases refuses the file by design) or
# "NAME unexplained VERDICT ADDRESS" (a recorded, reported bug); nothing else
# may differ
expected=$top/tests/scripts/aliases-route.d/expected

if ! command -v m4 >/dev/null 2>&1 || [ ! -f /usr/share/sendmail/cf/m4/cf.m4 ]; then
	if [ "${CI:-}" = true ]; then
		notok "m4 and sendmail-cf are needed (make deps)"
	else
		skip "all cases" "m4 or sendmail-cf missing (make deps)"
	fi
	echo "1..$tap_n"
	exit 0
fi

# the sendmail root of one case: cf, alias files, passwd, lists
mkroot() { # mkroot NAME DIR
	r=$2/root
	mkdir -p "$r/etc/mail/mqueue" || return 1
	cp -R "$adir/root/." "$r/" || return 1
	cp -R "$adir/root/var/spool/mqueue/lists" "$r/etc/mail/mqueue/lists" || return 1
	cp "$adir/passwd" "$r/etc/passwd" || return 1
	printf 'mail.example.org\n' >"$r/etc/mail/local-host-names"
	list=""
	for f in $(aliases_files "$1"); do
		cp "$f" "$r/etc/mail/$(basename "$f")" || return 1
		list="${list:+$list,}/etc/mail/$(basename "$f")"
	done
	sed "s|@ORACLE@|/etc/mail|g" "$adir/oracle.mc.in" | m4 | sed "s|^O AliasFile=.*|O AliasFile=$list|" \
		>"$r/etc/mail/sendmail.cf" || return 1
}

# convert DIR NAME: the qmail tree in DIR/out, the converters' --json in DIR/*.json
convert() {
	d=$1 r=$1/root
	"$S2Q_BIN/s2q-cf" --json --root "$r" --hostname mx.example.test -o "$d/out" \
		>"$d/cf.json" 2>"$d/cf.err" || return 1
	files=""
	for f in $(aliases_files "$2"); do files="$files $r/etc/mail/$(basename "$f")"; done
	# shellcheck disable=SC2086
	"$S2Q_BIN/s2q-aliases" --json --me mx.example.test -w mx.example.test -w example.com \
		-w mail.example.org -w localhost --passwd "$r/etc/passwd" --root "$r" \
		--queue-dir /etc/mail/mqueue --alias-uid 7790 --alias-gid 2108 -o "$d/out" $files \
		>"$d/aliases.json" 2>"$d/aliases.err"
	arc=$?
	[ "$arc" = 0 ] || [ "$arc" = 100 ] || return 1
	q=$d/out/var/qmail
	mkdir -p "$q/users"
	{ cat "$q/users/assign.aliases" 2>/dev/null; echo .; } >"$q/users/assign"
	"$S2Q_BIN/s2q-newu" --allow-empty -d "$q" 2>"$d/newu.err" || return 1
	echo "$arc"
}

# repair DIR: the entries sendmail's newaliases skips (the parser's errors in
# sendmail's own words, S2Q-A001..A009) are commented out in the root's alias
# files, with the continuation lines before them: what is left is what
# sendmail stored.  0 when something was repaired.
repair() {
	grep -o '"severity":"error","code":"S2Q-A00[0-9]","file":"[^"]*","line":[0-9]*' \
		"$1/aliases.json" | sed 's/.*"file":"\([^"]*\)","line":\([0-9]*\)$/\1 \2/' |
		sort -u >"$1/repair"
	[ -s "$1/repair" ] || return 1
	while read -r f l; do
		awk -v l="$l" '{ line[NR] = $0 } END {
			k = l; while (k > 1 && (line[k] ~ /^[ \t]/ || line[k - 1] ~ /\\$/)) k--
			for (i = 1; i <= NR; i++) print ((i >= k && i <= l) ? "# s2q: skipped by sendmail" : line[i]) }' \
			"$f" >"$f.new" && mv "$f.new" "$f"
	done <"$1/repair"
	return 0
}

for name in $(aliases_cases); do
	d=$scratch/$name
	mkdir -p "$d/out"
	if ! mkroot "$name" "$d"; then
		notok "$name: cannot build the sendmail root"
		continue
	fi
	if ! arc=$(convert "$d" "$name"); then
		notok "$name: conversion failed"
		sed 's/^/#   /' "$d"/*.err | head -10
		continue
	fi
	if [ "$arc" = 100 ] && repair "$d"; then
		rm -rf "$d/out" && mkdir "$d/out"
		arc=$(convert "$d" "$name") || arc=111
	fi
	if [ "$arc" = 100 ]; then
		# s2q-aliases refused the file for a reason of its own (not a line
		# sendmail skips): the refusal, with its codes, must be the recorded one
		got=$(grep -o '"severity":"error","code":"S2Q-A[0-9]*"' "$d/aliases.json" |
			sed 's/.*"code":"//; s/"//' | LC_ALL=C sort -u | tr '\n' ' ')
		want=$(awk -v n="$name" '$1 == n && $2 == "refused" { $1 = ""; $2 = ""; sub(/^  /, ""); print }' \
			"$expected")
		if [ -n "$want" ] && [ "$got" = "$want " ]; then
			ok "$name: refused by s2q-aliases as recorded ($want)"
		else
			notok "$name: s2q-aliases refused it ($got)"
			grep 'error' "$d/aliases.err" | head -5 | sed 's/^/#   /'
		fi
		continue
	fi
	if [ -f "$adir/$name.bv" ]; then
		cut -f1 "$adir/$name.bv" >"$d/names"
	else
		grep -av '^@:@$' "$adir/$name.praliases" | sed 's/:.*//' | LC_ALL=C sort -u >"$d/names"
	fi
	# names that are not one address (blanks, quotes, control bytes) are left out
	grep -a '^[!-~]*$' "$d/names" | grep -av '"' >"$d/probe"
	# shellcheck disable=SC2046
	"$S2Q_BIN/s2q-route" --sendmail "$d/root" --qmail "$d/out" --hostname mx.example.test \
		--known "$d/aliases.json" --known "$d/cf.json" $(cat "$d/probe") \
		>"$d/route.out" 2>"$d/route.err"
	rc=$?
	# the unexplained differences (verdict and name) must be exactly the recorded ones
	grep -v '^same \|^summary' "$d/route.out" | grep -v '\[known ' | cut -d' ' -f1,2 |
		sed 's/:$//' | LC_ALL=C sort >"$d/unexplained"
	awk -v n="$name" '$1 == n && $2 == "unexplained" { print $3 " " $4 }' "$expected" |
		LC_ALL=C sort >"$d/want.unexplained"
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		notok "$name: s2q-route exit $rc"
		head -5 "$d/route.err" | sed 's/^/#   /'
	elif ! cmp -s "$d/unexplained" "$d/want.unexplained"; then
		notok "$name: $(tail -1 "$d/route.out")"
		diff "$d/want.unexplained" "$d/unexplained" | sed 's/^/#   /' | head -15
	elif [ -s "$d/unexplained" ]; then
		ok "$name: $(tail -1 "$d/route.out") (the unexplained ones as recorded: a known bug)"
	else
		ok "$name: $(tail -1 "$d/route.out")"
	fi
	# the sendmail side agrees with the recorded sendmail -bv: deliverable or not
	if [ -f "$adir/$name.bv" ]; then
		"$S2Q_BIN/s2q-route" --json --sendmail "$d/root" --qmail "$d/out" \
			--hostname mx.example.test $(cat "$d/probe") 2>/dev/null |
			awk '/^\{"address"/ {
				a = $0; sub(/^\{"address":"/, "", a); sub(/".*/, "", a)
				s = $0; sub(/.*"sendmail":\[/, "", s); sub(/\],"qmail".*/, "", s)
				ok = (s ~ /"kind":"(mailbox|program|file|forward|discard)"/)
				print a "\t" (ok ? "delivers" : "fails") }' | LC_ALL=C sort >"$d/sm.v"
		# a name delivers when one line of its -bv answer says deliverable; an
		# :include: the oracle host could not open (its lists live under the
		# fake root only for the parser) is not compared
		awk -F '\t' '$2 !~ /Cannot open/ {
			print $1 "\t" (($2 ~ /deliverable/) ? "delivers" : "fails") }' \
			"$adir/$name.bv" | LC_ALL=C sort >"$d/bv.all"
		awk -F '\t' 'NR == FNR { p[$1] = 1; next } ($1 in p)' "$d/bv.all" "$d/sm.v" >"$d/sm.x"
		mv "$d/sm.x" "$d/sm.v"
		awk -F '\t' 'NR == FNR { p[$0] = 1; next } ($1 in p)' "$d/probe" "$d/bv.all" >"$d/bv.v"
		if cmp -s "$d/bv.v" "$d/sm.v"; then
			ok "$name: the sendmail side agrees with the recorded sendmail -bv ($(wc -l <"$d/bv.v") names)"
		else
			notok "$name: the sendmail side disagrees with the recorded sendmail -bv"
			diff "$d/bv.v" "$d/sm.v" | head -10 | sed 's/^/#   /'
		fi
	fi
done
echo "1..$tap_n"
