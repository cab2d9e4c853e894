/* outtx - many output files under one root, replaced all together or not at all */
#ifndef S2Q_OUTTX_H
#define S2Q_OUTTX_H

#include <stddef.h>

#include "aw.h"
#include "hset.h"

/*
 * A program that writes many files (s2q-aliases: aliases.cdb, lists,
 * .qmail files, a users/assign fragment) stages each one, complete, in a
 * private directory ROOT/.s2q-stage.PID.N (with the atomic writer, aw_*,
 * cdbw_* with stagefd as the root, or outtx_file), then publishes them:
 *
 *   0. the files outtx_file wrote after its first 4 (which it fsyncs
 *      one by one) are made durable all at once (syncfs of the stage's
 *      file system; one fsync each where there is none): an fsync per file
 *      costs a journal commit each, 0.3 ms and more;
 *   1. every target directory is opened from the root one component at a
 *      time without following symlinks (aw_opendir), missing ones are
 *      created (0755) and remembered;
 *   2. an existing target (a symlink included) is hard-linked into the
 *      stage as a backup, then the staged file is renamed over it; a
 *      staged file that is the target itself (a hard link to it: see
 *      "unchanged" below) is dropped from the stage and the target left;
 *   3. if any step fails, every target already replaced is put back (the
 *      backup renamed over it, or the new file removed), the directories
 *      created are removed, and the stage is removed: the tree is as it was.
 *
 * On success the backups and the stage are removed and the target
 * directories fsynced (best effort).  outtx_abort removes the stage (before
 * publishing nothing under the root has changed but the stage itself).
 *
 * Unchanged files are not written again: outtx_file first looks at
 * REF/rel, where REF is the root itself unless outtx_reuse names another
 * tree; when that is a regular file with exactly the bytes, the mode and the
 * owner a new file would get, it is hard-linked into the stage instead of
 * writing a new file (no inode made, none freed at publishing; the target
 * keeps its inode and times).  A file the caller writes into the stage
 * itself (outtx_add + aw/cdbw) gets the same with aw_reuse(w, t->reffd, rel)
 * before its commit.  A link that cannot be made (REF on another file
 * system) means the file is written as usual.
 *
 * outtx_direct: the root is a new directory of the caller's own that nothing
 * reads before the caller publishes it as a whole (s2q-migrate's staging
 * tree).  outtx_file then puts each file in place at once (directories
 * made as needed), linked from REF or written with O_EXCL (a file already
 * there is an error, EEXIST), instead of staging it and renaming it at
 * the commit: a rename less per file, the one staging directory being the
 * caller's.  The commit makes them durable with the rest; a failure or
 * outtx_abort removes them (the directories made stay, in a tree the
 * caller throws away).  Files the caller stages itself (outtx_add) are
 * published as usual.
 * All calls: 0, or -1 with errno.
 */
struct outtx {
	int rootfd;
	int stagefd;
	char stagename[48];
	struct outtx_file {
		char *rel;		/* target, relative to the root */
		char stage[16];		/* its staged name ("p...": put in place, outtx_direct) */
	} *v;
	size_t n, cap;
	struct hset rels;
	size_t nunsynced;	/* files outtx_file wrote, not fsynced yet */
	int reffd;		/* the tree unchanged files are linked from: the root by default */
	struct aw_dircache refdir;	/* the last directory looked at under reffd */
	int direct;		/* outtx_direct */
	struct aw_dircache outdir;	/* the last target directory (outtx_direct) */
	unsigned long uid, gid;	/* the owner a new file in the stage gets */
	char failed[256];	/* after a failed commit: the target it failed at (may be cut) */
};

int outtx_begin(struct outtx *t, int rootfd);
/* outtx_reuse - link unchanged files from the tree reffd (kept open by the caller) */
void outtx_reuse(struct outtx *t, int reffd);
/* outtx_direct - outtx_file puts files in place at once (see above) */
void outtx_direct(struct outtx *t);
/*
 * outtx_add - register the target rel (a safe relative path, each at most
 * once: EEXIST) and get the name to write it under in t->stagefd
 * (stage[16], e.g. "f000000042").  EINVAL: rel is not aw_relpath_ok.
 */
int outtx_add(struct outtx *t, const char *rel, char *stage);
/*
 * outtx_file - outtx_add plus the whole content written into the stage
 * (created O_EXCL|O_NOFOLLOW, mode set, written, closed; made durable by
 * outtx_commit before anything is published)
 */
int outtx_file(struct outtx *t, const char *rel, unsigned mode, const void *p, size_t n);
/* outtx_commit - publish every file (see above); the transaction is over either way */
int outtx_commit(struct outtx *t);
void outtx_abort(struct outtx *t);

#endif
