/* resolve/prove - the routing proof behind s2q-route: which addresses, how to compare, what is known */
#ifndef S2Q_RESOLVE_PROVE_H
#define S2Q_RESOLVE_PROVE_H

#include <stddef.h>
#include <stdint.h>

#include "../model/delivery.h"
#include "../model/host.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/hset.h"
#include "../parse/virtuser.h"
#include "smres.h"

/*
 * s2q-route (and s2q-migrate's proof) resolve every address twice, with
 * smres (the old host's sendmail) and qres (the converted qmail tree), and
 * compare the two delivery sets.  This module holds everything but the two
 * resolvers, so that it can be tested with delivery sets fed directly:
 *
 *   prove_addrs   the addresses to prove, deduplicated (hash set), in a
 *                 deterministic order, each with its via
 *   prove_select  the --all selection from the host model, the alias
 *                 files, passwd, the virtusertable, the mailertable and
 *                 the converted tree's smtproutes
 *   prove_compare normalise both sets, then same / different /
 *                 only-sendmail / only-qmail, and the structural known
 *                 changes S2Q-R301..R304
 *   prove_known   the converters' --json diagnostics, matched against the
 *                 input lines smres says decided the sendmail answer
 *   prove_format_* / prove_json_*  the report lines and the summary
 *
 * The vocabulary of "via" (how the address enters each MTA):
 *   PROVE_VIA_SMTP   an RCPT TO from an outside client that may not relay:
 *                    SMRES_VIA_SMTP / QRES_VIA_SMTP.  Every qualified
 *                    address given or selected, except route probes.
 *   PROVE_VIA_LOCAL  local submission (sendmail -bv ADDRESS; qmail-inject
 *                    qualifies it): SMRES_VIA_LOCAL / QRES_VIA_INJECT.
 *                    Unqualified names, and the remote route probes
 *                    (mail to a remote domain is sent by local users; from
 *                    outside both MTAs would refuse to relay it).
 */
#define PROVE_VIA_LOCAL	0
#define PROVE_VIA_SMTP	1

/* prove_via_name - "local" or "smtp" */
const char *prove_via_name(int via);
/* prove_via_for - PROVE_VIA_SMTP when address has an '@', else PROVE_VIA_LOCAL */
int prove_via_for(const char *address);

/* ---------------------------------------------------------------- the address list */

/*
 * Entries are kept in one arena (via byte, address, NUL) in the order they
 * were added.  Duplicates are dropped all at once by prove_addrs_seal: the
 * entries' hashes are sorted (radix passes over a flat array) and equal
 * ones compared, the first of each kept, the arena closed up.  Adding is an
 * append; a table probed per address cost a cache miss each (~8M addresses
 * for --all on a 1M-alias host: seconds).  Memory is the addresses plus 32
 * bytes each while sealing.
 */
struct prove_addrs {
	buf arena;
	size_t n;		/* entries (after prove_addrs_seal: distinct ones) */
};

void prove_addrs_init(struct prove_addrs *a);
void prove_addrs_free(struct prove_addrs *a);
/*
 * prove_addrs_add - add addr[0..len) with via: 1 added (a duplicate is
 * dropped by prove_addrs_seal), 0 not probeable (empty, or a NUL, CR, LF or
 * other control byte, or longer than PROVE_ADDR_MAX), -1 ENOMEM
 */
#define PROVE_ADDR_MAX 1000
int prove_addrs_add(struct prove_addrs *a, const char *addr, size_t len, int via);
/* prove_addrs_seal - drop every entry an earlier one equals (via and address); 0, -1 ENOMEM */
int prove_addrs_seal(struct prove_addrs *a);
/* iteration, after prove_addrs_seal: size_t pos = 0; while (prove_addrs_next(a, &pos, &addr, &via)) ... */
int prove_addrs_next(const struct prove_addrs *a, size_t *pos, const char **addr, int *via);

/* ---------------------------------------------------------------- --all selection */

/* the local part used for "an unknown name" at a domain, and for route probes */
#define PROVE_UNKNOWN	"s2q.nosuch"
#define PROVE_PROBE	"s2q.probe"
/* the detail added to virtusertable keys, and the domain for a default route */
#define PROVE_DETAIL	"s2qdetail"
#define PROVE_REMOTE	"s2q-remote.invalid"

/* the pieces of --all, usable on their own (tests, other callers); 0 or -1 ENOMEM */
/* postmaster, MAILER-DAEMON, root: unqualified and at every local domain */
int prove_sel_special(struct prove_addrs *a, const char *const *locals, size_t nlocals);
/* one local name (alias, login): unqualified and at every local domain */
int prove_sel_name(struct prove_addrs *a, const char *name, size_t len,
		   const char *const *locals, size_t nlocals);
/*
 * one virtusertable key: "L@D" as it is, with "+s2qdetail" after L (when L
 * has no '+') and in upper case; "L+*@D" / "L++@D" as "L+s2qdetail@D";
 * "+*@D" / "++@D" / "@D" as "s2q.nosuch+s2qdetail@D" / "s2q.nosuch@D".
 * Keys without '@' are never looked up by sendmail: skipped.
 */
int prove_sel_vkey(struct prove_addrs *a, const char *key, size_t len);
/*
 * the percent hack as a relay: s2q.probe%s2q-remote.invalid@domain (via smtp);
 * sendmail refuses it as relaying, a qmail with domain in percenthack and
 * rcpthosts relays it
 */
int prove_sel_percent(struct prove_addrs *a, const char *domain, size_t len);
/* an unknown name at domain: s2q.nosuch@domain (via smtp) */
int prove_sel_unknown(struct prove_addrs *a, const char *domain, size_t len);
/*
 * a remote probe for a routing key (smtproutes or mailertable left-hand
 * side): "dom" -> s2q.probe@dom, ".dom" -> s2q.probe@s2q-sub.dom, "" or "."
 * (the default route) -> s2q.probe@s2q-remote.invalid; via local.  Keys
 * that are not domain names ("[1.2.3.4]" literals are) are skipped.
 */
int prove_sel_route(struct prove_addrs *a, const char *key, size_t len);

struct prove_sel_opts {
	int rootfd;			/* the sendmail root */
	const char *root;		/* its path (the alias parser opens paths): NULL "/" */
	const char *passwd;		/* passwd inside the root; NULL: "/etc/passwd" */
	int qmailfd;			/* the converted tree (OUTROOT), or -1 */
	const char *qmailhome;		/* QMAILHOME inside it; NULL: "/var/qmail" */
	const struct alias_table *aliases;	/* the aliases already read from the cf's
						   AliasFile list (smres_aliases), or NULL:
						   they are read here */
	struct vtab *vt;		/* the virtusertable already read (smres_vtab), or
					   NULL: it is read here */
};

/*
 * prove_select - the --all list, in this order: the special names; every
 * live alias name of h's AliasFile list (file order); every passwd login;
 * every virtusertable key (file order, with its variants); an unknown name
 * at every local domain, then at every virtual domain ({VirtHost} and the
 * virtusertable's domains); s2q.probe%s2q-remote.invalid at every local
 * domain (the percent hack as a relay); a probe for each smtproutes line of the
 * converted tree, then for each mailertable key, then s2q.probe@s2q-remote.invalid
 * (the default route: smart host or MX).  Local domains are class w.
 * Files that cannot be read are skipped with a warning S2Q-R310 in d (the
 * resolvers report the same problems where they matter).  0, or -1 ENOMEM.
 */
int prove_select(struct prove_addrs *a, const struct host *h, const struct prove_sel_opts *o,
		 struct diag_sink *d);

/* ---------------------------------------------------------------- comparison */

enum prove_verdict {
	PROVE_SAME = 0,		/* equal after the normalisations */
	PROVE_DIFFERENT,	/* anything else */
	PROVE_ONLY_SENDMAIL,	/* sendmail accepts it (a delivery, forward or discard),
				   qmail refuses or bounces every part of it */
	PROVE_ONLY_QMAIL	/* the other way round */
};

/* prove_verdict_name - "same", "different", "only-sendmail", "only-qmail" */
const char *prove_verdict_name(enum prove_verdict v);

/* the structural changes every migration has (MIGRATION.md "Proving the migration") */
#define PROVE_R301 "S2Q-R301"	/* programs/files run as another account (alias user) */
#define PROVE_R302 "S2Q-R302"	/* a refusal: at RCPT time by sendmail, a bounce by qmail */
#define PROVE_R303 "S2Q-R303"	/* relay host by MX (sendmail) vs A only (qmail smtproutes) */
#define PROVE_R304 "S2Q-R304"	/* sendmail delivered to root's mailbox; qmail never delivers as uid 0 */
#define PROVE_R305 "S2Q-R305"	/* sendmail refused it as relaying; qmail takes it as an unknown
				   local name and bounces it: nothing is delivered either way */
#define PROVE_R307 "S2Q-R307"	/* user%host@D: sendmail refused it as relaying, qmail delivers it
				   at D (catch-all or local name) and relays nothing to host */
#define PROVE_R306 "S2Q-R306"	/* sendmail bounced some recipients of a list or .forward and
				   delivered the rest; qmail drops the bounced ones */
#define PROVE_R308 "S2Q-R308"	/* a loop of aliases and .forward files: sendmail broke it at a
				   user of the loop and kept that delivery; qmail bounces the
				   message as looping (its Delivered-To line) */
#define PROVE_R309 "S2Q-R309"	/* MaxAliasRecursion counted steps other than aliases (.forward,
				   ruleset 5's +detail, :include:, virtusertable): sendmail
				   refused a recipient as too deep, qmail (no such limit)
				   delivers it */
#define PROVE_R311 "S2Q-R311"	/* a quoted local part with blanks substituted into a forward
				   ("%1@remote"): sendmail's result has BlankSub for its blanks,
				   qmail forwards it as is */

struct prove_cmp_opts {
	int via;			/* PROVE_VIA_SMTP or PROVE_VIA_LOCAL (R302 needs smtp) */
	const struct hset *uid0;	/* the old host's uid-0 account names (R304), or NULL */
	const char *address;		/* the address compared (R307, R311), or NULL */
	int loop_user;			/* sendmail broke a loop at a user (smres_used; R308) */
	int deep_hidden;		/* sendmail refused a recipient as too deep, counting
					   steps other than aliases (smres_used; R309) */
};

struct prove_result {
	enum prove_verdict verdict;
	int known;			/* a difference that is explained (codes has at least one);
					   always 0 for PROVE_SAME */
	buf codes;			/* "S2Q-A101 S2Q-R301": the codes, sorted, distinct; on a
					   PROVE_SAME result only S2Q-R302 (a note, not a difference) */
};

void prove_result_init(struct prove_result *r);
void prove_result_free(struct prove_result *r);

/*
 * prove_normalise - copy s into out (cleared first, sorted at the end) with
 * the normalisations that make the same routing written differently equal:
 *   forward targets: the domain after the last '@' lower-cased;
 *   routes: host lower-cased, trailing dot dropped, "relay:[h]:p" -> "relay:h:p"
 *     (both mean "this host, A record, no MX"), a missing port -> 25;
 *   bounce 5.1.1 with no text, "User unknown" or qmail's "Sorry, no mailbox
 *     here by that name." -> bounce 5.1.1 with no text;
 *   refused: status and text dropped (each MTA words its refusal);
 *   file /dev/null: dropped; discard beside other deliveries: dropped;
 *     nothing left -> discard.
 * 0 or -1 ENOMEM.
 */
int prove_normalise(struct dlv_set *out, const struct dlv_set *s);

/*
 * prove_compare - the verdict for one address (r reset first).  A
 * difference gets the structural codes that explain it completely:
 *   S2Q-R301 the sets are equal when the account of program and file
 *            deliveries is ignored;
 *   S2Q-R303 ... when sendmail's "mx:H" routes are read as "relay:H:25"
 *            (both together: both codes);
 *   S2Q-R304 ... when sendmail's deliveries to the mailbox of an account
 *            in o->uid0 are taken out and qmail's bounces too (qmail never
 *            delivers as uid 0: mail for root goes to the alias user, and
 *            bounces there unless an alias takes it); when root's mailbox was
 *            all sendmail delivered to, whatever qmail did (the alias user's
 *            catch-all); alone or with the above.
 * A same result via smtp whose sets are only bounces gets the note
 * S2Q-R302: sendmail refused the recipient at RCPT time, qmail accepts the
 * message and bounces it (r->known stays 0: it is not a difference).
 * 0 or -1 ENOMEM.
 */
int prove_compare(const struct dlv_set *sm, const struct dlv_set *qm,
		  const struct prove_cmp_opts *o, struct prove_result *r);

/* ---------------------------------------------------------------- known diagnostics */

/*
 * The converters' diagnostics (their --json output), indexed by FILE:LINE.
 * A file name matches a source file of smres when the two are equal or one
 * ends with the other at a '/' ("old/etc/mail/aliases" and "/etc/mail/aliases").
 */
struct prove_known_ent {
	char *file;
	unsigned long line;
	char code[12];
	size_t next;		/* next entry with the same base name and line, or (size_t)-1 */
};

struct prove_known {
	struct prove_known_ent *v;
	size_t n, cap;
	struct hset idx;	/* "basename\nline" -> first entry */
};

void prove_known_init(struct prove_known *k);
void prove_known_free(struct prove_known *k);
/* prove_known_add - one diagnostic; 0 or -1 ENOMEM */
int prove_known_add(struct prove_known *k, const char *file, unsigned long line,
		    const char *code);
/*
 * prove_known_read - a converter's --json output: one JSON text or several
 * (JSON Lines), each an object with a "diagnostics" array, an array of
 * diagnostic objects, or one diagnostic object.  A diagnostic is an object
 * with a string "code", a string "file" and a number "line" (> 0); others
 * (no file, line 0) explain nothing and are skipped, as are unknown keys.
 * 1 read, 0 not that shape (malformed JSON: *err is a static message and
 * *errline its line), -1 ENOMEM.
 */
int prove_known_read(struct prove_known *k, const char *p, size_t len, const char **err,
		     unsigned long *errline);
/*
 * prove_known_match - add (to r->codes, distinct, sorted) the code of every
 * diagnostic at one of the n source lines; r->known is set when there was
 * one.  0 or -1 ENOMEM.
 */
int prove_known_match(const struct prove_known *k, const struct smres_src *src, size_t n,
		      struct prove_result *r);

/* prove_add_code - add one code to r->codes (distinct, sorted), set r->known; 0 or -1 */
int prove_add_code(struct prove_result *r, const char *code);

/* ---------------------------------------------------------------- report */

struct prove_summary {
	unsigned long same, different, only_sendmail, only_qmail;	/* by verdict */
	unsigned long known;		/* differences of any verdict that are explained */
	unsigned long unexplained;	/* differences that are not */
	unsigned long total;
};

/* prove_count - count one result */
void prove_count(struct prove_summary *s, const struct prove_result *r);

/*
 * prove_format - one line (with '\n'):
 *   "same ADDR: SET" + " [S2Q-R302]" when it has that note
 *   "VERDICT ADDR: sendmail: SET / qmail: SET" + " [known CODE...]" when known
 * SET is dlv_format_set of the original (not normalised) set, "(nothing)"
 * when empty.  An address probed via local that has an '@' is written
 * "ADDR (local)".
 */
int prove_format(buf *out, const char *addr, int via, const struct prove_result *r,
		 const struct dlv_set *sm, const struct dlv_set *qm);
/*
 * prove_json - one JSON object (no newline): {"address","via","verdict",
 * "known":bool,"codes":[...],"sendmail":[set],"qmail":[set],"sources":["FILE:LINE",...]}
 */
int prove_json(buf *out, const char *addr, int via, const struct prove_result *r,
	       const struct dlv_set *sm, const struct dlv_set *qm, const struct smres_src *src,
	       size_t nsrc);
/* "summary: N same, N different, N only-sendmail, N only-qmail; N known, N unexplained; N total\n" */
int prove_format_summary(buf *out, const struct prove_summary *s);
/* {"same":N,"different":N,"known":N,"only_sendmail":N,"only_qmail":N,"unexplained":N,"total":N} */
int prove_json_summary(buf *out, const struct prove_summary *s);

#endif
