/*
 * fuzz_mrhcdb - control/morercpthosts.cdb read back (convert/lib/parse/mrhcdb.c).
 *
 * Input: the bytes of a cdb, as is.
 *
 * Properties: mrhcdb_print returns 0 or 1, and 1 exactly when it reported
 * something; its output is lines sorted bytewise with no control byte and
 * no lone backslash (a '\' or control byte in a key is written "\\" or
 * "\xNN"); the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=16384
 */
#include "fuzz.h"

#include "../../convert/lib/parse/mrhcdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d;
	buf out = BUF_INIT;
	size_t i, prev = 0, prevlen = 0, start = 0;
	int r;

	diag_init(&d);
	r = mrhcdb_print(&out, data, size, "control/morercpthosts.cdb", &d);
	FUZZ_ASSERT(r == 0 || r == 1);
	FUZZ_ASSERT((r == 1) == (d.n > 0));
	FUZZ_ASSERT(out.len == 0 || out.s[out.len - 1] == '\n');
	for (i = 0; i < out.len; i++) {
		unsigned char c = (unsigned char)out.s[i];

		if (c == '\n') {
			size_t n = i - start, m = n < prevlen ? n : prevlen;
			int cmp = memcmp(out.s + prev, out.s + start, m);

			/* escaped forms sort like the raw keys only mostly: check plain lines */
			if (start > 0 && !memchr(out.s + prev, '\\', prevlen) && !memchr(out.s + start, '\\', n))
				FUZZ_ASSERT(cmp < 0 || (cmp == 0 && prevlen <= n));
			prev = start;
			prevlen = n;
			start = i + 1;
			continue;
		}
		FUZZ_ASSERT(c >= 0x20 && c != 0x7f);
		if (c == '\\') {
			FUZZ_ASSERT(i + 1 < out.len && (out.s[i + 1] == '\\' || out.s[i + 1] == 'x'));
			i++;
		}
	}
	fuzz_check_diags(&d, "S2Q-D");
	buf_free(&out);
	diag_free(&d);
	return 0;
}
