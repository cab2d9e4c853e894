#!/bin/sh
# newu-ref.sh - s2q-newu's users/cdb equals, byte for byte, `cdb -c` of the
# records an independent model of qmail-newu (tests/helpers/newu-ref.c) makes,
# on generated users/assign files: wildcards, mixed case, duplicates, 1M lines.
script=newu-ref
. "$(dirname "$0")/lib.inc"

# gen SEED N: a users/assign of N entries
gen() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed);
		for (i = 0; i < n; i++) {
			r = int(rand() * 100);
			name = sprintf("u%d", int(rand() * n));
			if (r < 10) name = toupper(substr(name, 1, 1)) substr(name, 2);
			if (r < 3) name = name ".Dot";
			uid = 1 + int(rand() * 60000);
			if (r < 20)      printf "+%s-:%s:%d:%d:/home/%s:-::\n", name, name, uid, uid, name;
			else if (r < 22) printf "+%s-x:%s:%d:%d:/home/%s:-:pre-:\n", name, name, uid, uid, name;
			else if (r < 23) printf "+:alias:7790:2108:/var/qmail/alias:-::\n";
			else if (r < 24) printf "+%s+:%s:%d:%d:/home/%s:-::\n", tolower(name), name, uid, uid, name;
			else             printf "=%s:%s:%d:%d:/home/%s:::\n", name, name, uid, uid, name;
		}
		print ".";
	}'
}

for spec in "1 1" "2 10" "3 1000" "4 20000" "5 1000000"; do
	set -- $spec
	d="$scratch/h$1"
	mkdir -p "$d/users"
	gen "$1" "$2" > "$d/users/assign"
	if ! "$S2Q_BIN/s2q-newu" -d "$d" 2>"$d/err"; then
		notok "$2 generated lines: s2q-newu failed: $(head -3 "$d/err")"
		continue
	fi
	"$S2Q_HELPERS/newu-ref" < "$d/users/assign" | cdb -c "$d/ref.cdb"
	check "$2 generated lines: users/cdb byte-identical to qmail-newu's" cmp -s "$d/ref.cdb" "$d/users/cdb"
	rm -rf "$d"
done
