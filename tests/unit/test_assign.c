/* test_assign - users/assign parser and users/cdb record encoding */
#include "testutil.h"

#include <cdb.h>
#include <fcntl.h>

#include "../../convert/lib/emit/usercdb.h"
#include "../../convert/lib/parse/assign.h"

static const struct row {
	const char *label, *in;
	size_t inlen;
	int nent;		/* good entries returned */
	const char *codes;	/* diagnostic codes in order, space separated, with line */
} rows[] = {
	{ "simple", "=a:u:1:2:/h:::\n.\n", 0, 1, "" },
	{ "wildcard", "+a-:u:1:2:/h:-::\n.\n", 0, 1, "" },
	{ "catch-all", "+:u:1:2:/h:-::\n.\n", 0, 1, "" },
	{ "dot without newline", "=a:u:1:2:/h:::\n.", 0, 1, "" },
	{ "dot line with text ends input", "=a:u:1:2:/h:::\n.anything\n", 0, 1, "" },
	{ "after dot", "=a:u:1:2:/h:::\n.\ngarbage\n", 0, 1, "S2Q-U010@3" },
	{ "blank", "\n=a:u:1:2:/h:::\n.\n", 0, 1, "S2Q-U003@1" },
	{ "no dot", "=a:u:1:2:/h:::\n", 0, 1, "S2Q-U002@1" },
	{ "no dot no newline", "=a:u:1:2:/h:::", 0, 1, "S2Q-U002@1" },
	{ "empty", "", 0, 0, "S2Q-U002@0" },
	{ "nul", "=a\0:u:1:2:/h:::\n.\n", 17, 0, "S2Q-U001@1" },
	{ "no colon", "# comment\n.\n", 0, 0, "S2Q-U004@1" },
	{ "colon first", ":a:u:1:2:/h:::\n.\n", 0, 0, "S2Q-U004@1" },
	{ "few fields", "=a:u:1:2:/h::\n.\n", 0, 0, "S2Q-U004@1" },
	{ "other first byte", "xjoe:u:1:2:/h:::\n.\n", 0, 1, "S2Q-U011@1" },
	{ "uid 0", "=a:u:0:2:/h:::\n.\n", 0, 0, "S2Q-U006@1" },
	{ "gid 0", "=a:u:1:0:/h:::\n.\n", 0, 0, "S2Q-U006@1" },
	{ "uid word", "=a:u:x:2:/h:::\n.\n", 0, 0, "S2Q-U005@1" },
	{ "uid and home bad", "=a:u:x:2:h:::\n.\n", 0, 0, "S2Q-U005@1 S2Q-U007@1" },
	{ "trailing text", "=a:u:1:2:/h:::x\n.\n", 0, 1, "S2Q-U014@1" },
	{ "crlf", "=a:u:1:2:/h:::\r\n.\n", 0, 1, "S2Q-U014@1" },
	{ "upper wildcard", "+Info-X:u:1:2:/h:-::\n.\n", 0, 1, "S2Q-U012@1" },
	{ "all errors reported", "\n\n=a:u:0:2:/h:::\n", 0, 0, "S2Q-U003@1 S2Q-U003@2 S2Q-U006@3 S2Q-U002@3" },
};

static void test_rows(void **state)
{
	size_t i, j;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char *dir = tu_tmpdir(), path[512];
		struct diag_sink d;
		struct assign_parser p;
		struct assign_ent e;
		buf codes = BUF_INIT;
		int n = 0, got;

		tu_writefile(dir, "assign", r->in, r->inlen ? r->inlen : strlen(r->in));
		snprintf(path, sizeof(path), "%s/assign", dir);
		diag_init(&d);
		assert_int_equal(assign_open(&p, path, "users/assign", &d), 0);
		while ((got = assign_next(&p, &e)) > 0)
			n++;
		assert_int_equal(got, 0);
		for (j = 0; j < d.n; j++)
			buf_printf(&codes, "%s%s@%lu", j ? " " : "", d.v[j].code, d.v[j].line);
		buf_append_c(&codes, '\0');
		if (n != r->nent || strcmp(codes.s, r->codes) != 0)
			fail_msg("%s: got %d entries, codes '%s'; want %d, '%s'", r->label, n, codes.s,
				 r->nent, r->codes);
		assign_close(&p);
		diag_free(&d);
		buf_free(&codes);
		tu_rmtree(dir);
	}
}

static void test_fields(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	struct diag_sink d;
	struct assign_parser p;
	struct assign_ent e;
	buf k = BUF_INIT;
	(void)state;
	tu_writefile(dir, "assign", "+Joe-:joe:503:78:/home/joe:-:pre:\n.\n", 36);
	snprintf(path, sizeof(path), "%s/assign", dir);
	diag_init(&d);
	assert_int_equal(assign_open(&p, path, "users/assign", &d), 0);
	assert_int_equal(assign_next(&p, &e), 1);
	assert_true(e.wild);
	assert_int_equal(e.line, 1);
	assert_memory_equal(e.addr.s, "Joe-", 4);
	assert_memory_equal(e.user.s, "joe", 3);
	assert_memory_equal(e.home.s, "/home/joe", 9);
	assert_int_equal(e.dash.len, 1);
	assert_memory_equal(e.ext.s, "pre", 3);
	assert_int_equal(usercdb_key(&k, &e), 0);
	assert_true(buf_eq(&k, "!joe-", 5));
	e.wild = 0;
	assert_int_equal(usercdb_key(&k, &e), 0);
	assert_true(buf_eq(&k, "!joe-\0", 6));
	assert_int_equal(assign_next(&p, &e), 0);
	assign_close(&p);
	diag_free(&d);
	buf_free(&k);
	tu_rmtree(dir);
}

/* the qmail.md 1.2 examples, byte for byte */
static void test_usercdb_records(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	struct diag_sink d;
	struct assign_parser p;
	struct assign_ent e;
	struct usercdb u;
	struct cdb db;
	char v[64];
	int fd, cfd;
	static const char in[] = "=joe.shmoe:joe:503:78:/home/joe:::\n"
				 "+joe-:joe:503:78:/home/joe:-::\n"
				 "+Info-X:i:1:1:/i:-::\n"
				 "=joe.shmoe:dup:1:1:/d:::\n.\n";
	(void)state;
	tu_writefile(dir, "assign", in, sizeof(in) - 1);
	snprintf(path, sizeof(path), "%s/assign", dir);
	diag_init(&d);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(assign_open(&p, path, "users/assign", &d), 0);
	assert_int_equal(usercdb_open(&u, fd, "cdb", &d, "users/assign"), 0);
	while (assign_next(&p, &e) > 0)
		assert_int_equal(usercdb_add(&u, &e), 0);
	assert_int_equal(u.nrec, 4);
	assert_int_equal(usercdb_commit(&u), 0);
	assign_close(&p);
	assert_int_equal(d.nwarn, 2);	/* Info-X, duplicate */
	assert_string_equal(d.v[1].code, "S2Q-U013");
	assert_int_equal(d.v[1].line, 4);
	snprintf(path, sizeof(path), "%s/cdb", dir);
	cfd = open(path, O_RDONLY);
	assert_int_equal(cdb_init(&db, cfd), 0);
	assert_int_equal(cdb_find(&db, "!joe.shmoe\0", 11), 1);
	assert_int_equal(cdb_datalen(&db), 22);
	cdb_read(&db, v, 22, cdb_datapos(&db));
	assert_memory_equal(v, "joe\0" "503\0" "78\0" "/home/joe\0\0", 22);
	assert_int_equal(cdb_find(&db, "!joe-", 5), 1);
	assert_int_equal(cdb_datalen(&db), 23);
	cdb_read(&db, v, 23, cdb_datapos(&db));
	assert_memory_equal(v, "joe\0" "503\0" "78\0" "/home/joe\0-\0", 23);
	assert_int_equal(cdb_find(&db, "", 0), 1);
	assert_int_equal(cdb_datalen(&db), 2);
	cdb_read(&db, v, 2, cdb_datapos(&db));
	assert_memory_equal(v, "-X", 2);
	cdb_free(&db);
	close(cfd);
	close(fd);
	diag_free(&d);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_usercdb_records),
	};
	return cmocka_run_group_tests_name("assign", tests, NULL, NULL);
}
