/*
 * fuzz_maptext - makemap text map reader (convert/lib/parse/maptext.c),
 * against a line-by-line model of the rules written in maptext.h.
 *
 * Input: byte 0 bit 0 = MAPTEXT_NOFOLD; the rest is the map file.
 *
 * Properties: the records (key, value, line) and the diagnostics (code and
 * line, in order) are exactly the model's: NUL -> M001, longer than
 * MAPTEXT_LINE_MAX -> M002, empty or '#' -> skipped, leading white space ->
 * M003, no value -> M004, a key seen before (after folding) -> M005, else a
 * record (the key folded unless NOFOLD, the value the rest after the white
 * space run, a final CR kept and warned with M006); after the end
 * maptext_next keeps returning 0; the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/parse/maptext.h"

static int ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* the model's verdict on one line: a diagnostic code (NULL: none) and, for a record, key/value */
struct verdict {
	const char *code;
	int rec, crwarn;
	size_t klen, voff, vlen;
	unsigned long first;	/* M005: the line that keeps the key */
};

static void judge(const uint8_t *s, size_t n, unsigned long ln, unsigned flags, struct hset *keys,
		  buf *key, struct verdict *v)
{
	size_t k, i;
	int put;

	memset(v, 0, sizeof(*v));
	if (memchr(s, '\0', n)) {
		v->code = "S2Q-M001";
		return;
	}
	if (n > MAPTEXT_LINE_MAX) {
		v->code = "S2Q-M002";
		return;
	}
	if (n == 0 || s[0] == '#')
		return;
	if (ws(s[0])) {
		v->code = "S2Q-M003";
		return;
	}
	buf_reset(key);
	for (k = 0; k < n && !ws(s[k]); k++) {
		char c = (char)s[k];
		if (!(flags & MAPTEXT_NOFOLD) && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		FUZZ_ASSERT(buf_append_c(key, c) == 0);
	}
	for (i = k; i < n && ws(s[i]); i++)
		;
	if (i == n) {
		v->code = "S2Q-M004";
		return;
	}
	put = hset_put(keys, key->s, k, ln, &v->first);
	FUZZ_ASSERT(put >= 0);
	if (put == 0) {
		v->code = "S2Q-M005";
		return;
	}
	v->rec = 1;
	v->klen = k;
	v->voff = i;
	v->vlen = n - i;
	v->crwarn = s[n - 1] == '\r';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d;
	struct maptext m;
	struct maptext_rec rec;
	struct verdict v;
	struct hset keys;
	buf key = BUF_INIT;
	unsigned flags;
	const uint8_t *s, *end;
	unsigned long ln = 0;
	size_t nd;

	if (size < 1)
		return 0;
	flags = data[0] & MAPTEXT_NOFOLD;
	s = data + 1;
	end = data + size;
	diag_init(&d);
	hset_init(&keys);
	FUZZ_ASSERT(maptext_fdopen(&m, fuzz_memfd(s, (size_t)(end - s)), "virtusertable", flags, &d) == 0);
	/* line by line: the model's verdict, then the reader must agree */
	while (s < end) {
		const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		judge(s, n, ++ln, flags, &keys, &key, &v);
		if (v.rec) {
			FUZZ_ASSERT(maptext_next(&m, &rec) == 1);
			FUZZ_ASSERT(rec.line == ln);
			FUZZ_ASSERT(rec.klen == v.klen && memcmp(rec.key, key.s, v.klen) == 0);
			FUZZ_ASSERT(rec.vlen == v.vlen && memcmp(rec.val, s + v.voff, v.vlen) == 0);
		}
		s = nl ? nl + 1 : end;
	}
	FUZZ_ASSERT(maptext_next(&m, &rec) == 0);
	FUZZ_ASSERT(maptext_next(&m, &rec) == 0);
	maptext_close(&m);
	FUZZ_ASSERT(!d.oom);
	buf_free(&key);
	hset_free(&keys);

	/* the diagnostics once more, all of them now: (code, line) in order, nothing else */
	hset_init(&keys);
	s = data + 1;
	ln = 0;
	nd = 0;
	while (s < end) {
		const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		judge(s, n, ++ln, flags, &keys, &key, &v);
		if (v.code || v.crwarn) {
			const struct diag *g;

			FUZZ_ASSERT(nd < d.n);
			g = &d.v[nd++];
			FUZZ_ASSERT(strcmp(g->code, v.code ? v.code : "S2Q-M006") == 0);
			FUZZ_ASSERT(g->line == ln);
			FUZZ_ASSERT(g->sev == (v.code ? DIAG_ERROR : DIAG_WARN));
			if (v.code && strcmp(v.code, "S2Q-M005") == 0) {
				char want[64];

				snprintf(want, sizeof(want), "makemap keeps line %lu ", v.first);
				FUZZ_ASSERT(strstr(g->msg, want) != NULL);
			}
		}
		s = nl ? nl + 1 : end;
	}
	FUZZ_ASSERT(nd == d.n);
	fuzz_check_diags(&d, "S2Q-M");
	buf_free(&key);
	hset_free(&keys);
	diag_free(&d);
	return 0;
}
