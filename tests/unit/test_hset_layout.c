/*
 * test_hset_layout - what callers outside util/hset rely on (resolve/prove,
 * s2q-virtusers walk the slots): a used slot has off != 0 and its key at
 * arena + off - 1 (len bytes), off grows with insertion order; values
 * survive growth (the big slot arrays are mapped, the small ones malloc'ed)
 * and hset_set; 0 and -1 byte keys and binary keys work.
 */
#include "testutil.h"

#include <errno.h>

#include "../../convert/lib/util/hset.h"

static int key(char *k, size_t cap, unsigned long i)
{
	/* binary and text keys of different lengths, some longer than 8 bytes */
	if (i % 3 == 0)
		return snprintf(k, cap, "%lu", i);
	if (i % 3 == 1)
		return snprintf(k, cap, "name.%lu@example.org", i);
	k[0] = '\0';
	k[1] = (char)(i & 0xff);
	memcpy(k + 2, &i, sizeof(i));
	return (int)(2 + sizeof(i));
}

static void test_layout(void **state)
{
	const unsigned long n = 300000;	/* 1M slots: the mapped path */
	struct hset h;
	unsigned long i, v, seen = 0;
	uint64_t lastoff = 0;
	size_t s;
	char k[64];
	unsigned char *order;
	(void)state;
	hset_init(&h);
	for (i = 0; i < n; i++) {
		int kl = key(k, sizeof(k), i);

		assert_int_equal(hset_put(&h, k, (size_t)kl, i * 7, NULL), 1);
	}
	assert_int_equal(h.n, n);
	assert_true(h.nslots >= 2 * n);
	for (i = 0; i < n; i += 13) {
		int kl = key(k, sizeof(k), i);

		assert_int_equal(hset_get(&h, k, (size_t)kl, &v), 1);
		assert_int_equal(v, i * 7);
		assert_int_equal(hset_put(&h, k, (size_t)kl, 1, &v), 0);
		assert_int_equal(v, i * 7);
	}
	assert_int_equal(hset_set(&h, "0", 1, 5), 0);	/* not a multiple of 7 */
	assert_int_equal(hset_get(&h, "0", 1, &v), 1);
	assert_int_equal(v, 5);
	assert_int_equal(hset_get(&h, "", 0, &v), 0);
	assert_int_equal(hset_put(&h, "", 0, 9, NULL), 1);
	assert_int_equal(hset_get(&h, "", 0, &v), 1);
	assert_int_equal(v, 9);
	/* the slots: every key once, at arena + off - 1; offsets in insertion order */
	order = calloc(n + 1, 1);
	assert_non_null(order);
	for (s = 0; s < h.nslots; s++) {
		const struct hset_slot *sl = &h.slots[s];
		const char *sk;
		size_t sn;

		if (sl->off == 0)
			continue;
		seen++;
		sk = hset_slot_key(&h, sl, &sn);
		assert_ptr_equal(sk, h.arena + sl->off - 1);
		if (sn == 0) {
			order[n] = 1;
			continue;
		}
		assert_int_equal(hset_get(&h, sk, sn, &v), 1);
		i = v == 5 ? 0 : v / 7;
		assert_int_equal(key(k, sizeof(k), i), (int)sn);
		assert_memory_equal(sk, k, sn);
		assert_int_equal(order[i], 0);
		order[i] = 1;
	}
	assert_int_equal(seen, n + 1);
	/* insertion order: the key of the k-th insert has a larger off than the (k-1)-th */
	for (i = 0; i < n; i++) {
		int kl = key(k, sizeof(k), i);
		size_t lo = 0;

		for (s = 0; s < h.nslots; s++) {
			size_t sn;

			if (h.slots[s].off && hset_slot_key(&h, &h.slots[s], &sn) &&
			    sn == (size_t)kl && memcmp(h.arena + h.slots[s].off - 1, k, sn) == 0) {
				lo = (size_t)h.slots[s].off;
				break;
			}
		}
		assert_true(lo > lastoff);
		lastoff = lo;
		if (i == 50)
			break;	/* (a linear search each: the first few are enough) */
	}
	free(order);
	hset_free(&h);
	assert_null(h.slots);
	assert_int_equal(h.n, 0);
}

/* hset_reserve: room made once (no slot table or arena moved while the keys go in), keys kept */
static void test_reserve(void **state)
{
	struct hset h;
	char k[32];
	unsigned long v, i;
	struct hset_slot *slots;
	char *arena;
	size_t nslots, bytes = 0;
	(void)state;
	hset_init(&h);
	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "pre%lu", i);
		assert_int_equal(hset_put(&h, k, strlen(k), i, NULL), 1);
	}
	for (i = 0; i < 50000; i++)
		bytes += (size_t)snprintf(k, sizeof(k), "key-%lu", i);
	assert_int_equal(hset_reserve(&h, 50000, bytes), 0);
	slots = h.slots;
	arena = h.arena;
	nslots = h.nslots;
	assert_true(nslots >= 2 * (50000 + 100));
	for (i = 0; i < 50000; i++) {
		snprintf(k, sizeof(k), "key-%lu", i);
		assert_int_equal(hset_put(&h, k, strlen(k), i + 1000, NULL), 1);
	}
	assert_ptr_equal(h.slots, slots);
	assert_ptr_equal(h.arena, arena);
	assert_int_equal(h.nslots, nslots);
	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "pre%lu", i);
		assert_int_equal(hset_get(&h, k, strlen(k), &v), 1);
		assert_int_equal(v, i);
	}
	for (i = 0; i < 50000; i += 7) {
		snprintf(k, sizeof(k), "key-%lu", i);
		assert_int_equal(hset_get(&h, k, strlen(k), &v), 1);
		assert_int_equal(v, i + 1000);
	}
	assert_int_equal(hset_get(&h, "key-50000", 9, NULL), 0);
	/* a reserve that needs nothing changes nothing */
	assert_int_equal(hset_reserve(&h, 0, 0), 0);
	assert_ptr_equal(h.slots, slots);
	/* an impossible one is ENOMEM */
	assert_int_equal(hset_reserve(&h, (size_t)-1 / 2, 0), -1);
	/* so is an arena past 4 GiB (slot offsets are 32 bits); the set is unchanged */
	{
		size_t had = h.n;

		errno = 0;
		assert_int_equal(hset_reserve(&h, 1, (size_t)UINT32_MAX), -1);
		assert_int_equal(errno, ENOMEM);
		assert_int_equal(h.n, had);
	}
	assert_int_equal(hset_get(&h, "key-49999", 9, NULL), 1);
	assert_int_equal(sizeof(struct hset_slot), 8);
	hset_free(&h);
}

/* hset_hash is the hash a put key's slot holds; hset_prefetch changes nothing (empty or not) */
static void test_hash_prefetch(void **state)
{
	struct hset h;
	size_t i, seen = 0;
	unsigned long v;
	(void)state;
	hset_init(&h);
	hset_prefetch(&h, hset_hash("a", 1));
	assert_null(h.slots);
	assert_int_equal(hset_put(&h, "alpha", 5, 7, NULL), 1);
	assert_int_equal(hset_put(&h, "", 0, 8, NULL), 1);
	assert_int_equal(hset_hash("alpha", 5), (uint32_t)hset_hash64("alpha", 5));
	for (i = 0; i < h.nslots; i++) {
		size_t sn;

		if (h.slots[i].off == 0)
			continue;
		seen++;
		(void)hset_slot_key(&h, &h.slots[i], &sn);
		if (sn == 5)
			assert_int_equal(h.slots[i].hash, hset_hash("alpha", 5));
		else
			assert_int_equal(h.slots[i].hash, hset_hash("", 0));
	}
	assert_int_equal(seen, 2);
	hset_prefetch(&h, hset_hash("alpha", 5));
	hset_prefetch(&h, 0xffffffffu);
	assert_int_equal(h.n, 2);
	assert_int_equal(hset_get(&h, "alpha", 5, &v), 1);
	assert_int_equal(v, 7);
	hset_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_hash_prefetch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
