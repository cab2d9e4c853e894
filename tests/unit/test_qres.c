/*
 * test_qres - the qmail-side resolver on small hand-made qmail trees.
 *
 * Each tree is built in a scratch directory with the project's own writers
 * (users/cdb through parse/assign + emit/usercdb, every other cdb through
 * cdbw), then every row resolves one address and compares the whole
 * delivery set, formatted, with the expected text.  The expectations come
 * from ../shared/ref/qmail.md §§1-5 (the verified examples where there are
 * some), not from running the resolver.
 *
 * Most trees make a rewrite visible by ending in a program line qmail's
 * forward(1) runs, e.g. `|forward "$LOCAL@$HOST.seen"`: the address it
 * forwards to shows the local part and domain qmail-local was given.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/emit/usercdb.h"
#include "../../convert/lib/parse/assign.h"
#include "../../convert/lib/resolve/qres.h"
#include "../../convert/lib/resolve/qres_int.h"
#include "../../convert/lib/util/aw.h"
#include "../../convert/lib/util/cdbw.h"

struct kv {
	const char *k;
	size_t kl;
	const char *v;
	size_t vl;
};
#define KV(k, v) { k, sizeof(k) - 1, v, sizeof(v) - 1 }

struct tent {
	int kind;		/* 'f' file, 'd' directory, 'c' cdb, 'a' users/assign -> users/cdb, 'l' symlink */
	const char *path;
	const char *data;	/* file contents, symlink target */
	size_t len;
	int mode;
	const struct kv *kv;	/* 'c': records, ended by { NULL } */
};
#define F(p, d) { 'f', p, d, sizeof(d) - 1, 0644, NULL }
#define FM(p, d, m) { 'f', p, d, sizeof(d) - 1, m, NULL }
#define DM(p, m) { 'd', p, NULL, 0, m, NULL }
#define LINK(p, t) { 'l', p, t, 0, 0, NULL }
#define CDB(p, ...) { 'c', p, NULL, 0, 0644, (const struct kv[]){ __VA_ARGS__, { NULL, 0, NULL, 0 } } }
#define USERS(d) { 'a', "var/qmail/users/assign", d, sizeof(d) - 1, 0644, NULL }
#define END { 0, NULL, NULL, 0, 0, NULL }

struct tree {
	const char *name;
	const struct tent *ents;
	const char *defdel;	/* default delivery, NULL: ./Mailbox */
	unsigned max_depth;
	unsigned long max_steps;
	const char *codes;	/* diagnostics of qres_open, in order */
	int rcpthosts_missing, users_cdb;
};

/* ---------------------------------------------------------------- the trees */

#define SEEN_ALIAS F("var/qmail/alias/.qmail-default", "|forward \"$LOCAL@$HOST.seen\"\n")

/* qmail-send rewrite(): envnoathost, percenthack, locals, virtualdomains; qmail-smtpd */
static const struct tent t_send[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/envnoathost", "noat.example\n"),
	F("var/qmail/control/defaulthost", "dhost\n"),
	F("var/qmail/control/defaultdomain", "ddom.example\n"),
	F("var/qmail/control/plusdomain", "plus.example\n"),
	F("var/qmail/control/locals", "me.example\n# a comment\n\nLocal.Example  \n  lead.example\n"
	  "crlf.example\r\n"),
	F("var/qmail/control/percenthack", "percent.example\npb.example\n"),
	/* the virtualdomains examples of qmail.md 3.3, duplicates, an exception, case */
	F("var/qmail/control/virtualdomains", "virt.example:pv\n.wild.example:pw\n"
	  "x@addr.example:pa\naddr.example:pd\nexcept.wild.example:\ndup.example:one\n"
	  "dup.example:two\nMixed.Example:MixPre\nno colon here\nme.example:shadowed\n"),
	F("var/qmail/control/rcpthosts", "me.example\n.sub.example\nCase.Example\n"),
	CDB("var/qmail/control/morercpthosts.cdb", KV("more.example", ""), KV(".deep.example", "")),
	SEEN_ALIAS,
	END
};

/* a bare ":prepend" captures every non-local address; an exception keeps one remote */
static const struct tent t_catch[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/virtualdomains", ":all\nremote.example:\n"),
	F("var/qmail/control/rcpthosts", ""),
	F("var/qmail/alias/.qmail-default", "|forward \"$LOCAL@remote.example\"\n"),
	END
};

/* qmail-remote smtproutes, the qmail.md 3.4 example and more */
static const struct tent t_routes[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/smtproutes", "route.example:127.0.0.1:2525\n"
	  ".wild.example:[127.0.0.1]:2526\n:127.0.0.1:2527\nnoport.example:relay.example\n"
	  "badport.example:relay.example:x2\nexc.example:\ndup.example:a.example\n"
	  "dup.example:b.example:26\n.exc.example:sub.relay\n"),
	F("var/qmail/control/rcpthosts", "me.example\n"),
	END
};

/* qmail-lspawn over users/cdb, written by the project's users/cdb emitter */
static const struct tent t_users[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/locals", "me.example\na.b.me.example\n"),
	USERS("=joe:joe:503:78:/home/joe:::\n"
	      "+joe-:joe:503:78:/home/joe:-::\n"
	      "+info-x:i:600:60:/home/i:-:pre-:\n"
	      "+Upper-Y:u:601:60:/home/u:-::\n"
	      "=dup:first:610:60:/home/first:::\n"
	      "=dup:second:611:60:/home/second:::\n"
	      ".\n"),
	F("home/joe/.qmail", "./Mailbox\n"),
	F("home/joe/.qmail-a-default", "|forward \"a-default:$DEFAULT@seen.example\"\n"),
	F("home/joe/.qmail-default", "|forward \"default:$DEFAULT@seen.example\"\n"),
	F("home/joe/.qmail-foo-default", "|forward \"foo-default:$DEFAULT@seen.example\"\n"),
	F("home/joe/.qmail-foo:bar", "|forward \"dot:$EXT@seen.example\"\n"),
	F("home/joe/.qmail-x-default", "|forward \"$EXT2+$EXT3+$EXT4@$HOST2.$HOST3.seen\"\n"),
	F("home/i/.qmail-default", "|forward \"i:$EXT@seen.example\"\n"),
	F("home/first/.qmail", "&first@seen.example\n"),
	F("var/qmail/alias/.qmail-default", "|forward \"alias:$EXT@seen.example\"\n"),
	END
};

/* users/cdb without the wildchars record: qmail-lspawn defers everything */
static const struct tent t_nowild[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/rcpthosts", "me.example\n"),
	CDB("var/qmail/users/cdb", KV("!joe\0", "joe\0" "503\0" "78\0" "/home/joe\0" "\0")),
	END
};

/* odd users/cdb records qmail-newu would write from a bad users/assign */
static const struct tent t_badrec[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/rcpthosts", "me.example\n"),
	CDB("var/qmail/users/cdb",
	    KV("!root\0", "root\0" "0\0" "0\0" "/root\0" "\0"),
	    KV("!word\0", "word\0" "abc\0" "1\0" "/home/word\0" "\0"),
	    KV("!short\0", "short\0" "700\0" "70"),
	    KV("!rel\0", "rel\0" "701\0" "70\0" "home/rel\0" "\0"),
	    KV("!wrap\0", "wrap\0" "4294967296\0" "1\0" "/home/wrap\0" "\0"),
	    KV("", "")),
	END
};

/* qmail-local: .qmail line types, exit codes, permissions */
static const struct tent t_local[] = {
	F("var/qmail/control/me", "me.example\n"),
	USERS("=joe:joe:503:78:/home/joe:::\n+joe-:joe:503:78:/home/joe:-::\n"
	      "=ww:ww:504:78:/home/ww:::\n=sticky:st:505:78:/home/sticky:::\n"
	      "=gone:gone:506:78:/home/gone:::\n+gone-:gone:506:78:/home/gone:-::\n.\n"),
	F("home/joe/.qmail", "&joe@remote.example\n./Maildir/\n"),
	F("home/joe/.qmail-mbox", "./Mailbox\n/var/spool/mail/joe\n"),
	F("home/joe/.qmail-prog", "|preline /usr/bin/procmail -t\n|/usr/bin/vacation 'joe'\n"
	  "|cat >> log; exit 100\n"),
	F("home/joe/.qmail-bounce", "./Maildir/\n|bouncesaying 'No such user. (#5.1.1)'\n"
	  "&never@remote.example\n"),
	F("home/joe/.qmail-echo", "|echo \"5.7.1 Mail refused\"; exit 100\n"),
	F("home/joe/.qmail-defer", "&dropped@remote.example\n|exit 111\n"),
	F("home/joe/.qmail-code", "|exit 65\n"),
	F("home/joe/.qmail-seq", "|bouncesaying 'not this'; exit 0\n|false\n"),
	F("home/joe/.qmail-seq2", "|true; /var/qmail/bin/bouncesaying \"Gone (#5.1.1)\"\n"),
	F("home/joe/.qmail-stop", "&first@remote.example\n|exit 99\n./Maildir/\n"),
	F("home/joe/.qmail-true", "|true\n"),
	F("home/joe/.qmail-blank", "\n./Maildir/\n"),
	F("home/joe/.qmail-blanklater", "./Maildir/\n\n# comment\n"),
	F("home/joe/.qmail-list", "+list\n&a@remote.example\n|prog\n"),
	F("home/joe/.qmail-listfwd", "+list\n&a@remote.example\nb@remote.example\n"),
	FM("home/joe/.qmail-xfwd", "&a@remote.example\n", 0744),
	FM("home/joe/.qmail-xprog", "&a@remote.example\n|prog\n", 0744),
	FM("home/joe/.qmail-ww", "./Maildir/\n", 0646),
	FM("home/joe/.qmail-gw", "./Maildir/\n", 0664),
	F("home/joe/.qmail-spaces", "  x@remote.example  \n<y@remote.example>\n&\n"),
	F("home/joe/.qmail-comments", "# nothing here\n"),
	LINK("home/joe/.qmail-escape", "/etc/passwd"),
	LINK("home/joe/.qmail-link", ".qmail-mbox"),
	F("home/joe/.qmail-ff", "|fastforward -p aliases.cdb\n./Maildir/\n"),
	F("home/joe/.qmail-ffn", "|fastforward -n aliases.cdb\n"),
	F("home/joe/.qmail-ffbad", "|fastforward -z aliases.cdb\n"),
	F("home/joe/.qmail-ffnone", "|fastforward /etc/none.cdb\n"),
	F("home/joe/.qmail-complex", "|forward \"$PATH@x\"\n|echo `date`; exit 100\n"),
	CDB("home/joe/aliases.cdb", KV(":joe-ff@me.example", "&ff@remote.example\0"),
	    KV(":joe-ffn@me.example", "&ffn@remote.example\0|prog\0")),
	DM("home/ww", 0757),
	F("home/ww/.qmail", "./Maildir/\n"),
	DM("home/sticky", 01755),
	F("home/sticky/.qmail", "./Maildir/\n"),
	F("var/qmail/alias/.qmail-default", "&alias@remote.example\n"),
	END
};

/* fastforward 0.51 over an aliases.cdb as setforward/newaliases write it */
static const struct tent t_ff[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/locals", "me.example\nlocal.example\n"),
	F("var/qmail/control/virtualdomains", "virt.example:alias\n"),
	USERS("=joe:joe:503:78:/home/joe:::\n"
	      "+alias-:alias:7790:2108:/var/qmail/alias:-::\n"
	      "+:alias:7790:2108:/var/qmail/alias:-::\n.\n"),
	F("var/qmail/alias/.qmail-default", "| fastforward -d /etc/aliases.cdb\n"),
	F("var/qmail/alias/.qmail-root", "&joe@me.example\n"),
	F("etc/aliases", "this is the source; fastforward never reads it\n"),
	CDB("etc/aliases.cdb",
	    KV(":info@", "&info-user@remote.example\0"),
	    KV(":@virt.example", "&catchall@remote.example\0"),
	    KV(":info@local.example", "&exact@remote.example\0"),
	    KV("?staff@", "owner-staff@me.example"),
	    KV(":staff@", "&joe@me.example\0&bob@remote.example\0|/usr/bin/logger staff\0"),
	    KV(":owner-staff@", "&joe@me.example\0"),
	    KV(":prog@", "!/usr/bin/procmail -f-\0"),
	    KV(":gone@", "|bouncesaying 'This address is gone. (#5.1.1)'\0"),
	    KV(":tmp@", "|exit 75\0&never@remote.example\0"),
	    KV(":list@", "/etc/lists/big.bin\0"),
	    KV(":rel@", "./rel.bin\0"),
	    KV(":secret@", "/etc/lists/secret.bin\0"),
	    KV(":nolist@", "/etc/lists/missing.bin\0"),
	    KV(":ia@me.example", "&ib@me.example\0"),
	    KV(":ib@me.example", "&ia@me.example\0&ext@remote.example\0"),
	    KV(":loopa@", "&loopb@me.example\0"),
	    KV(":loopb@", "&loopa@me.example\0"),
	    KV(":owned@", "&target@me.example\0"),
	    KV("?target@me.example", "someone@remote.example"),
	    KV(":target@me.example", "&expanded@remote.example\0"),
	    KV(":root@", "&postmaster@me.example\0"),
	    KV(":postmaster@", "&joe@me.example\0"),
	    KV(":empty@", "/etc/lists/empty.bin\0"),
	    KV(":long@", "&" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "@remote.example\0&short@remote.example\0"),
	    KV(":first@", "&one@remote.example\0"),
	    KV(":first@", "&two@remote.example\0")),
	F("etc/lists/big.bin", "&m1@remote.example\0/etc/lists/sub.bin\0&|prog\0|ignored\0"),
	F("etc/lists/sub.bin", "&m2@remote.example\0&joe@me.example\0&m1@remote.example\0"),
	F("var/qmail/alias/rel.bin", "&relative@remote.example\0"),
	FM("etc/lists/secret.bin", "&x@remote.example\0", 0600),
	F("etc/lists/empty.bin", ""),
	END
};

/* forwarding chains: qmail-local's Delivered-To loop check, the depth and work guards */
static const struct tent t_chain[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/alias/.qmail-default", "|forward \"x$LOCAL@me.example\"\n"),
	F("var/qmail/alias/.qmail-fan", "&a@remote.example\n&fan1@me.example\n&fan2@me.example\n"),
	F("var/qmail/alias/.qmail-fan1", "&b@remote.example\n"),
	F("var/qmail/alias/.qmail-fan2", "&c@remote.example\n"),
	F("var/qmail/alias/.qmail-self", "&self@me.example\n"),
	F("var/qmail/alias/.qmail-selfcase", "&SelfCase@me.example\n"),
	/* first re-injections (qres_resolve_nested): one that meets the limits only a
	   level or a delivery later, one that delivers nothing, one after a delivery */
	F("var/qmail/alias/.qmail-g", "&fan@me.example\n"),
	F("var/qmail/alias/.qmail-h1", "&h2@me.example\n"),
	F("var/qmail/alias/.qmail-h2", "&h3@me.example\n"),
	F("var/qmail/alias/.qmail-h3", "&h4@me.example\n"),
	F("var/qmail/alias/.qmail-h4", "&h5@me.example\n"),
	F("var/qmail/alias/.qmail-h5", "&h6@me.example\n"),
	F("var/qmail/alias/.qmail-h6", "&end@remote.example\n"),
	F("var/qmail/alias/.qmail-quiet", "# nothing here\n"),
	F("var/qmail/alias/.qmail-toquiet", "&quiet@me.example\n&r@remote.example\n"),
	F("var/qmail/alias/.qmail-pre", "./Maildir/\n&fan@me.example\n"),
	END
};

/* nothing qmail-send can start with, and an unreadable users/cdb */
static const struct tent t_dead[] = {
	F("var/qmail/control/virtualdomains", "crlf.example:p\r\n"),
	DM("var/qmail/users/cdb", 0755),
	END
};

/* a tree with neither rcpthosts nor users/cdb; morercpthosts.cdb is then ignored */
static const struct tent t_open[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/morercpthosts", "more.example\n"),
	CDB("var/qmail/control/morercpthosts.cdb", KV("more.example", "")),
	END
};

/* a broken morercpthosts.cdb: qmail-smtpd answers 421 */
static const struct tent t_badmrh[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/rcpthosts", "me.example\n"),
	F("var/qmail/control/morercpthosts.cdb", "short"),
	END
};

/* control files that exist but cannot be read (directories here) */
static const struct tent t_unread[] = {
	F("var/qmail/control/me", "me.example\n"),
	DM("var/qmail/control/smtproutes", 0755),
	DM("var/qmail/control/rcpthosts", 0755),
	END
};

static const struct tent t_unread2[] = {
	F("var/qmail/control/me", "me.example\n"),
	F("var/qmail/control/rcpthosts", "me.example\n"),
	DM("var/qmail/control/percenthack", 0755),
	END
};

/* the +detail shell lines s2q-aliases and s2q-virtusers write (qres_s2q.c) */
#define ALIAS_PLUS(fwd, code) \
	"b=\"${DEFAULT%%+*}\"; case \"$b\" in \"\"|\"$DEFAULT\") echo \"Sorry, no mailbox here " \
	"by that name. (#5.1.1)\"; exit " code ";; esac; case \"$DEFAULT\" in \"$b+*\") exec " fwd \
	" \"$b@$HOST\";; esac; exec " fwd " \"$b+*@$HOST\""
/* the same with LUSER_RELAY: the unknown-name branch forwards (s2q-aliases --luser-relay) */
#define ALIAS_LUSER(act) \
	"b=\"${DEFAULT%%+*}\"; case \"$b\" in \"\"|\"$DEFAULT\") " act ";; esac; case \"$DEFAULT\" " \
	"in \"$b+*\") exec /var/qmail/bin/forward \"$b@$HOST\";; esac; exec /var/qmail/bin/forward " \
	"\"$b+*@$HOST\""
#define VU_PLUS(nomatch, ff, cdb, inff) \
	"L=\"${LOCAL#*-}\"; r=\"${L#?}\"; case \"$r\" in *+*) ;; *) " nomatch ";; esac; " \
	"u=\"${L%\"$r\"}${r%%+*}\"; e=\"${r#*+}\"; p=\"${LOCAL%%-*}\"; " \
	"export DEFAULT=\"$L\" S2Q_1=\"$u\" S2Q_2=\"$e\" S2Q_3=\"+$e\"; " \
	"f() { RECIPIENT=\"$1@$HOST\" " ff " -p " cdb "; c=$?; " inff "[ $c = 0 ] || exit $c; }; " \
	"f \"$p-$L\"; [ -n \"$e\" ] && f \"$p+$u++\"; f \"$p+$u+*\"; f \"$p+$u\"; " \
	"f \"$p-$u\"; [ -n \"$e\" ] && f \"$p+++\"; f \"$p++*\"; f \"$p+\"; " \
	"echo 's2q-virtusers: the domain is missing from the virtusers database (#4.3.0)'; " \
	"exit 111"

static const struct tent t_s2q[] = {
	F("var/qmail/control/me", "me.example\n"),
	USERS("=joe:joe:503:78:/home/joe:::\n+joe-:joe:503:78:/home/joe:-::\n.\n"),
	SEEN_ALIAS,
	F("home/joe/.qmail-a-default", "|" ALIAS_PLUS("/var/qmail/bin/forward", "100") "\n"),
	F("home/joe/.qmail-q-default", "|" ALIAS_PLUS("'/opt/my q'\\''mail/forward'", "100") "\n"),
	F("home/joe/.qmail-m-default", "|" ALIAS_PLUS("/var/qmail/bin/forward", "101") "\n"),
	F("home/joe/.qmail-v-default",
	  "|" VU_PLUS("exit 0", "/usr/bin/fastforward", "/etc/vu.cdb", "") "\n"
	  "|bouncesaying 'no plus'\n"),
	F("home/joe/.qmail-w-default", "|fastforward /etc/vd.cdb\n"),
	F("home/joe/.qmail-l-default",
	  "|" ALIAS_LUSER("exec /var/qmail/bin/forward 'tail@remote.example'") "\n"),
	F("home/joe/.qmail-h-default",
	  "|" ALIAS_LUSER("exec /var/qmail/bin/forward \"$DEFAULT\"@relay.example") "\n"),
	F("home/joe/.qmail-x-default", "|" ALIAS_LUSER("exec /bin/true") "\n"),
	F("home/joe/.qmail-n-default", "|exec /var/qmail/bin/forward \"$DEFAULT\"@relay.example\n"),
	F("home/joe/.qmail-sh", "|/var/qmail/bin/preline sh -c '/usr/bin/vacation joe'\n"),
	F("home/joe/.qmail-shq", "|sh -c 'IFS='\\'' '\\'' && exec x'\n"),
	F("home/joe/.qmail-shx", "|/bin/sh -c 'echo gone; exit 100'\n"),
	F("home/joe/.qmail-sh2", "|sh -c 'a' 'b'\n"),
	F("home/joe/.qmail-shb", "|/var/qmail/bin/preline sh -c /usr/bin/listprog\n"),
	F("home/joe/.qmail-shr", "|sh -c /usr/bin/x>/tmp/y\n"),
	CDB("etc/vu.cdb", KV(":joe-v-a+b@me.example", "&found@remote.example\0"),
	    KV(":joe+v-e+*@me.example", "|forward \"$S2Q_1.$S2Q_2.$S2Q_3@x.example\"\0"),
	    KV(":joe+v-f@me.example", "&f@remote.example\0"),
	    KV(":joe-w-a@me.example", "&w@remote.example\0")),
	CDB("etc/vd.cdb", KV(":@me.example", "|" VU_PLUS("forward 'tail@remote.example'; exit $?",
							 "/usr/bin/fastforward", "/etc/vu.cdb",
							 "[ $c = 99 ] && exit 0; ") "\0")),
	END
};

static const struct tree trees[] = {
	{ "send", t_send, NULL, 0, 0, "S2Q-R103 S2Q-R105 S2Q-R104", 0, 0 },
	{ "catch", t_catch, NULL, 0, 0, "S2Q-R110", 0, 0 },
	{ "routes", t_routes, NULL, 0, 0, "S2Q-R105", 0, 0 },
	{ "users", t_users, NULL, 0, 0, "S2Q-R101", 1, 1 },
	{ "nowild", t_nowild, NULL, 0, 0, "S2Q-R106", 0, -1 },
	{ "badrec", t_badrec, NULL, 0, 0, "", 0, 1 },
	{ "local", t_local, "./Maildir/\n", 0, 0, "S2Q-R101", 1, 1 },
	{ "ff", t_ff, NULL, 0, 0, "S2Q-R101", 1, 1 },
	{ "chain", t_chain, NULL, 5, 6, "S2Q-R101", 1, 0 },
	{ "chain2", t_chain, NULL, 0, 3, "S2Q-R101", 1, 0 },
	{ "dead", t_dead, NULL, 0, 0, "S2Q-R108 S2Q-R102 S2Q-R103 S2Q-R101 S2Q-R106", 1, -1 },
	{ "open", t_open, NULL, 0, 0, "S2Q-R101", 1, 0 },
	{ "badmrh", t_badmrh, NULL, 0, 0, "S2Q-R107", 0, 0 },
	{ "unread", t_unread, NULL, 0, 0, "S2Q-R107 S2Q-R107", 0, 0 },
	{ "unread2", t_unread2, NULL, 0, 0, "S2Q-R107", 0, 0 },
	{ "s2q", t_s2q, NULL, 0, 0, "S2Q-R101", 1, 1 },
};

enum { T_SEND, T_CATCH, T_ROUTES, T_USERS, T_NOWILD, T_BADREC, T_LOCAL, T_FF, T_CHAIN, T_CHAIN2,
       T_DEAD, T_OPEN, T_BADMRH, T_UNREAD, T_UNREAD2, T_S2Q };

/* ---------------------------------------------------------------- the rows */

struct row {
	int tree;
	int via;		/* QRES_VIA_QUEUE 0, _SMTP 1, _INJECT 2 */
	const char *addr;
	const char *want;	/* dlv_format_set of the sorted set */
};

#define R2527 " via relay:127.0.0.1:2527"
#define SORRY "bounce 5.1.1 Sorry, no mailbox here by that name."

static const struct row rows[] = {
	/* the +detail lines of s2q-aliases and s2q-virtusers, run as sh would */
	{ T_S2Q, 0, "joe-a-sales+x@me.example", "forward sales+*@me.example.seen via mx:me.example.seen" },
	{ T_S2Q, 0, "joe-a-sales+*@me.example", "forward sales@me.example.seen via mx:me.example.seen" },
	{ T_S2Q, 0, "joe-a-sales@me.example", SORRY },
	/* LUSER_RELAY: the unknown-name branch of the s2q-aliases line, and the --no-plus line */
	{ T_S2Q, 0, "joe-l-nosuch@me.example", "forward tail@remote.example via mx:remote.example" },
	{ T_S2Q, 0, "joe-h-nosuch@me.example", "forward nosuch@relay.example via mx:relay.example" },
	{ T_S2Q, 0, "joe-n-nosuch@me.example", "forward nosuch@relay.example via mx:relay.example" },
	{ T_S2Q, 0, "joe-x-nosuch@me.example",
	  "defer s2q-route: unrecognised unknown-name action" },
	{ T_S2Q, 0, "joe-a-+x@me.example", SORRY },
	{ T_S2Q, 0, "joe-q-a+b@me.example", "forward a+*@me.example.seen via mx:me.example.seen" },
	/* an unknown-name branch s2q does not write: the +detail steps still run, the
	   branch itself is left unknown (a deferral), never guessed */
	{ T_S2Q, 0, "joe-m-a+b@me.example", "forward a+*@me.example.seen via mx:me.example.seen" },
	{ T_S2Q, 0, "joe-m-a@me.example", "defer s2q-route: unrecognised unknown-name action" },
	{ T_S2Q, 0, "joe-v-a+b@me.example", "forward found@remote.example via mx:remote.example" },
	{ T_S2Q, 0, "joe-v-ab@me.example", "bounce no plus" },
	{ T_S2Q, 0, "joe-v-c+d@me.example",
	  "defer 4.3.0 s2q-virtusers: the domain is missing from the virtusers database" },
	{ T_S2Q, 0, "joe-v-e+g@me.example", "forward v-e.g.+g@x.example via mx:x.example" },
	{ T_S2Q, 0, "joe-v-f+h@me.example", "forward f@remote.example via mx:remote.example" },
	{ T_S2Q, 0, "joe-w-x@me.example", "forward tail@remote.example via mx:remote.example" },
	{ T_S2Q, 0, "joe-w-a+b@me.example", "forward w@remote.example via mx:remote.example" },
	{ T_S2Q, 0, "joe-sh@me.example", "program joe /usr/bin/vacation joe" },
	{ T_S2Q, 0, "joe-shq@me.example", "program joe IFS=' ' && exec x" },
	{ T_S2Q, 0, "joe-shx@me.example", "bounce gone" },
	{ T_S2Q, 0, "joe-sh2@me.example", "program joe sh -c 'a' 'b'" },
	/* a bare word (sh_word leaves safe ones unquoted) is the program too; a word with
	   bytes the shell treats specially is not taken apart */
	{ T_S2Q, 0, "joe-shb@me.example", "program joe /usr/bin/listprog" },
	{ T_S2Q, 0, "joe-shr@me.example", "program joe sh -c /usr/bin/x>/tmp/y" },
	/* locals: exact, case-insensitive, leading blanks kept, CR kept */
	{ T_SEND, 0, "joe@me.example", "forward joe@me.example.seen via mx:me.example.seen" },
	{ T_SEND, 0, "Joe@LOCAL.EXAMPLE", "forward Joe@LOCAL.EXAMPLE.seen via mx:local.example.seen" },
	{ T_SEND, 0, "joe@lead.example", "forward joe@lead.example via mx:lead.example" },
	{ T_SEND, 0, "joe@crlf.example", "forward joe@crlf.example via mx:crlf.example" },
	/* envnoathost */
	{ T_SEND, 0, "joe", "forward joe@noat.example via mx:noat.example" },
	/* percenthack: last % becomes @, repeated only while the new domain is listed */
	{ T_SEND, 0, "u%a%b.org@percent.example", "forward u%a@b.org via mx:b.org" },
	{ T_SEND, 0, "u%a.org%pb.example@percent.example", "forward u@a.org via mx:a.org" },
	{ T_SEND, 0, "nopercent@percent.example",
	  "forward nopercent@percent.example via mx:percent.example" },
	/* virtualdomains: whole address, domain, .suffix, exception, last line wins */
	{ T_SEND, 0, "bob@virt.example",
	  "forward pv-bob@virt.example.seen via mx:virt.example.seen" },
	{ T_SEND, 0, "bob@a.b.wild.example",
	  "forward pw-bob@a.b.wild.example.seen via mx:a.b.wild.example.seen" },
	{ T_SEND, 0, "bob@wild.example", "forward bob@wild.example via mx:wild.example" },
	{ T_SEND, 0, "bob@except.wild.example",
	  "forward bob@except.wild.example via mx:except.wild.example" },
	{ T_SEND, 0, "bob@a.except.wild.example",
	  "forward pw-bob@a.except.wild.example.seen via mx:a.except.wild.example.seen" },
	{ T_SEND, 0, "x@addr.example", "forward pa-x@addr.example.seen via mx:addr.example.seen" },
	{ T_SEND, 0, "X@ADDR.example", "forward pa-X@ADDR.example.seen via mx:addr.example.seen" },
	{ T_SEND, 0, "y@addr.example", "forward pd-y@addr.example.seen via mx:addr.example.seen" },
	{ T_SEND, 0, "z@dup.example", "forward two-z@dup.example.seen via mx:dup.example.seen" },
	{ T_SEND, 0, "Q@mixed.example",
	  "forward MixPre-Q@mixed.example.seen via mx:mixed.example.seen" },
	/* locals beats virtualdomains */
	{ T_SEND, 0, "w@me.example", "forward w@me.example.seen via mx:me.example.seen" },
	/* qmail-smtpd: rcpthosts (exact, .suffix), morercpthosts.cdb, no @ */
	{ T_SEND, 1, "joe@me.example", "forward joe@me.example.seen via mx:me.example.seen" },
	{ T_SEND, 1, "joe@nowhere.example",
	  "refused 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" },
	{ T_SEND, 1, "x@sub.example",
	  "refused 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" },
	{ T_SEND, 1, "x@a.sub.example", "forward x@a.sub.example via mx:a.sub.example" },
	{ T_SEND, 1, "x@CASE.example", "forward x@CASE.example via mx:case.example" },
	{ T_SEND, 1, "x@more.example", "forward x@more.example via mx:more.example" },
	{ T_SEND, 1, "x@a.deep.example", "forward x@a.deep.example via mx:a.deep.example" },
	{ T_SEND, 1, "x@deep.example",
	  "refused 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" },
	{ T_SEND, 1, "joe", "forward joe@noat.example via mx:noat.example" },
	/* qmail-smtpd's addrparse: quotes go, a backslash keeps the next byte, a source
	   route is dropped, an unquoted '>' ends the address; qmail-inject: quotes only */
	{ T_SEND, 1, "\"joe\"@me.example", "forward joe@me.example.seen via mx:me.example.seen" },
	{ T_SEND, 1, "\"j\\\"oe\"@me.example",
	  "forward j\"oe@me.example.seen via mx:me.example.seen" },
	{ T_SEND, 1, "@a.example,@b.example:joe@me.example",
	  "forward joe@me.example.seen via mx:me.example.seen" },
	{ T_SEND, 1, "joe@me.example>junk", "forward joe@me.example.seen via mx:me.example.seen" },
	{ T_SEND, 1, "\"a>b\"@a.sub.example", "forward a>b@a.sub.example via mx:a.sub.example" },
	{ T_SEND, 2, "\"joe\"@me.example", "forward joe@me.example.seen via mx:me.example.seen" },
	{ T_SEND, 1, "joe@", "refused 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" },
	/* qmail-inject: defaulthost, plusdomain, defaultdomain (qmail.md 3.5) */
	{ T_SEND, 2, "joe", "forward joe@dhost.ddom.example via mx:dhost.ddom.example" },
	{ T_SEND, 2, "joe@host+", "forward joe@host.plus.example via mx:host.plus.example" },
	{ T_SEND, 2, "joe@a.b+", "forward joe@a.b.plus.example via mx:a.b.plus.example" },
	{ T_SEND, 2, "joe@me", "forward joe@me.ddom.example via mx:me.ddom.example" },
	{ T_SEND, 2, "joe@[10.0.0.1]", "forward joe@[10.0.0.1] via mx:[10.0.0.1]" },
	{ T_SEND, 2, "joe@me.example", "forward joe@me.example.seen via mx:me.example.seen" },

	/* a bare :prepend captures outgoing mail too; an exception stays remote */
	{ T_CATCH, 0, "u@anywhere.example", "forward all-u@remote.example via mx:remote.example" },
	{ T_CATCH, 0, "u@remote.example", "forward u@remote.example via mx:remote.example" },
	{ T_CATCH, 1, "u@anywhere.example",
	  "refused 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" },

	/* smtproutes: exact (any case), .suffix, default, port, exception, last wins */
	{ T_ROUTES, 0, "x@ROUTE.Example", "forward x@ROUTE.Example via relay:127.0.0.1:2525" },
	{ T_ROUTES, 0, "x@a.wild.example", "forward x@a.wild.example via relay:[127.0.0.1]:2526" },
	{ T_ROUTES, 0, "x@wild.example", "forward x@wild.example" R2527 },
	{ T_ROUTES, 0, "x@other.org", "forward x@other.org" R2527 },
	{ T_ROUTES, 0, "x@noport.example", "forward x@noport.example via relay:relay.example:25" },
	{ T_ROUTES, 0, "x@badport.example", "forward x@badport.example via relay:relay.example:0" },
	{ T_ROUTES, 0, "x@exc.example", "forward x@exc.example via mx:exc.example" },
	{ T_ROUTES, 0, "x@a.exc.example", "forward x@a.exc.example via relay:sub.relay:25" },
	{ T_ROUTES, 0, "x@dup.example", "forward x@dup.example via relay:b.example:26" },
	{ T_ROUTES, 0, "x@me.example", SORRY },	/* no users/cdb, no passwd: alias, no .qmail */

	/* users/cdb: exact, wildcard ext, the Info-Xtra example, the wildchars bug, first wins */
	{ T_USERS, 0, "joe@me.example", "mailbox joe" },
	{ T_USERS, 0, "JOE@me.example", "mailbox joe" },
	{ T_USERS, 0, "Info-Xtra@me.example", "forward i:pre-tra@seen.example via mx:seen.example" },
	{ T_USERS, 0, "Upper-Ytra@me.example",
	  "forward alias:Upper-Ytra@seen.example via mx:seen.example" },
	{ T_USERS, 0, "dup@me.example", "forward first@seen.example via mx:seen.example" },
	/* .qmail search order and $DEFAULT (qmail.md 4.1) */
	{ T_USERS, 0, "joe-a-b-c@me.example",
	  "forward a-default:b-c@seen.example via mx:seen.example" },
	{ T_USERS, 0, "joe-a-@me.example", "forward a-default:@seen.example via mx:seen.example" },
	{ T_USERS, 0, "joe-a@me.example", "forward default:a@seen.example via mx:seen.example" },
	{ T_USERS, 0, "joe-foo@me.example", "forward default:foo@seen.example via mx:seen.example" },
	{ T_USERS, 0, "joe-Foo-Bar.Baz@me.example",
	  "forward foo-default:Bar.Baz@seen.example via mx:seen.example" },
	{ T_USERS, 0, "joe-foo.Bar@me.example", "forward dot:foo.Bar@seen.example via mx:seen.example" },
	{ T_USERS, 0, "joe-x-y-z@a.b.me.example",
	  "forward y-z+z+@a.b.me.a.b.seen via mx:a.b.me.a.b.seen" },

	{ T_NOWILD, 0, "joe@me.example", "defer Trouble reading users/cdb in qmail-lspawn." },
	{ T_NOWILD, 1, "joe@elsewhere.example",
	  "refused 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" },

	{ T_BADREC, 0, "root@me.example", "defer Not allowed to perform deliveries as root." },
	{ T_BADREC, 0, "word@me.example", "defer Not allowed to perform deliveries as root." },
	{ T_BADREC, 0, "wrap@me.example", "defer Not allowed to perform deliveries as root." },
	{ T_BADREC, 0, "short@me.example", "defer Internal qmail-lspawn bug." },
	{ T_BADREC, 0, "rel@me.example", "bounce qmail-local: usage: qmail-local [ -nN ] user homedir "
	  "local dash ext domain sender aliasempty" },
	{ T_BADREC, 0, "@me.example", "discard" },	/* empty local part: discarded */

	/* qmail-local: default delivery (./Maildir/ here), files, programs */
	{ T_LOCAL, 0, "joe@me.example", "forward joe@remote.example via mx:remote.example | mailbox joe" },
	{ T_LOCAL, 0, "joe-mbox@me.example",
	  "file joe /home/joe/Mailbox | file joe /var/spool/mail/joe" },
	{ T_LOCAL, 0, "joe-prog@me.example",
	  "program joe /usr/bin/procmail -t | program joe /usr/bin/vacation 'joe' | "
	  "program joe cat >> log; exit 100" },
	{ T_LOCAL, 0, "joe-bounce@me.example", "bounce 5.1.1 No such user. | mailbox joe" },
	{ T_LOCAL, 0, "joe-echo@me.example", "bounce 5.7.1 Mail refused" },
	{ T_LOCAL, 0, "joe-defer@me.example", "defer" },
	{ T_LOCAL, 0, "joe-code@me.example", "bounce" },
	{ T_LOCAL, 0, "joe-seq@me.example", "defer | program joe bouncesaying 'not this'; exit 0" },
	{ T_LOCAL, 0, "joe-seq2@me.example", "bounce 5.1.1 Gone" },
	{ T_LOCAL, 0, "joe-stop@me.example", "forward first@remote.example via mx:remote.example" },
	{ T_LOCAL, 0, "joe-true@me.example", "program joe true" },
	{ T_LOCAL, 0, "joe-blank@me.example", "defer 4.2.1 Uh-oh: first line of .qmail file is blank." },
	{ T_LOCAL, 0, "joe-blanklater@me.example", "mailbox joe" },
	{ T_LOCAL, 0, "joe-list@me.example",
	  "defer 4.7.0 Uh-oh: .qmail has prog delivery but has x bit set." },
	{ T_LOCAL, 0, "joe-listfwd@me.example",
	  "forward a@remote.example via mx:remote.example | forward b@remote.example via mx:remote.example" },
	{ T_LOCAL, 0, "joe-xfwd@me.example", "forward a@remote.example via mx:remote.example" },
	{ T_LOCAL, 0, "joe-xprog@me.example",
	  "defer 4.7.0 Uh-oh: .qmail has prog delivery but has x bit set." },
	{ T_LOCAL, 0, "joe-ww@me.example", "defer 4.7.0 Uh-oh: .qmail file is writable." },
	{ T_LOCAL, 0, "joe-gw@me.example", "mailbox joe" },
	{ T_LOCAL, 0, "joe-spaces@me.example",
	  "forward   x@remote.example via mx:remote.example | "
	  "forward <y@remote.example> via mx:remote.example>" },
	{ T_LOCAL, 0, "joe-comments@me.example", "discard" },	/* only comments: thrown away */
	{ T_LOCAL, 0, "joe-escape@me.example", SORRY },
	{ T_LOCAL, 0, "joe-link@me.example", "file joe /home/joe/Mailbox | file joe /var/spool/mail/joe" },
	{ T_LOCAL, 0, "joe-ff@me.example",
	  "forward ff@remote.example via mx:remote.example" },
	{ T_LOCAL, 0, "joe-ffn@me.example", "discard" },	/* -n sends nothing */
	{ T_LOCAL, 0, "joe-ffbad@me.example", "bounce fastforward: usage: fastforward [ -nNpP ] data.cdb" },
	{ T_LOCAL, 0, "joe-ffnone@me.example",
	  "defer fastforward: fatal: unable to read /etc/none.cdb: file does not exist" },
	{ T_LOCAL, 0, "joe-complex@me.example",
	  "program joe echo `date`; exit 100 | program joe forward \"$PATH@x\"" },
	{ T_LOCAL, 0, "joe-nothing@me.example", SORRY },
	{ T_LOCAL, 0, "ww@me.example", "defer 4.7.0 Uh-oh: home directory is writable." },
	{ T_LOCAL, 0, "sticky@me.example",
	  "defer 4.2.1 Home directory is sticky: user is editing his .qmail file." },
	{ T_LOCAL, 0, "gone@me.example", "mailbox gone" },	/* home not in the tree */
	{ T_LOCAL, 0, "gone-ext@me.example", SORRY },
	{ T_LOCAL, 0, "else@me.example", "forward alias@remote.example via mx:remote.example" },

	/* fastforward: @domain beats user@, user@domain beats both (qmail.md 5.3) */
	{ T_FF, 0, "info@virt.example", "forward catchall@remote.example via mx:remote.example" },
	{ T_FF, 0, "info@me.example", "forward info-user@remote.example via mx:remote.example" },
	{ T_FF, 0, "INFO@local.example", "forward exact@remote.example via mx:remote.example" },
	{ T_FF, 0, "other@virt.example", "forward catchall@remote.example via mx:remote.example" },
	/* & instructions re-enter qmail-send; programs run as the .qmail owner */
	{ T_FF, 0, "staff@me.example",
	  "forward bob@remote.example via mx:remote.example | mailbox joe | "
	  "program alias /usr/bin/logger staff" },
	{ T_FF, 0, "prog@me.example", "program alias /usr/bin/procmail -f-" },
	{ T_FF, 0, "gone@me.example", "bounce 5.1.1 This address is gone." },
	{ T_FF, 0, "tmp@me.example", "defer" },
	/* .bin lists: read under the tree, programs in them ignored, world-readable or defer */
	{ T_FF, 0, "list@me.example",
	  SORRY " | forward m1@remote.example via mx:remote.example | forward m2@remote.example via "
	  "mx:remote.example | mailbox joe" },
	{ T_FF, 0, "rel@me.example", "forward relative@remote.example via mx:remote.example" },
	{ T_FF, 0, "secret@me.example",
	  "defer fastforward: fatal: /etc/lists/secret.bin is not world-readable" },
	{ T_FF, 0, "nolist@me.example",
	  "defer fastforward: fatal: unable to read /etc/lists/missing.bin: file does not exist" },
	{ T_FF, 0, "empty@me.example", "discard" },	/* empty list */
	/* loops: suppressed inside fastforward; across deliveries Delivered-To bounces them */
	{ T_FF, 0, "ia@me.example", "forward ext@remote.example via mx:remote.example" },
	{ T_FF, 0, "loopa@me.example",
	  "bounce 5.4.6 This message is looping: it already has my Delivered-To line." },
	/* an address with an owner record is forwarded as is, expanded on its next pass */
	{ T_FF, 0, "owned@me.example", "forward expanded@remote.example via mx:remote.example" },
	/* a ~alias/.qmail-NAME file beats aliases.cdb */
	{ T_FF, 0, "root@me.example", "mailbox joe" },
	{ T_FF, 0, "nosuch@me.example", SORRY },
	{ T_FF, 0, "long@me.example", "forward short@remote.example via mx:remote.example" },
	{ T_FF, 0, "first@me.example", "forward one@remote.example via mx:remote.example" },

	/* the work guards */
	{ T_CHAIN, 0, "a@me.example", "defer s2q: more than 5 forwarding levels, not followed" },
	{ T_CHAIN2, 0, "a@me.example", "defer s2q: more than 3 deliveries for one address, not followed" },
	{ T_CHAIN2, 0, "fan@me.example",
	  "forward a@remote.example via mx:remote.example | forward b@remote.example via "
	  "mx:remote.example | forward c@remote.example via mx:remote.example" },
	{ T_CHAIN, 0, "fan@me.example",
	  "forward a@remote.example via mx:remote.example | forward b@remote.example via "
	  "mx:remote.example | forward c@remote.example via mx:remote.example" },
	{ T_CHAIN, 0, "self@me.example",
	  "bounce 5.4.6 This message is looping: it already has my Delivered-To line." },
	{ T_CHAIN, 0, "selfcase@me.example",
	  "bounce 5.4.6 This message is looping: it already has my Delivered-To line." },
	{ T_CHAIN, 0, "g@me.example",
	  "forward a@remote.example via mx:remote.example | forward b@remote.example via "
	  "mx:remote.example | forward c@remote.example via mx:remote.example" },
	{ T_CHAIN2, 0, "g@me.example",
	  "defer s2q: more than 3 deliveries for one address, not followed | forward "
	  "a@remote.example via mx:remote.example | forward b@remote.example via mx:remote.example" },
	{ T_CHAIN, 0, "h1@me.example", "defer s2q: more than 5 forwarding levels, not followed" },
	{ T_CHAIN, 0, "h2@me.example", "forward end@remote.example via mx:remote.example" },
	/* again after h2: h3..h6 are remembered from h2's run, one level higher up */
	{ T_CHAIN, 0, "h1@me.example", "defer s2q: more than 5 forwarding levels, not followed" },
	{ T_CHAIN, 0, "h2@me.example", "forward end@remote.example via mx:remote.example" },
	{ T_CHAIN, 0, "toquiet@me.example", "forward r@remote.example via mx:remote.example" },
	{ T_CHAIN, 0, "quiet@me.example", "discard" },
	{ T_CHAIN, 0, "pre@me.example",
	  "file alias /var/qmail/alias/Maildir/ | forward a@remote.example via mx:remote.example | "
	  "forward b@remote.example via mx:remote.example | forward c@remote.example via "
	  "mx:remote.example" },

	{ T_DEAD, 0, "joe@me.example",
	  "defer qmail-send does not start: neither control/locals nor control/me" },
	{ T_DEAD, 1, "joe@me.example",
	  "defer qmail-send does not start: neither control/locals nor control/me" },

	{ T_OPEN, 1, "x@anywhere.example", "forward x@anywhere.example via mx:anywhere.example" },
	{ T_OPEN, 0, "nobody@me.example", SORRY },

	{ T_BADMRH, 1, "x@me.example", "defer 4.3.0 unable to read controls" },
	{ T_BADMRH, 0, "x@remote.example", "forward x@remote.example via mx:remote.example" },

	/* unreadable control files: qmail-smtpd, qmail-remote, qmail-send give up */
	{ T_UNREAD, 1, "x@me.example", "defer 4.3.0 unable to read controls" },
	{ T_UNREAD, 0, "x@remote.example", "defer 4.3.0 Unable to read control files." },
	{ T_UNREAD, 0, "x@me.example", SORRY },
	{ T_UNREAD2, 0, "x@me.example",
	  "defer qmail-send does not start: control/percenthack cannot be read" },
	{ T_UNREAD2, 1, "x@me.example",
	  "defer qmail-send does not start: control/percenthack cannot be read" },
};

/* ---------------------------------------------------------------- building a tree */

static void mkparents(const char *root, const char *rel)
{
	char p[1024];
	size_t i;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (i = strlen(root) + 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", p, strerror(errno));
		p[i] = '/';
	}
}

static void build(const char *root, const struct tent *e)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY);
	char p[1024];

	assert_true(rootfd >= 0);
	for (; e->kind; e++) {
		snprintf(p, sizeof(p), "%s/%s", root, e->path);
		mkparents(root, e->path);
		switch (e->kind) {
		case 'f':
			tu_writefile(root, e->path, e->data, e->len);
			assert_int_equal(chmod(p, (mode_t)e->mode), 0);
			break;
		case 'd':
			if (mkdir(p, 0755) < 0)
				assert_int_equal(errno, EEXIST);
			assert_int_equal(chmod(p, (mode_t)e->mode), 0);
			break;
		case 'l':
			assert_int_equal(symlink(e->data, p), 0);
			break;
		case 'c': {
			struct cdbw w;
			const struct kv *k;

			if (!aw_relpath_ok(e->path))
				break;	/* a path the writers refuse: nothing is written */
			assert_int_equal(cdbw_open(&w, rootfd, e->path, 0644, 0), 0);
			for (k = e->kv; k->k; k++)
				assert_int_equal(cdbw_add(&w, k->k, k->kl, k->v, k->vl), 0);
			assert_int_equal(cdbw_commit(&w), 0);
			break;
		}
		case 'a': {
			struct diag_sink d;
			struct assign_parser ap;
			struct assign_ent ae;
			struct usercdb u;
			int r;

			tu_writefile(root, e->path, e->data, e->len);
			diag_init(&d);
			assert_int_equal(assign_open(&ap, p, "users/assign", &d), 0);
			assert_int_equal(usercdb_open(&u, rootfd, "var/qmail/users/cdb", &d,
						      "users/assign"), 0);
			while ((r = assign_next(&ap, &ae)) > 0)
				assert_int_equal(usercdb_add(&u, &ae), 0);
			assert_int_equal(r, 0);
			assign_close(&ap);
			assert_int_equal(usercdb_commit(&u), 0);
			diag_free(&d);
			break;
		}
		}
	}
	close(rootfd);
}

static void codes(const struct diag_sink *d, buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < d->n; i++)
		buf_printf(out, "%s%s", i ? " " : "", d->v[i].code);
	buf_append_c(out, '\0');
}

/*
 * The first re-injections whose answers qres_resolve_nested keeps (address or
 * NULL: none kept), where the limits and the order of deliveries decide.
 */
static const struct {
	int tree;
	const char *addr, *nested;
} nested_rows[] = {
	{ T_CHAIN, "g@me.example", "fan@me.example" },
	{ T_CHAIN2, "g@me.example", NULL },	/* fan@ meets the delivery limit one step early */
	{ T_CHAIN, "h1@me.example", NULL },	/* h2@ meets the level limit one level early */
	{ T_CHAIN, "toquiet@me.example", "quiet@me.example" },	/* kept as "discard" */
	{ T_CHAIN, "pre@me.example", NULL },	/* after the Maildir delivery */
	{ T_CHAIN, "fan@me.example", "a@remote.example" },
	{ T_CHAIN, "self@me.example", NULL },	/* the loop */
	{ T_CHAIN, "a@me.example", NULL },
};

/*
 * qres_resolve_nested gives the row's own answer (want), and the answer it keeps
 * for the first re-injection is what that address gets entering qmail-send on
 * its own (QRES_VIA_QUEUE); nested_rows say which are kept.  The number of
 * problems; *nvalid counts the answers kept.
 */
static int check_nested(struct qres *q, const struct tree *tr, const struct row *r,
			const struct dlv_set *want, size_t *nvalid)
{
	struct qres_nested n;
	struct dlv_set s, alone;
	buf a = BUF_INIT, b = BUF_INIT;
	size_t k;
	int bad = 0, hostdep;

	qres_nested_init(&n);
	dlv_set_init(&s);
	dlv_set_init(&alone);
	assert_int_equal(qres_resolve_nested(q, r->addr, r->via, &s, NULL, &hostdep, &n), 0);
	assert_int_equal(dlv_format_set(&a, &s), 0);
	assert_int_equal(dlv_format_set(&b, want), 0);
	assert_non_null(buf_cstr(&a));
	assert_non_null(buf_cstr(&b));
	if (strcmp(a.s, b.s) != 0) {
		print_message("tree %s <%s>: nested run answered '%s', not '%s'\n", tr->name, r->addr,
			      a.s, b.s);
		bad++;
	}
	if (n.valid) {
		(*nvalid)++;
		assert_int_equal(qres_resolve(q, n.addr.s, QRES_VIA_QUEUE, &alone, NULL), 0);
		buf_reset(&a);
		buf_reset(&b);
		assert_int_equal(dlv_format_set(&a, &n.set), 0);
		assert_int_equal(dlv_format_set(&b, &alone), 0);
		assert_non_null(buf_cstr(&a));
		assert_non_null(buf_cstr(&b));
		if (strcmp(a.s, b.s) != 0) {
			print_message("tree %s <%s>: kept '%s' for <%s>, which alone gets '%s'\n",
				      tr->name, r->addr, a.s, n.addr.s, b.s);
			bad++;
		}
	}
	for (k = 0; k < sizeof(nested_rows) / sizeof(nested_rows[0]); k++) {
		const char *w = nested_rows[k].nested;

		if ((size_t)nested_rows[k].tree != (size_t)(tr - trees) ||
		    strcmp(nested_rows[k].addr, r->addr) != 0)
			continue;
		if (w ? !n.valid || strcmp(n.addr.s, w) != 0 : n.valid) {
			print_message("tree %s <%s>: kept %s, want %s\n", tr->name, r->addr,
				      n.valid ? n.addr.s : "nothing", w ? w : "nothing");
			bad++;
		}
	}
	qres_nested_free(&n);
	dlv_set_free(&s);
	dlv_set_free(&alone);
	buf_free(&a);
	buf_free(&b);
	return bad;
}

/* every row of every tree; filter_min: qres_opts.cdb_filter_min (1: every cdb filtered) */
static void rows_pass(size_t filter_min)
{
	size_t t, i, nvalid = 0;
	int bad = 0;

	for (t = 0; t < sizeof(trees) / sizeof(trees[0]); t++) {
		const struct tree *tr = &trees[t];
		char *dir = tu_tmpdir();
		struct qres_opts o;
		struct qres q;
		struct diag_sink d;
		buf got = BUF_INIT, cs = BUF_INIT, trace = BUF_INIT;

		build(dir, tr->ents);
		qres_opts_init(&o);
		o.cdb_filter_min = filter_min;
		if (tr->defdel)
			o.default_delivery = tr->defdel;
		if (tr->max_depth)
			o.max_depth = tr->max_depth;
		if (tr->max_steps)
			o.max_steps = tr->max_steps;
		diag_init(&d);
		assert_int_equal(qres_open(&q, dir, &o, &d), 0);
		codes(&d, &cs);
		if (strcmp(cs.s, tr->codes) != 0) {
			print_message("tree %s: diagnostics '%s', want '%s'\n", tr->name, cs.s, tr->codes);
			bad++;
		}
		if (q.rcpthosts_missing != tr->rcpthosts_missing || q.users_cdb != tr->users_cdb) {
			print_message("tree %s: rcpthosts_missing %d users_cdb %d, want %d %d\n",
				      tr->name, q.rcpthosts_missing, q.users_cdb,
				      tr->rcpthosts_missing, tr->users_cdb);
			bad++;
		}
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			const struct row *r = &rows[i];
			struct dlv_set s;

			if ((size_t)r->tree != t)
				continue;
			dlv_set_init(&s);
			buf_reset(&trace);
			assert_int_equal(qres_resolve(&q, r->addr, r->via, &s, &trace), 0);
			buf_reset(&got);
			assert_int_equal(dlv_format_set(&got, &s), 0);
			assert_non_null(buf_cstr(&got));
			assert_non_null(buf_cstr(&trace));
			if (strcmp(got.s, r->want) != 0) {
				print_message("tree %s, via %d <%s>:\n  got  '%s'\n  want '%s'\n%s", tr->name,
					      r->via, r->addr, got.s, r->want, trace.s);
				bad++;
			}
			if (trace.len == 0) {
				print_message("tree %s, <%s>: empty trace\n", tr->name, r->addr);
				bad++;
			}
			bad += check_nested(&q, tr, r, &s, &nvalid);
			dlv_set_free(&s);
		}
		/*
		 * the rows again without a trace, last first: re-injections remembered
		 * from every row (qres.c deliver's memo), reached now from other
		 * addresses, at other levels, after other deliveries, must answer as
		 * the traced runs did
		 */
		for (i = sizeof(rows) / sizeof(rows[0]); i-- > 0;) {
			const struct row *r = &rows[i];
			struct dlv_set s;

			if ((size_t)r->tree != t)
				continue;
			dlv_set_init(&s);
			assert_int_equal(qres_resolve(&q, r->addr, r->via, &s, NULL), 0);
			buf_reset(&got);
			assert_int_equal(dlv_format_set(&got, &s), 0);
			assert_non_null(buf_cstr(&got));
			if (strcmp(got.s, r->want) != 0) {
				print_message("tree %s, via %d <%s>, second pass:\n  got  '%s'\n  want "
					      "'%s'\n", tr->name, r->via, r->addr, got.s, r->want);
				bad++;
			}
			dlv_set_free(&s);
		}
		qres_close(&q);
		diag_free(&d);
		buf_free(&got);
		buf_free(&cs);
		buf_free(&trace);
		tu_rmtree(dir);
	}
	assert_int_equal(bad, 0);
	/* every kept answer above was checked against the address on its own */
	print_message("qres_resolve_nested: %zu answers kept and checked\n", nvalid);
	assert_true(nvalid >= 20);
}

static void test_rows(void **state)
{
	(void)state;
	rows_pass(0);
}

/* the same with a filter of absent keys on every users/cdb and aliases.cdb (util/cdbfilter) */
static void test_rows_filtered(void **state)
{
	(void)state;
	rows_pass(1);
}

/* ---------------------------------------------------------------- qmail-getpw over the old passwd */

static void test_getpw(void **state)
{
	char *dir = tu_tmpdir(), path[1024], pw[2048];
	unsigned long uid = getuid() ? (unsigned long)getuid() : 503;
	static const struct {
		int home_root;
		const char *addr, *want;
	} prow[] = {
		/* the qmail.md 1.5 examples: lowercased, longest account first, alias fallback */
		{ 0, "JOE@me.example", "mailbox joe" },
		{ 0, "Joe-Foo-Bar@me.example", "forward joe:Foo-Bar@seen.example via mx:seen.example" },
		{ 0, "joe-list-x@me.example", "forward joe-list:x@seen.example via mx:seen.example" },
		{ 0, "root@me.example", "forward alias:root@seen.example via mx:seen.example" },
		{ 0, "Upper@me.example", "forward alias:Upper@seen.example via mx:seen.example" },
		{ 0, "short@me.example", "forward alias:short@seen.example via mx:seen.example" },
		{ 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@me.example",
		  "forward alias:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@seen.example via mx:seen.example" },
		{ 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x@me.example",
		  "forward aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x@seen.example via mx:seen.example" },
		/* without a home root the ownership check is assumed to pass */
		{ 0, "other@me.example", "mailbox other" },
		{ 0, "nohome@me.example", "mailbox nohome" },
		/* with one, it is qmail-getpw's: the home must exist and be owned by the account */
		{ 1, "JOE@me.example", "mailbox joe" },
		{ 1, "other@me.example", "forward alias:other@seen.example via mx:seen.example" },
		{ 1, "nohome@me.example", "forward alias:nohome@seen.example via mx:seen.example" },
	};
	size_t i;
	int bad = 0;
	(void)state;

	snprintf(pw, sizeof(pw),
		 "root:x:0:0:root:/root:/bin/sh\n"
		 "joe:x:%lu:78:Joe:/home/joe:/bin/sh\n"
		 "joe-list:x:%lu:78::/home/joelist:/bin/sh\n"
		 "Upper:x:%lu:78::/home/joe:/bin/sh\n"
		 "short:x:%lu\n"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x:%lu:1::/home/joe:/bin/sh\n"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x:%lu:1::/home/joe:/bin/sh\n"
		 "other:x:%lu:78::/home/joe:/bin/sh\n"
		 "nohome:x:%lu:78::/home/nohome:/bin/sh\n"
		 "joe:x:9999:78:second entry:/home/second:/bin/sh\n"
		 "alias:x:7790:2108::/var/qmail/alias:/bin/false\n",
		 uid, uid, uid, uid, uid, uid, uid + 1, uid);
	tu_writefile(dir, "passwd", pw, strlen(pw));
	{
		static const struct tent t[] = {
			F("tree/var/qmail/control/me", "me.example\n"),
			F("tree/var/qmail/control/rcpthosts", "me.example\n"),
			F("tree/var/qmail/alias/.qmail-default", "|forward \"alias:$EXT@seen.example\"\n"),
			F("tree/home/joe/.qmail-default", "|forward \"$USER:$EXT@seen.example\"\n"),
			F("tree/home/joelist/.qmail-default", "|forward \"$USER:$EXT@seen.example\"\n"),
			F("old/home/joe/README", "the old host's home\n"),
			F("old/home/joelist/README", "the old host's home\n"),
			END
		};
		build(dir, t);
	}
	snprintf(path, sizeof(path), "%s/old/home/joe", dir);
	assert_int_equal(chown(path, (uid_t)uid, (gid_t)-1), 0);
	snprintf(path, sizeof(path), "%s/old/home/joelist", dir);
	assert_int_equal(chown(path, (uid_t)uid, (gid_t)-1), 0);

	for (i = 0; i < sizeof(prow) / sizeof(prow[0]); i++) {
		struct qres_opts o;
		struct qres q;
		struct dlv_set s;
		buf got = BUF_INIT, trace = BUF_INIT;
		char pwpath[1024], root[1024], old[1024];

		qres_opts_init(&o);
		snprintf(pwpath, sizeof(pwpath), "%s/passwd", dir);
		snprintf(root, sizeof(root), "%s/tree", dir);
		snprintf(old, sizeof(old), "%s/old", dir);
		o.passwd = pwpath;
		if (prow[i].home_root)
			o.home_root = old;
		assert_int_equal(qres_open(&q, root, &o, NULL), 0);
		dlv_set_init(&s);
		assert_int_equal(qres_resolve(&q, prow[i].addr, 0, &s, &trace), 0);
		assert_int_equal(dlv_format_set(&got, &s), 0);
		assert_non_null(buf_cstr(&got));
		assert_non_null(buf_cstr(&trace));
		if (strcmp(got.s, prow[i].want) != 0) {
			print_message("getpw%s <%s>:\n  got  '%s'\n  want '%s'\n%s",
				      prow[i].home_root ? " (home root)" : "", prow[i].addr, got.s,
				      prow[i].want, trace.s);
			bad++;
		}
		dlv_set_free(&s);
		buf_free(&got);
		buf_free(&trace);
		qres_close(&q);
	}
	tu_rmtree(dir);
	assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- errors, trace, fastforward -n */

static void test_errors(void **state)
{
	char *dir = tu_tmpdir(), path[1024];
	struct qres_opts o;
	struct qres q;
	(void)state;

	snprintf(path, sizeof(path), "%s/nonexistent", dir);
	errno = 0;
	assert_int_equal(qres_open(&q, path, NULL, NULL), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(q.st);
	qres_opts_init(&o);
	o.passwd = path;
	errno = 0;
	assert_int_equal(qres_open(&q, dir, &o, NULL), -1);
	assert_int_equal(errno, ENOENT);
	qres_close(&q);	/* harmless after a failed open */
	tu_rmtree(dir);
}

static void test_trace(void **state)
{
	char *dir = tu_tmpdir();
	struct qres q;
	struct dlv_set s;
	buf trace = BUF_INIT;
	static const struct tent t[] = {
		F("var/qmail/control/me", "me.example\n"),
		F("var/qmail/control/virtualdomains", "virt.example:pv\n"),
		F("var/qmail/alias/.qmail-pv-bob", "&bob@remote.example\n"),
		END
	};
	(void)state;

	build(dir, t);
	assert_int_equal(qres_open(&q, dir, NULL, NULL), 0);
	dlv_set_init(&s);
	assert_int_equal(qres_resolve(&q, "bob@virt.example", 0, &s, &trace), 0);
	assert_non_null(buf_cstr(&trace));
	assert_string_equal(trace.s,
		"qmail-send: <bob@virt.example>\n"
		"virtualdomains: 'virt.example' -> prepend 'pv': <pv-bob@virt.example>\n"
		"qmail-getpw: no account: alias user alias, home /var/qmail/alias\n"
		"qmail-local: user alias home /var/qmail/alias local pv-bob dash '-' ext 'pv-bob' "
		"domain virt.example\n"
		".qmail-pv-bob: found\n"
		"line '&bob@remote.example': forward to <bob@remote.example>\n"
		"  qmail-send: <bob@remote.example>\n"
		"  not local: qmail-remote\n"
		"  smtproutes: no entry for 'remote.example': MX lookup\n"
		"  => forward bob@remote.example via mx:remote.example\n");
	/* no trace wanted: same set */
	dlv_set_free(&s);
	assert_int_equal(qres_resolve(&q, "bob@virt.example", 0, &s, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].route, "mx:remote.example");
	/* control characters are escaped in the trace */
	buf_reset(&trace);
	assert_int_equal(qres_resolve(&q, "a\tb@remote.example", 0, &s, &trace), 0);
	assert_non_null(buf_cstr(&trace));
	assert_non_null(strstr(trace.s, "<a\\x09b@remote.example>"));
	dlv_set_free(&s);
	buf_free(&trace);
	qres_close(&q);
	tu_rmtree(dir);
}

static const struct tent t_dry[] = {
	CDB("al.cdb",
	    KV(":a@", "&b@x.org\0./l.bin\0|echo\x01hi\0"),
	    KV("?a@", "owner-a@x.org"),
	    KV(":@dom.example", "&catch@x.org\0")),
	F("l.bin", "&m1@x.org\0&m2@x.org\0"),
	END
};

/*
 * qres_domain_plain's remembered answers: a domain plain before any aliases cdb
 * was opened is not plain once one with a key naming it is (a fastforward line
 * opened it), and stays so
 */
static void test_plain_later(void **state)
{
	char *dir = tu_tmpdir();
	struct qres_opts o;
	struct qres q;
	struct diag_sink d;
	struct dlv_set s;
	(void)state;

	build(dir, t_ff);
	qres_opts_init(&o);
	diag_init(&d);
	assert_int_equal(qres_open(&q, dir, &o, &d), 0);
	assert_int_equal(qres_domain_plain(&q, "local.example", 13), 1);
	assert_int_equal(qres_domain_plain(&q, "local.example", 13), 1);
	assert_int_equal(qres_domain_plain(&q, "remote.example", 14), 0);
	dlv_set_init(&s);
	assert_int_equal(qres_resolve(&q, "nosuch@me.example", QRES_VIA_QUEUE, &s, NULL), 0);
	dlv_set_free(&s);
	/* aliases.cdb is open now, and it has info@local.example */
	assert_int_equal(qres_domain_plain(&q, "local.example", 13), 0);
	assert_int_equal(qres_domain_plain(&q, "local.example", 13), 0);
	assert_int_equal(qres_domain_plain(&q, "me.example", 10), 0);
	qres_close(&q);
	diag_free(&d);
	tu_rmtree(dir);
}

/* without openat2 (old kernels): the same answers, except that no symlink is followed */
static void test_walk(void **state)
{
	char *dir = tu_tmpdir();
	struct qres_opts o;
	struct qres q;
	static const struct {
		const char *addr, *want;
	} wr[] = {
		{ "joe@me.example", "forward joe@remote.example via mx:remote.example | mailbox joe" },
		{ "joe-mbox@me.example", "file joe /home/joe/Mailbox | file joe /var/spool/mail/joe" },
		{ "joe-ww@me.example", "defer 4.7.0 Uh-oh: .qmail file is writable." },
		{ "ww@me.example", "defer 4.7.0 Uh-oh: home directory is writable." },
		{ "joe-escape@me.example", "bounce 5.1.1 Sorry, no mailbox here by that name." },
		{ "joe-link@me.example", "bounce 5.1.1 Sorry, no mailbox here by that name." },
		{ "joe-ff@me.example", "forward ff@remote.example via mx:remote.example" },
		{ "joe-ffnone@me.example",
		  "defer fastforward: fatal: unable to read /etc/none.cdb: file does not exist" },
	};
	size_t i;
	(void)state;

	build(dir, t_local);
	qres_opts_init(&o);
	o.default_delivery = "./Maildir/";
	o.no_openat2 = 1;
	assert_int_equal(qres_open(&q, dir, &o, NULL), 0);
	for (i = 0; i < sizeof(wr) / sizeof(wr[0]); i++) {
		struct dlv_set s;
		buf got = BUF_INIT;

		dlv_set_init(&s);
		assert_int_equal(qres_resolve(&q, wr[i].addr, QRES_VIA_QUEUE, &s, NULL), 0);
		assert_int_equal(dlv_format_set(&got, &s), 0);
		assert_non_null(buf_cstr(&got));
		if (strcmp(got.s, wr[i].want) != 0)
			fail_msg("<%s>: got '%s', want '%s'", wr[i].addr, got.s, wr[i].want);
		dlv_set_free(&s);
		buf_free(&got);
	}
	qres_close(&q);
	tu_rmtree(dir);
}

/* fastforward -n's exact output (the script test compares it with the real program) */
static void test_ff_dryrun(void **state)
{
	char *dir = tu_tmpdir();
	struct qres_opts o;
	struct qres q;
	static const struct {
		unsigned flags;
		const char *recip, *sender, *def, *ext, *host, *want;
		int code;
	} fr[] = {
		{ 0, "a@foo", "s@x", NULL, NULL, NULL,
		  "run |echo_hi\nfrom <owner-a@x.org>\nto <b@x.org>\nto <m1@x.org>\nto <m2@x.org>\n", 0 },
		{ QRES_FF_P, "a@foo", "", NULL, NULL, NULL,
		  "run |echo_hi\nfrom <>\nto <b@x.org>\nto <m1@x.org>\nto <m2@x.org>\n", 99 },
		{ 0, "joe@dom.example", NULL, NULL, NULL, NULL,
		  "from <original envelope sender>\nto <catch@x.org>\n", 0 },
		{ 0, "zz@foo", "s@x", NULL, NULL, NULL, "Sorry, no mailbox here by that name. (#5.1.1)\n", 100 },
		{ QRES_FF_P, "zz@foo", "s@x", NULL, NULL, NULL, "", 0 },
		{ 0, NULL, "s@x", NULL, NULL, NULL, "fastforward: fatal: $RECIPIENT must be set\n", 100 },
		{ QRES_FF_D, NULL, "s@x", "A", "ignored", "Dom.Example",
		  "from <owner-a@x.org>\nto <catch@x.org>\n", 0 },
		{ QRES_FF_D, NULL, "s@x", NULL, "a", "foo", "run |echo_hi\nfrom <owner-a@x.org>\nto <b@x.org>\n"
		  "to <m1@x.org>\nto <m2@x.org>\n", 0 },
		{ QRES_FF_D, NULL, "s@x", NULL, NULL, "foo", "fastforward: fatal: $DEFAULT or $EXT must be set\n",
		  100 },
		{ QRES_FF_D, NULL, "s@x", "a", NULL, NULL, "fastforward: fatal: $HOST must be set\n", 100 },
	};
	size_t i;
	(void)state;

	build(dir, t_dry);
	qres_opts_init(&o);
	o.qmailhome = "/nonexistent/qres";	/* only fastforward is used */
	assert_int_equal(qres_open(&q, "/", &o, NULL), 0);
	for (i = 0; i < sizeof(fr) / sizeof(fr[0]); i++) {
		struct qres_ffenv env = { fr[i].recip, fr[i].sender, fr[i].def, fr[i].ext, fr[i].host };
		buf out = BUF_INIT;
		int code = -1;

		assert_int_equal(qres_ff_dryrun(&q, "al.cdb", dir, fr[i].flags, &env, &out, &code), 0);
		assert_non_null(buf_cstr(&out));
		if (strcmp(out.s, fr[i].want) != 0 || code != fr[i].code)
			fail_msg("row %zu: got %d '%s', want %d '%s'", i, code, out.s, fr[i].code, fr[i].want);
		buf_free(&out);
	}
	{	/* a missing cdb */
		struct qres_ffenv env = { "a@foo", "s@x", NULL, NULL, NULL };
		buf out = BUF_INIT;
		int code = -1;

		assert_int_equal(qres_ff_dryrun(&q, "none.cdb", dir, 0, &env, &out, &code), 0);
		assert_non_null(buf_cstr(&out));
		assert_string_equal(out.s, "fastforward: fatal: unable to read none.cdb: file does not exist\n");
		assert_int_equal(code, 111);
		buf_free(&out);
	}
	qres_close(&q);
	tu_rmtree(dir);
}

/* qr_lower (eight bytes a step) against the byte-by-byte rule, every byte value at every offset */
static void test_lower(void **state)
{
	unsigned char a[40], b[40];
	unsigned v, off, len, i;

	(void)state;
	for (v = 0; v < 256; v++)
		for (len = 1; len <= sizeof(a); len++)
			for (off = 0; off < len; off++) {
				for (i = 0; i < len; i++)
					a[i] = (unsigned char)(i == off ? v : 'A' + (i * 7 + v) % 60);
				memcpy(b, a, len);
				for (i = 0; i < len; i++)
					if (b[i] >= 'A' && b[i] <= 'Z')
						b[i] = (unsigned char)(b[i] + 32);
				qr_lower((char *)a, len);
				assert_memory_equal(a, b, len);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_rows_filtered),
		cmocka_unit_test(test_getpw),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_plain_later),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_ff_dryrun),
		cmocka_unit_test(test_lower),
	};
	return cmocka_run_group_tests_name("qres", tests, NULL, NULL);
}
