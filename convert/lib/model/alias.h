/* model/alias - the sendmail alias table as plain data */
#ifndef S2Q_MODEL_ALIAS_H
#define S2Q_MODEL_ALIAS_H

#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"
#include "../util/hset.h"
#include "../util/numidx.h"

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

/* an element as a parser finds it: the table and alias_elems_pack copy it */
struct alias_elem_src {
	enum alias_kind kind;
	const char *text;	/* normalized (RFC 822 comments and display names removed, quotes
				   around prog/file removed; for ALIAS_ADDR the route address);
				   for ALIAS_LOCAL the user without the backslash.  Unquoted
				   blanks between words become BlankSub, as sendmail does:
				   |/bin/prog arg runs "/bin/prog.arg"; for ALIAS_ERROR the
				   text after "error:" */
	const char *raw;	/* the element exactly as written (trimmed); may be the
				   same pointer as text, as local may */
	const char *local;	/* the local name sendmail looks up (aliases, then passwd) for
				   this element, lower-cased: ALIAS_ADDR that is unqualified or
				   qualified with a local (class w) domain, and ALIAS_LOCAL;
				   NULL for remote addresses and the other kinds */
};

/*
 * One element as the table (and every parser handing out elements) keeps
 * it: 8 bytes, its strings after the element array in the same block -
 * text, then raw and local unless they are absent or equal to text.  The
 * offset is from the element itself, so an element is only ever used in
 * its block (never copied by value); read it with the accessors below.
 * A 1M-entry table holds about two million of these.
 */
struct alias_elem {
	uint32_t off;		/* the first stored string is at (const char *)this + off */
	uint8_t kind;		/* enum alias_kind */
	uint8_t flags;		/* ALIAS_EL_* */
	uint16_t spare;
};
#define ALIAS_EL_TEXT	 1	/* text is stored (else NULL) */
#define ALIAS_EL_RAW	 2	/* raw is stored after text */
#define ALIAS_EL_RAWSAME 4	/* raw is text */
#define ALIAS_EL_LOCAL	 8	/* local is stored after text and raw */
#define ALIAS_EL_LOCSAME 16	/* local is text */

/* alias_elem_text - the element's text (struct alias_elem_src), or NULL */
static inline const char *alias_elem_text(const struct alias_elem *e)
{
	return (e->flags & ALIAS_EL_TEXT) ? (const char *)e + e->off : NULL;
}

/* the string after the stored string at p */
static inline const char *alias_elem_next_(const char *p)
{
	while (*p)
		p++;
	return p + 1;
}

/* alias_elem_raw - the element as written, or NULL */
static inline const char *alias_elem_raw(const struct alias_elem *e)
{
	const char *p = (const char *)e + e->off;

	if (e->flags & ALIAS_EL_RAWSAME)
		return alias_elem_text(e);
	if (!(e->flags & ALIAS_EL_RAW))
		return NULL;
	return (e->flags & ALIAS_EL_TEXT) ? alias_elem_next_(p) : p;
}

/* alias_elem_local - the local name looked up for the element, or NULL */
static inline const char *alias_elem_local(const struct alias_elem *e)
{
	const char *p = (const char *)e + e->off;

	if (e->flags & ALIAS_EL_LOCSAME)
		return alias_elem_text(e);
	if (!(e->flags & ALIAS_EL_LOCAL))
		return NULL;
	if (e->flags & ALIAS_EL_TEXT)
		p = alias_elem_next_(p);
	if (e->flags & ALIAS_EL_RAW)
		p = alias_elem_next_(p);
	return p;
}

/*
 * alias_elems_size - the bytes n elements take as one block: the array
 * and their strings (with extra bytes more for the caller's own strings
 * between them); SIZE_MAX when that passes the 4 GiB an offset reaches
 */
size_t alias_elems_size(const struct alias_elem_src *src, size_t n, size_t extra);

/*
 * alias_elems_pack - write n elements to out[0..n) and their strings from
 * p on (inside the same block, after the array); the end of the strings
 */
char *alias_elems_pack(struct alias_elem *out, char *p, const struct alias_elem_src *src,
		       size_t n);

/* alias_ent.dead */
#define ALIAS_LIVE	0
#define ALIAS_DEAD_DUP	1	/* a later entry of the same file has the same name (last wins) */
#define ALIAS_DEAD_SHADOW 2	/* an earlier alias file has the name (first file wins) */

struct alias_ent {
	char *name;		/* the key sendmail stores: lower-cased user part, quotes kept,
				   unquoted blanks -> '.', name@<class w domain> -> name;
				   alias_ent_value() follows it in the same block
				   (or is elems[0].raw: vraw) */
	struct alias_elem *elems;	/* one block with name, value and the elements' strings
					   (from the table's packs arena) */
	uint32_t nelems;
	uint32_t line;		/* first physical line of the logical line */
	uint32_t lastline;	/* its last physical line: the number sendmail's newaliases
				   prints, and the one in the S2Q-A diagnostics */
	unsigned file : 24;	/* index into alias_table.files (ALIAS_FILES_MAX) */
	unsigned dead : 7;	/* ALIAS_LIVE, ALIAS_DEAD_DUP or ALIAS_DEAD_SHADOW */
	unsigned vraw : 1;	/* the value is the one element's raw text (not stored twice) */
};	/* 32 bytes: a 1M-entry table holds a million of them */

/* the most alias files and the last line number the table holds (EOVERFLOW past them) */
#define ALIAS_FILES_MAX	((1UL << 24) - 1)
#define ALIAS_LINE_MAX	0xffffffffUL

/* alias_ent_value - the RHS as sendmail stores it (leading blanks removed) */
static inline const char *alias_ent_value(const struct alias_ent *e)
{
	const char *p = e->name;

	if (e->vraw)
		return alias_elem_raw(&e->elems[0]);

	while (*p)
		p++;
	return p + 1;
}

/* an :include: list file, read once per path */
struct alias_include {
	char *path;		/* as written in the alias value */
	char *realpath;		/* where it was read (under the sendmail root), or NULL */
	struct alias_elem *elems;	/* its addresses, same classification as alias values (one
					   block of the table's packs arena) */
	unsigned long *lines;	/* lines[i]: the list file's line of elems[i] (NULL when
				   not read) */
	size_t nelems;
	int missing;		/* 1: could not be read (absent, unreadable, relative path with
				   no queue directory): sendmail defers/bounces at delivery;
				   2: refused by s2q (escapes the root, not a regular file),
				   reported as an error */
};

/* per alias file: what sendmail -bi prints in its summary line */
struct alias_filestat {
	unsigned long naliases;	/* entries stored (duplicates counted) */
	unsigned long longest;	/* longest value */
	unsigned long bytes;	/* sum of key and value lengths */
};

/*
 * The whole table: entries in file order (dead ones kept for reporting),
 * lookup by name gives the live entry with sendmail's duplicate rules:
 * last wins inside a file, first file wins across files.
 */
struct alias_table {
	char **files;		/* alias file names, AliasFile order */
	struct alias_filestat *fstats;	/* parallel to files */
	size_t nfiles, capfiles;
	struct alias_ent *ents;
	size_t nents, capents;
	struct alias_include *incs;
	size_t nincs, capincs;
	struct numidx byname;	/* name -> index of the live entry; the names are the
				   entries' own */
	struct hset byinc;	/* include path -> index into incs */
	struct arena packs;	/* the entries' and includes' elems blocks (each with its strings) */
	struct hset infile;	/* name -> index of its last entry in the current file, for the
				   names an earlier file has (emptied
				   by alias_table_endfile and alias_table_addfile) */
	unsigned max_recursion;	/* the cf's MaxAliasRecursion (0: sendmail's default) */
};

void alias_table_init(struct alias_table *t);
void alias_table_free(struct alias_table *t);
/* alias_lookup - the live entry for name (already lower-cased), or NULL */
const struct alias_ent *alias_lookup(const struct alias_table *t, const char *name);
/* alias_lookup_n - the same for name[0..len) (names may contain any byte) */
const struct alias_ent *alias_lookup_n(const struct alias_table *t, const char *name, size_t len);

/*
 * alias_table_addfile - start the next alias file (AliasFile order); its
 * index in *idx.  Entries added from now on belong to it.  0, or -1 ENOMEM
 * (EOVERFLOW past ALIAS_FILES_MAX files).
 */
int alias_table_addfile(struct alias_table *t, const char *name, size_t *idx);

/*
 * alias_table_endfile - the current file is complete: forget its names (the
 * per-file duplicate index; lookups are unaffected).  Saves memory between
 * files; entries added later are not checked against the file's earlier ones.
 */
void alias_table_endfile(struct alias_table *t);

/* alias_table_add results (bits) */
#define ALIAS_ADD_REPLACES	1	/* *same: the earlier entry of this file it replaces */
#define ALIAS_ADD_SHADOWED	2	/* *first: the earlier file's live entry that wins */

/*
 * alias_table_add - append one entry to the current file, copying name,
 * value and elements into one allocation, and apply the duplicate rules:
 * an earlier entry of the same file becomes ALIAS_DEAD_DUP; if an earlier
 * file has the name, the new entry is ALIAS_DEAD_SHADOW.  Returns the
 * ALIAS_ADD_* bits (0: a new live name), *same and *first set accordingly
 * (else (size_t)-1); -1 ENOMEM (EOVERFLOW: a line past ALIAS_LINE_MAX, more
 * than UINT32_MAX elements, or UINT32_MAX - 2 entries; EINVAL: no file yet,
 * or a NUL in the name).  Counts the entry in the file's fstats.
 */
int alias_table_add(struct alias_table *t, const char *name, size_t nlen, const char *value,
		    size_t vlen, const struct alias_elem_src *elems, size_t nelems, unsigned long line,
		    unsigned long lastline, size_t *same, size_t *first);

/*
 * alias_table_prefetch - name is about to be added (alias_table_add): its
 * slot in the by-name index starts loading while the caller does other work
 */
void alias_table_prefetch(const struct alias_table *t, const char *name, size_t nlen);

/*
 * alias_table_addinc - register an include file by path (its elements and,
 * when lines is not NULL, the line of each are copied); *idx its index.
 * 1 added, 0 the path was already registered (*idx the existing one,
 * nothing copied), -1 ENOMEM.
 */
int alias_table_addinc(struct alias_table *t, const char *path, const char *realpath,
		       const struct alias_elem_src *elems, const unsigned long *lines, size_t nelems,
		       int missing, size_t *idx);
/* alias_include_find - index of the include registered for path, or (size_t)-1 */
size_t alias_include_find(const struct alias_table *t, const char *path);

/* alias_kind_name - "addr", "local", "prog", "file", "include", "error" */
const char *alias_kind_name(enum alias_kind k);

#endif
