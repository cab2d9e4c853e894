#!/bin/sh
# migrate-reuse.sh - unchanged files are not written again (util/aw keep_same, outtx
# reuse, the converters' --reuse, install.c in_place): a re-run of s2q-migrate --to
# on an unchanged host keeps every file of the tree (same inode), one changed alias
# replaces only the files it changes, the tree is byte for byte a fresh run's every
# time, and nothing of the staging is left (no second link, no .s2q-* name).
script=migrate-reuse
. "$(dirname "$0")/lib.inc"
m=$S2Q_BIN/s2q-migrate
cp -a "$top/tests/golden/migrate-sample02/in/root" "$scratch/root"
run() { # run OUT: convert into $scratch/OUT, report in OUT.json
	"$m" --from "$scratch/root" --hostname mx1.example.com --no-home-check --no-route \
		--to "$scratch/$1" --json "$scratch/$1.json" 2>"$scratch/$1.err"
}
# inodes DIR: inode, link count and path of every file
inodes() { (cd "$scratch/$1" && find . -type f -printf '%i %n %p\n' | LC_ALL=C sort -k3); }
norm() { sed "s|$scratch/[a-z0-9]*|OUT|g" "$scratch/$1"; }
same_tree() { diff -r "$scratch/$1" "$scratch/$2" >/dev/null; }
no_staging() { ! find "$scratch/$1" -name '.s2q-*' | grep -q .; }
one_link() { ! inodes "$1" | awk '$2 != 1' | grep -q .; }
clean() { one_link "$1" && no_staging "$1"; }
linked_from() { test "$(inodes "$1" | cut -d' ' -f1,3)" = "$(inodes "$2" | cut -d' ' -f1,3)"; }

run a
check "first run: exit 0" test $? -eq 0
inodes a >"$scratch/a.ino1"
norm a.json >"$scratch/a.json1"
run a
check "re-run: exit 0" test $? -eq 0
inodes a >"$scratch/a.ino2"
check "re-run on an unchanged host: every file kept (same inodes)" \
	cmp -s "$scratch/a.ino1" "$scratch/a.ino2"
check "re-run: the files are many (the check means something)" \
	test "$(wc -l <"$scratch/a.ino2")" -ge 20
check "re-run: one link each, nothing of the staging left" clean a
norm a.json >"$scratch/a.json2"
check "re-run: the same report" cmp -s "$scratch/a.json1" "$scratch/a.json2"
run fresh1
check "re-run: the tree a fresh run writes" same_tree a fresh1

# one alias changed: aliases.cdb is new, files that do not depend on it are kept
sed 's/^sales:.*/sales:\t\talice, carol/' "$scratch/root/etc/mail/aliases" >"$scratch/al" &&
	cat "$scratch/al" >"$scratch/root/etc/mail/aliases"
run a
check "after a change: exit 0" test $? -eq 0
inodes a >"$scratch/a.ino3"
ino() { awk -v p="./$2" '$3 == p {print $1}' "$scratch/$1"; }
check "after a change: aliases.cdb replaced" \
	test "$(ino a.ino2 etc/aliases.cdb)" != "$(ino a.ino3 etc/aliases.cdb)"
for f in etc/virtusers.cdb var/qmail/control/me var/qmail/control/rcpthosts var/qmail/users/cdb \
	var/qmail/users/assign; do
	check "after a change: $f kept" test -n "$(ino a.ino2 $f)" -a "$(ino a.ino2 $f)" = "$(ino a.ino3 $f)"
done
check "after a change: changed files are not linked to anything" clean a
run fresh2
check "after a change: the tree a fresh run writes" same_tree a fresh2

# users/assign is compared with --to's before it is written (usink): a --to copy that
# differs (a byte in the middle, cut short, a line more, another mode) is replaced by
# the file a fresh run writes; the same one is kept
for how in middle short longer mode; do
	f="$scratch/a/var/qmail/users/assign"
	case $how in
	middle) sz=$(wc -c <"$f"); printf 'X' | dd of="$f" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null ;;
	short) sz=$(wc -c <"$f"); truncate -s $((sz - 3)) "$f" ;;
	longer) echo "=extra:alias:7790:2108:/var/qmail/alias:::" >>"$f" ;;
	mode) chmod 600 "$f" ;;
	esac
	i0=$(ls -i "$f" | cut -d' ' -f1)
	run a
	check "users/assign of --to changed ($how): exit 0" test $? -eq 0
	check "users/assign of --to changed ($how): replaced" \
		test "$(ls -i "$f" | cut -d' ' -f1)" != "$i0"
	check "users/assign of --to changed ($how): the tree a fresh run writes" same_tree a fresh2
	check "users/assign of --to changed ($how): modes a fresh run's" sh -c \
		"cd '$scratch/a' && find . -printf '%m %p\n' | LC_ALL=C sort >'$scratch/m1' &&
		 cd '$scratch/fresh2' && find . -printf '%m %p\n' | LC_ALL=C sort >'$scratch/m2' &&
		 cmp -s '$scratch/m1' '$scratch/m2'"
	check "users/assign of --to changed ($how): nothing of the staging left" clean a
done
i0=$(ls -i "$scratch/a/var/qmail/users/assign" | cut -d' ' -f1)
run a
check "users/assign of --to the same again: kept" \
	test "$(ls -i "$scratch/a/var/qmail/users/assign" | cut -d' ' -f1)" = "$i0"

# a file of --to edited in place while the run goes on is shared with the staging tree:
# publishing refuses (exit 111, nothing replaced) instead of keeping it as converted
mkdir "$scratch/bin"
for p in s2q-aliases s2q-virtusers s2q-cf s2q-route; do ln -s "$S2Q_BIN/$p" "$scratch/bin/$p"; done
# (s2q-newu runs ahead, beside the converters: it edits once s2q-cf has staged control/me)
cat >"$scratch/bin/s2q-newu" <<EOF
#!/bin/sh
i=0
while [ \$i -lt 1200 ] && ! ls "$scratch"/a/.s2q-migrate.*/tree/var/qmail/control/me >/dev/null 2>&1; do
	sleep 0.05; i=\$((i + 1))
done
printf 'tampered.example\n' >"$scratch/a/var/qmail/control/me"
exec "$S2Q_BIN/s2q-newu" "\$@"
EOF
chmod +x "$scratch/bin/s2q-newu"
inodes a >"$scratch/a.ino5"
S2Q_BINDIR="$scratch/bin" run a
check "edited in place during the run: exit 111" test $? -eq 111
check "edited in place during the run: said so" \
	grep -q 'fatal: var/qmail/control/me was changed while s2q-migrate ran' "$scratch/a.err"
inodes a >"$scratch/a.ino6"
check "edited in place during the run: nothing replaced" cmp -s "$scratch/a.ino5" "$scratch/a.ino6"
check "edited in place during the run: the edit is as it was made" \
	grep -qx tampered.example "$scratch/a/var/qmail/control/me"
check "edited in place during the run: nothing of the staging left" clean a
run a
check "the run after it: exit 0" test $? -eq 0
check "the run after it: control/me converted again" \
	sh -c "! grep -q tampered '$scratch/a/var/qmail/control/me'"

# a chmod while the route proof reads the staged tree changes no byte and no mtime: the
# inode change time gives it away
cat >"$scratch/bin/s2q-newu" <<EOF
#!/bin/sh
exec "$S2Q_BIN/s2q-newu" "\$@"
EOF
rm "$scratch/bin/s2q-route"
cat >"$scratch/bin/s2q-route" <<EOF
#!/bin/sh
chmod 600 "$scratch/a/var/qmail/control/me"
exec "$S2Q_BIN/s2q-route" "\$@"
EOF
chmod +x "$scratch/bin/s2q-route"
inodes a >"$scratch/a.ino7"
S2Q_BINDIR="$scratch/bin" "$m" --from "$scratch/root" --hostname mx1.example.com --no-home-check \
	--to "$scratch/a" 2>"$scratch/a.err" >/dev/null
check "chmod during the route proof: exit 111" test $? -eq 111
check "chmod during the route proof: said so" \
	grep -q 'fatal: var/qmail/control/me was changed while s2q-migrate ran' "$scratch/a.err"
inodes a >"$scratch/a.ino8"
check "chmod during the route proof: nothing replaced" cmp -s "$scratch/a.ino7" "$scratch/a.ino8"
rm "$scratch/bin/s2q-route"
ln -s "$S2Q_BIN/s2q-route" "$scratch/bin/s2q-route"
run a
check "the run after it: control/me 0644 again" \
	test "$(stat -c %a "$scratch/a/var/qmail/control/me")" = 644

# a kept file dated in the future (a clock stepped back, a restored backup) is no edit
touch -d '+1 hour' "$scratch/a/var/qmail/control/me"
i0=$(inodes a | awk '$3 == "./var/qmail/control/me" {print $1}')
run a
check "a file dated ahead: exit 0" test $? -eq 0
check "a file dated ahead: kept" \
	test "$(inodes a | awk '$3 == "./var/qmail/control/me" {print $1}')" = "$i0"

# s2q-newu opens --reuse QMAILHOME as given: s2q-migrate passes it only when --to's
# var/qmail is there without a symlink
cat >"$scratch/bin/s2q-newu" <<EOF
#!/bin/sh
echo "\$*" >"$scratch/newu.args"
exec "$S2Q_BIN/s2q-newu" "\$@"
EOF
S2Q_BINDIR="$scratch/bin" run a
check "s2q-newu gets --to's var/qmail as --reuse" grep -q -- "--reuse $scratch/a/var/qmail" \
	"$scratch/newu.args"
mkdir "$scratch/outside"
cp -a "$scratch/a/var/qmail" "$scratch/outside/qmail"
cp -a "$scratch/a" "$scratch/s"
rm -rf "$scratch/s/var/qmail"
ln -s "$scratch/outside/qmail" "$scratch/s/var/qmail"
S2Q_BINDIR="$scratch/bin" run s
check "a symlinked var/qmail in --to: publishing refuses it (exit 111)" test $? -eq 111
check "a symlinked var/qmail in --to: s2q-newu gets no --reuse" \
	sh -c "! grep -q -- --reuse '$scratch/newu.args'"

# a refused re-run leaves the tree as it was (the links of the staging go with it)
inodes a >"$scratch/a.ino3"
printf 'broken line without a colon\n' >>"$scratch/root/etc/mail/aliases"
run a
check "refused re-run: exit 100" test $? -eq 100
inodes a >"$scratch/a.ino4"
check "refused re-run: the tree as it was" cmp -s "$scratch/a.ino3" "$scratch/a.ino4"
check "refused re-run: nothing of the staging left" no_staging a

# an absent --to gets the staged tree in one rename; an existing empty one file by file:
# the same tree, and the first run makes (at least) a rename per file fewer
if [ "${S2Q_SANITIZE:-0}" != 1 ] && [ -n "${S2Q_FAULT_SO:-}" ]; then
	cp "$scratch/al" "$scratch/root/etc/mail/aliases"
	S2Q_FAULT_COUNT="$scratch/n.absent" LD_PRELOAD="$S2Q_FAULT_SO" run absent
	check "absent --to: exit 0" test $? -eq 0
	mkdir "$scratch/empty"
	S2Q_FAULT_COUNT="$scratch/n.empty" LD_PRELOAD="$S2Q_FAULT_SO" run empty
	check "existing empty --to: exit 0" test $? -eq 0
	check "absent --to: the tree file-by-file publishing writes" same_tree absent empty
	check "absent --to: directories and modes the same" sh -c \
		"cd '$scratch/absent' && find . -printf '%m %y %p\n' | sort >'$scratch/l1' &&
		 cd '$scratch/empty' && find . -printf '%m %y %p\n' | sort >'$scratch/l2' &&
		 cmp -s '$scratch/l1' '$scratch/l2'"
	check "absent --to: nothing of the staging left beside it" \
		sh -c "! ls -a '$scratch' | grep -q '^.s2q-migrate'"
	na=$(awk '$1 == "rename" {print $2}' "$scratch/n.absent")
	ne=$(awk '$1 == "rename" {print $2}' "$scratch/n.empty")
	nf=$(inodes empty | wc -l)
	check "absent --to: renamed whole ($na renames, file by file $ne, $nf files)" \
		test -n "$na" -a -n "$ne" -a "$nf" -gt 0 -a $((${ne:-0} - ${na:-0})) -ge "$nf"
else
	skip "absent --to: one rename" "counted by the LD_PRELOAD shim: runs in the plain build"
fi

# s2q-aliases alone: its own output root is the reference
al=$S2Q_BIN/s2q-aliases
cp "$scratch/al" "$scratch/root/etc/mail/aliases"
mkdir "$scratch/c"
aliases() { # aliases OUT [--reuse DIR]
	o=$1; shift
	"$al" --me mx1.example.com --root "$scratch/root" --passwd "$scratch/root/etc/passwd" "$@" \
		-o "$o" "$scratch/root/etc/mail/aliases" 2>/dev/null
}
aliases "$scratch/c"
check "s2q-aliases: exit 0" test $? -eq 0
check "s2q-aliases: files written" test "$(inodes c | wc -l)" -ge 3
inodes c >"$scratch/c.ino1"
aliases "$scratch/c"
inodes c >"$scratch/c.ino2"
check "s2q-aliases re-run: every file kept" cmp -s "$scratch/c.ino1" "$scratch/c.ino2"
# --reuse with a tree: linked from it; a reference on another file system: written
mkdir "$scratch/d"
aliases "$scratch/d" --reuse "$scratch/c"
check "s2q-aliases --reuse: exit 0" test $? -eq 0
check "s2q-aliases --reuse: the same files" same_tree c d
check "s2q-aliases --reuse: linked from the reference" linked_from d c
mkdir "$scratch/f"
aliases "$scratch/f" --reuse "$scratch/no-such-dir"
check "s2q-aliases --reuse of a missing directory: exit 0" test $? -eq 0
check "s2q-aliases --reuse of a missing directory: written as usual" same_tree c f
shm=$(mktemp -d /dev/shm/s2q-reuse.XXXXXX 2>/dev/null)
if [ -n "$shm" ] && [ "$(stat -c %d "$shm")" != "$(stat -c %d "$scratch")" ]; then
	cp -a "$scratch/c/." "$shm/"
	mkdir "$scratch/e"
	aliases "$scratch/e" --reuse "$shm"
	check "s2q-aliases --reuse on another file system: exit 0" test $? -eq 0
	check "s2q-aliases --reuse on another file system: written, the same files" same_tree c e
	check "s2q-aliases --reuse on another file system: one link each" clean e
else
	skip "s2q-aliases --reuse on another file system" "no tmpfs other than $TMPDIR's"
fi
[ -n "$shm" ] && rm -rf "$shm"
exit 0
