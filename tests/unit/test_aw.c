/* test_aw - atomic writer and cdb writer */
#include "testutil.h"

#include <cdb.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/util/aw.h"
#include "../../convert/lib/util/cdbw.h"

static int rootfd(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

/* count entries of dir/sub that look like our temp files */
static int ntemps(const char *dir, const char *sub)
{
	char path[512];
	DIR *d;
	struct dirent *e;
	int n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, ".s2q-tmp", 8) == 0)
			n++;
	closedir(d);
	return n;
}

static void test_relpath(void **state)
{
	static const struct {
		const char *rel;
		int ok;
	} rows[] = {
		{ "a", 1 }, { "a/b/c", 1 }, { ".qmail-x", 1 }, { "..a", 1 }, { "a..", 1 },
		{ "", 0 }, { "/a", 0 }, { "a//b", 0 }, { "a/", 0 }, { ".", 0 }, { "..", 0 },
		{ "a/../b", 0 }, { "a/./b", 0 }, { "../x", 0 },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (aw_relpath_ok(rows[i].rel) != rows[i].ok)
			fail_msg("relpath '%s' want %d", rows[i].rel, rows[i].ok);
}

static void test_write_commit(void **state)
{
	char *dir = tu_tmpdir(), *got, path[600];
	int fd = rootfd(dir);
	size_t n;
	struct stat st;
	(void)state;
	assert_int_equal(aw_file(fd, "var/qmail/control/me", 0644, AW_MKDIRS, "mx.example\n", 11), 0);
	got = tu_readfile(dir, "var/qmail/control/me", &n);
	assert_non_null(got);
	assert_int_equal(n, 11);
	assert_memory_equal(got, "mx.example\n", 11);
	free(got);
	snprintf(path, sizeof(path), "%s/var/qmail/control/me", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* explicit modes are exact, whatever the umask */
	umask(077);
	assert_int_equal(aw_file(fd, "var/qmail/control/x", 0600, 0, "", 0), 0);
	assert_int_equal(aw_file(fd, "var/qmail/control/me", 0644, 0, "new\n", 4), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	umask(022);
	assert_int_equal(ntemps(dir, "var/qmail/control"), 0);
	/* without AW_MKDIRS a missing directory is an error */
	errno = 0;
	assert_int_equal(aw_file(fd, "nodir/f", 0644, 0, "x", 1), -1);
	assert_int_equal(errno, ENOENT);
	close(fd);
	tu_rmtree(dir);
}

static void test_abort_leaves_old(void **state)
{
	char *dir = tu_tmpdir(), *got;
	int fd = rootfd(dir);
	struct aw w;
	size_t n;
	(void)state;
	tu_writefile(dir, "f", "old", 3);
	assert_int_equal(aw_open(&w, fd, "f", 0644, 0), 0);
	assert_int_equal(aw_write(&w, "new contents", 12), 0);
	assert_int_equal(ntemps(dir, "."), 1);
	aw_abort(&w);
	assert_int_equal(ntemps(dir, "."), 0);
	got = tu_readfile(dir, "f", &n);
	assert_int_equal(n, 3);
	assert_memory_equal(got, "old", 3);
	free(got);
	close(fd);
	tu_rmtree(dir);
}

static void test_symlinks_not_followed(void **state)
{
	char *dir = tu_tmpdir(), *outside = tu_tmpdir(), path[600], *got;
	int fd = rootfd(dir);
	size_t n;
	struct stat st;
	(void)state;
	/* a planted directory symlink */
	snprintf(path, sizeof(path), "%s/etc", dir);
	assert_int_equal(symlink(outside, path), 0);
	errno = 0;
	assert_int_equal(aw_file(fd, "etc/tcp.smtp", 0644, AW_MKDIRS, "x", 1), -1);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	assert_null(tu_readfile(outside, "tcp.smtp", &n));
	/* a planted file symlink is replaced, its target untouched */
	tu_writefile(outside, "victim", "safe", 4);
	snprintf(path, sizeof(path), "%s/victim", outside);
	{
		char lnk[600];
		snprintf(lnk, sizeof(lnk), "%s/me", dir);
		assert_int_equal(symlink(path, lnk), 0);
		assert_int_equal(aw_file(fd, "me", 0644, 0, "data", 4), 0);
		assert_int_equal(lstat(lnk, &st), 0);
		assert_true(S_ISREG(st.st_mode));
	}
	got = tu_readfile(outside, "victim", &n);
	assert_memory_equal(got, "safe", 4);
	free(got);
	/* unsafe relative paths never leave the root */
	errno = 0;
	assert_int_equal(aw_file(fd, "../escape", 0644, 0, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(aw_file(fd, "/etc/passwd", 0644, 0, "x", 1), -1);
	close(fd);
	tu_rmtree(dir);
	tu_rmtree(outside);
}

static void test_target_is_dir(void **state)
{
	char *dir = tu_tmpdir(), path[600];
	int fd = rootfd(dir);
	(void)state;
	snprintf(path, sizeof(path), "%s/d", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(aw_file(fd, "d", 0644, 0, "x", 1), -1);
	assert_int_equal(ntemps(dir, "."), 0);
	close(fd);
	tu_rmtree(dir);
}

static void test_cdbw(void **state)
{
	char *dir = tu_tmpdir(), path[600];
	int fd = rootfd(dir), cfd;
	struct cdbw c;
	struct cdb db;
	char v[16];
	(void)state;
	assert_int_equal(cdbw_open(&c, fd, "x.cdb", 0644, 0), 0);
	assert_int_equal(cdbw_add(&c, "k\0", 2, "first", 5), 0);
	assert_int_equal(cdbw_add(&c, "k\0", 2, "second", 6), 0);
	assert_int_equal(cdbw_add(&c, "", 0, "", 0), 0);
	assert_int_equal(cdbw_commit(&c), 0);
	snprintf(path, sizeof(path), "%s/x.cdb", dir);
	cfd = open(path, O_RDONLY);
	assert_true(cfd >= 0);
	assert_int_equal(cdb_init(&db, cfd), 0);
	assert_int_equal(cdb_find(&db, "k\0", 2), 1);
	assert_int_equal(cdb_datalen(&db), 5);
	assert_int_equal(cdb_read(&db, v, 5, cdb_datapos(&db)), 0);
	assert_memory_equal(v, "first", 5);
	assert_int_equal(cdb_find(&db, "", 0), 1);
	assert_int_equal(cdb_find(&db, "k", 1), 0);
	cdb_free(&db);
	close(cfd);
	/* an aborted build leaves nothing */
	assert_int_equal(cdbw_open(&c, fd, "y.cdb", 0644, 0), 0);
	assert_int_equal(cdbw_add(&c, "a", 1, "b", 1), 0);
	cdbw_abort(&c);
	assert_int_equal(ntemps(dir, "."), 0);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/y.cdb", dir);
	assert_int_equal(access(path, F_OK), -1);
	close(fd);
	tu_rmtree(dir);
}

static void check_file(const char *dir, const char *rel, const char *want, size_t wn)
{
	size_t n;
	char *got = tu_readfile(dir, rel, &n);
	assert_non_null(got);
	assert_int_equal(n, wn);
	assert_memory_equal(got, want, wn);
	free(got);
}

/* aw_file writes rel under fd anew (another inode) with data */
static void rewritten(const char *dir, int fd, const char *rel, const char *data, size_t n)
{
	ino_t i0 = tu_ino(dir, rel);

	assert_int_equal(aw_file(fd, rel, 0644, 0, data, n), 0);
	assert_true(tu_ino(dir, rel) != i0);
	check_file(dir, rel, data, n);
}

/* a target that already holds the bytes (mode, owner) is kept: same inode, no temp left */
static void test_unchanged_kept(void **state)
{
	char *dir = tu_tmpdir(), path[600], *big = malloc(40000), *big2 = malloc(40000);
	int fd = rootfd(dir);
	ino_t i0;
	size_t n0;
	struct stat st;
	(void)state;
	assert_non_null(big);
	assert_non_null(big2);
	assert_int_equal(aw_file(fd, "f", 0644, 0, "abc\n", 4), 0);
	i0 = tu_ino(dir, "f");
	assert_int_equal(aw_file(fd, "f", 0644, 0, "abc\n", 4), 0);
	assert_true(tu_ino(dir, "f") == i0);
	assert_int_equal(ntemps(dir, "."), 0);
	/* other bytes, a longer or a shorter file, another mode: written */
	rewritten(dir, fd, "f", "abd\n", 4);
	rewritten(dir, fd, "f", "abd\nx", 5);
	rewritten(dir, fd, "f", "abd\n", 4);
	i0 = tu_ino(dir, "f");
	assert_int_equal(aw_file(fd, "f", 0600, 0, "abd\n", 4), 0);
	assert_true(tu_ino(dir, "f") != i0);
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* an empty file is the same as an empty file */
	assert_int_equal(aw_file(fd, "e", 0644, 0, "", 0), 0);
	i0 = tu_ino(dir, "e");
	assert_int_equal(aw_file(fd, "e", 0644, 0, "", 0), 0);
	assert_true(tu_ino(dir, "e") == i0);
	/* a symlink to a file with the same bytes is replaced, not kept */
	tu_writefile(dir, "real", "abc\n", 4);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("real", path), 0);
	assert_int_equal(aw_file(fd, "link", 0644, 0, "abc\n", 4), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* past the 16 KB compare chunks: the same kept, one byte late in it differing written */
	memset(big, 'x', 40000);
	memcpy(big2, big, 40000);
	big2[35000] = 'y';
	assert_int_equal(aw_file(fd, "big", 0644, 0, big, 40000), 0);
	i0 = tu_ino(dir, "big");
	assert_int_equal(aw_file(fd, "big", 0644, 0, big, 40000), 0);
	assert_true(tu_ino(dir, "big") == i0);
	assert_int_equal(aw_file(fd, "big", 0644, 0, big2, 40000), 0);
	assert_true(tu_ino(dir, "big") != i0);
	check_file(dir, "big", big2, 40000);
	assert_int_equal(ntemps(dir, "."), 0);
	free(big);
	free(big2);
	/* many 64 KB steps: the same kept; the last byte, the first byte differing written */
	big = malloc(3u << 20);
	assert_non_null(big);
	for (n0 = 0; n0 < (3u << 20); n0++)
		big[n0] = (char)('a' + n0 % 23);
	assert_int_equal(aw_file(fd, "huge", 0644, 0, big, 3u << 20), 0);
	i0 = tu_ino(dir, "huge");
	assert_int_equal(aw_file(fd, "huge", 0644, 0, big, 3u << 20), 0);
	assert_true(tu_ino(dir, "huge") == i0);
	big[(3u << 20) - 1] = 'Z';
	assert_int_equal(aw_file(fd, "huge", 0644, 0, big, 3u << 20), 0);
	assert_true(tu_ino(dir, "huge") != i0);
	check_file(dir, "huge", big, 3u << 20);
	i0 = tu_ino(dir, "huge");
	big[0] = 'Z';
	assert_int_equal(aw_file(fd, "huge", 0644, 0, big, 3u << 20), 0);
	assert_true(tu_ino(dir, "huge") != i0);
	check_file(dir, "huge", big, 3u << 20);
	free(big);
	assert_int_equal(ntemps(dir, "."), 0);
	close(fd);
	tu_rmtree(dir);
}

/* rel under ofd, written with rfd's rel as the reference (aw_reuse) */
static void reuse_write(int ofd, int rfd, const char *rel, const char *data, size_t n)
{
	struct aw w;

	assert_int_equal(aw_open(&w, ofd, rel, 0644, 0), 0);
	assert_int_equal(aw_reuse(&w, rfd, rel), 0);
	assert_int_equal(aw_write(&w, data, n), 0);
	assert_int_equal(aw_commit(&w), 0);
}

/* aw_reuse: the target becomes a hard link to the other tree's file when that is the same */
static void test_reuse_link(void **state)
{
	char *ref = tu_tmpdir(), *out = tu_tmpdir(), path[600], cmd[700];
	int rfd = rootfd(ref), ofd = rootfd(out);
	struct aw w;
	struct cdbw c;
	struct stat st;
	ino_t i0;
	(void)state;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/d/e' '%s/d/e'", ref, out);
	assert_int_equal(system(cmd), 0);
	tu_writefile(ref, "d/e/f", "same\n", 5);
	tu_writefile(ref, "d/e/g", "old\n", 4);
	/* the same: linked */
	reuse_write(ofd, rfd, "d/e/f", "same\n", 5);
	assert_true(tu_ino(out, "d/e/f") == tu_ino(ref, "d/e/f"));
	snprintf(path, sizeof(path), "%s/d/e/f", out);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_nlink, 2);
	/* again onto the link itself: nothing changes, nothing left beside it */
	reuse_write(ofd, rfd, "d/e/f", "same\n", 5);
	assert_true(tu_ino(out, "d/e/f") == tu_ino(ref, "d/e/f"));
	assert_int_equal(ntemps(out, "d/e"), 0);
	/* different: written, the other tree untouched */
	reuse_write(ofd, rfd, "d/e/g", "new\n", 4);
	assert_true(tu_ino(out, "d/e/g") != tu_ino(ref, "d/e/g"));
	check_file(out, "d/e/g", "new\n", 4);
	check_file(ref, "d/e/g", "old\n", 4);
	/* missing there: written */
	reuse_write(ofd, rfd, "d/e/h", "h\n", 2);
	check_file(out, "d/e/h", "h\n", 2);
	/* a symlinked directory in the other tree is not followed */
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/real' && ln -s real '%s/s' && printf 'same\\n' > '%s/real/f'",
		 ref, ref, ref);
	assert_int_equal(system(cmd), 0);
	i0 = tu_ino(ref, "real/f");
	assert_int_equal(aw_open(&w, ofd, "sf", 0644, 0), 0);
	assert_int_equal(aw_reuse(&w, rfd, "s/f"), 0);
	assert_int_equal(aw_write(&w, "same\n", 5), 0);
	assert_int_equal(aw_commit(&w), 0);
	assert_true(tu_ino(out, "sf") != i0);
	check_file(out, "sf", "same\n", 5);
	/* a cdb: compared when finished */
	assert_int_equal(cdbw_open(&c, rfd, "x.cdb", 0644, 0), 0);
	assert_int_equal(cdbw_add(&c, "k", 1, "v", 1), 0);
	assert_int_equal(cdbw_commit(&c), 0);
	assert_int_equal(cdbw_open(&c, ofd, "x.cdb", 0644, 0), 0);
	assert_int_equal(cdbw_reuse(&c, rfd, "x.cdb"), 0);
	assert_int_equal(cdbw_add(&c, "k", 1, "v", 1), 0);
	assert_int_equal(cdbw_commit(&c), 0);
	assert_true(tu_ino(out, "x.cdb") == tu_ino(ref, "x.cdb"));
	assert_int_equal(ntemps(out, "."), 0);
	assert_int_equal(ntemps(out, "d/e"), 0);
	close(rfd);
	close(ofd);
	tu_rmtree(ref);
	tu_rmtree(out);
}

/* aw_link_same: a link to the reference when bytes, mode and owner are those to be written */
static void test_link_same(void **state)
{
	char *ref = tu_tmpdir(), *dir = tu_tmpdir();
	int rfd = rootfd(ref), fd = rootfd(dir);
	struct stat st;
	(void)state;

	assert_int_equal(aw_file(rfd, "a/b/f", 0644, AW_MKDIRS, "same\n", 5), 0);
	assert_int_equal(aw_file(rfd, "a/b/m", 0600, AW_MKDIRS, "same\n", 5), 0);
	/* linked, its directories made */
	assert_int_equal(aw_link_same(rfd, "a/b/f", fd, "x/y/f", 0644, "same\n", 5), 1);
	assert_true(tu_ino(dir, "x/y/f") == tu_ino(ref, "a/b/f"));
	/* other bytes, another length, another mode, no reference: nothing made */
	assert_int_equal(aw_link_same(rfd, "a/b/f", fd, "x/y/g", 0644, "sane\n", 5), 0);
	assert_int_equal(aw_link_same(rfd, "a/b/f", fd, "x/y/g", 0644, "same\n\n", 6), 0);
	assert_int_equal(aw_link_same(rfd, "a/b/m", fd, "x/y/g", 0644, "same\n", 5), 0);
	assert_int_equal(aw_link_same(rfd, "a/b/none", fd, "x/y/g", 0644, "same\n", 5), 0);
	assert_int_equal(aw_link_same(rfd, "a/none/f", fd, "x/y/g", 0644, "same\n", 5), 0);
	assert_int_equal(fstatat(fd, "x/y/g", &st, 0), -1);
	/* a name already there is not replaced */
	assert_int_equal(aw_file(fd, "x/y/h", 0644, 0, "old\n", 4), 0);
	assert_int_equal(aw_link_same(rfd, "a/b/f", fd, "x/y/h", 0644, "same\n", 5), 0);
	assert_true(tu_ino(dir, "x/y/h") != tu_ino(ref, "a/b/f"));
	/* a symlinked reference directory is not followed */
	assert_int_equal(symlinkat("a/b", rfd, "l"), 0);
	assert_int_equal(aw_link_same(rfd, "l/f", fd, "x/y/i", 0644, "same\n", 5), 0);
	close(rfd);
	close(fd);
	tu_rmtree(ref);
	tu_rmtree(dir);
}

/*
 * aw_same_file at the sizes around its 64 KB read steps (the last step reads
 * one byte more to see the end): equal bytes from memory and from another
 * file are the same, a change in the first, a middle or the last byte is not
 */
static void test_same_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 65534, 65535, 65536, 65537, 131071, 131072, 200000 };
	char *dir = tu_tmpdir();
	int dfd = rootfd(dir);
	size_t i, j, n;
	char *p;
	(void)state;

	p = malloc(200001);
	assert_non_null(p);
	for (i = 0; i < 200001; i++)
		p[i] = (char)('a' + i % 23);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct stat st;
		int fd2;

		n = sizes[i];
		assert_int_equal(aw_file(dfd, "f", 0644, 0, p, n), 0);
		assert_int_equal(aw_file(dfd, "g", 0644, 0, p, n), 0);
		fd2 = openat(dfd, "g", O_RDONLY);
		assert_true(fd2 >= 0);
		if (!aw_same_file(dfd, "f", 0644, getuid(), getgid(), n, p, -1, &st))
			fail_msg("%zu bytes: not the same as memory", n);
		if (!aw_same_file(dfd, "f", 0644, getuid(), getgid(), n, NULL, fd2, &st))
			fail_msg("%zu bytes: not the same as the other file", n);
		close(fd2);
		for (j = 0; n && j < 3; j++) {
			size_t at = j == 0 ? 0 : j == 1 ? n / 2 : n - 1;

			p[at] ^= 1;
			assert_int_equal(aw_file(dfd, "g", 0644, 0, p, n), 0);
			fd2 = openat(dfd, "g", O_RDONLY);
			assert_true(fd2 >= 0);
			if (aw_same_file(dfd, "f", 0644, getuid(), getgid(), n, p, -1, &st))
				fail_msg("%zu bytes, byte %zu changed: the same as memory", n, at);
			if (aw_same_file(dfd, "f", 0644, getuid(), getgid(), n, NULL, fd2, &st))
				fail_msg("%zu bytes, byte %zu changed: the same as the file", n, at);
			close(fd2);
			p[at] ^= 1;
		}
		/* the file one byte longer than it is said to be */
		assert_int_equal(aw_file(dfd, "f", 0644, 0, p, n + 1), 0);
		assert_false(aw_same_file(dfd, "f", 0644, getuid(), getgid(), n, p, -1, &st));
	}
	free(p);
	close(dfd);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relpath),
		cmocka_unit_test(test_write_commit),
		cmocka_unit_test(test_abort_leaves_old),
		cmocka_unit_test(test_symlinks_not_followed),
		cmocka_unit_test(test_target_is_dir),
		cmocka_unit_test(test_cdbw),
		cmocka_unit_test(test_unchanged_kept),
		cmocka_unit_test(test_reuse_link),
		cmocka_unit_test(test_link_same),
		cmocka_unit_test(test_same_sizes),
	};
	return cmocka_run_group_tests_name("aw", tests, NULL, NULL);
}
