#!/bin/sh
# migrate-route.sh - the route proof inside s2q-migrate: s2q-route runs on the staged
# tree with every converter diagnostic as --known, and its summary lands in the report;
# without s2q-route beside s2q-migrate the step says not_done (never silently skipped).
script=migrate-route
. "$(dirname "$0")/lib.inc"
m=$S2Q_BIN/s2q-migrate
src=$top/tests/golden/migrate-sample02/in/root
if [ ! -x "$S2Q_BIN/s2q-route" ]; then
	skip "route proof in the report" "s2q-route is not built"
else
	"$m" --from "$src" --hostname mx1.example.com --no-home-check --json "$scratch/r.json" 2>"$scratch/r.err"
	rc=$?
	check "exit 0 or 1 (1: unexplained differences)" test $rc -le 1
	check "route step ran" grep -q '"step":"route","program":"s2q-route","status":"ok","rc":[01],' "$scratch/r.json"
	check "summary in the report" grep -Eq '"route":\{"same":[0-9]+,"different":[0-9]+,"known":[0-9]+,"only_sendmail":[0-9]+,"only_qmail":[0-9]+,"unexplained":[0-9]+,"total":[1-9][0-9]*\}' "$scratch/r.json"
	check "summary on stderr" grep -Eq '^  route proof: [1-9][0-9]* addresses: ' "$scratch/r.err"
	u=$(sed -n 's/.*"unexplained":\([0-9]*\),"total".*/\1/p' "$scratch/r.json")
	if [ "$u" = 0 ]; then
		check "nothing unexplained: exit 0" test $rc -eq 0
	else
		check "unexplained differences: exit 1" test $rc -eq 1
	fi
fi
# apply refuses while the proof has unexplained differences, unless --force
# (the office sample: its proof's answer depends on s2q-route's state, so both cases)
if [ -x "$S2Q_BIN/s2q-route" ]; then
	off=$top/samples/office
	mkdir -p "$scratch/live"
	"$m" --from "$off/root" --hostname "$(cat "$off/hostname")" --no-home-check --alias-uid 7790 \
		--alias-gid 2108 --apply --against "$scratch/live" --backup-dir "$scratch/bk" \
		--json "$scratch/a.json" >/dev/null 2>"$scratch/a.err"
	rc=$?
	if grep -q '"unexplained":0,' "$scratch/a.json"; then
		check "office proven: apply exit 0" test $rc -eq 0
		check "office proven: installed" test -s "$scratch/live/var/qmail/users/cdb"
	else
		check "unexplained differences: apply exit 1" test $rc -eq 1
		check "unexplained differences: nothing installed, no backup" test ! -e "$scratch/bk" -a ! -e "$scratch/live/var"
		check "unexplained differences: said so" grep -q 'apply anyway with --force' "$scratch/a.err"
		"$m" --from "$off/root" --hostname "$(cat "$off/hostname")" --no-home-check --alias-uid 7790 \
			--alias-gid 2108 --apply --force --against "$scratch/live" --backup-dir "$scratch/bk" \
			>/dev/null 2>&1
		check "--force: installed (exit 1 still says unexplained)" test $? -eq 1 -a -s "$scratch/live/var/qmail/users/cdb"
	fi
fi
# a bin directory without s2q-route: the step is reported as not done
mkdir "$scratch/bin"
for p in s2q-cf s2q-aliases s2q-virtusers s2q-newu; do ln -s "$S2Q_BIN/$p" "$scratch/bin/$p"; done
S2Q_BINDIR=$scratch/bin "$m" --from "$src" --hostname mx1.example.com --no-home-check --json "$scratch/n.json" 2>"$scratch/n.err"
check "without s2q-route: exit 0" test $? -eq 0
check "without s2q-route: step not_done" grep -q '"step":"route","program":"s2q-route","status":"not_done"' "$scratch/n.json"
check "without s2q-route: said on stderr" grep -q 'routes are NOT proven' "$scratch/n.err"
check "without s2q-route: route null" grep -q '"route":null' "$scratch/n.json"
# a converter that cannot run: the host fails (111), the reason names it
rm "$scratch/bin/s2q-newu"
S2Q_BINDIR=$scratch/bin "$m" --from "$src" --hostname mx1.example.com --no-home-check --to "$scratch/o" 2>"$scratch/f.err"
check "missing converter: exit 111" test $? -eq 111
check "missing converter: reason" grep -q 'newu: s2q-newu exited 127' "$scratch/f.err"
check "missing converter: nothing written" test ! -e "$scratch/o"
echo "1..$tap_n"
