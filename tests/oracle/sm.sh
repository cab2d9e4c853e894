#!/bin/sh
# sm.sh - run the real sendmail offline as a test oracle (../shared/ref/sendmail.md §4).
#
#   sm.sh available                  exit 0 if the oracle can run here, else print why, exit 1
#   sm.sh run HOSTNAME ARGS...       run sendmail ARGS without a network, in a private UTS
#                                    namespace named HOSTNAME (none made when the caller's
#                                    already is: host name HOSTNAME, no route)
#   sm.sh makemap ARGS...            the matching makemap
#   sm.sh praliases ARGS...          the matching praliases
#   sm.sh path PROGRAM               the path of sendmail, makemap or praliases (for a
#                                    caller that runs it in a namespace of its own)
#
# The binaries come from .deps/sendmail-bin (make deps unpacks sendmail-bin there;
# it is never installed).  Needs root for unshare -n -u.  Pass -C PRIVATE.cf and keep
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
		echo "sendmail oracle needs root (unshare -n -u)"
		exit 1
	fi
	if ! unshare -n -u true 2>/dev/null; then
		echo "sendmail oracle: unshare -n -u is not permitted here"
		exit 1
	fi
	exit 0
	;;
run)
	shift
	h=$1
	shift
	# sendmail looks its own name up with the system's resolver before it reads
	# the .cf (no service.switch yet): where the machine has a network, that is a
	# DNS query, and a DNS server that drops one now and then stalls the run 5 s
	# (and 60 s more when the answer is odd).  So sendmail runs without a network
	# (unshare -n: the query fails at once, as an unknown name does) in a UTS
	# namespace with the name asked for; a caller that made such a namespace
	# already (a loop's, set once: the host name is HOSTNAME and there is no route)
	# gets none per call.
	cur="" rt=""
	read -r cur < /proc/sys/kernel/hostname 2>/dev/null
	{ read -r _ && read -r rt; } < /proc/net/route 2>/dev/null
	[ "$cur" = "$h" ] && [ -z "$rt" ] && exec "$SMBIN/sendmail" "$@"
	exec unshare -n -u sh -c 'hostname "$0" && p=$1 && shift && exec "$p" "$@"' "$h" "$SMBIN/sendmail" "$@"
	;;
path)
	# the path of the oracle's PROGRAM (sendmail, makemap, praliases)
	echo "$SMBIN/$2"
	;;
makemap | praliases)
	p=$1
	shift
	exec "$SMBIN/$p" "$@"
	;;
*)
	echo "usage: sm.sh available | run HOSTNAME ARGS... | makemap ARGS... | praliases ARGS... | path PROGRAM" >&2
	exit 100
	;;
esac
