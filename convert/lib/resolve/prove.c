/* resolve/prove - the routing proof behind s2q-route: which addresses, how to compare, what is known */
#include "prove.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../model/alias.h"
#include "../parse/aliases.h"
#include "../parse/maptext.h"
#include "../parse/passwd.h"
#include "../parse/sendmailcf.h"
#include "../util/keyidx.h"
#include "../util/lline.h"
#include "../util/sroot.h"

const char *prove_via_name(int via)
{
	return via == PROVE_VIA_SMTP ? "smtp" : "local";
}

int prove_via_for(const char *address)
{
	return strchr(address, '@') ? PROVE_VIA_SMTP : PROVE_VIA_LOCAL;
}

static char lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static char uc(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* ---------------------------------------------------------------- the address list */

void prove_addrs_init(struct prove_addrs *a)
{
	buf_init(&a->arena);
	a->n = 0;
}

void prove_addrs_free(struct prove_addrs *a)
{
	buf_free(&a->arena);
	a->n = 0;
}

int prove_addrs_add(struct prove_addrs *a, const char *addr, size_t len, int via)
{
	size_t i, start = a->arena.len;

	if (len == 0 || len > PROVE_ADDR_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)addr[i] < 0x20 || addr[i] == 0x7f)
			return 0;
	if (buf_append_c(&a->arena, via == PROVE_VIA_SMTP ? 's' : 'l') < 0 ||
	    buf_append(&a->arena, addr, len) < 0 || buf_append_c(&a->arena, '\0') < 0) {
		a->arena.len = start;
		errno = ENOMEM;
		return -1;
	}
	a->n++;
	return 1;
}

/* keyidx_dups's same(): two entries of the arena (via byte, address) are equal */
static int same_entry(void *ctx, size_t x, size_t y)
{
	const char *ar = ((const struct prove_addrs *)ctx)->arena.s;

	return strcmp(ar + x, ar + y) == 0;
}

int prove_addrs_seal(struct prove_addrs *a)
{
	struct keyidx x;
	struct keyidx_ent *v;
	size_t *dup = NULL, ndup = 0, n = 0, p, len;

	if (a->n < 2)
		return 0;
	keyidx_init(&x);
	v = malloc(a->n * sizeof(*v));
	if (v == NULL)
		goto oom;
	for (p = 0; p < a->arena.len; p += len + 1) {
		len = strlen(a->arena.s + p);
		v[n].h = hset_hash64(a->arena.s + p, len);
		v[n++].off = p;
	}
	if (keyidx_sort(&x, v, n) < 0 || keyidx_dups(&x, same_entry, a, &dup, &ndup) < 0)
		goto oom;
	keyidx_free(&x);
	if (ndup) {	/* the arena closed up over the later ones */
		size_t w = 0, k = 0;

		for (p = 0; p < a->arena.len; p += len + 1) {
			len = strlen(a->arena.s + p);
			if (k < ndup && dup[k] == p) {
				k++;
				continue;
			}
			if (w != p)
				memmove(a->arena.s + w, a->arena.s + p, len + 1);
			w += len + 1;
		}
		a->arena.len = w;
		a->n = n - ndup;
	}
	free(dup);
	return 0;
oom:
	keyidx_free(&x);
	errno = ENOMEM;
	return -1;
}

int prove_addrs_next(const struct prove_addrs *a, size_t *pos, const char **addr, int *via)
{
	size_t p = *pos;

	if (p >= a->arena.len)
		return 0;
	*via = a->arena.s[p] == 's' ? PROVE_VIA_SMTP : PROVE_VIA_LOCAL;
	*addr = a->arena.s + p + 1;
	*pos = p + 1 + strlen(*addr) + 1;
	return 1;
}

/* ---------------------------------------------------------------- --all selection */

/* add local@domain (domain may be NULL: unqualified) */
static int add2(struct prove_addrs *a, buf *t, const char *l, size_t ll, const char *dom,
		size_t dl, int via)
{
	buf_reset(t);
	if (buf_append(t, l, ll) < 0)
		return -1;
	if (dom && (buf_append_c(t, '@') < 0 || buf_append(t, dom, dl) < 0))
		return -1;
	return prove_addrs_add(a, t->s, t->len, via) < 0 ? -1 : 0;
}

int prove_sel_name(struct prove_addrs *a, const char *name, size_t len,
		   const char *const *locals, size_t nlocals)
{
	buf t = BUF_INIT;
	size_t i;
	int rc = -1;

	if (add2(a, &t, name, len, NULL, 0, PROVE_VIA_LOCAL) < 0)
		goto out;
	for (i = 0; i < nlocals; i++)
		if (add2(a, &t, name, len, locals[i], strlen(locals[i]), PROVE_VIA_SMTP) < 0)
			goto out;
	rc = 0;
out:
	buf_free(&t);
	return rc;
}

int prove_sel_special(struct prove_addrs *a, const char *const *locals, size_t nlocals)
{
	static const char *const names[] = { "postmaster", "MAILER-DAEMON", "root" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (prove_sel_name(a, names[i], strlen(names[i]), locals, nlocals) < 0)
			return -1;
	return 0;
}

int prove_sel_vkey(struct prove_addrs *a, const char *key, size_t len)
{
	const char *at = NULL, *plus;
	buf t = BUF_INIT;
	size_t i, ll;
	int rc = -1;

	for (i = len; i > 0; i--)
		if (key[i - 1] == '@') {
			at = key + i - 1;
			break;
		}
	if (at == NULL || at + 1 == key + len)
		return 0;
	ll = (size_t)(at - key);
	plus = memchr(key, '+', ll);
	if (ll == 0 || (plus == key && (ll == 2 && (key[1] == '*' || key[1] == '+')))) {
		/* @D, +*@D, ++@D: some local part nobody has, with and without detail */
		if (add2(a, &t, PROVE_UNKNOWN, strlen(PROVE_UNKNOWN), at + 1, len - ll - 1,
			 PROVE_VIA_SMTP) < 0 ||
		    add2(a, &t, PROVE_UNKNOWN "+" PROVE_DETAIL, strlen(PROVE_UNKNOWN "+" PROVE_DETAIL),
			 at + 1, len - ll - 1, PROVE_VIA_SMTP) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (plus && plus > key && (size_t)(at - plus) == 2 && (plus[1] == '*' || plus[1] == '+')) {
		/* user+*@D, user++@D: the user with some detail */
		buf_reset(&t);
		if (buf_append(&t, key, (size_t)(plus - key) + 1) < 0 ||
		    buf_append_s(&t, PROVE_DETAIL) < 0 || buf_append(&t, at, len - ll) < 0 ||
		    prove_addrs_add(a, t.s, t.len, PROVE_VIA_SMTP) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (prove_addrs_add(a, key, len, PROVE_VIA_SMTP) < 0)
		goto out;
	if (plus == NULL) {
		buf_reset(&t);
		if (buf_append(&t, key, ll) < 0 || buf_append_s(&t, "+" PROVE_DETAIL) < 0 ||
		    buf_append(&t, at, len - ll) < 0 || prove_addrs_add(a, t.s, t.len, PROVE_VIA_SMTP) < 0)
			goto out;
	}
	buf_reset(&t);
	if (buf_append(&t, key, len) < 0)
		goto out;
	for (i = 0; i < t.len; i++)
		t.s[i] = uc(t.s[i]);
	if (prove_addrs_add(a, t.s, t.len, PROVE_VIA_SMTP) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&t);
	return rc;
}

int prove_sel_percent(struct prove_addrs *a, const char *domain, size_t len)
{
	buf t = BUF_INIT;
	int rc;

	if (len == 0)
		return 0;
	rc = add2(a, &t, PROVE_PROBE "%" PROVE_REMOTE, strlen(PROVE_PROBE "%" PROVE_REMOTE), domain,
		  len, PROVE_VIA_SMTP);
	buf_free(&t);
	return rc;
}

int prove_sel_unknown(struct prove_addrs *a, const char *domain, size_t len)
{
	buf t = BUF_INIT;
	int rc;

	if (len == 0)
		return 0;
	rc = add2(a, &t, PROVE_UNKNOWN, strlen(PROVE_UNKNOWN), domain, len, PROVE_VIA_SMTP);
	buf_free(&t);
	return rc;
}

/* a domain name or a [literal]: letters, digits, '-', '.', '_' (or the literal) */
static int domainish(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (s[0] == '[')
		return n > 2 && s[n - 1] == ']' && memchr(s + 1, ']', n - 2) == NULL &&
		       memchr(s, '@', n) == NULL;
	for (i = 0; i < n; i++) {
		char c = lc(s[i]);

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_'))
			return 0;
	}
	return 1;
}

int prove_sel_route(struct prove_addrs *a, const char *key, size_t len)
{
	buf t = BUF_INIT;
	int rc = -1;

	if (len == 0 || (len == 1 && key[0] == '.')) {
		rc = add2(a, &t, PROVE_PROBE, strlen(PROVE_PROBE), PROVE_REMOTE, strlen(PROVE_REMOTE),
			  PROVE_VIA_LOCAL);
		goto out;
	}
	if (!domainish(key, len)) {
		rc = 0;
		goto out;
	}
	if (buf_append_s(&t, PROVE_PROBE "@") < 0 ||
	    (key[0] == '.' && buf_append_s(&t, "s2q-sub") < 0) || buf_append(&t, key, len) < 0)
		goto out;
	rc = prove_addrs_add(a, t.s, t.len, PROVE_VIA_LOCAL) < 0 ? -1 : 0;
out:
	buf_free(&t);
	return rc;
}

/* the words of one class, as a pointer array (into the host model) */
static int class_words(const struct host *h, const char *name, const char ***v, size_t *n)
{
	const struct host_class *c = host_class_get(h, name);
	size_t i;

	*v = NULL;
	*n = 0;
	if (c == NULL || c->n == 0)
		return 0;
	*v = malloc(c->n * sizeof(**v));
	if (*v == NULL)
		return -1;
	for (i = 0; i < c->n; i++)
		(*v)[i] = c->v[i].word;
	*n = c->n;
	return 0;
}

static int warn(struct diag_sink *d, const char *file, const char *what, int e)
{
	return diag_add(d, DIAG_WARN, "S2Q-R310", file, 0, "--all: %s not read (%s): its "
			"addresses are not in the list", what, sroot_errstr(e));
}

/* the real path of a file inside the sendmail root: root + its resolved path */
static int rootpath(const struct prove_sel_opts *o, const char *path, buf *out, int *err)
{
	buf real = BUF_INIT;
	int fd = sroot_open(o->rootfd, path, &real);

	*err = errno;
	if (fd < 0) {
		buf_free(&real);
		return *err == ENOMEM ? -1 : 0;
	}
	close(fd);
	buf_reset(out);
	if (buf_append_s(out, o->root ? o->root : "/") < 0 || buf_append_c(out, '/') < 0 ||
	    buf_append(out, real.s, real.len) < 0 || buf_cstr(out) == NULL) {
		buf_free(&real);
		return -1;
	}
	buf_free(&real);
	return 1;
}

static int sel_aliases(struct prove_addrs *a, const struct host *h, const struct prove_sel_opts *o,
		       const char *const *w, size_t nw, struct diag_sink *d)
{
	struct alias_table t;
	const struct alias_table *at;
	struct aliases_opts ao;
	struct diag_sink scratch;
	buf path = BUF_INIT;
	size_t i;
	int rc = -1, r, e;

	alias_table_init(&t);
	diag_init(&scratch);
	memset(&ao, 0, sizeof(ao));
	ao.local_domains = w;
	ao.nlocal_domains = nw;
	ao.root = o->root;
	ao.blanksub = '.';
	for (i = 0; i < h->naliasfiles; i++) {
		const struct host_aliasfile *f = &h->aliasfiles[i];
		const char *spec = f->spec, *sp;

		if (strcmp(f->mclass, "implicit") && strcmp(f->mclass, "hash") &&
		    strcmp(f->mclass, "btree") && strcmp(f->mclass, "dbm") &&
		    strcmp(f->mclass, "text"))
			continue;	/* nis, ldap, ...: sendmail's own resolver reports it */
		while ((sp = strchr(spec, ' ')) != NULL)	/* "-N /etc/aliases": the path is last */
			spec = sp + 1;
		r = rootpath(o, spec, &path, &e);
		if (r < 0)
			goto out;
		if (r == 0) {
			if (warn(d, spec, "the aliases file", e) < 0)
				goto out;
			continue;
		}
		if (o->aliases == NULL && aliases_read(&t, path.s, spec, &ao, &scratch) < 0) {
			if (errno == ENOMEM)
				goto out;
			if (warn(d, spec, "the aliases file", errno) < 0)
				goto out;
		}
	}
	at = o->aliases ? o->aliases : &t;
	for (i = 0; i < at->nents; i++) {
		const struct alias_ent *en = &at->ents[i];

		if (en->dead == ALIAS_LIVE &&
		    prove_sel_name(a, en->name, strlen(en->name), w, nw) < 0)
			goto out;
	}
	rc = 0;
out:
	alias_table_free(&t);
	diag_free(&scratch);
	buf_free(&path);
	return rc;
}

static int sel_passwd(struct prove_addrs *a, const struct prove_sel_opts *o, const char *const *w,
		      size_t nw, struct diag_sink *d)
{
	const char *pw = o->passwd ? o->passwd : "/etc/passwd";
	struct passwd_parser p;
	struct passwd_ent e;
	struct diag_sink scratch;
	int fd = sroot_open(o->rootfd, pw, NULL), r, rc = -1;

	if (fd < 0)
		return errno == ENOMEM ? -1 : warn(d, pw, "passwd", errno);
	diag_init(&scratch);
	if (passwd_fdopen(&p, fd, pw, &scratch) < 0) {
		close(fd);
		diag_free(&scratch);
		return -1;
	}
	while ((r = passwd_next(&p, &e)) > 0)
		if (prove_sel_name(a, e.name.s, e.name.len, w, nw) < 0)
			break;
	if (r == 0)
		rc = 0;
	else if (errno != ENOMEM)
		rc = warn(d, pw, "passwd", errno);
	passwd_close(&p);
	close(fd);
	diag_free(&scratch);
	return rc;
}

/* the keys of one K map's text source, to fn (virtuser: prove_sel_vkey; mailertable: route) */
/* a virtusertable key's addresses, and its domain into vdoms; 0, -1 ENOMEM */
static int sel_vkey_dom(struct prove_addrs *a, struct hset *vdoms, const char *key, size_t klen)
{
	const char *at = memchr(key, '@', klen);

	if (prove_sel_vkey(a, key, klen) < 0)
		return -1;
	while (at && memchr(at + 1, '@', klen - (size_t)(at + 1 - key)))
		at = memchr(at + 1, '@', klen - (size_t)(at + 1 - key));
	if (at && at + 1 < key + klen &&
	    hset_put(vdoms, at + 1, klen - (size_t)(at + 1 - key), 0, NULL) < 0)
		return -1;
	return 0;
}

static int sel_map(struct prove_addrs *a, const struct host *h, const char *name,
		   enum host_feature f, const struct prove_sel_opts *o, struct hset *vdoms,
		   struct diag_sink *d)
{
	const struct host_map *m = host_map_get(h, name);
	struct diag_sink scratch;
	struct maptext mt;
	struct maptext_rec rec;
	char *shown = NULL;
	int fd, r, rc = -1;

	if (m == NULL || !h->feature[f])
		return 0;
	if (vdoms && o->vt) {	/* the resolver's copy: the same records in file order */
		const char *key, *val;
		size_t i, klen, vlen;
		unsigned long line;

		for (i = 0; i < o->vt->nrec; i++) {
			r = vtab_at(o->vt, i, &key, &klen, &val, &vlen, &line);
			if (r < 0)
				return -1;
			if (r == 1 && sel_vkey_dom(a, vdoms, key, klen) < 0)
				return -1;
		}
		return 0;
	}
	diag_init(&scratch);
	r = cf_map_source(h, m, o->rootfd, &fd, &shown, &scratch);
	if (r <= 0) {
		diag_free(&scratch);
		free(shown);
		if (r < 0)
			return -1;
		return diag_add(d, DIAG_WARN, "S2Q-R310", m->file, m->line, "--all: the text "
				"source of map %s not read: its keys are not in the list", name);
	}
	if (maptext_fdopen(&mt, fd, shown, m->nofold ? MAPTEXT_NOFOLD : 0, &scratch) < 0) {
		close(fd);
		goto out;
	}
	while ((r = maptext_next(&mt, &rec)) > 0) {
		if (vdoms) {
			if (sel_vkey_dom(a, vdoms, rec.key, rec.klen) < 0)
				break;
		} else if (prove_sel_route(a, rec.key, rec.klen) < 0) {
			break;
		}
	}
	if (r == 0)
		rc = 0;
	else if (errno != ENOMEM)
		rc = warn(d, shown, "a map source", errno);
	maptext_close(&mt);
out:
	free(shown);
	diag_free(&scratch);
	return rc;
}

static int sel_smtproutes(struct prove_addrs *a, const struct prove_sel_opts *o)
{
	buf path = BUF_INIT, line = BUF_INIT;
	lline lr;
	int fd, r, rc = -1;

	if (o->qmailfd < 0)
		return 0;
	if (buf_printf(&path, "%s/control/smtproutes", o->qmailhome ? o->qmailhome : "/var/qmail") < 0 ||
	    buf_cstr(&path) == NULL)
		goto out;
	fd = sroot_open(o->qmailfd, path.s, NULL);
	if (fd < 0) {
		rc = errno == ENOMEM ? -1 : 0;	/* no smtproutes: no routes to probe */
		goto out;
	}
	if (lline_fdopen(&lr, fd, 0) < 0) {
		close(fd);
		goto out;
	}
	while ((r = lline_next(&lr, &line)) > 0) {
		const char *c = memchr(line.s, ':', line.len);

		if (line.len == 0 || line.s[0] == '#' || c == NULL)
			continue;
		if (prove_sel_route(a, line.s, (size_t)(c - line.s)) < 0)
			break;
	}
	rc = r == 0 ? 0 : (errno == ENOMEM ? -1 : 0);
	lline_close(&lr);
	close(fd);
out:
	buf_free(&path);
	buf_free(&line);
	return rc;
}

static int byoff(const void *a, const void *b)
{
	const struct hset_slot *x = *(struct hset_slot *const *)a, *y = *(struct hset_slot *const *)b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* the domains of a hash set in arena (insertion) order: unknown probes */
static int sel_unknown_set(struct prove_addrs *a, const struct hset *s)
{
	size_t i, n = 0;
	struct hset_slot **v;
	int rc = 0;

	if (s->n == 0)
		return 0;
	v = malloc(s->n * sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].off)
			v[n++] = &s->slots[i];
	qsort(v, n, sizeof(*v), byoff);	/* arena order = insertion order */
	for (i = 0; i < n && rc == 0; i++) {
		size_t kl;
		const char *k = hset_slot_key(s, v[i], &kl);

		rc = prove_sel_unknown(a, k, kl);
	}
	free(v);
	return rc;
}

int prove_select(struct prove_addrs *a, const struct host *h, const struct prove_sel_opts *o,
		 struct diag_sink *d)
{
	const char **w = NULL, **vh = NULL;
	size_t nw = 0, nvh = 0, i;
	struct hset vdoms;
	int rc = -1;

	hset_init(&vdoms);
	if (class_words(h, "w", &w, &nw) < 0 || class_words(h, "VirtHost", &vh, &nvh) < 0)
		goto out;
	if (prove_sel_special(a, w, nw) < 0 || sel_aliases(a, h, o, w, nw, d) < 0 ||
	    sel_passwd(a, o, w, nw, d) < 0)
		goto out;
	for (i = 0; i < nvh; i++)
		if (hset_put(&vdoms, vh[i], strlen(vh[i]), 0, NULL) < 0)
			goto out;
	if (sel_map(a, h, "virtuser", HF_VIRTUSERTABLE, o, &vdoms, d) < 0)
		goto out;
	for (i = 0; i < nw; i++)
		if (prove_sel_unknown(a, w[i], strlen(w[i])) < 0)
			goto out;
	if (sel_unknown_set(a, &vdoms) < 0)
		goto out;
	for (i = 0; i < nw; i++)
		if (prove_sel_percent(a, w[i], strlen(w[i])) < 0)
			goto out;
	if (sel_smtproutes(a, o) < 0 || sel_map(a, h, "mailertable", HF_MAILERTABLE, o, NULL, d) < 0 ||
	    prove_sel_route(a, "", 0) < 0)	/* the default route: smart host or MX */
		goto out;
	rc = d->oom ? -1 : 0;
out:
	if (rc < 0)
		errno = ENOMEM;
	free(w);
	free(vh);
	hset_free(&vdoms);
	return rc;
}

/* ---------------------------------------------------------------- comparison */

const char *prove_verdict_name(enum prove_verdict v)
{
	switch (v) {
	case PROVE_SAME:
		return "same";
	case PROVE_DIFFERENT:
		return "different";
	case PROVE_ONLY_SENDMAIL:
		return "only-sendmail";
	default:
		return "only-qmail";
	}
}

void prove_result_init(struct prove_result *r)
{
	r->verdict = PROVE_SAME;
	r->known = 0;
	buf_init(&r->codes);
}

void prove_result_free(struct prove_result *r)
{
	buf_free(&r->codes);
}

static int set_str(char **dst, const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (c == NULL)
		return -1;
	memcpy(c, s, n);
	c[n] = '\0';
	free(*dst);
	*dst = c;
	return 0;
}

/* normalise a route in place (owned string) */
static int norm_route(char **route)
{
	const char *r = *route, *h, *e, *port = NULL;
	buf t = BUF_INIT;
	size_t i, start;
	int rc = -1;

	if (strncmp(r, "mx:", 3) == 0) {
		h = r + 3;
		e = h + strlen(h);
	} else if (strncmp(r, "relay:", 6) == 0) {
		h = r + 6;
		if (*h == '[') {
			e = strchr(h, ']');
			if (e == NULL)
				return 0;
			e++;
		} else {
			e = strchr(h, ':');
			if (e == NULL)
				e = h + strlen(h);
		}
		if (*e == ':')
			port = e + 1;
		else if (*e)
			return 0;	/* not a shape we know: compared as written */
	} else {
		return 0;
	}
	if (buf_append(&t, r, (size_t)(h - r)) < 0)
		goto out;
	if (*h == '[' && e - h >= 2 && e[-1] == ']') {
		h++;
		e--;
		/* [IPv6:...] stays in brackets: the colons would make the route ambiguous */
		if (memchr(h, ':', (size_t)(e - h))) {
			h--;
			e++;
		}
	}
	while (e > h && e[-1] == '.')
		e--;
	start = t.len;
	if (buf_append(&t, h, (size_t)(e - h)) < 0)
		goto out;
	for (i = start; i < t.len; i++)
		t.s[i] = lc(t.s[i]);
	if (strncmp(r, "relay:", 6) == 0 &&
	    buf_printf(&t, ":%s", port && *port ? port : "25") < 0)
		goto out;
	if (set_str(route, t.s, t.len) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&t);
	return rc;
}

static int accepting(enum dlv_kind k)
{
	return k == DLV_MAILBOX || k == DLV_PROGRAM || k == DLV_FILE || k == DLV_FORWARD ||
	       k == DLV_DISCARD;
}

int prove_normalise(struct dlv_set *out, const struct dlv_set *s)
{
	struct dlv_set t;
	size_t i, j;
	int others = 0;

	dlv_set_init(&t);
	dlv_set_free(out);
	for (i = 0; i < s->n; i++)
		if (dlv_add(&t, &s->v[i]) < 0)
			goto oom;
	for (i = 0; i < t.n; i++) {
		struct delivery *d = &t.v[i];

		if (d->kind == DLV_FORWARD && d->target) {
			char *at = strrchr(d->target, '@');

			for (; at && *at; at++)
				*at = lc(*at);
		}
		if (d->route && norm_route(&d->route) < 0)
			goto oom;
		if (d->kind == DLV_BOUNCE && d->status && strcmp(d->status, "5.1.1") == 0 &&
		    d->text && (strcmp(d->text, "User unknown") == 0 ||
				strcmp(d->text, "Sorry, no mailbox here by that name.") == 0)) {
			free(d->text);
			d->text = NULL;
		}
		if (d->kind == DLV_REFUSED) {
			free(d->status);
			free(d->text);
			d->status = d->text = NULL;
		}
		if ((d->kind == DLV_BOUNCE || d->kind == DLV_DEFER) && d->text) {
			size_t n = strlen(d->text);

			while (n && (d->text[n - 1] == ' ' || d->text[n - 1] == '\t'))
				d->text[--n] = '\0';
		}
	}
	for (i = 0; i < t.n; i++)
		if (accepting(t.v[i].kind) && t.v[i].kind != DLV_DISCARD &&
		    !(t.v[i].kind == DLV_FILE && t.v[i].target && strcmp(t.v[i].target, "/dev/null") == 0))
			others = 1;
	for (i = 0; i < t.n; i++) {
		const struct delivery *d = &t.v[i];
		int drop = 0;

		if (d->kind == DLV_FILE && d->target && strcmp(d->target, "/dev/null") == 0)
			drop = 1;
		if (d->kind == DLV_DISCARD && others)
			drop = 1;
		if (drop)
			continue;
		if (dlv_add(out, d) < 0)
			goto oom;
	}
	/* only /dev/null (and discards) accepted it: thrown away */
	for (i = 0, j = 0; i < t.n; i++)
		if (t.v[i].kind == DLV_FILE && t.v[i].target && strcmp(t.v[i].target, "/dev/null") == 0)
			j++;
	if (j && !others && dlv_add_simple(out, DLV_DISCARD, NULL, NULL, NULL) < 0)
		goto oom;
	dlv_set_free(&t);
	dlv_sort(out);
	return 0;
oom:
	dlv_set_free(&t);
	errno = ENOMEM;
	return -1;
}

static int only_perm_fail(const struct dlv_set *s)
{
	size_t i;

	if (s->n == 0)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].kind != DLV_BOUNCE && s->v[i].kind != DLV_REFUSED)
			return 0;
	return 1;
}

static int only_bounces(const struct dlv_set *s)
{
	size_t i;

	if (s->n == 0)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].kind != DLV_BOUNCE)
			return 0;
	return 1;
}

static int only_refused(const struct dlv_set *s)
{
	size_t i;

	if (s->n == 0)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].kind != DLV_REFUSED)
			return 0;
	return 1;
}

/* only qmail's generic "no mailbox here" bounce (5.1.1), as normalised */
static int only_unknown_user(const struct dlv_set *s)
{
	size_t i;

	if (s->n == 0)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].kind != DLV_BOUNCE || s->v[i].status == NULL ||
		    strcmp(s->v[i].status, "5.1.1") != 0 || s->v[i].text != NULL)
			return 0;
	return 1;
}

static int any_accepting(const struct dlv_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (accepting(s->v[i].kind))
			return 1;
	return 0;
}

/* a copy of s with one transformation: 1 program/file accounts dropped, 2 mx:H -> relay:H:25 */
static int transform(struct dlv_set *out, const struct dlv_set *s, int what)
{
	struct dlv_set t;
	size_t i;

	dlv_set_init(&t);
	dlv_set_free(out);
	for (i = 0; i < s->n; i++) {
		struct delivery d = s->v[i];
		buf r = BUF_INIT;
		int rc;

		if (what == 1 && (d.kind == DLV_PROGRAM || d.kind == DLV_FILE))
			d.user = NULL;
		if (what == 2 && d.kind == DLV_FORWARD && d.route && strncmp(d.route, "mx:", 3) == 0) {
			if (buf_printf(&r, "relay:%s:25", d.route + 3) < 0 || buf_cstr(&r) == NULL) {
				buf_free(&r);
				goto oom;
			}
			d.route = r.s;
		}
		rc = dlv_add(&t, &d);
		buf_free(&r);
		if (rc < 0)
			goto oom;
	}
	dlv_sort(&t);
	*out = t;
	return 0;
oom:
	dlv_set_free(&t);
	errno = ENOMEM;
	return -1;
}

/* bytewise order of a[0..al) and b[0..bl) */
static int tokcmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

int prove_add_code(struct prove_result *r, const char *code)
{
	buf t = BUF_INIT;
	const char *p = r->codes.len ? buf_cstr(&r->codes) : "";
	size_t cl = strlen(code);
	int placed = 0, rc = -1;

	if (p == NULL)
		return -1;
	r->known = 1;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == cl && memcmp(p, code, n) == 0) {
			buf_free(&t);
			return 0;
		}
		if (!placed && tokcmp(code, cl, p, n) < 0) {
			if ((t.len && buf_append_c(&t, ' ') < 0) || buf_append_s(&t, code) < 0)
				goto out;
			placed = 1;
		}
		if ((t.len && buf_append_c(&t, ' ') < 0) || buf_append(&t, p, n) < 0)
			goto out;
		p += n;
		if (*p == ' ')
			p++;
	}
	if (!placed && ((t.len && buf_append_c(&t, ' ') < 0) || buf_append_s(&t, code) < 0))
		goto out;
	buf_free(&r->codes);
	r->codes = t;
	return 0;
out:
	buf_free(&t);
	return rc;
}

/*
 * drop_root - if a has mailbox deliveries to uid-0 accounts: remove them
 * from a and every bounce from b, *found = 1.  When nothing else is left
 * in a, b is emptied: all qmail did is what the alias user's catch-all
 * does with root's mail.
 */
static int drop_root(struct dlv_set *a, struct dlv_set *b, const struct hset *uid0, int *found)
{
	struct dlv_set na, nb;
	size_t i;

	*found = 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i].kind == DLV_MAILBOX && a->v[i].user &&
		    hset_get(uid0, a->v[i].user, strlen(a->v[i].user), NULL))
			*found = 1;
	if (!*found)
		return 0;
	dlv_set_init(&na);
	dlv_set_init(&nb);
	for (i = 0; i < a->n; i++)
		if (!(a->v[i].kind == DLV_MAILBOX && a->v[i].user &&
		      hset_get(uid0, a->v[i].user, strlen(a->v[i].user), NULL)) &&
		    dlv_add(&na, &a->v[i]) < 0)
			goto oom;
	for (i = 0; i < b->n && na.n > 0; i++)
		if (b->v[i].kind != DLV_BOUNCE && dlv_add(&nb, &b->v[i]) < 0)
			goto oom;
	dlv_set_free(a);
	dlv_set_free(b);
	*a = na;
	*b = nb;
	return 0;
oom:
	dlv_set_free(&na);
	dlv_set_free(&nb);
	return -1;
}

/* local_has - address's local part has one of the bytes of set */
static int local_has(const char *address, const char *set)
{
	const char *at = strrchr(address, '@'), *p;

	for (p = address; at && p < at; p++)
		if (strchr(set, *p))
			return 1;
	return 0;
}

/*
 * percent_kept - R307: address is user%host@D (a '%' in the local part) and
 * qmail's set accepts it without forwarding anything to host: the %-hack
 * address landed at a catch-all or a local name of D, no relaying.
 */
static int percent_kept(const char *address, const struct dlv_set *b)
{
	const char *at = strrchr(address, '@'), *pc, *h;
	size_t hl, i;

	if (at == NULL)
		return 0;
	for (pc = NULL, h = address; h < at; h++)
		if (*h == '%')
			pc = h;
	if (pc == NULL || !any_accepting(b))
		return 0;
	h = pc + 1;
	hl = (size_t)(at - h);
	for (i = 0; i < b->n; i++) {
		const char *t = b->v[i].target, *ta;

		if (b->v[i].kind == DLV_REFUSED || b->v[i].kind == DLV_DEFER)
			return 0;
		if (b->v[i].kind != DLV_FORWARD || t == NULL)
			continue;
		ta = strrchr(t, '@');
		if (ta && strlen(ta + 1) == hl && strncasecmp(ta + 1, h, hl) == 0)
			return 0;
	}
	return 1;
}

/* subbed - target t (qmail's) equals u (sendmail's) but for blanks in t's
   local part, each of which is one and the same other byte in u (BlankSub) */
static int subbed(const char *t, const char *u)
{
	size_t n = strlen(t), i;
	const char *at = strrchr(t, '@');
	char sub = 0;
	int any = 0;

	if (at == NULL || strlen(u) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (t[i] == u[i])
			continue;
		if (t + i >= at || (t[i] != ' ' && t[i] != '\t') || u[i] == ' ' || u[i] == '\t' ||
		    (sub && u[i] != sub))
			return 0;
		sub = u[i];
		any = 1;
	}
	return any;
}

/*
 * blanks_subbed - R311: the address's local part has blanks (quoted) and
 * went into a forward through a template (the virtusertable's "%1@remote"):
 * sendmail re-parses the result, so each blank became BlankSub; qmail
 * forwards it as is.  1 when a and b are equal once each of qmail's
 * forwards with blanks in its local part is taken as sendmail's forward on
 * the same route that differs from it only there, 0 if not, -1 ENOMEM.
 */
static int blanks_subbed(const struct dlv_set *a, const struct dlv_set *b)
{
	struct dlv_set t;
	size_t i, j;
	int rc = 0, any = 0;

	if (a->n != b->n)
		return 0;
	dlv_set_init(&t);
	for (i = 0; i < b->n; i++) {
		struct delivery d = b->v[i];

		if (d.kind == DLV_FORWARD && d.target && d.route)
			for (j = 0; j < a->n; j++)
				if (a->v[j].kind == DLV_FORWARD && a->v[j].target && a->v[j].route &&
				    strcmp(a->v[j].route, d.route) == 0 && subbed(d.target, a->v[j].target)) {
					d.target = a->v[j].target;
					any = 1;
					break;
				}
		if (dlv_add(&t, &d) < 0) {
			rc = -1;
			goto out;
		}
	}
	dlv_sort(&t);
	rc = any && dlv_equal(a, &t);
out:
	dlv_set_free(&t);
	return rc;
}

/*
 * partial_bounce - R306: sendmail bounced some recipients of a list (or a
 * .forward) and delivered to the others; qmail cannot bounce one target
 * while delivering the rest, so the converters drop it (S2Q-A105, F011,
 * F024).  Known when sendmail's set without its bounces is qmail's set
 * (with R301 too when only the program/file account differs).
 */
static int partial_bounce(struct prove_result *r, const struct dlv_set *a, const struct dlv_set *b)
{
	struct dlv_set na, t1, t2;
	size_t i;
	int rc = -1;

	dlv_set_init(&na);
	dlv_set_init(&t1);
	dlv_set_init(&t2);
	for (i = 0; i < b->n; i++)
		if (b->v[i].kind == DLV_BOUNCE)
			return 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i].kind != DLV_BOUNCE && dlv_add(&na, &a->v[i]) < 0)
			goto out;
	rc = 0;
	if (na.n == a->n || na.n == 0)
		goto out;
	dlv_sort(&na);
	if (dlv_equal(&na, b)) {
		rc = prove_add_code(r, PROVE_R306);
		goto out;
	}
	rc = -1;
	if (transform(&t1, &na, 1) < 0 || transform(&t2, b, 1) < 0)
		goto out;
	rc = 0;
	if (dlv_equal(&t1, &t2))
		rc = (prove_add_code(r, PROVE_R306) < 0 || prove_add_code(r, PROVE_R301) < 0) ? -1 : 0;
out:
	dlv_set_free(&na);
	dlv_set_free(&t1);
	dlv_set_free(&t2);
	return rc;
}

/* d bounces with status 5.4.6 (a loop, or too deep) */
static int bounce546(const struct delivery *d)
{
	return d->kind == DLV_BOUNCE && d->status && strcmp(d->status, "5.4.6") == 0;
}

/*
 * loop_bounced - R308: sendmail broke a loop of aliases and .forward files at
 * a user of it and kept that user's mailbox; qmail has no such step and
 * bounces the message as looping (5.4.6: its own Delivered-To line).  Known
 * when qmail's set has such a bounce, its other deliveries are sendmail's,
 * and what sendmail has beyond them are mailboxes.
 */
static int loop_bounced(const struct dlv_set *a, const struct dlv_set *b)
{
	size_t i, nloop = 0;

	for (i = 0; i < b->n; i++) {
		if (bounce546(&b->v[i]))
			nloop++;
		else if (!dlv_has(a, &b->v[i]))
			return 0;
	}
	if (nloop == 0)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i].kind != DLV_MAILBOX && !dlv_has(b, &a->v[i]))
			return 0;
	return 1;
}

/*
 * loop_deep - R308 and R309 at once (tests/smres/loopdeep): sendmail broke a
 * loop at a user (its mailbox kept) and refused recipients past
 * MaxAliasRecursion; qmail bounced the message as looping and delivered some
 * of what sendmail refused.  Known when sendmail's deliveries beyond qmail's
 * are mailboxes and at least one too-deep refusal, and qmail's beyond
 * sendmail's are at least one 5.4.6 loop bounce and deliveries.
 */
static int loop_deep(const struct dlv_set *a, const struct dlv_set *b)
{
	static const char deep[] = "aliasing/forwarding loop broken (";
	size_t i, ndeep = 0, nloop = 0;

	for (i = 0; i < a->n; i++) {
		const struct delivery *d = &a->v[i];

		if (dlv_has(b, d) || d->kind == DLV_MAILBOX)
			continue;
		if (!bounce546(d) || d->text == NULL || strncmp(d->text, deep, sizeof(deep) - 1) != 0 ||
		    strstr(d->text, " aliases deep; ") == NULL)
			return 0;
		ndeep++;
	}
	for (i = 0; i < b->n; i++) {
		const struct delivery *d = &b->v[i];

		if (dlv_has(a, d) || accepting(d->kind))
			continue;
		if (!bounce546(d))
			return 0;
		nloop++;
	}
	return ndeep > 0 && nloop > 0;
}

/*
 * deep_delivered - R309: sendmail refused recipients past MaxAliasRecursion
 * (5.4.6 "aliasing/forwarding loop broken (N aliases deep; M max)"), counting
 * steps s2q-aliases does not see; qmail has no such limit and goes on with
 * them, as far as they lead: to recipients it has already (then only
 * sendmail's refusal is left over), to new ones, to names nobody has (5.1.1)
 * or on into a loop that its Delivered-To test bounces (5.4.6).  Known when
 * sendmail's other deliveries (but the plain "loop broken" of a list whose
 * members all went too deep) are all qmail's and qmail adds no deferral.
 */
static int deep_delivered(const struct dlv_set *a, const struct dlv_set *b)
{
	static const char deep[] = "aliasing/forwarding loop broken (";
	size_t i, ndeep = 0;

	for (i = 0; i < a->n; i++) {
		const struct delivery *d = &a->v[i];

		if (bounce546(d) && d->text && strncmp(d->text, deep, sizeof(deep) - 1) == 0 &&
		    strstr(d->text, " aliases deep; "))
			ndeep++;
		else if (bounce546(d) && d->text &&
			 strcmp(d->text, "aliasing/forwarding loop broken") == 0)
			;	/* what is left when a list's members all went too deep */
		else if (!dlv_has(b, d))
			return 0;
	}
	for (i = 0; i < b->n; i++)
		if (!dlv_has(a, &b->v[i]) && b->v[i].kind == DLV_DEFER)
			return 0;
	return ndeep > 0;
}

int prove_compare(const struct dlv_set *sm, const struct dlv_set *qm,
		  const struct prove_cmp_opts *o, struct prove_result *r)
{
	struct dlv_set a, b, a1, b1, a2;
	int rc = -1, root = 0, k;

	dlv_set_init(&a);
	dlv_set_init(&b);
	dlv_set_init(&a1);
	dlv_set_init(&b1);
	dlv_set_init(&a2);
	r->verdict = PROVE_SAME;
	r->known = 0;
	buf_reset(&r->codes);
	/* equal as they are (most addresses): nothing to normalise */
	if (dlv_equal(sm, qm)) {
		rc = (o && o->via == PROVE_VIA_SMTP && only_bounces(sm) &&
		      prove_add_code(r, PROVE_R302) < 0) ? -1 : 0;
		r->known = 0;
		goto out;
	}
	if (prove_normalise(&a, sm) < 0 || prove_normalise(&b, qm) < 0)
		goto out;
	if (dlv_equal(&a, &b)) {
		/* refused at RCPT time by sendmail, bounced after acceptance by qmail */
		if (o && o->via == PROVE_VIA_SMTP && only_bounces(&a) &&
		    (prove_add_code(r, PROVE_R302) < 0))
			goto out;
		r->known = 0;
		rc = 0;
		goto out;
	}
	if (any_accepting(&a) && only_perm_fail(&b))
		r->verdict = PROVE_ONLY_SENDMAIL;
	else if (any_accepting(&b) && only_perm_fail(&a))
		r->verdict = PROVE_ONLY_QMAIL;
	else
		r->verdict = PROVE_DIFFERENT;
	/*
	 * structural changes.  R304 first: sendmail's deliveries to the mailbox
	 * of a uid-0 account are taken out, and qmail's bounces (that is what
	 * becomes of mail to root there); then each transformation, then both
	 */
	if (o && o->uid0 && drop_root(&a, &b, o->uid0, &root) < 0)
		goto out;
	if (root && dlv_equal(&a, &b)) {
		if (prove_add_code(r, PROVE_R304) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (transform(&a1, &a, 1) < 0 || transform(&b1, &b, 1) < 0)
		goto out;
	if (dlv_equal(&a1, &b1) && prove_add_code(r, PROVE_R301) < 0)
		goto out;
	if (!r->known) {
		if (transform(&a2, &a, 2) < 0)
			goto out;
		if (dlv_equal(&a2, &b)) {
			if (prove_add_code(r, PROVE_R303) < 0)
				goto out;
		} else {
			if (transform(&a2, &a1, 2) < 0)
				goto out;
			if (dlv_equal(&a2, &b1) &&
			    (prove_add_code(r, PROVE_R301) < 0 || prove_add_code(r, PROVE_R303) < 0))
				goto out;
		}
	}
	if (root && r->known && prove_add_code(r, PROVE_R304) < 0)
		goto out;
	/* R305 also when a catch-all of D bounced it with a text of its own */
	if (!r->known && only_refused(&a) &&
	    (only_unknown_user(&b) || (o && o->address && local_has(o->address, "%!") && only_bounces(&b))) &&
	    prove_add_code(r, PROVE_R305) < 0)
		goto out;
	if (!r->known && partial_bounce(r, &a, &b) < 0)
		goto out;
	if (!r->known && o && o->address && only_refused(&a) && percent_kept(o->address, &b) &&
	    prove_add_code(r, PROVE_R307) < 0)
		goto out;
	if (!r->known && o && o->loop_user && loop_bounced(&a, &b) &&
	    prove_add_code(r, PROVE_R308) < 0)
		goto out;
	if (!r->known && o && o->deep_hidden && deep_delivered(&a, &b) &&
	    prove_add_code(r, PROVE_R309) < 0)
		goto out;
	if (!r->known && o && o->loop_user && o->deep_hidden && loop_deep(&a, &b) &&
	    (prove_add_code(r, PROVE_R308) < 0 || prove_add_code(r, PROVE_R309) < 0))
		goto out;
	if (!r->known && o && o->address && local_has(o->address, " \t")) {
		k = blanks_subbed(&a, &b);
		if (k < 0 || (k == 1 && prove_add_code(r, PROVE_R311) < 0))
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		errno = ENOMEM;
	dlv_set_free(&a);
	dlv_set_free(&b);
	dlv_set_free(&a1);
	dlv_set_free(&b1);
	dlv_set_free(&a2);
	return rc;
}

/* ---------------------------------------------------------------- known diagnostics */

void prove_known_init(struct prove_known *k)
{
	memset(k, 0, sizeof(*k));
	hset_init(&k->idx);
}

void prove_known_free(struct prove_known *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i].file);
	free(k->v);
	hset_free(&k->idx);
	memset(k, 0, sizeof(*k));
}

static const char *base(const char *f)
{
	const char *s = strrchr(f, '/');

	return s ? s + 1 : f;
}

static int idxkey(buf *t, const char *file, unsigned long line)
{
	buf_reset(t);
	return buf_printf(t, "%s\n%lu", base(file), line);
}

int prove_known_add(struct prove_known *k, const char *file, unsigned long line, const char *code)
{
	struct prove_known_ent *e;
	buf t = BUF_INIT;
	unsigned long first;
	int r;

	if (k->n == k->cap) {
		size_t nc = k->cap ? k->cap * 2 : 16;
		struct prove_known_ent *nv = realloc(k->v, nc * sizeof(*nv));

		if (nv == NULL)
			goto oom;
		k->v = nv;
		k->cap = nc;
	}
	e = &k->v[k->n];
	memset(e, 0, sizeof(*e));
	e->file = strdup(file);
	if (e->file == NULL)
		goto oom;
	e->line = line;
	snprintf(e->code, sizeof(e->code), "%s", code);
	e->next = (size_t)-1;
	if (idxkey(&t, file, line) < 0)
		goto oomf;
	r = hset_put(&k->idx, t.s, t.len, k->n, &first);
	if (r < 0)
		goto oomf;
	if (r == 0) {	/* chain after the existing head */
		e->next = k->v[first].next;
		k->v[first].next = k->n;
	}
	k->n++;
	buf_free(&t);
	return 0;
oomf:
	free(e->file);
oom:
	buf_free(&t);
	errno = ENOMEM;
	return -1;
}

/* one file name is the other, or ends with it at a '/' */
static int same_file(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la < lb) {
		const char *x = a;
		size_t lx = la;

		a = b;
		la = lb;
		b = x;
		lb = lx;
	}
	if (memcmp(a + la - lb, b, lb) != 0)
		return 0;
	return la == lb || b[0] == '/' || a[la - lb - 1] == '/';
}

int prove_known_match(const struct prove_known *k, const struct smres_src *src, size_t n,
		      struct prove_result *r)
{
	buf t = BUF_INIT;
	size_t i;
	unsigned long v;

	for (i = 0; i < n; i++) {
		size_t j;

		if (src[i].file == NULL || src[i].line == 0)
			continue;
		if (idxkey(&t, src[i].file, src[i].line) < 0)
			goto oom;
		if (!hset_get(&k->idx, t.s, t.len, &v))
			continue;
		for (j = v; j != (size_t)-1; j = k->v[j].next)
			if (same_file(k->v[j].file, src[i].file) && prove_add_code(r, k->v[j].code) < 0)
				goto oom;
	}
	buf_free(&t);
	return 0;
oom:
	buf_free(&t);
	errno = ENOMEM;
	return -1;
}

/* the JSON reader: just enough for diagnostics, any nesting up to JDEPTH */
#define JDEPTH 64

struct jr {
	const char *p, *e;
	const char *err;
	struct prove_known *k;
	int oom;
};

static void jws(struct jr *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lc(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int hex4(struct jr *j, unsigned *u)
{
	int i, h;

	if (j->e - j->p < 4)
		return -1;
	for (*u = 0, i = 0; i < 4; i++) {
		h = hexv(j->p[i]);
		if (h < 0)
			return -1;
		*u = *u * 16 + (unsigned)h;
	}
	j->p += 4;
	return 0;
}

static int utf8(buf *out, unsigned u)
{
	char b[4];
	size_t n;

	if (u < 0x80) {
		b[0] = (char)u;
		n = 1;
	} else if (u < 0x800) {
		b[0] = (char)(0xc0 | (u >> 6));
		b[1] = (char)(0x80 | (u & 0x3f));
		n = 2;
	} else if (u < 0x10000) {
		b[0] = (char)(0xe0 | (u >> 12));
		b[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		b[2] = (char)(0x80 | (u & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (u >> 18));
		b[1] = (char)(0x80 | ((u >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((u >> 6) & 0x3f));
		b[3] = (char)(0x80 | (u & 0x3f));
		n = 4;
	}
	return buf_append(out, b, n);
}

/* a string at j->p (after the quote is checked); out may be NULL (skipped) */
static int jstring(struct jr *j, buf *out)
{
	if (j->p >= j->e || *j->p != '"') {
		j->err = "a string expected";
		return -1;
	}
	j->p++;
	while (j->p < j->e && *j->p != '"') {
		char c = *j->p++;

		if ((unsigned char)c < 0x20) {
			j->err = "a control byte in a string";
			return -1;
		}
		if (c == '\\') {
			unsigned u, lo;

			if (j->p >= j->e)
				break;
			c = *j->p++;
			switch (c) {
			case '"': case '\\': case '/':
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (hex4(j, &u) < 0) {
					j->err = "a bad \\u escape";
					return -1;
				}
				if (u >= 0xd800 && u < 0xdc00 && j->e - j->p >= 6 && j->p[0] == '\\' &&
				    j->p[1] == 'u') {
					const char *save = j->p;

					j->p += 2;
					if (hex4(j, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000)
						u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					else
						j->p = save;
				}
				if (out && utf8(out, u) < 0) {
					j->oom = 1;
					return -1;
				}
				continue;
			default:
				j->err = "a bad escape in a string";
				return -1;
			}
		}
		if (out && buf_append_c(out, c) < 0) {
			j->oom = 1;
			return -1;
		}
	}
	if (j->p >= j->e) {
		j->err = "an unterminated string";
		return -1;
	}
	j->p++;
	return 0;
}

static int jvalue(struct jr *j, int depth);

/* a number: *num gets its value when it is a non-negative integer, else -1 */
static int jnumber(struct jr *j, long long *num)
{
	const char *s = j->p;
	long long v = 0;
	int integer = 1;

	if (j->p < j->e && *j->p == '-') {
		integer = 0;
		j->p++;
	}
	if (j->p >= j->e || *j->p < '0' || *j->p > '9') {
		j->err = "a value expected";
		return -1;
	}
	while (j->p < j->e && *j->p >= '0' && *j->p <= '9') {
		if (v < (INT64_MAX - 9) / 10)
			v = v * 10 + (*j->p - '0');
		else
			integer = 0;
		j->p++;
	}
	if (j->p < j->e && *j->p == '.') {
		integer = 0;
		j->p++;
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
		integer = 0;
		j->p++;
		if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
			j->p++;
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	(void)s;
	*num = integer ? v : -1;
	return 0;
}

static int jobject(struct jr *j, int depth)
{
	buf key = BUF_INIT, file = BUF_INIT, code = BUF_INIT;
	long long line = -1;
	int hasfile = 0, hascode = 0, rc = -1;

	j->p++;	/* '{' */
	jws(j);
	if (j->p < j->e && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		jws(j);
		buf_reset(&key);
		if (jstring(j, &key) < 0)
			goto out;
		jws(j);
		if (j->p >= j->e || *j->p != ':') {
			j->err = "':' expected";
			goto out;
		}
		j->p++;
		jws(j);
		if (buf_eq(&key, "file", 4) && j->p < j->e && *j->p == '"') {
			buf_reset(&file);
			if (jstring(j, &file) < 0)
				goto out;
			hasfile = 1;
		} else if (buf_eq(&key, "code", 4) && j->p < j->e && *j->p == '"') {
			buf_reset(&code);
			if (jstring(j, &code) < 0)
				goto out;
			hascode = 1;
		} else if (buf_eq(&key, "line", 4) && j->p < j->e &&
			   (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))) {
			if (jnumber(j, &line) < 0)
				goto out;
		} else if (jvalue(j, depth + 1) < 0) {
			goto out;
		}
		jws(j);
		if (j->p < j->e && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->e && *j->p == '}') {
			j->p++;
			break;
		}
		j->err = "',' or '}' expected";
		goto out;
	}
	if (hasfile && hascode && line > 0 && file.len && code.len && code.len < 12 &&
	    memchr(file.s, '\0', file.len) == NULL && memchr(code.s, '\0', code.len) == NULL) {
		if (buf_cstr(&file) == NULL || buf_cstr(&code) == NULL ||
		    prove_known_add(j->k, file.s, (unsigned long)line, code.s) < 0) {
			j->oom = 1;
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&key);
	buf_free(&file);
	buf_free(&code);
	return rc;
}

static int jvalue(struct jr *j, int depth)
{
	long long dummy;

	if (depth > JDEPTH) {
		j->err = "nested too deeply";
		return -1;
	}
	jws(j);
	if (j->p >= j->e) {
		j->err = "a value expected";
		return -1;
	}
	switch (*j->p) {
	case '{':
		return jobject(j, depth);
	case '[':
		j->p++;
		jws(j);
		if (j->p < j->e && *j->p == ']') {
			j->p++;
			return 0;
		}
		for (;;) {
			if (jvalue(j, depth + 1) < 0)
				return -1;
			jws(j);
			if (j->p < j->e && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->e && *j->p == ']') {
				j->p++;
				return 0;
			}
			j->err = "',' or ']' expected";
			return -1;
		}
	case '"':
		return jstring(j, NULL);
	case 't':
		if (j->e - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
			j->p += 4;
			return 0;
		}
		break;
	case 'f':
		if (j->e - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
			j->p += 5;
			return 0;
		}
		break;
	case 'n':
		if (j->e - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
			j->p += 4;
			return 0;
		}
		break;
	default:
		return jnumber(j, &dummy);
	}
	j->err = "a value expected";
	return -1;
}

int prove_known_read(struct prove_known *k, const char *p, size_t len, const char **err,
		     unsigned long *errline)
{
	struct jr j;
	const char *s;

	j.p = p;
	j.e = p + len;
	j.err = NULL;
	j.k = k;
	j.oom = 0;
	*err = NULL;
	*errline = 0;
	jws(&j);
	if (j.p == j.e) {
		*err = "no JSON text";
		*errline = 1;
		return 0;
	}
	while (j.p < j.e) {
		if (*j.p != '{' && *j.p != '[') {
			j.err = "an object or an array expected";
			break;
		}
		if (jvalue(&j, 0) < 0)
			break;
		jws(&j);
	}
	if (j.oom) {
		errno = ENOMEM;
		return -1;
	}
	if (j.p < j.e || j.err) {
		*err = j.err ? j.err : "trailing garbage";
		*errline = 1;
		for (s = p; s < j.p && s < j.e; s++)
			if (*s == '\n')
				(*errline)++;
		return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- report */

void prove_count(struct prove_summary *s, const struct prove_result *r)
{
	switch (r->verdict) {
	case PROVE_SAME:
		s->same++;
		break;
	case PROVE_DIFFERENT:
		s->different++;
		break;
	case PROVE_ONLY_SENDMAIL:
		s->only_sendmail++;
		break;
	default:
		s->only_qmail++;
		break;
	}
	if (r->verdict != PROVE_SAME) {
		if (r->known)
			s->known++;
		else
			s->unexplained++;
	}
	s->total++;
}

static int fset(buf *out, const struct dlv_set *s)
{
	if (s->n == 0)
		return buf_append_s(out, "(nothing)");
	return dlv_format_set(out, s);
}

static int faddr(buf *out, const char *addr, int via)
{
	if (buf_append_s(out, addr) < 0)
		return -1;
	if (via == PROVE_VIA_LOCAL && strchr(addr, '@'))
		return buf_append_s(out, " (local)");
	return 0;
}

int prove_format(buf *out, const char *addr, int via, const struct prove_result *r,
		 const struct dlv_set *sm, const struct dlv_set *qm)
{
	if (buf_append_s(out, prove_verdict_name(r->verdict)) < 0 || buf_append_c(out, ' ') < 0 ||
	    faddr(out, addr, via) < 0 || buf_append_s(out, ": ") < 0)
		return -1;
	if (r->verdict == PROVE_SAME) {
		if (fset(out, sm) < 0)
			return -1;
		if (r->codes.len && (buf_append_s(out, " [") < 0 ||
				     buf_append(out, r->codes.s, r->codes.len) < 0 ||
				     buf_append_c(out, ']') < 0))
			return -1;
		return buf_append_c(out, '\n');
	}
	if (buf_append_s(out, "sendmail: ") < 0 || fset(out, sm) < 0 ||
	    buf_append_s(out, " / qmail: ") < 0 || fset(out, qm) < 0)
		return -1;
	if (r->known && (buf_append_s(out, " [known ") < 0 ||
			 buf_append(out, r->codes.s, r->codes.len) < 0 || buf_append_c(out, ']') < 0))
		return -1;
	return buf_append_c(out, '\n');
}

int prove_json(buf *out, const char *addr, int via, const struct prove_result *r,
	       const struct dlv_set *sm, const struct dlv_set *qm, const struct smres_src *src,
	       size_t nsrc)
{
	size_t i, n = 0;
	const char *c;

	if (buf_append_s(out, "{\"address\":") < 0 || json_str(out, addr, strlen(addr)) < 0 ||
	    buf_printf(out, ",\"via\":\"%s\",\"verdict\":\"%s\",\"known\":%s,\"codes\":[",
		       prove_via_name(via), prove_verdict_name(r->verdict),
		       r->verdict != PROVE_SAME && r->known ? "true" : "false") < 0)
		return -1;
	for (c = r->codes.s, i = 0; c && i < r->codes.len; n++) {
		const char *e = memchr(c + i, ' ', r->codes.len - i);
		size_t l = e ? (size_t)(e - (c + i)) : r->codes.len - i;

		if ((n && buf_append_c(out, ',') < 0) || json_str(out, c + i, l) < 0)
			return -1;
		i += l + 1;
	}
	if (buf_append_s(out, "],\"sendmail\":") < 0 || dlv_json_set(out, sm) < 0 ||
	    buf_append_s(out, ",\"qmail\":") < 0 || dlv_json_set(out, qm) < 0 ||
	    buf_append_s(out, ",\"sources\":[") < 0)
		return -1;
	for (i = 0, n = 0; i < nsrc; i++) {
		buf t = BUF_INIT;
		int rc;

		if (src[i].file == NULL)
			continue;
		rc = buf_printf(&t, "%s:%lu", src[i].file, src[i].line) < 0 ||
		     (n++ && buf_append_c(out, ',') < 0) || json_str(out, t.s, t.len) < 0;
		buf_free(&t);
		if (rc)
			return -1;
	}
	return buf_append_s(out, "]}");
}

int prove_format_summary(buf *out, const struct prove_summary *s)
{
	return buf_printf(out, "summary: %lu same, %lu different, %lu only-sendmail, %lu only-qmail; "
			  "%lu known, %lu unexplained; %lu total\n", s->same, s->different,
			  s->only_sendmail, s->only_qmail, s->known, s->unexplained, s->total);
}

int prove_json_summary(buf *out, const struct prove_summary *s)
{
	return buf_printf(out, "{\"same\":%lu,\"different\":%lu,\"known\":%lu,\"only_sendmail\":%lu,"
			  "\"only_qmail\":%lu,\"unexplained\":%lu,\"total\":%lu}", s->same,
			  s->different, s->known, s->only_sendmail, s->only_qmail, s->unexplained,
			  s->total);
}
