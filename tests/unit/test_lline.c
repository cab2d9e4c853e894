/* test_lline - logical-line reader, one table row per continuation rule */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>

#include "../../convert/lib/util/lline.h"

#define ALIASES (LLINE_CONT_WS | LLINE_CONT_BSNL)
#define CF (LLINE_CONT_WS | LLINE_KEEP_NL | LLINE_CRLF)

static const struct row {
	const char *label;
	unsigned flags;
	const char *in;
	size_t inlen;		/* 0: strlen */
	const char *want;	/* logical lines as "LINENO:text|", NUL shown as \0 */
	int last_nl;
} rows[] = {
	{ "plain lines", 0, "a\nb\n\nc\n", 0, "1:a|2:b|3:|4:c|", 1 },
	{ "no final newline", 0, "a\nb", 0, "1:a|2:b|", 0 },
	{ "plain ignores ws", 0, "a\n b\n", 0, "1:a|2: b|", 1 },
	{ "empty file", 0, "", 0, "", 0 },
	{ "aliases ws joins, newline dropped", ALIASES, "multi: one,\n\ttwo,\n\tthree\nx: y\n", 0,
	  "1:multi: one,\ttwo,\tthree|4:x: y|", 1 },
	{ "aliases backslash joins with nothing", ALIASES, "b: four, \\\nfive\n", 0, "1:b: four, five|", 1 },
	{ "aliases backslash swallows next alias", ALIASES, "x: root\\\nnext: root\ny: z\n", 0,
	  "1:x: rootnext: root|3:y: z|", 1 },
	{ "aliases comment continues", ALIASES, "# c\n  probe\nz: w\n", 0, "1:# c  probe|3:z: w|", 1 },
	{ "aliases indented comment after alias", ALIASES, "x: y\n  # indented\n", 0,
	  "1:x: y  # indented|", 1 },
	{ "aliases leading ws first line", ALIASES, " lead: x\ny: z\n", 0, "1: lead: x|2:y: z|", 1 },
	{ "aliases cr kept", ALIASES, "a: b\r\n", 0, "1:a: b\r|", 1 },
	{ "cf keeps newline", CF, "Cw a\n\tb\nDj x\n", 0, "1:Cw a\n\tb|3:Dj x|", 1 },
	{ "cf crlf", CF, "Cw a\r\n b\r\nDj\r\n", 0, "1:Cw a\n b|3:Dj|", 1 },
	{ "nul byte", 0, "a\0b\nc\n", 6, "1:a\\0b|2:c|", 1 },
	{ "bs then ws", ALIASES, "a: b\\\nc,\n d\ne: f\n", 0, "1:a: bc, d|4:e: f|", 1 },
	{ "bs at eof", ALIASES, "a: b\\\n", 0, "1:a: b|", 1 },
};

static void show(buf *acc, unsigned long ln, const buf *l)
{
	size_t i;
	buf_printf(acc, "%lu:", ln);
	for (i = 0; i < l->len; i++) {
		if (l->s[i] == '\0')
			buf_append_s(acc, "\\0");
		else
			buf_append_c(acc, l->s[i]);
	}
	buf_append_c(acc, '|');
}

static void run_row(const struct row *r, size_t rbufsmall)
{
	char *dir = tu_tmpdir(), path[512];
	lline lr;
	buf l = BUF_INIT, acc = BUF_INIT;
	int got, last_nl = 0;

	(void)rbufsmall;
	tu_writefile(dir, "f", r->in, r->inlen ? r->inlen : strlen(r->in));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(lline_open(&lr, path, r->flags), 0);
	while ((got = lline_next(&lr, &l)) > 0) {
		show(&acc, lr.lineno, &l);
		last_nl = lr.nl;
	}
	assert_int_equal(got, 0);
	buf_append_c(&acc, '\0');
	if (strcmp(acc.s, r->want) != 0)
		fail_msg("%s: got '%s' want '%s'", r->label, acc.s, r->want);
	if (r->want[0])
		assert_int_equal(last_nl, r->last_nl);
	lline_close(&lr);
	buf_free(&l);
	buf_free(&acc);
	tu_rmtree(dir);
}

static void test_rows(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i], 0);
}

/* lines longer than the read buffer, and far more lines than fit in memory twice */
static void test_long_and_many(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	size_t n = 300000, i;
	char *big = malloc(n + 64);
	lline lr;
	buf l = BUF_INIT;
	(void)state;
	memset(big, 'x', n);
	memcpy(big + n, "\n\tcont\nlast\n", 12);
	tu_writefile(dir, "f", big, n + 12);
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(lline_open(&lr, path, ALIASES), 0);
	assert_int_equal(lline_next(&lr, &l), 1);
	assert_int_equal(l.len, n + 5);
	assert_int_equal(lr.lineno, 1);
	assert_int_equal(lline_next(&lr, &l), 1);
	assert_int_equal(lr.lineno, 3);
	assert_true(buf_eq(&l, "last", 4));
	assert_int_equal(lline_next(&lr, &l), 0);
	lline_close(&lr);
	/* maxlen cuts and flags, but keeps reading in step */
	assert_int_equal(lline_open(&lr, path, ALIASES), 0);
	lr.maxlen = 1000;
	assert_int_equal(lline_next(&lr, &l), 1);
	assert_int_equal(l.len, 1000);
	assert_true(lr.toolong);
	assert_int_equal(lline_next(&lr, &l), 1);
	assert_false(lr.toolong);
	assert_true(buf_eq(&l, "last", 4));
	lline_close(&lr);
	/* a million one-byte continuation lines is one logical line */
	{
		FILE *f;
		snprintf(path, sizeof(path), "%s/many", dir);
		f = fopen(path, "w");
		fputs("a: b", f);
		for (i = 0; i < 1000000; i++)
			fputs("\n ,", f);
		fputs("\nz: y\n", f);
		fclose(f);
		assert_int_equal(lline_open(&lr, path, ALIASES), 0);
		assert_int_equal(lline_next(&lr, &l), 1);
		assert_int_equal(l.len, 4 + 2 * 1000000);
		assert_int_equal(lline_next(&lr, &l), 1);
		assert_int_equal(lr.lineno, 1000002);
		lline_close(&lr);
	}
	free(big);
	buf_free(&l);
	tu_rmtree(dir);
}

static void test_errors(void **state)
{
	lline lr;
	(void)state;
	errno = 0;
	assert_int_equal(lline_open(&lr, "/nonexistent/s2q", 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(lline_open(&lr, "/tmp", 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(lline_open(&lr, "/dev/null", 0), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_pipe(void **state)
{
	int p[2];
	lline lr;
	buf l = BUF_INIT;
	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "a\n b\nc", 6), 6);
	close(p[1]);
	assert_int_equal(lline_fdopen(&lr, p[0], LLINE_CONT_WS | LLINE_KEEP_NL), 0);
	assert_int_equal(lline_next(&lr, &l), 1);
	assert_true(buf_eq(&l, "a\n b", 4));
	assert_int_equal(lline_next(&lr, &l), 1);
	assert_true(buf_eq(&l, "c", 1));
	assert_false(lr.nl);
	assert_int_equal(lline_next(&lr, &l), 0);
	lline_close(&lr);
	close(p[0]);
	buf_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_long_and_many),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pipe),
	};
	return cmocka_run_group_tests_name("lline", tests, NULL, NULL);
}
