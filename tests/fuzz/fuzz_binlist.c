/*
 * fuzz_binlist - fastforward's binary mailing lists (convert/lib/parse/binlist.c).
 *
 * Input: the bytes of a .bin list, as is.
 *
 * Properties: every instruction returned is non-empty, begins with '&', '.'
 * or '/', holds no NUL and no newline, an address is at most 899 bytes;
 * binlist_print prints exactly those instructions, one a line, and returns
 * 1 exactly when it reported something; the diagnostics pass
 * fuzz_check_diags and stay bounded (10 per kind, then a count).
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/parse/binlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d, d2;
	struct binlist b;
	struct bstr ins;
	buf out = BUF_INIT, want = BUF_INIT;
	int r, e;

	diag_init(&d);
	diag_init(&d2);
	binlist_init(&b, data, size, "lists/staff.bin", &d);
	while (binlist_next(&b, &ins) > 0) {
		FUZZ_ASSERT(ins.len > 0 && (ins.s[0] == '&' || ins.s[0] == '.' || ins.s[0] == '/'));
		FUZZ_ASSERT(memchr(ins.s, '\0', ins.len) == NULL && memchr(ins.s, '\n', ins.len) == NULL);
		FUZZ_ASSERT(ins.s[0] != '&' || ins.len <= 899);
		FUZZ_ASSERT(ins.s >= (const char *)data && ins.s + ins.len <= (const char *)data + size);
		FUZZ_ASSERT(buf_append(&want, ins.s, ins.len) == 0 && buf_append_c(&want, '\n') == 0);
	}
	FUZZ_ASSERT(binlist_next(&b, &ins) == 0);
	e = binlist_end(&b);
	r = binlist_print(&out, data, size, "lists/staff.bin", &d2);
	FUZZ_ASSERT(r == e && (r == 0 || r == 1));
	FUZZ_ASSERT((r == 1) == (d2.n > 0));
	FUZZ_ASSERT(out.len == want.len && (out.len == 0 || memcmp(out.s, want.s, out.len) == 0));
	FUZZ_ASSERT(d2.n <= 5 * 11);
	fuzz_check_diags(&d2, "S2Q-D");
	buf_free(&out);
	buf_free(&want);
	diag_free(&d);
	diag_free(&d2);
	return 0;
}
