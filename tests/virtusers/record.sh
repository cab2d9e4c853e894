#!/bin/sh
# record.sh - ask the real sendmail again and rewrite the recordings of the
# virtusertable cases (NAME.sm; see oracle.inc).
#
#   sh tests/virtusers/record.sh [NAME...]     default: every case
#
# Needs the oracle (tests/oracle/sm.sh available: root, unshare, the unpacked
# sendmail-bin of `make deps`) and m4 with sendmail-cf.  Writes only
# tests/virtusers/NAME.sm; review the diff before committing.  To add a case,
# write NAME.vt, NAME.conf and NAME.probes, run this script, then check that
# tests/scripts/virtusers-oracle.sh passes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/virtusers/oracle.inc"
why=$("$SMO" available) || { echo "record.sh: $why" >&2; exit 111; }
base=$(mktemp -d "${TMPDIR:-/tmp}/s2q-oracle.XXXXXX") || exit 111
trap 'rm -rf "$base"' EXIT INT TERM
[ $# -gt 0 ] || set -- $(vu_cases)
for name in "$@"; do
	[ -e "$vdir/$name.vt" ] || { echo "record.sh: no case $name" >&2; exit 100; }
	oracle_setup "$base/o" "$name" || { echo "record.sh: cannot set up $name" >&2; exit 111; }
	oracle_run "$name" "$vdir/$name.sm" || { echo "record.sh: $name failed" >&2; exit 111; }
	echo "recorded $name"
done
