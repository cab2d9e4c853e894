/* cdbfilter - which keys a cdb certainly does not hold, answered without touching the cdb */
#include "cdbfilter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "hset.h"

static void set(struct cdbfilter *f, uint64_t h)
{
	size_t a = (size_t)h & (f->nbits - 1), b = (size_t)(h >> 32) & (f->nbits - 1);

	f->bits[a / 64] |= (uint64_t)1 << (a % 64);
	f->bits[b / 64] |= (uint64_t)1 << (b % 64);
}

int cdbfilter_build(struct cdbfilter *f, struct cdb *c, size_t min_keys)
{
	unsigned pos;
	size_t n = 0, nbits = 1024;
	int r;

	memset(f, 0, sizeof(*f));
	/* how many keys (the headers only); a record it cannot read: stay off */
	cdb_seqinit(&pos, c);
	while ((r = cdb_seqnext(&pos, c)) > 0)
		n++;
	if (r < 0 || n < min_keys || n == 0)
		return 0;
	while (nbits < n * 16)
		nbits *= 2;
	f->bits = bigmem_zalloc(nbits / 8);
	if (f->bits == NULL) {
		errno = ENOMEM;
		return -1;
	}
	f->nbits = nbits;
	cdb_seqinit(&pos, c);
	while ((r = cdb_seqnext(&pos, c)) > 0) {
		unsigned kl = cdb_keylen(c);
		const void *k = cdb_get(c, kl, cdb_keypos(c));

		if (k == NULL) {
			r = -1;
			break;
		}
		set(f, hset_hash64(k, kl));
	}
	if (r < 0)
		cdbfilter_free(f);
	return 0;
}

void cdbfilter_free(struct cdbfilter *f)
{
	if (f->bits)
		bigmem_free(f->bits, f->nbits / 8);
	memset(f, 0, sizeof(*f));
}
