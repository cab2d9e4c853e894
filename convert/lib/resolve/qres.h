/* resolve/qres - where qmail delivers an address, worked out from the emitted files only */
#ifndef S2Q_RESOLVE_QRES_H
#define S2Q_RESOLVE_QRES_H

#include <stddef.h>

#include "../model/delivery.h"
#include "../util/buf.h"
#include "../util/diag.h"

/*
 * The qmail side of s2q-route.  qres reads a qmail tree staged under an
 * OUTROOT exactly as the qmail programs would read it on the new host
 * (../shared/ref/qmail.md sections 1-5) and never looks at any converter's
 * in-memory model, so emitter bugs show up as routing differences:
 *
 *   qmail-smtpd   rcpthosts + morercpthosts.cdb           -> DLV_REFUSED
 *   qmail-send    rewrite(): envnoathost, percenthack, locals,
 *                 virtualdomains (last line wins, exceptions, prepend)
 *   qmail-remote  smtproutes                              -> DLV_FORWARD
 *   qmail-lspawn  users/cdb (exact, longest wildcard with the wildchars
 *                 record, uid 0), then qmail-getpw over the OLD host's
 *                 passwd, then the alias user
 *   qmail-local   .qmail search with dash/ext, -default, $DEFAULT,
 *                 permission checks, every line type; forwards re-enter
 *                 qmail-send (Delivered-To loop detection as qmail-local's)
 *   fastforward   aliases.cdb target order, owners, & / | / ! instructions,
 *                 .bin lists, loop suppression
 *
 * Every path the qmail programs would open (control files, users/cdb,
 * homes and .qmail files, aliases.cdb named on a fastforward line, .bin
 * lists) is opened under OUTROOT as if OUTROOT were "/": absolute symlinks
 * and ".." never leave it.
 *
 * Programs are not run.  A program line whose outcome is fixed by its text
 * (`|bouncesaying 'text'`, `|echo text; exit 100`, `|exit 111`) gives the
 * bounce or deferral qmail-local would report; `|fastforward ...` and
 * `|forward ADDR...` are expanded; every other program is assumed to
 * succeed and is reported as DLV_PROGRAM run as the delivering user.
 */

struct qres_opts {
	const char *qmailhome;		/* QMAILHOME inside the tree; default "/var/qmail" */
	const char *passwd;		/* the old host's passwd file (a real path) for the qmail-getpw
					   fallback; NULL: no account matches, everything goes to alias */
	const char *home_root;		/* qmail-getpw's "home exists and is owned by the account"
					   check is made by stat()ing HOME_ROOT/home; NULL: assumed true
					   for every account with uid != 0 (the staged tree has no homes) */
	const char *default_delivery;	/* qmail-start's argument (aliasempty); default "./Mailbox" */
	const char *alias_user;		/* qmail's alias user; default "alias" */
	const char *alias_home;		/* its home when the passwd file has no such account;
					   default QMAILHOME/alias */
	const char *sender;		/* envelope sender of the probe (fastforward owner records
					   only change it); default "s2q-route@probe.invalid" */
	unsigned max_depth;		/* forwarding levels before giving up; default 64 */
	unsigned long max_steps;	/* qmail-local runs per address; default 20000 */
	int no_openat2;			/* use the portable opener, as on kernels without openat2:
					   one component at a time, symlinks never followed */
	size_t cdb_filter_min;		/* users/cdb and aliases.cdb files with at least this many
					   keys get a filter of absent keys (util/cdbfilter); 0: the
					   default, 4096 */
};

/* qres_opts_init - the defaults above */
void qres_opts_init(struct qres_opts *o);

struct qres_st;

struct qres {
	struct qres_st *st;		/* private */
	/* findings of qres_open (each also reported to the diagnostics sink) */
	int rcpthosts_missing;		/* qmail-smtpd accepts mail for every domain: open relay */
	int send_dead;			/* qmail-send would not start (neither control/locals nor
					   control/me, or one of its files unreadable): all defers */
	int users_cdb;			/* 0 absent (qmail-getpw only), 1 usable, -1 unusable:
					   every local delivery defers */
};

/*
 * qres_open - read the control files of OUTROOT/QMAILHOME once, open
 * users/cdb and morercpthosts.cdb, read the passwd file.  Problems qmail
 * would trip over are reported to d (codes S2Q-R1nn) and modelled, not
 * refused.  0, or -1 with errno (OUTROOT or the passwd file cannot be
 * opened, ENOMEM).
 */
int qres_open(struct qres *q, const char *outroot, const struct qres_opts *o,
	      struct diag_sink *d);

/* how the address enters qmail (qres_resolve's via) */
#define QRES_VIA_QUEUE	0	/* handed to qmail-queue as is (a forward, qmail-inject -a aside) */
#define QRES_VIA_SMTP	1	/* a remote client talks to qmail-smtpd (no RELAYCLIENT) */
#define QRES_VIA_RCPT	3	/* qmail-smtpd's rcpthosts check only: out gets the refusal
				   (or the deferral), nothing when the recipient is taken */
#define QRES_VIA_INJECT	2	/* a local user runs qmail-inject/sendmail: defaulthost,
				   plusdomain and defaultdomain qualify it first */

/*
 * qres_resolve - the set of deliveries for one envelope recipient that
 * enters qmail as via says: with QRES_VIA_SMTP it first passes qmail-smtpd's
 * rcpthosts check; with QRES_VIA_INJECT it is first qualified like
 * qmail-inject does (../shared/ref/qmail.md 3.5).  Deliveries are added to
 * out (not cleared first; sorted at the end).  If trace is not NULL, one
 * line per step ("what was consulted, what matched") is appended to it,
 * indented by forwarding depth.  0, or -1 with errno (ENOMEM; an unreadable
 * file in the tree is a deferral, as it is for qmail).
 */
int qres_resolve(struct qres *q, const char *address, int via, struct dlv_set *out, buf *trace);

/*
 * qres_domain_plain - 1 if the domain d is a plain local domain of the tree:
 * qmail-smtpd takes it, it is in control/locals and not in control/percenthack,
 * and no key of an aliases cdb fastforward has opened so far names it.  For such
 * a domain qmail-send hands L@d to qmail-local as L, and nothing the delivery
 * reads depends on d except $HOST, which only leads back here.  Asked after an
 * address at d (or at another plain domain) was resolved, so that the cdbs that
 * resolution opened are checked.  0 if not, -1 ENOMEM.
 */
int qres_domain_plain(struct qres *q, const char *d, size_t n);

/* qres_inject_host - the domain qmail-inject gives an address without one (defaulthost,
   then .defaultdomain if it has no dot); 0, or -1 ENOMEM */
int qres_inject_host(struct qres *q, buf *out);

/*
 * qres_resolve_ex - qres_resolve, and *hostdep set to 1 when a .qmail program
 * line expanded $HOST, $HOST2..4 or $RECIPIENT on the way, or a Delivered-To
 * loop, the forwarding depth or the delivery count limit was met (the answer
 * may then depend on the domain in ways the deliveries do not show), else 0
 */
int qres_resolve_ex(struct qres *q, const char *address, int via, struct dlv_set *out, buf *trace,
		    int *hostdep);

/*
 * qres_resolve_nested - qres_resolve_ex, and the answer qmail-send gave the
 * run's first re-injection (a forward, a fastforward target) at forwarding
 * level 1, when the run had made no delivery before it and met no loop, limit
 * or $HOST/$RECIPIENT use in it: nested->addr is that address and
 * nested->set its deliveries, sorted (a discard when it made none) - the
 * answer resolving the address on its own from qmail-send gives, as that
 * differs only in the Delivered-To lines, the level and the delivery count,
 * none of which took effect.  Else nested->valid is 0.  Both sets are
 * emptied first.
 */
struct qres_nested {
	int valid;
	buf addr;
	struct dlv_set set;
};
void qres_nested_init(struct qres_nested *n);
void qres_nested_free(struct qres_nested *n);
int qres_resolve_nested(struct qres *q, const char *address, int via, struct dlv_set *out,
			buf *trace, int *hostdep, struct qres_nested *nested);

void qres_close(struct qres *q);

/*
 * Fastforward on its own, for comparison with `fastforward -n`: run the
 * expansion of fastforward(1) over CDB (a path inside the tree; relative
 * paths and .bin lists are taken relative to cwd, also inside the tree)
 * with the given environment, in -n mode (programs are listed, not
 * evaluated), and write exactly what fastforward -n writes to stderr into
 * out; *exitcode gets its exit code.  flags: QRES_FF_D (-d), QRES_FF_P (-p).
 * env: RECIPIENT, SENDER, DEFAULT, EXT, HOST (NULL = unset).
 */
#define QRES_FF_D 0x1
#define QRES_FF_P 0x2
struct qres_ffenv {
	const char *recipient, *sender, *default_, *ext, *host;
};
int qres_ff_dryrun(struct qres *q, const char *cdb, const char *cwd, unsigned flags,
		   const struct qres_ffenv *env, buf *out, int *exitcode);

#endif
