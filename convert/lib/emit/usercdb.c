/* emit/usercdb - users/cdb exactly as qmail-newu writes it */
#include "usercdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int usercdb_open(struct usercdb *u, int rootfd, const char *rel, struct diag_sink *d,
		 const char *file)
{
	memset(u, 0, sizeof(*u));
	u->d = d;
	u->file = file;
	if (rootfd >= 0) {
		if (cdbw_open(&u->w, rootfd, rel, 0644, 0) < 0)
			return -1;
		u->writing = 1;
	}
	return 0;
}

int usercdb_key(buf *out, const struct assign_ent *e)
{
	size_t i;

	buf_reset(out);
	if (buf_ready(out, e->addr.len + 2) < 0)
		return -1;
	out->s[out->len++] = '!';
	for (i = 0; i < e->addr.len; i++) {
		char c = e->addr.s[i];

		out->s[out->len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (!e->wild)
		out->s[out->len++] = '\0';
	return 0;
}

/* keyhash - 64-bit hash of a key, eight bytes a step */
static uint64_t keyhash(const char *s, size_t n)
{
	const uint64_t m = 0x9e3779b97f4a7c15ULL;
	uint64_t h = (uint64_t)n * m, w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * m;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

static char *put_varint(char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (char)v;
	return p;
}

static const char *get_varint(const char *p, uint64_t *v)
{
	uint64_t r = 0;
	unsigned sh = 0;

	while ((unsigned char)*p & 0x80) {
		r |= (uint64_t)((unsigned char)*p++ & 0x7f) << sh;
		sh += 7;
	}
	*v = r | (uint64_t)(unsigned char)*p++ << sh;
	return p;
}

/* one record's note, decoded */
struct note {
	unsigned long line;
	uint64_t pos;		/* diagnostics in the sink before it */
	int wild;
	size_t len;
	const char *addr;
};

static void get_note(const buf *notes, uint64_t off, struct note *n)
{
	const char *p = notes->s + off;
	uint64_t v;

	p = get_varint(p, &v);
	n->line = (unsigned long)v;
	p = get_varint(p, &n->pos);
	p = get_varint(p, &v);
	n->wild = (int)(v & 1);
	n->len = (size_t)(v >> 1);
	n->addr = p;
}

static void cleanup(struct usercdb *u)
{
	size_t i;

	buf_free(&u->key);
	buf_free(&u->val);
	buf_free(&u->wildchars);
	buf_free(&u->notes);
	if (u->parts) {
		for (i = 0; i < USERCDB_PARTS; i++)
			free(u->parts[i].v);
		free(u->parts);
		u->parts = NULL;
	}
}

/* remember - the record's note and its hash entry */
static int remember(struct usercdb *u, const struct assign_ent *e)
{
	struct diag_sink *d = u->d;
	struct usercdb_part *p;
	uint64_t h, off;
	char *w;

	if (u->parts == NULL) {
		u->parts = calloc(USERCDB_PARTS, sizeof(*u->parts));
		if (u->parts == NULL)
			goto oom;
	}
	if (e->addr.len > SIZE_MAX / 2 - 64 || buf_ready(&u->notes, e->addr.len + 40) < 0)
		goto oom;
	off = u->notes.len;
	w = put_varint(u->notes.s + off, e->line);
	w = put_varint(w, d ? (uint64_t)(d->nerr + d->nwarn + d->nnote) : 0);
	w = put_varint(w, (uint64_t)e->addr.len * 2 + (e->wild ? 1 : 0));
	if (e->addr.len)
		memcpy(w, e->addr.s, e->addr.len);
	u->notes.len = (size_t)(w - u->notes.s) + e->addr.len;

	h = keyhash(u->key.s, u->key.len);
	p = &u->parts[h >> 54];	/* the top 10 bits: USERCDB_PARTS */
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		struct usercdb_ent *nv;

		if (nc > SIZE_MAX / sizeof(*nv) || nc > UINT32_MAX)
			goto oom;
		nv = realloc(p->v, nc * sizeof(*nv));
		if (nv == NULL)
			goto oom;
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n].h = h;
	p->v[p->n].off = off;
	p->n++;
	return 0;
oom:
	errno = ENOMEM;
	return -1;
}

int usercdb_add(struct usercdb *u, const struct assign_ent *e)
{
	const struct bstr *f[6] = { &e->user, &e->uid, &e->gid, &e->home, &e->dash, &e->ext };
	size_t vlen;
	char *w;
	int i;

	if (usercdb_key(&u->key, e) < 0 || remember(u, e) < 0)
		return -1;
	if (e->wild && e->addr.len > 0) {
		char last = e->addr.s[e->addr.len - 1];

		if (memchr(u->wildchars.s ? u->wildchars.s : "", last, u->wildchars.len) == NULL &&
		    buf_append_c(&u->wildchars, last) < 0)
			return -1;
	}
	u->nrec++;
	if (!u->writing)
		return 0;
	vlen = 5;	/* the fields point into one line: no overflow */
	for (i = 0; i < 6; i++)
		vlen += f[i]->len;
	buf_reset(&u->val);
	if (buf_ready(&u->val, vlen) < 0)
		return -1;
	w = u->val.s;
	for (i = 0; i < 6; i++) {
		if (i > 0)
			*w++ = '\0';
		if (f[i]->len) {
			memcpy(w, f[i]->s, f[i]->len);
			w += f[i]->len;
		}
	}
	u->val.len = vlen;
	return cdbw_add(&u->w, u->key.s, u->key.len, u->val.s, u->val.len);
}

/* samekey - the notes at a and b have the same users/cdb key */
static int samekey(const buf *notes, uint64_t a, uint64_t b)
{
	struct note x, y;
	size_t i;

	get_note(notes, a, &x);
	get_note(notes, b, &y);
	if (x.wild != y.wild || x.len != y.len)
		return 0;
	for (i = 0; i < x.len; i++) {
		char c = x.addr[i], k = y.addr[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (k >= 'A' && k <= 'Z')
			k = (char)(k - 'A' + 'a');
		if (c != k)
			return 0;
	}
	return 1;
}

struct dup {
	uint64_t off;		/* the duplicate's note */
	uint64_t first;		/* the note of the first record with its key */
};

static int dup_cmp(const void *a, const void *b)
{
	const struct dup *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * report - put the warnings into the sink where usercdb_add would have put
 * them while streaming: the sink is rebuilt in that order through
 * diag_add, so its DIAG_KEEP limit cuts at the same place; the counts are
 * then those of every diagnostic (the old sink's cut ones included).
 */
static int report(struct usercdb *u, const struct dup *v, size_t n)
{
	struct diag_sink *old = u->d, ns;
	size_t total = old->nerr + old->nwarn + old->nnote, i = 0, k = 0;

	diag_init(&ns);
	while (i < old->n || k < n) {
		struct note x, f;

		if (k < n)
			get_note(&u->notes, v[k].off, &x);
		if (k < n && (i >= old->n || x.pos <= i)) {
			get_note(&u->notes, v[k].first, &f);
			diag_add(&ns, DIAG_WARN, "S2Q-U013", u->file, x.line,
				 "duplicate %s '%.*s': the entry at line %lu wins",
				 x.wild ? "wildcard" : "address", (int)x.len, x.addr, f.line);
			k++;
		} else {
			const struct diag *g = &old->v[i++];

			diag_add(&ns, g->sev, g->code, g->file, g->line, "%s", g->msg);
		}
		if (ns.oom)
			break;
	}
	if (ns.oom) {
		diag_free(&ns);
		old->oom = 1;
		errno = ENOMEM;
		return -1;
	}
	ns.nerr = old->nerr;
	ns.nwarn = old->nwarn + n;
	ns.nnote = old->nnote;
	ns.dropped = total + n >= DIAG_KEEP ? total + n - (DIAG_KEEP - 1) : 0;
	ns.oom = old->oom;
	diag_free(old);
	*old = ns;
	return 0;
}

int usercdb_finish(struct usercdb *u)
{
	struct dup *dups = NULL;
	size_t nd = 0, capd = 0, tcap = 0, pi, i;
	uint32_t *tab = NULL;
	int r = 0;

	if (u->finished)
		return 0;
	u->finished = 1;
	if (u->parts == NULL)
		return 0;
	for (pi = 0; pi < USERCDB_PARTS; pi++) {
		const struct usercdb_part *p = &u->parts[pi];
		size_t t = 16;

		if (p->n < 2)
			continue;
		while (t < 2 * p->n)
			t *= 2;
		if (t > tcap) {
			free(tab);
			tab = malloc(t * sizeof(*tab));
			if (tab == NULL)
				goto oom;
			tcap = t;
		}
		memset(tab, 0, t * sizeof(*tab));
		for (i = 0; i < p->n; i++) {
			uint64_t h = p->v[i].h;
			size_t s = (size_t)h & (t - 1);
			uint32_t j;

			while ((j = tab[s]) != 0) {
				const struct usercdb_ent *o = &p->v[j - 1];

				if (o->h == h && samekey(&u->notes, o->off, p->v[i].off)) {
					if (nd == capd) {
						size_t nc = capd ? capd * 2 : 16;
						struct dup *nv;

						if (nc > SIZE_MAX / sizeof(*nv))
							goto oom;
						nv = realloc(dups, nc * sizeof(*nv));
						if (nv == NULL)
							goto oom;
						dups = nv;
						capd = nc;
					}
					dups[nd].off = p->v[i].off;
					dups[nd].first = o->off;
					nd++;
					break;
				}
				s = (s + 1) & (t - 1);
			}
			if (j == 0)
				tab[s] = (uint32_t)(i + 1);
		}
	}
	free(tab);
	tab = NULL;
	for (pi = 0; pi < USERCDB_PARTS; pi++)
		free(u->parts[pi].v);
	free(u->parts);
	u->parts = NULL;
	if (nd && u->d) {
		qsort(dups, nd, sizeof(*dups), dup_cmp);
		r = report(u, dups, nd);
	}
	free(dups);
	buf_free(&u->notes);
	return r;
oom:
	free(tab);
	free(dups);
	if (u->d)
		u->d->oom = 1;
	errno = ENOMEM;
	return -1;
}

int usercdb_reuse(struct usercdb *u, int refroot, const char *refrel)
{
	return u->writing ? cdbw_reuse(&u->w, refroot, refrel) : 0;
}

int usercdb_commit(struct usercdb *u)
{
	int r = usercdb_finish(u);

	if (u->writing) {
		if (r == 0)
			r = cdbw_add(&u->w, "", 0, u->wildchars.s ? u->wildchars.s : "",
				     u->wildchars.len);
		if (r < 0)
			cdbw_abort(&u->w);
		else
			r = cdbw_commit(&u->w);
		u->writing = 0;
	}
	cleanup(u);
	return r;
}

void usercdb_abort(struct usercdb *u)
{
	if (u->writing)
		cdbw_abort(&u->w);
	u->writing = 0;
	cleanup(u);
}
