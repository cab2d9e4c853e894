/* resolve/smres - the sendmail side of s2q-route: loading the old host's files once */
#include "smres.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../parse/aliases.h"
#include "../parse/maptext.h"
#include "../parse/passwd.h"
#include "../parse/sendmailcf.h"
#include "../util/lline.h"
#include "../util/sroot.h"
#include "smres_int.h"

void smres_opts_init(struct smres_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rootfd = -1;
}

void smres_used_init(struct smres_used *u)
{
	memset(u, 0, sizeof(*u));
}

void smres_used_free(struct smres_used *u)
{
	free(u->v);
	memset(u, 0, sizeof(*u));
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static void lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* ---------------------------------------------------------------- text maps */

static void tab_free(struct sm_tab *t)
{
	hset_free(&t->idx);
	buf_free(&t->vals);
	free(t->v);
	free(t->file);
	memset(t, 0, sizeof(*t));
}

/*
 * tab_load - read the text source of map name into t (when the cf declares
 * it and a rule uses it: feature).  Problems are the parsers' to report.
 */
static int tab_load(struct smres_st *st, struct sm_tab *t, const char *name, int feature)
{
	const struct host_map *m = host_map_get(st->h, name);
	struct maptext mt;
	struct maptext_rec rec;
	char *shown = NULL;
	int fd = -1, r;
	buf k = BUF_INIT;

	memset(t, 0, sizeof(*t));
	hset_init(&t->idx);
	if (m == NULL || !feature)
		return 0;
	if (m->kind != HOST_MAP_DB && m->kind != HOST_MAP_TEXT) {
		if (diag_add(st->d, DIAG_WARN, "S2Q-R201", m->file, m->line,
			     "the %s map is of class %s, which s2q cannot read: the route checker "
			     "assumes it never matches", m->name, m->mclass) < 0)
			return -1;
		return 0;
	}
	r = cf_map_source(st->h, m, st->rootfd, &fd, &shown, st->d);
	if (r < 0)
		return -1;
	if (r == 0) {
		free(shown);
		return 0;
	}
	t->file = shown;
	t->nofold = m->nofold;
	if (maptext_fdopen(&mt, fd, shown, m->nofold ? MAPTEXT_NOFOLD : 0, st->d) < 0) {
		close(fd);
		return -1;
	}
	while ((r = maptext_next(&mt, &rec)) > 0) {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 64;
			struct sm_tabent *nv = realloc(t->v, nc * sizeof(*nv));

			if (nv == NULL) {
				r = -1;
				break;
			}
			t->v = nv;
			t->cap = nc;
		}
		t->v[t->n].off = t->vals.len;
		t->v[t->n].len = rec.vlen;
		t->v[t->n].line = rec.line;
		if (buf_append(&t->vals, rec.val, rec.vlen) < 0 || buf_append_c(&t->vals, '\0') < 0 ||
		    hset_put(&t->idx, rec.key, rec.klen, t->n, NULL) < 0) {
			r = -1;
			break;
		}
		t->n++;
	}
	maptext_close(&mt);
	buf_free(&k);
	if (r < 0)
		return -1;
	t->present = 1;
	return 0;
}

/* ---------------------------------------------------------------- passwd */

/*
 * gecos_add - the full name of an account (aliases_buildfname), lower-cased,
 * into st->gecos when it has a blank: finduser() matches only such names
 */
static int gecos_add(struct smres_st *st, const struct passwd_ent *e, size_t i)
{
	buf f = BUF_INIT;
	int rc = aliases_buildfname(&f, e->gecos.s, e->gecos.len, e->name.s, e->name.len);

	if (rc == 0 && memchr(f.s, ' ', f.len)) {
		lower(f.s, f.len);
		rc = hset_put(&st->gecos, f.s, f.len, i, NULL) < 0 ? -1 : 0;
	}
	buf_free(&f);
	return rc;
}

static int pw_load(struct smres_st *st, const char *path)
{
	struct passwd_parser pp;
	struct passwd_ent e;
	buf real = BUF_INIT;
	int fd, r;

	st->pwfile = xstrdup(path);
	if (st->pwfile == NULL)
		return -1;
	fd = sroot_open(st->rootfd, path, &real);
	buf_free(&real);
	if (fd < 0) {
		if (errno == ENOMEM)
			return -1;
		return diag_add(st->d, DIAG_WARN, "S2Q-R204", path, 0,
				"cannot read the passwd file: %s; every local user is unknown to "
				"the route checker", sroot_errstr(errno)) < 0 ? -1 : 0;
	}
	if (passwd_fdopen(&pp, fd, path, st->d) < 0) {
		close(fd);
		return -1;
	}
	while ((r = passwd_next(&pp, &e)) > 0) {
		struct sm_pw p;

		if (hset_get(&st->pwidx, e.name.s, e.name.len, NULL) == 1)
			continue;	/* getpwnam: the first line wins */
		p.name = st->pwarena.len;
		if (buf_append(&st->pwarena, e.name.s, e.name.len) < 0 ||
		    buf_append_c(&st->pwarena, '\0') < 0)
			goto fail;
		p.home = st->pwarena.len;
		if (buf_append(&st->pwarena, e.home.s, e.home.len) < 0 ||
		    buf_append_c(&st->pwarena, '\0') < 0)
			goto fail;
		p.shell = st->pwarena.len;
		if (buf_append(&st->pwarena, e.shell.s, e.shell.len) < 0 ||
		    buf_append_c(&st->pwarena, '\0') < 0)
			goto fail;
		p.uid = e.uid;
		if (st->npw == st->cappw) {
			size_t nc = st->cappw ? st->cappw * 2 : 64;
			struct sm_pw *nv = realloc(st->pw, nc * sizeof(*nv));

			if (nv == NULL)
				goto fail;
			st->pw = nv;
			st->cappw = nc;
		}
		st->pw[st->npw] = p;
		if (hset_put(&st->pwidx, e.name.s, e.name.len, st->npw, NULL) < 0 ||
		    (st->matchgecos && gecos_add(st, &e, st->npw) < 0))
			goto fail;
		st->npw++;
	}
	passwd_close(&pp);
	close(fd);
	return r < 0 ? -1 : 0;
fail:
	passwd_close(&pp);
	close(fd);
	errno = ENOMEM;
	return -1;
}

/* ---------------------------------------------------------------- hosts and shells */

/* readall - a small file below the root, NUL-terminated; 1 read, 0 absent, -1 ENOMEM */
static int readall(struct smres_st *st, const char *path, buf *out)
{
	buf real = BUF_INIT;
	char tmp[4096];
	int fd = sroot_open(st->rootfd, path, &real);
	ssize_t n;

	buf_free(&real);
	if (fd < 0)
		return errno == ENOMEM ? -1 : 0;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		if (buf_append(out, tmp, (size_t)n) < 0) {
			close(fd);
			return -1;
		}
	close(fd);
	return buf_cstr(out) == NULL ? -1 : 1;
}

static int wextra_add(struct smres_st *st, const char *w, size_t n)
{
	int r = hset_put(&st->wextra, w, n, 1, NULL);

	if (r <= 0)
		return r;
	if (buf_append(&st->wnames, w, n) < 0 || buf_append_c(&st->wnames, '\0') < 0)
		return -1;
	return 0;
}

/*
 * hosts_load - the root's /etc/hosts, as sendmail sees it with "hosts
 * files": $[ name $] gives the first name of the line naming it, and
 * sendmail puts its own name's aliases and addresses ([a.b.c.d]) into
 * class w.
 */
static int hosts_load(struct smres_st *st)
{
	buf f = BUF_INIT, lw = BUF_INIT;
	const char *me[2] = { st->h->hostname, st->h->j };
	char *line, *save = NULL;
	const struct host_option *ho = host_option_last(st->h, "HostsFile");
	int r = readall(st, ho && ho->value && ho->value[0] ? ho->value : "/etc/hosts", &f), rv = -1;

	if (r <= 0) {
		buf_free(&f);
		return r;
	}
	for (line = strtok_r(f.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *w[64], *p = line, *tok, *s2 = NULL;
		size_t nw = 0, i, canon;
		int mine = 0;

		if (strchr(p, '#'))
			*strchr(p, '#') = '\0';
		for (tok = strtok_r(p, " \t\r", &s2); tok && nw < 64; tok = strtok_r(NULL, " \t\r", &s2))
			w[nw++] = tok;
		if (nw < 2)
			continue;
		canon = st->hostarena.len;
		if (buf_append_s(&st->hostarena, w[1]) < 0 || buf_append_c(&st->hostarena, '\0') < 0)
			goto out;
		for (i = 1; i < nw; i++) {
			size_t k;

			if (buf_copy(&lw, w[i], strlen(w[i])) < 0 || buf_cstr(&lw) == NULL)
				goto out;
			lower(lw.s, lw.len);
			if (hset_put(&st->hostcanon, lw.s, lw.len, canon, NULL) < 0)
				goto out;
			for (k = 0; k < 2; k++)
				if (me[k] && me[k][0] && strcasecmp(me[k], w[i]) == 0)
					mine = 1;
		}
		if (!mine)
			continue;
		for (i = 1; i < nw; i++) {
			if (buf_copy(&lw, w[i], strlen(w[i])) < 0 || buf_cstr(&lw) == NULL)
				goto out;
			lower(lw.s, lw.len);
			if (wextra_add(st, lw.s, lw.len) < 0)
				goto out;
		}
		buf_reset(&lw);
		if (buf_printf(&lw, "[%s]", w[0]) < 0 || buf_cstr(&lw) == NULL)
			goto out;
		lower(lw.s, lw.len);
		if (wextra_add(st, lw.s, lw.len) < 0)
			goto out;
	}
	rv = 0;
out:
	buf_free(&f);
	buf_free(&lw);
	return rv;
}

/* shells_load - /etc/shells of the root, else sendmail's built-in list */
static int shells_load(struct smres_st *st)
{
	static const char *const dflt[] = { "/bin/sh", "/usr/bin/sh", "/bin/csh", "/usr/bin/csh",
					    "/sbin/sh", "/bin/ksh", "/usr/bin/ksh", "/bin/bash",
					    "/usr/bin/bash", "/bin/tcsh", "/usr/bin/tcsh", NULL };
	buf f = BUF_INIT;
	char *line, *save = NULL;
	size_t i;
	int r = readall(st, "/etc/shells", &f);

	if (r < 0)
		return -1;
	if (r == 0) {
		for (i = 0; dflt[i]; i++)
			if (hset_put(&st->shells, dflt[i], strlen(dflt[i]), 1, NULL) < 0)
				return -1;
		return 0;
	}
	for (line = strtok_r(f.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strcspn(line, " \t\r#");

		if (line[0] == '#' || n == 0)
			continue;
		if (hset_put(&st->shells, line, n, 1, NULL) < 0) {
			buf_free(&f);
			return -1;
		}
	}
	buf_free(&f);
	return 0;
}

/*
 * custom_rules - the hooks the m4 cf leaves empty for site rules
 * (LOCAL_RULE_0 in ParseLocal, LOCAL_RULESETS' Local_localaddr and
 * Local_check_rcpt): R lines there change routing in ways the resolver
 * does not model, so they are reported (S2Q-R207), not guessed at.
 */
static int custom_rules(struct smres_st *st, const char *cf)
{
	static const char *const hooks[][2] = {
		{ "ParseLocal", "LOCAL_RULE_0" },
		{ "Local_localaddr", "LOCAL_RULESETS (ruleset 5)" },
		{ "Local_check_rcpt", "LOCAL_RULESETS (check_rcpt)" },
	};
	size_t k;

	for (k = 0; k < sizeof(hooks) / sizeof(hooks[0]); k++) {
		const char *p = cf, *l;
		size_t nl = strlen(hooks[k][0]);
		unsigned long line = 1;

		/* the S line of the hook */
		for (l = p; *l; ) {
			const char *e = strchr(l, '\n');

			if (l[0] == 'S' && strncmp(l + 1, hooks[k][0], nl) == 0 &&
			    (l[1 + nl] == '=' || l[1 + nl] == '\n' || l[1 + nl] == '\0'))
				break;
			if (e == NULL) {
				l += strlen(l);
				break;
			}
			l = e + 1;
			line++;
		}
		if (*l == '\0')
			continue;
		/* its rules: R lines before the next S line */
		for (;;) {
			const char *e = strchr(l, '\n');

			if (e == NULL)
				break;
			l = e + 1;
			line++;
			if (l[0] == 'S' || l[0] == '\0')
				break;
			/* FEATURE(redirect) puts its rules into ParseLocal: modelled */
			if (l[0] == 'R' && strncmp(l, "R$* < @ $+ .REDIRECT. >", 23) != 0) {
				if (diag_add(st->d, DIAG_WARN, "S2Q-R207", st->h->cf, line,
					     "ruleset %s has site rules (%s): the route checker "
					     "assumes the standard m4 rules and does not model them",
					     hooks[k][0], hooks[k][1]) < 0)
					return -1;
				break;
			}
		}
	}
	return 0;
}

/*
 * fingerprints - rules the host model has no feature bit for, found by
 * their text in the cf: the "reject" variants of nouucp and nopercenthack
 * (Rcpt_ok's "<@ BANG_PATH>" and "<@ PERCENT_HACK>")
 */
static int fingerprints(struct smres_st *st)
{
	buf f = BUF_INIT;
	int r = st->h->cf ? readall(st, st->h->cf, &f) : 0;

	if (r < 0)
		return -1;
	if (r > 0 && custom_rules(st, f.s) < 0) {
		buf_free(&f);
		return -1;
	}
	if (r > 0) {
		st->reject_bang = strstr(f.s, "< @ BANG_PATH >") != NULL;
		st->reject_pct = strstr(f.s, "< @ PERCENT_HACK >") != NULL;
	}
	buf_free(&f);
	return 0;
}

/* ---------------------------------------------------------------- the pieces of the cf */

/* defuser - DefaultUser ("mail", "mail:mail", "8:12", "8") as a login name */
static int defuser(struct smres_st *st)
{
	const char *v = st->h->default_user;
	const struct host_option *o = host_option_last(st->h, "DefaultUser");
	char name[256];
	size_t n, i;
	int numeric = 1;

	if (v == NULL || *v == '\0') {
		/* sendmail's default: the account "mailnull" if there is one, else uid 1 */
		v = hset_get(&st->pwidx, "mailnull", 8, NULL) == 1 ? "mailnull" : "1";
		o = NULL;
	}
	n = strcspn(v, ":");
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, v, n);
	name[n] = '\0';
	for (i = 0; i < n; i++)
		if (name[i] < '0' || name[i] > '9')
			numeric = 0;
	if (numeric && n > 0) {
		unsigned long uid = strtoul(name, NULL, 10);

		for (i = 0; i < st->npw; i++) {
			if (st->pw[i].uid == uid) {
				st->defuser = xstrdup(st->pwarena.s + st->pw[i].name);
				return st->defuser ? 0 : -1;
			}
		}
		if (diag_add(st->d, DIAG_NOTE, "S2Q-R205", o ? o->file : NULL, o ? o->line : 0,
			     "DefaultUser uid %s has no account in the passwd file: programs and "
			     "files reached through aliases are shown as run by \"%s\"", name,
			     name) < 0)
			return -1;
	}
	st->defuser = xstrdup(name);
	return st->defuser ? 0 : -1;
}

static int rootpath(struct smres_st *st, const struct smres_opts *o)
{
	char lnk[64], tgt[4096];
	ssize_t n;

	if (o->root != NULL) {
		st->root = xstrdup(o->root);
		return st->root ? 0 : -1;
	}
	snprintf(lnk, sizeof(lnk), "/proc/self/fd/%d", o->rootfd);
	n = readlink(lnk, tgt, sizeof(tgt) - 1);
	if (n <= 0)
		return -1;
	tgt[n] = '\0';
	st->root = xstrdup(tgt);
	return st->root ? 0 : -1;
}

static int name_mapped(struct smres_st *st, const char *name, size_t n, const char *file,
		       unsigned long line, int rc, const buf *out);

/*
 * alias_name_map - newaliases parses an alias name through rulesets 3 and 0
 * (aliases_opts.name_map): user@D with D a virtusertable domain is looked up
 * there like an envelope address, and the entry is stored under the local
 * name that comes out (a catch-all "@D  name" turns every such alias into
 * "name", the last one winning: tests/smres/aliasvirt).  A result at a
 * domain is followed again (at most SM_VU_HOPS times); one that is not
 * local is no alias (aliasdrop).  Errors and other forms are left to the
 * usual rules (0).
 */
static int alias_name_map(void *arg, const char *name, size_t n, const char *file,
			  unsigned long line, buf *out)
{
	struct smres_st *st = arg;
	buf cur = BUF_INIT, v = BUF_INIT;
	struct vu_match m;
	struct vu_err e;
	struct vu_target t;
	unsigned hops;
	int rc = -1, k;

	vu_match_init(&m);
	vu_err_init(&e);
	vu_target_init(&t);
	if (buf_copy(&cur, name, n) < 0 || buf_cstr(&cur) == NULL)
		goto out;
	for (hops = 0; hops < SM_VU_HOPS; hops++) {
		const char *at = strrchr(cur.s, '@'), *D;
		size_t ll, dl;

		if (at == NULL) {
			rc = buf_copy(out, cur.s, cur.len) < 0 ? -1 : 1;
			goto out;
		}
		ll = (size_t)(at - cur.s);
		D = at + 1;
		dl = strlen(D);
		while (dl && D[dl - 1] == '.')
			dl--;
		k = st->have_vt && dl && vu_eligible(&st->vdom, D, dl) ?
		    smres_vt_value(st, cur.s, ll, D, dl, &m, &v) : 0;
		if (k < 0)
			goto out;
		/* no virtusertable answer: the name as written follows the usual
		   rules; one the table gave is local at class w, else not local */
		if (k == 0) {
			rc = hops == 0 ? 0 :
			     vu_eligible(&st->vdom, D, dl) & VU_ELIG_W ?
			     (buf_copy(out, cur.s, ll) < 0 ? -1 : 1) : 2;
			goto out;
		}
		k = vu_value_error(v.s, v.len, &e);
		if (k < 0)
			goto out;
		if (k == 1) {
			rc = 0;
			goto out;
		}
		if (vu_target_parse(v.s, v.len, &t) < 0)
			goto out;
		if (t.kind == VT_BARE) {
			rc = buf_copy(out, t.addr.s, t.addr.len) < 0 ? -1 : 1;
			goto out;
		}
		if (t.kind != VT_ADDR) {
			rc = 0;
			goto out;
		}
		if (buf_copy(&cur, t.addr.s, t.addr.len) < 0 || buf_cstr(&cur) == NULL)
			goto out;
	}
	rc = 0;
out:
	vu_match_free(&m);
	vu_err_free(&e);
	vu_target_free(&t);
	buf_free(&cur);
	buf_free(&v);
	return name_mapped(st, name, n, file, line, rc, out);
}

/*
 * name_mapped - the entry FILE:LINE, written user@D, is stored under another
 * name (rc 1) or is no alias (rc 2): s2q-aliases, which takes "user", says so
 * there (S2Q-A017), and a lookup of "user" counts that line as one its
 * answer rests on (local_user1), so the proof finds that note.  rc is passed
 * through.
 */
static int name_mapped(struct smres_st *st, const char *name, size_t n, const char *file,
		       unsigned long line, int rc, const buf *out)
{
	const char *at = memchr(name, '@', n);
	size_t ll = at ? (size_t)(at - name) : n, i, off = st->nmsrc.len;

	if (rc != 1 && rc != 2)
		return rc;
	if (rc == 1 && out->len == ll && strncasecmp(out->s, name, ll) == 0)
		return rc;
	if (buf_printf(&st->nmsrc, "%lu ", line) < 0 || buf_append_s(&st->nmsrc, file) < 0 ||
	    buf_append_c(&st->nmsrc, '\0') < 0 || buf_append(&st->nmsrc, name, ll) < 0)
		return -1;
	for (i = st->nmsrc.len - ll; i < st->nmsrc.len; i++)
		if (st->nmsrc.s[i] >= 'A' && st->nmsrc.s[i] <= 'Z')
			st->nmsrc.s[i] = (char)(st->nmsrc.s[i] - 'A' + 'a');
	if (buf_append_c(&st->nmsrc, '\0') < 0)
		return -1;
	/* keys point into the arena by offset: hset copies them */
	if (hset_set(&st->nmidx, st->nmsrc.s + st->nmsrc.len - ll - 1, ll, off) < 0)
		return -1;
	return rc;
}

static int aliases_load(struct smres_st *st)
{
	const struct host *h = st->h;
	const struct host_class *w = host_class_get(h, "w");
	buf real = BUF_INIT, full = BUF_INIT;
	size_t i;
	int rv = -1;

	size_t nw = 0, k;

	alias_table_init(&st->at);
	st->have_at = 1;
	st->wlist = calloc((w ? w->n : 0) + st->wextra.n + 1, sizeof(*st->wlist));
	if (st->wlist == NULL)
		return -1;
	for (i = 0; w && i < w->n; i++)
		st->wlist[nw++] = w->v[i].word;
	for (k = 0; k < st->wnames.len; k += strlen(st->wnames.s + k) + 1)
		st->wlist[nw++] = st->wnames.s + k;
	memset(&st->ao, 0, sizeof(st->ao));
	st->ao.local_domains = st->wlist;
	st->ao.nlocal_domains = nw;
	st->ao.root = st->root;
	st->ao.blanksub = h->blanksub == ' ' ? '.' : h->blanksub;
	st->ao.read_includes = 1;
	st->ao.queue_dir = st->queue_dir;
	if (st->have_vt) {
		st->ao.name_map = alias_name_map;
		st->ao.name_map_arg = st;
	}
	for (i = 0; i < h->naliasfiles; i++) {
		const struct host_aliasfile *af = &h->aliasfiles[i];
		const char *c = af->mclass;
		int fd;

		if (strcmp(c, "implicit") != 0 && strcmp(c, "hash") != 0 && strcmp(c, "btree") != 0 &&
		    strcmp(c, "dbm") != 0 && strcmp(c, "text") != 0) {
			if (diag_add(st->d, DIAG_WARN, "S2Q-R202", af->file, af->line,
				     "alias map %s:%s is of a class s2q cannot read: the route checker "
				     "assumes it never matches", c, af->spec) < 0)
				goto out;
			continue;
		}
		buf_reset(&real);
		fd = sroot_open(st->rootfd, af->spec, &real);
		if (fd < 0) {
			if (errno == ENOMEM)
				goto out;
			if (diag_add(st->d, DIAG_WARN, "S2Q-R203", af->file, af->line,
				     "alias file %s cannot be read: %s; the route checker assumes it "
				     "is empty", af->spec, sroot_errstr(errno)) < 0)
				goto out;
			continue;
		}
		close(fd);
		if (buf_copy(&full, st->root, strlen(st->root)) < 0 ||
		    buf_append(&full, real.s, real.len) < 0 || buf_cstr(&full) == NULL)
			goto out;
		if (aliases_read(&st->at, full.s, af->spec, &st->ao, st->d) < 0) {
			if (errno == ENOMEM)
				goto out;
			if (diag_add(st->d, DIAG_WARN, "S2Q-R203", af->file, af->line,
				     "alias file %s cannot be read: %s; the route checker assumes it "
				     "is empty", af->spec, strerror(errno)) < 0)
				goto out;
		}
	}
	rv = 0;
out:
	buf_free(&real);
	buf_free(&full);
	return rv;
}

static int vt_load(struct smres_st *st)
{
	const struct host *h = st->h;
	const struct host_map *m = host_map_get(h, "virtuser");
	const struct host_class *c;
	char *shown = NULL;
	size_t i;
	int fd, r;
	struct maptext_rec rec;

	vu_domains_init(&st->vdom);
	c = host_class_get(h, "w");
	for (i = 0; c && i < c->n; i++)
		if (vu_domains_add(&st->vdom, 1, c->v[i].word, strlen(c->v[i].word)) < 0)
			return -1;
	for (i = 0; i < st->wnames.len; i += strlen(st->wnames.s + i) + 1)
		if (vu_domains_add(&st->vdom, 1, st->wnames.s + i, strlen(st->wnames.s + i)) < 0)
			return -1;
	c = host_class_get(h, "VirtHost");
	for (i = 0; c && i < c->n; i++)
		if (vu_domains_add(&st->vdom, 0, c->v[i].word, strlen(c->v[i].word)) < 0)
			return -1;
	st->vdom.entire_domain = h->feature[HF_VIRTUSER_ENTIRE_DOMAIN];
	if (m == NULL || !h->feature[HF_VIRTUSERTABLE])
		return 0;
	if (m->kind != HOST_MAP_DB && m->kind != HOST_MAP_TEXT)
		return diag_add(st->d, DIAG_WARN, "S2Q-R201", m->file, m->line,
				"the %s map is of class %s, which s2q cannot read: the route checker "
				"assumes it never matches", m->name, m->mclass) < 0 ? -1 : 0;
	r = cf_map_source(h, m, st->rootfd, &fd, &shown, st->d);
	if (r <= 0) {
		free(shown);
		return r;
	}
	st->vtfile = shown;
	if (vtab_open(&st->vt, fd, shown, m->nofold ? MAPTEXT_NOFOLD : 0, st->d) < 0)
		return -1;
	st->have_vt = 1;
	while ((r = vtab_next(&st->vt, &rec)) > 0)
		;
	return r;
}

int smres_open(struct smres *r, const struct host *h, const struct smres_opts *o,
	       struct diag_sink *d)
{
	struct smres_st *st;
	const struct host_option *op;
	const struct host_mailer *lm;
	int e;

	r->st = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	st->h = h;
	st->cw = host_class_get(h, "w");
	st->rootfd = o->rootfd;
	diag_init(&st->own);
	st->d = d ? d : &st->own;
	st->no_forward = o->no_forward;
	hset_init(&st->pwidx);
	hset_init(&st->gecos);
	hset_init(&st->listidx);
	hset_init(&st->vtdoms);
	hset_init(&st->nmidx);
	hset_init(&st->acuser);
	hset_init(&st->acdom);
	hset_init(&st->aclocal);
	hset_init(&st->acdcache);
	hset_init(&st->wextra);
	hset_init(&st->hostcanon);
	hset_init(&st->shells);
	hset_init(&st->mt.idx);
	hset_init(&st->dt.idx);
	hset_init(&st->ac.idx);
	vu_domains_init(&st->vdom);
	r->st = st;
	if (rootpath(st, o) < 0)
		goto fail;
	op = host_option_last(h, "QueueDirectory");
	if (o->queue_dir)
		st->queue_dir = xstrdup(o->queue_dir);
	else if (op && op->value && op->value[0])
		st->queue_dir = xstrdup(op->value);
	st->maxalias = ALIASES_MAX_RECURSION;
	op = host_option_last(h, "MaxAliasRecursion");
	if (op && op->value && op->value[0] >= '0' && op->value[0] <= '9') {
		unsigned long v = strtoul(op->value, NULL, 10);

		/* deeper than the resolver's own nesting limit makes no difference */
		st->maxalias = v > 400 ? 400 : (unsigned)v;
	}
	/* OldStyleHeaders: blanks separate the addresses of a list */
	st->oldstyle = host_option_bool(h, "OldStyleHeaders");
	st->matchgecos = host_option_bool(h, "MatchGECOS");
	/* the mailer local names go to (confLOCAL_MAILER): its flags decide aliasing,
	   ruleset 5 and the passwd check; only the one named "local" reads .forward */
	lm = host_mailer_get(h, h->local_mailer ? h->local_mailer : "local");
	st->lflags = lm && lm->flags ? lm->flags : "";
	st->lmailer = lm;
	st->local_is_local = h->local_mailer == NULL || strcmp(h->local_mailer, "local") == 0;
	if (pw_load(st, o->passwd ? o->passwd : "/etc/passwd") < 0 || defuser(st) < 0)
		goto fail;
	if (hosts_load(st) < 0 || shells_load(st) < 0 || fingerprints(st) < 0)
		goto fail;
	/* the virtusertable first: newaliases' ruleset 0 sees it (alias_name_map) */
	if (vt_load(st) < 0 || aliases_load(st) < 0)
		goto fail;
	if (tab_load(st, &st->mt, "mailertable", h->feature[HF_MAILERTABLE]) < 0 ||
	    tab_load(st, &st->dt, "domaintable", h->feature[HF_DOMAINTABLE]) < 0 ||
	    tab_load(st, &st->ac, "access", h->feature[HF_ACCESS_DB]) < 0)
		goto fail;
	if (h->feature[HF_RELAY_BASED_ON_MX] &&
	    diag_add(st->d, DIAG_NOTE, "S2Q-R206", h->cf, 0,
		     "FEATURE(relay_based_on_MX) depends on DNS: the route checker does not "
		     "model it (relaying is judged by class w, R and access only)") < 0)
		goto fail;
	if (st->d->oom)
		goto fail;
	return 0;
fail:
	e = errno ? errno : ENOMEM;
	smres_close(r);
	errno = e;
	return -1;
}

const struct alias_table *smres_aliases(const struct smres *r)
{
	const struct smres_st *st = r->st;

	return st && st->have_at && st->ao.blanksub == '.' ? &st->at : NULL;
}

struct vtab *smres_vtab(struct smres *r)
{
	return r->st && r->st->have_vt ? &r->st->vt : NULL;
}

void smres_close(struct smres *r)
{
	struct smres_st *st = r->st;
	size_t i, j;

	if (st == NULL)
		return;
	if (st->have_at)
		alias_table_free(&st->at);
	free(st->wlist);
	vu_domains_free(&st->vdom);
	if (st->have_vt)
		vtab_close(&st->vt);
	free(st->vtfile);
	tab_free(&st->mt);
	tab_free(&st->dt);
	tab_free(&st->ac);
	free(st->pw);
	buf_free(&st->pwarena);
	hset_free(&st->pwidx);
	hset_free(&st->gecos);
	free(st->pwfile);
	for (i = 0; i < st->nlists; i++) {
		for (j = 0; j < st->lists[i].n; j++)
			free(st->lists[i].chunks[j]);
		free(st->lists[i].chunks);
		free(st->lists[i].nchunk);
		free(st->lists[i].lines);
		free(st->lists[i].path);
	}
	free(st->lists);
	hset_free(&st->listidx);
	free(st->fwdmemo);
	hset_free(&st->vtdoms);
	hset_free(&st->nmidx);
	buf_free(&st->nmsrc);
	bufpool_free(&st->pool);
	hset_free(&st->acuser);
	hset_free(&st->acdom);
	hset_free(&st->aclocal);
	hset_free(&st->acdcache);
	free(st->acdv);
	hset_free(&st->wextra);
	buf_free(&st->wnames);
	hset_free(&st->hostcanon);
	buf_free(&st->hostarena);
	hset_free(&st->shells);
	free(st->root);
	free(st->queue_dir);
	free(st->defuser);
	diag_free(&st->own);
	free(st);
	r->st = NULL;
}

/* ---------------------------------------------------------------- lists */

/*
 * smres_list - the elements of a list file (a .forward, or an :include:
 * the alias table did not read), read the way sendmail's include() reads
 * it: one address list per line, '#' lines and empty lines skipped, each
 * line split with the aliases value splitter.  Cached by path.  The list,
 * or NULL with errno ENOMEM.
 */
const struct sm_list *smres_list(struct smres_st *st, const char *path)
{
	unsigned long idx;
	struct sm_list *l;
	buf line = BUF_INIT;
	lline lr;
	int fd, r;

	if (hset_get(&st->listidx, path, strlen(path), &idx) == 1)
		return &st->lists[idx];
	if (st->nlists == st->caplists) {
		size_t nc = st->caplists ? st->caplists * 2 : 16;
		struct sm_list *nv = realloc(st->lists, nc * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		st->lists = nv;
		st->caplists = nc;
	}
	l = &st->lists[st->nlists];
	memset(l, 0, sizeof(*l));
	l->path = xstrdup(path);
	if (l->path == NULL)
		return NULL;
	fd = sroot_open(st->rootfd, path, NULL);
	if (fd < 0) {
		if (errno == ENOMEM) {
			free(l->path);
			return NULL;
		}
		l->err = errno;
	} else {
		if (lline_fdopen(&lr, fd, 0) < 0) {
			close(fd);
			free(l->path);
			return NULL;
		}
		lr.maxlen = 1 << 20;
		while ((r = lline_next(&lr, &line)) > 0) {
			struct alias_elem *ev = NULL;
			size_t ne = 0;
			size_t n = line.len;

			if (n && line.s[n - 1] == '\r')
				n--;
			if (n == 0 || line.s[0] == '#')
				continue;
			if (aliases_split_opts(line.s, n, &st->ao, &ev, &ne) < 0)
				break;
			if (ne == 0) {
				free(ev);
				continue;
			}
			if ((l->n & 15) == 0) {
				struct alias_elem **c = realloc(l->chunks, (l->n + 16) * sizeof(*c));
				size_t *nn;
				unsigned long *ll;

				if (c == NULL) {
					free(ev);
					break;
				}
				l->chunks = c;
				nn = realloc(l->nchunk, (l->n + 16) * sizeof(*nn));
				if (nn == NULL) {
					free(ev);
					break;
				}
				l->nchunk = nn;
				ll = realloc(l->lines, (l->n + 16) * sizeof(*ll));
				if (ll == NULL) {
					free(ev);
					break;
				}
				l->lines = ll;
			}
			l->chunks[l->n] = ev;
			l->nchunk[l->n] = ne;
			l->lines[l->n] = lr.lineno;
			l->n++;
		}
		lline_close(&lr);
		close(fd);
		if (r > 0) {
			size_t j;

			for (j = 0; j < l->n; j++)
				free(l->chunks[j]);
			free(l->chunks);
			free(l->nchunk);
			free(l->lines);
			free(l->path);
			buf_free(&line);
			errno = ENOMEM;
			return NULL;
		}
		if (r < 0)
			l->err = errno ? errno : EIO;
	}
	buf_free(&line);
	if (hset_put(&st->listidx, path, strlen(path), st->nlists, NULL) < 0) {
		size_t j;

		for (j = 0; j < l->n; j++)
			free(l->chunks[j]);
		free(l->chunks);
		free(l->nchunk);
		free(l->lines);
		free(l->path);
		return NULL;
	}
	st->nlists++;
	return l;
}

/* smres_tab_get - the value of key in t: 1 (*val, *line), 0 absent */
int smres_tab_get(const struct sm_tab *t, const char *key, size_t klen, buf *tmp,
		  const char **val, unsigned long *line)
{
	unsigned long i;

	if (!t->present)
		return 0;
	if (buf_copy(tmp, key, klen) < 0)
		return -1;
	if (!t->nofold)
		lower(tmp->s, tmp->len);
	if (hset_get(&t->idx, tmp->s ? tmp->s : "", tmp->len, &i) != 1)
		return 0;
	*val = t->vals.s + t->v[i].off;
	*line = t->v[i].line;
	return 1;
}
