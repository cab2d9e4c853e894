#!/bin/sh
# migrate-aliasuser.sh - without --alias-uid/--alias-gid, s2q-migrate takes qmail's
# alias user from the passwd of the machine it runs on (S2Q-G032).  Needs root
# (a temporary system account is added and removed); skipped otherwise.
script=migrate-aliasuser
. "$(dirname "$0")/lib.inc"
acct=s2qtest$$
if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		notok "needs root and useradd"
	else
		skip "alias account from this machine" "needs root and useradd"
	fi
	echo "1..$tap_n"
	exit 0
fi
useradd -r -M -d /var/qmail/alias -s /usr/sbin/nologin "$acct" >/dev/null 2>&1 ||
	{ notok "useradd $acct"; echo "1..$tap_n"; exit 0; }
trap 'userdel "$acct" >/dev/null 2>&1; rm -rf "$scratch"' EXIT INT TERM
uid=$(id -u "$acct") gid=$(id -g "$acct")
s=$top/samples/office
"$S2Q_BIN/s2q-migrate" --from "$s/root" --to "$scratch/out" --hostname "$(cat "$s/hostname")" \
	--no-home-check --no-route --alias-user "$acct" >"$scratch/out.txt" 2>"$scratch/err.txt"
rc=$?
check "converts (exit $rc)" [ "$rc" = 0 ]
check "note S2Q-G032 names the account" grep -q "alias user: $acct (uid $uid, gid $gid) .*\[S2Q-G032\]" "$scratch/err.txt"
check "users/assign catch-all uses its ids" grep -q "^+:$acct:$uid:$gid:" "$scratch/out/var/qmail/users/assign"
# given ids win over the account
rm -rf "$scratch/out2"
"$S2Q_BIN/s2q-migrate" --from "$s/root" --to "$scratch/out2" --hostname "$(cat "$s/hostname")" \
	--no-home-check --no-route --alias-user "$acct" --alias-uid 7790 --alias-gid 2108 \
	>/dev/null 2>"$scratch/err2.txt"
check "--alias-uid wins, no note" sh -c "! grep -q S2Q-G032 '$scratch/err2.txt' && grep -q '^+:$acct:7790:2108:' '$scratch/out2/var/qmail/users/assign'"
echo "1..$tap_n"
