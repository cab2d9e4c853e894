/* emit/aliasmap - sendmail alias semantics carried over to qmail + fastforward, and the tree that does it */
#ifndef S2Q_EMIT_ALIASMAP_H
#define S2Q_EMIT_ALIASMAP_H

#include <stddef.h>

#include "../model/alias.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/hset.h"

/*
 * What every sendmail construct becomes is written down in MIGRATION.md
 * ("Aliases: s2q-aliases") and s2q-aliases(8); each change of meaning is a
 * diagnostic S2Q-A1nn with the alias's FILE:LINE.  In short, for the alias
 * NAME (qmail local part L = NAME without RFC 822 quotes):
 *
 *   plain name / name@<class w>  forward to name@ME (as written if qualified); a
 *                                forward re-enters qmail-send and is resolved again
 *   user@host                    forward, a dotless host gets .DEFAULTDOMAIN
 *   NAME itself (self reference) as \NAME
 *   \user                        forward to user@ME, or to \user@ME plus a users/assign
 *                                line "=\user:user:..." when user is itself an alias
 *   |prog                        program through preline and sh -c (fastforward's "!",
 *                                as newaliases writes it), now run as the alias user
 *   /file                        mbox line in ~alias/.qmail-L (fastforward has none)
 *   /dev/null                    discarded (a comment-only .qmail-L when alone)
 *   :include:/path               fastforward list /path.bin (style fastforward) or the
 *                                list copied into .qmail-L (style dotqmail)
 *   error:...                    sendmail bounces it as User unknown: an alias with only
 *                                such targets gets no instruction, so qmail bounces it
 *   owner-NAME                   fastforward owner record ?L@ (sender of NAME's forwards)
 *   NAME+detail                  ~alias/.qmail-default tries NAME+detail, NAME+*, NAME
 *   NAME is a login              users/assign routes L to the alias user
 */

enum amap_style {
	AMAP_FASTFORWARD = 0,	/* aliases.cdb + .bin lists + .qmail-default running fastforward */
	AMAP_DOTQMAIL		/* one ~alias/.qmail-L per alias, no fastforward */
};

struct amap_opts {
	enum amap_style style;
	const char *me;			/* the host's FQDN: unqualified names get @me */
	const char *defaultdomain;	/* appended to dotless host names */
	const char *const *local_domains;	/* class w: user@one-of-these is a local name */
	size_t nlocal_domains;
	int have_passwd;		/* logins below are the old host's passwd */
	const char *passwd_file;	/* for diagnostics */
	const char *alias_user;		/* qmail's alias user: name, uid, gid, home */
	unsigned long alias_uid, alias_gid;	/* 0: unknown (needed only for users/assign lines) */
	const char *alias_home;		/* absolute */
	const char *assign_path;	/* absolute: the users/assign fragment */
	const char *cdb_path;		/* absolute: aliases.cdb (style fastforward) */
	const char *fastforward;	/* fastforward program for the .qmail files */
	const char *forward;		/* qmail's forward program (the +detail fallback) */
	const char *preline;		/* qmail's preline (program lines of style dotqmail) */
	int plus;			/* carry sendmail's +detail fallback over */
	int reuse;			/* 1: unchanged files are linked from the tree reusefd */
	int reusefd;			/* (util/outtx_reuse) instead of the output root */
	int fresh;			/* 1: the output root is the caller's new private tree: the
					   files are put in place at once (util/outtx_direct) */
	const char *luser_relay;	/* LUSER_RELAY (the DL value: "local:NAME", "host",
					   "mailer:[host]"), or NULL: where local names that are
					   neither aliases nor logins go instead of bouncing */
	int redirect;			/* FEATURE(redirect): user@host.REDIRECT bounces */
};

/* the old host's logins, looked up as qmail-getpw and sendmail's getpwnam() would */
struct amap_login {
	char *name;
	unsigned long uid, gid;
	char *home;
	unsigned long line;	/* in the passwd file */
};

struct amap_logins {
	struct amap_login *v;
	size_t n, cap;
	struct hset byname;	/* name -> index; the first entry of a name wins, as in getpwnam() */
};

void amap_logins_init(struct amap_logins *l);
void amap_logins_free(struct amap_logins *l);
/* amap_logins_add - 1 added, 0 duplicate name (ignored), -1 ENOMEM */
int amap_logins_add(struct amap_logins *l, const char *name, unsigned long uid, unsigned long gid,
		    const char *home, unsigned long line);
const struct amap_login *amap_login_get(const struct amap_logins *l, const char *name, size_t len);

/* amap_local - the qmail local part of an alias name: RFC 822 quotes removed */
int amap_local(buf *out, const char *name);

struct outtx;

struct amap_result {
	unsigned long aliases;		/* live aliases converted */
	unsigned long records;		/* aliases.cdb records */
	unsigned long dotqmail;		/* .qmail files (the .qmail-default included) */
	unsigned long lists;		/* .bin lists */
	unsigned long assign;		/* users/assign lines */
	int written;			/* the tree under rootfd was replaced */
	struct outtx *staged;		/* one pass: staged, waiting for amap_publish */
	buf where;			/* on a system error: the file that failed */
};

/* amap_result_free - also removes what is staged and not published */
void amap_result_free(struct amap_result *r);
/*
 * amap_publish - publish what a one-pass amap_run staged (r->staged; none:
 * nothing to do): 0 (r->written), or -1 with errno and r->where; the stage
 * is gone either way
 */
int amap_publish(struct amap_result *r);

/*
 * amap_run - convert the live aliases of t (after aliases_check).
 * verdicts (may be NULL) is parallel to t->ents: non-zero for a name
 * sendmail refuses (an alias loop, or too deep): it gets no instruction,
 * so qmail bounces it as well.  With
 * rootfd < 0 nothing is written: every construct is mapped and diagnosed
 * into d (the caller refuses when d has errors).  With rootfd >= 0 the
 * tree is also staged under rootfd (util/outtx): lists, .qmail files,
 * aliases.cdb, .qmail-default, the users/assign fragment.  When d holds no
 * error at the end they are left staged in r->staged for amap_publish (so
 * the caller can show every diagnostic first; all files are published
 * together, on any failure none is replaced), else the stage is removed
 * and nothing under rootfd changed.  d NULL: no diagnostic is made (after
 * a check run without errors).  0, or -1 with errno and r->where (the
 * file, relative to the root, or "") on a system error, after which d may
 * lack diagnostics of the entries not reached yet.
 */
int amap_run(const struct amap_opts *o, const struct alias_table *t,
	     const struct amap_logins *l, const unsigned char *verdicts, int rootfd,
	     struct diag_sink *d, struct amap_result *r);

/* amap_default_qmail - the content of ~alias/.qmail-default (empty: none is written) */
int amap_default_qmail(buf *out, const struct amap_opts *o);

#endif
