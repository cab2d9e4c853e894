/* migrate/install - a staged tree onto a live one, file by file, with a backup and a way back */
#ifndef S2Q_MIGRATE_INSTALL_H
#define S2Q_MIGRATE_INSTALL_H

#include <stddef.h>
#include <time.h>

#include "../util/buf.h"
#include "migrate.h"

/*
 * The backup directory:
 *
 *   BACKUP/manifest      "s2q-migrate backup 1" / "live LIVEROOT" header, then one line
 *                        per change, the path last (it may hold spaces):
 *                          dir PATH                                 created by the apply
 *                          created MODE PATH                        new file
 *                          replaced MODE UID GID SIZE CKSUM PATH    the file it replaced
 *                        MODE octal, CKSUM FNV-1a 64 of the old bytes (16 hex digits)
 *   BACKUP/files/PATH    a copy of each replaced file (mode 0600)
 *
 * The manifest is written (fsynced) after every copy and before the first
 * file is installed, so an apply stopped at any point can be rolled back.
 * Paths are below LIVEROOT; no symlink below it is ever followed (ELOOP).
 */

enum inst_action { INST_SAME = 0, INST_CREATE, INST_REPLACE };

struct inst_plan {
	struct inst_ent {
		char *rel;
		enum inst_action act;
		unsigned mode;		/* the staged mode */
		unsigned omode;		/* INST_REPLACE: the old file's */
		unsigned long ouid, ogid;
		unsigned long long osize;
		unsigned long long ocksum;
	} *v;
	size_t n;
	char **dirs;			/* directories to create, shallow first */
	size_t ndirs;
	size_t ncreate, nreplace, nsame;
};

void inst_plan_free(struct inst_plan *p);

/*
 * inst_plan - compare the staged files (stagefd, files[0..n)) with livefd.
 * 0, or -1 with errno; *err names the path (ELOOP: a symlink on the way,
 * EISDIR/EINVAL: not a regular file).
 */
int inst_plan(int stagefd, int livefd, const struct mig_file *files, size_t n,
	      struct inst_plan *p, buf *err);

/*
 * inst_before - copy live's version of every staged file that exists into
 * beforefd (same path, mode, owner): the "before" tree of a dry run.
 */
int inst_before(int livefd, int beforefd, const struct inst_plan *p, buf *err);

/*
 * inst_apply - back up (into backup, which must not exist; created 0700),
 * write the manifest, then install every changed file with the atomic
 * writer (the staged mode; a replaced file keeps its owner).  live is
 * LIVEROOT as written into the manifest (absolute).  0, or -1 with errno
 * and *err (*installed tells whether anything under LIVEROOT changed).
 */
int inst_apply(int stagefd, int livefd, const char *live, const char *backup,
	       const struct inst_plan *p, buf *err, int *installed);

/* inst_rollback - restore LIVEROOT from backup; counts in *restored, *removed */
int inst_rollback(const char *backup, buf *live, unsigned long *restored, unsigned long *removed,
		  buf *err);

/*
 * inst_commands - the shell commands (with # comments) qmail needs after
 * the changes of p: qmail-send restart or HUP, tcprules, ... never run.
 */
int inst_commands(buf *out, const struct inst_plan *p);

/*
 * inst_publish - move the staged files (same file system) into outfd, all
 * together or none (util/outtx).  A staged file that is outfd's own (a hard
 * link the converters made: util/aw_reuse) stays as it is, unless it was
 * changed during the run: the staged tree shares it, so an edit in place
 * would be kept as if converted.  Changed: its inode change time is not the
 * one mig_list saw, or its mtime is at or after since (the run's start;
 * NULL: not checked) and not more than 2 s ahead.  Refused with errno EAGAIN and
 * *err "REL was changed while s2q-migrate ran"; nothing replaced.
 * 0, or -1 with errno and *err.
 */
int inst_publish(int treefd, int outfd, const struct mig_file *files, size_t n,
		 const struct timespec *since, buf *err);

/* inst_cksum - FNV-1a 64 of p[0..n) continuing from h (start with INST_CKSUM0) */
#define INST_CKSUM0 0xcbf29ce484222325ULL
unsigned long long inst_cksum(unsigned long long h, const void *p, size_t n);

#endif
