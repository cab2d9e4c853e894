/* emit/usercdb - users/cdb exactly as qmail-newu writes it */
#ifndef S2Q_EMIT_USERCDB_H
#define S2Q_EMIT_USERCDB_H

#include "../model/assign.h"
#include "../util/buf.h"
#include "../util/cdbw.h"
#include "../util/diag.h"
#include "../util/hset.h"

/*
 * Records in users/assign order: exact key "!" + lower(local) + NUL,
 * wildcard key "!" + lower(prefix); data user\0uid\0gid\0home\0dash\0ext;
 * the wildchars record (empty key: distinct raw last bytes of the non-empty
 * wildcard prefixes, first seen first) last.  Duplicate keys are kept, as
 * qmail-newu keeps them (the first wins at lookup) and reported as warnings.
 * With rootfd < 0 nothing is written (check mode).
 */
struct usercdb {
	struct cdbw w;
	int writing;
	buf key, val, wildchars;
	struct hset seen;
	struct diag_sink *d;
	const char *file;
	unsigned long nrec;
};

/* usercdb_open - 0, or -1 with errno */
int usercdb_open(struct usercdb *u, int rootfd, const char *rel, struct diag_sink *d,
		 const char *file);
int usercdb_add(struct usercdb *u, const struct assign_ent *e);
int usercdb_commit(struct usercdb *u);
void usercdb_abort(struct usercdb *u);
/* usercdb_key - the lookup key of an entry into out (replaced) */
int usercdb_key(buf *out, const struct assign_ent *e);

#endif
