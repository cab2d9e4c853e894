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
