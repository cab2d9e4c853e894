#!/bin/sh
# record.sh - ask the real sendmail about the smres oracle cases and record its answers
#
#   sh tests/smres/record.sh [NAME...]           rewrite tests/smres/NAME/expected-*.txt
#   sh tests/smres/record.sh --check [NAME...]   ask again, compare with the recordings
#   sh tests/smres/record.sh --regen [NAME...]   m4 root/etc/mail/sendmail.mc > sendmail.cf
#
# A case tests/smres/NAME has the layout of a bundled sample (samples/README.md):
# hostname, root/ (etc/mail with sendmail.mc and the generated sendmail.cf,
# etc/passwd, etc/hosts, etc/shells, home/USER/.forward), extra-addresses and
# optionally check_rcpt-client.  The oracle is run exactly as for the samples:
# this script hands the cases to samples/record.sh (recipe B of
# ../shared/ref/sendmail.md 4.4 in a private mount, network and UTS namespace)
# through a scratch tree that has the layout samples/record.sh expects, so the
# recordings (expected-bv.txt, expected-bi.txt, expected-check_rcpt.txt) have
# the samples' format.  NAME defaults to every case.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=record
case "${1:-}" in
--check) mode=check; shift ;;
--regen) mode=regen; shift ;;
-*) echo "usage: record.sh [--check|--regen] [NAME...]" >&2; exit 100 ;;
esac
if [ $# -eq 0 ]; then
	for d in "$here"/*/hostname; do
		[ -e "$d" ] && set -- "$@" "$(basename "$(dirname "$d")")"
	done
fi
if [ $mode = regen ]; then
	for n; do
		(cd "$here/$n/root/etc/mail" && m4 sendmail.mc > sendmail.cf) || exit 111
	done
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/s2q-smres.XXXXXX") || exit 111
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/samples" "$tmp/tests/oracle" || exit 111
ln -s "$top/samples/record.sh" "$tmp/samples/record.sh" || exit 111
ln -s "$top/tests/oracle/sm.sh" "$tmp/tests/oracle/sm.sh" || exit 111
S2Q_SENDMAIL_DIR=${S2Q_SENDMAIL_DIR:-$top/.deps/sendmail-bin}
export S2Q_SENDMAIL_DIR
for n; do
	[ -f "$here/$n/hostname" ] || { echo "record.sh: no case $n" >&2; exit 100; }
	cp -R "$here/$n" "$tmp/samples/$n" || exit 111
done
rm -f "$tmp"/samples/*/expected-*.txt
sh "$tmp/samples/record.sh" "$@" > /dev/null || exit $?
rc=0
for n; do
	for f in "$tmp/samples/$n"/expected-*.txt; do
		b=$(basename "$f")
		sed '1s|samples/|tests/smres/|g' "$f" > "$f.new" || exit 111
		if [ $mode = record ]; then
			mv "$f.new" "$here/$n/$b" || exit 111
		elif cmp -s "$here/$n/$b" "$f.new"; then
			echo "same: $n/$b"
		else
			echo "DIFFERENT: $n/$b"
			diff "$here/$n/$b" "$f.new" | head -20
			rc=1
		fi
	done
	[ $mode = record ] && echo "recorded $n: $(grep -vc '^#' "$here/$n/expected-bv.txt") addresses"
done
exit $rc
