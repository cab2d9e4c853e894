/* test_maptext - makemap text sources: records, comments, folding, every error */
#include "testutil.h"

#include <fcntl.h>

#include "../../convert/lib/parse/maptext.h"

static const struct row {
	const char *label, *in;
	size_t inlen;		/* 0: strlen */
	unsigned flags;
	const char *recs;	/* "key=value|..." */
	const char *codes;	/* "CODE@LINE ..." */
} rows[] = {
	{ "tab and blanks separate, the value is kept as it is",
	  "a\tb\nc  d e  \nf\t\tg # h\n", 0, 0, "a=b|c=d e  |f=g # h", "" },
	{ "comments only in column 1, empty lines skipped",
	  "# c\n\n#x y\nk v\n", 0, 0, "k=v", "" },
	{ "keys are folded, values not", "UPPER@Example.COM\tMixed Value\n", 0, 0,
	  "upper@example.com=Mixed Value", "" },
	{ "-f keeps the case", "UPPER\tV\n", 0, MAPTEXT_NOFOLD, "UPPER=V", "" },
	{ "leading white space is an error (no continuation)", "a b\n c d\n\te f\n", 0, 0, "a=b",
	  "S2Q-M003@2 S2Q-M003@3" },
	{ "a key without value", "a\nb   \nc d\n", 0, 0, "c=d", "S2Q-M004@1 S2Q-M004@2" },
	{ "duplicates: first wins, after folding", "a 1\nA 2\nb 3\na 4\n", 0, 0, "a=1|b=3",
	  "S2Q-M005@2 S2Q-M005@4" },
	{ "CRLF: the CR stays in the value; an empty CRLF line is leading space",
	  "a b\r\n\r\nc d\r\n", 0, 0, "a=b\r|c=d\r", "S2Q-M006@1 S2Q-M003@2 S2Q-M006@3" },
	{ "NUL byte", "a b\nc\0d e\nf g\n", 14, 0, "a=b|f=g", "S2Q-M001@2" },
	{ "no final newline", "a b\nc d", 0, 0, "a=b|c=d", "" },
	{ "empty file", "", 0, 0, "", "" },
};

static void test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char *dir = tu_tmpdir(), path[600];
		struct diag_sink d;
		struct maptext m;
		struct maptext_rec rec;
		buf recs = BUF_INIT, codes = BUF_INIT;
		size_t j;
		int fd, x;

		tu_writefile(dir, "map", r->in, r->inlen ? r->inlen : strlen(r->in));
		snprintf(path, sizeof(path), "%s/map", dir);
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		diag_init(&d);
		assert_int_equal(maptext_fdopen(&m, fd, "map", r->flags, &d), 0);
		while ((x = maptext_next(&m, &rec)) > 0)
			buf_printf(&recs, "%s%.*s=%.*s", recs.len ? "|" : "", (int)rec.klen, rec.key,
				   (int)rec.vlen, rec.val);
		assert_int_equal(x, 0);
		for (j = 0; j < d.n; j++)
			buf_printf(&codes, "%s%s@%lu", j ? " " : "", d.v[j].code, d.v[j].line);
		buf_append_c(&recs, '\0');
		buf_append_c(&codes, '\0');
		if (strcmp(recs.s, r->recs) != 0 || strcmp(codes.s, r->codes) != 0)
			fail_msg("%s: got '%s' / '%s', want '%s' / '%s'", r->label, recs.s, codes.s,
				 r->recs, r->codes);
		maptext_close(&m);
		diag_free(&d);
		buf_free(&recs);
		buf_free(&codes);
		tu_rmtree(dir);
	}
}

/* makemap's 1024-byte buffer: 1022 bytes and a newline fit, one more does not */
static void test_long(void **state)
{
	char *dir = tu_tmpdir(), path[600], *in;
	struct diag_sink d;
	struct maptext m;
	struct maptext_rec rec;
	int fd, n = 0;
	size_t len = 1022 + 1 + 1023 + 1 + 4;

	(void)state;
	in = malloc(len);
	assert_non_null(in);
	memset(in, 'x', len);
	in[0] = 'k';
	in[1] = ' ';
	in[1022] = '\n';
	in[1023] = 'l';
	in[1024] = ' ';
	in[1023 + 1023] = '\n';
	memcpy(in + len - 4, "a b\n", 4);
	tu_writefile(dir, "map", in, len);
	snprintf(path, sizeof(path), "%s/map", dir);
	fd = open(path, O_RDONLY);
	diag_init(&d);
	assert_int_equal(maptext_fdopen(&m, fd, "map", 0, &d), 0);
	while (maptext_next(&m, &rec) > 0) {
		if (n == 0)
			assert_int_equal(rec.vlen, 1020);
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].code, "S2Q-M002");
	assert_int_equal(d.v[0].line, 2);
	maptext_close(&m);
	diag_free(&d);
	free(in);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
