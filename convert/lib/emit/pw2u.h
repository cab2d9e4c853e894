/* emit/pw2u - V7 passwd lines -> users/assign lines, as qmail-pw2u writes them */
#ifndef S2Q_EMIT_PW2U_H
#define S2Q_EMIT_PW2U_H

#include <stddef.h>

#include "../util/buf.h"

/*
 * The rules of qmail-pw2u (../shared/ref/qmail.md §1.6), line at a time,
 * without its optional users/include, exclude, mailnames, subusers and
 * append files (a sendmail host has none):
 *
 *   - a line holding a NUL, or with fewer than six ':' (the one after the
 *     home field is needed), is skipped; so is a '#' or blank line (no ':');
 *   - uid is read as qmail's scan_ulong reads it (leading digits, junk
 *     after them ignored, none = 0); uid 0 is skipped;
 *   - a name with A-Z is skipped (unless allow_upper, -u);
 *   - home (-o, the default): stat ENOENT -> skipped, any other stat error
 *     -> fatal, owner != uid -> skipped; -h: missing home is fatal too;
 *     -H: no check;
 *   - the alias user first gets "+:alias:uid:gid:home:-::";
 *   - each account: "=name:name:uid:gid:home:::" and, with a break
 *     character, "+name<brk>:name:uid:gid:home:-::" ("-/" with dash_slash).
 *
 * uid, gid and home are copied as text, exactly as written.
 */
enum pw2u_home {
	PW2U_HOME_IGNORE = 0,	/* -H */
	PW2U_HOME_STOP = 1,	/* -h */
	PW2U_HOME_SKIP = 2	/* -o, qmail-pw2u's default */
};

struct pw2u_opts {
	const char *alias_user;	/* qmail's alias user, "alias" */
	char brk;		/* BREAK, '-'; 0 = -C (no extension lines) */
	int allow_upper;	/* -u */
	int dash_slash;		/* -/ */
	enum pw2u_home home;
	/*
	 * stat_home - the owner of home: 0 and *uid, or -1 with errno.  NULL:
	 * stat(2) on the path.  s2q-migrate stats below the old host's copy.
	 */
	int (*stat_home)(void *ctx, const char *home, unsigned long *uid);
	void *ctx;
};

/* why a line gave no users/assign lines */
enum pw2u_skip {
	PW2U_TAKEN = 0,
	PW2U_SKIP_FORMAT,	/* NUL, or too few ':' (also blank and '#' lines) */
	PW2U_SKIP_UID0,		/* uid 0 (root, or a uid field without leading digits) */
	PW2U_SKIP_UPPER,	/* the name has A-Z */
	PW2U_SKIP_NOHOME,	/* the home does not exist */
	PW2U_SKIP_OWNER,	/* the home is not owned by the uid */
	PW2U_FATAL_HOME		/* stat failed (not ENOENT), or -h and missing: qmail-pw2u stops */
};

/* pw2u_skip_name - "no such home", ... (for reports) */
const char *pw2u_skip_name(enum pw2u_skip s);

/*
 * pw2u_line - one passwd line p[0..n) (a trailing '\n' is allowed); the
 * users/assign lines for it are appended to out.  Returns the verdict
 * (PW2U_TAKEN when lines were written; *is_alias then says whether it was
 * the alias user), or -1 with errno ENOMEM.  For PW2U_FATAL_HOME errno
 * holds the stat error (ENOENT for -h).
 */
int pw2u_line(const struct pw2u_opts *o, const char *p, size_t n, buf *out, int *is_alias);

/*
 * pw2u_name - the account name of a passwd line (up to the first ':'),
 * for messages; *len 0 when there is none.
 */
const char *pw2u_name(const char *p, size_t n, size_t *len);

#endif
