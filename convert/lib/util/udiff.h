/* udiff - line diff of two byte buffers, printed as `diff -u` prints it */
#ifndef S2Q_UDIFF_H
#define S2Q_UDIFF_H

#include <stddef.h>

/*
 * Output goes through a sink: write(ctx, p, n) returns 0, or -1 with errno.
 * Lines are compared as bytes, their '\n' included, so a last line without
 * '\n' differs from the same line with one (GNU diff does the same and
 * prints "\ No newline at end of file").  Any byte is allowed in a line; a
 * buffer holding a NUL is binary for udiff_is_binary (GNU diff's rule), but
 * udiff itself is binary-safe and diffs whatever it is given.
 *
 * The edit script is minimal (Myers' O((N+M)D) algorithm in its linear-space
 * divide-and-conquer form, after removing common head and tail lines), with
 * each run of changes slid down as far as the text allows and then back to
 * the last place where it lines up with a change on the other side, which is
 * what GNU diff prints.  When the cost passes a limit that grows with the
 * square root of the input, the search stops at the furthest point reached
 * (deterministic, no longer minimal), so time stays near-linear on
 * pathological input.  Memory is linear in the number of lines.
 */
struct udiff_sink {
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
};

struct udiff_stats {
	size_t nlines_a, nlines_b;	/* lines in each input */
	size_t ndel, nadd;		/* lines deleted from a, added from b */
	size_t nhunks;
};

/* udiff_is_binary - 1 if p[0..n) contains a NUL byte */
int udiff_is_binary(const char *p, size_t n);

/*
 * udiff - compare a and b; when they differ, write "--- la\n+++ lb\n" and the
 * hunks (`context` lines of context, 3 for diff -u).  1 differ, 0 same
 * (nothing written), -1 error (ENOMEM, or the sink's errno).  st may be NULL.
 */
int udiff(const char *a, size_t alen, const char *b, size_t blen, const char *la,
	  const char *lb, unsigned context, const struct udiff_sink *out, struct udiff_stats *st);

/*
 * udiff_script - the edit script only: ach[i] = 1 if line i of a is deleted,
 * bch[j] = 1 if line j of b is inserted (arrays of nlines_a / nlines_b bytes,
 * malloc'ed, freed by the caller).  0, or -1 ENOMEM.
 */
int udiff_script(const char *a, size_t alen, const char *b, size_t blen, char **ach, char **bch,
		 struct udiff_stats *st);

#endif
