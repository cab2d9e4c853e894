/* test_diag_limits - the diagnostics sink against hostile input: long messages, many records, control bytes */
#include "testutil.h"

#include "../../convert/lib/util/diag.h"

/* a 10 MB echoed field keeps both ends of the message, and says how much was left out */
static void test_long_message(void **state)
{
	size_t n = 10 * 1024 * 1024, keep = (DIAG_MSG_MAX - 64) / 2;
	char *big = malloc(n + 1), want[128];
	struct diag_sink d;
	buf t = BUF_INIT;
	(void)state;
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	big[0] = 'A';
	big[n - 1] = 'Z';
	diag_init(&d);
	assert_int_equal(diag_add(&d, DIAG_ERROR, "S2Q-U005", "users/assign", 7,
				  "uid '%s' is not a number", big), 0);
	assert_true(strlen(d.v[0].msg) <= DIAG_MSG_MAX);
	assert_memory_equal(d.v[0].msg, "uid 'Axxx", 9);
	snprintf(want, sizeof(want), " [... %zu bytes left out ...] ", n + 22 - 2 * keep);
	assert_non_null(strstr(d.v[0].msg, want));
	assert_string_equal(d.v[0].msg + strlen(d.v[0].msg) - 20, "xxZ' is not a number");
	/* exactly DIAG_MSG_MAX is kept whole */
	big[DIAG_MSG_MAX] = '\0';
	assert_int_equal(diag_add(&d, DIAG_WARN, "S2Q-U014", "f", 1, "%s", big), 0);
	assert_int_equal(strlen(d.v[1].msg), DIAG_MSG_MAX);
	assert_int_equal(diag_format(&t, "s2q-x", &d.v[0]), 0);
	assert_true(t.len < DIAG_MSG_MAX + 100);
	buf_free(&t);
	diag_free(&d);
	free(big);
}

/* a million bad lines: DIAG_KEEP records at most, the last says so, the counts stay exact */
static void test_many(void **state)
{
	struct diag_sink d;
	size_t i, n = 1000000;
	(void)state;
	diag_init(&d);
	for (i = 0; i < n; i++)
		assert_int_equal(diag_add(&d, (i & 1) ? DIAG_WARN : DIAG_ERROR, "S2Q-U003", "users/assign",
					  i + 1, "blank line"), 0);
	assert_int_equal(d.n, DIAG_KEEP);
	assert_int_equal(d.nerr, n / 2);
	assert_int_equal(d.nwarn, n / 2);
	assert_int_equal(d.nnote, 0);
	assert_int_equal(d.dropped, n - (DIAG_KEEP - 1));
	assert_string_equal(d.v[DIAG_KEEP - 2].msg, "blank line");
	assert_int_equal(d.v[DIAG_KEEP - 2].line, DIAG_KEEP - 1);
	assert_string_equal(d.v[DIAG_KEEP - 1].code, "S2Q-Z001");
	assert_int_equal(d.v[DIAG_KEEP - 1].sev, DIAG_NOTE);
	assert_int_equal(d.v[DIAG_KEEP - 1].line, DIAG_KEEP);
	diag_free(&d);
	assert_int_equal(d.dropped, 0);
}

/* text output is one line per record whatever the input bytes; JSON escapes them */
static void test_control_bytes(void **state)
{
	struct diag_sink d;
	buf t = BUF_INIT, j = BUF_INIT;
	(void)state;
	diag_init(&d);
	assert_int_equal(diag_add(&d, DIAG_WARN, "S2Q-U013", "dir\nname\033", 3,
				  "duplicate address '%s'", "\033]0;owned\007\r\n\177\t\\"), 0);
	assert_int_equal(diag_format(&t, "s2q-x", &d.v[0]), 0);
	assert_string_equal(buf_cstr(&t), "s2q-x: warning: dir\\nname\\x1b:3: duplicate address "
			    "'\\x1b]0;owned\\x07\\r\\n\\x7f\t\\' [S2Q-U013]\n");
	assert_int_equal(diag_json(&j, &d.v[0]), 0);
	assert_string_equal(buf_cstr(&j), "{\"severity\":\"warning\",\"code\":\"S2Q-U013\",\"file\":"
			    "\"dir\\nname\\u001b\",\"line\":3,\"message\":\"duplicate address "
			    "'\\u001b]0;owned\\u0007\\u000d\\n\\u007f\\t\\\\'\"}");
	buf_free(&t);
	buf_free(&j);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_control_bytes),
	};
	return cmocka_run_group_tests_name("diag_limits", tests, NULL, NULL);
}
