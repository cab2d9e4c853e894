/* udiff - line diff of two byte buffers, printed as `diff -u` prints it */
#include "udiff.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* one input: its lines (off[i]..off[i+1]), their equivalence classes, change flags */
struct side {
	const char *p;
	size_t n;
	size_t *off;
	uint32_t *id;
	char *ch;
};

int udiff_is_binary(const char *p, size_t n)
{
	return n > 0 && memchr(p, '\0', n) != NULL;
}

static void side_free(struct side *s)
{
	free(s->off);
	free(s->id);
	free(s->ch);
	memset(s, 0, sizeof(*s));
}

/* side_init - split p into lines ('\n' kept with its line) */
static int side_init(struct side *s, const char *p, size_t len)
{
	size_t n = 0, i, k;
	const char *q = p, *end = p + len;

	memset(s, 0, sizeof(*s));
	s->p = p;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		n++;
		q = nl ? nl + 1 : end;
	}
	if (n >= UINT32_MAX || n > SIZE_MAX / sizeof(size_t) - 1)
		goto oom;
	s->n = n;
	s->off = malloc((n + 1) * sizeof(size_t));
	s->id = malloc((n ? n : 1) * sizeof(uint32_t));
	s->ch = calloc(n ? n : 1, 1);
	if (s->off == NULL || s->id == NULL || s->ch == NULL)
		goto oom;
	for (q = p, k = 0; q < end; k++) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		s->off[k] = (size_t)(q - p);
		q = nl ? nl + 1 : end;
	}
	s->off[n] = len;
	for (i = 0; i < n; i++)
		s->id[i] = 0;
	return 0;
oom:
	side_free(s);
	errno = ENOMEM;
	return -1;
}

static const char *line(const struct side *s, size_t i, size_t *len)
{
	*len = s->off[i + 1] - s->off[i];
	return s->p + s->off[i];
}

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a 64 */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * classify - give equal lines of both inputs the same number: an open
 * addressing table of (hash, representative line) pairs, no copies
 */
static int classify(struct side *a, struct side *b, size_t lo, size_t ahi, size_t bhi)
{
	struct slot {
		uint64_t h;
		uint32_t rep;	/* representative: index into a then b, + 1; 0 = empty */
		uint32_t id;
	} *t;
	size_t na = ahi - lo, total = na + (bhi - lo), nslots = 16, mask, k;
	uint32_t next = 0;

	while (nslots < 2 * total) {
		if (nslots > SIZE_MAX / 2 / sizeof(*t)) {
			errno = ENOMEM;
			return -1;
		}
		nslots *= 2;
	}
	t = calloc(nslots, sizeof(*t));
	if (t == NULL) {
		errno = ENOMEM;
		return -1;
	}
	mask = nslots - 1;
	for (k = 0; k < total; k++) {
		struct side *s = k < na ? a : b;
		size_t i = lo + (k < na ? k : k - na), len, rlen;
		const char *p = line(s, i, &len), *r;
		uint64_t h = hash(p, len);
		size_t j = (size_t)(h ^ (h >> 29)) & mask;

		for (;; j = (j + 1) & mask) {
			struct slot *sl = &t[j];

			if (sl->rep == 0) {
				sl->h = h;
				sl->rep = (uint32_t)k + 1;
				sl->id = next++;
				s->id[i] = sl->id;
				break;
			}
			if (sl->h != h)
				continue;
			r = sl->rep - 1 < na ? line(a, lo + sl->rep - 1, &rlen)
					     : line(b, lo + sl->rep - 1 - na, &rlen);
			if (rlen == len && memcmp(r, p, len) == 0) {
				s->id[i] = sl->id;
				break;
			}
		}
	}
	free(t);
	return 0;
}

static int sameline(const struct side *a, size_t i, const struct side *b, size_t j)
{
	size_t la, lb;
	const char *p = line(a, i, &la), *q = line(b, j, &lb);

	return la == lb && memcmp(p, q, la) == 0;
}

/* the middle-snake search over the two id vectors */
struct mctx {
	const uint32_t *xv, *yv;	/* the ids of the lines taking part */
	const size_t *xi, *yi;		/* their line numbers */
	char *xch, *ych;
	ptrdiff_t *fd, *bd;	/* furthest x per diagonal, offset so that [-m-1, n+1] is valid */
	ptrdiff_t limit;	/* cost after which the search settles for the best point so far */
};

/*
 * split - find where a minimal path from (xoff,yoff) to (xlim,ylim) crosses
 * its middle, searching forward and backward at once; the boxes given are
 * never empty on both axes and never start or end with equal lines
 */
static void split(struct mctx *c, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff, ptrdiff_t ylim,
		  ptrdiff_t *xmid, ptrdiff_t *ymid)
{
	const uint32_t *xv = c->xv, *yv = c->yv;
	ptrdiff_t *fd = c->fd, *bd = c->bd;
	const ptrdiff_t dmin = xoff - ylim, dmax = xlim - yoff;
	const ptrdiff_t fmid = xoff - yoff, bmid = xlim - ylim;
	ptrdiff_t fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid, cost, d;
	const int odd = (int)((fmid - bmid) & 1);

	fd[fmid] = xoff;
	bd[bmid] = xlim;
	for (cost = 1;; cost++) {
		/* widen the forward range by one diagonal each side, or narrow it at an edge */
		if (fmin > dmin)
			fd[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			fd[++fmax + 1] = -1;
		else
			--fmax;
		for (d = fmax; d >= fmin; d -= 2) {
			ptrdiff_t lo = fd[d - 1], hi = fd[d + 1];
			ptrdiff_t x = lo < hi ? hi : lo + 1, y;

			if (x > xlim)
				x = xlim;
			if (x - d > ylim)
				x = ylim + d;
			y = x - d;
			while (x < xlim && y < ylim && xv[x] == yv[y]) {
				x++;
				y++;
			}
			fd[d] = x;
			if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
				*xmid = x;
				*ymid = y;
				return;
			}
		}
		if (bmin > dmin)
			bd[--bmin - 1] = PTRDIFF_MAX;
		else
			++bmin;
		if (bmax < dmax)
			bd[++bmax + 1] = PTRDIFF_MAX;
		else
			--bmax;
		for (d = bmax; d >= bmin; d -= 2) {
			ptrdiff_t lo = bd[d - 1], hi = bd[d + 1];
			ptrdiff_t x = lo < hi ? lo : hi - 1, y;

			if (x < xoff)
				x = xoff;
			if (x - d < yoff)
				x = yoff + d;
			y = x - d;
			while (x > xoff && y > yoff && xv[x - 1] == yv[y - 1]) {
				x--;
				y--;
			}
			bd[d] = x;
			if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
				*xmid = x;
				*ymid = y;
				return;
			}
		}
		if (cost >= c->limit) {
			/* too expensive: take whichever search got furthest */
			ptrdiff_t fbest = -1, fx = xoff, bbest = PTRDIFF_MAX, bx = xlim;

			for (d = fmax; d >= fmin; d -= 2) {
				ptrdiff_t x = fd[d] < xlim ? fd[d] : xlim, y = x - d;

				if (y > ylim) {
					x = ylim + d;
					y = ylim;
				}
				if (fbest < x + y) {
					fbest = x + y;
					fx = x;
				}
			}
			for (d = bmax; d >= bmin; d -= 2) {
				ptrdiff_t x = bd[d] > xoff ? bd[d] : xoff, y = x - d;

				if (y < yoff) {
					x = yoff + d;
					y = yoff;
				}
				if (x + y < bbest) {
					bbest = x + y;
					bx = x;
				}
			}
			if ((xlim + ylim) - bbest < fbest - (xoff + yoff)) {
				*xmid = fx;
				*ymid = fbest - fx;
			} else {
				*xmid = bx;
				*ymid = bbest - bx;
			}
			return;
		}
	}
}

/* compare - mark the changed lines of x[xoff..xlim) and y[yoff..ylim) */
static void compare(struct mctx *c, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff, ptrdiff_t ylim)
{
	for (;;) {
		ptrdiff_t xmid, ymid;

		while (xoff < xlim && yoff < ylim && c->xv[xoff] == c->yv[yoff]) {
			xoff++;
			yoff++;
		}
		while (xlim > xoff && ylim > yoff && c->xv[xlim - 1] == c->yv[ylim - 1]) {
			xlim--;
			ylim--;
		}
		if (xoff == xlim) {
			while (yoff < ylim)
				c->ych[c->yi[yoff++]] = 1;
			return;
		}
		if (yoff == ylim) {
			while (xoff < xlim)
				c->xch[c->xi[xoff++]] = 1;
			return;
		}
		split(c, xoff, xlim, yoff, ylim, &xmid, &ymid);
		if ((xmid == xoff && ymid == yoff) || (xmid == xlim && ymid == ylim)) {
			/* no progress (only possible after the cost limit): all changed */
			while (xoff < xlim)
				c->xch[c->xi[xoff++]] = 1;
			while (yoff < ylim)
				c->ych[c->yi[yoff++]] = 1;
			return;
		}
		compare(c, xoff, xmid, yoff, ymid);
		xoff = xmid;
		yoff = ymid;
	}
}

/*
 * shift - slide every run of changed lines of x down as far as equal lines
 * allow (merging with runs it meets), then back up to the lowest place where
 * it faces a run of changes in y, so that a change reads as a replacement
 */
static void shift(const struct side *x, const struct side *y, size_t lo, size_t xhi, size_t yhi)
{
	const uint32_t *id = x->id + lo;
	char *ch = x->ch + lo;
	const char *och = y->ch + lo;
	size_t n = xhi - lo, m = yhi - lo, i = 0, j = 0;

	/* j: index in y of the unchanged line paired with the next unchanged line of x */
	while (j < m && och[j])
		j++;
	while (i < n) {
		size_t start, end, runlen, corr;

		if (!ch[i]) {
			i++;
			if (j < m)
				j++;
			while (j < m && och[j])
				j++;
			continue;
		}
		start = i;
		end = i;
		while (end < n && ch[end])
			end++;
		do {
			runlen = end - start;
			/* up, while the line above equals the run's last line */
			while (start > 0 && id[start - 1] == id[end - 1]) {
				ch[--start] = 1;
				ch[--end] = 0;
				while (start > 0 && ch[start - 1])
					start--;
				/* one unchanged line of x fewer above the run */
				if (j > 0)
					j--;
				while (j > 0 && och[j])
					j--;
			}
			corr = (j > 0 && och[j - 1]) ? end : n + 1;
			/* down, while the run's first line equals the line below */
			while (end < n && id[start] == id[end]) {
				ch[start++] = 0;
				ch[end++] = 1;
				while (end < n && ch[end])
					end++;
				if (j < m)
					j++;
				while (j < m && och[j])
					j++;
				if (j > 0 && och[j - 1])
					corr = end;
			}
		} while (runlen != end - start);
		while (corr < end) {
			ch[--start] = 1;
			ch[--end] = 0;
			if (j > 0)
				j--;
			while (j > 0 && och[j])
				j--;
		}
		i = end;
	}
}

/* cost_limit - about twice the square root of n, at least 4096 */
static ptrdiff_t cost_limit(size_t n)
{
	ptrdiff_t lim = 1;
	size_t d;

	for (d = n + 3; d != 0; d >>= 2)
		lim <<= 1;
	return lim < 4096 ? 4096 : lim;
}

/*
 * setaside - which lines of s[lo..hi) stay out of the search (marked changed
 * at once), following GNU diff so that the same hunks come out:
 *  - a line with no equal line on the other side is certainly a change (1);
 *  - a line with more than `many` equals on the other side (many = 5, doubled
 *    for every factor of 4 in lines/64) is a candidate (2), set aside only
 *    inside a stretch of set-aside lines that begins and ends with a 1, when
 *    candidates make up at most a quarter of the stretch, are not in a row of
 *    `enough` or more (enough = 1 + about sqrt(stretch/4)), and lie between
 *    the first and last places where the stretch has three 1s in a row (or a
 *    1 at least 8 lines from its ends).
 * count[id] = occurrences of id on the other side; mark[] gets 0, 1 or 2.
 */
static void setaside(const struct side *s, size_t lo, size_t hi, const size_t *count, char *mark)
{
	size_t n = hi - lo, many = 5, t, i, j, k;

	for (t = n / 64; (t >>= 2) > 0;)
		many *= 2;
	for (i = 0; i < n; i++) {
		size_t c = count[s->id[lo + i]];

		mark[i] = c == 0 ? 1 : c > many ? 2 : 0;
	}
	for (i = 0; i < n; i++) {
		size_t len, cand = 0, enough = 1, run;

		if (mark[i] == 2)
			mark[i] = 0;	/* a candidate not inside a stretch */
		if (mark[i] != 1)
			continue;
		for (j = i; j < n && mark[j]; j++)
			cand += mark[j] == 2;
		while (j > i && mark[j - 1] == 2) {
			mark[--j] = 0;
			cand--;
		}
		len = j - i;
		if (cand * 4 > len) {
			for (k = i; k < j; k++)
				if (mark[k] == 2)
					mark[k] = 0;
			i = j - 1;
			continue;
		}
		for (t = len >> 2; (t >>= 2) > 0;)
			enough <<= 1;
		enough++;
		/* rows of `enough` or more candidates stay in the search */
		for (k = i; k < j; k = t) {
			for (t = k; t < j && mark[t] == 2; t++)
				;
			if (t - k >= enough)
				memset(mark + k, 0, t - k);
			if (t == k)
				t++;
		}
		/* from each end, candidates before a row of three 1s (or a 1 8 lines in) stay */
		for (k = 0, run = 0; k < len; k++) {
			char *m = &mark[i + k];

			if (k >= 8 && *m == 1)
				break;
			if (*m == 2) {
				*m = 0;
				run = 0;
			} else if (*m == 0) {
				run = 0;
			} else if (++run == 3) {
				break;
			}
		}
		for (k = 0, run = 0; k < len; k++) {
			char *m = &mark[j - 1 - k];

			if (k >= 8 && *m == 1)
				break;
			if (*m == 2) {
				*m = 0;
				run = 0;
			} else if (*m == 0) {
				run = 0;
			} else if (++run == 3) {
				break;
			}
		}
		i = j - 1;
	}
}

/* keep - the lines of s[lo..hi) not set aside, into v (ids) and idx (line numbers) */
static size_t keep(const struct side *s, size_t lo, size_t hi, const char *mark, uint32_t *v,
		   size_t *idx)
{
	size_t i, k = 0;

	for (i = lo; i < hi; i++) {
		if (mark[i - lo]) {
			s->ch[i] = 1;
			continue;
		}
		v[k] = s->id[i];
		idx[k++] = i;
	}
	return k;
}

/*
 * script - the edit script.  Like GNU diff, only the lines between the
 * common head and tail, plus `horizon` lines of each, take part: a run of
 * changes never slides further than that into identical surroundings.
 */
static int script(struct side *a, struct side *b, size_t horizon)
{
	struct mctx c;
	size_t head = 0, tail = 0, lo, ahi, bhi, na, nb, nd, nid = 0, i, *ca = NULL, *cb = NULL;
	size_t *xi = NULL, *yi = NULL;
	uint32_t *xv = NULL, *yv = NULL;
	char *ma = NULL, *mb = NULL;
	ptrdiff_t *fd = NULL;
	int r = -1;

	while (head < a->n && head < b->n && sameline(a, head, b, head))
		head++;
	while (tail < a->n - head && tail < b->n - head &&
	       sameline(a, a->n - 1 - tail, b, b->n - 1 - tail))
		tail++;
	lo = head > horizon ? head - horizon : 0;
	ahi = a->n - (tail > horizon ? tail - horizon : 0);
	bhi = b->n - (tail > horizon ? tail - horizon : 0);
	/* only the lines between the identical ends get equivalence classes */
	if (classify(a, b, lo, ahi, bhi) < 0)
		return -1;
	for (i = lo; i < ahi; i++)
		if (a->id[i] >= nid)
			nid = a->id[i] + 1;
	for (i = lo; i < bhi; i++)
		if (b->id[i] >= nid)
			nid = b->id[i] + 1;
	nd = (ahi - lo) + (bhi - lo) + 3;
	ca = calloc(nid ? nid : 1, sizeof(size_t));
	cb = calloc(nid ? nid : 1, sizeof(size_t));
	xi = malloc((ahi - lo + 1) * sizeof(size_t));
	yi = malloc((bhi - lo + 1) * sizeof(size_t));
	xv = malloc((ahi - lo + 1) * sizeof(uint32_t));
	yv = malloc((bhi - lo + 1) * sizeof(uint32_t));
	ma = malloc(ahi - lo + 1);
	mb = malloc(bhi - lo + 1);
	if (nd <= SIZE_MAX / sizeof(ptrdiff_t) / 2)
		fd = malloc(2 * nd * sizeof(ptrdiff_t));
	if (ca == NULL || cb == NULL || xi == NULL || yi == NULL || xv == NULL || yv == NULL ||
	    ma == NULL || mb == NULL || fd == NULL) {
		errno = ENOMEM;
		goto done;
	}
	for (i = lo; i < ahi; i++)
		ca[a->id[i]]++;
	for (i = lo; i < bhi; i++)
		cb[b->id[i]]++;
	setaside(a, lo, ahi, cb, ma);
	setaside(b, lo, bhi, ca, mb);
	na = keep(a, lo, ahi, ma, xv, xi);
	nb = keep(b, lo, bhi, mb, yv, yi);
	c.xv = xv;
	c.yv = yv;
	c.xi = xi;
	c.yi = yi;
	c.xch = a->ch;
	c.ych = b->ch;
	c.fd = fd + nb + 1;
	c.bd = fd + nd + nb + 1;
	c.limit = cost_limit(na + nb);
	compare(&c, 0, (ptrdiff_t)na, 0, (ptrdiff_t)nb);
	shift(a, b, lo, ahi, bhi);
	shift(b, a, lo, bhi, ahi);
	r = 0;
done:
	free(ca);
	free(cb);
	free(xi);
	free(yi);
	free(xv);
	free(yv);
	free(ma);
	free(mb);
	free(fd);
	return r;
}

int udiff_script(const char *a, size_t alen, const char *b, size_t blen, char **ach, char **bch,
		 struct udiff_stats *st)
{
	struct side sa, sb;
	size_t i;

	if (side_init(&sa, a, alen) < 0)
		return -1;
	if (side_init(&sb, b, blen) < 0) {
		side_free(&sa);
		return -1;
	}
	if (script(&sa, &sb, 3) < 0) {
		side_free(&sa);
		side_free(&sb);
		return -1;
	}
	if (st) {
		memset(st, 0, sizeof(*st));
		st->nlines_a = sa.n;
		st->nlines_b = sb.n;
		for (i = 0; i < sa.n; i++)
			st->ndel += (size_t)sa.ch[i];
		for (i = 0; i < sb.n; i++)
			st->nadd += (size_t)sb.ch[i];
	}
	*ach = sa.ch;
	*bch = sb.ch;
	sa.ch = sb.ch = NULL;
	side_free(&sa);
	side_free(&sb);
	return 0;
}

/* output: one change is a[a0..a0+na) replaced by b[b0..b0+nb) */
struct change {
	size_t a0, na, b0, nb;
};

struct out {
	const struct udiff_sink *sink;
	buf b;
};

static int flush(struct out *o)
{
	int r = 0;

	if (o->b.len)
		r = o->sink->write(o->sink->ctx, o->b.s, o->b.len);
	buf_reset(&o->b);
	return r;
}

static int put_line(struct out *o, char prefix, const struct side *s, size_t i)
{
	size_t len;
	const char *p = line(s, i, &len);

	if (buf_append_c(&o->b, prefix) < 0 || buf_append(&o->b, p, len) < 0)
		return -1;
	if ((len == 0 || p[len - 1] != '\n') &&
	    buf_append_s(&o->b, "\n\\ No newline at end of file\n") < 0)
		return -1;
	return o->b.len >= 65536 ? flush(o) : 0;
}

static int put_range(struct out *o, size_t start, size_t count)
{
	if (count == 1)
		return buf_printf(&o->b, "%zu", start + 1);
	return buf_printf(&o->b, "%zu,%zu", count ? start + 1 : start, count);
}

static int put_hunk(struct out *o, const struct side *a, const struct side *b,
		    const struct change *cv, size_t nc, unsigned context)
{
	size_t alo, ahi, blo, after, pos, k, i;
	const struct change *last = &cv[nc - 1];

	alo = cv[0].a0 > context ? cv[0].a0 - context : 0;
	blo = cv[0].b0 - (cv[0].a0 - alo);
	after = a->n - (last->a0 + last->na);
	if (after > context)
		after = context;
	ahi = last->a0 + last->na + after;
	if (buf_append_s(&o->b, "@@ -") < 0 || put_range(o, alo, ahi - alo) < 0 ||
	    buf_append_s(&o->b, " +") < 0 ||
	    put_range(o, blo, last->b0 + last->nb + after - blo) < 0 ||
	    buf_append_s(&o->b, " @@\n") < 0)
		return -1;
	pos = alo;
	for (k = 0; k < nc; k++) {
		for (; pos < cv[k].a0; pos++)
			if (put_line(o, ' ', a, pos) < 0)
				return -1;
		for (i = 0; i < cv[k].na; i++)
			if (put_line(o, '-', a, cv[k].a0 + i) < 0)
				return -1;
		for (i = 0; i < cv[k].nb; i++)
			if (put_line(o, '+', b, cv[k].b0 + i) < 0)
				return -1;
		pos = cv[k].a0 + cv[k].na;
	}
	for (; pos < ahi; pos++)
		if (put_line(o, ' ', a, pos) < 0)
			return -1;
	return 0;
}

static int print(const struct side *a, const struct side *b, const char *la, const char *lb,
		 unsigned context, const struct udiff_sink *sink, size_t *nhunks)
{
	struct out o = { sink, BUF_INIT };
	struct change *cv = NULL;
	size_t nc = 0, cap = 0, i = 0, j = 0, first = 0;
	int r = -1;

	while (i < a->n || j < b->n) {
		struct change ch;

		if (!(i < a->n && a->ch[i]) && !(j < b->n && b->ch[j])) {
			i++;
			j++;
			continue;
		}
		ch.a0 = i;
		ch.b0 = j;
		while (i < a->n && a->ch[i])
			i++;
		while (j < b->n && b->ch[j])
			j++;
		ch.na = i - ch.a0;
		ch.nb = j - ch.b0;
		if (nc == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct change *nv;

			if (ncap > SIZE_MAX / sizeof(*nv))
				goto oom;
			nv = realloc(cv, ncap * sizeof(*nv));
			if (nv == NULL)
				goto oom;
			cv = nv;
			cap = ncap;
		}
		cv[nc++] = ch;
	}
	*nhunks = 0;
	if (nc == 0) {
		r = 0;
		goto done;
	}
	if (buf_printf(&o.b, "--- %s\n+++ %s\n", la, lb) < 0)
		goto oom;
	for (i = 1; i <= nc; i++) {
		if (i < nc && cv[i].a0 - (cv[i - 1].a0 + cv[i - 1].na) <= 2 * (size_t)context)
			continue;
		if (put_hunk(&o, a, b, cv + first, i - first, context) < 0)
			goto oom;
		++*nhunks;
		first = i;
	}
	r = flush(&o) < 0 ? -1 : 1;
	goto done;
oom:
	errno = ENOMEM;
done:
	free(cv);
	buf_free(&o.b);
	return r;
}

int udiff(const char *a, size_t alen, const char *b, size_t blen, const char *la,
	  const char *lb, unsigned context, const struct udiff_sink *out, struct udiff_stats *st)
{
	struct side sa, sb;
	size_t nh = 0, i;
	int r;

	if (st)
		memset(st, 0, sizeof(*st));
	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 0;
	if (side_init(&sa, a, alen) < 0)
		return -1;
	if (side_init(&sb, b, blen) < 0) {
		side_free(&sa);
		return -1;
	}
	r = script(&sa, &sb, context);
	if (r == 0)
		r = print(&sa, &sb, la, lb, context, out, &nh);
	if (r >= 0 && st) {
		st->nlines_a = sa.n;
		st->nlines_b = sb.n;
		st->nhunks = nh;
		for (i = 0; i < sa.n; i++)
			st->ndel += (size_t)sa.ch[i];
		for (i = 0; i < sb.n; i++)
			st->nadd += (size_t)sb.ch[i];
	}
	side_free(&sa);
	side_free(&sb);
	return r;
}
