/* resolve/qres_ff - fastforward 0.51 over aliases.cdb and .bin lists, as fastforward.c does it */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qres_int.h"

struct ff {
	struct qres_st *st;
	struct qr_run *r;	/* NULL: no deliveries, no trace */
	const struct qr_env *e;
	const char *fncdb, *cwd;
	size_t ci;		/* index of the cdb in st->cv (which a nested run may move) */
	int dry;
	unsigned flags;
	buf *nlog;		/* what -n prints */
	struct qr_ffres *res;
	struct hset done;	/* used once ndone passes DONE_LINEAR */
	buf donev;		/* the first strings done, NUL-terminated each */
	size_t ndone;
	buf todo, fwd, key, data, path;
	size_t nfwd;
	int stop;		/* an exit code has been set */
};

#define DONE_LINEAR 32

/* done_add - fastforward's strset: 1 added, 0 already there, -1 ENOMEM */
static int done_add(struct ff *f, const char *s, size_t n)
{
	size_t i;
	const char *p;

	if (f->ndone < DONE_LINEAR) {
		for (i = 0, p = f->donev.s; i < f->ndone; i++, p += strlen(p) + 1)
			if (strlen(p) == n && memcmp(p, s, n) == 0)
				return 0;
		if (buf_append(&f->donev, s, n) < 0 || buf_append_c(&f->donev, '\0') < 0)
			return -1;
		if (++f->ndone == DONE_LINEAR) {	/* from now on a hash set */
			for (i = 0, p = f->donev.s; i < f->ndone; i++, p += strlen(p) + 1)
				if (hset_put(&f->done, p, strlen(p), 1, NULL) < 0)
					return -1;
		}
		return 1;
	}
	f->ndone++;
	return hset_put(&f->done, s, n, 1, NULL);
}

static int trace(struct ff *f, const char *fmt, const char *a, size_t alen)
{
	if (f->r == NULL)
		return 0;
	return qr_trace(f->r, fmt, (int)alen, a);
}

/* printsafe: bytes below 32 (char is signed: 128-255 too) become '_' */
static int nlog_safe(struct ff *f, const char *s)
{
	size_t i;

	if (f->nlog == NULL)
		return 0;
	for (i = 0; s[i]; i++)
		if (buf_append_c(f->nlog, (signed char)s[i] < 32 ? '_' : s[i]) < 0)
			return -1;
	return 0;
}

static int nlog_s(struct ff *f, const char *s)
{
	return f->nlog ? buf_append_s(f->nlog, s) : 0;
}

/* finish - fastforward exits with code and message msg (printed with a newline) */
static int finish(struct ff *f, int code, const char *pre, const char *msg)
{
	f->stop = 1;
	f->res->code = code;
	buf_reset(&f->res->msg);
	if (buf_append_s(&f->res->msg, pre) < 0 || buf_append_s(&f->res->msg, msg) < 0)
		return -1;
	if (f->nlog && (buf_append(f->nlog, f->res->msg.s, f->res->msg.len) < 0 ||
			buf_append_c(f->nlog, '\n') < 0))
		return -1;
	if (f->r && qr_trace(f->r, "fastforward exits %d: %s%s", code, pre, msg) < 0)
		return -1;
	return 0;
}

static int fatal(struct ff *f, const char *a, const char *b, const char *c, const char *d)
{
	buf m = BUF_INIT;
	int rc;

	if (buf_append_s(&m, a) < 0 || buf_append_s(&m, b) < 0 || buf_append_s(&m, c) < 0 ||
	    buf_append_s(&m, d) < 0 || buf_cstr(&m) == NULL) {
		buf_free(&m);
		return -1;
	}
	rc = finish(f, 111, "fastforward: fatal: ", m.s);
	buf_free(&m);
	return rc;
}

static int cdberror(struct ff *f, int e)
{
	return fatal(f, "unable to read ", f->fncdb, ": ", qr_errstr(e ? e : EPROTO));
}

/* lookup - one cdb key: 1 found (data in f->data when want), 0 not, -1 ENOMEM, -2 stopped */
static int lookup(struct ff *f, int want)
{
	struct cdb *c = &f->st->cv[f->ci].c;
	int r;

	qr_lower(f->key.s, f->key.len);
	errno = 0;
	r = cdbfilter_find(&f->st->cv[f->ci].filt, c, f->key.s, (unsigned)f->key.len);
	if (r < 0)
		return cdberror(f, errno) < 0 ? -1 : -2;
	if (trace(f, r ? "aliases.cdb: '%.*s' found" : "aliases.cdb: '%.*s' not found",
		  f->key.s, f->key.len) < 0)
		return -1;
	if (r > 0 && want) {
		unsigned dl = cdb_datalen(c);
		const void *d = cdb_get(c, dl, cdb_datapos(c));

		if (d == NULL)
			return cdberror(f, errno) < 0 ? -1 : -2;
		if (buf_copy(&f->data, d, dl) < 0)
			return -1;
	}
	return r > 0;
}

/*
 * findtarget - prepend+addr; with wild also prepend+"@domain", then
 * prepend+"user@" (so @domain beats user@).  1/0/-1 ENOMEM/-2 stopped.
 */
static int findtarget(struct ff *f, int wild, char prepend, const char *addr, int want)
{
	size_t alen = strlen(addr), at;
	int r;

	buf_reset(&f->key);
	if (buf_append_c(&f->key, prepend) < 0 || buf_append(&f->key, addr, alen) < 0)
		return -1;
	r = lookup(f, want);
	if (r != 0 || !wild)
		return r;
	for (at = alen; at > 0 && addr[at - 1] != '@'; at--)
		;
	if (at == 0)
		return 0;
	at--;
	buf_reset(&f->key);
	if (buf_append_c(&f->key, prepend) < 0 || buf_append(&f->key, addr + at, alen - at) < 0)
		return -1;
	r = lookup(f, want);
	if (r != 0)
		return r;
	buf_reset(&f->key);
	if (buf_append_c(&f->key, prepend) < 0 || buf_append(&f->key, addr, at + 1) < 0)
		return -1;
	return lookup(f, want);
}

static int push(buf *stack, const char *s)
{
	return buf_append_s(stack, s) < 0 || buf_append_c(stack, '\0') < 0 ? -1 : 0;
}

/* doprogram - run (or, with -n, print) one | or ! instruction */
static int doprogram(struct ff *f, const char *arg)
{
	buf msg = BUF_INIT;
	int code = 0, rc;

	if (f->dry || f->r == NULL) {
		if (nlog_s(f, "run ") < 0 || nlog_safe(f, arg) < 0 || nlog_s(f, "\n") < 0)
			return -1;
		return trace(f, "would run '%.*s'", arg, strlen(arg));
	}
	if (qr_trace(f->r, "instruction '%s': %s", arg, arg[0] == '!' ? "program via preline" :
		     "program") < 0)
		return -1;
	if (qr_program(f->r, f->e, arg + 1, 1, &code, &msg) < 0) {
		buf_free(&msg);
		return -1;
	}
	rc = 0;
	if (code != 0) {
		switch (code) {
		case 64: case 65: case 70: case 76: case 77: case 78: case 112: case 100:
			code = 100;
			break;
		default:
			code = 111;
		}
		f->stop = 1;
		f->res->code = code;
		rc = buf_copy(&f->res->msg, msg.s, msg.len);
		while (rc == 0 && f->res->msg.len && f->res->msg.s[f->res->msg.len - 1] == '\n')
			f->res->msg.len--;
	}
	buf_free(&msg);
	return rc;
}

/* dodata - the instructions of f->data */
static int dodata(struct ff *f)
{
	buf d = bufpool_take(&f->st->pool);
	size_t i = 0, j;
	int rc = 0;

	if (buf_copy(&d, f->data.s, f->data.len) < 0) {	/* doprogram may look up more */
		bufpool_give(&f->st->pool, &d);
		return -1;
	}
	for (j = 0; j < d.len && !f->stop && rc == 0; ++j) {
		if (d.s[j])
			continue;
		if (d.s[i] == '|' || d.s[i] == '!')
			rc = doprogram(f, d.s + i);
		else if (d.s[i] == '.' || d.s[i] == '/' || (d.s[i] == '&' && j - i < 900))
			rc = push(&f->todo, d.s + i);
		i = j + 1;
	}
	bufpool_give(&f->st->pool, &d);
	return rc;
}

static int forward(struct ff *f, const char *addr)
{
	f->nfwd++;
	if (trace(f, "forward to <%.*s>", addr, strlen(addr)) < 0)
		return -1;
	return push(&f->fwd, addr);
}

static int dorecip(struct ff *f, const char *addr)
{
	int r = findtarget(f, 0, '?', addr, 0);

	if (r < -1)
		return 0;
	if (r < 0)
		return -1;
	if (r == 0) {
		r = findtarget(f, 0, ':', addr, 1);
		if (r < -1)
			return 0;
		if (r < 0)
			return -1;
		if (r)
			return dodata(f);
	} else if (trace(f, "<%.*s> has an owner: forwarded as is", addr, strlen(addr)) < 0) {
		return -1;
	}
	return forward(f, addr);
}

static int dofile(struct ff *f, const char *fn)
{
	mode_t mode;
	int err = 0, r;
	size_t i = 0, j;
	buf ml = BUF_INIT;

	buf_reset(&f->path);
	if (fn[0] != '/' && (buf_append_s(&f->path, f->cwd) < 0 || buf_append_c(&f->path, '/') < 0))
		return -1;
	if (buf_append_s(&f->path, fn) < 0 || buf_cstr(&f->path) == NULL)
		return -1;
	if (trace(f, "list file %.*s", fn, strlen(fn)) < 0)
		return -1;
	r = qr_fs_read_into(f->st, f->path.s, &mode, &ml, &err);
	if (r < 0)
		goto oom;
	if (r == 2 || (r == 0 && mode == 0)) {
		buf_free(&ml);
		return fatal(f, "unable to read ", fn, ": ", qr_errstr(err));
	}
	if ((mode & 0444) != 0444) {
		buf_free(&ml);
		return fatal(f, fn, " is not world-readable", "", "");
	}
	if (r == 0) {	/* exists, not a regular file: a directory fails to read, a device... */
		buf_free(&ml);
		if (S_ISDIR(mode))
			return fatal(f, "unable to read ", fn, ": ", "is a directory");
		return trace(f, "list file %.*s is not a regular file: read as empty", fn, strlen(fn));
	}
	for (j = 0; j < ml.len; ++j) {
		if (ml.s[j])
			continue;
		if (ml.s[i] == '.' || ml.s[i] == '/' || (ml.s[i] == '&' && j - i < 900))
			if (push(&f->todo, ml.s + i) < 0)
				goto oom;
		i = j + 1;
	}
	buf_free(&ml);
	return 0;
oom:
	buf_free(&ml);
	return -1;
}

/* get_cdb - index of path in the cdb cache (opened once), or -1 ENOMEM; *err = open error */
static long get_cdb(struct qres_st *st, const char *path, int *err)
{
	size_t i;
	struct qr_cdb *c;

	for (i = 0; i < st->nc; i++)
		if (strcmp(st->cv[i].path, path) == 0)
			break;
	if (i == st->nc) {
		if (st->nc == st->capc) {
			size_t ncap = st->capc ? st->capc * 2 : 4;
			struct qr_cdb *nv = realloc(st->cv, ncap * sizeof(*nv));

			if (nv == NULL)
				return -1;
			st->cv = nv;
			st->capc = ncap;
		}
		c = &st->cv[st->nc];
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		c->path = strdup(path);
		if (c->path == NULL)
			return -1;
		st->nc++;
		c->fd = qr_fs_open(st, st->rootfd, path, O_RDONLY | O_NONBLOCK);
		if (c->fd < 0) {
			c->err = errno;
		} else if (cdb_init(&c->c, c->fd) < 0) {
			c->err = errno ? errno : EPROTO;
			close(c->fd);
			c->fd = -1;
		} else if (cdbfilter_build(&c->filt, &c->c, st->filter_min) < 0) {
			return -1;
		}
	}
	*err = st->cv[i].err;
	return (long)i;
}

void qr_ffres_free(struct qres_st *st, struct qr_ffres *res)
{
	bufpool_give(&st->pool, &res->msg);
	bufpool_give(&st->pool, &res->fwds);
	bufpool_give(&st->pool, &res->sender);
	memset(res, 0, sizeof(*res));
}

int qr_ff(struct qres_st *st, struct qr_run *r, const char *cdbpath, const char *cwd,
	  unsigned flags, int dry, const struct qr_env *e, buf *nlog, struct qr_ffres *res)
{
	struct ff f;
	buf recip = bufpool_take(&st->pool), x = bufpool_take(&st->pool);
	const char *v;
	int err = 0, rc = -1, w;
	size_t i;

	memset(&f, 0, sizeof(f));
	memset(res, 0, sizeof(*res));
	/* scratch from the pool: a run calls fastforward several times per address */
	f.donev = bufpool_take(&st->pool);
	f.todo = bufpool_take(&st->pool);
	f.fwd = bufpool_take(&st->pool);
	f.key = bufpool_take(&st->pool);
	f.data = bufpool_take(&st->pool);
	f.path = bufpool_take(&st->pool);
	res->msg = bufpool_take(&st->pool);
	res->fwds = bufpool_take(&st->pool);
	res->sender = bufpool_take(&st->pool);
	f.st = st;
	f.r = r;
	f.e = e;
	f.fncdb = cdbpath;
	f.cwd = cwd;
	f.dry = dry;
	f.flags = flags;
	f.nlog = nlog;
	f.res = res;
	if (buf_append_s(&res->sender, e->sender ? e->sender : "original envelope sender") < 0)
		goto out;

	buf_reset(&f.path);
	if (cdbpath[0] != '/' && (buf_append_s(&f.path, cwd) < 0 || buf_append_c(&f.path, '/') < 0))
		goto out;
	if (buf_append_s(&f.path, cdbpath) < 0 || buf_cstr(&f.path) == NULL)
		goto out;
	{
		long ci = get_cdb(st, f.path.s, &err);

		if (ci < 0)
			goto out;
		f.ci = (size_t)ci;
	}
	if (err) {
		rc = cdberror(&f, err);
		goto out;
	}
	if (flags & QRES_FF_D) {
		v = e->default_ ? e->default_ : e->ext;
		if (v == NULL) {
			rc = finish(&f, 100, "fastforward: fatal: ", "$DEFAULT or $EXT must be set");
			goto out;
		}
		if (e->host == NULL) {
			rc = finish(&f, 100, "fastforward: fatal: ", "$HOST must be set");
			goto out;
		}
		if (buf_append_s(&recip, v) < 0 || buf_append_c(&recip, '@') < 0 ||
		    buf_append_s(&recip, e->host) < 0)
			goto out;
	} else {
		if (e->recipient == NULL) {
			rc = finish(&f, 100, "fastforward: fatal: ", "$RECIPIENT must be set");
			goto out;
		}
		if (buf_append_s(&recip, e->recipient) < 0)
			goto out;
	}
	if (buf_cstr(&recip) == NULL)
		goto out;
	if (r && qr_trace(r, "fastforward: recipient <%s>", recip.s) < 0)
		goto out;
	if (done_add(&f, recip.s, recip.len) < 0)
		goto out;

	/* doorigrecip; the owner only changes the envelope sender: skipped when nobody sees it */
	if ((nlog || (r && r->trace)) && res->sender.len &&
	    !(res->sender.len == 4 && memcmp(res->sender.s, "#@[]", 4) == 0)) {
		w = findtarget(&f, 1, '?', recip.s, 1);
		if (w == -1)
			goto out;
		if (w == -2) {
			rc = 0;
			goto out;
		}
		if (w == 1) {
			if (buf_copy(&res->sender, f.data.s, f.data.len) < 0)
				goto out;
			if (r && qr_trace(r, "owner: sender becomes <%.*s>", (int)f.data.len,
					  f.data.s) < 0)
				goto out;
		}
	}
	w = findtarget(&f, 1, ':', recip.s, 1);
	if (w == -1)
		goto out;
	if (w == -2) {
		rc = 0;
		goto out;
	}
	if (w == 0) {
		if (flags & QRES_FF_P) {
			f.stop = 1;
			res->code = 0;
			rc = r ? qr_trace(r, "fastforward -p: no entry, exit 0") : 0;
			goto out;
		}
		rc = finish(&f, 100, "", "Sorry, no mailbox here by that name. (#5.1.1)");
		goto out;
	}
	if (dodata(&f) < 0)
		goto out;

	while (f.todo.len && !f.stop) {
		i = f.todo.len - 1;
		while (i > 0 && f.todo.s[i - 1])
			--i;
		if (buf_copy(&x, f.todo.s + i, f.todo.len - 1 - i) < 0 || buf_cstr(&x) == NULL)
			goto out;
		f.todo.len = i;
		w = done_add(&f, x.s, x.len);
		if (w < 0)
			goto out;
		if (w == 0) {
			if (trace(&f, "'%.*s' done already: skipped", x.s, x.len) < 0)
				goto out;
			continue;
		}
		if (x.len == 0)
			continue;
		if (x.s[0] == '.' || x.s[0] == '/')
			w = dofile(&f, x.s);
		else
			w = dorecip(&f, x.s + 1);
		if (w < 0)
			goto out;
	}
	rc = 0;
	if (f.stop)
		goto out;
	res->code = (flags & QRES_FF_P) ? 99 : 0;
	if (f.fwd.len == 0) {
		if (nlog_s(&f, "no forwarding\n") < 0)
			goto out;
		if (r && qr_trace(r, "fastforward: no forwarding") < 0)
			goto out;
		goto out;
	}
	if (nlog_s(&f, "from <") < 0 || buf_append_c(&res->sender, '\0') < 0)
		goto out;
	res->sender.len--;
	if (nlog_safe(&f, res->sender.s) < 0 || nlog_s(&f, ">\n") < 0)
		goto out;
	while (f.fwd.len) {	/* injected (and printed) last first */
		i = f.fwd.len - 1;
		while (i > 0 && f.fwd.s[i - 1])
			--i;
		if (nlog_s(&f, "to <") < 0 || nlog_safe(&f, f.fwd.s + i) < 0 || nlog_s(&f, ">\n") < 0)
			goto out;
		if (buf_append(&res->fwds, f.fwd.s + i, f.fwd.len - i) < 0)
			goto out;
		res->nfwds++;
		f.fwd.len = i;
	}
	rc = 0;
out:
	hset_free(&f.done);
	bufpool_give(&st->pool, &f.donev);
	bufpool_give(&st->pool, &f.todo);
	bufpool_give(&st->pool, &f.fwd);
	bufpool_give(&st->pool, &f.key);
	bufpool_give(&st->pool, &f.data);
	bufpool_give(&st->pool, &f.path);
	bufpool_give(&st->pool, &recip);
	bufpool_give(&st->pool, &x);
	if (rc < 0)
		errno = ENOMEM;
	return rc;
}

int qres_ff_dryrun(struct qres *q, const char *cdb, const char *cwd, unsigned flags,
		   const struct qres_ffenv *env, buf *out, int *exitcode)
{
	struct qr_env e;
	struct qr_ffres res;
	int rc;

	memset(&e, 0, sizeof(e));
	e.recipient = env->recipient;
	e.sender = env->sender;
	e.default_ = env->default_;
	e.ext = env->ext;
	e.host = env->host;
	rc = qr_ff(q->st, NULL, cdb, cwd, flags, 1, &e, out, &res);
	*exitcode = res.code;
	qr_ffres_free(q->st, &res);
	return rc;
}
