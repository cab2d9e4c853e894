/* parse/cdbfile - a cdb file read record by record, its structure checked */
#include "cdbfile.h"

#include <string.h>

/* diagnostic codes: S2Q-D001..D009 (cdb structure) */

#define TOC 2048		/* bytes in the table of contents */
#define MAXSHOWN 10		/* problems of one kind reported one by one */

static uint32_t u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t cdbfile_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 5381;
	size_t i;

	for (i = 0; i < len; i++)
		h = ((h << 5) + h) ^ p[i];
	return h;
}

int cdbfile_init(struct cdbfile *f, const void *p, size_t size, const char *file,
		 struct diag_sink *d)
{
	unsigned t;

	memset(f, 0, sizeof(*f));
	f->p = p;
	f->size = size;
	f->file = file;
	f->d = d;
	f->pos = TOC;
	if (size < TOC) {
		diag_add(d, DIAG_WARN, "S2Q-D001", file, 0,
			 "truncated cdb: %zu bytes, but a cdb begins with a %d-byte table of contents",
			 size, TOC);
		f->bad = 1;
		return 1;
	}
	f->eod = u32(f->p);
	if (f->eod < TOC || f->eod > size) {
		diag_add(d, DIAG_WARN, "S2Q-D002", file, 0,
			 "not a cdb (or truncated): the records end at offset %zu, outside %d..%zu",
			 f->eod, TOC, size);
		f->bad = 1;
		return 1;
	}
	for (t = 0; t < 256; t++) {
		size_t tpos = u32(f->p + 8 * t), tn = u32(f->p + 8 * t + 4);

		if (tn == 0)
			continue;
		if (tpos < f->eod || tpos > size || tn > (size - tpos) / 8) {
			diag_add(d, DIAG_WARN, "S2Q-D005", file, 0,
				 "hash table %u (%zu slots at offset %zu) lies outside the file (%zu bytes)",
				 t, tn, tpos, size);
			f->badindex = 1;	/* the records may still be read */
		}
	}
	return f->badindex;
}

void cdbfile_rewind(struct cdbfile *f)
{
	f->pos = TOC;
	f->nrec = 0;
}

int cdbfile_next(struct cdbfile *f, struct cdbrec *r)
{
	size_t left, klen, vlen;

	if (f->bad || f->size < TOC || f->pos >= f->eod)
		return 0;
	left = f->eod - f->pos;
	if (left < 8) {
		diag_add(f->d, DIAG_WARN, "S2Q-D003", f->file, 0,
			 "record %lu at offset %zu: only %zu of its 8 header bytes before the "
			 "hash tables (truncated or corrupt)", f->nrec + 1, f->pos, left);
		f->bad = 1;
		return 0;
	}
	klen = u32(f->p + f->pos);
	vlen = u32(f->p + f->pos + 4);
	if (klen > left - 8 || vlen > left - 8 - klen) {
		diag_add(f->d, DIAG_WARN, "S2Q-D004", f->file, 0,
			 "record %lu at offset %zu: key length %zu and data length %zu run past the "
			 "end of the records at offset %zu (truncated or corrupt)",
			 f->nrec + 1, f->pos, klen, vlen, f->eod);
		f->bad = 1;
		return 0;
	}
	r->off = f->pos;
	r->key = (const char *)f->p + f->pos + 8;
	r->klen = klen;
	r->val = r->key + klen;
	r->vlen = vlen;
	r->n = ++f->nrec;
	f->pos += 8 + klen + vlen;
	return 1;
}

/* keyat - the key of the record at off, if off is a sane record position */
static int keyat(const struct cdbfile *f, size_t off, const char **key, size_t *klen)
{
	size_t k;

	if (off < TOC || off > f->eod || f->eod - off < 8)
		return 0;
	k = u32(f->p + off);
	if (k > f->eod - off - 8 || u32(f->p + off + 4) > f->eod - off - 8 - k)
		return 0;
	*key = (const char *)f->p + off + 8;
	*klen = k;
	return 1;
}

int cdbfile_find(const struct cdbfile *f, const void *key, size_t klen, struct cdbrec *r)
{
	uint32_t h = cdbfile_hash(key, klen);
	size_t tpos, tn, k, slot;

	if (f->bad || f->size < TOC || f->eod < TOC || f->eod > f->size)
		return 0;
	tpos = u32(f->p + 8 * (h & 255));
	tn = u32(f->p + 8 * (h & 255) + 4);
	if (tn == 0 || tpos < f->eod || tpos > f->size || tn > (f->size - tpos) / 8)
		return 0;
	for (k = 0, slot = (h >> 8) % tn; k < tn; k++, slot = (slot + 1) % tn) {
		const unsigned char *e = f->p + tpos + 8 * slot;
		size_t spos = u32(e + 4), kl;
		const char *kp;

		if (spos == 0)
			return 0;
		if (u32(e) != h || !keyat(f, spos, &kp, &kl) || kl != klen ||
		    (klen && memcmp(kp, key, klen) != 0))
			continue;
		r->off = spos;
		r->key = kp;
		r->klen = kl;
		r->val = kp + kl;
		r->vlen = u32(f->p + spos + 4);
		r->n = 0;
		return 1;
	}
	return 0;
}

int cdbfile_verify(struct cdbfile *f)
{
	struct cdbfile s = *f;
	struct cdbrec r;
	unsigned long nlost = 0, norder = 0, nrec = 0, nslots = 0;
	unsigned t;
	int bad = 0;

	if (f->bad || f->badindex || f->size < TOC || f->eod < TOC || f->eod > f->size)
		return 1;
	for (t = 0; t < 256; t++) {
		size_t tpos = u32(f->p + 8 * t), tn = u32(f->p + 8 * t + 4), i;

		if (tn == 0)
			continue;
		if (tpos < f->eod || tpos > f->size || tn > (f->size - tpos) / 8)
			return 1;
		for (i = 0; i < tn; i++)
			nslots += u32(f->p + tpos + 8 * i + 4) != 0;
	}
	cdbfile_rewind(&s);
	s.d = f->d;
	while (cdbfile_next(&s, &r) > 0) {
		uint32_t h = cdbfile_hash(r.key, r.klen);
		size_t tpos = u32(f->p + 8 * (h & 255)), tn = u32(f->p + 8 * (h & 255) + 4), k, slot;
		int found = 0, early = 0;

		nrec++;
		for (k = 0, slot = tn ? (h >> 8) % tn : 0; k < tn; k++, slot = (slot + 1) % tn) {
			const unsigned char *e = f->p + tpos + 8 * slot;
			size_t spos = u32(e + 4), klen;
			const char *key;

			if (spos == 0)
				break;
			if (u32(e) != h)
				continue;
			if (spos == r.off) {
				found = 1;
				break;
			}
			if (spos > r.off && keyat(f, spos, &key, &klen) && klen == r.klen &&
			    memcmp(key, r.key, klen) == 0)
				early = 1;
		}
		if (!found && ++nlost <= MAXSHOWN)
			diag_add(f->d, DIAG_WARN, "S2Q-D006", f->file, 0,
				 "record %lu at offset %zu is missing from the hash tables: lookups "
				 "do not find it", r.n, r.off);
		if (found && early && ++norder <= MAXSHOWN)
			diag_add(f->d, DIAG_WARN, "S2Q-D008", f->file, 0,
				 "record %lu at offset %zu: a later record with the same key comes "
				 "first in the hash table, so lookups return that one", r.n, r.off);
	}
	if (s.bad) {
		f->bad = 1;
		bad = 1;
	}
	if (nlost > MAXSHOWN)
		diag_add(f->d, DIAG_WARN, "S2Q-D006", f->file, 0,
			 "%lu more records missing from the hash tables", nlost - MAXSHOWN);
	if (norder > MAXSHOWN)
		diag_add(f->d, DIAG_WARN, "S2Q-D008", f->file, 0,
			 "%lu more records shadowed by later duplicates", norder - MAXSHOWN);
	if (!s.bad && nslots != nrec)
		diag_add(f->d, DIAG_WARN, "S2Q-D007", f->file, 0,
			 "the hash tables index %lu records, but the file holds %lu", nslots, nrec);
	return bad || nlost || norder || (!s.bad && nslots != nrec);
}

int cdbfile_dump(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d)
{
	struct cdbfile f;
	struct cdbrec r;
	int bad = cdbfile_init(&f, p, size, file, d);

	while (cdbfile_next(&f, &r) > 0) {
		if (buf_printf(out, "+%zu,%zu:", r.klen, r.vlen) < 0 ||
		    buf_append(out, r.key, r.klen) < 0 || buf_append(out, "->", 2) < 0 ||
		    buf_append(out, r.val, r.vlen) < 0 || buf_append_c(out, '\n') < 0)
			return -1;
	}
	if (f.bad)
		return 1;
	if (buf_append_c(out, '\n') < 0)
		return -1;
	if (!bad && cdbfile_verify(&f))
		bad = 1;
	return bad;
}

int cdbfile_readable(const void *p, size_t size)
{
	struct diag_sink d;
	struct cdbfile f;
	struct cdbrec r;

	diag_init(&d);
	cdbfile_init(&f, p, size, NULL, &d);
	while (cdbfile_next(&f, &r) > 0)
		;
	diag_free(&d);
	return !f.bad;
}

int cdbfile_check(const void *p, size_t size)
{
	struct diag_sink d;
	struct cdbfile f;
	struct cdbrec r;
	int bad;

	diag_init(&d);
	bad = cdbfile_init(&f, p, size, NULL, &d);
	while (cdbfile_next(&f, &r) > 0)
		;
	if (f.bad)
		bad = 1;
	else if (!bad)
		bad = cdbfile_verify(&f);
	diag_free(&d);
	return bad;
}
