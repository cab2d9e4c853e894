/* test_outtx - many files replaced together or not at all */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/util/aw.h"
#include "../../convert/lib/util/cdbw.h"
#include "../../convert/lib/util/outtx.h"

/* snapshot - names, types, modes, link targets and contents of a tree */
static char *snapshot(const char *dir)
{
	char cmd[1024], *out = NULL;
	size_t len = 0, cap = 0;
	FILE *p;
	int c;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && find . -printf '%%p %%y %%m %%l\\n' | sort && "
		 "find . -type f | sort | xargs -r cksum", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((c = fgetc(p)) != EOF) {
		if (len + 1 >= cap) {
			cap = cap ? 2 * cap : 4096;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		out[len++] = (char)c;
	}
	assert_int_equal(pclose(p), 0);
	if (out == NULL)
		out = calloc(1, 1);
	out[len] = '\0';
	return out;
}

static int rootfd(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static void mkdirs(const char *dir, const char *rel)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", dir, rel);
	assert_int_equal(system(cmd), 0);
}

/* outtx_commit fails with e and the tree under dir is what before says */
static void refused_unchanged(struct outtx *t, const char *dir, const char *before, int e)
{
	char *after;

	assert_int_equal(outtx_commit(t), -1);
	assert_int_equal(errno, e);
	after = snapshot(dir);
	assert_string_equal(after, before);
	free(after);
}

static void test_commit(void **state)
{
	char *dir = tu_tmpdir(), *got, path[600], victim[600];
	int fd = rootfd(dir);
	struct outtx t;
	struct cdbw c;
	char stage[16];
	struct stat st;
	size_t n;
	(void)state;

	mkdirs(dir, "etc");
	tu_writefile(dir, "etc/old", "old\n", 4);
	tu_writefile(dir, "victim", "precious\n", 9);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(path, sizeof(path), "%s/etc/link", dir);
	assert_int_equal(symlink(victim, path), 0);

	assert_int_equal(outtx_begin(&t, fd), 0);
	assert_int_equal(outtx_file(&t, "etc/old", 0644, "new\n", 4), 0);
	assert_int_equal(outtx_file(&t, "etc/link", 0600, "file\n", 5), 0);
	assert_int_equal(outtx_file(&t, "var/qmail/alias/.qmail-x", 0644, "&a@b\n", 5), 0);
	assert_int_equal(outtx_add(&t, "etc/aliases.cdb", stage), 0);
	assert_int_equal(cdbw_open(&c, t.stagefd, stage, 0644, 0), 0);
	assert_int_equal(cdbw_add(&c, "k", 1, "v", 1), 0);
	assert_int_equal(cdbw_commit(&c), 0);
	/* nothing under the root has changed yet but the stage */
	assert_null(tu_readfile(dir, "var/qmail/alias/.qmail-x", &n));
	got = tu_readfile(dir, "etc/old", &n);
	assert_string_equal(got, "old\n");
	free(got);
	/* refused names */
	assert_int_equal(outtx_file(&t, "etc/old", 0644, "x", 1), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(outtx_add(&t, "../x", stage), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(outtx_add(&t, "/etc/x", stage), -1);
	assert_int_equal(outtx_commit(&t), 0);

	got = tu_readfile(dir, "etc/old", &n);
	assert_string_equal(got, "new\n");
	free(got);
	got = tu_readfile(dir, "var/qmail/alias/.qmail-x", &n);
	assert_string_equal(got, "&a@b\n");
	free(got);
	got = tu_readfile(dir, "victim", &n);
	assert_string_equal(got, "precious\n");
	free(got);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	got = tu_readfile(dir, "etc/aliases.cdb", &n);
	assert_non_null(got);
	assert_int_equal(n, 2048 + 8 + 2 + 16);
	free(got);
	/* the stage is gone */
	got = snapshot(dir);
	assert_null(strstr(got, ".s2q-"));
	free(got);
	close(fd);
	tu_rmtree(dir);
}

/* a failure while publishing puts everything back */
static void test_rollback(void **state)
{
	char *dir = tu_tmpdir(), *before, *after, path[600];
	int fd = rootfd(dir);
	struct outtx t;
	(void)state;

	mkdirs(dir, "etc");
	mkdirs(dir, "var/qmail/alias/.qmail-dir");	/* a directory where a file should go */
	tu_writefile(dir, "etc/a", "old a\n", 6);
	tu_writefile(dir, "etc/b", "old b\n", 6);
	before = snapshot(dir);
	assert_int_equal(outtx_begin(&t, fd), 0);
	assert_int_equal(outtx_file(&t, "etc/a", 0644, "new a\n", 6), 0);
	assert_int_equal(outtx_file(&t, "new/dir/deep/c", 0644, "c\n", 2), 0);
	assert_int_equal(outtx_file(&t, "etc/b", 0644, "new b\n", 6), 0);
	assert_int_equal(outtx_file(&t, "var/qmail/alias/.qmail-dir", 0644, "&x@y\n", 5), 0);
	assert_int_equal(outtx_file(&t, "etc/d", 0644, "d\n", 2), 0);
	refused_unchanged(&t, dir, before, EISDIR);

	/* a symlinked directory below the root is never followed */
	snprintf(path, sizeof(path), "%s/var/qmail/users", dir);
	assert_int_equal(symlink("/tmp", path), 0);
	free(before);
	before = snapshot(dir);
	assert_int_equal(outtx_begin(&t, fd), 0);
	assert_int_equal(outtx_file(&t, "etc/a", 0644, "new a\n", 6), 0);
	assert_int_equal(outtx_file(&t, "var/qmail/users/assign", 0644, "x\n", 2), 0);
	assert_int_equal(outtx_commit(&t), -1);
	after = snapshot(dir);
	assert_string_equal(after, before);
	free(after);

	/* abort before publishing leaves no stage */
	assert_int_equal(outtx_begin(&t, fd), 0);
	assert_int_equal(outtx_file(&t, "etc/a", 0644, "new a\n", 6), 0);
	outtx_abort(&t);
	after = snapshot(dir);
	assert_string_equal(after, before);
	free(after);
	free(before);
	close(fd);
	tu_rmtree(dir);
}

/* six files under rootfd: past OUTTX_BATCH, both ways of writing one (the cdb: aw_reuse) */
static void six_files(struct outtx *t, int fd)
{
	struct cdbw c;
	char stage[16];

	assert_int_equal(outtx_begin(t, fd), 0);
	assert_int_equal(outtx_file(t, "etc/a", 0644, "a\n", 2), 0);
	assert_int_equal(outtx_file(t, "etc/b", 0644, "b\n", 2), 0);
	assert_int_equal(outtx_file(t, "etc/c", 0644, "c\n", 2), 0);
	assert_int_equal(outtx_file(t, "etc/d", 0644, "d\n", 2), 0);
	assert_int_equal(outtx_file(t, "var/e", 0644, "e\n", 2), 0);
	assert_int_equal(outtx_add(t, "var/x.cdb", stage), 0);
	assert_int_equal(cdbw_open(&c, t->stagefd, stage, 0644, 0), 0);
	assert_int_equal(cdbw_reuse(&c, t->reffd, "var/x.cdb"), 0);
	assert_int_equal(cdbw_add(&c, "k", 1, "v", 1), 0);
	assert_int_equal(cdbw_commit(&c), 0);
}

/* unchanged files: kept (the root's own) or linked (outtx_reuse), also through a rollback */
static void test_unchanged(void **state)
{
	char *dir = tu_tmpdir(), *other = tu_tmpdir(), *before, *after, stage[16];
	int fd = rootfd(dir), ofd = rootfd(other);
	struct outtx t;
	struct cdbw c;
	ino_t ia, ib, ic;
	(void)state;

	six_files(&t, fd);
	assert_int_equal(outtx_commit(&t), 0);
	ia = tu_ino(dir, "etc/a");
	ib = tu_ino(dir, "var/e");
	ic = tu_ino(dir, "var/x.cdb");
	before = snapshot(dir);

	/* the same again: every file kept, nothing else there */
	six_files(&t, fd);
	assert_int_equal(t.nunsynced, 0);
	assert_int_equal(outtx_commit(&t), 0);
	after = snapshot(dir);
	assert_string_equal(after, before);
	free(after);
	assert_true(tu_ino(dir, "etc/a") == ia);
	assert_true(tu_ino(dir, "var/e") == ib);
	assert_true(tu_ino(dir, "var/x.cdb") == ic);

	/* a kept file and a failing one: the rollback must leave the kept one in place */
	mkdirs(dir, "var/dir");
	free(before);
	before = snapshot(dir);
	assert_int_equal(outtx_begin(&t, fd), 0);
	assert_int_equal(outtx_file(&t, "etc/a", 0644, "a\n", 2), 0);
	assert_int_equal(outtx_file(&t, "etc/b", 0644, "B\n", 2), 0);
	assert_int_equal(outtx_file(&t, "var/dir", 0644, "x\n", 2), 0);
	refused_unchanged(&t, dir, before, EISDIR);
	assert_true(tu_ino(dir, "etc/a") == ia);

	/* another tree as the reference: linked from it, changed ones written */
	assert_int_equal(outtx_begin(&t, ofd), 0);
	outtx_reuse(&t, fd);
	assert_int_equal(outtx_file(&t, "etc/a", 0644, "a\n", 2), 0);
	assert_int_equal(outtx_file(&t, "etc/b", 0644, "other\n", 6), 0);
	assert_int_equal(outtx_file(&t, "etc/z", 0644, "z\n", 2), 0);
	assert_int_equal(outtx_file(&t, "var/e", 0600, "e\n", 2), 0);
	assert_int_equal(outtx_add(&t, "var/x.cdb", stage), 0);
	assert_int_equal(cdbw_open(&c, t.stagefd, stage, 0644, 0), 0);
	assert_int_equal(cdbw_reuse(&c, t.reffd, "var/x.cdb"), 0);
	assert_int_equal(cdbw_add(&c, "k", 1, "v", 1), 0);
	assert_int_equal(cdbw_commit(&c), 0);
	assert_int_equal(outtx_commit(&t), 0);
	assert_true(tu_ino(other, "etc/a") == ia);
	assert_true(tu_ino(other, "var/x.cdb") == ic);
	assert_true(tu_ino(other, "etc/b") != tu_ino(dir, "etc/b"));
	assert_true(tu_ino(other, "var/e") != ib);
	after = snapshot(dir);
	assert_string_equal(after, before);	/* the reference tree is as it was */
	free(after);
	after = snapshot(other);
	assert_non_null(strstr(after, "./etc/b f 644"));
	assert_non_null(strstr(after, "./var/e f 600"));
	assert_null(strstr(after, ".s2q-"));
	free(after);
	free(before);
	close(fd);
	close(ofd);
	tu_rmtree(dir);
	tu_rmtree(other);
}

/* outtx_direct: files put in place at once, linked when the same; removed again by a failure */
static void test_direct(void **state)
{
	char *ref = tu_tmpdir(), *dir = tu_tmpdir(), *after, stage[16];
	int rfd = rootfd(ref), fd = rootfd(dir);
	struct outtx t;
	struct cdbw c;
	struct stat st;
	ino_t ia;
	(void)state;

	six_files(&t, rfd);
	assert_int_equal(outtx_commit(&t), 0);
	ia = tu_ino(ref, "etc/a");

	/* placed before the commit: linked (etc/a), written (etc/b, a new directory var/n) */
	assert_int_equal(outtx_begin(&t, fd), 0);
	outtx_reuse(&t, rfd);
	outtx_direct(&t);
	assert_int_equal(outtx_file(&t, "etc/a", 0644, "a\n", 2), 0);
	assert_int_equal(outtx_file(&t, "etc/b", 0640, "new\n", 4), 0);
	assert_int_equal(outtx_file(&t, "var/n/c", 0644, "c\n", 2), 0);
	assert_true(tu_ino(dir, "etc/a") == ia);
	assert_int_equal(fstatat(fd, "etc/b", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(t.nunsynced, 2);
	/* a staged one beside them is published as usual */
	assert_int_equal(outtx_add(&t, "var/x.cdb", stage), 0);
	assert_int_equal(cdbw_open(&c, t.stagefd, stage, 0644, 0), 0);
	assert_int_equal(cdbw_add(&c, "k", 1, "v", 1), 0);
	assert_int_equal(cdbw_commit(&c), 0);
	assert_int_equal(outtx_commit(&t), 0);
	after = snapshot(dir);
	assert_non_null(strstr(after, "./etc/b f 640"));
	assert_non_null(strstr(after, "./var/n/c f 644"));
	assert_non_null(strstr(after, "./var/x.cdb f 644"));
	assert_null(strstr(after, ".s2q-"));
	free(after);
	assert_true(tu_ino(dir, "etc/a") == ia);
	tu_rmtree(dir);

	/* a failing commit and an abort take the placed files away again */
	dir = tu_tmpdir();
	close(fd);
	fd = rootfd(dir);
	mkdirs(dir, "var/dir");
	assert_int_equal(outtx_begin(&t, fd), 0);
	outtx_reuse(&t, rfd);
	outtx_direct(&t);
	assert_int_equal(outtx_file(&t, "etc/a", 0644, "a\n", 2), 0);
	assert_int_equal(outtx_file(&t, "var/z", 0644, "z\n", 2), 0);
	assert_int_equal(outtx_add(&t, "var/dir", stage), 0);
	assert_int_equal(aw_file(t.stagefd, stage, 0644, 0, "x\n", 2), 0);
	assert_int_equal(outtx_commit(&t), -1);
	assert_int_equal(errno, EISDIR);
	after = snapshot(dir);
	/* the directory etc made for etc/a stays (the caller throws the tree away) */
	assert_non_null(strstr(after, "./etc d 755"));
	assert_null(strstr(after, "./etc/a"));
	assert_null(strstr(after, "./var/z"));
	assert_null(strstr(after, ".s2q-"));
	free(after);
	/* a file already there is refused, not replaced; the abort takes var/y away */
	assert_int_equal(aw_file(fd, "var/pre", 0644, 0, "old\n", 4), 0);
	assert_int_equal(outtx_begin(&t, fd), 0);
	outtx_direct(&t);
	assert_int_equal(outtx_file(&t, "var/y", 0644, "y\n", 2), 0);
	assert_int_equal(outtx_file(&t, "var/pre", 0644, "new\n", 4), -1);
	assert_int_equal(errno, EEXIST);
	outtx_abort(&t);
	assert_int_equal(fstatat(fd, "var/y", &st, 0), -1);
	assert_int_equal(fstatat(fd, "var/pre", &st, 0), 0);
	assert_int_equal(st.st_size, 4);
	close(fd);
	close(rfd);
	tu_rmtree(dir);
	tu_rmtree(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
