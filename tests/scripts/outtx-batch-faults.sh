#!/bin/sh
# outtx-batch-faults.sh - the batched staging of util/outtx: past its 4th file
# outtx_file writes a staged file without an fsync each and outtx_commit makes
# them all durable before publishing (syncfs).  An s2q-aliases run in style
# dotqmail writing 60 ~alias/.qmail files (and replacing old ones) takes that
# path; every write, close, rename and open(O_CREAT) call failing in turn must
# leave the output tree byte-identical, no stage or temp file left
# (tests/scripts/faults.inc).  The first run without a fault must write every
# file with its content.
script=outtx-batch-faults
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/faults.inc"

d="$scratch/t"
mkdir -p "$d/out/var/qmail/alias"
i=0
while [ $i -lt 60 ]; do
	echo "a$i: /var/mail/a$i.mbox, u$i@example.org"
	i=$((i + 1))
done >"$d/aliases"
printf '/the old .qmail-a7\n' >"$d/out/var/qmail/alias/.qmail-a7"
printf '/the old .qmail-a59\n' >"$d/out/var/qmail/alias/.qmail-a59"

# the run itself: 60 files, each as written
rm -rf "$scratch/once" && cp -a "$d" "$scratch/once"
(cd "$scratch/once" && "$S2Q_BIN/s2q-aliases" --style dotqmail --me mail.example.com -o out aliases \
	>/dev/null 2>&1)
rc=$?
n=$(find "$scratch/once/out/var/qmail/alias" -name '.qmail-a*' | wc -l)
if [ $rc -eq 0 ] && [ "$n" -eq 60 ] &&
	[ "$(cat "$scratch/once/out/var/qmail/alias/.qmail-a59")" = "$(printf '/var/mail/a59.mbox\n&u59@example.org')" ] &&
	! ls -a "$scratch/once/out" | grep -q '^\.s2q-'; then
	ok "60 .qmail files written through the batched stage, contents as converted, no stage left"
else
	notok "batched run: exit $rc, $n .qmail files"
fi

FAULTS="write close rename open" faults_check s2q-aliases-batch "$d" "$S2Q_BIN/s2q-aliases" \
	--style dotqmail --me mail.example.com -o out aliases
