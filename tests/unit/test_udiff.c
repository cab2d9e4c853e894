/* test_udiff - unified diff: GNU diff -u's output (recorded) for small pairs, binary safety, limits */
#include "testutil.h"

#include <errno.h>

#include "../../convert/lib/util/buf.h"
#include "../../convert/lib/util/udiff.h"

/* expected outputs recorded from GNU diffutils 3.8: diff -u --label A --label B a b */
static const struct row {
	const char *label, *a, *b, *want;
} rows[] = {
	{ "replace middle",
	  "a\nb\nc\nd\ne\nf\ng\nh\n",
	  "a\nb\nc\nD\ne\nf\ng\nh\n",
	  "--- A\n+++ B\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n" },
	{ "gap of six lines: one hunk",
	  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n",
	  "1\n2\nX\n4\n5\n6\n7\n8\n9\nY\n11\n12\n13\n14\n15\n",
	  "--- A\n+++ B\n@@ -1,13 +1,13 @@\n 1\n 2\n-3\n+X\n 4\n 5\n 6\n 7\n 8\n 9\n-10\n+Y\n 11\n 12\n 13\n" },
	{ "gap of seven lines: two hunks",
	  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n",
	  "1\n2\nX\n4\n5\n6\n7\n8\n9\n10\nY\n12\n13\n14\n15\n",
	  "--- A\n+++ B\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+X\n 4\n 5\n 6\n@@ -8,7 +8,7 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n 13\n 14\n" },
	{ "from empty",
	  "",
	  "a\nb\n",
	  "--- A\n+++ B\n@@ -0,0 +1,2 @@\n+a\n+b\n" },
	{ "to empty",
	  "a\nb\n",
	  "",
	  "--- A\n+++ B\n@@ -1,2 +0,0 @@\n-a\n-b\n" },
	{ "one line each",
	  "a\n",
	  "b\n",
	  "--- A\n+++ B\n@@ -1 +1 @@\n-a\n+b\n" },
	{ "newline added at end",
	  "a\nb",
	  "a\nb\n",
	  "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n" },
	{ "no newline on both",
	  "a\nb",
	  "a\nc",
	  "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n" },
	{ "insert at top",
	  "b\nc\nd\ne\n",
	  "a\nb\nc\nd\ne\n",
	  "--- A\n+++ B\n@@ -1,3 +1,4 @@\n+a\n b\n c\n d\n" },
	{ "append",
	  "a\nb\nc\nd\ne\n",
	  "a\nb\nc\nd\ne\nf\n",
	  "--- A\n+++ B\n@@ -3,3 +3,4 @@\n c\n d\n e\n+f\n" },
	{ "insertion slides down",
	  "a\nb\nb\nb\nc\n",
	  "a\nb\nb\nb\nb\nc\n",
	  "--- A\n+++ B\n@@ -2,4 +2,5 @@\n b\n b\n b\n+b\n c\n" },
	{ "swap",
	  "a\nb\n",
	  "b\na\n",
	  "--- A\n+++ B\n@@ -1,2 +1,2 @@\n-a\n b\n+a\n" },
	{ "repeated lines",
	  "x\n\n\n}\n\n}\ny\n",
	  "x\n\n}\n\n\n}\n}\nz\n",
	  "--- A\n+++ B\n@@ -1,7 +1,8 @@\n x\n \n-\n }\n \n+\n+}\n }\n-y\n+z\n" },
	{ "users/assign edit",
	  "=joe:joe:1000:1000:/home/joe:::\n=ann:ann:1001:1001:/home/ann:::\n+joe-:joe:1000:1000:/home/joe:-::\n.\n",
	  "=joe:joe:1000:1000:/home/joe:::\n+joe-:joe:1000:1000:/home/joe:-::\n=bob:bob:1002:1002:/home/bob:::\n.\n",
	  "--- A\n+++ B\n@@ -1,4 +1,4 @@\n =joe:joe:1000:1000:/home/joe:::\n-=ann:ann:1001:1001:/home/ann:::\n +joe-:joe:1000:1000:/home/joe:-::\n+=bob:bob:1002:1002:/home/bob:::\n .\n" },
};

static int to_buf(void *ctx, const char *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static void test_rows(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf out = BUF_INIT;
		struct udiff_sink s = { to_buf, &out };
		int r = udiff(rows[i].a, strlen(rows[i].a), rows[i].b, strlen(rows[i].b), "A", "B", 3,
			      &s, NULL);

		if (r != 1 || !buf_eq(&out, rows[i].want, strlen(rows[i].want)))
			fail_msg("%s: r=%d, got:\n%.*s\nwant:\n%s", rows[i].label, r, (int)out.len,
				 out.s ? out.s : "", rows[i].want);
		buf_free(&out);
	}
}

static void test_same(void **state)
{
	buf out = BUF_INIT;
	struct udiff_sink s = { to_buf, &out };
	struct udiff_stats st;
	(void)state;
	assert_int_equal(udiff("a\nb\n", 4, "a\nb\n", 4, "A", "B", 3, &s, &st), 0);
	assert_int_equal(udiff("", 0, "", 0, "A", "B", 3, &s, &st), 0);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void test_stats_and_context(void **state)
{
	buf out = BUF_INIT;
	struct udiff_sink s = { to_buf, &out };
	struct udiff_stats st;
	static const char want[] = "--- x\n+++ y\n@@ -2 +2,2 @@\n-b\n+B\n+C\n";
	(void)state;
	assert_int_equal(udiff("a\nb\nc\n", 6, "a\nB\nC\nc\n", 8, "x", "y", 0, &s, &st), 1);
	assert_true(buf_eq(&out, want, strlen(want)));
	assert_int_equal(st.nlines_a, 3);
	assert_int_equal(st.nlines_b, 4);
	assert_int_equal(st.ndel, 1);
	assert_int_equal(st.nadd, 2);
	assert_int_equal(st.nhunks, 1);
	buf_free(&out);
}

/* any byte may be in a line: NUL, CR, 8-bit; the output carries them through */
static void test_binary_safe(void **state)
{
	static const char a[] = "x\0y\nsame\r\n\377\n", b[] = "x\0z\nsame\r\n\377\n";
	static const char want[] = "--- A\n+++ B\n@@ -1,3 +1,3 @@\n-x\0y\n+x\0z\n same\r\n \377\n";
	buf out = BUF_INIT;
	struct udiff_sink s = { to_buf, &out };
	(void)state;
	assert_true(udiff_is_binary(a, sizeof(a) - 1));
	assert_false(udiff_is_binary("abc\n", 4));
	assert_false(udiff_is_binary("", 0));
	assert_int_equal(udiff(a, sizeof(a) - 1, b, sizeof(b) - 1, "A", "B", 3, &s, NULL), 1);
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.s, want, sizeof(want) - 1);
	buf_free(&out);
}

static int failing(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	errno = EIO;
	return -1;
}

static void test_sink_error(void **state)
{
	struct udiff_sink s = { failing, NULL };
	(void)state;
	errno = 0;
	assert_int_equal(udiff("a\n", 2, "b\n", 2, "A", "B", 3, &s, NULL), -1);
	assert_int_equal(errno, EIO);
}

/* a change deep inside a large file: one hunk, right line numbers */
static void test_large(void **state)
{
	buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;
	struct udiff_sink s = { to_buf, &out };
	struct udiff_stats st;
	static const char want[] = "--- A\n+++ B\n@@ -149997,7 +149997,7 @@\n line 149996\n"
				   " line 149997\n line 149998\n-line 149999\n+changed\n"
				   " line 150000\n line 150001\n line 150002\n";
	int i;
	(void)state;
	for (i = 0; i < 300000; i++) {
		assert_int_equal(buf_printf(&a, "line %d\n", i), 0);
		assert_int_equal(i == 149999 ? buf_append_s(&b, "changed\n") : buf_printf(&b, "line %d\n", i), 0);
	}
	assert_int_equal(udiff(a.s, a.len, b.s, b.len, "A", "B", 3, &s, &st), 1);
	if (!buf_eq(&out, want, strlen(want)))
		fail_msg("got:\n%.*s", (int)out.len, out.s);
	assert_int_equal(st.nhunks, 1);
	buf_free(&a);
	buf_free(&b);
	buf_free(&out);
}

/* nothing in common at all: every line deleted and added, quickly (lines set aside) */
static void test_disjoint(void **state)
{
	buf a = BUF_INIT, b = BUF_INIT;
	char *ach = NULL, *bch = NULL;
	struct udiff_stats st;
	int i;
	(void)state;
	for (i = 0; i < 200000; i++) {
		assert_int_equal(buf_printf(&a, "a%d\n", i), 0);
		assert_int_equal(buf_printf(&b, "b%d\n", i), 0);
	}
	assert_int_equal(udiff_script(a.s, a.len, b.s, b.len, &ach, &bch, &st), 0);
	assert_int_equal(st.ndel, 200000);
	assert_int_equal(st.nadd, 200000);
	assert_int_equal(ach[0], 1);
	assert_int_equal(bch[199999], 1);
	free(ach);
	free(bch);
	buf_free(&a);
	buf_free(&b);
}

/* the edit script is always valid: unchanged lines of a and b pair up equal, in order */
static void test_script_valid(void **state)
{
	unsigned seed = 12345;
	int it;
	(void)state;
	for (it = 0; it < 300; it++) {
		buf a = BUF_INIT, b = BUF_INIT;
		char *ach = NULL, *bch = NULL;
		struct udiff_stats st;
		size_t i = 0, j = 0, la = 0, lb = 0, na, nb;
		const char *pa, *pb;
		int k, n = (int)((seed = seed * 1103515245 + 12345) >> 16) % 60;

		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			buf_printf(&a, "%c\n", 'a' + (int)((seed >> 16) % 3));
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 4)
				buf_printf(&b, "%c\n", 'a' + (int)((seed >> 20) % 3));
		}
		assert_int_equal(udiff_script(a.s ? a.s : "", a.len, b.s ? b.s : "", b.len, &ach,
					      &bch, &st), 0);
		na = st.nlines_a;
		nb = st.nlines_b;
		pa = a.s;
		pb = b.s;
		/* walk the unchanged lines of both in step: they must be equal */
		while (i < na || j < nb) {
			if (i < na && ach[i]) {
				i++;
				pa += 2;
				continue;
			}
			if (j < nb && bch[j]) {
				j++;
				pb += 2;
				continue;
			}
			assert_true(i < na && j < nb);
			assert_int_equal(pa[0], pb[0]);
			i++, j++, pa += 2, pb += 2;
			la++, lb++;
		}
		assert_int_equal(na - st.ndel, la);
		assert_int_equal(nb - st.nadd, lb);
		free(ach);
		free(bch);
		buf_free(&a);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_stats_and_context),
		cmocka_unit_test(test_binary_safe),
		cmocka_unit_test(test_sink_error),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_disjoint),
		cmocka_unit_test(test_script_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
