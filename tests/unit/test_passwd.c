/*
 * test_passwd - the passwd reader, table-driven.  What glibc does with each
 * odd line was checked with fgetpwent(3), the parser behind getpwnam.
 */
#include "testutil.h"

#include "../../convert/lib/parse/passwd.h"

static const struct row {
	const char *label, *in;
	size_t inlen;		/* 0: strlen */
	const char *want;	/* name|uid|gid|gecos|home|shell@line; ... */
	const char *codes;	/* diagnostic codes @ line */
} rows[] = {
	{ "plain", "root:x:0:0:root:/root:/bin/bash\n", 0, "root|0|0|root|/root|/bin/bash@1;", "" },
	{ "several, no final newline", "a:x:1:2:A:/h/a:/bin/sh\nb:*:3:4::/h/b:", 0,
	  "a|1|2|A|/h/a|/bin/sh@1;b|3|4||/h/b|@2;", "" },
	{ "comments and blank lines skipped", "# c:x:1:1::/:/bin/sh\n\n  \na:x:1:1::/:\n", 0,
	  "a|1|1||/|@4;", "" },
	{ "nul", "a:x:1\0:1::/:\nb:x:2:2::/:\n", 24, "b|2|2||/|@2;", "P001@1" },
	{ "too few fields", "two:x\nthree:x:3\none\n", 0, "", "P002@1 P002@2 P002@3" },
	{ "four to six fields are accepted", "four:x:4:4\nsix:x:6:6:g:/h\n", 0,
	  "four|4|4|||@1;six|6|6|g|/h|@2;", "P006@1 P006@2" },
	{ "extra fields stay in the shell", "e:x:5:5::/:/bin/sh:more\n", 0, "e|5|5||/|/bin/sh:more@1;",
	  "P007@1" },
	{ "bad uid", "a:x:abc:1::/:\nb:x:-1:1::/:\nc:x::1::/:\nd:x: 5:1::/:\ne:x:0x10:1::/:\n", 0, "",
	  "P003@1 P003@2 P003@3 P003@4 P003@5" },
	{ "uid range", "max:x:4294967295:1::/:\nover:x:4294967296:1::/:\nplus:x:+9:9::/:\n", 0,
	  "max|4294967295|1||/|@1;plus|9|9||/|@3;", "P003@2" },
	{ "bad gid", "a:x:1:::/:\n", 0, "", "P004@1" },
	{ "empty name", ":x:1:1::/:\n", 0, "", "P005@1" },
	{ "leading white space", "  lead:x:8:8::/h:/s\n", 0, "lead|8|8||/h|/s@1;", "P008@1" },
	{ "nis compat", "+nis::::::\n-bad\n+\n", 0, "", "P009@1 P009@2 P009@3" },
	{ "duplicate: the first wins", "a:x:1:1::/one:\nb:x:2:2::/:\na:x:3:3::/two:\n", 0,
	  "a|1|1||/one|@1;b|2|2||/|@2;", "P010@3" },
	{ "crlf", "a:x:1:1::/:/bin/sh\r\n", 0, "a|1|1||/|/bin/sh\r@1;", "P011@1" },
	{ "name with a tab kept", "tab\t:x:7:7::/h:/s\n", 0, "tab\t|7|7||/h|/s@1;", "" },
};

static void test_rows(void **state)
{
	size_t i, j;
	int bad = 0;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char *dir = tu_tmpdir(), path[512];
		struct diag_sink d;
		struct passwd_parser p;
		struct passwd_ent e;
		buf got = BUF_INIT, codes = BUF_INIT;
		int n;

		tu_writefile(dir, "passwd", r->in, r->inlen ? r->inlen : strlen(r->in));
		snprintf(path, sizeof(path), "%s/passwd", dir);
		diag_init(&d);
		assert_int_equal(passwd_open(&p, path, "passwd", &d), 0);
		while ((n = passwd_next(&p, &e)) > 0)
			buf_printf(&got, "%.*s|%lu|%lu|%.*s|%.*s|%.*s@%lu;", (int)e.name.len, e.name.s,
				   e.uid, e.gid, (int)e.gecos.len, e.gecos.s, (int)e.home.len, e.home.s,
				   (int)e.shell.len, e.shell.s, e.line);
		assert_int_equal(n, 0);
		buf_append_c(&got, '\0');
		for (j = 0; j < d.n; j++)
			buf_printf(&codes, "%s%s@%lu", j ? " " : "", d.v[j].code + 4, d.v[j].line);
		buf_append_c(&codes, '\0');
		if (strcmp(got.s, r->want) != 0 || strcmp(codes.s, r->codes) != 0) {
			print_message("%s: got '%s' '%s'; want '%s' '%s'\n", r->label, got.s, codes.s,
				      r->want, r->codes);
			bad = 1;
		}
		passwd_close(&p);
		diag_free(&d);
		buf_free(&got);
		buf_free(&codes);
		tu_rmtree(dir);
	}
	assert_false(bad);
}

static void test_messages(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	struct diag_sink d;
	struct passwd_parser p;
	struct passwd_ent e;
	(void)state;
	tu_writefile(dir, "passwd", "a:x:abc:1::/:\nb:x:1\na:x:1:1::/:\na:x:2:2::/:\n", 44);
	snprintf(path, sizeof(path), "%s/passwd", dir);
	diag_init(&d);
	assert_int_equal(passwd_open(&p, path, "/etc/passwd", &d), 0);
	assert_int_equal(passwd_next(&p, &e), 1);
	assert_int_equal(e.line, 3);
	assert_int_equal(passwd_next(&p, &e), 0);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].msg, "uid 'abc' is not a number from 0 to 4294967295: glibc skips the line");
	assert_string_equal(d.v[1].msg, "too few fields: 3 of 7 (no gid): glibc skips the line");
	assert_string_equal(d.v[2].msg, "duplicate user 'a': getpwnam finds the entry at line 3; "
					"this one is ignored");
	assert_string_equal(d.v[2].file, "/etc/passwd");
	assert_int_equal(d.nerr, 2);
	assert_int_equal(d.nwarn, 1);
	passwd_close(&p);
	diag_free(&d);
	assert_int_equal(passwd_open(&p, dir, "x", &d), -1);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_messages),
	};
	return cmocka_run_group_tests_name("passwd", tests, NULL, NULL);
}
