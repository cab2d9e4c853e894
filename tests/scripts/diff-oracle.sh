#!/bin/sh
# diff-oracle.sh - s2q-diff's decoders and unified diff against the real tools,
# byte for byte:
#   aliases.cdb built by fastforward's setforward: --dump = printforward
#   .bin built by setmaillist:                     --dump = printmaillist
#   users/cdb built by s2q-newu and by cdb -c:     --dump = the users/assign lines
#   any cdb:                                       --dump --as cdb = cdb -d
#   morercpthosts.cdb:                             --dump = its keys, sorted
#   text pairs:                                    the diff = GNU diff -u --label
# The fixed inputs and the real tools' answers are recorded in diff-oracle.d/
# (compared always); when the tools are installed, the recordings are checked
# against them and generated inputs are compared live too.  Outside CI a
# missing tool skips the live part with a message; with CI=true it fails.
script=diff-oracle
. "$(dirname "$0")/lib.inc"
rec="$(dirname "$0")/diff-oracle.d"
D="$S2Q_BIN/s2q-diff"

# have TOOL...: 0 if every tool is installed; else skip (or fail under CI)
have() {
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			if [ "${CI:-}" = true ]; then
				notok "$t is not installed (make deps); CI must run the live comparisons"
			else
				skip "live comparison with $t" "$t not installed (make deps installs it)"
			fi
			return 1
		fi
	done
	return 0
}

# same LABEL FILE1 FILE2: ok if byte-identical
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff -u "$2" "$3" 2>&1 | head -20 | sed 's/^/#   /'
	fi
}

# ---- recorded answers (always) ----
"$D" --dump --as forward "$rec/forward1.cdb" > "$scratch/f1" 2>"$scratch/err"
same "recorded: --dump of setforward's forward1.cdb = printforward's output" "$rec/forward1.out" "$scratch/f1"
"$D" --dump "$rec/maillist1.bin" > "$scratch/m1" 2>"$scratch/err"
same "recorded: --dump of setmaillist's maillist1.bin = printmaillist's output" "$rec/maillist1.out" "$scratch/m1"
for i in 1 2 3 4 5; do
	rm -rf "$scratch/a" "$scratch/b" && mkdir "$scratch/a" "$scratch/b"
	cp "$rec/pair$i.a" "$scratch/a/f" && cp "$rec/pair$i.b" "$scratch/b/f"
	chmod 644 "$scratch/a/f" "$scratch/b/f"
	(cd "$scratch" && "$D" --no-lint --ignore-owner a b > "$scratch/d$i")
	same "recorded: text pair $i: the diff = GNU diff -u's" "$rec/pair$i.out" "$scratch/d$i"
done

# ---- the recordings still hold for the installed tools ----
if have setforward printforward setmaillist printmaillist; then
	setforward "$scratch/f1.cdb" "$scratch/f1.tmp" < "$rec/forward1.in"
	same "live: setforward rebuilds forward1.cdb byte for byte" "$rec/forward1.cdb" "$scratch/f1.cdb"
	printforward < "$rec/forward1.cdb" > "$scratch/f1.pf"
	same "live: printforward still prints forward1.out" "$rec/forward1.out" "$scratch/f1.pf"
	setmaillist "$scratch/m1.bin" "$scratch/m1.tmp" < "$rec/maillist1.in"
	same "live: setmaillist rebuilds maillist1.bin byte for byte" "$rec/maillist1.bin" "$scratch/m1.bin"
	printmaillist < "$rec/maillist1.bin" > "$scratch/m1.pm"
	same "live: printmaillist still prints maillist1.out" "$rec/maillist1.out" "$scratch/m1.pm"
fi
if have diff; then
	bad=0
	for i in 1 2 3 4 5; do
		diff -u --label a/f --label b/f "$rec/pair$i.a" "$rec/pair$i.b" > "$scratch/g$i"
		cmp -s "$scratch/g$i" "$rec/pair$i.out" || bad=$((bad + 1))
	done
	check "live: GNU diff still prints the 5 recorded diffs" [ $bad -eq 0 ]
fi

# ---- generated inputs, live ----
# genforward SEED N: a setforward input with N entries: escapes, 8-bit bytes,
# owners, programs, lists, catch-alls, duplicates
genforward() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed);
		split("\\  \\# \\, \\: \\; \\\\ x - . + = ~ \344 \377", odd, " ");
		for (i = 0; i < n; i++) {
			r = int(rand() * 100);
			t = sprintf("user%d", int(rand() * n));
			if (r < 5) t = t odd[1 + int(rand() * 14)] "X";
			if (r < 10) t = "@dom" i ".example"; else if (r < 60) t = t "@"; else t = t "@example.com";
			printf "%s:", t;
			k = int(rand() * 4);
			for (j = 0; j < k; j++) {
				s = int(rand() * 10);
				if (s < 5) c = sprintf("&a%d@example%s.com", int(rand() * 1000), odd[1 + int(rand() * 14)]);
				else if (s < 6) c = sprintf("|/usr/bin/prog\\ %d", j);
				else if (s < 7) c = sprintf("!preline\\ /bin/p%d", j);
				else if (s < 8) c = sprintf("./list%d.bin", j);
				else if (s < 9) c = sprintf("/var/lists/l%d.bin", j);
				else c = sprintf("?owner%d@example.com", j);
				printf "%s%s", (j ? ", " : " "), c;
			}
			print ";";
		}
	}'
}
if have setforward printforward; then
	bad=0 n=0
	for spec in "1 1" "2 10" "3 300" "4 3000" "5 20000"; do
		set -- $spec
		genforward "$1" "$2" > "$scratch/g.in"
		if ! setforward "$scratch/aliases.cdb" "$scratch/g.tmp" < "$scratch/g.in" 2>"$scratch/err"; then
			notok "generated setforward input $1 rejected by setforward: $(head -1 "$scratch/err")"
			continue
		fi
		printforward < "$scratch/aliases.cdb" > "$scratch/g.pf"
		"$D" --dump "$scratch/aliases.cdb" > "$scratch/g.ours" 2>"$scratch/err"
		n=$((n + 1))
		cmp -s "$scratch/g.pf" "$scratch/g.ours" || { bad=$((bad + 1)); diff "$scratch/g.pf" "$scratch/g.ours" | head -5 | sed 's/^/#   /'; }
	done
	check "live: --dump = printforward on $n generated aliases.cdb (up to 20000 entries)" [ $bad -eq 0 ] && [ $n -eq 5 ]
fi
if have setmaillist printmaillist; then
	awk 'BEGIN { srand(7); for (i = 0; i < 5000; i++) { r = int(rand() * 10);
		if (r < 6) printf "user%d@example.com\n", i; else if (r < 7) printf "&u%d@x.example   \n", i;
		else if (r < 8) printf "./sub%d.bin\n", i; else if (r < 9) print "# comment"; else print "" } }' > "$scratch/l.in"
	setmaillist "$scratch/l.bin" "$scratch/l.tmp" < "$scratch/l.in"
	printmaillist < "$scratch/l.bin" > "$scratch/l.pm"
	"$D" --dump "$scratch/l.bin" > "$scratch/l.ours"
	same "live: --dump = printmaillist on a generated 5000-line list" "$scratch/l.pm" "$scratch/l.ours"
fi

# users/cdb: generated users/assign (lower-case, as qmail-pw2u writes it)
genassign() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed);
		for (i = 0; i < n; i++) {
			r = int(rand() * 100); name = sprintf("u%d", int(rand() * n)); uid = 1 + int(rand() * 60000);
			if (r < 20)      printf "+%s-:%s:%d:%d:/home/%s:-::\n", name, name, uid, uid, name;
			else if (r < 22) printf "+%s-x:%s:%d:%d:/home/%s:-:pre-:\n", name, name, uid, uid, name;
			else if (r < 23) printf "+:alias:7790:2108:/var/qmail/alias:-::\n";
			else if (r < 24) printf "+%s+:%s:%d:%d:/home/%s:-::\n", name, name, uid, uid, name;
			else             printf "=%s:%s:%d:%d:/home/%s:::\n", name, name, uid, uid, name;
		}
		print ".";
	}'
}
if have cdb; then
	for spec in "1 10" "2 5000" "3 1000000"; do
		set -- $spec
		q="$scratch/q$1"
		mkdir -p "$q/users"
		genassign "$1" "$2" > "$q/users/assign"
		"$S2Q_BIN/s2q-newu" -d "$q" 2>/dev/null
		"$D" --dump "$q/users/cdb" > "$q/dump" 2>"$scratch/err"
		same "$2 generated entries: users/cdb by s2q-newu decodes to the users/assign lines" "$q/users/assign" "$q/dump"
		"$S2Q_HELPERS/newu-ref" < "$q/users/assign" | cdb -c "$q/ref.cdb"
		"$D" --dump --as users "$q/ref.cdb" > "$q/dump2" 2>"$scratch/err"
		same "$2 generated entries: users/cdb by cdb -c (records of qmail-newu's model) decodes to the lines" "$q/users/assign" "$q/dump2"
		if [ "$2" -le 5000 ]; then
			"$D" --dump --as cdb "$q/ref.cdb" > "$q/d1"
			cdb -d "$q/ref.cdb" > "$q/d2"
			same "$2 generated entries: --dump --as cdb = cdb -d" "$q/d2" "$q/d1"
		fi
		rm -rf "$q"
	done
	# mixed case: the decoded lines compile back to the same bytes (raw wildchars kept)
	q="$scratch/mixed"
	mkdir -p "$q/users" "$q/back/users"
	printf '=Joe:joe:1:1:/h/joe:::\n+Info-X:i:2:2:/h/i:-::\n+info-x:j:3:3:/h/j:-::\n+a-:a:4:4:/h/a:-::\n+B-:b:5:5:/h/b:-::\n+:alias:6:6:/h/alias:-::\n.\n' > "$q/users/assign"
	"$S2Q_BIN/s2q-newu" -d "$q" 2>/dev/null
	"$D" --dump "$q/users/cdb" > "$q/back/users/assign" 2>/dev/null
	"$S2Q_BIN/s2q-newu" -d "$q/back" 2>/dev/null
	same "mixed-case users/assign: decoded, recompiled: the same users/cdb bytes" "$q/users/cdb" "$q/back/users/cdb"
	# morercpthosts.cdb: the keys, sorted bytewise
	awk 'BEGIN { srand(11); for (i = 0; i < 20000; i++) printf "host%d.example\n", int(rand() * 100000) }' > "$scratch/mrh"
	awk '{ printf "+%d,0:%s->\n", length($0), $0 } END { print "" }' "$scratch/mrh" | cdb -c "$scratch/morercpthosts.cdb"
	LC_ALL=C sort "$scratch/mrh" > "$scratch/mrh.sorted"
	"$D" --dump "$scratch/morercpthosts.cdb" > "$scratch/mrh.ours"
	same "20000 hosts: morercpthosts.cdb dumps as the sorted list" "$scratch/mrh.sorted" "$scratch/mrh.ours"
fi

# text pairs: many generated edits, s2q-diff's diff = GNU diff -u's
# genpair SEED N ALPHA: files a/f and b/f, lines drawn from few distinct values
# plus unique ones, b made from a by random deletions, insertions, changes
genpair() {
	awk -v seed="$1" -v n="$2" -v alpha="$3" -v dir="$scratch" 'BEGIN {
		srand(seed);
		na = int(rand() * n);
		for (i = 0; i < na; i++)
			a[i] = rand() < 0.5 ? substr("}{#x ", 1 + int(rand() * alpha), 1) : "u" int(rand() * n * 2);
		nb = 0;
		for (i = 0; i < na; i++) {
			r = rand();
			if (r < 0.05) continue;
			if (r < 0.10) b[nb++] = "new" int(rand() * 5);
			if (r < 0.12) b[nb++] = substr("}{#x ", 1 + int(rand() * alpha), 1);
			b[nb++] = (r > 0.97) ? "chg" i : a[i];
		}
		for (i = 0; i < na; i++) print a[i] > (dir "/a/f");
		for (i = 0; i < nb; i++) print b[i] > (dir "/b/f");
		if (na == 0) printf "" > (dir "/a/f");
		if (nb == 0) printf "" > (dir "/b/f");
	}'
}
if have diff; then
	bad=0 n=0
	for seed in $(seq 1 400); do
		rm -rf "$scratch/a" "$scratch/b" && mkdir "$scratch/a" "$scratch/b"
		genpair "$seed" $((10 + seed % 7 * 40)) $((1 + seed % 5))
		# every 5th pair: no newline at the end of one side
		if [ $((seed % 5)) -eq 0 ] && [ -s "$scratch/b/f" ]; then
			head -c -1 "$scratch/b/f" > "$scratch/b/f.x" && mv "$scratch/b/f.x" "$scratch/b/f"
		fi
		chmod 644 "$scratch/a/f" "$scratch/b/f"
		(cd "$scratch" && diff -u --label a/f --label b/f a/f b/f > g; "$D" --no-lint --ignore-owner a b > o)
		n=$((n + 1))
		if ! cmp -s "$scratch/g" "$scratch/o"; then
			bad=$((bad + 1))
			[ $bad -le 2 ] && diff "$scratch/g" "$scratch/o" | head -10 | sed "s/^/#   pair $seed: /"
		fi
	done
	check "live: $n generated text pairs: s2q-diff's diff = GNU diff -u's ($bad differ)" [ $bad -eq 0 ]
fi
