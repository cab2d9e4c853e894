/* resolve/qres - the qmail-side resolver: control files, qmail-smtpd, qmail-send, qmail-remote */
#define _GNU_SOURCE	/* O_PATH */
#include "qres.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "../parse/passwd.h"
#include "../util/lline.h"
#include "qres_int.h"

#define FCACHE_MAX (64UL << 20)	/* bytes of .qmail/.bin content kept in memory */
#define PCACHE_MAX 65536	/* paths whose stat() / directory listing is kept */

void qres_opts_init(struct qres_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->qmailhome = "/var/qmail";
	o->default_delivery = "./Mailbox";
	o->alias_user = "alias";
	o->sender = "s2q-route@probe.invalid";
	o->max_depth = 64;
	o->max_steps = 20000;
}

void qr_lower(char *s, size_t n)
{
	size_t i;

	/* eight bytes a step: in each byte below 0x80, the 0x20 bit set where it is A..Z */
	for (i = 0; i + 8 <= n; i += 8) {
		const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
		uint64_t x, h, up;

		memcpy(&x, s + i, 8);
		h = x & ~high;
		up = (h + ones * (0x80 - 'A')) & ~(h + ones * (0x80 - 'Z' - 1)) & ~x & high;
		x |= up >> 2;
		memcpy(s + i, &x, 8);
	}
	for (; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + ('a' - 'A'));
}

/* the words of djb's error_str(), as qmail-local and fastforward print them */
const char *qr_errstr(int e)
{
	switch (e) {
	case 0: return "no error";
	case EINTR: return "interrupted system call";
	case ENOMEM: return "out of memory";
	case ENOENT: return "file does not exist";
	case ETXTBSY: return "text busy";
	case EIO: return "input/output error";
	case EEXIST: return "file already exists";
	case ETIMEDOUT: return "timed out";
	case EAGAIN: return "temporary failure";
	case EPIPE: return "broken pipe";
	case EPERM: return "permission denied";
	case EACCES: return "access denied";
	case ENXIO: return "device not configured";
	case EPROTO: return "protocol error";
	case EISDIR: return "is a directory";
	case ENOTDIR: return "not a directory";
	case ELOOP: return "symbolic link loop";
	case ENAMETOOLONG: return "file name too long";
	case ENOSPC: return "out of disk space";
	case EBADF: return "file descriptor not open";
	case EFBIG: return "file too big";
	case ENFILE: return "file table overflow";
	case EMFILE: return "too many open files";
	case ESTALE: return "stale NFS file handle";
	default: return "unknown error";
	}
}

/* ---------------------------------------------------------------- files under the root */

/* open_walk - without openat2: one component at a time, never following a symlink */
static int open_walk(int rootfd, const char *path, int flags)
{
	char comp[256];
	const char *p = path, *q;
	int dfd = rootfd, fd, e;
	size_t n;

	for (;;) {
		while (*p == '/')
			p++;
		q = strchr(p, '/');
		n = q ? (size_t)(q - p) : strlen(p);
		while (q && q[1] == '/')
			q++;
		if (n == 0 && q == NULL) {	/* the root itself, or a trailing slash */
			fd = openat(dfd, ".", flags | O_CLOEXEC);
			break;
		}
		if (n >= sizeof(comp) || (n == 2 && p[0] == '.' && p[1] == '.')) {
			errno = n >= sizeof(comp) ? ENAMETOOLONG : ENOENT;
			fd = -1;
			break;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (q == NULL || q[1] == '\0') {
			fd = openat(dfd, comp, flags | O_NOFOLLOW | O_CLOEXEC);
			break;
		}
		if (n == 1 && comp[0] == '.') {
			p = q;
			continue;
		}
		fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd != rootfd)
			close(dfd);
		if (fd < 0)
			return -1;
		dfd = fd;
		p = q;
	}
	e = errno;
	if (dfd != rootfd)
		close(dfd);
	errno = e;
	return fd;
}

int qr_fs_open(struct qres_st *st, int rootfd, const char *path, int flags)
{
#ifdef SYS_openat2
	if (st->have_openat2) {
		struct open_how how;
		long fd;
		int tries;

		memset(&how, 0, sizeof(how));
		how.flags = (unsigned long long)(flags | O_CLOEXEC);
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		for (tries = 0; tries < 16; tries++) {
			fd = syscall(SYS_openat2, rootfd, *path ? path : "/", &how, sizeof(how));
			if (fd >= 0 || errno != EAGAIN)
				break;
		}
		if (fd >= 0 || errno != ENOSYS)
			return (int)fd;
		st->have_openat2 = 0;
	}
#endif
	return open_walk(rootfd, path, flags);
}

static int fs_stat(struct qres_st *st, int rootfd, const char *path, struct stat *sb, int *err)
{
	int fd = qr_fs_open(st, rootfd, path, O_PATH);

	if (fd < 0) {
		*err = errno;
		return (errno == ENOENT || errno == ENOTDIR) ? 0 : 2;
	}
	if (fstat(fd, sb) < 0) {
		*err = errno;
		close(fd);
		return 2;
	}
	close(fd);
	return 1;
}

/* qr_fs_stat - fs_stat, remembered per root and path (the trees do not change under us) */
int qr_fs_stat(struct qres_st *st, int rootfd, const char *path, struct stat *sb, int *err)
{
	buf key = bufpool_take(&st->pool);
	unsigned long v;
	int r;

	if (buf_append_c(&key, rootfd == st->rootfd ? 'R' : 'H') < 0 || buf_append_s(&key, path) < 0)
		goto oom;
	if (hset_get(&st->stats, key.s, key.len, &v)) {
		bufpool_give(&st->pool, &key);
		*err = st->sv[v].err;
		*sb = st->sv[v].sb;
		return st->sv[v].r;
	}
	memset(sb, 0, sizeof(*sb));
	*err = 0;
	r = fs_stat(st, rootfd, path, sb, err);
	if (st->nsv >= PCACHE_MAX) {	/* enough remembered: a million homes stay a million stats */
		bufpool_give(&st->pool, &key);
		return r;
	}
	if (st->nsv == st->capsv) {
		size_t nc = st->capsv ? st->capsv * 2 : 64;
		struct qr_stat *nv = realloc(st->sv, nc * sizeof(*nv));

		if (nv == NULL)
			goto oom;
		st->sv = nv;
		st->capsv = nc;
	}
	st->sv[st->nsv].r = r;
	st->sv[st->nsv].err = *err;
	st->sv[st->nsv].sb = *sb;
	if (hset_set(&st->stats, key.s, key.len, st->nsv) < 0)
		goto oom;
	st->nsv++;
	bufpool_give(&st->pool, &key);
	return r;
oom:
	bufpool_give(&st->pool, &key);
	errno = ENOMEM;
	return -1;
}

/* list_dir - remember which .qmail* names a directory holds: 1 listed, 2 absent, 0 unknown */
static int list_dir(struct qres_st *st, const char *dir, size_t dlen)
{
	unsigned long v;
	buf key = BUF_INIT;
	DIR *dp;
	struct dirent *de;
	int fd, rc = 0;

	if (hset_get(&st->dirs, dir, dlen, &v))
		return (int)v;
	if (st->dirs.n >= PCACHE_MAX)
		return 0;	/* not listed: the caller opens the file itself */
	if (buf_append(&key, dir, dlen) < 0 || buf_cstr(&key) == NULL)
		return -1;
	fd = qr_fs_open(st, st->rootfd, key.s, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			rc = hset_set(&st->dirs, dir, dlen, 2) < 0 ? -1 : 2;
		buf_free(&key);
		return rc;
	}
	dp = fdopendir(fd);
	if (dp == NULL) {
		close(fd);
		buf_free(&key);
		return 0;
	}
	rc = 1;
	errno = 0;
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, ".qmail", 6) != 0)
			continue;
		key.len = dlen;
		if (buf_append_c(&key, '\0') < 0 || buf_append_s(&key, de->d_name) < 0 ||
		    hset_set(&st->names, key.s, key.len, 1) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 1 && errno != 0)
		rc = 0;		/* a read error: don't trust the listing */
	closedir(dp);
	if (rc == 1 && hset_set(&st->dirs, dir, dlen, 1) < 0)
		rc = -1;
	buf_free(&key);
	return rc;
}

static int read_all(int fd, buf *b)
{
	ssize_t n;

	for (;;) {
		if (buf_ready(b, 65536) < 0)
			return -1;
		n = read(fd, b->s + b->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
	}
}

int qr_fs_read_into(struct qres_st *st, const char *path, mode_t *mode, buf *content, int *err)
{
	size_t plen = strlen(path);
	const char *slash = strrchr(path, '/');
	unsigned long v;
	struct qr_file f;
	struct stat sb;
	buf key = BUF_INIT;
	int fd, r;

	*mode = 0;
	*err = ENOENT;
	if (hset_get(&st->files, path, plen, &v)) {
		f = st->fv[v];
		*mode = f.mode;
		if (!S_ISREG(f.mode))
			return 0;
		if (content && buf_append(content, st->fdata.s + f.off, f.len) < 0)
			return -1;
		return 1;
	}
	if (slash && strncmp(slash + 1, ".qmail", 6) == 0) {
		size_t dlen = (size_t)(slash - path);

		r = list_dir(st, dlen ? path : "/", dlen ? dlen : 1);
		if (r < 0)
			return -1;
		if (r == 2)
			return 0;
		if (r == 1) {
			if (buf_append(&key, dlen ? path : "/", dlen ? dlen : 1) < 0 ||
			    buf_append_c(&key, '\0') < 0 || buf_append_s(&key, slash + 1) < 0) {
				buf_free(&key);
				return -1;
			}
			r = hset_get(&st->names, key.s, key.len, NULL);
			buf_free(&key);
			if (!r)
				return 0;
		}
	}
	fd = qr_fs_open(st, st->rootfd, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		*err = errno;
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == ENAMETOOLONG)
			return 0;
		return 2;
	}
	if (fstat(fd, &sb) < 0) {
		*err = errno;
		close(fd);
		return 2;
	}
	memset(&f, 0, sizeof(f));
	f.mode = sb.st_mode;
	*mode = sb.st_mode;
	if (S_ISREG(sb.st_mode)) {
		size_t before = st->fdata.len;

		if (read_all(fd, &st->fdata) < 0) {
			*err = errno;
			close(fd);
			st->fdata.len = before;
			return errno == ENOMEM ? -1 : 2;
		}
		f.off = before;
		f.len = st->fdata.len - before;
		if (content && buf_append(content, st->fdata.s + f.off, f.len) < 0) {
			close(fd);
			return -1;
		}
		if (before + f.len > FCACHE_MAX) {	/* over budget: not cached */
			st->fdata.len = before;
			close(fd);
			return 1;
		}
	}
	close(fd);
	if (st->nf == st->capf) {
		size_t nc = st->capf ? st->capf * 2 : 64;
		struct qr_file *nv = realloc(st->fv, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		st->fv = nv;
		st->capf = nc;
	}
	st->fv[st->nf] = f;
	if (hset_set(&st->files, path, plen, st->nf) < 0)
		return -1;
	st->nf++;
	return S_ISREG(f.mode) ? 1 : 0;
}

/* ---------------------------------------------------------------- control files */

struct qr_ment {
	size_t off;		/* value offset in the map's vals */
	unsigned long line;
};

static void map_free(struct qr_map *m)
{
	hset_free(&m->h);
	buf_free(&m->vals);
	buf_free(&m->lines);
}

/* map_get - *val = the value of key (any case): 1 found, 0 not, -1 ENOMEM */
static int map_get(struct qres_st *st, const struct qr_map *m, const char *key, size_t len,
		   const char **val)
{
	unsigned long v;
	const struct qr_ment *e;

	*val = NULL;
	if (m->h.n == 0)
		return 0;
	if (buf_copy(&st->kbuf, key, len) < 0 || buf_cstr(&st->kbuf) == NULL)
		return -1;	/* buf_cstr: the empty key gets a real pointer too */
	qr_lower(st->kbuf.s, len);
	if (!hset_get(&m->h, st->kbuf.s, len, &v))
		return 0;
	e = (const struct qr_ment *)(const void *)m->lines.s + v;
	*val = m->vals.s + e->off;
	return 1;
}

/* map_put - last wins; *prevline set to the line of an earlier duplicate, else 0 */
static int map_put(struct qr_map *m, const char *key, size_t klen, const char *val, size_t vlen,
		   unsigned long line, unsigned long *prevline)
{
	struct qr_ment e;
	unsigned long old;
	size_t idx = m->lines.len / sizeof(e);
	buf k = BUF_INIT;
	int r;

	*prevline = 0;
	e.off = m->vals.len;
	e.line = line;
	if (buf_append(&m->vals, val, vlen) < 0 || buf_append_c(&m->vals, '\0') < 0 ||
	    buf_append(&m->lines, &e, sizeof(e)) < 0 || buf_copy(&k, key, klen) < 0 ||
	    buf_cstr(&k) == NULL)
		goto oom;
	qr_lower(k.s, klen);
	r = hset_put(&m->h, k.s, klen, idx, &old);
	if (r < 0)
		goto oom;
	if (r == 0) {
		*prevline = ((const struct qr_ment *)(const void *)m->lines.s)[old].line;
		if (hset_set(&m->h, k.s, klen, idx) < 0)
			goto oom;
	}
	buf_free(&k);
	return 0;
oom:
	buf_free(&k);
	errno = ENOMEM;
	return -1;
}

static int ctl_path(struct qres_st *st, buf *p, const char *rel)
{
	buf_reset(p);
	if (buf_append_s(p, st->qmailhome) < 0 || buf_append_c(p, '/') < 0 ||
	    buf_append_s(p, rel) < 0 || buf_cstr(p) == NULL)
		return -1;
	return 0;
}

/* note - a finding about QMAILHOME/rel */
static void note(struct qres_st *st, enum diag_sev sev, const char *code, const char *rel,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void note(struct qres_st *st, enum diag_sev sev, const char *code, const char *rel,
		 const char *fmt, ...)
{
	buf p = BUF_INIT;
	va_list ap;

	if (ctl_path(st, &p, rel) < 0) {
		st->d->oom = 1;
		return;
	}
	va_start(ap, fmt);
	diag_vadd(st->d, sev, code, p.s, 0, fmt, ap);
	va_end(ap);
	buf_free(&p);
}

/* ctl_readline - control_readline(): 1 present (first line, trailing blanks cut), 0 absent, 2 error */
static int ctl_readline(struct qres_st *st, const char *rel, buf *out)
{
	buf p = BUF_INIT;
	lline lr;
	int fd, r;

	buf_reset(out);
	if (ctl_path(st, &p, rel) < 0)
		return -1;
	fd = qr_fs_open(st, st->rootfd, p.s, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		r = errno == ENOENT ? 0 : 2;
		if (r == 2)
			diag_add(st->d, DIAG_WARN, "S2Q-R107", p.s, 0, "unable to read: %s: qmail "
				 "programs that need this file fail", qr_errstr(errno));
		buf_free(&p);
		return r;
	}
	if (lline_fdopen(&lr, fd, 0) < 0) {
		close(fd);
		buf_free(&p);
		return -1;
	}
	r = lline_next(&lr, out);
	lline_close(&lr);
	close(fd);
	if (r < 0) {
		diag_add(st->d, DIAG_WARN, "S2Q-R107", p.s, 0, "unable to read: %s", qr_errstr(errno));
		buf_free(&p);
		return 2;
	}
	while (out->len && (out->s[out->len - 1] == ' ' || out->s[out->len - 1] == '\t'))
		out->len--;
	buf_free(&p);
	return 1;
}

/*
 * ctl_readfile - control_readfile() into a map: blank and #-first lines
 * skipped, trailing blanks cut, leading blanks kept, a NUL splits a line;
 * with colon, key = up to the first ':' and lines without one are dropped.
 * 1 present, 0 absent, 2 unreadable, -1 ENOMEM.
 */
static int ctl_readfile(struct qres_st *st, const char *rel, int colon, struct qr_map *m)
{
	buf p = BUF_INIT, line = BUF_INIT;
	lline lr;
	int fd, r, rc = 1;
	unsigned long prev;

	if (ctl_path(st, &p, rel) < 0)
		return -1;
	fd = qr_fs_open(st, st->rootfd, p.s, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : 2;
		if (rc == 2)
			diag_add(st->d, DIAG_WARN, "S2Q-R107", p.s, 0, "unable to read: %s: qmail "
				 "programs that need this file fail", qr_errstr(errno));
		buf_free(&p);
		return rc;
	}
	if (lline_fdopen(&lr, fd, 0) < 0) {
		close(fd);
		buf_free(&p);
		return -1;
	}
	while ((r = lline_next(&lr, &line)) > 0) {
		size_t i = 0, j;

		while (line.len && (line.s[line.len - 1] == ' ' || line.s[line.len - 1] == '\t'))
			line.len--;
		if (line.len == 0 || line.s[0] == '#')
			continue;
		if (line.s[line.len - 1] == '\r')
			diag_add(st->d, DIAG_WARN, "S2Q-R103", p.s, lr.lineno, "line ends in a carriage "
				 "return: qmail keeps it, so this entry never matches");
		while (i <= line.len) {		/* every NUL-separated piece is an entry */
			const char *e = memchr(line.s + i, '\0', line.len - i);
			size_t n = e ? (size_t)(e - (line.s + i)) : line.len - i;
			const char *s = line.s + i;

			if (!colon) {
				if (map_put(m, s, n, "", 0, lr.lineno, &prev) < 0)
					goto oom;
			} else {
				const char *c = memchr(s, ':', n);

				if (c == NULL) {
					diag_add(st->d, DIAG_NOTE, "S2Q-R104", p.s, lr.lineno,
						 "line without ':' is ignored");
				} else {
					j = (size_t)(c - s);
					if (map_put(m, s, j, c + 1, n - j - 1, lr.lineno, &prev) < 0)
						goto oom;
					if (prev)
						diag_add(st->d, DIAG_NOTE, "S2Q-R105", p.s, lr.lineno,
							 "'%.*s' also on line %lu: the last line wins",
							 (int)(j > 200 ? 200 : j), s, prev);
				}
			}
			if (e == NULL)
				break;
			i += n + 1;
		}
	}
	if (r < 0) {
		if (errno == ENOMEM)
			goto oom;
		diag_add(st->d, DIAG_WARN, "S2Q-R107", p.s, 0, "unable to read: %s", qr_errstr(errno));
		rc = 2;
	}
	lline_close(&lr);
	close(fd);
	buf_free(&p);
	buf_free(&line);
	return rc;
oom:
	lline_close(&lr);
	close(fd);
	buf_free(&p);
	buf_free(&line);
	errno = ENOMEM;
	return -1;
}

static int open_cdb(struct qres_st *st, const char *rel, int *fdp, struct cdb *c, int *err)
{
	buf p = BUF_INIT;
	int fd;

	*fdp = -1;
	if (ctl_path(st, &p, rel) < 0)
		return -1;
	fd = qr_fs_open(st, st->rootfd, p.s, O_RDONLY | O_NONBLOCK);
	buf_free(&p);
	if (fd < 0) {
		*err = errno;
		return errno == ENOENT ? 0 : 2;
	}
	if (cdb_init(c, fd) < 0) {
		*err = errno ? errno : EPROTO;
		close(fd);
		return 2;
	}
	*fdp = fd;
	return 1;
}

/*
 * read_passwd - the accounts qmail-getpw's getpwnam() would find, read by
 * parse/passwd (glibc's rules; the first of duplicate names wins).  Its
 * diagnostics concern the old host's passwd, which the sendmail side
 * reports: they go to a private sink here.
 */
static int read_passwd(struct qres_st *st, const char *path)
{
	struct passwd_parser pp;
	struct passwd_ent e;
	struct diag_sink quiet;
	int r;

	diag_init(&quiet);
	if (passwd_open(&pp, path, path, &quiet) < 0) {
		diag_free(&quiet);
		return -1;
	}
	while ((r = passwd_next(&pp, &e)) > 0) {
		struct qr_pw pw;

		memset(&pw, 0, sizeof(pw));
		pw.uid = e.uid;
		pw.gid = e.gid;
		pw.name = st->pwarena.len;
		if (buf_append(&st->pwarena, e.name.s, e.name.len) < 0 ||
		    buf_append_c(&st->pwarena, '\0') < 0)
			goto oom;
		pw.home = st->pwarena.len;
		if (buf_append(&st->pwarena, e.home.s, e.home.len) < 0 ||
		    buf_append_c(&st->pwarena, '\0') < 0)
			goto oom;
		r = hset_put(&st->pw, e.name.s, e.name.len, st->npw, NULL);
		if (r < 0)
			goto oom;
		if (r == 0)
			continue;	/* getpwnam returns the first */
		if (st->npw == st->cappw) {
			size_t nc = st->cappw ? st->cappw * 2 : 64;
			struct qr_pw *nv = realloc(st->pwv, nc * sizeof(*nv));

			if (nv == NULL)
				goto oom;
			st->pwv = nv;
			st->cappw = nc;
		}
		st->pwv[st->npw++] = pw;
	}
	passwd_close(&pp);
	diag_free(&quiet);
	return r < 0 ? -1 : 0;
oom:
	passwd_close(&pp);
	diag_free(&quiet);
	errno = ENOMEM;
	return -1;
}

static char *xstrdup(const char *s, int *bad)
{
	char *d = strdup(s);

	if (d == NULL)
		*bad = 1;
	return d;
}

/* dead - qmail-send would not start; the first reason is kept */
static void dead(struct qres *q, const char *why)
{
	if (!q->st->send_dead)
		snprintf(q->st->dead_why, sizeof(q->st->dead_why), "%s", why);
	q->send_dead = q->st->send_dead = 1;
}

static void memo_free(struct qres_st *st);

int qres_open(struct qres *q, const char *outroot, const struct qres_opts *o, struct diag_sink *d)
{
	struct qres_opts def;
	struct qres_st *st;
	buf tmp = BUF_INIT;
	const char *cx;
	int bad = 0, r, err = 0, e;

	memset(q, 0, sizeof(*q));
	if (o == NULL) {
		qres_opts_init(&def);
		o = &def;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	q->st = st;
	if (d == NULL) {	/* nobody listens: keep the findings to ourselves */
		diag_init(&st->own);
		d = &st->own;
	}
	st->d = d;
	st->homefd = -1;
	st->mrhfd = -1;
	st->ucdbfd = -1;
	st->have_openat2 = !(o && o->no_openat2);
	st->rootfd = open(outroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->rootfd < 0)
		goto fail;
	if (o->home_root) {
		st->homefd = open(o->home_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->homefd < 0)
			goto fail;
	}
	st->qmailhome = xstrdup(o->qmailhome ? o->qmailhome : "/var/qmail", &bad);
	st->aliasempty = xstrdup(o->default_delivery ? o->default_delivery : "./Mailbox", &bad);
	st->alias_user = xstrdup(o->alias_user ? o->alias_user : "alias", &bad);
	st->sender = xstrdup(o->sender ? o->sender : "s2q-route@probe.invalid", &bad);
	if (!bad && o->alias_home) {
		st->alias_home = xstrdup(o->alias_home, &bad);
	} else if (!bad) {
		if (buf_printf(&tmp, "%s/alias", st->qmailhome) < 0 || buf_cstr(&tmp) == NULL)
			bad = 1;
		else
			st->alias_home = xstrdup(tmp.s, &bad);
	}
	buf_free(&tmp);
	st->max_depth = o->max_depth ? o->max_depth : 64;
	st->max_steps = o->max_steps ? o->max_steps : 20000;
	st->filter_min = o->cdb_filter_min ? o->cdb_filter_min : 4096;
	if (bad) {
		errno = ENOMEM;
		goto fail;
	}
	if (o->passwd && read_passwd(st, o->passwd) < 0)
		goto fail;

	/*
	 * qmail-send: me, envnoathost, locals, percenthack, virtualdomains; a file
	 * that exists but cannot be read stops qmail-send from starting
	 */
	r = ctl_readline(st, "control/me", &st->me);
	if (r < 0)
		goto fail;
	st->have_me = r == 1;
	if (r == 2)
		dead(q, "control/me cannot be read");
	r = ctl_readline(st, "control/envnoathost", &st->envnoathost);
	if (r < 0)
		goto fail;
	if (r == 2)
		dead(q, "control/envnoathost cannot be read");
	if (r != 1 && buf_copy(&st->envnoathost, st->have_me ? st->me.s : "envnoathost",
			       st->have_me ? st->me.len : 11) < 0)
		goto fail;
	if (r == 0 && !st->have_me)
		note(st, DIAG_WARN, "S2Q-R108", "control/envnoathost", "neither control/"
			 "envnoathost nor control/me: addresses without @ get the literal domain "
			 "'envnoathost'");
	{	/* qmail-inject: control_rldef(..., 1, literal) */
		static const char *const names[3] = { "control/defaulthost", "control/defaultdomain",
						      "control/plusdomain" };
		static const char *const lit[3] = { "defaulthost", "defaultdomain", "plusdomain" };
		buf *dst[3];
		int k;

		dst[0] = &st->defaulthost;
		dst[1] = &st->defaultdomain;
		dst[2] = &st->plusdomain;
		for (k = 0; k < 3; k++) {
			r = ctl_readline(st, names[k], dst[k]);
			if (r < 0)
				goto fail;
			if (r != 1 && buf_copy(dst[k], st->have_me ? st->me.s : lit[k],
					       st->have_me ? st->me.len : strlen(lit[k])) < 0)
				goto fail;
		}
	}
	r = ctl_readfile(st, "control/locals", 0, &st->locals);
	if (r < 0)
		goto fail;
	if (r == 0 && st->have_me) {
		unsigned long prev;

		if (map_put(&st->locals, st->me.s, st->me.len, "", 0, 0, &prev) < 0)
			goto fail;
	} else if (r == 0) {
		dead(q, "neither control/locals nor control/me");
		note(st, DIAG_ERROR, "S2Q-R102", "control/locals", "neither control/locals nor "
			 "control/me exists: qmail-send does not start, every address defers");
	} else if (r == 2) {
		dead(q, "control/locals cannot be read");
	}
	r = ctl_readfile(st, "control/percenthack", 0, &st->percenthack);
	if (r < 0)
		goto fail;
	if (r == 2)
		dead(q, "control/percenthack cannot be read");
	r = ctl_readfile(st, "control/virtualdomains", 1, &st->vdoms);
	if (r < 0)
		goto fail;
	if (r == 2)
		dead(q, "control/virtualdomains cannot be read");
	/* qmail-remote: smtproutes (unreadable: every remote delivery defers) */
	r = ctl_readfile(st, "control/smtproutes", 1, &st->routes);
	if (r < 0)
		goto fail;
	st->routes_bad = r == 2;
	if (map_get(st, &st->vdoms, "", 0, &cx) < 0)
		goto fail;
	if (cx && *cx)
		note(st, DIAG_WARN, "S2Q-R110", "control/virtualdomains", "a bare ':prepend' "
			 "line makes every non-local address, outgoing mail included, a local "
			 "delivery");

	/* qmail-smtpd: rcpthosts, morercpthosts.cdb */
	r = ctl_readfile(st, "control/rcpthosts", 0, &st->rcpthosts);
	if (r < 0)
		goto fail;
	st->have_rcpthosts = r != 0;
	if (r == 2)
		st->mrh = -1;	/* rcpthosts_init fails: qmail-smtpd answers 421 */
	if (r == 0) {
		q->rcpthosts_missing = 1;
		note(st, DIAG_WARN, "S2Q-R101", "control/rcpthosts", "missing: qmail-smtpd "
			 "accepts mail for every domain (an open relay), and morercpthosts.cdb is "
			 "not consulted");
	} else if (r == 1) {
		r = open_cdb(st, "control/morercpthosts.cdb", &st->mrhfd, &st->mrhc, &err);
		if (r < 0)
			goto fail;
		st->mrh = r == 1 ? 1 : r == 2 ? -1 : 0;
		if (r == 2)
			note(st, DIAG_WARN, "S2Q-R107", "control/morercpthosts.cdb", "unable to "
				 "read: %s: qmail-smtpd answers 421 to every recipient",
				 qr_errstr(err));
		if (r == 0) {
			struct stat sb;

			if (ctl_path(st, &tmp, "control/morercpthosts") < 0)
				goto fail;
			r = qr_fs_stat(st, st->rootfd, tmp.s, &sb, &e);
			if (r < 0)
				goto fail;
			if (r == 1)
				note(st, DIAG_WARN, "S2Q-R109", "control/morercpthosts",
					 "present but morercpthosts.cdb is not: qmail-smtpd reads only "
					 "the cdb (run qmail-newmrh)");
			buf_free(&tmp);
		}
	}

	/* qmail-lspawn: users/cdb and its wildchars record */
	r = open_cdb(st, "users/cdb", &st->ucdbfd, &st->ucdb, &err);
	if (r < 0)
		goto fail;
	if (r == 0) {
		q->users_cdb = 0;
	} else if (r == 2) {
		q->users_cdb = -1;
		snprintf(st->ucdb_why, sizeof(st->ucdb_why), "unreadable: %s", qr_errstr(err));
	} else {
		r = cdb_find(&st->ucdb, "", 0);
		if (r == 1) {
			unsigned len = cdb_datalen(&st->ucdb);
			const void *p = cdb_get(&st->ucdb, len, cdb_datapos(&st->ucdb));

			if (p == NULL || buf_copy(&st->wildchars, p, len) < 0) {
				r = -1;
			} else {
				q->users_cdb = 1;
			}
		}
		if (r == 0)
			snprintf(st->ucdb_why, sizeof(st->ucdb_why), "it has no wildcard-characters "
				 "record (empty key)");
		else if (r < 0)
			snprintf(st->ucdb_why, sizeof(st->ucdb_why), "unreadable: %s",
				 qr_errstr(errno ? errno : EPROTO));
		if (q->users_cdb != 1)
			q->users_cdb = -1;
	}
	if (q->users_cdb == 1 && cdbfilter_build(&st->ucdbfilt, &st->ucdb, st->filter_min) < 0)
		goto fail;
	if (q->users_cdb < 0)
		note(st, DIAG_WARN, "S2Q-R106", "users/cdb", "%s: qmail-lspawn defers every "
			 "local delivery", st->ucdb_why);
	if (d && d->oom) {
		errno = ENOMEM;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	buf_free(&tmp);
	qres_close(q);
	errno = e;
	return -1;
}

void qres_close(struct qres *q)
{
	struct qres_st *st = q->st;
	size_t i;

	if (st == NULL)
		return;
	if (st->rootfd >= 0)
		close(st->rootfd);
	if (st->homefd >= 0)
		close(st->homefd);
	if (st->mrhfd >= 0) {
		cdb_free(&st->mrhc);
		close(st->mrhfd);
	}
	if (st->ucdbfd >= 0) {
		cdb_free(&st->ucdb);
		close(st->ucdbfd);
	}
	cdbfilter_free(&st->ucdbfilt);
	for (i = 0; i < st->nc; i++) {
		if (st->cv[i].fd >= 0) {
			cdb_free(&st->cv[i].c);
			close(st->cv[i].fd);
		}
		free(st->cv[i].path);
		hset_free(&st->cv[i].doms);
		cdbfilter_free(&st->cv[i].filt);
	}
	free(st->cv);
	qr_s2q_free(st);
	memo_free(st);
	bufpool_free(&st->pool);
	free(st->qmailhome);
	free(st->aliasempty);
	free(st->alias_user);
	free(st->alias_home);
	free(st->sender);
	buf_free(&st->me);
	buf_free(&st->envnoathost);
	buf_free(&st->defaulthost);
	buf_free(&st->defaultdomain);
	buf_free(&st->plusdomain);
	map_free(&st->locals);
	map_free(&st->percenthack);
	map_free(&st->vdoms);
	map_free(&st->routes);
	map_free(&st->rcpthosts);
	buf_free(&st->wildchars);
	hset_free(&st->pw);
	free(st->pwv);
	buf_free(&st->pwarena);
	hset_free(&st->dirs);
	hset_free(&st->names);
	hset_free(&st->files);
	free(st->fv);
	hset_free(&st->stats);
	free(st->sv);
	hset_free(&st->plains);
	buf_free(&st->fdata);
	buf_free(&st->kbuf);
	diag_free(&st->own);
	free(st);
	q->st = NULL;
}

/* ---------------------------------------------------------------- trace and results */

int qr_trace_f(struct qr_run *r, const char *fmt, ...)
{
	va_list ap;
	size_t i;
	int rc;

	if (r->trace == NULL)
		return 0;
	buf_reset(&r->tmp);
	va_start(ap, fmt);
	rc = buf_vprintf(&r->tmp, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	for (i = 0; i < r->depth; i++)
		if (buf_append_s(r->trace, "  ") < 0)
			return -1;
	for (i = 0; i < r->tmp.len; i++) {
		unsigned char c = (unsigned char)r->tmp.s[i];

		if (c < 0x20 || c == 0x7f)
			rc = buf_printf(r->trace, "\\x%02x", c);
		else
			rc = buf_append_c(r->trace, c);
		if (rc < 0)
			return -1;
	}
	return buf_append_c(r->trace, '\n');
}

/* ---------------------------------------------------------------- the re-injection memo */

/* a run's records for the memo: which of out each qr_add was, what qmail-local checked */
static int addlog(struct qr_run *r, size_t at)
{
	return buf_append(&r->addlog, &at, sizeof(at));
}

int qr_dt_checked(struct qr_run *r, const char *dt)
{
	if (!r->memo)
		return 0;
	return buf_append(&r->dtlog, dt, strlen(dt) + 1);
}

void qr_run_free(struct qr_run *r)
{
	size_t i;

	for (i = 0; i < r->ndt; i++)
		free(r->dt[i]);
	free(r->dt);
	r->dt = NULL;
	r->ndt = r->capdt = 0;
	buf_free(&r->tmp);
	buf_free(&r->addlog);
	buf_free(&r->dtlog);
}

static void memo_free(struct qres_st *st)
{
	size_t i;

	for (i = 0; i < st->nmemo; i++)
		dlv_set_free(&st->memov[i].dl);
	free(st->memov);
	st->memov = NULL;
	st->nmemo = st->capmemo = 0;
	hset_free(&st->memo);
	buf_free(&st->memodt);
}

/* at most this many re-injections are remembered (the first ones: a host's busy targets) */
#define QR_MEMO_MAX 32768

/* memo_fits - m may stand for the delivery at r's level, with r's Delivered-To lines */
static int memo_fits(const struct qr_run *r, const struct qr_memo *m)
{
	const struct qres_st *st = r->st;
	const char *p = st->memodt.s + m->dtoff, *e = p + m->dtlen;
	size_t i;

	if (r->depth + m->levels > st->max_depth || r->steps + m->steps > st->max_steps)
		return 0;
	for (; p < e; p += strlen(p) + 1)
		for (i = 0; i < r->ndt; i++)
			if (strcmp(r->dt[i], p) == 0)
				return 0;
	return 1;
}

/* memo_replay - what the delivery did, done again: its deliveries and its counts */
static int memo_replay(struct qr_run *r, const struct qr_memo *m)
{
	const struct qres_st *st = r->st;
	size_t i, at;

	for (i = 0; i < m->dl.n; i++)
		if (dlv_add_at(r->out, &m->dl.v[i], &at) < 0 || addlog(r, at) < 0)
			return -1;
	if (buf_append(&r->dtlog, st->memodt.s + m->dtoff, m->dtlen) < 0)
		return -1;
	r->nadd += m->nadd;
	r->steps += m->steps;
	r->hostdep |= m->hostdep;
	if (r->maxd < r->depth + m->levels)
		r->maxd = r->depth + m->levels;
	return 0;
}

/* memo_keep - remember the delivery of addr that just ended (its records from a0, d0) */
static int memo_keep(struct qr_run *r, const char *addr, size_t len, size_t a0, size_t d0,
		     unsigned long nadd, unsigned long steps, unsigned levels, int hostdep)
{
	struct qres_st *st = r->st;
	struct qr_memo m;
	size_t i;

	if (st->nmemo >= QR_MEMO_MAX)
		return 0;
	if (st->nmemo == st->capmemo) {
		size_t nc = st->capmemo ? st->capmemo * 2 : 256;
		struct qr_memo *nv = realloc(st->memov, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		st->memov = nv;
		st->capmemo = nc;
	}
	memset(&m, 0, sizeof(m));
	dlv_set_init(&m.dl);
	for (i = a0; i < r->addlog.len / sizeof(size_t); i++)
		if (dlv_add(&m.dl, &r->out->v[((const size_t *)(void *)r->addlog.s)[i]]) < 0)
			goto oom;
	m.nadd = nadd;
	m.steps = steps;
	m.levels = levels;
	m.hostdep = hostdep;
	m.dtoff = st->memodt.len;
	m.dtlen = r->dtlog.len - d0;
	if (buf_append(&st->memodt, r->dtlog.s + d0, m.dtlen) < 0 ||
	    hset_set(&st->memo, addr, len, st->nmemo) < 0)
		goto oom;
	st->memov[st->nmemo++] = m;
	return 0;
oom:
	dlv_set_free(&m.dl);
	return -1;
}

int qr_add(struct qr_run *r, enum dlv_kind kind, const char *user, const char *target,
	   const char *route, const char *status, const char *text)
{
	struct delivery d;

	memset(&d, 0, sizeof(d));
	d.kind = kind;
	d.user = (char *)user;
	d.target = (char *)target;
	d.route = (char *)route;
	d.status = (char *)status;
	d.text = (char *)text;
	if (qr_trace(r, "=> %s%s%s%s%s%s%s%s%s", dlv_kind_name(kind), user ? " " : "",
		     user ? user : "", target ? " " : "", target ? target : "", route ? " via " : "",
		     route ? route : "", status ? " " : "", status ? status : "") < 0)
		return -1;
	if (text && qr_trace(r, "   %s", text) < 0)
		return -1;
	r->nadd++;
	if (r->memo) {
		size_t at;

		if (dlv_add_at(r->out, &d, &at) < 0)
			return -1;
		return addlog(r, at);
	}
	return dlv_add(r->out, &d);
}

static int isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* dsn_at - length of a "d.d+.d+" status at s, or 0 */
static size_t dsn_at(const char *s, size_t n)
{
	size_t i = 0, parts = 0;

	if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	i = 2;
	for (parts = 1; parts < 3; parts++) {
		size_t st = i;

		while (i < n && isdig(s[i]))
			i++;
		if (i == st || i - st > 3)
			return 0;
		if (parts == 1) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	return i;
}

int qr_add_msg(struct qr_run *r, enum dlv_kind kind, const char *msg, size_t len)
{
	buf text = BUF_INIT;
	char status[16] = "";
	size_t i, k;
	int rc;

	if (buf_append(&text, msg, len) < 0)
		return -1;
	for (i = 0; i < text.len; i++)	/* one line: newlines and NULs become spaces */
		if (text.s[i] == '\n' || text.s[i] == '\0')
			text.s[i] = ' ';
	while (text.len && (text.s[text.len - 1] == ' ' || text.s[text.len - 1] == '\t'))
		text.len--;
	/* "text (#5.1.1)" */
	if (text.len >= 8 && text.s[text.len - 1] == ')') {
		for (i = text.len - 1; i > 0 && text.s[i - 1] != '('; i--)
			;
		if (i > 0 && text.s[i] == '#' && (k = dsn_at(text.s + i + 1, text.len - i - 2)) &&
		    k == text.len - i - 2 && k < sizeof(status)) {
			memcpy(status, text.s + i + 1, k);
			status[k] = '\0';
			text.len = i - 1;
			while (text.len && text.s[text.len - 1] == ' ')
				text.len--;
		}
	}
	/* "5.1.1 text", "5.1.1:text" */
	if (!status[0] && (k = dsn_at(text.s, text.len)) && k < sizeof(status) &&
	    (k == text.len || text.s[k] == ' ' || text.s[k] == ':')) {
		memcpy(status, text.s, k);
		status[k] = '\0';
		while (k < text.len && (text.s[k] == ' ' || text.s[k] == ':'))
			k++;
		memmove(text.s, text.s + k, text.len - k);
		text.len -= k;
	}
	if (buf_cstr(&text) == NULL) {
		buf_free(&text);
		return -1;
	}
	rc = qr_add(r, kind, NULL, NULL, NULL, status[0] ? status : NULL, text.len ? text.s : NULL);
	buf_free(&text);
	return rc;
}

/* ---------------------------------------------------------------- qmail-remote */

static int remote(struct qr_run *r, const char *addr, size_t len, size_t at)
{
	struct qres_st *st = r->st;
	const char *host = addr + at + 1, *relay = NULL;
	size_t hl = len - at - 1, i;
	buf route = BUF_INIT;
	int rc;

	if (st->routes_bad)
		return qr_add_msg(r, DLV_DEFER, "Unable to read control files. (#4.3.0)", 38);
	for (i = 0; i <= hl; i++) {
		if (i == 0 || i == hl || host[i] == '.') {
			if (map_get(st, &st->routes, host + i, hl - i, &relay) < 0)
				return -1;
			if (relay) {
				if (qr_trace(r, "smtproutes: '%.*s' matches %s'%s'", (int)(hl - i),
					     host + i, *relay ? "" : "the exception ", relay) < 0)
					return -1;
				break;
			}
		}
	}
	if (relay && *relay) {
		const char *c = strchr(relay, ':');
		unsigned long port = 25;

		if (c) {
			port = 0;	/* scan_ulong: no digits is 0 */
			for (i = 1; isdig(c[i]); i++)
				port = port * 10 + (unsigned long)(c[i] - '0');
		}
		char num[24];
		int k = (int)sizeof(num);

		num[--k] = '\0';
		do
			num[--k] = (char)('0' + port % 10);
		while ((port /= 10) && k > 0);
		rc = buf_append_s(&route, "relay:");
		if (rc == 0)
			rc = buf_append(&route, relay, c ? (size_t)(c - relay) : strlen(relay));
		if (rc == 0)
			rc = buf_append_c(&route, ':');
		if (rc == 0)
			rc = buf_append_s(&route, num + k);
	} else {
		if (!relay && qr_trace(r, "smtproutes: no entry for '%.*s': MX lookup", (int)hl,
				       host) < 0)
			return -1;
		rc = buf_append_s(&route, "mx:");
		if (rc == 0 && (rc = buf_append(&route, host, hl)) == 0)
			qr_lower(route.s + 3, hl);
	}
	if (rc < 0 || buf_cstr(&route) == NULL) {
		buf_free(&route);
		return -1;
	}
	{
		buf a = BUF_INIT;

		rc = -1;
		if (buf_append(&a, addr, len) == 0 && buf_cstr(&a) != NULL)
			rc = qr_add(r, DLV_FORWARD, NULL, a.s, route.s, NULL, NULL);
		buf_free(&a);
	}
	buf_free(&route);
	return rc;
}

/* ---------------------------------------------------------------- qmail-send rewrite() */

static int deliver(struct qr_run *r, const char *addr0, size_t len0);

int qr_deliver(struct qr_run *r, const char *addr0, size_t len0)
{
	struct qres_nested *n = r->nest;
	unsigned long nadd0 = r->nadd;
	int rc;

	if (n == NULL || r->depth != 1)
		return deliver(r, addr0, len0);
	/* the first re-injection at level 1 (qres_resolve_nested): only this one is kept */
	r->nest = NULL;
	if (r->out->n != 0 || r->hostdep)
		return deliver(r, addr0, len0);
	rc = deliver(r, addr0, len0);
	if (rc == 0 && !r->hostdep) {
		buf_reset(&n->addr);
		if (buf_append(&n->addr, addr0, len0) < 0 || buf_cstr(&n->addr) == NULL)
			return -1;
		n->valid = 1;	/* the deliveries are copied when the run ends */
		r->nest_n = r->out->n;
		r->nest_nadd = r->nadd - nadd0;
	}
	return rc;
}

static int deliver1(struct qr_run *r, const char *addr0, size_t len0);

/*
 * deliver - qmail-send's delivery of an address.  A re-injected one (level 1
 * and below) that was delivered before is not followed again when what it did
 * then holds now (struct qr_memo): that needs no trace, and the first time no
 * loop or limit (ctxdep), and now no Delivered-To value it checked on the
 * message and the limits not reached.  A $HOST it used (hostdep) is the
 * address's own domain, the same each time; the flag is passed on as it was.
 * Remote ones (no qmail-local run) are not remembered.
 */
static int deliver(struct qr_run *r, const char *addr0, size_t len0)
{
	struct qres_st *st = r->st;
	size_t a0, d0;
	unsigned long s0, n0, v;
	unsigned md0;
	int hd0, cd0, rc, have;

	if (!r->memo || r->depth == 0)
		return deliver1(r, addr0, len0);
	have = hset_get(&st->memo, addr0, len0, &v);
	if (have && memo_fits(r, &st->memov[v]))
		return memo_replay(r, &st->memov[v]);
	a0 = r->addlog.len / sizeof(size_t);
	d0 = r->dtlog.len;
	s0 = r->steps;
	n0 = r->nadd;
	hd0 = r->hostdep;
	cd0 = r->ctxdep;
	md0 = r->maxd;
	r->hostdep = r->ctxdep = 0;
	r->maxd = r->depth;
	rc = deliver1(r, addr0, len0);
	if (rc == 0 && !have && !r->ctxdep && r->steps > s0 &&
	    memo_keep(r, addr0, len0, a0, d0, r->nadd - n0, r->steps - s0, r->maxd - r->depth,
		      r->hostdep) < 0)
		rc = -1;
	r->hostdep |= hd0;
	r->ctxdep |= cd0;
	if (r->maxd < md0)
		r->maxd = md0;
	return rc;
}

static int deliver1(struct qr_run *r, const char *addr0, size_t len0)
{
	struct qres_st *st = r->st;
	buf a, loc;
	const char *x;
	size_t i, j, at;
	int rc = -1;

	if (r->maxd < r->depth)
		r->maxd = r->depth;
	if (qr_trace(r, "qmail-send: <%.*s>", (int)len0, addr0) < 0)
		return -1;
	if (r->depth > st->max_depth) {
		char t[96];

		r->hostdep = 1;	/* the level the limit is met at may depend on the first domain */
		r->ctxdep = 1;
		snprintf(t, sizeof(t), "s2q: more than %u forwarding levels, not followed",
			 st->max_depth);
		return qr_add(r, DLV_DEFER, NULL, NULL, NULL, NULL, t);
	}
	if (st->send_dead) {
		char t[160];

		snprintf(t, sizeof(t), "qmail-send does not start: %s", st->dead_why);
		return qr_add(r, DLV_DEFER, NULL, NULL, NULL, NULL, t);
	}
	a = bufpool_take(&st->pool);
	loc = bufpool_take(&st->pool);
	if (buf_append(&a, addr0, len0) < 0)
		goto out;
	for (i = a.len; i > 0 && a.s[i - 1] != '@'; i--)
		;
	if (i == 0) {
		i = a.len;
		if (buf_append_c(&a, '@') < 0 || buf_append(&a, st->envnoathost.s,
							    st->envnoathost.len) < 0)
			goto out;
		if (qr_trace(r, "no @: envnoathost gives <%.*s>", (int)a.len, a.s) < 0)
			goto out;
	} else {
		i--;
	}
	/* percenthack: while the domain is listed, the last % of the local part becomes @ */
	for (;;) {
		if ((rc = map_get(st, &st->percenthack, a.s + i + 1, a.len - i - 1, &x)) < 0)
			goto out;
		rc = -1;
		if (x == NULL)
			break;
		for (j = i; j > 0 && a.s[j - 1] != '%'; j--)
			;
		if (j == 0)
			break;
		j--;
		a.len = i;
		i = j;
		a.s[i] = '@';
		if (qr_trace(r, "percenthack: <%.*s>", (int)a.len, a.s) < 0)
			goto out;
	}
	for (at = a.len; at > 0 && a.s[at - 1] != '@'; at--)
		;
	at--;
	if (map_get(st, &st->locals, a.s + at + 1, a.len - at - 1, &x) < 0)
		goto out;
	if (x) {
		if (qr_trace(r, "locals: '%.*s' is local", (int)(a.len - at - 1), a.s + at + 1) < 0 ||
		    buf_copy(&loc, a.s, at) < 0 || buf_cstr(&loc) == NULL ||
		    buf_append_c(&a, '\0') < 0)
			goto out;
		rc = qr_local(r, loc.s, a.s + at + 1);
		goto out;
	}
	for (i = 0; i <= a.len; ++i) {
		if (!(i == 0 || i == at + 1 || i == a.len || (i > at && a.s[i] == '.')))
			continue;
		if (map_get(st, &st->vdoms, a.s + i, a.len - i, &x) < 0)
			goto out;
		if (x == NULL)
			continue;
		if (!*x) {
			if (qr_trace(r, "virtualdomains: '%.*s' is an exception: remote",
				     (int)(a.len - i), a.s + i) < 0)
				goto out;
			break;
		}
		if (buf_append_s(&loc, x) < 0 || buf_append_c(&loc, '-') < 0 ||
		    buf_append(&loc, a.s, at) < 0 || buf_cstr(&loc) == NULL ||
		    buf_append_c(&a, '\0') < 0)
			goto out;
		if (qr_trace(r, "virtualdomains: '%.*s' -> prepend '%s': <%s@%s>", (int)(a.len - 1 - i),
			     a.s + i, x, loc.s, a.s + at + 1) < 0)
			goto out;
		rc = qr_local(r, loc.s, a.s + at + 1);
		goto out;
	}
	if (qr_trace(r, "not local: qmail-remote") < 0)
		goto out;
	rc = remote(r, a.s, a.len, at);
out:
	bufpool_give(&st->pool, &a);
	bufpool_give(&st->pool, &loc);
	return rc;
}

/* ---------------------------------------------------------------- qmail-smtpd rcpthosts */

static int rcpthosts(struct qr_run *r, const char *addr, size_t len)
{
	struct qres_st *st = r->st;
	buf h;
	size_t at, j;
	int rc = 0;

	if (!st->have_rcpthosts) {
		if (qr_trace(r, "qmail-smtpd: control/rcpthosts missing: every recipient accepted "
			     "(open relay)") < 0)
			return -1;
		return 1;
	}
	if (st->mrh < 0) {
		if (qr_add(r, DLV_DEFER, NULL, NULL, NULL, "4.3.0", "unable to read controls") < 0)
			return -1;
		return 0;
	}
	for (at = len; at > 0 && addr[at - 1] != '@'; at--)
		;
	if (at == 0)
		return qr_trace(r, "qmail-smtpd: no @: accepted (envnoathost presumed local)") < 0
			       ? -1 : 1;
	h = bufpool_take(&st->pool);
	if (buf_copy(&h, addr + at, len - at) < 0) {
		bufpool_give(&st->pool, &h);
		return -1;
	}
	qr_lower(h.s, h.len);
	for (j = 0; j < h.len; j++) {
		if (j && h.s[j] != '.')
			continue;
		const char *v;

		if (map_get(st, &st->rcpthosts, h.s + j, h.len - j, &v) < 0) {
			rc = -1;
			goto out;
		}
		if (v) {
			rc = qr_trace(r, "qmail-smtpd: '%.*s' in control/rcpthosts", (int)(h.len - j),
				      h.s + j) < 0 ? -1 : 1;
			goto out;
		}
	}
	if (st->mrh == 1) {
		for (j = 0; j < h.len; j++) {
			int f;

			if (j && h.s[j] != '.')
				continue;
			f = cdb_find(&st->mrhc, h.s + j, (unsigned)(h.len - j));
			if (f < 0) {
				rc = qr_add(r, DLV_DEFER, NULL, NULL, NULL, "4.3.0",
					    "unable to read controls") < 0 ? -1 : 0;
				goto out;
			}
			if (f > 0) {
				rc = qr_trace(r, "qmail-smtpd: '%.*s' in control/morercpthosts.cdb",
					      (int)(h.len - j), h.s + j) < 0 ? -1 : 1;
				goto out;
			}
		}
	}
	rc = qr_add(r, DLV_REFUSED, NULL, NULL, NULL, "5.7.1",
		    "sorry, that domain isn't in my list of allowed rcpthosts") < 0 ? -1 : 0;
out:
	bufpool_give(&st->pool, &h);
	return rc;
}

/*
 * inject - qmail-inject's rwnoat, rwplus, rwnodot on a plain address: no @
 * gets @defaulthost; a host ending in '+' loses it and gets .plusdomain; a
 * host without a dot (and not a [literal]) gets .defaultdomain
 */
static int inject(struct qr_run *r, const char *addr, buf *out)
{
	struct qres_st *st = r->st;
	size_t at, i;

	if (buf_copy(out, addr, strlen(addr)) < 0)
		return -1;
	if (out->len == 0)
		return 0;	/* <> is not rewritten */
	for (at = out->len; at > 0 && out->s[at - 1] != '@'; at--)
		;
	if (at == 0) {
		at = out->len + 1;
		if (buf_append_c(out, '@') < 0 ||
		    buf_append(out, st->defaulthost.s, st->defaulthost.len) < 0)
			return -1;
	}
	if (out->len > at && out->s[out->len - 1] == '+') {
		out->len--;
		if (buf_append_c(out, '.') < 0 ||
		    buf_append(out, st->plusdomain.s, st->plusdomain.len) < 0)
			return -1;
	}
	for (i = at; i < out->len; i++)
		if (out->s[i] == '.' || out->s[i] == '[')
			break;
	if (i == out->len && (buf_append_c(out, '.') < 0 ||
			      buf_append(out, st->defaultdomain.s, st->defaultdomain.len) < 0))
		return -1;
	if (buf_cstr(out) == NULL)
		return -1;
	return qr_trace(r, "qmail-inject: <%s> -> <%s>", addr, out->s);
}

/* the lower-cased domain parts of every key of an opened cdb */
static int cdb_domains(struct qr_cdb *c)
{
	unsigned pos;
	buf t = BUF_INIT;
	int rc = -1;

	hset_init(&c->doms);
	cdb_seqinit(&pos, &c->c);
	while (cdb_seqnext(&pos, &c->c) > 0) {
		const char *k = cdb_get(&c->c, cdb_keylen(&c->c), cdb_keypos(&c->c));
		size_t n = cdb_keylen(&c->c), at;

		if (k == NULL)
			goto out;
		for (at = n; at > 0 && k[at - 1] != '@'; at--)
			;
		if (at == 0)
			continue;
		if (buf_copy(&t, k + at, n - at) < 0 || buf_cstr(&t) == NULL)
			goto out;
		qr_lower(t.s, t.len);
		if (hset_put(&c->doms, t.s, t.len, 0, NULL) < 0)
			goto out;
	}
	c->doms_ready = 1;
	rc = 0;
out:
	buf_free(&t);
	return rc;
}

int qres_inject_host(struct qres *q, buf *out)
{
	struct qr_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.st = q->st;
	rc = inject(&r, "x", out);	/* "x@host": the host is what follows the @ */
	buf_free(&r.tmp);
	if (rc < 0)
		return -1;
	memmove(out->s, out->s + 2, out->len - 2);
	out->len -= 2;
	out->s[out->len] = '\0';
	return 0;
}

static int domain_plain(struct qres *q, const char *d, size_t n);

/* the domains whose answers are remembered (one is asked for each address) */
#define QR_PLAIN_MAX 200000

int qres_domain_plain(struct qres *q, const char *d, size_t n)
{
	struct qres_st *st = q->st;
	unsigned long v;
	int rc, have;

	/*
	 * locals, percenthack and rcpthosts stay as loaded; the cdbs opened only
	 * grow in number, and a new one can only make a plain domain not plain
	 */
	have = hset_get(&st->plains, d, n, &v) == 1;
	if (have && ((v & 1) == 0 || v >> 1 == st->nc))
		return (int)(v & 1);
	rc = domain_plain(q, d, n);
	if (rc < 0)
		return -1;
	if ((have || st->plains.n < QR_PLAIN_MAX) &&
	    hset_set(&st->plains, d, n, (unsigned long)st->nc << 1 | (unsigned long)rc) < 0)
		return -1;
	return rc;
}

static int domain_plain(struct qres *q, const char *d, size_t n)
{
	struct qres_st *st = q->st;
	struct qr_run r;
	struct dlv_set out;
	buf D = BUF_INIT, A = BUF_INIT;
	const char *x;
	size_t i;
	int rc = -1, k;

	if (n == 0 || memchr(d, '@', n) || memchr(d, '%', n) || d[0] == '[' || st->send_dead)
		return 0;
	if (buf_copy(&D, d, n) < 0 || buf_cstr(&D) == NULL)
		goto out;
	qr_lower(D.s, D.len);
	if (map_get(st, &st->locals, D.s, D.len, &x) < 0)
		goto out;
	rc = 0;
	if (x == NULL)
		goto out;
	rc = -1;
	if (map_get(st, &st->percenthack, D.s, D.len, &x) < 0)
		goto out;
	rc = 0;
	if (x)
		goto out;
	/* qmail-smtpd takes it (from rcpthosts, morercpthosts.cdb, or no rcpthosts at all) */
	memset(&r, 0, sizeof(r));
	dlv_set_init(&out);
	r.st = st;
	r.out = &out;
	if (buf_copy(&A, "x@", 2) < 0 || buf_append(&A, D.s, D.len) < 0) {
		dlv_set_free(&out);
		rc = -1;
		goto out;
	}
	k = rcpthosts(&r, A.s, A.len);
	dlv_set_free(&out);
	buf_free(&r.tmp);
	if (k != 1) {
		rc = k < 0 ? -1 : 0;
		goto out;
	}
	/* no fastforward key names it, in any aliases cdb opened so far */
	for (i = 0; i < st->nc; i++) {
		struct qr_cdb *c = &st->cv[i];

		if (c->fd < 0 || c->err)
			continue;
		if (!c->doms_ready && cdb_domains(c) < 0) {
			rc = -1;
			goto out;
		}
		if (hset_get(&c->doms, D.s, D.len, NULL) == 1)
			goto out;
	}
	rc = 1;
out:
	buf_free(&D);
	buf_free(&A);
	return rc;
}

int qres_resolve(struct qres *q, const char *address, int via, struct dlv_set *out, buf *trace)
{
	return qres_resolve_ex(q, address, via, out, trace, NULL);
}

void qres_nested_init(struct qres_nested *n)
{
	memset(n, 0, sizeof(*n));
	dlv_set_init(&n->set);
}

void qres_nested_free(struct qres_nested *n)
{
	buf_free(&n->addr);
	dlv_set_free(&n->set);
	n->valid = 0;
}

int qres_resolve_ex(struct qres *q, const char *address, int via, struct dlv_set *out, buf *trace,
		    int *hostdep)
{
	return qres_resolve_nested(q, address, via, out, trace, hostdep, NULL);
}

/*
 * addrparse - the recipient as qmail-smtpd's addrparse() takes it from
 * RCPT TO:<address>: a source route @a,@b: is dropped, quotes go, a
 * backslash keeps the next byte, an unquoted '>' ends it.  smtp = 0 (as
 * qmail-inject's token822 leaves a quoted local part): quotes and
 * backslashes only.  0 nothing to change, 1 the address is in out, -1 ENOMEM.
 */
static int addrparse(buf *out, const char *a, int smtp)
{
	int esc = 0, q = 0;

	if (strcspn(a, smtp ? "\"\\>" : "\"\\") == strlen(a) && !(smtp && a[0] == '@'))
		return 0;
	if (smtp && a[0] == '@')
		while (*a)
			if (*a++ == ':')
				break;
	buf_reset(out);
	for (; *a; a++) {
		if (esc) {
			esc = 0;
		} else if (smtp && !q && *a == '>') {
			break;
		} else if (*a == '\\') {
			esc = 1;
			continue;
		} else if (*a == '"') {
			q = !q;
			continue;
		}
		if (buf_append_c(out, *a) < 0)
			return -1;
	}
	return buf_cstr(out) == NULL ? -1 : 1;
}

int qres_resolve_nested(struct qres *q, const char *address, int via, struct dlv_set *out,
			buf *trace, int *hostdep, struct qres_nested *nested)
{
	struct qr_run r;
	buf a = BUF_INIT, pa = BUF_INIT;
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.st = q->st;
	r.out = out;
	r.trace = trace;
	r.memo = trace == NULL;
	if (nested) {
		nested->valid = 0;
		dlv_set_free(&nested->set);
		r.nest = nested;
	}
	/* as qmail-smtpd or qmail-inject take the address; qmail-send takes it as it is */
	rc = via == QRES_VIA_SMTP || via == QRES_VIA_RCPT ? addrparse(&a, address, 1)
	     : via == QRES_VIA_INJECT ? addrparse(&a, address, 0) : 0;
	if (rc < 0)
		goto out;
	if (rc == 1) {
		if (qr_trace(&r, "%s: <%s> -> <%s>", via == QRES_VIA_INJECT ? "qmail-inject" :
			     "qmail-smtpd", address, a.s) < 0) {
			rc = -1;
			goto out;
		}
		pa = a;
		a = (buf)BUF_INIT;
		address = pa.s;
	}
	rc = 0;
	if (via == QRES_VIA_INJECT) {
		rc = inject(&r, address, &a);
		if (rc == 0)
			rc = qr_deliver(&r, a.s ? a.s : "", a.len);
	} else {
		if (via == QRES_VIA_SMTP || via == QRES_VIA_RCPT)
			rc = rcpthosts(&r, address, strlen(address));
		if (via == QRES_VIA_RCPT) {
			rc = rc < 0 ? -1 : 0;
			r.nadd = 1;	/* no "thrown away" below: only the check was asked */
		} else if (rc > 0 || via != QRES_VIA_SMTP) {
			rc = qr_deliver(&r, address, strlen(address));
		}
	}
	/*
	 * accepted, and no line of any .qmail file delivered it anywhere (only
	 * comments, |exit 0, an empty local part): qmail-local exits 0 and the
	 * message is gone
	 */
	if (rc == 0 && r.nadd == 0 &&
	    (qr_trace(&r, "nothing delivered: accepted and thrown away") < 0 ||
	     qr_add(&r, DLV_DISCARD, NULL, NULL, NULL, NULL, NULL) < 0))
		rc = -1;
out:
	qr_run_free(&r);
	buf_free(&a);
	buf_free(&pa);
	if (hostdep)
		*hostdep = r.hostdep;
	/* the re-injection's deliveries: the first ones the run made, not sorted yet */
	if (rc == 0 && nested && nested->valid) {
		for (i = 0; i < r.nest_n && rc == 0; i++)
			rc = dlv_add(&nested->set, &out->v[i]);
		if (rc == 0 && r.nest_nadd == 0)
			rc = dlv_add_simple(&nested->set, DLV_DISCARD, NULL, NULL, NULL);
		dlv_sort(&nested->set);
	}
	if (rc < 0) {
		if (nested) {
			nested->valid = 0;
			dlv_set_free(&nested->set);
		}
		errno = ENOMEM;
		return -1;
	}
	dlv_sort(out);
	return 0;
}
