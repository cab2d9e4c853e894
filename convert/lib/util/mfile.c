/* mfile - a whole regular file, read-only in memory (mapped when possible) */
#include "mfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* slurp - read the file into memory when it cannot be mapped */
static int slurp(struct mfile *m, int fd, size_t size)
{
	char *b = malloc(size ? size : 1);
	size_t got = 0;
	ssize_t r;

	if (b == NULL) {
		errno = ENOMEM;
		return -1;
	}
	while (got < size) {
		r = read(fd, b + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -1;
		}
		if (r == 0)
			break;	/* shrank meanwhile: take what is there */
		got += (size_t)r;
	}
	m->p = b;
	m->len = got;
	m->kind = 2;
	return 0;
}

int mfile_fd(struct mfile *m, int fd, struct stat *st)
{
	struct stat sb;
	void *p;

	memset(m, 0, sizeof(*m));
	m->p = "";
	if (fstat(fd, &sb) < 0)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if (st)
		*st = sb;
	if ((uintmax_t)sb.st_size > SIZE_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (sb.st_size == 0)
		return 0;
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		m->p = p;
		m->len = (size_t)sb.st_size;
		m->kind = 1;
		return 0;
	}
	return slurp(m, fd, (size_t)sb.st_size);
}

int mfile_openat(struct mfile *m, int dirfd, const char *name, struct stat *st)
{
	int fd, e, r;

	memset(m, 0, sizeof(*m));
	m->p = "";
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = mfile_fd(m, fd, st);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

void mfile_mem(struct mfile *m, const void *p, size_t len)
{
	m->p = len ? p : "";
	m->len = len;
	m->kind = 0;
}

void mfile_close(struct mfile *m)
{
	if (m->kind == 1)
		munmap((void *)m->p, m->len);
	else if (m->kind == 2)
		free((void *)m->p);
	m->p = "";
	m->len = 0;
	m->kind = 0;
}
