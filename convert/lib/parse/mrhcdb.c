/* parse/mrhcdb - control/morercpthosts.cdb (qmail-newmrh's output) as a sorted list */
#include "mrhcdb.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdbfile.h"

/* diagnostic codes: S2Q-D040..D042 (morercpthosts.cdb) */

#define MAXSHOWN 10

/* SHOWN - how much of a key or field a message quotes */
#define SHOWN(n) ((int)((n) > 200 ? 200 : (n)))

struct key {
	const char *s;
	size_t len;
};

static int cmp(const void *x, const void *y)
{
	const struct key *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->s, b->s, n) : 0;

	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int put(buf *out, const struct key *k)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < k->len; i++) {
		unsigned char c = (unsigned char)k->s[i];

		if (c == '\\') {
			if (buf_append(out, "\\\\", 2) < 0)
				return -1;
		} else if (c < 0x20 || c == 0x7f) {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			if (buf_append(out, e, 4) < 0)
				return -1;
		} else if (buf_append_c(out, (char)c) < 0) {
			return -1;
		}
	}
	return buf_append_c(out, '\n');
}

/* odd - why qmail-newmrh could not have written this key, or NULL */
static const char *odd(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "empty";
	if (s[0] == '#')
		return "begins with '#' (a comment in morercpthosts)";
	if (s[n - 1] == ' ' || s[n - 1] == '\t')
		return "ends in a blank (qmail-newmrh strips it)";
	for (i = 0; i < n; i++)
		if (s[i] == '\n' || s[i] == '\0')
			return "holds a newline or NUL";
	return NULL;
}

int mrhcdb_print(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d)
{
	struct cdbfile f;
	struct cdbrec r;
	struct key *v = NULL;
	size_t n = 0, cap = 0, i;
	unsigned long ndata = 0, nupper = 0, nodd = 0;
	int problems = cdbfile_init(&f, p, size, file, d), rc = -1;

	while (cdbfile_next(&f, &r) > 0) {
		const char *why = odd(r.key, r.klen);

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct key *nv;

			if (ncap > SIZE_MAX / sizeof(*nv))
				goto done;
			nv = realloc(v, ncap * sizeof(*nv));
			if (nv == NULL)
				goto done;
			v = nv;
			cap = ncap;
		}
		v[n].s = r.key;
		v[n++].len = r.klen;
		if (r.vlen && ++ndata <= MAXSHOWN)
			diag_add(d, DIAG_NOTE, "S2Q-D040", file, 0,
				 "record %lu ('%.*s'): data is not empty (qmail-newmrh writes none; "
				 "qmail-smtpd ignores it)", r.n, SHOWN(r.klen), r.key);
		for (i = 0; i < r.klen && !(r.key[i] >= 'A' && r.key[i] <= 'Z'); i++)
			;
		if (i < r.klen && ++nupper <= MAXSHOWN)
			diag_add(d, DIAG_WARN, "S2Q-D041", file, 0,
				 "record %lu: '%.*s' has upper-case letters: qmail-smtpd looks up the "
				 "lower-cased domain, so it never matches", r.n, SHOWN(r.klen), r.key);
		if (why && ++nodd <= MAXSHOWN)
			diag_add(d, DIAG_WARN, "S2Q-D042", file, 0,
				 "record %lu: key '%.*s' %s: qmail-newmrh never writes such a key",
				 r.n, SHOWN(r.klen), r.key, why);
	}
	if (ndata > MAXSHOWN)
		diag_add(d, DIAG_NOTE, "S2Q-D040", file, 0, "%lu more records with data",
			 ndata - MAXSHOWN);
	if (nupper > MAXSHOWN)
		diag_add(d, DIAG_WARN, "S2Q-D041", file, 0, "%lu more upper-case keys",
			 nupper - MAXSHOWN);
	if (nodd > MAXSHOWN)
		diag_add(d, DIAG_WARN, "S2Q-D042", file, 0, "%lu more odd keys", nodd - MAXSHOWN);
	if (ndata || nupper || nodd || f.bad)
		problems = 1;
	if (!f.bad && !f.badindex && cdbfile_verify(&f))
		problems = 1;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++)
		if (put(out, &v[i]) < 0)
			goto done;
	rc = problems ? 1 : 0;
done:
	if (rc < 0)
		errno = ENOMEM;
	free(v);
	return rc;
}
