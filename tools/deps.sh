#!/bin/sh
# deps.sh - install every Debian package s2q's build and tests need (make deps).
# Idempotent and non-interactive.  Needs root (CI runs as root).
#
# sendmail-bin is the test oracle only.  Its postinst wants to start a daemon,
# so it is never installed: its .deb is unpacked with dpkg -x into .deps/
# inside this tree, and the oracle runs that binary with a private cf.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

PKGS="gcc clang make m4 libcdb-dev tinycdb libpcre2-dev libcmocka-dev
fastforward dot-forward sendmail-cf valgrind libclang-rt-14-dev util-linux procps
libdb5.3 libldap-2.5-0 liblockfile1 libnsl2 libsasl2-2 libssl3 libwrap0"
SMDIR="$top/.deps/sendmail-bin"

missing=""
for p in $PKGS; do
	case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -n "$missing" ] || [ ! -x "$SMDIR/usr/libexec/sendmail/sendmail" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: need root to install:$missing sendmail-bin (unpacked)" >&2
		exit 100
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
fi
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
if [ ! -x "$SMDIR/usr/libexec/sendmail/sendmail" ]; then
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download sendmail-bin)
	rm -rf "$SMDIR"
	mkdir -p "$SMDIR"
	dpkg -x "$tmp"/sendmail-bin_*.deb "$SMDIR"
	rm -rf "$tmp"
fi
echo "deps.sh: all build and test dependencies present"
