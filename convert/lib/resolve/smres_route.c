/* resolve/smres_route - one envelope recipient through sendmail's rulesets and recipient() */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/sroot.h"
#include "smres.h"
#include "smres_int.h"

/* SM_VU_HOPS (smres_int.h): at the last hop the address is left as a local
   name "L@D" */
/* work per address before giving up (a guard, never reached by sane input) */
#define SM_MAX_STEPS 200000UL

struct run {
	struct smres_st *st;
	struct dlv_set *out;
	struct smres_used *used;
	buf *trace;
	struct hset seen;	/* local names: 1 being expanded, 2 expanded, 3 user+detail
				   rewritten by ruleset 5 (expanded at once), 4 a recipient
				   (in the send queue) */
	int loop;		/* an address was suppressed as a loop */
	int fwd_cancel;		/* the .forward being read (fwd) has members too deep: a
				   self reference in it leaves nothing (see dotforward) */
	int otherbad;		/* a bounce or deferral other than a list's members being
				   too deep (those leave no bad entry behind: see include) */
	const char *as;		/* mailer_to_triple's recipient instead of L@D (UUCP paths) */
	const char *as_relay;	/* the same through the relay mailer (no @$j added) */
	char **path;		/* the local names being expanded, outermost first */
	unsigned *pflags;	/* each one's PATH_ flags, and its level times PATH_LEVEL */
	size_t npath, cappath;
	const char *bogus;	/* delivering the .forward of this user, whose shell is not in
				   /etc/shells: no programs, no files */
	const char *lhost;	/* the local mailer's $h is user@host (mailertable local:): the
				   host, for preserve_luser_host; read once by local_user1 */
	const char *keyhost;	/* a kept path entry keyed "user\001host" goes on (kept_done):
				   its host, so its .forward still has that parent; read
				   once by local_user1 */
	const char *fwd;	/* delivering the .forward of this user (the parent its lines
				   get): a self reference there is the mailbox */
	const struct alias_elem *elem;	/* the list element being delivered (deliver_elems) */
	unsigned r5copy;	/* LU_R5COPY (| LU_P) for the local: relay ruleset 5 is about
				   to hand to mailer_to_triple, taken by its local: branch */
	const char *r5host;	/* with it: the name relayed, which is the copy's host */
	size_t nadd;		/* deliveries this address produced (before out's merging) */
	buf pact;		/* QPRIMARY recipients still being expanded (not yet
				   QRCPTOK), NUL after each: the top-level address and
				   the local: relays ruleset 5 made of one (maplocaluser
				   copies QPRIMARY); recipient()'s duplicate test passes
				   over them */
	buf r5act;		/* names (as sameaddr sees them) whose ruleset 5 rewrite
				   is being followed, NUL after each: ancestors of
				   whatever it expands (self_reference) */
	unsigned long steps;
	unsigned nest;		/* nested route_addr / local_user calls */
	unsigned droplevel;	/* the level of the members of the .forward being read (0: none) */
	size_t fwd_drops;	/* ... and how many of them self_reference() dropped (a loop
				   broken at another recipient): sendtolist does not count
				   those, and include() leaves a .forward's user deliverable
				   when it counted none (tests/smres/relayanc) */
	int oom;
};

#define PATH_FWD 1		/* expanded by its .forward (else as an alias) */
#define PATH_AT 2		/* it came as "@user": past ruleset 5 (stickyhost, class L) */
#define PATH_KEEP 8		/* a self reference or loop kept it (QSELFREF): once its
				   expansion is done it goes on (selfref_keep) */
#define PATH_NOTREMOTE 16	/* kept, and a duplicate of it in its own list came as
				   "user@<class w>" under stickyhost (QNOTREMOTE, which
				   recipient() merges into the entry in the queue): it
				   goes on past ruleset 5 (tests/smres/stickydup) */
#define PATH_BAD 64		/* a member of its expansion was past MaxAliasRecursion:
				   recipient() marked it bad (q_alias), so it does not go
				   on even when kept (tests/smres/relaybad, fwdbad) */
#define PATH_LEVEL 128		/* pflags / PATH_LEVEL: the level it was expanded at */
#define PATH_R5 4		/* a step of ruleset 5 (user+*, user with the detail as host):
				   never the same recipient as the plain name */

/* push - name is being expanded (host, may be NULL: a ruleset 5 step's
   detail, kept after the name's NUL); flags: PATH_ */
static int push(struct run *r, const char *name, const char *host, unsigned flags)
{
	size_t len = strlen(name), hl = host ? strlen(host) : 0;
	char *c;

	if (r->npath == r->cappath) {
		size_t nc = r->cappath ? r->cappath * 2 : 16;
		char **nv = realloc(r->path, nc * sizeof(*nv));
		unsigned *nl;

		if (nv == NULL)
			return -1;
		r->path = nv;
		nl = realloc(r->pflags, nc * sizeof(*nl));
		if (nl == NULL)
			return -1;
		r->pflags = nl;
		r->cappath = nc;
	}
	c = malloc(len + hl + 2);
	if (c == NULL)
		return -1;
	memcpy(c, name, len + 1);
	memcpy(c + len + 1, host ? host : "", hl + 1);	/* path_host */
	r->pflags[r->npath] = flags;
	r->path[r->npath++] = c;
	return 0;
}

static int kept_done(struct run *r, const char *runas);

static void pop(struct run *r)
{
	if (r->npath)
		free(r->path[--r->npath]);
}

/* flags of a local recipient */
#define LU_NOALIAS 1	/* \user (or a self reference): no aliases, no .forward */
#define LU_SELF 16	/* a self reference: no aliases, but the user's .forward */
#define LU_AT 2		/* "@user" from class L: no ruleset 5 */
#define LU_BS 4		/* written with the backslash */
#define LU_DET 8	/* "@user" with the +detail as host (ruleset 5): a different address
			   from "user" for duplicates and self references */
#define LU_KEEP 32	/* the user kept where a loop was broken: a recipient already,
			   not refused for its depth (what it leads to may be) */
#define LU_R5COPY 64	/* ruleset 5's local: relay of a name (maplocaluser): handed to
			   recipient() directly, without sendtolist's self reference and
			   loop checks */
#define LU_P 128	/* ... of a QPRIMARY recipient, whose flag it copies */

static int route_addr(struct run *r, const char *a, size_t n, unsigned level, unsigned hops,
		      const char *parent, const char *runas);
static int local_user(struct run *r, const char *name, size_t n, const char *host,
		      unsigned level, unsigned flags, const char *parent, const char *runas);

static char lc(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int ieqn(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lc(a[i]) != lc(b[i]))
			return 0;
	return 1;
}

/* Canonify's "localhost" and "localhost.$m": both become $j */
static int is_localhost(const struct host *h, const char *d, size_t n)
{
	return ieqn(d, n, "localhost") ||
	       (h->m && h->m[0] && n == 10 + strlen(h->m) && ieqn(d, 10, "localhost.") &&
		ieqn(d + 10, n - 10, h->m));
}

static int trace(struct run *r, unsigned level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int trace(struct run *r, unsigned level, const char *fmt, ...)
{
	va_list ap;
	unsigned i;
	int rc;

	if (r->trace == NULL)
		return 0;
	for (i = 0; i < level; i++)
		if (buf_append_s(r->trace, "  ") < 0)
			return -1;
	va_start(ap, fmt);
	rc = buf_vprintf(r->trace, fmt, ap);
	va_end(ap);
	if (rc < 0 || buf_append_c(r->trace, '\n') < 0)
		return -1;
	return 0;
}

static int used(struct run *r, const char *file, unsigned long line)
{
	struct smres_used *u = r->used;

	if (u == NULL || file == NULL)
		return 0;
	if (u->n == u->cap) {
		size_t nc = u->cap ? u->cap * 2 : 8;
		struct smres_src *nv = realloc(u->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		u->v = nv;
		u->cap = nc;
	}
	u->v[u->n].file = file;
	u->v[u->n].line = line;
	u->n++;
	return 0;
}

static int add(struct run *r, enum dlv_kind k, const char *user, const char *target,
	       const char *route, const char *status, const char *text)
{
	struct delivery d;

	d.kind = k;
	d.user = (char *)user;
	d.target = (char *)target;
	d.route = (char *)route;
	d.status = (char *)status;
	d.text = (char *)text;
	r->nadd++;
	if (k == DLV_BOUNCE || k == DLV_DEFER)
		r->otherbad = 1;
	return dlv_add(r->out, &d);
}

/* class membership, ASCII case-insensitive, without allocating per call when short */
static int inclass(const struct smres_st *st, const char *cls, const char *w, size_t n)
{
	int isw = cls[0] == 'w' && cls[1] == '\0';
	const struct host_class *c = isw ? st->cw : host_class_get(st->h, cls);
	char small[256];
	size_t i;

	if (n == 0 || (c == NULL && !isw))
		return 0;
	if (n >= sizeof(small))
		return host_class_has(st->h, cls, w, n);
	for (i = 0; i < n; i++)
		small[i] = lc(w[i]);
	if (c && hset_get(&c->idx, small, n, NULL) == 1)
		return 1;
	return isw && hset_get(&st->wextra, small, n, NULL) == 1;
}

static int has_flag(const struct smres_st *st, char f)
{
	return strchr(st->lflags, f) != NULL;
}

static int is_pwuser(const struct smres_st *st, const char *n, size_t len, unsigned long *i)
{
	return hset_get(&st->pwidx, n, len, i) == 1;
}

/* stripquotes - sendmail's stripquotes(): quotes go, a backslash keeps the byte after it */
static void stripquotes(buf *b)
{
	size_t i, o = 0;

	for (i = 0; i < b->len; i++) {
		if (b->s[i] == '\\' && i + 1 < b->len)
			i++;
		else if (b->s[i] == '"')
			continue;
		b->s[o++] = b->s[i];
	}
	b->len = o;
	if (b->s)
		b->s[o] = '\0';
}

/* path_user - the user of an expansion path entry: "name", or "@name+detail" (ruleset 5's
   "@name" with a +detail host, whose .forward is being read) */
static size_t path_user(const char *p, const char **u)
{
	if (p[0] == '@') {
		*u = p + 1;
		return strcspn(p + 1, "+");
	}
	*u = p;
	return strcspn(p, "\001");	/* "user\001HOST" (hk in local_user1) */
}

/* path_host - the host pushed with a path entry ("" when none) */
static const char *path_host(const char *p)
{
	return p + strlen(p) + 1;
}

/* ---------------------------------------------------------------- errors */

static size_t dsn_len(const char *s, size_t n)
{
	size_t i = 0, parts = 0;

	for (;;) {
		size_t st = i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
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

/* replace the workspace placeholders of vu_err texts */
static int untemplate(buf *out, const char *t, size_t n, const char *L, const char *D)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		if (t[i] == '%' && i + 1 < n && (t[i + 1] == '%' || t[i + 1] == 'L' || t[i + 1] == 'D')) {
			const char *s = t[i + 1] == '%' ? "%" : t[i + 1] == 'L' ? L : D;

			if (buf_append_s(out, s) < 0)
				return -1;
			i++;
		} else if (buf_append_c(out, t[i]) < 0) {
			return -1;
		}
	}
	return buf_cstr(out) == NULL ? -1 : 0;
}

static int too_deep(struct run *r, unsigned level);

/*
 * error_deep - after an error mailer's answer at level: past
 * MaxAliasRecursion, recipient() refuses that address as well (buildaddr
 * gave the error text already), so sendmail reports both
 */
static int error_deep(struct run *r, unsigned level)
{
	return level > r->st->maxalias ? too_deep(r, level) : 0;
}

/* emit_verr - the bounce or deferral a vu_err stands for */
static int emit_verr(struct run *r, unsigned level, const struct vu_err *e, const char *L,
		     const char *D)
{
	buf t = BUF_INIT;
	int rc;

	if (untemplate(&t, e->shown.s ? e->shown.s : "", e->shown.len, L, D) < 0)
		return -1;
	rc = trace(r, level, "error: %s %s", e->dsn.s, t.s);
	if (rc == 0)
		rc = add(r, e->temp ? DLV_DEFER : DLV_BOUNCE, NULL, NULL, NULL, e->dsn.s,
			 t.len ? t.s : NULL);
	buf_free(&t);
	return rc;
}

/*
 * mailer_error - MailerToTriple's error forms (mailertable, DS/DH/DR/DL):
 * "error:D.S.N:text", "error:keyword:text" (a colon, unlike the
 * virtusertable's blank), "error:text"
 */
static int mailer_error(struct run *r, unsigned level, const char *rest, const char *L,
			const char *D)
{
	struct vu_err e;
	buf v = BUF_INIT;
	size_t n = strlen(rest), dl = dsn_len(rest, n), kw = strcspn(rest, ":. \t");
	int rc = -1, k;

	vu_err_init(&e);
	if (dl && dl < n && rest[dl] == ':') {
		if (buf_append_s(&v, "error:") < 0 || buf_append_s(&v, rest) < 0)
			goto out;
	} else if (kw > 0 && kw < n && rest[kw] == ':') {
		if (buf_append_s(&v, "error:") < 0 || buf_append(&v, rest, kw) < 0 ||
		    buf_append_c(&v, ' ') < 0 || buf_append_s(&v, rest + kw + 1) < 0)
			goto out;
	} else {
		/* no status: the reply code and DSN of the text, if any */
		const char *t = rest;
		char dsn[16] = "5.0.0";
		int temp = 0;

		while (*t == ' ' || *t == '\t')
			t++;
		n = strlen(t);
		if (n >= 3 && t[0] >= '2' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' &&
		    t[2] >= '0' && t[2] <= '9' && (n == 3 || t[3] == ' ')) {
			temp = t[0] == '4';
			t += n > 3 ? 4 : 3;
			n = strlen(t);
			dl = dsn_len(t, n);
			if (dl && dl < sizeof(dsn) && (dl == n || t[dl] == ' ')) {
				memcpy(dsn, t, dl);
				dsn[dl] = '\0';
				t += dl + (dl < n);
			}
		}
		if (temp)
			dsn[0] = '4';
		rc = trace(r, level, "error: %s %s", dsn, t);
		if (rc == 0)
			rc = add(r, temp ? DLV_DEFER : DLV_BOUNCE, NULL, NULL, NULL, dsn, *t ? t : NULL);
		goto out;
	}
	if (buf_cstr(&v) == NULL)
		goto out;
	k = vu_value_error(v.s, v.len, &e);
	if (k < 0)
		goto out;
	if (k == 0) {
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.0.0", rest);
		goto out;
	}
	rc = emit_verr(r, level, &e, L, D);
out:
	if (rc == 0)
		rc = error_deep(r, level);
	vu_err_free(&e);
	buf_free(&v);
	return rc;
}

/* ---------------------------------------------------------------- forwards */

/* routestr - "mx:host" or "relay:host:25" for a mailer host as sendmail writes it */
static int routestr(buf *out, const char *host, size_t n)
{
	size_t i, st;

	buf_reset(out);
	while (n > 0 && (host[n - 1] == '.' || host[n - 1] == ' '))
		n--;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		int ip = 1;

		for (i = 1; i + 1 < n; i++)
			if (!((host[i] >= '0' && host[i] <= '9') || host[i] == '.' || host[i] == ':' ||
			      lc(host[i]) == 'i' || lc(host[i]) == 'p' || lc(host[i]) == 'v' ||
			      (lc(host[i]) >= 'a' && lc(host[i]) <= 'f')))
				ip = 0;
		if (buf_append_s(out, "relay:") < 0)
			return -1;
		st = out->len;
		if (ip ? buf_append(out, host, n) < 0 : buf_append(out, host + 1, n - 2) < 0)
			return -1;
		while (st < out->len && out->s[out->len - 1] == '.' && !ip)
			out->len--;
		for (i = st; i < out->len; i++)
			out->s[i] = lc(out->s[i]);
		if (buf_append_s(out, ":25") < 0)
			return -1;
	} else {
		if (buf_append_s(out, "mx:") < 0)
			return -1;
		st = out->len;
		if (buf_append(out, host, n) < 0)
			return -1;
		for (i = st; i < out->len; i++)
			out->s[i] = lc(out->s[i]);
	}
	return buf_cstr(out) == NULL ? -1 : 0;
}

static int forward(struct run *r, unsigned level, const char *addr, const char *host, size_t hn)
{
	buf rt = BUF_INIT;
	int rc = -1;

	if (level > r->st->maxalias)
		return too_deep(r, level);
	if (routestr(&rt, host, hn) == 0 && trace(r, level, "forward %s via %s", addr, rt.s) == 0)
		rc = add(r, DLV_FORWARD, NULL, addr, rt.s, NULL, NULL);
	buf_free(&rt);
	return rc;
}

/*
 * mailer_to_triple - ruleset MailerToTriple on relay value v (mailertable
 * value, DS, or the relay of ruleset 5) for the address L@D (D NULL: an
 * unqualified name; the address is then L@host).  1: "continue normally"
 * (empty relay, or a bare host in class w), 0 done, -1 ENOMEM.
 */
static int mailer_to_triple(struct run *r, const char *v, const char *L, const char *D,
			    unsigned level, unsigned hops, const char *parent, const char *runas)
{
	size_t n = strlen(v), mn = 0;
	const char *colon;
	buf a = BUF_INIT;
	unsigned f;
	int rc = -1;

	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 1;
	if (n > 6 && ieqn(v, 6, "error:"))
		return mailer_error(r, level, v + 6, L, D ? D : "");
	if (n >= 6 && ieqn(v, 6, "local:")) {
		const char *u = v + 6;
		size_t un = n - 6, at;

		at = strcspn(u, "@");
		if (at < un)
			un = at;
		if (un == 0) {
			u = L;
			un = strlen(L);
		}
		if (trace(r, level, "local mailer: %.*s", (int)un, u) < 0)
			return -1;
		/* CanonLocal: $h is L@D, so {Host} is @D (preserve_luser_host) */
		r->lhost = D;
		f = r->r5copy;
		r->r5copy = 0;
		rc = local_user(r, u, un, "", level, f, parent, runas);
		r->lhost = NULL;
		return rc;
	}
	colon = v[0] != '[' ? memchr(v, ':', n) : NULL;
	if (colon) {
		const char *h = colon + 1, *at;
		size_t hn = n - (size_t)(h - v);

		mn = (size_t)(colon - v);
		if (ieqn(v, mn, "discard")) {
			if (trace(r, level, "discard mailer") < 0)
				return -1;
			return add(r, DLV_DISCARD, NULL, NULL, NULL, NULL, NULL);
		}
		at = memchr(h, '@', hn);
		if (at) {
			/* mailer:user@host - the recipient is replaced */
			if (buf_append(&a, h, hn) < 0 || buf_cstr(&a) == NULL)
				goto out;
			rc = forward(r, level, a.s, at + 1, hn - (size_t)(at + 1 - h));
			goto out;
		}
		if (r->as ? buf_append_s(&a, ieqn(v, mn, "relay") ? r->as_relay : r->as) < 0
			  : (buf_printf(&a, "%s@", L) < 0 ||
			     buf_append(&a, D ? D : h, D ? strlen(D) : hn) < 0))
			goto out;
		if (buf_cstr(&a) == NULL)
			goto out;
		rc = forward(r, level, a.s, h, hn);
		goto out;
	}
	if (v[0] != '[' && inclass(r->st, "w", v, n)) {
		if (trace(r, level, "relay %.*s is in class w: delivered as usual", (int)n, v) < 0)
			return -1;
		return 1;
	}
	if (r->as ? buf_append_s(&a, r->as_relay) < 0
		  : (buf_printf(&a, "%s@", L) < 0 || buf_append(&a, D ? D : v, D ? strlen(D) : n) < 0))
		goto out;
	if (buf_cstr(&a) == NULL)
		goto out;
	rc = forward(r, level, a.s, v, n);
out:
	buf_free(&a);
	(void)hops;
	return rc;
}

/* ---------------------------------------------------------------- lists of elements */

static int deliver_elems(struct run *r, const struct alias_elem *ev, size_t ne, unsigned level,
			 const char *parent, const char *runas);

static int include1(struct run *r, const char *path, unsigned level, const char *runas,
		    size_t *nel);
static size_t pw_ancestor(struct run *r);
static int keep_ancestor(struct run *r, size_t j, const char *name, const char *what,
			 unsigned level);

/*
 * members_too_deep - after a list (:include: or .forward) read at level: its
 * members, one level down, are past MaxAliasRecursion.  sendmail's recipient()
 * then refuses each before it enters the send queue and marks its parent bad;
 * the parent here is the list's own entry, which include() then marks "don't
 * send" as it does after any list that gave addresses, so no bad entry is left
 * behind: the members' errors do not count as other bad recipients (bad: the
 * state before the list), and "loop broken" follows when all are dead.
 */
static int members_too_deep(struct run *r, unsigned level, int bad)
{
	if (level + 1 <= r->st->maxalias)
		return 0;
	r->otherbad = bad;
	return 1;
}

/* include_path - the file of ":include:path" (relative: to the queue
   directory) into full: 1, 0 relative with no queue directory, -1 ENOMEM */
static int include_path(const struct smres_st *st, const char *path, buf *full)
{
	if (path[0] != '/' && st->queue_dir == NULL)
		return 0;
	if (path[0] != '/' ? buf_printf(full, "%s/%s", st->queue_dir, path) < 0
			   : buf_append_s(full, path) < 0)
		return -1;
	return buf_cstr(full) == NULL ? -1 : 1;
}

/* include_owner_is - the :include: file path is owned by user's uid, or cannot
   be looked at (its error is include1's); 0 when it is owned by another uid */
static int include_owner_is(struct run *r, const char *path, const char *user)
{
	struct smres_st *st = r->st;
	buf full = bufpool_take(&st->pool);
	unsigned long pwi;
	struct stat sb;
	int fd, yes = 1;

	if (is_pwuser(st, user, strlen(user), &pwi) && include_path(st, path, &full) == 1 &&
	    (fd = sroot_open(st->rootfd, full.s, NULL)) >= 0) {
		if (fstat(fd, &sb) == 0 && (unsigned long)sb.st_uid != st->pw[pwi].uid)
			yes = 0;
		close(fd);
	}
	bufpool_give(&st->pool, &full);
	return yes;
}

/*
 * include - ":include:path" is a recipient of its own to sendmail: named again
 * after it was read, it is a duplicate and dropped; named again while it is
 * being read (by a member, or a .forward on the way), it is its own ancestor:
 * self_reference() keeps the first login up the chain (tests/smres/inclfwd)
 * and drops it, even past MaxAliasRecursion (tests/smres/incldeep) - with no
 * login there, a loop.  A list that gives no address at all ends the
 * expansion as a loop
 */
static int include(struct run *r, const char *path, unsigned level, const char *runas)
{
	const char *savedb;
	buf key = BUF_INIT;
	unsigned long sv;
	size_t nel = 1, j;
	int bad, known;
	int rc = -1;

	if (buf_printf(&key, ":include:%s", path) < 0)
		goto out;
	known = hset_get(&r->seen, key.s, key.len, &sv) == 1;
	/* self_reference() in sendtolist, then recipient(): the depth, then the
	   duplicate test */
	if (known && sv == 1 && (j = pw_ancestor(r)) < r->npath) {
		if (r->used)
			r->used->loop_user = 1;
		rc = keep_ancestor(r, j, key.s, "loop, broken at the user", level);
		goto out;
	}
	if (level > r->st->maxalias) {
		rc = too_deep(r, level);
		goto out;
	}
	if (known) {
		if (sv == 1)
			r->loop = 1;
		rc = trace(r, level, "%s: duplicate, suppressed", key.s);
		goto out;
	}
	if (hset_set(&r->seen, key.s, key.len, 1) < 0)
		goto out;
	bad = r->otherbad;
	/* a .forward's user whose shell is not in /etc/shells: sendmail's include() judges
	   the list by its file's owner, and passes the bogus shell on only when
	   that is the same uid (tests/smres/inclshell) */
	savedb = r->bogus;
	if (r->bogus && !include_owner_is(r, path, r->bogus))
		r->bogus = NULL;
	rc = include1(r, path, level, runas, &nel);
	r->bogus = savedb;
	if (rc == 0 && hset_set(&r->seen, key.s, key.len, 2) < 0)
		rc = -1;
	if (rc == 0 && nel == 0)
		r->loop = 1;
	if (rc == 0 && nel > 0 && members_too_deep(r, level, bad))
		r->loop = 1;
out:
	buf_free(&key);
	return rc;
}

/* include1 - the list's addresses (*nel: how many it has) */
static int include1(struct run *r, const char *path, unsigned level, const char *runas,
		    size_t *nel)
{
	struct smres_st *st = r->st;
	size_t idx = alias_include_find(&st->at, path);
	buf full = BUF_INIT;
	int rc = -1, k;

	if (trace(r, level, ":include:%s", path) < 0)
		return -1;
	if (idx != (size_t)-1 && !st->at.incs[idx].missing) {
		const struct alias_include *inc = &st->at.incs[idx];
		size_t i, j;

		*nel = inc->nelems;
		if (inc->lines == NULL)
			return deliver_elems(r, inc->elems, inc->nelems, level + 1, NULL, runas);
		/* a line at a time, as sendmail's include() reads it: each line is a source */
		for (i = 0; i < inc->nelems; i = j) {
			for (j = i + 1; j < inc->nelems && inc->lines[j] == inc->lines[i]; j++)
				;
			if (used(r, inc->path, inc->lines[i]) < 0)
				return -1;
			rc = deliver_elems(r, inc->elems + i, j - i, level + 1, NULL, runas);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	k = include_path(st, path, &full);
	if (k == 0)
		return add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.0.0", "Cannot open relative :include: "
			   "path (no queue directory known)");
	if (k < 0)
		goto out;
	{
		const struct sm_list *l = smres_list(st, full.s);
		size_t i, li;

		if (l == NULL)
			goto out;
		if (l->err) {
			buf t = BUF_INIT;

			rc = -1;
			if (buf_printf(&t, "Cannot open %s: %s", path,
				       l->err == EXDEV ? "escapes the root" : strerror(l->err)) == 0)
				rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.0.0", t.s);
			buf_free(&t);
			goto out;
		}
		/*
		 * by index: following the list may read other lists (smres_list), and
		 * growing st->lists moves every entry (the chunks themselves stay put)
		 */
		li = (size_t)(l - st->lists);
		rc = 0;
		*nel = 0;
		for (i = 0; i < l->n; i++)
			*nel += l->nchunk[i];
		for (i = 0; i < st->lists[li].n && rc == 0; i++)
			rc = used(r, st->lists[li].path, st->lists[li].lines[i]) < 0 ? -1 :
			     deliver_elems(r, st->lists[li].chunks[i], st->lists[li].nchunk[i],
					   level + 1, NULL, runas);
	}
out:
	buf_free(&full);
	return rc;
}

/*
 * group_member - "error:TEXT" in a list: to sendmail "error:" is an RFC 822
 * group name; canonify drops it once and the rest is an address like any
 * other (its blanks BlankSub): a local name nobody has, User unknown - unless
 * a user or alias has that name or a relay takes unknown names.  The rest is
 * split as a list element of its own behind a stand-in group name, so the
 * tokens are joined exactly as the list's other elements.
 */
static int group_member(struct run *r, const struct alias_elem *e, unsigned level,
			const char *parent, const char *runas)
{
	const char *text = alias_elem_text(e);
	struct alias_elem *ev = NULL;
	size_t ne = 0, i;
	buf t = BUF_INIT;
	int rc = -1;

	if (trace(r, level, "%s: an RFC 822 group to sendmail", alias_elem_raw(e)) < 0 ||
	    buf_printf(&t, "g: %s", text ? text : "") < 0)
		goto out;
	if (aliases_split_opts(t.s, t.len, &r->st->ao, &ev, &ne) < 0)
		goto out;
	rc = 0;
	for (i = 0; i < ne && rc == 0; i++)
		rc = ev[i].kind == ALIAS_ADDR
			? route_addr(r, alias_elem_text(&ev[i]), strlen(alias_elem_text(&ev[i])), level,
				     0, parent, runas)
			: add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.1", NULL);
	if (rc == 0 && ne == 0)
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.1", NULL);
out:
	free(ev);
	buf_free(&t);
	return rc;
}

/*
 * deep_seen - a recipient at level is refused past MaxAliasRecursion: tell
 * the caller (smres_used) when its depth has steps other than aliases (each
 * alias pushes the path and adds one level, so then level > npath, or a
 * .forward is on the path): s2q-aliases counts aliases only
 */
static void deep_seen(struct run *r, unsigned level)
{
	size_t i;

	if (r->used == NULL)
		return;
	if (level > r->npath)
		r->used->deep_hidden = 1;
	for (i = 0; i < r->npath; i++)
		if (r->pflags[i] & PATH_FWD)
			r->used->deep_hidden = 1;
}

/* mark_bad - a member of parent's expansion was refused past MaxAliasRecursion:
   recipient() marks its q_alias bad too - the alias or .forward user on top of
   the path, which then does not go on even when kept */
static void mark_bad(struct run *r, const char *parent)
{
	if (parent && r->npath && strcmp(parent, r->path[r->npath - 1]) == 0)
		r->pflags[r->npath - 1] |= PATH_BAD;
}

static int deliver_elems(struct run *r, const struct alias_elem *ev, size_t ne, unsigned level,
			 const char *parent, const char *runas)
{
	const struct alias_elem *savede = r->elem;
	size_t i;
	int rc = 0;

	/* last first: sendtolist prepends each address it parses to its send list,
	   then hands the list to recipient() from the head */
	for (i = ne; i-- > 0 && rc == 0;) {
		const struct alias_elem *e = &ev[i];
		const char *text = alias_elem_text(e);

		if (++r->steps > SM_MAX_STEPS) {
			r->elem = savede;
			return add(r, DLV_DEFER, NULL, NULL, NULL, "4.0.0",
				   "s2q: expansion too large to follow");
		}
		/* an :include: checks its depth itself (include) */
		if (level > r->st->maxalias && e->kind != ALIAS_ADDR && e->kind != ALIAS_ERROR &&
		    e->kind != ALIAS_INCLUDE) {
			buf t = BUF_INIT;

			rc = -1;
			deep_seen(r, level);
			mark_bad(r, parent);	/* tests/smres/progdeep */
			if (buf_printf(&t, "aliasing/forwarding loop broken (%u aliases deep; %u max)",
				       level, r->st->maxalias) == 0)
				rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.4.6", t.s);
			buf_free(&t);
			continue;
		}
		r->elem = e;
		switch (e->kind) {
		case ALIAS_ADDR:
			rc = route_addr(r, text, strlen(text), level, 0, parent, runas);
			break;
		case ALIAS_LOCAL:
			rc = local_user(r, text, strlen(text), "", level, LU_NOALIAS | LU_BS,
					parent, runas);
			break;
		case ALIAS_PROG:
		case ALIAS_FILE:
			if (r->bogus) {
				buf t = BUF_INIT;

				rc = -1;
				if (buf_printf(&t, "User %s@%s doesn't have a valid shell for mailing "
					       "to %s", r->bogus, r->st->h->j,
					       e->kind == ALIAS_PROG ? "programs" : "files") == 0 &&
				    trace(r, level, "%s", t.s) == 0)
					rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.0.0", t.s);
				buf_free(&t);
				break;
			}
			if (e->kind == ALIAS_FILE) {
				rc = trace(r, level, "file %s as %s", text, runas);
				if (rc == 0)
					rc = add(r, DLV_FILE, runas, text, NULL, NULL, NULL);
				break;
			}
			rc = trace(r, level, "program |%s as %s", text, runas);
			if (rc == 0)
				rc = add(r, DLV_PROGRAM, runas, text, NULL, NULL, NULL);
			break;
		case ALIAS_INCLUDE:
			rc = include(r, text, level, runas);
			break;
		case ALIAS_ERROR:
			rc = group_member(r, e, level, parent, runas);
			break;
		}
	}
	r->elem = savede;
	return rc;
}

/* ---------------------------------------------------------------- the local mailer */

/* deliverable - 1 if out has, from index from on, a delivery that is not an error */
static int deliverable(const struct dlv_set *out, size_t from)
{
	size_t i;

	for (i = from; i < out->n; i++)
		if (out->v[i].kind != DLV_BOUNCE && out->v[i].kind != DLV_DEFER &&
		    out->v[i].kind != DLV_REFUSED)
			return 1;
	return 0;
}

/* expand_fwpath - one ForwardPath entry with $z $w $h $u $j and ${macro} */
static int expand_fwpath(const struct smres_st *st, buf *out, const char *p, size_t n,
			 const char *home, const char *user, const char *host)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		const char *v = NULL;

		if (p[i] != '$' || i + 1 >= n) {
			/* the bytes up to the next $ at once */
			const char *d = memchr(p + i + 1, '$', n - i - 1);
			size_t k = d ? (size_t)(d - p) : n;

			if (buf_append(out, p + i, k - i) < 0)
				return -1;
			i = k - 1;
			continue;
		}
		i++;
		switch (p[i]) {
		case 'z': v = home; break;
		case 'w': v = st->h->w; break;
		case 'h': v = host; break;
		case 'u': v = user; break;
		case 'j': v = st->h->j; break;
		case '{': {
			const char *e = memchr(p + i, '}', n - i);
			char nm[64];
			const struct host_macro *m;

			if (e && (size_t)(e - p - i - 1) < sizeof(nm)) {
				memcpy(nm, p + i + 1, (size_t)(e - p - i - 1));
				nm[e - p - i - 1] = '\0';
				m = host_macro_get(st->h, nm);
				v = m ? m->value : "";
				i = (size_t)(e - p);
			}
			break;
		}
		default: {
			char nm[2] = { p[i], '\0' };
			const struct host_macro *m = host_macro_get(st->h, nm);

			v = m ? m->value : "";
		}
		}
		if (v && buf_append_s(out, v) < 0)
			return -1;
	}
	return buf_cstr(out) == NULL ? -1 : 0;
}

/*
 * fwd_names - whether the .forward l of key names key itself (bit 1) and
 * someone other than key (bit 2).  A self reference in a .forward is dropped
 * by sendtolist() before recipient() (the user is kept: the mailbox), so it
 * is never too deep, and so is a member that names an ancestor (a name being
 * expanded: self_reference() drops it for the first login up the chain, the
 * user at the latest; tests/smres/inclfwd); any other member one level past
 * MaxAliasRecursion is refused and marks its parent - the user - bad, and then
 * the mailbox goes too.
 * Without F=u on the local mailer sendmail has lower-cased both (buildaddr):
 * "Neko" in neko's .forward is neko.
 */
#define FWD_SELF 1
#define FWD_OTHERS 2
static int fwd_same(const struct smres_st *st, const char *loc, const char *key)
{
	return has_flag(st, 'u') ? strcmp(loc, key) == 0 : ieqn(loc, strlen(loc), key);
}

static int fwd_ancestor(const struct run *r, const char *loc);

static unsigned fwd_names(const struct run *r, const struct sm_list *l, const char *key)
{
	const struct smres_st *st = r->st;
	unsigned f = 0;
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->nchunk[i]; j++) {
			const struct alias_elem *e = &l->chunks[i][j];
			const char *loc = e->kind == ALIAS_ADDR ? alias_elem_local(e) : NULL;

			/* "@user+detail" (a ruleset 5 recipient) is named as user+detail */
			if (loc && (fwd_same(st, loc, key) ||
				    (key[0] == '@' && fwd_same(st, loc, key + 1))))
				f |= FWD_SELF;
			else if (!loc || !fwd_ancestor(r, loc))
				f |= FWD_OTHERS;
		}
	return f;
}

/*
 * fwd_find - the .forward sendmail reads for user (the first file of the
 * ForwardPath it can read): 1 (*li its index in st->lists, not empty), 0 none
 * or an empty one (the mailbox), -1 ENOMEM.  The login without $h looks at
 * the same files each time: what it found is kept (fwdmemo).
 */
static int fwd_find(struct smres_st *st, const char *user, unsigned long pwi, const char *host,
		    size_t *li)
{
	const char *fp = st->h->forward_path ? st->h->forward_path : "$z/.forward.$w:$z/.forward";
	const char *home = st->pwarena.s + st->pw[pwi].home;
	unsigned *memo = NULL, found = 1;
	buf path;
	int rc = 0;

	if (st->no_forward || *fp == '\0' || *home == '\0')
		return 0;
	if ((host == NULL || *host == '\0') && strcmp(user, st->pwarena.s + st->pw[pwi].name) == 0) {
		if (st->fwdmemo == NULL && (st->fwdmemo = calloc(st->npw, sizeof(*st->fwdmemo))) == NULL)
			return -1;
		memo = &st->fwdmemo[pwi];
		if (*memo) {
			*li = *memo >= 3 ? *memo - 3 : 0;
			return *memo >= 3;
		}
	}
	path = bufpool_take(&st->pool);
	while (*fp) {
		size_t n = strcspn(fp, ":"), i, cnt = 0;
		const struct sm_list *l;

		if (expand_fwpath(st, &path, fp, n, home, user, host) < 0) {
			rc = -1;
			break;
		}
		fp += n + (fp[n] == ':');
		if ((l = smres_list(st, path.s)) == NULL) {
			rc = -1;
			break;
		}
		if (l->err)
			continue;
		for (i = 0; i < l->n; i++)
			cnt += l->nchunk[i];
		found = 2;	/* an empty .forward: the mailbox */
		if (cnt) {
			*li = (size_t)(l - st->lists);
			found = 3 + (unsigned)*li;
			rc = 1;
		}
		break;
	}
	bufpool_give(&st->pool, &path);
	if (rc >= 0 && memo)
		*memo = found;
	return rc;
}

/* dotforward - 1 when user's .forward decided the delivery, 0 none, -1 ENOMEM */
static int dotforward(struct run *r, const char *user, const char *key, unsigned long pwi,
		      const char *host, unsigned level, int at)
{
	struct smres_st *st = r->st;
	const char *sh = st->pwarena.s + st->pw[pwi].shell;
	const char *saved = r->bogus, *savedf = r->fwd;
	int savedc = r->fwd_cancel, bad, rc, all;
	size_t i, li, nmem = 0, savedd = r->fwd_drops;
	unsigned savedl = r->droplevel;

	rc = fwd_find(st, user, pwi, host, &li);
	if (rc <= 0)
		return rc;
	/* by index: other users' .forward files read on the way grow st->lists,
	   which moves its entries (not their chunks) */
	if (trace(r, level, "%s: .forward %s", user, st->lists[li].path) < 0 ||
	    hset_set(&r->seen, key, strlen(key), 1) < 0 ||
	    push(r, key, NULL, PATH_FWD | (at ? PATH_AT : 0) | level * PATH_LEVEL) < 0)
		return -1;
	bad = r->otherbad;
	r->fwd = key;
	r->fwd_cancel = level + 1 > st->maxalias && (fwd_names(r, &st->lists[li], key) & FWD_OTHERS);
	if (*sh == '\0')
		sh = "/bin/sh";
	r->bogus = hset_get(&st->shells, sh, strlen(sh), NULL) == 1 ? NULL : user;
	for (i = 0; i < st->lists[li].n; i++)
		nmem += st->lists[li].nchunk[i];
	r->droplevel = level + 1;
	r->fwd_drops = 0;
	for (i = 0; i < st->lists[li].n && rc == 1; i++)
		if (used(r, st->lists[li].path, st->lists[li].lines[i]) < 0 ||
		    deliver_elems(r, st->lists[li].chunks[i], st->lists[li].nchunk[i], level + 1, key,
				  user) < 0)
			rc = -1;
	/* every member dropped by self_reference(): include() counted none, so the
	   user is not marked "don't send" - its mailbox */
	all = nmem > 0 && r->fwd_drops == nmem;
	r->droplevel = savedl;
	r->fwd_drops = savedd;
	if (rc == 1 && all &&
	    (trace(r, level, "%s: every member of the .forward was a loop broken elsewhere: "
		   "the mailbox", user) < 0 ||
	     add(r, DLV_MAILBOX, user, NULL, NULL, NULL, NULL) < 0))
		rc = -1;
	r->bogus = saved;
	r->fwd = savedf;
	r->fwd_cancel = savedc;
	if (kept_done(r, user) < 0)
		rc = -1;
	if (rc == 1 && hset_set(&r->seen, key, strlen(key), 2) < 0)
		rc = -1;
	/* members too deep leave no bad entry behind - but a .forward that names
	   its user beside them makes that user bad (fwd_cancel), which is a
	   recipient left: no "loop broken" for the address */
	if (rc == 1 && members_too_deep(r, level, bad)) {
		if (fwd_names(r, &st->lists[li], key) == (FWD_SELF | FWD_OTHERS))
			r->otherbad = 1;
		else
			r->loop = 1;
	}
	return rc;
}

/* luser_deep - the MaxAliasRecursion error for a recipient at level */
static int too_deep(struct run *r, unsigned level)
{
	buf t = BUF_INIT;
	int rc = -1;

	deep_seen(r, level);
	if (buf_printf(&t, "aliasing/forwarding loop broken (%u aliases deep; %u max)", level,
		       r->st->maxalias) == 0 && trace(r, level, "%s", t.s) == 0)
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.4.6", t.s);
	buf_free(&t);
	return rc;
}

/*
 * ruleset5 - localaddr for name (not aliased): +detail, LUSER_RELAY,
 * MAIL_HUB, LOCAL_RELAY.  1: unchanged (go on with passwd), 0 done.  A
 * rewritten name is a new recipient whose parent is name (sendtolist's
 * ctladdr): user from user+* is no self reference of user's .forward.
 */
static int ruleset5(struct run *r, const char *name, size_t n, const char *host, unsigned level,
		    const char *parent, const char *runas, buf *newhost, int bs, const char *lhost,
		    int isp)
{
	struct smres_st *st = r->st;
	const struct host *h = st->h;
	const struct host_route *relay = NULL;
	const char *plus;
	buf a = BUF_INIT;
	size_t un;
	int rc;

	if (!h->feature[HF_PRESERVE_LOCAL_PLUS_DETAIL]) {
		if (n >= 2 && name[n - 2] == '+' && name[n - 1] == '*' && n > 2) {
			if (trace(r, level, "ruleset 5: %.*s -> %.*s", (int)n, name, (int)(n - 2),
				  name) < 0)
				return -1;
			r->lhost = lhost;
			return local_user(r, name, n - 2, host, level + 1, 0, name, runas);
		}
		plus = n > 1 ? memchr(name + 1, '+', n - 1) : NULL;
		if (plus) {
			un = (size_t)(plus - name);
			if (buf_append(&a, name, un) < 0 || buf_append_s(&a, "+*") < 0 ||
			    buf_cstr(&a) == NULL)
				goto oom;
			if (buf_copy(newhost, plus, n - un) < 0 || buf_cstr(newhost) == NULL)
				goto oom;
			rc = trace(r, level, "ruleset 5: %.*s -> %s", (int)n, name, a.s);
			r->lhost = lhost;
			if (rc == 0)
				rc = local_user(r, a.s, a.len, newhost->s, level + 1, 0, name, runas);
			buf_free(&a);
			return rc;
		}
	}
	/* the user map: with preserve_local_plus_detail it is asked about the name before
	   the +detail (found: the name stays as it is, +detail and all) */
	un = n;
	if (h->feature[HF_PRESERVE_LOCAL_PLUS_DETAIL] && n > 1 && memchr(name + 1, '+', n - 1))
		un = (size_t)((const char *)memchr(name + 1, '+', n - 1) - name);
	if (h->luser_relay.raw && h->luser_relay.raw[0] && !is_pwuser(st, name, un, NULL)) {
		relay = &h->luser_relay;
	} else if (h->luser_relay.raw && h->luser_relay.raw[0]) {
		bs = 0;	/* the user map's answer replaces the name: no backslash */
		/* a login's user+detail: the relay skipped decided it too (S2Q-C081) */
		if (un < n && used(r, h->luser_relay.file, h->luser_relay.line) < 0)
			return -1;
		if (h->mail_hub.raw && h->mail_hub.raw[0])
			relay = &h->mail_hub;
		else if (h->local_relay.raw && h->local_relay.raw[0])
			relay = &h->local_relay;
	} else if (h->mail_hub.raw && h->mail_hub.raw[0]) {
		relay = &h->mail_hub;
	} else if (h->local_relay.raw && h->local_relay.raw[0]) {
		relay = &h->local_relay;
	}
	if (relay == NULL) {
		if (host[0] != '+' || h->feature[HF_PRESERVE_LOCAL_PLUS_DETAIL])
			return 1;
		/* "nope, restore +detail": a new recipient "@name" with the detail as host;
		   an empty detail (name+) leaves the host empty, as a plain name's is, so
		   sendmail's sameaddr finds it equal to name */
		if (trace(r, level, "ruleset 5: %.*s -> @%.*s, host %s", (int)n, name, (int)n, name,
			  host + 1) < 0)
			return -1;
		return local_user(r, name, n, host + 1, level + 1,
				  host[1] ? LU_AT | LU_DET : LU_AT, NULL, runas);
	}
	/* maplocaluser: a result equal to the name leaves it unchanged (local:NAME, local:);
	   sameaddr sees \name's backslash, so local:name is a new recipient name for it */
	if (relay->mailer && strcasecmp(relay->mailer, "local") == 0 && relay->host &&
	    (relay->host[0] == '\0' ||
	     (!bs && strlen(relay->host) == n && strncmp(relay->host, name, n) == 0)))
		return 1;
	if (used(r, relay->file, relay->line) < 0)
		goto oom;
	/* the address with its +detail back: name + host when host is "+detail" */
	if ((bs && buf_append_c(&a, '\\') < 0) || buf_append(&a, name, n) < 0 ||
	    (host[0] == '+' && buf_append_s(&a, host) < 0) || buf_cstr(&a) == NULL)
		goto oom;
	if (trace(r, level, "ruleset 5: %s -> relay %s", a.s, relay->raw) < 0)
		goto oom;
	/* preserve_luser_host: the relay gets name@host when the local mailer had one */
	r->r5copy = LU_R5COPY | (isp ? LU_P : 0);
	r->r5host = a.s + (bs != 0);
	rc = mailer_to_triple(r, relay->raw, a.s,
			      relay == &h->luser_relay && h->feature[HF_PRESERVE_LUSER_HOST] ? lhost : NULL,
			      level + 1, 0, parent, runas);
	r->r5copy = 0;
	r->r5host = NULL;
	if (rc == 1) {
		/* a relay in class w: the address name@relay is parsed again */
		buf b = BUF_INIT;

		rc = -1;
		if (buf_printf(&b, "%s@%s", a.s, relay->raw) == 0)
			rc = route_addr(r, b.s, b.len, level + 1, 0, parent, runas);
		buf_free(&b);
	}
	buf_free(&a);
	return rc;
oom:
	buf_free(&a);
	return -1;
}

/*
 * selfref_keep - the user or alias sendmail keeps when it breaks an alias
 * loop or meets a self reference (QSELFREF): that recipient is not marked
 * expanded, so once its expansion is done recipient() goes on with it -
 * ruleset 5 (a relay may take it), the passwd and its .forward - at its own
 * level (kept_done passes its path entry's); pf is its path entry's PATH_
 * flags: when its .forward was being read it is past ruleset 5 already, kept
 * as the mailbox.
 */
static int selfref_keep(struct run *r, const char *u, size_t un, const char *host, unsigned pf,
			unsigned level, const char *runas)
{
	if (pf & PATH_FWD)
		return add(r, DLV_MAILBOX, u, NULL, NULL, NULL, NULL);
	return local_user(r, u, un, host, level,
			  LU_NOALIAS | LU_SELF | LU_KEEP | ((pf & (PATH_AT | PATH_NOTREMOTE)) ? LU_AT : 0),
			  NULL, runas);
}

/*
 * kept_done - pop the path entry on top; when it was kept, its expansion is
 * over, so sendmail's recipient() goes on with it now
 */
static int kept_done(struct run *r, const char *runas)
{
	unsigned pf = r->pflags[r->npath - 1];
	char *p = r->path[--r->npath];	/* popped; the entry is freed after its user goes on */
	const char *u0, *host = path_host(p);
	size_t un = path_user(p, &u0);
	int rc = 0;

	if ((pf & PATH_KEEP) && !(pf & PATH_BAD)) {
		/* a relay entry or mailertable local:user goes on as itself */
		if (u0[un] == '\001' && !(pf & PATH_FWD))
			r->keyhost = u0 + un + 1;
		p[(size_t)(u0 - p) + un] = '\0';	/* the user alone ("@user+detail" -> "user") */
		rc = selfref_keep(r, u0, un, host, pf, pf / PATH_LEVEL, runas);
		r->keyhost = NULL;
	}
	free(p);
	return rc;
}

/* top_only - name is being expanded only as the top-level address (path
   entry 0, level 0, an alias), no other entry of the path */
static int top_only(const struct run *r, const char *name)
{
	size_t x;

	if (r->npath == 0 || r->pflags[0] / PATH_LEVEL != 0 ||
	    (r->pflags[0] & (PATH_FWD | PATH_R5)) || strcmp(r->path[0], name) != 0)
		return 0;
	for (x = 1; x < r->npath; x++)
		if (!(r->pflags[x] & PATH_R5) && strcmp(r->path[x], name) == 0)
			return 0;
	return 1;
}

/* on_path - the innermost path entry named name that is no ruleset 5 step
   (an alias or .forward being expanded: an ancestor), or r->npath */
static size_t on_path(const struct run *r, const char *name)
{
	size_t x;

	for (x = r->npath; x-- > 0;)
		if (!(r->pflags[x] & PATH_R5) && strcmp(r->path[x], name) == 0)
			return x;
	return r->npath;
}

/* nlist_has - name is in the NUL-separated list l (r->pact, r->r5act) */
static int nlist_has(const buf *l, const char *name, size_t n)
{
	size_t i = 0;

	while (i < l->len) {
		size_t k = strlen(l->s + i);

		if (k == n && memcmp(l->s + i, name, n) == 0)
			return 1;
		i += k + 1;
	}
	return 0;
}

/* fwd_ancestor - a plain local name of a .forward names an address being
   expanded (an alias or .forward, or a name whose ruleset 5 rewrite is being
   followed): self_reference() drops it before recipient() */
static int fwd_ancestor(const struct run *r, const char *loc)
{
	buf k = bufpool_take(&r->st->pool);
	unsigned long sv;
	size_t i;
	int a = 0;

	if (buf_append_s(&k, loc) == 0 && buf_cstr(&k) && k.len && !memchr(k.s, '\\', k.len) &&
	    !memchr(k.s, '"', k.len)) {
		if (!has_flag(r->st, 'u'))
			for (i = 0; i < k.len; i++)
				k.s[i] = lc(k.s[i]);
		a = (hset_get(&r->seen, k.s, k.len, &sv) == 1 && sv == 1) ||
		    nlist_has(&r->r5act, k.s, k.len);
	}
	bufpool_give(&r->st->pool, &k);
	return a;
}

/* alias_only_self - every member of alias name's list names name itself */
static int alias_only_self(const struct run *r, const char *name)
{
	const struct alias_ent *ae = alias_lookup_n(&r->st->at, name, strlen(name));
	size_t i;

	if (ae == NULL || ae->nelems == 0)
		return 0;
	for (i = 0; i < ae->nelems; i++) {
		const struct alias_elem *e = &ae->elems[i];
		const char *loc = e->kind == ALIAS_ADDR ? alias_elem_local(e) : NULL;

		if (loc == NULL || !fwd_same(r->st, loc, name))
			return 0;
	}
	return 1;
}

/* r5_ancestor - a ruleset 5 step of user+detail name (user+* or user, the
   detail as its host) is being expanded: name is among the ancestors */
static int r5_ancestor(const struct run *r, const char *name, size_t n)
{
	size_t x;

	for (x = 0; x < r->npath; x++) {
		const char *p = r->path[x], *h = path_host(p);
		size_t pn = strlen(p), hn = strlen(h);

		if (!(r->pflags[x] & PATH_R5) || h[0] != '+')
			continue;
		if (pn >= 2 && p[pn - 2] == '+' && p[pn - 1] == '*')
			pn -= 2;
		if (pn + hn == n && memcmp(p, name, pn) == 0 && memcmp(h, name + pn, hn) == 0)
			return 1;
	}
	return 0;
}

/* pw_ancestor - the innermost path entry whose user has a passwd entry
   (self_reference's walk up the alias chain), or r->npath */
static size_t pw_ancestor(struct run *r)
{
	const char *u0;
	size_t j, un;

	for (j = r->npath; j-- > 0;)
		if ((un = path_user(r->path[j], &u0), is_pwuser(r->st, u0, un, NULL)))
			return j;
	return r->npath;
}

/* keep_ancestor - the user of path entry j is kept: marked, and followed
   (kept_done, at its own level) once its expansion is done, as sendmail's
   QSELFREF recipient goes on after alias(); name, what: the trace line.
   0, or -1 ENOMEM */
static int keep_ancestor(struct run *r, size_t j, const char *name, const char *what,
			 unsigned level)
{
	const char *u0;
	size_t un = path_user(r->path[j], &u0);
	buf u = BUF_INIT;
	int rc = -1;

	if (buf_append(&u, u0, un) == 0 && buf_cstr(&u) &&
	    trace(r, level, "%s: %s %s", name, what, u.s) == 0) {
		r->pflags[j] |= PATH_KEEP;	/* followed when its expansion is done */
		if (level == r->droplevel)
			r->fwd_drops++;
		rc = 0;
	}
	buf_free(&u);
	return rc;
}

/* fwd_names_user - the .forward element names the user as written: \user,
   user, user@<local domain> or user+detail (what s2q's .forward converter takes
   as the mailbox) */
static int fwd_names_user(const struct alias_elem *e, const char *user, size_t un)
{
	const char *l = e ? alias_elem_local(e) : NULL;

	if (e && e->kind == ALIAS_LOCAL)
		return 1;
	return l && strncmp(l, user, un) == 0 && (l[un] == '\0' || l[un] == '+');
}

static int local_user1(struct run *r, const char *name0, size_t n, const char *host,
		       unsigned level, unsigned flags, const char *parent, const char *runas)
{
	struct smres_st *st = r->st;
	buf nm, nh, sk;
	const struct alias_ent *ae = NULL;
	const char *lhost = r->lhost, *r5h = (flags & LU_R5COPY) ? r->r5host : NULL;
	/* an entry with a host of its own is not the plain user to sendmail's
	   sameaddr - a member naming the user is neither its self reference nor
	   a loop back to it, nor its duplicate: mailertable local:user (lh: the
	   local mailer's host is L@D; keyed by D, tests/smres/mtlocal), a
	   LUSER_RELAY local: relay (r5h: the relayed name, relayfwd), and a kept
	   one of those going on (kh, relaybad).  Its key in seen and on the path,
	   and the parent its members get, is "user\001HOST" (hk) */
	const char *kh = r->keyhost, *key;
	int lh = lhost && *lhost && !(flags & (LU_R5COPY | LU_DET | LU_NOALIAS));
	int hk = lh || kh || (r5h && !(flags & (LU_DET | LU_NOALIAS)));
	/* at most one of them: r5h needs LU_R5COPY, lh not; kh comes with LU_NOALIAS */
	const char *ownh = r5h ? r5h : lh ? lhost : kh;
	size_t keylen;
	unsigned long pwi, sv;
	size_t i, pmark = r->pact.len, r5mark = r->r5act.len, xo;
	int rc = -1, k, r5, prim, dup, isp, bsq, anc, atself = 0, islogin, rl, upl = 0;
	unsigned flags0;

	r->lhost = NULL;
	r->keyhost = NULL;
	flags0 = flags;
	if (++r->steps > SM_MAX_STEPS)
		return add(r, DLV_DEFER, NULL, NULL, NULL, "4.0.0", "s2q: expansion too large to follow");
	nm = bufpool_take(&st->pool);
	nh = bufpool_take(&st->pool);
	sk = bufpool_take(&st->pool);
	/* one backslash: an alias's \\user (LU_BS, the parser took one) is the user \user */
	if (n && name0[0] == '\\' && !(flags & LU_BS)) {
		name0++;
		n--;
		flags |= LU_NOALIAS | LU_BS;
	}
	if (buf_copy(&nm, name0, n) < 0 || buf_cstr(&nm) == NULL)
		goto out;
	if (!has_flag(st, 'u'))
		for (i = 0; i < nm.len; i++)
			nm.s[i] = lc(nm.s[i]);
	/* "@user" with its +detail as host (ruleset 5's "nope, restore +detail")
	   prints as user+detail, and a .forward's self reference is judged by the
	   printed address: user+detail in that user's .forward is the mailbox */
	if (parent && parent == r->fwd && parent[0] == '@' && !(flags & LU_NOALIAS) &&
	    strcmp(parent + 1, nm.s) == 0) {
		const char *u0;
		size_t un = path_user(parent, &u0);

		if (r->fwd_cancel) {
			rc = trace(r, level, "%s: self reference dropped; the .forward's other "
				   "members are too deep, which makes its user bad", nm.s);
			goto out;
		}
		if (trace(r, level, "%s: self reference of %s", nm.s, parent) < 0 ||
		    buf_copy(&nm, u0, un) < 0 || buf_cstr(&nm) == NULL)
			goto out;
		flags |= LU_NOALIAS | LU_KEEP | LU_AT;
	}
	/* the top-level address while its alias is expanded is QPRIMARY and not
	   yet QRCPTOK, which recipient()'s duplicate test passes over: a member
	   naming it (no login: else self_reference() keeps the top-level one),
	   while no copy of it is in the queue (its seen value is still 1), is a
	   recipient of its own, expanded again one level down, where its own self
	   reference keeps it (below) */
	prim = parent && level == 1 && r->npath == 1 && strcmp(r->path[0], parent) == 0 &&
	       r->pflags[0] / PATH_LEVEL == 0 && !(r->pflags[0] & (PATH_FWD | PATH_R5)) &&
	       strcmp(parent, nm.s) == 0 && !(flags & LU_NOALIAS) && host[0] != '+' &&
	       !is_pwuser(st, nm.s, nm.len, NULL) &&
	       hset_get(&r->seen, nm.s, nm.len, &sv) == 1 && sv == 1;
	if (prim) {
		/* and the top-level address itself (QSELFREF) goes on once its
		   expansion is done (kept_done) */
		r->pflags[0] |= PATH_KEEP;
		if (trace(r, level, "%s: the top-level address, still being expanded: "
			  "not a duplicate (QPRIMARY)", nm.s) < 0)
			goto out;
	}
	/* a self reference: the user itself; in an alias sendmail still reads the
	   user's .forward, in the .forward it is the mailbox */
	if (!prim && parent && strcmp(parent, nm.s) == 0 && !(flags & LU_NOALIAS) &&
	    (!(flags & LU_R5COPY) || parent == r->fwd || is_pwuser(st, nm.s, nm.len, NULL)) &&
	    !(r->npath && (r->pflags[r->npath - 1] & PATH_R5) &&
	      strcmp(r->path[r->npath - 1], parent) == 0)) {
		if (parent == r->fwd && r->fwd_cancel) {
			rc = trace(r, level, "%s: self reference dropped; the .forward's other "
				   "members are too deep, which makes its user bad", nm.s);
			goto out;
		}
		/* a .forward line that names its user only once rewritten (the
		   virtusertable, a UUCP path): to qmail, which follows the line as
		   written, a loop - sendmail broke it at the user (R308) */
		if (parent == r->fwd && r->used && !fwd_names_user(r->elem, nm.s, nm.len))
			r->used->loop_user = 1;
		flags |= parent == r->fwd ? LU_NOALIAS | LU_KEEP : LU_NOALIAS | LU_SELF;
		/* the user named itself while it was expanded as "@user" (stickyhost):
		   sendmail keeps that recipient, past ruleset 5 - in a .forward as the
		   mailbox; in an alias beside the name itself, which is a recipient of
		   its own and does go through ruleset 5 when "@user" is the top-level
		   address - unless self_reference() finds a login up the chain
		   (below); else a duplicate of "@user".  Past MaxAliasRecursion with
		   no login anywhere, the name goes to recipient(), which refuses it
		   and marks "@user" bad: nothing is kept (tests/smres/selfdeepnl) */
		islogin = is_pwuser(st, nm.s, nm.len, NULL) ||
			  (parent != r->fwd && pw_ancestor(r) < r->npath);
		if (r->npath && (r->pflags[r->npath - 1] & PATH_AT) &&
		    strcmp(r->path[r->npath - 1], parent) == 0) {
			atself = parent != r->fwd;
			if (parent == r->fwd) {
				flags |= LU_AT;
			} else if (level <= st->maxalias || islogin) {
				k = local_user(r, nm.s, nm.len, "", level,
					       LU_NOALIAS | LU_SELF | LU_AT | LU_KEEP, NULL, runas);
				if (k < 0)
					goto out;
				/* with no login anywhere self_reference() keeps nothing:
				   the name goes to recipient(), and "@user" (the same
				   address to sameaddr) is in the send queue - not
				   QPRIMARY unless it is the top-level address, so the
				   name is its duplicate (tests/smres/stickyatdup) */
				if (!islogin && r->pflags[r->npath - 1] / PATH_LEVEL != 0) {
					rc = trace(r, level, "%s: duplicate of \"@%s\", suppressed",
						   nm.s, nm.s);
					goto out;
				}
			}
		}
		/* self_reference(): an alias naming itself that is no login breaks the
		   loop at the nearest ancestor with a passwd entry, which is then
		   delivered as well as expanded (QSELFREF) */
		if (parent != r->fwd && !is_pwuser(st, nm.s, nm.len, NULL)) {
			size_t j = pw_ancestor(r);

			/* a member written user@<class w> under stickyhost hands its
			   QNOTREMOTE to the login kept (sendtolist; tests/smres/stickyloop) */
			if (j < r->npath && (flags0 & LU_AT))
				r->pflags[j] |= PATH_NOTREMOTE;
			upl = j < r->npath;
			if (j < r->npath &&
			    keep_ancestor(r, j, nm.s, "self reference, kept the user", level) < 0)
				goto out;
			/* beside "@user" (kept above), the name itself is dropped
			   once self_reference() found a login up the chain: it goes
			   on as a recipient of its own only when there is none
			   (tests/smres/stickyanc) */
			if (j < r->npath && atself) {
				rc = 0;
				goto out;
			}
		}
		/* a login naming itself beside "@user": self_reference() finds that
		   login, "@user" itself, kept above - the name goes no further (no
		   ruleset 5: tests/smres/stickylogin) */
		if (atself && is_pwuser(st, nm.s, nm.len, NULL)) {
			rc = 0;
			goto out;
		}
		/* and the alias itself is kept (QSELFREF): once its expansion is
		   done, recipient() goes on with it at its own level (kept_done).
		   For one of its list's members, not a ruleset 5 rewrite of one,
		   and not when the members are past MaxAliasRecursion (then the
		   alias is bad, and the self reference goes on as the user here) -
		   unless all of them name it and self_reference() found a login (the
		   name or up the chain): sendtolist drops those before recipient()
		   checks the depth, and nothing makes it bad (tests/smres/selfdeep).
		   With no login the member goes to recipient(), refused as too deep
		   (tests/smres/selfdeepnl) */
		if ((level <= st->maxalias || (islogin && alias_only_self(r, parent))) &&
		    parent != r->fwd && r->npath &&
		    strcmp(r->path[r->npath - 1], parent) == 0 &&
		    r->pflags[r->npath - 1] / PATH_LEVEL + 1 == level &&
		    !(r->pflags[r->npath - 1] & (PATH_AT | PATH_R5 | PATH_FWD))) {
			/* the member's QNOTREMOTE goes to the entry self_reference()
			   returned: this alias - unless that was a login up the chain
			   (above; tests/smres/stickyup) */
			r->pflags[r->npath - 1] |=
				PATH_KEEP | ((flags0 & LU_AT) && !upl ? PATH_NOTREMOTE : 0);
			rc = trace(r, level, "%s: self reference, kept the alias%s", nm.s,
				   (flags0 & LU_AT) && !upl ? " (not remote: past ruleset 5)" : "");
			goto out;
		}
	}
	if (trace(r, level, "local %s%s", (flags & LU_NOALIAS) ? "\\" : "", nm.s) < 0)
		goto out;
	/* the address as sendmail's sameaddr sees it: ruleset 5's "@name" keeps its
	   +detail as the host, so name+a and name+b are two recipients; "\name"
	   keeps its backslash in the user, a recipient apart from name, and the
	   same "\name" again is a duplicate (tests/smres/bsdup) */
	bsq = (flags & (LU_BS | LU_SELF | LU_KEEP | LU_AT)) == LU_BS;
	if ((flags & LU_DET) ? buf_printf(&sk, "@%s+%s", nm.s, host) < 0
			     : (bsq && buf_append_c(&sk, '\\') < 0) ||
				       buf_append(&sk, nm.s, nm.len) < 0 ||
				       (ownh && (buf_append_c(&sk, '\001') < 0 ||
						 buf_append_s(&sk, ownh) < 0)) ||
				       buf_cstr(&sk) == NULL)
		goto out;
	key = hk ? sk.s : nm.s;
	keylen = hk ? sk.len : nm.len;
	/* already in the send queue: a duplicate.  A name being expanded (a loop)
	   is broken by self_reference() below, before any check; a recipient whose
	   expansion is over, or that was no alias, is a duplicate only within
	   MaxAliasRecursion - deeper, it is refused as too deep (tests/smres/errdeep
	   q1, r1).  A user+detail that ruleset 5 rewrote (value 3) is taken as a
	   duplicate at any depth: sendmail checks the depth first there too, but
	   its rewrites carry QPRIMARY on (see MIGRATION.md), which smres follows
	   for ruleset 5's local: relays only (LU_P), and the generated hosts agree
	   best this way.
	   Ruleset 5's steps between user+detail and "@user" (user+*, user) carry the
	   detail as their host: sendmail's sameaddr never finds them among the plain
	   names (user+detail itself is in the queue: see value 3 below) */
	r5 = host[0] == '+' && !(flags & LU_DET);
	dup = (!(flags & LU_NOALIAS) || bsq) && !r5 && !prim &&
	      hset_get(&r->seen, sk.s, sk.len, &sv) == 1;
	/* a step of ruleset 5 is the same recipient as the same step (name and
	   detail) made before: a duplicate of it, in the queue already
	   (tests/smres/r5dup) */
	if (r5 && !(flags & LU_NOALIAS) && level <= st->maxalias) {
		size_t kl = sk.len;
		int seen5;

		if (buf_append_c(&sk, '\002') < 0 || buf_append_s(&sk, host) < 0 ||
		    buf_cstr(&sk) == NULL)
			goto out;
		seen5 = hset_get(&r->seen, sk.s, sk.len, NULL) == 1;
		if (!seen5 && hset_set(&r->seen, sk.s, sk.len, 4) < 0)
			goto out;
		sk.len = kl;
		sk.s[kl] = '\0';
		if (seen5) {
			rc = trace(r, level, "%s (%s): duplicate, suppressed", nm.s, host);
			goto out;
		}
	}
	/* ruleset 5's local: relay goes to recipient() directly: refused past
	   MaxAliasRecursion, a new recipient beside a QPRIMARY one still being
	   expanded (tests/smres/relayloop), else a duplicate - of a relay of the
	   same name only: the name relayed is the copy's host, and recipient()
	   compares only entries of one host (sorthost) */
	if (dup && (flags & LU_R5COPY)) {
		if (level > st->maxalias || nlist_has(&r->pact, sk.s, sk.len)) {
			dup = 0;
		} else {
			rc = trace(r, level, "%s: duplicate, suppressed", nm.s);
			goto out;
		}
	}
	/* a loop: sendtolist's self_reference() finds the name among the
	   address's ancestors and keeps the first one, from the address up to
	   the top, with a passwd entry (QSELFREF) - the repeated name itself
	   when it is a user - and drops the address.  A name being expanded
	   (value 1) is such an ancestor; so is one whose copy was expanded
	   meanwhile (value 2) while it is still on the path (the top-level
	   address, QPRIMARY: tests/smres/primfwd; with no login up the chain it
	   is a duplicate of its copy, tests/smres/errdeep x1); so is a name
	   whose ruleset 5 rewrite is being followed (value 3 or 4: r5act,
	   tests/smres/plusfwd, relayself), and a user+detail that ruleset 5
	   rewrote when one of its own steps is being expanded
	   (tests/smres/plusself) */
	xo = dup && (sv == 1 || sv == 2) ? on_path(r, sk.s) : r->npath;
	anc = dup && (sv == 1 || (sv == 2 && xo < r->npath));
	/* inside the expansion of an entry with a host of its own (hk: its
	   members see "user\001HOST" as parent), a name whose ruleset 5 relay is
	   being followed up the chain is an ancestor too (tests/smres/fwdrelay) */
	rl = !dup && parent && strchr(parent, '\001') && !(flags & (LU_R5COPY | LU_NOALIAS)) &&
	     nlist_has(&r->r5act, sk.s, sk.len);
	if (rl || (dup && (anc || ((sv == 3 || sv == 4) && parent && parent != r->fwd && !(flags & LU_R5COPY) &&
			    ((sv == 3 && r5_ancestor(r, sk.s, sk.len)) ||
			     nlist_has(&r->r5act, sk.s, sk.len)))))) {
		size_t j = anc ? r->npath : pw_ancestor(r), x = xo, un;
		const char *u0;

		if (x < r->npath) {
			un = path_user(r->path[x], &u0);
			j = is_pwuser(st, u0, un, NULL) ? x : pw_ancestor(r);
		}
		if (j < r->npath) {
			if (r->used)
				r->used->loop_user = 1;
			/* the dropped member came as "user@<class w>" under stickyhost:
			   sendtolist hands its QNOTREMOTE to the entry kept, which then
			   goes on past ruleset 5 (tests/smres/stickyloop) */
			if (flags0 & LU_AT)
				r->pflags[j] |= PATH_NOTREMOTE;
			rc = keep_ancestor(r, j, nm.s, "loop, broken at the user", level);
			goto out;
		}
	}
	/* none (value 1): the address goes to recipient(), which refuses it past
	   MaxAliasRecursion; else it is a duplicate - except of the top-level
	   address being expanded, QPRIMARY and not yet QRCPTOK, which the
	   duplicate test passes over (and no copy of it on the way): then it is a
	   new recipient, expanded again.  Value 3 goes on as a duplicate below */
	if (dup && sv == 1) {
		if (level > st->maxalias || top_only(r, sk.s)) {
			dup = 0;
		} else {
			r->loop = 1;
			rc = trace(r, level, "%s: loop, suppressed", sk.s);
			goto out;
		}
	}
	if (dup && !((sv == 2 || sv == 4) && level > st->maxalias)) {
		rc = trace(r, level, "%s: duplicate, suppressed", sk.s);
		goto out;
	}
	if (level > st->maxalias && !(flags & LU_KEEP)) {
		/* not for ruleset 5's relay copy, whose q_alias is the name it
		   rewrote (tests/smres/relaydeep) */
		if (!(flags & LU_R5COPY))
			mark_bad(r, parent);
		rc = too_deep(r, level);
		goto out;
	}
	/* the top-level address, and a local: relay of a QPRIMARY one */
	isp = (flags & LU_P) || (level == 0 && parent == NULL && !(flags & LU_R5COPY));
	if (isp && buf_append(&r->pact, sk.s, sk.len + 1) < 0)
		goto out;
	/* a new recipient is in the send queue from here on, whatever becomes of
	   it (an alias, ruleset 5, the passwd): the same address again is a
	   duplicate (value 4; an alias's expansion and a .forward's set 1 and 2
	   on top).  Not for a .forward's members: a name there that ruleset 5
	   relays is no duplicate of itself in another user's .forward
	   (tests/smres/fwdrelay).  Nor for the top-level address: QPRIMARY, the
	   duplicate test passes over it */
	if ((!(flags & LU_NOALIAS) || bsq) && !r5 && !prim && r->fwd == NULL && level > 0 &&
	    hset_get(&r->seen, sk.s, sk.len, NULL) != 1 &&
	    hset_set(&r->seen, sk.s, sk.len, 4) < 0)
		goto out;
	if (!(flags & LU_NOALIAS) && has_flag(st, 'A')) {
		unsigned long off;

		ae = alias_lookup_n(&st->at, nm.s, nm.len);
		/* an entry written nm@D that newaliases stored elsewhere: the line
		   s2q-aliases made nm of (S2Q-A017) is one this answer rests on */
		if (st->nmidx.n && hset_get(&st->nmidx, nm.s, nm.len, &off) == 1) {
			const char *rec = st->nmsrc.s + off, *fl = strchr(rec, ' ');

			if (fl && used(r, fl + 1, strtoul(rec, NULL, 10)) < 0)
				goto out;
		}
	}
	/* a step of ruleset 5 (r5: the detail as host) is a recipient apart from
	   the plain name: its alias expansion is neither in seen nor a self reference */
	if (ae) {
		if (used(r, st->at.files[ae->file], ae->lastline) < 0 ||
		    trace(r, level, "aliased (%s:%lu) to %s", st->at.files[ae->file],
			  (unsigned long)ae->lastline, alias_ent_value(ae)) < 0 ||
		    (!r5 && hset_set(&r->seen, key, keylen, 1) < 0) ||
		    push(r, key, r5 ? host : NULL,
			 ((flags & LU_AT) ? PATH_AT : 0) | (r5 ? PATH_R5 : 0) | level * PATH_LEVEL) < 0)
			goto out;
		{
			const char *saved = r->bogus, *savedf = r->fwd;

			r->bogus = NULL;
			r->fwd = NULL;
			k = deliver_elems(r, ae->elems, ae->nelems, level + 1, key, st->defuser);
			r->bogus = saved;
			r->fwd = savedf;
		}
		if (k < 0 || (!r5 && hset_set(&r->seen, key, keylen, 2) < 0)) {
			pop(r);
			goto out;
		}
		if (kept_done(r, runas) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (!(flags & LU_AT) && has_flag(st, '5')) {
		/* user+detail that ruleset 5 rewrites (to user+*) stays in the send
		   queue, expanded: the same address again, even while its rewrite is
		   followed, is a duplicate (its later steps carry the detail as the
		   host, other recipients to sameaddr) */
		if (!(flags & LU_NOALIAS) && host[0] != '+' &&
		    !st->h->feature[HF_PRESERVE_LOCAL_PLUS_DETAIL] && nm.len > 1 && memchr(nm.s + 1, '+', nm.len - 1) &&
		    !(nm.len >= 2 && nm.s[nm.len - 2] == '+' && nm.s[nm.len - 1] == '*') &&
		    hset_set(&r->seen, sk.s, sk.len, 3) < 0)
			goto out;
		if (!r5 && buf_append(&r->r5act, sk.s, sk.len + 1) < 0)
			goto out;
		k = ruleset5(r, nm.s, nm.len, host, level, parent, runas, &nh, (flags & LU_BS) != 0,
			     lhost, isp);

		if (k <= 0) {
			rc = k;
			goto out;
		}
	}
	/* the local mailer's user lookup (finduser) sees the name without quotes */
	if (memchr(nm.s, '"', nm.len))
		stripquotes(&nm);
	/* MatchGECOS: BlankSub and '_' are blanks, a full name names the login, whose
	   aliases and .forward then apply (recipient()'s "goto trylocaluser") */
	if (st->matchgecos && !is_pwuser(st, nm.s, nm.len, NULL)) {
		unsigned long gi;
		buf g = bufpool_take(&st->pool);

		k = buf_copy(&g, nm.s, nm.len) < 0 || buf_cstr(&g) == NULL ? -1 : 0;
		for (i = 0; k == 0 && i < g.len; i++)
			if (g.s[i] == st->ao.blanksub || g.s[i] == '_')
				g.s[i] = ' ';
		if (k == 0 && hset_get(&st->gecos, g.s, g.len, &gi) == 1) {
			const char *login = st->pwarena.s + st->pw[gi].name;

			k = trace(r, level, "MatchGECOS: '%s' is the login %s", g.s, login) < 0 ? -1 :
			    local_user(r, login, strlen(login), host, level, flags, parent, runas);
			k = k < 0 ? -1 : 1;
		}
		bufpool_give(&st->pool, &g);
		if (k != 0) {
			rc = k < 0 ? -1 : 0;
			goto out;
		}
	}
	if (has_flag(st, 'w') && !is_pwuser(st, nm.s, nm.len, &pwi)) {
		rc = trace(r, level, "%s: User unknown", nm.s);
		if (rc == 0)
			rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.1", NULL);
		goto out;
	}
	if (!has_flag(st, 'w') && !is_pwuser(st, nm.s, nm.len, &pwi))
		pwi = (unsigned long)-1;
	if ((!(flags & LU_NOALIAS) || (flags & LU_SELF)) && pwi != (unsigned long)-1 &&
	    st->local_is_local) {
		if (flags & LU_DET)
			k = dotforward(r, nm.s, sk.s, pwi, host, level, (flags & LU_AT) != 0);
		else
			k = dotforward(r, nm.s, key, pwi, host[0] == '+' ? host + 1 : host, level,
				       (flags & LU_AT) != 0);
		if (k != 0) {
			rc = k < 0 ? -1 : 0;
			goto out;
		}
	}
	/* another local mailer (cyrusv2): its definition is what the mailbox stands for */
	if (!st->local_is_local && st->lmailer && used(r, st->lmailer->file, st->lmailer->line) < 0)
		goto out;
	rc = add(r, DLV_MAILBOX, nm.s, NULL, NULL, NULL, NULL);
out:
	r->pact.len = pmark;
	r->r5act.len = r5mark;
	bufpool_give(&st->pool, &nm);
	bufpool_give(&st->pool, &nh);
	bufpool_give(&st->pool, &sk);
	return rc;
}

/* ---------------------------------------------------------------- rulesets 3 and 0 */

/* last '@' outside quotes and brackets, or n */
static size_t last_at(const char *s, size_t n)
{
	size_t i, at = n;
	int q = 0, br = 0;

	/* no quote, backslash or bracket (nearly every address): the last '@' */
	if (!memchr(s, '"', n) && !memchr(s, '\\', n) && !memchr(s, '[', n)) {
		for (i = n; i > 0; i--)
			if (s[i - 1] == '@')
				return i - 1;
		return n;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == '[')
			br++;
		else if (!q && s[i] == ']' && br)
			br--;
		else if (!q && !br && s[i] == '@')
			at = i;
	}
	return at;
}

static size_t last_pct(const char *s, size_t n)
{
	size_t i, p = n;
	int q = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == '%')
			p = i;
	}
	return p;
}

static int vt_domains(struct vtab *vt, struct hset *doms);

/*
 * vt_relayed - L@D matched no key and D is not local: sendmail relays it.
 * s2q-virtusers reported that of the domain at its first record (S2Q-V102):
 * that line is a source of the answer.  0, or -1 ENOMEM
 */
static int vt_relayed(struct run *r, const char *D)
{
	struct smres_st *st = r->st;
	buf t = BUF_INIT;
	unsigned long line;
	size_t i, n = strlen(D);
	int rc = -1;

	if (inclass(st, "w", D, n))
		return 0;
	if (!st->vtdoms_ready) {
		if (vt_domains(&st->vt, &st->vtdoms) < 0)
			return -1;
		st->vtdoms_ready = 1;
	}
	while (n && D[n - 1] == '.')
		n--;
	if (buf_copy(&t, D, n) < 0 || buf_cstr(&t) == NULL)
		goto out;
	for (i = 0; i < t.len; i++)
		t.s[i] = lc(t.s[i]);
	rc = 0;
	if (hset_get(&st->vtdoms, t.s, t.len, &line) == 1 && line)
		rc = used(r, st->vtfile, line);
out:
	buf_free(&t);
	return rc;
}

int smres_vt_value(struct smres_st *st, const char *L, size_t ll, const char *D, size_t dl,
		   struct vu_match *m, buf *v)
{
	struct vu_args args;
	int nofold = (st->vt.flags & MAPTEXT_NOFOLD) != 0, k;

	/* sendmail's map lookups strip quotes (and backslashes) from the key: a stored
	   key with quotes never matches, "" is the empty local part (the catch-all) */
	buf_reset(v);
	if (memchr(L, '"', ll) || memchr(L, '\\', ll)) {
		if (buf_copy(v, L, ll) < 0 || buf_cstr(v) == NULL)
			return -1;
		stripquotes(v);
		k = vu_lookup(vtab_get, &st->vt, nofold, v->s, v->len, D, dl, m);
		buf_reset(v);
	} else {
		k = vu_lookup(vtab_get, &st->vt, nofold, L, ll, D, dl, m);
	}
	if (k <= 0)
		return k;
	vu_match_args(m, &args);
	if (vu_expand(v, m->val, m->vlen, &args) < 0 || buf_cstr(v) == NULL)
		return -1;
	return 1;
}

/* the virtusertable step of Parse1; 1 no match, 0 done */
static int virtuser(struct run *r, const char *L, const char *D, unsigned level, unsigned hops,
		    const char *parent, const char *runas)
{
	struct smres_st *st = r->st;
	struct vu_match m;
	struct vu_err e;
	struct vu_target t;
	buf v = BUF_INIT;
	unsigned long line = 0;
	int k, rc = -1;

	if (!st->have_vt || !vu_eligible(&st->vdom, D, strlen(D)))
		return 1;
	vu_match_init(&m);
	vu_err_init(&e);
	vu_target_init(&t);
	k = smres_vt_value(st, L, strlen(L), D, strlen(D), &m, &v);
	if (k < 0)
		goto out;
	if (k == 0) {
		rc = trace(r, level, "virtusertable: no match for %s@%s", L, D) < 0 ||
		     vt_relayed(r, D) < 0 ? -1 : 1;
		goto out;
	}
	line = vtab_line(&st->vt, m.key.s, m.key.len);
	if (used(r, st->vtfile, line) < 0)
		goto out;
	if (trace(r, level, "virtusertable (%s:%lu): %.*s -> %s", st->vtfile, line,
		  (int)m.key.len, m.key.s, v.s) < 0)
		goto out;
	k = vu_value_error(v.s, v.len, &e);
	if (k < 0)
		goto out;
	if (k == 1) {
		rc = emit_verr(r, level, &e, L, D);
		if (rc == 0)
			rc = error_deep(r, level);
		goto out;
	}
	if (vu_target_parse(v.s, v.len, &t) < 0)
		goto out;
	if (hops + 1 >= SM_VU_HOPS) {
		buf g = BUF_INIT;

		rc = -1;
		if (buf_printf(&g, "%s@%s", L, D) == 0 &&
		    trace(r, level, "rewrite: excessive recursion: local name %s", g.s) == 0)
			rc = local_user(r, g.s, g.len, "", level, 0, parent, runas);
		buf_free(&g);
		goto out;
	}
	switch (t.kind) {
	case VT_ADDR:
	case VT_PERCENT:
	case VT_UUCP:
	case VT_BARE:
		rc = route_addr(r, t.addr.s, t.addr.len, level, hops + 1, parent, runas);
		break;
	case VT_NOALIAS:
		rc = local_user(r, t.addr.s, t.addr.len, "", level, LU_NOALIAS, parent, runas);
		break;
	case VT_BOUNCE:
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, t.dsn, t.text);
		if (rc == 0)
			rc = error_deep(r, level);
		break;
	}
out:
	vu_match_free(&m);
	vu_err_free(&e);
	vu_target_free(&t);
	buf_free(&v);
	return rc;
}

/* the mailertable step of Parse1; 1 no match, 0 done */
static int mailertable(struct run *r, const char *L, const char *D, unsigned level,
		       unsigned hops, const char *parent, const char *runas)
{
	struct smres_st *st = r->st;
	size_t dn = strlen(D), i;
	buf tmp = BUF_INIT, v = BUF_INIT, key = BUF_INIT;
	const char *val;
	unsigned long line;
	int k, rc = -1;

	if (!st->mt.present)
		return 1;
	/* exact, then ".parent" most specific first, then "." */
	for (i = 0; i <= dn; i++) {
		struct vu_args a;

		if (i > 0 && i < dn && D[i - 1] != '.')
			continue;
		if (i == dn) {
			if (buf_copy(&key, ".", 1) < 0)
				goto out;
		} else if (i == 0) {
			if (buf_copy(&key, D, dn) < 0)
				goto out;
		} else if (buf_copy(&key, D + i - 1, dn - i + 1) < 0) {
			goto out;
		}
		k = smres_tab_get(&st->mt, key.s, key.len, &tmp, &val, &line);
		if (k < 0)
			goto out;
		if (k == 0 || strchr(val, ':') == NULL || val[0] == '[')
			continue;
		memset(&a, 0, sizeof(a));
		a.a[0] = key.s;
		a.n[0] = key.len;
		if (i > 0) {
			/* %1 everything left of the suffix, %2 the label next to it */
			size_t ll = i == dn ? dn : i - 1, s;

			a.a[1] = D;
			a.n[1] = ll;
			for (s = ll; s > 0 && D[s - 1] != '.'; s--)
				;
			a.a[2] = D + s;
			a.n[2] = ll - s;
			if (i == dn) {
				a.a[2] = NULL;
				a.n[2] = 0;
			}
		}
		if (vu_expand(&v, val, strlen(val), &a) < 0 || buf_cstr(&v) == NULL)
			goto out;
		if (used(r, st->mt.file, line) < 0 ||
		    trace(r, level, "mailertable (%s:%lu): %.*s -> %s", st->mt.file, line,
			  (int)key.len, key.s, v.s) < 0)
			goto out;
		rc = mailer_to_triple(r, v.s, L, D, level, hops, parent, runas);
		goto out;
	}
	rc = 1;
out:
	buf_free(&tmp);
	buf_free(&v);
	buf_free(&key);
	return rc;
}

/*
 * uucp_domain - canonify's UUCP rules for an unqualified "h!rest" (unless
 * FEATURE(nouucp)) when they end at a domain: "x.y!u" is u@x.y (R$+ . $- !
 * $+); "h!u" is u<@h.UUCP>, which Canonify2 makes u@$j for localhost and
 * u@H for a host $[ $] knows as H (the hosts file; tests/smres/uucphost).
 * 1 with "rest@domain" in out, 0 not a UUCP path or it stays h.UUCP, -1 ENOMEM.
 */
static int uucp_domain(const struct smres_st *st, const char *L, size_t ln, buf *out)
{
	const char *bang = memchr(L, '!', ln), *dom = NULL;
	size_t hn, dn = 0, i;
	unsigned long off;
	buf key = BUF_INIT;
	int rc = -1;

	if (st->h->feature[HF_NOUUCP] || bang == NULL || bang == L || (size_t)(bang - L) + 1 >= ln)
		return 0;
	hn = (size_t)(bang - L);
	if (memchr(L, '.', hn)) {
		dom = L;
		dn = hn;
	} else if (ieqn(L, hn, "localhost")) {
		dom = st->h->j;
		dn = strlen(dom);
	} else {
		if (buf_append(&key, L, hn) < 0 || buf_cstr(&key) == NULL)
			goto out;
		for (i = 0; i < key.len; i++)
			key.s[i] = lc(key.s[i]);
		if (st->hostcanon.n && hset_get(&st->hostcanon, key.s, key.len, &off) == 1) {
			dom = st->hostarena.s + off;
			dn = strlen(dom);
		}
	}
	rc = 0;
	buf_reset(out);
	if (dom && (buf_append(out, bang + 1, ln - hn - 1) < 0 || buf_append_c(out, '@') < 0 ||
		    buf_append(out, dom, dn) < 0 || buf_cstr(out) == NULL))
		rc = -1;
	else if (dom)
		rc = 1;
out:
	buf_free(&key);
	return rc;
}

/*
 * uucp - canonify's UUCP rules for a local part with '!' (unless
 * FEATURE(nouucp)): "h!u" is u@h.UUCP, routed like any other remote domain
 * (mailertable, smart host, MX of h.UUCP), the smtp mailers giving it to
 * the next hop as "h!u@$j"; those that name a domain (uucp_domain) are
 * routed as that address.  1: no '!', 0 done.
 */
static int uucp(struct run *r, const char *L, size_t ln, unsigned level, unsigned hops,
		const char *parent, const char *runas)
{
	const struct host *h = r->st->h;
	const char *bang = memchr(L, '!', ln);
	buf a = BUF_INIT, d = BUF_INIT, bangpath = BUF_INIT;
	size_t hn;
	int rc = -1, k;

	if (h->feature[HF_NOUUCP] || bang == NULL || bang == L || (size_t)(bang - L) + 1 >= ln)
		return 1;
	hn = (size_t)(bang - L);
	k = uucp_domain(r->st, L, ln, &a);
	if (k != 0) {
		if (k == 1 && trace(r, level, "UUCP path: %s", a.s) == 0)
			rc = route_addr(r, a.s, a.len, level, hops, parent, runas);
		buf_free(&a);
		return rc;
	}
	if (buf_append(&d, L, hn) < 0 || buf_append_s(&d, ".UUCP") < 0 || buf_cstr(&d) == NULL ||
	    buf_append(&a, L, ln) < 0 || buf_append_c(&a, '@') < 0 || buf_append_s(&a, h->j) < 0 ||
	    buf_cstr(&a) == NULL || buf_append(&bangpath, L, ln) < 0 || buf_cstr(&bangpath) == NULL ||
	    trace(r, level, "UUCP path: %s to %s", a.s, d.s) < 0)
		goto out;
	{
		/* Parse1 for the domain h.UUCP: mailertable, smart host, the domain itself */
		buf rest = BUF_INIT;

		rc = -1;
		if (buf_append(&rest, bang + 1, ln - hn - 1) < 0 || buf_cstr(&rest) == NULL) {
			buf_free(&rest);
			goto out;
		}
		r->as = a.s;
		r->as_relay = bangpath.s;
		k = mailertable(r, rest.s, d.s, level, hops, parent, runas);
		r->as = NULL;
		buf_free(&rest);
		if (k <= 0) {
			rc = k;
			goto out;
		}
	}
	{
		/* UUCP_RELAY ($Y): non-local UUCP traffic goes there, before the smart host */
		const struct host_macro *y = host_macro_get(h, "Y");

		if (y && y->value && y->value[0]) {
			if (used(r, y->file, y->line) < 0 ||
			    trace(r, level, "UUCP_RELAY %s", y->value) < 0)
				goto out;
			r->as = a.s;
			r->as_relay = bangpath.s;
			k = mailer_to_triple(r, y->value, a.s, d.s, level, hops, parent, runas);
			r->as = NULL;
			if (k <= 0) {
				rc = k;
				goto out;
			}
		}
	}
	if (h->smart_host.raw && h->smart_host.raw[0]) {
		if (used(r, h->smart_host.file, h->smart_host.line) < 0)
			goto out;
		r->as = a.s;
		r->as_relay = bangpath.s;
		k = mailer_to_triple(r, h->smart_host.raw, a.s, d.s, level, hops, parent, runas);
		r->as = NULL;
		if (k <= 0) {
			rc = k;
			goto out;
		}
	}
	rc = forward(r, level, a.s, d.s, d.len);
out:
	buf_free(&a);
	buf_free(&d);
	buf_free(&bangpath);
	return rc;
}

/*
 * prescan - what sendmail's prescan and canonify leave of an address as
 * typed: comments go, "phrase <addr>" is addr, a source route @a,@b:addr is
 * addr (routes are pruned).  0 nothing to do, 1 the address is in out,
 * -1 ENOMEM.
 */
static int prescan(buf *out, const char *a, size_t n)
{
	const size_t none = (size_t)-1;
	size_t i, lt = none, gt = none, b = 0, e;
	int q = 0, depth = 0;

	if (!memchr(a, '(', n) && !memchr(a, '<', n) && !(n && a[0] == '@'))
		return 0;
	buf_reset(out);
	for (i = 0; i < n; i++) {
		char ch = a[i];

		if (ch == '\\' && i + 1 < n) {
			if (depth == 0 && (buf_append_c(out, ch) < 0 || buf_append_c(out, a[i + 1]) < 0))
				return -1;
			i++;
			continue;
		}
		if (depth == 0 && ch == '"') {
			q = !q;
		} else if (!q && ch == '(') {
			depth++;
			continue;
		} else if (!q && depth && ch == ')') {
			depth--;
			continue;
		}
		if (depth)
			continue;
		if (!q && ch == '<' && lt == none)
			lt = out->len;
		else if (!q && ch == '>' && lt != none && gt == none)
			gt = out->len;
		if (buf_append_c(out, ch) < 0)
			return -1;
	}
	e = out->len;
	if (lt != none && gt != none) {
		b = lt + 1;
		e = gt;
	}
	while (b < e && (out->s[b] == ' ' || out->s[b] == '\t'))
		b++;
	while (e > b && (out->s[e - 1] == ' ' || out->s[e - 1] == '\t'))
		e--;
	if (e > b && out->s[b] == '@') {
		const char *colon = memchr(out->s + b, ':', e - b);

		if (colon && !memchr(out->s + b, '"', (size_t)(colon - out->s) - b))
			b = (size_t)(colon - out->s) + 1;
	}
	memmove(out->s, out->s + b, e - b);
	out->len = e - b;
	return buf_cstr(out) == NULL ? -1 : 1;
}

/* dotdot - s[0, n) has ".." */
static int dotdot(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return 1;
	return 0;
}

/* at_inside - an '@' outside quotes in s[0, n) */
static int at_inside(const char *s, size_t n)
{
	size_t i;
	int q = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '"')
			q = !q;
		else if (s[i] == '@' && !q)
			return 1;
	}
	return 0;
}

/*
 * dequote_local - Parse0's $(dequote $) on a local part that is one quoted
 * string ("foo"), the parser's rule (aliases_dequote): 1 dequoted into L,
 * 0 left alone, -1 ENOMEM
 */
static int dequote_local(buf *L, buf *tmp)
{
	int ok;

	if (L->len < 2 || L->s[0] != '"' || L->s[L->len - 1] != '"' ||
	    memchr(L->s + 1, '"', L->len - 2) != NULL)
		return 0;
	if (aliases_dequote(L->s, L->len, tmp, &ok) < 0)
		return -1;
	if (!ok)
		return 0;
	return buf_copy(L, tmp->s, tmp->len) < 0 || buf_cstr(L) == NULL ? -1 : 1;
}

static int route_addr1(struct run *r, const char *a0, size_t n, unsigned level, unsigned hops,
		       const char *parent, const char *runas)
{
	struct smres_st *st = r->st;
	const struct host *h = st->h;
	buf L, D, tmp, x, pre;
	const char *a = a0;
	size_t at;
	int rc = -1, k;

	if (++r->steps > SM_MAX_STEPS)
		return add(r, DLV_DEFER, NULL, NULL, NULL, "4.0.0", "s2q: expansion too large to follow");
	L = bufpool_take(&st->pool);
	D = bufpool_take(&st->pool);
	tmp = bufpool_take(&st->pool);
	x = bufpool_take(&st->pool);
	pre = bufpool_take(&st->pool);
	/* the depth limit is checked where the address ends up (a duplicate is exempt) */
	while (n && (a[0] == ' ' || a[0] == '\t')) {
		a++;
		n--;
	}
	while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
		n--;
	k = prescan(&pre, a, n);
	if (k < 0)
		goto out;
	if (k == 1) {
		if (trace(r, level, "prescan: %.*s -> %s", (int)n, a, pre.s) < 0)
			goto out;
		a = pre.s;
		n = pre.len;
	}
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		a++;
		n -= 2;
	}
	if (n == 0) {
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.3", "User address required");
		goto out;
	}
	at = last_at(a, n);
	if (a[0] == '\\' && at == n) {
		rc = local_user(r, a, n, "", level, LU_NOALIAS, parent, runas);
		goto out;
	}
	if (at < n && at > 0 && at_inside(a, at)) {
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.3", "Invalid route address");
		goto out;
	}
	if (at < n && at + 1 < n && (a[at + 1] == '.' || dotdot(a + at + 1, n - at - 1))) {
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.2", "Invalid host name");
		goto out;
	}
	if (at < n) {
		if (buf_copy(&L, a, at) < 0 || buf_copy(&D, a + at + 1, n - at - 1) < 0)
			goto out;
		while (D.len && D.s[D.len - 1] == '.')
			D.len--;
	} else if (buf_copy(&L, a, n) < 0) {
		goto out;
	}
	if (buf_cstr(&L) == NULL || buf_cstr(&D) == NULL)
		goto out;
	if (at < n && L.len == 0) {
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.3", "User address required");
		goto out;
	}
	if (at < n && D.len == 0 && at + 1 == n) {
		rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.3", "Hostname required");
		goto out;
	}
	/* unqualified (or "user@"): a UUCP path, the %-hack, else a local name */
	if (D.len == 0) {
		size_t p = last_pct(L.s, L.len);

		k = uucp(r, L.s, L.len, level, hops, parent, runas);
		if (k <= 0) {
			rc = k;
			goto out;
		}
		if (!h->feature[HF_NOPERCENTHACK] && p < L.len && p > 0) {
			L.s[p] = '@';
			rc = route_addr(r, L.s, L.len, level, hops, parent, runas);
			goto out;
		}
		/* "foo" is dequoted; an address inside is parsed again (class O) */
		k = dequote_local(&L, &tmp);
		if (k < 0)
			goto out;
		if (k && strpbrk(L.s, "@%!")) {
			rc = route_addr(r, L.s, L.len, level, hops, parent, runas);
			goto out;
		}
		k = inclass(st, "L", L.s, L.len);
		rc = local_user(r, L.s, L.len, "", level, k ? LU_AT : 0, parent, runas);
		goto out;
	}
	/* canonify: localhost, domain literals, domaintable */
	if (is_localhost(h, D.s, D.len)) {
		if (buf_copy(&D, h->j, strlen(h->j)) < 0 || buf_cstr(&D) == NULL)
			goto out;
	}
	if (D.s[0] == '[') {
		if (inclass(st, "w", D.s, D.len)) {
			if (buf_copy(&D, h->j, strlen(h->j)) < 0 || buf_cstr(&D) == NULL)
				goto out;
		} else {
			/* Parse1: numeric internet spec, to the smart host if there is one */
			const struct host_route *s = &h->smart_host;

			if (buf_printf(&x, "%s@%s", L.s, D.s) < 0)
				goto out;
			if (s->raw && s->raw[0]) {
				if (used(r, s->file, s->line) < 0)
					goto out;
				rc = forward(r, level, x.s, s->raw + (strchr(s->raw, ':') && s->raw[0] != '[' ?
						     (size_t)(strchr(s->raw, ':') - s->raw) + 1 : 0),
					     strlen(s->raw) - (strchr(s->raw, ':') && s->raw[0] != '[' ?
						     (size_t)(strchr(s->raw, ':') - s->raw) + 1 : 0));
			} else {
				rc = forward(r, level, x.s, D.s, D.len);
			}
			goto out;
		}
	}
	if (st->dt.present) {
		const char *val;
		unsigned long line;

		k = smres_tab_get(&st->dt, D.s, D.len, &tmp, &val, &line);
		if (k < 0)
			goto out;
		if (k == 1) {
			size_t vn = strlen(val);

			while (vn && (val[vn - 1] == '.' || val[vn - 1] == ' ' || val[vn - 1] == '\r'))
				vn--;
			if (used(r, st->dt.file, line) < 0 ||
			    trace(r, level, "domaintable (%s:%lu): %s -> %.*s", st->dt.file, line,
				  D.s, (int)vn, val) < 0 ||
			    buf_copy(&D, val, vn) < 0 || buf_cstr(&D) == NULL)
				goto out;
		}
	}
	if (!h->feature[HF_NOCANONIFY] && D.s[0] != '[' && st->hostcanon.n) {
		unsigned long off;

		if (buf_copy(&tmp, D.s, D.len) < 0 || buf_cstr(&tmp) == NULL)
			goto out;
		for (k = 0; (size_t)k < tmp.len; k++)
			tmp.s[k] = lc(tmp.s[k]);
		if (hset_get(&st->hostcanon, tmp.s, tmp.len, &off) == 1 &&
		    (trace(r, level, "$[ %s $] -> %s (hosts file)", D.s, st->hostarena.s + off) < 0 ||
		     buf_copy(&D, st->hostarena.s + off, strlen(st->hostarena.s + off)) < 0 ||
		     buf_cstr(&D) == NULL))
			goto out;
	}
	k = inclass(st, "w", D.s, D.len);
	/* Parse0: a UUCP path, the %-hack (and quoted local parts) at a local domain */
	if (k) {
		size_t p = last_pct(L.s, L.len);

		k = uucp(r, L.s, L.len, level, hops, parent, runas);
		if (k <= 0) {
			rc = k;
			goto out;
		}
		k = 1;
		if (!h->feature[HF_NOPERCENTHACK] && p < L.len && p > 0) {
			L.s[p] = '@';
			rc = trace(r, level, "%%-hack: %s", L.s);
			if (rc == 0)
				rc = route_addr(r, L.s, L.len, level, hops, parent, runas);
			goto out;
		}
		k = dequote_local(&L, &tmp);
		if (k < 0)
			goto out;
		if (k && strpbrk(L.s, "@%!")) {
			rc = route_addr(r, L.s, L.len, level, hops, parent, runas);
			goto out;
		}
	}
	if (trace(r, level, "%s@%s%s", L.s, D.s, k ? " (class w)" : "") < 0)
		goto out;
	/* ParseLocal: FEATURE(redirect) */
	if (h->feature[HF_REDIRECT] && D.len > 9 && ieqn(D.s + D.len - 9, 9, ".REDIRECT")) {
		buf_reset(&x);
		rc = -1;
		if (buf_printf(&x, "User has moved; please try <%s@%.*s>", L.s, (int)(D.len - 9),
			       D.s) == 0)
			rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.1", x.s);
		goto out;
	}
	/* Parse1 */
	k = virtuser(r, L.s, D.s, level, hops, parent, runas);
	if (k <= 0) {
		rc = k;
		goto out;
	}
	if (inclass(st, "w", D.s, D.len)) {
		int isl = inclass(st, "L", L.s, L.len);

		if (h->feature[HF_STICKYHOST] && h->mail_hub.raw && h->mail_hub.raw[0]) {
			if (used(r, h->mail_hub.file, h->mail_hub.line) < 0)
				goto out;
			k = mailer_to_triple(r, h->mail_hub.raw, L.s, D.s, level, hops, parent, runas);
			if (k <= 0) {
				rc = k;
				goto out;
			}
		}
		/* stickyhost: Parse1 hands user@<class w> to the local mailer as "@user"
		   (no ruleset 5: no LUSER_RELAY, LOCAL_RELAY or hub) unless it has a
		   +detail after a first token ("$+ + $*": user+detail, ruleset 5 as usual) */
		if (h->feature[HF_STICKYHOST]) {
			isl = !(L.len > 1 && memchr(L.s + 1, '+', L.len - 1));
			/* the relays this skips decided the answer too (S2Q-C080) */
			if (isl && h->luser_relay.raw && h->luser_relay.raw[0] &&
			    used(r, h->luser_relay.file, h->luser_relay.line) < 0)
				goto out;
			if (isl && h->local_relay.raw && h->local_relay.raw[0] &&
			    used(r, h->local_relay.file, h->local_relay.line) < 0)
				goto out;
		}
		rc = local_user(r, L.s, L.len, "", level, isl ? LU_AT : 0, parent, runas);
		goto out;
	}
	k = mailertable(r, L.s, D.s, level, hops, parent, runas);
	if (k <= 0) {
		rc = k;
		goto out;
	}
	if (h->smart_host.raw && h->smart_host.raw[0]) {
		if (used(r, h->smart_host.file, h->smart_host.line) < 0)
			goto out;
		k = mailer_to_triple(r, h->smart_host.raw, L.s, D.s, level, hops, parent, runas);
		if (k <= 0) {
			rc = k;
			goto out;
		}
	}
	if (buf_printf(&x, "%s@%s", L.s, D.s) < 0)
		goto out;
	rc = forward(r, level, x.s, D.s, D.len);
out:
	bufpool_give(&st->pool, &L);
	bufpool_give(&st->pool, &D);
	bufpool_give(&st->pool, &tmp);
	bufpool_give(&st->pool, &x);
	bufpool_give(&st->pool, &pre);
	return rc;
}

/*
 * The recursion of a hostile address ("a%b%c%...@here" with thousands of
 * hops) is bounded by the C stack, not by sendmail's rules: past
 * SM_MAX_NEST nested calls the answer is a deferral that says so.
 */
#define SM_MAX_NEST 1000

static int too_nested(struct run *r)
{
	return add(r, DLV_DEFER, NULL, NULL, NULL, "4.0.0", "s2q: address nested too deeply to follow");
}

static int route_addr(struct run *r, const char *a, size_t n, unsigned level, unsigned hops,
		      const char *parent, const char *runas)
{
	int rc;

	if (r->nest >= SM_MAX_NEST)
		return too_nested(r);
	r->nest++;
	rc = route_addr1(r, a, n, level, hops, parent, runas);
	r->nest--;
	return rc;
}

static int local_user(struct run *r, const char *name, size_t n, const char *host,
		      unsigned level, unsigned flags, const char *parent, const char *runas)
{
	int rc;

	if (r->nest >= SM_MAX_NEST)
		return too_nested(r);
	r->nest++;
	rc = local_user1(r, name, n, host, level, flags, parent, runas);
	r->nest--;
	return rc;
}

/* ---------------------------------------------------------------- check_rcpt */

/* access lookup: "To:key" then "key" (untagged); 1 found */
static int access_get(struct run *r, const char *key, size_t kn, int untagged, buf *tmp,
		      const char **val, unsigned long *line)
{
	struct smres_st *st = r->st;
	buf k = bufpool_take(&st->pool);
	int rc;

	if (buf_append_s(&k, "To:") < 0 || buf_append(&k, key, kn) < 0) {
		bufpool_give(&st->pool, &k);
		return -1;
	}
	rc = smres_tab_get(&st->ac, k.s, k.len, tmp, val, line);
	bufpool_give(&st->pool, &k);
	if (rc == 0 && untagged)
		rc = smres_tab_get(&st->ac, key, kn, tmp, val, line);
	return rc;
}

/*
 * access_user - rulesets F (D non-empty) and U (D ""): "L@D", then with a
 * +detail "user+*@D" and "user@D", each tagged then untagged
 */
/* the key in slot i of s, after a "to:" tag when tagged: 1, or 0 for an empty slot */
static int slot_key(const struct hset *s, size_t i, int tagged, const char **k, size_t *n)
{
	if (!s->slots[i].off)
		return 0;
	*k = hset_slot_key(s, &s->slots[i], n);
	if (tagged && *n >= 3 && ieqn(*k, 3, "to:")) {
		*k += 3;
		*n -= 3;
	}
	return 1;
}

/* add the lower-cased text before each @ of k[0..n) to set */
static int prefixes_before_at(struct hset *set, buf *t, const char *k, size_t n)
{
	size_t at, j;

	for (at = 0; at < n; at++) {
		if (k[at] != '@')
			continue;
		buf_reset(t);
		if (buf_append(t, k, at) < 0)
			return -1;
		for (j = 0; j < t->len; j++)
			t->s[j] = lc(t->s[j]);
		if (hset_put(set, t->s ? t->s : "", t->len, 0, NULL) < 0)
			return -1;
	}
	return 0;
}

/*
 * aclocal_build - the lower-cased local parts an access key can be looked up
 * by: access_user looks up "To:X@D" and "X@D" (D may hold an @ itself, from a
 * [literal] or the domaintable), which a key K matches only when X is what
 * comes before some @ of K, or of K without its "To:" tag.  access_user looks
 * up no key whose X is not among them.  A key with a quote or a backslash
 * turns the filter off.
 */
static int aclocal_build(struct smres_st *st)
{
	const struct hset *s = &st->ac.idx;
	buf t = bufpool_take(&st->pool);
	size_t i;
	int rc = -1;

	for (i = 0; st->ac.present && i < s->nslots; i++) {
		const char *k, *raw;
		size_t n, rn;

		if (!slot_key(s, i, 0, &raw, &rn))
			continue;
		if (memchr(raw, '"', rn) || memchr(raw, '\\', rn)) {
			st->aclocal_off = 1;
			break;
		}
		(void)slot_key(s, i, 1, &k, &n);
		if (prefixes_before_at(&st->aclocal, &t, raw, rn) < 0 ||
		    (n != rn && prefixes_before_at(&st->aclocal, &t, k, n) < 0))
			goto out;
	}
	st->aclocal_ready = 1;
	rc = 0;
out:
	bufpool_give(&st->pool, &t);
	return rc;
}

/* is L[0..n) (+suffix) among the access keys' local parts (ASCII case ignored)? */
static int aclocal_has(struct smres_st *st, buf *t, const char *L, size_t n, const char *suffix)
{
	size_t j;

	buf_reset(t);
	if (buf_append(t, L, n) < 0 || buf_append_s(t, suffix) < 0)
		return -1;
	for (j = 0; j < t->len; j++)
		t->s[j] = lc(t->s[j]);
	return hset_get(&st->aclocal, t->s ? t->s : "", t->len, NULL);
}

static int access_user(struct run *r, const char *L, size_t ln, const char *D, buf *tmp,
		       const char **val, unsigned long *line)
{
	const char *plus = ln > 1 ? memchr(L + 1, '+', ln - 1) : NULL;
	buf k = BUF_INIT;
	int f, step;

	if (!r->st->aclocal_ready && aclocal_build(r->st) < 0)
		return -1;
	if (!r->st->aclocal_off) {
		/* the keys below are L@D, user+*@D and user@D: none can be there unless
		   their local part is some key's */
		f = aclocal_has(r->st, tmp, L, ln, "");
		if (f == 0 && plus)
			f = aclocal_has(r->st, tmp, L, (size_t)(plus - L), "+*");
		if (f == 0 && plus)
			f = aclocal_has(r->st, tmp, L, (size_t)(plus - L), "");
		if (f <= 0)
			return f;
	}
	for (step = 0; step < 3; step++) {
		if (step > 0 && plus == NULL)
			break;
		buf_reset(&k);
		if (buf_append(&k, L, step == 0 ? ln : (size_t)(plus - L)) < 0 ||
		    (step == 1 && buf_append_s(&k, "+*") < 0) || buf_append_c(&k, '@') < 0 ||
		    buf_append_s(&k, D) < 0) {
			buf_free(&k);
			return -1;
		}
		f = access_get(r, k.s, k.len, 1, tmp, val, line);
		if (f != 0) {
			buf_free(&k);
			return f;
		}
	}
	buf_free(&k);
	return 0;
}

/* access_domain - ruleset D: the domain, then its parents (exact only: hostsonly) */
static int access_domain1(struct run *r, const char *d, size_t dn, int exact, buf *tmp,
			  const char **val, unsigned long *line)
{
	size_t i;
	int k;

	for (i = 0; i < dn; i++) {
		if (i > 0 && d[i - 1] != '.')
			continue;
		k = access_get(r, d + i, dn - i, 1, tmp, val, line);
		if (k != 0 || exact)
			return k;
	}
	return 0;
}

/* the answers for this many domains are remembered (a domain's are asked for each address) */
#define SM_ACD_MAX 200000

static int access_domain(struct run *r, const char *d, size_t dn, int exact, buf *tmp,
			 const char **val, unsigned long *line)
{
	struct smres_st *st = r->st;
	buf key = bufpool_take(&st->pool);
	unsigned long i;
	int k = -1;

	/*
	 * the answer depends on the domain's bytes and exact only (the table stays
	 * as loaded); exact is part of the key although check_rcpt never asks one
	 * domain both ways where that shows
	 */
	if (buf_append_c(&key, exact ? 'x' : '-') < 0 || buf_append(&key, d, dn) < 0)
		goto out;
	if (hset_get(&st->acdcache, key.s, key.len, &i) == 1) {
		k = st->acdv[i].found;
		if (k) {
			*val = st->acdv[i].val;
			*line = st->acdv[i].line;
		}
		goto out;
	}
	k = access_domain1(r, d, dn, exact, tmp, val, line);
	if (k < 0 || st->nacd >= SM_ACD_MAX)
		goto out;
	if (st->nacd == st->capacd) {
		size_t nc = st->capacd ? st->capacd * 2 : 64;
		struct sm_acd *nv = realloc(st->acdv, nc * sizeof(*nv));

		if (nv == NULL) {
			k = -1;
			goto out;
		}
		st->acdv = nv;
		st->capacd = nc;
	}
	st->acdv[st->nacd].found = k;
	st->acdv[st->nacd].val = k ? *val : NULL;
	st->acdv[st->nacd].line = k ? *line : 0;
	if (hset_put(&st->acdcache, key.s, key.len, st->nacd, NULL) < 0)
		k = -1;
	else
		st->nacd++;
out:
	bufpool_give(&st->pool, &key);
	return k;
}

/* the access value of a blocklist hit: 1 the recipient is refused/discarded (added), 0 go on */
static int access_verdict(struct run *r, const char *v, unsigned long line)
{
	struct smres_st *st = r->st;
	size_t n = strlen(v);

	while (n && (v[n - 1] == ' ' || v[n - 1] == '\r'))
		n--;
	if (ieqn(v, n, "OK") || ieqn(v, n, "RELAY") || ieqn(v, n, "SKIP"))
		return 0;
	if (used(r, st->ac.file, line) < 0)
		return -1;
	if (ieqn(v, n, "REJECT"))
		return add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.2.1",
			   "Mailbox disabled for this recipient") < 0 ? -1 : 1;
	if (ieqn(v, n, "DISCARD"))
		return add(r, DLV_DISCARD, NULL, NULL, NULL, NULL, NULL) < 0 ? -1 : 1;
	if (n > 6 && ieqn(v, 6, "ERROR:")) {
		buf t = BUF_INIT;
		int rc = -1;

		if (buf_append(&t, v + 6, n - 6) == 0 && buf_cstr(&t) != NULL)
			rc = mailer_error(r, 0, t.s, "", "") < 0 ? -1 : 1;
		buf_free(&t);
		return rc;
	}
	{
		buf t = BUF_INIT;
		int rc = -1;

		if (buf_append(&t, v, n) == 0 && buf_cstr(&t) != NULL)
			rc = mailer_error(r, 0, t.s, "", "") < 0 ? -1 : 1;
		buf_free(&t);
		return rc;
	}
}

/*
 * relay_to - Relay_ok's (and ParseRecipient's) test of a recipient domain D
 * (not in class w): relay_entire_domain's $=m, class R (D or, without
 * relay_hosts_only, a parent), access To:D / D RELAY.  1 relayed to, 0 not,
 * -1 ENOMEM
 */
static int relay_to(struct run *r, const char *D, size_t n, buf *tmp)
{
	struct smres_st *st = r->st;
	const struct host *h = st->h;
	const char *val;
	unsigned long line;
	size_t i;
	int f;

	if (h->feature[HF_RELAY_ENTIRE_DOMAIN]) {
		for (i = 0; i < n; i++)
			if ((i == 0 || D[i - 1] == '.') && inclass(st, "m", D + i, n - i))
				return 1;
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && h->feature[HF_RELAY_HOSTS_ONLY])
			break;
		if ((i == 0 || D[i - 1] == '.') && inclass(st, "R", D + i, n - i)) {
			const struct host_class *c = host_class_get(h, "R");
			unsigned long ci;

			if (c) {
				size_t j;

				if (buf_copy(tmp, D + i, n - i) < 0 || buf_cstr(tmp) == NULL)
					return -1;
				for (j = 0; j < tmp->len; j++)
					tmp->s[j] = lc(tmp->s[j]);
				if (hset_get(&c->idx, tmp->s, tmp->len, &ci) == 1 &&
				    used(r, c->v[ci].file, c->v[ci].line) < 0)
					return -1;
			}
			return 1;
		}
	}
	if (st->ac.present) {
		f = access_domain(r, D, n, h->feature[HF_RELAY_HOSTS_ONLY], tmp, &val, &line);
		if (f < 0)
			return -1;
		if (f == 1 && strncasecmp(val, "RELAY", 5) == 0 &&
		    (val[5] == '\0' || val[5] == ' ' || val[5] == '\r'))
			return used(r, st->ac.file, line) < 0 ? -1 : 1;
	}
	return 0;
}

/*
 * check_rcpt - the recipient policy of the m4 rules for a client that may
 * not relay: 1 accepted, 0 refused (the refusal added), -1 ENOMEM
 */
static int check_rcpt(struct run *r, const char *a, size_t n)
{
	struct smres_st *st = r->st;
	const struct host *h = st->h;
	buf L = bufpool_take(&st->pool), D = bufpool_take(&st->pool),
	    tmp = bufpool_take(&st->pool), k = bufpool_take(&st->pool);
	const char *val;
	unsigned long line;
	size_t at, i, p;
	unsigned pcthops = 0;
	int rc = -1, f, w, bang;

	while (n && (a[0] == ' ' || a[0] == '<')) {
		a++;
		n--;
	}
	while (n && (a[n - 1] == ' ' || a[n - 1] == '>'))
		n--;
	for (;;) {
		at = last_at(a, n);
		buf_reset(&L);
		buf_reset(&D);
		if (buf_append(&L, a, at < n ? at : n) < 0 ||
		    (at < n && buf_append(&D, a + at + 1, n - at - 1) < 0) || buf_cstr(&L) == NULL ||
		    buf_cstr(&D) == NULL)
			goto out;
		while (D.len && D.s[D.len - 1] == '.')
			D.s[--D.len] = '\0';
		if (at < n && at + 1 == n) {
			rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.3", "Hostname required") < 0 ? -1 : 0;
			goto out;
		}
		/* Parse0: a@b@domain */
		if (at < n && at > 0 && at_inside(a, at)) {
			rc = add(r, DLV_BOUNCE, NULL, NULL, NULL, "5.1.3", "Invalid route address") < 0
				     ? -1 : 0;
			goto out;
		}
		if (ieqn(D.s, D.len, "localhost") && buf_copy(&D, h->j, strlen(h->j)) < 0)
			goto out;
		if (buf_cstr(&D) == NULL)
			goto out;
		if (st->dt.present && D.len) {
			f = smres_tab_get(&st->dt, D.s, D.len, &tmp, &val, &line);
			if (f < 0)
				goto out;
			if (f == 1 && buf_copy(&D, val, strcspn(val, " \r")) < 0)
				goto out;
			while (D.len && D.s[D.len - 1] == '.')
				D.len--;
			if (buf_cstr(&D) == NULL)
				goto out;
		}
		/* $[ $] through the hosts file, as in route_addr */
		if (!h->feature[HF_NOCANONIFY] && D.len && D.s[0] != '[' && st->hostcanon.n) {
			unsigned long off;

			if (buf_copy(&tmp, D.s, D.len) < 0 || buf_cstr(&tmp) == NULL)
				goto out;
			for (i = 0; i < tmp.len; i++)
				tmp.s[i] = lc(tmp.s[i]);
			if (hset_get(&st->hostcanon, tmp.s, tmp.len, &off) == 1 &&
			    (buf_copy(&D, st->hostarena.s + off, strlen(st->hostarena.s + off)) < 0 ||
			     buf_cstr(&D) == NULL))
				goto out;
		}
		/* CanonAddr's Parse0: a %-path at a local domain is judged by its last
		   hop; ParseRecipient: so is one at a domain relayed to (class R, e.g.
		   {VirtHost}; access RELAY) */
		p = last_pct(L.s, L.len);
		f = 0;
		if (D.len && !h->feature[HF_NOPERCENTHACK] && p < L.len && p > 0) {
			f = inclass(st, "w", D.s, D.len) ? 1 : relay_to(r, D.s, D.len, &tmp);
			if (f < 0)
				goto out;
		}
		/* the same for a UUCP path (judged as the unqualified path it is,
		   below) */
		bang = 0;
		if (f == 0 && D.len && !h->feature[HF_NOUUCP] && !st->reject_bang &&
		    memchr(L.s, '!', L.len)) {
			f = inclass(st, "w", D.s, D.len) ? 1 : relay_to(r, D.s, D.len, &tmp);
			if (f < 0)
				goto out;
			bang = f == 1;
		}
		/* unqualified, not nouucp: a UUCP path that names a domain is judged
		   as that address (uucp_domain); one left at h.UUCP is not ours */
		if (f == 0 && D.len == 0 && !h->feature[HF_NOUUCP] && !st->reject_bang &&
		    memchr(L.s, '!', L.len)) {
			f = uucp_domain(st, L.s, L.len, &tmp);
			if (f == 0)
				rc = add(r, DLV_REFUSED, NULL, NULL, NULL, "5.7.1", "Relaying denied") < 0
					     ? -1 : 0;
			if (f <= 0 || buf_copy(&L, tmp.s, tmp.len) < 0 || buf_cstr(&L) == NULL)
				goto out;
			bang = 1;
		}
		if (f == 1) {
			if (++pcthops > SM_MAX_NEST) {
				rc = too_nested(r) < 0 ? -1 : 0;
				goto out;
			}
			if (!bang)
				L.s[p] = '@';
			if (buf_copy(&k, L.s, L.len) < 0 || buf_cstr(&k) == NULL)
				goto out;
			a = k.s;
			n = k.len;
			continue;
		}
		break;
	}
	/* ParseRecipient dequotes a local part that is one quoted token:
	   "alice"@domain is alice@domain to the access checks below */
	if (L.len > 2 && L.s[0] == '"' && L.s[L.len - 1] == '"' &&
	    strcspn(L.s + 1, "\"\\ \t()<>@,;:[]") == L.len - 2)
		stripquotes(&L);
	/* ! and % in the local part are remote hops to nouucp / nopercenthack
	   "reject"; otherwise Rcpt_ok takes any local part at a local domain */
	if ((st->reject_bang && memchr(L.s, '!', L.len)) ||
	    (st->reject_pct && memchr(L.s, '%', L.len))) {
		rc = add(r, DLV_REFUSED, NULL, NULL, NULL, "5.7.1", "Relaying denied") < 0 ? -1 : 0;
		goto out;
	}
	if (D.len == 0) {
		/* Rcpt_ok: an unqualified recipient is ours */
		if (h->feature[HF_BLOCKLIST_RECIPIENTS] && st->ac.present) {
			f = access_user(r, L.s, L.len, "", &tmp, &val, &line);
			if (f < 0)
				goto out;
			if (f == 1 && (f = access_verdict(r, val, line)) != 0) {
				rc = f < 0 ? -1 : 0;
				goto out;
			}
		}
		rc = 1;
		goto out;
	}
	w = inclass(st, "w", D.s, D.len);
	/* blocklist_recipients: F:user@domain, U:user@ (local domains), D:domain */
	if (h->feature[HF_BLOCKLIST_RECIPIENTS] && st->ac.present) {
		f = access_user(r, L.s, L.len, D.s, &tmp, &val, &line);
		if (f == 0 && w)
			f = access_user(r, L.s, L.len, "", &tmp, &val, &line);
		if (f == 0)
			f = access_domain(r, D.s, D.len, 0, &tmp, &val, &line);
		if (f < 0)
			goto out;
		if (f == 1 && (f = access_verdict(r, val, line)) != 0) {
			rc = f < 0 ? -1 : 0;
			goto out;
		}
	}
	if (w) {
		rc = 1;
		goto out;
	}
	f = relay_to(r, D.s, D.len, &tmp);
	if (f != 0) {
		rc = f;
		goto out;
	}
	if (h->feature[HF_PROMISCUOUS_RELAY]) {
		rc = 1;
		goto out;
	}
	rc = add(r, DLV_REFUSED, NULL, NULL, NULL, "5.7.1", "Relaying denied") < 0 ? -1 : 0;
out:
	bufpool_give(&st->pool, &L);
	bufpool_give(&st->pool, &D);
	bufpool_give(&st->pool, &tmp);
	bufpool_give(&st->pool, &k);
	return rc;
}

/* ---------------------------------------------------------------- plain local domains */

/*
 * add the lower-cased domain part of each key of s (after an optional "to:" tag) to
 * doms; a key without an @ goes to nodoms if that is not NULL, else to doms
 */
static int key_domain(const char *k, size_t n, buf *t, struct hset *doms, struct hset *nodoms,
		      unsigned long val)
{
	size_t j, at;
	int has_at;

	if (memchr(k, '"', n) || memchr(k, '[', n) || memchr(k, '\\', n)) {
		at = last_at(k, n);
	} else {
		for (at = n; at > 0 && k[at - 1] != '@'; at--)
			;
		at = at ? at - 1 : n;
	}
	has_at = at < n;
	if (has_at) {
		k += at + 1;
		n -= at + 1;
	}
	while (n && (k[n - 1] == '.' || k[n - 1] == ' '))
		n--;
	if (buf_copy(t, k, n) < 0)
		return -1;
	for (j = 0; j < t->len; j++)
		t->s[j] = lc(t->s[j]);
	return hset_put(has_at || !nodoms ? doms : nodoms, t->s ? t->s : "", t->len, val, NULL) < 0
		       ? -1 : 0;
}

static int key_domains(const struct hset *s, int tagged, struct hset *doms, struct hset *nodoms)
{
	buf t = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < s->nslots && rc == 0; i++) {
		const char *k;
		size_t n;

		if (slot_key(s, i, tagged, &k, &n))
			rc = key_domain(k, n, &t, doms, nodoms, 0);
	}
	buf_free(&t);
	return rc;
}

/* vt_domains - key_domains over the virtusertable's records, each domain's value
   the line of its first record */
static int vt_domains(struct vtab *vt, struct hset *doms)
{
	buf t = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < vt->nrec && rc == 0; i++) {
		const char *k, *v;
		size_t n, vl;
		unsigned long line;

		rc = vtab_at(vt, i, &k, &n, &v, &vl, &line);
		rc = rc < 0 ? -1 : rc == 0 ? 0 : key_domain(k, n, &t, doms, NULL, line);
	}
	buf_free(&t);
	return rc;
}

/*
 * plain - smres_domain_plain (L NULL) or smres_addr_plain (L[0..ln)): the
 * address's own check lets a domain the virtusertable or access names
 * through when no virtusertable key matches L@d as virtuser() looks it up
 * (access "To:" keys only matter to check_rcpt, which share_resolve runs
 * for every address anyway)
 */
static int plain(struct smres *res, const char *d, size_t n, const char *L, size_t ln)
{
	struct smres_st *st = res->st;
	const struct host *h = st->h;
	buf D = bufpool_take(&st->pool), W = bufpool_take(&st->pool), tmp = bufpool_take(&st->pool);
	const char *val;
	unsigned long line;
	size_t i;
	int rc = -1, k;

	if (!st->plain_ready) {
		if ((st->have_vt && !st->vtdoms_ready && vt_domains(&st->vt, &st->vtdoms) < 0) ||
		    (st->ac.present && key_domains(&st->ac.idx, 1, &st->acuser, &st->acdom) < 0))
			goto out;
		st->vtdoms_ready = st->have_vt;
		st->plain_ready = 1;
	}
	while (n && d[n - 1] == '.')
		n--;
	rc = 0;
	if (n == 0 || d[0] == '[' || memchr(d, '@', n) || memchr(d, '%', n) ||
	    (h->feature[HF_STICKYHOST] && h->mail_hub.raw && h->mail_hub.raw[0]))
		goto out;
	rc = -1;
	if (is_localhost(h, d, n)) {
		if (buf_copy(&D, h->j, strlen(h->j)) < 0)
			goto out;
	} else if (buf_copy(&D, d, n) < 0) {
		goto out;
	}
	if (buf_copy(&W, D.s, D.len) < 0 || buf_cstr(&W) == NULL || buf_cstr(&D) == NULL)
		goto out;
	for (i = 0; i < D.len; i++)
		D.s[i] = lc(D.s[i]);
	rc = 0;
	if (D.len == 0 || !inclass(st, "w", D.s, D.len) ||
	    (h->feature[HF_REDIRECT] && D.len > 9 && ieqn(D.s + D.len - 9, 9, ".redirect")))
		goto out;
	if (st->dt.present) {
		/* as route_addr1 and check_rcpt look it up: the domain as written
		   (smres_tab_get folds it unless the map is -f), localhost as $j */
		k = smres_tab_get(&st->dt, W.s, W.len, &tmp, &val, &line);
		if (k != 0) {
			rc = k < 0 ? -1 : 0;
			goto out;
		}
	}
	if (!h->feature[HF_NOCANONIFY] && st->hostcanon.n &&
	    hset_get(&st->hostcanon, D.s, D.len, NULL) == 1)
		goto out;
	if (L == NULL && (hset_get(&st->vtdoms, D.s, D.len, NULL) == 1 ||
			  hset_get(&st->acuser, D.s, D.len, NULL) == 1))
		goto out;
	if (L && st->have_vt && hset_get(&st->vtdoms, D.s, D.len, NULL) == 1 &&
	    vu_eligible(&st->vdom, W.s, W.len)) {
		struct vu_match m;

		vu_match_init(&m);
		k = vu_lookup(vtab_get, &st->vt, (st->vt.flags & MAPTEXT_NOFOLD) != 0, L, ln, W.s,
			      W.len, &m);
		vu_match_free(&m);
		if (k != 0) {
			rc = k < 0 ? -1 : 0;
			goto out;
		}
	}
	for (i = 0; i < D.len; i++)	/* access domain keys: the domain and each parent */
		if ((i == 0 || D.s[i - 1] == '.') &&
		    hset_get(&st->acdom, D.s + i, D.len - i, NULL) == 1)
			goto out;
	rc = 1;
out:
	bufpool_give(&st->pool, &D);
	bufpool_give(&st->pool, &W);
	bufpool_give(&st->pool, &tmp);
	return rc;
}

int smres_domain_plain(struct smres *res, const char *d, size_t n)
{
	return plain(res, d, n, NULL, 0);
}

int smres_addr_plain(struct smres *res, const char *l, size_t ln, const char *d, size_t n)
{
	return plain(res, d, n, l, ln);
}

/* ---------------------------------------------------------------- the entry point */

/*
 * route_list - the addresses of one list as sendmail takes a -bv argument:
 * separated by commas outside quotes, <> and comments; with OldStyleHeaders
 * by blanks as well when the list has none of , ; < > ( ) " \
 */
static int route_list(struct run *r, const char *a, size_t n)
{
	size_t i, b = 0;
	int q = 0, ang = 0, par = 0, blanks;

	if (!memchr(a, ',', n) && !memchr(a, ' ', n) && !memchr(a, '\t', n))
		return route_addr(r, a, n, 0, 0, NULL, r->st->defuser);
	blanks = r->st->oldstyle && strcspn(a, ",;<>()\"\\") == n;
	for (i = 0; i <= n; i++) {
		char ch = i < n ? a[i] : ',';

		if (ch == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (ch == '"' && !par)
			q = !q;
		else if (!q && ch == '(')
			par++;
		else if (!q && par && ch == ')')
			par--;
		else if (!q && !par && ch == '<')
			ang++;
		else if (!q && !par && ang && ch == '>')
			ang--;
		else if (i == n || (!q && !par && !ang && (ch == ',' || (blanks && (ch == ' ' ||
											  ch == '\t'))))) {
			size_t e = i, s0 = b;

			b = i + 1;
			while (s0 < e && (a[s0] == ' ' || a[s0] == '\t'))
				s0++;
			if (s0 == e)
				continue;
			if (route_addr(r, a + s0, e - s0, 0, 0, NULL, r->st->defuser) < 0)
				return -1;
		}
	}
	return 0;
}

int smres_resolve(struct smres *res, const char *address, int via, struct dlv_set *out,
		  struct smres_used *u, buf *tr)
{
	struct run r;
	size_t before = out->n;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.st = res->st;
	r.out = out;
	r.used = u;
	r.trace = tr;
	hset_init(&r.seen);
	r.pact = bufpool_take(&res->st->pool);
	r.r5act = bufpool_take(&res->st->pool);
	if (via == SMRES_VIA_SMTP || via == SMRES_VIA_RCPT) {
		rc = check_rcpt(&r, address, strlen(address));
		if (rc == 1 && trace(&r, 0, "check_rcpt: accepted") < 0)
			rc = -1;
		if (rc == 0)
			rc = trace(&r, 0, "check_rcpt: refused") < 0 ? -1 : 2;
		if (rc == 1)
			rc = 0;
	}
	if (rc == 0 && via != SMRES_VIA_RCPT)
		rc = route_list(&r, address, strlen(address));
	/* recipient()'s testselfdestruct: the top-level address is dead and so is
	   every recipient in the queue - a loop (r.loop), or a local recipient
	   whose expansion left nothing at all, not even an error (only
	   duplicates; out may hold other addresses' answers: counted here) */
	if (rc == 0 && via != SMRES_VIA_RCPT && !deliverable(out, before) &&
	    ((r.loop && !r.otherbad) || (r.nadd == 0 && r.steps > 0)))
		rc = add(&r, DLV_BOUNCE, NULL, NULL, NULL, "5.4.6", "aliasing/forwarding loop broken");
	if (rc == 2)
		rc = 0;
	hset_free(&r.seen);
	bufpool_give(&res->st->pool, &r.pact);
	bufpool_give(&res->st->pool, &r.r5act);
	while (r.npath)
		pop(&r);
	free(r.path);
	free(r.pflags);
	if (rc < 0) {
		errno = ENOMEM;
		return -1;
	}
	dlv_sort(out);
	return 0;
}
