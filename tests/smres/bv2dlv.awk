# bv2dlv.awk - sendmail -bv answers in the delivery vocabulary of model/delivery.h,
# normalized so that smresolve's output (through the same script with ours=1)
# compares equal when the route is the same.
#
# Input: ADDRESS<TAB>-bv lines joined with " | " (theirs), or
#        ADDRESS<TAB>dlv_format_set output (ours=1).
# Output: ADDRESS<TAB>the sorted set, items joined with " | ":
#   mailbox USER                      mailer local, user USER (\ and @ dropped); the same
#                                     for cyrus, cyrusv2 (confLOCAL_MAILER)
#   program ? CMD / file ? PATH       -bv does not show the user a program runs as
#   forward ADDR via mx:H | relay:H:25   (host [h] = no MX, A record only; a trailing dot,
#                                     the absolute form of the same name, dropped)
#   discard
#   error TEXT                        a bounce or deferral: -bv shows neither the
#                                     status nor whether it is temporary
#   refused TEXT
function lc(s) { return tolower(s) }
function route(h,   r) {
	if (h ~ /^\[.*\]$/) {
		r = substr(h, 2, length(h) - 2)
		if (r ~ /^[0-9.]+$/ || tolower(r) ~ /^ipv6:/) return "relay:" h ":25"
		return "relay:" lc(r) ":25"
	}
	sub(/\.$/, "", h)	# the absolute form of the name (canonify's "host." of $=VirtHost)
	return "mx:" lc(h)
}
function theirs(p,   m, u, h, i, t) {
	sub(/^[^ ]*: line [0-9]+: /, "", p)
	# a rule recursion error is logged, then sendmail goes on with what it has
	if (p ~ /^rewrite: excessive recursion/) return ""
	i = index(p, "... ")
	if (i == 0) return "error " p
	t = substr(p, i + 4)
	if (t !~ /^deliverable: /) {
		if (t == "User unknown") return "error User unknown"
		return "error " t
	}
	t = substr(t, 14)
	m = t; sub(/^mailer /, "", m); sub(/,.*/, "", m)
	u = t; sub(/.*, user /, "", u)
	h = ""
	if (t ~ /, host /) { h = t; sub(/.*, host /, "", h); sub(/, user .*/, "", h) }
	if (m == "local") { sub(/^\\/, "", u); sub(/^@/, "", u); return "mailbox " u }
	if (m == "cyrus" || m == "cyrusv2") { sub(/^\\/, "", u); sub(/^@/, "", u); return "mailbox " u }
	if (m == "prog") { sub(/^"/, "", u); sub(/"$/, "", u); sub(/^\|/, "", u); return "program ? " u }
	if (m == "*file*") { sub(/^"/, "", u); sub(/"$/, "", u); return "file ? " u }
	if (m == "*error*") {
		# a temporary error counts as deliverable (queued): host is the status
		sub(/^[245][0-9][0-9] /, "", u); sub(/^[245]\.[0-9]+\.[0-9]+ /, "", u)
		return "error " u
	}
	if (m == "discard") return "discard"
	if (m == "*include*") return "include " u
	return "forward " u " via " route(h)
}
function mine(p,   w) {
	if (p ~ /^(program|file) /) { w = p; sub(/^[a-z]+ [^ ]+ /, "", w); sub(/ .*/, "", p); return p " ? " w }
	if (p ~ /^(bounce|defer) 5\.1\.1$/) return "error User unknown"
	if (p ~ /^(bounce|defer) [^ ]+ /) { sub(/^[a-z]+ [^ ]+ /, "", p); return "error " p }
	if (p ~ /^(bounce|defer) /) { sub(/^[a-z]+ /, "", p); return "error " p }
	return p
}
BEGIN { FS = "\t" }
/^#/ { next }
{
	# the answer is everything after the first TAB (-bv may print TABs itself)
	rest = $0; sub(/^[^\t]*\t/, "", rest)
	n = split(rest, parts, / \| /)
	delete seen
	k = 0
	for (i = 1; i <= n; i++) {
		x = ours ? mine(parts[i]) : theirs(parts[i])
		if (x == "" || x in seen) continue
		seen[x] = 1
		v[++k] = x
	}
	# insertion sort (small sets)
	for (i = 2; i <= k; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
	out = ""
	for (i = 1; i <= k; i++) out = out (i > 1 ? " | " : "") v[i]
	print $1 "\t" out
}
