/* diff/treediff - compare two qmail trees, decoding what qmail compiles; lint the new one */
#ifndef S2Q_DIFF_TREEDIFF_H
#define S2Q_DIFF_TREEDIFF_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/udiff.h"

/*
 * The form a file is compared (and dumped) in, chosen by its path:
 *   .../users/cdb            users/assign lines  (parse/userscdb)
 *   .../aliases.cdb          printforward output (parse/fwdcdb)
 *   .../morercpthosts.cdb    sorted domain list  (parse/mrhcdb)
 *   other *.cdb              `cdb -d` records    (parse/cdbfile)
 *   *.bin                    printmaillist output (parse/binlist), binary if it is not one
 *   anything else            text (unified diff), binary if either side holds a NUL
 */
enum tdiff_form {
	TD_TEXT = 0,
	TD_BINARY,
	TD_USERS,
	TD_FORWARD,
	TD_MAILLIST,
	TD_LIST,
	TD_CDB
};

/* tdiff_form_for - the form for a path (any number of leading directories) */
enum tdiff_form tdiff_form_for(const char *path);
/* tdiff_form_name - "text", "binary", "users/assign", "printforward", "printmaillist",
 * "sorted list", "cdb -d" */
const char *tdiff_form_name(enum tdiff_form f);
/* tdiff_form_parse - the form named by a --as word (users, forward, maillist, list,
 * cdb); -1 if unknown */
int tdiff_form_parse(const char *word);

/*
 * tdiff_decode - p[0..n) in form f, appended to out; problems reported to d
 * with the display name file.  0 decoded (possibly with warnings), 1 the
 * file cannot be read in that form (a broken cdb structure, a .bin that is
 * not a mailing list), -1 ENOMEM.  TD_TEXT and TD_BINARY copy the bytes.
 */
int tdiff_decode(buf *out, enum tdiff_form f, const void *p, size_t n, const char *file,
		 struct diag_sink *d);

/*
 * tdiff_faithful - 0 if one of the diagnostics d->v[from..] says the decoded
 * form leaves something of the file out (a broken structure, records that
 * are skipped or cannot be expressed: S2Q-D001..D004, D010..D012,
 * D020..D023, D030..D034, D040); 1 if the decoded form shows it all.
 */
int tdiff_faithful(const struct diag_sink *d, size_t from);

struct tdiff_opts {
	const char *name_a, *name_b;	/* the trees as the user named them (labels, messages) */
	unsigned context;		/* lines of context, 3 as diff -u */
	int json;			/* JSON instead of text */
	int new_file;			/* a file only in one tree is also diffed against nothing */
	int ignore_owner;		/* owners (uid/gid) are not compared */
	int no_lint;			/* no permission lint of tree B */
};

struct tdiff_stats {
	unsigned long ndiff;		/* differences reported */
	unsigned long nfind;		/* warnings/errors about tree B's files (lint and decoding) */
};

/*
 * tdiff_trees - compare the trees open at rootfd_a and rootfd_b (directory
 * descriptors), writing the report through out: text (see s2q-diff(8)) or,
 * with opts->json, one JSON object.  Nothing is ever followed: a symlink is
 * compared as a link, and the walk opens every directory with O_NOFOLLOW
 * below its parent's descriptor.  Diagnostics (decoding problems, lint
 * findings) go to d (and into the JSON object).  0, or -1 with errno when a
 * tree cannot be read or memory runs out; *err then names what failed
 * ("read new/users/cdb").
 */
int tdiff_trees(const struct tdiff_opts *opts, int rootfd_a, int rootfd_b,
		const struct udiff_sink *out, struct diag_sink *d, struct tdiff_stats *st,
		buf *err);

#endif
