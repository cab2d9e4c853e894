/* mfile - a whole regular file, read-only in memory (mapped when possible) */
#ifndef S2Q_MFILE_H
#define S2Q_MFILE_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * p[0..len) are the file's bytes (p is never NULL, "" for an empty file).
 * A zeroed struct is closed.  The file must not shrink while it is mapped
 * (the programs read trees nobody writes to; a shrinking file would SIGBUS).
 */
struct mfile {
	const char *p;
	size_t len;
	int kind;		/* 0 none, 1 mapped, 2 malloc'ed */
};

/*
 * mfile_openat - open dirfd/name without following a symlink (ELOOP) and
 * map it; st (may be NULL) gets its fstat.  Not a regular file: EINVAL.
 * 0, or -1 with errno.
 */
int mfile_openat(struct mfile *m, int dirfd, const char *name, struct stat *st);
/* mfile_fd - map the open regular file fd (not closed); 0, or -1 with errno */
int mfile_fd(struct mfile *m, int fd, struct stat *st);
/* mfile_mem - borrow p[0..len) (not freed by mfile_close) */
void mfile_mem(struct mfile *m, const void *p, size_t len);
void mfile_close(struct mfile *m);

#endif
