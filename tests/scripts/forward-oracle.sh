#!/bin/sh
# forward-oracle.sh - .forward files: parse/forward against the real sendmail,
# emit/fwdqmail against dot-forward.
#
# For every case in tests/forward (see tests/forward/oracle.inc):
#   - what s2q reads (tests/helpers/fwdconv -v: the verdict per target, or
#     why the file is ignored) equals what the recorded `sendmail -bv -v`
#     says (NAME.bv through bv_verdicts);
#   - dot-forward -n still prints the recording NAME.dotforward, and for the
#     cases marked "same" it lists exactly the targets of our .qmail;
#   - when the oracle can run here (tests/oracle/sm.sh available), sendmail
#     is asked again and its verdicts must equal the recording's.
# The case trees need owners (chown): run as root.  With CI=true an oracle
# or a root that is missing is a failure, otherwise a SKIP.
script=forward-oracle
. "$(dirname "$0")/lib.inc"
. "$top/tests/forward/oracle.inc"
F="$S2Q_HELPERS/fwdconv"

same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff "$2" "$3" | head -20 | sed 's/^/#   /'
	fi
}

if [ "$(id -u)" != 0 ]; then
	if [ "${CI:-}" = true ]; then
		notok "the .forward cases need root (owners of the files) in CI"
	else
		skip ".forward cases" "they need root to give the files their owners"
	fi
	exit 0
fi

chmod 755 "$scratch"	# sendmail reads a .forward as its user: the path must be searchable
r="$scratch/root"
mkdir -p "$r" && cp -R "$fdir/root/." "$r/" && chmod 755 "$r" "$r/etc" "$r/var" "$r/var/spool" "$r/var/spool/mqueue"
fwd_lists "$r/var/spool/mqueue"
fwd_tree "$r" || notok "cannot build the case tree"
{ cat "$top/tests/aliases/passwd"; fwd_passwd ""; } > "$scratch/passwd"
mkdir -p "$scratch/df"
fwd_cases > "$scratch/cases"
while read -r name shell df setup; do
	uid=$(fwd_uid "$name")
	user="$name:$uid:$uid:/home/$name:$shell"
	bv_verdicts "$fdir/$name.bv" "$name" > "$scratch/$name.want"
	# shellcheck disable=SC2086
	if "$F" -v -S -k "$scratch/passwd" -Q /var/spool/mqueue $fwd_local -P '$z/.forward' \
		-r "$r" "$user" > "$scratch/$name.got" 2>"$scratch/err"; then
		same "$name: targets as sendmail -bv -v reads the .forward" "$scratch/$name.want" "$scratch/$name.got"
	else
		notok "$name: fwdconv -v failed: $(head -3 "$scratch/err")"
	fi
	dotforward_run "$name" "$fdir/$name.forward" "$scratch/df"
	same "$name: dot-forward -n still prints the recording" "$fdir/$name.dotforward" "$scratch/df/$name.dotforward"
	# shellcheck disable=SC2086
	"$F" -q -S -Q /var/spool/mqueue $fwd_local -P '$z/.forward' -r "$r" "$user" \
		> "$scratch/$name.q" 2>/dev/null
	if grep -q '^== [^ ]* none' "$scratch/$name.q"; then
		echo "direct delivery" > "$scratch/$name.ours"
	else
		sed 1d "$scratch/$name.q" > "$scratch/$name.qmail"
		qmail_targets "$scratch/$name.qmail" | sort -u > "$scratch/$name.ours"
	fi
	grep -v -e '^exit ' -e '^skipping empty file' "$fdir/$name.dotforward" | sed 's/@me\.me$/@mx.example.test/' > "$scratch/$name.df"
	if [ ! -s "$scratch/$name.df" ] && grep -qx 'exit 0' "$fdir/$name.dotforward"; then
		echo "direct delivery" > "$scratch/$name.df"
	fi
	LC_ALL=C sort -u "$scratch/$name.df" -o "$scratch/$name.df"
	if [ "$df" = same ]; then
		same "$name: dot-forward -n lists the targets of our .qmail" "$scratch/$name.df" "$scratch/$name.ours"
	elif cmp -s "$scratch/$name.df" "$scratch/$name.ours"; then
		notok "$name: marked 'differs' but dot-forward now lists the targets of our .qmail"
	else
		ok "$name: dot-forward differs from sendmail here, as documented"
	fi
done < "$scratch/cases"

if why=$("$SMO" available); then
	od="$scratch/oracle"
	mkdir -p "$od" "$scratch/live"
	if oracle_setup "$od"; then
		while read -r name rest; do
			if ! oracle_run "$name" "$scratch/live"; then
				notok "$name: the sendmail oracle failed"
				continue
			fi
			bv_verdicts "$fdir/$name.bv" "$name" > "$scratch/rec.v"
			bv_verdicts "$scratch/live/$name.bv" "$name" > "$scratch/live.v"
			# Twice in four full `make check` runs on 2026-11-29 one case (a
			# different one each time) got another answer under the parallel
			# load, and never when asked alone; cause not found.  The answer
			# is shown and sendmail asked once more: a real change of
			# sendmail's answer repeats, and fails below.
			if ! cmp -s "$scratch/rec.v" "$scratch/live.v"; then
				sed 's/^/#   first answer: /' "$scratch/live/$name.bv" | head -12
				oracle_run "$name" "$scratch/live" &&
					bv_verdicts "$scratch/live/$name.bv" "$name" > "$scratch/live.v"
			fi
			same "$name: sendmail -bv -v still says what the recording says" "$scratch/rec.v" "$scratch/live.v"
		done < "$scratch/cases"
	else
		notok "cannot build the oracle configuration (m4, /usr/share/sendmail/cf)"
	fi
elif [ "${CI:-}" = true ]; then
	notok "the sendmail oracle must run in CI: $why"
else
	skip "live sendmail oracle" "$why"
fi
