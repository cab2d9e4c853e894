/*
 * fuzz_assign - users/assign parser (convert/lib/parse/assign.c) and the
 * users/cdb emitter in check mode (convert/lib/emit/usercdb.c).
 *
 * Input: a users/assign file, as is.
 *
 * Properties: every entry the parser returns is one s2q-newu may write
 * (seven ':'-terminated fields inside the line, uid and gid decimal and in
 * 1..2^32-1, home absolute, '+' iff wildcard), line numbers increase; a file
 * without a '.' line has an error; after the end assign_next keeps
 * returning 0; the diagnostics pass fuzz_check_diags; usercdb counts every
 * entry; nothing leaks.
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/emit/usercdb.h"
#include "../../convert/lib/parse/assign.h"

static void number(struct bstr f)
{
	unsigned long long v = 0;
	size_t i;

	FUZZ_ASSERT(f.len > 0);
	for (i = 0; i < f.len; i++) {
		FUZZ_ASSERT(f.s[i] >= '0' && f.s[i] <= '9');
		v = v * 10 + (unsigned long long)(f.s[i] - '0');
		FUZZ_ASSERT(v <= 4294967295ULL);	/* leading zeros are fine, as for qmail */
	}
	FUZZ_ASSERT(v >= 1 && v <= 4294967295ULL);
}

static void inside(const struct assign_parser *p, struct bstr f)
{
	FUZZ_ASSERT(f.len == 0 || (f.s >= p->line.s && f.s + f.len <= p->line.s + p->line.len));
	FUZZ_ASSERT(f.len == 0 || memchr(f.s, ':', f.len) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d;
	struct assign_parser p;
	struct assign_ent e;
	struct usercdb u;
	char path[64];
	unsigned long last = 0, n = 0;
	int fd = fuzz_memfd(data, size), r;
	const uint8_t *dot;

	diag_init(&d);
	FUZZ_ASSERT(assign_open(&p, fuzz_fdpath(path, sizeof(path), fd), "users/assign", &d) == 0);
	FUZZ_ASSERT(usercdb_open(&u, -1, "users/cdb", &d, "users/assign") == 0);
	while ((r = assign_next(&p, &e)) > 0) {
		FUZZ_ASSERT(e.line > last);
		last = e.line;
		FUZZ_ASSERT(e.wild == (e.type == '+'));
		inside(&p, e.addr);
		inside(&p, e.user);
		inside(&p, e.uid);
		inside(&p, e.gid);
		inside(&p, e.home);
		inside(&p, e.dash);
		inside(&p, e.ext);
		number(e.uid);
		number(e.gid);
		FUZZ_ASSERT(e.home.len > 0 && e.home.s[0] == '/');
		FUZZ_ASSERT(usercdb_add(&u, &e) == 0);
		n++;
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(assign_next(&p, &e) == 0);
	FUZZ_ASSERT(u.nrec == n);
	/* no line starting with '.': qmail-newu would fail, so must we */
	dot = size && data[0] == '.' ? data : NULL;
	if (!dot) {
		const uint8_t *q = data;
		while ((q = memchr(q, '\n', size - (size_t)(q - data))) != NULL && q + 1 < data + size) {
			if (q[1] == '.') {
				dot = q + 1;
				break;
			}
			q++;
		}
	}
	if (!dot)
		FUZZ_ASSERT(d.nerr > 0);
	FUZZ_ASSERT(usercdb_commit(&u) == 0);
	assign_close(&p);
	fuzz_check_diags(&d, "S2Q-U");
	diag_free(&d);
	close(fd);
	return 0;
}
