#!/bin/sh
# sm.sh - run the real sendmail offline as a test oracle (../shared/ref/sendmail.md §4).
#
#   sm.sh available                  exit 0 if the oracle can run here, else print why, exit 1
#   sm.sh run HOSTNAME ARGS...       run sendmail ARGS in a private UTS namespace named HOSTNAME
#                                    (none made when the host name is HOSTNAME already)
#   sm.sh makemap ARGS...            the matching makemap
#   sm.sh praliases ARGS...          the matching praliases
#
# The binaries come from .deps/sendmail-bin (make deps unpacks sendmail-bin there;
# it is never installed).  Needs root for unshare -u.  Pass -C PRIVATE.cf and keep
# every path of that cf inside a private directory; never run -bd.
# Tests call `sm.sh available`: outside CI they may skip with its message; with
# CI=true they must fail instead of skipping.
top=$(cd "$(dirname "$0")/../.." && pwd)
SMBIN="${S2Q_SENDMAIL_DIR:-$top/.deps/sendmail-bin}/usr/libexec/sendmail"

case "${1:-}" in
available)
	if [ ! -x "$SMBIN/sendmail" ]; then
		echo "sendmail oracle not unpacked ($SMBIN/sendmail missing; run make deps)"
		exit 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "sendmail oracle needs root (unshare -u)"
		exit 1
	fi
	if ! unshare -u true 2>/dev/null; then
		echo "sendmail oracle: unshare -u is not permitted here"
		exit 1
	fi
	exit 0
	;;
run)
	shift
	h=$1
	shift
	# already in a UTS namespace with that name (a caller's loop, set once): no new one
	cur=""
	read -r cur < /proc/sys/kernel/hostname 2>/dev/null
	[ "$cur" = "$h" ] && exec "$SMBIN/sendmail" "$@"
	exec unshare -u sh -c 'hostname "$0" && p=$1 && shift && exec "$p" "$@"' "$h" "$SMBIN/sendmail" "$@"
	;;
makemap | praliases)
	p=$1
	shift
	exec "$SMBIN/$p" "$@"
	;;
*)
	echo "usage: sm.sh available | run HOSTNAME ARGS... | makemap ARGS... | praliases ARGS..." >&2
	exit 100
	;;
esac
