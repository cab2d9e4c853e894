/* test_numidx - numbered items by the caller's keys, with chosen (colliding) hashes */
#include "testutil.h"

#include <stdint.h>

#include "../../convert/lib/util/numidx.h"

#define N 5000

/* item i's key is keys[i]; the hash is chosen by the test */
struct keys {
	uint32_t key[N + 1];
	uint32_t want;		/* the key looked for */
	unsigned calls;		/* eq() calls */
};

static int eq(const void *ctx, uint32_t num)
{
	struct keys *k = (struct keys *)(uintptr_t)ctx;

	k->calls++;
	return k->key[num] == k->want;
}

static uint32_t hash_of(uint32_t key, int collide)
{
	return collide ? 7u : key * 2654435761u;
}

static void run(int collide)
{
	static struct keys k;
	struct numidx x = { 0 };
	uint64_t *slot;
	uint32_t i, n = collide ? 300 : N;

	memset(&k, 0, sizeof(k));
	assert_int_equal(numidx_find(&x, 1, eq, &k), -1);	/* no slots yet */
	for (i = 0; i < n; i++) {
		k.key[i] = 1000 + i;
		k.want = k.key[i];
		assert_int_equal(numidx_grow(&x), 0);
		slot = numidx_slot(&x, hash_of(k.want, collide), eq, &k);
		assert_int_equal(numidx_num(slot), -1);
		numidx_set(&x, slot, hash_of(k.want, collide), i);
		assert_int_equal(x.n, i + 1);
		assert_true(x.nslots >= 2 * x.n);
	}
	for (i = 0; i < n; i++) {
		k.want = 1000 + i;
		assert_int_equal(numidx_find(&x, hash_of(k.want, collide), eq, &k), i);
	}
	/* a key the index does not have, under a hash it has */
	k.want = 1;
	k.calls = 0;
	assert_int_equal(numidx_find(&x, hash_of(1000, collide), eq, &k), -1);
	/* eq() only for slots of an equal hash: all of them when every hash is 7 */
	assert_int_equal(k.calls, collide ? n : 1);
	/* a later item with key 1000 takes its slot (last wins), counted once */
	k.key[n] = 1000;
	k.want = 1000;
	slot = numidx_slot(&x, hash_of(1000, collide), eq, &k);
	assert_int_equal(numidx_num(slot), 0);
	numidx_set(&x, slot, hash_of(1000, collide), n);
	assert_int_equal(x.n, n);
	assert_int_equal(numidx_find(&x, hash_of(1000, collide), eq, &k), n);
	numidx_free(&x);
	assert_null(x.slots);
	assert_int_equal(x.nslots, 0);
}

static void test_spread(void **state)
{
	(void)state;
	run(0);
}

static void test_collide(void **state)
{
	(void)state;
	run(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_collide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
