/* parse/userscdb - users/cdb read back as users/assign entries */
#include "userscdb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* diagnostic codes: S2Q-D010..D019 (users/cdb) */

/* SHOWN - how much of a key or field a message quotes */
#define MAXSHOWN 10
#define SHOWN(n) ((int)((n) > 200 ? 200 : (n)))

static int isupper_(int c)
{
	return c >= 'A' && c <= 'Z';
}

static void problem(struct userscdb *u)
{
	u->problems = 1;
}

/* report - S2Q-D0(10+k): the first MAXSHOWN of a kind one by one, the rest counted */
static void report(struct userscdb *u, int k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct userscdb *u, int k, const char *fmt, ...)
{
	char code[12];
	va_list ap;

	u->problems = 1;
	if (++u->cnt[k] > MAXSHOWN)
		return;
	snprintf(code, sizeof(code), "S2Q-D%03d", 10 + k);
	va_start(ap, fmt);
	diag_vadd(u->d, DIAG_WARN, code, u->file, 0, fmt, ap);
	va_end(ap);
}

int userscdb_init(struct userscdb *u, const void *p, size_t size, const char *file,
		  struct diag_sink *d)
{
	struct cdbrec r;
	int bad;

	memset(u, 0, sizeof(*u));
	u->file = file;
	u->d = d;
	bad = cdbfile_init(&u->f, p, size, file, d);
	if (bad)
		problem(u);
	/* find the wildchars record first: wildcards need it and it comes last */
	while (cdbfile_next(&u->f, &r) > 0) {
		if (r.klen != 0)
			continue;
		if (u->wild == NULL) {
			u->wild = r.val;
			u->wlen = r.vlen;
			u->wildrec = r.n;
		} else {
			diag_add(d, DIAG_WARN, "S2Q-D015", file, 0,
				 "record %lu is a second wildchars record (empty key): qmail-newu "
				 "writes one; lookups use record %lu", r.n, u->wildrec);
			problem(u);
		}
	}
	if (u->f.bad)
		return 1;
	if (u->wild && u->wildrec != u->f.nrec) {
		diag_add(d, DIAG_WARN, "S2Q-D015", file, 0,
			 "the wildchars record (empty key) is record %lu of %lu: qmail-newu writes "
			 "it last, so this file is not qmail-newu's output", u->wildrec, u->f.nrec);
		problem(u);
	}
	cdbfile_rewind(&u->f);
	return 0;
}

/* fields - split the data into the six fields; 0, or -1 if it has not six */
static int fields(const struct cdbrec *r, struct assign_ent *e)
{
	struct bstr *f[6] = { &e->user, &e->uid, &e->gid, &e->home, &e->dash, &e->ext };
	const char *s = r->val, *end = r->val + r->vlen;
	int i;

	for (i = 0; i < 6; i++) {
		const char *z = i < 5 ? memchr(s, '\0', (size_t)(end - s)) : end;

		if (z == NULL)
			return -1;
		f[i]->s = s;
		f[i]->len = (size_t)(z - s);
		s = z + 1;
	}
	return memchr(e->ext.s, '\0', e->ext.len) ? -1 : 0;
}

/* inexpressible - 1 if a field holds a byte users/assign cannot carry in it */
static int inexpressible(const struct bstr *b)
{
	return memchr(b->s, ':', b->len) != NULL || memchr(b->s, '\n', b->len) != NULL;
}

/* zero - 1 if qmail-lspawn reads a uid/gid field as 0 (its leading digits, junk = 0) */
static int zero(const struct bstr *b)
{
	size_t i;

	for (i = 0; i < b->len && b->s[i] >= '0' && b->s[i] <= '9'; i++)
		if (b->s[i] != '0')
			return 0;
	return 1;
}

/* rawlast - the raw last byte of a wildcard, as the wildchars record shows it */
static unsigned char rawlast(struct userscdb *u, unsigned char c)
{
	unsigned char up = (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : 0, raw;

	if (u->wpos < u->wlen) {
		unsigned char w = (unsigned char)u->wild[u->wpos];

		if (!u->seen[w] && (w == c || (up && w == up))) {
			u->wpos++;
			u->seen[w] = 1;
			return w;
		}
	}
	raw = (!u->seen[c] && up && u->seen[up]) ? up : c;
	u->seen[raw] = 1;
	return raw;
}

static int decode(struct userscdb *u, const struct cdbrec *r, struct assign_ent *e)
{
	size_t alen;
	int nul;

	memset(e, 0, sizeof(*e));
	e->line = r->n;
	if (r->key[0] != '!') {
		report(u, 0, "record %lu: key does not begin with '!': not a users/cdb entry (left out)",
			 r->n);
		problem(u);
		return 0;
	}
	e->wild = !(r->klen >= 2 && r->key[r->klen - 1] == '\0');
	e->type = e->wild ? '+' : '=';
	alen = r->klen - 1 - (size_t)!e->wild;
	if (fields(r, e) < 0) {
		report(u, 1, "record %lu ('%.*s'): data is not six NUL-separated fields (user, uid, gid, "
			 "home, dash, ext): qmail-lspawn cannot use it (left out)",
			 r->n, SHOWN(alen), r->key + 1);
		problem(u);
		return 0;
	}
	buf_reset(&u->addr);
	if (buf_append(&u->addr, r->key + 1, alen) < 0)
		return -1;
	nul = memchr(u->addr.s ? u->addr.s : "", '\0', alen) != NULL;
	e->addr.s = u->addr.s ? u->addr.s : "";
	e->addr.len = alen;
	if (nul || memchr(e->addr.s, ':', alen) || memchr(e->addr.s, '\n', alen) ||
	    inexpressible(&e->user) || inexpressible(&e->uid) || inexpressible(&e->gid) ||
	    inexpressible(&e->home) || inexpressible(&e->dash) || inexpressible(&e->ext)) {
		report(u, 2, "record %lu ('%.*s'): a field holds ':', a newline or a NUL, which "
			 "users/assign cannot express (qmail-newu never writes this)",
			 r->n, SHOWN(alen), e->addr.s);
		problem(u);
	}
	{
		size_t i;

		for (i = 0; i < alen; i++)
			if (isupper_((unsigned char)e->addr.s[i]))
				break;
		if (i < alen) {
			report(u, 6, "record %lu: key '%.*s' has upper-case letters: qmail-lspawn looks "
				 "up the lower-cased address, so it never matches",
				 r->n, SHOWN(alen), e->addr.s);
			problem(u);
		}
	}
	if (zero(&e->uid) || zero(&e->gid)) {
		report(u, 7, "record %lu ('%.*s'): %s '%.*s' reads as 0: qmail-lspawn refuses to "
			 "deliver as root and defers", r->n, SHOWN(alen), e->addr.s,
			 zero(&e->uid) ? "uid" : "gid", SHOWN((zero(&e->uid) ? e->uid.len : e->gid.len)),
			 zero(&e->uid) ? e->uid.s : e->gid.s);
		problem(u);
	}
	if (e->wild && alen > 0) {
		unsigned char last = (unsigned char)e->addr.s[alen - 1];
		unsigned char raw = u->wild ? rawlast(u, last) : last;

		u->addr.s[alen - 1] = (char)raw;
		if (u->wild && memchr(u->wild, last, u->wlen) == NULL) {
			report(u, 4, "record %lu: wildcard '%.*s' never matches: the wildchars record "
				 "lacks its last byte '%c'%s", r->n, SHOWN(alen), e->addr.s,
				 (last >= 0x20 && last < 0x7f) ? last : '?',
				 raw != last ? " (qmail-newu stored the upper-case letter)" : "");
			problem(u);
		}
	}
	return 1;
}

int userscdb_next(struct userscdb *u, struct assign_ent *e)
{
	struct cdbrec r;
	int got;

	while (cdbfile_next(&u->f, &r) > 0) {
		if (r.klen == 0)
			continue;
		got = decode(u, &r, e);
		if (got != 0)
			return got;
	}
	if (u->f.bad)
		problem(u);
	return 0;
}

int userscdb_end(struct userscdb *u)
{
	int k;

	if (u->f.bad)
		return 1;
	if (u->wild == NULL && u->f.size >= 2048) {
		report(u, 3, "no wildchars record (empty key): qmail-lspawn defers every local delivery "
			 "(\"Trouble reading users/cdb\")");
		problem(u);
	} else if (u->wild && u->wpos < u->wlen) {
		diag_add(u->d, DIAG_NOTE, "S2Q-D018", u->file, 0,
			 "the wildchars record holds '%.*s', which no wildcard entry ends in: harmless, "
			 "but qmail-newu would not write it", SHOWN((u->wlen - u->wpos)),
			 u->wild + u->wpos);
		problem(u);
	}
	for (k = 0; k < 8; k++) {
		char code[12];

		if (u->cnt[k] <= MAXSHOWN)
			continue;
		snprintf(code, sizeof(code), "S2Q-D%03d", 10 + k);
		diag_add(u->d, DIAG_WARN, code, u->file, 0, "%lu more records with this problem",
			 u->cnt[k] - MAXSHOWN);
	}
	if (cdbfile_verify(&u->f))
		problem(u);
	return u->problems;
}

void userscdb_free(struct userscdb *u)
{
	buf_free(&u->addr);
}

int userscdb_format(buf *out, const struct assign_ent *e)
{
	const struct bstr *f[7] = { &e->addr, &e->user, &e->uid, &e->gid, &e->home, &e->dash,
				    &e->ext };
	int i;

	if (buf_append_c(out, e->wild ? '+' : '=') < 0)
		return -1;
	for (i = 0; i < 7; i++)
		if (buf_append(out, f[i]->s, f[i]->len) < 0 || buf_append_c(out, ':') < 0)
			return -1;
	return buf_append_c(out, '\n');
}

int userscdb_print(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d)
{
	struct userscdb u;
	struct assign_ent e;
	int r;

	if (userscdb_init(&u, p, size, file, d)) {
		userscdb_free(&u);
		return 1;
	}
	while ((r = userscdb_next(&u, &e)) > 0)
		if (userscdb_format(out, &e) < 0) {
			r = -1;
			break;
		}
	if (r == 0 && buf_append_s(out, ".\n") < 0)
		r = -1;
	if (r == 0)
		r = userscdb_end(&u);
	userscdb_free(&u);
	return r;
}
