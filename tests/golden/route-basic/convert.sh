# convert.sh ROOT OUT - the route test host through the real converters, installed
# as MIGRATION.md says: s2q-virtusers first (its not-local domains go to s2q-cf),
# s2q-cf, s2q-aliases, then users/assign = the fragments, compiled by s2q-newu,
# and rcpthosts.virtusers merged into rcpthosts.  Each converter's --json output
# is kept in OUT.json/ for s2q-route --known.  Run with sh by the route-* cases.
conv_root=$1 conv_out=$2
mkdir -p "$conv_out" "$conv_out.json"
"$S2Q_BIN/s2q-virtusers" --json --root "$conv_root" --hostname mail.example.com \
	--passwd "$conv_root/etc/passwd" --aliases "$conv_root/etc/mail/aliases" \
	--alias-uid 7790 --alias-gid 2108 -o "$conv_out" >"$conv_out.json/virtusers" ||
	echo "s2q-virtusers rc=$?"
conv_nl=""
if [ -f "$conv_out/var/qmail/control/not-local.virtusers" ]; then
	for d in $(grep -v '^#' "$conv_out/var/qmail/control/not-local.virtusers"); do
		conv_nl="$conv_nl --not-local $d"
	done
fi
"$S2Q_BIN/s2q-cf" --json --root "$conv_root" --hostname mail.example.com $conv_nl \
	-o "$conv_out" >"$conv_out.json/cf" || echo "s2q-cf rc=$?"
"$S2Q_BIN/s2q-aliases" --json --me mail.example.com -w mail.example.com -w example.com \
	-w localhost --passwd "$conv_root/etc/passwd" --root "$conv_root" \
	--alias-uid 7790 --alias-gid 2108 -o "$conv_out" "$conv_root/etc/mail/aliases" \
	>"$conv_out.json/aliases" || echo "s2q-aliases rc=$?"
conv_q="$conv_out/var/qmail"
if [ -f "$conv_q/control/rcpthosts.virtusers" ]; then
	grep -v '^#' "$conv_q/control/rcpthosts.virtusers" >>"$conv_q/control/rcpthosts"
fi
{ cat "$conv_q/users/assign.aliases" "$conv_q/users/assign.virtusers" 2>/dev/null; echo .; } \
	>"$conv_q/users/assign"
"$S2Q_BIN/s2q-newu" -d "$conv_q" || echo "s2q-newu rc=$?"
