/* emit/vdomains - the virtusertable as qmail virtual domains, with sendmail's meaning */
#ifndef S2Q_EMIT_VDOMAINS_H
#define S2Q_EMIT_VDOMAINS_H

#include <stddef.h>

#include "../model/virtuser.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/hset.h"

/*
 * Every domain D that has entries becomes a qmail virtual domain with its
 * own prefix P ("vd_" + D with every byte other than a-z 0-9 '.' as '_';
 * never a '-', so "P-" is unambiguous; made unique, and different from
 * every login and alias name of the old host that is P or starts "P-"):
 *
 *   control/virtualdomains   D:P      (qmail-send: local@D -> P-local@D)
 *   users/assign.virtusers   +P-:ALIAS:uid:gid:AHOME:-:P-:   (when the alias
 *                            user's ids are known; qmail-getpw gives P-... to
 *                            the alias user anyway)
 *   AHOME/.qmail-P-default   DEFAULT = the original local part:
 *       |fastforward -p CDB          lookup 1 (L@D, any case) in the cdb
 *       [the +detail shell line]      only where sendmail splits user+detail
 *                                     for unknown users (see below)
 *       the @D entry with %1 = $DEFAULT, or the fall-through: class w ->
 *       |forward "$DEFAULT"@ME (local delivery, aliases apply); {VirtHost}
 *       only -> a bounce (sendmail relayed it, usually back to itself)
 *   CDB (fastforward format) records ":P-l@d" (lookup 1 of every key),
 *       and for the +detail lookups ":P+user++@d", ":P+user+*@d",
 *       ":P+user@d" (only when its value uses %1..%3), ":P+++@d", ":P++*@d"
 *       and ":P+@d" (the @D entry for +detail addresses, or the
 *       fall-through); their programs see %1 %2 %3 as $S2Q_1 $S2Q_2 $S2Q_3.
 *
 * +detail (qmail has none: its extensions use '-'): users/assign routes
 * P-user+... of every user with a user@D, user+*@D or user++@D key to
 * AHOME/.qmail-vd_+plus-default, whose one shell line splits the local
 * part as sendmail does and asks the cdb for lookups 1..7 in order, with
 * RECIPIENT set to the keys above.  Other +detail addresses reach the
 * domain's .qmail-P-default; it carries the same line only when the
 * domain has ++@D or +*@D entries or an @D entry using %1..%3 (or when
 * there are no users/assign lines).  Everything else is qmail's own
 * lookups (virtualdomains, users/cdb, .qmail search, fastforward, forward).
 *
 * Values: error:... -> |bouncesaying 'TEXT (#D.S.N)' (temporary ones:
 * |echo ...; exit 111), as sendmail's rules read them (parse/virtuser);
 * an address -> "&address" (a bare name gets @ME; a dotless host gets
 * .DEFAULTDOMAIN), or |forward "..." when it uses %n; programs, files,
 * :include:, several addresses -> a bounce with sendmail's words.  A
 * forward re-enters qmail-send and is resolved again, as sendmail's
 * ruleset Recurse re-resolves the value.
 */
struct vdom_opts {
	const char *qmailhome;		/* absolute ("/var/qmail") */
	const char *alias_user;		/* "alias" */
	unsigned long alias_uid, alias_gid;	/* 0: unknown -> no users/assign lines */
	const char *alias_home;		/* absolute */
	const char *cdb_path;		/* absolute: the fastforward database ("/etc/virtusers.cdb") */
	const char *domains_cdb;	/* absolute: the domains' @ entries ("/etc/virtusers-domains.cdb") */
	const char *fastforward;	/* absolute: fastforward */
	const char *forward;		/* absolute: qmail's forward */
	const char *bouncesaying;	/* absolute: qmail's bouncesaying */
	const char *me;			/* a local domain for local names (not a virtual one) */
	const char *defaultdomain;	/* appended to dotless hosts (NULL: left as they are) */
	const struct vu_domains *dom;	/* class w, {VirtHost}, virtuser_entire_domain */
	int nofold;			/* the map was built with makemap -f */
	const struct hset *logins;	/* the old host's login names (NULL: unknown) */
	const struct hset *aliases;	/* its alias names (NULL: unknown) */
	int luser_relay;		/* LUSER_RELAY is set (unknown local names go there) */
	int preserve_plus;		/* FEATURE(preserve_local_plus_detail) */
	int relay_hosts_only;		/* FEATURE(relay_hosts_only): check_rcpt takes {VirtHost}
					   members, not their subdomains */
	const char *file;		/* the table's name in diagnostics */
	int reuse;			/* 1: unchanged files are linked from the tree reusefd */
	int reusefd;			/* (util/outtx_reuse) instead of the output root */
	/* the address parser for constant values: parse/virtuser's vu_target_parse */
	int (*target_parse)(const char *value, size_t vlen, struct vu_target *t);
};

struct vdom_stats {
	unsigned long entries;		/* records read */
	unsigned long dead;		/* entries sendmail never looks up */
	unsigned long domains;		/* virtual domains written */
	unsigned long records;		/* cdb records */
	unsigned long qmail_files;	/* .qmail files */
	unsigned long assign_lines;	/* users/assign lines */
	unsigned long not_local;	/* class-w domains moved out of control/locals */
};

struct vdom;

/*
 * vdom_begin - start a conversion.  With rootfd >= 0 every file is staged
 * under rootfd (util/outtx) and published by vdom_commit; with rootfd < 0
 * nothing is written (check mode).  0, or -1 with errno.
 */
int vdom_begin(struct vdom **v, const struct vdom_opts *o, int rootfd, struct diag_sink *d);

/*
 * vdom_add - one record of the table, in file order (key as makemap
 * stored it).  Diagnoses it (S2Q-V0nn) and writes what it can already.
 * 0, or -1 with errno (ENOMEM, or a write error: vdom_where says where).
 */
int vdom_add(struct vdom *v, const char *key, size_t klen, const char *val, size_t vlen,
	     unsigned long line);

/*
 * The whole table again, for vdom_finish: iter(ctx, i, ...) gives record i
 * (the i-th vdom_add) with its key and value; 1, 0 past the end, -1 error.
 * get looks a key up in the whole table (see vu_get_fn).
 */
typedef int (*vdom_iter_fn)(void *ctx, size_t i, const char **key, size_t *klen,
			    const char **val, size_t *vlen, unsigned long *line);

/*
 * vdom_finish - after the last record: the per-user users/assign lines,
 * the loop check (every key's chain of values followed as sendmail's
 * rules would, S2Q-V020/V021), the per-domain files and control files.
 * 0, or -1 with errno.
 */
int vdom_finish(struct vdom *v, vdom_iter_fn iter, vu_get_fn get, void *ctx);

/* vdom_commit - publish every staged file together (nothing if rootfd < 0); 0 or -1 errno */
int vdom_commit(struct vdom *v);
/* vdom_free - release (an uncommitted stage is removed) */
void vdom_free(struct vdom *v);

const struct vdom_stats *vdom_stats(const struct vdom *v);
/* vdom_where - after a system error: the file (relative to the root) it happened at, or "" */
const char *vdom_where(const struct vdom *v);
/* vdom_not_local - the i-th class-w domain that must leave control/locals, or NULL */
const char *vdom_not_local(const struct vdom *v, size_t i);

#endif
