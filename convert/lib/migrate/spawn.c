/* migrate/spawn - run one s2q program as a child and collect what it prints */
#define _GNU_SOURCE	/* O_TMPFILE */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int drain(int fd, buf *b, int *open, size_t max)
{
	char tmp[16384];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		return -1;
	}
	if (r == 0) {
		*open = 0;
		return 0;
	}
	if (b != NULL && buf_append(b, tmp, (size_t)r) < 0)
		return -1;
	if (b != NULL && max && b->len > 2 * max) {
		memmove(b->s, b->s + b->len - max, max);
		b->len = max;
	}
	return 0;
}

/* in the forked child: stdin /dev/null, stdout out, stderr err, exec path */
static void child(const char *path, char *const argv[], int out, int err) __attribute__((noreturn));
static void child(const char *path, char *const argv[], int out, int err)
{
	int nul = open("/dev/null", O_RDONLY);

	if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(111);
	if (nul > 2)
		close(nul);
	signal(SIGPIPE, SIG_DFL);
	execv(path, argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* a wait status as an exit code: 0..255, 128+N for signal N */
static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

static int cpipe(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

int spawn_run(const char *path, char *const argv[], buf *out, buf *err)
{
	return spawn_run_tail(path, argv, out, 0, err);
}

int spawn_run_tail(const char *path, char *const argv[], buf *out, size_t out_max, buf *err)
{
	int po[2], pe[2], st, e = 0, oo = 1, eo = 1;
	pid_t pid;

	if (cpipe(po) < 0)
		return -1;
	if (cpipe(pe) < 0) {
		e = errno;
		close(po[0]);
		close(po[1]);
		errno = e;
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child(path, argv, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	while (oo || eo) {
		struct pollfd f[2];
		nfds_t nf = 0;
		int io = -1, ie = -1;

		if (oo) {
			f[nf].fd = po[0];
			f[nf].events = POLLIN;
			io = (int)nf++;
		}
		if (eo) {
			f[nf].fd = pe[0];
			f[nf].events = POLLIN;
			ie = (int)nf++;
		}
		if (poll(f, nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			break;
		}
		if (io >= 0 && (f[io].revents & (POLLIN | POLLHUP | POLLERR)) && drain(po[0], out, &oo, out_max) < 0) {
			e = errno;
			break;
		}
		if (ie >= 0 && (f[ie].revents & (POLLIN | POLLHUP | POLLERR)) && drain(pe[0], err, &eo, 0) < 0) {
			e = errno;
			break;
		}
	}
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			if (!e)
				e = errno;
			st = 0;
			break;
		}
	if (e) {
		errno = e;
		return -1;
	}
	return status_code(st);
}

/* an unlinked read-write file in dirfd: O_TMPFILE, else a new name unlinked at once */
static int anon_file(int dirfd)
{
	char name[64];
	int fd, i;

	/* any failure (no support in this file system, a filter denying the flag): a name */
	fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), ".spawn.%ld.%d", (long)getpid(), i);
		fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			unlinkat(dirfd, name, 0);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int spawn_start(const char *path, char *const argv[], int dirfd, struct spawn_job *j)
{
	pid_t pid;
	int e;

	j->pid = -1;
	j->ofd = anon_file(dirfd);
	if (j->ofd < 0)
		return -1;
	j->efd = anon_file(dirfd);
	if (j->efd < 0) {
		e = errno;
		close(j->ofd);
		errno = e;
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(j->ofd);
		close(j->efd);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child(path, argv, j->ofd, j->efd);
	j->pid = (int)pid;
	return 0;
}

/* read fd from its start into b (keeping about the last max bytes when max > 0) */
static int slurp(int fd, buf *b, size_t max)
{
	int open_ = 1;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	if (max && b != NULL) {
		off_t end = lseek(fd, 0, SEEK_END);

		if (end < 0 || lseek(fd, end > (off_t)max ? end - (off_t)max : 0, SEEK_SET) < 0)
			return -1;
	}
	while (open_)
		if (drain(fd, b, &open_, max) < 0)
			return -1;
	return 0;
}

int spawn_finish(struct spawn_job *j, buf *out, size_t out_max, buf *err)
{
	int st = 0, e = 0;

	while (waitpid((pid_t)j->pid, &st, 0) < 0)
		if (errno != EINTR) {
			e = errno;
			st = 0;
			break;
		}
	if (!e && (slurp(j->ofd, out, out_max) < 0 || slurp(j->efd, err, 0) < 0))
		e = errno;
	close(j->ofd);
	close(j->efd);
	j->pid = -1;
	if (e) {
		errno = e;
		return -1;
	}
	return status_code(st);
}
