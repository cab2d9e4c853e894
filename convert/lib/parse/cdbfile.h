/* parse/cdbfile - a cdb file read record by record, its structure checked */
#ifndef S2Q_PARSE_CDBFILE_H
#define S2Q_PARSE_CDBFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"
#include "../util/diag.h"

/*
 * The cdb format (../shared/ref/qmail.md §7.1): a 2048-byte table of
 * contents (256 position/slot-count pairs), the records (klen, vlen, key,
 * data) from offset 2048 up to the first table's position, then the 256
 * hash tables.  The reader works on bytes in memory (a mapped file), never
 * allocates per record and never reads outside them: every length is
 * checked, and a malformed file is reported to the sink (S2Q-D001..D008)
 * with the display name, never a crash.  After a structural error (a record
 * running past the end) nothing more can be read; the caller sees the end.
 */
struct cdbfile {
	const unsigned char *p;
	size_t size;
	size_t eod;		/* end of the records */
	size_t pos;		/* next record */
	unsigned long nrec;	/* records returned so far */
	const char *file;	/* display name for diagnostics */
	struct diag_sink *d;
	int bad;		/* a structural error was reported: no more records */
	int badindex;		/* a hash table lies outside the file (records still readable) */
};

struct cdbrec {
	const char *key, *val;
	size_t klen, vlen;
	size_t off;		/* file offset of the record */
	unsigned long n;	/* 1-based record number */
};

/* cdbfile_hash - the cdb hash of a key */
uint32_t cdbfile_hash(const void *key, size_t len);

/*
 * cdbfile_init - check the table of contents of p[0..size); 0 good, 1
 * malformed (reported; if the records cannot be found, cdbfile_next
 * returns 0 at once; if only a hash table is bad, the records can be read).
 */
int cdbfile_init(struct cdbfile *f, const void *p, size_t size, const char *file,
		 struct diag_sink *d);
/* cdbfile_next - 1 and the next record in file order, 0 at the end (or after an error) */
int cdbfile_next(struct cdbfile *f, struct cdbrec *r);
/* cdbfile_rewind - start again from the first record */
void cdbfile_rewind(struct cdbfile *f);
/*
 * cdbfile_find - look a key up through the hash tables, as qmail's cdb_seek
 * and tinycdb's cdb_find do: 1 and the first record with that key (r->n is
 * 0: unknown), 0 if absent or if the index points outside the records.
 */
int cdbfile_find(const struct cdbfile *f, const void *key, size_t klen, struct cdbrec *r);
/*
 * cdbfile_verify - check that the hash tables index exactly the records, so
 * a lookup (qmail's cdb_seek, tinycdb's cdb_find) finds every record and,
 * for duplicate keys, the first one first.  Problems are reported; 0 good,
 * 1 problems found.
 */
int cdbfile_verify(struct cdbfile *f);

/*
 * cdbfile_dump - the whole file as `cdb -d` prints it: "+klen,vlen:key->data\n"
 * per record and an empty line at the end.  0 good, 1 malformed (reported,
 * out holds the records before the problem), -1 ENOMEM.
 */
int cdbfile_dump(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d);
/* cdbfile_readable - 1 if every record of p[0..size) can be read (the index is not checked) */
int cdbfile_readable(const void *p, size_t size);
/* cdbfile_check - 0 if p[0..size) is a well-formed cdb, 1 if not (nothing reported) */
int cdbfile_check(const void *p, size_t size);

#endif
