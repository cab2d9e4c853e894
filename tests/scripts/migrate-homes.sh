#!/bin/sh
# migrate-homes.sh - the passwd's home directories as the users and forward steps see
# them below the root (migrate.c root_stat, which keeps the last home's directory open
# between accounts): symlinks anywhere on the way are not followed, "..", missing and
# too-deep homes are not found, "//" and a trailing "/" are the same home, and the
# answers do not depend on the accounts before (the notes and files of the previous
# walk-every-home code).  Needs root (homes owned by an account); skipped otherwise.
script=migrate-homes
. "$(dirname "$0")/lib.inc"
if [ "$(id -u)" != 0 ]; then
	if [ "${CI:-}" = true ]; then
		notok "needs root (chown)"
	else
		skip "homes below the root" "needs root (chown)"
	fi
	echo "1..$tap_n"
	exit 0
fi
r=$scratch/root
cp -a "$top/tests/golden/migrate-sample02/in/root" "$r"
mkdir -p "$r/home/a" "$r/home/d" "$r/home/e" "$r/srv/x/y/z"
ln -s /tmp "$r/home/b"
ln -s home "$r/link"
ln -s /tmp "$r/srv/x/sl"
echo 'a@example.org' >"$r/home/a/.forward"
echo 'e@example.org' >"$r/home/e/.forward"
chown 3001 "$r/home/a"
cat >>"$r/etc/passwd" <<'P'
ua:x:3001:3001::/home/a:/bin/sh
ub:x:3002:3002::/home/b:/bin/sh
uc:x:3003:3003::/home/c:/bin/sh
ud:x:3004:3004::/home//d/:/bin/sh
uz:x:3005:3005::/srv/x/y/z:/bin/sh
ue:x:3006:3006::/home/e:/bin/sh
ul:x:3007:3007::/link/a:/bin/sh
us:x:3008:3008::/srv/x/sl:/bin/sh
uy:x:3009:3009::/srv/x/y:/bin/sh
up:x:3010:3010::/home/../etc:/bin/sh
ur:x:3011:3011::/:/bin/sh
uh:x:3012:3012::/home:/bin/sh
ua2:x:3013:3013::/home/a/:/bin/sh
ux:x:3014:3014::/srv/x/y/zz:/bin/sh
uq:x:3015:3015::/srv/x/y/z:/bin/sh
P
"$S2Q_BIN/s2q-migrate" --from "$r" --hostname mx1.example.com --no-route --to "$scratch/out" \
	--json "$scratch/out.json" >/dev/null 2>"$scratch/err"
check "converts (exit $?)" test $? -eq 0
s='(qmail-pw2u'"'"'s rule; qmail-getpw skips it too) [S2Q-G010]'
cat >"$scratch/want" <<W
/etc/passwd:6: account ub gets no users/assign line: no such home directory (a symlink in the copy, not followed) $s
/etc/passwd:7: account uc gets no users/assign line: no such home directory $s
/etc/passwd:8: account ud gets no users/assign line: home directory not owned by the uid $s
/etc/passwd:9: account uz gets no users/assign line: home directory not owned by the uid $s
/etc/passwd:10: account ue gets no users/assign line: home directory not owned by the uid $s
/etc/passwd:11: account ul gets no users/assign line: no such home directory (a symlink in the copy, not followed) $s
/etc/passwd:12: account us gets no users/assign line: no such home directory (a symlink in the copy, not followed) $s
/etc/passwd:13: account uy gets no users/assign line: home directory not owned by the uid $s
/etc/passwd:14: account up gets no users/assign line: no such home directory $s
/etc/passwd:15: account ur gets no users/assign line: home directory not owned by the uid $s
/etc/passwd:16: account uh gets no users/assign line: home directory not owned by the uid $s
/etc/passwd:17: account ua2 gets no users/assign line: home directory not owned by the uid $s
/etc/passwd:18: account ux gets no users/assign line: no such home directory $s
/etc/passwd:19: account uq gets no users/assign line: home directory not owned by the uid $s
W
sed -n 's/^s2q-migrate: note: \(.*account u[a-z0-9]* .*\)/\1/p' "$scratch/err" >"$scratch/got"
check "users: the homes' notes, account by account" cmp -s "$scratch/want" "$scratch/got"
check "users: the account whose home it owns has its lines" \
	grep -q '^=ua:ua:3001:3001:/home/a:::$' "$scratch/out/var/qmail/users/assign"
check "forward: the homes found" grep -q '"counts":{"users":9,"dot_qmail":3,"ignored":0,"none":6,"home_not_in_copy":9}' \
	"$scratch/out.json"
check "forward: the .qmail files of the homes in the copy" \
	test "$(cd "$scratch/out" && find home -type f | LC_ALL=C sort | tr '\n' ' ')" = "home/a/.qmail home/e/.qmail "
echo "1..$tap_n"
