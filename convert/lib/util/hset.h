/* hset - hash set of byte strings, each with one unsigned long value */
#ifndef S2Q_HSET_H
#define S2Q_HSET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Open addressing over a key arena: memory is the keys plus 12 bytes each
 * (the value and the key's length, stored just before the key in the
 * arena) plus 8 bytes a slot, at most half of the slots used; the arena
 * holds at most 4 GiB (ENOMEM past it).  Used for duplicate detection and
 * lookups over million-entry inputs.  Iterating the slots is allowed: a
 * used slot has off != 0, hset_slot_key() gives its key, and off grows
 * with insertion order.
 */
struct hset {
	struct hset_slot {
		uint32_t off;	/* key offset in arena + 1; 0 = empty */
		uint32_t hash;
	} *slots;
	size_t nslots, n;
	char *arena;
	size_t alen, acap;
};

/* hset_slot_key - the key of the used slot s of h, its length in *len */
static inline const char *hset_slot_key(const struct hset *h, const struct hset_slot *s,
					size_t *len)
{
	uint32_t l;

	memcpy(&l, h->arena + s->off - 1 - sizeof(l), sizeof(l));
	*len = l;
	return h->arena + s->off - 1;
}

void hset_init(struct hset *h);
void hset_free(struct hset *h);
/* hset_get - 1 and *val if present, 0 if absent */
int hset_get(const struct hset *h, const void *key, size_t len, unsigned long *val);
/* hset_put - insert if absent: 1 inserted, 0 present (*old set), -1 ENOMEM */
int hset_put(struct hset *h, const void *key, size_t len, unsigned long val, unsigned long *old);
/* hset_set - insert or overwrite: 0, or -1 ENOMEM */
int hset_set(struct hset *h, const void *key, size_t len, unsigned long val);
/*
 * hset_reserve - room for n more keys of keybytes bytes in all, made at
 * once (no rehash, no arena copy while they are put): 0, or -1 ENOMEM
 */
int hset_reserve(struct hset *h, size_t n, size_t keybytes);

/*
 * hset_prefetch - a hint that key (hash hv = hset_hash(key, len)) is about to
 * be looked up or put: its first slot starts loading, so a caller with other
 * work to do first does not wait for the memory (a miss in a million-slot
 * table).  No effect on the set.
 */
uint32_t hset_hash(const void *key, size_t len);
void hset_prefetch(const struct hset *h, uint32_t hv);

/*
 * hset_hash64 - the hash of key[0..len) the set uses (its low 32 bits); all
 * 64 for callers that sort or bucket keys by their top bits
 */
uint64_t hset_hash64(const void *key, size_t len);

#endif
