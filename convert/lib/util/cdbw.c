/* cdbw - cdb writer over tinycdb's cdb_make, committed through the atomic writer */
#include "cdbw.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int cdbw_open(struct cdbw *c, int rootfd, const char *rel, mode_t mode, unsigned flags)
{
	memset(c, 0, sizeof(*c));
	if (aw_open(&c->aw, rootfd, rel, mode, flags) < 0)
		return -1;
	if (cdb_make_start(&c->cm, aw_fd(&c->aw)) < 0) {
		int e = errno;
		aw_abort(&c->aw);
		errno = e;
		return -1;
	}
	c->started = 1;
	return 0;
}

int cdbw_add(struct cdbw *c, const void *key, size_t klen, const void *val, size_t vlen)
{
	if (klen > UINT_MAX || vlen > UINT_MAX) {
		errno = ENOMEM;
		return -1;
	}
	return cdb_make_add(&c->cm, key, (unsigned)klen, val, (unsigned)vlen) < 0 ? -1 : 0;
}

int cdbw_commit(struct cdbw *c)
{
	int e;

	c->started = 0;
	if (cdb_make_finish(&c->cm) < 0) {
		e = errno;
		aw_abort(&c->aw);
		errno = e;
		return -1;
	}
	return aw_commit(&c->aw);
}

int cdbw_reuse(struct cdbw *c, int refroot, const char *refrel)
{
	return aw_reuse(&c->aw, refroot, refrel);
}

void cdbw_abort(struct cdbw *c)
{
	int e = errno;

	/* tinycdb has no way to free a build but to finish it: finish into the doomed temp */
	if (c->started)
		(void)cdb_make_finish(&c->cm);
	c->started = 0;
	aw_abort(&c->aw);
	errno = e;
}
