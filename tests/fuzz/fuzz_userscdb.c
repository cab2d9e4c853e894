/*
 * fuzz_userscdb - users/cdb read back as users/assign (convert/lib/parse/userscdb.c,
 * over cdbfile.c), and the round trip through the users/assign parser.
 *
 * Input: the bytes of a users/cdb, as is.
 *
 * Properties: userscdb_print returns 0 or 1, and 1 exactly when it
 * reported something; its entries come in record order; the diagnostics
 * pass fuzz_check_diags.  When the file raised no problem at all, every
 * line of the printed users/assign is either accepted by s2q-newu's parser
 * with the same fields, its users/cdb key (usercdb_key) being the key of the
 * record it came from, or rejected with an error at that line (s2q-newu is
 * stricter than qmail-newu: a relative home, say, is an error there but
 * passes this reader silently).
 *
 * fuzz-options: -max_len=16384
 */
#include "fuzz.h"

#include "../../convert/lib/emit/usercdb.h"
#include "../../convert/lib/parse/assign.h"
#include "../../convert/lib/parse/userscdb.h"

static int same(struct bstr a, struct bstr b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.s, b.s, a.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d, d2;
	struct userscdb u;
	struct assign_ent e, a;
	struct assign_parser p;
	struct cdbfile f;
	struct cdbrec rec;
	buf out = BUF_INIT, key = BUF_INIT;
	char path[64];
	unsigned long last = 0, n = 0;
	int pr, r, ar, fd;

	diag_init(&d);
	pr = userscdb_print(&out, data, size, "users/cdb", &d);
	FUZZ_ASSERT(pr == 0 || pr == 1);
	FUZZ_ASSERT((pr == 1) == (d.n > 0));
	fuzz_check_diags(&d, "S2Q-D");
	diag_free(&d);

	/* entries in record order, whatever the file */
	diag_init(&d);
	if (userscdb_init(&u, data, size, "users/cdb", &d) == 0) {
		while ((r = userscdb_next(&u, &e)) > 0) {
			FUZZ_ASSERT(e.line > last);
			last = e.line;
			FUZZ_ASSERT(e.wild == (e.type == '+'));
		}
		FUZZ_ASSERT(r == 0);
		FUZZ_ASSERT(userscdb_end(&u) == pr);
	}
	userscdb_free(&u);
	diag_free(&d);
	if (pr != 0) {
		buf_free(&out);
		return 0;
	}

	/* a clean users/cdb: its users/assign compiles back to the same entries and keys */
	FUZZ_ASSERT(out.len >= 2 && memcmp(out.s + out.len - 2, ".\n", 2) == 0);
	diag_init(&d);
	diag_init(&d2);
	fd = fuzz_memfd(out.s, out.len);
	FUZZ_ASSERT(userscdb_init(&u, data, size, "users/cdb", &d) == 0);
	FUZZ_ASSERT(assign_open(&p, fuzz_fdpath(path, sizeof(path), fd), "users/assign", &d2) == 0);
	FUZZ_ASSERT(cdbfile_init(&f, data, size, "users/cdb", &d) == 0);
	ar = assign_next(&p, &a);
	while ((r = userscdb_next(&u, &e)) > 0) {
		size_t j;
		int err = 0;

		n++;	/* line n of the printed users/assign */
		do	/* the record e came from (e.line is its number) */
			FUZZ_ASSERT(cdbfile_next(&f, &rec) == 1);
		while (rec.n < e.line);
		if (ar != 1 || a.line != n) {
			/* s2q-newu rejects this line (e.g. a relative home): it said so, at that line */
			for (j = 0; j < d2.n; j++)
				err |= d2.v[j].sev == DIAG_ERROR && d2.v[j].line == n;
			FUZZ_ASSERT(err);
			continue;
		}
		FUZZ_ASSERT(a.wild == e.wild && a.type == e.type);
		FUZZ_ASSERT(same(a.addr, e.addr) && same(a.user, e.user) && same(a.uid, e.uid));
		FUZZ_ASSERT(same(a.gid, e.gid) && same(a.home, e.home) && same(a.dash, e.dash));
		FUZZ_ASSERT(same(a.ext, e.ext));
		FUZZ_ASSERT(usercdb_key(&key, &a) == 0);
		FUZZ_ASSERT(key.len == rec.klen && memcmp(key.s, rec.key, rec.klen) == 0);
		ar = assign_next(&p, &a);
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(ar == 0);
	FUZZ_ASSERT(d.n == 0);
	fuzz_check_diags(&d2, "S2Q-U");
	assign_close(&p);
	userscdb_free(&u);
	close(fd);
	buf_free(&key);
	buf_free(&out);
	diag_free(&d);
	diag_free(&d2);
	return 0;
}
