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

int diag_vadd(struct diag_sink *d, enum diag_sev sev, const char *code, const char *file,
	      unsigned long line, const char *fmt, va_list ap)
{
	struct diag *g;
	buf m = BUF_INIT;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct diag *nv;

		if (ncap > ((size_t)-1) / sizeof(*nv))
			goto oom;
		nv = realloc(d->v, ncap * sizeof(*nv));
		if (nv == NULL)
			goto oom;
		d->v = nv;
		d->cap = ncap;
	}
	if (buf_vprintf(&m, fmt, ap) < 0 || buf_cstr(&m) == NULL)
		goto oom;
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->sev = sev;
	strncpy(g->code, code ? code : "", sizeof(g->code) - 1);
	g->line = line;
	g->msg = m.s;
	if (file) {
		g->file = strdup(file);
		if (g->file == NULL) {
			buf_free(&m);
			goto oom;
		}
	}
	d->n++;
	if (sev == DIAG_ERROR)
		d->nerr++;
	else if (sev == DIAG_WARN)
		d->nwarn++;
	else
		d->nnote++;
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

int diag_format(buf *out, const char *prog, const struct diag *g)
{
	int r = buf_printf(out, "%s: %s: ", prog, diag_sevname(g->sev));

	if (r == 0 && g->file) {
		if (g->line)
			r = buf_printf(out, "%s:%lu: ", g->file, g->line);
		else
			r = buf_printf(out, "%s: ", g->file);
	}
	if (r == 0)
		r = buf_append_s(out, g->msg);
	if (r == 0 && g->code[0])
		r = buf_printf(out, " [%s]", g->code);
	if (r == 0)
		r = buf_append_c(out, '\n');
	return r;
}

int json_str(buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	int r = buf_append_c(out, '"');

	for (i = 0; r == 0 && i < n; i++) {
		unsigned char c = (unsigned char)s[i];

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
		} else {
			r = buf_append_c(out, (char)c);
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
