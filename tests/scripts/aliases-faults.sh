#!/bin/sh
# aliases-faults.sh - make every write, fsync, close, rename, open(O_CREAT) and
# malloc call of an s2q-aliases run fail in turn (tests/scripts/faults.inc):
# each run exits 111 and leaves the output tree as it was - aliases.cdb,
# the .bin lists, every .qmail file and the users/assign fragment, old ones
# and new ones together - with no stage directory or temp file left.
script=aliases-faults
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/faults.inc"

d="$scratch/t"
mkdir -p "$d/old/etc/lists" "$d/out/etc" "$d/out/var/qmail/alias"
{
	echo "root: ops@example.net"
	i=0
	while [ $i -lt 100 ]; do
		case $((i % 5)) in
		0) echo "a$i: u$i, u$((i + 1))@example.org" ;;
		1) echo "a$i: \"|/usr/bin/prog $i\", x$i" ;;
		2) echo "a$i: /var/mail/a$i.mbox, y$i" ;;
		3) echo "a$i: :include:/etc/lists/l$((i % 3))" ;;
		4) echo "owner-a$((i - 1)): o$i, p$i" ;;
		esac
		i=$((i + 1))
	done
	echo "alice: \\alice, alice@home.example.net"
	echo "bob: bob, a0"
} >"$d/old/etc/aliases"
for l in 0 1 2; do printf 'm%s@example.org\nn%s\n' $l $l >"$d/old/etc/lists/l$l"; done
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:2001:2001::/home/alice:/bin/sh\nbob:x:2002:2002::/home/bob:/bin/sh\n' \
	>"$d/old/etc/passwd"
printf 'the old aliases.cdb\n' >"$d/out/etc/aliases.cdb"
printf '|the old .qmail-default\n' >"$d/out/var/qmail/alias/.qmail-default"
printf '/the old .qmail-a2\n' >"$d/out/var/qmail/alias/.qmail-a2"

faults_check s2q-aliases "$d" "$S2Q_BIN/s2q-aliases" --me mail.example.com --passwd old/etc/passwd \
	--root old --alias-uid 7790 --alias-gid 2108 -o out old/etc/aliases

# Unchanged files are kept (util/aw keep_same, outtx reuse) or, with --reuse, linked from
# another tree: the same sweep over a tree converted already with one .qmail file changed
# since (so aliases.cdb and most files take the keep path - aliases.cdb's temp is written,
# compared and dropped - and the run still changes the tree), and over an empty output
# root with that tree as --reuse (the link path).
if [ "${S2Q_SANITIZE:-0}" != 1 ] && [ -n "${S2Q_FAULT_SO:-}" ]; then
	k="$scratch/keep"
	cp -a "$d" "$k"
	(cd "$k" && "$S2Q_BIN/s2q-aliases" --me mail.example.com --passwd old/etc/passwd --root old \
		--alias-uid 7790 --alias-gid 2108 -o out old/etc/aliases >/dev/null 2>&1)
	check "a converted tree to keep files of: exit 0" test $? -eq 0
	printf '/changed since\n' >"$k/out/var/qmail/alias/.qmail-a2"
fi
faults_check "s2q-aliases over its own output" "$k" "$S2Q_BIN/s2q-aliases" --me mail.example.com \
	--passwd old/etc/passwd --root old --alias-uid 7790 --alias-gid 2108 -o out old/etc/aliases
if [ "${S2Q_SANITIZE:-0}" != 1 ] && [ -n "${S2Q_FAULT_SO:-}" ]; then
	mkdir "$k/out2"
fi
faults_check "s2q-aliases --reuse" "$k" "$S2Q_BIN/s2q-aliases" --me mail.example.com \
	--passwd old/etc/passwd --root old --alias-uid 7790 --alias-gid 2108 --reuse out -o out2 \
	old/etc/aliases
# --fresh (s2q-migrate's staging tree): files are put in place at once, linked or written,
# and made durable by syncfs (no fsync to fail); every failure takes them away again.  The
# directories are there already (a failed --fresh run may leave the ones it made: its
# caller throws the tree away).
if [ "${S2Q_SANITIZE:-0}" != 1 ] && [ -n "${S2Q_FAULT_SO:-}" ]; then
	rm -rf "$k/out2"
	(cd "$k/out" && find . -type d ! -name '.s2q-*' -exec mkdir -p "../out3/{}" \;)
	printf '/changed again\n' >"$k/out/var/qmail/alias/.qmail-a2"
fi
all_faults=$FAULTS
FAULTS="write close rename open malloc"
faults_check "s2q-aliases --fresh --reuse" "$k" "$S2Q_BIN/s2q-aliases" --me mail.example.com \
	--passwd old/etc/passwd --root old --alias-uid 7790 --alias-gid 2108 --reuse out --fresh \
	-o out3 old/etc/aliases
FAULTS=$all_faults

# One pass diagnoses and stages together (aliasmap.c amap_run).  Input whose errors only
# the mapping finds (tests/golden/aliases-refuse), written where staging fails at the
# first file, the stage directory or every open: still every error is reported, exit 100
# (the refusal, not the write error), and nothing is left under the output root.
if [ "${S2Q_SANITIZE:-0}" = 1 ]; then
	skip "s2q-aliases: refusal when staging fails" "runs in the plain build (LD_PRELOAD)"
elif [ -n "${S2Q_FAULT_SO:-}" ] && [ -f "$S2Q_FAULT_SO" ]; then
	g="$top/tests/golden/aliases-refuse/in"
	rm -rf "$scratch/ref"
	cp -a "$g" "$scratch/ref"
	before=$(treesum "$scratch/ref")
	(cd "$scratch/ref" && "$S2Q_BIN/s2q-aliases" --me mail.example.com --passwd old/passwd -o out \
		old/aliases >/dev/null 2>"$scratch/ref.err")
	check "refusal without a fault: exit 100" test $? -eq 100
	for f in open:1 open:2 write:1 rename:1; do
		func=${f%%:*}
		case $FAULTS in *"$func"*) ;; *) continue ;; esac
		rm -rf "$scratch/rf" "$scratch/rf.log"
		cp -a "$g" "$scratch/rf"
		(cd "$scratch/rf" && env LD_PRELOAD="$S2Q_FAULT_SO" S2Q_FAULT=$f S2Q_FAULT_LOG="$scratch/rf.log" \
			"$S2Q_BIN/s2q-aliases" --me mail.example.com --passwd old/passwd -o out \
			old/aliases >/dev/null 2>"$scratch/rf.err")
		rc=$?
		after=$(treesum "$scratch/rf")
		check "refusal with $f failing (it did): exit 100, every error, nothing left" \
			test -s "$scratch/rf.log" -a $rc -eq 100 -a "$after" = "$before" -a \
			"$(cat "$scratch/rf.err")" = "$(cat "$scratch/ref.err")"
	done
fi

# Every diagnostic is shown before the tree changes (one pass stages; amap_publish comes
# after the report): a stderr that cannot take them (a full device; a reader that went
# away after the first byte, with 1 MB of notes to show) ends the run with exit 111 and
# the output tree as it was, no stage directory left.
s="$scratch/sd0"
mkdir -p "$s/old" "$s/out/etc"
i=0
while [ $i -lt 2000 ]; do echo "p$i: \"|/usr/bin/prog $i\""; i=$((i + 1)); done >"$s/old/aliases"
printf 'the old aliases.cdb\n' >"$s/out/etc/aliases.cdb"
before=$(treesum "$s")
if [ -w /dev/full ]; then
	rm -rf "$scratch/sd"
	cp -a "$s" "$scratch/sd"
	(cd "$scratch/sd" && "$S2Q_BIN/s2q-aliases" --me mail.example.com -o out old/aliases >/dev/null 2>/dev/full)
	rc=$?
	check "stderr on a full device: exit 111, tree as it was" \
		test $rc -eq 111 -a "$(treesum "$scratch/sd")" = "$before"
else
	skip "stderr on a full device" "no writable /dev/full here"
fi
rm -rf "$scratch/sd"
cp -a "$s" "$scratch/sd"
{ (cd "$scratch/sd" && "$S2Q_BIN/s2q-aliases" --me mail.example.com -o out old/aliases 2>&1 >/dev/null); \
	echo $? >"$scratch/sd.rc"; } | head -c 1 >/dev/null
check "stderr reader gone after 1 byte: exit 111, tree as it was" \
	test "$(cat "$scratch/sd.rc")" -eq 111 -a "$(treesum "$scratch/sd")" = "$before"
rm -rf "$scratch/sd"
cp -a "$s" "$scratch/sd"
(cd "$scratch/sd" && "$S2Q_BIN/s2q-aliases" --me mail.example.com -o out old/aliases >/dev/null 2>&1)
check "the same input otherwise: exit 0, tree written" \
	test $? -eq 0 -a "$(treesum "$scratch/sd")" != "$before"
