/* model/alias - the sendmail alias table as plain data */
#ifndef S2Q_MODEL_ALIAS_H
#define S2Q_MODEL_ALIAS_H

#include <stddef.h>

#include "../util/hset.h"

/*
 * One element of an alias value, as sendmail's recipient code classifies it
 * after splitting the value on commas (../shared/ref/sendmail.md §2.3).
 */
enum alias_kind {
	ALIAS_ADDR = 0,		/* plain or qualified address: re-resolved (aliases, virtusers, ...) */
	ALIAS_LOCAL,		/* \user: local delivery to user, no aliasing, no .forward */
	ALIAS_PROG,		/* |command or "|command args": text = command without the '|' */
	ALIAS_FILE,		/* /path or "/path": append to file; text = path */
	ALIAS_INCLUDE,		/* :include:path; text = path as written (absolute on the old host) */
	ALIAS_ERROR		/* error:... - not special in sendmail: bounces as "User unknown" */
};

struct alias_elem {
	enum alias_kind kind;
	char *text;		/* normalized (RFC 822 comments and display names removed, quotes
				   around prog/file removed; for ALIAS_ADDR the route address);
				   for ALIAS_LOCAL the user without the backslash */
	char *raw;		/* the element exactly as written (trimmed) */
};

struct alias_ent {
	char *name;		/* the key sendmail stores: lower-cased user part, quotes kept,
				   unquoted blanks -> '.', name@<class w domain> -> name */
	char *value;		/* the RHS as sendmail stores it (leading blanks removed) */
	struct alias_elem *elems;
	size_t nelems;
	size_t file;		/* index into alias_table.files */
	unsigned long line;	/* first physical line of the logical line */
	int dead;		/* 1: overridden by a later duplicate in the same file */
};

/* an :include: list file, read once per path */
struct alias_include {
	char *path;		/* as written in the alias value */
	char *realpath;		/* where it was read (under the sendmail root), or NULL */
	struct alias_elem *elems;	/* its addresses, same classification as alias values */
	size_t nelems;
	int missing;		/* could not be read: sendmail defers/bounces at delivery */
};

/*
 * The whole table: entries in file order (dead ones kept for reporting),
 * lookup by name gives the live entry with sendmail's duplicate rules:
 * last wins inside a file, first file wins across files.
 */
struct alias_table {
	char **files;		/* alias file names, AliasFile order */
	size_t nfiles;
	struct alias_ent *ents;
	size_t nents, capents;
	struct alias_include *incs;
	size_t nincs, capincs;
	struct hset byname;	/* name -> index of the live entry */
	struct hset byinc;	/* include path -> index into incs */
};

void alias_table_init(struct alias_table *t);
void alias_table_free(struct alias_table *t);
/* alias_lookup - the live entry for name (already lower-cased), or NULL */
const struct alias_ent *alias_lookup(const struct alias_table *t, const char *name);

#endif
