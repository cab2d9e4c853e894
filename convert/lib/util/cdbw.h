/* cdbw - cdb writer over tinycdb's cdb_make, committed through the atomic writer */
#ifndef S2Q_CDBW_H
#define S2Q_CDBW_H

#include <cdb.h>
#include <stddef.h>
#include <sys/types.h>

#include "aw.h"

/*
 * Records are added in call order (duplicates kept, readers see the first),
 * so identical insertion order gives the bytes qmail's cdbmake and tinycdb's
 * `cdb -c` produce.  0, or -1 with errno; after a failure call cdbw_abort.
 */
struct cdbw {
	struct aw aw;
	struct cdb_make cm;
	int started;
};

int cdbw_open(struct cdbw *c, int rootfd, const char *rel, mode_t mode, unsigned flags);
int cdbw_add(struct cdbw *c, const void *key, size_t klen, const void *val, size_t vlen);
int cdbw_commit(struct cdbw *c);
void cdbw_abort(struct cdbw *c);
/* cdbw_reuse - aw_reuse for the file being made */
int cdbw_reuse(struct cdbw *c, int refroot, const char *refrel);

#endif
