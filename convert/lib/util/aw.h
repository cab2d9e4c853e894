/* aw - atomic writer: temp in the target's directory, fsync, rename */
#ifndef S2Q_AW_H
#define S2Q_AW_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define AW_MKDIRS 0x1		/* create missing directories (mode 0755) below the root */

/*
 * A file is written as ROOT/REL where REL is relative, with no empty, "."
 * or ".." component.  Every directory on the way is opened with
 * O_NOFOLLOW|O_DIRECTORY from the root's descriptor, so a symlink planted
 * below the root is never followed (ELOOP/ENOTDIR).  The temp file is
 * created O_EXCL|O_NOFOLLOW beside the target, chmod'ed to the given mode,
 * written in full, fsynced, closed (checked), renamed over the target, and
 * the directory is fsynced (best effort: a failure there is ignored, the
 * rename having been done).  On any failure the temp is unlinked and the
 * previous target is untouched.  All calls: 0, or -1 with errno.
 */
struct aw {
	int dirfd;
	int fd;
	char tmp[48];
	char *base;
	mode_t mode;
	int refroot;		/* aw_reuse: the other tree, or -1 (the target itself) */
	char *refrel;
};

/* aw_relpath_ok - 1 if rel is a safe relative path as described above */
int aw_relpath_ok(const char *rel);
/* aw_opendir - open directory ROOT/rel (rel may be "" or "."); fd or -1 */
int aw_opendir(int rootfd, const char *rel, unsigned flags);
int aw_open(struct aw *w, int rootfd, const char *rel, mode_t mode, unsigned flags);
int aw_write(struct aw *w, const void *p, size_t n);
/* aw_fd - the temp file's descriptor (O_RDWR), for writers such as cdb_make */
int aw_fd(const struct aw *w);
int aw_commit(struct aw *w);
void aw_abort(struct aw *w);
/*
 * Unchanged files are not rewritten.  Before its fsync, aw_commit compares
 * the temp with the target: when the target is a regular file with the same
 * bytes, mode and owner, the temp is dropped and the target left as it is
 * (its inode and times kept; no new inode, no freed blocks).  aw_reuse
 * compares with REFROOT/refrel of another tree instead (s2q-migrate's output
 * tree for its staging tree): when that one is the same, the target becomes
 * a hard link to it (when the link cannot be made - another file system -
 * the temp is committed as usual).  aw_reuse: 0, or -1 (ENOMEM).
 */
int aw_reuse(struct aw *w, int refroot, const char *refrel);
/*
 * aw_same_file - 1 when dirfd/base (not followed if a symlink) is a regular
 * file with this mode (07777 bits), owner and exactly p[0..n) (p != NULL) or
 * the n bytes of fd2; *st is its stat.  0 when not, absent or unreadable.
 * errno is kept.
 */
int aw_same_file(int dirfd, const char *base, mode_t mode, uid_t uid, gid_t gid, size_t n,
		 const void *p, int fd2, struct stat *st);
/*
 * aw_link_checked - hard-link fromdir/from (the file *st describes) as
 * todir/to; 1 done, 0 not (no link possible, or the name now holds another
 * file: the link is removed again).  errno is kept.
 */
int aw_link_checked(int fromdir, const char *from, const struct stat *st, int todir, const char *to);

/*
 * aw_dircache - the directory of one path under a root, kept open while the
 * next paths are in the same one (files come grouped by directory)
 */
struct aw_dircache {
	char *rel;		/* its path under the root, or NULL */
	int fd;			/* -1: it is not there (or not without a symlink) */
};
void aw_dircache_init(struct aw_dircache *c);
void aw_dircache_free(struct aw_dircache *c);
/* the directory of rel under rootfd opened with aw_opendir: fd, -1 none, -2 ENOMEM; *base: rel's last part */
int aw_dircache_get(struct aw_dircache *c, int rootfd, const char *rel, const char **base);
/* aw_dircache_make - aw_dircache_get with missing directories created (AW_MKDIRS) */
int aw_dircache_make(struct aw_dircache *c, int rootfd, const char *rel, const char **base);
/*
 * aw_link_same - make rootfd/rel (not there yet; its directories made as
 * needed) a hard link to refroot/refrel when that is a regular file with
 * exactly p[0..n), this mode and the owner a new file there would get: the
 * same as writing the file with aw_reuse, without writing it first.
 * 1 linked, 0 not (write it), -1 error (errno; ENOMEM, the directory).
 */
int aw_link_same(int refroot, const char *refrel, int rootfd, const char *rel, mode_t mode,
		 const void *p, size_t n);
/* aw_file - write a whole file in one call */
int aw_file(int rootfd, const char *rel, mode_t mode, unsigned flags, const void *p, size_t n);

/* write_all - write n bytes, retrying on EINTR and short writes */
int write_all(int fd, const void *p, size_t n);

#endif
