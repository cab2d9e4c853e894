#!/bin/sh
# cf-faults.sh - make every write, fsync, close, rename, open(O_CREAT) and malloc
# call of s2q-cf runs fail in turn (tests/scripts/faults.inc): each run exits 111,
# the output tree (an older set of control files) stays byte-identical, no temp or
# stage directory is left.  Run on sample 02 (maps, access, tcp.smtp) and on a host
# with more than 50 rcpthosts domains (morercpthosts.cdb).
script=cf-faults
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/faults.inc"

d="$scratch/t"
mkdir -p "$d/out/var/qmail/control" "$d/out/etc"
cp -R "$top/tests/golden/cf-02-virtual/in/root" "$d/root"
for f in me locals rcpthosts smtproutes; do
	echo "old $f" >"$d/out/var/qmail/control/$f"
done
echo "old rules" >"$d/out/etc/tcp.smtp"
faults_check "s2q-cf sample 02" "$d" "$S2Q_BIN/s2q-cf" --root root --hostname mx1.example.com -o out

m="$scratch/m"
mkdir -p "$m/out"
cp -R "$top/tests/golden/cf-morercpthosts/in/root" "$m/root"
faults_check "s2q-cf morercpthosts" "$m" "$S2Q_BIN/s2q-cf" --root root --hostname mx.example.test -o out
