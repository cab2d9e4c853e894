/* bigmem - zeroed memory for big tables, in 2 MB pages where the kernel gives them */
#include "bigmem.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

void *bigmem_zalloc(size_t n)
{
	void *p;

	if (n < BIGMEM_HUGE)
		return calloc(n ? n : 1, 1);
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

void bigmem_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	if (n < BIGMEM_HUGE)
		free(p);
	else
		munmap(p, n);
}

