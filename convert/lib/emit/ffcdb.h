/* emit/ffcdb - aliases.cdb in fastforward's binary format (setforward, newaliases) */
#ifndef S2Q_EMIT_FFCDB_H
#define S2Q_EMIT_FFCDB_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/cdbw.h"

/*
 * fastforward's database (../shared/ref/qmail.md §5.2):
 *   key ":" + lower(target)   data: instructions, each NUL-terminated
 *   key "?" + lower(target)   data: the owner address (no NUL, no '&')
 * target is "user@domain", "@domain" or "user@"; lower-casing is ASCII
 * A-Z only, the data keeps its case.  An instruction's first byte is its
 * kind: '&' forward to the rest, '|' program (sh -c), '!' program through
 * preline, '/' or '.' a binary mailing list (setmaillist format).
 * Records are written in call order (fastforward reads the first of
 * duplicate keys).  With rootfd < 0 nothing is written (check mode).
 */
struct ffcdb {
	struct cdbw w;
	int writing;
	buf key;
	unsigned long nrec;
};

/* ffcdb_ins - append one instruction (kind byte, s[0..n), NUL) to a data
 * buffer; -1 EINVAL: unknown kind, empty text or a NUL inside; ENOMEM */
int ffcdb_ins(buf *data, char kind, const char *s, size_t n);
/* ffcdb_check_data - 0 if data is a valid instruction list, else -1 EINVAL */
int ffcdb_check_data(const char *data, size_t len, const char *kinds);

int ffcdb_open(struct ffcdb *f, int rootfd, const char *rel, unsigned flags);
/* ffcdb_target - the ':' record; EINVAL on an empty target, a NUL in it or bad data */
int ffcdb_target(struct ffcdb *f, const char *target, size_t tlen, const char *data, size_t dlen);
/* ffcdb_owner - the '?' record; EINVAL on empty/NUL-containing target or owner */
int ffcdb_owner(struct ffcdb *f, const char *target, size_t tlen, const char *owner, size_t olen);
/* ffcdb_reuse - aw_reuse for the file being made (nothing when not writing) */
int ffcdb_reuse(struct ffcdb *f, int refroot, const char *refrel);
int ffcdb_commit(struct ffcdb *f);
void ffcdb_abort(struct ffcdb *f);

#endif
