/*
 * bench-time - run one command, print its wall time and peak RSS (for tools/bench.sh)
 *
 *   bench-time [-o OUTFILE] [-e ERRFILE] [-i INFILE] [-t SECONDS] -- PROGRAM [ARG...]
 *
 * Prints one line on stdout: "WALL_SECONDS PEAK_RSS_KB STATUS", where WALL is
 * CLOCK_MONOTONIC from just before fork() to the end of wait4(), PEAK_RSS is
 * ru_maxrss of wait4() (the largest of the child and the descendants it waited
 * for, so exec chains such as unshare -> sh -> newaliases are covered), and
 * STATUS is the exit code, or 128 + signal, or -1 when the command ran longer
 * than SECONDS and was killed (SIGKILL).  The command's stdin, stdout and
 * stderr are INFILE, OUTFILE and ERRFILE (default /dev/null), opened before
 * the clock starts.  Exit 0 when the command ran (whatever its status), 100
 * usage, 111 when it could not be started.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t expired;

static void alarmed(int sig)
{
	(void)sig;
	expired = 1;
}

static int xopen(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "bench-time: fatal: unable to open %s: %s\n", path, strerror(errno));
		exit(111);
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *in = "/dev/null", *out = "/dev/null", *err = "/dev/null";
	struct timespec t0, t1;
	struct rusage ru;
	int i, fi, fo, fe, st, pipefd[2], killed = 0;
	unsigned limit = 0;
	struct sigaction sa;
	pid_t pid;
	char c;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "-o") == 0)
			out = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			err = argv[++i];
		else if (strcmp(argv[i], "-i") == 0)
			in = argv[++i];
		else if (strcmp(argv[i], "-t") == 0)
			limit = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "bench-time: usage: bench-time [-o OUT] [-e ERR] [-i IN] [-t SECONDS] -- "
				"PROG [ARG...]\n");
		return 100;
	}
	fi = xopen(in, O_RDONLY);
	fo = xopen(out, O_WRONLY | O_CREAT | O_TRUNC);
	fe = xopen(err, O_WRONLY | O_CREAT | O_TRUNC);
	/* exec failure is reported through a close-on-exec pipe */
	if (pipe(pipefd) < 0 || fcntl(pipefd[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC) < 0) {
		perror("bench-time: fatal: pipe");
		return 111;
	}
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("bench-time: fatal: fork");
		return 111;
	}
	if (pid == 0) {
		if (dup2(fi, 0) < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(127);
		execvp(argv[i], argv + i);
		c = 1;
		if (write(pipefd[1], &c, 1) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	if (limit) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = alarmed;
		sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: wait4 returns EINTR */
		alarm(limit);
	}
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno == EINTR && expired && !killed) {
			kill(pid, SIGKILL);
			killed = 1;
			continue;
		}
		if (errno != EINTR) {
			perror("bench-time: fatal: wait4");
			return 111;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (read(pipefd[0], &c, 1) == 1) {
		fprintf(stderr, "bench-time: fatal: unable to run %s\n", argv[i]);
		return 111;
	}
	printf("%.6f %ld %d\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       ru.ru_maxrss, killed ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
