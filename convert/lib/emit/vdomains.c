/* emit/vdomains - the virtusertable as qmail virtual domains, with sendmail's meaning */
#include "vdomains.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../util/aw.h"
#include "../util/outtx.h"
#include "assignfrag.h"
#include "dotqmail.h"
#include "ffcdb.h"

#define PREFIX_BASE	"vd_"
#define DOMAIN_HANDLER	"vd="		/* ~alias/.qmail-vd=-default: every domain (with the ids) */
#define PLUS_HANDLER	"vd+"		/* ~alias/.qmail-vd+-default: user+detail of users with keys */
#define MAX_CHAIN	50		/* sendmail's MAXRULERECURSION */
#define NOMAILBOX	"Sorry, no mailbox here by that name. (#5.1.1)"
#define NOT_FOUND	"s2q-virtusers: the domain is missing from the virtusers database (#4.3.0)"

/* one virtual domain */
struct vd {
	char *name;		/* lower-cased */
	char *prefix;
	unsigned elig;		/* VU_ELIG_* */
	unsigned long line;	/* its first entry */
	int has_key1;		/* some key answers lookup 1 */
	int has_e5, has_e6;	/* ++@D, +*@D */
	int has_users;		/* user@D, user+*@D or user++@D keys */
	int need_plus;		/* its .qmail-P-default must split +detail itself */
	int bad;		/* cannot be written (reported) */
	char *e7;		/* the @D value, or NULL */
	size_t e7len;
	unsigned long e7line;
};

enum ctx { CTX_KEY1, CTX_PLUS, CTX_TAIL };

/* an instruction: '&' address, '|' program */
struct act {
	char kind;
	buf text;
};

struct vdom {
	struct vdom_opts o;
	struct diag_sink *d;
	struct vdom_stats st;
	int rootfd, writing;
	struct outtx tx;
	int tx_open;
	struct ffcdb cdb, tcdb;	/* the keys; the domains' @ entries (with the ids) */
	int cdb_open, tcdb_open;
	int ids;		/* the alias user's uid and gid are known: users/assign lines */
	struct aw assign;
	int assign_open;
	buf abuf;		/* users/assign lines not yet written */
	char *ahome, *cdbrel, *tcdbrel, *assignrel, *vdrel, *rcptrel, *notlocalrel;
	struct vd *v;
	size_t n, cap;
	struct hset byname, prefixes;
	unsigned char *chk;	/* per record: follow its chain in vdom_finish */
	size_t nrec, capchk;
	buf where, tmp, data, word, key, line, txt;
	struct vu_err err;
	struct vu_target tgt;
	const char *tgt_of;	/* the value v->tgt was read from (by diagnose), or NULL */
	size_t tgt_len;
	struct act act;
	buf plusline;
	int plus_handler;	/* some users/assign line routes to .qmail-vd_+plus-default */
	char **notlocal;
	size_t nnotlocal;
};

/* ---------------------------------------------------------------- helpers */

static char lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int note(struct vdom *v, enum diag_sev sev, const char *code, unsigned long line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int note(struct vdom *v, enum diag_sev sev, const char *code, unsigned long line,
		const char *fmt, ...)
{
	va_list ap;
	int r;

	if (v->d == NULL)
		return 0;
	va_start(ap, fmt);
	r = diag_vadd(v->d, sev, code, v->o.file, line, fmt, ap);
	va_end(ap);
	return r;
}

/* show - a string for a message (at most 200 bytes) */
static int sl(size_t n)
{
	return n > 200 ? 200 : (int)n;
}


static char *dupf(const char *a, const char *b)
{
	buf x = BUF_INIT;

	if (buf_printf(&x, "%s%s", a, b) < 0 || buf_cstr(&x) == NULL) {
		buf_free(&x);
		return NULL;
	}
	return x.s;
}

static int safe_word(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("@%+=:,./_-", c) != NULL) || c == '\0')
			return 0;
	}
	return 1;
}

/* sq - append s as one shell word: bare when safe, else in single quotes */
static int sq(buf *out, const char *s, size_t n)
{
	size_t i;

	if (safe_word(s, n))
		return buf_append(out, s, n);
	if (buf_append_c(out, '\'') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '\'') {
			if (buf_append_s(out, "'\\''") < 0)
				return -1;
		} else if (buf_append_c(out, s[i]) < 0) {
			return -1;
		}
	}
	return buf_append_c(out, '\'');
}

static int is_dotless(const struct vdom *v, const char *dom, size_t n)
{
	if (n == 0 || dom[0] == '[' || memchr(dom, '.', n) != NULL)
		return 0;
	return !(vu_eligible(v->o.dom, dom, n) & VU_ELIG_W);
}

/* ---------------------------------------------------------------- templates */

/*
 * A template is a value with %0..%9 (and, in error messages from
 * parse/virtuser, %L %D for the workspace).  In a context each reference
 * is either a constant or a shell variable:
 *
 *            %0      %1        %2        %3        %L        %D
 *   KEY1     key     $DEFAULT  ""        ""        $DEFAULT  $HOST
 *   PLUS     key     $S2Q_1    $S2Q_2    $S2Q_3    $DEFAULT  $HOST
 *   TAIL     key     $DEFAULT  ""        ""        $DEFAULT  $HOST
 */
struct tctx {
	enum ctx c;
	const char *key;	/* %0 */
	size_t klen;
	int ws;			/* %L and %D are references (error texts) */
};

/* ref - for reference r ('0'..'9', 'L', 'D'): *var (a name) or *cst, *cn (a constant) */
static void ref(const struct tctx *t, char r, const char **var, const char **cst, size_t *cn)
{
	*var = NULL;
	*cst = "";
	*cn = 0;
	switch (r) {
	case '0':
		*cst = t->key;
		*cn = t->klen;
		return;
	case '1':
		*var = t->c == CTX_PLUS ? "S2Q_1" : "DEFAULT";
		return;
	case '2':
		if (t->c == CTX_PLUS)
			*var = "S2Q_2";
		return;
	case '3':
		if (t->c == CTX_PLUS)
			*var = "S2Q_3";
		return;
	case 'L':
		*var = "DEFAULT";
		return;
	case 'D':
		*var = "HOST";
		return;
	default:
		return;
	}
}

/* tnext - the next piece of template s at *i: 0 literal byte (*c), 1 reference (*r), -1 end */
static int tnext(const struct tctx *t, const char *s, size_t n, size_t *i, char *c, char *r)
{
	if (*i >= n)
		return -1;
	if (s[*i] == '%' && *i + 1 < n) {
		char d = s[*i + 1];

		if ((d >= '0' && d <= '9') || (t->ws && (d == 'L' || d == 'D'))) {
			*r = d;
			*i += 2;
			return 1;
		}
		if (d == '%') {
			*c = '%';
			*i += 2;
			return 0;
		}
	}
	*c = s[(*i)++];
	return 0;
}

/* dynamic - 1 if the template needs a variable in this context */
static int dynamic(const struct tctx *t, const char *s, size_t n)
{
	size_t i = 0;
	char c, r;
	int k;

	while ((k = tnext(t, s, n, &i, &c, &r)) >= 0) {
		const char *var, *cst;
		size_t cn;

		if (k == 1) {
			ref(t, r, &var, &cst, &cn);
			if (var)
				return 1;
		}
	}
	return 0;
}

/* expand_static - the template with its constant references filled in */
static int expand_static(buf *out, const struct tctx *t, const char *s, size_t n)
{
	size_t i = 0;
	char c, r;
	int k;

	while ((k = tnext(t, s, n, &i, &c, &r)) >= 0) {
		if (k == 0) {
			if (buf_append_c(out, c) < 0)
				return -1;
		} else {
			const char *var, *cst;
			size_t cn;

			ref(t, r, &var, &cst, &cn);
			if (buf_append(out, cst, cn) < 0)
				return -1;
		}
	}
	return 0;
}

/* render_sh - the template as one shell word: literal runs quoted, variables in "$X" */
static int render_sh(buf *out, const struct tctx *t, const char *s, size_t n, const char *suffix)
{
	buf lit = BUF_INIT;
	size_t i = 0, start = out->len;
	char c, r;
	int k, rc = -1;

	while ((k = tnext(t, s, n, &i, &c, &r)) >= 0) {
		const char *var, *cst;
		size_t cn;

		if (k == 0) {
			if (buf_append_c(&lit, c) < 0)
				goto out;
			continue;
		}
		ref(t, r, &var, &cst, &cn);
		if (var == NULL) {
			if (buf_append(&lit, cst, cn) < 0)
				goto out;
			continue;
		}
		if (lit.len && sq(out, lit.s, lit.len) < 0)
			goto out;
		buf_reset(&lit);
		if (buf_printf(out, "\"$%s\"", var) < 0)
			goto out;
	}
	if (suffix && buf_append_s(&lit, suffix) < 0)
		goto out;
	if (lit.len && sq(out, lit.s, lit.len) < 0)
		goto out;
	if (out->len == start && buf_append_s(out, "''") < 0)
		goto out;
	rc = 0;
out:
	buf_free(&lit);
	return rc;
}

/* ---------------------------------------------------------------- actions */

static int act_bounce_static(struct vdom *v, const char *text, size_t tn, const char *dsn, int temp)
{
	buf *w = &v->word;

	buf_reset(w);
	if (buf_append(w, text, tn) < 0 || (tn && buf_append_c(w, ' ') < 0) ||
	    buf_printf(w, "(#%s)", dsn) < 0)
		return -1;
	v->act.kind = '|';
	buf_reset(&v->act.text);
	if (temp) {
		if (buf_append_s(&v->act.text, "echo ") < 0 || sq(&v->act.text, w->s, w->len) < 0 ||
		    buf_append_s(&v->act.text, "; exit 111") < 0)
			return -1;
		return 0;
	}
	if (buf_append_s(&v->act.text, v->o.bouncesaying) < 0 || buf_append_c(&v->act.text, ' ') < 0)
		return -1;
	/* always quoted: bouncesaying takes exactly one argument */
	buf_reset(&v->tmp);
	if (buf_append_c(&v->tmp, '\'') < 0)
		return -1;
	{
		size_t i;

		for (i = 0; i < w->len; i++)
			if ((w->s[i] == '\'' ? buf_append_s(&v->tmp, "'\\''")
					     : buf_append_c(&v->tmp, w->s[i])) < 0)
				return -1;
	}
	if (buf_append_c(&v->tmp, '\'') < 0 || buf_append(&v->act.text, v->tmp.s, v->tmp.len) < 0)
		return -1;
	return 0;
}

/* act_error - the instruction for an error value in context t */
static int act_error(struct vdom *v, const struct tctx *t)
{
	struct vu_err *e = &v->err;
	const char *txt = e->shown.len ? e->shown.s : e->text.s;
	size_t tn = e->shown.len ? e->shown.len : e->text.len;
	struct tctx tw = *t;

	tw.ws = 1;
	if (txt == NULL)
		txt = "", tn = 0;
	if (!dynamic(&tw, txt, tn)) {
		buf_reset(&v->tmp);
		if (expand_static(&v->tmp, &tw, txt, tn) < 0)
			return -1;
		buf_reset(&v->txt);
		if (buf_append(&v->txt, v->tmp.s ? v->tmp.s : "", v->tmp.len) < 0)
			return -1;
		return act_bounce_static(v, v->txt.s ? v->txt.s : "", v->txt.len, e->dsn.s,
					 e->temp);
	}
	v->act.kind = '|';
	buf_reset(&v->act.text);
	buf_reset(&v->word);
	if (buf_printf(&v->word, "%s(#%s)", tn ? " " : "", e->dsn.s) < 0)
		return -1;
	if (e->temp) {
		if (buf_append_s(&v->act.text, "echo ") < 0 ||
		    render_sh(&v->act.text, &tw, txt, tn, v->word.s) < 0 ||
		    buf_append_s(&v->act.text, "; exit 111") < 0)
			return -1;
		return 0;
	}
	if (buf_append_s(&v->act.text, v->o.bouncesaying) < 0 ||
	    buf_append_c(&v->act.text, ' ') < 0 || render_sh(&v->act.text, &tw, txt, tn, v->word.s) < 0)
		return -1;
	return 0;
}

/* act_forward_static - the instruction for a constant address value */
static int act_forward_static(struct vdom *v, const char *s, size_t n)
{
	struct vu_target *g = &v->tgt;

	if (!(v->tgt_of && v->tgt_len == n && memcmp(v->tgt_of, s, n) == 0) &&
	    v->o.target_parse(s, n, g) < 0)
		return -1;
	v->act.kind = '&';
	buf_reset(&v->act.text);
	switch (g->kind) {
	case VT_BOUNCE:
		return act_bounce_static(v, g->text, strlen(g->text), g->dsn, 0);
	case VT_BARE:
	case VT_NOALIAS:
	case VT_UUCP:
		if (buf_append(&v->act.text, g->addr.s, g->addr.len) < 0 ||
		    buf_append_c(&v->act.text, '@') < 0 || buf_append_s(&v->act.text, v->o.me) < 0)
			return -1;
		return 0;
	case VT_ADDR:
	case VT_PERCENT:
		if (buf_append(&v->act.text, g->addr.s, g->addr.len) < 0)
			return -1;
		if (v->o.defaultdomain && is_dotless(v, g->addr.s + g->at + 1, g->addr.len - g->at - 1) &&
		    (buf_append_c(&v->act.text, '.') < 0 ||
		     buf_append_s(&v->act.text, v->o.defaultdomain) < 0))
			return -1;
		return 0;
	}
	return 0;
}

/* act_value - the instruction for value val in context t (v->err holds its error reading) */
static int act_value(struct vdom *v, const struct tctx *t, const char *val, size_t vlen, int iserr)
{
	if (iserr)
		return act_error(v, t);
	if (!dynamic(t, val, vlen)) {
		if (!(vu_uses(val, vlen) || memchr(val, '%', vlen)))
			return act_forward_static(v, val, vlen);
		buf_reset(&v->line);
		if (expand_static(&v->line, t, val, vlen) < 0)
			return -1;
		return act_forward_static(v, v->line.s ? v->line.s : "", v->line.len);
	}
	v->tgt_of = NULL;
	if (vu_target_template(val, vlen, &v->tgt) < 0)
		return -1;
	if (v->tgt.kind == VT_BOUNCE)
		return act_bounce_static(v, v->tgt.text, strlen(v->tgt.text), v->tgt.dsn, 0);
	v->act.kind = '|';
	buf_reset(&v->act.text);
	if (buf_append_s(&v->act.text, v->o.forward) < 0 || buf_append_c(&v->act.text, ' ') < 0)
		return -1;
	buf_reset(&v->word);
	if (v->tgt.kind == VT_BARE) {
		if (buf_printf(&v->word, "@%s", v->o.me) < 0)
			return -1;
	} else {
		const char *dom = v->tgt.addr.s + v->tgt.at + 1;
		size_t dn = v->tgt.addr.len - v->tgt.at - 1;

		if (v->o.defaultdomain && memchr(dom, '%', dn) == NULL && is_dotless(v, dom, dn) &&
		    buf_printf(&v->word, ".%s", v->o.defaultdomain) < 0)
			return -1;
	}
	if (buf_cstr(&v->word) == NULL)
		return -1;
	return render_sh(&v->act.text, t, v->tgt.addr.s, v->tgt.addr.len, v->word.s);
}

/* act_fallthrough - no entry matched: local delivery (class w) or relaying (a bounce here) */
static int act_fallthrough(struct vdom *v, const struct vd *d)
{
	buf_reset(&v->act.text);
	if (d->elig & VU_ELIG_W) {
		v->act.kind = '|';
		if (buf_append_s(&v->act.text, v->o.forward) < 0 ||
		    buf_append_s(&v->act.text, " \"$DEFAULT\"@") < 0 ||
		    sq(&v->act.text, v->o.me, strlen(v->o.me)) < 0)
			return -1;
		return 0;
	}
	return act_bounce_static(v, NOMAILBOX, strlen(NOMAILBOX) - 9, "5.1.1", 0);
}

/* ---------------------------------------------------------------- output */

static void set_where(struct vdom *v, const char *rel)
{
	buf_reset(&v->where);
	if (buf_append_s(&v->where, rel) < 0 || buf_cstr(&v->where) == NULL)
		buf_reset(&v->where);
}

/* record - one record ":target" holding the current action, in the keys' database */
static int record_in(struct vdom *v, struct ffcdb *db, const char *rel, const char *target,
		     size_t tlen, unsigned long line);

static int record(struct vdom *v, const char *target, size_t tlen, unsigned long line)
{
	return record_in(v, &v->cdb, v->cdbrel, target, tlen, line);
}

static int record_in(struct vdom *v, struct ffcdb *db, const char *rel, const char *target,
		     size_t tlen, unsigned long line)
{
	buf_reset(&v->data);
	if (ffcdb_ins(&v->data, v->act.kind, v->act.text.s ? v->act.text.s : "", v->act.text.len) < 0) {
		if (errno == EINVAL)
			return note(v, DIAG_ERROR, "S2Q-V108", line,
				    "the instruction for this entry cannot be stored in the fastforward "
				    "database (a NUL byte or nothing to do)");
		return -1;
	}
	if (ffcdb_target(db, target, tlen, v->data.s, v->data.len) < 0) {
		if (errno == EINVAL)
			return note(v, DIAG_ERROR, "S2Q-V108", line,
				    "key '%.*s' cannot be stored in the fastforward database", sl(tlen),
				    target);
		set_where(v, rel);
		return -1;
	}
	v->st.records++;
	return 0;
}

/* target - "P-local@domain" (sep '-') or "P+local@domain" (sep '+') into v->key */
static int mktarget(struct vdom *v, const struct vd *d, char sep, const char *local, size_t llen)
{
	buf_reset(&v->key);
	return buf_append_s(&v->key, d->prefix) < 0 || buf_append_c(&v->key, sep) < 0 ||
		       buf_append(&v->key, local, llen) < 0 || buf_append_c(&v->key, '@') < 0 ||
		       buf_append_s(&v->key, d->name) < 0
		       ? -1
		       : 0;
}

/* ---------------------------------------------------------------- domains */

static int domain_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == ':' || c == 0x7f || c == '#')
			return 0;
	}
	return 1;
}

/* taken - 1 if prefix p cannot be used: another domain's, or a login/alias that is p or p-... */
static int taken(const struct vdom *v, const char *p, size_t n)
{
	if (hset_get(&v->prefixes, p, n, NULL) == 1)
		return 1;
	if (v->o.logins && hset_get(v->o.logins, p, n, NULL) == 1)
		return 1;
	if (v->o.aliases && hset_get(v->o.aliases, p, n, NULL) == 1)
		return 1;
	return 0;
}

static int make_prefix(struct vdom *v, struct vd *d, unsigned long line)
{
	buf p = BUF_INIT;
	size_t i, base, n = strlen(d->name);
	unsigned long k;
	int rc = -1, clash = 0;

	if (buf_append_s(&p, PREFIX_BASE) < 0)
		goto out;
	for (i = 0; i < n && i < 200; i++) {
		char c = d->name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'))
			c = '_';
		if (buf_append_c(&p, c) < 0)
			goto out;
	}
	base = p.len;
	for (k = 2; taken(v, p.s, p.len); k++) {
		clash = 1;
		p.len = base;
		if (buf_printf(&p, "_%lu", k) < 0)
			goto out;
	}
	if (buf_cstr(&p) == NULL || hset_put(&v->prefixes, p.s, p.len, 1, NULL) < 0)
		goto out;
	if (clash && note(v, DIAG_NOTE, "S2Q-V104", line,
			  "domain %s gets the prefix %s: the plain form is taken (another domain's "
			  "prefix, or a login or alias name of the old host that is the prefix or "
			  "starts with it and '-')", d->name, p.s) < 0)
		goto out;
	d->prefix = p.s;
	p.s = NULL;
	rc = 0;
out:
	buf_free(&p);
	return rc;
}

/* domain - the entry of domain dom (created on first sight); NULL on ENOMEM */
static struct vd *domain(struct vdom *v, const char *dom, size_t n, unsigned elig,
			 unsigned long line)
{
	unsigned long idx;
	struct vd *d;
	size_t i;

	buf_reset(&v->tmp);
	if (buf_ready(&v->tmp, n + 1) < 0)
		return NULL;
	for (i = 0; i < n; i++)
		v->tmp.s[i] = lc(dom[i]);
	v->tmp.len = n;
	if (hset_get(&v->byname, v->tmp.s, n, &idx) == 1)
		return &v->v[idx];
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 64;
		struct vd *nv = realloc(v->v, nc * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		v->v = nv;
		v->cap = nc;
	}
	d = &v->v[v->n];
	memset(d, 0, sizeof(*d));
	d->name = mem_dupz(v->tmp.s, n);
	if (d->name == NULL || hset_put(&v->byname, d->name, n, v->n, NULL) < 0) {
		free(d->name);
		return NULL;
	}
	d->elig = elig;
	d->line = line;
	v->n++;
	if (!domain_ok(d->name, n)) {
		d->bad = 1;
		d->prefix = mem_dupz(PREFIX_BASE "bad", 6);
		if (d->prefix == NULL)
			return NULL;
		if (note(v, DIAG_ERROR, "S2Q-V110", line,
			 "domain '%.*s' cannot be a qmail control/virtualdomains entry (a blank, "
			 "control byte, ':' or '#')", sl(n), d->name) < 0)
			return NULL;
		return d;
	}
	if (make_prefix(v, d, line) < 0)
		return NULL;
	return d;
}

/* ---------------------------------------------------------------- begin */

static void vdom_release(struct vdom *v)
{
	size_t i;

	if (v->cdb_open)
		ffcdb_abort(&v->cdb);
	if (v->tcdb_open)
		ffcdb_abort(&v->tcdb);
	if (v->assign_open)
		aw_abort(&v->assign);
	if (v->tx_open)
		outtx_abort(&v->tx);
	v->cdb_open = v->tcdb_open = v->assign_open = v->tx_open = 0;
	for (i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].prefix);
		free(v->v[i].e7);
	}
	free(v->v);
	for (i = 0; i < v->nnotlocal; i++)
		free(v->notlocal[i]);
	free(v->notlocal);
	hset_free(&v->byname);
	hset_free(&v->prefixes);
	free(v->chk);
	free(v->ahome);
	free(v->cdbrel);
	free(v->tcdbrel);
	free(v->assignrel);
	free(v->vdrel);
	free(v->rcptrel);
	free(v->notlocalrel);
	buf_free(&v->where);
	buf_free(&v->tmp);
	buf_free(&v->data);
	buf_free(&v->word);
	buf_free(&v->key);
	buf_free(&v->line);
	buf_free(&v->txt);
	buf_free(&v->abuf);
	buf_free(&v->plusline);
	buf_free(&v->act.text);
	vu_err_free(&v->err);
	vu_target_free(&v->tgt);
}

void vdom_free(struct vdom *v)
{
	if (v == NULL)
		return;
	vdom_release(v);
	free(v);
}

/*
 * plusline - the shell line that splits +detail as sendmail does and asks
 * the database, appended to out.  nomatch is what it does with a local part
 * without such a '+' ("exit 0": the next line of the .qmail file decides).
 * Inside fastforward (inff) a found key ends it with 0, not 99 (fastforward
 * takes any other exit code of a program as a failure).
 */
static int plusline(struct vdom *v, buf *out, const char *nomatch, int inff)
{
	buf ff = BUF_INIT, cdb = BUF_INIT;
	int r;

	if (sq(&ff, v->o.fastforward, strlen(v->o.fastforward)) < 0 ||
	    sq(&cdb, v->o.cdb_path, strlen(v->o.cdb_path)) < 0 || buf_cstr(&ff) == NULL ||
	    buf_cstr(&cdb) == NULL) {
		buf_free(&ff);
		buf_free(&cdb);
		return -1;
	}
	/*
	 * L = the local part (LOCAL is P-L; P has no '-'); user = L up to the
	 * first '+' after its first byte, e = the detail.  Then the keys 1..7 in
	 * sendmail's order, each a fastforward lookup of RECIPIENT; a found key
	 * ends the line with fastforward's exit code (99 forwarded, 100 bounce,
	 * 111 retry).  DEFAULT, S2Q_1..3 are what the programs in the database
	 * use for %1 (the whole L) and %1 %2 %3 of the +detail keys.  The last
	 * key, "P+@domain", is always there (the @domain entry or the
	 * fall-through): not finding it means the database is not this tree's.
	 * Every expansion is in double quotes: the envelope is never evaluated.
	 */
	r = buf_printf(out,
		       "L=\"${LOCAL#*-}\"; r=\"${L#?}\"; case \"$r\" in *+*) ;; *) %s;; esac; "
		       "u=\"${L%%\"$r\"}${r%%%%+*}\"; e=\"${r#*+}\"; p=\"${LOCAL%%%%-*}\"; "
		       "export DEFAULT=\"$L\" S2Q_1=\"$u\" S2Q_2=\"$e\" S2Q_3=\"+$e\"; "
		       "f() { RECIPIENT=\"$1@$HOST\" %s -p %s; c=$?; %s[ $c = 0 ] || exit $c; }; "
		       "f \"$p-$L\"; [ -n \"$e\" ] && f \"$p+$u++\"; f \"$p+$u+*\"; f \"$p+$u\"; "
		       "f \"$p-$u\"; [ -n \"$e\" ] && f \"$p+++\"; f \"$p++*\"; f \"$p+\"; "
		       "echo '%s'; exit 111", nomatch, ff.s, cdb.s,
		       inff ? "[ $c = 99 ] && exit 0; " : "", NOT_FOUND);
	buf_free(&ff);
	buf_free(&cdb);
	return r < 0 || buf_cstr(out) == NULL ? -1 : 0;
}

static int make_plusline(struct vdom *v)
{
	return plusline(v, &v->plusline, "exit 0", 0);
}

int vdom_begin(struct vdom **vp, const struct vdom_opts *o, int rootfd, struct diag_sink *d)
{
	struct vdom *v = calloc(1, sizeof(*v));
	char stage[16];
	int e;

	*vp = NULL;
	if (v == NULL)
		return -1;
	v->o = *o;
	v->d = d;
	v->rootfd = rootfd;
	hset_init(&v->byname);
	hset_init(&v->prefixes);
	vu_err_init(&v->err);
	vu_target_init(&v->tgt);
	v->ahome = mem_dupz(o->alias_home + 1, strlen(o->alias_home) - 1);
	v->cdbrel = mem_dupz(o->cdb_path + 1, strlen(o->cdb_path) - 1);
	v->tcdbrel = mem_dupz(o->domains_cdb + 1, strlen(o->domains_cdb) - 1);
	v->ids = o->alias_uid && o->alias_gid;
	v->assignrel = dupf(o->qmailhome + 1, "/users/assign.virtusers");
	v->vdrel = dupf(o->qmailhome + 1, "/control/virtualdomains");
	v->rcptrel = dupf(o->qmailhome + 1, "/control/rcpthosts.virtusers");
	v->notlocalrel = dupf(o->qmailhome + 1, "/control/not-local.virtusers");
	if (v->ahome == NULL || v->cdbrel == NULL || v->tcdbrel == NULL || v->assignrel == NULL ||
	    v->vdrel == NULL ||
	    v->rcptrel == NULL || v->notlocalrel == NULL || make_plusline(v) < 0)
		goto fail;
	if (rootfd >= 0) {
		if (outtx_begin(&v->tx, rootfd) < 0)
			goto fail;
		v->tx_open = 1;
		v->writing = 1;
		if (o->reuse)
			outtx_reuse(&v->tx, o->reusefd);
		if (outtx_add(&v->tx, v->cdbrel, stage) < 0) {
			set_where(v, v->cdbrel);
			goto fail;
		}
	}
	if (ffcdb_open(&v->cdb, v->writing ? v->tx.stagefd : -1, stage, 0) < 0) {
		set_where(v, v->cdbrel);
		goto fail;
	}
	v->cdb_open = 1;
	if (v->writing && ffcdb_reuse(&v->cdb, v->tx.reffd, v->cdbrel) < 0) {
		set_where(v, v->cdbrel);
		goto fail;
	}
	if (v->ids) {
		if (v->writing && outtx_add(&v->tx, v->tcdbrel, stage) < 0) {
			set_where(v, v->tcdbrel);
			goto fail;
		}
		if (ffcdb_open(&v->tcdb, v->writing ? v->tx.stagefd : -1, stage, 0) < 0) {
			set_where(v, v->tcdbrel);
			goto fail;
		}
		v->tcdb_open = 1;
		if (v->writing && ffcdb_reuse(&v->tcdb, v->tx.reffd, v->tcdbrel) < 0) {
			set_where(v, v->tcdbrel);
			goto fail;
		}
	}
	if (v->writing) {
		if (outtx_add(&v->tx, v->assignrel, stage) < 0 ||
		    aw_open(&v->assign, v->tx.stagefd, stage, 0644, 0) < 0) {
			set_where(v, v->assignrel);
			goto fail;
		}
		v->assign_open = 1;
		if (aw_reuse(&v->assign, v->tx.reffd, v->assignrel) < 0) {
			set_where(v, v->assignrel);
			goto fail;
		}
	}
	*vp = v;
	return 0;
fail:
	e = errno;
	*vp = v;	/* vdom_where still answers; the caller frees */
	errno = e;
	return -1;
}

/* ---------------------------------------------------------------- records */

static int chk_set(struct vdom *v, size_t i)
{
	if (i / 8 >= v->capchk) {
		size_t nc = v->capchk ? v->capchk * 2 : 4096;
		unsigned char *nv;

		while (nc <= i / 8)
			nc *= 2;
		nv = realloc(v->chk, nc);
		if (nv == NULL)
			return -1;
		memset(nv + v->capchk, 0, nc - v->capchk);
		v->chk = nv;
		v->capchk = nc;
	}
	v->chk[i / 8] |= (unsigned char)(1u << (i % 8));
	return 0;
}

static int chk_get(const struct vdom *v, size_t i)
{
	return i / 8 < v->capchk && (v->chk[i / 8] >> (i % 8)) & 1;
}

/*
 * local_known - 1 if sendmail delivers the lower-cased local name n[0..len)
 * somewhere: an alias, or a login.  Without preserve_local_plus_detail a
 * name user+detail is looked up as user+detail, user+* and user in the
 * aliases and as user in passwd (ruleset 5, ../shared/ref/sendmail.md 2.7).
 */
static int local_known(struct vdom *v, const char *n, size_t len)
{
	const char *plus = memchr(n, '+', len);
	size_t ul;

	if (hset_get(v->o.logins, n, len, NULL) == 1 || hset_get(v->o.aliases, n, len, NULL) == 1)
		return 1;
	if (plus == NULL || v->o.preserve_plus)
		return 0;
	ul = (size_t)(plus - n);
	if (hset_get(v->o.logins, n, ul, NULL) == 1 || hset_get(v->o.aliases, n, ul, NULL) == 1)
		return 1;
	{
		buf k = BUF_INIT;
		int r = 0;

		if (buf_append(&k, n, ul + 1) == 0 && buf_append_c(&k, '*') == 0)
			r = hset_get(v->o.aliases, k.s, k.len, NULL) == 1;
		buf_free(&k);
		return r;
	}
}

/* diagnose - everything about a value that is the same in every context; 1 error value, 0 address */
static int diagnose(struct vdom *v, const char *val, size_t vlen, unsigned long line, int *fatal)
{
	int r = vu_value_error(val, vlen, &v->err);
	unsigned uses;

	*fatal = 0;
	if (r < 0)
		return -1;
	if (r == 1) {
		struct vu_err *e = &v->err;

		if (e->odd & VU_ODD_DYNAMIC) {
			*fatal = 1;
			return note(v, DIAG_ERROR, "S2Q-V004", line,
				    "'%.*s': the status of this error comes from a %%n argument (the "
				    "address): s2q cannot convert that", sl(vlen), val) < 0 ? -1 : 1;
		}
		if (e->odd & (VU_ODD_NOTEXT | VU_ODD_COLON | VU_ODD_SHORTDSN | VU_ODD_KEYWORD |
			      VU_ODD_NUMERIC)) {
			const char *why = (e->odd & VU_ODD_NOTEXT)
						  ? "it has no message, so sendmail's rule takes the rest of "
						    "its workspace (\">local<@domain.\") as the message"
					  : (e->odd & VU_ODD_SHORTDSN)
						  ? "error:D.S.N needs \":text\" after it; sendmail takes "
						    "the first digit as the status"
					  : (e->odd & VU_ODD_COLON)
						  ? "after a keyword sendmail expects a blank, not ':'"
					  : (e->odd & VU_ODD_KEYWORD)
						  ? "the keyword is not one of sendmail's (usage nouser "
						    "nohost unavailable software tempfail protocol config): "
						    "sendmail treats it as unavailable"
						  : "a number there is an exit code, not a reply code";
			buf_reset(&v->txt);
			{
				size_t i;

				for (i = 0; i < e->text.len; i++) {
					const char *x = NULL;

					if (e->text.s[i] == '%' && i + 1 < e->text.len) {
						char c = e->text.s[++i];

						x = c == 'L' ? "LOCAL" : c == 'D' ? "DOMAIN" : c == '%' ? "%"
											    : NULL;
						if (x == NULL)
							i--;
					}
					if ((x ? buf_append_s(&v->txt, x)
					       : buf_append_c(&v->txt, e->text.s[i])) < 0)
						return -1;
				}
				if (buf_cstr(&v->txt) == NULL)
					return -1;
			}
			if (note(v, DIAG_WARN, "S2Q-V005", line,
				 "'%.*s': %s; sendmail reads status '%s', message '%s'; converted so",
				 sl(vlen), val, why, e->status.s, v->txt.s) < 0)
				return -1;
		}
		if (e->temp) {
			if (note(v, DIAG_NOTE, "S2Q-V007", line,
				 "'%.*s' is a temporary failure: sendmail answered 4xx at RCPT time; "
				 "qmail accepts the message and retries the delivery (exit 111) until "
				 "queuelifetime, then bounces it", sl(vlen), val) < 0)
				return -1;
		} else if (note(v, DIAG_WARN, "S2Q-V006", line,
				"'%.*s': sendmail rejected the recipient at RCPT time (5xx); qmail has "
				"no RCPT-time check for it: it accepts the message and bounces it "
				"afterwards (#%s), which can send backscatter to forged senders",
				sl(vlen), val, e->dsn.s) < 0) {
			return -1;
		}
		return 1;
	}
	uses = vu_uses(val, vlen);
	if (uses & 0x3f0u) {
		if (note(v, DIAG_NOTE, "S2Q-V018", line,
			 "'%.*s' uses %%4..%%9: the virtusertable rules pass at most three "
			 "arguments, so they are empty", sl(vlen), val) < 0)
			return -1;
	}
	v->tgt_of = NULL;
	if (uses & 0x0fu) {
		r = vu_target_template(val, vlen, &v->tgt);
	} else {
		r = v->o.target_parse(val, vlen, &v->tgt);
		if (r == 0 && memchr(val, '%', vlen) == NULL) {
			v->tgt_of = val;
			v->tgt_len = vlen;
		}
	}
	if (r < 0)
		return -1;
	switch (v->tgt.kind) {
	case VT_BOUNCE:
		if (strstr(v->tgt.text, "Cannot mail directly") != NULL)
			r = note(v, DIAG_WARN, "S2Q-V008", line,
				 "'%.*s': a virtusertable value is an address; sendmail refuses "
				 "programs, files and :include: here (\"%s\"): converted to a bounce",
				 sl(vlen), val, v->tgt.text);
		else
			r = note(v, DIAG_WARN, "S2Q-V009", line,
				 "'%.*s' is not one address: sendmail refuses the recipient (\"%s\"); "
				 "converted to a bounce (use an alias for several targets)",
				 sl(vlen), val, v->tgt.text);
		break;
	case VT_NOALIAS:
		r = note(v, DIAG_WARN, "S2Q-V010", line,
			 "'%.*s': sendmail delivers to the login without its aliases and .forward; "
			 "qmail forwards to %s@%s, where aliases and .qmail files apply",
			 sl(vlen), val, v->tgt.addr.s, v->o.me);
		break;
	case VT_PERCENT:
		r = note(v, DIAG_NOTE, "S2Q-V013", line,
			 "'%.*s': sendmail's %%-hack makes it %s; forwarded there", sl(vlen), val,
			 v->tgt.addr.s);
		break;
	case VT_UUCP:
		r = note(v, DIAG_WARN, "S2Q-V014", line,
			 "'%.*s' is a UUCP path: sendmail relays it as one; qmail has no UUCP "
			 "routing and forwards it as the local name %s@%s", sl(vlen), val,
			 v->tgt.addr.s, v->o.me);
		break;
	case VT_BARE:
		if (v->o.preserve_plus && (memchr(v->tgt.addr.s, '+', v->tgt.addr.len) != NULL ||
					   (uses & 0x0cu)) &&
		    note(v, DIAG_NOTE, "S2Q-V022", line,
			 "'%.*s' can be a local name with +detail: with "
			 "FEATURE(preserve_local_plus_detail) sendmail looked up the whole name "
			 "(user+detail) as a login; qmail gives %s@%s to the local side, where "
			 "s2q-aliases decides (its --no-plus matches this feature)", sl(vlen), val,
			 v->tgt.addr.s, v->o.me) < 0)
			return -1;
		if (!(uses & 0x0fu) && v->o.logins && v->o.aliases) {
			size_t i;

			buf_reset(&v->tmp);
			for (i = 0; i < v->tgt.addr.len; i++)
				if (buf_append_c(&v->tmp, lc(v->tgt.addr.s[i])) < 0)
					return -1;
			if (!local_known(v, v->tmp.s, v->tmp.len))
				r = note(v, DIAG_WARN, "S2Q-V012", line,
					 "'%.*s' is a local name that is neither a login nor an alias "
					 "of the old host: sendmail answers %s; so does qmail for "
					 "%s@%s", sl(vlen), val,
					 v->o.luser_relay ? "with LUSER_RELAY" : "User unknown",
					 v->tgt.addr.s, v->o.me);
		}
		break;
	case VT_ADDR:
		if (is_dotless(v, v->tgt.addr.s + v->tgt.at + 1, v->tgt.addr.len - v->tgt.at - 1) &&
		    memchr(v->tgt.addr.s + v->tgt.at, '%', v->tgt.addr.len - v->tgt.at) == NULL)
			r = note(v, DIAG_NOTE, "S2Q-V011", line,
				 "'%.*s': sendmail canonified the dotless host through DNS; qmail "
				 "forwards to %s%s%s", sl(vlen), val, v->tgt.addr.s,
				 v->o.defaultdomain ? "." : " unchanged",
				 v->o.defaultdomain ? v->o.defaultdomain : "");
		break;
	}
	return r < 0 ? -1 : 0;
}

/* chain_candidate - 1 if the value just read (v->tgt) names an eligible domain: it may loop */
static int chain_candidate(struct vdom *v)
{
	const struct vu_target *g = &v->tgt;
	const char *dom;
	size_t dn;

	if (g->kind != VT_ADDR && g->kind != VT_PERCENT)
		return 0;
	dom = g->addr.s + g->at + 1;
	dn = g->addr.len - g->at - 1;
	if (memchr(dom, '%', dn) != NULL)
		return 0;	/* the domain comes from an argument */
	return vu_eligible(v->o.dom, dom, dn) != 0;
}

int vdom_add(struct vdom *v, const char *key, size_t klen, const char *val, size_t vlen,
	     unsigned long line)
{
	struct vu_key k;
	struct vd *d;
	struct tctx t;
	unsigned elig;
	size_t idx = v->nrec++;
	int iserr, fatal;

	v->st.entries++;
	v->tgt_of = NULL;	/* a value of an earlier record may be gone */
	vu_key_parse(key, klen, &k);
	if (k.kind == VU_NOAT) {
		v->st.dead++;
		return note(v, DIAG_WARN, "S2Q-V001", line,
			    "key '%.*s' has no '@': sendmail never looks up unqualified names in "
			    "the virtusertable, so this entry is never used; not converted",
			    sl(klen), key);
	}
	elig = vu_eligible(v->o.dom, k.domain, k.dlen);
	if (!elig) {
		v->st.dead++;
		return note(v, DIAG_WARN, "S2Q-V002", line,
			    "key '%.*s': domain '%.*s' is in neither class w nor {VirtHost}%s, so "
			    "sendmail never looks it up; not converted", sl(klen), key, sl(k.dlen),
			    k.domain,
			    v->o.dom->entire_domain ? " (nor below a {VirtHost} domain)"
						    : " (subdomains count only with "
						      "FEATURE(virtuser_entire_domain))");
	}
	d = domain(v, k.domain, k.dlen, elig, line);
	if (d == NULL)
		return -1;
	if (vlen && val[vlen - 1] == '\r')
		return note(v, DIAG_ERROR, "S2Q-V003", line,
			    "the value of '%.*s' ends in a carriage return (a CRLF file): sendmail "
			    "keeps it as part of the address or message; convert the file to LF line "
			    "ends first", sl(klen), key);
	iserr = diagnose(v, val, vlen, line, &fatal);
	if (iserr < 0)
		return -1;
	if (fatal || d->bad)
		return 0;
	t.key = key;
	t.klen = klen;
	t.ws = 0;
	if (k.kind != VU_DOMAIN) {
		d->has_key1 = 1;
		t.c = CTX_KEY1;
		if (act_value(v, &t, val, vlen, iserr) < 0 ||
		    mktarget(v, d, '-', k.local, k.llen) < 0 ||
		    record(v, v->key.s, v->key.len, line) < 0)
			return -1;
		if (!iserr && chain_candidate(v) && chk_set(v, idx) < 0)
			return -1;
	}
	t.c = CTX_PLUS;
	if (k.kind == VU_USER || k.kind == VU_USERPP || k.kind == VU_USERPS)
		d->has_users = 1;
	if (k.kind == VU_PP)
		d->has_e5 = 1;
	if (k.kind == VU_PS)
		d->has_e6 = 1;
	/* a +detail record; user@D needs its own only when %1..%3 differ from lookup 1's */
	if ((k.kind == VU_USER && (vu_uses(val, vlen) & 0x0eu)) || k.kind == VU_USERPP ||
	    k.kind == VU_USERPS || k.kind == VU_PP || k.kind == VU_PS || k.kind == VU_DOMAIN) {
		if (act_value(v, &t, val, vlen, iserr) < 0 ||
		    mktarget(v, d, '+', k.local, k.llen) < 0 ||
		    record(v, v->key.s, v->key.len, line) < 0)
			return -1;
	}
	if (k.kind == VU_DOMAIN) {
		d->e7 = mem_dupz(val, vlen);
		if (d->e7 == NULL)
			return -1;
		d->e7len = vlen;
		d->e7line = line;
	}
	return 0;
}

/* ---------------------------------------------------------------- finish */

/* assign_out - one users/assign line (v->line) into the fragment, written in 64 KiB pieces */
static int assign_out(struct vdom *v, int flush)
{
	if (!v->writing)
		return 0;
	if (!flush && buf_append(&v->abuf, v->line.s, v->line.len) < 0)
		return -1;
	if ((flush || v->abuf.len >= 65536) && v->abuf.len) {
		if (aw_write(&v->assign, v->abuf.s, v->abuf.len) < 0) {
			set_where(v, v->assignrel);
			return -1;
		}
		buf_reset(&v->abuf);
	}
	return 0;
}

/* per-user users/assign line: +P-user+:ALIAS:uid:gid:AHOME:-:vd+-: */
static int user_wildcard(struct vdom *v, struct vd *d, const char *user, size_t ulen,
			 unsigned long line)
{
	struct assignfrag_ent a;
	int r;

	buf_reset(&v->word);
	if (buf_append_s(&v->word, d->prefix) < 0 || buf_append_c(&v->word, '-') < 0 ||
	    buf_append(&v->word, user, ulen) < 0 ||
	    buf_append_c(&v->word, '+') < 0 || buf_cstr(&v->word) == NULL)
		return -1;
	memset(&a, 0, sizeof(a));
	a.wild = 1;
	a.addr = v->word.s;
	a.user = v->o.alias_user;
	a.uid = v->o.alias_uid;
	a.gid = v->o.alias_gid;
	a.home = v->o.alias_home;
	a.dash = "-";
	a.ext = PLUS_HANDLER "-";	/* ext PLUS_HANDLER-detail: .qmail-vd+-default */
	buf_reset(&v->line);
	if (memchr(user, '\0', ulen) != NULL)
		r = -1, errno = EINVAL;
	else
		r = assignfrag_line(&v->line, &a);
	if (r < 0) {
		if (errno != EINVAL)
			return -1;
		d->need_plus = 1;
		return note(v, DIAG_WARN, "S2Q-V107", line,
			    "user '%.*s' cannot be a users/assign address (':' or a newline): its "
			    "+detail addresses are handled by the shell line of the domain's "
			    ".qmail-%s-default instead", sl(ulen), user, d->prefix);
	}
	v->plus_handler = 1;
	v->st.assign_lines++;
	return assign_out(v, 0);
}

/* present - 1 if key pre+suf@dom is in the table */
static int present(vu_get_fn get, void *ctx, struct vdom *v, const char *pre, size_t plen,
		   const char *suf, const char *dom, size_t dlen)
{
	const char *val;
	size_t vlen;

	buf_reset(&v->tmp);
	if (buf_append(&v->tmp, pre, plen) < 0 || buf_append_s(&v->tmp, suf) < 0 ||
	    buf_append_c(&v->tmp, '@') < 0 || buf_append(&v->tmp, dom, dlen) < 0)
		return -1;
	return get(ctx, v->tmp.s, v->tmp.len, &val, &vlen);
}

/* address of a chain step, for the loop report */
struct hop {
	char *s;
};

/*
 * chain - follow local@dom through the table as sendmail's rules would
 * (each value re-parsed, looked up again while it names an eligible
 * domain); report a loop or a chain longer than sendmail's recursion limit.
 */
static int chain(struct vdom *v, vu_get_fn get, void *ctx, const char *local, size_t llen,
		 const char *dom, size_t dlen, unsigned long line)
{
	struct vu_match m;
	struct vu_args a;
	struct vu_err e;
	struct vu_target tg;
	buf cur = BUF_INIT, exp = BUF_INIT, path = BUF_INIT;
	char *seen[MAX_CHAIN + 1];
	size_t nseen = 0, at, i;
	int rc = -1, r;

	vu_match_init(&m);
	vu_err_init(&e);
	vu_target_init(&tg);
	if (buf_append(&cur, local, llen) < 0 || buf_append_c(&cur, '@') < 0 ||
	    buf_append(&cur, dom, dlen) < 0 || buf_cstr(&cur) == NULL)
		goto out;
	for (;;) {
		for (at = cur.len; at > 0 && cur.s[at - 1] != '@'; at--)
			;
		if (at == 0 || !vu_eligible(v->o.dom, cur.s + at, cur.len - at))
			break;
		for (i = 0; i < nseen; i++)
			if (strcasecmp(seen[i], cur.s) == 0)
				break;
		if (i < nseen || nseen == MAX_CHAIN) {
			size_t j;

			buf_reset(&path);
			for (j = (i < nseen ? i : 0); j < nseen; j++)
				if (buf_append_s(&path, seen[j]) < 0 || buf_append_s(&path, " -> ") < 0)
					goto out;
			if (buf_append_s(&path, cur.s) < 0 || buf_cstr(&path) == NULL)
				goto out;
			if (i < nseen)
				r = note(v, DIAG_WARN, "S2Q-V020", line,
					 "virtusertable loop: %s; sendmail rewrites it until its "
					 "recursion limit (%d) and then delivers to a nonsense local "
					 "name (User unknown, or LUSER_RELAY); qmail forwards it around "
					 "until qmail-local bounces it as a loop (#5.4.6)",
					 path.s, MAX_CHAIN);
			else
				r = note(v, DIAG_WARN, "S2Q-V021", line,
					 "the chain from %.*s@%.*s is longer than sendmail's recursion "
					 "limit (%d): sendmail gives up; qmail follows it", sl(llen),
					 local, sl(dlen), dom, MAX_CHAIN);
			if (r < 0)
				goto out;
			break;
		}
		seen[nseen] = strdup(cur.s);
		if (seen[nseen] == NULL)
			goto out;
		nseen++;
		r = vu_lookup(get, ctx, v->o.nofold, cur.s, at - 1, cur.s + at, cur.len - at, &m);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		r = vu_value_error(m.val, m.vlen, &e);
		if (r != 0) {
			if (r < 0)
				goto out;
			break;
		}
		vu_match_args(&m, &a);
		buf_reset(&exp);
		if (vu_expand(&exp, m.val, m.vlen, &a) < 0 ||
		    v->o.target_parse(exp.s ? exp.s : "", exp.len, &tg) < 0)
			goto out;
		if (tg.kind != VT_ADDR && tg.kind != VT_PERCENT)
			break;
		if (buf_copy(&cur, tg.addr.s, tg.addr.len) < 0 || buf_cstr(&cur) == NULL)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	vu_match_free(&m);
	vu_err_free(&e);
	vu_target_free(&tg);
	buf_free(&cur);
	buf_free(&exp);
	buf_free(&path);
	return rc;
}

/* put_file - stage one .qmail file of the alias home */
static int put_qmail(struct vdom *v, const char *name, const buf *content)
{
	buf fname = BUF_INIT, rel = BUF_INIT;
	int rc = -1;

	if (!dotqmail_content_ok(content->s, content->len)) {
		errno = EINVAL;
		return -1;
	}
	if (dotqmail_filename(&fname, name, strlen(name)) < 0 ||
	    buf_printf(&rel, "%s/%s", v->ahome, fname.s) < 0 || buf_cstr(&rel) == NULL)
		goto out;
	v->st.qmail_files++;
	if (v->writing && outtx_file(&v->tx, rel.s, 0644, content->s, content->len) < 0) {
		set_where(v, rel.s);
		goto out;
	}
	rc = 0;
out:
	buf_free(&fname);
	buf_free(&rel);
	return rc;
}

static int add_line(buf *out, const struct act *a)
{
	return dotqmail_line(out, a->kind, a->text.s ? a->text.s : "", a->text.len);
}

/* tail_action - v->act for a local part without +detail that no key matched: the @D entry
 * (%1 = L), or the fall-through */
static int tail_action(struct vdom *v, struct vd *d)
{
	struct tctx t;
	struct diag_sink *saved = v->d;
	int iserr, fatal, r;
	buf k0 = BUF_INIT;

	if (d->e7 == NULL)
		return act_fallthrough(v, d);
	v->d = NULL;	/* diagnosed when it was read */
	iserr = diagnose(v, d->e7, d->e7len, d->e7line, &fatal);
	v->d = saved;
	if (iserr < 0)
		return -1;
	if (buf_printf(&k0, "@%s", d->name) < 0 || buf_cstr(&k0) == NULL)
		return -1;
	t.c = CTX_TAIL;
	t.ws = 0;
	t.key = k0.s;
	t.klen = k0.len;
	r = act_value(v, &t, d->e7, d->e7len, iserr);
	buf_free(&k0);
	return r;
}

/* the lines of AHOME/.qmail-P-default (without the alias user's ids) */
static int domain_file(struct vdom *v, struct vd *d, buf *out)
{
	buf_reset(out);
	if (d->has_key1) {
		v->act.kind = '|';
		buf_reset(&v->act.text);
		if (sq(&v->act.text, v->o.fastforward, strlen(v->o.fastforward)) < 0 ||
		    buf_append_s(&v->act.text, " -p ") < 0 ||
		    sq(&v->act.text, v->o.cdb_path, strlen(v->o.cdb_path)) < 0 ||
		    add_line(out, &v->act) < 0)
			return -1;
	}
	if (d->need_plus && dotqmail_line(out, '|', v->plusline.s, v->plusline.len) < 0)
		return -1;
	if (tail_action(v, d) < 0)
		return -1;
	return add_line(out, &v->act);
}

/*
 * domain_record - the record ":@D" of the domains' database (with the ids):
 * the tail; where sendmail splits user+detail for unknown users too, a
 * program that runs the +detail lookups first.
 */
static int domain_record(struct vdom *v, struct vd *d)
{
	buf tail = BUF_INIT, k = BUF_INIT;
	int rc = -1;

	if (tail_action(v, d) < 0)
		goto out;
	if (d->need_plus) {
		if (v->act.kind == '&') {
			if (buf_append_s(&tail, v->o.forward) < 0 || buf_append_c(&tail, ' ') < 0 ||
			    sq(&tail, v->act.text.s, v->act.text.len) < 0)
				goto out;
		} else if (buf_append(&tail, v->act.text.s, v->act.text.len) < 0) {
			goto out;
		}
		if (buf_append_s(&tail, "; exit $?") < 0 || buf_cstr(&tail) == NULL)
			goto out;
		v->act.kind = '|';
		buf_reset(&v->act.text);
		if (plusline(v, &v->act.text, tail.s, 1) < 0)
			goto out;
	}
	if (buf_printf(&k, "@%s", d->name) < 0 ||
	    record_in(v, &v->tcdb, v->tcdbrel, k.s, k.len, d->e7 ? d->e7line : d->line) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&tail);
	buf_free(&k);
	return rc;
}

static int list_file(struct vdom *v, const char *rel, const buf *content)
{
	if (v->writing && outtx_file(&v->tx, rel, 0644, content->s ? content->s : "", content->len) < 0) {
		set_where(v, rel);
		return -1;
	}
	return 0;
}

int vdom_finish(struct vdom *v, vdom_iter_fn iter, vu_get_fn get, void *ctx)
{
	buf vd = BUF_INIT, rcpt = BUF_INIT, notl = BUF_INIT, content = BUF_INIT;
	size_t i;
	int rc = -1, r, have_ids = v->o.alias_uid && v->o.alias_gid;
	unsigned long idx;

	/* the per-user users/assign lines and the loop check: the whole table again */
	for (i = 0;; i++) {
		const char *key, *val;
		size_t klen, vlen;
		unsigned long line;
		struct vu_key k;
		struct vd *d;

		r = iter(ctx, i, &key, &klen, &val, &vlen, &line);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		vu_key_parse(key, klen, &k);
		if (k.kind == VU_NOAT || k.kind == VU_EXACT || k.kind == VU_DOMAIN || k.kind == VU_PP ||
		    k.kind == VU_PS) {
			if (k.kind == VU_EXACT && chk_get(v, i) &&
			    chain(v, get, ctx, k.local, k.llen, k.domain, k.dlen, line) < 0)
				goto out;
			continue;
		}
		buf_reset(&v->tmp);
		for (idx = 0; idx < k.dlen; idx++)
			if (buf_append_c(&v->tmp, lc(k.domain[idx])) < 0)
				goto out;
		if (hset_get(&v->byname, v->tmp.s, v->tmp.len, &idx) != 1)
			continue;	/* not eligible: reported */
		d = &v->v[idx];
		if (chk_get(v, i) && chain(v, get, ctx, k.local, k.llen, k.domain, k.dlen, line) < 0)
			goto out;
		if (d->bad)
			continue;
		/* one line per (domain, user): at user@D, else at user++@D, else at user+*@D */
		if (k.kind != VU_USER) {
			r = present(get, ctx, v, k.user, k.ulen, "", k.domain, k.dlen);
			if (r < 0)
				goto out;
			if (r == 1)
				continue;
			if (k.kind == VU_USERPS) {
				r = present(get, ctx, v, k.user, k.ulen, "++", k.domain, k.dlen);
				if (r < 0)
					goto out;
				if (r == 1)
					continue;
			}
		}
		if (!have_ids) {
			d->need_plus = 1;
			continue;
		}
		if (user_wildcard(v, d, k.user, k.ulen, line) < 0)
			goto out;
	}
	if (!have_ids && v->n && note(v, DIAG_WARN, "S2Q-V106", 0,
				      "the alias user's uid and gid are unknown (--alias-uid, "
				      "--alias-gid, or --passwd with user %s): no users/assign "
				      "lines are written; qmail-getpw gives the prefixed addresses "
				      "to %s all the same, but +detail addresses of users with "
				      "entries go through each domain's shell line", v->o.alias_user,
				      v->o.alias_user) < 0)
		goto out;
	/* per domain: the default file, the domain's users/assign line, control lines */
	if (buf_append_s(&vd, "# virtual domains from the virtusertable (s2q-virtusers)\n") < 0)
		goto out;
	for (i = 0; i < v->n; i++) {
		struct vd *d = &v->v[i];
		int split = 0;

		if (d->bad)
			continue;
		if (d->has_e5 || d->has_e6 || (d->e7 && (vu_uses(d->e7, d->e7len) & 0x0eu)))
			d->need_plus = split = 1;
		if (d->e7 == NULL) {
			/* +detail addresses that reach the shell line end at ":P+@d" */
			if (act_fallthrough(v, d) < 0 || mktarget(v, d, '+', "", 0) < 0 ||
			    record(v, v->key.s, v->key.len, d->line) < 0)
				goto out;
			if (!(d->elig & VU_ELIG_W) &&
			    note(v, DIAG_WARN, "S2Q-V102", d->line,
				 "domain %s is in {VirtHost}%s but not local, and has no @%s entry: "
				 "sendmail relays its other addresses (mailertable, smart host or MX "
				 "of the domain, usually back to this host: a loop); qmail cannot "
				 "relay a virtual domain's addresses and bounces them (#5.1.1); add an "
				 "@%s entry to say what should happen", d->name,
				 (d->elig & VU_ELIG_SUB) ? " (below a {VirtHost} domain)" : "", d->name,
				 d->name) < 0)
				goto out;
		}
		if (d->elig & VU_ELIG_W) {
			char **nv = realloc(v->notlocal, (v->nnotlocal + 1) * sizeof(*nv));

			if (nv == NULL)
				goto out;
			v->notlocal = nv;
			v->notlocal[v->nnotlocal] = strdup(d->name);
			if (v->notlocal[v->nnotlocal] == NULL)
				goto out;
			v->nnotlocal++;
			v->st.not_local++;
			if (buf_printf(&notl, "%s\n", d->name) < 0)
				goto out;
			if (strcasecmp(d->name, v->o.me) == 0) {
				if (note(v, DIAG_ERROR, "S2Q-V105", d->line,
					 "local names in values and the fall-through of local domains "
					 "are forwarded to NAME@%s, but %s has virtusertable entries "
					 "itself (in qmail it becomes a virtual domain): give --me a local "
					 "domain without entries (localhost, say)", v->o.me, v->o.me) < 0)
					goto out;
			} else if (note(v, DIAG_NOTE, "S2Q-V101", d->line,
					"domain %s is local (class w) and has virtusertable entries: in "
					"qmail control/locals would win over control/virtualdomains, so "
					"it must leave control/locals (s2q-cf --not-local %s; listed in "
					"%s); its other addresses are forwarded to NAME@%s, one more "
					"queue pass", d->name, d->name, v->notlocalrel, v->o.me) < 0) {
				goto out;
			}
		}
		if (split && note(v, DIAG_NOTE, "S2Q-V103", d->line,
				  "domain %s has ++@, +*@ or an @ entry with %%1..%%3: sendmail splits "
				  "user+detail for every local part here; qmail has no such split, so "
				  "%s%s%s runs a shell line for local parts with a '+'", d->name,
				  have_ids ? "the @" : ".qmail-", have_ids ? d->name : d->prefix,
				  have_ids ? " record of the domains' database" : "-default") < 0)
			goto out;
		v->tgt_of = NULL;
		if (have_ids) {
			if (domain_record(v, d) < 0)
				goto out;
		} else if (domain_file(v, d, &content) < 0) {
			if (errno == EINVAL &&
			    note(v, DIAG_ERROR, "S2Q-V108", d->e7 ? d->e7line : d->line,
				 "the instruction for domain %s cannot be written as a .qmail line "
				 "(a newline or NUL, or trailing blanks)", d->name) >= 0)
				continue;
			goto out;
		} else {
			buf_reset(&v->word);
			if (buf_printf(&v->word, "%s-default", d->prefix) < 0 ||
			    buf_cstr(&v->word) == NULL || put_qmail(v, v->word.s, &content) < 0)
				goto out;
		}
		if (have_ids) {
			struct assignfrag_ent a;

			buf_reset(&v->word);
			if (buf_printf(&v->word, "%s-", d->prefix) < 0 || buf_cstr(&v->word) == NULL)
				goto out;
			memset(&a, 0, sizeof(a));
			a.wild = 1;
			a.addr = v->word.s;
			a.user = v->o.alias_user;
			a.uid = v->o.alias_uid;
			a.gid = v->o.alias_gid;
			a.home = v->o.alias_home;
			a.dash = "-";
			a.ext = DOMAIN_HANDLER "-";	/* ext vd=-L: .qmail-vd=-default, DEFAULT = L */
			buf_reset(&v->line);
			if (assignfrag_line(&v->line, &a) < 0)
				goto out;
			v->st.assign_lines++;
			if (assign_out(v, 0) < 0)
				goto out;
		}
		if (buf_printf(&vd, "%s:%s\n", d->name, d->prefix) < 0)
			goto out;
		/* sendmail's check_rcpt: with relay_hosts_only a subdomain of a {VirtHost}
		   member is not taken (Relaying denied), whatever the virtusertable says */
		if (d->elig == VU_ELIG_SUB && v->o.relay_hosts_only) {
			if (note(v, DIAG_WARN, "S2Q-V111", d->line,
				 "domain %s is below a {VirtHost} domain: sendmail looked its "
				 "addresses up (virtuser_entire_domain) but refused them from outside "
				 "(relay_hosts_only: Relaying denied); it is left out of rcpthosts, so "
				 "qmail-smtpd refuses them too (mail from this host still goes by "
				 "control/virtualdomains)", d->name) < 0)
				goto out;
		} else if (buf_printf(&rcpt, "%s\n", d->name) < 0) {
			goto out;
		}
		v->st.domains++;
	}
	if (have_ids && v->st.domains) {
		/* every domain's addresses: lookup 1, then the domain's @ record */
		buf_reset(&content);
		v->act.kind = '|';
		buf_reset(&v->act.text);
		if (sq(&v->act.text, v->o.fastforward, strlen(v->o.fastforward)) < 0 ||
		    buf_append_s(&v->act.text, " -p ") < 0 ||
		    sq(&v->act.text, v->o.cdb_path, strlen(v->o.cdb_path)) < 0 ||
		    add_line(&content, &v->act) < 0)
			goto out;
		buf_reset(&v->act.text);
		if (sq(&v->act.text, v->o.fastforward, strlen(v->o.fastforward)) < 0 ||
		    buf_append_c(&v->act.text, ' ') < 0 ||
		    sq(&v->act.text, v->o.domains_cdb, strlen(v->o.domains_cdb)) < 0 ||
		    add_line(&content, &v->act) < 0 || put_qmail(v, DOMAIN_HANDLER "-default", &content) < 0)
			goto out;
	}
	if (v->plus_handler) {
		buf_reset(&content);
		if (dotqmail_line(&content, '|', v->plusline.s, v->plusline.len) < 0 ||
		    act_bounce_static(v, NOMAILBOX, strlen(NOMAILBOX) - 9, "5.1.1", 0) < 0 ||
		    add_line(&content, &v->act) < 0 || put_qmail(v, PLUS_HANDLER "-default", &content) < 0)
			goto out;
		if (note(v, DIAG_NOTE, "S2Q-V103", 0,
			 "+detail addresses of users with entries are routed by users/assign to "
			 "~%s/.qmail-%s-default, a shell line that splits user+detail as sendmail "
			 "does and looks the keys up in %s", v->o.alias_user, PLUS_HANDLER,
			 v->o.cdb_path) < 0)
			goto out;
	}
	if (assign_out(v, 1) < 0 || list_file(v, v->vdrel, &vd) < 0 || list_file(v, v->rcptrel, &rcpt) < 0 ||
	    list_file(v, v->notlocalrel, &notl) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&vd);
	buf_free(&rcpt);
	buf_free(&notl);
	buf_free(&content);
	return rc;
}

int vdom_commit(struct vdom *v)
{
	int r;

	r = ffcdb_commit(&v->cdb);
	v->cdb_open = 0;
	if (r < 0) {
		set_where(v, v->cdbrel);
		return -1;
	}
	if (v->tcdb_open) {
		v->tcdb_open = 0;
		if (ffcdb_commit(&v->tcdb) < 0) {
			set_where(v, v->tcdbrel);
			return -1;
		}
	}
	if (v->assign_open) {
		v->assign_open = 0;
		if (aw_commit(&v->assign) < 0) {
			set_where(v, v->assignrel);
			return -1;
		}
	}
	if (v->tx_open) {
		v->tx_open = 0;
		if (outtx_commit(&v->tx) < 0) {
			set_where(v, v->tx.failed);
			return -1;
		}
	}
	return 0;
}

const struct vdom_stats *vdom_stats(const struct vdom *v)
{
	return &v->st;
}

const char *vdom_where(const struct vdom *v)
{
	return v->where.s ? v->where.s : "";
}

const char *vdom_not_local(const struct vdom *v, size_t i)
{
	return i < v->nnotlocal ? v->notlocal[i] : NULL;
}
