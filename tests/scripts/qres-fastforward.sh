#!/bin/sh
# qres-fastforward.sh - the qmail-side resolver's fastforward against Debian's
# real fastforward 0.51: for every case of tests/qres/ff/cases (and a generated
# aliases table) `qresolve --ff` must print exactly what `fastforward -n` prints
# (program runs, envelope sender, recipients, errors) and exit with its code.
#
# The aliases.cdb (setforward), extra.cdb (cdb -c, for what setforward cannot
# write: 900-byte addresses, unterminated instructions...) and .bin lists
# (setmaillist) are checked in under tests/qres/ff/built/, and fastforward's
# answers under tests/qres/ff/expected, so the comparison also runs where the
# tools are missing; when they are present (always with CI=true) the files are
# rebuilt and fastforward is run live, and both must agree with the recording.
# S2Q_UPDATE=1 rebuilds built/ and re-records expected with the real tools.
script=qres-fastforward
. "$(dirname "$0")/lib.inc"
src=$top/tests/qres/ff
q=$S2Q_HELPERS/qresolve

have=1
for t in fastforward setforward setmaillist cdb; do
	command -v "$t" >/dev/null 2>&1 || have=0
done

# build DIR - the databases and lists from their sources, with the real tools
build() {
	mkdir -p "$1/lists" &&
	setforward "$1/aliases.cdb" "$1/aliases.tmp" < "$src/aliases.src" &&
	cdb -c "$1/extra.cdb" < "$src/extra.cdbtext" &&
	for l in big sub secret empty; do
		setmaillist "$1/lists/$l.bin" "$1/lists/$l.tmp" < "$src/$l.txt" || return 1
	done &&
	setmaillist "$1/rel.bin" "$1/rel.tmp" < "$src/rel.txt"
}

# one TOOL MODE CDB ADDR - one run, as "=== MODE CDB ADDR", stderr, "exit N"
one() {
	tool=$1 mode=$2 cdb=$3 a=$4
	case $a in
	*@*) l=${a%@*} d=${a##*@} ;;
	*) l=$a d= ;;
	esac
	fl=
	case $mode in
	1) set -- "RECIPIENT=$a" "SENDER=s@x" ;;
	2) set -- "RECIPIENT=$a" "SENDER=" ;;
	3) set -- "RECIPIENT=$a" "SENDER=#@[]"; fl=-p ;;
	4) set -- "RECIPIENT=$a" ;;
	5) set -- "DEFAULT=$l" "SENDER=s@x"; fl=-d ;;
	6) set -- "EXT=$l" "SENDER=s@x"; fl="-d -p" ;;
	esac
	if [ "$mode" -ge 5 ] && [ -n "$d" ]; then
		set -- "$@" "HOST=$d"
	fi
	echo "=== $mode $cdb $a"
	if [ "$tool" = real ]; then
		(cd "$w" && env - "$@" fastforward -n $fl "$cdb" 2>&1 >/dev/null; echo "exit $?")
	else
		(cd "$w" && env - "$@" "$q" --ff $fl "$cdb" 2>&1 >/dev/null; echo "exit $?")
	fi
}

# cases TOOL CASEFILE - every case of the file in all six modes
cases() {
	while read -r cdb a; do
		case $cdb in '#'*) continue ;; esac
		for m in 1 2 3 4 5 6; do
			one "$1" "$m" "$cdb" "$a"
		done
	done < "$2"
}

w=$scratch/ff
mkdir -p "$w"
if [ "${S2Q_UPDATE:-0}" = 1 ] && [ $have = 1 ]; then
	rm -rf "$src/built"
	if ! build "$src/built"; then
		notok "S2Q_UPDATE: building the databases failed"
		exit 0
	fi
	rm -f "$src/built"/*.tmp "$src/built"/lists/*.tmp
	cp -R "$src/built/." "$w/" && chmod 600 "$w/lists/secret.bin"
	cases real "$src/cases" > "$src/expected"
	rm -rf "$w" && mkdir -p "$w"
fi
cp -R "$src/built/." "$w/"
chmod 600 "$w/lists/secret.bin"

# the recording: one TAP line per recipient, all six modes
cases ours "$src/cases" > "$scratch/ours"
while read -r cdb a; do
	case $cdb in '#'*) continue ;; esac
	awk -v c="$cdb" -v a="$a" '$1 == "===" { on = ($3 == c && $4 == a) } on' "$src/expected" > "$scratch/e1"
	awk -v c="$cdb" -v a="$a" '$1 == "===" { on = ($3 == c && $4 == a) } on' "$scratch/ours" > "$scratch/o1"
	if [ -s "$scratch/e1" ] && cmp -s "$scratch/e1" "$scratch/o1"; then
		ok "$cdb <$a>: six modes as fastforward -n recorded"
	else
		notok "$cdb <$a>: differs from the recorded fastforward -n"
		diff "$scratch/e1" "$scratch/o1" | head -20 | sed 's/^/#   /'
	fi
done < "$src/cases"

if [ $have = 0 ]; then
	if [ "${CI:-}" = true ]; then
		notok "fastforward, setforward, setmaillist or cdb missing (CI=true: the live comparison must run)"
	else
		skip "live fastforward -n" "fastforward tools not installed (make deps)"
	fi
	exit 0
fi

# live: the checked-in files are what the tools build, and fastforward still answers the same
if build "$scratch/rebuilt"; then
	rm -f "$scratch/rebuilt"/*.tmp "$scratch/rebuilt"/lists/*.tmp
else
	notok "building the databases with the real tools failed"
fi
check "checked-in aliases.cdb, extra.cdb and .bin lists equal a fresh build with the real tools" \
	diff -r "$src/built" "$scratch/rebuilt"
cases real "$src/cases" > "$scratch/real"
if cmp -s "$src/expected" "$scratch/real"; then
	ok "live fastforward -n answers as recorded ($(grep -c '^===' "$scratch/real") runs)"
else
	notok "live fastforward -n differs from the recording"
	diff "$src/expected" "$scratch/real" | head -20 | sed 's/^/#   /'
fi

# a generated table: aliases pointing at aliases, lists in lists, owners, programs, catch-alls
gen() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed);
		for (i = 0; i < 12; i++) {
			printf "" > ("'"$w"'/gen/l" i ".txt");
			m = 1 + int(rand() * 4);
			for (j = 0; j < m; j++) {
				r = rand();
				if (r < 0.4) print "a" int(rand() * n) "@example.com" >> ("'"$w"'/gen/l" i ".txt");
				else if (r < 0.6) print "./gen/l" int(rand() * 12) ".bin" >> ("'"$w"'/gen/l" i ".txt");
				else if (r < 0.7) print "|prog in list" >> ("'"$w"'/gen/l" i ".txt");
				else print "r" int(rand() * 50) "@remote.example" >> ("'"$w"'/gen/l" i ".txt");
			}
		}
		for (i = 0; i < n; i++) {
			r = rand();
			key = (r < 0.5) ? "a" i "@" : (r < 0.9) ? "a" i "@example.com" : "@d" i ".example";
			line = key ":";
			if (rand() < 0.15) line = line " ?owner" i "@example.com,";
			m = 1 + int(rand() * 4);
			for (j = 0; j < m; j++) {
				r = rand();
				if (r < 0.35) t = "&a" int(rand() * n) "@example.com";
				else if (r < 0.45) t = "&A" int(rand() * n) "@Example.COM";
				else if (r < 0.6) t = "./gen/l" int(rand() * 12) ".bin";
				else if (r < 0.7) t = "|prog\\ " i;
				else if (r < 0.75) t = "!preline\\ " i;
				else t = "&r" int(rand() * 50) "@remote.example";
				line = line (j ? ", " : " ") t;
			}
			print line ";";
		}
	}'
}
mkdir -p "$w/gen"
gen 7 400 > "$w/gen/aliases.src"
(cd "$w" && setforward gen/aliases.cdb gen/aliases.tmp < gen/aliases.src) ||
	notok "setforward refused the generated table"
for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
	setmaillist "$w/gen/l$i.bin" "$w/gen/l$i.tmp" < "$w/gen/l$i.txt" || notok "setmaillist l$i"
done
{
	i=0
	while [ $i -lt 400 ]; do
		echo "gen/aliases.cdb a$i@example.com"
		i=$((i + 7))
	done
	echo "gen/aliases.cdb x@d3.example"
	echo "gen/aliases.cdb a1@d5.example"
	echo "gen/aliases.cdb nosuch@example.com"
} > "$scratch/gencases"
cases real "$scratch/gencases" > "$scratch/genreal"
cases ours "$scratch/gencases" > "$scratch/genours"
if cmp -s "$scratch/genreal" "$scratch/genours"; then
	ok "generated 400-entry table: $(grep -c '^===' "$scratch/genreal") runs identical to fastforward -n"
else
	notok "generated 400-entry table differs from fastforward -n"
	diff "$scratch/genreal" "$scratch/genours" | head -20 | sed 's/^/#   /'
fi
