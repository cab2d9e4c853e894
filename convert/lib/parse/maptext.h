/* parse/maptext - makemap text sources (virtusertable, mailertable, access, genericstable, ...) */
#ifndef S2Q_PARSE_MAPTEXT_H
#define S2Q_PARSE_MAPTEXT_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/hset.h"
#include "../util/lline.h"

/*
 * The text format `makemap hash MAP < MAP` reads (../shared/ref/sendmail.md
 * §3.8, makemap/makemap.c), one record at a time:
 *
 *   - one record per line: KEY, white space, VALUE;
 *   - an empty line, or a line whose first byte is '#', is skipped; there
 *     is no other comment syntax: "# text" after a value is part of it;
 *   - no continuation lines: a line starting with white space is an error
 *     (makemap: "syntax error (leading space)"), a CR alone counts as white
 *     space, so an empty CRLF line is that error too;
 *   - KEY ends at the first white space; it is lower-cased (ASCII) unless
 *     MAPTEXT_NOFOLD (makemap -f);
 *   - VALUE is the rest after the white space run, kept exactly: inner and
 *     trailing blanks, and the CR of a CRLF file (warned) stay in it;
 *     no value is an error ("no RHS for LHS");
 *   - a line longer than makemap's 1024-byte buffer (1022 bytes plus the
 *     newline) is an error ("line too long");
 *   - a key seen before (after folding) is an error ("duplicate key"):
 *     makemap keeps the FIRST line; the later one is reported with both
 *     line numbers and not returned.
 *
 * Every problem is reported to the sink with FILE:LINE (codes S2Q-M0nn) and
 * the line is skipped; records are returned in file order.  Memory: the
 * current line plus one copy of every distinct key (duplicate detection),
 * unless the caller keeps the keys itself (maptext_keys).
 */
#define MAPTEXT_NOFOLD 0x1	/* keys keep their case (makemap -f) */

#define MAPTEXT_LINE_MAX 1022	/* longest line makemap reads, without its newline */

struct maptext_rec {
	const char *key;	/* points into the reader; valid until the next call */
	size_t klen;
	const char *val;
	size_t vlen;
	unsigned long line;
};

/*
 * A caller that keeps every record's key anyway (s2q-virtusers: the mapped
 * file) answers whether a key was seen: put(ctx, key, klen, line, &first)
 * records the key of line (1), or says which earlier line has it (0, *first
 * set), -1 ENOMEM.  Then maptext keeps no key.
 */
struct maptext_keys {
	int (*put)(void *ctx, const char *key, size_t klen, unsigned long line,
		   unsigned long *first);
	void *ctx;
};

struct maptext {
	lline r;
	int fd;
	buf line;
	struct hset seen;	/* key -> line of its first occurrence (no keys set) */
	const struct maptext_keys *keys;	/* or the caller's (maptext_set_keys) */
	unsigned flags;
	const char *file;	/* name used in diagnostics */
	struct diag_sink *d;
	unsigned long nrec;	/* records returned so far */
};

/* maptext_fdopen - read from fd, which maptext_close closes; 0, or -1 with errno */
int maptext_fdopen(struct maptext *m, int fd, const char *file, unsigned flags,
		   struct diag_sink *d);
/* maptext_set_keys - duplicate keys found by k (kept by the caller) from the next record on */
void maptext_set_keys(struct maptext *m, const struct maptext_keys *k);
/* maptext_next - 1 record, 0 end of input, -1 system error (errno) */
int maptext_next(struct maptext *m, struct maptext_rec *rec);
void maptext_close(struct maptext *m);

#endif
