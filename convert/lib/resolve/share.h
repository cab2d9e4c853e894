/* resolve/share - both resolvers' answers for one address, reusing earlier answers where they provably apply */
#ifndef S2Q_RESOLVE_SHARE_H
#define S2Q_RESOLVE_SHARE_H

#include "../model/delivery.h"
#include "../util/buf.h"
#include "qres.h"
#include "smres.h"

/*
 * s2q-route --all lists an alias name unqualified and then at every class-w
 * domain, one after the other.  Most of those answers are the same on each
 * side, and share_resolve reuses them instead of resolving again, where the
 * resolvers' own rules make them equal (never by guessing):
 *
 *   sendmail  "L" (local) and "L@D" (SMTP) go through the same local_user
 *             step when D is a plain local domain for L (smres_addr_plain:
 *             no virtusertable key matches L@D; access "To:" keys only
 *             matter to check_rcpt): the answer for L@D is sendmail's
 *             check_rcpt for L@D (run each time) when it refuses or uses
 *             any entry, else the unqualified answer.
 *   qmail     qmail-inject turns "L" into "L@H" (H its defaulthost) and hands
 *             it to qmail-send, as qmail-smtpd does with "L@H" once rcpthosts
 *             takes it: the answer for "L@H" by SMTP is the rcpthosts check
 *             (run each time) when it refuses, else the unqualified answer.
 *             And at plain local domains (qres_domain_plain) qmail-send hands
 *             L@D to qmail-local as L, so the answer at one plain domain is
 *             the answer at every other, when it does not mention the domain.
 *             When the delivery of "L@H" re-injects an address A before it
 *             delivers anything (a catch-all of a virtual domain H sending L
 *             on to L@D), qmail-send's answer for A on the way is the answer
 *             for A by SMTP once rcpthosts takes it (qres_resolve_nested says
 *             when).
 *
 * qmail's answer is not taken across domains when a .qmail program line used
 * $HOST, $HOST2..4 or $RECIPIENT on the way, or a Delivered-To loop or a limit
 * was met (qres_resolve_ex): those may depend on the domain without showing in
 * the deliveries.  Local parts
 * with %, !, @, quotes, a backslash, blanks, control bytes or <>()[],;: are
 * always resolved on their own, and so is everything when a trace is asked for
 * or sharing is off.  tests/scripts/route-share.sh checks that the reports are byte for byte
 * those of resolving every address on its own.
 */
struct share_half {
	int valid;
	buf local;		/* the local part it is the answer for */
	buf addr;		/* qinj: the address qmail-inject made of it */
	struct dlv_set set;
	struct smres_used used;	/* sm: where sendmail's answer came from */
};

struct share {
	int on;
	struct share_half sm, qplain, qinj;
	struct qres_nested qnest;	/* what qmail-send made of the unqualified name's first
					   re-injection (qres_resolve_nested) */
	struct dlv_set sm_own, qm_own;	/* the current answers when not reused */
	struct smres_used used_own;
	buf host;			/* scratch: qmail-inject's host */
};

/* the answers for one address; they point into the share, valid until the next call */
struct share_answer {
	const struct dlv_set *sm, *qm;
	const struct smres_used *used;
};

void share_init(struct share *s, int on);
void share_free(struct share *s);

/*
 * share_resolve - where sendmail (sr) and qmail (q) deliver address, which
 * came in by SMTP (smtp 1: SMRES_VIA_SMTP / QRES_VIA_SMTP) or locally (0:
 * SMRES_VIA_LOCAL / QRES_VIA_INJECT); st, qt: the resolvers' traces (NULL:
 * none; with a trace nothing is shared).  0, or -1 ENOMEM.
 */
int share_resolve(struct share *s, struct smres *sr, struct qres *q, const char *address,
		  int smtp, buf *st, buf *qt, struct share_answer *a);

#endif
