/* parse/virtuser - a virtusertable value read the way sendmail's rules read it */
#include "virtuser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../model/alias.h"
#include "aliases.h"

/* ---- targets ---- */

static void bounce(struct vu_target *t, const char *dsn, const char *text)
{
	t->kind = VT_BOUNCE;
	t->dsn = dsn;
	t->text = text;
}

/* unquote - append s[0..n) with RFC 822 quotes and their backslashes removed */
static int unquote(buf *out, const char *s, size_t n)
{
	size_t i;
	int q = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"') {
			q = !q;
			continue;
		}
		if (q && s[i] == '\\' && i + 1 < n)
			i++;
		if (buf_append_c(out, s[i]) < 0)
			return -1;
	}
	return 0;
}

/* last_at - index of the last '@' outside quotes, or n */
static size_t last_at(const char *s, size_t n)
{
	size_t i, at = n;
	int q = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			q = !q;
		else if (q && s[i] == '\\' && i + 1 < n)
			i++;
		else if (!q && s[i] == '@')
			at = i;
	}
	return at;
}

int vu_target_parse(const char *value, size_t vlen, struct vu_target *t)
{
	struct alias_elem *el = NULL;
	size_t n = 0, at, l;
	const char *x;

	buf_reset(&t->addr);
	t->at = 0;
	t->dsn = t->text = NULL;
	/* the common case, a plain name or name@host.domain: no RFC 822 syntax to resolve */
	{
		size_t i, ats = 0, atpos = 0;

		for (i = 0; i < vlen; i++) {
			char c = value[i];

			if (c == '@') {
				ats++;
				atpos = i;
			} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				     (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
				     c == '+' || c == '=')) {
				break;
			}
		}
		if (i == vlen && vlen > 0 && value[0] != '.' && value[vlen - 1] != '.' &&
		    (ats == 0 || (ats == 1 && atpos > 0 && atpos + 1 < vlen))) {
			t->kind = ats ? VT_ADDR : VT_BARE;
			t->at = atpos;
			if (buf_copy(&t->addr, value, vlen) < 0 || buf_cstr(&t->addr) == NULL)
				return -1;
			return 0;
		}
	}
	if (aliases_split(value, vlen, &el, &n) < 0)
		return -1;
	if (n == 0) {
		bounce(t, "5.1.1", "User unknown");
		goto ok;
	}
	if (n > 1) {
		bounce(t, "5.1.3", "Invalid route address");
		goto ok;
	}
	switch (el[0].kind) {
	case ALIAS_PROG:
		bounce(t, "5.7.1", "Cannot mail directly to programs");
		goto ok;
	case ALIAS_FILE:
		bounce(t, "5.7.1", "Cannot mail directly to files");
		goto ok;
	case ALIAS_INCLUDE:
		bounce(t, "5.7.1", "Cannot mail directly to :include:s");
		goto ok;
	case ALIAS_ERROR:
		bounce(t, "5.1.1", "User unknown");
		goto ok;
	case ALIAS_LOCAL:
		t->kind = VT_NOALIAS;
		x = alias_elem_text(&el[0]);
		if (unquote(&t->addr, x, strlen(x)) < 0)
			goto oom;
		goto ok;
	case ALIAS_ADDR:
		break;
	}
	x = alias_elem_text(&el[0]);
	l = strlen(x);
	at = last_at(x, l);
	if (at == l) {
		size_t pct = l;

		if (alias_elem_local(&el[0]) == NULL) {
			for (pct = l; pct > 0 && x[pct - 1] != '%'; pct--)
				;
			if (pct > 0 && memchr(x, '!', l) == NULL) {
				t->kind = VT_PERCENT;
				if (unquote(&t->addr, x, pct - 1) < 0)
					goto oom;
				t->at = t->addr.len;
				if (buf_append_c(&t->addr, '@') < 0 ||
				    buf_append(&t->addr, x + pct, l - pct) < 0)
					goto oom;
				goto ok;
			}
			if (memchr(x, '!', l) != NULL) {
				t->kind = VT_UUCP;
				if (buf_append(&t->addr, x, l) < 0)
					goto oom;
				goto ok;
			}
		}
		if (l == 0) {
			bounce(t, "5.1.1", "User unknown");
			goto ok;
		}
		t->kind = VT_BARE;
		if (unquote(&t->addr, x, l) < 0)
			goto oom;
		goto ok;
	}
	if (at == 0) {
		bounce(t, "5.1.3", "User address required");
		goto ok;
	}
	while (l > at + 1 && x[l - 1] == '.')
		l--;	/* canonify drops the trailing dot */
	if (l == at + 1) {
		bounce(t, "5.1.3", "Hostname required");
		goto ok;
	}
	t->kind = VT_ADDR;
	if (unquote(&t->addr, x, at) < 0)
		goto oom;
	t->at = t->addr.len;
	if (buf_append(&t->addr, x + at, l - at) < 0)
		goto oom;
ok:
	free(el);
	return buf_cstr(&t->addr) == NULL ? -1 : 0;
oom:
	free(el);
	return -1;
}

/* ---- the table ---- */

static int key_put(void *ctx, const char *key, size_t klen, unsigned long line,
		   unsigned long *first);

int vtab_open(struct vtab *t, int fd, const char *file, unsigned flags, struct diag_sink *d)
{
	int fd2, e;

	memset(t, 0, sizeof(*t));
	if (mfile_fd(&t->mf, fd, NULL) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	fd2 = dup(fd);
	if (fd2 < 0 || lseek(fd2, 0, SEEK_SET) < 0) {
		e = errno;
		if (fd2 >= 0)
			close(fd2);
		close(fd);
		mfile_close(&t->mf);
		errno = e;
		return -1;
	}
	close(fd);
	if (maptext_fdopen(&t->mt, fd2, file, flags, d) < 0) {
		e = errno;
		close(fd2);
		mfile_close(&t->mf);
		errno = e;
		return -1;
	}
	t->mt_open = 1;
	t->flags = flags;
	t->keys.put = key_put;
	t->keys.ctx = t;
	maptext_set_keys(&t->mt, &t->keys);
	t->cur_line = 1;
	t->cur_off = 0;
	return 0;
}

void vtab_close(struct vtab *t)
{
	if (t->mt_open)
		maptext_close(&t->mt);
	t->mt_open = 0;
	mfile_close(&t->mf);
	free(t->rec);
	t->rec = NULL;
	t->nrec = t->cap = 0;
	buf_free(&t->kbuf);
	numidx_free(&t->bykey);
}

int vtab_next(struct vtab *t, struct maptext_rec *rec)
{
	return maptext_next(&t->mt, rec);	/* recorded by key_put */
}

static int ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* split_line - key and value of the record line at off (as maptext split it) */
static int split_line(const struct vtab *t, size_t off, const char **key, size_t *klen,
		      const char **val, size_t *vlen)
{
	const char *p, *end, *nl;
	size_t k, v, n;

	if (off == (size_t)-1 || off > t->mf.len)
		return 0;
	p = t->mf.p + off;
	end = t->mf.p + t->mf.len;
	nl = memchr(p, '\n', (size_t)(end - p));
	n = (size_t)((nl ? nl : end) - p);
	for (k = 0; k < n && !ws(p[k]); k++)
		;
	for (v = k; v < n && ws(p[v]); v++)
		;
	*key = p;
	*klen = k;
	*val = p + v;
	*vlen = n - v;
	return 1;
}

/* the key looked for, compared with a record's key in the mapped file (numidx_eq_fn) */
struct key_cmp {
	const struct vtab *t;
	const char *key;
	size_t klen;
};

static int key_eq(const void *ctx, uint32_t num)
{
	const struct key_cmp *c = ctx;
	const char *k, *v;
	size_t kl, vl, i;

	if (!split_line(c->t, c->t->rec[num].off, &k, &kl, &v, &vl) || kl != c->klen)
		return 0;
	if (c->t->flags & MAPTEXT_NOFOLD)
		return memcmp(k, c->key, kl) == 0;
	for (i = 0; i < kl; i++) {
		char x = k[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != c->key[i])
			return 0;
	}
	return 1;
}

/*
 * key_put - maptext_keys' put: a new key becomes the next record (its line
 * found in the mapped file) and goes into the index
 */
static int key_put(void *ctx, const char *key, size_t klen, unsigned long line,
		   unsigned long *first)
{
	struct vtab *t = ctx;
	struct key_cmp c = { t, key, klen };
	uint32_t hv = hset_hash(key, klen);
	uint64_t *slot;

	if (t->nrec >= (size_t)UINT32_MAX - 2) {
		errno = ENOMEM;	/* past what the index numbers */
		return -1;
	}
	if (numidx_grow(&t->bykey) < 0)
		return -1;
	slot = numidx_slot(&t->bykey, hv, key_eq, &c);
	if (*slot) {
		*first = t->rec[numidx_num(slot)].line;
		return 0;
	}
	/* the offset of the record's line in the mapped file */
	while (t->cur_line < line && t->cur_off < t->mf.len) {
		const char *nl = memchr(t->mf.p + t->cur_off, '\n', t->mf.len - t->cur_off);

		if (nl == NULL) {
			t->cur_off = t->mf.len;
			break;
		}
		t->cur_off = (size_t)(nl - t->mf.p) + 1;
		t->cur_line++;
	}
	if (t->nrec == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 1024;
		struct vtab_rec *nv = realloc(t->rec, nc * sizeof(*nv));

		if (nv == NULL) {
			errno = ENOMEM;
			return -1;
		}
		t->rec = nv;
		t->cap = nc;
	}
	t->rec[t->nrec].line = line;
	t->rec[t->nrec].off = t->cur_line == line ? t->cur_off : (size_t)-1;
	numidx_set(&t->bykey, slot, hv, (uint32_t)t->nrec);
	t->nrec++;
	return 1;
}

int vtab_get(void *ctx, const char *key, size_t klen, const char **val, size_t *vlen)
{
	struct vtab *t = ctx;
	struct key_cmp c = { t, key, klen };
	const char *k;
	size_t kl;
	int64_t i;

	i = numidx_find(&t->bykey, hset_hash(key, klen), key_eq, &c);
	if (i < 0)
		return 0;
	return split_line(t, t->rec[i].off, &k, &kl, val, vlen);
}

unsigned long vtab_line(const struct vtab *t, const char *key, size_t klen)
{
	struct key_cmp c = { t, key, klen };
	int64_t i = numidx_find(&t->bykey, hset_hash(key, klen), key_eq, &c);

	return i < 0 ? 0 : t->rec[i].line;
}

int vtab_at(struct vtab *t, size_t i, const char **key, size_t *klen, const char **val,
	    size_t *vlen, unsigned long *line)
{
	const char *k;
	size_t kl, j;

	if (i >= t->nrec || !split_line(t, t->rec[i].off, &k, &kl, val, vlen))
		return 0;
	if (buf_copy(&t->kbuf, k, kl) < 0 || buf_cstr(&t->kbuf) == NULL)
		return -1;
	if (!(t->flags & MAPTEXT_NOFOLD))
		for (j = 0; j < kl; j++)
			if (t->kbuf.s[j] >= 'A' && t->kbuf.s[j] <= 'Z')
				t->kbuf.s[j] = (char)(t->kbuf.s[j] - 'A' + 'a');
	*key = t->kbuf.s;
	*klen = kl;
	*line = t->rec[i].line;
	return 1;
}
