/* hset - hash set of byte strings, each with one unsigned long value */
#include "hset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void hset_init(struct hset *h)
{
	memset(h, 0, sizeof(*h));
}

void hset_free(struct hset *h)
{
	free(h->slots);
	free(h->arena);
	hset_init(h);
}

static uint32_t hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t x = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= p[i];
		x *= 16777619u;
	}
	return x;
}

static struct hset_slot *find(const struct hset *h, const void *key, size_t len, uint32_t hv)
{
	size_t mask = h->nslots - 1, i = hv & mask;

	for (;;) {
		struct hset_slot *s = &h->slots[i];

		if (s->off == 0)
			return s;
		if (s->hash == hv && s->len == len && memcmp(h->arena + s->off - 1, key, len) == 0)
			return s;
		i = (i + 1) & mask;
	}
}

static int grow(struct hset *h)
{
	size_t nn = h->nslots ? h->nslots * 2 : 1024, i;
	struct hset_slot *old = h->slots, *ns;
	size_t on = h->nslots;

	if (nn > SIZE_MAX / sizeof(*ns))
		return -1;
	ns = calloc(nn, sizeof(*ns));
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
	free(old);
	return 0;
}

int hset_get(const struct hset *h, const void *key, size_t len, unsigned long *val)
{
	struct hset_slot *s;

	if (h->nslots == 0)
		return 0;
	s = find(h, key, len, hash(key, len));
	if (s->off == 0)
		return 0;
	if (val)
		*val = s->val;
	return 1;
}

static int put(struct hset *h, const void *key, size_t len, unsigned long val, unsigned long *old,
	       int overwrite)
{
	uint32_t hv = hash(key, len);
	struct hset_slot *s;

	if (len > UINT32_MAX)
		goto oom;
	if ((h->n + 1) * 2 > h->nslots && grow(h) < 0)
		goto oom;
	s = find(h, key, len, hv);
	if (s->off) {
		if (old)
			*old = s->val;
		if (overwrite)
			s->val = val;
		return 0;
	}
	if (h->alen + len + 1 > h->acap) {
		size_t nc = h->acap ? h->acap : 4096;
		char *na;

		while (nc < h->alen + len + 1) {
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
	if (len)
		memcpy(h->arena + h->alen, key, len);
	s->off = h->alen + 1;
	s->len = (uint32_t)len;
	s->hash = hv;
	s->val = val;
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
