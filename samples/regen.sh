#!/bin/sh
# regen.sh - regenerate samples/*/root/etc/mail/sendmail.cf from the
# sendmail.mc next to it, with m4 and Debian's sendmail-cf macros
# (/usr/share/sendmail/cf), as the old hosts' admins did.
#
#   sh samples/regen.sh [NAME...]     default: every sample with a sendmail.mc
#
# The two comment lines m4 fills with the builder, the date and the current
# directory ("##### built by ...", "##### in ...") are replaced with fixed
# text so that the committed .cf is reproducible; they are comments and change
# nothing.  m4 runs in the sample's etc/mail, the directory the admin would
# have used.  Any m4 warning is an error.  The tests never need m4: the
# generated .cf files are committed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cfdir=${S2Q_SENDMAIL_CF:-/usr/share/sendmail/cf}
command -v m4 >/dev/null 2>&1 || { echo "regen.sh: m4 not found (apt-get install m4)" >&2; exit 111; }
[ -r "$cfdir/m4/cf.m4" ] || { echo "regen.sh: $cfdir/m4/cf.m4 missing (apt-get install sendmail-cf)" >&2; exit 111; }
if [ $# -eq 0 ]; then
	for d in "$here"/*/root/etc/mail/sendmail.mc; do
		[ -e "$d" ] || continue
		n=${d#"$here"/}
		set -- "$@" "${n%%/*}"
	done
fi
rc=0
for name in "$@"; do
	mc="$here/$name/root/etc/mail/sendmail.mc"
	[ -r "$mc" ] || { echo "regen.sh: no $mc" >&2; rc=100; continue; }
	dir=$(dirname "$mc")
	tmp="$dir/.sendmail.cf.$$"
	err="$dir/.m4.err.$$"
	if (cd "$dir" && m4 sendmail.mc) 2>"$err" |
		sed -e 's|^##### built by .*|##### built by samples/regen.sh (builder and date removed)|' \
		    -e 's|^##### in .*|##### in /etc/mail|' > "$tmp" && [ ! -s "$err" ]; then
		mv "$tmp" "$dir/sendmail.cf"
		echo "regen.sh: $name/root/etc/mail/sendmail.cf"
	else
		echo "regen.sh: $name: m4 failed or warned:" >&2
		cat "$err" >&2
		rm -f "$tmp"
		rc=111
	fi
	rm -f "$err"
done
exit $rc
