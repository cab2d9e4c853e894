/* outtx - many output files under one root, replaced all together or not at all */
#define _GNU_SOURCE	/* syncfs */
#include "outtx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw.h"

/* files outtx_file writes with an fsync each; the later ones are synced together */
#define OUTTX_BATCH 4

int outtx_begin(struct outtx *t, int rootfd)
{
	int i;

	memset(t, 0, sizeof(*t));
	hset_init(&t->rels);
	t->rootfd = rootfd;
	t->failed[0] = '\0';
	t->stagefd = -1;
	t->reffd = rootfd;
	aw_dircache_init(&t->refdir);
	aw_dircache_init(&t->outdir);
	for (i = 0; i < 100; i++) {
		snprintf(t->stagename, sizeof(t->stagename), ".s2q-stage.%ld.%d", (long)getpid(), i);
		if (mkdirat(rootfd, t->stagename, 0700) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	if (i == 100)
		return -1;
	t->stagefd = openat(rootfd, t->stagename, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t->stagefd < 0) {
		int e = errno;

		unlinkat(rootfd, t->stagename, AT_REMOVEDIR);
		errno = e;
		return -1;
	}
	/* a new file is the effective user's, in the stage's group when it is set-group-ID */
	{
		struct stat st;

		t->uid = (unsigned long)geteuid();
		t->gid = (unsigned long)getegid();
		if (fstat(t->stagefd, &st) == 0 && (st.st_mode & S_ISGID))
			t->gid = (unsigned long)st.st_gid;
	}
	return 0;
}

void outtx_reuse(struct outtx *t, int reffd)
{
	t->reffd = reffd;
	aw_dircache_free(&t->refdir);
}

void outtx_direct(struct outtx *t)
{
	t->direct = 1;
}

static int placed(const struct outtx_file *f)
{
	return f->stage[0] == 'p';
}

/* reuse - link the reference's rel to todir/to when it is p[0..n) with this mode: 1, else 0; -1 ENOMEM */
static int reuse(struct outtx *t, const char *rel, int todir, const char *to, unsigned mode,
		 const void *p, size_t n)
{
	struct stat rs;
	const char *base;
	int dfd, e = errno;

	if (t->reffd < 0)
		return 0;
	dfd = aw_dircache_get(&t->refdir, t->reffd, rel, &base);
	if (dfd == -2) {
		errno = ENOMEM;
		return -1;
	}
	errno = e;
	return dfd >= 0 &&
	       aw_same_file(dfd, base, (mode_t)mode, (uid_t)t->uid, (gid_t)t->gid, n, p ? p : "", -1,
			    &rs) &&
	       aw_link_checked(dfd, base, &rs, todir, to);
}

/* write p[0..n) as the new file dirfd/name (O_EXCL), mode set; removed again on failure */
static int put_new(int dirfd, const char *name, unsigned mode, const void *p, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), e;

	if (fd < 0)
		return -1;
	if (fchmod(fd, (mode_t)mode) < 0 || write_all(fd, p, n) < 0) {
		e = errno;
		close(fd);
		unlinkat(dirfd, name, 0);
		errno = e;
		return -1;
	}
	if (close(fd) < 0) {
		e = errno;
		unlinkat(dirfd, name, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* outtx_direct's outtx_file: rel put in place at once */
static int file_direct(struct outtx *t, struct outtx_file *f, unsigned mode, const void *p,
		       size_t n)
{
	const char *base;
	int dfd = aw_dircache_make(&t->outdir, t->rootfd, f->rel, &base);

	if (dfd < 0) {
		if (dfd == -2)
			errno = ENOMEM;
		return -1;
	}
	switch (reuse(t, f->rel, dfd, base, mode, p, n)) {
	case -1:
		return -1;
	case 1:
		break;
	default:
		if (put_new(dfd, base, mode, p, n) < 0)
			return -1;
		t->nunsynced++;
	}
	f->stage[0] = 'p';
	return 0;
}

int outtx_add(struct outtx *t, const char *rel, char *stage)
{
	struct outtx_file *f;
	int r;

	if (!aw_relpath_ok(rel)) {
		errno = EINVAL;
		return -1;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct outtx_file *nv;

		if (nc > ((size_t)-1) / sizeof(*nv)) {
			errno = ENOMEM;
			return -1;
		}
		nv = realloc(t->v, nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	r = hset_put(&t->rels, rel, strlen(rel), t->n, NULL);
	if (r < 0)
		return -1;
	if (r == 0) {
		errno = EEXIST;
		return -1;
	}
	f = &t->v[t->n];
	f->rel = strdup(rel);
	if (f->rel == NULL)
		return -1;	/* the name stays in rels: the transaction is to be aborted */
	snprintf(f->stage, sizeof(f->stage), "f%09zu", t->n);
	memcpy(stage, f->stage, sizeof(f->stage));
	t->n++;
	return 0;
}

int outtx_file(struct outtx *t, const char *rel, unsigned mode, const void *p, size_t n)
{
	char stage[16];

	if (outtx_add(t, rel, stage) < 0)
		return -1;
	if (t->direct)
		return file_direct(t, &t->v[t->n - 1], mode, p, n);
	switch (reuse(t, rel, t->stagefd, stage, mode, p, n)) {
	case -1:
		return -1;
	case 1:
		return 0;
	}
	/* the first few: fsynced each (the atomic writer), as a small run needs no more */
	if (t->n <= OUTTX_BATCH)
		return aw_file(t->stagefd, stage, (mode_t)mode, 0, p, n);
	/* the stage is private and the name new: no temp name needed; durable at commit */
	if (put_new(t->stagefd, stage, mode, p, n) < 0)
		return -1;
	t->nunsynced++;
	return 0;
}

/* sync_staged - the files outtx_file wrote, durable before any is published */
static int sync_staged(struct outtx *t)
{
	size_t i;
	int fd;

	if (t->nunsynced == 0)
		return 0;
	if (syncfs(t->stagefd) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	for (i = 0; i < t->n; i++) {
		/* a file put in place: its path in the caller's private tree */
		fd = placed(&t->v[i]) ? openat(t->rootfd, t->v[i].rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
				      : openat(t->stagefd, t->v[i].stage, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (fsync(fd) < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		close(fd);
	}
	return fsync(t->stagefd);
}

/*
 * remove the stage directory and everything staged or backed up in it;
 * after a commit that published everything (backups: which files have
 * one) only the backups are left there: two failing unlinks a file saved
 */
static void stage_remove(struct outtx *t, const unsigned char *backups)
{
	size_t i;
	char b[16];

	if (t->stagefd >= 0) {
		for (i = 0; i < t->n; i++) {
			if (placed(&t->v[i])) {
				if (backups == NULL)	/* failed or aborted: taken away again */
					unlinkat(t->rootfd, t->v[i].rel, 0);
				continue;
			}
			if (backups == NULL)
				unlinkat(t->stagefd, t->v[i].stage, 0);
			else if (backups[i] != 1)
				continue;
			memcpy(b, t->v[i].stage, sizeof(b));
			b[0] = 'b';
			unlinkat(t->stagefd, b, 0);
		}
		close(t->stagefd);
		t->stagefd = -1;
		unlinkat(t->rootfd, t->stagename, AT_REMOVEDIR);
	}
	outtx_reuse(t, -1);
	aw_dircache_free(&t->outdir);
	for (i = 0; i < t->n; i++)
		free(t->v[i].rel);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	hset_free(&t->rels);
}

void outtx_abort(struct outtx *t)
{
	int e = errno;

	stage_remove(t, NULL);
	errno = e;
}

struct pubdir {
	char *rel;
	int fd;
};

/* the directory part of rel ("" at the top) into out */
static int dirname_of(const char *rel, char **out)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0;

	*out = malloc(n + 1);
	if (*out == NULL)
		return -1;
	memcpy(*out, rel, n);
	(*out)[n] = '\0';
	return 0;
}

/*
 * opendir_track - open ROOT/rel, creating missing components one at a
 * time; each one created is appended to created[] (room for every
 * component was reserved by the caller).
 */
static int opendir_track(int rootfd, const char *rel, char **created, size_t *ncreated)
{
	size_t len = strlen(rel), i;
	char *p;
	int fd;

	if (len == 0)
		return aw_opendir(rootfd, "", 0);
	p = malloc(len + 1);
	if (p == NULL)
		return -1;
	for (i = 0; i <= len; i++) {
		if (i < len && rel[i] != '/')
			continue;
		memcpy(p, rel, i);
		p[i] = '\0';
		fd = aw_opendir(rootfd, p, 0);
		if (fd < 0 && errno == ENOENT) {
			fd = aw_opendir(rootfd, p, AW_MKDIRS);
			if (fd >= 0) {
				created[(*ncreated)++] = p;
				p = malloc(len + 1);
				if (p == NULL) {
					close(fd);
					return -1;
				}
			}
		}
		if (fd < 0) {
			int e = errno;

			free(p);
			errno = e;
			return -1;
		}
		if (i < len)
			close(fd);
		else {
			free(p);
			return fd;
		}
	}
	free(p);
	errno = EINVAL;
	return -1;
}

int outtx_commit(struct outtx *t)
{
	struct pubdir *dirs = NULL;
	size_t ndirs = 0, i, j, ncreated = 0, maxcreated = 0, done = 0;
	size_t *dirof = NULL;
	unsigned char *existed = NULL;
	char **created = NULL, *dn = NULL, b[16];
	int e = 0;

	if (sync_staged(t) < 0) {
		e = errno;
		i = t->n;
		goto fail;
	}
	for (i = 0; i < t->n; i++)
		for (j = 0; t->v[i].rel[j]; j++)
			maxcreated += t->v[i].rel[j] == '/';
	dirs = calloc(t->n + 1, sizeof(*dirs));
	dirof = calloc(t->n + 1, sizeof(*dirof));
	existed = calloc(t->n + 1, 1);
	created = calloc(maxcreated + 1, sizeof(*created));
	if (dirs == NULL || dirof == NULL || existed == NULL || created == NULL) {
		e = ENOMEM;
		goto fail;
	}
	for (i = 0; i < t->n; i++) {
		const char *rel = t->v[i].rel, *base = strrchr(rel, '/');
		struct stat st;

		base = base ? base + 1 : rel;
		if (dirname_of(rel, &dn) < 0) {
			e = ENOMEM;
			goto fail;
		}
		for (j = 0; j < ndirs && strcmp(dirs[j].rel, dn) != 0; j++)
			;
		if (j == ndirs) {
			dirs[j].fd = opendir_track(t->rootfd, dn, created, &ncreated);
			if (dirs[j].fd < 0) {
				e = errno;
				goto fail;
			}
			dirs[j].rel = dn;
			dn = NULL;
			ndirs++;
		} else {
			free(dn);
			dn = NULL;
		}
		dirof[i] = j;
		if (placed(&t->v[i])) {	/* in place already (outtx_direct) */
			done = i + 1;
			continue;
		}
		memcpy(b, t->v[i].stage, sizeof(b));
		b[0] = 'b';
		if (fstatat(dirs[j].fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			struct stat ss;

			if (S_ISDIR(st.st_mode)) {
				e = EISDIR;
				goto fail;
			}
			/* the staged file is a link to the target: it is in place already */
			if (S_ISREG(st.st_mode) && st.st_nlink > 1 &&
			    fstatat(t->stagefd, t->v[i].stage, &ss, AT_SYMLINK_NOFOLLOW) == 0 &&
			    ss.st_ino == st.st_ino && ss.st_dev == st.st_dev) {
				if (unlinkat(t->stagefd, t->v[i].stage, 0) < 0) {
					e = errno;
					goto fail;
				}
				existed[i] = 2;
				done = i + 1;
				continue;
			}
			if (linkat(dirs[j].fd, base, t->stagefd, b, 0) < 0) {
				e = errno;
				goto fail;
			}
			existed[i] = 1;
		} else if (errno != ENOENT) {
			e = errno;
			goto fail;
		}
		if (renameat(t->stagefd, t->v[i].stage, dirs[j].fd, base) < 0) {
			e = errno;
			goto fail;
		}
		done = i + 1;
	}
	for (j = 0; j < ndirs; j++)
		(void)fsync(dirs[j].fd);	/* best effort, as aw_commit */
	goto out;
fail:
	if (i < t->n)
		snprintf(t->failed, sizeof(t->failed), "%s", t->v[i].rel);
	/* put back what was replaced, newest first; remove the directories made */
	for (i = done; i-- > 0;) {
		const char *rel = t->v[i].rel, *base = strrchr(rel, '/');

		base = base ? base + 1 : rel;
		memcpy(b, t->v[i].stage, sizeof(b));
		b[0] = 'b';
		if (existed[i] == 1)
			renameat(t->stagefd, b, dirs[dirof[i]].fd, base);
		else if (existed[i] == 0)
			unlinkat(dirs[dirof[i]].fd, base, 0);
	}
	for (i = ncreated; i-- > 0;)
		unlinkat(t->rootfd, created[i], AT_REMOVEDIR);
out:
	free(dn);
	for (j = 0; j < ndirs; j++) {
		close(dirs[j].fd);
		free(dirs[j].rel);
	}
	for (i = 0; i < ncreated; i++)
		free(created[i]);
	free(dirs);
	free(dirof);
	free(created);
	stage_remove(t, e || existed == NULL ? NULL : existed);
	free(existed);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}
