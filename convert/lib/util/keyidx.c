/* keyidx - keys known by their 64-bit hash and offset: which repeat an earlier one, where one is */
#include "keyidx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void keyidx_init(struct keyidx *x)
{
	memset(x, 0, sizeof(*x));
}

void keyidx_free(struct keyidx *x)
{
	free(x->v);
	free(x->bstart);
	keyidx_init(x);
}

/* stable counting sort of v[0..n) into out by the 8 bits of h at shift */
static void pass(const struct keyidx_ent *v, struct keyidx_ent *out, size_t n, unsigned shift)
{
	size_t cnt[257] = { 0 }, i;

	for (i = 0; i < n; i++)
		cnt[((v[i].h >> shift) & 0xff) + 1]++;
	for (i = 0; i < 256; i++)
		cnt[i + 1] += cnt[i];
	for (i = 0; i < n; i++)
		out[cnt[(v[i].h >> shift) & 0xff]++] = v[i];
}

int keyidx_sort(struct keyidx *x, struct keyidx_ent *v, size_t n)
{
	struct keyidx_ent *t;
	size_t cnt[257] = { 0 }, pos[256], i, b;

	keyidx_free(x);
	t = malloc((n ? n : 1) * sizeof(*t));
	if (t == NULL) {
		free(v);
		errno = ENOMEM;
		return -1;
	}
	/*
	 * by the top 8 bits (one pass, 256 streams), then each group by bits
	 * 32..55 (three passes in a buffer that fits the cache): sorted by the
	 * top 32 bits, every pass stable
	 */
	for (i = 0; i < n; i++)
		cnt[(v[i].h >> 56) + 1]++;
	for (i = 0; i < 256; i++)
		cnt[i + 1] += cnt[i];
	memcpy(pos, cnt, sizeof(pos));
	for (i = 0; i < n; i++)
		t[pos[v[i].h >> 56]++] = v[i];
	for (b = 0; b < 256; b++) {
		size_t lo = cnt[b], m = cnt[b + 1] - cnt[b];

		pass(t + lo, v + lo, m, 32);
		pass(v + lo, t + lo, m, 40);
		pass(t + lo, v + lo, m, 48);
	}
	free(t);
	x->v = v;
	x->n = n;
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int keyidx_dups(const struct keyidx *x, int (*same)(void *ctx, size_t a, size_t b), void *ctx,
		size_t **dups, size_t *ndups)
{
	const struct keyidx_ent *v = x->v;
	size_t *d = NULL, nd = 0, i, j;
	int r;

	*dups = NULL;
	*ndups = 0;
	/* equal hashes are in one run of equal top 32 bits, in key order */
	for (j = 1; j < x->n; j++)
		for (i = j; i-- > 0 && (v[i].h >> 32) == (v[j].h >> 32);) {
			if (v[i].h != v[j].h)
				continue;
			r = same(ctx, v[i].off, v[j].off);
			if (r < 0)
				goto oom;
			if (r == 0)
				continue;
			if (nd % 64 == 0) {
				size_t *nv = realloc(d, (nd + 64) * sizeof(*nv));

				if (nv == NULL)
					goto oom;
				d = nv;
			}
			d[nd++] = v[j].off;	/* the later one */
			break;
		}
	if (nd > 1)
		qsort(d, nd, sizeof(*d), cmp_size);
	*dups = d;
	*ndups = nd;
	return 0;
oom:
	free(d);
	errno = ENOMEM;
	return -1;
}

int keyidx_index(struct keyidx *x)
{
	size_t nb, i, b = 0;

	for (x->bits = 4; x->bits < 24 && ((size_t)1 << x->bits) < x->n / 4; x->bits++)
		;
	nb = (size_t)1 << x->bits;
	free(x->bstart);
	x->bstart = malloc((nb + 1) * sizeof(*x->bstart));
	if (x->bstart == NULL) {
		errno = ENOMEM;
		return -1;
	}
	/* the entries are sorted by their top bits: each bucket is one stretch */
	for (i = 0; i < x->n; i++)
		while (b <= (size_t)(x->v[i].h >> (64 - x->bits)))
			x->bstart[b++] = i;
	while (b <= nb)
		x->bstart[b++] = x->n;
	return 0;
}

void keyidx_find(const struct keyidx *x, uint64_t h, size_t *lo, size_t *hi)
{
	size_t b = (size_t)(h >> (64 - x->bits));

	/* a bucket is in order of the top 32 bits, then key order: h's may interleave */
	*lo = x->bstart[b];
	*hi = x->bstart[b + 1];
}
