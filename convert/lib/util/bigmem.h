/* bigmem - zeroed memory for big tables, in 2 MB pages where the kernel gives them */
#ifndef S2Q_BIGMEM_H
#define S2Q_BIGMEM_H

#include <stddef.h>

/*
 * bigmem_zalloc - n zeroed bytes.  From 2 MB on they are mapped directly:
 * the kernel's pages come zeroed (no memset faulting every page in and
 * zeroing it twice) and are asked for as 2 MB pages (one fault and one TLB
 * entry per 2 MB; pages are resident only once touched).  NULL on ENOMEM.
 * bigmem_free - give back what bigmem_zalloc(n) returned (NULL: nothing).
 */
#define BIGMEM_HUGE ((size_t)2 << 20)

void *bigmem_zalloc(size_t n);
void bigmem_free(void *p, size_t n);

#endif
