/* arena - many small allocations freed together */
#include "arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE ((size_t)256 << 10)
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
	size_t size;
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
	/* a block bigger than a quarter chunk gets a chunk of its own, behind the current one */
	size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE - HDR;
	c = malloc(HDR + size);
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
		free(c);
		c = next;
	}
	arena_init(a);
}
