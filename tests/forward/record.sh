#!/bin/sh
# record.sh - ask the real sendmail (and dot-forward) again and rewrite the
# recordings of the .forward cases (NAME.bv, NAME.dotforward; see oracle.inc).
#
#   sh tests/forward/record.sh
#
# Needs root (unshare -u -m, chown) and the oracle (tests/oracle/sm.sh
# available).  Review the diff (git diff tests/forward) before committing;
# then tests/scripts/forward-oracle.sh must pass.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/forward/oracle.inc"
why=$("$SMO" available) || { echo "record.sh: $why" >&2; exit 111; }
od=$(mktemp -d "${TMPDIR:-/tmp}/s2q-fwdoracle.XXXXXX") || exit 111
trap 'rm -rf "$od"' EXIT INT TERM
oracle_setup "$od" || { echo "record.sh: cannot build the oracle" >&2; exit 111; }
fwd_cases | while read -r name rest; do
	oracle_run "$name" "$fdir" || { echo "record.sh: $name failed" >&2; exit 111; }
	dotforward_run "$name" "$fdir/$name.forward" "$fdir"
	echo "recorded $name"
done
