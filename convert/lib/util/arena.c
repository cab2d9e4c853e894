/* arena - many small allocations freed together */
#include "arena.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bigmem.h"

#define CHUNK_MIN ((size_t)256 << 10)
#define CHUNK_MAX ((size_t)8 << 20)
#define ALIGN 8

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;		/* bytes after the header (a multiple of ALIGN) */
};

/* the chunk header rounded up to ALIGN: allocations start aligned */
#define HDR ((sizeof(struct arena_chunk) + ALIGN - 1) / ALIGN * ALIGN)

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c;
	size_t size, total;
	void *p;

	if (n > SIZE_MAX - HDR - ALIGN) {
		errno = ENOMEM;
		return NULL;
	}
	n = (n + ALIGN - 1) / ALIGN * ALIGN;
	if (n == 0)
		n = ALIGN;
	if (n <= a->left) {
		p = a->cur;
		a->cur += n;
		a->left -= n;
		return p;
	}
	/*
	 * chunks double from 256 KB to 8 MB (a small table stays small); a
	 * block bigger than a quarter chunk gets a chunk of its own, behind
	 * the current one
	 */
	total = a->next ? a->next : CHUNK_MIN;
	if (n > (total - HDR) / 4)
		total = HDR + n;
	else if (a->next < CHUNK_MAX)
		a->next = total * 2;
	size = total - HDR;
	/* from 2 MB on in 2 MB pages (util/bigmem): a million-entry table fills
	   130 MB of chunks, and a fault per 4 KB page was a tenth of s2q-aliases' time */
	c = bigmem_zalloc(total);
	if (c == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	c->size = size;
	p = (char *)c + HDR;
	if (size == n && a->head != NULL) {
		c->next = a->head->next;
		a->head->next = c;
		return p;
	}
	c->next = a->head;
	a->head = c;
	a->cur = (char *)p + n;
	a->left = size - n;
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	while (c != NULL) {
		next = c->next;
		bigmem_free(c, HDR + c->size);
		c = next;
	}
	arena_init(a);
}
