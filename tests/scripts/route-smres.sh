#!/bin/sh
# route-smres.sh - the whole migration of each sendmail oracle case of tests/smres
# (whose sendmail side smres-oracle.sh checks against the real sendmail), proven
# by s2q-route --all inside s2q-migrate: every difference the proof finds is one
# the converters reported or the proof explains itself (known).
#
# fwd: d2 is 4 aliases deep (MaxAliasRecursion 4 allows it) but alice's
# .forward adds a level, so sendmail refuses it; s2q-aliases sees the alias
# chain, not the users' .forward files: the proof explains it (S2Q-R309).
#
# stickyrel: preserve_local_plus_detail makes s2q-migrate pass --no-plus (a
# login's user+detail bounces, as sendmail's local mailer found no such user);
# with LUSER_RELAY sendmail still bounced a login's user+detail, which qmail's
# catch-all relays: reported (S2Q-C081, known to the proof), as is stickyhost's
# split of LUSER_RELAY (S2Q-C080).
#
# virt's own host name has virtusertable entries: s2q-virtusers forwards local
# names to NAME@localhost instead (S2Q-V109).
script=route-smres
. "$(dirname "$0")/lib.inc"
m=$S2Q_BIN/s2q-migrate
for c in bsdup cyrus edge errdeep errgrp fwd fwdplus fwdrelay fwdself gecos hub incldeep inclfwd inclshell loopdeep loopkeep luhost listorder lrelay nullc plus plusfwd plusself primfwd proofcodes rcptq relayloop relaypw relayself s02 selfdeep sticky stickyanc stickydup stickyrel stickyself uucphost relayanc relaybad blanksub deeploop fwdbad stickylogin fwdvirt selfdeepnl stickydeep mtlocal relayfwd fwdloop relaytop stickyloop aliasvirt stickykept aliasdrop relaydeep r5dup stickyatdup stickyup progdeep virt; do
	d=$top/tests/smres/$c
	"$m" --from "$d/root" --to "$scratch/$c" --hostname "$(cat "$d/hostname")" --no-home-check \
		--alias-uid 7790 --alias-gid 2108 --json "$scratch/$c.json" >/dev/null 2>"$scratch/$c.err"
	rc=$?
	want=
	wrc=0
	check "$c: exit $wrc" test $rc -eq $wrc
	# the unexplained addresses of the proof, sorted
	"$S2Q_BIN/s2q-route" --sendmail "$d/root" --qmail "$scratch/$c" --hostname "$(cat "$d/hostname")" \
		--known "$scratch/$c.json" --all 2>/dev/null |
		awk '$1 != "same" && $1 != "summary:" && !/\[known / { sub(/:$/, "", $2); print $2 }' |
		sort | tr '\n' ' ' | sed 's/ $//' >"$scratch/$c.u"
	got=$(cat "$scratch/$c.u")
	if [ "$got" = "$want" ]; then
		ok "$c: unexplained differences: ${want:-none}"
	else
		notok "$c: unexplained differences '$got', want '${want:-}'"
	fi
	check "$c: the report's count agrees" \
		grep -q "\"unexplained\":$(echo $want | wc -w)," "$scratch/$c.json"
done
# MaxAliasRecursion reaches s2q-aliases: hub's d1 (5 deep, 4 max) is refused as sendmail does
check "hub: the cf's MaxAliasRecursion 4 passed on (S2Q-A022 for d1)" \
	grep -q "d1 is refused by sendmail: aliasing/forwarding loop broken (5 aliases deep; 4 max)" \
	"$scratch/hub.err"
"$S2Q_BIN/s2q-aliases" -c --me mx.hub.example.test -w hub.example.test \
	--root "$top/tests/smres/hub/root" -o "$scratch/x" "$top/tests/smres/hub/root/etc/mail/aliases" \
	2>"$scratch/a10.err"
check "without --max-alias-recursion: sendmail's default 10, d1 converted" \
	sh -c "! grep -q S2Q-A022 '$scratch/a10.err'"
# the self reference and the quoted whole address of case edge, as the qmail files say
check "edge: jon: jon is jon's own ~/.qmail, no note of a skipped .forward" \
	sh -c "grep -q 'names the alias itself.*following that login.s .forward' '$scratch/edge.err' &&
		! grep -q \"'jon'.*skipped .forward\" '$scratch/edge.err'"
check "edge: \"kim@edge.example.test\" forwards to kim@edge.example.test" \
	sh -c "cdb -q '$scratch/edge/etc/aliases.cdb' ':quoted@' | grep -q '^&kim@edge.example.test\$'"
# virt: $j has entries (local names go to NAME@localhost), a subdomain sendmail
# refused from outside stays out of rcpthosts, an alias to a .REDIRECT address
# bounces instead of going to LUSER_RELAY
check "virt: \$j with entries: NAME@localhost (S2Q-V109)" grep -q 'S2Q-V109' "$scratch/virt.err"
check "virt: sub.virt.example not in rcpthosts (S2Q-V111)" \
	sh -c "grep -q S2Q-V111 '$scratch/virt.err' && ! grep -qx sub.virt.example '$scratch/virt/var/qmail/control/rcpthosts'"
check "virt: moved (user@host.REDIRECT) bounces, not to LUSER_RELAY" \
	grep -qx '|echo "Sorry, no mailbox here by that name. (#5.1.1)"; exit 100' \
	"$scratch/virt/var/qmail/alias/.qmail-moved"
# cyrus: local names went to cyrusv2, .forward was never read: none is converted
check "stickyrel: preserve_local_plus_detail: s2q-aliases ran with --no-plus (no +detail line)" \
	sh -c "grep -q fastforward '$scratch/stickyrel/var/qmail/alias/.qmail-default' &&
		! grep -q 'DEFAULT%%+' '$scratch/stickyrel/var/qmail/alias/.qmail-default'"
check "stickyrel: LUSER_RELAY with preserve_local_plus_detail reported (S2Q-C081)" \
	grep -q 'S2Q-C081' "$scratch/stickyrel.err"
"$S2Q_BIN/s2q-route" --sendmail "$top/tests/smres/fwd/root" --qmail "$scratch/fwd" \
	--hostname "$(cat "$top/tests/smres/fwd/hostname")" --known "$scratch/fwd.json" d2 >"$scratch/d2.out" 2>/dev/null
check "fwd: d2, too deep through alice's .forward, is known as S2Q-R309" grep -q 'known S2Q-R309' "$scratch/d2.out"
# proofcodes: the differences the proof explains itself, each for its addresses only;
# lista and listb include one list with \dora in it: s2q-aliases reports that member
# once, at its line of the list, and the proof finds it for both aliases
for x in 'alirudo S2Q-R308' 'carol S2Q-R308' 'sales@v1.pc.example S2Q-R308' \
	'alivozita S2Q-R309' 's2q.nosuch@v1.pc.example S2Q-V102' \
	's2q.probe%s2q-remote.invalid@gone.pc.example.test S2Q-R305' \
	'lista S2Q-A109' 'listb@pc.example.test S2Q-A109'; do
	set -- $x
	"$S2Q_BIN/s2q-route" --sendmail "$top/tests/smres/proofcodes/root" --qmail "$scratch/proofcodes" \
		--hostname mx.pc.example.test --known "$scratch/proofcodes.json" "$1" >"$scratch/pc.out" 2>/dev/null
	check "proofcodes: $1 is known as $2" grep -q "^[a-z-]* $1: .*\[known $2\]\$" "$scratch/pc.out"
done
"$S2Q_BIN/s2q-route" --sendmail "$top/tests/smres/proofcodes/root" --qmail "$scratch/proofcodes" \
	--hostname mx.pc.example.test --known "$scratch/proofcodes.json" --json erin dora tami+x \
	>"$scratch/pc.json" 2>/dev/null
check "proofcodes: erin, dora, tami+x are the same" grep -q '"same":3,' "$scratch/pc.json"
check "cyrus: the local mailer reported (S2Q-C079), no .forward converted" \
	sh -c "grep -q S2Q-C079 '$scratch/cyrus.err' && test ! -e '$scratch/cyrus/home/alice/.qmail' &&
		grep -q 'sendmail never read .forward files' '$scratch/cyrus.err'"
# stickyself: stickyhost's split of both relays is reported, on their lines
check "stickyself: LUSER_RELAY and LOCAL_RELAY with stickyhost reported (S2Q-C080)" \
	test "$(grep -c 'S2Q-C080' "$scratch/stickyself.err")" -eq 2
# gecos: MatchGECOS full names are aliases of their logins, and route as sendmail did
check "gecos: full names of alice and bob (S2Q-A135)" \
	test "$(grep -c 'S2Q-A135' "$scratch/gecos.err")" -eq 2
"$S2Q_BIN/s2q-route" --sendmail "$top/tests/smres/gecos/root" --qmail "$scratch/gecos" \
	--hostname mx.gecos.example.test --json Alice.Smith bob_van.dyke Bob.Van.Dyke@mx.gecos.example.test \
	>"$scratch/g.json" 2>/dev/null
check "gecos: Alice.Smith, bob_van.dyke, Bob.Van.Dyke@ route to the logins, as in sendmail" \
	grep -q '"same":3,' "$scratch/g.json"
echo "1..$tap_n"
