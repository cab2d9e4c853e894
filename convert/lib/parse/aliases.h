/* parse/aliases - sendmail aliases files, read exactly as sendmail's readaliases() */
#ifndef S2Q_PARSE_ALIASES_H
#define S2Q_PARSE_ALIASES_H

#include "../model/alias.h"
#include "../util/diag.h"

struct aliases_opts {
	const char *const *local_domains;	/* class w of the old host: name@<one of these> -> name */
	size_t nlocal_domains;
	const char *root;	/* sendmail root: absolute paths (:include:) are read under it; NULL = "/" */
	char blanksub;		/* BlankSub, '.' in every m4-generated cf */
	int read_includes;	/* 1: read :include: list files into the table */
};

/*
 * aliases_read - parse one aliases file into the table (call once per file,
 * in AliasFile order).  Input problems go to the sink with FILE:LINE and the
 * words sendmail's newaliases uses; duplicate rules are applied.  0, or -1
 * with errno on a system error (the file cannot be opened or read, ENOMEM).
 */
int aliases_read(struct alias_table *t, const char *path, const char *display,
		 const struct aliases_opts *o, struct diag_sink *d);

/* aliases_split - split and classify one value (also used for :include: lines) */
int aliases_split(const char *value, size_t len, struct alias_elem **elems, size_t *nelems);

/*
 * aliases_check - after all files: report loops and chains deeper than
 * sendmail's MaxAliasRecursion (10) with the alias names involved.
 */
int aliases_check(const struct alias_table *t, struct diag_sink *d);

#endif
