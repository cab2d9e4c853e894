#!/bin/sh
# qlocal.sh - run addresses through a tree written by s2q-virtusers, executing
# its .qmail files as qmail-local would: every line in order, programs with
# /bin/sh -c in qmail-local's environment, the real fastforward (Debian's, in
# -n mode: the programs it would run are run here, in the same environment,
# and the addresses it would forward are collected), qmail's forward and
# bouncesaying replaced by stand-ins that record what they would do.
#
#   qlocal.sh OUTROOT 'LOCALDOMAINS' < addresses
#
# prints "ADDRESS<TAB>outcome | outcome ..." (sorted, unique), an outcome one of
#   local NAME          forwarded to NAME@<a local domain> (lower-cased)
#   remote ADDRESS      forwarded to a domain that is neither local nor virtual
#   bounce D.S.N TEXT   a program line exited 100 (qmail-local bounces)
#   defer D.S.N TEXT    a program line exited 111 (qmail-local retries)
#   loop ADDRESS        forwarded around more than 10 times
# Forwards to a virtual domain are followed (qmail-send re-injects them);
# users/assign.virtusers is applied as qmail-lspawn would (longest wildcard),
# else qmail-getpw's answer for such names (the alias user, ext = the local part).
# Only the files s2q-virtusers writes are read: a test of its output, not of qmail.
set -u
out=$1 locals=$2
qh=$out/var/qmail
ahome=$qh/alias
work=$(mktemp -d "${TMPDIR:-/tmp}/s2q-qlocal.XXXXXX") || exit 111
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/bin"
printf 'Subject: probe\n\nprobe\n' > "$work/msg"
# stand-ins for /var/qmail/bin/forward, bouncesaying and the fastforward wrapper
cat > "$work/bin/forward" <<'X'
#!/bin/sh
for a; do printf '%s\n' "$a" >> "$S2Q_FWD"; done
X
cat > "$work/bin/bouncesaying" <<'X'
#!/bin/sh
printf '%s\n' "$1"; exit 100
X
cat > "$work/bin/fastforward" <<X
#!/bin/sh
# Debian's fastforward -n, then what -n only prints: run the programs, record the forwards
n=\$(/usr/bin/fastforward -n "\$@" 2>&1 < "$work/msg"); rc=\$?
printf '%s\n' "\$n" > "$work/ff.\$\$"
while IFS= read -r l; do
	case "\$l" in
	"run |"*|"run !"*) c=\$(printf '%s' "\$l" | cut -c6- | sed -f "$work/paths.sed")
		sh -c "\$c" < "$work/msg"; r=\$?
		case \$r in 0) ;; 100|64|65|70|76|77|78|112) exit 100;; *) exit 111;; esac ;;
	"to <"*) printf '%s' "\$l" | sed 's/^to <//; s/>\$//' >> "\$S2Q_FWD"; echo >> "\$S2Q_FWD" ;;
	esac
done < "$work/ff.\$\$"
rm -f "$work/ff.\$\$"
exit \$rc
X
chmod 755 "$work/bin/forward" "$work/bin/bouncesaying" "$work/bin/fastforward"
cat > "$work/paths.sed" <<X
s|/var/qmail/bin/forward|$work/bin/forward|g
s|/var/qmail/bin/bouncesaying|$work/bin/bouncesaying|g
s|/usr/bin/fastforward|$work/bin/fastforward|g
s|/etc/virtusers-domains.cdb|$out/etc/virtusers-domains.cdb|g
s|/etc/virtusers.cdb|$out/etc/virtusers.cdb|g
X

lower() { printf '%s' "$1" | tr 'A-Z' 'a-z'; }
locals_l=$(lower "$locals")

# vprefix DOMAIN - the virtualdomains prefix (exact key, any case, last line wins)
vprefix() {
	[ -f "$qh/control/virtualdomains" ] || return 0
	awk -F: -v d="$(lower "$1")" '!/^#/ && index($0, ":") && tolower($1) == d { p = substr($0, length($1) + 2) } END { if (p != "") print p }' \
		"$qh/control/virtualdomains"
}

# assign LOCAL - "stored-ext<TAB>remainder" of the longest users/assign wildcard, or nothing
assign() {
	[ -f "$qh/users/assign.virtusers" ] || return 0
	awk -F: -v l="$(lower "$1")" -v orig="$1" '
	/^\+/ { p = substr($1, 2); if (substr(l, 1, length(p)) == p && length(p) >= best) { best = length(p); ext = $7; rest = substr(orig, length(p) + 1) } }
	END { if (best != "") printf "%s\t%s\n", ext, rest }' "$qh/users/assign.virtusers"
}

# runfile FILE LOCAL HOST EXT DEFAULT(or -) - qmail-local over one .qmail file
runfile() {
	f=$1 loc=$2 host=$3 ext=$4 def=$5
	: > "$work/amp"
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		'#'*|'') continue ;;
		'&'*) printf '%s\n' "${line#&}" >> "$work/amp"; continue ;;
		'|'*) ;;
		*) printf '%s\n' "$line" >> "$work/amp"; continue ;;
		esac
		cmd=$(printf '%s' "${line#|}" | sed -f "$work/paths.sed")
		if [ "$def" = - ]; then
			env - PATH=/usr/bin:/bin LOCAL="$loc" HOST="$host" EXT="$ext" RECIPIENT="$loc@$host" \
				SENDER=probe@sender.example S2Q_FWD="$work/fwd" sh -c "$cmd" < "$work/msg" > "$work/o" 2>&1
		else
			env - PATH=/usr/bin:/bin LOCAL="$loc" HOST="$host" EXT="$ext" DEFAULT="$def" \
				RECIPIENT="$loc@$host" SENDER=probe@sender.example S2Q_FWD="$work/fwd" \
				sh -c "$cmd" < "$work/msg" > "$work/o" 2>&1
		fi
		rc=$?
		case $rc in
		0) ;;
		99) break ;;
		100|64|65|70|76|77|78|112) status bounce; return ;;
		*) status defer; return ;;
		esac
	done < "$f"
	cat "$work/amp" >> "$work/fwd"
}

# status KIND - the program's output as "KIND D.S.N TEXT"
status() {
	t=$(head -1 "$work/o")
	s=$(printf '%s' "$t" | sed -n 's/.*(#\([0-9.]*\))$/\1/p')
	t=$(printf '%s' "$t" | sed 's/ *(#[0-9.]*)$//')
	printf '%s %s %s\n' "$1" "${s:-?}" "$t" >> "$work/res"
}

# hop ADDRESS DEPTH - one address through qmail's rules; results appended to $work/res
hop() {
	a=$1 depth=$2
	dom=${a##*@} local=${a%@*}
	case "$a" in *@*) ;; *) printf 'local %s\n' "$(lower "$a")" >> "$work/res"; return ;; esac
	p=$(vprefix "$dom")
	if [ -z "$p" ]; then
		case " $locals_l " in
		*" $(lower "$dom") "*) printf 'local %s\n' "$(lower "$local")" >> "$work/res" ;;
		*) printf 'remote %s\n' "$a" >> "$work/res" ;;
		esac
		return
	fi
	if [ "$depth" -ge 10 ]; then
		printf 'loop %s\n' "$a" >> "$work/res"
		return
	fi
	loc="$p-$local"
	as=$(assign "$loc")
	if [ -n "$as" ]; then
		ext="${as%%	*}${as#*	}"	# stored ext, then the remainder (tab-separated)
	else
		ext=$loc
	fi
	safe=$(printf '%s' "$ext" | tr 'A-Z.' 'a-z:')
	def=- file=
	if [ -f "$ahome/.qmail-$safe" ]; then
		file=$ahome/.qmail-$safe
	else
		# the prefixes of safe that end in '-', longest first, then the empty one
		left=$safe
		while :; do
			case "$left" in
			*-*) pre="${left%-*}-" left=${left%-*} ;;
			*) pre= ;;
			esac
			if [ -f "$ahome/.qmail-${pre}default" ]; then
				file=$ahome/.qmail-${pre}default
				def=$(printf '%s' "$ext" | cut -c$((${#pre} + 1))-)
				break
			fi
			[ -n "$pre" ] || break
		done
	fi
	if [ -z "$file" ]; then
		printf 'bounce 5.1.1 Sorry, no mailbox here by that name.\n' >> "$work/res"
		return
	fi
	: > "$work/fwd"
	runfile "$file" "$loc" "$dom" "$ext" "$def"
	cp "$work/fwd" "$work/fwd.$depth"
	while IFS= read -r t; do
		[ -n "$t" ] && hop "$t" $((depth + 1))
	done < "$work/fwd.$depth"
}

while IFS= read -r addr; do
	[ -n "$addr" ] || continue
	: > "$work/res"
	hop "$addr" 0
	printf '%s\t%s\n' "$addr" "$(LC_ALL=C sort -u "$work/res" | awk 'NR > 1 { printf " | " } { printf "%s", $0 }')"
done
