/*
 * fuzz_virtuser - the virtusertable: parse/virtuser.c (vtab over parse/maptext,
 * value classification) and model/virtuser.c (key kinds, the seven lookups,
 * %n expansion, error values).
 *
 * Input: byte 0 bit 0 = MAPTEXT_NOFOLD; the rest is the virtusertable source.
 *
 * Properties: vtab_at gives every record back as vtab_next returned it, and
 * vtab_get finds each key's own value; a key without '@' is VU_NOAT and
 * one with '@' splits at its last '@'; looking up the local part and domain
 * of a key with a non-empty local part (domain not ending in '.') hits at
 * step 1 with that key's value; every value is classified (template,
 * error value or target) and expanded with the match's arguments without
 * error; the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/model/virtuser.h"
#include "../../convert/lib/parse/virtuser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d;
	struct vtab t;
	struct maptext_rec rec;
	size_t n = 0, i;
	int r;

	if (size < 1)
		return 0;
	diag_init(&d);
	FUZZ_ASSERT(vtab_open(&t, fuzz_memfd(data + 1, size - 1), "virtusertable",
			      data[0] & MAPTEXT_NOFOLD, &d) == 0);
	while ((r = vtab_next(&t, &rec)) > 0)
		n++;
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(vtab_next(&t, &rec) == 0);
	for (i = 0; i < n; i++) {
		const char *key, *val, *gv, *at = NULL;
		size_t klen, vlen, gl, j;
		unsigned long line;
		struct vu_key k;
		struct vu_target tg;
		struct vu_err er;
		struct vu_match m;
		struct vu_args a;
		buf out = BUF_INIT;
		int e;

		FUZZ_ASSERT(vtab_at(&t, i, &key, &klen, &val, &vlen, &line) == 1);
		FUZZ_ASSERT(klen > 0 && vlen > 0 && line > 0);
		FUZZ_ASSERT(vtab_get(&t, key, klen, &gv, &gl) == 1);
		FUZZ_ASSERT(gl == vlen && memcmp(gv, val, vlen) == 0);
		vu_key_parse(key, klen, &k);
		for (j = 0; j < klen; j++)
			if (key[j] == '@')
				at = key + j;
		FUZZ_ASSERT((k.kind == VU_NOAT) == (at == NULL));
		if (at) {
			FUZZ_ASSERT(k.domain == at + 1 && k.dlen == (size_t)(key + klen - at - 1));
			FUZZ_ASSERT(k.local == key && k.llen == (size_t)(at - key));
		}

		vu_match_init(&m);
		if (at && at > key && k.dlen > 0 && k.domain[k.dlen - 1] != '.') {
			r = vu_lookup(vtab_get, &t, data[0] & MAPTEXT_NOFOLD, key, (size_t)(at - key),
				      at + 1, k.dlen, &m);
			FUZZ_ASSERT(r == 1 && m.step == 1);
			FUZZ_ASSERT(m.vlen == vlen && memcmp(m.val, val, vlen) == 0);
		}
		vu_match_args(&m, &a);
		FUZZ_ASSERT(vu_expand(&out, val, vlen, &a) == 0);
		vu_err_init(&er);
		e = vu_value_error(val, vlen, &er);
		FUZZ_ASSERT(e == 0 || e == 1);
		vu_err_free(&er);
		vu_target_init(&tg);
		if (vu_uses(val, vlen))
			FUZZ_ASSERT(vu_target_template(val, vlen, &tg) == 0);
		else
			FUZZ_ASSERT(vu_target_parse(val, vlen, &tg) == 0);
		FUZZ_ASSERT(tg.kind <= VT_BOUNCE);
		FUZZ_ASSERT(tg.kind != VT_BOUNCE || tg.text != NULL);
		vu_target_free(&tg);
		vu_match_free(&m);
		buf_free(&out);
	}
	vtab_close(&t);
	fuzz_check_diags(&d, "S2Q-M");
	diag_free(&d);
	return 0;
}
