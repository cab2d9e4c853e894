/* parse/virtuser - virtusertable values as sendmail's address parser reads them, and the table */
#ifndef S2Q_PARSE_VIRTUSER_H
#define S2Q_PARSE_VIRTUSER_H

#include <stddef.h>

#include "../model/virtuser.h"
#include "../util/buf.h"
#include "../util/mfile.h"
#include "../util/numidx.h"
#include "maptext.h"

/*
 * vu_target_parse - classify an address value with no %n in it (as
 * sendmail's address parser reads it: RFC 822 forms, quotes, BlankSub '.',
 * programs, files, :include:, \user, several addresses).  0 or -1 ENOMEM.
 */
int vu_target_parse(const char *value, size_t vlen, struct vu_target *t);

/* ---- the table, streamed and then looked up ---- */

/*
 * vtab reads a virtusertable text source with parse/maptext (the makemap
 * rules, duplicates reported: the first wins) and keeps it available for
 * lookups: the file is mapped, the line and offset of every record are kept
 * (16 bytes a record) and a hash index of record numbers (numidx, 8 bytes a
 * slot) finds a key by comparing it with the record's key in the mapped
 * file - which is also how maptext learns of duplicates (maptext_keys).
 * No key and no value is copied.
 */
struct vtab_rec {
	unsigned long line;
	size_t off;		/* offset of the line in the file */
};

struct vtab {
	struct maptext mt;
	int mt_open;
	struct mfile mf;
	struct vtab_rec *rec;	/* every record returned, in file order */
	size_t nrec, cap;
	unsigned long cur_line;	/* line that starts at cur_off */
	size_t cur_off;
	unsigned flags;		/* MAPTEXT_NOFOLD */
	buf kbuf;		/* vtab_at's key */
	struct numidx bykey;	/* key (folded unless MAPTEXT_NOFOLD) -> record number */
	struct maptext_keys keys;	/* maptext's duplicate check: the index */
};

/*
 * vtab_open - read fd (a regular file; taken over, closed by vtab_close)
 * with maptext flags (MAPTEXT_NOFOLD); problems go to d with file as the
 * name.  0, or -1 with errno (EINVAL: not a regular file).
 */
int vtab_open(struct vtab *t, int fd, const char *file, unsigned flags, struct diag_sink *d);
/* vtab_next - the next record (see maptext_next); 1, 0 at the end, -1 errno */
int vtab_next(struct vtab *t, struct maptext_rec *rec);
/*
 * vtab_get - a vu_get_fn over every record read so far (ctx is the vtab):
 * the key as makemap stored it (folded unless MAPTEXT_NOFOLD); *val points
 * into the mapped file.
 */
int vtab_get(void *ctx, const char *key, size_t klen, const char **val, size_t *vlen);
/* vtab_line - the line of key's record (as vtab_get finds it), or 0 */
unsigned long vtab_line(const struct vtab *t, const char *key, size_t klen);
/* vtab_at - record i (0-based, file order) again: key (folded as stored), value, line */
int vtab_at(struct vtab *t, size_t i, const char **key, size_t *klen, const char **val,
	    size_t *vlen, unsigned long *line);
void vtab_close(struct vtab *t);

#endif
