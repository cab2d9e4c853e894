#!/bin/sh
# migrate-assign.sh - how s2q-migrate merges users/assign: s2q-aliases' lines, then
# s2q-virtusers', then the passwd's; a line whose address (type and lower-cased address)
# an earlier line has is left out with note S2Q-G011.  The converters never write such
# fragments (s2q-virtusers picks prefixes no alias or login claims), so wrappers around
# the real converters (S2Q_BINDIR) keep a copy of s2q-aliases' fragment and add lines to
# s2q-virtusers': one with the address of an aliases line (first, in the middle, last), a
# second Anna@ in another case, and - the second run - an empty line, which takes the
# line-by-line path instead of the copying in stretches.  Both must give what an awk
# first-one-wins over the two fragments gives, and the notes must name each line left out.
script=migrate-assign
. "$(dirname "$0")/lib.inc"

b="$scratch/bin"
mkdir -p "$b"
for p in s2q-migrate s2q-cf s2q-newu; do ln -s "$S2Q_BIN/$p" "$b/$p"; done
cat >"$b/s2q-aliases" <<W
#!/bin/sh
"$S2Q_BIN/s2q-aliases" "\$@"; rc=\$?
for a; do o=\$a; done
while [ \$# -gt 1 ]; do [ "\$1" = -o ] && out=\$2; shift; done
cp "\$out/var/qmail/users/assign.aliases" "$scratch/frag.aliases"
exit \$rc
W
cat >"$b/s2q-virtusers" <<W
#!/bin/sh
"$S2Q_BIN/s2q-virtusers" "\$@"; rc=\$?
while [ \$# -gt 1 ]; do [ "\$1" = -o ] && out=\$2; shift; done
f=\$out/var/qmail/users/assign.virtusers
{
	echo "=MAIL:alias:7790:2108:/var/qmail/alias:-:first:"
	sed -n '1,5p' "\$f"
	echo "=Mail:alias:7790:2108:/var/qmail/alias:-:middle:"
	[ -n "\$S2Q_TEST_EMPTY" ] && echo
	sed -n '6,\$p' "\$f"
	echo "+vd_bakery.example.com-ANNA+:alias:7790:2108:/var/qmail/alias:-:vd+-:"
	echo "=mail:alias:7790:2108:/var/qmail/alias:-:last:"
} >"\$f.x" && mv "\$f.x" "\$f"
cp "\$f" "$scratch/frag.virtusers"
exit \$rc
W
chmod +x "$b/s2q-aliases" "$b/s2q-virtusers"

s=$top/samples/isp
for mode in stretches lines; do
	rm -rf "$scratch/out"
	if [ $mode = lines ]; then e=1; else e=; fi
	S2Q_BINDIR=$b S2Q_TEST_EMPTY=$e "$S2Q_BIN/s2q-migrate" --from "$s/root" --to "$scratch/out" \
		--hostname "$(cat "$s/hostname")" --no-home-check --no-route --alias-uid 7790 \
		--alias-gid 2108 >/dev/null 2>"$scratch/err.$mode"
	rc=$?
	check "$mode: converts (exit $rc)" [ "$rc" = 0 ]
	check "$mode: the aliases' fragment has a line for mail" grep -q '^=mail:' "$scratch/frag.aliases"
	# first one wins: the key is the type (+, or = for the rest) and the lower-cased address
	cat "$scratch/frag.aliases" "$scratch/frag.virtusers" | awk '
		NF == 0 { next }
		{ k = $0; sub(/:.*/, "", k); t = substr(k, 1, 1); if (t != "+") t = "="
		  k = t tolower(substr(k, 2)); if (!(k in seen)) { seen[k] = 1; print } }' \
		>"$scratch/want.$mode"
	n=$(wc -l <"$scratch/want.$mode")
	head -n "$n" "$scratch/out/var/qmail/users/assign" >"$scratch/got.$mode"
	check "$mode: users/assign starts with the fragments, each address once" \
		cmp -s "$scratch/want.$mode" "$scratch/got.$mode"
	grep 'S2Q-G011' "$scratch/err.$mode" | grep 'assign.virtusers' |
		sed 's/^s2q-migrate: note: users\/assign: \(.*\) from .*/\1/' >"$scratch/left.$mode"
	grep -v '^$' "$scratch/frag.virtusers" | grep -v -x -F -f "$scratch/want.$mode" \
		>"$scratch/wantleft.$mode"
	check "$mode: a note for each line left out, in line order" \
		cmp -s "$scratch/wantleft.$mode" "$scratch/left.$mode"
	check "$mode: four lines left out" [ "$(wc -l <"$scratch/left.$mode")" = 4 ]
done
check "both ways: the same users/assign notes" cmp -s "$scratch/left.stretches" "$scratch/left.lines"
echo "1..$tap_n"
