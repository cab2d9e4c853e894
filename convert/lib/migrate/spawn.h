/* migrate/spawn - run one s2q program as a child and collect what it prints */
#ifndef S2Q_MIGRATE_SPAWN_H
#define S2Q_MIGRATE_SPAWN_H

#include "../util/buf.h"

/*
 * spawn_run - fork, exec path with argv (argv[0] is the name shown; stdin
 * is /dev/null), read its stdout into out and its stderr into err (both
 * appended, either may be NULL to discard), wait for it.  Returns the exit
 * code (0..255), 128+N when it died of signal N, or -1 with errno when it
 * could not be started or read (the child is reaped in every case).
 */
int spawn_run(const char *path, char *const argv[], buf *out, buf *err);
/*
 * spawn_run_tail - the same, but only about the last out_max bytes of its
 * stdout are kept (at most 2 * out_max are held at any time): for a child
 * whose output is huge and whose end is all the caller reads
 */
int spawn_run_tail(const char *path, char *const argv[], buf *out, size_t out_max, buf *err);

/*
 * A child that runs while the caller does other work (another child):
 * its stdout and stderr go to two unlinked files made in dirfd (a
 * private directory), not to pipes nobody reads, so it never waits for
 * the caller.  spawn_start starts it: 0, or -1 with errno (nothing left
 * running).  spawn_finish waits for it and reads both files (out: at most
 * about the last out_max bytes when out_max > 0); it returns what
 * spawn_run returns and always reaps the child and closes the files, so
 * every started job is finished exactly once.
 */
struct spawn_job {
	int pid;
	int ofd, efd;
};
int spawn_start(const char *path, char *const argv[], int dirfd, struct spawn_job *j);
int spawn_finish(struct spawn_job *j, buf *out, size_t out_max, buf *err);

#endif
