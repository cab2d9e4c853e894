/*
 * fuzz_passwd - the old host's passwd reader (convert/lib/parse/passwd.c).
 *
 * Input: a passwd file, as is.
 *
 * Properties: every entry has a non-empty name; name, passwd, gecos and
 * home hold no ':' (the shell may: glibc keeps extra fields there); all
 * fields lie inside the line; uid and gid fit 32 bits; names are unique (a
 * duplicate is reported, not returned); line numbers increase; after the
 * end passwd_next keeps returning 0; the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/parse/passwd.h"

static void inside(const struct passwd_parser *p, struct bstr f, int colon_ok)
{
	FUZZ_ASSERT(f.len == 0 || (f.s >= p->line.s && f.s + f.len <= p->line.s + p->line.len));
	FUZZ_ASSERT(colon_ok || f.len == 0 || memchr(f.s, ':', f.len) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d;
	struct passwd_parser p;
	struct passwd_ent e;
	struct hset names;
	char path[64];
	unsigned long last = 0, old;
	int fd = fuzz_memfd(data, size), r;

	diag_init(&d);
	hset_init(&names);
	FUZZ_ASSERT(passwd_open(&p, fuzz_fdpath(path, sizeof(path), fd), "/etc/passwd", &d) == 0);
	while ((r = passwd_next(&p, &e)) > 0) {
		FUZZ_ASSERT(e.line > last);
		last = e.line;
		FUZZ_ASSERT(e.name.len > 0);
		inside(&p, e.name, 0);
		inside(&p, e.passwd, 0);
		inside(&p, e.gecos, 0);
		inside(&p, e.home, 0);
		inside(&p, e.shell, 1);
		FUZZ_ASSERT(e.uid <= 4294967295UL && e.gid <= 4294967295UL);
		FUZZ_ASSERT(hset_put(&names, e.name.s, e.name.len, e.line, &old) == 1);
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(passwd_next(&p, &e) == 0);
	passwd_close(&p);
	fuzz_check_diags(&d, "S2Q-P");
	hset_free(&names);
	diag_free(&d);
	close(fd);
	return 0;
}
