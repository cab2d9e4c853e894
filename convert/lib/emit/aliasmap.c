/* emit/aliasmap - sendmail alias semantics carried over to qmail + fastforward, and the tree that does it */
#include "aliasmap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../util/aw.h"
#include "../util/outtx.h"
#include "../util/shword.h"
#include "assignfrag.h"
#include "dotqmail.h"
#include "ffcdb.h"
#include "fflist.h"

/* ---- logins ---- */

void amap_logins_init(struct amap_logins *l)
{
	memset(l, 0, sizeof(*l));
	hset_init(&l->byname);
}

void amap_logins_free(struct amap_logins *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].home);
	}
	free(l->v);
	hset_free(&l->byname);
	amap_logins_init(l);
}

int amap_logins_add(struct amap_logins *l, const char *name, unsigned long uid, unsigned long gid,
		    const char *home, unsigned long line)
{
	struct amap_login *g;
	unsigned long old;
	int r;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct amap_login *nv;

		if (nc > ((size_t)-1) / sizeof(*nv))
			goto oom;
		nv = realloc(l->v, nc * sizeof(*nv));
		if (nv == NULL)
			goto oom;
		l->v = nv;
		l->cap = nc;
	}
	r = hset_put(&l->byname, name, strlen(name), (unsigned long)l->n, &old);
	if (r <= 0)
		return r;
	g = &l->v[l->n];
	g->name = strdup(name);
	g->home = strdup(home);
	if (g->name == NULL || g->home == NULL) {
		free(g->name);
		free(g->home);
		/* the name stays in the set pointing past the end: lookups check n */
		goto oom;
	}
	g->uid = uid;
	g->gid = gid;
	g->line = line;
	l->n++;
	return 1;
oom:
	errno = ENOMEM;
	return -1;
}

const struct amap_login *amap_login_get(const struct amap_logins *l, const char *name, size_t len)
{
	unsigned long i;

	if (l == NULL || hset_get(&l->byname, name, len, &i) != 1 || i >= l->n)
		return NULL;
	return &l->v[i];
}

int amap_local(buf *out, const char *name)
{
	int q = 0;

	buf_reset(out);
	for (; *name; name++) {
		if (*name == '"') {
			q = !q;
			continue;
		}
		if (*name == '\\' && q && name[1])
			name++;
		if (buf_add_c(out, *name) < 0)
			return -1;
	}
	return buf_cstr(out) ? 0 : -1;
}

void amap_result_free(struct amap_result *r)
{
	if (r->staged) {
		outtx_abort(r->staged);
		free(r->staged);
		r->staged = NULL;
	}
	buf_free(&r->where);
}

int amap_publish(struct amap_result *r)
{
	struct outtx *tx = r->staged;
	int e;

	if (tx == NULL)
		return 0;
	r->staged = NULL;
	if (outtx_commit(tx) < 0) {
		e = errno;
		buf_reset(&r->where);
		if (buf_append_s(&r->where, tx->failed) < 0 || buf_cstr(&r->where) == NULL)
			e = ENOMEM;
		free(tx);
		errno = e;
		return -1;
	}
	free(tx);
	r->written = 1;
	return 0;
}


static const char nomailbox[] = "Sorry, no mailbox here by that name. (#5.1.1)";
static const char discarded[] = " discarded: sendmail delivered to /dev/null";

/*
 * luser_kind - what LUSER_RELAY does with an unknown local name: 0 none
 * (bounce), 'l' local:NAME (*v = NAME), 'h' a host, with or without a
 * mailer (*v = the host without brackets), 'e' anything else (error:,
 * local: with no name: a bounce, as before)
 */
static int luser_kind(const char *lr, const char **v, size_t *vn)
{
	const char *c, *h;
	size_t n;

	if (lr == NULL || *lr == '\0')
		return 0;
	c = strchr(lr, ':');
	if (c && (size_t)(c - lr) == 5 && strncasecmp(lr, "local", 5) == 0) {
		*v = c + 1;
		*vn = strlen(c + 1);
		return *vn && strpbrk(*v, "@ \t\"'\\") == NULL ? 'l' : 'e';
	}
	if (c && (size_t)(c - lr) == 5 && strncasecmp(lr, "error", 5) == 0)
		return 'e';
	h = c ? c + 1 : lr;
	n = strlen(h);
	if (n > 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	while (n && h[n - 1] == '.')
		n--;
	if (n == 0 || memchr(h, ':', n) || memchr(h, '"', n) || memchr(h, '\'', n) ||
	    memchr(h, ' ', n) || memchr(h, '\\', n) || memchr(h, '$', n) || memchr(h, '`', n))
		return 'e';
	*v = h;
	*vn = n;
	return 'h';
}

/* bounce_words - the shell words that bounce as qmail-local bounces an unknown name */
static int bounce_words(buf *out)
{
	return buf_printf(out, "echo \"%s\"; exit 100", nomailbox);
}

/* unknown - the shell words for a local name nobody has: the bounce, or LUSER_RELAY */
static int unknown(buf *out, const struct amap_opts *o)
{
	const char *v = NULL;
	size_t vn = 0;
	int k = luser_kind(o->luser_relay, &v, &vn);

	if (k == 'l' || k == 'h') {
		buf a = BUF_INIT;
		int r;

		if (buf_append_s(out, "exec ") < 0 || sh_word(out, o->forward) < 0)
			return -1;
		if (k == 'l') {
			r = buf_append(&a, v, vn) < 0 || buf_append_c(&a, '@') < 0 ||
			    buf_append_s(&a, o->me) < 0 || buf_cstr(&a) == NULL ? -1 : 0;
			if (r == 0)
				r = buf_append_c(out, ' ') < 0 ? -1 : sh_word(out, a.s);
			buf_free(&a);
			return r;
		}
		return buf_append_s(out, " \"$DEFAULT\"@") < 0 ? -1 : buf_append(out, v, vn);
	}
	return bounce_words(out);
}

int amap_default_qmail(buf *out, const struct amap_opts *o)
{
	const char *v;
	size_t vn;
	int lr = luser_kind(o->luser_relay, &v, &vn);

	lr = lr == 'l' || lr == 'h';
	buf_reset(out);
	if (o->style == AMAP_FASTFORWARD) {
		if (buf_append_c(out, '|') < 0 || sh_word(out, o->fastforward) < 0 ||
		    buf_append_s(out, o->plus || lr ? " -p -d " : " -d ") < 0 ||
		    sh_word(out, o->cdb_path) < 0 || buf_append_c(out, '\n') < 0)
			return -1;
	}
	if (!o->plus) {
		if (!lr)
			return 0;
		/* LUSER_RELAY without the +detail fallback: every name fastforward
		   (or a .qmail-NAME) did not take goes there */
		return buf_append_c(out, '|') < 0 || unknown(out, o) < 0 ||
		       buf_append_c(out, '\n') < 0 ? -1 : 0;
	}
	/*
	 * sendmail's ruleset 5 tries the aliases user+detail, user+*, user
	 * (split at the first '+').  qmail-local gets here with DEFAULT = the
	 * whole local part when neither an alias (fastforward -p above, or
	 * .qmail-NAME) nor a user took it.  Forward user+detail to user+*,
	 * user+* to user; anything without a usable '+' bounces as fastforward
	 * and qmail-local do, or goes to LUSER_RELAY.  DEFAULT comes from the
	 * envelope: it is only ever expanded inside double quotes, never
	 * evaluated.
	 */
	if (buf_append_s(out, "|b=\"${DEFAULT%%+*}\"; case \"$b\" in \"\"|\"$DEFAULT\") ") < 0 ||
	    unknown(out, o) < 0 ||
	    buf_append_s(out, ";; esac; case \"$DEFAULT\" in \"$b+*\") exec ") < 0 ||
	    sh_word(out, o->forward) < 0 ||
	    buf_append_s(out, " \"$b@$HOST\";; esac; exec ") < 0 || sh_word(out, o->forward) < 0 ||
	    buf_append_s(out, " \"$b+*@$HOST\"\n") < 0)
		return -1;
	return 0;
}

/* ---- the conversion ---- */

enum ik { IK_FORWARD, IK_PROG, IK_FILE, IK_LIST, IK_DISCARD, IK_BOUNCE };

struct ins {
	unsigned char kind;
	unsigned char addr;	/* an address: newaliases orders these differently */
	unsigned char hoisted;	/* from an :include: list */
	size_t off, len;	/* text in the arena */
	size_t inc;		/* IK_LIST: index into t->incs */
};

/* list states */
#define LS_SEEN   0x1
#define LS_BAD    0x2
#define LS_HOIST  0x4	/* has programs/files (in it or a nested list) */
#define LS_ACTIVE 0x8

enum { T_ERR = -2, T_BOUNCE = 0, T_FWD = 1 };

/* the longest forwarding address newaliases/setforward accept (../shared/ref/qmail.md 5.2) */
#define FF_ADDR_MAX 800
/* the longest alias name sendmail accepts (MAXNAME - 1); logins are shorter */
#define SM_NAME_MAX 255

struct ctx {
	const struct amap_opts *o;
	const struct alias_table *t;
	const struct amap_logins *l;
	const unsigned char *verdicts;
	struct diag_sink *d;
	struct amap_result *r;
	int rootfd, writing, quiet;
	struct outtx tx;
	int tx_open;
	struct ffcdb cdb;
	int cdb_open;
	const char *aliasdir;	/* alias home relative to the root */
	/* the alias being converted */
	const struct alias_ent *e;
	const char *file;
	const char *inlist;	/* non-NULL: diagnostics are about this :include: list */
	unsigned long inlistline;	/* not 0: ... and its member at this line of the list */
	buf local;
	struct ins *v;
	size_t n, cap;
	buf arena;
	/* per :include: list */
	unsigned char *ls;
	unsigned long *lvisit;
	unsigned long gen;
	struct hset locals;	/* qmail local part -> alias index (collisions) */
	int quotes;		/* some live alias name has a '"': locals can collide */
	struct hset routed;	/* \user lines in users/assign */
	int ids_reported;
	buf assign, tmp, lu, data, qm, fname, rel, sender;
};

static void say(struct ctx *c, enum diag_sev sev, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(struct ctx *c, enum diag_sev sev, const char *code, const char *fmt, ...)
{
	buf m = BUF_INIT;
	va_list ap;

	if (c->quiet)
		return;
	if (c->d->n >= DIAG_KEEP - 1) {
		/* the sink keeps no more messages, it only counts: do not format one */
		diag_add(c->d, sev, code, c->file, c->e ? c->e->lastline : 0, "%s", "");
		return;
	}
	if (c->inlist != NULL && c->inlistline != 0) {
		/*
		 * about one member: at its own line of the list, where the proof
		 * finds it for every alias that includes the list
		 */
		va_start(ap, fmt);
		diag_vadd(c->d, sev, code, c->inlist, c->inlistline, fmt, ap);
		va_end(ap);
		return;
	}
	if (c->inlist == NULL) {
		/* formatted once, by the sink */
		va_start(ap, fmt);
		diag_vadd(c->d, sev, code, c->file, c->e ? c->e->lastline : 0, fmt, ap);
		va_end(ap);
		return;
	}
	if (buf_printf(&m, "in :include: list %s: ", c->inlist) < 0)
		goto oom;
	va_start(ap, fmt);
	if (buf_vprintf(&m, fmt, ap) < 0 || buf_cstr(&m) == NULL) {
		va_end(ap);
		goto oom;
	}
	va_end(ap);
	diag_add(c->d, sev, code, c->file, c->e ? c->e->lastline : 0, "%s", m.s);
	buf_free(&m);
	return;
oom:
	buf_free(&m);
	c->d->oom = 1;
}

static int fail(struct ctx *c, const char *what)
{
	int e = errno;

	buf_reset(&c->r->where);
	buf_append_s(&c->r->where, what);
	buf_cstr(&c->r->where);
	errno = e;
	return -1;
}

static int push(struct ctx *c, enum ik kind, int addr, int hoisted, const char *s, size_t n,
		size_t inc)
{
	struct ins *x;

	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		struct ins *nv;

		if (nc > ((size_t)-1) / sizeof(*nv)) {
			errno = ENOMEM;
			return -1;
		}
		nv = realloc(c->v, nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		c->v = nv;
		c->cap = nc;
	}
	x = &c->v[c->n];
	x->kind = (unsigned char)kind;
	x->addr = (unsigned char)addr;
	x->hoisted = (unsigned char)hoisted;
	x->off = c->arena.len;
	x->len = n;
	x->inc = inc;
	if (buf_append(&c->arena, s, n) < 0)
		return -1;
	c->n++;
	return 0;
}

static int ieq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

static int lower_into(buf *out, const char *s, size_t n)
{
	size_t i;

	buf_reset(out);
	if (buf_ready(out, n + 1) < 0)
		return -1;
	for (i = 0; i < n; i++)
		out->s[out->len++] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out->s[out->len] = '\0';
	return 0;
}

static int is_local_domain(const struct ctx *c, const char *dom, size_t n)
{
	size_t i;

	for (i = 0; i < c->o->nlocal_domains; i++)
		if (ieq(dom, n, c->o->local_domains[i], strlen(c->o->local_domains[i])))
			return 1;
	return 0;
}

/* live - the alias named (sendmail key) name[0..n) is live */
static int live(const struct ctx *c, const char *name, size_t n)
{
	buf k = BUF_INIT;
	int r = 0;

	if (buf_append(&k, name, n) == 0 && buf_cstr(&k) != NULL)
		r = alias_lookup(c->t, k.s) != NULL;
	buf_free(&k);
	return r;
}

/*
 * addr_target - the envelope address qmail forwards to for a sendmail
 * address: RFC 822 quotes removed (qmail envelopes carry no quoting), an
 * unqualified name gets @me, a dotless host .defaultdomain.  T_FWD with
 * c->tmp, or T_ERR (reported).
 */
static int addr_target(struct ctx *c, const char *text, size_t n)
{
	const struct amap_opts *o = c->o;
	long at = -1;
	size_t i, nq = n;
	const char *dom;
	int q = 0, local = 1;

	buf_reset(&c->tmp);
	if (memchr(text, '"', n) == NULL) {
		/* no quotes (the usual case): the text as it is, its last '@' */
		if (buf_append(&c->tmp, text, n) < 0)
			return -1;
		for (i = n; i-- > 0;) {
			if (text[i] == '@') {
				at = (long)i;
				break;
			}
		}
		nq = 0;	/* nothing left for the loop below */
	}
	for (i = 0; i < nq; i++) {
		char ch = text[i];

		if (ch == '"') {
			q = !q;
			continue;
		}
		if (ch == '\\' && q && i + 1 < nq)
			ch = text[++i];
		else if (ch == '@' && !q)
			at = (long)c->tmp.len;
		if (buf_add_c(&c->tmp, ch) < 0)
			return -1;
	}
	if (c->tmp.len == 0 || at == 0 || memchr(c->tmp.s, '\n', c->tmp.len) ||
	    c->tmp.s[0] == ' ' || c->tmp.s[0] == '\t') {
		say(c, DIAG_ERROR, "S2Q-A123", "'%.*s' is not an address qmail can forward to",
		    (int)n, text);
		return T_ERR;
	}
	if (o->redirect && at > 0 && c->tmp.len - (size_t)at - 1 > 9) {
		/* FEATURE(redirect): sendmail answers "551 User has moved" for user@host.REDIRECT */
		size_t dl = c->tmp.len - (size_t)at - 1;
		const char *dm = c->tmp.s + at + 1;

		if (dm[dl - 1] == '.')
			dl--;
		if (dl > 9 && ieq(dm + dl - 9, 9, ".REDIRECT", 9)) {
			say(c, DIAG_WARN, "S2Q-A134",
			    "'%.*s': FEATURE(redirect): sendmail bounced it (\"551 User has moved; "
			    "please try <%.*s@%.*s>\"); qmail bounces it with \"Sorry, no mailbox "
			    "here by that name. (#5.1.1)\"", (int)n, text, (int)at, c->tmp.s,
			    (int)(dl - 9), dm);
			return T_BOUNCE;
		}
	}
	if (at < 0 || (size_t)at == c->tmp.len - 1) {
		/* an unqualified name: qmail-send would add envnoathost, newaliases @defaulthost */
		if (at >= 0)
			c->tmp.len = (size_t)at;
		if (buf_add_c(&c->tmp, '@') < 0 || buf_append_s(&c->tmp, o->me) < 0)
			return -1;
	} else {
		dom = c->tmp.s + at + 1;
		n = c->tmp.len - (size_t)at - 1;
		local = is_local_domain(c, dom, n) || ieq(dom, n, o->me, strlen(o->me));
		if (!is_local_domain(c, dom, n) && dom[0] != '[' && memchr(dom, '.', n) == NULL) {
			say(c, DIAG_WARN, "S2Q-A121",
			    "host '%.*s' has no dot: forwarded to %.*s.%s (sendmail would have "
			    "canonicalized it through DNS)", (int)n, dom, (int)c->tmp.len, c->tmp.s,
			    o->defaultdomain);
			if (buf_add_c(&c->tmp, '.') < 0 || buf_append_s(&c->tmp, o->defaultdomain) < 0)
				return -1;
		}
	}
	if (buf_cstr(&c->tmp) == NULL)
		return -1;
	if (c->tmp.len > FF_ADDR_MAX) {
		/* newaliases/setforward take at most 800 bytes; fastforward would lose it */
		const char *a = strrchr(c->tmp.s, '@');
		size_t ll = a ? (size_t)(a - c->tmp.s) : c->tmp.len;

		if (a && local && ll > SM_NAME_MAX) {
			say(c, DIAG_WARN, "S2Q-A129",
			    "local name of %zu bytes: no alias or login can have it, sendmail bounced "
			    "it (User unknown); fastforward cannot carry an address over %d bytes, so "
			    "qmail bounces it too", ll, FF_ADDR_MAX);
			return T_BOUNCE;
		}
		say(c, DIAG_ERROR, "S2Q-A130",
		    "address of %zu bytes: fastforward carries at most %d bytes (it would drop the "
		    "target silently)", c->tmp.len, FF_ADDR_MAX);
		return T_ERR;
	}
	return T_FWD;
}

static int assign_add(struct ctx *c, const struct assignfrag_ent *a)
{
	if (assignfrag_line(&c->assign, a) < 0) {
		if (errno != EINVAL)
			return -1;
		say(c, DIAG_ERROR, "S2Q-A125",
		    "cannot write the users/assign line for '%s%s' (user %s, home '%s'): qmail would "
		    "not read it as meant", a->wild ? "+" : "=", a->addr, a->user, a->home);
		return 0;
	}
	c->r->assign++;
	return 0;
}

/*
 * local_target - \user: delivery to the login user, past the aliases.
 * T_FWD with c->tmp, T_BOUNCE (no such login), T_ERR (reported).
 */
static int local_target(struct ctx *c, const char *user, size_t n, int self)
{
	const struct amap_opts *o = c->o;
	const struct amap_login *g;
	const char *shown = self ? "" : "\\";	/* "'\\joe'", or "'joe'" for a self reference */

	if (lower_into(&c->lu, user, n) < 0)
		return -1;
	if (c->lu.len == 0 || memchr(c->lu.s, '\0', c->lu.len)) {
		say(c, DIAG_ERROR, "S2Q-A123", "'\\%.*s' is not an address qmail can forward to",
		    (int)n, user);
		return T_ERR;
	}
	if (!o->have_passwd) {
		if (live(c, c->lu.s, c->lu.len)) {
			say(c, DIAG_ERROR, "S2Q-A108",
			    "'%s%s' is also an alias: routing it past the alias needs the login's uid, "
			    "gid and home (--passwd)", shown, c->lu.s);
			return T_ERR;
		}
		if (!self)
			say(c, DIAG_NOTE, "S2Q-A109",
			    "'%s%s': forwarded to %s@%s, delivered by qmail as user %s through "
			    "~%s/.qmail (sendmail skipped .forward); without --passwd it cannot be "
			    "checked that the login exists", shown, c->lu.s, c->lu.s, o->me, c->lu.s,
			    c->lu.s);
		buf_reset(&c->tmp);
		return buf_printf(&c->tmp, "%s@%s", c->lu.s, o->me) < 0 || !buf_cstr(&c->tmp) ? -1 : T_FWD;
	}
	g = amap_login_get(c->l, c->lu.s, c->lu.len);
	if (g == NULL) {
		say(c, DIAG_WARN, "S2Q-A107",
		    "'%s%s': no such login in %s: sendmail bounces it (User unknown)", shown, c->lu.s,
		    o->passwd_file ? o->passwd_file : "passwd");
		return T_BOUNCE;
	}
	if (g->uid == 0) {
		say(c, DIAG_ERROR, "S2Q-A106",
		    "'%s%s': uid 0: sendmail delivered to its mailbox, qmail never delivers as root; "
		    "name another recipient", shown, c->lu.s);
		return T_ERR;
	}
	buf_reset(&c->tmp);
	if (live(c, c->lu.s, c->lu.len)) {
		/* user@me would reach the alias again: a users/assign line for \user */
		struct assignfrag_ent a = { 0, NULL, g->name, g->uid, g->gid, g->home, "", "" };
		int r;

		if (buf_printf(&c->tmp, "\\%s", c->lu.s) < 0 || buf_cstr(&c->tmp) == NULL)
			return -1;
		r = hset_put(&c->routed, c->tmp.s, c->tmp.len, 0, NULL);
		if (r < 0)
			return -1;
		if (r == 1) {
			a.addr = c->tmp.s;
			if (assign_add(c, &a) < 0)
				return -1;
		}
		if (!self)
			say(c, DIAG_NOTE, "S2Q-A109",
			    "'%s%s': forwarded to \\%s@%s, which users/assign gives to user %s (uid "
			    "%lu); qmail-local follows ~%s/.qmail or the default delivery, sendmail "
			    "delivered to the mailbox and skipped .forward", shown, c->lu.s, c->lu.s,
			    o->me, g->name, g->uid, g->name);
		return buf_printf(&c->tmp, "@%s", o->me) < 0 || !buf_cstr(&c->tmp) ? -1 : T_FWD;
	}
	if (!self)
		say(c, DIAG_NOTE, "S2Q-A109",
		    "'%s%s': forwarded to %s@%s, delivered by qmail as user %s through ~%s/.qmail "
		    "or the default delivery (sendmail delivered to the mailbox and skipped "
		    ".forward)", shown, c->lu.s, c->lu.s, o->me, g->name, g->name);
	return buf_printf(&c->tmp, "%s@%s", c->lu.s, o->me) < 0 || !buf_cstr(&c->tmp) ? -1 : T_FWD;
}

static int is_devnull(const char *s, size_t n)
{
	return n == 9 && memcmp(s, "/dev/null", 9) == 0;
}

static int file_ok(const char *s, size_t n)
{
	buf b = BUF_INIT;
	int r = dotqmail_line(&b, '/', s, n) == 0;

	buf_free(&b);
	return r;
}

static void note_prog(struct ctx *c, const char *s, size_t n)
{
	say(c, DIAG_NOTE, "S2Q-A101",
	    "program '|%.*s' now runs as the alias user %s, through preline and /bin/sh in %s (its "
	    "input starts with From_, Return-Path and Delivered-To lines, as under fastforward's "
	    "newaliases), not as sendmail's DefaultUser nor through smrsh; exit codes other than 0, "
	    "64, 65, 70, 76, 77, 78, 100 and 112 now defer instead of bouncing", (int)n, s,
	    c->o->alias_user, c->o->alias_home);
}

static void note_file(struct ctx *c, const char *s, size_t n)
{
	say(c, DIAG_NOTE, "S2Q-A102",
	    "file '%.*s': appended to by qmail-local as the alias user %s (mbox format, with "
	    "Return-Path and Delivered-To lines), not as sendmail's DefaultUser: the file must be "
	    "writable by %s%s", (int)n, s, c->o->alias_user, c->o->alias_user,
	    c->o->style == AMAP_FASTFORWARD ? "; fastforward has no file deliveries, so this "
	    "alias gets a ~alias/.qmail file" : "");
}

static int list_index(const struct ctx *c, const char *path, size_t *ix)
{
	unsigned long v;

	if (hset_get(&c->t->byinc, path, strlen(path), &v) != 1 || v >= c->t->nincs)
		return 0;
	*ix = v;
	return 1;
}

/*
 * reaches - 1 if the elements v[0..n) give sendmail at least one recipient
 * (any element but an :include: list that was read; such a list counts for
 * its own elements, each list once); 0 when everything is empty lists.
 * sendmail refuses mail to an alias that expands to no recipient at all
 * ("aliasing/forwarding loop broken", verified with an empty list and a
 * comment-only one); issue 8 guard: never an empty target list.
 */
static int reaches(const struct ctx *c, const struct alias_elem *v, size_t n, unsigned char *seen)
{
	size_t i, ix;

	for (i = 0; i < n; i++) {
		const struct alias_include *inc;

		if (v[i].kind != ALIAS_INCLUDE || !list_index(c, alias_elem_text(&v[i]), &ix))
			return 1;
		inc = &c->t->incs[ix];
		if (inc->missing)
			return 1;	/* "Cannot open": a recipient with an error */
		if (seen[ix])
			continue;
		seen[ix] = 1;
		if (reaches(c, inc->elems, inc->nelems, seen))
			return 1;
	}
	return 0;
}

/*
 * list_prepare - check (and in style fastforward write) an :include: list
 * once; what is about one member is reported at the member's line of the
 * list, what is about the list at the first alias that uses it.
 * 0 usable, 1 not (reported), -1 system error.
 */
static int list_prepare(struct ctx *c, size_t ix)
{
	const struct alias_include *inc = &c->t->incs[ix];
	const char *saved = c->inlist;
	unsigned long savedline = c->inlistline;
	int ff = c->o->style == AMAP_FASTFORWARD, r, copynote = 0;
	buf data = BUF_INIT, rel = BUF_INIT;
	size_t i, j;

	if (c->ls[ix] & LS_SEEN)
		return (c->ls[ix] & LS_BAD) ? 1 : 0;
	c->ls[ix] |= LS_SEEN | LS_ACTIVE;
	if (inc->missing) {
		/* 2: refused by the parser, which reported it as an error */
		if (inc->missing == 1)
			say(c, DIAG_ERROR, "S2Q-A119",
			    ":include: list %s could not be read: it cannot be converted (copy it "
			    "into the sendmail root, or remove it from the alias)", inc->path);
		c->ls[ix] |= LS_BAD;
		goto out;
	}
	if (ff && fflist_relpath(&rel, inc->path, strlen(inc->path)) < 0) {
		if (errno != EINVAL)
			goto sys;
		say(c, DIAG_ERROR, "S2Q-A118",
		    ":include: list '%s' is not an absolute path without '.' or '..' components: "
		    "fastforward opens the compiled list at the path written in aliases.cdb",
		    inc->path);
		c->ls[ix] |= LS_BAD;
		goto out;
	}
	c->inlist = inc->path;
	if (!ff) {
		say(c, DIAG_NOTE, "S2Q-A120",
		    "copied into every .qmail file that includes it: sendmail read the list at each "
		    "delivery, so later edits of %s need a new run of s2q-aliases", inc->path);
	}
	for (i = 0; i < inc->nelems; i++) {
		const struct alias_elem *m = &inc->elems[i];
		const char *mt = alias_elem_text(m), *mraw = alias_elem_raw(m);
		size_t n = strlen(mt);

		c->inlistline = inc->lines ? inc->lines[i] : 0;
		switch (m->kind) {
		case ALIAS_ADDR:
		case ALIAS_LOCAL:
			r = m->kind == ALIAS_ADDR ? addr_target(c, mt, n)
						  : local_target(c, mt, n, 0);
			if (r == -1)
				goto sys;
			if (r == T_ERR) {
				c->ls[ix] |= LS_BAD;
			} else if (r == T_BOUNCE) {
				say(c, DIAG_WARN, "S2Q-A105",
				    "'%s' dropped: qmail cannot bounce one member of a list while "
				    "delivering to the others; the sender no longer gets its User unknown "
				    "bounce", mraw);
			} else if (ff && ffcdb_ins(&data, '&', c->tmp.s, c->tmp.len) < 0) {
				if (errno != EINVAL)
					goto sys;
				say(c, DIAG_ERROR, "S2Q-A123", "'%s' is not an address qmail can forward to",
				    mraw);
				c->ls[ix] |= LS_BAD;
			}
			break;
		case ALIAS_PROG:
			note_prog(c, mt, n);
			c->ls[ix] |= LS_HOIST;
			copynote = ff;
			break;
		case ALIAS_FILE:
			if (is_devnull(mt, n)) {
				say(c, DIAG_NOTE, "S2Q-A103", "'/dev/null' dropped (sendmail discarded the "
				    "copy)");
			} else if (!file_ok(mt, n)) {
				say(c, DIAG_ERROR, "S2Q-A124",
				    "file '%s': not an absolute path, or it ends in '/' (a maildir to qmail)",
				    mt);
				c->ls[ix] |= LS_BAD;
			} else {
				note_file(c, mt, n);
				c->ls[ix] |= LS_HOIST;
				copynote = ff;
			}
			break;
		case ALIAS_INCLUDE:
			if (!list_index(c, mt, &j)) {
				say(c, DIAG_ERROR, "S2Q-A119", ":include: list %s was not read: it cannot be "
				    "converted", mt);
				c->ls[ix] |= LS_BAD;
				break;
			}
			if (!(c->ls[j] & LS_ACTIVE)) {
				c->inlist = saved;
				c->inlistline = savedline;
				r = list_prepare(c, j);
				c->inlist = inc->path;
				c->inlistline = inc->lines ? inc->lines[i] : 0;
				if (r < 0)
					goto sys;
				if (r == 1)
					c->ls[ix] |= LS_BAD;
				c->ls[ix] |= c->ls[j] & LS_HOIST;
			}
			if (ff && fflist_ref(&data, mt, n) < 0) {
				if (errno != EINVAL)
					goto sys;
				c->ls[ix] |= LS_BAD;	/* reported for list j */
			}
			break;
		case ALIAS_ERROR:
			say(c, DIAG_WARN, "S2Q-A104",
			    "'%s': sendmail routed the text after error: as a local name, a User "
			    "unknown (5.1.1) unless a relay took unknown names", mraw);
			say(c, DIAG_WARN, "S2Q-A105",
			    "'%s' dropped: qmail cannot bounce one member of a list while delivering to "
			    "the others; the sender no longer gets its User unknown bounce", mraw);
			break;
		}
	}
	c->inlistline = 0;
	if (copynote)
		say(c, DIAG_NOTE, "S2Q-A120",
		    "programs and files cannot be run from a fastforward list: they are copied into "
		    "the .qmail file of every alias that includes %s; later edits of them need a new "
		    "run of s2q-aliases (sendmail read the list at each delivery)", inc->path);
	if (ff && !(c->ls[ix] & LS_BAD)) {
		c->r->lists++;
		if (c->writing && outtx_file(&c->tx, rel.s, 0644, data.s ? data.s : "", data.len) < 0) {
			fail(c, rel.s);
			goto sysfail;
		}
	}
out:
	c->inlist = saved;
	c->inlistline = savedline;
	c->ls[ix] &= (unsigned char)~LS_ACTIVE;
	buf_free(&data);
	buf_free(&rel);
	return (c->ls[ix] & LS_BAD) ? 1 : 0;
sys:
	fail(c, inc->path);
sysfail:
	c->inlist = saved;
	c->inlistline = savedline;
	buf_free(&data);
	buf_free(&rel);
	return -1;
}

/*
 * list_walk - what an alias gets from a list beyond the .bin: in style
 * fastforward the programs and files (hoisted), in style dotqmail every
 * member (the list is copied).  Diagnostics were given by list_prepare.
 */
static int list_walk1(struct ctx *c, size_t ix);

static int list_walk(struct ctx *c, size_t ix)
{
	int q = c->quiet, r;

	c->quiet = 1;
	r = list_walk1(c, ix);
	c->quiet = q;
	return r;
}

static int list_walk1(struct ctx *c, size_t ix)
{
	const struct alias_include *inc = &c->t->incs[ix];
	int ff = c->o->style == AMAP_FASTFORWARD, r;
	size_t i, j;

	if (c->lvisit[ix] == c->gen)
		return 0;
	c->lvisit[ix] = c->gen;
	if (ff && !(c->ls[ix] & LS_HOIST))
		return 0;
	for (i = 0; i < inc->nelems; i++) {
		const struct alias_elem *m = &inc->elems[i];
		const char *mt = alias_elem_text(m);
		size_t n = strlen(mt);

		switch (m->kind) {
		case ALIAS_ADDR:
		case ALIAS_LOCAL:
			if (ff)
				break;
			r = m->kind == ALIAS_ADDR ? addr_target(c, mt, n)
						  : local_target(c, mt, n, 0);
			if (r == -1)
				return -1;
			if (r == T_FWD && push(c, IK_FORWARD, 1, 1, c->tmp.s, c->tmp.len, 0) < 0)
				return -1;
			break;
		case ALIAS_PROG:
			if (push(c, IK_PROG, 0, 1, mt, n, 0) < 0)
				return -1;
			break;
		case ALIAS_FILE:
			if (!is_devnull(mt, n) && file_ok(mt, n) &&
			    push(c, IK_FILE, 0, 1, mt, n, 0) < 0)
				return -1;
			break;
		case ALIAS_INCLUDE:
			if (list_index(c, mt, &j) && list_walk1(c, j) < 0)
				return -1;
			break;
		case ALIAS_ERROR:
			break;
		}
	}
	return 0;
}

/* build the fastforward data of the alias in newaliases' order */
static int ff_data(struct ctx *c, buf *data)
{
	size_t i, pending = 0;
	int havepending = 0;

	/*
	 * newaliases scans a line right to left: programs and lists go out at
	 * once, an address only when the next address (to its left) starts,
	 * or at the end.  So "a, |p, :include:/l, b, c" is stored as
	 * c, /l.bin, |p, b, a.  The order changes nothing for fastforward but
	 * makes printforward of both databases equal.
	 */
	buf_reset(data);
	for (i = c->n; i-- > 0;) {
		const struct ins *x = &c->v[i];

		if (x->kind != IK_FORWARD && x->kind != IK_PROG && x->kind != IK_LIST)
			continue;
		if (x->addr) {
			if (havepending && ffcdb_ins(data, '&', c->arena.s + c->v[pending].off,
						     c->v[pending].len) < 0)
				return -1;
			pending = i;
			havepending = 1;
			continue;
		}
		if (x->kind == IK_LIST) {
			if (fflist_ref(data, c->t->incs[x->inc].path, strlen(c->t->incs[x->inc].path)) < 0)
				return -1;
		} else if (ffcdb_ins(data, x->kind == IK_FORWARD ? '&' : '!', c->arena.s + x->off,
				     x->len) < 0) {
			return -1;
		}
	}
	if (havepending &&
	    ffcdb_ins(data, '&', c->arena.s + c->v[pending].off, c->v[pending].len) < 0)
		return -1;
	return 0;
}

/* the owner record's address: sendmail's rule (alias.c): the value itself unless it holds , : / | " */
static int owner_sender(struct ctx *c)
{
	const struct alias_ent *e = c->e;
	int r, q = c->quiet;

	buf_reset(&c->sender);
	if (!strpbrk(alias_ent_value(e), ",:/|\"") && e->nelems == 1 && e->elems[0].kind == ALIAS_ADDR) {
		c->quiet = 1;
		r = addr_target(c, alias_elem_text(&e->elems[0]), strlen(alias_elem_text(&e->elems[0])));
		c->quiet = q;
		if (r == -1)
			return -1;
		if (r == T_FWD)
			return buf_append(&c->sender, c->tmp.s, c->tmp.len) < 0 || !buf_cstr(&c->sender) ? -1 : 0;
	}
	return buf_printf(&c->sender, "%s@%s", c->local.s, c->o->me) < 0 || !buf_cstr(&c->sender) ? -1 : 0;
}

static int qmail_name_ok(struct ctx *c, const char *what)
{
	if (dotqmail_filename(&c->fname, c->local.s, c->local.len) < 0) {
		if (errno != EINVAL)
			return -1;
		say(c, DIAG_ERROR, "S2Q-A115",
		    "alias name '%s' cannot be a file name ~alias/.qmail-NAME (a '/', a control "
		    "character, or too long), which %s needs", c->e->name, what);
		return 0;
	}
	if (c->local.len == 7 ? strcmp(c->local.s, "default") == 0
			      : (c->local.len > 8 &&
				 strcmp(c->local.s + c->local.len - 8, "-default") == 0)) {
		say(c, DIAG_ERROR, "S2Q-A116",
		    "alias name '%s' would be %s, which qmail-local reads as a catch-all (default) "
		    "file, and %s needs one", c->e->name, c->fname.s, what);
		return 0;
	}
	return 1;
}

static int write_qmail(struct ctx *c, const buf *content);

/*
 * bounce_file - an alias sendmail bounced as a whole: it gets no
 * instruction, so qmail-local takes ~alias/.qmail-default, whose
 * LUSER_RELAY line would send the mail on; with LUSER_RELAY the name gets
 * a ~alias/.qmail-NAME that bounces as qmail-local does.  0, -1 ENOMEM.
 */
static int bounce_file(struct ctx *c)
{
	const char *v;
	size_t vn;
	int k = luser_kind(c->o->luser_relay, &v, &vn), r;

	if (k != 'l' && k != 'h')
		return 0;
	r = qmail_name_ok(c, "the bounce that keeps it from LUSER_RELAY");
	if (r <= 0)
		return r;
	buf_reset(&c->qm);
	buf_reset(&c->tmp);
	if (bounce_words(&c->tmp) < 0 ||
	    dotqmail_line(&c->qm, '|', c->tmp.s, c->tmp.len) < 0)
		return -1;
	return write_qmail(c, &c->qm);
}

static int write_qmail(struct ctx *c, const buf *content)
{
	c->r->dotqmail++;
	if (!c->writing)
		return 0;
	buf_reset(&c->rel);
	if (buf_printf(&c->rel, "%s/%s", c->aliasdir, c->fname.s) < 0 || buf_cstr(&c->rel) == NULL)
		return -1;
	if (!dotqmail_content_ok(content->s, content->len)) {
		errno = EINVAL;
		return fail(c, c->rel.s);
	}
	if (outtx_file(&c->tx, c->rel.s, 0644, content->s, content->len) < 0)
		return fail(c, c->rel.s);
	return 0;
}

static int qm_line(struct ctx *c, char kind, const char *s, size_t n)
{
	if (dotqmail_line(&c->qm, kind, s, n) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	say(c, DIAG_ERROR, "S2Q-A123",
	    "'%c%.*s' cannot be written as a .qmail line that qmail-local reads back the same", kind,
	    (int)n, s);
	return 0;
}

/*
 * qm_prog - a program line as fastforward's "!" instruction runs it:
 * preline sh -c PROG (preline puts the From_, Return-Path and Delivered-To
 * lines first).  PROG goes to the inner shell as one quoted word.
 */
static int qm_prog(struct ctx *c, const char *s, size_t n)
{
	buf_reset(&c->tmp);
	if (buf_append(&c->tmp, s, n) < 0 || buf_cstr(&c->tmp) == NULL)
		return -1;
	buf_reset(&c->rel);
	if (sh_word(&c->rel, c->o->preline) < 0 || buf_append_s(&c->rel, " sh -c ") < 0 ||
	    sh_word(&c->rel, c->tmp.s) < 0)
		return -1;
	return qm_line(c, '|', c->rel.s, c->rel.len);
}

static int shadow_routes(struct ctx *c)
{
	const struct amap_opts *o = c->o;
	const struct amap_login *g = NULL;
	const char *s = c->local.s;
	size_t n = c->local.len, i;
	const char *plus;

	if (!o->have_passwd)
		return 0;
	/* qmail-getpw: the whole local part, then every prefix before a '-', longest first */
	if (n < 32)
		g = amap_login_get(c->l, s, n);
	for (i = n; g == NULL && i-- > 1;)
		if (s[i] == '-' && i < 32)
			g = amap_login_get(c->l, s, i);
	/* and the user conversion's +user+ wildcard (sendmail's user+detail) */
	plus = memchr(s, '+', n);
	if (g == NULL && plus != NULL && plus > s)
		g = amap_login_get(c->l, s, (size_t)(plus - s));
	if (g != NULL && g->uid == 0)
		g = NULL;
	if (g == NULL)
		return 0;
	if (o->alias_uid == 0 || o->alias_gid == 0) {
		if (!c->ids_reported)
			say(c, DIAG_ERROR, "S2Q-A126",
			    "'%s' is also a login (%s line %lu): the users/assign line that keeps it an "
			    "alias needs the alias user's uid and gid (--alias-uid, --alias-gid)",
			    c->local.s, o->passwd_file ? o->passwd_file : "passwd", g->line);
		c->ids_reported = 1;
		return 0;
	}
	say(c, DIAG_NOTE, "S2Q-A111",
	    "'%s' is also a login on the old host (%s line %lu, user %s): sendmail let the alias "
	    "win, qmail gives a login's mail to the user; users/assign routes the name to the "
	    "alias user (put these lines before the users' own)", c->local.s,
	    o->passwd_file ? o->passwd_file : "passwd", g->line, g->name);
	{
		struct assignfrag_ent a = { 0, c->local.s, o->alias_user, o->alias_uid, o->alias_gid,
					    o->alias_home, "-", c->local.s };

		if (assign_add(c, &a) < 0)
			return -1;
		if (o->plus && plus == NULL) {
			buf_reset(&c->lu);
			if (buf_printf(&c->lu, "%s+", c->local.s) < 0 || buf_cstr(&c->lu) == NULL)
				return -1;
			a.wild = 1;
			a.addr = c->lu.s;
			a.ext = c->lu.s;
			if (assign_add(c, &a) < 0)
				return -1;
		}
	}
	return 0;
}

static int do_alias(struct ctx *c, size_t ei)
{
	const struct alias_ent *e = &c->t->ents[ei];
	const struct amap_opts *o = c->o;
	int ff = o->style == AMAP_FASTFORWARD, r;
	size_t i, nbounce = 0, ndiscard = 0, nother = 0, nfile = 0, ncdb = 0;
	unsigned long old;

	c->e = e;
	c->file = e->file < c->t->nfiles ? c->t->files[e->file] : NULL;
	c->inlist = NULL;
	c->n = 0;
	buf_reset(&c->arena);
	c->gen++;
	if (amap_local(&c->local, e->name) < 0)
		return -1;
	c->r->aliases++;
	if (c->local.len == 0 || memchr(c->local.s, '\0', c->local.len) != NULL) {
		say(c, DIAG_ERROR, "S2Q-A115", "alias name '%s' is an empty qmail address", e->name);
		return 0;
	}
	/*
	 * Without quotes in any name every local part is its (unique) name: no
	 * collision is possible and the million-entry set is not needed.
	 */
	r = c->quotes ? hset_put(&c->locals, c->local.s, c->local.len, (unsigned long)ei, &old) : 1;
	if (r < 0)
		return -1;
	if (r == 0) {
		const struct alias_ent *o2 = &c->t->ents[old];

		say(c, DIAG_ERROR, "S2Q-A114",
		    "alias name '%s' and '%s' (%s:%lu) are the same qmail address '%s' (qmail "
		    "envelopes carry no quotes)", e->name, o2->name,
		    o2->file < c->t->nfiles ? c->t->files[o2->file] : "?", (unsigned long)o2->lastline, c->local.s);
		return 0;
	}
	if (shadow_routes(c) < 0)
		return -1;
	if (c->verdicts && c->verdicts[ei]) {
		say(c, DIAG_NOTE, "S2Q-A122",
		    "sendmail refuses mail to '%s' (aliasing/forwarding loop broken): it gets no "
		    "instruction, so qmail bounces it too", e->name);
		return bounce_file(c);
	}
	for (i = 0; i < e->nelems && e->elems[i].kind == ALIAS_INCLUDE; i++)
		;
	if (e->nelems > 0 && i == e->nelems) {
		/* only :include: lists: are they all empty? (issue 8 guard) */
		unsigned char *seen = calloc(c->t->nincs ? c->t->nincs : 1, 1);

		if (seen == NULL)
			return -1;
		r = reaches(c, e->elems, e->nelems, seen);
		free(seen);
		if (r == 0) {
			say(c, DIAG_WARN, "S2Q-A128",
			    "every :include: list of '%s' is empty: sendmail refuses mail to it "
			    "(aliasing/forwarding loop broken); it gets no instruction, so qmail "
			    "bounces it too (never an alias that accepts mail and delivers it nowhere)",
			    e->name);
			return bounce_file(c);
		}
	}

	for (i = 0; i < e->nelems; i++) {
		const struct alias_elem *m = &e->elems[i];
		const char *mt = alias_elem_text(m), *mraw = alias_elem_raw(m);
		const char *ml = alias_elem_local(m);
		size_t n = strlen(mt), ix;

		switch (m->kind) {
		case ALIAS_ADDR:
			r = addr_target(c, mt, n);
			if (r == T_FWD && ml != NULL && strcmp(ml, e->name) == 0) {
				say(c, DIAG_WARN, "S2Q-A110",
				    "'%s' names the alias itself: sendmail delivers it to the login %s, "
				    "following that login's .forward; so does the converted alias (user "
				    "%s, through ~%s/.qmail)", mraw, ml, ml, ml);
				r = local_target(c, ml, strlen(ml), 1);
			}
			goto target;
		case ALIAS_LOCAL:
			r = local_target(c, mt, n, 0);
target:
			if (r == -1)
				return -1;
			if (r == T_FWD && push(c, IK_FORWARD, 1, 0, c->tmp.s, c->tmp.len, 0) < 0)
				return -1;
			if (r == T_BOUNCE && push(c, IK_BOUNCE, 1, 0, mraw, strlen(mraw), 0) < 0)
				return -1;
			break;
		case ALIAS_PROG:
			note_prog(c, mt, n);
			if (push(c, IK_PROG, 0, 0, mt, n, 0) < 0)
				return -1;
			break;
		case ALIAS_FILE:
			if (is_devnull(mt, n)) {
				say(c, DIAG_NOTE, "S2Q-A103", "'/dev/null': sendmail discarded the copy; so does "
				    "qmail (no instruction, or a comment-only ~alias/.qmail-%s)", c->local.s);
				if (push(c, IK_DISCARD, 0, 0, mt, n, 0) < 0)
					return -1;
			} else if (!file_ok(mt, n)) {
				say(c, DIAG_ERROR, "S2Q-A124",
				    "file '%s': not an absolute path, or it ends in '/' (a maildir to qmail)",
				    mt);
			} else {
				note_file(c, mt, n);
				if (push(c, IK_FILE, 0, 0, mt, n, 0) < 0)
					return -1;
			}
			break;
		case ALIAS_INCLUDE:
			if (!list_index(c, mt, &ix)) {
				say(c, DIAG_ERROR, "S2Q-A119", ":include: list %s was not read: it cannot be "
				    "converted", mt);
				break;
			}
			r = list_prepare(c, ix);
			if (r < 0)
				return -1;
			if (r == 1)
				break;
			if (push(c, IK_LIST, 0, 0, mt, n, ix) < 0 || list_walk(c, ix) < 0)
				return -1;
			break;
		case ALIAS_ERROR:
			say(c, DIAG_WARN, "S2Q-A104",
			    "'%s': sendmail routed the text after error: as a local name, a User "
			    "unknown (5.1.1) unless a relay took unknown names; qmail bounces it with "
			    "\"%s\"", mraw, nomailbox);
			if (push(c, IK_BOUNCE, 0, 0, mraw, strlen(mraw), 0) < 0)
				return -1;
			break;
		}
	}
	for (i = 0; i < c->n; i++) {
		switch (c->v[i].kind) {
		case IK_BOUNCE:
			nbounce++;
			break;
		case IK_DISCARD:
			ndiscard++;
			break;
		case IK_FILE:
			nfile++;
			nother++;
			break;
		default:	/* forwards, programs, lists: fastforward can do these */
			ncdb++;
			nother++;
			break;
		}
	}
	if (nbounce && (nother || ndiscard))
		for (i = 0; i < c->n; i++)
			if (c->v[i].kind == IK_BOUNCE)
				say(c, DIAG_WARN, "S2Q-A105",
				    "'%.*s' dropped: qmail cannot bounce one target of an alias while "
				    "delivering to the others; the sender no longer gets its User unknown "
				    "bounce", (int)c->v[i].len, c->arena.s + c->v[i].off);

	/* owner-NAME: fastforward's owner record for NAME, written just before owner-NAME's own */
	if (ff && strncmp(e->name, "owner-", 6) == 0 && e->name[6] &&
	    alias_lookup(c->t, e->name + 6) != NULL) {
		if (owner_sender(c) < 0 || amap_local(&c->lu, e->name + 6) < 0 ||
		    buf_append_c(&c->lu, '@') < 0)
			return -1;
		if (ffcdb_owner(&c->cdb, c->lu.s, c->lu.len, c->sender.s, c->sender.len) < 0)
			return fail(c, o->cdb_path + 1);
		c->r->records++;
	}

	if (ff) {
		if (ncdb) {
			if (ff_data(c, &c->data) < 0) {
				if (errno != EINVAL)
					return -1;
				say(c, DIAG_ERROR, "S2Q-A123", "a target cannot be stored in aliases.cdb");
			} else {
				buf_reset(&c->lu);
				if (buf_append(&c->lu, c->local.s, c->local.len) < 0 ||
				    buf_add_c(&c->lu, '@') < 0)
					return -1;
				if (ffcdb_target(&c->cdb, c->lu.s, c->lu.len, c->data.s, c->data.len) < 0) {
					if (errno != EINVAL)
						return fail(c, o->cdb_path + 1);
					say(c, DIAG_ERROR, "S2Q-A123", "a target cannot be stored in aliases.cdb");
				} else {
					c->r->records++;
				}
			}
		}
		if (!nother && !ndiscard)
			return bounce_file(c);	/* only bounces */
		if (nfile || (ndiscard && !nother)) {
			r = qmail_name_ok(c, nfile ? "a file delivery" : "discarding");
			if (r <= 0)
				return r;
			buf_reset(&c->qm);
			for (i = 0; i < c->n; i++)
				if (c->v[i].kind == IK_FILE &&
				    qm_line(c, '/', c->arena.s + c->v[i].off, c->v[i].len) < 0)
					return -1;
			if (ncdb) {
				buf_reset(&c->tmp);
				if (buf_append_c(&c->tmp, '|') < 0 || sh_word(&c->tmp, o->fastforward) < 0 ||
				    buf_append_s(&c->tmp, " -d ") < 0 || sh_word(&c->tmp, o->cdb_path) < 0 ||
				    dotqmail_line(&c->qm, '|', c->tmp.s + 1, c->tmp.len - 1) < 0)
					return -1;
			}
			if (!nfile && dotqmail_line(&c->qm, '#', discarded, strlen(discarded)) < 0)
				return -1;
			if (c->qm.len && write_qmail(c, &c->qm) < 0)
				return -1;
		}
		return 0;
	}

	/* style dotqmail: the whole alias in ~alias/.qmail-L */
	if (!nother && !ndiscard)
		return bounce_file(c);	/* only bounces: no file, qmail-local bounces the name */
	r = qmail_name_ok(c, "style dotqmail");
	if (r <= 0)
		return r;
	buf_reset(&c->qm);
	for (i = 0; i < c->n; i++) {
		const struct ins *x = &c->v[i];
		const char *s = c->arena.s + x->off;

		if (x->kind == IK_FORWARD)
			r = qm_line(c, '&', s, x->len);
		else if (x->kind == IK_PROG)
			r = qm_prog(c, s, x->len);
		else if (x->kind == IK_FILE)
			r = qm_line(c, '/', s, x->len);
		else
			r = 0;
		if (r < 0)
			return -1;
	}
	if (c->qm.len == 0 &&
	    dotqmail_line(&c->qm, '#', discarded, strlen(discarded)) < 0)
		return -1;
	if (c->local.len > 6 && strcmp(c->local.s + c->local.len - 6, "-owner") == 0 &&
	    live(c, c->local.s, c->local.len - 6))
		say(c, DIAG_WARN, "S2Q-A117",
		    "%s is also qmail-local's owner file of alias '%.*s': the envelope sender of its "
		    "forwards becomes %s@<domain>, so its bounces come here (sendmail: to the sender, "
		    "or owner-%.*s)", c->fname.s, (int)(c->local.len - 6), c->local.s, c->local.s,
		    (int)(c->local.len - 6), c->local.s);
	if (write_qmail(c, &c->qm) < 0)
		return -1;
	/* owner-X: qmail-local's convention is .qmail-X-owner */
	if (strncmp(c->local.s, "owner-", 6) == 0 && c->local.s[6] && live(c, e->name + 6, strlen(e->name + 6))) {
		size_t xl = c->local.len - 6;

		if (owner_sender(c) < 0)
			return -1;
		buf_reset(&c->lu);
		if (buf_printf(&c->lu, "%s-owner", c->local.s + 6) < 0 || buf_cstr(&c->lu) == NULL)
			return -1;
		if (live(c, c->lu.s, c->lu.len)) {
			say(c, DIAG_WARN, "S2Q-A117",
			    "alias '%s' is also qmail-local's owner file of '%.*s': bounces of %.*s go there, "
			    "not to %s", c->lu.s, (int)xl, c->local.s + 6, (int)xl, c->local.s + 6,
			    c->local.s);
			return 0;
		}
		if (dotqmail_filename(&c->fname, c->lu.s, c->lu.len) < 0)
			return errno == EINVAL ? 0 : -1;	/* the alias itself was reported */
		say(c, DIAG_NOTE, "S2Q-A113",
		    "owner of '%.*s': qmail-local sends its forwards with the envelope sender "
		    "%.*s-owner@<domain> when %s exists; it forwards to %s@%s (sendmail used %s)",
		    (int)xl, c->local.s + 6, (int)xl, c->local.s + 6, c->fname.s, c->local.s, o->me,
		    c->sender.s);
		buf_reset(&c->qm);
		buf_reset(&c->tmp);
		if (buf_printf(&c->tmp, "%s@%s", c->local.s, o->me) < 0 ||
		    qm_line(c, '&', c->tmp.s, c->tmp.len) < 0)
			return -1;
		if (c->qm.len && write_qmail(c, &c->qm) < 0)
			return -1;
	}
	return 0;
}

static void ctx_free(struct ctx *c)
{
	free(c->v);
	free(c->ls);
	free(c->lvisit);
	hset_free(&c->locals);
	hset_free(&c->routed);
	buf_free(&c->local);
	buf_free(&c->arena);
	buf_free(&c->assign);
	buf_free(&c->tmp);
	buf_free(&c->lu);
	buf_free(&c->data);
	buf_free(&c->qm);
	buf_free(&c->fname);
	buf_free(&c->rel);
	buf_free(&c->sender);
}

int amap_run(const struct amap_opts *o, const struct alias_table *t,
	     const struct amap_logins *l, const unsigned char *verdicts, int rootfd,
	     struct diag_sink *d, struct amap_result *r)
{
	struct ctx c;
	size_t i;
	int ff = o->style == AMAP_FASTFORWARD;

	memset(&c, 0, sizeof(c));
	hset_init(&c.locals);
	hset_init(&c.routed);
	c.o = o;
	c.t = t;
	c.l = l;
	c.verdicts = verdicts;
	c.d = d;
	c.r = r;
	c.rootfd = rootfd;
	c.writing = rootfd >= 0;
	c.quiet = c.writing && d == NULL;	/* a check run gave every diagnostic */
	r->aliases = r->records = r->dotqmail = r->lists = r->assign = 0;
	r->written = 0;
	buf_reset(&r->where);
	if (o->alias_home[0] != '/' || !aw_relpath_ok(o->alias_home + 1) ||
	    (ff && (o->cdb_path[0] != '/' || !aw_relpath_ok(o->cdb_path + 1))) ||
	    o->assign_path[0] != '/' || !aw_relpath_ok(o->assign_path + 1)) {
		errno = EINVAL;
		fail(&c, "");
		goto out;
	}
	c.aliasdir = o->alias_home + 1;
	if (t->nincs) {
		c.ls = calloc(t->nincs, sizeof(*c.ls));
		c.lvisit = calloc(t->nincs, sizeof(*c.lvisit));
		if (c.ls == NULL || c.lvisit == NULL)
			goto out;
	}
	if (c.writing) {
		if (outtx_begin(&c.tx, rootfd) < 0) {
			fail(&c, "");
			goto out;
		}
		c.tx_open = 1;
		if (o->reuse)
			outtx_reuse(&c.tx, o->reusefd);
		if (o->fresh)
			outtx_direct(&c.tx);
	}
	if (!o->have_passwd && !c.quiet)
		diag_add(d, DIAG_WARN, "S2Q-A112", NULL, 0,
			 "no passwd file (--passwd): alias names that are also logins on the old host "
			 "cannot be found; sendmail let such an alias win, qmail delivers to the user");
	if (ff) {
		char stage[16] = "";

		if ((c.writing && outtx_add(&c.tx, o->cdb_path + 1, stage) < 0) ||
		    ffcdb_open(&c.cdb, c.writing ? c.tx.stagefd : -1, stage, 0) < 0) {
			fail(&c, o->cdb_path + 1);
			goto out;
		}
		c.cdb_open = 1;
		if (c.writing && ffcdb_reuse(&c.cdb, c.tx.reffd, o->cdb_path + 1) < 0) {
			fail(&c, o->cdb_path + 1);
			goto out;
		}
	}
	for (i = 0; i < t->nents && !c.quotes; i++)
		if (!t->ents[i].dead && strchr(t->ents[i].name, '"') != NULL)
			c.quotes = 1;
	/*
	 * The live entries: alias_table_add keeps byname pointing at exactly the
	 * entries it leaves live (dead = 0), names have no NUL (such lines are
	 * refused), so no lookup is needed to tell.
	 */
	for (i = 0; i < t->nents; i++) {
		if (t->ents[i].dead)
			continue;
		if (do_alias(&c, i) < 0)
			goto out;
	}
	c.e = NULL;
	c.file = o->passwd_file;
	/* logins qmail never delivers to (uid 0) whose mail sendmail delivered */
	if (o->have_passwd && l != NULL && !c.quiet) {
		for (i = 0; i < l->n; i++) {
			const struct amap_login *g = &l->v[i];
			const char *p;

			for (p = g->name; *p && !(*p >= 'A' && *p <= 'Z'); p++)
				;
			if (g->uid != 0 || *p || alias_lookup(t, g->name) != NULL)
				continue;
			diag_add(d, DIAG_WARN, "S2Q-A127", o->passwd_file, g->line,
				 "login '%s' has uid 0 and no alias: sendmail delivered its mail to the "
				 "mailbox, qmail hands it to the alias user, where it bounces; add an alias "
				 "for %s", g->name, g->name);
		}
	}
	if (ff) {
		c.cdb_open = 0;
		if (ffcdb_commit(&c.cdb) < 0) {
			fail(&c, o->cdb_path + 1);
			goto out;
		}
	}
	if (amap_default_qmail(&c.qm, o) < 0)
		goto out;
	if (d != NULL && o->luser_relay && o->luser_relay[0]) {
		const char *v;
		size_t vn;
		int k = luser_kind(o->luser_relay, &v, &vn);

		if ((k == 'l' || k == 'h') &&
		    diag_add(d, DIAG_NOTE, "S2Q-A131", NULL, 0,
			     "LUSER_RELAY %s: local names that are neither aliases nor logins go "
			     "%s%.*s%s (the last line of ~alias/.qmail-default) instead of bouncing",
			     o->luser_relay, k == 'l' ? "to the alias " : "to NAME@", (int)vn, v,
			     k == 'l' ? "" : " (MX of that host; smtproutes may route it)") < 0)
			goto out;
		if (k == 'e' &&
		    diag_add(d, DIAG_WARN, "S2Q-A132", NULL, 0,
			     "LUSER_RELAY %s is not carried over: local names that are neither "
			     "aliases nor logins bounce with qmail's \"%s\"", o->luser_relay,
			     nomailbox) < 0)
			goto out;
	}
	if (c.qm.len) {
		if (dotqmail_filename(&c.fname, "default", 7) < 0 || write_qmail(&c, &c.qm) < 0)
			goto out;
	}
	if (c.writing && outtx_file(&c.tx, o->assign_path + 1, 0644,
				    c.assign.s ? c.assign.s : "", c.assign.len) < 0) {
		fail(&c, o->assign_path + 1);
		goto out;
	}
	if (c.writing && d != NULL && d->oom) {
		/* a diagnostic was lost: the run is to fail, nothing is published */
		errno = ENOMEM;
		goto out;
	} else if (c.writing && d != NULL && d->nerr) {
		/* diagnosed while staging: an error anywhere, nothing is published */
		c.tx_open = 0;
		outtx_abort(&c.tx);
	} else if (c.writing) {
		/* staged: the caller publishes once it has shown the diagnostics */
		r->staged = malloc(sizeof(*r->staged));
		if (r->staged == NULL)
			goto out;
		*r->staged = c.tx;
		c.tx_open = 0;
	}
	ctx_free(&c);
	return 0;
out:
	{
		int e = errno;

		if (c.cdb_open)
			ffcdb_abort(&c.cdb);
		if (c.tx_open)
			outtx_abort(&c.tx);
		if (r->where.s == NULL)
			fail(&c, "");
		ctx_free(&c);
		errno = e;
	}
	return -1;
}
