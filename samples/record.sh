#!/bin/sh
# record.sh - ask the real sendmail about the sample hosts and record its answers.
#
#   sh samples/record.sh [NAME...]            rewrite samples/NAME/expected-*.txt
#   sh samples/record.sh --check [NAME...]    ask again, diff against the recordings
#                                             (exit 0 same, 1 different, 111 cannot run)
#   sh samples/record.sh --addresses NAME     print the addresses asked about (no oracle)
#
# NAME defaults to every sample (office isp hosting).  Needs the oracle of
# tests/oracle/sm.sh (root, the unpacked sendmail-bin of `make deps`) and
# mount/unshare -m -n; never m4 (the generated sendmail.cf is committed).
#
# How sendmail is run (recipe B of ../shared/ref/sendmail.md 4.4, unmodified
# production cf): samples/NAME/root is copied to a private scratch directory
# (modes fixed: directories 755, files 644, home directories and .forward files
# owned by their passwd user, because git keeps neither owners nor modes and
# sendmail refuses unsafe .forward files), the maps the cf declares are built
# there with the matching makemap, then in a private mount + network namespace
# (unshare -m -n: no network at all, only a down loopback, so nothing resolves
# and no interface address joins class w):
#   - a read-only overlay on /etc, the copy's etc/ stacked over /etc (so
#     /etc/passwd, /etc/hosts, /etc/shells and /etc/mail are the sample's and
#     the rest of the machine's /etc stays visible), /etc/mail bind-mounted
#     writable from the copy (sendmail -bi writes aliases.db there);
#   - the copy's home/ bind-mounted on /home (the users' .forward files);
#   - an overlay on /var with the copy's var/ (an empty, writable
#     /var/spool/mqueue: sendmail will not start without its queue directory);
#   - the one file the oracle adds: etc/mail/service.switch with
#     "hosts files", "aliases files", "passwd files" (no DNS: domains stay as
#     typed, exactly as in every other recording of this project), unless the
#     sample has its own;
# and sendmail (tests/oracle/sm.sh's) runs with the sample's host name
# (samples/NAME/hostname), set once in that namespace's own UTS namespace
# (unshare -u; nothing per call): `-Am -bi`, then one
# `-Am -bv ADDRESS` per address, and for samples with a file
# samples/NAME/check_rcpt-client one `-bt` session with `.D{client_addr}IP`
# and a `check_rcpt <ADDRESS>` line per address.  Nothing outside the
# scratch directory is written; the mounts die with the namespace.
#
# Recordings (sorted by address, bytewise; a '#' header):
#   samples/NAME/expected-bv.txt          ADDRESS<TAB>-bv output lines joined with ' | '
#   samples/NAME/expected-check_rcpt.txt  ADDRESS<TAB>what check_rcpt returned
#                                         (the text after "check_rcpt returns: ")
#   samples/NAME/expected-bi.txt          what -bi printed (alias file summary)
# The addresses come from the sample's own files (addresses() below) plus
# samples/NAME/extra-addresses; for hosting, the host's own names plus a
# deterministic pseudo-random subset of the customer addresses (about 500 in
# all; see addresses()).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
SMO="$top/tests/oracle/sm.sh"
LC_ALL=C
export LC_ALL

# ---- the addresses asked about ------------------------------------------------

# cf_files ROOT KIND: paths (as on the old host) the cf names: KIND aliases|w|virthost|maps
cf_files() {
	awk -v kind="$2" '
	kind == "aliases" && /^O AliasFile=/ {
		v = substr($0, 13); n = split(v, a, ",")
		for (i = 1; i <= n; i++) { s = a[i]; sub(/^[ \t]+/, "", s); sub(/^[a-z]+:/, "", s); print s }
	}
	function fpath(line,   n, a, i) {
		sub(/^F(\{[^}]*\}|.)/, "", line); n = split(line, a, /[ \t]+/)
		for (i = 1; i <= n; i++) if (a[i] ~ /^\//) { print a[i]; return }
	}
	kind == "w" && /^Fw/ { fpath($0) }
	kind == "virthost" && /^F\{VirtHost\}/ { fpath($0) }
	kind == "relay" && /^FR/ { fpath($0) }
	kind == "maps" && /^K[a-z]+ hash / { print substr($1, 2) " " $NF }
	' "$1/etc/mail/sendmail.cf"
}

# map_source ROOT NAME: the text source of map NAME (virtuser, mailertable, ...), or nothing
map_source() {
	cf_files "$1" maps | awk -v m="$2" '$1 == m { p = $2; sub(/\.db$/, "", p); print p }'
}

# textlines FILE...: the non-comment, non-blank lines of files below the root
textlines() {
	for f in "$@"; do
		[ -n "$f" ] && [ -f "$root$f" ] && grep -v '^#' "$root$f" | grep -v '^[[:space:]]*$'
	done
}

# addresses NAME: every address the sample's files name, sorted, one per line
addresses() {
	root="$here/$1/root"
	host=$(cat "$here/$1/hostname")
	# shellcheck disable=SC2046
	{
		# the local and virtual domains
		{ echo "$host"; textlines $(cf_files "$root" w) | awk '{ print $1 }'; } > "$tmpd/w"
		textlines $(cf_files "$root" virthost) | awk '{ print $1 }' > "$tmpd/v"
		d0=$(sed -n 2p "$tmpd/w")
		[ -n "$d0" ] || d0=$host
		for n in postmaster root MAILER-DAEMON mailer-daemon Postmaster nosuch.user; do
			echo "$n"
		done
		sort -u "$tmpd/w" "$tmpd/v" | while read -r d; do
			for n in postmaster root MAILER-DAEMON nosuch.user; do echo "$n@$d"; done
		done
		# alias names, unqualified and in the first local domain
		textlines $(cf_files "$root" aliases) | awk -v d="$d0" '
			/^[ \t]/ { next }
			{ i = index($0, ":"); if (i < 2) next; n = substr($0, 1, i - 1); sub(/[ \t]+$/, "", n)
			  if (n ~ /[ \t"\\]/) next; print n; print n "@" d }'
		# passwd users; real people (uid 1000-59999) also with a +detail
		awk -F: -v d="$d0" '
			$3 >= 1000 && $3 < 60000 { print $1; print $1 "@" d; print $1 "+detail@" d; next }
			{ print $1 }' "$root/etc/passwd"
		# virtusertable keys, case variants, +detail and catch-alls
		textlines "$(map_source "$root" virtuser)" | awk '
			function cap(s) { return toupper(substr(s, 1, 1)) substr(s, 2) }
			{ k = $1; i = index(k, "@"); if (i == 0) next
			  l = substr(k, 1, i - 1); d = substr(k, i + 1)
			  if (l == "") { print "someone@" d; print "Some.One+x@" toupper(d); next }
			  if (l == "++" || l == "+*") { print "who+x@" d; print "who+@" d; next }
			  if (l ~ /\+\+$/ || l ~ /\+\*$/) { u = substr(l, 1, length(l) - 2); print u "+x@" d; print u "+@" d; next }
			  print k; print cap(l) "@" toupper(d)
			  if (l !~ /\+/) print l "+detail@" d }'
		# mailertable: exact, .parent, default
		textlines "$(map_source "$root" mailertable)" | awk '
			$1 == "." { print "someone@elsewhere.example.com"; next }
			$1 ~ /^\./ { print "someone@host" $1; print "someone@a.b" $1; print "someone@" substr($1, 2); next }
			{ print "postmaster@" $1; print "someone@" $1; print "someone@sub." $1 }'
		# domaintable keys
		textlines "$(map_source "$root" domaintable)" | awk '{ print "postmaster@" $1; print "someone@" $1 }'
		# relay-domains
		textlines $(cf_files "$root" relay) | awk '{ print "someone@" $1; print "someone@sub." $1 }'
		# access: To: entries
		textlines "$(map_source "$root" access)" | awk '
			tolower($1) ~ /^to:/ { k = substr($1, 4); if (index(k, "@")) print k; else print "someone@" k }'
		# remote and literal
		echo "someone@remote.example.org"
		echo "someone@[192.0.2.25]"
		[ -f "$here/$1/extra-addresses" ] && grep -v '^#' "$here/$1/extra-addresses" | grep -v '^$'
	} | sort -u > "$tmpd/all"
	if [ "$1" = hosting ]; then
		# about 500: the host's own names (not the generated sNNNN- aliases),
		# the remote ones, then a pseudo-random 1 in k of the rest
		fixed='^[^@]*$|@(hosting\.example\.org|web01\.hosting\.example\.org)$|elsewhere|remote\.example|\['
		grep -Ev '^s[0-9]{4}-' "$tmpd/all" | grep -E "$fixed"
		grep -Ev "$fixed" "$tmpd/all" > "$tmpd/rest"
		grep -E '^s[0-9]{4}-' "$tmpd/all" >> "$tmpd/rest"
		sort -o "$tmpd/rest" "$tmpd/rest"
		n=$(wc -l < "$tmpd/rest")
		k=$(( (n + 479) / 480 ))
		# Park-Miller (exact in awk's doubles, same in every awk), not NR % k:
		# the sorted list is periodic and a stride would pick one kind only
		awk -v k="$k" 'BEGIN { x = 20260101 } { x = (x * 16807) % 2147483647; if (x % k == 0) print }' "$tmpd/rest"
		[ -f "$here/$1/extra-addresses" ] && grep -v '^#' "$here/$1/extra-addresses" | grep -v '^$'
	else
		cat "$tmpd/all"
	fi | sort -u
}

# ---- the oracle ---------------------------------------------------------------

# prepare NAME: the scratch copy $tmpd/NAME/root with maps built
prepare() {
	s="$tmpd/$1"
	mkdir -p "$s" || return 1
	cp -R "$here/$1/root" "$s/root" || return 1
	r="$s/root"
	if [ -f "$here/$1/gen.sh" ] && [ ! -e "$r/etc/mail/virtusertable" ]; then
		sh "$here/$1/gen.sh" "$r/etc/mail" > /dev/null || return 1
	fi
	mkdir -p "$r/var/spool/mqueue" || return 1
	find "$r" -type d -exec chmod 755 {} + && find "$r" -type f -exec chmod 644 {} + || return 1
	chown -R 0:0 "$r" || return 1
	chmod 700 "$r/var/spool/mqueue" || return 1
	[ -e "$r/etc/mail/service.switch" ] ||
		printf 'hosts\tfiles\naliases\tfiles\npasswd\tfiles\n' > "$r/etc/mail/service.switch"
	if [ -d "$r/home" ]; then
		awk -F: '$6 ~ /^\/home\/[^\/]+$/ { print $1, $3, $4, substr($6, 7) }' "$r/etc/passwd" |
		while read -r _u uid gid h; do
			[ -d "$r/home/$h" ] && chown -R "$uid:$gid" "$r/home/$h"
		done
	fi
	cf_files "$r" maps | while read -r _m p; do
		p=${p%.db}
		[ -f "$r$p" ] || continue
		# shellcheck disable=SC2094 # makemap reads the text source, writes $p.db
		"$SMO" makemap -C "$r/etc/mail/sendmail.cf" hash "$r$p" < "$r$p" 2> "$s/makemap.err" ||
			{ echo "record.sh: $1: makemap $p failed: $(cat "$s/makemap.err")" >&2; return 1; }
	done
}

# inner SCRATCH HOST ADDRFILE OUTDIR CLIENT: runs inside unshare -m -n -u (see the top)
inner() {
	r="$1/root" host=$2 addrs=$3 out=$4 client=$5
	hostname "$host" || return 1	# once: sm.sh run then needs no namespace per call
	mount -t overlay s2q-sample -o "lowerdir=$r/etc:/etc" /etc || return 1
	mount --bind "$r/etc/mail" /etc/mail || return 1
	if [ -d "$r/home" ]; then mount --bind "$r/home" /home || return 1; fi
	mount -t overlay s2q-sample -o "lowerdir=$r/var:/var" /var || return 1
	mount --bind "$r/var/spool/mqueue" /var/spool/mqueue || return 1
	"$SMO" run "$host" -Am -bi > "$out/bi" 2>&1
	# one process per address: sendmail itself (this namespace has the host name and
	# no network, what sm.sh run needs to run it directly), each answer after a
	# \001 line naming its address; one awk joins every answer's lines
	smbin=$("$SMO" path sendmail) || return 1
	while IFS= read -r a; do
		printf '\001%s\n' "$a"
		"$smbin" -Am -bv "$a" < /dev/null 2>&1
	done < "$addrs" | awk '
		/^\001/ { if (n++) printf "\n"; printf "%s\t", substr($0, 2); k = 0; next }
		{ if (k++) printf " | "; printf "%s", $0 }
		END { if (n) printf "\n" }' > "$out/bv"
	[ -n "$client" ] || return 0
	# one -bt session for all: each check_rcpt prints exactly one
	# "check_rcpt returns:" line (nested rulesets have other names)
	awk -v c="$client" 'NR == 1 { print ".D{client_addr}" c } { print "check_rcpt <" $0 ">" }' "$addrs" |
		"$SMO" run "$host" -Am -bt 2>&1 | sed -n 's/^check_rcpt *returns: //p' > "$out/rcpt.v"
	[ "$(wc -l < "$out/rcpt.v")" = "$(wc -l < "$addrs")" ] ||
		{ echo "record.sh: check_rcpt answered $(wc -l < "$out/rcpt.v") of $(wc -l < "$addrs") addresses" >&2; return 1; }
	paste "$addrs" "$out/rcpt.v" > "$out/rcpt"
}

# record NAME OUTDIR: ask sendmail about sample NAME, write the recordings into OUTDIR
record() {
	name=$1 out=$2
	host=$(cat "$here/$name/hostname") || return 1
	prepare "$name" || return 1
	addresses "$name" > "$tmpd/$name.addrs" || return 1
	client=""
	[ -f "$here/$name/check_rcpt-client" ] && client=$(cat "$here/$name/check_rcpt-client")
	mkdir -p "$tmpd/$name.out" || return 1
	unshare -m -n -u sh "$here/record.sh" --inner "$tmpd/$name" "$host" "$tmpd/$name.addrs" \
		"$tmpd/$name.out" "$client" || { echo "record.sh: $name: the namespace failed" >&2; return 1; }
	ver=$("$SMO" run "$host" -d0.1 -bt < /dev/null 2>/dev/null | sed -n 's/^Version //p' | head -n 1)
	what="samples/$name (host name $host; /etc/mail, /etc/passwd, /etc/hosts, /etc/shells, /home of samples/$name/root; samples/record.sh)"
	{
		echo "# Real sendmail $ver -bv results for $what"
		echo "# format: <address> TAB <sendmail -bv output lines joined with ' | '>"
		sort "$tmpd/$name.out/bv"
	} > "$out/expected-bv.txt"
	{
		echo "# Real sendmail $ver -bi output for $what"
		cat "$tmpd/$name.out/bi"
	} > "$out/expected-bi.txt"
	if [ -n "$client" ]; then
		{
			echo "# Real sendmail $ver check_rcpt results (-bt, client_addr $client, a client that may not relay) for $what"
			echo "# format: <address> TAB <what check_rcpt returned>"
			sort "$tmpd/$name.out/rcpt"
		} > "$out/expected-check_rcpt.txt"
	fi
}

case "${1:-}" in
--inner)
	shift
	inner "$@"
	exit $?
	;;
esac

tmpd=$(mktemp -d "${TMPDIR:-/tmp}/s2q-samples.XXXXXX") || exit 111
trap 'rm -rf "$tmpd"' EXIT INT TERM
mode=record
case "${1:-}" in
--check) mode=check; shift ;;
--addresses) addresses "$2"; exit $? ;;
-*) echo "usage: record.sh [--check] [NAME...] | --addresses NAME" >&2; exit 100 ;;
esac
[ $# -gt 0 ] || set -- office isp hosting
why=$("$SMO" available) || { echo "record.sh: $why" >&2; exit 111; }
rc=0
for name in "$@"; do
	[ -f "$here/$name/hostname" ] || { echo "record.sh: no sample $name" >&2; exit 100; }
	if [ $mode = record ]; then
		record "$name" "$here/$name" || exit 111
		echo "recorded $name: $(grep -vc '^#' "$here/$name/expected-bv.txt") addresses"
		continue
	fi
	mkdir -p "$tmpd/live.$name" || exit 111
	record "$name" "$tmpd/live.$name" || exit 111
	for f in "$tmpd/live.$name"/expected-*.txt; do
		b=$(basename "$f")
		if cmp -s "$here/$name/$b" "$f"; then
			echo "same: $name/$b"
		else
			echo "DIFFERENT: $name/$b"
			diff "$here/$name/$b" "$f" | head -40
			rc=1
		fi
	done
	for f in "$here/$name"/expected-*.txt; do
		[ -e "$tmpd/live.$name/$(basename "$f")" ] || { echo "DIFFERENT: $name/$(basename "$f") no longer produced"; rc=1; }
	done
done
exit $rc
