/* parse/passwd - the old host's V7 passwd file, record at a time */
#include "passwd.h"

#include <errno.h>
#include <string.h>

/*
 * Diagnostic codes S2Q-P0nn.  What glibc's files backend does with each
 * case was checked with fgetpwent(3) (the parser behind getpwnam).
 */

static int open_common(struct passwd_parser *p, const char *file, struct diag_sink *d)
{
	memset(p, 0, sizeof(*p));
	p->file = file;
	p->d = d;
	hset_init(&p->names);
	return 0;
}

int passwd_open(struct passwd_parser *p, const char *path, const char *file, struct diag_sink *d)
{
	open_common(p, file, d);
	return lline_open(&p->lr, path, 0);
}

int passwd_fdopen(struct passwd_parser *p, int fd, const char *file, struct diag_sink *d)
{
	open_common(p, file, d);
	return lline_fdopen(&p->lr, fd, 0);
}

void passwd_close(struct passwd_parser *p)
{
	lline_close(&p->lr);
	buf_free(&p->line);
	hset_free(&p->names);
}

/* number - uid or gid as glibc reads it: optional '+', decimal, at most 2^32-1 */
static int number(struct passwd_parser *p, unsigned long ln, const char *code, const char *what,
		  struct bstr f, unsigned long *out)
{
	unsigned long long v = 0;
	size_t i = 0;

	if (f.len > 0 && f.s[0] == '+')
		i = 1;
	if (i == f.len)
		goto bad;
	for (; i < f.len; i++) {
		if (f.s[i] < '0' || f.s[i] > '9')
			goto bad;
		v = v * 10 + (unsigned long long)(f.s[i] - '0');
		if (v > 4294967295ULL)
			goto bad;
	}
	*out = (unsigned long)v;
	return 0;
bad:
	diag_add(p->d, DIAG_ERROR, code, p->file, ln,
		 "%s '%.*s' is not a number from 0 to 4294967295: glibc skips the line", what,
		 (int)f.len, f.s);
	return -1;
}

/* parse - 1 good entry, 0 line skipped (reported or a comment), -1 ENOMEM */
static int parse(struct passwd_parser *p, struct passwd_ent *e)
{
	const char *s = p->line.s ? p->line.s : "", *end = s + p->line.len, *c;
	unsigned long ln = p->lr.lineno;
	struct bstr f[7];
	size_t nf = 0;
	unsigned long first = 0;
	int r, bad = 0;

	memset(e, 0, sizeof(*e));
	e->line = ln;
	if (p->lr.hasnul) {
		diag_add(p->d, DIAG_ERROR, "S2Q-P001", p->file, ln, "line contains a NUL byte");
		return 0;
	}
	if (p->line.len > 0 && s[p->line.len - 1] == '\r')
		diag_add(p->d, DIAG_WARN, "S2Q-P011", p->file, ln,
			 "line ends in a carriage return (a CRLF file?): glibc keeps it in the last field");
	/* glibc skips leading white space, then '#' comments and empty lines */
	c = s;
	while (c < end && (*c == ' ' || *c == '\t'))
		c++;
	if (c == end || *c == '#')
		return 0;
	if (c != s) {
		const char *colon = memchr(c, ':', (size_t)(end - c));

		diag_add(p->d, DIAG_WARN, "S2Q-P008", p->file, ln,
			 "line starts with white space: glibc skips it (user '%.*s')",
			 (int)((colon ? colon : end) - c), c);
	}
	s = c;
	if (*s == '+' || *s == '-') {
		diag_add(p->d, DIAG_WARN, "S2Q-P009", p->file, ln,
			 "NIS compat entry '%.*s' (only nsswitch compat mode reads it): ignored",
			 (int)(end - s), s);
		return 0;
	}
	/* fields: the 7th takes the rest of the line, colons and all */
	for (;;) {
		const char *n = nf < 6 ? memchr(s, ':', (size_t)(end - s)) : NULL;

		f[nf].s = s;
		f[nf].len = (size_t)((n ? n : end) - s);
		nf++;
		if (n == NULL)
			break;
		s = n + 1;
	}
	if (nf < 4) {
		diag_add(p->d, DIAG_ERROR, "S2Q-P002", p->file, ln,
			 "too few fields: %zu of 7 (no %s): glibc skips the line", nf,
			 nf < 3 ? "uid" : "gid");
		return 0;
	}
	if (f[0].len == 0) {
		diag_add(p->d, DIAG_ERROR, "S2Q-P005", p->file, ln, "empty user name");
		bad = 1;
	}
	if (number(p, ln, "S2Q-P003", "uid", f[2], &e->uid) < 0)
		bad = 1;
	if (number(p, ln, "S2Q-P004", "gid", f[3], &e->gid) < 0)
		bad = 1;
	if (bad)
		return 0;
	if (nf < 7)
		diag_add(p->d, DIAG_WARN, "S2Q-P006", p->file, ln,
			 "only %zu of 7 fields: glibc accepts the line with the missing fields empty", nf);
	else if (memchr(f[6].s, ':', f[6].len) != NULL)
		diag_add(p->d, DIAG_WARN, "S2Q-P007", p->file, ln,
			 "more than 7 fields: glibc keeps '%.*s' as the shell", (int)f[6].len, f[6].s);
	e->name = f[0];
	e->passwd = f[1];
	if (nf > 4)
		e->gecos = f[4];
	if (nf > 5)
		e->home = f[5];
	if (nf > 6)
		e->shell = f[6];
	r = hset_put(&p->names, e->name.s, e->name.len, ln, &first);
	if (r < 0)
		return -1;
	if (r == 0) {
		diag_add(p->d, DIAG_WARN, "S2Q-P010", p->file, ln,
			 "duplicate user '%.*s': getpwnam finds the entry at line %lu; this one is ignored",
			 (int)e->name.len, e->name.s, first);
		return 0;
	}
	return 1;
}

int passwd_next(struct passwd_parser *p, struct passwd_ent *e)
{
	int r;

	for (;;) {
		r = lline_next(&p->lr, &p->line);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		r = parse(p, e);
		if (r < 0) {
			errno = ENOMEM;
			return -1;
		}
		if (r > 0)
			return 1;
		if (p->d->oom)
			break;
	}
	if (p->d->oom) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
