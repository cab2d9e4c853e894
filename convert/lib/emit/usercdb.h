/* emit/usercdb - users/cdb exactly as qmail-newu writes it */
#ifndef S2Q_EMIT_USERCDB_H
#define S2Q_EMIT_USERCDB_H

#include <stdint.h>

#include "../model/assign.h"
#include "../util/buf.h"
#include "../util/cdbw.h"
#include "../util/diag.h"

/*
 * Records in users/assign order: exact key "!" + lower(local) + NUL,
 * wildcard key "!" + lower(prefix); data user\0uid\0gid\0home\0dash\0ext;
 * the wildchars record (empty key: distinct raw last bytes of the non-empty
 * wildcard prefixes, first seen first) last.  Duplicate keys are kept, as
 * qmail-newu keeps them (the first wins at lookup) and reported as warnings.
 * With rootfd < 0 nothing is written (check mode).
 *
 * Duplicates are found once the input is read (usercdb_finish, or
 * usercdb_commit): each record leaves a 16-byte entry (64-bit hash of its
 * key, offset of its note) in one of USERCDB_PARTS partitions chosen by the
 * hash, and a short note (line, diagnostic position, raw address) in an
 * append-only arena; at the end each partition (a few thousand entries at
 * 1M records: cache-resident) is checked with a small hash table, equal
 * hashes compared byte for byte.  The warnings go into the sink at the very
 * place usercdb_add would have put them (after the diagnostics that were in
 * the sink when the duplicate was added), so the output is the same as
 * reporting them while streaming, DIAG_KEEP truncation included.
 */
#define USERCDB_PARTS 1024
struct usercdb {
	struct cdbw w;
	int writing;
	int finished;		/* duplicates reported */
	buf key, val, wildchars;
	buf notes;		/* per record: line, diag position, len*2+wild (varints), raw address */
	struct usercdb_part {
		struct usercdb_ent {
			uint64_t h;	/* hash of the key */
			uint64_t off;	/* offset of the record's note in notes */
		} *v;
		size_t n, cap;
	} *parts;		/* USERCDB_PARTS, allocated by the first usercdb_add */
	struct diag_sink *d;
	const char *file;
	unsigned long nrec;
};

/* usercdb_open - 0, or -1 with errno */
int usercdb_open(struct usercdb *u, int rootfd, const char *rel, struct diag_sink *d,
		 const char *file);
int usercdb_add(struct usercdb *u, const struct assign_ent *e);
/*
 * usercdb_finish - report the duplicate keys (S2Q-U013) to the sink; call
 * it after the last usercdb_add, before printing the diagnostics (commit
 * calls it if it was not called).  0, or -1 ENOMEM (the sink's oom is set).
 * With a NULL sink nothing is reported.
 */
int usercdb_finish(struct usercdb *u);
/* usercdb_reuse - util/aw_reuse for users/cdb (nothing in check mode) */
int usercdb_reuse(struct usercdb *u, int refroot, const char *refrel);
int usercdb_commit(struct usercdb *u);
void usercdb_abort(struct usercdb *u);
/* usercdb_key - the lookup key of an entry into out (replaced) */
int usercdb_key(buf *out, const struct assign_ent *e);

#endif
