/* parse/fwdcdb - fastforward's forward database (aliases.cdb), printed as printforward does */
#include "fwdcdb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* diagnostic codes: S2Q-D020..D029 (aliases.cdb) */

/* the longest &address instruction printforward and fastforward take, '&' included */
#define ADDRMAX 899

int fwdcdb_init(struct fwdcdb *r, const void *p, size_t size, const char *file,
		struct diag_sink *d)
{
	int bad;

	memset(r, 0, sizeof(*r));
	r->file = file;
	r->d = d;
	bad = cdbfile_init(&r->f, p, size, file, d);
	if (bad)
		r->problems = 1;
	return r->f.bad;
}

#define MAXSHOWN 10

/* report - S2Q-D0(20+k): the first MAXSHOWN of a kind one by one, the rest counted */
static void report(struct fwdcdb *r, int k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct fwdcdb *r, int k, const char *fmt, ...)
{
	char code[12];
	va_list ap;

	r->problems = 1;
	if (++r->cnt[k] > MAXSHOWN)
		return;
	snprintf(code, sizeof(code), "S2Q-D%03d", 20 + k);
	va_start(ap, fmt);
	diag_vadd(r->d, DIAG_WARN, code, r->file, 0, fmt, ap);
	va_end(ap);
}

/* check - 0 if printforward takes the record, else reported */
static int check(struct fwdcdb *r, const struct fwd_rec *rec)
{
	const char *s = rec->data.s, *end = s + rec->data.len;
	unsigned long k;

	if (rec->owner)
		return 0;
	for (k = 1; s < end; k++) {
		const char *z = memchr(s, '\0', (size_t)(end - s));

		if (z == NULL) {
			report(r, 1, "record %lu: instruction %lu is not NUL-terminated (printforward "
				 "refuses the database)", rec->n, k);
			return -1;
		}
		if (z == s) {
			report(r, 1, "record %lu: instruction %lu is empty (printforward refuses the "
				 "database)", rec->n, k);
			return -1;
		}
		if (!strchr("&|!./", *s)) {
			report(r, 2, "record %lu: instruction %lu begins with '%c', not &, |, !, . or / "
				 "(printforward refuses the database)", rec->n, k,
				 (*s >= 0x20 && *s < 0x7f) ? *s : '?');
			return -1;
		}
		if (*s == '&' && (size_t)(z - s) > ADDRMAX) {
			report(r, 3, "record %lu: instruction %lu forwards to an address of %zu bytes; "
				 "fastforward takes at most %d", rec->n, k, (size_t)(z - s) - 1,
				 ADDRMAX - 1);
			return -1;
		}
		s = z + 1;
	}
	return 0;
}

int fwdcdb_next(struct fwdcdb *r, struct fwd_rec *rec)
{
	struct cdbrec c;

	while (cdbfile_next(&r->f, &c) > 0) {
		memset(rec, 0, sizeof(*rec));
		rec->n = c.n;
		if (c.klen == 0 || (c.key[0] != ':' && c.key[0] != '?')) {
			report(r, 0, "record %lu: key begins with neither ':' nor '?': not a fastforward "
				 "record (printforward refuses the database)", c.n);
			r->problems = 1;
			continue;
		}
		rec->owner = c.key[0] == '?';
		rec->target.s = c.key + 1;
		rec->target.len = c.klen - 1;
		rec->data.s = c.val;
		rec->data.len = c.vlen;
		if (check(r, rec) < 0) {
			r->problems = 1;
			continue;
		}
		return 1;
	}
	if (r->f.bad)
		r->problems = 1;
	return 0;
}

int fwdcdb_end(struct fwdcdb *r)
{
	int k;

	for (k = 0; k < 4; k++) {
		char code[12];

		if (r->cnt[k] <= MAXSHOWN)
			continue;
		snprintf(code, sizeof(code), "S2Q-D%03d", 20 + k);
		diag_add(r->d, DIAG_WARN, code, r->file, 0, "%lu more records with this problem",
			 r->cnt[k] - MAXSHOWN);
	}
	if (!r->f.bad && cdbfile_verify(&r->f))
		r->problems = 1;
	return r->problems;
}

int fwdcdb_instr(const struct fwd_rec *rec, size_t *pos, struct bstr *ins)
{
	const char *s, *z;

	if (rec->owner || *pos >= rec->data.len)
		return 0;
	s = rec->data.s + *pos;
	z = memchr(s, '\0', rec->data.len - *pos);
	if (z == NULL)
		z = rec->data.s + rec->data.len;
	ins->s = s;
	ins->len = (size_t)(z - s);
	*pos += ins->len + 1;
	return 1;
}

int fwd_escape(buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c <= ' ' || c >= 0x80 || strchr("#,:;\\", c)) && buf_append_c(out, '\\') < 0)
			return -1;
		if (buf_append_c(out, (char)c) < 0)
			return -1;
	}
	return 0;
}

int fwdcdb_format(buf *out, const struct fwd_rec *rec)
{
	struct bstr ins;
	size_t pos = 0;

	if (fwd_escape(out, rec->target.s, rec->target.len) < 0)
		return -1;
	if (rec->owner) {
		if (buf_append(out, ": ?", 3) < 0 || fwd_escape(out, rec->data.s, rec->data.len) < 0)
			return -1;
		return buf_append(out, ";\n", 2);
	}
	if (buf_append(out, ":\n", 2) < 0)
		return -1;
	while (fwdcdb_instr(rec, &pos, &ins) > 0)
		if (buf_append(out, ", ", 2) < 0 || fwd_escape(out, ins.s, ins.len) < 0 ||
		    buf_append_c(out, '\n') < 0)
			return -1;
	return buf_append(out, ";\n", 2);
}

int fwdcdb_print(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d)
{
	struct fwdcdb r;
	struct fwd_rec rec;

	if (fwdcdb_init(&r, p, size, file, d))
		return 1;
	while (fwdcdb_next(&r, &rec) > 0)
		if (fwdcdb_format(out, &rec) < 0)
			return -1;
	return fwdcdb_end(&r);
}
