/* test_ffemit - fastforward and qmail format emitters: ffcdb, fflist, dotqmail, assignfrag */
#include "testutil.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/emit/assignfrag.h"
#include "../../convert/lib/emit/dotqmail.h"
#include "../../convert/lib/emit/ffcdb.h"
#include "../../convert/lib/emit/fflist.h"
#include "../../convert/lib/util/aw.h"

static int rootfd(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

/* dump - every record of a cdb as "key=data;" with NUL shown as '0' and the rest raw */
static void dump(const char *dir, const char *name, buf *out)
{
	char path[600];
	struct cdb c;
	unsigned pos;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(cdb_init(&c, fd), 0);
	buf_reset(out);
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const char *k = cdb_getkey(&c), *v = cdb_getdata(&c);
		unsigned i;

		for (i = 0; i < cdb_keylen(&c); i++)
			buf_append_c(out, k[i] ? k[i] : '0');
		buf_append_c(out, '=');
		for (i = 0; i < cdb_datalen(&c); i++)
			buf_append_c(out, v[i] ? v[i] : '0');
		buf_append_c(out, ';');
	}
	buf_append_c(out, '\0');
	cdb_free(&c);
	close(fd);
}

static void test_ins(void **state)
{
	buf b = BUF_INIT;
	(void)state;
	assert_int_equal(ffcdb_ins(&b, '&', "joe@x.example", 13), 0);
	assert_int_equal(ffcdb_ins(&b, '|', "prog arg", 8), 0);
	assert_int_equal(ffcdb_ins(&b, '!', "preline prog", 12), 0);
	assert_int_equal(ffcdb_ins(&b, '/', "etc/l.bin", 9), 0);
	assert_int_equal(b.len, 14 + 9 + 13 + 10 + 4);
	assert_memory_equal(b.s, "&joe@x.example\0|prog arg\0", 25);
	errno = 0;
	assert_int_equal(ffcdb_ins(&b, 'x', "y", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ffcdb_ins(&b, '\0', "y", 1), -1);
	assert_int_equal(ffcdb_ins(&b, '&', "", 0), -1);
	assert_int_equal(ffcdb_ins(&b, '&', "a\0b", 3), -1);
	assert_int_equal(b.len, 50);
	buf_free(&b);
}

static void test_check_data(void **state)
{
	static const struct {
		const char *d;
		size_t n;
		int ok;
	} rows[] = {
		{ "&a\0", 3, 1 }, { "&a\0|b\0/c\0", 9, 1 }, { "", 0, 0 }, { "&a", 2, 0 },
		{ "&\0", 2, 0 }, { "\0", 1, 0 }, { "xa\0", 3, 0 }, { "&a\0\0", 4, 0 },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if ((ffcdb_check_data(rows[i].d, rows[i].n, "&|!/.") == 0) != rows[i].ok)
			fail_msg("row %zu: want %d", i, rows[i].ok);
}

static void test_ffcdb_write(void **state)
{
	char *dir = tu_tmpdir();
	int fd = rootfd(dir);
	struct ffcdb f;
	buf data = BUF_INIT, got = BUF_INIT;
	struct stat st;
	char path[600];
	(void)state;

	assert_int_equal(ffcdb_open(&f, fd, "etc/aliases.cdb", AW_MKDIRS), 0);
	assert_int_equal(ffcdb_ins(&data, '&', "Bob@Mail.Example.COM", 20), 0);
	assert_int_equal(ffcdb_ins(&data, '|', "/bin/Prog", 9), 0);
	assert_int_equal(ffcdb_owner(&f, "List@", 5, "owner-list@Mail.Example.com", 27), 0);
	assert_int_equal(ffcdb_target(&f, "Owner-List@", 11, data.s, data.len), 0);
	/* refused: nothing added */
	assert_int_equal(ffcdb_target(&f, "", 0, data.s, data.len), -1);
	assert_int_equal(ffcdb_target(&f, "x@", 2, "&a", 2), -1);
	assert_int_equal(ffcdb_owner(&f, "x@", 2, "", 0), -1);
	assert_int_equal(ffcdb_target(&f, "a\0b@", 4, data.s, data.len), -1);
	assert_int_equal(f.nrec, 2);
	assert_int_equal(ffcdb_commit(&f), 0);
	dump(dir, "etc/aliases.cdb", &got);
	assert_string_equal(got.s, "?list@=owner-list@Mail.Example.com;"
				   ":owner-list@=&Bob@Mail.Example.COM0|/bin/Prog0;");
	snprintf(path, sizeof(path), "%s/etc/aliases.cdb", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* check mode: nothing written, records counted */
	assert_int_equal(ffcdb_open(&f, -1, "etc/other.cdb", 0), 0);
	assert_int_equal(ffcdb_target(&f, "a@", 2, data.s, data.len), 0);
	assert_int_equal(f.nrec, 1);
	assert_int_equal(ffcdb_commit(&f), 0);
	snprintf(path, sizeof(path), "%s/etc/other.cdb", dir);
	assert_int_equal(stat(path, &st), -1);

	/* abort leaves the old file */
	assert_int_equal(ffcdb_open(&f, fd, "etc/aliases.cdb", 0), 0);
	assert_int_equal(ffcdb_target(&f, "z@", 2, data.s, data.len), 0);
	ffcdb_abort(&f);
	dump(dir, "etc/aliases.cdb", &got);
	assert_string_equal(got.s, "?list@=owner-list@Mail.Example.com;"
				   ":owner-list@=&Bob@Mail.Example.COM0|/bin/Prog0;");
	close(fd);
	buf_free(&data);
	buf_free(&got);
	tu_rmtree(dir);
}

static void test_fflist(void **state)
{
	static const struct {
		const char *path, *rel;	/* rel NULL: EINVAL */
	} rows[] = {
		{ "/etc/mail/staff.list", "etc/mail/staff.list.bin" },
		{ "/x", "x.bin" },
		{ "relative/list", NULL },
		{ "/", NULL },
		{ "", NULL },
		{ "/etc/../passwd", NULL },
		{ "/a/..", "a/...bin" },	/* the file "...bin": still inside */
		{ "/./a", NULL },
		{ "/a/..", "a/...bin" },	/* the file "...bin": still inside */
	};
	char *dir = tu_tmpdir(), *content;
	int fd = rootfd(dir);
	buf b = BUF_INIT, data = BUF_INIT;
	size_t i, n;
	struct stat st;
	char path[600];
	(void)state;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = fflist_relpath(&b, rows[i].path, strlen(rows[i].path));

		if (rows[i].rel == NULL ? r != -1 : (r != 0 || strcmp(b.s, rows[i].rel) != 0))
			fail_msg("relpath '%s'", rows[i].path);
	}
	assert_int_equal(fflist_ref(&data, "/etc/l", 6), 0);
	assert_int_equal(data.len, 11);
	assert_memory_equal(data.s, "/etc/l.bin\0", 11);
	assert_int_equal(fflist_ref(&data, "l", 1), -1);
	buf_reset(&data);
	assert_int_equal(ffcdb_ins(&data, '&', "a@x.example", 11), 0);
	assert_int_equal(ffcdb_ins(&data, '/', "etc/nested.bin", 14), 0);
	assert_int_equal(fflist_write(fd, "etc/mail/staff.list.bin", data.s, data.len, AW_MKDIRS), 0);
	content = tu_readfile(dir, "etc/mail/staff.list.bin", &n);
	assert_non_null(content);
	assert_int_equal(n, data.len);
	assert_memory_equal(content, data.s, n);
	free(content);
	snprintf(path, sizeof(path), "%s/etc/mail/staff.list.bin", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* a program is not a list instruction */
	buf_reset(&data);
	assert_int_equal(ffcdb_ins(&data, '|', "prog", 4), 0);
	assert_int_equal(fflist_write(fd, "etc/bad.bin", data.s, data.len, 0), -1);
	assert_null(tu_readfile(dir, "etc/bad.bin", &n));
	/* the empty list */
	assert_int_equal(fflist_write(fd, "etc/empty.bin", "", 0, 0), 0);
	content = tu_readfile(dir, "etc/empty.bin", &n);
	assert_int_equal(n, 0);
	free(content);
	close(fd);
	buf_free(&b);
	buf_free(&data);
	tu_rmtree(dir);
}

static void test_dotqmail_name(void **state)
{
	static const struct {
		const char *name;
		const char *file;	/* NULL: refused */
	} rows[] = {
		{ "joe", ".qmail-joe" },
		{ "Joe.Smith", ".qmail-joe:smith" },
		{ "a-b-c", ".qmail-a-b-c" },
		{ "mailer-daemon", ".qmail-mailer-daemon" },
		{ "quoted lhs", ".qmail-quoted lhs" },
		{ "..", ".qmail-::" },
		{ "a$(rm -rf)`x`;|&", ".qmail-a$(rm -rf)`x`;|&" },
		{ "", NULL },
		{ "a/b", NULL },
		{ "../../etc/passwd", NULL },
		{ "/etc/passwd", NULL },
		{ "a\nb", NULL },
		{ "a\tb", NULL },
		{ "a\rb", NULL },
		{ "a\x7f", NULL },
		{ "\x1b[2J", NULL },
	};
	buf b = BUF_INIT;
	char longname[300];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = dotqmail_filename(&b, rows[i].name, strlen(rows[i].name));

		if (rows[i].file == NULL ? r != -1 || errno != EINVAL
					 : (r != 0 || strcmp(b.s, rows[i].file) != 0))
			fail_msg("name '%s'", rows[i].name);
	}
	/* a NUL in the name */
	assert_int_equal(dotqmail_filename(&b, "a\0b", 3), -1);
	/* 255 bytes is the longest file name */
	memset(longname, 'x', sizeof(longname));
	assert_int_equal(dotqmail_filename(&b, longname, 248), 0);
	assert_int_equal(b.len, 255);
	assert_int_equal(dotqmail_filename(&b, longname, 249), -1);
	/* names with a meaning of their own to qmail-local */
	assert_true(dotqmail_special("default", 7));
	assert_true(dotqmail_special("list-default", 12));
	assert_true(dotqmail_special("List-Owner", 10));
	assert_true(dotqmail_special("list-owner-default", 18));
	assert_false(dotqmail_special("defaults", 8));
	assert_false(dotqmail_special("xdefault", 8));
	assert_false(dotqmail_special("owner-list", 10));
	buf_free(&b);
}

static void test_dotqmail_line(void **state)
{
	static const struct {
		char kind;
		const char *s;
		const char *line;	/* NULL: refused */
	} rows[] = {
		{ '&', "joe@x.example", "&joe@x.example\n" },
		{ '&', "\\joe@x.example", "&\\joe@x.example\n" },
		{ '&', "a b@x.example", "&a b@x.example\n" },
		{ '|', "/usr/bin/vacation joe", "|/usr/bin/vacation joe\n" },
		{ '|', "exec foo \"$SENDER\"", "|exec foo \"$SENDER\"\n" },
		{ '/', "/var/mail/archive", "/var/mail/archive\n" },
		{ '#', "", "#\n" },
		{ '#', " a comment", "# a comment\n" },
		{ '&', "", NULL },
		{ '&', " joe@x", NULL },
		{ '&', "joe@x ", NULL },
		{ '&', "a\nb", NULL },
		{ '|', "", NULL },
		{ '|', "prog\n|other", NULL },
		{ '|', "prog\t", NULL },
		{ '/', "relative", NULL },
		{ '/', "/var/mail/", NULL },
		{ '/', "/", NULL },
		{ '/', "/x ", NULL },
		{ '#', "x\n&evil@x", NULL },
		{ '.', "./Mailbox", NULL },
		{ 'x', "y", NULL },
	};
	buf b = BUF_INIT;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r;

		buf_reset(&b);
		r = dotqmail_line(&b, rows[i].kind, rows[i].s, strlen(rows[i].s));
		if (rows[i].line == NULL ? (r != -1 || b.len != 0)
					 : (r != 0 || !buf_eq(&b, rows[i].line, strlen(rows[i].line))))
			fail_msg("line %c'%s'", rows[i].kind, rows[i].s);
	}
	buf_reset(&b);
	assert_int_equal(dotqmail_line(&b, '|', "a\0b", 3), -1);
	buf_free(&b);
}

static void test_dotqmail_write(void **state)
{
	char *dir = tu_tmpdir(), *content, path[600], victim[600];
	int fd = rootfd(dir);
	struct stat st;
	size_t n;
	(void)state;

	assert_int_equal(dotqmail_write(fd, "var/qmail/alias", ".qmail-joe", "&joe@x\n", 7, AW_MKDIRS), 0);
	content = tu_readfile(dir, "var/qmail/alias/.qmail-joe", &n);
	assert_non_null(content);
	assert_string_equal(content, "&joe@x\n");
	free(content);
	snprintf(path, sizeof(path), "%s/var/qmail/alias/.qmail-joe", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* a symlink at the target is replaced, never written through */
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	tu_writefile(dir, "victim", "precious\n", 9);
	snprintf(path, sizeof(path), "%s/var/qmail/alias/.qmail-x", dir);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(dotqmail_write(fd, "var/qmail/alias", ".qmail-x", "|prog\n", 6, 0), 0);
	content = tu_readfile(dir, "victim", &n);
	assert_string_equal(content, "precious\n");
	free(content);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* refused content and names */
	assert_int_equal(dotqmail_write(fd, "var/qmail/alias", ".qmail-y", "\n&a@b\n", 6, 0), -1);
	assert_int_equal(dotqmail_write(fd, "var/qmail/alias", ".qmail-y", "", 0, 0), -1);
	assert_int_equal(dotqmail_write(fd, "var/qmail/alias", ".qmail-y", "&a@b", 4, 0), -1);
	assert_int_equal(dotqmail_write(fd, "var/qmail/alias", "../.qmail-y", "&a@b\n", 5, 0), -1);
	assert_int_equal(dotqmail_write(fd, "var/qmail/alias", "passwd", "&a@b\n", 5, 0), -1);
	assert_null(tu_readfile(dir, "var/qmail/alias/.qmail-y", &n));
	/* a symlinked directory below the root is not followed */
	snprintf(path, sizeof(path), "%s/var/qmail/evil", dir);
	assert_int_equal(symlink(dir, path), 0);
	assert_int_equal(dotqmail_write(fd, "var/qmail/evil", ".qmail-z", "&a@b\n", 5, 0), -1);
	assert_null(tu_readfile(dir, ".qmail-z", &n));
	close(fd);
	tu_rmtree(dir);
}

static void test_assignfrag(void **state)
{
	static const struct {
		struct assignfrag_ent e;
		const char *line;	/* NULL: refused */
	} rows[] = {
		{ { 0, "joe", "alias", 7790, 2108, "/var/qmail/alias", "-", "joe" },
		  "=joe:alias:7790:2108:/var/qmail/alias:-:joe:\n" },
		{ { 1, "Joe+", "alias", 7790, 2108, "/var/qmail/alias", "-", "joe+" },
		  "+joe+:alias:7790:2108:/var/qmail/alias:-:joe+:\n" },
		{ { 0, "\\alice", "alice", 2001, 2001, "/home/alice", "", "" },
		  "=\\alice:alice:2001:2001:/home/alice:::\n" },
		{ { 1, "", "alias", 1, 2, "/a", "-", "" }, "+:alias:1:2:/a:-::\n" },
		{ { 0, "", "alias", 1, 2, "/a", "-", "" }, NULL },
		{ { 0, "a:b", "alias", 1, 2, "/a", "-", "x" }, NULL },
		{ { 0, "a\nb", "alias", 1, 2, "/a", "-", "x" }, NULL },
		{ { 0, "a", "", 1, 2, "/a", "-", "x" }, NULL },
		{ { 0, "a", "alias", 0, 2, "/a", "-", "x" }, NULL },
		{ { 0, "a", "alias", 1, 0, "/a", "-", "x" }, NULL },
		{ { 0, "a", "alias", 1, 2, "a", "-", "x" }, NULL },
		{ { 0, "a", "alias", 1, 2, "/a:b", "-", "x" }, NULL },
		{ { 0, "a", "alias", 1, 2, "/a", "-", "x:y" }, NULL },
	};
	buf b = BUF_INIT;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r;

		buf_reset(&b);
		r = assignfrag_line(&b, &rows[i].e);
		if (rows[i].line == NULL ? (r != -1 || b.len != 0)
					 : (r != 0 || !buf_eq(&b, rows[i].line, strlen(rows[i].line))))
			fail_msg("row %zu", i);
	}
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ins),
		cmocka_unit_test(test_check_data),
		cmocka_unit_test(test_ffcdb_write),
		cmocka_unit_test(test_fflist),
		cmocka_unit_test(test_dotqmail_name),
		cmocka_unit_test(test_dotqmail_line),
		cmocka_unit_test(test_dotqmail_write),
		cmocka_unit_test(test_assignfrag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
