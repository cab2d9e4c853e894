/* test_sroot - opening paths of a copied host tree without leaving it */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/util/sroot.h"

static void mk(const char *dir, const char *rel)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void ln(const char *dir, const char *target, const char *rel)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_int_equal(symlink(target, p), 0);
}

static const struct row {
	const char *path;
	int err;		/* 0: opens, and reads "content" */
	const char *real;	/* the resolved path inside the root (where it failed) */
} rows[] = {
	{ "/etc/mail/f", 0, "/etc/mail/f" },
	{ "etc/mail/f", 0, "/etc/mail/f" },
	{ "//etc/./mail//f", 0, "/etc/mail/f" },
	{ "/etc/mail/../mail/f", 0, "/etc/mail/f" },
	{ "/etc/mail/abs", 0, "/etc/mail/f" },		/* -> /etc/mail/f (from the root) */
	{ "/etc/mail/rel", 0, "/etc/mail/f" },		/* -> ../mail/./f */
	{ "/etc/maildir/f", 0, "/etc/mail/f" },		/* a directory link */
	{ "/etc/mail/chain", 0, "/etc/mail/f" },	/* -> abs -> f */
	{ "/..", EXDEV, NULL },
	{ "/etc/../../x", EXDEV, NULL },
	{ "/etc/mail/up", EXDEV, NULL },		/* -> ../../../outside */
	{ "/etc/mail/absup", EXDEV, NULL },		/* -> /../x */
	{ "/etc/mail/loop", ELOOP, NULL },
	{ "/etc/mail", EINVAL, NULL },
	{ "/etc/mail/fifo", EINVAL, NULL },
	{ "/etc/mail/none", ENOENT, "/etc/mail/none" },
	{ "etc/mail/../mail/none", ENOENT, "/etc/mail/none" },
	{ "/etc/none/f", ENOENT, "/etc/none" },
	{ "/etc/none/../mail/f", ENOENT, "/etc/none" },
	{ "/etc/maildir/none", ENOENT, "/etc/mail/none" },	/* a link on the way */
	{ "/etc/mail/f/", 0, "/etc/mail/f" },		/* the walk ignores a trailing "/" */
	{ "/etc/mail/../mail/.", EINVAL, NULL },
	{ "/etc/mail/f/x", ENOTDIR, NULL },
	{ "/", EINVAL, NULL },
	{ "", EINVAL, NULL },
};

static void test_rows(void **state)
{
	char *dir = tu_tmpdir(), p[600];
	int rootfd;
	size_t i;

	(void)state;
	mk(dir, "etc");
	mk(dir, "etc/mail");
	tu_writefile(dir, "etc/mail/f", "content", 7);
	ln(dir, "/etc/mail/f", "etc/mail/abs");
	ln(dir, "../mail/./f", "etc/mail/rel");
	ln(dir, "mail", "etc/maildir");
	ln(dir, "abs", "etc/mail/chain");
	ln(dir, "../../../outside", "etc/mail/up");
	ln(dir, "/../x", "etc/mail/absup");
	ln(dir, "loop", "etc/mail/loop");
	snprintf(p, sizeof(p), "%s/etc/mail/fifo", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf real = BUF_INIT;
		int fd = sroot_open(rootfd, rows[i].path, &real);

		int fd2 = sroot_open(rootfd, rows[i].path, NULL), e2 = errno;

		/* the same answer without the resolved path */
		if ((fd2 < 0) != (fd < 0) || (fd2 < 0 && e2 != rows[i].err))
			fail_msg("%s: without real: fd %d errno %d", rows[i].path, fd2, e2);
		if (fd2 >= 0)
			close(fd2);
		if (rows[i].err) {
			if (fd >= 0 || errno != rows[i].err)
				fail_msg("%s: fd %d errno %d, want error %d", rows[i].path, fd, errno,
					 rows[i].err);
			if (rows[i].real)
				assert_string_equal(real.s, rows[i].real);
		} else {
			char b[16];

			if (fd < 0)
				fail_msg("%s: %s", rows[i].path, strerror(errno));
			assert_int_equal(read(fd, b, sizeof(b)), 7);
			assert_memory_equal(b, "content", 7);
			assert_string_equal(real.s, rows[i].real);
			close(fd);
		}
		buf_free(&real);
	}
	assert_string_equal(sroot_errstr(EXDEV), "the path leads outside the sendmail root");
	close(rootfd);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
