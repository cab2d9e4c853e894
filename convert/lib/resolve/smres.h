/* resolve/smres - where sendmail delivers an address, worked out from the old host's files */
#ifndef S2Q_RESOLVE_SMRES_H
#define S2Q_RESOLVE_SMRES_H

#include <stddef.h>

#include "../model/alias.h"
#include "../model/delivery.h"
#include "../model/host.h"
#include "../util/buf.h"
#include "../util/diag.h"

/*
 * The sendmail side of s2q-route.  smres answers what the old host's
 * sendmail did with one envelope recipient, from the files s2q's parsers
 * read (the host model of parse/sendmailcf, the aliases files, the
 * virtusertable, mailertable, domaintable and access text sources, passwd
 * and the users' .forward files, all below the sendmail root), following
 * ../shared/ref/sendmail.md sections 2.7 and 3:
 *
 *   canonify    localhost -> $j, domain literals, domaintable, trailing dot
 *   relay check (SMRES_VIA_SMTP only) class w / R / {VirtHost} rules,
 *               relay_hosts_only, access To: RELAY/REJECT/..., blocklist_recipients
 *               -> DLV_REFUSED (status "5.7.1", text "Relaying denied"), or
 *               DLV_BOUNCE / DLV_DISCARD for an access To: REJECT, ERROR:, DISCARD
 *   ruleset 0   percent hack and !-paths (UUCP) for local domains, FEATURE(redirect),
 *               virtusertable
 *               (seven keys, %1..%3, error:, re-parse of the value),
 *               class L, stickyhost, mailertable (exact, .parent, "."),
 *               smart host, MX delivery
 *   local       aliases (user+detail, user+*, user), :include:, \user,
 *               self reference, MaxAliasRecursion and loops, ruleset 5
 *               (LUSER_RELAY, MAIL_HUB, LOCAL_RELAY), passwd, ForwardPath
 *               .forward files; nullclient
 *
 * The vocabulary is model/delivery.h, mapped from sendmail's triples:
 *   mailer local, user U (a passwd account)     -> DLV_MAILBOX user U (no +detail)
 *   mailer prog,  user "|cmd"                   -> DLV_PROGRAM user (DefaultUser's name, or
 *                                                  the owner of the .forward), target cmd
 *   mailer *file*, user /path                   -> DLV_FILE    user (as for prog), target /path
 *   mailer M,     host [h], user A              -> DLV_FORWARD target A, route "relay:h:25"
 *                                                  ("relay:[a.b.c.d]:25" for an address)
 *   mailer M,     host h (no brackets)          -> DLV_FORWARD target A, route "mx:h"
 *                                                  (MX lookup of h; "mx:D" for plain delivery
 *                                                  to the recipient's own domain D)
 *   mailer error, 5.x.y / 4.x.y                 -> DLV_BOUNCE / DLV_DEFER with status and text
 *                                                  (text NULL for sendmail's generic
 *                                                  "User unknown" of an unknown local
 *                                                  user; the text without its reply code
 *                                                  and DSN, as -bv prints it; an error
 *                                                  without a DSN gets X.0.0)
 *   mailer discard                              -> DLV_DISCARD
 * Host names in routes are lower-cased, without a trailing dot.
 *
 * Nothing is run and no DNS is asked: like the offline oracle
 * (../shared/ref/sendmail.md 4.6), domains stay as typed, except what the
 * root's hosts file (O HostsFile, default /etc/hosts) says: $[ name $]
 * gives the first name of the line naming it, and the aliases and [address]
 * of the host's own name join class w, as sendmail adds them at start.
 *
 * Checked against the real sendmail 8.17 address by address (every address
 * of samples/office, isp, hosting, tests/smres/NAME, the -bv recordings of
 * tests/aliases; tests/scripts/smres-oracle.sh).  Details found that way:
 *   - ruleset 5 results are one alias level deeper; "\user" and a self
 *     reference skip aliases and .forward but not ruleset 5 (MAIL_HUB,
 *     LUSER_RELAY: "\user@relay" keeps the backslash when the user map does
 *     not know the name); user+detail not aliased becomes "@user" with the
 *     detail as host, a different address from "user" (its .forward is read
 *     again for a self reference);
 *   - a duplicate is caught before the MaxAliasRecursion check; a loop is
 *     broken at a passwd user of the cycle, else the name is dropped and,
 *     when nothing else is deliverable, "554 5.4.6 aliasing/forwarding loop
 *     broken" is the answer (also when a .forward's targets all went too deep);
 *   - a .forward's programs and files bounce when its owner's shell is not
 *     in /etc/shells ("User U@$j doesn't have a valid shell for mailing to
 *     programs"; sendmail's default list when the file is missing);
 *   - LUSER_RELAY local:NAME that gives NAME again leaves it unchanged;
 *   - "@user" with its +detail as host prints as user+detail: that name in
 *     the user's .forward is a self reference (the mailbox); user+detail that
 *     ruleset 5 rewrites stays in the send queue (expanded), so the same
 *     address again - even below its own rewrite - is a duplicate; its
 *     steps (user+*, user) carry the detail as host and are never the same
 *     recipient as a plain name, nor a self reference of the .forward that
 *     named user+detail (sendmail compares with the recipient rewritten);
 *     aliased, such a step's members are no self reference of it, and a
 *     loop is broken (self_reference) at the first ancestor with a passwd
 *     entry, which goes on at its own level; an alias naming itself that
 *     is no login keeps its nearest ancestor with a passwd entry too;
 *
 * Not modelled (said in a diagnostic where the cf shows it): DNS (MX and
 * canonification beyond the hosts file; FEATURE(relay_based_on_MX):
 * S2Q-R206), maps of classes s2q cannot read (ldap, nis, regex, program,
 * socket: S2Q-R201, alias maps S2Q-R202 - assumed never to match), custom
 * rules (LOCAL_RULE_0..3, LOCAL_RULESETS, Local_check_rcpt: the standard m4
 * rules are assumed; S2Q-R207 when ParseLocal, Local_localaddr or
 * Local_check_rcpt has R lines), UUCP and BITNET relays, check_mail / check_relay
 * (sender and client checks), genericstable and masquerading (no effect on
 * routes), the exact rewrite depth at which a virtusertable recursion stops
 * (16 hops here), .forward and :include: file safety checks other than the
 * shell (owner, modes, DontBlameSendmail), programs' outcomes (never run).
 *
 * Diagnostics of smres_open: S2Q-R201 .. S2Q-R207 (MIGRATION.md).
 */

struct smres_opts {
	int rootfd;		/* the sendmail root (a copy of the old host's /) */
	const char *root;	/* the same root as a path (the aliases reader opens paths);
				   NULL: found from rootfd through /proc/self/fd */
	const char *passwd;	/* passwd path inside the root; NULL: "/etc/passwd" */
	int no_forward;		/* 1: do not read users' .forward files */
	const char *queue_dir;	/* QueueDirectory for relative :include: paths; NULL: from the cf */
};

/* smres_opts_init - the defaults above (rootfd -1) */
void smres_opts_init(struct smres_opts *o);

struct smres_st;

struct smres {
	struct smres_st *st;	/* private */
};

/*
 * smres_open - load what routing needs once: class w and the other classes
 * from h (already read with cf_load under the same root), the aliases files
 * of h's AliasFile list, the text sources of the virtuser, mailertable,
 * domaintable and access maps, passwd.  Input problems are reported to d
 * (they are the converters' diagnostics too: the same parsers run) and the
 * input is used as sendmail would use it.  h must outlive the resolver.
 * 0, or -1 with errno (ENOMEM; a file sendmail could not run without).
 */
int smres_open(struct smres *r, const struct host *h, const struct smres_opts *o,
	       struct diag_sink *d);

/*
 * smres_domain_plain - 1 if the domain d is a plain local domain: in class w
 * after canonification (localhost -> $j; no domaintable or hosts-file rewrite),
 * and no table sendmail consults for a local domain has a key naming it (no
 * virtusertable key @d, no access key d, a parent of d or x@d), no
 * FEATURE(redirect) ".REDIRECT" and no stickyhost MAIL_HUB.  For such a domain
 * the answer for L@d is decided by L alone (the same for every plain domain;
 * s2q-route proves the local part once).  0 if not, -1 ENOMEM.
 */
int smres_domain_plain(struct smres *r, const char *d, size_t n);
/*
 * smres_addr_plain - the same for one address l@d (l a local part without
 * quotes, %, ! or @): also 1 when d is not plain only because the
 * virtusertable has keys at d (none matches l@d, in the order sendmail looks
 * them up) or access has "To:" keys x@d (they only matter to check_rcpt,
 * which is to be run for the address on its own).  0 if not, -1 ENOMEM.
 */
int smres_addr_plain(struct smres *r, const char *l, size_t ln, const char *d, size_t n);

/*
 * smres_aliases - the alias table smres_open read (every readable file of the
 * cf's AliasFile list, in order), for s2q-route's address selection; NULL when
 * there is none or when it was read with a BlankSub other than '.' (the
 * selection reads the files itself then).
 */
const struct alias_table *smres_aliases(const struct smres *r);
/* smres_vtab - the virtusertable smres_open read (every record, file order), or NULL */
struct vtab *smres_vtab(struct smres *r);

/* how the address reaches sendmail (smres_resolve's via) */
#define SMRES_VIA_LOCAL	0	/* sendmail -bv ADDRESS: no SMTP policy checks */
#define SMRES_VIA_SMTP	1	/* RCPT TO from an outside client that may not relay:
				   check_rcpt first, then as SMRES_VIA_LOCAL */
#define SMRES_VIA_RCPT	2	/* check_rcpt only: out gets the refusal (DLV_REFUSED for
				   "Relaying denied", DLV_BOUNCE / DLV_DISCARD for an access
				   To: entry), nothing when the recipient is accepted */

/*
 * Where an answer came from: the input lines that decided it (an aliases
 * entry, a virtusertable record, a mailertable record, the DS line, ...).
 * file points to a string owned by the resolver, valid until smres_close.
 */
struct smres_src {
	const char *file;
	unsigned long line;
};

struct smres_used {
	struct smres_src *v;
	size_t n, cap;
	int loop_user;		/* a loop of aliases and .forward files was broken at a
				   passwd user of it, whose delivery was kept (S2Q-R308) */
	int deep_hidden;	/* MaxAliasRecursion refused a recipient whose depth has
				   steps other than aliases: a .forward, ruleset 5's
				   +detail, :include:, the virtusertable (S2Q-R309) */
};

void smres_used_init(struct smres_used *u);
void smres_used_free(struct smres_used *u);

/*
 * smres_resolve - the set of deliveries sendmail makes for address after
 * full expansion (added to out, not cleared first; sorted at the end).
 * used (may be NULL) gets every input line consulted that decided part of
 * the answer (appended, not cleared).  trace (may be NULL) gets one line
 * per step, indented by depth.  The cost of one call does not grow with
 * the size of the tables.  0, or -1 with errno (ENOMEM).
 */
int smres_resolve(struct smres *r, const char *address, int via, struct dlv_set *out,
		  struct smres_used *used, buf *trace);

void smres_close(struct smres *r);

#endif
