#!/bin/sh
# newu-faults.sh - make every write, fsync, close, rename, open(O_CREAT) and
# malloc call of an s2q-newu run fail in turn: each run exits 111, leaves the
# old users/cdb byte-identical and no temp file behind (tests/scripts/faults.inc).
script=newu-faults
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/faults.inc"

d="$scratch/q"
mkdir -p "$d/users"
i=0
while [ $i -lt 3000 ]; do
	printf '=user%d:user%d:%d:100:/home/user%d:::\n+user%d-:user%d:%d:100:/home/user%d:-::\n' \
		$i $i $((i + 1000)) $i $i $i $((i + 1000)) $i
	i=$((i + 1))
done > "$d/users/assign"
echo . >> "$d/users/assign"
printf 'the old users/cdb\n' > "$d/users/cdb"

faults_check s2q-newu "$d" "$S2Q_BIN/s2q-newu" -d .
