/* parse/maptext - makemap text sources (virtusertable, mailertable, access, genericstable, ...) */
#include "maptext.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int isspace_c(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int maptext_fdopen(struct maptext *m, int fd, const char *file, unsigned flags,
		   struct diag_sink *d)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (lline_fdopen(&m->r, fd, 0) < 0)
		return -1;
	/* anything past makemap's limit is an error anyway; keep memory bounded */
	m->r.maxlen = MAPTEXT_LINE_MAX + 2;
	m->fd = fd;
	m->file = file;
	m->flags = flags;
	m->d = d;
	hset_init(&m->seen);
	buf_init(&m->line);
	return 0;
}

void maptext_close(struct maptext *m)
{
	lline_close(&m->r);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	buf_free(&m->line);
	hset_free(&m->seen);
}

/* show - a key for a message: at most 200 bytes */
static int showlen(size_t n)
{
	return n > 200 ? 200 : (int)n;
}

void maptext_set_keys(struct maptext *m, const struct maptext_keys *k)
{
	m->keys = k;
}

int maptext_next(struct maptext *m, struct maptext_rec *rec)
{
	int r;

	while ((r = lline_next(&m->r, &m->line)) > 0) {
		unsigned long ln = m->r.lineno, first;
		char *s = m->line.s;
		size_t n = m->line.len, k, v;
		int put;

		if (m->r.hasnul) {
			diag_add(m->d, DIAG_ERROR, "S2Q-M001", m->file, ln,
				 "line contains a NUL byte (makemap would cut the line there)");
			continue;
		}
		if (m->r.toolong || n > MAPTEXT_LINE_MAX) {
			diag_add(m->d, DIAG_ERROR, "S2Q-M002", m->file, ln,
				 "line too long: makemap reads at most %d bytes per line",
				 MAPTEXT_LINE_MAX);
			continue;
		}
		if (n == 0 || s[0] == '#')
			continue;
		if (isspace_c((unsigned char)s[0])) {
			diag_add(m->d, DIAG_ERROR, "S2Q-M003", m->file, ln,
				 "line starts with white space: makemap has no continuation lines "
				 "(\"syntax error (leading space)\")");
			continue;
		}
		for (k = 0; k < n && !isspace_c((unsigned char)s[k]); k++)
			if (!(m->flags & MAPTEXT_NOFOLD) && s[k] >= 'A' && s[k] <= 'Z')
				s[k] = (char)(s[k] - 'A' + 'a');
		for (v = k; v < n && isspace_c((unsigned char)s[v]); v++)
			;
		if (v == n) {
			diag_add(m->d, DIAG_ERROR, "S2Q-M004", m->file, ln,
				 "key '%.*s' has no value (makemap: \"no RHS for LHS\")", showlen(k), s);
			continue;
		}
		if (m->keys)
			put = m->keys->put(m->keys->ctx, s, k, ln, &first);
		else
			put = hset_put(&m->seen, s, k, ln, &first);
		if (put < 0)
			return -1;
		if (put == 0) {
			diag_add(m->d, DIAG_ERROR, "S2Q-M005", m->file, ln,
				 "duplicate key '%.*s': makemap keeps line %lu and reports "
				 "\"duplicate key\" for this one", showlen(k), s, first);
			continue;
		}
		if (s[n - 1] == '\r')
			diag_add(m->d, DIAG_WARN, "S2Q-M006", m->file, ln,
				 "value of '%.*s' ends in a CR (CRLF file): sendmail keeps the CR as "
				 "part of the value", showlen(k), s);
		rec->key = s;
		rec->klen = k;
		rec->val = s + v;
		rec->vlen = n - v;
		rec->line = ln;
		m->nrec++;
		return 1;
	}
	return r;
}
