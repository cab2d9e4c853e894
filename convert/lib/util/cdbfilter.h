/* cdbfilter - which keys a cdb certainly does not hold, answered without touching the cdb */
#ifndef S2Q_CDBFILTER_H
#define S2Q_CDBFILTER_H

#include <stddef.h>
#include <stdint.h>

#include <cdb.h>

/*
 * A bit array over the hashes of every key of one cdb (two bits a key, about
 * sixteen bits of array per key: some 1.5% of absent keys still go to the
 * cdb).  A lookup of a key that is not there costs the cdb's hash table
 * slot and often a record, each a cache and TLB miss in a file of tens of
 * megabytes; the array is a few megabytes.  Sized from the cdb's table of
 * contents (a table has two slots per record) and filled by one pass over
 * the records with tinycdb's own reader; a cdb it cannot read to the end
 * leaves the filter off, so every lookup goes to the cdb as before (and
 * meets the same error).  A zeroed filter is off.
 */
struct cdbfilter {
	uint64_t *bits;
	size_t nbits;		/* a power of two, 0 when off */
};

/*
 * cdbfilter_build - the filter of c when it has at least min_keys keys (else
 * off): 0, or -1 ENOMEM (off).  The cdb must not change afterwards.
 */
int cdbfilter_build(struct cdbfilter *f, struct cdb *c, size_t min_keys);
void cdbfilter_free(struct cdbfilter *f);

/* cdbfilter_find - cdb_find(c, key, len), answered 0 at once when the filter rules key out */
int cdbfilter_find(const struct cdbfilter *f, struct cdb *c, const void *key, unsigned len);

#endif
