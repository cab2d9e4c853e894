/* cdbfilter - which keys a cdb certainly does not hold, answered without touching the cdb */
#include "cdbfilter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "hset.h"

/* the two bits of hash h */
static size_t bit_a(const struct cdbfilter *f, uint64_t h)
{
	return (size_t)h & (f->nbits - 1);
}

static size_t bit_b(const struct cdbfilter *f, uint64_t h)
{
	return (size_t)(h >> 32) & (f->nbits - 1);
}

int cdbfilter_build(struct cdbfilter *f, struct cdb *c, size_t min_keys)
{
	const unsigned char *toc;
	unsigned pos;
	size_t n = 0, nbits = 1024, i;
	int r;

	memset(f, 0, sizeof(*f));
	/* how many keys: half the slots of the 256 tables the first 2048 bytes list */
	toc = cdb_get(c, 2048, 0);
	if (toc == NULL)
		return 0;
	for (i = 0; i < 256; i++)
		n += cdb_unpack(toc + 8 * i + 4);
	n /= 2;
	if (n == 0 || n < min_keys)
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
		uint64_t h;
		size_t a, b;

		if (k == NULL) {
			r = -1;
			break;
		}
		h = hset_hash64(k, kl);
		a = bit_a(f, h);
		b = bit_b(f, h);
		f->bits[a / 64] |= (uint64_t)1 << (a % 64);
		f->bits[b / 64] |= (uint64_t)1 << (b % 64);
	}
	if (r < 0)
		cdbfilter_free(f);	/* a record it cannot read: the lookups meet it */
	return 0;
}

void cdbfilter_free(struct cdbfilter *f)
{
	if (f->bits)
		bigmem_free(f->bits, f->nbits / 8);
	memset(f, 0, sizeof(*f));
}

int cdbfilter_find(const struct cdbfilter *f, struct cdb *c, const void *key, unsigned len)
{
	if (f->nbits) {
		uint64_t h = hset_hash64(key, len);
		size_t a = bit_a(f, h), b = bit_b(f, h);

		if (!((f->bits[a / 64] >> (a % 64)) & 1) || !((f->bits[b / 64] >> (b % 64)) & 1))
			return 0;
	}
	return cdb_find(c, key, len);
}
