/* sroot - open files of a copied host tree (a SENDMAIL_ROOT) without ever leaving it */
#include "sroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

/* walkdir - open the directory ROOT/comp[0]/.../comp[n-1] (all plain directories) */
static int walkdir(int rootfd, const buf *res, size_t ncomp, const size_t *offs, size_t total)
{
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), nfd, e;
	size_t i;
	char name[NAME_MAX + 1];

	for (i = 0; fd >= 0 && i < ncomp; i++) {
		size_t a = offs[i] + 1, b = (i + 1 < total) ? offs[i + 1] : res->len;

		if (b - a > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, res->s + a, b - a);
		name[b - a] = '\0';
		nfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		close(fd);
		errno = e;
		fd = nfd;
	}
	return fd;
}

const char *sroot_errstr(int e)
{
	if (e == EXDEV)
		return "the path leads outside the sendmail root";
	if (e == EINVAL)
		return "not a regular file";
	if (e == ELOOP)
		return "too many levels of symbolic links";
	return strerror(e);
}

/*
 * normal - the "/"-rooted path rel names when no component is a symlink:
 * empty and "." components dropped, ".." taking off the one before (the
 * kernel has already opened it, so nothing climbs above the root)
 */
static int normal(buf *out, const char *rel)
{
	buf_reset(out);
	while (*rel) {
		size_t n = strcspn(rel, "/");

		if ((n == 1 && rel[0] == '.') || n == 0) {
			/* nothing */
		} else if (n == 2 && rel[0] == '.' && rel[1] == '.') {
			while (out->len && out->s[out->len - 1] != '/')
				out->len--;
			if (out->len)
				out->len--;
		} else if (buf_append_c(out, '/') < 0 || buf_append(out, rel, n) < 0) {
			return -1;
		}
		rel += n + (rel[n] == '/');
	}
	if (out->len == 0 && buf_append_c(out, '/') < 0)
		return -1;
	return buf_cstr(out) == NULL ? -1 : 0;
}

/*
 * fast - the common case in one system call: openat2() below rootfd with
 * no symlink anywhere on the path and no climb above it.  What it cannot
 * answer exactly as the walk in sroot_open would (a symlink, a trailing
 * "/", an error other than a missing file, a missing file when the
 * resolved path is asked for, a kernel without openat2) is left to that
 * walk: the descriptor, -1 with errno (ENOENT only), or -2.
 * Only as root: the walk opens each directory for reading, openat2 only
 * searches it, so for anyone else a directory of mode 0711 answers
 * differently (root is refused neither).
 */
static int fast(int rootfd, const char *path, buf *real)
{
#ifdef SYS_openat2
	struct open_how how;
	const char *rel = path;
	struct stat st;
	size_t len;
	int fd;

	if (geteuid() != 0)
		return -2;
	while (*rel == '/')
		rel++;
	len = strlen(rel);
	if (len == 0 || rel[len - 1] == '/')
		return -2;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0)
		/* a missing file, when the caller wants no resolved path (the
		   walk reports the path up to the missing component) */
		return errno == ENOENT && real == NULL ? -1 : -2;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, 0) < 0 ||
	    (real != NULL && normal(real, rel) < 0)) {
		close(fd);
		return -2;
	}
	return fd;
#else
	(void)rootfd;
	(void)path;
	(void)real;
	return -2;
#endif
}

int sroot_open(int rootfd, const char *path, buf *real)
{
	buf rest = BUF_INIT, res = BUF_INIT, tmp = BUF_INIT;
	size_t *offs = NULL, ncomp = 0, capcomp = 0;
	int links = 0, dirfd = -1, fd = -1, e = 0;
	char name[NAME_MAX + 1], target[PATH_MAX + 1];
	struct stat st;

	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		return -1;
	}
	fd = fast(rootfd, path, real);
	if (fd != -2)
		return fd;
	fd = -1;
	if (buf_copy(&rest, path, strlen(path)) < 0)
		return -1;
	for (;;) {
		size_t start, n;
		ssize_t tl;

		/* next component of rest */
		start = 0;
		while (start < rest.len && rest.s[start] == '/')
			start++;
		if (start == rest.len)
			break;
		n = 0;
		while (start + n < rest.len && rest.s[start + n] != '/')
			n++;
		if (n > NAME_MAX) {
			e = ENAMETOOLONG;
			goto out;
		}
		memcpy(name, rest.s + start, n);
		name[n] = '\0';
		memmove(rest.s, rest.s + start + n, rest.len - start - n);
		rest.len -= start + n;
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			if (ncomp == 0) {
				e = EXDEV;
				goto out;
			}
			res.len = offs[--ncomp];
			continue;
		}
		if (dirfd >= 0)
			close(dirfd);
		dirfd = walkdir(rootfd, &res, ncomp, offs, ncomp);
		if (dirfd < 0) {
			e = errno;
			goto out;
		}
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			e = errno;
			/* report where it failed */
			if (buf_append_c(&res, '/') < 0 || buf_append_s(&res, name) < 0)
				e = ENOMEM;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > SROOT_MAXLINKS) {
				e = ELOOP;
				goto out;
			}
			tl = readlinkat(dirfd, name, target, sizeof(target) - 1);
			if (tl < 0) {
				e = errno;
				goto out;
			}
			if (tl == 0) {
				e = ENOENT;
				goto out;
			}
			target[tl] = '\0';
			buf_reset(&tmp);
			if (buf_append(&tmp, target, (size_t)tl) < 0 || buf_append_c(&tmp, '/') < 0 ||
			    buf_append(&tmp, rest.s, rest.len) < 0 ||
			    buf_copy(&rest, tmp.s, tmp.len) < 0) {
				e = ENOMEM;
				goto out;
			}
			if (target[0] == '/') {
				ncomp = 0;
				res.len = 0;
			}
			continue;
		}
		if (ncomp == capcomp) {
			size_t nc = capcomp ? 2 * capcomp : 16;
			size_t *no = realloc(offs, nc * sizeof(*offs));

			if (no == NULL) {
				e = ENOMEM;
				goto out;
			}
			offs = no;
			capcomp = nc;
		}
		offs[ncomp++] = res.len;
		if (buf_append_c(&res, '/') < 0 || buf_append_s(&res, name) < 0) {
			e = ENOMEM;
			goto out;
		}
	}
	if (ncomp == 0) {
		e = EINVAL;	/* the root itself */
		goto out;
	}
	/* open the last component as a regular file from its directory */
	{
		size_t a = offs[ncomp - 1] + 1;

		memcpy(name, res.s + a, res.len - a);
		name[res.len - a] = '\0';
		if (dirfd >= 0)
			close(dirfd);
		dirfd = walkdir(rootfd, &res, ncomp - 1, offs, ncomp);
		if (dirfd < 0) {
			e = errno;
			goto out;
		}
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			e = errno;
			goto out;
		}
		if (fstat(fd, &st) < 0) {
			e = errno;
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			e = EINVAL;
			goto out;
		}
		if (fcntl(fd, F_SETFL, 0) < 0) {
			e = errno;
			goto out;
		}
	}
out:
	if (dirfd >= 0)
		close(dirfd);
	if (e && fd >= 0) {
		close(fd);
		fd = -1;
	}
	if (real != NULL) {
		buf_reset(real);
		if (res.len == 0)
			(void)buf_append_c(real, '/');
		else
			(void)buf_append(real, res.s, res.len);
		if (buf_cstr(real) == NULL && !e) {
			close(fd);
			fd = -1;
			e = ENOMEM;
		}
	}
	buf_free(&rest);
	buf_free(&res);
	buf_free(&tmp);
	free(offs);
	if (e)
		errno = e;
	return e ? -1 : fd;
}
