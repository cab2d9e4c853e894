#!/bin/sh
# bench.sh - `make bench`: s2q against the tools admins run today (issue 9).
#
#   make bench                        build with -O2 into build/bench, generate, time, report
#   make bench BENCH_ONLY="newu"      only some cases: newu aliases-ff aliases virtusers host
#   make bench BENCH_SIZES="10000 100000"    skip the 1M sizes (quick look)
#   make bench BENCH_REPS=5           repetitions for every size (default 9 / 5 / 3 at 10k / 100k / 1M)
#   make bench BENCH_SLOW=1           also sendmail -bi on the full 1M aliases (5+ minutes a run)
#   make bench BENCH_TIMEOUT=600      kill (and report) any run longer than this (default 1200 s)
#   BENCH_NO_SENDMAIL=1 make bench    leave sendmail out (its 1M -bi alone takes 5+ minutes)
#
# Not part of `make check` (no timed tests there).  Everything it writes is under
# bench/out/ (scratch, gitignored) and bench/results.json.  Needs root for the
# peers' private namespaces; a peer that cannot run here is reported as such.
#
# Inputs (tools/bench-gen.c, seeded, byte-identical on every run and machine):
#   newu       users/assign of 10k, 100k, 1M lines
#   aliases    sendmail aliases of 10k, 100k, 1M entries: single targets, lists,
#              continuation lines, :include:, programs, files, \user, error:, duplicates
#   aliases-ff the same sizes limited to what fastforward's newaliases accepts with
#              sendmail's meaning (no files, \user, error:, backslash-newline, duplicates)
#   virtusers  virtusertables of 100x100, 1kx100, 10kx100 domains x users
#              (catch-alls, %1, user+*, error:nouser and error:D.S.N, remote, local)
#   host       a SENDMAIL_ROOT: sample 02's sendmail.cf and files, plus 100k/1M aliases,
#              1kx100/10kx100 virtusertable, 10k passwd users, 100 ~/.forward files
#
# Programs, timed in the same run, alternating, with repetitions after one warm-up
# (sendmail -bi at 1M: one run, no warm-up: it is quadratic here, 5.5 to 10 minutes
# for 1M aliases), `sync` before each (untimed) so earlier runs' writeback does not
# land in the next one.  Every run replaces the previous run's output, as on a real host:
#   newu        s2q-newu -d Q                 vs  cdb -c on the records s2q-newu wrote
#                                                 (cdb -d of its users/cdb; outputs cmp'd)
#   aliases-ff  s2q-aliases --me bench.example.test --root R -o OUT R/etc/mail/aliases
#                                             vs  fastforward newaliases (qmail-newaliases in a
#                                                 private mount namespace over /etc and
#                                                 /var/lib/qmail), sendmail -bi (tests/oracle/sm.sh,
#                                                 private cf, -OAliasFile=FILE), cdb -c -m on the
#                                                 name/targets pairs
#   aliases     s2q-aliases (the same)        vs  sendmail -bi, cdb -c -m
#   virtusers   s2q-virtusers --alias-uid N --alias-gid N -o OUT FILE
#                                             vs  sendmail makemap hash, cdb -c -m
#   host        s2q-cf --root R -o OUT, s2q-migrate --from R --to OUT --no-route (with
#               the alias ids and --no-home-check), s2q-route --all (on that tree)
# A program whose source does not exist, or does not build, is reported "missing";
# one that exits with an unexpected status is reported "failed" with its first
# error line (full logs in bench/out/logs/).  Once a program exists the next
# `make bench` times it with no edit here.  The command lines follow the issues;
# override one with BENCH_CMD_<PROG> (PROG = NEWU ALIASES VIRTUSERS CF MIGRATE ROUTE),
# a shell word list evaluated with $BIN, $in, $out, $root, $host set, e.g.
#   BENCH_CMD_VIRTUSERS='$BIN/s2q-virtusers --root $root -o $out $in' make bench BENCH_ONLY=virtusers
# (in the environment, single-quoted: the variables are expanded by this script; on make's
# command line write $$BIN etc.).
#
# Reported: median wall time (CLOCK_MONOTONIC, tools/bench-time.c), min, max, peak RSS
# (ru_maxrss of wait4: the command and the processes it waited for), the ratio to
# each peer, the scaling ratio time(10N)/time(N), and the issue's targets as
# PASS/MISS lines.  The namespace wrappers' own cost (unshare+mount, unshare+hostname,
# measured in the same run) is subtracted from the fastforward and sendmail times.
# Table on stdout, the same as JSON in bench/results.json.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 111

BUILDD=${S2Q_BENCH_BUILD:-build/bench}
BIN=$top/$BUILDD/bin
TOOLS=$top/$BUILDD/tools
MAKE_CMD=${S2Q_BENCH_MAKE:-make}
OUT=$top/bench/out
RESULTS=$top/bench/results.json
SEED=${BENCH_SEED:-20241127}
SIZES=${BENCH_SIZES:-10000 100000 1000000}
ONLY=${BENCH_ONLY:-newu aliases-ff aliases virtusers host}
TIMEOUT=${BENCH_TIMEOUT:-1200}
SLOW=${BENCH_SLOW:-0}
HOST=mx1.example.com
SAMPLES=${S2Q_SAMPLES:-$top/../shared/samples-sendmail}
SM=$top/tests/oracle/sm.sh
GEN=$TOOLS/bench-gen
TIME=$TOOLS/bench-time
RAW=$OUT/raw.tsv
LOGS=$OUT/logs

[ -x "$GEN" ] && [ -x "$TIME" ] || {
	echo "bench.sh: $GEN or $TIME missing: run it through make bench" >&2
	exit 100
}
mkdir -p "$OUT" "$LOGS" || exit 111
: >"$RAW"
: >"$OUT/inputs.tsv"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

say() { echo "bench: $*" >&2; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
label() {
	case $1 in
	1000000) echo 1M ;; 100000) echo 100k ;; 10000) echo 10k ;; *) echo "$1" ;;
	esac
}
reps_for() {
	if [ -n "${BENCH_REPS:-}" ]; then echo "$BENCH_REPS"
	elif [ "$1" -le 10000 ]; then echo 9
	elif [ "$1" -le 100000 ]; then echo 5
	else echo 3; fi
}
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }

# ---- programs: build the ones whose source exists; stale binaries never run ----
prog_state() {	# prog_state NAME -> ok | missing | build-failed (and the binary is fresh)
	ps_src=""
	for ps_d in convert tools; do [ -f "$ps_d/$1.c" ] && ps_src=$ps_d/$1.c; done
	if [ -z "$ps_src" ]; then
		rm -f "$BIN/$1"
		echo missing
		return
	fi
	if $MAKE_CMD --no-print-directory BUILD="$BUILDD" BINDIR="$BUILDD/bin" SANITIZE=0 \
		CFLAGS='-O2 -g' "$BUILDD/bin/$1" >"$LOGS/build-$1.log" 2>&1; then
		echo ok
	else
		rm -f "$BIN/$1"
		echo build-failed
	fi
}
for prog in s2q-newu s2q-aliases s2q-virtusers s2q-cf s2q-migrate s2q-route; do
	st=$(prog_state $prog)
	eval "STATE_$(echo $prog | tr - _)=\$st"
	say "$prog: $st"
done
state() { eval "echo \$STATE_$(echo "$1" | tr - _)"; }

# ---- peers available here? ----
PEER_CDB=ok
command -v cdb >/dev/null 2>&1 || PEER_CDB="tinycdb cdb not installed"
PEER_FF=ok
if [ ! -x /usr/sbin/qmail-newaliases ]; then
	PEER_FF="fastforward not installed"
elif ! unshare --mount --propagation private true 2>/dev/null; then
	PEER_FF="unshare --mount not permitted (needs root)"
fi
PEER_SM=ok
if [ "${BENCH_NO_SENDMAIL:-0}" = 1 ]; then
	PEER_SM="left out (BENCH_NO_SENDMAIL=1)"
elif ! why=$(sh "$SM" available); then
	PEER_SM=$why
elif [ ! -f /usr/share/sendmail/cf/m4/cf.m4 ] || ! command -v m4 >/dev/null 2>&1; then
	PEER_SM="sendmail-cf or m4 missing"
fi

# private sendmail cf for -bi and makemap (../shared/ref/sendmail.md 4.3, recipe A)
ORACLE=$OUT/sm
if [ "$PEER_SM" = ok ]; then
	mkdir -p "$ORACLE/mqueue"
	printf 'hosts\tfiles\naliases\tfiles\npasswd\tfiles\n' >"$ORACLE/service.switch"
	printf '127.0.0.1\tlocalhost\n127.0.0.1\tbench.example.test bench\n' >"$ORACLE/hosts"
	: >"$ORACLE/aliases"
	cat >"$ORACLE/oracle.mc" <<EOF
divert(-1)
# s2q bench: sendmail private config (tools/bench.sh)
divert(0)dnl
define(\`MAIL_SETTINGS_DIR', \`$ORACLE/')dnl
include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl
VERSIONID(\`s2q bench')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`bench.example.test')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confFORWARD_PATH', \`')dnl
define(\`confSERVICE_SWITCH_FILE', \`$ORACLE/service.switch')dnl
define(\`confHOSTS_FILE', \`$ORACLE/hosts')dnl
define(\`confSTATUS_FILE', \`$ORACLE/sendmail.st')dnl
define(\`QUEUE_DIR', \`$ORACLE/mqueue')dnl
define(\`confDEF_USER_ID', \`mail:mail')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
	m4 "$ORACLE/oracle.mc" >"$ORACLE/oracle.cf" 2>"$LOGS/m4.err" || PEER_SM="m4 failed on the private cf"
fi
say "peers: cdb: $PEER_CDB; fastforward: $PEER_FF; sendmail: $PEER_SM"

# ---- input generation (skipped when the same generator made the same file) ----
GENSUM=$(cksum <"$GEN" | cut -d' ' -f1)
gen() {	# gen STAMPFILE ARGS... : run bench-gen unless STAMPFILE says it already did
	stamp=$1
	shift
	key="$GENSUM $SEED $*"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
		return 0
	fi
	"$GEN" -s "$SEED" "$@" || exit 111
	echo "$key" >"$stamp"
}
bytes() { find "$@" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
lines() { wc -l <"$1" | tr -d ' '; }

# ---- timing ----
# run CASE SIZE PROG REP OKSTATUSES -- CMD...: one timed run, recorded; returns 1 on failure
run() {
	r_c=$1 r_n=$2 r_p=$3 r_r=$4 r_ok=$5
	shift 6
	r_in=/dev/null
	if [ "${STDIN_FILE:-}" ]; then r_in=$STDIN_FILE; fi
	r_log=$LOGS/$r_c-$r_n-$r_p
	sync
	set -- $("$TIME" -t "$TIMEOUT" -i "$r_in" -o "$r_log.out" -e "$r_log.err" -- "$@") || {
		record "$r_c" "$r_n" "$r_p" "$r_r" 0 0 failed "could not start"
		return 1
	}
	case " $r_ok " in
	*" $3 "*) record "$r_c" "$r_n" "$r_p" "$r_r" "$1" "$2" ok "" ;;
	*)
		if [ "$3" = -1 ]; then
			record "$r_c" "$r_n" "$r_p" "$r_r" "$1" "$2" timeout "killed after ${TIMEOUT}s"
		else
			# the first error line says why; else the last line (usually the fatal summary)
			r_msg=$( (grep -m1 ': error: ' "$r_log.err" || grep -v 'World writable' "$r_log.err" |
				tail -1) | tr '\t' ' ' | cut -c1-200)
			record "$r_c" "$r_n" "$r_p" "$r_r" "$1" "$2" failed "exit $3: $r_msg"
		fi
		return 1
		;;
	esac
	return 0
}

# a program is a shell function prep_X (untimed, run before every run) + cmd_X
# (sets the command into "$@" via CMD) + its accepted exit statuses.
# bench CASE SIZE REPS SPEC...   SPEC = prog-label|kind|okstatuses|slow
bench_case() {
	b_c=$1 b_n=$2 b_reps=$3
	shift 3
	# availability and warm-up (the warm-up lines stay in raw.tsv as rep "warmup";
	# the report ignores them)
	b_live=""
	for b_p in "$@"; do
		b_why=$(avail "$b_p")
		if [ "$b_why" != ok ]; then
			record "$b_c" "$b_n" "$b_p" 0 0 0 missing "$b_why"
			say "$b_c $(label "$b_n") $b_p: $b_why"
			continue
		fi
		if [ "$(slow "$b_p" "$b_n")" = 0 ] && [ "$b_reps" -gt 1 ]; then
			prep "$b_p"
			if ! timed "$b_c" "$b_n" "$b_p" warmup; then
				say "$b_c $(label "$b_n") $b_p: failed (see $LOGS/$b_c-$b_n-$b_p.err)"
				continue
			fi
		fi
		b_live="$b_live $b_p"
	done
	b_i=1
	while [ "$b_i" -le "$b_reps" ]; do
		for b_p in $b_live; do
			if [ "$(slow "$b_p" "$b_n")" = 1 ] && [ "$b_i" -gt 1 ]; then continue; fi
			prep "$b_p"
			if ! timed "$b_c" "$b_n" "$b_p" "$b_i"; then
				say "$b_c $(label "$b_n") $b_p: failed (see $LOGS/$b_c-$b_n-$b_p.err)"
				b_live=$(echo " $b_live " | sed "s| $b_p | |")
			fi
		done
		b_i=$((b_i + 1))
	done
}

# --- per-program knowledge: availability, slowness, prep, command ---
avail() {
	case $1 in
	s2q-*)
		case $(state "$1") in
		ok) echo ok ;;
		missing) echo "no source file yet" ;;
		*) echo "does not build here (log: bench/out/logs/build-$1.log)" ;;
		esac
		;;
	cdb-c | cdb-c-m) echo "$PEER_CDB" ;;
	ff-newaliases) echo "$PEER_FF" ;;
	sm-newaliases | sm-makemap) echo "$PEER_SM" ;;
	*) echo "unknown program $1" ;;
	esac
}
slow() {	# 1 when the program gets one run without warm-up at this size
	case $1 in
	sm-newaliases) [ "$2" -ge 1000000 ] && echo 1 || echo 0 ;;
	*) echo 0 ;;
	esac
}
CUR_IN="" CUR_OUT="" CUR_ROOT="" CUR_PAIRS="" CUR_DIR=""
# Outputs of the previous run stay in place, for every program: each run replaces
# its output as it would on a real host (replacing an 80 MB file costs ~30 ms here).
prep() {
	case $1 in
	s2q-aliases | s2q-virtusers | s2q-cf | s2q-migrate) mkdir -p "$CUR_OUT/$1" ;;
	ff-newaliases) rm -f "$CUR_DIR/ff/etc/aliases.tmp" ;;
	cdb-c | cdb-c-m) rm -f "$CUR_DIR/peer.cdb.tmp" ;;
	esac
}
timed() {	# timed CASE SIZE PROG REP
	STDIN_FILE=""
	BIN=$BIN
	in=$CUR_IN root=$CUR_ROOT host=$HOST
	out=$CUR_OUT/$3
	t_ok=0
	case $3 in
	s2q-newu) cmd=${BENCH_CMD_NEWU:-'$BIN/s2q-newu -d $root'} ;;
	s2q-aliases) cmd=${BENCH_CMD_ALIASES:-'$BIN/s2q-aliases --me bench.example.test --root $root -o $out $in'} ;;
	# the alias user's ids (7790/2108 as in the golden tests; any non-zero pair) let it write
	# users/assign lines instead of one ~alias/.qmail file per user: the path a real run takes
	s2q-virtusers) cmd=${BENCH_CMD_VIRTUSERS:-'$BIN/s2q-virtusers --alias-uid 7790 --alias-gid 2108 -o $out $in'} ;;
	s2q-cf) cmd=${BENCH_CMD_CF:-'$BIN/s2q-cf --root $root --hostname $host -o $out'} ;;
	# the generated host has no qmail alias account and no homes: the alias ids are given
	# and the home check is off; the route proof is timed on its own (s2q-route below)
	s2q-migrate) cmd=${BENCH_CMD_MIGRATE:-'$BIN/s2q-migrate --from $root --to $out --hostname $host --alias-uid 7790 --alias-gid 2108 --no-home-check --no-route'} ;;
	s2q-route)
		out=$CUR_OUT/s2q-migrate
		cmd=${BENCH_CMD_ROUTE:-'$BIN/s2q-route --sendmail $root --qmail $out --hostname $host --all'}
		t_ok="0 1"
		;;
	cdb-c) cmd='cdb -c $CUR_DIR/peer.cdb $CUR_PAIRS' ;;
	cdb-c-m) cmd='cdb -c -m $CUR_DIR/peer.cdb $CUR_PAIRS' ;;
	ff-newaliases)
		cmd='unshare --mount --propagation private sh -c "mount --bind \"\$0\" /etc && mount --bind \"\$1\" /var/lib/qmail && exec /usr/sbin/qmail-newaliases" $CUR_DIR/ff/etc $CUR_DIR/ff/qmail'
		;;
	sm-newaliases) cmd='sh $SM run bench.example.test -C $ORACLE/oracle.cf -OAliasFile=$CUR_DIR/sm/aliases -bi' ;;
	sm-makemap)
		cmd='sh $SM makemap -C $ORACLE/oracle.cf hash $CUR_DIR/makemap'
		STDIN_FILE=$CUR_IN
		;;
	wrap-mount) cmd='unshare --mount --propagation private sh -c "mount --bind \"\$0\" /etc && mount --bind \"\$1\" /var/lib/qmail && exec true" $CUR_DIR/ff/etc $CUR_DIR/ff/qmail' ;;
	wrap-uts) cmd='unshare -n -u sh -c "hostname bench.example.test && exec true"' ;;
	esac
	eval "run \"\$1\" \"\$2\" \"\$3\" \"\$4\" \"$t_ok\" -- $cmd"
}

# ---- the cases ----
want_sm_full() { [ "$SLOW" = 1 ] || [ "$1" -lt 1000000 ]; }

if want newu; then
	for size in $SIZES; do
		d=$OUT/newu-$size
		mkdir -p "$d/q/users"
		gen "$d/.stamp" assign "$size" "$d/q/users/assign"
		CUR_DIR=$d CUR_ROOT=$d/q CUR_OUT=$d CUR_IN=$d/q/users/assign CUR_PAIRS=$d/records
		printf 'newu\t%s\t%s\t%s\n' "$size" "$(bytes "$d/q/users/assign")" "$(lines "$d/q/users/assign")" >>"$OUT/inputs.tsv"
		specs="s2q-newu cdb-c"
		if [ "$(state s2q-newu)" = ok ] && [ "$PEER_CDB" = ok ]; then
			# the floor: the very records s2q-newu writes, through cdb -c
			if "$BIN/s2q-newu" -d "$d/q" 2>"$LOGS/newu-$size-records.err" &&
				cdb -d "$d/q/users/cdb" >"$d/records"; then :; else specs="s2q-newu"; fi
		else
			specs="s2q-newu"
		fi
		say "newu $(label "$size")"
		bench_case newu "$size" "$(reps_for "$size")" $specs
		if [ -f "$d/peer.cdb" ] && ! cmp -s "$d/peer.cdb" "$d/q/users/cdb"; then
			say "newu $(label "$size"): WARNING: cdb -c output differs from s2q-newu's users/cdb"
		fi
	done
fi

aliases_inputs() {	# aliases_inputs DIR N [-f]: DIR/root/etc/mail/{aliases,lists/} and the peers' views
	ai_d=$1
	ai_m=$ai_d/root/etc/mail
	mkdir -p "$ai_m/lists" "$ai_d/ff/etc" "$ai_d/ff/qmail/control" "$ai_d/sm"
	gen "$ai_d/.stamp" aliases "$2" "$ai_m/aliases" ${3:-} -I /etc/mail/lists -L "$ai_m/lists" \
		-P "$ai_d/pairs"
	ln -f "$ai_m/aliases" "$ai_d/ff/etc/aliases"
	ln -f "$ai_m/aliases" "$ai_d/sm/aliases"
	echo bench.example.test >"$ai_d/ff/qmail/control/me"
}
wrappers_done=0
wrappers() {	# the namespace wrappers' own cost, subtracted from the peers' times
	[ $wrappers_done = 1 ] && return
	wrappers_done=1
	w_specs=""
	[ "$PEER_FF" = ok ] && w_specs="wrap-mount"
	[ "$PEER_SM" = ok ] && w_specs="$w_specs wrap-uts"
	for w_s in $w_specs; do
		w_i=1
		while [ $w_i -le 11 ]; do timed wrapper 0 "$w_s" $w_i || break; w_i=$((w_i + 1)); done
	done
}

for kind in aliases-ff aliases; do
	want $kind || continue
	for size in $SIZES; do
		d=$OUT/$kind-$size
		if [ $kind = aliases-ff ]; then aliases_inputs "$d" "$size" -f; else aliases_inputs "$d" "$size"; fi
		CUR_DIR=$d CUR_IN=$d/root/etc/mail/aliases CUR_OUT=$d/out CUR_PAIRS=$d/pairs CUR_ROOT=$d/root
		printf '%s\t%s\t%s\t%s\n' $kind "$size" "$(bytes "$CUR_IN")" "$(lines "$CUR_IN")" >>"$OUT/inputs.tsv"
		if [ $kind = aliases-ff ]; then
			wrappers
			specs="s2q-aliases ff-newaliases sm-newaliases cdb-c-m"
		elif want_sm_full "$size"; then
			specs="s2q-aliases sm-newaliases cdb-c-m"
		else
			specs="s2q-aliases cdb-c-m"
			record $kind "$size" sm-newaliases 0 0 0 skipped "1M full aliases: 5+ min a run; BENCH_SLOW=1 runs it"
		fi
		say "$kind $(label "$size")"
		bench_case $kind "$size" "$(reps_for "$size")" $specs
	done
done

SAMPLE_CF=$SAMPLES/02-virtual-hosting.cf
SAMPLE_DATA=$SAMPLES/02-data
if want virtusers; then
	for size in $SIZES; do
		nd=$((size / 100))
		d=$OUT/virtusers-$size
		r=$d/root
		mkdir -p "$r/etc/mail"
		gen "$d/.stamp" virtusers "$nd" 100 "$d/virtusertable.gen" -D "$d/domains.gen"
		# a SENDMAIL_ROOT around it: sample 02 plus the generated table and domains
		if [ -d "$SAMPLE_DATA" ]; then
			cp "$SAMPLE_DATA"/* "$r/etc/mail/" && chmod u+w "$r/etc/mail"/*
			cp "$SAMPLE_CF" "$r/etc/mail/sendmail.cf"
			cat "$SAMPLE_DATA/virtusertable" "$d/virtusertable.gen" >"$r/etc/mail/virtusertable"
			cat "$SAMPLE_DATA/virtuser-domains" "$d/domains.gen" >"$r/etc/mail/virtuser-domains"
		else
			cp "$d/virtusertable.gen" "$r/etc/mail/virtusertable"
			cp "$d/domains.gen" "$r/etc/mail/virtuser-domains"
		fi
		ln -f "$r/etc/mail/virtusertable" "$d/makemap"
		awk '!/^#/ && NF {print}' "$r/etc/mail/virtusertable" >"$d/pairs"
		CUR_DIR=$d CUR_IN=$r/etc/mail/virtusertable CUR_OUT=$d/out CUR_PAIRS=$d/pairs CUR_ROOT=$r
		printf 'virtusers\t%s\t%s\t%s\n' "$size" "$(bytes "$CUR_IN")" "$(lines "$CUR_IN")" >>"$OUT/inputs.tsv"
		say "virtusers $(label "$nd")x100"
		bench_case virtusers "$size" "$(reps_for "$size")" s2q-virtusers sm-makemap cdb-c-m
	done
fi

if want host; then
	for size in $SIZES; do
		[ "$size" -ge 100000 ] || continue
		nd=$((size / 100))
		d=$OUT/host-$size
		r=$d/root
		mkdir -p "$r/etc/mail/lists"
		if [ -d "$SAMPLE_DATA" ]; then
			cp "$SAMPLE_DATA"/* "$r/etc/mail/" && chmod u+w "$r/etc/mail"/*
			cp "$SAMPLE_CF" "$r/etc/mail/sendmail.cf"
		fi
		gen "$d/.stamp-aliases" aliases "$size" "$d/aliases.gen" -I /etc/mail/lists -L "$r/etc/mail/lists"
		gen "$d/.stamp-virtusers" virtusers "$nd" 100 "$d/virtusertable.gen" -D "$d/domains.gen"
		gen "$d/.stamp-passwd" passwd 10000 "$r/etc/passwd"
		gen "$d/.stamp-forwards" forwards 100 "$r"
		for f in aliases virtusertable virtuser-domains; do
			[ -f "$SAMPLE_DATA/$f" ] && cp "$SAMPLE_DATA/$f" "$d/$f.sample" || : >"$d/$f.sample"
		done
		# sample 02 has postmaster, MAILER-DAEMON and root already: drop the generated ones
		sed '2,4d' "$d/aliases.gen" | cat "$d/aliases.sample" - >"$r/etc/mail/aliases"
		cat "$d/virtusertable.sample" "$d/virtusertable.gen" >"$r/etc/mail/virtusertable"
		cat "$d/virtuser-domains.sample" "$d/domains.gen" >"$r/etc/mail/virtuser-domains"
		CUR_DIR=$d CUR_IN="" CUR_OUT=$d/out CUR_ROOT=$r CUR_PAIRS=""
		printf 'host\t%s\t%s\t%s\n' "$size" "$(bytes "$r")" "$(find "$r" -type f | wc -l | tr -d ' ')" >>"$OUT/inputs.tsv"
		say "host $(label "$size") aliases + $(label "$nd")x100 virtusers"
		specs="s2q-cf s2q-migrate"
		bench_case host "$size" "$(reps_for "$size")" $specs
		# route needs the tree s2q-migrate wrote
		if [ "$(state s2q-route)" != ok ]; then
			record host "$size" s2q-route 0 0 0 missing "$(avail s2q-route)"
		elif [ ! -d "$d/out/s2q-migrate" ] || ! awk -F'\t' -v n="$size" \
			'$1 == "host" && $2 == n && $3 == "s2q-migrate" && $7 == "ok" {f = 1} END {exit !f}' "$RAW"; then
			record host "$size" s2q-route 0 0 0 missing "needs the tree of a successful s2q-migrate run"
		else
			bench_case host "$size" "$(reps_for "$size")" s2q-route
		fi
	done
fi

# ---- report ----
MACHINE="$(nproc 2>/dev/null || echo '?') cpu, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
LOAD="load average $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at end"
awk -F'\t' -v results="$RESULTS" -v machine="$MACHINE" -v rev="$REV" -v seed="$SEED" -v load="$LOAD" \
	-v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -f "$top/tools/bench-report.awk" "$OUT/inputs.tsv" "$RAW"
