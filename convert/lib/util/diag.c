/* diag - diagnostics sink: severity, stable code, file, line, message */
#include "diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diag_sink *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_free(struct diag_sink *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	diag_init(d);
}

void diag_mark(const struct diag_sink *d, struct diag_mark *m)
{
	m->n = d->n;
	m->nerr = d->nerr;
	m->nwarn = d->nwarn;
	m->nnote = d->nnote;
	m->dropped = d->dropped;
	m->oom = d->oom;
}

void diag_undo(struct diag_sink *d, const struct diag_mark *m)
{
	while (d->n > m->n) {
		d->n--;
		free(d->v[d->n].file);
		free(d->v[d->n].msg);
	}
	d->nerr = m->nerr;
	d->nwarn = m->nwarn;
	d->nnote = m->nnote;
	d->dropped = m->dropped;
	d->oom = m->oom;
}

/* shorten - keep both ends of a message longer than DIAG_MSG_MAX (an echoed 10 MB field) */
static int shorten(buf *m)
{
	const size_t keep = (DIAG_MSG_MAX - 64) / 2;
	buf t = BUF_INIT;

	if (buf_append(&t, m->s, keep) < 0 ||
	    buf_printf(&t, " [... %zu bytes left out ...] ", m->len - 2 * keep) < 0 ||
	    buf_append(&t, m->s + m->len - keep, keep) < 0) {
		buf_free(&t);
		return -1;
	}
	buf_free(m);
	*m = t;
	return 0;
}

/* store - append one record; takes m's memory; 0, or -1 (ENOMEM) */
static int store(struct diag_sink *d, enum diag_sev sev, const char *code, const char *file,
		 unsigned long line, buf *m)
{
	struct diag *g;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct diag *nv;

		if (ncap > ((size_t)-1) / sizeof(*nv))
			return -1;
		nv = realloc(d->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		d->v = nv;
		d->cap = ncap;
	}
	if (buf_cstr(m) == NULL)
		return -1;
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->sev = sev;
	strncpy(g->code, code ? code : "", sizeof(g->code) - 1);
	g->line = line;
	if (file) {
		g->file = strdup(file);
		if (g->file == NULL)
			return -1;
	}
	g->msg = m->s;
	buf_init(m);
	d->n++;
	return 0;
}

static void count(struct diag_sink *d, enum diag_sev sev)
{
	if (sev == DIAG_ERROR)
		d->nerr++;
	else if (sev == DIAG_WARN)
		d->nwarn++;
	else
		d->nnote++;
}

int diag_vadd(struct diag_sink *d, enum diag_sev sev, const char *code, const char *file,
	      unsigned long line, const char *fmt, va_list ap)
{
	buf m = BUF_INIT;

	if (d->n >= DIAG_KEEP) {
		d->dropped++;
		count(d, sev);
		return 0;
	}
	if (d->n == DIAG_KEEP - 1) {
		/* the last slot says that the rest is only counted (hostile input: 1M bad lines) */
		if (buf_printf(&m, "more than %d diagnostics: the rest are counted, not shown",
			       DIAG_KEEP - 1) < 0 ||
		    store(d, DIAG_NOTE, "S2Q-Z001", file, line, &m) < 0)
			goto oom;
		d->dropped++;
		count(d, sev);
		return 0;
	}
	if (buf_vprintf(&m, fmt, ap) < 0 || (m.len > DIAG_MSG_MAX && shorten(&m) < 0) ||
	    store(d, sev, code, file, line, &m) < 0)
		goto oom;
	count(d, sev);
	return 0;
oom:
	buf_free(&m);
	d->oom = 1;
	errno = ENOMEM;
	return -1;
}

int diag_add(struct diag_sink *d, enum diag_sev sev, const char *code, const char *file,
	     unsigned long line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_vadd(d, sev, code, file, line, fmt, ap);
	va_end(ap);
	return r;
}

const char *diag_sevname(enum diag_sev sev)
{
	switch (sev) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARN:
		return "warning";
	default:
		return "note";
	}
}

/*
 * text - append s for a terminal: one diagnostic stays one line and input
 * bytes cannot drive the terminal, so control bytes other than TAB are shown
 * as \n, \r or \xNN (hostile input; see MIGRATION.md "Safety guarantees")
 */
static int text(buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int r = 0;

	while (r == 0 && *s) {
		const char *p = s;
		unsigned char c;

		/* a run of bytes shown as they are, appended at once */
		while ((c = (unsigned char)*p) != 0 && c != '\n' && c != '\r' && c != 0x7f &&
		       (c >= 0x20 || c == '\t'))
			p++;
		if (p > s && (r = buf_append(out, s, (size_t)(p - s))) < 0)
			break;
		s = p;
		if (c == 0)
			break;
		if (c == '\n') {
			r = buf_append(out, "\\n", 2);
		} else if (c == '\r') {
			r = buf_append(out, "\\r", 2);
		} else {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			r = buf_append(out, e, 4);
		}
		s++;
	}
	return r;
}

int diag_format(buf *out, const char *prog, const struct diag *g)
{
	int r = buf_printf(out, "%s: %s: ", prog, diag_sevname(g->sev));

	if (r == 0 && g->file) {
		r = text(out, g->file);
		if (r == 0)
			r = g->line ? buf_printf(out, ":%lu: ", g->line) : buf_append_s(out, ": ");
	}
	if (r == 0)
		r = text(out, g->msg);
	if (r == 0 && g->code[0])
		r = buf_printf(out, " [%s]", g->code);
	if (r == 0)
		r = buf_append_c(out, '\n');
	return r;
}

/*
 * utf8_len - length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int json_str(buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	int r = buf_append_c(out, '"');

	for (i = 0; r == 0 && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t u, j;

		/* a run of printable ASCII that needs no escape, appended at once */
		for (j = i; j < n && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\'; j++)
			;
		if (j > i) {
			r = buf_append(out, s + i, j - i);
			i = j - 1;
			continue;
		}
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			r = buf_append(out, e, 2);
		} else if (c == '\n') {
			r = buf_append(out, "\\n", 2);
		} else if (c == '\t') {
			r = buf_append(out, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			r = buf_append(out, e, 6);
		} else if (c < 0x80) {
			r = buf_append_c(out, (char)c);
		} else if ((u = utf8_len((const unsigned char *)s + i, n - i)) != 0) {
			r = buf_append(out, s + i, u);
			i += u - 1;
		} else {
			/* not UTF-8: the byte as the code point of the same value
			   (Latin-1), so the JSON stays valid and the byte recoverable */
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			r = buf_append(out, e, 6);
		}
	}
	if (r == 0)
		r = buf_append_c(out, '"');
	return r;
}

int diag_json(buf *out, const struct diag *g)
{
	int r = buf_append_s(out, "{\"severity\":");

	if (r == 0)
		r = json_str(out, diag_sevname(g->sev), strlen(diag_sevname(g->sev)));
	if (r == 0)
		r = buf_append_s(out, ",\"code\":");
	if (r == 0)
		r = json_str(out, g->code, strlen(g->code));
	if (r == 0)
		r = buf_append_s(out, ",\"file\":");
	if (r == 0)
		r = g->file ? json_str(out, g->file, strlen(g->file)) : buf_append_s(out, "null");
	if (r == 0)
		r = buf_printf(out, ",\"line\":%lu,\"message\":", g->line);
	if (r == 0)
		r = json_str(out, g->msg, strlen(g->msg));
	if (r == 0)
		r = buf_append_c(out, '}');
	return r;
}
