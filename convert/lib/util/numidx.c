/* numidx - find numbered items by key when the caller keeps the keys */
#include "numidx.h"

#include <errno.h>
#include <stdint.h>

#include "bigmem.h"

uint64_t *numidx_slot(const struct numidx *x, uint32_t hv, numidx_eq_fn eq, const void *ctx)
{
	size_t mask = x->nslots - 1, i = hv & mask;

	for (;;) {
		uint64_t *s = &x->slots[i];

		if (*s == 0)
			return s;
		if ((uint32_t)(*s >> 32) == hv && eq(ctx, (uint32_t)*s - 1))
			return s;
		i = (i + 1) & mask;
	}
}

void numidx_set(struct numidx *x, uint64_t *slot, uint32_t hv, uint32_t num)
{
	if (*slot == 0)
		x->n++;
	*slot = (uint64_t)hv << 32 | (uint32_t)(num + 1);
}

int numidx_grow(struct numidx *x)
{
	size_t nn = x->nslots ? x->nslots * 2 : 64, i, j;
	uint64_t *ns;

	if ((x->n + 1) * 2 <= x->nslots)
		return 0;
	if (nn > SIZE_MAX / sizeof(*ns) || (ns = bigmem_zalloc(nn * sizeof(*ns))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < x->nslots; i++) {
		if (x->slots[i] == 0)
			continue;
		for (j = (uint32_t)(x->slots[i] >> 32) & (nn - 1); ns[j]; j = (j + 1) & (nn - 1))
			;
		ns[j] = x->slots[i];
	}
	bigmem_free(x->slots, x->nslots * sizeof(*ns));
	x->slots = ns;
	x->nslots = nn;
	return 0;
}

int64_t numidx_find(const struct numidx *x, uint32_t hv, numidx_eq_fn eq, const void *ctx)
{
	if (x->nslots == 0)
		return -1;
	return numidx_num(numidx_slot(x, hv, eq, ctx));
}

void numidx_prefetch(const struct numidx *x, uint32_t hv)
{
	if (x->nslots)
		__builtin_prefetch(&x->slots[hv & (x->nslots - 1)]);
}

void numidx_free(struct numidx *x)
{
	bigmem_free(x->slots, x->nslots * sizeof(*x->slots));
	x->slots = NULL;
	x->nslots = x->n = 0;
}
