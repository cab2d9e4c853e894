#!/bin/sh
# virtusers-faults.sh - make every write, fsync, close, rename, open(O_CREAT)
# and malloc call of an s2q-virtusers run fail in turn (tests/scripts/faults.inc):
# each run exits 111 and leaves the output tree as it was - both fastforward
# databases, the .qmail files, control/virtualdomains, the users/assign
# fragment and the list files, old and new ones together - with no stage
# directory or temp file left.  Once with the alias user's ids (shared
# handlers, the domains' database) and once without (one .qmail file per domain).
script=virtusers-faults
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/faults.inc"

d="$scratch/t"
mkdir -p "$d/out/etc" "$d/out/var/qmail/alias" "$d/out/var/qmail/control"
i=0
while [ $i -lt 12 ]; do
	printf 'info@d%s.example\tu%s\n' $i $i
	printf 'sales+*@d%s.example\tsales+%%2@mx.example.com\n' $i
	printf 'gone@d%s.example\terror:nouser 550 gone\n' $i
	case $((i % 3)) in
	0) printf '@d%s.example\t%%1@mail.d%s.example.net\n' $i $i ;;
	1) printf '@d%s.example\terror:nouser 550 No such user here\n' $i ;;
	esac
	i=$((i + 1))
done > "$d/vt"
printf 'old cdb\n' > "$d/out/etc/virtusers.cdb"
printf 'vd_d0.example:old\n' > "$d/out/var/qmail/control/virtualdomains"
printf '|old default\n' > "$d/out/var/qmail/alias/.qmail-vd_d1:example-default"

faults_check "s2q-virtusers (ids)" "$d" "$S2Q_BIN/s2q-virtusers" --me mx.example.com \
	--alias-uid 7790 --alias-gid 2108 -o out vt
faults_check "s2q-virtusers (no ids)" "$d" "$S2Q_BIN/s2q-virtusers" --me mx.example.com -o out vt
