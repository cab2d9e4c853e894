/*
 * test_usercdb - duplicate reporting of emit/usercdb: the warnings found at
 * the end (usercdb_finish) land in the sink exactly where reporting them
 * while streaming put them, DIAG_KEEP truncation and counts included.  The
 * model here is the streaming one: an hset of keys, a diag_add per duplicate
 * right after the record was read.
 */
#include "testutil.h"

#include <fcntl.h>

#include "../../convert/lib/emit/usercdb.h"
#include "../../convert/lib/parse/assign.h"
#include "../../convert/lib/util/hset.h"

static uint64_t rng;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

/* gen - a users/assign with duplicates (other case), errors and warnings mixed */
static void gen(buf *b, unsigned lines, unsigned dupevery, unsigned bad, int dot)
{
	unsigned i;

	buf_reset(b);
	for (i = 0; i < lines; i++) {
		unsigned k = i, r = rnd(100);

		if (dupevery && i > 0 && rnd(dupevery) == 0)
			k = rnd(i);	/* an earlier key (it may itself be bad or a dup) */
		if (r < bad)
			assert_int_equal(buf_printf(b, "=k%u:u:0:1:/h:::\n", k), 0);	/* U006, skipped */
		else if (r < bad + 5)
			assert_int_equal(buf_printf(b, "#K%u:u:1:1:/h:::\n", k), 0);	/* U011, an entry */
		else if (r < bad + 10)
			assert_int_equal(buf_printf(b, "+K%u-:u:1:1:/h:-::\n", k), 0);
		else if (r < bad + 12)
			assert_int_equal(buf_printf(b, "\n"), 0);	/* U003 */
		else
			assert_int_equal(buf_printf(b, "=%c%u:u:1:1:/h:::x\n", rnd(2) ? 'K' : 'k', k), 0);
	}
	if (dot)
		assert_int_equal(buf_append_s(b, ".\n"), 0);
}

/* model - the streaming reporting of duplicates */
static void model(const char *path, struct diag_sink *d)
{
	struct assign_parser p;
	struct assign_ent e;
	struct hset seen;
	buf key = BUF_INIT;
	unsigned long first;
	int r;

	hset_init(&seen);
	assert_int_equal(assign_open(&p, path, "users/assign", d), 0);
	while ((r = assign_next(&p, &e)) > 0) {
		assert_int_equal(usercdb_key(&key, &e), 0);
		r = hset_put(&seen, key.s, key.len, e.line, &first);
		assert_true(r >= 0);
		if (r == 0)
			diag_add(d, DIAG_WARN, "S2Q-U013", "users/assign", e.line,
				 "duplicate %s '%.*s': the entry at line %lu wins",
				 e.wild ? "wildcard" : "address", (int)e.addr.len, e.addr.s, first);
	}
	assert_int_equal(r, 0);
	assign_close(&p);
	hset_free(&seen);
	buf_free(&key);
}

static void ours(const char *path, int rootfd, struct diag_sink *d, int finish)
{
	struct assign_parser p;
	struct assign_ent e;
	struct usercdb u;
	int r;

	assert_int_equal(assign_open(&p, path, "users/assign", d), 0);
	assert_int_equal(usercdb_open(&u, rootfd, "cdb", d, "users/assign"), 0);
	while ((r = assign_next(&p, &e)) > 0)
		assert_int_equal(usercdb_add(&u, &e), 0);
	assert_int_equal(r, 0);
	assign_close(&p);
	if (finish)
		assert_int_equal(usercdb_finish(&u), 0);
	assert_int_equal(usercdb_commit(&u), 0);
}

static void same(const struct diag_sink *a, const struct diag_sink *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->nerr, b->nerr);
	assert_int_equal(a->nwarn, b->nwarn);
	assert_int_equal(a->nnote, b->nnote);
	assert_int_equal(a->dropped, b->dropped);
	assert_int_equal(a->oom, b->oom);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].sev, b->v[i].sev);
		assert_string_equal(a->v[i].code, b->v[i].code);
		assert_int_equal(a->v[i].line, b->v[i].line);
		assert_string_equal(a->v[i].file ? a->v[i].file : "-", b->v[i].file ? b->v[i].file : "-");
		assert_string_equal(a->v[i].msg, b->v[i].msg);
	}
}

static const struct ucase {
	unsigned lines, dupevery, bad;
	int dot;
	size_t min_dups;	/* at least this many S2Q-U013 in the sink (the case tests something) */
} cases[] = {
	{ 0, 0, 0, 0, 0 },
	{ 1, 0, 0, 1, 0 },
	{ 200, 3, 10, 1, 10 },
	{ 200, 2, 0, 0, 10 },	/* no final '.': U002 after the last record's duplicate */
	{ 3000, 2, 20, 1, 100 },
	{ 9990, 4, 5, 1, 100 },	/* crosses DIAG_KEEP with the duplicates only */
	{ 14000, 3, 40, 0, 100 },	/* the model's sink and ours overflow */
	{ 30000, 1, 0, 1, 100 },	/* duplicates only, most lines */
};

static size_t count_code(const struct diag_sink *d, const char *code)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += strcmp(d->v[i].code, code) == 0;
	return n;
}

static void test_model(void **state)
{
	size_t c;
	int seed;
	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (seed = 1; seed <= 3; seed++) {
			char *dir = tu_tmpdir(), path[512];
			struct diag_sink want, got;
			buf in = BUF_INIT;
			int fd = open(dir, O_RDONLY | O_DIRECTORY);

			rng = (uint64_t)seed * 7919 + c;
			gen(&in, cases[c].lines, cases[c].dupevery, cases[c].bad, cases[c].dot);
			tu_writefile(dir, "assign", in.s ? in.s : "", in.len);
			snprintf(path, sizeof(path), "%s/assign", dir);
			diag_init(&want);
			diag_init(&got);
			model(path, &want);
			/* check mode, finish called; then writing, finish left to commit */
			ours(path, -1, &got, 1);
			same(&want, &got);
			diag_free(&got);
			diag_init(&got);
			ours(path, fd, &got, 0);
			same(&want, &got);
			if (cases[c].min_dups)
				assert_true(count_code(&got, "S2Q-U013") >= cases[c].min_dups);
			diag_free(&want);
			diag_free(&got);
			buf_free(&in);
			close(fd);
			tu_rmtree(dir);
		}
	}
}

/* a sink that already holds other diagnostics keeps them, in place */
static void test_shared_sink(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	static const char in[] = "=a:u:1:1:/h:::\n=A:u:1:1:/h:::\n#a:u:1:1:/h:::\n.\n";
	struct diag_sink d;
	(void)state;
	tu_writefile(dir, "assign", in, sizeof(in) - 1);
	snprintf(path, sizeof(path), "%s/assign", dir);
	diag_init(&d);
	diag_add(&d, DIAG_NOTE, "S2Q-X001", "other", 7, "before");
	ours(path, -1, &d, 1);
	diag_add(&d, DIAG_ERROR, "S2Q-X002", NULL, 0, "after %d%%", 100);
	assert_int_equal(d.n, 5);
	assert_string_equal(d.v[0].msg, "before");
	assert_string_equal(d.v[1].msg, "duplicate address 'A': the entry at line 1 wins");
	assert_int_equal(d.v[1].line, 2);
	assert_string_equal(d.v[2].code, "S2Q-U011");
	assert_string_equal(d.v[3].msg, "duplicate address 'a': the entry at line 1 wins");
	assert_string_equal(d.v[4].msg, "after 100%");
	assert_null(d.v[4].file);
	assert_int_equal(d.nwarn, 3);
	assert_int_equal(d.nnote, 1);
	assert_int_equal(d.nerr, 1);
	diag_free(&d);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_shared_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
