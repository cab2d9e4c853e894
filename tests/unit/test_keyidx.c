/* test_keyidx - keys by hash: duplicates (the first kept) and lookups, with chosen hashes */
#include "testutil.h"

#include <errno.h>
#include <stdint.h>

#include "../../convert/lib/util/keyidx.h"

/* the keys are the offsets' letters: key i is keys[i] */
static const char keys[] = "abacbdcaxy";

static int same(void *ctx, size_t a, size_t b)
{
	const char *k = ctx;

	return k[a] == k[b];
}

static struct keyidx_ent *ents(const uint64_t *h, size_t n)
{
	struct keyidx_ent *v = malloc(n * sizeof(*v));
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++) {
		v[i].h = h[i];
		v[i].off = i;
	}
	return v;
}

static void test_dups_find(void **state)
{
	/* a, c and x share their top 32 bits (their runs interleave); b, d, y do not;
	   "y" has the hash of "x" (a collision: same() says they differ) */
	const uint64_t A = 0x1234567800000001ULL, B = 0xff00000000000002ULL,
		       C = 0x1234567800000003ULL, D = 0x0000000100000004ULL, X = 0x1234567800000005ULL;
	const uint64_t h[10] = { A, B, A, C, B, D, C, A, X, X };
	struct keyidx x;
	size_t *dups, nd, lo, hi, i, seen;
	(void)state;

	keyidx_init(&x);
	assert_int_equal(keyidx_sort(&x, ents(h, 10), 10), 0);
	for (i = 1; i < x.n; i++)	/* sorted by the top 32 bits */
		assert_true((x.v[i - 1].h >> 32) <= (x.v[i].h >> 32));
	assert_int_equal(keyidx_dups(&x, same, (void *)keys, &dups, &nd), 0);
	/* "abacbdcaxy": the second a (2), b (4), c (6), the third a (7) */
	assert_int_equal(nd, 4);
	assert_int_equal(dups[0], 2);
	assert_int_equal(dups[1], 4);
	assert_int_equal(dups[2], 6);
	assert_int_equal(dups[3], 7);
	free(dups);
	/* lookups: every entry with hash A, in key order, among the candidates */
	assert_int_equal(keyidx_index(&x), 0);
	keyidx_find(&x, A, &lo, &hi);
	for (i = lo, seen = 0; i < hi; i++)
		if (x.v[i].h == A) {
			assert_int_equal(x.v[i].off, seen == 0 ? 0 : seen == 1 ? 2 : 7);
			seen++;
		}
	assert_int_equal(seen, 3);
	keyidx_find(&x, 0x7777777777777777ULL, &lo, &hi);
	for (i = lo; i < hi; i++)
		assert_true(x.v[i].h != 0x7777777777777777ULL);
	keyidx_free(&x);

	/* nothing at all */
	assert_int_equal(keyidx_sort(&x, malloc(1), 0), 0);
	assert_int_equal(keyidx_dups(&x, same, (void *)keys, &dups, &nd), 0);
	assert_int_equal(nd, 0);
	assert_null(dups);
	assert_int_equal(keyidx_index(&x), 0);
	keyidx_find(&x, A, &lo, &hi);
	assert_int_equal(lo, hi);
	keyidx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dups_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
