/* test_mjson - the small JSON reader s2q-migrate reads the converters' reports with */
#include "testutil.h"

#include <errno.h>

#include "../../convert/lib/migrate/mjson.h"

static const struct row {
	const char *in;
	int ok;
} rows[] = {
	{ "{}", 1 }, { "[]", 1 }, { " {\"a\":1} ", 1 }, { "null", 1 }, { "true", 1 }, { "-1.5e3", 1 },
	{ "\"x\"", 1 }, { "[1,2,[3,{\"k\":[]}]]", 1 }, { "{\"a\":1,}", 0 }, { "[1 2]", 0 },
	{ "{\"a\"1}", 0 }, { "\"abc", 0 }, { "\"a\x01\"", 0 }, { "tru", 0 }, { "{} {}", 0 },
	{ "", 0 }, { "\"\\q\"", 0 }, { "\"\\u12\"", 0 }, { "1.2.3", 0 }, { "{\"a\":}", 0 },
};

static void test_valid(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mj j;
		int r = mj_parse(&j, rows[i].in, strlen(rows[i].in), NULL);

		if ((r == 0) != rows[i].ok) {
			fprintf(stderr, "'%s': got %d\n", rows[i].in, r);
			bad++;
		}
		if (r < 0 && errno != EINVAL)
			bad++;
		mj_free(&j);
	}
	assert_int_equal(bad, 0);
}

static void test_values(void **state)
{
	const char *in = "{\"program\":\"s2q-cf\",\"records\":11,\"neg\":-2,\"e\":\"a\\u00e9\\ud83d\\ude00"
			 "\\n\\u0000z\",\"diagnostics\":[{\"code\":\"S2Q-C001\",\"line\":3,\"file\":null}],"
			 "\"records\":12,\"lone\":\"\\udc00\"}";
	struct mj j;
	const struct mj *d, *e;

	(void)state;
	assert_int_equal(mj_parse(&j, in, strlen(in), NULL), 0);
	assert_string_equal(mj_str(&j, "program"), "s2q-cf");
	assert_int_equal(mj_ulong(&j, "records", 0), 11);	/* the first of duplicate keys */
	assert_int_equal(mj_ulong(&j, "neg", 7), 7);		/* not a non-negative number */
	assert_int_equal(mj_ulong(&j, "missing", 5), 5);
	e = mj_get(&j, "e");
	assert_non_null(e);
	assert_int_equal(e->len, 1 + 2 + 4 + 1 + 1 + 1);
	assert_memory_equal(e->s, "a\xc3\xa9\xf0\x9f\x98\x80\n\0z", e->len);
	assert_string_equal(mj_str(&j, "lone"), "\xef\xbf\xbd");
	d = mj_get(&j, "diagnostics");
	assert_non_null(d);
	assert_int_equal(d->t, MJ_ARR);
	assert_int_equal(d->n, 1);
	assert_string_equal(mj_str(&d->v[0], "code"), "S2Q-C001");
	assert_int_equal(mj_ulong(&d->v[0], "line", 0), 3);
	assert_null(mj_str(&d->v[0], "file"));
	mj_free(&j);
}

static void test_depth(void **state)
{
	char deep[2 * (MJ_MAXDEPTH + 10) + 1];
	size_t i, n = MJ_MAXDEPTH + 10;
	struct mj j;

	(void)state;
	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	deep[2 * n] = '\0';
	assert_int_equal(mj_parse(&j, deep, 2 * n, NULL), -1);
	assert_int_equal(errno, EINVAL);
	mj_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
