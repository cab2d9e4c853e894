/* emit/control - qmail control files (and etc/tcp.smtp) that say what sendmail.cf said */
#ifndef S2Q_EMIT_CONTROL_H
#define S2Q_EMIT_CONTROL_H

#include <stddef.h>

#include "../model/host.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/hset.h"
#include "tcprules.h"

/*
 * What is written (paths under OUTROOT; QMAILHOME defaults to var/qmail),
 * following ../shared/ref/qmail.md §3 and §8:
 *
 *   control/me            $j                                  one line
 *   control/defaultdomain $m ($j when $m is empty)            one line
 *   control/plusdomain    $m ($j when $m is empty)            one line
 *   control/defaulthost   $M when it is local (or nullclient), else $j
 *   control/databytes     MaxMessageSize (0 = unlimited)      one line
 *   control/locals        class w (+ exact mailertable `local:` keys); not
 *                         IP literals; empty for a nullclient
 *   control/rcpthosts     always written: class w exact; class R,
 *                         access To:/untagged RELAY domains and (with
 *                         relay_entire_domain) $m as "dom" + ".dom"
 *                         (exact only with relay_hosts_only); the first
 *                         rcpthosts_max go here, the rest to
 *   control/morercpthosts + morercpthosts.cdb (qmail-newmrh's records)
 *   control/smtproutes    mailertable (exact, ".dom", "." -> ":host"),
 *                         then the smart host ":host" (nullclient: the hub)
 *   control/badmailfrom   access From: REJECT / ERROR:5.x.x entries
 *   control/percenthack   class w when sendmail did the %-hack (class O
 *                         has '%'), else empty
 *   etc/tcp.smtp          tcprules source: 127.0.0.1 relays; access
 *                         Connect:/untagged IPv4 RELAY / REJECT / OK;
 *                         class R IPv4 prefixes and class w [IP] literals
 *                         relay; a final ":allow"
 *
 * Single-line files hold exactly one line and no comment; list files start
 * with one "# ..." comment line; every name is lower-cased, LF-only, with
 * no blanks.  Everything without a qmail equivalent is reported (codes
 * S2Q-C040..C079) with FILE:LINE and the closest construct.
 *
 * Use: ctl_init, then ctl_mailertable / ctl_access once per record of
 * those maps (streamed from parse/maptext), then ctl_finish (builds every
 * file in memory and reports), then ctl_write unless the sink has errors.
 */
struct ctl_opts {
	const char *qmailhome;		/* QMAILHOME under OUTROOT ("/var/qmail" if NULL) */
	size_t rcpthosts_max;		/* domains kept in rcpthosts (50 if 0) */
	const char *const *not_local;	/* domains to keep out of locals (virtual domains
					   another converter turns into virtualdomains) */
	size_t nnot_local;
	int percenthack;		/* 1: write control/percenthack for a cf whose class O has
					   '%' (never by default: qmail applies it to mail from
					   anyone, an open relay; see S2Q-C076) */
};

/* an ordered list of unique lines (ASCII case-insensitive) */
struct ctl_list {
	buf text;		/* "line\n" ... */
	struct hset seen;	/* lower-cased line -> 1 */
	size_t n;
};

struct ctl {
	const struct host *h;
	struct diag_sink *d;
	struct ctl_opts o;
	char *qmailhome;	/* relative, no leading '/' */
	struct ctl_list locals, rcpthosts, smtproutes, badmailfrom, percenthack;
	struct ctl_list relaydom;	/* domains relayed to, in order (become dom + .dom) */
	struct ctl_list mtlocals;	/* exact mailertable keys with "local:" */
	struct ctl_list accrelay;	/* access To:/untagged RELAY domains */
	struct hset routekeys;		/* smtproutes keys written */
	int default_route;		/* mailertable has a "." entry */
	struct tcprules tcp;
	buf me, defaultdomain, defaulthost, plusdomain, databytes;
	buf rcpt, morercpt;		/* built by ctl_finish */
	size_t nmore;
	unsigned long nmailertable, naccess;
	int oom;
};

int ctl_init(struct ctl *c, const struct host *h, const struct ctl_opts *o,
	     struct diag_sink *d);
/* ctl_mailertable - one mailertable record (key as makemap stored it); 0, or -1 ENOMEM */
int ctl_mailertable(struct ctl *c, const char *key, size_t klen, const char *val, size_t vlen,
		    const char *file, unsigned long line);
/* ctl_access - one access record; 0, or -1 ENOMEM */
int ctl_access(struct ctl *c, const char *key, size_t klen, const char *val, size_t vlen,
	       const char *file, unsigned long line);
/* ctl_finish - build every file; 0, or -1 ENOMEM */
int ctl_finish(struct ctl *c);
/*
 * ctl_write - write every file under outrootfd, all or nothing (util/outtx;
 * reusefd >= 0: unchanged files linked from that tree, outtx_reuse):
 * 0, or -1 with errno (nothing replaced).  failed (may be NULL, 256 bytes)
 * gets the file it failed at.
 */
int ctl_write(struct ctl *c, int outrootfd, int reusefd, char *failed);
void ctl_free(struct ctl *c);

#endif
