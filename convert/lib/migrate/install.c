/* migrate/install - a staged tree onto a live one, file by file, with a backup and a way back */
#include "install.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/aw.h"
#include "../util/hset.h"

unsigned long long inst_cksum(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void inst_plan_free(struct inst_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].rel);
	free(p->v);
	for (i = 0; i < p->ndirs; i++)
		free(p->dirs[i]);
	free(p->dirs);
	memset(p, 0, sizeof(*p));
}

static int seterr(buf *err, const char *what, const char *rel)
{
	int e = errno;

	buf_reset(err);
	buf_printf(err, "%s %s", what, rel);
	buf_cstr(err);
	errno = e;
	return -1;
}

/* split rel into its directory (may be "") and base; dir is malloc'ed */
static char *dirof(const char *rel, const char **base)
{
	const char *sl = strrchr(rel, '/');
	char *d;

	*base = sl ? sl + 1 : rel;
	d = strndup(rel, sl ? (size_t)(sl - rel) : 0);
	return d;
}

static int read_all(int fd, buf *out)
{
	char tmp[65536];
	ssize_t n;

	buf_reset(out);
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (buf_append(out, tmp, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

/*
 * open rootfd/rel for reading, no symlink followed anywhere: fd, or -1
 * (ENOENT: it or a directory on the way is missing)
 */
static int open_below(int rootfd, const char *rel, struct stat *st)
{
	const char *base;
	char *dir = dirof(rel, &base);
	int dfd, fd, e;

	if (dir == NULL)
		return -1;
	dfd = aw_opendir(rootfd, dir, 0);
	free(dir);
	if (dfd < 0)
		return -1;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	e = errno;
	close(dfd);
	if (fd < 0) {
		errno = e;
		return -1;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		e = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int read_below(int rootfd, const char *rel, buf *out, struct stat *st)
{
	int fd = open_below(rootfd, rel, st), r, e;

	if (fd < 0)
		return -1;
	r = read_all(fd, out);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int inst_plan(int stagefd, int livefd, const struct mig_file *files, size_t n,
	      struct inst_plan *p, buf *err)
{
	buf a = BUF_INIT, b = BUF_INIT;
	struct hset dirs;
	size_t i, capd = 0;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	hset_init(&dirs);
	p->v = calloc(n ? n : 1, sizeof(*p->v));
	if (p->v == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		struct inst_ent *e = &p->v[p->n];
		struct stat st, sst;

		if (strchr(files[i].rel, '\n') || !aw_relpath_ok(files[i].rel)) {
			errno = EINVAL;
			seterr(err, "unusable path", files[i].rel);
			goto out;
		}
		e->rel = strdup(files[i].rel);
		if (e->rel == NULL)
			goto out;
		p->n++;
		e->mode = files[i].mode;
		if (read_below(stagefd, e->rel, &b, &sst) < 0) {
			seterr(err, "read staged", e->rel);
			goto out;
		}
		if (read_below(livefd, e->rel, &a, &st) < 0) {
			const char *base;
			char *dir, *q;

			if (errno != ENOENT) {
				seterr(err, "read live", e->rel);
				goto out;
			}
			e->act = INST_CREATE;
			p->ncreate++;
			dir = dirof(e->rel, &base);
			if (dir == NULL)
				goto out;
			/* every missing directory on the way, shallow first */
			for (q = dir; *dir; q++) {
				char c = *q;
				struct stat ds;

				if (c != '/' && c != '\0')
					continue;
				*q = '\0';
				if (fstatat(livefd, dir, &ds, AT_SYMLINK_NOFOLLOW) < 0) {
					int r;

					if (errno != ENOENT) {
						seterr(err, "stat live", dir);
						free(dir);
						goto out;
					}
					r = hset_put(&dirs, dir, strlen(dir), 0, NULL);
					if (r < 0) {
						free(dir);
						goto out;
					}
					if (r == 1) {
						if (p->ndirs == capd) {
							size_t nc = capd ? capd * 2 : 8;
							char **nv = realloc(p->dirs, nc * sizeof(*nv));

							if (nv == NULL) {
								free(dir);
								goto out;
							}
							p->dirs = nv;
							capd = nc;
						}
						if ((p->dirs[p->ndirs] = strdup(dir)) == NULL) {
							free(dir);
							goto out;
						}
						p->ndirs++;
					}
				}
				*q = c;
				if (c == '\0')
					break;
			}
			free(dir);
			continue;
		}
		e->omode = (unsigned)(st.st_mode & 07777);
		e->ouid = (unsigned long)st.st_uid;
		e->ogid = (unsigned long)st.st_gid;
		e->osize = (unsigned long long)st.st_size;
		e->ocksum = inst_cksum(INST_CKSUM0, a.s, a.len);
		if (a.len == b.len && (a.len == 0 || memcmp(a.s, b.s, a.len) == 0) && e->omode == e->mode) {
			e->act = INST_SAME;
			p->nsame++;
		} else {
			e->act = INST_REPLACE;
			p->nreplace++;
		}
	}
	if (p->ndirs > 1)
		qsort(p->dirs, p->ndirs, sizeof(*p->dirs), cmpstr);
	ret = 0;
out:
	hset_free(&dirs);
	buf_free(&a);
	buf_free(&b);
	return ret;
}

/* write p[0..n) to rootfd/rel with mode, owner uid/gid (-1: keep) */
static int put(int rootfd, const char *rel, unsigned mode, long uid, long gid, const buf *c)
{
	struct aw w;
	int e;

	if (aw_open(&w, rootfd, rel, (mode_t)mode, AW_MKDIRS) < 0)
		return -1;
	if (aw_write(&w, c->s ? c->s : "", c->len) < 0)
		goto fail;
	if (uid >= 0 && (fchown(aw_fd(&w), (uid_t)uid, (gid_t)gid) < 0 ||
			 fchmod(aw_fd(&w), (mode_t)mode) < 0))
		goto fail;
	return aw_commit(&w);
fail:
	e = errno;
	aw_abort(&w);
	errno = e;
	return -1;
}

int inst_before(int livefd, int beforefd, const struct inst_plan *p, buf *err)
{
	buf c = BUF_INIT;
	size_t i;
	struct stat st;

	for (i = 0; i < p->n; i++) {
		const struct inst_ent *e = &p->v[i];

		if (e->act == INST_CREATE)
			continue;
		if (read_below(livefd, e->rel, &c, &st) < 0) {
			seterr(err, "read live", e->rel);
			buf_free(&c);
			return -1;
		}
		if (put(beforefd, e->rel, e->omode, (long)e->ouid, (long)e->ogid, &c) < 0) {
			seterr(err, "write a copy of", e->rel);
			buf_free(&c);
			return -1;
		}
	}
	buf_free(&c);
	return 0;
}

int inst_apply(int stagefd, int livefd, const char *live, const char *backup,
	       const struct inst_plan *p, buf *err, int *installed)
{
	buf c = BUF_INIT, man = BUF_INIT;
	int bfd = -1, ffd = -1, ret = -1, e;
	size_t i;
	struct stat st;

	*installed = 0;
	if (mkdir(backup, 0700) < 0) {
		seterr(err, "create the backup directory", backup);
		return -1;
	}
	bfd = open(backup, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0 || mkdirat(bfd, "files", 0700) < 0 ||
	    (ffd = openat(bfd, "files", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		seterr(err, "set up the backup directory", backup);
		goto out;
	}
	if (buf_printf(&man, "s2q-migrate backup 1\nlive %s\n", live) < 0)
		goto out;
	for (i = 0; i < p->ndirs; i++)
		if (buf_printf(&man, "dir %s\n", p->dirs[i]) < 0)
			goto out;
	for (i = 0; i < p->n; i++) {
		const struct inst_ent *x = &p->v[i];

		if (x->act == INST_CREATE) {
			if (buf_printf(&man, "created %04o %s\n", x->mode, x->rel) < 0)
				goto out;
		} else if (x->act == INST_REPLACE) {
			if (read_below(livefd, x->rel, &c, &st) < 0) {
				seterr(err, "read live", x->rel);
				goto out;
			}
			if (inst_cksum(INST_CKSUM0, c.s, c.len) != x->ocksum) {
				errno = EAGAIN;
				seterr(err, "changed while s2q-migrate ran:", x->rel);
				goto out;
			}
			if (put(ffd, x->rel, 0600, -1, -1, &c) < 0) {
				seterr(err, "back up", x->rel);
				goto out;
			}
			if (buf_printf(&man, "replaced %04o %lu %lu %llu %016llx %s\n", x->omode, x->ouid,
				       x->ogid, x->osize, x->ocksum, x->rel) < 0)
				goto out;
		}
	}
	if (aw_file(bfd, "manifest", 0600, 0, man.s, man.len) < 0) {
		seterr(err, "write the manifest in", backup);
		goto out;
	}
	for (i = 0; i < p->n; i++) {
		const struct inst_ent *x = &p->v[i];

		if (x->act == INST_SAME)
			continue;
		if (read_below(stagefd, x->rel, &c, &st) < 0) {
			seterr(err, "read staged", x->rel);
			goto out;
		}
		*installed = 1;
		if (put(livefd, x->rel, x->mode, x->act == INST_REPLACE ? (long)x->ouid : -1,
			(long)x->ogid, &c) < 0) {
			seterr(err, "install", x->rel);
			goto out;
		}
	}
	ret = 0;
out:
	e = errno;
	if (bfd >= 0)
		close(bfd);
	if (ffd >= 0)
		close(ffd);
	buf_free(&c);
	buf_free(&man);
	errno = e;
	return ret;
}

/* the next space-separated word of line at *p (advanced); NULL if none */
static char *word(char **p)
{
	char *s = *p, *sp;

	if (s == NULL || *s == '\0')
		return NULL;
	sp = strchr(s, ' ');
	if (sp) {
		*sp = '\0';
		*p = sp + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

int inst_rollback(const char *backup, buf *live, unsigned long *restored, unsigned long *removed,
		  buf *err)
{
	buf man = BUF_INIT, c = BUF_INIT;
	int bfd = -1, ffd = -1, lfd = -1, mfd, ret = -1, e, pass;
	char *line, *next;
	struct rb {
		int kind;
		unsigned mode;
		long uid, gid;
		unsigned long long size, ck;
		const char *rel;
	} *ents = NULL;
	size_t nents = 0, i;
	struct stat st;

	*restored = *removed = 0;
	buf_reset(live);
	bfd = open(backup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0) {
		seterr(err, "open the backup directory", backup);
		return -1;
	}
	mfd = openat(bfd, "manifest", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (mfd < 0) {
		if (errno == ENOENT) {
			close(bfd);
			return 1;	/* the apply stopped before installing anything */
		}
		seterr(err, "open the manifest in", backup);
		goto out;
	}
	if (read_all(mfd, &man) < 0 || !buf_cstr(&man)) {
		e = errno;
		close(mfd);
		errno = e;
		seterr(err, "read the manifest in", backup);
		goto out;
	}
	close(mfd);
	line = man.s;
	next = strchr(line, '\n');
	if (next == NULL || strncmp(line, "s2q-migrate backup 1\n", 21) != 0)
		goto bad;
	line = next + 1;
	next = strchr(line, '\n');
	if (next == NULL || strncmp(line, "live /", 6) != 0)
		goto bad;
	*next = '\0';
	if (buf_append_s(live, line + 5) < 0 || !buf_cstr(live))
		goto out;
	lfd = open(live->s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0) {
		seterr(err, "open", live->s);
		goto out;
	}
	ffd = openat(bfd, "files", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ffd < 0) {
		seterr(err, "open the copies in", backup);
		goto out;
	}
	/* parse every line first, then pass 0: every copy there and intact; pass 1: restore */
	{
		char *body = next + 1;

		while (*body) {
			char *nl = strchr(body, '\n'), *p, *kind;
			struct rb *nv;

			if (nl == NULL)
				goto bad;
			*nl = '\0';
			p = body;
			body = nl + 1;
			kind = word(&p);
			nv = realloc(ents, (nents + 1) * sizeof(*nv));
			if (nv == NULL)
				goto out;
			ents = nv;
			memset(&ents[nents], 0, sizeof(ents[0]));
			if (kind && strcmp(kind, "replaced") == 0) {
				char *m = word(&p), *u = word(&p), *g = word(&p), *sz = word(&p),
				     *ck = word(&p);

				if (ck == NULL)
					goto bad;
				ents[nents].kind = 'r';
				ents[nents].mode = (unsigned)strtoul(m, NULL, 8);
				ents[nents].uid = (long)strtoul(u, NULL, 10);
				ents[nents].gid = (long)strtoul(g, NULL, 10);
				ents[nents].size = strtoull(sz, NULL, 10);
				ents[nents].ck = strtoull(ck, NULL, 16);
			} else if (kind && strcmp(kind, "created") == 0) {
				if (word(&p) == NULL)
					goto bad;
				ents[nents].kind = 'c';
			} else if (kind && strcmp(kind, "dir") == 0) {
				ents[nents].kind = 'd';
			} else {
				goto bad;
			}
			if (!*p || !aw_relpath_ok(p))
				goto bad;
			ents[nents].rel = p;
			nents++;
		}
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nents; i++) {
			const struct rb *x = &ents[i];

			if (x->kind == 'r') {
				if (read_below(ffd, x->rel, &c, &st) < 0) {
					seterr(err, "read the copy of", x->rel);
					goto out;
				}
				if (inst_cksum(INST_CKSUM0, c.s, c.len) != x->ck || c.len != x->size) {
					errno = EINVAL;
					seterr(err, "the copy does not match the manifest:", x->rel);
					goto out;
				}
				if (pass == 1) {
					if (put(lfd, x->rel, x->mode, x->uid, x->gid, &c) < 0) {
						seterr(err, "restore", x->rel);
						goto out;
					}
					(*restored)++;
				}
			} else if (x->kind == 'c' && pass == 1) {
				const char *base;
				char *dir = dirof(x->rel, &base);
				int dfd;

				if (dir == NULL)
					goto out;
				dfd = aw_opendir(lfd, dir, 0);
				free(dir);
				if (dfd < 0 && errno != ENOENT) {
					seterr(err, "open the directory of", x->rel);
					goto out;
				}
				if (dfd >= 0) {
					if (unlinkat(dfd, base, 0) == 0) {
						(*removed)++;
					} else if (errno != ENOENT) {
						e = errno;
						close(dfd);
						errno = e;
						seterr(err, "remove", x->rel);
						goto out;
					}
					close(dfd);
				}
			}
		}
	/* directories the apply created, deepest first; ones holding other files stay */
	for (i = nents; i > 0; i--)
		if (ents[i - 1].kind == 'd' && unlinkat(lfd, ents[i - 1].rel, AT_REMOVEDIR) < 0 &&
		    errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST) {
			seterr(err, "remove the directory", ents[i - 1].rel);
			goto out;
		}
	ret = 0;
	goto out;
bad:
	errno = EINVAL;
	seterr(err, "not an s2q-migrate manifest:", backup);
out:
	e = errno;
	free(ents);
	if (bfd >= 0)
		close(bfd);
	if (ffd >= 0)
		close(ffd);
	if (lfd >= 0)
		close(lfd);
	buf_free(&man);
	buf_free(&c);
	errno = e;
	return ret;
}

/* what qmail does with a file (qmail.md §3.2): 2 restart qmail-send, 1 HUP, 0 nothing */
static int send_needs(const char *rel)
{
	static const char *const restart[] = {
		"me", "bouncefrom", "bouncehost", "concurrencylocal", "concurrencyremote",
		"doublebouncehost", "doublebounceto", "envnoathost", "percenthack",
		"queuelifetime", NULL
	};
	const char *c = strstr(rel, "control/");
	size_t i;

	if (c == NULL || (c != rel && c[-1] != '/'))
		return 0;
	c += 8;
	if (strcmp(c, "locals") == 0 || strcmp(c, "virtualdomains") == 0)
		return 1;
	for (i = 0; restart[i]; i++)
		if (strcmp(c, restart[i]) == 0)
			return 2;
	return 0;
}

static int ends(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0 && (a == b || s[a - b - 1] == '/');
}

int inst_commands(buf *out, const struct inst_plan *p)
{
	int send = 0, tcp = 0, users = 0, mrh = 0;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct inst_ent *e = &p->v[i];
		int s;

		if (e->act == INST_SAME)
			continue;
		s = send_needs(e->rel);
		if (s > send)
			send = s;
		if (ends(e->rel, "etc/tcp.smtp"))
			tcp = 1;
		if (ends(e->rel, "users/assign") || ends(e->rel, "users/cdb"))
			users = 1;
		if (ends(e->rel, "control/morercpthosts") || ends(e->rel, "control/morercpthosts.cdb"))
			mrh = 1;
	}
	if (buf_append_s(out, "# what qmail needs to pick the change up (s2q-migrate runs none of it):\n") < 0)
		return -1;
	if (send == 2 && buf_append_s(out, "# control files qmail-send reads only at start changed: restart it\n"
				      "svc -t /service/qmail-send    # or: /etc/init.d/qmail restart\n") < 0)
		return -1;
	if (send == 1 && buf_append_s(out, "# locals/virtualdomains changed: qmail-send rereads them on HUP\n"
				      "svc -h /service/qmail-send    # or: kill -HUP $(pidof qmail-send)\n") < 0)
		return -1;
	if (tcp && buf_append_s(out, "# tcp.smtp changed: compile the rules tcpserver reads\n"
				"tcprules /etc/tcp.smtp.cdb /etc/tcp.smtp.tmp < /etc/tcp.smtp\n") < 0)
		return -1;
	if (users && buf_append_s(out, "# users/cdb was installed with users/assign: do not run qmail-newu "
				  "(run it only after editing users/assign)\n") < 0)
		return -1;
	if (mrh && buf_append_s(out, "# morercpthosts.cdb was installed with morercpthosts: no qmail-newmrh needed\n") < 0)
		return -1;
	return buf_append_s(out, "# rcpthosts, smtproutes, users/cdb, aliases.cdb, .qmail files: read per "
			    "connection or delivery, nothing to do\n");
}

#include "../util/outtx.h"

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

/*
 * in_place - whether the staged file f (as mig_list found it) is a hard link
 * to outfd's f->rel (the converters linked it from there: util/aw_reuse);
 * the directory under outfd is looked up without following symlinks (and
 * kept open in dc for the next file).  1 yes, 0 no, -1 ENOMEM, -2 yes but
 * changed during the run (inst_publish).
 */
static int in_place(int outfd, const struct mig_file *f, const struct timespec *since,
		    struct aw_dircache *dc)
{
	struct stat os;
	const char *base;
	int dirfd;

	if (f->nlink < 2)
		return 0;
	dirfd = aw_dircache_get(dc, outfd, f->rel, &base);
	if (dirfd == -2)
		return -1;
	if (dirfd < 0 || fstatat(dirfd, base, &os, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(os.st_mode) || (unsigned long long)os.st_ino != f->ino ||
	    (unsigned long long)os.st_dev != f->dev)
		return 0;
	/* any change of the inode since the listing (an edit, chmod, chown, touch) */
	if ((long long)os.st_ctim.tv_sec != f->ctime_sec || (long)os.st_ctim.tv_nsec != f->ctime_nsec)
		return -2;
	/*
	 * an edit before the listing; not one dated in the future (a clock
	 * stepped back, a restored backup): more than 2 s ahead of the clock,
	 * as a file's time may be finer than the clock's tick
	 */
	if (since) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		now.tv_sec += 2;
		if (ts_cmp(&os.st_mtim, since) >= 0 && ts_cmp(&os.st_mtim, &now) <= 0)
			return -2;
	}
	return 1;
}

int inst_publish(int treefd, int outfd, const struct mig_file *files, size_t n,
		 const struct timespec *since, buf *err)
{
	struct outtx t;
	struct aw_dircache dc;
	char stage[16];
	size_t i;
	int e;

	if (outtx_begin(&t, outfd) < 0) {
		seterr(err, "start writing under", "the output root");
		return -1;
	}
	aw_dircache_init(&dc);
	for (i = 0; i < n; i++) {
		/* unchanged: the file there already (the staging tree's name goes with it) */
		int r = in_place(outfd, &files[i], since, &dc);

		if (r > 0)
			continue;
		if (r == -2) {
			outtx_abort(&t);
			aw_dircache_free(&dc);
			buf_reset(err);
			(void)buf_append_s(err, files[i].rel);
			(void)buf_append_s(err, " was changed while s2q-migrate ran");
			(void)buf_cstr(err);
			errno = EAGAIN;
			return -1;
		}
		if (r < 0 || outtx_add(&t, files[i].rel, stage) < 0 ||
		    renameat(treefd, files[i].rel, t.stagefd, stage) < 0) {
			e = errno;
			outtx_abort(&t);
			aw_dircache_free(&dc);
			errno = e;
			return seterr(err, "stage", files[i].rel);
		}
	}
	aw_dircache_free(&dc);
	if (outtx_commit(&t) < 0) {
		e = errno;
		errno = e;
		return seterr(err, "write", t.failed[0] ? t.failed : "the output root");
	}
	return 0;
}
