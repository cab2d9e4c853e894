#!/bin/sh
# record.sh - ask the real sendmail again and rewrite the recordings of the
# aliases cases (NAME.newaliases, NAME.praliases, NAME.bv; see oracle.inc).
#
#   sh tests/aliases/record.sh [NAME...]     default: every case
#
# Needs the oracle (tests/oracle/sm.sh available: root, unshare, the
# unpacked sendmail-bin of `make deps`) and m4 with sendmail-cf.  Writes
# only tests/aliases/NAME.{newaliases,praliases,bv}; review the diff
# (git diff tests/aliases) before committing.  To add a case, write
# tests/aliases/NAME.aliases (and NAME.aliases.2 ... for more alias files),
# list it in aliases_bv_cases in oracle.inc if its names need -bv (loops,
# depth), run this script, then check that tests/scripts/aliases-oracle.sh
# passes: it compares the parser's view (tests/helpers/aliasdump) with
# every recording and, where the oracle runs, the recordings with sendmail.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/aliases/oracle.inc"
why=$("$SMO" available) || { echo "record.sh: $why" >&2; exit 111; }
od=$(mktemp -d "${TMPDIR:-/tmp}/s2q-oracle.XXXXXX") || exit 111
trap 'rm -rf "$od"' EXIT INT TERM
oracle_setup "$od" || { echo "record.sh: cannot build the oracle config" >&2; exit 111; }
[ $# -gt 0 ] || set -- $(aliases_cases)
for name in "$@"; do
	[ -e "$adir/$name.aliases" ] || { echo "record.sh: no case $name" >&2; exit 100; }
	oracle_run "$name" "$adir" || { echo "record.sh: $name failed" >&2; exit 111; }
	echo "recorded $name"
done
