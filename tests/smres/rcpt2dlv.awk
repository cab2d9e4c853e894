# rcpt2dlv.awk - what check_rcpt returned (-bt), or smresolve -r's set (ours=1),
# as one comparable word: accept | refused D.S.N TEXT | error D.S.N TEXT | discard
BEGIN { FS = "\t" }
/^#/ { next }
{
	v = $2
	if (ours) {
		if (v == "") out = "accept"
		else if (v ~ /^discard/) out = "discard"
		else if (v ~ /^refused /) { sub(/^refused /, "", v); out = "refused " v }
		else { sub(/^(bounce|defer) /, "", v); out = "error " v }
	} else if (v ~ /^\$# *discard/) {
		out = "discard"
	} else if (v ~ /^\$# *error/) {
		st = v; sub(/^\$# *error */, "", st)
		if (st ~ /^\$@/) { sub(/^\$@ */, "", st); sub(/ *\$:.*/, "", st); gsub(/ /, "", st) }
		else st = ""
		t = v; sub(/.*\$: */, "", t); gsub(/^"|"$/, "", t)
		# no $@: the status is the reply code's class (X.0.0), as sendmail reports it
		if (st == "") st = substr(t, 1, 1) ".0.0"
		if (t ~ /^[245][0-9][0-9] [245]\.[0-9]+\.[0-9]+ /) { st = substr(t, 5); sub(/ .*/, "", st) }
		sub(/^[245][0-9][0-9] /, "", t); sub(/^[245]\.[0-9]+\.[0-9]+ /, "", t)
		out = (t == "Relaying denied" ? "refused " : "error ") st " " t
	} else {
		out = "accept"
	}
	print $1 "\t" out
}
