#!/bin/sh
# diff-onebyte.sh - s2q-diff finds a single changed byte in every kind of file
# it knows (text, .qmail, users/cdb, aliases.cdb, morercpthosts.cdb, another
# cdb, a .bin list, a binary file): for each file, bytes are flipped one at a
# time (every byte of the records and hash tables, every 32nd of a cdb's
# table of contents) and each run must exit 1, never 0 and never crash;
# the unchanged trees exit 0.
script=diff-onebyte
. "$(dirname "$0")/lib.inc"
D="$S2Q_BIN/s2q-diff"

rec() { printf '+%d,%d:' "$(printf "$1" | wc -c)" "$(printf "$2" | wc -c)"; printf "$1"; printf '%s' '->'; printf "$2"; echo; }
a="$scratch/A"
mkdir -p "$a/users" "$a/etc" "$a/control" "$a/lists" "$a/home/joe"
printf '=joe:joe:1000:1000:/home/joe:::\n+joe-:joe:1000:1000:/home/joe:-::\n+:alias:7790:2108:/var/qmail/alias:-::\n.\n' > "$a/users/assign"
"$S2Q_BIN/s2q-newu" -d "$a"
{ rec ':joe@' '&joe@example.com\0|prog\0'; rec '?list@' 'owner@x.org'; rec ':@virt.test' '&c@example.com\0'; echo; } | cdb -c "$a/etc/aliases.cdb"
{ rec a.example ''; rec b.example ''; rec c.example ''; echo; } | cdb -c "$a/control/morercpthosts.cdb"
{ rec key1 value1; rec key2 value2; echo; } | cdb -c "$a/etc/other.cdb"
printf '&a@example.com\0./more.bin\0/abs/list.bin\0' > "$a/lists/staff.bin"
printf 'example.com\nexample.org\n' > "$a/control/rcpthosts"
printf '&joe@example.com\n./Maildir/\n' > "$a/home/joe/.qmail"
printf 'bin\0ary\377data' > "$a/home/joe/blob"
find "$a" -type d -exec chmod 755 {} + && find "$a" -type f -exec chmod 644 {} +

rm -rf "$scratch/B" && cp -a "$a" "$scratch/B"
(cd "$scratch" && "$D" A B >/dev/null 2>&1)
check "identical trees: exit 0" [ $? -eq 0 ]

F="$S2Q_HELPERS/flipbyte"	# flips a byte's lowest bit in place; again at the same place restores it

for rel in control/rcpthosts home/joe/.qmail home/joe/blob lists/staff.bin users/cdb \
	etc/aliases.cdb control/morercpthosts.cdb etc/other.cdb; do
	size=$(wc -c < "$a/$rel")
	pos=0 n=0 bad=""
	while [ $pos -lt "$size" ]; do
		if [ $pos -lt 2048 ] && [ "$size" -ge 2048 ] && [ $((pos % 32)) -ne 0 ] && [ $pos -ge 8 ]; then
			pos=$((pos + 1))
			continue
		fi
		"$F" "$scratch/B/$rel" $pos || { bad="$bad $pos:flipbyte-failed"; break; }
		(cd "$scratch" && "$D" --ignore-owner A B >/dev/null 2>&1)
		rc=$?
		"$F" "$scratch/B/$rel" $pos || { bad="$bad $pos:flipbyte-failed"; break; }
		n=$((n + 1))
		[ $rc -ne 1 ] && bad="$bad $pos:rc=$rc"
		[ -n "$bad" ] && [ "$(echo "$bad" | wc -w)" -ge 5 ] && break
		pos=$((pos + 1))
	done
	cp "$a/$rel" "$scratch/B/$rel"
	if [ -z "$bad" ]; then
		ok "$rel ($size bytes): each of $n one-byte changes found (exit 1)"
	else
		notok "$rel: one-byte changes missed or failed at$bad"
	fi
done
