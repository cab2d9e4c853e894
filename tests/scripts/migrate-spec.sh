#!/bin/sh
# migrate-spec.sh - s2q-newu run ahead (migrate.c spec_newu_start/spec_newu_take): when
# --to has a users/assign, s2q-migrate starts s2q-newu on a link to it (work/tmp/newu)
# beside the converters and uses that run only when the merged users/assign is the same
# file (step_users linked it from --to).  A wrapper around s2q-newu logs which tree each
# run builds ("ahead" or "staged"), can inject a diagnostic naming its -d path, or make
# the run ahead hang.  Checked: no run ahead on a first run; only the run ahead on an
# unchanged re-run (the tree and users/cdb kept); both, and the staged run's users/cdb,
# when the host changed or --to's users/assign is not what the merge makes; the
# diagnostic named as the staged tree's either way; a hanging run ahead is stopped.
script=migrate-spec
. "$(dirname "$0")/lib.inc"

b="$scratch/bin"
mkdir -p "$b"
for p in s2q-migrate s2q-cf s2q-aliases; do ln -s "$S2Q_BIN/$p" "$b/$p"; done
# with S2Q_TEST_NICE s2q-virtusers waits until the run ahead has noted its nice level (its
# priority is given back when it is waited for, after the converters: not before that)
cat >"$b/s2q-virtusers" <<W
#!/bin/sh
i=0
while [ -n "\$S2Q_TEST_NICE" ] && [ ! -s "$scratch/ahead.nice" ] && [ \$i -lt 1200 ]; do
	sleep 0.05; i=\$((i + 1))
done
exec "$S2Q_BIN/s2q-virtusers" "\$@"
W
chmod +x "$b/s2q-virtusers"
cat >"$b/s2q-newu" <<W
#!/bin/sh
prev=
for a; do [ "\$prev" = -d ] && d=\$a; prev=\$a; done
case \$d in */tmp/newu/*) kind=ahead ;; *) kind=staged ;; esac
echo \$kind >>"$scratch/newu.log"
if [ -n "\$S2Q_TEST_NICE" ] && [ \$kind = ahead ]; then
	# s2q-migrate lowers the run ahead's priority just after starting it
	i=0
	while [ "\$(nice)" = "\$S2Q_TEST_NICE" ] && [ \$i -lt 1200 ]; do sleep 0.05; i=\$((i + 1)); done
	nice >"$scratch/ahead.nice.x" && mv "$scratch/ahead.nice.x" "$scratch/ahead.nice"
fi
[ -n "\$S2Q_TEST_SLOW" ] && [ \$kind = ahead ] && exec sleep 60
out=\$("$S2Q_BIN/s2q-newu" "\$@"); rc=\$?
if [ -n "\$S2Q_TEST_DIAG" ]; then
	g="{\"severity\":\"warning\",\"code\":\"S2Q-U999\",\"file\":\"\$d/users/assign\",\"line\":1,\"message\":\"test: built in \$d\"}"
	out=\$(printf '%s' "\$out" | sed -e 's|"diagnostics":\[|&@@|' -e "s|@@]|\$g]|" -e "s|@@{|\$g,{|")
fi
printf '%s\n' "\$out"
exit \$rc
W
chmod +x "$b/s2q-newu"

cp -a "$top/samples/isp/root" "$scratch/root"
host=$(cat "$top/samples/isp/hostname")
run() { # run OUT [ENV...]: convert into $scratch/OUT; the s2q-newu runs in $scratch/newu.log
	o=$1; shift
	: >"$scratch/newu.log"
	env S2Q_BINDIR="$b" "$@" "$S2Q_BIN/s2q-migrate" --from "$scratch/root" --to "$scratch/$o" \
		--hostname "$host" --no-home-check --no-route --alias-uid 7790 --alias-gid 2108 \
		--json "$scratch/$o.json" >/dev/null 2>"$scratch/$o.err"
}
log() { tr '\n' ' ' <"$scratch/newu.log" | sed 's/ $//'; }
# staged_after: the staged run, after the run ahead if that got as far as logging -
# it runs 10 below s2q-migrate's priority and is killed as soon as it is not wanted,
# which on a loaded machine can be before its wrapper has written a line
staged_after() { [ "$(log)" = "ahead staged" ] || [ "$(log)" = staged ]; }
ino() { stat -c %i "$scratch/$1"; }
# fresh_cdb OUT: users/cdb is what s2q-newu builds from OUT's users/assign
fresh_cdb() {
	rm -rf "$scratch/ref" && mkdir -p "$scratch/ref/users" &&
		cp "$scratch/$1/var/qmail/users/assign" "$scratch/ref/users/assign" &&
		"$S2Q_BIN/s2q-newu" -d "$scratch/ref" >/dev/null 2>&1 &&
		cmp -s "$scratch/ref/users/cdb" "$scratch/$1/var/qmail/users/cdb"
}
not() { ! "$@"; }
no_staging() { ! find "$scratch/$1" -name '.s2q-*' | grep -q .; }
cdb=var/qmail/users/cdb

run a
check "first run: exit 0" [ $? = 0 ]
check "first run: no users/assign in --to, nothing run ahead ($(log))" [ "$(log)" = staged ]
check "first run: users/cdb as s2q-newu builds it" fresh_cdb a
cp -a "$scratch/a" "$scratch/a1"
i1=$(ino a/$cdb)

run a
check "unchanged re-run: exit 0" [ $? = 0 ]
check "unchanged re-run: only the run ahead ($(log))" [ "$(log)" = ahead ]
check "unchanged re-run: the tree is the first run's" diff -r "$scratch/a1" "$scratch/a"
check "unchanged re-run: users/cdb kept (same inode)" [ "$(ino a/$cdb)" = "$i1" ]
check "unchanged re-run: newu step ok, its counts" \
	grep -q '"step":"newu","program":"s2q-newu","status":"ok","rc":0,"reason":null,"counts":{"records":[1-9]' \
	"$scratch/a.json"
check "unchanged re-run: nothing of the staging left" no_staging a

# a new virtusertable entry: another users/assign, so the run ahead is not used
printf 'new@bakery.example.com\t\tabauer\n' >>"$scratch/root/etc/mail/virtusertable"
run a
check "changed host: exit 0" [ $? = 0 ]
check "changed host: the run ahead, then the staged one ($(log))" staged_after
check "changed host: users/assign changed" not cmp -s "$scratch/a1/var/qmail/users/assign" \
	"$scratch/a/var/qmail/users/assign"
check "changed host: users/cdb as s2q-newu builds it from the new users/assign" fresh_cdb a
run fresh
check "changed host: the tree is a fresh run's" diff -r "$scratch/fresh" "$scratch/a"
check "changed host: nothing of the staging left" no_staging a

# --to's users/assign edited by hand: the merge makes the converters' one again
cp -a "$scratch/a" "$scratch/a2"
printf 'garbage without colons\n' >>"$scratch/a/var/qmail/users/assign"
run a
check "edited users/assign: exit 0" [ $? = 0 ]
check "edited users/assign: the run ahead (it fails), then the staged one ($(log))" \
	staged_after
check "edited users/assign: the tree is the run before's" diff -r "$scratch/a2" "$scratch/a"

# a diagnostic naming the tree s2q-newu built: shown as the staged tree's, run ahead or not
run a S2Q_TEST_DIAG=1
check "diagnostic, run ahead: exit 0 ($(log))" [ "$(log)" = ahead ]
grep 'S2Q-U999' "$scratch/a.err" >"$scratch/diag.ahead"
cp "$scratch/a.json" "$scratch/ahead.json"
printf 'other@bakery.example.com\t\tabauer\n' >>"$scratch/root/etc/mail/virtusertable"
run a S2Q_TEST_DIAG=1
check "diagnostic, staged run: exit 0 ($(log))" staged_after
grep 'S2Q-U999' "$scratch/a.err" >"$scratch/diag.staged"
check "diagnostic: one line each" [ "$(cat "$scratch/diag.ahead" "$scratch/diag.staged" | wc -l)" = 2 ]
check "diagnostic: the same words both ways" cmp -s "$scratch/diag.ahead" "$scratch/diag.staged"
check "diagnostic: names the staged tree, not the run ahead's" \
	grep -q 'test: built in var/qmail' "$scratch/diag.ahead"
check "diagnostic: no work/tmp path in either report" not grep -q 'tmp/newu' "$scratch/diag.ahead" \
	"$scratch/ahead.json" "$scratch/a.err" "$scratch/a.json"

# the run ahead runs 10 below s2q-migrate's own priority (here started at nice 3)
run a S2Q_TEST_NICE=3 nice -n 3
check "nice: exit 0 ($(log))" [ $? = 0 ]
check "nice: the run ahead at 13 ($(cat "$scratch/ahead.nice" 2>/dev/null))" \
	[ "$(cat "$scratch/ahead.nice" 2>/dev/null)" = 13 ]

# a run ahead that hangs is stopped when it is not wanted (the host changed again)
printf 'third@bakery.example.com\t\tabauer\n' >>"$scratch/root/etc/mail/virtusertable"
t0=$(date +%s)
run a S2Q_TEST_SLOW=1
rc=$?
t1=$(date +%s)
check "hanging run ahead: exit 0" [ $rc = 0 ]
check "hanging run ahead: stopped, not waited for ($((t1 - t0)) s)" [ $((t1 - t0)) -lt 30 ]
check "hanging run ahead: users/cdb as s2q-newu builds it" fresh_cdb a
check "hanging run ahead: nothing of the staging left" no_staging a
echo "1..$tap_n"
