/* parse/forward - a user's .forward as sendmail 8.17 reads it */
#include "forward.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/lline.h"
#include "../util/sroot.h"

/*
 * Diagnostic codes S2Q-F001..F019 (MIGRATION.md ".forward files").  The
 * words in quotes are what `sendmail -bv -v user` prints for the case
 * (recordings in tests/forward/).  sendmail's order (safefile.c, include()):
 * directories above the file first, then the file: regular, owner, group-
 * then world-writable, readable by the user.
 */

#define FWD_MAX_INCLUDE_DEPTH 10	/* sendmail's MaxAliasRecursion bounds nested lists */

void forward_file_init(struct forward_file *f)
{
	memset(f, 0, sizeof(*f));
}

void forward_file_free(struct forward_file *f)
{
	size_t i;

	for (i = 0; i < f->nincs; i++) {
		free(f->incs[i].path);
		alias_list_free(&f->incs[i].list);
	}
	free(f->incs);
	free(f->path);
	alias_list_free(&f->list);
	memset(f, 0, sizeof(*f));
}

const struct forward_inc *forward_inc_find(const struct forward_file *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->nincs; i++)
		if (strcmp(f->incs[i].path, path) == 0)
			return &f->incs[i];
	return NULL;
}

/*
 * expand - one ForwardPath entry with the user's macros into out.
 * 1 expanded, 0 unusable (an unknown macro, $w/$j without a host name),
 * -1 ENOMEM.
 */
static int expand(const char *s, size_t n, const struct forward_user *u, const char *host,
		  buf *out, char *bad)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		const char *v = NULL;
		size_t vl;

		if (s[i] != '$' || i + 1 >= n) {
			if (buf_append_c(out, s[i]) < 0)
				return -1;
			continue;
		}
		i++;
		switch (s[i]) {
		case 'z':
			v = u->home;
			vl = strlen(v);
			break;
		case 'u':
			v = u->name;
			vl = strlen(v);
			break;
		case 'j':
			v = host;
			vl = v ? strlen(v) : 0;
			break;
		case 'w':
			v = host;
			vl = v ? strcspn(v, ".") : 0;
			break;
		case 'h':
			/* the +detail of the recipient: empty for the plain address,
			   which is the one ~user/.qmail stands for (sendmail tries
			   "$z/.forward+" then, which rarely exists) */
			v = "";
			vl = 0;
			break;
		case '$':
			v = "$";
			vl = 1;
			break;
		default:
			break;
		}
		if (v == NULL) {
			*bad = s[i];
			return 0;
		}
		if (buf_append(out, v, vl) < 0)
			return -1;
	}
	return buf_cstr(out) == NULL ? -1 : 1;
}

/*
 * dircheck - sendmail's safedirpath() over the directories of path
 * (a "/"-rooted path inside the tree), walked from the root without
 * following links (a link on the way ends the check: it is not judged).
 * 0 safe, or the sendmail words of the first problem, -1 system error.
 */
static int dircheck(int rootfd, const char *path, unsigned dbs, const char **why)
{
	const char *p = path, *slash;
	int fd = dup(rootfd), r = 0;
	struct stat st;

	*why = NULL;
	if (fd < 0)
		return -1;
	for (;;) {
		int nfd;
		buf comp = BUF_INIT;

		if (fstat(fd, &st) < 0) {
			r = -1;
			break;
		}
		if (!((dbs & FWD_DBS_STICKY) && (st.st_mode & S_ISVTX))) {
			if ((st.st_mode & S_IWGRP) && !(dbs & FWD_DBS_GW_DIRPATH))
				*why = "Group writable directory";
			if (st.st_mode & S_IWOTH)
				*why = "World writable directory";
			if (*why)
				break;
		}
		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		if (slash == NULL)
			break;	/* p is the file itself */
		if (buf_copy(&comp, p, (size_t)(slash - p)) < 0 || buf_cstr(&comp) == NULL) {
			buf_free(&comp);
			r = -1;
			break;
		}
		p = slash;
		nfd = strcmp(comp.s, "..") == 0 ? -1 :
			openat(fd, comp.s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		buf_free(&comp);
		if (nfd < 0)
			break;	/* a link, "..", a vanished directory: not judged */
		close(fd);
		fd = nfd;
	}
	close(fd);
	return r;
}

/* parent - the directory part of a "/"-rooted path plus a final component "x" */
static int dirof(const char *path, buf *out)
{
	const char *s = strrchr(path, '/');

	if (buf_copy(out, path, s ? (size_t)(s - path) + 1 : 0) < 0 || buf_append_c(out, 'x') < 0)
		return -1;
	return buf_cstr(out) == NULL ? -1 : 0;
}

/*
 * filecheck - sendmail's safefile() for the file open on fd as the user:
 * 0 safe, else *why has the words sendmail prints.
 */
static void filecheck(const struct stat *st, const struct forward_user *u, int forward,
		      unsigned dbs, const char **why)
{
	int gw = forward ? FWD_DBS_GW_FORWARD : FWD_DBS_GW_INCLUDE;
	int ww = forward ? FWD_DBS_WW_FORWARD : FWD_DBS_WW_INCLUDE;

	*why = NULL;
	if (forward && st->st_uid != u->uid && st->st_uid != 0)
		*why = "Permission denied";
	else if ((st->st_mode & S_IWGRP) && !(dbs & (unsigned)gw))
		*why = "Group writable file";
	else if ((st->st_mode & S_IWOTH) && !(dbs & (unsigned)ww))
		*why = "World writable file";
	else if (u->uid != 0) {
		mode_t need = st->st_uid == u->uid ? S_IRUSR :
			      st->st_gid == u->gid ? S_IRGRP : S_IROTH;

		if (!(st->st_mode & need))
			*why = "Permission denied";
	}
}

static int addinc(struct forward_file *f, const char *path, size_t *idx)
{
	struct forward_inc *v;

	if (f->nincs % 8 == 0) {
		v = realloc(f->incs, (f->nincs + 8) * sizeof(*v));
		if (v == NULL)
			return -1;
		f->incs = v;
	}
	v = &f->incs[f->nincs];
	memset(v, 0, sizeof(*v));
	v->path = strdup(path);
	if (v->path == NULL)
		return -1;
	*idx = f->nincs++;
	return 0;
}

/* readinc - read the :include: list path (named at file:line) and the lists it names */
static int readinc(int rootfd, const struct forward_user *u, const struct forward_opts *o,
		   struct forward_file *f, const char *path, const char *file, unsigned long line,
		   int depth, struct diag_sink *d)
{
	buf full = BUF_INIT, real = BUF_INIT;
	struct stat st;
	const char *why;
	size_t idx, i;
	int fd = -1, rv = -1;

	if (forward_inc_find(f, path) != NULL || depth > FWD_MAX_INCLUDE_DEPTH)
		return 0;
	if (addinc(f, path, &idx) < 0)
		return -1;
	f->incs[idx].missing = 1;
	if (path[0] != '/') {
		const char *q = o->ao ? o->ao->queue_dir : NULL;

		if (q == NULL) {
			rv = diag_add(d, DIAG_WARN, "S2Q-F013", file, line,
				      ":include:%s is a relative path: sendmail resolves it against its "
				      "queue directory, which was not given; not read", path);
			goto out;
		}
		if (buf_printf(&full, "%s/%s", q, path) < 0)
			goto out;
	} else if (buf_append_s(&full, path) < 0) {
		goto out;
	}
	if (buf_cstr(&full) == NULL)
		goto out;
	fd = sroot_open(rootfd, full.s, &real);
	if (fd < 0) {
		if (errno == ENOMEM)
			goto out;
		if (errno == EXDEV || errno == ELOOP) {
			f->incs[idx].missing = 2;
			rv = diag_add(d, DIAG_ERROR, "S2Q-F014", file, line,
				      ":include:%s %s: s2q cannot tell what sendmail read", path,
				      sroot_errstr(errno));
		} else {
			rv = diag_add(d, DIAG_WARN, "S2Q-F015", file, line,
				      ":include:%s: sendmail answers \"Cannot open %s: %s\"", path, path,
				      errno == EINVAL ? "Regular files only" : sroot_errstr(errno));
		}
		goto out;
	}
	if (fstat(fd, &st) < 0)
		goto out;
	filecheck(&st, u, 0, o->dontblame, &why);
	if (why != NULL) {
		rv = diag_add(d, DIAG_WARN, "S2Q-F015", file, line,
			      ":include:%s: sendmail answers \"Cannot open %s: %s\"", path, path, why);
		goto out;
	}
	f->incs[idx].owner = (unsigned long)st.st_uid;
	if (aliases_read_list(fd, full.s, o->ao, d, &f->incs[idx].list) < 0)
		goto out;
	f->incs[idx].missing = 0;
	close(fd);
	fd = -1;
	/* nested lists: f->incs may move, so take the strings from a stable copy */
	for (i = 0; i < f->incs[idx].list.nelems; i++) {
		const struct alias_elem *e = &f->incs[idx].list.elems[i];

		if (e->kind == ALIAS_INCLUDE &&
		    readinc(rootfd, u, o, f, alias_elem_text(e), f->incs[idx].path,
			    f->incs[idx].list.lines[i], depth + 1, d) < 0)
			goto out;
	}
	rv = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&full);
	buf_free(&real);
	return rv < 0 ? -1 : 0;
}

/*
 * tryone - one ForwardPath entry.  1 read (stop), 0 absent or refused (go
 * on; *refused set when a file was there), -1 system error.
 */
static int tryone(int rootfd, const struct forward_user *u, const struct forward_opts *o,
		  const char *path, struct forward_file *f, int *refused, struct diag_sink *d)
{
	buf real = BUF_INIT, dir = BUF_INIT;
	struct stat st;
	const char *why = NULL;
	int fd, rv = -1;

	fd = sroot_open(rootfd, path, &real);
	if (fd < 0) {
		int e = errno;

		if (e == ENOMEM)
			goto out;
		rv = 0;
		if (e == ENOENT || e == ENOTDIR)
			goto out;
		*refused = 1;
		if (e == EINVAL) {
			f->why = "Regular files only";
			rv = diag_add(d, DIAG_WARN, "S2Q-F002", path, 0,
				      "not a regular file: sendmail ignores it (\"forward: %s: Regular "
				      "files only\") and delivers to the local mailbox", path);
		} else if (e == EXDEV || e == ELOOP) {
			rv = diag_add(d, DIAG_ERROR, "S2Q-F009", path, 0,
				      "%s: s2q cannot tell what sendmail read", sroot_errstr(e));
		} else {
			rv = diag_add(d, DIAG_ERROR, "S2Q-F010", path, 0, "cannot be read: %s",
				      sroot_errstr(e));
		}
		rv = rv < 0 ? -1 : 0;
		goto out;
	}
	if (fstat(fd, &st) < 0 || buf_cstr(&real) == NULL)
		goto out;
	/* the directories: of the path as named, and of the file a link leads to */
	if (!(o->dontblame & FWD_DBS_UNSAFE_DIRPATH)) {
		if (dirof(path, &dir) < 0 || dircheck(rootfd, dir.s, o->dontblame, &why) < 0)
			goto out;
		if (why == NULL && strcmp(real.s, path) != 0 &&
		    dircheck(rootfd, real.s, o->dontblame, &why) < 0)
			goto out;
	}
	if (why == NULL)
		filecheck(&st, u, 1, o->dontblame, &why);
	if (why != NULL) {
		const char *code = "S2Q-F003";

		if (strcmp(why, "Group writable file") == 0)
			code = "S2Q-F004";
		else if (strcmp(why, "World writable file") == 0)
			code = "S2Q-F005";
		else if (strcmp(why, "Group writable directory") == 0)
			code = "S2Q-F007";
		else if (strcmp(why, "World writable directory") == 0)
			code = "S2Q-F008";
		else if (st.st_uid == u->uid || st.st_uid == 0)
			code = "S2Q-F006";
		*refused = 1;
		f->why = why;
		rv = diag_add(d, DIAG_WARN, code, path, 0,
			      "sendmail ignores this file (\"forward: %s: %s\") and delivers to the "
			      "local mailbox; the .qmail keeps that meaning", path, why) < 0 ? -1 : 0;
		goto out;
	}
	f->path = strdup(path);
	if (f->path == NULL || aliases_read_list(fd, path, o->ao, d, &f->list) < 0)
		goto out;
	f->state = FWD_READ;
	rv = 1;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&real);
	buf_free(&dir);
	return rv;
}

int forward_read(int rootfd, const struct forward_user *u, const struct forward_opts *o,
		 struct forward_file *f, struct diag_sink *d)
{
	static const struct forward_opts none;
	const char *fp, *s;
	buf path = BUF_INIT;
	size_t i;
	int refused = 0, r = 0, rv = -1;

	forward_file_init(f);
	if (o == NULL)
		o = &none;
	fp = o->forward_path ? o->forward_path : "$z/.forward.$w:$z/.forward";
	if (u->home == NULL || u->home[0] != '/') {
		rv = diag_add(d, DIAG_ERROR, "S2Q-F012", u->name, 0,
			      "home directory '%s' of %s is not an absolute path",
			      u->home ? u->home : "", u->name) < 0 ? -1 : 0;
		goto out;
	}
	for (s = fp; r == 0 && *s; ) {
		size_t n = strcspn(s, ":");
		char bad = 0;

		r = n ? expand(s, n, u, o->hostname, &path, &bad) : 0;
		if (r < 0)
			goto out;
		if (r == 0 && n > 0 && bad != 0 &&
		    diag_add(d, DIAG_WARN, "S2Q-F001", u->home, 0,
			     "ForwardPath entry '%.*s': macro $%c %s; entry skipped", (int)n, s, bad,
			     (bad == 'w' || bad == 'j') ? "needs the host name" : "is not known to s2q") <
			    0)
			goto out;
		if (r == 1) {
			r = tryone(rootfd, u, o, path.s, f, &refused, d);
			if (r < 0)
				goto out;
		}
		s += n;
		if (*s == ':')
			s++;
	}
	if (f->state != FWD_READ) {
		f->state = refused ? FWD_IGNORED : FWD_NONE;
		rv = 0;
		goto out;
	}
	if (u->shell != NULL && u->shell[0] != '\0' && o->shells != NULL &&
	    !hset_get(o->shells, u->shell, strlen(u->shell), NULL) &&
	    !hset_get(o->shells, "/SENDMAIL/ANY/SHELL/", 20, NULL))
		f->bad_shell = 1;
	for (i = 0; i < f->list.nelems; i++) {
		const struct alias_elem *e = &f->list.elems[i];

		if (e->kind == ALIAS_INCLUDE &&
		    readinc(rootfd, u, o, f, alias_elem_text(e), f->path, f->list.lines[i], 1, d) < 0)
			goto out;
	}
	rv = 0;
out:
	buf_free(&path);
	if (rv < 0)
		errno = ENOMEM;
	return rv;
}

int forward_read_shells(int rootfd, struct hset *out)
{
	static const char *const builtin[] = {
		"/bin/sh", "/usr/bin/sh", "/bin/csh", "/usr/bin/csh", "/bin/ksh", "/usr/bin/ksh",
		"/bin/bash", "/usr/bin/bash", NULL
	};
	lline lr;
	buf l = BUF_INIT;
	size_t i;
	int fd, r, e;

	fd = sroot_open(rootfd, "/etc/shells", NULL);
	if (fd < 0) {
		if (errno != ENOENT)
			return -1;
		for (i = 0; builtin[i]; i++)
			if (hset_put(out, builtin[i], strlen(builtin[i]), 1, NULL) < 0)
				return -1;
		return 0;
	}
	if (lline_fdopen(&lr, fd, 0) < 0) {
		close(fd);
		return -1;
	}
	lr.maxlen = 4096;
	while ((r = lline_next(&lr, &l)) > 0) {
		size_t a = 0, b;

		while (a < l.len && (l.s[a] == ' ' || l.s[a] == '\t'))
			a++;
		if (a == l.len || l.s[a] == '#')
			continue;
		for (b = a; b < l.len && l.s[b] != ' ' && l.s[b] != '\t' && l.s[b] != '\r'; b++)
			;
		if (hset_put(out, l.s + a, b - a, 1, NULL) < 0) {
			r = -1;
			break;
		}
	}
	e = errno;
	lline_close(&lr);
	close(fd);
	buf_free(&l);
	errno = e;
	return r < 0 ? -1 : 0;
}
