#!/bin/sh
# hostcmp.sh - smresolve against the real sendmail's recordings of recorded case
# directories (tests/smres/hostgen.py's held-out hosts; not part of make check).
#
#   S2Q_HELPERS=build/dev/tests/helpers sh tests/smres/hostcmp.sh DIR...
#
# DIR is a case directory with expected-bv.txt (and perhaps expected-check_rcpt.txt),
# or a directory of them.  Prints one line per case with the counts, then every
# address whose answers differ (ours / sendmail's, both through bv2dlv.awk or
# rcpt2dlv.awk, exactly as tests/scripts/smres-oracle.sh compares them), and a
# total.  Exit 0 when all agree, 1 when some differ.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
R=${S2Q_HELPERS:-$top/build/dev/tests/helpers}/smresolve
[ -x "$R" ] || { echo "hostcmp.sh: no $R (build it, or set S2Q_HELPERS)" >&2; exit 100; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/s2q-hostcmp.XXXXXX") || exit 111
trap 'rm -rf "$tmp"' EXIT INT TERM
nbv=0 dbv=0 nrc=0 drc=0 nh=0

one() {
	d=$1 h=$(cat "$1/hostname")
	nh=$((nh + 1))
	grep -v '^#' "$d/expected-bv.txt" | cut -f 1 > "$tmp/a"
	"$R" -H "$h" "$d/root" < "$tmp/a" 2> /dev/null | awk -v ours=1 -f "$here/bv2dlv.awk" > "$tmp/o"
	awk -f "$here/bv2dlv.awk" "$d/expected-bv.txt" > "$tmp/t"
	n=$(wc -l < "$tmp/t")
	paste "$tmp/o" "$tmp/t" | awk -F '\t' -v c="$d" '$2 != $4 { print c ": -bv " $1 ": ours " $2 " / sendmail " $4 }' > "$tmp/dd"
	k=$(wc -l < "$tmp/dd")
	[ "$(wc -l < "$tmp/o")" = "$n" ] || { echo "$d: smresolve answered $(wc -l < "$tmp/o") of $n"; k=$((k + 1)); }
	nbv=$((nbv + n)) dbv=$((dbv + k))
	line="$d: $n -bv answers, $k differ"
	if [ -f "$d/expected-check_rcpt.txt" ]; then
		grep -v '^#' "$d/expected-check_rcpt.txt" | cut -f 1 |
			"$R" -r -H "$h" "$d/root" 2> /dev/null | awk -v ours=1 -f "$here/rcpt2dlv.awk" > "$tmp/ro"
		awk -f "$here/rcpt2dlv.awk" "$d/expected-check_rcpt.txt" > "$tmp/rt"
		m=$(wc -l < "$tmp/rt")
		paste "$tmp/ro" "$tmp/rt" | awk -F '\t' -v c="$d" '$2 != $4 { print c ": check_rcpt " $1 ": ours " $2 " / sendmail " $4 }' >> "$tmp/dd"
		j=$(( $(wc -l < "$tmp/dd") - k ))
		nrc=$((nrc + m)) drc=$((drc + j))
		line="$line; $m check_rcpt verdicts, $j differ"
	fi
	echo "$line"
	cat "$tmp/dd"
}

for a; do
	if [ -f "$a/expected-bv.txt" ]; then
		one "$a"
	else
		for d in "$a"/*/; do
			d=${d%/}
			[ -f "$d/expected-bv.txt" ] && one "$d"
		done
	fi
done
echo "total: $nh hosts, $nbv -bv answers ($dbv differ), $nrc check_rcpt verdicts ($drc differ)"
[ $((dbv + drc)) -eq 0 ]
