/*
 * faultinject.so - make the Nth call of one system function fail (tests only).
 *
 *   S2Q_FAULT=FUNC:N   FUNC is write, fsync, close, rename, open or malloc;
 *                      N counts calls from 1.  write and close count only
 *                      descriptors above 2 (so diagnostics still reach stderr),
 *                      close only descriptors open for writing, fsync only
 *                      regular files (a directory fsync is best effort);
 *                      open counts only calls that create (O_CREAT).
 *   S2Q_FAULT_LOG=F    when the fault fires, "FUNC:N" is appended to F.
 *   S2Q_FAULT_COUNT=F  at exit, "FUNC N" for each FUNC (the number of calls
 *                      that counted) is written to F: a run without a fault
 *                      tells the driver (tests/scripts/faults.inc) how many
 *                      call sites there are to fail in turn.
 *
 * LD_PRELOAD it; it wraps the libc entry points (so calls made inside
 * libcdb count too).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);

static char fname[16];
static long target = -1;
static long counts[8];
static int ready;

enum { F_WRITE, F_FSYNC, F_CLOSE, F_RENAME, F_OPEN, F_MALLOC };
static const char *names[] = { "write", "fsync", "close", "rename", "open", "malloc" };

__attribute__((constructor)) static void init(void)
{
	const char *s = getenv("S2Q_FAULT"), *c;

	if (s && (c = strchr(s, ':')) && (size_t)(c - s) < sizeof(fname)) {
		memcpy(fname, s, (size_t)(c - s));
		fname[c - s] = '\0';
		target = atol(c + 1);
	}
	ready = 1;
}

__attribute__((destructor)) static void fini(void)
{
	const char *f = getenv("S2Q_FAULT_COUNT");
	long snap[8];
	char b[256];
	int fd, n = 0, i;

	if (!f)
		return;
	memcpy(snap, counts, sizeof(snap));
	{
		int (*ropen)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
		ssize_t (*rwrite)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
		int (*rclose)(int) = dlsym(RTLD_NEXT, "close");

		for (i = 0; i <= F_MALLOC; i++)
			n += snprintf(b + n, sizeof(b) - (size_t)n, "%s %ld\n", names[i], snap[i]);
		fd = ropen(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			(void)rwrite(fd, b, (size_t)n);
			rclose(fd);
		}
	}
}

static int fire(int which)
{
	if (!ready)
		return 0;
	++counts[which];
	if (target < 0 || strcmp(fname, names[which]) != 0 || counts[which] != target)
		return 0;
	{
		const char *log = getenv("S2Q_FAULT_LOG");
		if (log) {
			int (*ropen)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
			ssize_t (*rwrite)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
			int (*rclose)(int) = dlsym(RTLD_NEXT, "close");
			char b[64];
			int fd = ropen(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
			int n = snprintf(b, sizeof(b), "%s:%ld\n", names[which], target);
			if (fd >= 0) {
				(void)rwrite(fd, b, (size_t)n);
				rclose(fd);
			}
		}
	}
	return 1;
}

ssize_t write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	if (!real)
		real = dlsym(RTLD_NEXT, "write");
	if (fd > 2 && fire(F_WRITE)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, p, n);
}

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = dlsym(RTLD_NEXT, "fsync");
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fire(F_FSYNC)) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}

int close(int fd)
{
	static int (*real)(int);
	if (!real)
		real = dlsym(RTLD_NEXT, "close");
	int fl = fd > 2 ? fcntl(fd, F_GETFL) : -1;
	if (fl >= 0 && (fl & O_ACCMODE) != O_RDONLY && fire(F_CLOSE)) {
		real(fd);	/* like NFS: the descriptor is gone, the error is reported */
		errno = EIO;
		return -1;
	}
	return real(fd);
}

int rename(const char *a, const char *b)
{
	static int (*real)(const char *, const char *);
	if (!real)
		real = dlsym(RTLD_NEXT, "rename");
	if (fire(F_RENAME)) {
		errno = EIO;
		return -1;
	}
	return real(a, b);
}

int renameat(int da, const char *a, int db, const char *b)
{
	static int (*real)(int, const char *, int, const char *);
	if (!real)
		real = dlsym(RTLD_NEXT, "renameat");
	if (fire(F_RENAME)) {
		errno = EIO;
		return -1;
	}
	return real(da, a, db, b);
}

int openat(int dfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	if (!real)
		real = dlsym(RTLD_NEXT, "openat");
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		if (fire(F_OPEN)) {
			errno = EACCES;
			return -1;
		}
	}
	return real(dfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	mode_t mode = 0;
	if (!real)
		real = dlsym(RTLD_NEXT, "open");
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		if (fire(F_OPEN)) {
			errno = EACCES;
			return -1;
		}
	}
	return real(path, flags, mode);
}

void *malloc(size_t n)
{
	if (fire(F_MALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}
