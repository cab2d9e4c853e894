/* model/delivery - one vocabulary for where mail goes, shared by both route resolvers */
#include "delivery.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/diag.h"

void dlv_set_init(struct dlv_set *s)
{
	memset(s, 0, sizeof(*s));
}

static void dlv_free_one(struct delivery *d)
{
	free(d->user);
	free(d->target);
	free(d->route);
	free(d->status);
	free(d->text);
}

void dlv_set_free(struct dlv_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		dlv_free_one(&s->v[i]);
	free(s->v);
	dlv_set_init(s);
}

static int streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int same(const struct delivery *a, const struct delivery *b)
{
	return a->kind == b->kind && streq(a->user, b->user) && streq(a->target, b->target) &&
	       streq(a->route, b->route) && streq(a->status, b->status) && streq(a->text, b->text);
}

static int dup(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

/* find - the index of a delivery identical to d, or s->n */
static size_t find(const struct dlv_set *s, const struct delivery *d)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (same(&s->v[i], d))
			break;
	return i;
}

int dlv_has(const struct dlv_set *s, const struct delivery *d)
{
	return find(s, d) < s->n;
}

int dlv_add(struct dlv_set *s, const struct delivery *d)
{
	return dlv_add_at(s, d, NULL);
}

int dlv_add_at(struct dlv_set *s, const struct delivery *d, size_t *at)
{
	struct delivery c;
	size_t i = find(s, d);

	if (at)
		*at = i;
	if (i < s->n)
		return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4;
		struct delivery *nv = realloc(s->v, nc * sizeof(*nv));

		if (nv == NULL)
			goto oom;
		s->v = nv;
		s->cap = nc;
	}
	memset(&c, 0, sizeof(c));
	c.kind = d->kind;
	if (dup(&c.user, d->user) < 0 || dup(&c.target, d->target) < 0 ||
	    dup(&c.route, d->route) < 0 || dup(&c.status, d->status) < 0 ||
	    dup(&c.text, d->text) < 0) {
		dlv_free_one(&c);
		goto oom;
	}
	s->v[s->n++] = c;
	return 0;
oom:
	errno = ENOMEM;
	return -1;
}

int dlv_add_simple(struct dlv_set *s, enum dlv_kind kind, const char *user, const char *target,
		   const char *route)
{
	struct delivery d;

	memset(&d, 0, sizeof(d));
	d.kind = kind;
	d.user = (char *)user;
	d.target = (char *)target;
	d.route = (char *)route;
	return dlv_add(s, &d);
}

const char *dlv_kind_name(enum dlv_kind k)
{
	static const char *const names[] = { "mailbox", "program", "file", "forward",
					     "bounce", "defer", "refused", "discard" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

static int part(buf *out, const char *s)
{
	if (s == NULL)
		return 0;
	if (buf_append_c(out, ' ') < 0)
		return -1;
	return buf_append_s(out, s);
}

int dlv_format(buf *out, const struct delivery *d)
{
	if (buf_append_s(out, dlv_kind_name(d->kind)) < 0)
		return -1;
	switch (d->kind) {
	case DLV_MAILBOX:
		return part(out, d->user);
	case DLV_PROGRAM:
	case DLV_FILE:
		return part(out, d->user) < 0 ? -1 : part(out, d->target);
	case DLV_FORWARD:
		if (part(out, d->target) < 0)
			return -1;
		if (d->route == NULL)
			return 0;
		return buf_append_s(out, " via ") < 0 ? -1 : buf_append_s(out, d->route);
	default:
		return part(out, d->status) < 0 ? -1 : part(out, d->text);
	}
}

/* the pieces dlv_format writes for d, in order (at most 6) */
static size_t pieces(const struct delivery *d, const char *v[6])
{
	size_t n = 0;

	v[n++] = dlv_kind_name(d->kind);
	switch (d->kind) {
	case DLV_MAILBOX:
		if (d->user) {
			v[n++] = " ";
			v[n++] = d->user;
		}
		break;
	case DLV_PROGRAM:
	case DLV_FILE:
		if (d->user) {
			v[n++] = " ";
			v[n++] = d->user;
		}
		if (d->target) {
			v[n++] = " ";
			v[n++] = d->target;
		}
		break;
	case DLV_FORWARD:
		if (d->target) {
			v[n++] = " ";
			v[n++] = d->target;
		}
		if (d->route) {
			v[n++] = " via ";
			v[n++] = d->route;
		}
		break;
	default:
		if (d->status) {
			v[n++] = " ";
			v[n++] = d->status;
		}
		if (d->text) {
			v[n++] = " ";
			v[n++] = d->text;
		}
		break;
	}
	return n;
}

/*
 * compare by formatted text (as strcmp of two dlv_format results), walking the
 * pieces instead of building the texts; ties (impossible for distinct entries)
 * keep order
 */
static int cmp(const void *pa, const void *pb)
{
	const char *a[6], *b[6];
	size_t na = pieces(pa, a), nb = pieces(pb, b), ia = 0, ib = 0;
	const unsigned char *x = (const unsigned char *)a[0], *y = (const unsigned char *)b[0];

	for (;;) {
		while (*x == '\0' && ia + 1 < na)
			x = (const unsigned char *)a[++ia];
		while (*y == '\0' && ib + 1 < nb)
			y = (const unsigned char *)b[++ib];
		if (*x != *y || *x == '\0')
			return (int)*x - (int)*y;
		x++;
		y++;
	}
}

void dlv_sort(struct dlv_set *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp);
}

int dlv_equal(const struct dlv_set *a, const struct dlv_set *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!same(&a->v[i], &b->v[i]))
			return 0;
	return 1;
}

int dlv_format_set(buf *out, const struct dlv_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (i && buf_append_s(out, " | ") < 0)
			return -1;
		if (dlv_format(out, &s->v[i]) < 0)
			return -1;
	}
	return 0;
}

static int jfield(buf *out, const char *name, const char *v)
{
	if (v == NULL)
		return 0;
	if (buf_printf(out, ",\"%s\":", name) < 0)
		return -1;
	return json_str(out, v, strlen(v));
}

int dlv_json(buf *out, const struct delivery *d)
{
	if (buf_printf(out, "{\"kind\":\"%s\"", dlv_kind_name(d->kind)) < 0)
		return -1;
	if (jfield(out, "user", d->user) < 0 || jfield(out, "target", d->target) < 0 ||
	    jfield(out, "route", d->route) < 0 || jfield(out, "status", d->status) < 0 ||
	    jfield(out, "text", d->text) < 0)
		return -1;
	return buf_append_c(out, '}');
}

int dlv_json_set(buf *out, const struct dlv_set *s)
{
	size_t i;

	if (buf_append_c(out, '[') < 0)
		return -1;
	for (i = 0; i < s->n; i++) {
		if (i && buf_append_c(out, ',') < 0)
			return -1;
		if (dlv_json(out, &s->v[i]) < 0)
			return -1;
	}
	return buf_append_c(out, ']');
}
