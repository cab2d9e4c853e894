/* migrate/migrate - the whole-host chain of s2q-migrate: stage, merge, report */
#include "migrate.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../emit/dotqmail.h"
#include "../emit/fwdqmail.h"
#include "../emit/pw2u.h"
#include "../parse/forward.h"
#include "../parse/passwd.h"
#include "../model/host.h"
#include "../parse/sendmailcf.h"
#include "../util/aw.h"
#include "../util/cdbw.h"
#include "../util/hset.h"
#include "../util/keyidx.h"
#include "../util/lline.h"
#include "../util/mfile.h"
#include "../util/sroot.h"
#include "mjson.h"
#include "spawn.h"

const char *mig_status_name(enum mig_status s)
{
	switch (s) {
	case MIG_OK: return "ok";
	case MIG_SKIPPED: return "skipped";
	case MIG_REFUSED: return "refused";
	case MIG_FAILED: return "failed";
	case MIG_NOT_DONE: return "not_done";
	}
	return "?";
}

void mig_result_init(struct mig_result *r)
{
	memset(r, 0, sizeof(*r));
}

void mig_files_free(struct mig_file *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i].rel);
	free(f);
}

static void step_free(struct mig_step *s)
{
	free(s->reason);
	buf_free(&s->counts);
	diag_free(&s->d);
}

void mig_result_free(struct mig_result *r)
{
	size_t i;

	for (i = 0; i < r->nsteps; i++)
		step_free(&r->step[i]);
	free(r->reason);
	mig_files_free(r->files, r->nfiles);
	memset(r, 0, sizeof(*r));
}

/* ---- the context of one run ---- */

struct ctx {
	const struct mig_opts *o;
	struct mig_result *r;
	int rootfd;		/* SENDMAIL_ROOT */
	int treefd;		/* work/tree */
	int reusefd;		/* o->reuse, or -1 */
	buf tree, tmp;		/* work/tree, work/tmp */
	const char *qh;		/* "var/qmail" */
	struct host h;
	int have_host;
	buf passwd;		/* the passwd's real path, or empty */
	const char *passwd_shown;
	/* child file names -> old host names */
	struct pmap { char *from, *to; } *pm;
	size_t npm;
	char **notlocal;	/* from s2q-virtusers */
	size_t nnotlocal;
	struct hset excluded;	/* virtual domains left out by the filters */
	pcre2_code *only, *excl;
	pcre2_match_data *md;
	/* s2q-virtusers' users/assign fragment, read before s2q-aliases is waited for */
	struct vfrag {
		int state;		/* 0 not read (yet), 1 read, 2 absent */
		struct mfile frag;	/* mapped: no copy of its ~73 MB, no page faults on one */
		struct keyidx kx;	/* each line's key: hash and offset */
		size_t nk;		/* lines */
		int plain;		/* every line ends with a newline, none is empty */
		size_t *dups;		/* offsets of lines whose key an earlier line has */
		size_t ndups;
	} vf;
	/*
	 * steps run while s2q-aliases still runs that come after it in the
	 * report (rcpthosts, forward): kept here until their turn (step_new)
	 */
	struct mig_step early[2];
	size_t nearly;
	int defer;
	/* s2q-newu run ahead on --reuse's users/assign (spec_newu_start) */
	struct spec {
		int running;
		struct spawn_job job;
		buf root;	/* work/tmp/newu: its -d is root/<qh> */
		int nice;	/* s2q-migrate's own nice value (the child's is higher) */
	} spec;
};

static struct mig_step *step_new(struct ctx *c, const char *name, const char *program)
{
	struct mig_step *s = c->defer ? &c->early[c->nearly++] : &c->r->step[c->r->nsteps++];

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->program = program;
	s->rc = -1;
	diag_init(&s->d);
	return s;
}

static int step_reason(struct mig_step *s, enum mig_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int step_reason(struct mig_step *s, enum mig_status st, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0 || buf_cstr(&b) == NULL) {
		buf_free(&b);
		return -1;
	}
	free(s->reason);
	s->reason = b.s;
	s->status = st;
	return 0;
}

static int pm_add(struct ctx *c, const char *from, const char *to)
{
	struct pmap *n = realloc(c->pm, (c->npm + 1) * sizeof(*n));

	if (n == NULL)
		return -1;
	c->pm = n;
	n[c->npm].from = strdup(from);
	n[c->npm].to = strdup(to);
	if (n[c->npm].from == NULL || n[c->npm].to == NULL) {
		free(n[c->npm].from);
		free(n[c->npm].to);
		return -1;
	}
	c->npm++;
	return 0;
}

/*
 * staged_len - the length of the staging tree's name at the start of p, or
 * of the run ahead's tree's (spec_newu_start), which stands for it in what
 * that run prints; 0 when p starts with neither
 */
static size_t staged_len(const struct ctx *c, const char *p)
{
	if (strncmp(p, c->tree.s, c->tree.len) == 0)
		return c->tree.len;
	if (c->spec.root.len && strncmp(p, c->spec.root.s, c->spec.root.len) == 0)
		return c->spec.root.len;
	return 0;
}

/* the old host's name for a file a child named: mapped, or the root's prefix cut */
static const char *shown_name(const struct ctx *c, const char *f, buf *tmp)
{
	size_t i, rl = strlen(c->o->from), tl;

	if (f == NULL)
		return NULL;
	for (i = 0; i < c->npm; i++)
		if (strcmp(f, c->pm[i].from) == 0)
			return c->pm[i].to;
	if (strncmp(f, c->o->from, rl) == 0 && f[rl] == '/')
		return f + rl;
	tl = staged_len(c, f);
	if (tl && f[tl] == '/') {
		buf_reset(tmp);
		if (buf_printf(tmp, "(staged) %s", f + tl + 1) < 0 || !buf_cstr(tmp))
			return f;
		return tmp->s;
	}
	return f;
}

/* ---- children ---- */

struct argv {
	char **v;
	size_t n, cap;
	int oom;
};

static void av_add(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void av_add(struct argv *a, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;

	if (a->n + 2 > a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 16;
		char **nv = realloc(a->v, nc * sizeof(*nv));

		if (nv == NULL) {
			a->oom = 1;
			return;
		}
		a->v = nv;
		a->cap = nc;
	}
	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) < 0 || buf_cstr(&b) == NULL) {
		a->oom = 1;
		buf_free(&b);
		va_end(ap);
		return;
	}
	va_end(ap);
	a->v[a->n++] = b.s;
	a->v[a->n] = NULL;
}

static void av_free(struct argv *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static enum diag_sev sev_of(const char *s)
{
	if (s && strcmp(s, "error") == 0)
		return DIAG_ERROR;
	if (s && strcmp(s, "warning") == 0)
		return DIAG_WARN;
	return DIAG_NOTE;
}

/*
 * scrub - a child's message with the private paths taken out: the root's
 * prefix ("/srv/old/etc/passwd" -> "/etc/passwd") and the staging tree's
 */
static const char *scrub(const struct ctx *c, const char *m, buf *out)
{
	size_t rl = strlen(c->o->from), tl;
	const char *p = m, *q;
	/* the bytes a name to take out can start with ('\0': none) */
	char f0 = rl > 1 ? c->o->from[0] : '\0', t0 = c->tree.len ? c->tree.s[0] : '\0',
	     s0 = c->spec.root.len ? c->spec.root.s[0] : '\0';

	buf_reset(out);
	while (*p) {
		/* a run where no name starts: copied at once */
		for (q = p; *q && *q != f0 && *q != t0 && *q != s0; q++)
			;
		if (q > p) {
			if (buf_append(out, p, (size_t)(q - p)) < 0)
				return m;
			p = q;
			continue;
		}
		if (rl > 1 && strncmp(p, c->o->from, rl) == 0 && p[rl] == '/') {
			p += rl;
			continue;
		}
		tl = staged_len(c, p);
		if (tl && p[tl] == '/') {
			p += tl + 1;
			continue;
		}
		if (tl) {
			if (buf_append_s(out, "(the staged tree)") < 0)
				return m;
			p += tl;
			continue;
		}
		if (buf_append_c(out, *p++) < 0)
			return m;
	}
	return buf_cstr(out) ? out->s : m;
}

/* import a child's JSON report into the step */
static int import(struct ctx *c, struct mig_step *s, const struct mj *j)
{
	const struct mj *dg = mj_get(j, "diagnostics");
	buf tmp = BUF_INIT, sc = BUF_INIT;
	size_t i;

	for (i = 0; j->t == MJ_OBJ && i < j->n; i++) {
		const char *k = j->keys[i];

		if (j->v[i].t != MJ_NUM || strcmp(k, "errors") == 0 || strcmp(k, "warnings") == 0 ||
		    strcmp(k, "notes") == 0)
			continue;
		if ((s->counts.len && buf_append_c(&s->counts, ',') < 0) ||
		    json_str(&s->counts, k, strlen(k)) < 0 ||
		    buf_printf(&s->counts, ":%s", j->v[i].s) < 0)
			goto oom;
	}
	for (i = 0; dg && dg->t == MJ_ARR && i < dg->n; i++) {
		const struct mj *g = &dg->v[i];
		const char *code = mj_str(g, "code"), *msg = mj_str(g, "message");

		if (diag_add(&s->d, sev_of(mj_str(g, "severity")), code ? code : "S2Q-Z000",
			     shown_name(c, mj_str(g, "file"), &tmp), mj_ulong(g, "line", 0), "%s",
			     msg ? scrub(c, msg, &sc) : "") < 0)
			goto oom;
	}
	buf_free(&tmp);
	buf_free(&sc);
	return 0;
oom:
	buf_free(&tmp);
	buf_free(&sc);
	errno = ENOMEM;
	return -1;
}

/* the last non-empty line of a child's stderr, for a reason */
static int last_line(const buf *e, buf *out)
{
	size_t end = e->len, st;

	while (end > 0 && (e->s[end - 1] == '\n' || e->s[end - 1] == '\r'))
		end--;
	st = end;
	while (st > 0 && e->s[st - 1] != '\n')
		st--;
	return buf_copy(out, e->s + st, end - st) < 0 || buf_cstr(out) == NULL ? -1 : 0;
}

/*
 * run - run program with argv, import its report; *j keeps the parsed
 * report for the caller (mj_free it).  0, or -1 ENOMEM.
 */
static int run_tail(struct ctx *c, struct mig_step *s, struct argv *a, struct mj *j, size_t tail);

static int run(struct ctx *c, struct mig_step *s, struct argv *a, struct mj *j)
{
	return run_tail(c, s, a, j, 0);
}

/*
 * with tail > 0 only the end of the child's stdout is kept and the object
 * after its last "summary": is parsed (s2q-route's report can be gigabytes)
 */
static int run_done(struct ctx *c, struct mig_step *s, int rc, buf *pathp, buf *outp, buf *errp,
		    struct mj *j, size_t tail);

static int run_tail(struct ctx *c, struct mig_step *s, struct argv *a, struct mj *j, size_t tail)
{
	buf path = BUF_INIT, out = BUF_INIT, err = BUF_INIT;

	memset(j, 0, sizeof(*j));	/* also when it cannot run: callers free it */
	if (a->oom || buf_printf(&path, "%s/%s", c->o->bindir, s->program) < 0 || !buf_cstr(&path)) {
		buf_free(&path);
		errno = ENOMEM;
		return -1;
	}
	return run_done(c, s, spawn_run_tail(path.s, a->v, &out, tail, &err), &path, &out, &err, j, tail);
}

/*
 * A step whose child runs while the steps before it run theirs (their
 * inputs and output files are disjoint, each stages in its own directory):
 * run_start starts it, run_finish waits for it and imports its report as
 * run() does.  A job that could not start is reported by run_finish.
 */
struct bgrun {
	struct spawn_job job;
	buf path;
	int started, err;
};

static int run_start(struct ctx *c, struct mig_step *s, struct argv *a, struct bgrun *b)
{
	int dfd;

	memset(b, 0, sizeof(*b));
	if (a->oom || buf_printf(&b->path, "%s/%s", c->o->bindir, s->program) < 0 || !buf_cstr(&b->path))
		goto oom;
	dfd = open(c->tmp.s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || spawn_start(b->path.s, a->v, dfd, &b->job) < 0) {
		b->err = errno;
		if (b->err == ENOMEM) {
			if (dfd >= 0)
				close(dfd);
			goto oom;
		}
	} else {
		b->started = 1;
	}
	if (dfd >= 0)
		close(dfd);
	return 0;
oom:
	buf_free(&b->path);
	errno = ENOMEM;
	return -1;
}

static int run_finish(struct ctx *c, struct mig_step *s, struct bgrun *b, struct mj *j)
{
	buf out = BUF_INIT, err = BUF_INIT;
	int rc;

	if (b->started) {
		rc = spawn_finish(&b->job, &out, 0, &err);
		b->started = 0;
	} else {
		rc = -1;
		errno = b->err;
	}
	return run_done(c, s, rc, &b->path, &out, &err, j, 0);
}

/* import what the child printed; frees *pathp, *outp, *errp */
static int run_done(struct ctx *c, struct mig_step *s, int rc, buf *pathp, buf *outp, buf *errp,
		    struct mj *j, size_t tail)
{
	buf path = *pathp, out = *outp, err = *errp, ll = BUF_INIT;
	int ok = 0;
	size_t at;

	memset(j, 0, sizeof(*j));
	*pathp = *outp = *errp = (buf)BUF_INIT;
	if (rc < 0) {
		if (errno == ENOMEM)
			goto oom;
		if (step_reason(s, MIG_FAILED, "unable to run %s: %s", path.s, strerror(errno)) < 0)
			goto oom;
		goto done;
	}
	s->rc = rc;
	if (tail && out.len) {
		/* {"summary":{...}} made of the last "summary": object */
		const char *k = NULL, *e;
		buf w = BUF_INIT;
		size_t q;

		for (q = out.len; q >= 11 && k == NULL; q--)
			if (memcmp(out.s + q - 11, "\"summary\":{", 11) == 0)
				k = out.s + q - 11;
		if (k && (e = memchr(k, '}', out.len - (size_t)(k - out.s))) != NULL) {
			if (buf_append_c(&w, '{') < 0 || buf_append(&w, k, (size_t)(e - k) + 1) < 0 ||
			    buf_append_c(&w, '}') < 0) {
				buf_free(&w);
				goto oom;
			}
			buf_reset(&out);
			if (buf_append(&out, w.s, w.len) < 0) {
				buf_free(&w);
				goto oom;
			}
		} else {
			buf_reset(&out);
		}
		buf_free(&w);
	}
	if (out.len && mj_parse(j, out.s, out.len, &at) == 0) {
		ok = 1;
		if (import(c, s, j) < 0)
			goto oom;
	} else if (errno == ENOMEM && out.len) {
		goto oom;
	}
	if (rc == 0 && ok) {
		s->status = MIG_OK;
	} else {
		enum mig_status st = rc == 100 ? MIG_REFUSED : MIG_FAILED;

		if (last_line(&err, &ll) < 0)
			goto oom;
		{
			buf sc = BUF_INIT;
			const char *t = scrub(c, ll.s ? ll.s : "", &sc);

			if (t != ll.s && buf_copy(&ll, t, strlen(t)) < 0) {
				buf_free(&sc);
				goto oom;
			}
			buf_free(&sc);
			if (!buf_cstr(&ll))
				goto oom;
		}
		if (s->d.nerr && rc == 100) {
			if (step_reason(s, st, "%zu input error%s (see the diagnostics)", s->d.nerr,
					s->d.nerr == 1 ? "" : "s") < 0)
				goto oom;
		} else if (step_reason(s, st, "%s exited %d%s%s", s->program, rc, ll.len ? ": " : "",
				       ll.len ? ll.s : "") < 0)
			goto oom;
	}
done:
	buf_free(&path);
	buf_free(&out);
	buf_free(&err);
	buf_free(&ll);
	return 0;
oom:
	buf_free(&path);
	buf_free(&out);
	buf_free(&err);
	buf_free(&ll);
	mj_free(j);
	errno = ENOMEM;
	return -1;
}

/* ---- domain filters ---- */

static void lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* 1 when the (lower-case) virtual domain d[0..n) is to be migrated */
static int domain_in(const struct ctx *c, const char *d, size_t n)
{
	if (c->only && pcre2_match(c->only, (PCRE2_SPTR)d, n, 0, 0, c->md, NULL) < 0)
		return 0;
	if (c->excl && pcre2_match(c->excl, (PCRE2_SPTR)d, n, 0, 0, c->md, NULL) >= 0)
		return 0;
	return 1;
}

static int compile(const char *pat, pcre2_code **out, buf *why)
{
	int e;
	PCRE2_SIZE off;

	*out = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &e, &off, NULL);
	if (*out == NULL) {
		PCRE2_UCHAR m[256];

		pcre2_get_error_message(e, m, sizeof(m));
		buf_printf(why, "bad pattern '%s' at offset %zu: %s", pat, (size_t)off, (char *)m);
		return -1;
	}
	return 0;
}

/*
 * The virtusertable text source, copied to work/tmp/virtusertable with the
 * lines of excluded domains blanked (line numbers stay; only called with
 * domain filters).  1 written (*path), 0 no domain left out, -1 error.
 */
static int filter_virtusers(struct ctx *c, struct mig_step *s, const char *src, buf *path)
{
	buf real = BUF_INIT, line = BUF_INIT, out = BUF_INIT, dom = BUF_INIT;
	lline lr;
	int fd, r, changed = 0, ret = -1;
	unsigned long ln = 0;

	fd = sroot_open(c->rootfd, src, &real);
	if (fd < 0)
		return 0;	/* s2q-virtusers reports it */
	if (lline_fdopen(&lr, fd, 0) < 0) {
		close(fd);
		return -1;
	}
	while ((r = lline_next(&lr, &line)) > 0) {
		size_t k = 0, at;
		int keep = 1;

		ln++;
		while (k < line.len && line.s[k] != ' ' && line.s[k] != '\t')
			k++;
		if (line.len && line.s[0] != '#') {
			for (at = k; at > 0 && line.s[at - 1] != '@'; at--)
				;
			if (at > 0 && at < k) {
				if (buf_copy(&dom, line.s + at, k - at) < 0 || !buf_cstr(&dom))
					goto out;
				lower(dom.s, dom.len);
				if (!domain_in(c, dom.s, dom.len)) {
					keep = 0;
					changed = 1;
					if (diag_add(&s->d, DIAG_NOTE, "S2Q-G021", src, ln,
						     "%.*s: domain %s is left out by the domain "
						     "filters: its mail stays with the old host",
						     (int)k, line.s, dom.s) < 0)
						goto out;
					if (hset_put(&c->excluded, dom.s, dom.len, ln, NULL) < 0)
						goto out;
				}
			}
		}
		/* the copy is only written when a filter left a domain out */
		if (keep && buf_append(&out, line.s, line.len) < 0)
			goto out;
		if (buf_append_c(&out, '\n') < 0)
			goto out;
	}
	if (r < 0)
		goto out;
	ret = 0;
	if (changed) {
		int tfd = open(c->tmp.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (tfd < 0 || aw_file(tfd, "virtusertable", 0644, 0, out.s, out.len) < 0) {
			if (tfd >= 0)
				close(tfd);
			ret = -1;
			goto out;
		}
		close(tfd);
		buf_reset(path);
		if (buf_printf(path, "%s/virtusertable", c->tmp.s) < 0 || !buf_cstr(path) ||
		    pm_add(c, path->s, src) < 0) {
			ret = -1;
			goto out;
		}
		ret = 1;
	}
out:
	lline_close(&lr);
	close(fd);
	buf_free(&real);
	buf_free(&line);
	buf_free(&out);
	buf_free(&dom);
	return ret;
}

/* ---- steps ---- */

static void common_root(struct ctx *c, struct argv *a)
{
	av_add(a, "--root");
	av_add(a, "%s", c->o->from);
	if (c->o->cf) {
		av_add(a, "-C");
		av_add(a, "%s", c->o->cf);
	}
	if (c->o->hostname) {
		av_add(a, "--hostname");
		av_add(a, "%s", c->o->hostname);
	}
}

/* --reuse: the output tree (its directory sub for s2q-newu's QMAILHOME) */
static void reuse_arg(struct ctx *c, struct argv *a, const char *sub)
{
	if (c->reusefd < 0)
		return;
	/* the child opens the path as given: only one that is there without a symlink */
	if (sub[0]) {
		int fd = aw_opendir(c->reusefd, sub, 0);

		if (fd < 0)
			return;
		close(fd);
	}
	av_add(a, "--reuse");
	av_add(a, "%s%s%s", c->o->reuse, sub[0] ? "/" : "", sub);
}

/* tree_file - a whole file into the staged tree (linked from o->reuse when the same there) */
static int tree_file(struct ctx *c, const char *rel, const void *p, size_t n)
{
	struct aw w;

	/* compared before anything is written */
	switch (c->reusefd < 0 ? 0 : aw_link_same(c->reusefd, rel, c->treefd, rel, 0644, p, n)) {
	case -1:
		return -1;
	case 1:
		return 0;
	}
	if (aw_open(&w, c->treefd, rel, 0644, AW_MKDIRS) < 0)
		return -1;
	if (aw_write(&w, p, n) < 0) {
		aw_abort(&w);
		return -1;
	}
	return aw_commit(&w);
}

static void alias_ids(struct ctx *c, struct argv *a)
{
	if (c->o->alias_user) {
		av_add(a, "--alias-user");
		av_add(a, "%s", c->o->alias_user);
	}
	if (c->o->alias_uid) {
		av_add(a, "--alias-uid");
		av_add(a, "%lu", c->o->alias_uid);
		av_add(a, "--alias-gid");
		av_add(a, "%lu", c->o->alias_gid);
	}
}

/* the AliasFile entries s2q-aliases can read: absolute paths of text sources */
static int alias_files(struct ctx *c, struct mig_step *s, struct argv *a, int paths)
{
	size_t i;

	for (i = 0; c->have_host && i < c->h.naliasfiles; i++) {
		const struct host_aliasfile *f = &c->h.aliasfiles[i];
		const char *mc = f->mclass;

		if (strcmp(mc, "implicit") != 0 && strcmp(mc, "hash") != 0 &&
		    strcmp(mc, "btree") != 0 && strcmp(mc, "dbm") != 0 && strcmp(mc, "text") != 0) {
			if (s && diag_add(&s->d, DIAG_WARN, "S2Q-G002", f->file, f->line,
					  "AliasFile %s:%s: s2q reads only local alias files; this "
					  "one is not converted", mc, f->spec) < 0)
				return -1;
			continue;
		}
		if (f->spec[0] != '/') {
			if (s && diag_add(&s->d, DIAG_WARN, "S2Q-G002", f->file, f->line,
					  "AliasFile %s is not an absolute path; not converted",
					  f->spec) < 0)
				return -1;
			continue;
		}
		{
			buf real = BUF_INIT, full = BUF_INIT;
			int fd = sroot_open(c->rootfd, f->spec, &real);

			if (fd < 0) {
				/* let the child say it: it gets the path below the root */
				if (buf_printf(&full, "%s%s", c->o->from, f->spec) < 0 || !buf_cstr(&full))
					return -1;
			} else {
				close(fd);
				if (buf_printf(&full, "%s%s", c->o->from, real.s) < 0 || !buf_cstr(&full))
					return -1;
			}
			if (pm_add(c, full.s, f->spec) < 0)
				return -1;
			if (!paths)
				av_add(a, "--aliases");
			av_add(a, "%s", full.s);
			buf_free(&real);
			buf_free(&full);
		}
	}
	return 0;
}

static int step_virtusers(struct ctx *c, struct mig_step *s)
{
	const struct host_map *m = c->have_host ? host_map_get(&c->h, "virtuser") : NULL;
	const struct host_class *vh = c->have_host ? host_class_get(&c->h, "VirtHost") : NULL;
	struct argv a = { 0 };
	struct mj j;
	buf filtered = BUF_INIT, tmp = BUF_INIT;
	size_t i;
	int fr = 0;

	for (i = 0; vh && i < vh->n; i++) {
		if (buf_copy(&tmp, vh->v[i].word, strlen(vh->v[i].word)) < 0 || !buf_cstr(&tmp))
			goto oom;
		lower(tmp.s, tmp.len);
		if (!domain_in(c, tmp.s, tmp.len) && hset_put(&c->excluded, tmp.s, tmp.len, 0, NULL) < 0)
			goto oom;
	}
	if (!c->have_host || m == NULL || !c->h.feature[HF_VIRTUSERTABLE]) {
		if (step_reason(s, MIG_SKIPPED, "the cf has no virtusertable") < 0)
			goto oom;
		buf_free(&tmp);
		return 0;
	}
	/* without domain filters s2q-virtusers reads the table itself: nothing to do here */
	if (m->source && (c->only || c->excl)) {
		fr = filter_virtusers(c, s, m->source, &filtered);
		if (fr < 0)
			goto oom;
	}
	av_add(&a, "s2q-virtusers");
	av_add(&a, "--json");
	common_root(c, &a);
	if (c->passwd.len) {
		av_add(&a, "--passwd");
		av_add(&a, "%s", c->passwd.s);
	}
	if (alias_files(c, NULL, &a, 0) < 0)
		goto oom;
	alias_ids(c, &a);
	reuse_arg(c, &a, "");
	av_add(&a, "-o");
	av_add(&a, "%s", c->tree.s);
	if (fr == 1)
		av_add(&a, "%s", filtered.s);
	if (run(c, s, &a, &j) < 0)
		goto oom;
	{
		const struct mj *nl = mj_get(&j, "not_local");

		for (i = 0; nl && nl->t == MJ_ARR && i < nl->n; i++)
			if (nl->v[i].t == MJ_STR) {
				char **nv = realloc(c->notlocal, (c->nnotlocal + 1) * sizeof(*nv));

				if (nv == NULL || (nv[c->nnotlocal] = strdup(nl->v[i].s)) == NULL) {
					if (nv)
						c->notlocal = nv;
					mj_free(&j);
					goto oom;
				}
				c->notlocal = nv;
				c->nnotlocal++;
			}
	}
	mj_free(&j);
	av_free(&a);
	buf_free(&filtered);
	buf_free(&tmp);
	return 0;
oom:
	av_free(&a);
	buf_free(&filtered);
	buf_free(&tmp);
	errno = ENOMEM;
	return -1;
}

/* step_cf - s2q-cf started (run_start; *b for step_cf_done); 0, or -1 ENOMEM */
static int step_cf(struct ctx *c, struct mig_step *s, struct bgrun *b)
{
	struct argv a = { 0 };
	size_t i;

	av_add(&a, "s2q-cf");
	av_add(&a, "--json");
	common_root(c, &a);
	if (c->o->rcpthosts_max) {
		av_add(&a, "--rcpthosts-max");
		av_add(&a, "%lu", c->o->rcpthosts_max);
	}
	/* the class-w domains s2q-virtusers moved to virtualdomains, in its order */
	for (i = 0; i < c->nnotlocal; i++) {
		av_add(&a, "--not-local");
		av_add(&a, "%s", c->notlocal[i]);
	}
	reuse_arg(c, &a, "");
	av_add(&a, "-o");
	av_add(&a, "%s", c->tree.s);
	if (run_start(c, s, &a, b) < 0)
		goto oom;
	av_free(&a);
	return 0;
oom:
	av_free(&a);
	errno = ENOMEM;
	return -1;
}

/* step_cf_done - wait for the s2q-cf step_cf started and take its report; 0, or -1 ENOMEM */
static int step_cf_done(struct ctx *c, struct mig_step *s, struct bgrun *b)
{
	struct mj j;

	if (run_finish(c, s, b, &j) < 0)
		return -1;
	mj_free(&j);
	return 0;
}

/* w_other - a class w word that names this host besides me, as a plain domain
   (not [literal], nothing an argument or a local_domains entry cannot hold) */
static int w_other(const char *word, const char *me)
{
	return word[0] != '[' && strcmp(word, me) != 0 && strpbrk(word, "@ \t\n:") == NULL;
}

/*
 * aliases_argv - the aliases step's command line: 1 with it in *a, 0 when
 * the step has nothing to run (its reason set), -1 ENOMEM
 */
static int aliases_argv(struct ctx *c, struct mig_step *s, struct argv *a)
{
	const struct host_class *w = c->have_host ? host_class_get(&c->h, "w") : NULL;
	const char *me = NULL;
	size_t i, before;

	if (c->have_host && c->h.j && strchr(c->h.j, '.'))
		me = c->h.j;
	else if (c->o->hostname && strchr(c->o->hostname, '.'))
		me = c->o->hostname;
	if (!c->have_host || c->h.naliasfiles == 0)
		return step_reason(s, MIG_SKIPPED, c->have_host ? "the cf names no alias file"
				   : "the cf could not be read");
	if (me == NULL)
		return step_reason(s, MIG_REFUSED, "the host's name ($j) has no dot: give --hostname FQDN");
	av_add(a, "s2q-aliases");
	av_add(a, "--json");
	av_add(a, "--me");
	av_add(a, "%s", me);
	for (i = 0; w && i < w->n; i++)
		if (w_other(w->v[i].word, me)) {
			av_add(a, "-w");
			av_add(a, "%s", w->v[i].word);
		}
	av_add(a, "--root");
	av_add(a, "%s", c->o->from);
	if (c->passwd.len) {
		av_add(a, "--passwd");
		av_add(a, "%s", c->passwd.s);
	}
	if (c->h.luser_relay.raw && c->h.luser_relay.raw[0]) {
		av_add(a, "--luser-relay");
		av_add(a, "%s", c->h.luser_relay.raw);
	}
	if (c->h.feature[HF_REDIRECT])
		av_add(a, "--redirect");
	/* preserve_local_plus_detail: ruleset 5 has no +detail fallback, the
	   local mailer looks up user+detail whole (User unknown) */
	if (c->h.feature[HF_PRESERVE_LOCAL_PLUS_DETAIL])
		av_add(a, "--no-plus");
	/* MatchGECOS: full names become aliases of the logins */
	if (c->passwd.len && host_option_bool(&c->h, "MatchGECOS"))
		av_add(a, "--match-gecos");
	{
		const struct host_option *mr = host_option_last(&c->h, "MaxAliasRecursion");
		unsigned long v;

		if (mr && mr->value && mr->value[0] >= '1' && mr->value[0] <= '9' &&
		    (v = strtoul(mr->value, NULL, 10)) != 10) {
			av_add(a, "--max-alias-recursion");
			av_add(a, "%lu", v);
		}
	}
	/* BlankSub: what an unquoted blank in an alias name becomes */
	if (c->h.blanksub != ' ' && c->h.blanksub != '.' && c->h.blanksub != '\0') {
		av_add(a, "--blank-sub");
		av_add(a, "%c", c->h.blanksub);
	}
	alias_ids(c, a);
	reuse_arg(c, a, "");
	av_add(a, "--fresh");	/* the staging tree is ours: its files are put in place at once */
	av_add(a, "-o");
	av_add(a, "%s", c->tree.s);
	before = a->n;
	if (alias_files(c, s, a, 1) < 0)
		return -1;
	if (a->n == before)
		return step_reason(s, MIG_SKIPPED, "no alias file s2q can read");
	return 1;
}

/* read treefd/rel whole: 1 read, 0 absent, -1 error */
static int read_rel(int dirfd, const char *rel, buf *out)
{
	char tmp[65536];
	int fd = openat(dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	buf_reset(out);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	/* room for the whole file first (a 1M-line fragment grew by doubling: copies, faults) */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && buf_ready(out, (size_t)st.st_size) < 0) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (buf_append(out, tmp, (size_t)n) < 0) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 1;
}

/*
 * stat a home directory below the old host's root, never leaving it.  The
 * directory of the last home (its components before the last one, each
 * looked up as below) is kept open: the homes of a big passwd share a few
 * parents (/home), and a home there is then one fstatat, not a walk from
 * the root (10,000 accounts: 60,000 system calls)
 */
struct homectx {
	int rootfd;
	int symlink;		/* the last home was (or went through) a symlink */
	int dirfd;		/* the directory kept, or -1 */
	size_t dirlen;
	char dir[PATH_MAX];	/* its components, each followed by a '/' */
};

static void homectx_init(struct homectx *hc, int rootfd)
{
	hc->rootfd = rootfd;
	hc->symlink = 0;
	hc->dirfd = -1;
	hc->dirlen = 0;
}

static void homectx_free(struct homectx *hc)
{
	if (hc->dirfd >= 0)
		close(hc->dirfd);
	hc->dirfd = -1;
}

/* a component of a home: not longer than NAME_MAX, not ".." */
static int comp_ok(const char *p, size_t n)
{
	return n <= NAME_MAX && !(n == 2 && p[0] == '.' && p[1] == '.');
}

/*
 * the last component of home (*last, *lastn) when its other components are
 * those of the directory kept: 1, else 0
 */
static int home_in_dir(const struct homectx *hc, const char *home, const char **last, size_t *lastn)
{
	const char *p = home, *e;
	size_t k = 0;

	if (hc->dirfd < 0)
		return 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			return 0;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (!comp_ok(p, (size_t)(e - p)))
			return 0;
		{
			const char *q = e;

			while (*q == '/')
				q++;
			if (*q == '\0') {
				*last = p;
				*lastn = (size_t)(e - p);
				return k == hc->dirlen;
			}
		}
		if (k + (size_t)(e - p) + 1 > hc->dirlen || memcmp(hc->dir + k, p, (size_t)(e - p)) != 0 ||
		    hc->dir[k + (size_t)(e - p)] != '/')
			return 0;
		k += (size_t)(e - p) + 1;
		p = e;
	}
}

static int root_stat(void *vctx, const char *home, unsigned long *uid)
{
	struct homectx *hc = vctx;
	struct stat st;
	const char *p = home, *e, *last;
	int fd, nfd, keep, lastc;
	size_t lastn, dl = 0;
	char comp[NAME_MAX + 1], dir[PATH_MAX];

	hc->symlink = 0;
	if (home[0] != '/') {
		errno = ENOENT;
		return -1;
	}
	if (home_in_dir(hc, home, &last, &lastn)) {
		memcpy(comp, last, lastn);
		comp[lastn] = '\0';
		if (fstatat(hc->dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		if (S_ISLNK(st.st_mode)) {
			hc->symlink = 1;
			errno = ENOENT;
			return -1;
		}
		*uid = (unsigned long)st.st_uid;
		return 0;
	}
	fd = dup(hc->rootfd);
	if (fd < 0)
		return -1;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0') {
			nfd = fstat(fd, &st);
			close(fd);
			if (nfd < 0)
				return -1;
			*uid = (unsigned long)st.st_uid;
			return 0;
		}
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (!comp_ok(p, (size_t)(e - p))) {
			close(fd);
			errno = ENOENT;
			return -1;
		}
		memcpy(comp, p, (size_t)(e - p));
		comp[e - p] = '\0';
		p = e;
		while (*p == '/')
			p++;
		/* the last component: fd, its directory, is kept for the next home */
		lastc = *p == '\0';
		keep = lastc && dl < sizeof(dir);
		if (keep) {
			if (hc->dirfd >= 0)
				close(hc->dirfd);
			hc->dirfd = fd;
			memcpy(hc->dir, dir, dl);
			hc->dirlen = dl;
		}
		if (fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			int er = errno;

			if (!keep)
				close(fd);
			errno = er;
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			if (!keep)
				close(fd);
			hc->symlink = 1;
			errno = ENOENT;
			return -1;
		}
		if (lastc) {
			if (!keep)
				close(fd);
			*uid = (unsigned long)st.st_uid;
			return 0;
		}
		/* (a directory too deep to keep: the next home walks from the root) */
		if (dl + strlen(comp) + 1 < sizeof(dir)) {
			memcpy(dir + dl, comp, strlen(comp));
			dl += strlen(comp);
			dir[dl++] = '/';
		} else {
			dl = sizeof(dir);
		}
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (nfd < 0)
			return -1;
		fd = nfd;
	}
}

/* the users/assign key of a line: type byte + lower-cased address */
static int assign_key(const char *l, size_t n, buf *k)
{
	const char *c = memchr(l, ':', n);
	size_t an = c ? (size_t)(c - l) : n;

	if (buf_copy(k, l, an) < 0)
		return -1;
	if (k->len && k->s[0] != '+')
		k->s[0] = '=';
	lower(k->s, k->len);
	return 0;
}

static size_t count_lines(const char *p, size_t n)
{
	const char *e = p + n, *nl;
	size_t k = 0;

	for (; p < e; p = nl + 1, k++)
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			return k + 1;
	return k;
}

/* a line of users/assign kept (appended to out) or left out (shadowed: noted) */
static int take_line(int shadow, const char *l, size_t n, buf *out, const char *origin,
		     struct mig_step *s, unsigned long *lines, unsigned long *shadowed)
{
	if (shadow) {
		(*shadowed)++;
		return diag_add(&s->d, DIAG_NOTE, "S2Q-G011", NULL, 0,
				"users/assign: %.*s from %s is left out: the same address comes "
				"earlier (an alias or virtual-domain line wins, as sendmail's alias "
				"won over the login)", (int)n, l, origin);
	}
	if (buf_append(out, l, n) < 0 || buf_append_c(out, '\n') < 0)
		return -1;
	(*lines)++;
	return 0;
}

static int vfrag_has(const struct vfrag *v, const char *k, size_t kn, buf *tmp);

/*
 * append the lines of p[0..n) not seen yet (nor in also, when not NULL);
 * shadowed ones counted
 */
static int merge_lines(struct hset *seen, const struct vfrag *also, const char *p, size_t n,
		       buf *out, const char *origin, struct mig_step *s, unsigned long *lines,
		       unsigned long *shadowed)
{
	buf k = BUF_INIT, tmp = BUF_INIT;
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) : n;
		int r = 0;

		if (e > i) {
			if (assign_key(p + i, e - i, &k) < 0)
				goto oom;
			if (also && (r = vfrag_has(also, k.s, k.len, &tmp)) < 0)
				goto oom;
			if (r == 0)
				r = hset_put(seen, k.s, k.len, 1, NULL);
			else
				r = 0;	/* in also: left out */
			if (r < 0 || take_line(r == 0, p + i, e - i, out, origin, s, lines, shadowed) < 0)
				goto oom;
		}
		i = e + 1;
	}
	buf_free(&k);
	buf_free(&tmp);
	return 0;
oom:
	buf_free(&k);
	buf_free(&tmp);
	return -1;
}

static void vfrag_free(struct vfrag *v)
{
	mfile_close(&v->frag);
	keyidx_free(&v->kx);
	free(v->dups);
	memset(v, 0, sizeof(*v));
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* the line of the fragment at off, without its newline */
static size_t line_at(const struct vfrag *v, size_t off)
{
	const char *nl = memchr(v->frag.p + off, '\n', v->frag.len - off);

	return nl ? (size_t)(nl - v->frag.p) - off : v->frag.len - off;
}

/* does the line at off have key k?  1, 0; -1 ENOMEM */
static int key_is(const struct vfrag *v, size_t off, const char *k, size_t kn, buf *tmp)
{
	if (assign_key(v->frag.p + off, line_at(v, off), tmp) < 0)
		return -1;
	return tmp->len == kn && memcmp(tmp->s, k, kn) == 0;
}

/* vfrag_first - the first line of the fragment with key k: 1 (*off its offset), 0 none; -1 ENOMEM */
static int vfrag_first(const struct vfrag *v, const char *k, size_t kn, buf *tmp, size_t *off)
{
	uint64_t h;
	size_t i, lo, hi;
	int r;

	if (v->state != 1 || v->kx.bstart == NULL)
		return 0;
	h = hset_hash64(k, kn);
	keyidx_find(&v->kx, h, &lo, &hi);
	for (i = lo; i < hi; i++)	/* those with hash h in line order */
		if (v->kx.v[i].h == h && (r = key_is(v, v->kx.v[i].off, k, kn, tmp)) != 0) {
			*off = v->kx.v[i].off;
			return r;
		}
	return 0;
}

/* vfrag_has - does a line of the fragment have key k?  1, 0; -1 ENOMEM */
static int vfrag_has(const struct vfrag *v, const char *k, size_t kn, buf *tmp)
{
	size_t off;

	return vfrag_first(v, k, kn, tmp, &off);
}

/* keyidx_dups's same(): the fragment's lines at x and y have one key */
static int same_key(void *ctx, size_t x, size_t y)
{
	const struct vfrag *v = ctx;
	buf a = BUF_INIT, b = BUF_INIT;
	int r = -1;

	if (assign_key(v->frag.p + y, line_at(v, y), &a) == 0)
		r = key_is(v, x, a.s, a.len, &b);
	buf_free(&a);
	buf_free(&b);
	return r;
}

/*
 * vfrag_read - s2q-virtusers' fragment, the key of each line as a hash
 * (util/keyidx: sorted passes over a flat array, no hash table - the ~1M
 * lines of a big host cost a cache miss each in one) and the lines whose
 * key an earlier line has.  Done before s2q-aliases is waited for.  0, or
 * -1 with errno (nothing kept).
 */
static int vfrag_read(struct ctx *c)
{
	struct vfrag *v = &c->vf;
	struct keyidx_ent *ents = NULL;
	buf rel = BUF_INIT, k = BUF_INIT;
	size_t i = 0, n, nk = 0;
	int r;

	vfrag_free(v);
	if (buf_printf(&rel, "%s/users/assign.virtusers", c->qh) < 0 || !buf_cstr(&rel))
		goto fail;
	if (mfile_openat(&v->frag, c->treefd, rel.s, NULL) < 0) {
		if (errno != ENOENT)
			goto fail;
		v->state = 2;
		goto done;
	}
	n = v->frag.len;
	v->plain = n > 0 && v->frag.p[n - 1] == '\n';
	ents = malloc((count_lines(v->frag.p, n) + 1) * sizeof(*ents));
	if (ents == NULL)
		goto fail;
	while (i < n) {
		const char *p = v->frag.p, *e0 = memchr(p + i, '\n', n - i);
		size_t e = e0 ? (size_t)(e0 - p) : n;

		if (e == i)
			v->plain = 0;
		if (e > i) {
			if (assign_key(p + i, e - i, &k) < 0)
				goto fail;
			ents[nk].h = hset_hash64(k.s, k.len);
			ents[nk++].off = i;
		}
		i = e + 1;
	}
	r = keyidx_sort(&v->kx, ents, nk);
	ents = NULL;	/* the index's now, freed with it */
	if (r < 0 || keyidx_dups(&v->kx, same_key, v, &v->dups, &v->ndups) < 0 ||
	    keyidx_index(&v->kx) < 0)
		goto fail;
	v->nk = nk;
	v->state = 1;
done:
	buf_free(&rel);
	buf_free(&k);
	return 0;
fail:
	{
		int e = errno;

		vfrag_free(v);
		free(ents);
		buf_free(&rel);
		buf_free(&k);
		errno = e;
	}
	return -1;
}

/*
 * users/assign as it is merged, streamed to its staged file: the merged
 * lines gather in b and are written a megabyte at a time, the long
 * stretches of s2q-virtusers' fragment straight from it (a 1M-line host's
 * 73 MB are not copied into memory a second time)
 */
struct usink {
	struct aw w;
	int rootfd, reusefd;	/* the staged tree; the output tree or -1 */
	const char *rel;	/* users/assign there */
	int open;		/* w opened (at the first bytes: none, no file) */
	int werr;		/* opening or a write failed (errno then) */
	buf b;			/* lines not written yet */
};

#define USINK_SPILL ((size_t)1 << 20)

static int usink_write(struct usink *k, const char *p, size_t n)
{
	if (!k->open) {
		if (aw_open(&k->w, k->rootfd, k->rel, 0644, AW_MKDIRS) < 0) {
			k->werr = 1;
			return -1;
		}
		k->open = 1;
		/* compared at the commit: an unchanged file becomes a link to the output's */
		if (k->reusefd >= 0 && aw_reuse(&k->w, k->reusefd, k->rel) < 0)
			return -1;
	}
	if (aw_write(&k->w, p, n) < 0) {
		k->werr = 1;
		return -1;
	}
	return 0;
}

/* usink_spill - write b out when it holds more than keep bytes */
static int usink_spill(struct usink *k, size_t keep)
{
	if (k->b.len <= keep)	/* (keep 0: all of b, if any) */
		return 0;
	if (usink_write(k, k->b.s, k->b.len) < 0)
		return -1;
	buf_reset(&k->b);
	return 0;
}

static int usink_put(struct usink *k, const char *p, size_t n)
{
	if (n < USINK_SPILL)
		return buf_append(&k->b, p, n) < 0 ? -1 : usink_spill(k, USINK_SPILL);
	if (usink_spill(k, 0) < 0)
		return -1;
	return usink_write(k, p, n);
}

/* the fragment's lines after the aliases' (in seen): left out when seen has the key or an earlier line does */
static int merge_vfrag(struct ctx *c, const struct hset *seen, struct usink *out,
		       const char *origin, struct mig_step *s, unsigned long *lines,
		       unsigned long *shadowed)
{
	const struct vfrag *v = &c->vf;
	const char *p = v->frag.p;
	buf k = BUF_INIT;
	size_t i = 0, n = v->frag.len, di = 0, *sh = NULL, nsh = 0, pos = 0, off;
	unsigned long left = 0;
	int r;

	/*
	 * The lines left out are the dups and, for each key of seen (the aliases'
	 * lines, few), the first line with it: looked up from that side, the rest
	 * is copied in stretches between them, without a key made per line.
	 */
	if (v->plain) {
		sh = malloc((v->ndups + seen->n + 1) * sizeof(*sh));
		if (sh == NULL)
			goto oom;
		if (v->ndups)
			memcpy(sh, v->dups, v->ndups * sizeof(*sh));
		nsh = v->ndups;
		for (i = 0; i < seen->nslots; i++) {
			const struct hset_slot *sl = &seen->slots[i];
			const char *key;
			size_t kl;

			if (sl->off == 0)
				continue;
			key = hset_slot_key(seen, sl, &kl);
			r = vfrag_first(v, key, kl, &k, &off);
			if (r < 0)
				goto oom;
			if (r == 1)
				sh[nsh++] = off;
		}
		if (nsh > 1)
			qsort(sh, nsh, sizeof(*sh), cmp_size);
		for (i = 0; i < nsh; i++) {
			size_t ln;

			if (sh[i] < pos)
				continue;	/* the same line twice */
			ln = line_at(v, sh[i]);
			if (usink_put(out, p + pos, sh[i] - pos) < 0 ||
			    take_line(1, p + sh[i], ln, &out->b, origin, s, lines, shadowed) < 0)
				goto oom;
			left++;
			pos = sh[i] + ln + 1;
		}
		if (usink_put(out, p + pos, n - pos) < 0)
			goto oom;
		*lines += (unsigned long)v->nk - left;
		free(sh);
		buf_free(&k);
		return 0;
	}
	i = 0;
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) : n;
		int shadow;

		if (e > i) {
			if (di < v->ndups && v->dups[di] == i) {
				shadow = 1;
				di++;
			} else {
				if (assign_key(p + i, e - i, &k) < 0)
					goto oom;
				shadow = hset_get(seen, k.s, k.len, NULL) == 1;
			}
			if (take_line(shadow, p + i, e - i, &out->b, origin, s, lines, shadowed) < 0 ||
			    usink_spill(out, USINK_SPILL) < 0)
				goto oom;
		}
		i = e + 1;
	}
	buf_free(&k);
	return 0;
oom:
	free(sh);
	buf_free(&k);
	return -1;
}

static int step_users(struct ctx *c)
{
	struct mig_step *s = step_new(c, "users", "s2q-migrate");
	struct hset seen;
	struct usink sk;
	struct homectx hc;
	buf frag = BUF_INIT, pl = BUF_INIT, line = BUF_INIT, rel = BUF_INIT, dst = BUF_INIT;
	unsigned long lines = 0, shadowed = 0, accounts = 0, skipped = 0, fragl = 0;
	static const char *const frags[] = { "assign.aliases", "assign.virtusers" };
	size_t i;
	int alias = 0, r, ret = -1;

	hset_init(&seen);
	memset(&sk, 0, sizeof(sk));
	buf_init(&sk.b);
	homectx_init(&hc, c->rootfd);
	/* written as it is merged (the file made at its first bytes) */
	if (buf_printf(&dst, "%s/users/assign", c->qh) < 0 || !buf_cstr(&dst))
		goto out;
	sk.rootfd = c->treefd;
	sk.reusefd = c->reusefd;
	sk.rel = dst.s;
	/* s2q-aliases' lines first, then s2q-virtusers' (mostly read already: vfrag_read) */
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/users/%s", c->qh, frags[0]) < 0 || !buf_cstr(&rel))
		goto out;
	r = read_rel(c->treefd, rel.s, &frag);
	if (r < 0)
		goto out;
	/* room for all its lines at once: no rehash, no copy of what is merged so far */
	if (r == 1 &&
	    (hset_reserve(&seen, count_lines(frag.s, frag.len), frag.len) < 0 ||
	     merge_lines(&seen, NULL, frag.s, frag.len, &sk.b, rel.s, s, &fragl, &shadowed) < 0))
		goto out;
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/users/%s", c->qh, frags[1]) < 0 || !buf_cstr(&rel) ||
	    (c->vf.state == 0 && vfrag_read(c) < 0))
		goto out;
	if (c->vf.state == 1 &&
	    merge_vfrag(c, &seen, &sk, rel.s, s, &fragl, &shadowed) < 0)
		goto out;
	lines = fragl;
	if (c->passwd.len) {
		struct pw2u_opts po;
		lline lr;

		memset(&po, 0, sizeof(po));
		po.alias_user = c->o->alias_user ? c->o->alias_user : "alias";
		po.brk = '-';
		po.home = c->o->no_home_check ? PW2U_HOME_IGNORE : PW2U_HOME_SKIP;
		po.stat_home = root_stat;
		po.ctx = &hc;
		if (lline_open(&lr, c->passwd.s, 0) < 0) {
			if (step_reason(s, MIG_FAILED, "unable to read %s: %s", c->passwd_shown,
					strerror(errno)) < 0)
				goto out;
			ret = 0;
			goto out;
		}
		while ((r = lline_next(&lr, &line)) > 0) {
			int isal, v;
			size_t nl;
			const char *name;

			buf_reset(&pl);
			v = pw2u_line(&po, line.s, line.len, &pl, &isal);
			if (v < 0) {
				lline_close(&lr);
				goto out;
			}
			name = pw2u_name(line.s, line.len, &nl);
			if (v == PW2U_TAKEN) {
				accounts++;
				alias |= isal;
				if (merge_lines(&seen, &c->vf, pl.s, pl.len, &sk.b, c->passwd_shown,
						s, &lines, &shadowed) < 0 ||
				    usink_spill(&sk, USINK_SPILL) < 0) {
					lline_close(&lr);
					goto out;
				}
				continue;
			}
			if (v == PW2U_SKIP_FORMAT && (line.len == 0 || line.s[0] == '#'))
				continue;
			skipped++;
			if (v == PW2U_FATAL_HOME) {
				if (diag_add(&s->d, DIAG_ERROR, "S2Q-G012", c->passwd_shown, lr.lineno,
					     "account %.*s: unable to check its home directory below "
					     "the root: %s (qmail-pw2u stops here)", (int)nl, name,
					     strerror(errno)) < 0) {
					lline_close(&lr);
					goto out;
				}
			} else if (diag_add(&s->d, DIAG_NOTE, "S2Q-G010", c->passwd_shown, lr.lineno,
					    "account %.*s gets no users/assign line: %s%s (qmail-pw2u's "
					    "rule; qmail-getpw skips it too)", (int)nl, name,
					    pw2u_skip_name((enum pw2u_skip)v),
					    hc.symlink ? " (a symlink in the copy, not followed)"
						       : "") < 0) {
				lline_close(&lr);
				goto out;
			}
		}
		lline_close(&lr);
		if (r < 0) {
			if (step_reason(s, MIG_FAILED, "unable to read %s: %s", c->passwd_shown,
					strerror(errno)) < 0)
				goto out;
			ret = 0;
			goto out;
		}
		if (!alias && c->o->alias_uid) {
			/* the new host's alias account, as if it were the last passwd line */
			buf_reset(&line);
			buf_reset(&pl);
			if (buf_printf(&line, "%s:x:%lu:%lu::/%s/alias:", po.alias_user, c->o->alias_uid,
				       c->o->alias_gid, c->qh) < 0)
				goto out;
			po.home = PW2U_HOME_IGNORE;
			if (pw2u_line(&po, line.s, line.len, &pl, &alias) < 0 ||
			    merge_lines(&seen, &c->vf, pl.s, pl.len, &sk.b, "--alias-uid", s, &lines,
					&shadowed) < 0)
				goto out;
			if (diag_add(&s->d, DIAG_NOTE, "S2Q-G004", c->passwd_shown, 0,
				     "qmail's alias user %s is not an account here: its users/assign "
				     "lines (the +: catch-all first) use --alias-uid %lu --alias-gid %lu "
				     "and home /%s/alias, as qmail-pw2u writes them for that account",
				     po.alias_user, c->o->alias_uid, c->o->alias_gid, c->qh) < 0)
				goto out;
		}
		if (!alias && diag_add(&s->d, DIAG_WARN, "S2Q-G003", c->passwd_shown, 0,
				       "qmail's alias user %s is not an account here (or has no home "
				       "of its own): qmail-pw2u would refuse; users/assign is written "
				       "without the +: catch-all, so qmail-getpw hands unknown names to "
				       "the new host's alias user", po.alias_user) < 0)
			goto out;
	} else if (diag_add(&s->d, DIAG_WARN, "S2Q-G001", c->o->passwd ? c->o->passwd : "/etc/passwd",
			    0, "no passwd in the root: users/assign holds only the converters' lines "
			    "(qmail-getpw finds the users of the new host)") < 0) {
		goto out;
	}
	if (lines == 0) {
		ret = step_reason(s, MIG_SKIPPED, "no users/assign line to write");
		goto out;
	}
	if (buf_append_s(&sk.b, ".\n") < 0 || usink_spill(&sk, 0) < 0)
		goto out;
	sk.open = 0;		/* aw_commit takes the temp away when it fails */
	if (aw_commit(&sk.w) < 0) {
		sk.werr = 1;
		goto out;
	}
	for (i = 0; i < 2; i++) {
		buf_reset(&rel);
		if (buf_printf(&rel, "%s/users/%s", c->qh, frags[i]) < 0 || !buf_cstr(&rel))
			goto out;
		if (unlinkat(c->treefd, rel.s, 0) < 0 && errno != ENOENT)
			goto out;
	}
	if (buf_printf(&s->counts, "\"accounts\":%lu,\"skipped\":%lu,\"converter_lines\":%lu,"
		       "\"assign_lines\":%lu,\"shadowed\":%lu", accounts, skipped, fragl, lines,
		       shadowed) < 0)
		goto out;
	if (s->d.nerr)
		ret = step_reason(s, MIG_REFUSED, "%zu input error%s", s->d.nerr,
				  s->d.nerr == 1 ? "" : "s");
	else
		ret = 0;
out:
	if (ret < 0 && sk.werr && s->reason == NULL)
		ret = step_reason(s, MIG_FAILED, "unable to write %s: %s", dst.s, strerror(errno));
	if (ret < 0 && errno != ENOMEM && s->reason == NULL)
		ret = step_reason(s, MIG_FAILED, "unable to merge users/assign: %s", strerror(errno));
	hset_free(&seen);
	homectx_free(&hc);
	vfrag_free(&c->vf);
	if (sk.open) {
		int e = errno;

		aw_abort(&sk.w);
		errno = e;
	}
	buf_free(&sk.b);
	buf_free(&frag);
	buf_free(&pl);
	buf_free(&line);
	buf_free(&rel);
	buf_free(&dst);
	return ret;
}

/*
 * spec_newu_start - a re-run mostly merges the very users/assign --reuse
 * has (step_users then links that file into the staged tree).  While
 * s2q-aliases still runs, s2q-newu is started on a link to it in a tree of
 * its own (work/tmp/newu); step_newu takes that run's users/cdb and report
 * when the staged users/assign turns out to be the same file, and runs
 * s2q-newu as usual otherwise.  Nothing is started when --reuse has no
 * users/assign or a step here fails (the usual run follows).  0, or -1
 * ENOMEM.
 */
#define SPEC_NICE 10

static int spec_newu_start(struct ctx *c)
{
	struct argv a = { 0 };
	buf path = BUF_INIT, rel = BUF_INIT;
	struct stat st;
	int rfd = -1, dfd = -1, sfd = -1, rc = 0;

	if (c->reusefd < 0)
		return 0;
	buf_reset(&c->spec.root);
	if (buf_printf(&rel, "%s/users", c->qh) < 0 || !buf_cstr(&rel) ||
	    buf_printf(&c->spec.root, "%s/newu", c->tmp.s) < 0 || !buf_cstr(&c->spec.root))
		goto oom;
	rfd = aw_opendir(c->reusefd, rel.s, 0);
	if (rfd < 0 || fstatat(rfd, "assign", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		goto done;
	dfd = open(c->tmp.s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		goto done;
	buf_reset(&rel);
	if (buf_printf(&rel, "newu/%s/users", c->qh) < 0 || !buf_cstr(&rel))
		goto oom;
	sfd = aw_opendir(dfd, rel.s, AW_MKDIRS);
	if (sfd < 0 || !aw_link_checked(rfd, "assign", &st, sfd, "assign"))
		goto done;
	av_add(&a, "s2q-newu");
	av_add(&a, "--json");
	reuse_arg(c, &a, c->qh);
	av_add(&a, "-d");
	av_add(&a, "%s/%s", c->spec.root.s, c->qh);
	if (a.oom || buf_printf(&path, "%s/s2q-newu", c->o->bindir) < 0 || !buf_cstr(&path))
		goto oom;
	/* a run that cannot start (fork failing included) is only a run not ahead */
	if (spawn_start(path.s, a.v, dfd, &c->spec.job) == 0) {
		int base;

		c->spec.running = 1;
		/* it is wanted only after the converters: the CPU is theirs first */
		errno = 0;
		base = getpriority(PRIO_PROCESS, 0);
		c->spec.nice = errno ? 0 : base;
		(void)setpriority(PRIO_PROCESS, (id_t)c->spec.job.pid,
				  c->spec.nice + SPEC_NICE > 19 ? 19 : c->spec.nice + SPEC_NICE);
	}
	goto done;
oom:
	rc = -1;
done:
	if (rfd >= 0)
		close(rfd);
	if (dfd >= 0)
		close(dfd);
	if (sfd >= 0)
		close(sfd);
	av_free(&a);
	buf_free(&path);
	buf_free(&rel);
	if (rc < 0)
		errno = ENOMEM;
	return rc;
}

/* spec_newu_stop - stop and reap the run ahead (its result is not wanted) */
static void spec_newu_stop(struct ctx *c)
{
	buf out = BUF_INIT, err = BUF_INIT;

	if (!c->spec.running)
		return;
	(void)kill((pid_t)c->spec.job.pid, SIGKILL);
	(void)spawn_finish(&c->spec.job, &out, 0, &err);
	c->spec.running = 0;
	buf_free(&out);
	buf_free(&err);
}

/*
 * spec_newu_take - the run ahead as step s's run, when the staged
 * users/assign (rel) is the file it read (the same inode: both are links
 * to --reuse's) and it succeeded: its users/cdb is moved into the staged
 * tree and its report imported as run() does (its tree's name in it is
 * shown as the staged tree's: staged_len).  1 taken, 0 not (stopped; run
 * s2q-newu as usual), -1 ENOMEM.
 */
static int spec_newu_take(struct ctx *c, struct mig_step *s, const char *rel, struct mj *j)
{
	buf out = BUF_INIT, err = BUF_INIT, sp = BUF_INIT, path = BUF_INIT, cdb = BUF_INIT;
	struct stat ts, ss;
	int rc;

	if (!c->spec.running)
		return 0;
	if (buf_printf(&sp, "%s/%s", c->spec.root.s, rel) < 0 || !buf_cstr(&sp) ||
	    buf_printf(&cdb, "%s/users/cdb", c->qh) < 0 || !buf_cstr(&cdb))
		goto oom;
	if (fstatat(c->treefd, rel, &ts, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstatat(AT_FDCWD, sp.s, &ss, AT_SYMLINK_NOFOLLOW) < 0 || ts.st_ino != ss.st_ino ||
	    ts.st_dev != ss.st_dev) {
		spec_newu_stop(c);
		goto not;
	}
	/*
	 * now it is waited for: s2q-migrate's priority back where that is
	 * allowed (root); else it goes on at its lower one
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)c->spec.job.pid, c->spec.nice);
	rc = spawn_finish(&c->spec.job, &out, 0, &err);
	c->spec.running = 0;
	if (rc != 0)
		goto not;
	buf_reset(&sp);
	if (buf_printf(&sp, "%s/%s", c->spec.root.s, cdb.s) < 0 || !buf_cstr(&sp))
		goto oom;
	if (renameat(AT_FDCWD, sp.s, c->treefd, cdb.s) < 0)
		goto not;
	if (buf_printf(&path, "%s/%s", c->o->bindir, s->program) < 0 || !buf_cstr(&path))
		goto oom;
	buf_free(&sp);
	buf_free(&cdb);
	return run_done(c, s, rc, &path, &out, &err, j, 0) < 0 ? -1 : 1;
not:
	buf_free(&out);
	buf_free(&err);
	buf_free(&sp);
	buf_free(&cdb);
	return 0;
oom:
	spec_newu_stop(c);
	buf_free(&out);
	buf_free(&err);
	buf_free(&sp);
	buf_free(&path);
	buf_free(&cdb);
	errno = ENOMEM;
	return -1;
}

static int step_newu(struct ctx *c)
{
	struct mig_step *s = step_new(c, "newu", "s2q-newu");
	struct argv a = { 0 };
	struct mj j;
	struct stat st;
	buf rel = BUF_INIT;

	if (buf_printf(&rel, "%s/users/assign", c->qh) < 0 || !buf_cstr(&rel))
		goto oom;
	if (fstatat(c->treefd, rel.s, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		buf_free(&rel);
		spec_newu_stop(c);
		return step_reason(s, MIG_SKIPPED, "no users/assign");
	}
	switch (spec_newu_take(c, s, rel.s, &j)) {
	case -1:
		goto oom;
	case 1:
		mj_free(&j);
		buf_free(&rel);
		return 0;
	}
	av_add(&a, "s2q-newu");
	av_add(&a, "--json");
	reuse_arg(c, &a, c->qh);
	av_add(&a, "-d");
	av_add(&a, "%s/%s", c->tree.s, c->qh);
	if (run(c, s, &a, &j) < 0)
		goto oom;
	mj_free(&j);
	av_free(&a);
	buf_free(&rel);
	return 0;
oom:
	av_free(&a);
	buf_free(&rel);
	errno = ENOMEM;
	return -1;
}

/* the entries of a control list: lines that are not empty and not '#' (trailing blanks cut) */
struct strlist {
	char **v;
	size_t n;
};

static void sl_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int sl_add(struct strlist *l, const char *p, size_t n)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	l->v = nv;
	if ((nv[l->n] = malloc(n + 1)) == NULL)
		return -1;
	memcpy(nv[l->n], p, n);
	nv[l->n][n] = '\0';
	l->n++;
	return 0;
}

static int list_lines(const buf *b, struct strlist *l, buf *comments)
{
	size_t i = 0;

	while (i < b->len) {
		const char *nl = memchr(b->s + i, '\n', b->len - i);
		size_t e = nl ? (size_t)(nl - b->s) : b->len, t = e;

		while (t > i && (b->s[t - 1] == ' ' || b->s[t - 1] == '\t'))
			t--;
		if (t > i && b->s[i] == '#') {
			if (comments && (buf_append(comments, b->s + i, e - i) < 0 ||
					 buf_append_c(comments, '\n') < 0))
				return -1;
		} else if (t > i && sl_add(l, b->s + i, t - i) < 0) {
			return -1;
		}
		i = e + 1;
	}
	return 0;
}

/* 1 when the rcpthosts entry e is (a subdomain wildcard of) an excluded virtual domain */
static int entry_excluded(const struct ctx *c, const char *e)
{
	buf k = BUF_INIT;
	int r;

	if (c->excluded.n == 0)
		return 0;
	if (buf_copy(&k, e[0] == '.' ? e + 1 : e, strlen(e[0] == '.' ? e + 1 : e)) < 0)
		return 0;
	lower(k.s, k.len);
	r = hset_get(&c->excluded, k.s, k.len, NULL);
	buf_free(&k);
	return r;
}

static int step_rcpthosts(struct ctx *c)
{
	struct mig_step *s = step_new(c, "rcpthosts", "s2q-migrate");
	buf rh = BUF_INIT, mrh = BUF_INIT, vu = BUF_INIT, rel = BUF_INIT, head = BUF_INIT,
	    out = BUF_INIT, k = BUF_INIT;
	struct strlist all = { 0 }, more = { 0 }, vl = { 0 };
	struct hset seen;
	unsigned long added = 0, dropped = 0, max = c->o->rcpthosts_max ? c->o->rcpthosts_max : 50;
	size_t i, kept = 0;
	int r, ret = -1;
	struct cdbw cw;

	hset_init(&seen);
	if (buf_printf(&rel, "%s/control/rcpthosts", c->qh) < 0 || !buf_cstr(&rel))
		goto out;
	r = read_rel(c->treefd, rel.s, &rh);
	if (r < 0)
		goto out;
	if (r == 0) {
		ret = step_reason(s, MIG_SKIPPED, "s2q-cf wrote no rcpthosts");
		goto out;
	}
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/control/morercpthosts", c->qh) < 0 || !buf_cstr(&rel) ||
	    read_rel(c->treefd, rel.s, &mrh) < 0)
		goto out;
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/control/rcpthosts.virtusers", c->qh) < 0 || !buf_cstr(&rel) ||
	    read_rel(c->treefd, rel.s, &vu) < 0)
		goto out;
	if (list_lines(&rh, &all, &head) < 0 || list_lines(&mrh, &more, NULL) < 0 ||
	    list_lines(&vu, &vl, NULL) < 0)
		goto out;
	for (i = 0; i < more.n; i++)
		if (sl_add(&all, more.v[i], strlen(more.v[i])) < 0)
			goto out;
	for (i = 0; i < all.n; i++) {
		if (buf_copy(&k, all.v[i], strlen(all.v[i])) < 0)
			goto out;
		lower(k.s, k.len);
		if (hset_put(&seen, k.s, k.len, 0, NULL) < 0)
			goto out;
	}
	for (i = 0; i < vl.n; i++) {
		if (buf_copy(&k, vl.v[i], strlen(vl.v[i])) < 0)
			goto out;
		lower(k.s, k.len);
		r = hset_put(&seen, k.s, k.len, 0, NULL);
		if (r < 0)
			goto out;
		if (r == 1) {
			if (sl_add(&all, vl.v[i], strlen(vl.v[i])) < 0)
				goto out;
			added++;
		}
	}
	/* rcpthosts: the comment head, the first max entries; the rest to morercpthosts(.cdb) */
	if (buf_append(&out, head.s, head.len) < 0)
		goto out;
	buf_reset(&mrh);
	for (i = 0; i < all.n; i++) {
		if (entry_excluded(c, all.v[i])) {
			dropped++;
			if (diag_add(&s->d, DIAG_NOTE, "S2Q-G020", NULL, 0,
				     "rcpthosts: %s left out (a virtual domain the domain filters "
				     "keep on the old host)", all.v[i]) < 0)
				goto out;
			continue;
		}
		if (buf_printf(kept < max ? &out : &mrh, "%s\n", all.v[i]) < 0)
			goto out;
		kept++;
	}
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/control/rcpthosts", c->qh) < 0 || !buf_cstr(&rel) ||
	    tree_file(c, rel.s, out.s, out.len) < 0)
		goto fail;
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/control/morercpthosts", c->qh) < 0 || !buf_cstr(&rel))
		goto out;
	if (mrh.len) {
		size_t p = 0;

		if (tree_file(c, rel.s, mrh.s, mrh.len) < 0)
			goto fail;
		if (buf_append_s(&rel, ".cdb") < 0 || !buf_cstr(&rel) ||
		    cdbw_open(&cw, c->treefd, rel.s, 0644, AW_MKDIRS) < 0)
			goto fail;
		if (c->reusefd >= 0 && cdbw_reuse(&cw, c->reusefd, rel.s) < 0) {
			cdbw_abort(&cw);
			goto fail;
		}
		/* qmail-newmrh's records: key = the lower-cased line, empty data, file order */
		while (p < mrh.len) {
			char *nl = memchr(mrh.s + p, '\n', mrh.len - p);
			size_t e = (size_t)(nl - mrh.s);

			lower(mrh.s + p, e - p);
			if (cdbw_add(&cw, mrh.s + p, e - p, "", 0) < 0) {
				cdbw_abort(&cw);
				goto fail;
			}
			p = e + 1;
		}
		if (cdbw_commit(&cw) < 0)
			goto fail;
	} else {
		if (unlinkat(c->treefd, rel.s, 0) < 0 && errno != ENOENT)
			goto fail;
		if (buf_append_s(&rel, ".cdb") < 0 || !buf_cstr(&rel))
			goto out;
		if (unlinkat(c->treefd, rel.s, 0) < 0 && errno != ENOENT)
			goto fail;
	}
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/control/rcpthosts.virtusers", c->qh) < 0 || !buf_cstr(&rel) ||
	    (unlinkat(c->treefd, rel.s, 0) < 0 && errno != ENOENT))
		goto fail;
	buf_reset(&rel);
	if (buf_printf(&rel, "%s/control/not-local.virtusers", c->qh) < 0 || !buf_cstr(&rel) ||
	    (unlinkat(c->treefd, rel.s, 0) < 0 && errno != ENOENT))
		goto fail;
	if (buf_printf(&s->counts, "\"rcpthosts\":%lu,\"morercpthosts\":%lu,\"added\":%lu,"
		       "\"left_out\":%lu", (unsigned long)(kept < max ? kept : max),
		       (unsigned long)(kept > max ? kept - max : 0), added, dropped) < 0)
		goto out;
	ret = 0;
	goto out;
fail:
	if (errno == ENOMEM)
		goto out;
	ret = step_reason(s, MIG_FAILED, "unable to write %s: %s", rel.s ? rel.s : "rcpthosts",
			  strerror(errno));
out:
	hset_free(&seen);
	sl_free(&all);
	sl_free(&more);
	sl_free(&vl);
	buf_free(&rh);
	buf_free(&mrh);
	buf_free(&vu);
	buf_free(&rel);
	buf_free(&head);
	buf_free(&out);
	buf_free(&k);
	return ret;
}

/* the virtualdomains lines of excluded domains (s2q-virtusers never saw them: nothing to do) */

/* fwd_put - a converted .forward into the staged tree (fwdq_user's write, with o->reuse) */
static int fwd_put(struct ctx *c, struct fwdq_result *res)
{
	if (!dotqmail_content_ok(res->content.s, res->content.len) || !buf_cstr(&res->rel)) {
		errno = res->rel.s ? EINVAL : ENOMEM;
		return -1;
	}
	if (tree_file(c, res->rel.s, res->content.s, res->content.len) < 0)
		return -1;
	res->written = 1;
	return 0;
}

static int step_forward(struct ctx *c)
{
	struct mig_step *s = step_new(c, "forward", "s2q-migrate");
	struct passwd_parser pp;
	struct passwd_ent pe;
	struct forward_opts fo;
	struct fwdq_opts qo;
	struct hset shells;
	struct diag_sink scratch;
	struct homectx hc;
	struct aliases_opts ao;
	buf name = BUF_INIT, home = BUF_INIT, shell = BUF_INIT, pl = BUF_INIT, bs = BUF_INIT;
	unsigned long users = 0, qmails = 0, none = 0, ignored = 0, nohome = 0;
	int r, ret = -1;
	const char *me = NULL, **doms = NULL;
	size_t ndoms = 0;

	if (c->have_host && c->h.j && strchr(c->h.j, '.'))
		me = c->h.j;
	else if (c->o->hostname)
		me = c->o->hostname;
	if (!c->passwd.len)
		return step_reason(s, MIG_SKIPPED, "no passwd: no users whose .forward to read");
	if (!c->have_host)
		return step_reason(s, MIG_SKIPPED, "the cf could not be read");
	/* sendmail reads .forward only for the mailer named local (its LocalMailer) */
	if (c->h.local_mailer && strcmp(c->h.local_mailer, "local") != 0)
		return step_reason(s, MIG_SKIPPED, "local names go to another mailer "
				   "(confLOCAL_MAILER): sendmail never read .forward files");
	if (me == NULL)
		return step_reason(s, MIG_REFUSED, "the host's name ($j) has no dot: give --hostname FQDN");
	hset_init(&shells);
	diag_init(&scratch);
	homectx_init(&hc, c->rootfd);
	if (forward_read_shells(c->rootfd, &shells) < 0)
		goto out;
	memset(&fo, 0, sizeof(fo));
	/* name@<a name of this host> in a .forward is the local name to sendmail
	   (ruleset 0 and class w): the names s2q-aliases gets with --me and -w */
	{
		const struct host_class *w = host_class_get(&c->h, "w");
		size_t i;

		doms = calloc(1 + (w ? w->n : 0), sizeof(*doms));
		if (doms == NULL)
			goto out;
		doms[ndoms++] = me;
		for (i = 0; w && i < w->n; i++)
			if (w_other(w->v[i].word, me))
				doms[ndoms++] = w->v[i].word;
		memset(&ao, 0, sizeof(ao));
		ao.local_domains = doms;
		ao.nlocal_domains = ndoms;
		fo.ao = &ao;
	}
	fo.forward_path = c->h.forward_path;
	fo.hostname = c->o->hostname ? c->o->hostname : me;
	fo.shells = &shells;
	memset(&qo, 0, sizeof(qo));
	if (buf_printf(&pl, "/%s/bin/preline", c->qh) < 0 || !buf_cstr(&pl) ||
	    buf_printf(&bs, "/%s/bin/bouncesaying", c->qh) < 0 || !buf_cstr(&bs))
		goto out;
	qo.me = me;
	qo.defaultdelivery = c->o->defaultdelivery ? c->o->defaultdelivery : "./Mailbox";
	qo.preline = pl.s;
	qo.bouncesaying = bs.s;
	if (passwd_open(&pp, c->passwd.s, c->passwd_shown, &scratch) < 0) {
		ret = step_reason(s, MIG_FAILED, "unable to read %s: %s", c->passwd_shown,
				  strerror(errno));
		goto out;
	}
	while ((r = passwd_next(&pp, &pe)) > 0) {
		struct forward_user u;
		struct fwdq_result res;

		if (pe.uid == 0)
			continue;	/* qmail never delivers as root: ~alias/.qmail-root */
		if (buf_copy(&name, pe.name.s, pe.name.len) < 0 || !buf_cstr(&name) ||
		    buf_copy(&home, pe.home.s, pe.home.len) < 0 || !buf_cstr(&home) ||
		    buf_copy(&shell, pe.shell.s, pe.shell.len) < 0 || !buf_cstr(&shell))
			break;
		if (home.s[0] != '/')
			continue;
		{
			unsigned long ow;

			if (root_stat(&hc, home.s, &ow) < 0) {
				nohome++;
				continue;	/* not in the copy: no .forward to read */
			}
		}
		lower(name.s, name.len);
		u.name = name.s;
		u.uid = pe.uid;
		u.gid = pe.gid;
		u.home = home.s;
		u.shell = shell.s;
		users++;
		fwdq_result_init(&res);
		if (fwdq_user(c->rootfd, &u, &fo, &qo, -1, &res, &s->d) < 0 ||
		    (res.need && res.errors == 0 && fwd_put(c, &res) < 0)) {
			int e = errno;

			if (e != ENOMEM)
				step_reason(s, MIG_FAILED, "unable to write %s: %s",
					    res.rel.len ? buf_cstr(&res.rel) : home.s, strerror(e));
			fwdq_result_free(&res);
			passwd_close(&pp);
			errno = e;
			ret = e == ENOMEM ? -1 : 0;
			goto out;
		}
		if (res.written)
			qmails++;
		else if (res.state == FWD_IGNORED)
			ignored++;
		else
			none++;
		fwdq_result_free(&res);
	}
	passwd_close(&pp);
	if (r != 0)
		goto out;
	if (buf_printf(&s->counts, "\"users\":%lu,\"dot_qmail\":%lu,\"ignored\":%lu,\"none\":%lu,"
		       "\"home_not_in_copy\":%lu", users, qmails, ignored, none, nohome) < 0)
		goto out;
	ret = s->d.nerr ? step_reason(s, MIG_REFUSED, "%zu input error%s", s->d.nerr,
				      s->d.nerr == 1 ? "" : "s") : 0;
out:
	if (ret < 0 && errno != ENOMEM && s->reason == NULL)
		ret = step_reason(s, MIG_FAILED, "unable to convert the .forward files: %s",
				  strerror(errno));
	hset_free(&shells);
	diag_free(&scratch);
	homectx_free(&hc);
	buf_free(&name);
	buf_free(&home);
	buf_free(&shell);
	buf_free(&pl);
	buf_free(&bs);
	free(doms);
	return ret;
}

/* the diagnostics so far as one JSON array: the --known file of the route proof */
static int known_json(const struct ctx *c, buf *out)
{
	size_t i, k;
	int first = 1;

	if (buf_append_c(out, '[') < 0)
		return -1;
	for (i = 0; i < c->r->nsteps; i++)
		for (k = 0; k < c->r->step[i].d.n; k++) {
			if ((!first && buf_append_c(out, ',') < 0) ||
			    diag_json(out, &c->r->step[i].d.v[k]) < 0)
				return -1;
			first = 0;
		}
	return buf_append_s(out, "]\n");
}

static int step_route(struct ctx *c)
{
	struct mig_step *s = step_new(c, "route", "s2q-route");
	struct argv a = { 0 };
	struct mj j;
	buf path = BUF_INIT, kn = BUF_INIT;
	int tfd;

	if (c->o->no_route)
		return step_reason(s, MIG_SKIPPED, "--no-route");
	if (c->r->refused || c->r->failed)
		return step_reason(s, MIG_SKIPPED, "the conversion did not complete");
	if (buf_printf(&path, "%s/s2q-route", c->o->bindir) < 0 || !buf_cstr(&path))
		goto oom;
	if (access(path.s, X_OK) < 0) {
		buf_free(&path);
		return step_reason(s, MIG_NOT_DONE, "s2q-route is not installed beside s2q-migrate: "
				   "the routes are NOT proven");
	}
	if (known_json(c, &kn) < 0)
		goto oom;
	tfd = open(c->tmp.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0 || aw_file(tfd, "known.json", 0644, 0, kn.s, kn.len) < 0) {
		if (tfd >= 0)
			close(tfd);
		buf_free(&path);
		buf_free(&kn);
		return step_reason(s, MIG_FAILED, "unable to write the known-changes file: %s",
				   strerror(errno));
	}
	close(tfd);
	av_add(&a, "s2q-route");
	av_add(&a, "--sendmail");
	av_add(&a, "%s", c->o->from);
	av_add(&a, "--qmail");
	av_add(&a, "%s", c->tree.s);
	if (c->o->hostname) {
		av_add(&a, "--hostname");
		av_add(&a, "%s", c->o->hostname);
	}
	if (c->o->cf) {
		av_add(&a, "-C");
		av_add(&a, "%s", c->o->cf);
	}
	if (c->o->passwd) {
		av_add(&a, "--passwd");
		av_add(&a, "%s", c->o->passwd);
	}
	av_add(&a, "--default-delivery");
	av_add(&a, "%s", c->o->defaultdelivery ? c->o->defaultdelivery : "./Mailbox");
	av_add(&a, "--all");
	av_add(&a, "--json");
	av_add(&a, "--known");
	av_add(&a, "%s/known.json", c->tmp.s);
	if (run_tail(c, s, &a, &j, 1 << 20) < 0)
		goto oom;
	{
		const struct mj *sm = mj_get(&j, "summary");

		if (sm && sm->t == MJ_OBJ && (s->rc == 0 || s->rc == 1)) {
			struct mig_route *rt = &c->r->route;

			rt->ran = 1;
			rt->same = mj_ulong(sm, "same", 0);
			rt->different = mj_ulong(sm, "different", 0);
			rt->known = mj_ulong(sm, "known", 0);
			rt->only_sendmail = mj_ulong(sm, "only_sendmail", 0);
			rt->only_qmail = mj_ulong(sm, "only_qmail", 0);
			rt->unexplained = mj_ulong(sm, "unexplained", 0);
			rt->total = mj_ulong(sm, "total", 0);
			free(s->reason);
			s->reason = NULL;
			s->status = MIG_OK;
		}
	}
	mj_free(&j);
	av_free(&a);
	buf_free(&path);
	buf_free(&kn);
	return 0;
oom:
	av_free(&a);
	buf_free(&path);
	buf_free(&kn);
	errno = ENOMEM;
	return -1;
}

/* ---- tree helpers ---- */

static int walk(int dirfd, const char *prefix, struct mig_file **v, size_t *n, size_t *cap)
{
	DIR *d;
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct stat st;
		buf rel = BUF_INIT;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			goto fail;
		if (buf_printf(&rel, "%s%s%s", prefix, prefix[0] ? "/" : "", de->d_name) < 0 ||
		    !buf_cstr(&rel))
			goto fail;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0 || walk(sub, rel.s, v, n, cap) < 0) {
				if (sub >= 0)
					close(sub);
				buf_free(&rel);
				goto fail;
			}
			close(sub);
			buf_free(&rel);
		} else if (S_ISREG(st.st_mode)) {
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 64;
				struct mig_file *nv = realloc(*v, nc * sizeof(*nv));

				if (nv == NULL) {
					buf_free(&rel);
					goto fail;
				}
				*v = nv;
				*cap = nc;
			}
			(*v)[*n].rel = rel.s;
			(*v)[*n].mode = (unsigned)(st.st_mode & 07777);
			(*v)[*n].size = (unsigned long long)st.st_size;
			(*v)[*n].dev = (unsigned long long)st.st_dev;
			(*v)[*n].ino = (unsigned long long)st.st_ino;
			(*v)[*n].nlink = (unsigned long)st.st_nlink;
			(*v)[*n].ctime_sec = (long long)st.st_ctim.tv_sec;
			(*v)[*n].ctime_nsec = (long)st.st_ctim.tv_nsec;
			(*n)++;
		} else {
			buf_free(&rel);
			errno = ELOOP;
			goto fail;
		}
	}
	if (errno)
		goto fail;
	closedir(d);
	return 0;
fail:
	{
		int e = errno;

		closedir(d);
		errno = e;
	}
	return -1;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct mig_file *)a)->rel, ((const struct mig_file *)b)->rel);
}

int mig_list(int dirfd, struct mig_file **files, size_t *n)
{
	size_t cap = 0;

	*files = NULL;
	*n = 0;
	if (walk(dirfd, "", files, n, &cap) < 0) {
		int e = errno;

		mig_files_free(*files, *n);
		*files = NULL;
		*n = 0;
		errno = e;
		return -1;
	}
	if (*n > 1)
		qsort(*files, *n, sizeof(**files), cmp_file);
	return 0;
}

int mig_rmtree(int dirfd, const char *name)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *de;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* a file the directory entry says is one: no stat (28,000 .qmail links at 1M) */
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) {
			if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT) {
				closedir(d);
				return -1;
			}
			continue;
		}
		if (mig_rmtree(fd, de->d_name) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return unlinkat(dirfd, name, AT_REMOVEDIR);
}

int mig_bindir(buf *out)
{
	const char *e = getenv("S2Q_BINDIR");
	char p[PATH_MAX];
	ssize_t n;
	char *sl;

	buf_reset(out);
	if (e && *e)
		return buf_append_s(out, e) < 0 || !buf_cstr(out) ? -1 : 0;
	n = readlink("/proc/self/exe", p, sizeof(p) - 1);
	if (n < 0)
		return -1;
	p[n] = '\0';
	sl = strrchr(p, '/');
	if (sl == NULL) {
		errno = ENOENT;
		return -1;
	}
	*sl = '\0';
	return buf_append_s(out, p[0] ? p : "/") < 0 || !buf_cstr(out) ? -1 : 0;
}

/* ---- the chain ---- */

int mig_stage(const struct mig_opts *o, const char *work, struct mig_result *r)
{
	struct ctx c;
	struct diag_sink scratch;
	int wfd = -1, ret = -1, e;
	size_t i;
	buf why = BUF_INIT;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.r = r;
	c.rootfd = c.treefd = c.reusefd = -1;
	c.qh = "var/qmail";
	hset_init(&c.excluded);
	host_init(&c.h);
	diag_init(&scratch);
	if (buf_printf(&c.tree, "%s/tree", work) < 0 || !buf_cstr(&c.tree) ||
	    buf_printf(&c.tmp, "%s/tmp", work) < 0 || !buf_cstr(&c.tmp))
		goto out;
	wfd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd < 0 || mkdirat(wfd, "tree", 0755) < 0 || mkdirat(wfd, "tmp", 0700) < 0)
		goto out;
	c.treefd = openat(wfd, "tree", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c.treefd < 0)
		goto out;
	/* only an optimisation: without it every file is written */
	if (o->reuse)
		c.reusefd = open(o->reuse, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c.rootfd = open(o->from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0) {
		e = errno;
		if (buf_printf(&why, "unable to open %s: %s", o->from, strerror(e)) < 0 ||
		    !buf_cstr(&why))
			goto out;
		r->reason = why.s;
		why.s = NULL;
		r->refused = e == ENOENT || e == ENOTDIR;
		r->failed = !r->refused;
		ret = 0;
		goto out;
	}
	if ((o->only_domains && compile(o->only_domains, &c.only, &why) < 0) ||
	    (o->exclude_domains && compile(o->exclude_domains, &c.excl, &why) < 0)) {
		if (!buf_cstr(&why))
			goto out;
		r->reason = why.s;
		why.s = NULL;
		r->refused = 1;
		ret = 0;
		goto out;
	}
	if (c.only || c.excl) {
		c.md = pcre2_match_data_create(4, NULL);
		if (c.md == NULL)
			goto out;
	}
	/* the host model: alias files, $j, class w (s2q-cf reports its problems) */
	{
		struct cf_opts co;

		memset(&co, 0, sizeof(co));
		co.rootfd = c.rootfd;
		co.hostname = o->hostname;
		if (cf_load(&c.h, o->cf ? o->cf : "/etc/mail/sendmail.cf", &co, &scratch) == 0)
			c.have_host = 1;
		else if (errno == ENOMEM)
			goto out;
	}
	/* the passwd, by its real path below the root */
	{
		buf real = BUF_INIT;
		const char *pw = o->passwd ? o->passwd : "/etc/passwd";
		int fd = sroot_open(c.rootfd, pw, &real);

		c.passwd_shown = pw;
		if (fd >= 0) {
			close(fd);
			if (buf_printf(&c.passwd, "%s%s", o->from, real.s) < 0 || !buf_cstr(&c.passwd) ||
			    pm_add(&c, c.passwd.s, pw) < 0) {
				buf_free(&real);
				goto out;
			}
		}
		buf_free(&real);
	}
	/*
	 * s2q-aliases runs while s2q-virtusers and s2q-cf run (s2q-cf needs
	 * what s2q-virtusers found): none reads what another writes, their
	 * output files differ and each stages in its own directory.  The steps
	 * keep their order in the report.
	 */
	{
		struct mig_step *sv = step_new(&c, "virtusers", "s2q-virtusers");
		struct mig_step *sc = step_new(&c, "cf", "s2q-cf");
		struct mig_step *sa = step_new(&c, "aliases", "s2q-aliases");
		struct argv aa = { 0 };
		struct bgrun ba, bc;
		struct mj ja;
		int ar, bad = 0;

		ar = aliases_argv(&c, sa, &aa);
		if (ar < 0 || (ar == 1 && run_start(&c, sa, &aa, &ba) < 0)) {
			av_free(&aa);
			goto out;
		}
		/* and s2q-newu on what users/assign most likely will be */
		if (spec_newu_start(&c) < 0)
			bad = ENOMEM;
		if (!bad && (step_virtusers(&c, sv) < 0 || step_cf(&c, sc, &bc) < 0))
			bad = errno ? errno : ENOMEM;
		/*
		 * while s2q-cf runs: s2q-virtusers' users/assign lines (a failure:
		 * step_users retries)
		 */
		if (!bad) {
			if (ar == 1)
				(void)vfrag_read(&c);
			if (step_cf_done(&c, sc, &bc) < 0)
				bad = errno ? errno : ENOMEM;
		}
		/* and the steps that need neither s2q-aliases nor users/assign (reported later) */
		if (!bad) {
			c.defer = 1;
			if (step_rcpthosts(&c) < 0 || step_forward(&c) < 0)
				bad = errno ? errno : ENOMEM;
			c.defer = 0;
		}
		if (ar == 1) {
			if (run_finish(&c, sa, &ba, &ja) < 0) {
				if (!bad)
					bad = errno ? errno : ENOMEM;
			} else {
				mj_free(&ja);
			}
		}
		av_free(&aa);
		if (bad) {
			errno = bad;	/* the first failure's, not what reaping s2q-aliases left */
			goto out;
		}
	}
	if (step_users(&c) < 0 || step_newu(&c) < 0)
		goto out;
	/* rcpthosts and forward ran beside s2q-aliases: their place in the report */
	for (i = 0; i < c.nearly; i++)
		r->step[r->nsteps++] = c.early[i];
	c.nearly = 0;
	/* domains the filters left out: known changes for the proof */
	if (c.excluded.n) {
		struct mig_step *s = &r->step[0];

		for (i = 0; i < c.excluded.nslots; i++) {
			const char *dom;
			size_t dl;

			if (c.excluded.slots[i].off == 0)
				continue;
			dom = hset_slot_key(&c.excluded, &c.excluded.slots[i], &dl);
			if (diag_add(&s->d, DIAG_NOTE, "S2Q-G020", NULL, 0, "virtual domain %.*s is "
				     "left out by the domain filters: it stays on the old host", (int)dl,
				     dom) < 0)
				goto out;
		}
	}
	for (i = 0; i < r->nsteps; i++) {
		if (r->step[i].status == MIG_REFUSED || r->step[i].d.nerr)
			r->refused = 1;
		if (r->step[i].status == MIG_FAILED)
			r->failed = 1;
	}
	/*
	 * the staged tree as it is now: the proof below only reads it, and
	 * publishing checks that the files kept from --to are still these
	 * (install.c in_place: the inode change times)
	 */
	if (mig_list(c.treefd, &r->files, &r->nfiles) < 0) {
		if (errno == ENOMEM)
			goto out;
		r->failed = 1;
	}
	if (step_route(&c) < 0)
		goto out;
	/* the reason: the cf's own step first (the others read the cf too) */
	for (i = 0; i < r->nsteps; i++) {
		struct mig_step *s = &r->step[i];

		if (strcmp(s->name, "cf") == 0 && s->status == MIG_REFUSED && s->reason) {
			if (buf_printf(&why, "%s: %s", s->name, s->reason) < 0 || !buf_cstr(&why))
				goto out;
			r->reason = why.s;
			memset(&why, 0, sizeof(why));
		}
	}
	for (i = 0; i < r->nsteps; i++) {
		struct mig_step *s = &r->step[i];

		r->nerr += s->d.nerr;
		r->nwarn += s->d.nwarn;
		r->nnote += s->d.nnote;
		if (r->reason == NULL && (s->status == MIG_REFUSED || s->status == MIG_FAILED) &&
		    s->reason) {
			if (buf_printf(&why, "%s: %s", s->name, s->reason) < 0 || !buf_cstr(&why))
				goto out;
			r->reason = why.s;
			memset(&why, 0, sizeof(why));
		}
	}
	if (r->reason == NULL && r->refused) {
		if (buf_printf(&why, "%zu input error%s", r->nerr, r->nerr == 1 ? "" : "s") < 0 ||
		    !buf_cstr(&why))
			goto out;
		r->reason = why.s;
		memset(&why, 0, sizeof(why));
	}
	ret = 0;
out:
	e = errno;
	spec_newu_stop(&c);
	buf_free(&c.spec.root);
	for (i = 0; i < c.nearly; i++)
		step_free(&c.early[i]);
	if (wfd >= 0)
		close(wfd);
	if (c.treefd >= 0)
		close(c.treefd);
	if (c.reusefd >= 0)
		close(c.reusefd);
	if (c.rootfd >= 0)
		close(c.rootfd);
	for (i = 0; i < c.npm; i++) {
		free(c.pm[i].from);
		free(c.pm[i].to);
	}
	free(c.pm);
	for (i = 0; i < c.nnotlocal; i++)
		free(c.notlocal[i]);
	free(c.notlocal);
	hset_free(&c.excluded);
	vfrag_free(&c.vf);
	if (c.only)
		pcre2_code_free(c.only);
	if (c.excl)
		pcre2_code_free(c.excl);
	if (c.md)
		pcre2_match_data_free(c.md);
	host_free(&c.h);
	diag_free(&scratch);
	buf_free(&c.tree);
	buf_free(&c.tmp);
	buf_free(&c.passwd);
	buf_free(&why);
	errno = e;
	return ret;
}

int mig_exit(const struct mig_result *r)
{
	size_t i;

	if (r->refused)
		return 100;
	if (r->failed)
		return 111;
	if (r->route.ran && r->route.unexplained)
		return 1;
	for (i = 0; i < r->nsteps; i++)
		if (strcmp(r->step[i].name, "route") == 0 && r->step[i].status == MIG_FAILED)
			return 1;
	return 0;
}

/* ---- the report ---- */

static int jstr(buf *out, const char *s)
{
	if (s == NULL)
		return buf_append_s(out, "null");
	return json_str(out, s, strlen(s));
}

int mig_json(buf *out, const struct mig_opts *o, const char *mode, const char *to,
	     const struct mig_result *r, const char *extra)
{
	size_t i, k;
	int x = mig_exit(r);
	const char *status = r->refused ? "refused" : r->failed ? "failed"
			     : strcmp(mode, "report") == 0 ? "checked" : "converted";

	if (buf_append_s(out, "{\"program\":\"s2q-migrate\",\"report_version\":1,\"mode\":") < 0 ||
	    jstr(out, mode) < 0 || buf_append_s(out, ",\"from\":") < 0 || jstr(out, o->from) < 0 ||
	    buf_append_s(out, ",\"to\":") < 0 || jstr(out, to) < 0 ||
	    buf_append_s(out, ",\"hostname\":") < 0 || jstr(out, o->hostname) < 0 ||
	    buf_append_s(out, ",\"status\":") < 0 || jstr(out, status) < 0 ||
	    buf_printf(out, ",\"exit\":%d,\"reason\":", x) < 0 || jstr(out, r->reason) < 0 ||
	    buf_printf(out, ",\"errors\":%zu,\"warnings\":%zu,\"notes\":%zu,\"steps\":[", r->nerr,
		       r->nwarn, r->nnote) < 0)
		return -1;
	for (i = 0; i < r->nsteps; i++) {
		const struct mig_step *s = &r->step[i];

		if (buf_append_s(out, i ? ",{\"step\":" : "{\"step\":") < 0 || jstr(out, s->name) < 0 ||
		    buf_append_s(out, ",\"program\":") < 0 || jstr(out, s->program) < 0 ||
		    buf_append_s(out, ",\"status\":") < 0 || jstr(out, mig_status_name(s->status)) < 0 ||
		    buf_printf(out, ",\"rc\":%d,\"reason\":", s->rc) < 0 || jstr(out, s->reason) < 0 ||
		    buf_append_s(out, ",\"counts\":{") < 0 ||
		    buf_append(out, s->counts.s, s->counts.len) < 0 ||
		    buf_printf(out, "},\"errors\":%zu,\"warnings\":%zu,\"notes\":%zu,\"diagnostics\":[",
			       s->d.nerr, s->d.nwarn, s->d.nnote) < 0)
			return -1;
		for (k = 0; k < s->d.n; k++)
			if ((k && buf_append_c(out, ',') < 0) || diag_json(out, &s->d.v[k]) < 0)
				return -1;
		if (buf_append_s(out, "]}") < 0)
			return -1;
	}
	if (buf_append_s(out, "],\"route\":") < 0)
		return -1;
	if (r->route.ran) {
		if (buf_printf(out, "{\"same\":%lu,\"different\":%lu,\"known\":%lu,\"only_sendmail\":%lu,"
			       "\"only_qmail\":%lu,\"unexplained\":%lu,\"total\":%lu}", r->route.same,
			       r->route.different, r->route.known, r->route.only_sendmail,
			       r->route.only_qmail, r->route.unexplained, r->route.total) < 0)
			return -1;
	} else if (buf_append_s(out, "null") < 0) {
		return -1;
	}
	if (buf_append_s(out, ",\"files\":[") < 0)
		return -1;
	for (i = 0; i < r->nfiles; i++)
		if (buf_append_s(out, i ? ",{\"path\":" : "{\"path\":") < 0 ||
		    jstr(out, r->files[i].rel) < 0 ||
		    buf_printf(out, ",\"mode\":\"%04o\",\"size\":%llu}", r->files[i].mode,
			       r->files[i].size) < 0)
			return -1;
	if (buf_append_s(out, "]") < 0)
		return -1;
	if (extra && (buf_append_c(out, ',') < 0 || buf_append_s(out, extra) < 0))
		return -1;
	return buf_append_s(out, "}\n");
}

int mig_text(buf *out, const char *prog, const char *mode, const struct mig_result *r)
{
	size_t i, k;

	for (i = 0; i < r->nsteps; i++) {
		const struct mig_step *s = &r->step[i];

		for (k = 0; k < s->d.n; k++)
			if (diag_format(out, strncmp(s->d.v[k].code, "S2Q-G", 5) == 0 ? prog : s->program,
					&s->d.v[k]) < 0)
				return -1;
	}
	if (buf_printf(out, "%s: %s of %zu steps:\n", prog, mode, r->nsteps) < 0)
		return -1;
	for (i = 0; i < r->nsteps; i++) {
		const struct mig_step *s = &r->step[i];

		if (buf_printf(out, "  %-10s %-9s %zu error%s, %zu warning%s, %zu note%s%s%s\n", s->name,
			       mig_status_name(s->status), s->d.nerr, s->d.nerr == 1 ? "" : "s",
			       s->d.nwarn, s->d.nwarn == 1 ? "" : "s", s->d.nnote,
			       s->d.nnote == 1 ? "" : "s", s->reason ? ": " : "",
			       s->reason ? s->reason : "") < 0)
			return -1;
	}
	if (r->route.ran) {
		if (buf_printf(out, "  route proof: %lu addresses: %lu same, %lu different (%lu known), "
			       "%lu only sendmail, %lu only qmail, %lu unexplained\n", r->route.total,
			       r->route.same, r->route.different, r->route.known,
			       r->route.only_sendmail, r->route.only_qmail, r->route.unexplained) < 0)
			return -1;
	} else if (buf_append_s(out, "  route proof: not run\n") < 0) {
		return -1;
	}
	return buf_printf(out, "%s: %zu files staged; %zu errors, %zu warnings, %zu notes; %s%s%s\n", prog,
			  r->nfiles, r->nerr, r->nwarn, r->nnote,
			  r->refused ? "refused" : r->failed ? "failed" : "converted",
			  r->reason ? ": " : "", r->reason ? r->reason : "");
}
