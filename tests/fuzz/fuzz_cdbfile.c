/*
 * fuzz_cdbfile - the cdb decoder of s2q-diff (convert/lib/parse/cdbfile.c),
 * checked against tinycdb's own lookups.
 *
 * Input: the bytes of a cdb file, as is.
 *
 * Properties: every record returned lies inside the records area (2048 ..
 * end of records), records follow each other without gaps, their numbers
 * count from 1; rewinding gives the same records (none after a structural
 * error: the decoder stays at its end); after the end
 * cdbfile_next keeps returning 0; cdbfile_dump prints exactly those records
 * as `cdb -d` does and agrees with cdbfile_check; the diagnostics pass fuzz_check_diags.
 * When the decoder calls the file well-formed, tinycdb (the reader qmail's
 * side uses) agrees record for record: the hash is the same, and looking up
 * each record's key returns the records with that key in file order, this
 * one among them.
 *
 * fuzz-options: -max_len=16384
 */
#include "fuzz.h"

#include <cdb.h>

#include "../../convert/lib/parse/cdbfile.h"

#define MAXREC 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_sink d, d2;
	struct cdbfile f;
	struct cdbrec r;
	buf dump = BUF_INIT, want = BUF_INIT;
	size_t next = 2048, i, nrec = 0;
	static size_t off[MAXREC];
	int init, dr, ck;

	diag_init(&d);
	diag_init(&d2);
	init = cdbfile_init(&f, data, size, "users/cdb", &d);
	FUZZ_ASSERT(init == 0 || init == 1);
	while (cdbfile_next(&f, &r) > 0) {
		FUZZ_ASSERT(r.off == next);
		FUZZ_ASSERT(r.n == nrec + 1);
		FUZZ_ASSERT(r.key == (const char *)data + r.off + 8 && r.val == r.key + r.klen);
		FUZZ_ASSERT(r.off + 8 + r.klen + r.vlen <= f.eod && f.eod <= size);
		FUZZ_ASSERT(cdbfile_hash(r.key, r.klen) == cdb_hash(r.key, (unsigned)r.klen));
		if (nrec < MAXREC)
			off[nrec] = r.off;
		FUZZ_ASSERT(buf_printf(&want, "+%zu,%zu:", r.klen, r.vlen) == 0);
		FUZZ_ASSERT(buf_append(&want, r.key, r.klen) == 0 && buf_append(&want, "->", 2) == 0);
		FUZZ_ASSERT(buf_append(&want, r.val, r.vlen) == 0 && buf_append_c(&want, '\n') == 0);
		nrec++;
		next = r.off + 8 + r.klen + r.vlen;
	}
	FUZZ_ASSERT(cdbfile_next(&f, &r) == 0);
	if (!f.bad)
		FUZZ_ASSERT(next == f.eod);
	if (!f.bad)
		FUZZ_ASSERT(buf_append_c(&want, '\n') == 0);
	cdbfile_rewind(&f);
	for (i = 0; cdbfile_next(&f, &r) > 0; i++)
		FUZZ_ASSERT(i >= MAXREC || r.off == off[i]);
	/* after a structural error nothing more is read, a rewind included */
	FUZZ_ASSERT(i == nrec || (f.bad && i == 0));

	dr = cdbfile_dump(&dump, data, size, "users/cdb", &d2);
	ck = cdbfile_check(data, size);
	FUZZ_ASSERT(dr == 0 || dr == 1);
	FUZZ_ASSERT(dr == ck);
	/* `cdb -d` format: one line per record, and the empty line when all were read */
	FUZZ_ASSERT(dump.len == want.len && (want.len == 0 || memcmp(dump.s, want.s, want.len) == 0));
	fuzz_check_diags(&d, "S2Q-D");
	fuzz_check_diags(&d2, "S2Q-D");

	if (ck == 0 && nrec <= MAXREC && size <= 0xffffffffu) {
		/* well-formed: tinycdb finds every record, duplicates in file order */
		int fd = fuzz_memfd(data, size);
		struct cdb c;

		FUZZ_ASSERT(cdb_init(&c, fd) == 0);
		for (i = 0; i < nrec; i++) {
			const unsigned char *k = data + off[i] + 8;
			unsigned klen = cdb_unpack(data + off[i]);
			struct cdb_find cf;
			int found = 0;

			FUZZ_ASSERT(cdb_findinit(&cf, &c, k, klen) >= 0);
			while (!found && cdb_findnext(&cf) > 0) {
				size_t pos = cdb_datapos(&c);

				FUZZ_ASSERT(pos <= off[i] + 8 + klen);	/* earlier duplicates first */
				found = pos == off[i] + 8 + klen;
			}
			FUZZ_ASSERT(found);
		}
		cdb_free(&c);
		close(fd);
	}
	buf_free(&dump);
	buf_free(&want);
	diag_free(&d);
	diag_free(&d2);
	return 0;
}
