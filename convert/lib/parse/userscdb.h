/* parse/userscdb - users/cdb read back as users/assign entries */
#ifndef S2Q_PARSE_USERSCDB_H
#define S2Q_PARSE_USERSCDB_H

#include "../model/assign.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "cdbfile.h"

/*
 * Record at a time, in file order (= users/assign order for qmail-newu's
 * output).  Key "!" + local + NUL is an exact entry ('='), "!" + prefix a
 * wildcard ('+'), the empty key the wildchars record (not an entry; checked
 * against the wildcards).  Since qmail-newu stores the wildcard's raw last
 * byte in the wildchars record but the lower-cased prefix in the key, the
 * reader gives a wildcard back the raw last byte the wildchars record shows
 * (`+Info-X:` stays `+Info-X:`), so that for a users/cdb written by
 * qmail-newu (or s2q-newu) the entries printed with userscdb_format, plus
 * ".", compile back to the same bytes.
 *
 * Problems (S2Q-D010..D018) go to the sink: records that are not users/cdb
 * records (skipped), fields users/assign cannot hold, a missing or
 * inconsistent wildchars record, keys with upper-case letters, uid/gid 0.
 * Entry fields point into the file or into the reader; valid until the next call.
 */
struct userscdb {
	struct cdbfile f;
	const char *file;
	struct diag_sink *d;
	const char *wild;	/* data of the first empty-key record; NULL if none */
	size_t wlen, wpos;	/* wildchars not yet matched to a wildcard start at wpos */
	unsigned long wildrec;	/* its record number */
	unsigned char seen[256];	/* raw last bytes of the wildcards so far */
	buf addr;
	unsigned long cnt[8];	/* problems reported per code S2Q-D010 + i */
	int problems;		/* something was reported */
};

/* userscdb_init - 0, or 1 if the cdb structure is bad (reported; no entries follow) */
int userscdb_init(struct userscdb *u, const void *p, size_t size, const char *file,
		  struct diag_sink *d);
/* userscdb_next - 1 entry (e->line = record number), 0 end, -1 ENOMEM */
int userscdb_next(struct userscdb *u, struct assign_ent *e);
/* userscdb_end - after the last entry: checks on the whole file; 0 good, 1 problems reported */
int userscdb_end(struct userscdb *u);
void userscdb_free(struct userscdb *u);

/* userscdb_format - append the users/assign line of e ("=local:user:uid:gid:home:dash:ext:\n") */
int userscdb_format(buf *out, const struct assign_ent *e);
/*
 * userscdb_print - the whole file as users/assign (entries, then ".\n");
 * 0 good, 1 problems reported, -1 ENOMEM
 */
int userscdb_print(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d);

#endif
