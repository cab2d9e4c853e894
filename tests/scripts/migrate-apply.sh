#!/bin/sh
# migrate-apply.sh - s2q-migrate against a live tree: the dry run writes nothing there,
# apply installs with a backup, a second dry run shows no change, rollback restores the
# tree byte for byte (contents, modes, owners; files the apply created are removed), and
# an apply stopped by a fault (tests/wrap/faultinject.c) at any call leaves a tree that
# rollback restores.  Input: the sample-02 host of tests/golden/migrate-sample02.
script=migrate-apply
. "$(dirname "$0")/lib.inc"
m=$S2Q_BIN/s2q-migrate
src=$top/tests/golden/migrate-sample02/in/root
opts="--hostname mx1.example.com --no-route --no-home-check"
# fullsum DIR: names, types, modes, owners, sizes and contents of everything below DIR
fullsum() { (cd "$1" && find . -printf '%p %y %m %u %g %s\n' | LC_ALL=C sort && find . -type f -exec cksum {} + | LC_ALL=C sort); }

# a live qmail tree with files the migration replaces (odd owner and mode) and others it keeps
mklive() {
	rm -rf "$1" && mkdir -p "$1/var/qmail/control" "$1/var/qmail/bin" "$1/var/qmail/users" "$1/etc"
	echo old.example.com >"$1/var/qmail/control/me"
	printf 'old.example.com\n' >"$1/var/qmail/control/rcpthosts"
	echo keep >"$1/var/qmail/bin/qmail-keep"
	printf '=x:x:1:1:/x:::\n.\n' >"$1/var/qmail/users/assign"
	echo '127.:allow,RELAYCLIENT=""' >"$1/etc/tcp.smtp"
	chmod 600 "$1/var/qmail/control/me"
	chown 12:34 "$1/var/qmail/control/me" 2>/dev/null
}
live=$scratch/live
mklive "$live"
before=$(fullsum "$live")

# its own TMPDIR: another s2q-migrate running at the same time does not show up in it
mkdir "$scratch/tmpdir"
TMPDIR=$scratch/tmpdir "$m" --from "$src" $opts --dry-run --against "$live" >"$scratch/dry.out" \
	2>"$scratch/dry.err"
rc=$?
check "dry run exits 1 (changes to make)" test $rc -eq 1
check "dry run leaves the live tree byte-identical" test "$(fullsum "$live")" = "$before"
check "dry run shows the replaced control/me" grep -q '^+mx1.example.com' "$scratch/dry.out"
check "dry run shows a created file" grep -q 'only in staged: var/qmail/users/cdb' "$scratch/dry.out"
check "dry run leaves no staging directory" sh -c "! ls -A '$scratch/tmpdir' | grep -q ."

"$m" --from "$src" $opts --apply --against "$live" --backup-dir "$scratch/bk" --json "$scratch/ap.json" \
	>"$scratch/ap.out" 2>"$scratch/ap.err"
rc=$?
check "apply exits 0" test $rc -eq 0
check "apply installed control/me" grep -qx mx1.example.com "$live/var/qmail/control/me"
check "apply kept the owner of a replaced file" test "$(stat -c %u:%g "$live/var/qmail/control/me")" = 12:34
check "apply kept files it does not write" grep -qx keep "$live/var/qmail/bin/qmail-keep"
check "apply prints the restart command (control/me changed)" grep -q 'svc -t /service/qmail-send' "$scratch/ap.out"
check "apply prints the tcprules command" grep -q '^tcprules /etc/tcp.smtp.cdb' "$scratch/ap.out"
check "apply says qmail-newu is not needed" grep -q 'do not run qmail-newu' "$scratch/ap.out"
check "manifest lists a replaced file" grep -q '^replaced 0600 [0-9]* [0-9]* 16 [0-9a-f]* var/qmail/control/me$' "$scratch/bk/manifest"
check "manifest lists a created file" grep -q '^created 0644 var/qmail/users/cdb$' "$scratch/bk/manifest"
check "backup holds the old bytes" grep -qx old.example.com "$scratch/bk/files/var/qmail/control/me"
check "report has the apply object" grep -q '"apply":{"against":' "$scratch/ap.json"

"$m" --from "$src" $opts --dry-run --against "$live" >"$scratch/dry2.out" 2>&1
rc=$?
check "second dry run: exit 0, no change" test $rc -eq 0
check "second dry run prints no difference" test ! -s "$scratch/dry2.out" -o "$(grep -c '^content\|^only in' "$scratch/dry2.out")" = 0
"$m" --from "$src" $opts --apply --against "$live" >/dev/null 2>"$scratch/ap2.err"
check "second apply: nothing to install" grep -q 'nothing to install' "$scratch/ap2.err"

"$m" --rollback "$scratch/bk" 2>"$scratch/rb.err"
rc=$?
check "rollback exits 0" test $rc -eq 0
check "apply + rollback: live tree byte-identical (contents, modes, owners)" test "$(fullsum "$live")" = "$before"

# a copy that does not match its manifest is refused
mklive "$live"
"$m" --from "$src" $opts --apply --against "$live" --backup-dir "$scratch/bk2" >/dev/null 2>&1
echo tampered >"$scratch/bk2/files/var/qmail/control/me"
"$m" --rollback "$scratch/bk2" 2>/dev/null
check "rollback refuses a backup copy that does not match the manifest" test $? -ne 0

# faults: every write/fsync/rename/open call of the apply (and of its staging children)
if [ "${S2Q_SANITIZE:-0}" = 1 ] || [ -z "${S2Q_FAULT_SO:-}" ] || [ ! -f "${S2Q_FAULT_SO:-}" ]; then
	skip "apply under fault injection" "plain build with tests/wrap/faultinject.so only"
else
	for f in write fsync rename open; do
		n=1 bad="" fired=0
		while [ $n -le 60 ]; do
			mklive "$live"
			rm -rf "$scratch/bkf" "$scratch/flog"
			env LD_PRELOAD="$S2Q_FAULT_SO" S2Q_FAULT="$f:$n" S2Q_FAULT_LOG="$scratch/flog" \
				"$m" --from "$src" $opts --apply --against "$live" --backup-dir "$scratch/bkf" \
				>/dev/null 2>"$scratch/ferr"
			rc=$?
			[ -s "$scratch/flog" ] && fired=$((fired + 1))
			if [ $rc -ne 0 ] && [ -e "$scratch/bkf" ]; then
				"$m" --rollback "$scratch/bkf" >/dev/null 2>&1 || bad="$bad $f:$n:rollback-failed"
			elif [ $rc -eq 0 ]; then
				"$m" --rollback "$scratch/bkf" >/dev/null 2>&1 || bad="$bad $f:$n:rollback-failed"
			fi
			[ "$(fullsum "$live")" = "$before" ] || bad="$bad $f:$n:tree-differs(rc=$rc)"
			[ -n "$bad" ] && break
			# no process made an n-th call: none makes an (n+1)-th either
			[ -s "$scratch/flog" ] || break
			n=$((n + 1))
		done
		if [ -n "$bad" ]; then
			notok "apply stopped by $f faults, then rollback: failures at$bad"
			sed 's/^/#   /' "$scratch/ferr" | head -5
		elif [ $fired -eq 0 ]; then
			notok "apply under $f faults: the fault never fired"
		else
			if [ $n -gt 60 ]; then what="calls 1..60"; else what="calls 1..$fired (the last one)"; fi
			ok "apply stopped by a $f fault at each of $what, then rollback: tree byte-identical"
		fi
	done
fi

# qmail-pw2u's home rule, checked below the copy (owners: root only)
if [ "$(id -u)" -ne 0 ]; then
	skip "home directories checked below the copy" "needs root to chown"
else
	cp -a "$src" "$scratch/h" && mkdir -p "$scratch/h/home/alice" "$scratch/h/home/bob" "$scratch/h/var/qmail/alias"
	chown 2001 "$scratch/h/home/alice"
	chown 7790 "$scratch/h/var/qmail/alias"
	ln -s /home/alice "$scratch/h/home/bob2"
	"$m" --from "$scratch/h" --hostname mx1.example.com --no-route 2>"$scratch/h.err"
	check "home owned by the uid: account taken" sh -c "! grep -q 'account alice gets no' '$scratch/h.err'"
	check "home owned by someone else: skipped (qmail-pw2u -o)" grep -q 'account bob gets no users/assign line: home directory not owned by the uid' "$scratch/h.err"
	check "alias account taken: no S2Q-G003" sh -c "! grep -q S2Q-G003 '$scratch/h.err'"
fi
echo "1..$tap_n"
