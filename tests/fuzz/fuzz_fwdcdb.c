/*
 * fuzz_fwdcdb - fastforward's forward database read back
 * (convert/lib/parse/fwdcdb.c), and its setforward escaping.
 *
 * Input: the bytes of an aliases.cdb, as is.
 *
 * Properties: fwdcdb_print returns 0 or 1, and 1 exactly when it reported
 * something; fwdcdb_next's records lie inside the file and their
 * instructions cover the data exactly; fwd_escape of any target or data
 * leaves no unescaped blank, control, 8-bit byte or one of # , : ; \ and
 * unescapes back to the input; the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=16384
 */
#include "fuzz.h"

#include "../../convert/lib/parse/fwdcdb.h"

static void escaped(const struct bstr *b)
{
	buf e = BUF_INIT, back = BUF_INIT;
	size_t i;

	FUZZ_ASSERT(fwd_escape(&e, b->s, b->len) == 0);
	for (i = 0; i < e.len; i++) {
		unsigned char c = (unsigned char)e.s[i];

		if (c == '\\') {
			FUZZ_ASSERT(i + 1 < e.len);
			c = (unsigned char)e.s[++i];
		} else {
			FUZZ_ASSERT(c > ' ' && c < 0x80 && !strchr("#,:;", c));
		}
		FUZZ_ASSERT(buf_append_c(&back, (char)c) == 0);
	}
	FUZZ_ASSERT(back.len == b->len && (b->len == 0 || memcmp(back.s, b->s, b->len) == 0));
	buf_free(&e);
	buf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d, d2;
	struct fwdcdb f;
	struct fwd_rec rec;
	buf out = BUF_INIT;
	unsigned long last = 0;
	int r;

	diag_init(&d);
	diag_init(&d2);
	if (fwdcdb_init(&f, data, size, "aliases.cdb", &d) == 0) {
		while (fwdcdb_next(&f, &rec) > 0) {
			struct bstr ins;
			size_t pos = 0, covered = 0;

			FUZZ_ASSERT(rec.n > last);
			last = rec.n;
			FUZZ_ASSERT(rec.target.s >= (const char *)data &&
				    rec.data.s + rec.data.len <= (const char *)data + size);
			while (fwdcdb_instr(&rec, &pos, &ins) > 0) {
				FUZZ_ASSERT(ins.s == rec.data.s + covered);
				covered += ins.len + 1;
			}
			FUZZ_ASSERT(rec.owner || covered >= rec.data.len);
			escaped(&rec.target);
			escaped(&rec.data);
			FUZZ_ASSERT(fwdcdb_format(&out, &rec) == 0);
		}
		(void)fwdcdb_end(&f);
	}
	buf_reset(&out);
	r = fwdcdb_print(&out, data, size, "aliases.cdb", &d2);
	FUZZ_ASSERT(r == 0 || r == 1);
	FUZZ_ASSERT((r == 1) == (d2.n > 0));
	fuzz_check_diags(&d, "S2Q-D");
	fuzz_check_diags(&d2, "S2Q-D");
	buf_free(&out);
	diag_free(&d);
	diag_free(&d2);
	return 0;
}
