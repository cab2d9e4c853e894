/* hset - hash set of byte strings, each with one unsigned long value */
#include "hset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"

/* the value and then the key's length are stored in the arena right before the key */
#define VAL_SIZE sizeof(unsigned long)
#define LEN_SIZE sizeof(uint32_t)
#define HDR_SIZE (VAL_SIZE + LEN_SIZE)

void hset_init(struct hset *h)
{
	memset(h, 0, sizeof(*h));
}

/* slots_alloc - a zeroed slot array (util/bigmem: big ones in 2 MB pages, probed at random) */
static struct hset_slot *slots_alloc(size_t n)
{
	return bigmem_zalloc(n * sizeof(struct hset_slot));
}

static void slots_free(struct hset_slot *v, size_t n)
{
	bigmem_free(v, n * sizeof(struct hset_slot));
}

void hset_free(struct hset *h)
{
	slots_free(h->slots, h->nslots);
	free(h->arena);
	hset_init(h);
}

/* hset_hash64 - eight bytes a step (keys are mostly 5-30 bytes long) */
uint64_t hset_hash64(const void *key, size_t len)
{
	const unsigned char *p = key;
	const uint64_t m = 0x9e3779b97f4a7c15ULL;
	uint64_t x = (uint64_t)len * m, w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		x = (x ^ w) * m;
		x ^= x >> 29;
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		x = (x ^ w) * m;
	}
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

uint32_t hset_hash(const void *key, size_t len)
{
	return (uint32_t)hset_hash64(key, len);
}

void hset_prefetch(const struct hset *h, uint32_t hv)
{
	if (h->nslots)
		__builtin_prefetch(&h->slots[hv & (h->nslots - 1)]);
}

static struct hset_slot *find(const struct hset *h, const void *key, size_t len, uint32_t hv)
{
	size_t mask = h->nslots - 1, i = hv & mask;

	for (;;) {
		struct hset_slot *s = &h->slots[i];

		if (s->off == 0)
			return s;
		if (s->hash == hv) {
			const char *k = h->arena + s->off - 1;
			uint32_t kl;

			memcpy(&kl, k - LEN_SIZE, LEN_SIZE);
			if (kl == len && memcmp(k, key, len) == 0)
				return s;
		}
		i = (i + 1) & mask;
	}
}

/* resize - nn slots (a power of two above twice the keys), the keys moved over */
static int resize(struct hset *h, size_t nn)
{
	struct hset_slot *old = h->slots, *ns;
	size_t on = h->nslots, i;

	if (nn > SIZE_MAX / sizeof(*ns))
		return -1;
	ns = slots_alloc(nn);
	if (ns == NULL)
		return -1;
	h->slots = ns;
	h->nslots = nn;
	for (i = 0; i < on; i++) {
		if (old[i].off) {
			size_t j = old[i].hash & (nn - 1);

			while (ns[j].off)
				j = (j + 1) & (nn - 1);
			ns[j] = old[i];
		}
	}
	slots_free(old, on);
	return 0;
}

static int grow(struct hset *h)
{
	return resize(h, h->nslots ? h->nslots * 2 : 16);
}

int hset_reserve(struct hset *h, size_t n, size_t keybytes)
{
	size_t nn = h->nslots ? h->nslots : 16, need;

	if (n > SIZE_MAX / 4 - h->n)
		goto oom;
	while ((h->n + n + 1) * 2 > nn)
		nn *= 2;
	if (nn != h->nslots && resize(h, nn) < 0)
		goto oom;
	if (keybytes > SIZE_MAX / 4 || n > SIZE_MAX / 4 / (HDR_SIZE + 1) || h->alen > SIZE_MAX / 4)
		goto oom;
	need = h->alen + keybytes + n * (HDR_SIZE + 1);
	if (need >= UINT32_MAX)
		goto oom;
	if (need > h->acap) {
		char *na = realloc(h->arena, need);

		if (na == NULL)
			goto oom;
		h->arena = na;
		h->acap = need;
	}
	return 0;
oom:
	errno = ENOMEM;
	return -1;
}

static unsigned long getval(const struct hset *h, const struct hset_slot *s)
{
	unsigned long v;

	memcpy(&v, h->arena + s->off - 1 - HDR_SIZE, VAL_SIZE);
	return v;
}

int hset_get(const struct hset *h, const void *key, size_t len, unsigned long *val)
{
	struct hset_slot *s;

	if (h->nslots == 0)
		return 0;
	s = find(h, key, len, hset_hash(key, len));
	if (s->off == 0)
		return 0;
	if (val)
		*val = getval(h, s);
	return 1;
}

static int put(struct hset *h, const void *key, size_t len, unsigned long val, unsigned long *old,
	       int overwrite)
{
	uint32_t hv = hset_hash(key, len);
	struct hset_slot *s;

	if (len > UINT32_MAX)
		goto oom;
	if ((h->n + 1) * 2 > h->nslots && grow(h) < 0)
		goto oom;
	s = find(h, key, len, hv);
	if (s->off) {
		if (old)
			*old = getval(h, s);
		if (overwrite)
			memcpy(h->arena + s->off - 1 - HDR_SIZE, &val, VAL_SIZE);
		return 0;
	}
	/* off (the key's offset + 1) is 32 bits */
	if (h->alen >= (size_t)UINT32_MAX - HDR_SIZE - 1 ||
	    len >= (size_t)UINT32_MAX - HDR_SIZE - 1 - h->alen)
		goto oom;
	if (h->alen + HDR_SIZE + len + 1 > h->acap) {
		size_t nc = h->acap ? h->acap : 4096;
		char *na;

		while (nc < h->alen + HDR_SIZE + len + 1) {
			if (nc > SIZE_MAX / 2)
				goto oom;
			nc *= 2;
		}
		na = realloc(h->arena, nc);
		if (na == NULL)
			goto oom;
		h->arena = na;
		h->acap = nc;
	}
	memcpy(h->arena + h->alen, &val, VAL_SIZE);
	memcpy(h->arena + h->alen + VAL_SIZE, &(uint32_t){ (uint32_t)len }, LEN_SIZE);
	h->alen += HDR_SIZE;
	if (len)
		memcpy(h->arena + h->alen, key, len);
	s->off = (uint32_t)(h->alen + 1);
	s->hash = hv;
	h->alen += len;
	h->n++;
	return 1;
oom:
	errno = ENOMEM;
	return -1;
}

int hset_put(struct hset *h, const void *key, size_t len, unsigned long val, unsigned long *old)
{
	return put(h, key, len, val, old, 0);
}

int hset_set(struct hset *h, const void *key, size_t len, unsigned long val)
{
	return put(h, key, len, val, NULL, 1) < 0 ? -1 : 0;
}
