#!/bin/sh
# maptext-oracle.sh - parse/maptext against the real makemap: for every tests/maptext-oracle/X.txt
# the records s2q reads (tests/helpers/maptext-dump) equal what `makemap hash` stores
# (`makemap -u` dump, sorted) and s2q reports an error on exactly the lines makemap
# complains about.  The real makemap's answers are recorded in X.makemap (errors, then
# the dump); with the oracle available (tests/oracle/sm.sh available, required with
# CI=true) they are produced again and must equal the recording.
# A line longer than makemap's buffer is an error for both; makemap then reads the rest
# of that line as one more record, s2q skips it whole (the run is refused anyway): for
# X.txt with an X.errors-only marker only the error lines are compared.
# S2Q_ORACLE_RECORD=1 rewrites the recordings.
script=maptext-oracle
. "$(dirname "$0")/lib.inc"
dir=$top/tests/maptext-oracle
H=${S2Q_HELPERS:-$top/build/cc/tests/helpers}

live=0
if why=$(sh "$top/tests/oracle/sm.sh" available 2>&1); then
	live=1
elif [ "${CI:-}" = true ]; then
	notok "the sendmail oracle must run with CI=true: $why"
fi
# makemap as root reads a cf for TrustedUser: give it an empty one
: >"$scratch/empty.cf"

for f in "$dir"/*.txt; do
	name=$(basename "$f" .txt)
	"$H/maptext-dump" "$f" "$scratch/$name.rec" "$scratch/$name.err"
	{
		echo "errors: $(tr '\n' ' ' <"$scratch/$name.err")"
		LC_ALL=C sort "$scratch/$name.rec"
	} >"$scratch/$name.ours"
	if [ $live = 1 ]; then
		rm -f "$scratch/$name.db"
		sh "$top/tests/oracle/sm.sh" makemap -C "$scratch/empty.cf" hash "$scratch/$name" <"$f" \
			2>"$scratch/$name.mmerr"
		sh "$top/tests/oracle/sm.sh" makemap -C "$scratch/empty.cf" -u hash "$scratch/$name" \
			>"$scratch/$name.dump" 2>/dev/null
		{
			echo "errors: $(sed -n 's/.*: line \([0-9][0-9]*\): .*/\1/p' "$scratch/$name.mmerr" |
				sort -un | tr '\n' ' ')"
			LC_ALL=C sort "$scratch/$name.dump"
		} >"$scratch/$name.live"
		if [ "${S2Q_ORACLE_RECORD:-0}" = 1 ]; then
			cp "$scratch/$name.live" "$dir/$name.makemap"
		elif cmp -s "$dir/$name.makemap" "$scratch/$name.live"; then
			ok "$name: live makemap = recording"
		else
			notok "$name: live makemap differs from the recording"
			diff -u "$dir/$name.makemap" "$scratch/$name.live" | sed 's/^/#   /' | head -20
		fi
	else
		skip "$name: live makemap" "$why"
	fi
	if [ -f "$dir/$name.errors-only" ]; then
		if [ "$(head -1 "$dir/$name.makemap")" = "$(head -1 "$scratch/$name.ours")" ]; then
			ok "$name: s2q's error lines = makemap's"
		else
			notok "$name: s2q reports other error lines than makemap"
		fi
	elif cmp -s "$dir/$name.makemap" "$scratch/$name.ours"; then
		ok "$name: s2q's records and error lines = makemap's"
	else
		notok "$name: s2q reads the map differently from makemap"
		diff -u "$dir/$name.makemap" "$scratch/$name.ours" | sed 's/^/#   /' | head -20
	fi
done
