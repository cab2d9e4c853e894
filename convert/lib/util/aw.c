/* aw - atomic writer: temp in the target's directory, fsync, rename */
#include "aw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int aw_relpath_ok(const char *rel)
{
	const char *p = rel, *e;
	size_t n;

	if (*rel == '\0' || *rel == '/')
		return 0;
	for (;;) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (n > 255)
			return 0;
		if (!e)
			return 1;
		p = e + 1;
	}
}

int aw_opendir(int rootfd, const char *rel, unsigned flags)
{
	char *copy, *p, *slash;
	int fd, nfd, e;

	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (rel[0] == '\0' || strcmp(rel, ".") == 0)
		return fd;
	if (!aw_relpath_ok(rel)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	copy = strdup(rel);
	if (copy == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (p = copy; p; p = slash) {
		slash = strchr(p, '/');
		if (slash)
			*slash++ = '\0';
		nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && (flags & AW_MKDIRS)) {
			if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST)
				goto fail;
			nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0)
			goto fail;
		close(fd);
		fd = nfd;
	}
	free(copy);
	return fd;
fail:
	e = errno;
	close(fd);
	free(copy);
	errno = e;
	return -1;
}

int aw_open(struct aw *w, int rootfd, const char *rel, mode_t mode, unsigned flags)
{
	char *dir, *slash;
	int i, e;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->dirfd = -1;
	w->refroot = -1;
	if (!aw_relpath_ok(rel)) {
		errno = EINVAL;
		return -1;
	}
	dir = strdup(rel);
	if (dir == NULL) {
		errno = ENOMEM;
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		w->base = strdup(slash + 1);
		w->dirfd = (w->base ? aw_opendir(rootfd, dir, flags) : -1);
	} else {
		w->base = strdup(dir);
		w->dirfd = (w->base ? aw_opendir(rootfd, "", flags) : -1);
	}
	e = w->base ? errno : ENOMEM;
	free(dir);
	if (w->dirfd < 0)
		goto fail;
	w->mode = mode;
	for (i = 0; i < 100; i++) {
		snprintf(w->tmp, sizeof(w->tmp), ".s2q-tmp.%ld.%d", (long)getpid(), i);
		w->fd = openat(w->dirfd, w->tmp,
			       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (w->fd >= 0 || errno != EEXIST)
			break;
	}
	if (w->fd < 0) {
		e = errno;
		w->tmp[0] = '\0';
		goto fail;
	}
	if (fchmod(w->fd, mode) < 0) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	aw_abort(w);
	errno = e;
	return -1;
}

int aw_fd(const struct aw *w)
{
	return w->fd;
}

int aw_write(struct aw *w, const void *p, size_t n)
{
	if (w->fd < 0) {
		errno = EBADF;
		return -1;
	}
	return write_all(w->fd, p, n);
}

void aw_abort(struct aw *w)
{
	int e = errno;

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->dirfd >= 0) {
		if (w->tmp[0])
			unlinkat(w->dirfd, w->tmp, 0);
		close(w->dirfd);
	}
	w->dirfd = -1;
	w->tmp[0] = '\0';
	free(w->base);
	w->base = NULL;
	free(w->refrel);
	w->refrel = NULL;
	w->refroot = -1;
	errno = e;
}

int aw_reuse(struct aw *w, int refroot, const char *refrel)
{
	char *c = strdup(refrel);

	if (c == NULL) {
		errno = ENOMEM;
		return -1;
	}
	free(w->refrel);
	w->refrel = c;
	w->refroot = refroot;
	return 0;
}

/*
 * up to n bytes at off: how many were read, or -1.  A read shorter than
 * asked is taken as the end of the file (no read after it to see 0): a
 * regular file reads short only there, and where it did not, a comparison
 * only finds the file not the same (it is then written, not kept).
 */
static ssize_t pread_upto(int fd, char *p, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, p, n, off);
	while (r < 0 && errno == EINTR);
	return r;
}

/* fd holds exactly p[0..n) (p != NULL) or the n bytes of fd2, and nothing more */
static int same_bytes(int fd, size_t n, const void *p, int fd2)
{
	/* 64 KB steps (a 100 MB cdb); not mapped: mapped pages would count as resident memory */
	char a[65536 + 1], b[65536];
	size_t off = 0, k;
	int last;

	for (;;) {
		k = n - off < sizeof(b) ? n - off : sizeof(b);
		last = off + k == n;
		/* the last step asks one byte more: only k there is the end of the file */
		if (pread_upto(fd, a, k + (size_t)last, (off_t)off) != (ssize_t)k)
			return 0;
		if (p != NULL ? memcmp(a, (const char *)p + off, k) != 0 :
				(pread_upto(fd2, b, k, (off_t)off) != (ssize_t)k || memcmp(a, b, k) != 0))
			return 0;
		if (last)
			return 1;
		off += k;
	}
}

int aw_same_file(int dirfd, const char *base, mode_t mode, uid_t uid, gid_t gid, size_t n,
		 const void *p, int fd2, struct stat *st)
{
	int e = errno, fd, r;

	fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		errno = e;
		return 0;
	}
	r = fstat(fd, st) == 0 && S_ISREG(st->st_mode) && (st->st_mode & 07777) == (mode & 07777) &&
	    st->st_uid == uid && st->st_gid == gid && st->st_size >= 0 &&
	    (unsigned long long)st->st_size == (unsigned long long)n && same_bytes(fd, n, p, fd2);
	close(fd);
	errno = e;
	return r;
}

int aw_link_checked(int fromdir, const char *from, const struct stat *st, int todir, const char *to)
{
	struct stat ls;
	int e = errno, r = 0;

	if (linkat(fromdir, from, todir, to, 0) == 0) {
		/* the very file compared, not one renamed there since */
		if (fstatat(todir, to, &ls, AT_SYMLINK_NOFOLLOW) == 0 && ls.st_ino == st->st_ino &&
		    ls.st_dev == st->st_dev)
			r = 1;
		else
			unlinkat(todir, to, 0);
	}
	errno = e;
	return r;
}

void aw_dircache_init(struct aw_dircache *c)
{
	c->rel = NULL;
	c->fd = -1;
}

void aw_dircache_free(struct aw_dircache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->rel);
	aw_dircache_init(c);
}

static int dircache(struct aw_dircache *c, int rootfd, const char *rel, const char **base,
		    unsigned flags)
{
	const char *sl = strrchr(rel, '/');
	size_t n = sl ? (size_t)(sl - rel) : 0;

	*base = sl ? sl + 1 : rel;
	if (c->rel && strlen(c->rel) == n && memcmp(c->rel, rel, n) == 0)
		return c->fd;
	aw_dircache_free(c);
	c->rel = strndup(rel, n);
	if (c->rel == NULL)
		return -2;
	c->fd = aw_opendir(rootfd, c->rel, flags);
	if (c->fd < 0 && (errno == ENOMEM || flags)) {
		int e = errno;

		aw_dircache_free(c);	/* a directory that could not be made is not remembered */
		errno = e;
		return e == ENOMEM ? -2 : -1;
	}
	return c->fd;
}

int aw_dircache_get(struct aw_dircache *c, int rootfd, const char *rel, const char **base)
{
	return dircache(c, rootfd, rel, base, 0);
}

int aw_dircache_make(struct aw_dircache *c, int rootfd, const char *rel, const char **base)
{
	return dircache(c, rootfd, rel, base, AW_MKDIRS);
}

int aw_link_same(int refroot, const char *refrel, int rootfd, const char *rel, mode_t mode,
		 const void *p, size_t n)
{
	struct aw_dircache from, to;
	struct stat ds, rs;
	const char *base, *rbase;
	int dfd, rfd, r = -1;
	gid_t gid = getegid();

	aw_dircache_init(&from);
	aw_dircache_init(&to);
	rfd = aw_dircache_get(&from, refroot, refrel, &rbase);
	if (rfd == -2)
		goto oom;
	r = 0;
	if (rfd < 0)
		goto out;
	r = -1;
	dfd = aw_dircache_make(&to, rootfd, rel, &base);
	if (dfd == -2)
		goto oom;
	if (dfd < 0)
		goto out;
	if (fstat(dfd, &ds) < 0)
		goto out;
	if (ds.st_mode & S_ISGID)	/* a new file would get the directory's group */
		gid = ds.st_gid;
	r = aw_same_file(rfd, rbase, mode, geteuid(), gid, n, p ? p : "", -1, &rs) &&
	    aw_link_checked(rfd, rbase, &rs, dfd, base);
	goto out;
oom:
	errno = ENOMEM;
out:
	aw_dircache_free(&from);
	aw_dircache_free(&to);
	return r;
}

/*
 * keep_same - whether the temp is needed: 1 the target already holds its
 * bytes (with aw_reuse: has just been made a link to the reference that
 * does), the temp is to be dropped; 0 commit it as usual; -1 error (errno)
 */
static int keep_same(struct aw *w)
{
	struct stat ts, rs;
	struct aw_dircache ref;
	const char *rbase = w->base;
	char ltmp[sizeof(w->tmp) + 4];
	int rdirfd = w->dirfd, r = 0, e = errno;

	/* no reference is not an error (the file is written); running out of memory is */
	if (fstat(w->fd, &ts) < 0)
		return 0;
	aw_dircache_init(&ref);
	if (w->refrel) {
		rdirfd = aw_dircache_get(&ref, w->refroot, w->refrel, &rbase);
		if (rdirfd == -2) {
			errno = ENOMEM;
			return -1;
		}
	}
	if (rdirfd >= 0 && aw_same_file(rdirfd, rbase, ts.st_mode, ts.st_uid, ts.st_gid,
					(size_t)ts.st_size, NULL, w->fd, &rs)) {
		if (w->refrel == NULL) {
			r = 1;
		} else {
			/* a second name for the reference beside the target, renamed over it */
			snprintf(ltmp, sizeof(ltmp), "%s.l", w->tmp);
			if (aw_link_checked(rdirfd, rbase, &rs, w->dirfd, ltmp)) {
				if (renameat(w->dirfd, ltmp, w->dirfd, w->base) < 0) {
					e = errno;
					unlinkat(w->dirfd, ltmp, 0);
					aw_dircache_free(&ref);
					errno = e;
					return -1;
				}
				/* when the target was that file already the rename left both names */
				unlinkat(w->dirfd, ltmp, 0);
				r = 1;
			}
		}
	}
	aw_dircache_free(&ref);
	errno = e;
	return r;
}

int aw_commit(struct aw *w)
{
	int fd = w->fd, e;

	if (fd < 0 || w->dirfd < 0) {
		errno = EBADF;
		return -1;
	}
	switch (keep_same(w)) {
	case -1:
		goto fail;
	case 1:
		/*
		 * the temp was never synced: dropping it frees nothing on disk;
		 * its close is still checked, as every close of a file written
		 */
		if (w->refrel)
			(void)fsync(w->dirfd);
		w->fd = -1;
		if (close(fd) < 0)
			goto fail;
		aw_abort(w);
		return 0;
	}
	if (fsync(fd) < 0)
		goto fail;
	w->fd = -1;
	if (close(fd) < 0)
		goto fail;
	if (renameat(w->dirfd, w->tmp, w->dirfd, w->base) < 0)
		goto fail;
	w->tmp[0] = '\0';
	/*
	 * Best effort: the file's own fsync made its bytes durable and the
	 * rename is atomic, so after a crash the target is the old or the new
	 * file, both complete.  A failure here cannot be undone; ignore it.
	 */
	(void)fsync(w->dirfd);
	aw_abort(w);
	return 0;
fail:
	e = errno;
	aw_abort(w);
	errno = e;
	return -1;
}

int aw_file(int rootfd, const char *rel, mode_t mode, unsigned flags, const void *p, size_t n)
{
	struct aw w;

	if (aw_open(&w, rootfd, rel, mode, flags) < 0)
		return -1;
	if (aw_write(&w, p, n) < 0) {
		aw_abort(&w);
		return -1;
	}
	return aw_commit(&w);
}
