/* arena - many small allocations freed together */
#ifndef S2Q_ARENA_H
#define S2Q_ARENA_H

#include <stddef.h>

/*
 * Bump allocation from big chunks: no header per allocation and one free
 * per chunk (a 1M-entry alias table makes a million small blocks that live
 * as long as the table).  A zeroed struct is an empty arena.
 */
struct arena {
	struct arena_chunk *head;	/* the chunk being filled, then the older ones */
	char *cur;			/* its next free byte */
	size_t left;			/* bytes free after cur */
	size_t next;			/* the next chunk's size (0: the first) */
};

void arena_init(struct arena *a);
/* arena_alloc - n bytes aligned for any object up to 8 bytes; NULL with ENOMEM */
void *arena_alloc(struct arena *a, size_t n);
/* arena_free - every allocation at once; the arena is empty again */
void arena_free(struct arena *a);

#endif
