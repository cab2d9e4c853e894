/* buf - length-counted, growable, binary-safe byte buffer */
#ifndef S2Q_BUF_H
#define S2Q_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*
 * s[0..len) holds the bytes; NUL bytes are ordinary data.  cap is the
 * allocated size.  A zeroed struct is a valid empty buffer.  Every growing
 * call returns 0, or -1 with errno ENOMEM (overflow or allocation failure),
 * leaving the old contents intact.
 */
typedef struct buf {
	char *s;
	size_t len;
	size_t cap;
} buf;

#define BUF_INIT { NULL, 0, 0 }

/*
 * The calls made millions of times per run (the route resolvers build and
 * compare small strings at every step) are inline here, with the growing
 * itself (buf_ready) out of line.
 */
/* buf_ready - make room for at least n more bytes (and buf_cstr's NUL) */
int buf_ready(buf *b, size_t n);

static inline void buf_init(buf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

static inline void buf_free(buf *b)
{
	free(b->s);
	buf_init(b);
}

/* buf_reset - forget the contents, keep the memory */
static inline void buf_reset(buf *b)
{
	b->len = 0;
}

static inline int buf_append(buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	/* room for n bytes and buf_cstr's NUL: len + n + 1 <= cap */
	if (n >= b->cap - b->len && buf_ready(b, n) < 0)
		return -1;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	return 0;
}

static inline int buf_append_s(buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

static inline int buf_append_c(buf *b, int c)
{
	if (b->cap - b->len < 2 && buf_ready(b, 1) < 0)
		return -1;
	b->s[b->len++] = (char)c;
	return 0;
}
/* buf_append_ulong - v in decimal (as "%lu") */
int buf_append_ulong(buf *b, unsigned long v);
/* buf_add_c - buf_append_c with the common case inline (per-byte loops) */
static inline int buf_add_c(buf *b, char c)
{
	if (b->len + 2 <= b->cap) {
		b->s[b->len++] = c;
		return 0;
	}
	return buf_append_c(b, c);
}
static inline int buf_copy(buf *b, const void *p, size_t n)
{
	b->len = 0;
	return buf_append(b, p, n);
}
/* buf_printf - append formatted text */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
/*
 * bufpool - the storage of scratch buffers kept for reuse: code that makes and
 * drops a few small buffers per call (the route resolvers, millions of times)
 * takes them from the pool and gives them back instead of allocating each time.
 * bufpool_take gives an empty buffer (keeping any capacity); bufpool_give takes
 * the storage back (a buffer over BUFPOOL_KEEP bytes, or one past BUFPOOL_N, is
 * freed) and leaves *b empty.  A zeroed pool is valid.  Built with
 * AddressSanitizer the pool keeps nothing, so a buffer used after it was given
 * back is reported.
 */
#define BUFPOOL_N	256
#define BUFPOOL_KEEP	4096
struct bufpool {
	buf v[BUFPOOL_N];
	size_t n;
};

static inline buf bufpool_take(struct bufpool *p)
{
	buf b = BUF_INIT;

	if (p->n) {
		b = p->v[--p->n];
		b.len = 0;
	}
	return b;
}

/* under AddressSanitizer a pool would hide a buffer used after it was given back */
#if defined(__SANITIZE_ADDRESS__)
#define BUFPOOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUFPOOL_OFF 1
#endif
#endif

static inline void bufpool_give(struct bufpool *p, buf *b)
{
#ifdef BUFPOOL_OFF
	(void)p;
	buf_free(b);
#else
	if (b->s && b->cap <= BUFPOOL_KEEP && p->n < BUFPOOL_N) {
		p->v[p->n++] = *b;
		buf_init(b);
	} else {
		buf_free(b);
	}
#endif
}
void bufpool_free(struct bufpool *p);

/* mem_dupz - a malloc'ed copy of s[0..n) with a NUL after it (embedded NULs kept); NULL ENOMEM */
char *mem_dupz(const void *s, size_t n);

/* buf_cstr - NUL-terminate (not counted in len) and return s; NULL on ENOMEM */
static inline char *buf_cstr(buf *b)
{
	if (b->len >= b->cap && buf_ready(b, 0) < 0)
		return NULL;
	b->s[b->len] = '\0';
	return b->s;
}
/* buf_eq - compare contents with p[0..n) */
int buf_eq(const buf *b, const void *p, size_t n);

#endif
