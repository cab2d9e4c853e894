/* lline - streaming logical-line reader with pluggable continuation rules */
#ifndef S2Q_LLINE_H
#define S2Q_LLINE_H

#include <stddef.h>

#include "buf.h"

/*
 * Continuation rules (flags, combine as the format needs):
 *   sendmail aliases:  LLINE_CONT_WS | LLINE_CONT_BSNL
 *   sendmail.cf:       LLINE_CONT_WS | LLINE_KEEP_NL | LLINE_CRLF
 *   makemap text, qmail files, users/assign: 0
 */
#define LLINE_CONT_WS	0x1	/* a line starting with SP or TAB continues the previous one */
#define LLINE_KEEP_NL	0x2	/* with LLINE_CONT_WS: keep the '\n' inside the joined line */
#define LLINE_CONT_BSNL	0x4	/* backslash-newline: drop both, join the next line directly */
#define LLINE_CRLF	0x8	/* a '\r' right before '\n' is dropped */

typedef struct lline {
	int fd;
	int owned;		/* close fd in lline_close */
	unsigned flags;
	size_t maxlen;		/* 0: unlimited; else longer lines are cut and toolong set */
	char *rbuf;
	size_t rpos, rlen;
	int eof;
	unsigned long phys;	/* physical lines consumed so far */
	/* about the logical line last returned: */
	unsigned long lineno;	/* its first physical line (1-based) */
	int nl;			/* its last physical line ended in '\n' */
	int toolong;		/* it was longer than maxlen and was cut */
	int hasnul;		/* it contains a NUL byte */
} lline;

/* lline_open - open a regular file; -1 with errno (EINVAL: not a regular file) */
int lline_open(lline *r, const char *path, unsigned flags);
/* lline_fdopen - read from fd (not closed by lline_close); -1 with ENOMEM */
int lline_fdopen(lline *r, int fd, unsigned flags);
/* lline_next - next logical line into out (replaced): 1 line, 0 end, -1 read error */
int lline_next(lline *r, buf *out);
void lline_close(lline *r);

#endif
