/* test_buf - length-counted buffer */
#include "testutil.h"

#include <errno.h>
#include <limits.h>

#include "../../convert/lib/util/buf.h"

static void test_append_binary(void **state)
{
	buf b = BUF_INIT;
	(void)state;
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.s, "a\0b", 3);
	assert_int_equal(buf_append_c(&b, '\0'), 0);
	assert_int_equal(buf_append_s(&b, "xyz"), 0);
	assert_true(buf_eq(&b, "a\0b\0xyz", 7));
	assert_string_equal(buf_cstr(&b) + 4, "xyz");
	assert_int_equal(b.len, 7);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_true(buf_eq(&b, "", 0));
	buf_free(&b);
	assert_null(b.s);
}

static void test_growth(void **state)
{
	buf b = BUF_INIT;
	size_t i;
	(void)state;
	for (i = 0; i < 100000; i++)
		assert_int_equal(buf_append_c(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.s[99999], 'a' + 99999 % 26);
	buf_free(&b);
}

static void test_overflow(void **state)
{
	buf b = BUF_INIT;
	(void)state;
	assert_int_equal(buf_append_s(&b, "keep"), 0);
	errno = 0;
	assert_int_equal(buf_ready(&b, SIZE_MAX), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(buf_ready(&b, SIZE_MAX - 4), -1);
	assert_int_equal(buf_ready(&b, SIZE_MAX / 2 + 100), -1);
	assert_true(buf_eq(&b, "keep", 4));
	buf_free(&b);
}

static void test_printf(void **state)
{
	static const struct {
		const char *label, *fmt;
		int arg;
		const char *want;
	} rows[] = {
		{ "plain", "x%dy", 5, "prefix:x5y" },
		{ "long", "%0200d", 7, NULL },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf b = BUF_INIT;
		assert_int_equal(buf_append_s(&b, "prefix:"), 0);
		assert_int_equal(buf_printf(&b, rows[i].fmt, rows[i].arg), 0);
		if (rows[i].want)
			assert_string_equal(buf_cstr(&b), rows[i].want);
		else
			assert_int_equal(b.len, 7 + 200);
		buf_free(&b);
	}
}

/*
 * buf_printf writes into the room there is and measures again only when the
 * text does not fit: every length around the room left (the NUL needs one
 * byte more than the text) must give the whole text, nothing after it
 */
static void test_printf_room(void **state)
{
	char want[200];
	size_t cap, k;
	(void)state;
	for (cap = 64; cap <= 128; cap *= 2) {
		for (k = 0; k < 80; k++) {
			buf b = BUF_INIT;
			size_t pre = cap - 40;

			memset(want, 'a', pre);
			assert_int_equal(buf_append(&b, want, pre), 0);
			assert_int_equal(b.cap, cap);
			assert_int_equal(buf_printf(&b, "%0*d|", (int)k, 0), 0);
			assert_int_equal(b.len, pre + (k ? k : 1) + 1);
			memset(want + pre, '0', k ? k : 1);
			want[pre + (k ? k : 1)] = '|';
			assert_memory_equal(b.s, want, b.len);
			assert_non_null(buf_cstr(&b));
			assert_int_equal(strlen(b.s), b.len);
			/* and once more after it */
			assert_int_equal(buf_printf(&b, "%s", "tail"), 0);
			assert_int_equal(b.len, pre + (k ? k : 1) + 5);
			assert_memory_equal(b.s + b.len - 5, "|tail", 5);
			buf_free(&b);
		}
	}
}

/* buf_append_ulong writes what "%lu" does */
static void test_append_ulong(void **state)
{
	static const unsigned long v[] = { 0, 1, 9, 10, 99, 100, 7790, 4294967295UL, ULONG_MAX };
	char want[64];
	size_t i;
	buf b = BUF_INIT;
	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_reset(&b);
		assert_int_equal(buf_append_s(&b, "x"), 0);
		assert_int_equal(buf_append_ulong(&b, v[i]), 0);
		snprintf(want, sizeof(want), "x%lu", v[i]);
		assert_string_equal(buf_cstr(&b), want);
	}
	buf_free(&b);
}

static void test_copy(void **state)
{
	buf b = BUF_INIT;
	(void)state;
	assert_int_equal(buf_append_s(&b, "old contents"), 0);
	assert_int_equal(buf_copy(&b, "new", 3), 0);
	assert_true(buf_eq(&b, "new", 3));
	assert_false(buf_eq(&b, "ne", 2));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_binary),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_printf_room),
		cmocka_unit_test(test_append_ulong),
		cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
