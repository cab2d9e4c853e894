/* buf - length-counted, growable, binary-safe byte buffer */
#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_ready(buf *b, size_t n)
{
	size_t want, ncap;
	char *p;

	if (n > SIZE_MAX - b->len - 1) {
		errno = ENOMEM;
		return -1;
	}
	want = b->len + n + 1;	/* room for buf_cstr's NUL */
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2) {
			ncap = want;
			break;
		}
		ncap *= 2;
	}
	p = realloc(b->s, ncap);
	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	b->s = p;
	b->cap = ncap;
	return 0;
}

int buf_append_ulong(buf *b, unsigned long v)
{
	char t[3 * sizeof(v) + 1];
	size_t n = sizeof(t);

	do {
		t[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_append(b, t + n, sizeof(t) - n);
}

int buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	int n;

	/* into the room there is (the usual case: one pass), else measured and again */
	va_copy(aq, ap);
	n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, aq);
	va_end(aq);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return 0;
	}
	if (buf_ready(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int buf_eq(const buf *b, const void *p, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->s, p, n) == 0);
}

char *mem_dupz(const void *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void bufpool_free(struct bufpool *p)
{
	while (p->n)
		buf_free(&p->v[--p->n]);
}
