/* resolve/smres_int - what the parts of the sendmail-side resolver share (not a public API) */
#ifndef S2Q_RESOLVE_SMRES_INT_H
#define S2Q_RESOLVE_SMRES_INT_H

#include <stddef.h>

#include "../model/alias.h"
#include "../model/virtuser.h"
#include "../parse/aliases.h"
#include "../parse/virtuser.h"
#include "../util/hset.h"
#include "smres.h"

/* a makemap text source held for lookups: key -> (value, line); first line wins */
struct sm_tab {
	int present;		/* the map is declared, readable and used by the rules */
	int nofold;		/* -f: keys keep their case */
	char *file;		/* display name (the source path inside the root) */
	struct hset idx;	/* key (folded unless nofold) -> index into v */
	buf vals;		/* the values, NUL-terminated */
	struct sm_tabent {
		size_t off, len;
		unsigned long line;
	} *v;
	size_t n, cap;
};

struct sm_pw {			/* one passwd account */
	size_t name, home, shell;	/* offsets into smres_st.pwarena */
	unsigned long uid;
};

/* a list file (.forward, or an :include: not in the alias table), read once */
struct sm_list {
	char *path;		/* as opened (inside the root): the provenance's file name */
	int err;		/* 0 read; else the errno of the open */
	struct alias_elem **chunks;	/* one aliases_split_opts result per line */
	size_t *nchunk;
	unsigned long *lines;
	size_t n;
};

struct smres_st {
	const struct host *h;
	const struct host_class *cw;	/* class w of h (NULL: none), looked up once */
	int rootfd;
	char *root;			/* the root as a path (aliases_read needs one) */
	struct diag_sink *d;
	struct diag_sink own;
	int no_forward;
	char *queue_dir;
	unsigned maxalias;		/* MaxAliasRecursion */
	int oldstyle;			/* OldStyleHeaders: blanks separate addresses */
	int matchgecos;			/* MatchGECOS: unknown names are tried as full names */
	struct hset gecos;		/* with matchgecos: lower-cased full name (one with a
					   blank) -> index into pw, the first account wins */
	char *defuser;			/* DefaultUser as a login name */
	const char *lflags;		/* F= of the local mailer ("" if none) */
	const struct host_mailer *lmailer;	/* the local mailer, or NULL */
	int local_is_local;		/* it is the one named "local" (.forward is read) */
	int reject_bang, reject_pct;	/* FEATURE(nouucp, reject) / (nopercenthack, reject):
					   check_rcpt refuses ! / % local parts as remote */

	struct alias_table at;
	int have_at;
	struct aliases_opts ao;
	const char **wlist;		/* class w members (ao.local_domains) */
	struct vu_domains vdom;
	struct vtab vt;
	int have_vt;
	char *vtfile;
	struct sm_tab mt, dt, ac;	/* mailertable, domaintable, access */

	struct sm_pw *pw;
	size_t npw, cappw;
	buf pwarena;
	struct hset pwidx;		/* name -> index */
	char *pwfile;

	struct hset wextra;		/* class w members sendmail adds from the hosts file */
	buf wnames;			/* the same, NUL-terminated one after the other */
	struct hset hostcanon;		/* hosts file: lower(name) -> offset of its canonical name */
	buf hostarena;
	struct hset shells;		/* /etc/shells (or sendmail's defaults) */

	int plain_ready;		/* vtdoms and acdoms are built (smres_domain_plain) */
	int vtdoms_ready;		/* vtdoms is built (plain, vt_relayed) */
	struct hset nmidx;		/* alias entries written user@D that newaliases stored
					   under another name or dropped: "user" -> offset in
					   nmsrc of "LINE FILE" (name_mapped) */
	buf nmsrc;
	struct hset vtdoms;		/* lower-cased domain parts of the virtusertable keys ->
					   the line of the domain's first record */
	struct hset acuser, acdom;	/* access keys (lower-cased, without a To: tag): the
					   domain parts of user@domain keys; the domain keys */
	struct hset acdcache;		/* access_domain's answers: exact flag + domain -> index
					   into acdv (at most SM_ACD_MAX of them) */
	struct sm_acd {
		int found;
		const char *val;	/* into the access table's values */
		unsigned long line;
	} *acdv;
	size_t nacd, capacd;
	int aclocal_ready;		/* aclocal is built (access_user) */
	int aclocal_off;		/* a key has a quote or a backslash: no filter */
	struct hset aclocal;		/* the lower-cased local parts of the access keys */

	struct bufpool pool;		/* scratch buffers of the resolution steps */

	struct hset listidx;		/* path -> index into lists */
	struct sm_list *lists;
	size_t nlists, caplists;
	unsigned *fwdmemo;		/* per passwd entry (npw of them), what dotforward found
					   for the login with no $h: 0 not yet, 1 no .forward,
					   2 an empty one, 3 + i the list lists[i] */
};

const struct sm_list *smres_list(struct smres_st *st, const char *path);
/*
 * smres_vt_value - the virtusertable's answer for L@D (D one of its domains:
 * vu_eligible), looked up as sendmail's map does (quotes and backslashes
 * stripped from L): 1 and *m the match, *v its value with %n filled in; 0 no
 * match; -1 ENOMEM
 */
int smres_vt_value(struct smres_st *st, const char *L, size_t ll, const char *D, size_t dl,
		   struct vu_match *m, buf *v);
/* rewrite-rule recursion: every virtusertable hit re-enters ruleset parse
   through Recurse (three nested rulesets a hop, sendmail's limit is 50), so
   the 16th hop fails with "rewrite: excessive recursion" (sendmail.md 3.1) */
#define SM_VU_HOPS 16
int smres_tab_get(const struct sm_tab *t, const char *key, size_t klen, buf *tmp,
		  const char **val, unsigned long *line);

#endif
