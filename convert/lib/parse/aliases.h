/* parse/aliases - sendmail aliases files, read exactly as sendmail's readaliases() */
#ifndef S2Q_PARSE_ALIASES_H
#define S2Q_PARSE_ALIASES_H

#include "../model/alias.h"
#include "../util/hset.h"
#include "../util/diag.h"

struct aliases_opts {
	const char *const *local_domains;	/* class w of the old host: name@<one of these> -> name */
	size_t nlocal_domains;
	const char *root;	/* sendmail root: absolute paths (:include:) are read under it; NULL = "/" */
	char blanksub;		/* BlankSub, '.' in every m4-generated cf; 0 = '.' */
	int read_includes;	/* 1: read :include: list files into the table */
	const char *queue_dir;	/* sendmail's QueueDirectory on the old host (its working
				   directory: relative :include: paths are resolved against it,
				   under root); NULL: relative includes are reported, not read */
	int names_only;		/* 1: the names only (for a caller that needs the set of live
				   names): values are not split, checked or kept (no elements,
				   an empty value), includes not read; the names, duplicate
				   and shadowing rules and name diagnostics are the same */
	struct hset *names;	/* with names_only: no entries are added to the table (only
				   its files); each name goes into this set instead (put,
				   value 1).  A duplicate or shadowed entry leaves its name
				   live, so the set is the table's live names; the duplicate
				   and shadowing warnings (S2Q-A010, A011) are not made */
	/* name_map: newaliases parses an alias name through rulesets 3 and 0, so a
	   name written user@D can come out as another local name (the
	   virtusertable: tests/smres/aliasvirt).  Called with the name as written
	   (white space trimmed) when it is one plain user@domain, and the FILE:LINE
	   of the entry: 1 and *out the local name it is stored under, 0 none (the
	   usual rules), 2 it is not local ("cannot alias non-local names"), -1
	   ENOMEM.  NULL: none */
	int (*name_map)(void *arg, const char *name, size_t n, const char *file,
			unsigned long line, buf *out);
	void *name_map_arg;
};

/* sendmail's limits (8.17, verified with the real binary) */
#define ALIASES_LINE_MAX	8190	/* longest logical line (joined, without its newline) */
#define ALIASES_ADDR_MAX	255	/* longest alias name as written (MAXNAME - 1) */
#define ALIASES_INCLUDE_LINE	2047	/* an :include: file is read in chunks of this many bytes */
#define ALIASES_MAX_RECURSION	10	/* MaxAliasRecursion */

/*
 * aliases_read - parse one aliases file into the table (call once per file,
 * in AliasFile order).  Input problems go to the sink with FILE:LINE and the
 * words sendmail's newaliases uses; duplicate rules are applied.  0, or -1
 * with errno on a system error (the file cannot be opened or read, ENOMEM).
 * FILE is display (path if NULL); LINE is the number newaliases prints: the
 * last physical line of an entry continued over several lines.
 */
int aliases_read(struct alias_table *t, const char *path, const char *display,
		 const struct aliases_opts *o, struct diag_sink *d);

/*
 * aliases_split - split and classify one value (also used for :include:
 * lines).  *elems is one allocation (free(*elems) frees the strings too).
 * Without local domains only unqualified addresses get elem.local; BlankSub
 * is '.'.  0, or -1 ENOMEM.
 */
int aliases_split(const char *value, size_t len, struct alias_elem **elems, size_t *nelems);
/* aliases_split_opts - the same with the local domains and BlankSub of o (may be NULL) */
int aliases_split_opts(const char *value, size_t len, const struct aliases_opts *o,
		       struct alias_elem **elems, size_t *nelems);

/*
 * An :include: list (or a .forward, which sendmail reads with the same
 * include() code) as sendmail reads it: pieces of ALIASES_INCLUDE_LINE
 * bytes, a CR before the newline dropped, '#' in column 1 and empty lines
 * skipped, " #@# " starts a comment, no continuation lines; each line split
 * like an alias value (aliases_split_opts rules, o may be NULL).
 */
struct alias_list {
	struct alias_elem *elems;	/* one allocation with its strings */
	unsigned long *lines;	/* lines[i]: the line number of elems[i] */
	size_t nelems;
};

/*
 * aliases_read_list - read the list from fd (not closed; includes in it are
 * not followed).  Problems go to d at DISPLAY:LINE (S2Q-A012..A015 about
 * elements, A034..A036 about lines).  0, or -1 with errno (read error,
 * ENOMEM); on error *out is empty.  Free with alias_list_free.
 */
int aliases_read_list(int fd, const char *display, const struct aliases_opts *o,
		      struct diag_sink *d, struct alias_list *out);
void alias_list_free(struct alias_list *l);

/*
 * aliases_check - after all files: report loops and chains deeper than
 * sendmail's MaxAliasRecursion (10) with the alias names involved.  Mail
 * to such names is refused by sendmail (aliasing/forwarding loop broken);
 * the diagnostics are warnings (S2Q-A020..A023).  A name whose value names
 * itself (self: self, mail) is not a loop: sendmail delivers to the local
 * user self as well.  0, or -1 ENOMEM.
 */
int aliases_check(const struct alias_table *t, struct diag_sink *d);

/* what sendmail does with mail to one live alias name */
enum alias_verdict {
	ALIAS_OK = 0,		/* expands and delivers (possibly with other errors) */
	ALIAS_DEEP,		/* "aliasing/forwarding loop broken (11 aliases deep; 10 max)" */
	ALIAS_LOOP		/* "aliasing/forwarding loop broken": every target ends in a loop */
};

/*
 * MatchGECOS: sendmail's finduser() delivers a local name that is neither an
 * alias nor a login to the first account whose full name (the GECOS field as
 * buildfname() makes it, with a blank in it) equals the name with BlankSub
 * and '_' read as blanks, ignoring case.  aliases_fullnames adds those
 * names to t as aliases of the login, as a file of their own (file, the
 * passwd file's name; each at its account's line): the blanks as '.', as
 * '_', and every mix of the two when the full name has at most 3 blanks,
 * lower-cased; not a name that is an alias already, a login (logins), or
 * another account's earlier.  One note S2Q-A135 per account.  0, -1 ENOMEM.
 */
struct aliases_fullname {
	const char *login;
	const char *fullname;	/* as buildfname() makes it */
	unsigned long line;
};
int aliases_fullnames(struct alias_table *t, const char *file, const struct aliases_fullname *v,
		      size_t n, const struct hset *logins, struct diag_sink *d);
/*
 * aliases_dequote - sendmail's dequote map on one quoted token q[0, n):
 * the quotes go when the inside has no unescaped blank (backslashes stay);
 * *ok = 1 and the text in out (replaced), or *ok = 0.  0, -1 ENOMEM.
 */
int aliases_dequote(const char *q, size_t n, buf *out, int *ok);
/* aliases_buildfname - the full name of a GECOS field, into out (replaced): -1 ENOMEM */
int aliases_buildfname(buf *out, const char *gecos, size_t n, const char *login, size_t ln);

/*
 * aliases_verdicts - the analysis behind aliases_check, per entry:
 * (*out)[i] for t->ents[i] (dead entries ALIAS_OK), malloc'ed; if depth
 * is not NULL, (*depth)[i] is the deepest level below the name at which its
 * expansion reaches a new address (malloc'ed too).  users,
 * if not NULL, holds the passwd names of the old host: sendmail breaks a
 * loop at a name that is a real user and delivers to it.  The depth rule
 * (verified): each alias expansion is one level, and so is each :include:
 * (the list's addresses are one level below it); a name is refused when a
 * new address would appear more than 10 levels below it.  Depth
 * through a loop is counted as the whole loop (an upper bound).  d may be
 * NULL (no diagnostics).  0, or -1 ENOMEM.
 */
int aliases_verdicts(const struct alias_table *t, const struct hset *users, unsigned char **out,
		     unsigned **depth, struct diag_sink *d);

/*
 * aliases_diag_smtext - for a diagnostic that mirrors a line sendmail -bi
 * prints: 1 and the length of the message part in sendmail's own words
 * (messages may add " -- explanation" after them); 0 for s2q's own
 * diagnostics (includes, loops, notes about meaning).
 */
int aliases_diag_smtext(const struct diag *g, size_t *len);

#endif
