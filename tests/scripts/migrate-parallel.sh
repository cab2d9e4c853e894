#!/bin/sh
# migrate-parallel.sh - s2q-migrate runs s2q-aliases while s2q-virtusers and s2q-cf run
# (their inputs and outputs are disjoint), and the rcpthosts and forward steps while
# s2q-aliases runs: the report, its step order and the tree are
# those of the steps run one after another, a child's large stderr does not stall it,
# and a failing or missing s2q-aliases is reported as before.
script=migrate-parallel
. "$(dirname "$0")/lib.inc"
m=$S2Q_BIN/s2q-migrate
src=$top/tests/golden/migrate-sample02/in/root
run() { # run OUT BINDIR: convert into $scratch/OUT, report in OUT.json, stderr in OUT.err
	S2Q_BINDIR=$2 "$m" --from "$src" --hostname mx1.example.com --no-home-check --no-route \
		--to "$scratch/$1" --json "$scratch/$1.json" 2>"$scratch/$1.err"
}
norm() { sed "s|$scratch/[a-z0-9]*|OUT|g" "$1"; }

run ref "$S2Q_BIN"
check "reference run: exit 0" test $? -eq 0
check "steps in their order" grep -q '"steps":\[{"step":"virtusers",.*},{"step":"cf",.*},{"step":"aliases",.*},{"step":"users",' "$scratch/ref.json"

# wrappers: s2q-virtusers waits until s2q-aliases has started (it could not if the
# steps ran one after another: it gives up after 20 s and says so), both write 1 MB
# to stderr first (more than a pipe holds)
mkdir "$scratch/bin"
for p in s2q-cf s2q-newu s2q-route; do ln -s "$S2Q_BIN/$p" "$scratch/bin/$p"; done
big='i=0; while [ $i -lt 16384 ]; do echo "s2q-test: padding line of sixty-four bytes to fill the pipe ......" >&2; i=$((i + 1)); done'
# s2q-aliases then waits until the rcpthosts step has merged s2q-virtusers' rcpthosts lines
# (its staged control/rcpthosts.virtusers is gone): that step runs while s2q-aliases runs
cat >"$scratch/bin/s2q-aliases" <<EOF
#!/bin/sh
: >"$scratch/aliases-started"
$big
prev=
for a; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
c=\$out/var/qmail/control
n=0
while [ ! -e "\$c/rcpthosts" ] || [ -e "\$c/rcpthosts.virtusers" ]; do
	n=\$((n + 1))
	if [ \$n -gt 600 ]; then : >"$scratch/not-early"; break; fi
	sleep 0.1
done
exec "$S2Q_BIN/s2q-aliases" "\$@"
EOF
cat >"$scratch/bin/s2q-virtusers" <<EOF
#!/bin/sh
n=0
while [ ! -e "$scratch/aliases-started" ]; do
	n=\$((n + 1))
	if [ \$n -gt 600 ]; then : >"$scratch/not-parallel"; break; fi
	sleep 0.1
done
$big
exec "$S2Q_BIN/s2q-virtusers" "\$@"
EOF
chmod +x "$scratch/bin/s2q-aliases" "$scratch/bin/s2q-virtusers"
run par "$scratch/bin"
check "through the wrappers: exit 0" test $? -eq 0
check "s2q-aliases ran while s2q-virtusers ran" test ! -e "$scratch/not-parallel"
check "the rcpthosts step ran while s2q-aliases ran" test ! -e "$scratch/not-early"
check "the same tree" sh -c "diff -r '$scratch/ref' '$scratch/par' >/dev/null"
norm "$scratch/ref.json" >"$scratch/ref.n"
norm "$scratch/par.json" >"$scratch/par.n"
check "the same report" cmp -s "$scratch/ref.n" "$scratch/par.n"
norm "$scratch/ref.err" >"$scratch/ref.en"
norm "$scratch/par.err" >"$scratch/par.en"
check "the same text report" cmp -s "$scratch/ref.en" "$scratch/par.en"

# s2q-aliases fails while the others run: the host fails with its reason, nothing written
cat >"$scratch/bin/s2q-aliases" <<EOF
#!/bin/sh
$big
echo "s2q-aliases: fatal: unable to write: disk on fire" >&2
exit 111
EOF
run fail "$scratch/bin"
check "failing s2q-aliases: exit 111" test $? -eq 111
check "failing s2q-aliases: reason" grep -q 'aliases: s2q-aliases exited 111: s2q-aliases: fatal: unable to write: disk on fire' "$scratch/fail.err"
check "failing s2q-aliases: the other steps still reported" grep -q '"step":"virtusers","program":"s2q-virtusers","status":"ok"' "$scratch/fail.json"
check "failing s2q-aliases: nothing written" test ! -e "$scratch/fail"

rm "$scratch/bin/s2q-aliases"
run miss "$scratch/bin"
check "missing s2q-aliases: exit 111" test $? -eq 111
check "missing s2q-aliases: reason" grep -q 'aliases: s2q-aliases exited 127' "$scratch/miss.err"
check "missing s2q-aliases: nothing written" test ! -e "$scratch/miss"
echo "1..$tap_n"
