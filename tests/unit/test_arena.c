/* test_arena - bump allocation: alignment, contents kept, blocks bigger than a chunk; bigmem */
#include "testutil.h"

#include <errno.h>
#include <stdint.h>

#include "../../convert/lib/util/arena.h"
#include "../../convert/lib/util/bigmem.h"

/*
 * sizes 0..300 cycling, every 97th a block of 100 KB and every 1000th one
 * of 1 MB (their own chunks, behind the one being filled); each block is
 * filled with a pattern of its index and all are checked after the last
 */
static void test_many(void **state)
{
	enum { N = 20000 };
	static unsigned char *p[N];
	static size_t len[N];
	struct arena a;
	size_t i, j;
	int round;
	(void)state;
	arena_init(&a);
	for (round = 0; round < 2; round++) {	/* the second after arena_free: empty again */
		for (i = 0; i < N; i++) {
			len[i] = i % 1000 == 999 ? (size_t)1 << 20 : i % 97 == 96 ? 100000 : i % 301;
			p[i] = arena_alloc(&a, len[i]);
			assert_non_null(p[i]);
			assert_int_equal((uintptr_t)p[i] % 8, 0);
			memset(p[i], (int)(i * 7 + 1), len[i]);
		}
		for (i = 0; i < N; i++)
			for (j = 0; j < len[i]; j++)
				if (p[i][j] != (unsigned char)(i * 7 + 1))
					fail_msg("block %zu byte %zu overwritten", i, j);
		/* blocks do not overlap: distinct starts for the non-empty ones, in order within a chunk */
		for (i = 1; i < N; i++)
			if (len[i] && len[i - 1] && len[i] < 1000 && len[i - 1] < 1000 &&
			    p[i] > p[i - 1] && p[i] < p[i - 1] + len[i - 1])
				fail_msg("block %zu inside block %zu", i, i - 1);
		arena_free(&a);
		assert_null(a.head);
		assert_int_equal(a.left, 0);
		assert_int_equal(a.next, 0);	/* chunks start small again */
	}
}

/* bigmem: zeroed below and above 2 MB (malloc'ed, mapped), writable to the last byte */
static void test_bigmem(void **state)
{
	static const size_t sizes[] = { 0, 1, 100, ((size_t)2 << 20) - 1, (size_t)2 << 20,
					 ((size_t)3 << 20) + 5 };
	size_t i, j;
	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *m = bigmem_zalloc(sizes[i]);

		assert_non_null(m);
		for (j = 0; j < sizes[i]; j += 4093)
			assert_int_equal(m[j], 0);
		if (sizes[i]) {
			assert_int_equal(m[sizes[i] - 1], 0);
			memset(m, 0xa5, sizes[i]);
		}
		bigmem_free(m, sizes[i]);
	}
	bigmem_free(NULL, 5);
}

/* a block too big for any size_t arithmetic fails with ENOMEM, the arena stays usable */
static void test_huge(void **state)
{
	struct arena a;
	char *q;
	(void)state;
	arena_init(&a);
	errno = 0;
	assert_null(arena_alloc(&a, SIZE_MAX - 4));
	assert_int_equal(errno, ENOMEM);
	q = arena_alloc(&a, 5);
	assert_non_null(q);
	memcpy(q, "abcd", 5);
	assert_string_equal(q, "abcd");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_bigmem),
	};
	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
