/* keyidx - keys known by their 64-bit hash and offset: which repeat an earlier one, where one is */
#ifndef S2Q_KEYIDX_H
#define S2Q_KEYIDX_H

#include <stddef.h>
#include <stdint.h>

/*
 * For key lists of millions (s2q-route's --all list, s2q-virtusers' users/assign
 * lines) where a hash set would cost a cache miss per key: the caller lists
 * (hash, offset) of each key in key order, keyidx sorts them by hash in
 * passes over a flat array (stable: equal hashes stay in key order) and then
 * answers from runs of equal hashes.  Whether two keys with one hash are the
 * same is the caller's to say (same()).  Calls: 0, or -1 ENOMEM.
 */
struct keyidx_ent {
	uint64_t h;		/* hset_hash64 of the key, say */
	size_t off;		/* where the caller keeps the key; ascending in key order */
};

struct keyidx {
	struct keyidx_ent *v;	/* sorted by h (its top 32 bits), ties in key order */
	size_t n;
	size_t *bstart;		/* keyidx_index: entries with top bits b are v[bstart[b] .. bstart[b + 1]) */
	unsigned bits;
};

void keyidx_init(struct keyidx *x);
void keyidx_free(struct keyidx *x);
/* keyidx_sort - take over v[0..n) (malloc'ed; freed on failure too) and sort it */
int keyidx_sort(struct keyidx *x, struct keyidx_ent *v, size_t n);
/*
 * keyidx_dups - the offsets, ascending, of the keys an earlier key equals
 * (same(ctx, earlier, later): 1 equal, 0 not, -1 ENOMEM); *dups malloc'ed
 * (NULL when none)
 */
int keyidx_dups(const struct keyidx *x, int (*same)(void *ctx, size_t a, size_t b), void *ctx,
		size_t **dups, size_t *ndups);
/* keyidx_index - the bucket index keyidx_find needs */
int keyidx_index(struct keyidx *x);
/*
 * keyidx_find - where the entries with hash h are: among x->v[*lo .. *hi)
 * (those with v[i].h == h, in key order)
 */
void keyidx_find(const struct keyidx *x, uint64_t h, size_t *lo, size_t *hi);

#endif
