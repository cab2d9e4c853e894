/* parse/assign - users/assign reader, exactly as qmail-newu reads it, plus validation */
#include "assign.h"

#include <errno.h>
#include <string.h>

/* diagnostic codes: S2Q-U0xx (users/assign) */

int assign_open(struct assign_parser *p, const char *path, const char *file,
		struct diag_sink *d)
{
	memset(p, 0, sizeof(*p));
	p->file = file;
	p->d = d;
	return lline_open(&p->lr, path, 0);
}

int assign_fdopen(struct assign_parser *p, int fd, const char *file, struct diag_sink *d)
{
	memset(p, 0, sizeof(*p));
	p->file = file;
	p->d = d;
	return lline_fdopen(&p->lr, fd, 0);
}

void assign_close(struct assign_parser *p)
{
	lline_close(&p->lr);
	buf_free(&p->line);
}

/* number - check a uid/gid field: 0 ok, else reported */
static int number(struct assign_parser *p, unsigned long ln, const char *what, struct bstr f)
{
	unsigned long long v = 0;
	size_t i;

	if (f.len == 0) {
		diag_add(p->d, DIAG_ERROR, "S2Q-U005", p->file, ln, "%s is empty", what);
		return -1;
	}
	for (i = 0; i < f.len; i++) {
		if (f.s[i] < '0' || f.s[i] > '9') {
			diag_add(p->d, DIAG_ERROR, "S2Q-U005", p->file, ln,
				 "%s '%.*s' is not a number (qmail-lspawn would read it as 0 = root)",
				 what, (int)f.len, f.s);
			return -1;
		}
		v = v * 10 + (unsigned long long)(f.s[i] - '0');
		if (v > 4294967295ULL) {
			diag_add(p->d, DIAG_ERROR, "S2Q-U005", p->file, ln,
				 "%s '%.*s' is out of range", what, (int)f.len, f.s);
			return -1;
		}
	}
	if (v == 0) {
		diag_add(p->d, DIAG_ERROR, "S2Q-U006", p->file, ln,
			 "%s is 0: qmail-lspawn refuses to deliver as root", what);
		return -1;
	}
	return 0;
}

/* parse - split one line; 1 good entry, 0 line reported and skipped */
static int parse(struct assign_parser *p, struct assign_ent *e)
{
	const char *s = p->line.s ? p->line.s : "", *end = s + p->line.len, *c;
	unsigned long ln = p->lr.lineno;
	struct bstr *fields[7];
	int i, bad = 0;

	memset(e, 0, sizeof(*e));
	e->line = ln;
	if (p->lr.hasnul) {
		diag_add(p->d, DIAG_ERROR, "S2Q-U001", p->file, ln, "line contains a NUL byte");
		return 0;
	}
	if (p->line.len == 0) {
		diag_add(p->d, DIAG_ERROR, "S2Q-U003", p->file, ln,
			 "blank line (users/assign has no comments or blank lines)");
		return 0;
	}
	c = memchr(s, ':', p->line.len);
	if (c == NULL) {
		diag_add(p->d, DIAG_ERROR, "S2Q-U004", p->file, ln, "no ':' in line");
		return 0;
	}
	if (c == s) {
		diag_add(p->d, DIAG_ERROR, "S2Q-U004", p->file, ln, "line begins with ':'");
		return 0;
	}
	e->type = s[0];
	e->wild = (s[0] == '+');
	e->addr.s = s + 1;
	e->addr.len = (size_t)(c - s - 1);
	fields[0] = &e->user;
	fields[1] = &e->uid;
	fields[2] = &e->gid;
	fields[3] = &e->home;
	fields[4] = &e->dash;
	fields[5] = &e->ext;
	for (i = 0; i < 6; i++) {
		const char *start = c + 1, *n = start < end ? memchr(start, ':', (size_t)(end - start)) : NULL;

		if (n == NULL) {
			diag_add(p->d, DIAG_ERROR, "S2Q-U004", p->file, ln,
				 "too few fields: %d of 7 ':'-terminated fields", i + 1);
			return 0;
		}
		fields[i]->s = start;
		fields[i]->len = (size_t)(n - start);
		c = n;
	}
	if (e->type != '=' && e->type != '+')
		diag_add(p->d, DIAG_WARN, "S2Q-U011", p->file, ln,
			 "line begins with '%c', not '=' or '+': qmail-newu treats it as '='",
			 (e->type >= 0x20 && e->type < 0x7f) ? e->type : '?');
	if (c + 1 < end) {
		if (c + 2 == end && c[1] == '\r')
			diag_add(p->d, DIAG_WARN, "S2Q-U014", p->file, ln,
				 "carriage return after the last ':' (a CRLF file?) is ignored by qmail-newu");
		else
			diag_add(p->d, DIAG_WARN, "S2Q-U014", p->file, ln,
				 "text after the last ':' is ignored by qmail-newu");
	}
	if (number(p, ln, "uid", e->uid) < 0)
		bad = 1;
	if (number(p, ln, "gid", e->gid) < 0)
		bad = 1;
	if (e->home.len == 0 || e->home.s[0] != '/') {
		diag_add(p->d, DIAG_ERROR, "S2Q-U007", p->file, ln,
			 "home directory '%.*s' is not absolute", (int)e->home.len, e->home.s);
		bad = 1;
	}
	if (e->wild && e->addr.len > 0) {
		char last = e->addr.s[e->addr.len - 1];

		if (last >= 'A' && last <= 'Z')
			diag_add(p->d, DIAG_WARN, "S2Q-U012", p->file, ln,
				 "wildcard prefix '%.*s' ends in an upper-case letter: qmail-lspawn never matches it",
				 (int)e->addr.len, e->addr.s);
	}
	return !bad;
}

int assign_next(struct assign_parser *p, struct assign_ent *e)
{
	int r;

	while (!p->done) {
		r = lline_next(&p->lr, &p->line);
		if (r < 0)
			return -1;
		if (r == 0) {
			diag_add(p->d, DIAG_ERROR, "S2Q-U002", p->file, p->lr.phys,
				 "missing the final '.' line");
			p->done = 1;
			break;
		}
		if (p->line.len > 0 && p->line.s[0] == '.') {
			p->done = 1;
			r = lline_next(&p->lr, &p->line);
			if (r < 0)
				return -1;
			if (r > 0)
				diag_add(p->d, DIAG_WARN, "S2Q-U010", p->file, p->lr.lineno,
					 "text after the final '.' line is ignored");
			break;
		}
		if (parse(p, e))
			return 1;
	}
	if (p->d->oom) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
