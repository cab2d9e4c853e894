/* migrate/mjson - a small JSON reader for the reports the s2q programs print */
#include "mjson.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"

struct mjp {
	const char *p;
	size_t n, i;
};

static void ws(struct mjp *q)
{
	while (q->i < q->n && (q->p[q->i] == ' ' || q->p[q->i] == '\t' || q->p[q->i] == '\n' ||
			       q->p[q->i] == '\r'))
		q->i++;
}

static int bad(void)
{
	errno = EINVAL;
	return -1;
}

static int hex4(struct mjp *q, unsigned *u)
{
	size_t k;

	*u = 0;
	if (q->n - q->i < 4)
		return bad();
	for (k = 0; k < 4; k++) {
		char c = q->p[q->i++];

		*u <<= 4;
		if (c >= '0' && c <= '9')
			*u |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*u |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*u |= (unsigned)(c - 'A' + 10);
		else
			return bad();
	}
	return 0;
}

static int utf8(buf *b, unsigned u)
{
	char c[4];
	size_t n;

	if (u < 0x80) {
		c[0] = (char)u;
		n = 1;
	} else if (u < 0x800) {
		c[0] = (char)(0xc0 | (u >> 6));
		c[1] = (char)(0x80 | (u & 0x3f));
		n = 2;
	} else if (u < 0x10000) {
		c[0] = (char)(0xe0 | (u >> 12));
		c[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		c[2] = (char)(0x80 | (u & 0x3f));
		n = 3;
	} else {
		c[0] = (char)(0xf0 | (u >> 18));
		c[1] = (char)(0x80 | ((u >> 12) & 0x3f));
		c[2] = (char)(0x80 | ((u >> 6) & 0x3f));
		c[3] = (char)(0x80 | (u & 0x3f));
		n = 4;
	}
	return buf_append(b, c, n);
}

/* a string at q->i (on the opening quote) into b */
static int str(struct mjp *q, buf *b)
{
	q->i++;
	for (;;) {
		char c;

		if (q->i >= q->n)
			return bad();
		c = q->p[q->i++];
		if (c == '"')
			return buf_cstr(b) ? 0 : -1;
		if ((unsigned char)c < 0x20)
			return bad();
		if (c != '\\') {
			/* the run of plain bytes it starts, appended at once */
			size_t st = q->i - 1;

			while (q->i < q->n && q->p[q->i] != '"' && q->p[q->i] != '\\' &&
			       (unsigned char)q->p[q->i] >= 0x20)
				q->i++;
			if (buf_append(b, q->p + st, q->i - st) < 0)
				return -1;
			continue;
		}
		if (q->i >= q->n)
			return bad();
		c = q->p[q->i++];
		switch (c) {
		case '"': case '\\': case '/': if (buf_append_c(b, c) < 0) return -1; break;
		case 'b': if (buf_append_c(b, '\b') < 0) return -1; break;
		case 'f': if (buf_append_c(b, '\f') < 0) return -1; break;
		case 'n': if (buf_append_c(b, '\n') < 0) return -1; break;
		case 'r': if (buf_append_c(b, '\r') < 0) return -1; break;
		case 't': if (buf_append_c(b, '\t') < 0) return -1; break;
		case 'u': {
			unsigned u, l;

			if (hex4(q, &u) < 0)
				return -1;
			if (u >= 0xd800 && u < 0xdc00) {
				size_t save = q->i;

				if (q->n - q->i >= 6 && q->p[q->i] == '\\' && q->p[q->i + 1] == 'u') {
					q->i += 2;
					if (hex4(q, &l) < 0)
						return -1;
					if (l >= 0xdc00 && l < 0xe000)
						u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
					else {
						q->i = save;
						u = 0xfffd;
					}
				} else
					u = 0xfffd;
			} else if (u >= 0xdc00 && u < 0xe000)
				u = 0xfffd;
			if (utf8(b, u) < 0)
				return -1;
			break;
		}
		default:
			return bad();
		}
	}
}

static int value(struct mjp *q, struct mj *out, int depth);

static int grow(struct mj *o, size_t *cap, int obj)
{
	if (o->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct mj *nv = realloc(o->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		o->v = nv;
		if (obj) {
			char **nk = realloc(o->keys, nc * sizeof(*nk));

			if (nk == NULL)
				return -1;
			o->keys = nk;
		}
		*cap = nc;
	}
	memset(&o->v[o->n], 0, sizeof(o->v[0]));
	return 0;
}

static int container(struct mjp *q, struct mj *out, int depth, int obj)
{
	size_t cap = 0;
	char close = obj ? '}' : ']';

	out->t = obj ? MJ_OBJ : MJ_ARR;
	q->i++;
	ws(q);
	if (q->i < q->n && q->p[q->i] == close) {
		q->i++;
		return 0;
	}
	for (;;) {
		if (grow(out, &cap, obj) < 0)
			return -1;
		if (obj) {
			buf k = BUF_INIT;

			ws(q);
			if (q->i >= q->n || q->p[q->i] != '"')
				return bad();
			if (str(q, &k) < 0) {
				buf_free(&k);
				return -1;
			}
			out->keys[out->n] = k.s;
			ws(q);
			if (q->i >= q->n || q->p[q->i] != ':') {
				free(k.s);
				return bad();
			}
			q->i++;
		}
		out->n++;
		if (value(q, &out->v[out->n - 1], depth + 1) < 0)
			return -1;
		ws(q);
		if (q->i >= q->n)
			return bad();
		if (q->p[q->i] == ',') {
			q->i++;
			continue;
		}
		if (q->p[q->i] == close) {
			q->i++;
			return 0;
		}
		return bad();
	}
}

static int lit(struct mjp *q, const char *w)
{
	size_t l = strlen(w);

	if (q->n - q->i < l || memcmp(q->p + q->i, w, l) != 0)
		return bad();
	q->i += l;
	return 0;
}

static int value(struct mjp *q, struct mj *out, int depth)
{
	char c;

	memset(out, 0, sizeof(*out));
	if (depth > MJ_MAXDEPTH)
		return bad();
	ws(q);
	if (q->i >= q->n)
		return bad();
	c = q->p[q->i];
	if (c == '{' || c == '[')
		return container(q, out, depth, c == '{');
	if (c == '"') {
		buf b = BUF_INIT;

		out->t = MJ_STR;
		if (str(q, &b) < 0) {
			buf_free(&b);
			return -1;
		}
		if (b.s == NULL && buf_cstr(&b) == NULL)
			return -1;
		out->s = b.s;
		out->len = b.len;
		return 0;
	}
	if (c == 't') {
		out->t = MJ_TRUE;
		return lit(q, "true");
	}
	if (c == 'f') {
		out->t = MJ_FALSE;
		return lit(q, "false");
	}
	if (c == 'n') {
		out->t = MJ_NULL;
		return lit(q, "null");
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		size_t s = q->i;
		char *end;

		out->t = MJ_NUM;
		while (q->i < q->n && strchr("+-0123456789.eE", q->p[q->i]) != NULL)
			q->i++;
		out->s = malloc(q->i - s + 1);
		if (out->s == NULL)
			return -1;
		memcpy(out->s, q->p + s, q->i - s);
		out->s[q->i - s] = '\0';
		out->len = q->i - s;
		out->num = strtod(out->s, &end);
		if (*end != '\0')
			return bad();
		return 0;
	}
	return bad();
}

int mj_parse(struct mj *out, const char *p, size_t n, size_t *at)
{
	struct mjp q = { p, n, 0 };
	int r = value(&q, out, 0);

	if (r == 0) {
		ws(&q);
		if (q.i != q.n)
			r = bad();
	}
	if (at)
		*at = q.i;
	if (r < 0 && errno != EINVAL)
		errno = ENOMEM;
	return r;
}

void mj_free(struct mj *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++) {
		mj_free(&j->v[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->v);
	free(j->keys);
	free(j->s);
	memset(j, 0, sizeof(*j));
}

const struct mj *mj_get(const struct mj *obj, const char *key)
{
	size_t i;

	if (obj == NULL || obj->t != MJ_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->v[i];
	return NULL;
}

unsigned long mj_ulong(const struct mj *obj, const char *key, unsigned long def)
{
	const struct mj *v = mj_get(obj, key);

	if (v == NULL || v->t != MJ_NUM || v->num < 0 || v->num > 1e18)
		return def;
	return (unsigned long)v->num;
}

const char *mj_str(const struct mj *obj, const char *key)
{
	const struct mj *v = mj_get(obj, key);

	return v && v->t == MJ_STR ? v->s : NULL;
}
