/* test_hset_diag - hash set and diagnostics sink */
#include "testutil.h"

#include "../../convert/lib/util/diag.h"
#include "../../convert/lib/util/hset.h"

static void test_hset(void **state)
{
	struct hset h;
	unsigned long v, i;
	char k[32];
	(void)state;
	hset_init(&h);
	assert_int_equal(hset_get(&h, "a", 1, &v), 0);
	assert_int_equal(hset_put(&h, "a", 1, 10, &v), 1);
	assert_int_equal(hset_put(&h, "a", 1, 20, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(hset_put(&h, "a\0", 2, 30, NULL), 1);	/* NUL is part of the key */
	assert_int_equal(hset_put(&h, "", 0, 40, NULL), 1);
	assert_int_equal(hset_get(&h, "", 0, &v), 1);
	assert_int_equal(v, 40);
	assert_int_equal(hset_set(&h, "a", 1, 50), 0);
	assert_int_equal(hset_get(&h, "a", 1, &v), 1);
	assert_int_equal(v, 50);
	for (i = 0; i < 200000; i++) {
		int n = snprintf(k, sizeof(k), "key%lu", i);
		assert_int_equal(hset_put(&h, k, (size_t)n, i, NULL), 1);
	}
	for (i = 0; i < 200000; i += 997) {
		int n = snprintf(k, sizeof(k), "key%lu", i);
		assert_int_equal(hset_get(&h, k, (size_t)n, &v), 1);
		assert_int_equal(v, i);
	}
	assert_int_equal(hset_get(&h, "key200000", 9, &v), 0);
	assert_int_equal(h.n, 200003);
	hset_free(&h);
}

static void test_diag(void **state)
{
	static const struct {
		enum diag_sev sev;
		const char *code, *file;
		unsigned long line;
		const char *msg, *text, *json;
	} rows[] = {
		{ DIAG_ERROR, "S2Q-U003", "users/assign", 4, "blank line",
		  "s2q-x: error: users/assign:4: blank line [S2Q-U003]\n",
		  "{\"severity\":\"error\",\"code\":\"S2Q-U003\",\"file\":\"users/assign\",\"line\":4,\"message\":\"blank line\"}" },
		{ DIAG_WARN, "S2Q-A001", "aliases", 0, "no line",
		  "s2q-x: warning: aliases: no line [S2Q-A001]\n",
		  "{\"severity\":\"warning\",\"code\":\"S2Q-A001\",\"file\":\"aliases\",\"line\":0,\"message\":\"no line\"}" },
		{ DIAG_NOTE, "", NULL, 0, "quote \" back\\ tab\t nl\n ctl\001",
		  "s2q-x: note: quote \" back\\ tab\t nl\\n ctl\\x01\n",
		  "{\"severity\":\"note\",\"code\":\"\",\"file\":null,\"line\":0,\"message\":\"quote \\\" back\\\\ tab\\t nl\\n ctl\\u0001\"}" },
	};
	struct diag_sink d;
	size_t i;
	(void)state;
	diag_init(&d);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf t = BUF_INIT, j = BUF_INIT;
		assert_int_equal(diag_add(&d, rows[i].sev, rows[i].code, rows[i].file, rows[i].line, "%s",
					  rows[i].msg), 0);
		assert_int_equal(diag_format(&t, "s2q-x", &d.v[i]), 0);
		assert_int_equal(diag_json(&j, &d.v[i]), 0);
		assert_string_equal(buf_cstr(&t), rows[i].text);
		assert_string_equal(buf_cstr(&j), rows[i].json);
		buf_free(&t);
		buf_free(&j);
	}
	assert_int_equal(d.n, 3);
	assert_int_equal(d.nerr, 1);
	assert_int_equal(d.nwarn, 1);
	assert_int_equal(d.nnote, 1);
	diag_free(&d);
	assert_int_equal(d.n, 0);
}

static void test_json_utf8(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "plain", "\"plain\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },			/* UTF-8 kept */
		{ "caf\xe9", "\"caf\\u00e9\"" },				/* Latin-1 byte */
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },			/* euro sign */
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },			/* truncated */
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },			/* overlong '/' */
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" }, /* > U+10FFFF */
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },		/* U+1F600 */
		{ "\x7f\xff", "\"\\u007f\\u00ff\"" },
		/* runs of plain bytes between escapes (appended a run at a time) */
		{ "ab\"cd\\ef\x01gh\xc3\xa9ij\x7f", "\"ab\\\"cd\\\\ef\\u0001gh\xc3\xa9ij\\u007f\"" },
		{ "\"\"\\x", "\"\\\"\\\"\\\\x\"" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf j = BUF_INIT;
		assert_int_equal(json_str(&j, rows[i].in, strlen(rows[i].in)), 0);
		assert_string_equal(buf_cstr(&j), rows[i].out);
		buf_free(&j);
	}
}

/* diag_format's text: runs kept, \n \r and control bytes escaped, bytes >= 0x80 as they are */
static void test_text_runs(void **state)
{
	struct diag_sink d;
	buf t = BUF_INIT;
	(void)state;
	diag_init(&d);
	assert_int_equal(diag_add(&d, DIAG_WARN, "S2Q-A001", "f\nile", 7, "%s",
				  "cr\r del\x7f hi\xe9 tab\tend\x1f"), 0);
	assert_int_equal(diag_format(&t, "s2q-x", &d.v[0]), 0);
	assert_string_equal(buf_cstr(&t), "s2q-x: warning: f\\nile:7: cr\\r del\\x7f hi\xe9 tab\tend\\x1f [S2Q-A001]\n");
	buf_free(&t);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hset),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_text_runs),
	};
	return cmocka_run_group_tests_name("hset_diag", tests, NULL, NULL);
}
