/* resolve/qres_local - qmail-lspawn, qmail-getpw, qmail-local and the programs they run */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qres_int.h"

/* one users/cdb or qmail-getpw record */
struct urec {
	const char *user, *home, *dash, *ext;
	unsigned long uid, gid;
};

static int permanent(int code)
{
	switch (code) {
	case 100: case 64: case 65: case 70: case 76: case 77: case 78: case 112:
		return 1;
	default:
		return 0;
	}
}

/* error_temp() of djb's library: errors worth a retry */
static int error_temp(int e)
{
	switch (e) {
	case EINTR: case ENOMEM: case ETXTBSY: case EIO: case ETIMEDOUT: case EAGAIN:
	case ENFILE: case EMFILE: case EFBIG: case ENOSPC: case EDEADLK: case ESTALE:
	case ENOBUFS: case ENETDOWN: case ENETUNREACH: case ENETRESET: case ECONNABORTED:
	case ECONNRESET: case ECONNREFUSED: case EHOSTDOWN: case EHOSTUNREACH: case EREMOTE:
		return 1;
	default:
		return 0;
	}
}

static int defer(struct qr_run *r, const char *msg)
{
	return qr_add_msg(r, DLV_DEFER, msg, strlen(msg));
}

static int bounce(struct qr_run *r, const char *msg)
{
	return qr_add_msg(r, DLV_BOUNCE, msg, strlen(msg));
}

static const char *base(const char *w)
{
	const char *s = strrchr(w, '/');

	return s ? s + 1 : w;
}

/* ---------------------------------------------------------------- a subset of sh */

/*
 * Enough of /bin/sh to read the program lines converters write: words,
 * '...' and "..." quoting, backslash, ';' between commands, '#' comments,
 * and $NAME / ${NAME} for the variables qmail-local sets.  Anything else
 * (pipes, redirections, globs, backquotes, other variables) makes the line
 * "complex": it is then an ordinary program whose outcome is unknown.
 */
#define SH_MAXW 64

struct shp {
	buf a;			/* words, NUL-terminated each */
	size_t off[SH_MAXW];
	int cmd[SH_MAXW];	/* which command each word belongs to */
	size_t n;
	int ncmd;
};

static const char *shw(const struct shp *p, size_t i)
{
	return p->a.s + p->off[i];
}

/* env_var - qmail-local's variable name[0..n): 1 known (value appended), 0 unknown, -1 ENOMEM */
static int env_var(const struct qr_env *e, const char *name, size_t n, buf *out)
{
	const char *v = NULL;
	size_t len = 0, i;
	int k;

#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
	if (IS("USER")) {
		v = e->user;
	} else if (IS("HOME")) {
		v = e->home;
	} else if (IS("LOCAL")) {
		v = e->local;
	} else if (IS("HOST")) {
		v = e->host;
		if (e->hostdep)
			*e->hostdep = 1;
	} else if (IS("RECIPIENT")) {
		v = e->recipient;
		if (e->hostdep)
			*e->hostdep = 1;
	} else if (IS("SENDER")) {
		v = e->sender;
	} else if (IS("NEWSENDER")) {
		v = e->newsender;
	} else if (IS("DEFAULT")) {
		v = e->default_;
	} else if (n == 5 && memcmp(name, "S2Q_", 4) == 0 && name[4] >= '1' && name[4] <= '3') {
		v = e->s2q[name[4] - '1'];
	} else if (IS("EXT")) {
		v = e->ext;
	} else if (n == 4 && memcmp(name, "EXT", 3) == 0 && name[3] >= '2' && name[3] <= '4') {
		v = e->ext ? e->ext : "";
		for (k = '2'; k <= name[3]; k++) {	/* x += str_chr(x,'-'); if (*x) ++x; */
			v += strcspn(v, "-");
			if (*v)
				v++;
		}
	} else if (n == 5 && memcmp(name, "HOST", 4) == 0 && name[4] >= '2' && name[4] <= '4') {
		if (e->hostdep)
			*e->hostdep = 1;
		v = e->host ? e->host : "";
		len = strlen(v);
		for (k = '2'; k <= name[4]; k++) {	/* i = byte_rchr(host,i,'.') */
			for (i = len; i > 0 && v[i - 1] != '.'; i--)
				;
			len = i ? i - 1 : len;
		}
		return buf_append(out, v, len) < 0 ? -1 : 1;
	} else {
		return 0;
	}
#undef IS
	if (v == NULL)
		return 1;	/* unset expands to nothing */
	return buf_append_s(out, v) < 0 ? -1 : 1;
}

/* sh_parse - 1 parsed into p, 0 complex, -1 ENOMEM */
/* sh_parse - the words of s into p (w: scratch) */
static int sh_parse(const char *s, const struct qr_env *e, struct shp *p, buf *wp)
{
	buf w = *wp;
	int inword = 0, keep = 0, words_in_cmd = 0, rc = 0;
	size_t i = 0;

	buf_reset(&w);
	p->n = 0;
	p->ncmd = 0;
	buf_reset(&p->a);
	for (;;) {
		char c = s[i];

		if (c == '\0' || c == ' ' || c == '\t' || c == ';') {
			if (inword && (keep || w.len)) {
				if (p->n == SH_MAXW)
					goto out;
				if (words_in_cmd == 0 && memchr(w.s, '=', w.len))
					goto out;	/* an assignment */
				p->off[p->n] = p->a.len;
				p->cmd[p->n++] = p->ncmd;
				if (buf_append(&p->a, w.s, w.len) < 0 || buf_append_c(&p->a, '\0') < 0)
					goto oom;
				words_in_cmd++;
			}
			inword = keep = 0;
			buf_reset(&w);
			if (c == ';') {
				if (words_in_cmd == 0)
					goto out;	/* "; x" or ";;": a syntax error */
				p->ncmd++;
				words_in_cmd = 0;
			}
			if (c == '\0')
				break;
			i++;
			continue;
		}
		if (c == '#' && !inword)
			break;
		inword = 1;
		if (c == '\'') {
			const char *q = strchr(s + i + 1, '\'');

			if (q == NULL)
				goto out;
			if (buf_append(&w, s + i + 1, (size_t)(q - (s + i + 1))) < 0)
				goto oom;
			keep = 1;
			i = (size_t)(q - s) + 1;
		} else if (c == '"') {
			keep = 1;
			for (i++; s[i] != '"'; i++) {
				if (s[i] == '\0' || s[i] == '`')
					goto out;
				if (s[i] == '\\' && s[i + 1] && strchr("$`\"\\", s[i + 1])) {
					i++;
				} else if (s[i] == '$') {
					size_t st = i + 1, n;
					int r;

					if (s[st] == '{') {
						n = strcspn(s + st + 1, "}");
						if (s[st + 1 + n] != '}')
							goto out;
						r = env_var(e, s + st + 1, n, &w);
						i = st + 1 + n;
					} else {
						for (n = 0; (s[st + n] >= 'A' && s[st + n] <= 'Z') ||
							    (s[st + n] >= 'a' && s[st + n] <= 'z') ||
							    (s[st + n] >= '0' && s[st + n] <= '9') ||
							    s[st + n] == '_'; n++)
							;
						if (n == 0)
							goto out;
						r = env_var(e, s + st, n, &w);
						i = st + n - 1;
					}
					if (r < 0)
						goto oom;
					if (r == 0)
						goto out;
					continue;
				}
				if (buf_append_c(&w, s[i]) < 0)
					goto oom;
			}
			i++;
		} else if (c == '\\') {
			if (s[i + 1] == '\0')
				goto out;
			if (buf_append_c(&w, s[i + 1]) < 0)
				goto oom;
			keep = 1;
			i += 2;
		} else if (c == '$') {
			size_t st = i + 1, n, before = w.len, k;
			int r;

			if (s[st] == '{') {
				n = strcspn(s + st + 1, "}");
				if (s[st + 1 + n] != '}')
					goto out;
				r = env_var(e, s + st + 1, n, &w);
				i = st + 2 + n;
			} else {
				for (n = 0; (s[st + n] >= 'A' && s[st + n] <= 'Z') ||
					    (s[st + n] >= 'a' && s[st + n] <= 'z') ||
					    (s[st + n] >= '0' && s[st + n] <= '9') || s[st + n] == '_'; n++)
					;
				if (n == 0)
					goto out;
				r = env_var(e, s + st, n, &w);
				i = st + n;
			}
			if (r < 0)
				goto oom;
			if (r == 0)
				goto out;
			for (k = before; k < w.len; k++)	/* field splitting / globbing */
				if (strchr(" \t\n*?[", w.s[k]))
					goto out;
		} else if (strchr("|&<>()`*?[{}~!", c)) {
			goto out;
		} else {
			/* a run of ordinary bytes ('#' too, inside a word) */
			size_t n = 1 + strcspn(s + i + 1, " \t;'\"\\$|&<>()`*?[{}~!");

			if (buf_append(&w, s + i, n) < 0)
				goto oom;
			keep = 1;
			i += n;
		}
	}
	if (p->n == 0)
		goto out;
	if (words_in_cmd)
		p->ncmd++;
	rc = 1;
out:
	*wp = w;
	return rc;
oom:
	*wp = w;
	return -1;
}

/* ---------------------------------------------------------------- programs */

/* forward_prog - qmail's forward(1): inject to every argument */
static int forward_prog(struct qr_run *r, const struct shp *p, int *code, buf *msg)
{
	size_t i;
	int rc = 0;

	if (p->n < 2) {
		*code = 100;
		return buf_append_s(msg, "forward: usage: forward address ...") < 0 ? -1 : 0;
	}
	*code = 0;
	if (qr_trace(r, "forward(1): %zu address%s", p->n - 1, p->n == 2 ? "" : "es") < 0)
		return -1;
	r->depth++;
	for (i = 1; i < p->n && rc == 0; i++)
		rc = qr_deliver(r, shw(p, i), strlen(shw(p, i)));
	r->depth--;
	return rc;
}

/* ff_prog - fastforward [ -nNpPdD ] data.cdb, run from a .qmail file (cwd = home) */
static int ff_prog(struct qr_run *r, const struct qr_env *e, const struct shp *p, int *code,
		   buf *msg)
{
	struct qr_ffres res;
	unsigned flags = 0;
	int dry = 0, rc;
	size_t i, k;
	const char *cdb = NULL, *f;

	for (i = 1; i < p->n; i++) {
		const char *w = shw(p, i);

		if (strcmp(w, "--") == 0) {
			i++;
			break;
		}
		if (w[0] != '-' || w[1] == '\0')
			break;
		for (k = 1; w[k]; k++) {
			switch (w[k]) {
			case 'n': dry = 1; break;
			case 'N': dry = 0; break;
			case 'p': flags |= QRES_FF_P; break;
			case 'P': flags &= ~(unsigned)QRES_FF_P; break;
			case 'd': flags |= QRES_FF_D; break;
			case 'D': flags &= ~(unsigned)QRES_FF_D; break;
			default: goto usage;
			}
		}
	}
	if (i < p->n)
		cdb = shw(p, i);
	if (cdb == NULL)
		goto usage;
	memset(&res, 0, sizeof(res));
	if (qr_trace(r, "fastforward%s%s%s %s", flags & QRES_FF_D ? " -d" : "",
		     flags & QRES_FF_P ? " -p" : "", dry ? " -n" : "", cdb) < 0)
		return -1;
	if (qr_ff(r->st, r, cdb, e->home, flags, dry, e, NULL, &res) < 0) {
		qr_ffres_free(r->st, &res);
		return -1;
	}
	*code = res.code;
	rc = buf_append(msg, res.msg.s, res.msg.len);
	if (rc == 0 && !dry && (res.code == 0 || res.code == 99) && res.nfwds) {
		r->depth++;
		for (f = res.fwds.s, i = 0; rc == 0 && i < res.nfwds; i++, f += strlen(f) + 1)
			rc = qr_deliver(r, f, strlen(f));
		r->depth--;
	}
	qr_ffres_free(r->st, &res);
	return rc;
usage:
	*code = 100;
	return buf_append_s(msg, "fastforward: usage: fastforward [ -nNpP ] data.cdb") < 0 ? -1 : 0;
}

/*
 * static_prog - sequences of echo, true, :, false, exit and a one-argument
 * bouncesaying, run as sh would (only exit ends the script; the exit code
 * is the last command's): 1 outcome known (*code, output in msg), 0 not
 */
static int static_prog(const struct shp *p, int *code, buf *msg)
{
	size_t i = 0, j;
	int status = 0, c;

	while (i < p->n) {
		const char *name = base(shw(p, i));
		int cmd = p->cmd[i];
		size_t end = i;

		while (end < p->n && p->cmd[end] == cmd)
			end++;
		if (strcmp(name, "echo") == 0) {
			int nl = 1;

			j = i + 1;
			if (j < end && strcmp(shw(p, j), "-n") == 0) {
				nl = 0;
				j++;
			}
			for (; j < end; j++) {
				if (strchr(shw(p, j), '\\'))
					return 0;	/* dash's echo interprets escapes */
				if (buf_append_s(msg, shw(p, j)) < 0 ||
				    (j + 1 < end && buf_append_c(msg, ' ') < 0))
					return -1;
			}
			if (nl && buf_append_c(msg, '\n') < 0)
				return -1;
			status = 0;
		} else if (strcmp(name, "true") == 0 || strcmp(name, ":") == 0) {
			status = 0;
		} else if (strcmp(name, "false") == 0) {
			status = 1;
		} else if (strcmp(name, "exit") == 0) {
			if (end - i > 2)
				return 0;
			if (end - i == 2) {
				const char *a = shw(p, i + 1);

				if (!*a)
					return 0;
				for (c = 0, j = 0; a[j]; j++) {
					if (a[j] < '0' || a[j] > '9' || j > 9)
						return 0;
					c = (c * 10 + (a[j] - '0')) % 256;
				}
				status = c;
			}
			*code = status;
			return 1;
		} else if (strcmp(name, "bouncesaying") == 0) {
			if (end - i > 2)
				return 0;	/* bouncesaying error program...: depends on the program */
			if (end - i == 2) {
				if (buf_append_s(msg, shw(p, i + 1)) < 0 || buf_append_c(msg, '\n') < 0)
					return -1;
			} else if (buf_append_s(msg, "bouncesaying: usage: bouncesaying error "
						 "[ program [ arg ... ] ]\n") < 0) {
				return -1;
			}
			status = 100;	/* a process like any other: the script goes on */
		} else {
			return 0;
		}
		i = end;
	}
	*code = status;
	return 1;
}

int qr_program(struct qr_run *r, const struct qr_env *e, const char *cmd, int in_ff, int *code,
	       buf *msg)
{
	struct shp p;
	buf target = BUF_INIT;
	const char *c = cmd, *w;
	size_t n;
	int rc, known;

	*code = 0;
	memset(&p, 0, sizeof(p));
	while (*c == ' ' || *c == '\t')
		c++;
	/* preline is qmail's wrapper, not the command: "|preline prog" runs prog */
	n = strcspn(c, " \t");
	if (c[n] && (n == 7 || (n > 7 && c[n - 8] == '/')) && memcmp(c + n - 7, "preline", 7) == 0) {
		c += n;
		while (*c == ' ' || *c == '\t')
			c++;
	}
	rc = qr_s2q_script(r, e, c, code, msg);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	{
		buf word = bufpool_take(&r->st->pool);

		p.a = bufpool_take(&r->st->pool);
		rc = sh_parse(c, e, &p, &word);
		bufpool_give(&r->st->pool, &word);
	}
	if (rc < 0)
		goto oom;
	if (rc == 1) {
		w = base(shw(&p, 0));
		if (p.ncmd == 1 && strcmp(w, "fastforward") == 0) {
			rc = ff_prog(r, e, &p, code, msg);
			bufpool_give(&r->st->pool, &p.a);
			return rc;
		}
		if (p.ncmd == 1 && strcmp(w, "forward") == 0) {
			rc = forward_prog(r, &p, code, msg);
			bufpool_give(&r->st->pool, &p.a);
			return rc;
		}
		known = static_prog(&p, code, msg);
		if (known < 0)
			goto oom;
		if (known && *code != 0) {
			bufpool_give(&r->st->pool, &p.a);
			return qr_trace(r, "program '%s': fixed outcome, exit %d%s", c, *code,
					in_ff ? " (in fastforward)" : "") < 0 ? -1 : 0;
		}
		buf_reset(msg);
		*code = 0;
	}
	bufpool_give(&r->st->pool, &p.a);
	n = strlen(c);
	while (n && (c[n - 1] == ' ' || c[n - 1] == '\t'))
		n--;
	target = bufpool_take(&r->st->pool);
	if (buf_append(&target, c, n) < 0 || buf_cstr(&target) == NULL)
		goto oom;
	rc = qr_add(r, DLV_PROGRAM, e->user, target.s, NULL, NULL, NULL);
	bufpool_give(&r->st->pool, &target);
	return rc;
oom:
	bufpool_give(&r->st->pool, &p.a);
	bufpool_give(&r->st->pool, &target);
	return -1;
}

/* ---------------------------------------------------------------- qmail-local */

static int dt_has(const struct qr_run *r, const char *dt)
{
	size_t i;

	for (i = 0; i < r->ndt; i++)
		if (strcmp(r->dt[i], dt) == 0)
			return 1;
	return 0;
}

static int dt_push(struct qr_run *r, const char *dt)
{
	if (r->ndt == r->capdt) {
		size_t nc = r->capdt ? r->capdt * 2 : 8;
		char **nv = realloc(r->dt, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		r->dt = nv;
		r->capdt = nc;
	}
	r->dt[r->ndt] = strdup(dt);
	if (r->dt[r->ndt] == NULL)
		return -1;
	r->ndt++;
	return 0;
}

static void dt_pop(struct qr_run *r)
{
	free(r->dt[--r->ndt]);
}

/* abspath - a .qmail file line (./x, /x) as an absolute path, relative to home */
static int abspath(buf *out, const char *home, const char *path)
{
	buf_reset(out);
	if (path[0] != '/') {
		if (buf_append_s(out, home) < 0)
			return -1;
		if (out->len && out->s[out->len - 1] != '/' && buf_append_c(out, '/') < 0)
			return -1;
		if (path[0] == '.' && path[1] == '/')
			path += 2;
	}
	if (buf_append_s(out, path) < 0 || buf_cstr(out) == NULL)
		return -1;
	return 0;
}

/* is_default_file - the file line names a mailbox of the default delivery */
static int is_default_file(const struct qres_st *st, const char *home, const char *abs)
{
	const char *s = st->aliasempty;
	buf b = BUF_INIT, line = BUF_INIT;
	int hit = 0;

	while (*s && !hit) {
		size_t n = strcspn(s, "\n");

		buf_reset(&line);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n && (s[0] == '.' || s[0] == '/') && buf_append(&line, s, n) == 0 &&
		    buf_cstr(&line) != NULL && abspath(&b, home, line.s) == 0 && strcmp(b.s, abs) == 0)
			hit = 1;
		s += strcspn(s, "\n");
		if (*s)
			s++;
	}
	buf_free(&b);
	buf_free(&line);
	return hit;
}

/* qmesearch - qmail-local's .qmail file search; 1 found, 0 none, 2 deferred (added), -1 ENOMEM */
static int qmesearch(struct qr_run *r, const char *home, const char *dash, const char *ext,
		     buf *content, mode_t *mode, buf *deflt, int *has_default, buf *name)
{
	struct qres_st *st = r->st;
	buf safe = BUF_INIT, path = BUF_INIT;
	size_t i, extlen = strlen(ext);
	int f, err = 0, rc = -1, first = 1;
	char m[160];

	*has_default = 0;
	if (buf_append_s(&safe, ext) < 0)
		goto out;
	qr_lower(safe.s, safe.len);
	for (i = 0; i < safe.len; i++)
		if (safe.s[i] == '.')
			safe.s[i] = ':';
	i = safe.len;
	for (;;) {
		buf_reset(name);
		if (buf_append_s(name, ".qmail") < 0 || buf_append_s(name, dash) < 0)
			goto out;
		if (first) {
			if (buf_append(name, safe.s, safe.len) < 0)
				goto out;
		} else if (buf_append(name, safe.s, i) < 0 || buf_append_s(name, "default") < 0) {
			goto out;
		}
		if (buf_cstr(name) == NULL)
			goto out;
		buf_reset(&path);
		if (buf_append_s(&path, home) < 0 || buf_append_c(&path, '/') < 0 ||
		    buf_append(&path, name->s, name->len) < 0 || buf_cstr(&path) == NULL)
			goto out;
		buf_reset(content);
		f = qr_fs_read_into(st, path.s, mode, content, &err);
		if (f < 0)
			goto out;
		if (f == 2) {
			snprintf(m, sizeof(m), "Unable to open %.80s: %s. (#4.3.0)", name->s,
				 qr_errstr(err));
			rc = defer(r, m) < 0 ? -1 : 2;
			goto out;
		}
		if (qr_trace(r, "%s: %s", name->s, f ? "found" : "not found") < 0)
			goto out;
		if (f == 1) {
			if (*mode & 002) {
				rc = defer(r, "Uh-oh: .qmail file is writable. (#4.7.0)") < 0 ? -1 : 2;
				goto out;
			}
			if (first) {	/* an exact name that happens to end in "default" */
				if (safe.len >= 7 && memcmp(safe.s + safe.len - 7, "default", 7) == 0 &&
				    safe.len - 7 <= extlen)
					i = safe.len - 7;
				else
					i = (size_t)-1;
			}
			if (i != (size_t)-1 && i <= extlen) {
				*has_default = 1;
				if (buf_copy(deflt, ext + i, extlen - i) < 0 || buf_cstr(deflt) == NULL)
					goto out;
			}
			rc = 1;
			goto out;
		}
		if (first) {
			first = 0;
			i = safe.len;
		} else if (i == 0) {
			break;
		} else {
			i--;
		}
		while (i > 0 && safe.s[i - 1] != '-')
			i--;
	}
	rc = 0;
out:
	buf_free(&safe);
	buf_free(&path);
	return rc;
}

static int qmail_local(struct qr_run *r, const struct urec *u, const char *local, const char *domain)
{
	struct qres_st *st = r->st;
	struct qr_env env;
	struct stat sb;
	buf dt, cmds, deflt, name, msg, fwd, ap;
	mode_t mode = 0;
	size_t i, j, k, nfwd = 0;
	int rc = -1, f, err, nohome = 0, has_default = 0, forwardonly = 0, flag99 = 0, pushed = 0;
	char m[200];

	if (qr_trace(r, "qmail-local: user %s home %s local %s dash '%s' ext '%s' domain %s",
		     u->user, u->home, local, u->dash, u->ext, domain) < 0)
		return -1;
	if (++r->steps > st->max_steps) {
		r->hostdep = 1;	/* how soon a limit is met may depend on the first domain */
		r->ctxdep = 1;
		snprintf(m, sizeof(m), "s2q: more than %lu deliveries for one address, not followed",
			 st->max_steps);
		return qr_add(r, DLV_DEFER, NULL, NULL, NULL, NULL, m);
	}
	if (u->home[0] != '/')
		return bounce(r, "qmail-local: usage: qmail-local [ -nN ] user homedir local dash "
			      "ext domain sender aliasempty");
	f = qr_fs_stat(st, st->rootfd, u->home, &sb, &err);
	if (f < 0)
		return -1;
	if (f == 2 || (f == 1 && !S_ISDIR(sb.st_mode))) {
		snprintf(m, sizeof(m), "Unable to switch to %.100s: %s. (#4.3.0)", u->home,
			 qr_errstr(f == 2 ? err : ENOTDIR));
		return defer(r, m);
	}
	if (f == 0) {
		nohome = 1;
		if (qr_trace(r, "home %s is not in the tree: taken as an existing, safe home without "
			     ".qmail files", u->home) < 0)
			return -1;
	} else if (sb.st_mode & 002) {
		return defer(r, "Uh-oh: home directory is writable. (#4.7.0)");
	} else if (sb.st_mode & 01000) {
		return defer(r, "Home directory is sticky: user is editing his .qmail file. (#4.2.1)");
	}
	dt = bufpool_take(&st->pool);
	cmds = bufpool_take(&st->pool);
	deflt = bufpool_take(&st->pool);
	name = bufpool_take(&st->pool);
	msg = bufpool_take(&st->pool);
	fwd = bufpool_take(&st->pool);
	ap = bufpool_take(&st->pool);
	if (buf_append_s(&dt, local) < 0 || buf_append_c(&dt, '@') < 0 ||
	    buf_append_s(&dt, domain) < 0 || buf_cstr(&dt) == NULL)
		goto out;
	for (i = 0; i < dt.len; i++)
		if (dt.s[i] == '\n')
			dt.s[i] = '_';
	if (qr_dt_checked(r, dt.s) < 0)
		goto out;
	if (dt_has(r, dt.s)) {
		/* when the loop shows depends on the Delivered-To lines, which carry the domain */
		r->hostdep = 1;
		r->ctxdep = 1;
		rc = bounce(r, "This message is looping: it already has my Delivered-To line. (#5.4.6)");
		goto out;
	}
	f = 0;
	if (!nohome) {
		f = qmesearch(r, u->home, u->dash, u->ext, &cmds, &mode, &deflt, &has_default, &name);
		if (f < 0)
			goto out;
		if (f == 2) {
			rc = 0;
			goto out;
		}
	}
	if (f == 0 && *u->dash) {
		rc = bounce(r, "Sorry, no mailbox here by that name. (#5.1.1)");
		goto out;
	}
	if (f == 1) {
		forwardonly = !!(mode & 0100);
		if (has_default && qr_trace(r, "DEFAULT=%s", deflt.s) < 0)
			goto out;
	}
	if (f == 0 || cmds.len == 0) {
		buf_reset(&cmds);
		if (buf_append_s(&cmds, st->aliasempty) < 0)
			goto out;
		forwardonly = 0;
		if (qr_trace(r, "%s: default delivery", f ? "empty file" : "no .qmail file") < 0)
			goto out;
	}
	if ((cmds.len == 0 || cmds.s[cmds.len - 1] != '\n') && buf_append_c(&cmds, '\n') < 0)
		goto out;

	memset(&env, 0, sizeof(env));
	env.user = u->user;
	env.home = u->home;
	env.local = local;
	env.host = domain;
	env.hostdep = &r->hostdep;
	env.ext = u->ext;
	env.default_ = has_default ? deflt.s : NULL;
	env.recipient = dt.s;	/* local@domain (only a newline differs) */
	env.sender = st->sender;
	env.newsender = st->sender;
	env.dtline = dt.s;
	if (dt_push(r, dt.s) < 0)
		goto out;
	pushed = 1;

	for (i = 0, j = 0; j < cmds.len; j++) {
		const char *line;

		if (cmds.s[j] != '\n')
			continue;
		cmds.s[j] = '\0';
		k = j;
		while (k > i && (cmds.s[k - 1] == ' ' || cmds.s[k - 1] == '\t'))
			cmds.s[--k] = '\0';
		line = cmds.s + i;
		switch (line[0]) {
		case '\0':
			if (i == 0) {
				rc = defer(r, "Uh-oh: first line of .qmail file is blank. (#4.2.1)");
				goto abort;
			}
			break;
		case '#':
			break;
		case '.':
		case '/':
			if (forwardonly) {
				rc = defer(r, "Uh-oh: .qmail has file delivery but has x bit set. (#4.7.0)");
				goto abort;
			}
			if (abspath(&ap, u->home, line) < 0)
				goto out;
			if (qr_trace(r, "line '%s': %s", line, cmds.s[k - 1] == '/' ? "maildir" : "mbox") < 0)
				goto out;
			if (is_default_file(st, u->home, ap.s))
				rc = qr_add(r, DLV_MAILBOX, u->user, NULL, NULL, NULL, NULL);
			else
				rc = qr_add(r, DLV_FILE, u->user, ap.s, NULL, NULL, NULL);
			if (rc < 0)
				goto out;
			break;
		case '|': {
			int code;

			if (forwardonly) {
				rc = defer(r, "Uh-oh: .qmail has prog delivery but has x bit set. (#4.7.0)");
				goto abort;
			}
			if (qr_trace(r, "line '%s': program", line) < 0)
				goto out;
			buf_reset(&msg);
			if (qr_program(r, &env, line + 1, 0, &code, &msg) < 0)
				goto out;
			if (code == 99) {
				flag99 = 1;
				if (qr_trace(r, "exit 99: the following lines are skipped") < 0)
					goto out;
			} else if (code != 0) {
				rc = qr_add_msg(r, permanent(code) ? DLV_BOUNCE : DLV_DEFER, msg.s, msg.len);
				goto abort;
			}
			break;
		}
		case '+':
			if (strcmp(line + 1, "list") == 0) {
				forwardonly = 1;
				if (qr_trace(r, "line '+list': forward only from here on") < 0)
					goto out;
			}
			break;
		case '&':
			line++;
			/* fall through */
		default:
			if (qr_trace(r, "line '%s': forward to <%s>", cmds.s + i, line) < 0 ||
			    buf_append_s(&fwd, line) < 0 || buf_append_c(&fwd, '\0') < 0)
				goto out;
			nfwd++;
			break;
		}
		i = j + 1;
		if (flag99)
			break;
	}
	rc = 0;
	if (nfwd) {
		const char *a = fwd.s;

		r->depth++;
		for (i = 0; i < nfwd && rc == 0; i++, a += strlen(a) + 1)
			rc = qr_deliver(r, a, strlen(a));
		r->depth--;
	}
	goto out;
abort:
	if (rc == 0 && nfwd && qr_trace(r, "%zu forward%s not sent", nfwd, nfwd == 1 ? "" : "s") < 0)
		rc = -1;
out:
	if (pushed)
		dt_pop(r);
	bufpool_give(&st->pool, &dt);
	bufpool_give(&st->pool, &cmds);
	bufpool_give(&st->pool, &deflt);
	bufpool_give(&st->pool, &name);
	bufpool_give(&st->pool, &msg);
	bufpool_give(&st->pool, &fwd);
	bufpool_give(&st->pool, &ap);
	return rc;
}

/* ---------------------------------------------------------------- qmail-getpw, qmail-lspawn */

/* fld_s, fld_u - one NUL-terminated field of a users/cdb-like record (no printf: hot path) */
static int fld_s(buf *rec, const char *v)
{
	return buf_append(rec, v, strlen(v) + 1);
}

static int fld_u(buf *rec, unsigned long u)
{
	char d[24];
	size_t n = sizeof(d);

	d[--n] = '\0';
	do {
		d[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return buf_append(rec, d + n, sizeof(d) - n);
}

/* getpw - qmail-getpw over the old host's passwd: 1 record in rec, 2 deferred (added), -1 ENOMEM */
static int getpw(struct qr_run *r, const char *local, buf *rec)
{
	struct qres_st *st = r->st;
	size_t len = strlen(local), e = len;
	char user[32];
	unsigned long v;

	for (;;) {
		if (e < sizeof(user) && (e == len || local[e] == '-')) {
			memcpy(user, local, e);
			user[e] = '\0';
			qr_lower(user, e);
			if (e && hset_get(&st->pw, user, e, &v)) {
				const struct qr_pw *pw = &st->pwv[v];
				const char *home = st->pwarena.s + pw->home;
				int ok = 0;

				if (pw->uid == 0) {
					if (qr_trace(r, "qmail-getpw: %s has uid 0: skipped", user) < 0)
						return -1;
				} else if (st->homefd < 0) {
					ok = 1;
					if (qr_trace(r, "qmail-getpw: passwd has %s (home ownership "
						     "assumed)", user) < 0)
						return -1;
				} else {
					struct stat sb;
					int err = 0, f = qr_fs_stat(st, st->homefd, home, &sb, &err);

					if (f < 0)
						return -1;
					if (f == 2 && error_temp(err))
						return defer(r, "NFS failure in qmail-local.") < 0 ? -1 : 2;
					ok = f == 1 && sb.st_uid == pw->uid;
					if (qr_trace(r, "qmail-getpw: passwd has %s; home %s %s", user, home,
						     ok ? "owned by it" : f == 1 ? "owned by another uid: "
						     "skipped" : "missing: skipped") < 0)
						return -1;
				}
				if (ok) {
					buf_reset(rec);
					if (fld_s(rec, user) < 0 || fld_u(rec, pw->uid) < 0 ||
					    fld_u(rec, pw->gid) < 0 || fld_s(rec, home) < 0 ||
					    fld_s(rec, e < len ? "-" : "") < 0 ||
					    fld_s(rec, e < len ? local + e + 1 : "") < 0)
						return -1;
					return 1;
				}
			}
		}
		if (e == 0)
			break;
		e--;
	}
	/* no account: the alias user, dash "-", ext = the whole local part */
	buf_reset(rec);
	if (hset_get(&st->pw, st->alias_user, strlen(st->alias_user), &v)) {
		const struct qr_pw *pw = &st->pwv[v];

		if (qr_trace(r, "qmail-getpw: no account: alias user %s from passwd", st->alias_user) < 0)
			return -1;
		if (fld_s(rec, st->alias_user) < 0 || fld_u(rec, pw->uid) < 0 ||
		    fld_u(rec, pw->gid) < 0 || fld_s(rec, st->pwarena.s + pw->home) < 0 ||
		    fld_s(rec, "-") < 0 || buf_append_s(rec, local) < 0)
			return -1;
	} else {
		if (qr_trace(r, "qmail-getpw: no account: alias user %s, home %s", st->alias_user,
			     st->alias_home) < 0)
			return -1;
		if (fld_s(rec, st->alias_user) < 0 || fld_s(rec, "alias-uid") < 0 ||
		    fld_s(rec, "alias-gid") < 0 || fld_s(rec, st->alias_home) < 0 ||
		    fld_s(rec, "-") < 0 || buf_append_s(rec, local) < 0)
			return -1;
	}
	return buf_append_c(rec, '\0') < 0 ? -1 : 1;
}

/* scan_ulong as djb wrote it: leading digits, wrapping, 0 when there are none */
static unsigned long scanu(const char *s)
{
	unsigned long u = 0;

	while (*s >= '0' && *s <= '9')
		u = u * 10 + (unsigned long)(*s++ - '0');
	return u;
}

int qr_local(struct qr_run *r, const char *local, const char *domain)
{
	struct qres_st *st = r->st;
	buf key, rec;
	struct urec u;
	const char *fld[6];
	size_t i, n, pos;
	int rc = -1, f, found = 0, wild = 0, from_getpw = 0;

	if (!*local)
		return qr_trace(r, "qmail-lspawn: empty local part: the message is discarded") < 0 ? -1 : 0;
	if (st->ucdb_why[0]) {
		if (qr_trace(r, "qmail-lspawn: users/cdb %s", st->ucdb_why) < 0)
			return -1;
		return defer(r, "Trouble reading users/cdb in qmail-lspawn.");
	}
	key = bufpool_take(&st->pool);
	rec = bufpool_take(&st->pool);
	if (st->ucdbfd >= 0) {
		if (buf_append_c(&key, '!') < 0 || buf_append_s(&key, local) < 0 ||
		    buf_append_c(&key, '\0') < 0)
			goto out;
		qr_lower(key.s, key.len);
		i = key.len;
		do {
			if (!wild || i == 1 ||
			    (st->wildchars.len && memchr(st->wildchars.s, key.s[i - 1], st->wildchars.len))) {
				f = cdbfilter_find(&st->ucdbfilt, &st->ucdb, key.s, (unsigned)i);
				if (f < 0) {
					rc = defer(r, "Trouble reading users/cdb in qmail-lspawn.");
					goto out;
				}
				if (f > 0) {
					unsigned dl = cdb_datalen(&st->ucdb);
					const char *d = cdb_get(&st->ucdb, dl, cdb_datapos(&st->ucdb));

					if (d == NULL) {
						rc = defer(r, "Trouble reading users/cdb in qmail-lspawn.");
						goto out;
					}
					if (buf_append(&rec, d, dl) < 0 ||
					    (wild && buf_append_s(&rec, local + i - 1) < 0) ||
					    buf_append_c(&rec, '\0') < 0)
						goto out;
					found = 1;
					break;
				}
			}
			--i;
			wild = 1;
		} while (i);
		if (found) {
			if (qr_trace(r, "users/cdb: %s key '%.*s' matches", wild ? "wildcard" : "exact",
				     (int)(wild ? i : i - 1), key.s) < 0)
				goto out;
		} else if (qr_trace(r, "users/cdb: no match for '%s' (wildchars '%.*s')", local,
				    (int)st->wildchars.len, st->wildchars.s ? st->wildchars.s : "") < 0) {
			goto out;
		}
	}
	if (!found) {
		from_getpw = 1;
		f = getpw(r, local, &rec);
		if (f < 0)
			goto out;
		if (f == 2) {
			rc = 0;
			goto out;
		}
	}
	/* user uid gid home dash ext, NUL-separated (the last NUL added above) */
	for (pos = 0, n = 0; n < 6; n++) {
		const char *z = memchr(rec.s + pos, '\0', rec.len - pos);

		if (z == NULL && n < 5) {
			rc = defer(r, "Internal qmail-lspawn bug.");
			goto out;
		}
		fld[n] = rec.s + pos;
		pos = z ? (size_t)(z - rec.s) + 1 : rec.len;
	}
	u.user = fld[0];
	u.home = fld[3];
	u.dash = fld[4];
	u.ext = fld[5];
	if (from_getpw && strcmp(fld[1], "alias-uid") == 0) {
		u.uid = u.gid = 1;	/* the alias account of the new host: not root */
	} else {
		u.uid = scanu(fld[1]) & 0xffffffffUL;
		u.gid = scanu(fld[2]) & 0xffffffffUL;
		if (u.uid == 0xffffffffUL || u.gid == 0xffffffffUL) {
			rc = defer(r, "Internal qmail-lspawn bug.");
			goto out;
		}
		if (u.uid == 0) {
			rc = defer(r, "Not allowed to perform deliveries as root.");
			goto out;
		}
	}
	rc = qmail_local(r, &u, local, domain);
out:
	bufpool_give(&st->pool, &key);
	bufpool_give(&st->pool, &rec);
	return rc;
}
