/* model/virtuser - the virtusertable as plain data, and sendmail's rules for looking it up */
#include "virtuser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* plus_after_first - index of the first '+' at position >= 1 outside quotes, or len */
static size_t plus_after_first(const char *s, size_t len)
{
	size_t i;
	int q = 0;

	for (i = 0; i < len; i++) {
		if (q) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			else if (s[i] == '"')
				q = 0;
			continue;
		}
		if (s[i] == '"')
			q = 1;
		else if (s[i] == '+' && i > 0)
			return i;
	}
	return len;
}

int vu_split(const char *local, size_t llen, size_t *ulen)
{
	size_t p = plus_after_first(local, llen);

	if (p == llen)
		return 0;
	*ulen = p;
	return 1;
}

void vu_key_parse(const char *key, size_t klen, struct vu_key *k)
{
	size_t at, n;

	memset(k, 0, sizeof(*k));
	k->domain = "";
	for (at = klen; at > 0 && key[at - 1] != '@'; at--)
		;
	if (at == 0) {
		k->kind = VU_NOAT;
		k->local = key;
		k->llen = klen;
		return;
	}
	k->local = key;
	k->llen = n = at - 1;
	k->domain = key + at;
	k->dlen = klen - at;
	k->user = key;
	if (n == 0) {
		k->kind = VU_DOMAIN;
		return;
	}
	if (n == 2 && key[0] == '+' && (key[1] == '+' || key[1] == '*')) {
		k->kind = key[1] == '+' ? VU_PP : VU_PS;
		k->ulen = 0;
		return;
	}
	if (n > 2 && key[n - 2] == '+' && (key[n - 1] == '+' || key[n - 1] == '*') &&
	    plus_after_first(key, n - 2) == n - 2) {
		k->kind = key[n - 1] == '+' ? VU_USERPP : VU_USERPS;
		k->ulen = n - 2;
		return;
	}
	if (plus_after_first(key, n) == n) {
		k->kind = VU_USER;
		k->ulen = n;
		return;
	}
	k->kind = VU_EXACT;
	k->ulen = 0;
}

const char *vu_kind_name(enum vu_kind k)
{
	switch (k) {
	case VU_NOAT: return "no-at";
	case VU_EXACT: return "exact";
	case VU_USER: return "user";
	case VU_USERPP: return "user++";
	case VU_USERPS: return "user+*";
	case VU_PP: return "++";
	case VU_PS: return "+*";
	case VU_DOMAIN: return "@domain";
	}
	return "?";
}

/* ---- %n ---- */

int vu_expand(buf *out, const char *value, size_t vlen, const struct vu_args *a)
{
	size_t i;

	for (i = 0; i < vlen; i++) {
		char c = value[i];

		if (c == '%' && i + 1 < vlen) {
			char d = value[i + 1];

			if (d >= '0' && d <= '9') {
				int n = d - '0';

				if (a && a->a[n] && buf_append(out, a->a[n], a->n[n]) < 0)
					return -1;
				i++;
				continue;
			}
			if (d == '%') {
				if (buf_append_c(out, '%') < 0)
					return -1;
				i++;
				continue;
			}
		}
		if (buf_append_c(out, c) < 0)
			return -1;
	}
	return 0;
}

unsigned vu_uses(const char *value, size_t vlen)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i + 1 < vlen; i++) {
		if (value[i] != '%')
			continue;
		if (value[i + 1] >= '0' && value[i + 1] <= '9')
			bits |= 1u << (value[i + 1] - '0');
		i++;	/* "%%" and "%n" are two bytes */
	}
	return bits;
}

/* ---- the lookup ---- */

void vu_match_init(struct vu_match *m)
{
	memset(m, 0, sizeof(*m));
}

void vu_match_free(struct vu_match *m)
{
	buf_free(&m->key);
	buf_free(&m->user);
	buf_free(&m->detail);
	buf_free(&m->pdetail);
}

void vu_match_args(const struct vu_match *m, struct vu_args *a)
{
	memset(a, 0, sizeof(*a));
	a->a[0] = m->key.s ? m->key.s : "";
	a->n[0] = m->key.len;
	a->a[1] = m->user.s ? m->user.s : "";
	a->n[1] = m->user.len;
	if (m->nargs >= 3) {
		a->a[2] = m->detail.s ? m->detail.s : "";
		a->n[2] = m->detail.len;
		a->a[3] = m->pdetail.s ? m->pdetail.s : "";
		a->n[3] = m->pdetail.len;
	}
}

/* try - build the key pre + suf + "@" + domain and look it up */
static int try(vu_get_fn get, void *ctx, int nofold, struct vu_match *m, const char *pre,
	       size_t plen, const char *suf, const char *domain, size_t dlen)
{
	size_t i;
	int r;

	buf_reset(&m->key);
	if (buf_append(&m->key, pre, plen) < 0 || buf_append_s(&m->key, suf) < 0 ||
	    buf_append_c(&m->key, '@') < 0 || buf_append(&m->key, domain, dlen) < 0 ||
	    buf_cstr(&m->key) == NULL)
		return -1;
	if (!nofold)
		for (i = 0; i < m->key.len; i++)
			m->key.s[i] = lc(m->key.s[i]);
	r = get(ctx, m->key.s, m->key.len, &m->val, &m->vlen);
	return r;
}

int vu_lookup(vu_get_fn get, void *ctx, int nofold, const char *local, size_t llen,
	      const char *domain, size_t dlen, struct vu_match *m)
{
	size_t ulen = 0;
	int plus, r, step;
	const char *det;
	size_t dtl;

	m->step = 0;
	m->val = NULL;
	m->vlen = 0;
	buf_reset(&m->user);
	buf_reset(&m->detail);
	buf_reset(&m->pdetail);
	/* 1: the whole local part, %1 = L */
	m->nargs = 1;
	if (buf_copy(&m->user, local, llen) < 0)
		return -1;
	if ((r = try(get, ctx, nofold, m, local, llen, "", domain, dlen)) != 0) {
		m->step = r > 0 ? 1 : 0;
		return r;
	}
	plus = vu_split(local, llen, &ulen);
	if (!plus) {
		/* 7 without +detail: %1 = L */
		if ((r = try(get, ctx, nofold, m, "", 0, "", domain, dlen)) != 0) {
			m->step = r > 0 ? 7 : 0;
			return r;
		}
		return 0;
	}
	det = local + ulen + 1;
	dtl = llen - ulen - 1;
	m->nargs = 3;
	if (buf_copy(&m->user, local, ulen) < 0 || buf_copy(&m->detail, det, dtl) < 0 ||
	    buf_append_c(&m->pdetail, '+') < 0 || buf_append(&m->pdetail, det, dtl) < 0)
		return -1;
	for (step = 2; step <= 7; step++) {
		if ((step == 2 || step == 5) && dtl == 0)
			continue;	/* "$+ + $+": the detail must not be empty */
		switch (step) {
		case 2: r = try(get, ctx, nofold, m, local, ulen, "++", domain, dlen); break;
		case 3: r = try(get, ctx, nofold, m, local, ulen, "+*", domain, dlen); break;
		case 4: r = try(get, ctx, nofold, m, local, ulen, "", domain, dlen); break;
		case 5: r = try(get, ctx, nofold, m, "", 0, "++", domain, dlen); break;
		case 6: r = try(get, ctx, nofold, m, "", 0, "+*", domain, dlen); break;
		default: r = try(get, ctx, nofold, m, "", 0, "", domain, dlen); break;
		}
		if (r != 0) {
			m->step = r > 0 ? step : 0;
			return r;
		}
	}
	return 0;
}

/* ---- eligible domains ---- */

void vu_domains_init(struct vu_domains *v)
{
	memset(v, 0, sizeof(*v));
	hset_init(&v->w);
	hset_init(&v->virthost);
}

void vu_domains_free(struct vu_domains *v)
{
	hset_free(&v->w);
	hset_free(&v->virthost);
}

int vu_domains_add(struct vu_domains *v, int w, const char *dom, size_t len)
{
	buf b = BUF_INIT;
	size_t i;
	int r;

	if (buf_ready(&b, len + 1) < 0)
		return -1;
	for (i = 0; i < len; i++)
		b.s[i] = lc(dom[i]);
	b.len = len;
	r = hset_put(w ? &v->w : &v->virthost, b.s, b.len, 1, NULL);
	buf_free(&b);
	return r < 0 ? -1 : 0;
}

unsigned vu_eligible(const struct vu_domains *v, const char *dom, size_t len)
{
	char small[256];
	buf big = BUF_INIT;
	char *s;
	size_t i;
	unsigned e = 0;

	if (len < sizeof(small)) {
		s = small;
	} else {
		if (buf_ready(&big, len + 1) < 0)
			return 0;
		s = big.s;
	}
	for (i = 0; i < len; i++)
		s[i] = lc(dom[i]);
	if (hset_get(&v->w, s, len, NULL) == 1)
		e |= VU_ELIG_W;
	if (hset_get(&v->virthost, s, len, NULL) == 1)
		e |= VU_ELIG_VIRTHOST;
	if (!e && v->entire_domain) {
		/* "$* $={VirtHost}": every parent at a label boundary */
		for (i = 0; i < len; i++)
			if (s[i] == '.' && i + 1 < len &&
			    hset_get(&v->virthost, s + i + 1, len - i - 1, NULL) == 1) {
				e |= VU_ELIG_SUB;
				break;
			}
	}
	buf_free(&big);
	if (!e && v->any && len > 0)
		e = VU_ELIG_VIRTHOST;
	return e;
}

/* ---- values ---- */

/* ---- sendmail's tokens (prescan with the m4 cf's OperatorChars) ---- */

enum tk { TK_ATOM = 0, TK_OP, TK_QUOTED, TK_ARG, TK_L, TK_D };

struct tok {
	enum tk kind;
	const char *s;
	size_t n;
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

static int is_op(char c)
{
	return strchr(".:%@!^/[]+<>,;", c) != NULL && c != '\0';
}

static int push(struct toks *t, enum tk kind, const char *s, size_t n)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		struct tok *nv = realloc(t->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n].kind = kind;
	t->v[t->n].s = s;
	t->v[t->n].n = n;
	t->n++;
	return 0;
}

/* tokenize - the value as sendmail's prescan splits it; (comments) are dropped */
static int tokenize(const char *s, size_t n, struct toks *t)
{
	size_t i = 0, st;

	while (i < n) {
		char c = s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
		} else if (c == '(') {
			int depth = 0;

			for (; i < n; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				else if (s[i] == '(')
					depth++;
				else if (s[i] == ')' && --depth == 0) {
					i++;
					break;
				}
			}
		} else if (c == '"') {
			st = i++;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				i++;
			}
			if (i < n)
				i++;
			if (push(t, TK_QUOTED, s + st, i - st) < 0)
				return -1;
		} else if (c == '%' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
			if (push(t, TK_ARG, s + i, 2) < 0)
				return -1;
			i += 2;
		} else if (c == '%' && i + 1 < n && s[i + 1] == '%') {
			if (push(t, TK_OP, s + i, 1) < 0)
				return -1;
			i += 2;
		} else if (is_op(c)) {
			if (push(t, TK_OP, s + i, 1) < 0)
				return -1;
			i++;
		} else {
			st = i;
			while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' &&
			       s[i] != '"' && s[i] != '(' && !is_op(s[i])) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				i++;
			}
			if (push(t, TK_ATOM, s + st, i - st) < 0)
				return -1;
		}
	}
	return 0;
}

static int atomlike(enum tk k)
{
	return k == TK_ATOM || k == TK_ARG || k == TK_L || k == TK_D;
}

static int is_opc(const struct tok *t, char c)
{
	return t->kind == TK_OP && t->s[0] == c;
}

/* put_tok - one token in template syntax ('%' doubled, %n kept, %L %D) */
static int put_tok(buf *out, const struct tok *t)
{
	size_t i;

	switch (t->kind) {
	case TK_ARG:
		return buf_append(out, t->s, 2);
	case TK_L:
		return buf_append_s(out, "%L");
	case TK_D:
		return buf_append_s(out, "%D");
	case TK_OP:
		return t->s[0] == '%' ? buf_append_s(out, "%%") : buf_append_c(out, t->s[0]);
	case TK_ATOM:
		return buf_append(out, t->s, t->n);
	case TK_QUOTED:
		for (i = 0; i < t->n; i++) {
			if (t->s[i] == '%' && i + 1 < t->n && t->s[i + 1] >= '0' && t->s[i + 1] <= '9') {
				if (buf_append(out, t->s + i, 2) < 0)
					return -1;
				i++;
			} else if (t->s[i] == '%') {
				if (buf_append_s(out, "%%") < 0)
					return -1;
				if (i + 1 < t->n && t->s[i + 1] == '%')
					i++;
			} else if (buf_append_c(out, t->s[i]) < 0) {
				return -1;
			}
		}
		return 0;
	}
	return 0;
}

/* join - tokens [a, b) as sendmail's cataddr joins them: a blank between two atoms */
static int join(buf *out, const struct tok *v, size_t a, size_t b)
{
	size_t i;

	for (i = a; i < b; i++) {
		if (i > a && atomlike(v[i - 1].kind) && atomlike(v[i].kind) &&
		    buf_append_c(out, ' ') < 0)
			return -1;
		if (put_tok(out, &v[i]) < 0)
			return -1;
	}
	return 0;
}

static int ieq(const struct tok *t, const char *w)
{
	size_t i, n = strlen(w);

	if (t->kind != TK_ATOM || t->n != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = t->s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return 1;
}

void vu_err_init(struct vu_err *e)
{
	memset(e, 0, sizeof(*e));
}

void vu_err_free(struct vu_err *e)
{
	buf_free(&e->status);
	buf_free(&e->text);
	buf_free(&e->shown);
	buf_free(&e->dsn);
}

static const struct {
	const char *name;
	int code;
} errcodes[] = {
	/* sendmail's ErrorCodes (parseaddr.c): anything else is EX_UNAVAILABLE */
	{ "usage", 64 }, { "nouser", 67 }, { "nohost", 68 }, { "unavailable", 69 },
	{ "software", 70 }, { "tempfail", 75 }, { "protocol", 76 }, { "config", 78 },
};

/* the enhanced status sendmail's markfailure() gives an exit code */
static const char *code_dsn(int code)
{
	switch (code) {
	case 64: return "5.5.4";
	case 65: return "5.5.2";
	case 67: return "5.1.1";
	case 68: return "5.1.2";
	case 66: case 73: case 77: return "5.3.0";
	case 69: case 70: case 72: case 76: case 78: return "5.5.0";
	case 71: case 74: return "4.5.0";
	case 75: return "4.2.0";
	default: return NULL;
	}
}

static int ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

static int isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* dsn_len - length of an enhanced status code "d.d+.d+" at s, or 0 */
static size_t dsn_len(const char *s, size_t n)
{
	size_t i = 0, parts = 0;

	for (;;) {
		size_t st = i;

		while (i < n && isdig(s[i]))
			i++;
		if (i == st)
			return 0;
		if (++parts == 3)
			return i;
		if (i >= n || s[i] != '.')
			return 0;
		i++;
	}
}

static int classify(struct vu_err *e)
{
	const char *s = e->status.s ? e->status.s : "";
	const char *t = e->text.s ? e->text.s : "";
	size_t tl = e->text.len, k, i;
	int code = -1, reply = 0;
	const char *dsn = NULL;
	char buf5[16];

	/* a leading SMTP reply code in the message (ISSMTPREPLY) */
	if (tl >= 3 && t[0] >= '2' && t[0] <= '5' && isdig(t[1]) && isdig(t[2]) &&
	    (tl == 3 || t[3] == ' ' || t[3] == '-'))
		reply = t[0] - '0';
	/* what sendmail prints: the message without its reply code and DSN */
	k = 0;
	if (reply) {
		k = tl > 3 ? 4 : 3;
		i = dsn_len(t + k, tl - k);
		if (i && (k + i == tl || t[k + i] == ' ')) {
			dsn = NULL;
			if (i < sizeof(buf5)) {
				memcpy(buf5, t + k, i);
				buf5[i] = '\0';
				dsn = buf5;
			}
			k += i + (k + i < tl);
		}
	}
	if (buf_copy(&e->shown, t + k, tl - k) < 0 || buf_cstr(&e->shown) == NULL)
		return -1;
	if (isdig(s[0]) && strchr(s, '.') != NULL) {
		e->temp = s[0] == '4';
		dsn = s;
	} else if (isdig(s[0])) {
		e->odd |= VU_ODD_NUMERIC;
		code = atoi(s);
	} else {
		size_t j;

		code = 69;
		for (j = 0; j < sizeof(errcodes) / sizeof(errcodes[0]); j++)
			if (ascii_ieq(s, errcodes[j].name))
				code = errcodes[j].code;
		if (code == 69 && !ascii_ieq(s, "unavailable"))
			e->odd |= VU_ODD_KEYWORD;
	}
	if (code == 75 || code == 71 || code == 74 || reply == 4)
		e->temp = 1;
	if (dsn == NULL && code >= 0)
		dsn = code_dsn(code);
	buf_reset(&e->dsn);
	if (dsn == NULL) {
		if (buf_append_s(&e->dsn, e->temp ? "4.0.0" : "5.0.0") < 0)
			return -1;
	} else {
		size_t dl = dsn_len(dsn, strlen(dsn));

		if (dl == 0)
			dl = strlen(dsn);
		if (buf_append(&e->dsn, dsn, dl) < 0)
			return -1;
		if (e->temp && e->dsn.s[0] == '5')
			e->dsn.s[0] = '4';
		if (!e->temp && e->dsn.s[0] == '4')
			e->dsn.s[0] = '5';
	}
	return buf_cstr(&e->dsn) == NULL ? -1 : 0;
}

int vu_value_error(const char *value, size_t vlen, struct vu_err *e)
{
	struct toks t = { NULL, 0, 0 };
	static const char ws[] = "><@.>";
	size_t j, nv;
	int rc = -1;

	buf_reset(&e->status);
	buf_reset(&e->text);
	buf_reset(&e->shown);
	buf_reset(&e->dsn);
	e->temp = 0;
	e->odd = 0;
	/* the first token must be "error" (blanks before it are dropped by prescan) */
	{
		size_t i = 0;

		while (i < vlen && (value[i] == ' ' || value[i] == '\t'))
			i++;
		if (vlen - i < 5 || strncasecmp(value + i, "error", 5) != 0)
			return 0;
	}
	if (tokenize(value, vlen, &t) < 0)
		goto out;
	nv = t.n;
	if (nv < 2 || !ieq(&t.v[0], "error") || !is_opc(&t.v[1], ':')) {
		rc = 0;
		goto out;
	}
	/* the workspace after the value: > L < @ D . > */
	if (push(&t, TK_OP, ws, 1) < 0 || push(&t, TK_L, "", 0) < 0 ||
	    push(&t, TK_OP, ws + 1, 1) < 0 || push(&t, TK_OP, ws + 2, 1) < 0 ||
	    push(&t, TK_D, "", 0) < 0 || push(&t, TK_OP, ws + 3, 1) < 0 ||
	    push(&t, TK_OP, ws + 4, 1) < 0)
		goto out;
	/* R< error : $-.$-.$- : $+ > $* */
	if (t.n >= 10 && is_opc(&t.v[3], '.') && is_opc(&t.v[5], '.') && is_opc(&t.v[7], ':')) {
		for (j = 9; j < t.n && !is_opc(&t.v[j], '>'); j++)
			;
		if (j < t.n) {
			if (join(&e->status, t.v, 2, 7) < 0 || join(&e->text, t.v, 8, j) < 0)
				goto out;
			if (t.v[2].kind >= TK_ARG || t.v[4].kind >= TK_ARG || t.v[6].kind >= TK_ARG)
				e->odd |= VU_ODD_DYNAMIC;
			if (j > nv)
				e->odd |= VU_ODD_NOTEXT;
			goto done;
		}
	}
	/* R< error : $- $+ > $* */
	for (j = 4; j < t.n && !is_opc(&t.v[j], '>'); j++)
		;
	if (t.n < 5 || j >= t.n) {
		rc = 0;
		goto out;
	}
	if (t.v[2].kind == TK_QUOTED) {	/* $(dequote $1 $) */
		size_t i;

		for (i = 1; i + 1 < t.v[2].n; i++) {
			if (t.v[2].s[i] == '\\' && i + 2 < t.v[2].n)
				i++;
			if (buf_append_c(&e->status, t.v[2].s[i]) < 0)
				goto out;
		}
	} else if (join(&e->status, t.v, 2, 3) < 0) {
		goto out;
	}
	if (t.v[2].kind >= TK_ARG)
		e->odd |= VU_ODD_DYNAMIC;
	if (join(&e->text, t.v, 3, j) < 0)
		goto out;
	if (j > nv)
		e->odd |= VU_ODD_NOTEXT;
	if (is_opc(&t.v[3], ':'))
		e->odd |= VU_ODD_COLON;
	if (isdig(e->status.s ? e->status.s[0] : 0) && dsn_len(value + 6, vlen - 6) &&
	    !(e->odd & VU_ODD_NOTEXT))
		e->odd |= VU_ODD_SHORTDSN;
done:
	if (buf_cstr(&e->status) == NULL || buf_cstr(&e->text) == NULL || classify(e) < 0)
		goto out;
	rc = 1;
out:
	free(t.v);
	return rc;
}

/* ---- targets ---- */

void vu_target_init(struct vu_target *t)
{
	memset(t, 0, sizeof(*t));
}

void vu_target_free(struct vu_target *t)
{
	buf_free(&t->addr);
}

static void bounce(struct vu_target *t, const char *dsn, const char *text)
{
	t->kind = VT_BOUNCE;
	t->dsn = dsn;
	t->text = text;
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

int vu_target_template(const char *value, size_t vlen, struct vu_target *t)
{
	size_t a = 0, b = vlen, i, at;
	int q = 0;

	buf_reset(&t->addr);
	t->at = 0;
	t->dsn = t->text = NULL;
	while (a < b && (value[a] == ' ' || value[a] == '\t'))
		a++;
	while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t'))
		b--;
	if (b - a >= 2 && value[a] == '<' && value[b - 1] == '>') {
		a++;
		b--;
	}
	for (i = a; i < b; i++) {
		if (value[i] == '"')
			q = !q;
		else if (!q && value[i] == ',') {
			bounce(t, "5.1.3", "Invalid route address");
			return 0;
		}
	}
	if (a == b) {
		bounce(t, "5.1.1", "User unknown");
		return 0;
	}
	if (buf_append(&t->addr, value + a, b - a) < 0 || buf_cstr(&t->addr) == NULL)
		return -1;
	at = last_at(t->addr.s, t->addr.len);
	if (at == t->addr.len) {
		t->kind = VT_BARE;
		return 0;
	}
	if (at == 0) {
		bounce(t, "5.1.3", "User address required");
		return 0;
	}
	if (at + 1 == t->addr.len) {
		bounce(t, "5.1.3", "Hostname required");
		return 0;
	}
	t->kind = VT_ADDR;
	t->at = at;
	return 0;
}

