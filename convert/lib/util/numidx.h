/* numidx - find numbered items by key when the caller keeps the keys */
#ifndef S2Q_NUMIDX_H
#define S2Q_NUMIDX_H

#include <stddef.h>
#include <stdint.h>

/*
 * A hash index of item numbers (0 .. UINT32_MAX - 2) for tables of
 * millions whose keys are already in memory (the alias entries' names,
 * the mapped virtusertable): 8 bytes a slot, at most half the slots used,
 * no copy of any key.  Each slot holds the key's 32-bit hash (hset_hash)
 * and the item number; whether a key with that hash is the one looked for
 * is the caller's eq() to say.  A zeroed struct is empty.
 */
struct numidx {
	uint64_t *slots;	/* hash << 32 | (number + 1); 0: empty */
	size_t nslots, n;
};

/* eq - item number num has the key looked for: 1 yes, 0 no */
typedef int (*numidx_eq_fn)(const void *ctx, uint32_t num);

/*
 * numidx_slot - the slot of the key with hash hv: the one holding it, or
 * the empty one where it goes (numidx_set).  Needs slots: numidx_grow first.
 */
uint64_t *numidx_slot(const struct numidx *x, uint32_t hv, numidx_eq_fn eq, const void *ctx);
/* numidx_num - the number a slot from numidx_slot holds, or -1 for an empty slot */
static inline int64_t numidx_num(const uint64_t *slot)
{
	return *slot ? (int64_t)(uint32_t)*slot - 1 : -1;
}
/* numidx_set - put num with hash hv in a slot from numidx_slot (counted when it was empty) */
void numidx_set(struct numidx *x, uint64_t *slot, uint32_t hv, uint32_t num);
/* numidx_grow - room for one more key (slots found before are no longer valid); 0, -1 ENOMEM */
int numidx_grow(struct numidx *x);
/* numidx_find - the number of the key with hash hv, or -1 (none, or no slots yet) */
int64_t numidx_find(const struct numidx *x, uint32_t hv, numidx_eq_fn eq, const void *ctx);
/* numidx_prefetch - start loading the slot for hash hv */
void numidx_prefetch(const struct numidx *x, uint32_t hv);
void numidx_free(struct numidx *x);

#endif
