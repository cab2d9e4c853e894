/* parse/sendmailcf - sendmail.cf read the way sendmail's readcf() reads it, into the host model */
#include "sendmailcf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../util/lline.h"
#include "../util/sroot.h"

#define MAXMACNAMELEN 25	/* sendmail/conf.h */
#define MAXMACROREC 10		/* sendmail's MaxMacroRecursion */
#define MACBUFSIZ 4096		/* sendmail's expand() buffer: longer results are cut */
#define SM_MAXLINE 2048		/* sendmail's MAXLINE: fgets buffer of fileclass() */

/* rule fingerprints collected while reading, turned into features at the end */
enum fp {
	FP_VIRTUSER_USED = 0,
	FP_VIRTUSER_ENTIRE,
	FP_MAILERTABLE_USED,
	FP_GENERICS_USED,
	FP_GENERICS_ENTIRE,
	FP_DOMAINTABLE_USED,
	FP_ACCESS_USED,
	FP_BLOCKLIST,
	FP_MASQENV,
	FP_MASQ_ENTIRE,
	FP_MASQ_W,
	FP_ALLMASQ,
	FP_STICKY,
	FP_PLUS_DETAIL,
	FP_LUSER_HOST,
	FP_CANONIFY_CLASS,
	FP_RELAY_ENTIRE,
	FP_RELAY_HOSTS_ONLY,
	FP_RELAY_LOCAL_FROM,
	FP_RELAY_MAIL_FROM,
	FP_LOOSE_RELAY,
	FP_RELAY_DENIED,
	FP_UNQUAL_CHECK,
	FP_FW_FILE,
	FP_FT_FILE,
	FP_COUNT
};

struct rs {
	char *name;		/* NULL for a number without a name */
	int num;
};

struct cfp {
	struct host *h;
	const struct cf_opts *o;
	struct diag_sink *d;
	const char *file;
	unsigned long line;
	int level;
	int cur;		/* current ruleset number, -1: none yet */
	int rules_in_cur;	/* R lines seen in the current ruleset */
	struct rs *rs;
	size_t nrs, caprs;
	int nextrs;
	int oom;
	int recwarned;
	int longwarned;
	unsigned char fp[FP_COUNT];
	buf t1, t2, t3;
};

/* ---- small helpers ---- */

static int sp(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int lc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int ieqn(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return 0;
		if (a[i] == '\0')
			return 1;
	}
	return 1;
}

static int ieq(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && ieqn(a, b, n);
}

static char *dupn(struct cfp *c, const char *s, size_t n)
{
	char *p = mem_dupz(s, n);

	if (p == NULL)
		c->oom = 1;
	return p;
}

static char *dupz(struct cfp *c, const char *s)
{
	return s ? dupn(c, s, strlen(s)) : NULL;
}

static void vdiag(struct cfp *c, enum diag_sev sev, const char *code, const char *file,
		  unsigned long line, const char *fmt, va_list ap)
{
	if (diag_vadd(c->d, sev, code, file, line, fmt, ap) < 0)
		c->oom = 1;
}

static void __attribute__((format(printf, 3, 4))) cerr(struct cfp *c, const char *code,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, DIAG_ERROR, code, c->file, c->line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4))) cwarn(struct cfp *c, const char *code,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, DIAG_WARN, code, c->file, c->line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4))) cnote(struct cfp *c, const char *code,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, DIAG_NOTE, code, c->file, c->line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 6, 7)))
fdiag(struct cfp *c, enum diag_sev sev, const char *code, const char *file, unsigned long line,
      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, sev, code, file, line, fmt, ap);
	va_end(ap);
}

/* shorten - at most 120 bytes of a line for messages */
static int shortn(size_t n)
{
	return n > 120 ? 120 : (int)n;
}

/* remove every white space byte: rule fingerprints do not depend on spacing */
static void nows(buf *out, const char *s, size_t n)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++)
		if (!sp((unsigned char)s[i]))
			(void)buf_append_c(out, s[i]);
	(void)buf_append_c(out, '\0');
	out->len--;
}

/* ---- translate_dollars: comments, "\#", "$$" ---- */

static void translate(struct cfp *c, buf *ln)
{
	buf *o = &c->t1;
	size_t i = 0, n = ln->len;
	const char *s = ln->s;
	size_t lastmac = (size_t)-1;	/* index in o of the last macro-introducing '$' */

	buf_reset(o);
	while (i < n) {
		char ch = s[i];

		if (ch == '#' && i > 0 && c->level >= 3) {
			if (o->len > 0 && o->len - 1 == lastmac) {
				(void)buf_append_c(o, '#');	/* "$#" cannot get here, kept anyway */
				i++;
				continue;
			}
			if (o->len > 0 && o->s[o->len - 1] == '\\') {
				o->s[o->len - 1] = '#';
				i++;
				continue;
			}
			/* a comment: drop the blanks before it and the rest of this physical line */
			while (o->len > 1 && sp((unsigned char)o->s[o->len - 1]) &&
			       o->s[o->len - 1] != '\n')
				o->len--;
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		if (ch != '$' || i + 1 >= n) {
			(void)buf_append_c(o, ch);
			i++;
			continue;
		}
		if (s[i + 1] == '$') {
			(void)buf_append(o, "$$", 2);	/* a literal dollar, kept as "$$" */
			i += 2;
			continue;
		}
		lastmac = o->len;
		(void)buf_append_c(o, '$');
		i++;
		if (s[i] == '=' || s[i] == '~' || s[i] == '&' || s[i] == '?')
			(void)buf_append_c(o, s[i++]);
		if (i < n && s[i] == '{') {
			while (i < n && s[i] != '}')
				(void)buf_append_c(o, s[i++]);
			if (i < n)
				(void)buf_append_c(o, s[i++]);
		} else if (i < n) {
			(void)buf_append_c(o, s[i++]);
		}
	}
	/* strip trailing white space (never the first byte) */
	while (o->len > 1 && sp((unsigned char)o->s[o->len - 1]))
		o->len--;
	if (buf_copy(ln, o->s, o->len) < 0 || buf_cstr(ln) == NULL)
		c->oom = 1;
}

/* ---- macro and class names ---- */

/*
 * macid - parse a name at s: "{name}" or one byte.  Returns the bytes used
 * (name in out, NUL-terminated), or 0 after reporting sendmail's error.
 */
static size_t macid(struct cfp *c, const char *s, buf *out, int report)
{
	size_t i;

	buf_reset(out);
	if (*s == '\0') {
		if (report)
			cerr(c, "S2Q-C003", "Name required for macro/class");
		return 0;
	}
	if (*s != '{') {
		(void)buf_append_c(out, *s);
		(void)buf_cstr(out);
		return 1;
	}
	for (i = 1; s[i] != '\0' && s[i] != '}'; i++) {
		if (!alnum((unsigned char)s[i]) && s[i] != '_') {
			if (report)
				cerr(c, "S2Q-C003", "Invalid macro/class character %c", s[i]);
			return 0;
		}
		(void)buf_append_c(out, s[i]);
	}
	if (s[i] != '}') {
		if (report)
			cerr(c, "S2Q-C003", "Unbalanced { on %.*s", shortn(out->len), out->s);
		return 0;
	}
	if (out->len == 0) {
		if (report)
			cerr(c, "S2Q-C003", "Name required for macro/class");
		return 0;
	}
	if (out->len > MAXMACNAMELEN) {
		if (report)
			cerr(c, "S2Q-C003", "Macro/class name ({%.*s}) too long (%d chars max)",
			     MAXMACNAMELEN, out->s, MAXMACNAMELEN);
		return 0;
	}
	if (buf_cstr(out) == NULL)
		c->oom = 1;
	return i + 1;
}

/* ---- macro expansion (sendmail's expand()) ---- */

static const struct host_macro *getmac(struct cfp *c, const char *name)
{
	return host_macro_get(c->h, name);
}

/*
 * expand - append s[0..n) to out with $x / ${name} replaced by their
 * (recursively expanded) values, "$$" by '$', $?x..$|..$. evaluated.
 * final: $&x is expanded too (run-time view); else kept as written (read
 * time: sendmail defers it).  Other $ operators of rules are kept.
 */
static void expand(struct cfp *c, const char *s, size_t n, buf *out, int final, int depth)
{
	size_t i = 0;
	int skip[MAXMACROREC + 2], lev = 0;	/* skip[l]: skipping at conditional level l */
	buf name = BUF_INIT;

	if (depth > MAXMACROREC) {
		if (!c->recwarned)
			cwarn(c, "S2Q-C020",
			      "macro expansion too deep (more than %d levels, a macro that refers to "
			      "itself?): sendmail stops expanding there", MAXMACROREC);
		c->recwarned = 1;
		return;
	}
	skip[0] = 0;
	while (i < n) {
		int cur_skip = skip[lev];
		char ch = s[i];

		if (out->len >= MACBUFSIZ) {
			/* bounded: macros that refer to each other several times would
			   otherwise grow exponentially with the depth */
			if (!c->longwarned)
				cwarn(c, "S2Q-C078",
				      "macro expansion longer than %d bytes: sendmail's buffer cuts "
				      "it there; s2q keeps the first %d bytes", MACBUFSIZ, MACBUFSIZ);
			c->longwarned = 1;
			break;
		}

		if (ch != '$' || i + 1 >= n) {
			if (!cur_skip)
				(void)buf_append_c(out, ch);
			i++;
			continue;
		}
		ch = s[i + 1];
		if (ch == '$') {
			if (!cur_skip)
				(void)buf_append_c(out, '$');
			i += 2;
			continue;
		}
		if (ch == '?') {
			size_t u = macid(c, s + i + 2, &name, 0);
			const struct host_macro *m = u ? getmac(c, name.s) : NULL;
			int set = m != NULL && m->raw != NULL && m->raw[0] != '\0';

			i += 2 + u;
			if (lev < MAXMACROREC) {
				lev++;
				skip[lev] = cur_skip || !set;
			}
			continue;
		}
		if (ch == '|') {
			if (lev > 0)
				skip[lev] = skip[lev - 1] || !skip[lev];
			i += 2;
			continue;
		}
		if (ch == '.') {
			if (lev > 0)
				lev--;
			i += 2;
			continue;
		}
		if (ch == '{' || ch == '_' || alnum((unsigned char)ch) ||
		    (ch == '&' && i + 2 < n)) {
			size_t start = i, u;
			int deferred = 0;
			const struct host_macro *m;

			i++;
			if (s[i] == '&') {
				deferred = 1;
				i++;
			}
			u = macid(c, s + i, &name, 0);
			if (u == 0) {
				if (!cur_skip)
					(void)buf_append(out, s + start, i - start);
				continue;
			}
			i += u;
			if (cur_skip)
				continue;
			if (deferred && !final) {
				(void)buf_append(out, s + start, i - start);
				continue;
			}
			m = getmac(c, name.s);
			if (m != NULL && m->raw != NULL)
				expand(c, m->raw, strlen(m->raw), out, final, depth + 1);
			continue;
		}
		/* $=X, $~X, $*, $+, $#, $@, $:, $>, $[ ... : rule syntax, kept */
		if (!cur_skip)
			(void)buf_append(out, s + i, 2);
		i += 2;
	}
	buf_free(&name);
}

/* expandz - expand into c->t2 (replaced) and NUL-terminate */
static const char *expandz(struct cfp *c, const char *s, size_t n, int final)
{
	buf_reset(&c->t2);
	expand(c, s, n, &c->t2, final, 0);
	if (buf_cstr(&c->t2) == NULL) {
		c->oom = 1;
		return "";
	}
	return c->t2.s;
}

/* munchstring - quotes toggle and vanish, backslash escapes (\n \r \f \b) */
static void munch(const char *p, buf *out, char delim, const char **end)
{
	int bs = 0, q = 0;

	buf_reset(out);
	for (; *p; p++) {
		if (bs) {
			bs = 0;
			switch (*p) {
			case 'r':
				(void)buf_append_c(out, '\r');
				continue;
			case 'n':
				(void)buf_append_c(out, '\n');
				continue;
			case 'f':
				(void)buf_append_c(out, '\f');
				continue;
			case 'b':
				(void)buf_append_c(out, '\b');
				continue;
			}
			(void)buf_append_c(out, *p);
		} else if (*p == '\\') {
			bs = 1;
		} else if (*p == '"') {
			q = !q;
		} else if (q || *p != delim) {
			(void)buf_append_c(out, *p);
		} else {
			break;
		}
	}
	if (end)
		*end = p;
	(void)buf_cstr(out);
}

/* ---- classes ---- */

static struct host_class *mkclass(struct cfp *c, const char *name)
{
	struct host_class *k = host_class_make(c->h, name);

	if (k == NULL)
		c->oom = 1;
	return k;
}

static void addword(struct cfp *c, const char *cname, const char *w, size_t n, enum host_src src,
		    const char *file, unsigned long line, const char *via)
{
	struct host_class *k = mkclass(c, cname);

	if (k && host_class_add(k, w, n, src, file, line, via) < 0)
		c->oom = 1;
}

/* copyclass - `$=X` in a C line: every member X has now */
static void copyclass(struct cfp *c, const char *to, const char *from)
{
	const struct host_class *f = host_class_get(c->h, from);
	struct host_class *t;
	size_t i, n;

	if (f == NULL)
		return;
	n = f->n;
	if (strcmp(to, from) == 0)
		return;
	t = mkclass(c, to);	/* may move the class array: re-fetch f */
	f = host_class_get(c->h, from);
	if (t == NULL || f == NULL)
		return;
	for (i = 0; i < n; i++) {
		f = host_class_get(c->h, from);
		if (host_class_add(t, f->v[i].word, strlen(f->v[i].word), HOST_SRC_COPY, c->file,
				   c->line, from) < 0)
			c->oom = 1;
	}
}

/* classwords - split on white space; "$=X" words copy class X */
static void classwords(struct cfp *c, const char *cname, const char *p, enum host_src src,
		       const char *file, unsigned long line)
{
	buf nm = BUF_INIT;

	while (*p) {
		const char *w;

		while (*p && sp((unsigned char)*p))
			p++;
		w = p;
		while (*p && !sp((unsigned char)*p))
			p++;
		if (p == w)
			break;
		if (src == HOST_SRC_CF && p - w > 2 && w[0] == '$' && w[1] == '=' &&
		    macid(c, w + 2, &nm, 0) == (size_t)(p - w - 2)) {
			copyclass(c, cname, nm.s);
			continue;
		}
		addword(c, cname, w, (size_t)(p - w), src, file, line, NULL);
	}
	buf_free(&nm);
}

/* ---- scanf formats ---- */

static void rxbyte(buf *o, unsigned char ch)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', hex[ch >> 4], hex[ch & 15] };

	(void)buf_append(o, e, 4);
}

int cf_scanf_regex(const char *fmt, buf *out, const char **why)
{
	const unsigned char *f = (const unsigned char *)fmt;
	int nconv = 0;

	*why = NULL;
	if (buf_append_s(out, "(?s)\\A") < 0)
		return -1;
	while (*f) {
		int suppress = 0, width = 0, c2;

		if (sp(*f)) {
			while (sp(*f))
				f++;
			(void)buf_append_s(out, "[\\t\\n\\v\\f\\r ]*+");
			continue;
		}
		if (*f != '%') {
			rxbyte(out, *f++);
			continue;
		}
		f++;
		if (*f == '%') {
			(void)buf_append_s(out, "[\\t\\n\\v\\f\\r ]*+\\x25");
			f++;
			continue;
		}
		if (*f == '*') {
			suppress = 1;
			f++;
		}
		while (*f >= '0' && *f <= '9') {
			if (width < 100000)
				width = width * 10 + (*f - '0');
			f++;
		}
		/* length modifiers make no sense for a char buffer */
		c2 = *f;
		if (c2 == 'h' || c2 == 'l' || c2 == 'L' || c2 == 'j' || c2 == 'z' || c2 == 't' ||
		    c2 == 'q' || c2 == 'm') {
			*why = "length modifiers and %m are not supported in a class-file format";
			return -1;
		}
		if (c2 == 's') {
			f++;
			(void)buf_append_s(out, "[\\t\\n\\v\\f\\r ]*+");
			(void)buf_append_s(out, suppress ? "(?:" : "(");
			(void)buf_append_s(out, "[^\\t\\n\\v\\f\\r ]");
			if (width)
				(void)buf_printf(out, "{1,%d}+", width);
			else
				(void)buf_append_s(out, "++");
			(void)buf_append_c(out, ')');
		} else if (c2 == 'c') {
			f++;
			(void)buf_append_s(out, suppress ? "(?:" : "(");
			/* glibc stores what is left when the input ends early and counts it */
			(void)buf_printf(out, "(?s:.){1,%d}+", width ? width : 1);
			(void)buf_append_c(out, ')');
		} else if (c2 == '[') {
			unsigned char set[256];
			int neg = 0, i, first = 1, any = 0;

			f++;
			memset(set, 0, sizeof(set));
			if (*f == '^') {
				neg = 1;
				f++;
			}
			/* a ']' right after '[' or '[^' is a member; a missing ']' runs to the end */
			while (*f && (first || *f != ']')) {
				if (f[1] == '-' && f[2] && f[2] != ']' && f[2] >= f[0]) {
					for (i = f[0]; i <= f[2]; i++)
						set[i] = 1;
					f += 3;
				} else {
					set[*f] = 1;
					f++;
				}
				first = 0;
			}
			if (*f == ']')
				f++;
			(void)buf_append_s(out, suppress ? "(?:[" : "([");
			for (i = 1; i < 256; i++)
				if (set[i] != neg) {
					rxbyte(out, (unsigned char)i);
					any = 1;
				}
			if (!any)
				(void)buf_append_s(out, "\\x00");	/* matches nothing in a C string */
			(void)buf_append_c(out, ']');
			if (width)
				(void)buf_printf(out, "{1,%d}+", width);
			else
				(void)buf_append_s(out, "++");
			(void)buf_append_c(out, ')');
		} else if (c2 == 'n') {
			*why = "%n is not supported in a class-file format";
			return -1;
		} else if (c2 == '\0') {
			*why = "the format ends in a lone %";
			return -1;
		} else {
			*why = "only %s, %c and %[...] conversions give a string; sendmail passes a "
			       "character buffer to sscanf";
			return -1;
		}
		if (!suppress) {
			nconv++;
			/* sscanf returns 1 as soon as this conversion succeeded: the rest of the
			   format only matters if it converts again (then sscanf returns 2) */
			for (; *f; f++) {
				if (f[0] == '%' && f[1] == '%') {
					f++;
					continue;
				}
				if (f[0] == '%' && f[1] != '*') {
					*why = "the format converts more than one string: sendmail passes "
					       "one buffer to sscanf and needs it to return 1";
					return -1;
				}
			}
			break;
		}
	}
	if (nconv != 1) {
		*why = "the format converts no string: sendmail's sscanf never returns 1, the file "
		       "adds nothing";
		return -1;
	}
	return 0;
}

/* dispname - a class name as written in the cf: "w", "{VirtHost}" */
static const char *dispname(const char *name, char *b, size_t n)
{
	if (strlen(name) <= 1)
		return name;
	snprintf(b, n, "{%s}", name);
	return b;
}

/* fileclass - F lines: read the file's lines through the format */
static void fileclass(struct cfp *c, const char *cname, const char *path, const char *fmt,
		      int optional)
{
	buf rx = BUF_INIT, real = BUF_INIT, ln = BUF_INIT, word = BUF_INIT;
	const char *why;
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	int fd, ecode, r;
	PCRE2_SIZE eoff;
	lline lr;
	char db[40];
	const char *disp = dispname(cname, db, sizeof(db));

	if (cf_scanf_regex(fmt, &rx, &why) < 0) {
		if (why == NULL)
			c->oom = 1;
		else
			cerr(c, "S2Q-C010", "F%s: scanf format \"%s\": %s", disp, fmt, why);
		goto out;
	}
	if (fmt[0] == '%' && fmt[1] == '[' && strchr(fmt + 2, ']') == NULL)
		cwarn(c, "S2Q-C010",
		      "F%s: scanf format \"%s\" has no closing ']': sendmail's sscanf then takes "
		      "the whole line (an unescaped '#' cut it? write %%[^\\#])", disp, fmt);
	if (buf_cstr(&rx) == NULL) {
		c->oom = 1;
		goto out;
	}
	re = pcre2_compile((PCRE2_SPTR)rx.s, rx.len, 0, &ecode, &eoff, NULL);
	if (re == NULL && ecode == PCRE2_ERROR_HEAP_FAILED) {
		c->oom = 1;
		goto out;
	}
	if (re == NULL) {
		cerr(c, "S2Q-C010", "F%s: scanf format \"%s\" cannot be translated", disp, fmt);
		goto out;
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	if (md == NULL) {
		c->oom = 1;
		goto out;
	}
	if (path[0] != '/')
		cwarn(c, "S2Q-C021",
		      "F%s: relative file name %s is read from the sendmail root (sendmail opens it "
		      "relative to its working directory)", disp, path);
	fd = sroot_open(c->o->rootfd, path, &real);
	if (fd < 0) {
		int e = errno;

		if (e == ENOMEM)
			c->oom = 1;
		else if (e == EXDEV)
			cerr(c, "S2Q-C009", "F%s: class file %s: %s", disp, path, sroot_errstr(e));
		else if (!optional)
			cerr(c, "S2Q-C009",
			     "F%s: class file %s cannot be read: %s (sendmail: \"fileclass: cannot "
			     "open '%s'\"; the copied root is incomplete?)",
			     disp, path, sroot_errstr(e), path);
		else if (e != ENOENT)
			cwarn(c, "S2Q-C009", "F%s: optional class file %s cannot be read: %s", disp,
			      path, sroot_errstr(e));
		goto out;
	}
	if (lline_fdopen(&lr, fd, 0) < 0) {
		close(fd);
		c->oom = 1;
		goto out;
	}
	while ((r = lline_next(&lr, &ln)) > 0) {
		unsigned long l = lr.lineno;
		size_t n = ln.len;

		if (n > 0 && ln.s[0] == '#')
			continue;
		if (lr.hasnul) {
			n = strlen(ln.s);
			fdiag(c, DIAG_WARN, "S2Q-C023", path, l,
			      "line contains a NUL byte: sendmail reads it only up to there");
		}
		if (n + (lr.nl ? 1 : 0) > SM_MAXLINE - 1)
			fdiag(c, DIAG_WARN, "S2Q-C023", path, l,
			      "line longer than sendmail's %d-byte buffer: sendmail reads the rest as "
			      "another line; s2q reads it whole", SM_MAXLINE - 1);
		ln.len = n;
		if (lr.nl)
			(void)buf_append_c(&ln, '\n');
		r = pcre2_match(re, (PCRE2_SPTR)ln.s, ln.len, 0, 0, md, NULL);
		if (r == PCRE2_ERROR_NOMATCH)
			continue;
		if (r == PCRE2_ERROR_NOMEMORY) {
			c->oom = 1;
			break;
		}
		if (r < 2) {
			fdiag(c, DIAG_ERROR, "S2Q-C010", path, l,
			      "scanf format \"%s\" cannot be applied to this line", fmt);
			continue;
		}
		{
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

			if (buf_copy(&word, ln.s + ov[2], ov[3] - ov[2]) < 0 ||
			    buf_cstr(&word) == NULL) {
				c->oom = 1;
				break;
			}
		}
		classwords(c, cname, word.s, HOST_SRC_FILE, path, l);
	}
	if (r < 0)
		fdiag(c, DIAG_ERROR, "S2Q-C009", path, 0, "class file cannot be read: %s",
		      strerror(errno));
	lline_close(&lr);
	close(fd);
out:
	if (md)
		pcre2_match_data_free(md);
	if (re)
		pcre2_code_free(re);
	buf_free(&rx);
	buf_free(&real);
	buf_free(&ln);
	buf_free(&word);
}

/* ---- line kinds ---- */

static void do_V(struct cfp *c, const char *p)
{
	char *e;
	long lv;
	const struct host_macro *w;

	while (sp((unsigned char)*p))
		p++;
	if (!(*p >= '0' && *p <= '9')) {
		cerr(c, "S2Q-C004", "invalid argument to V line: \"%.20s\"", p);
		return;
	}
	lv = strtol(p, &e, 10);
	c->level = lv > 100000 ? 100000 : (int)lv;
	c->h->config_level = c->level;
	if (c->level >= 5 && (w = host_macro_get(c->h, "w")) != NULL && w->raw != NULL) {
		const char *dot = strchr(w->raw, '.');

		if (dot) {
			char *s = dupn(c, w->raw, (size_t)(dot - w->raw));

			if (s && host_macro_set(c->h, "w", s, w->file, w->line) == NULL)
				c->oom = 1;
			free(s);
		}
	}
	if (*e == '/') {
		const char *v = e + 1, *q = v;

		while (((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))
			q++;
		free(c->h->vendor);
		c->h->vendor = dupn(c, v, (size_t)(q - v));
		if (q == v)
			cerr(c, "S2Q-C004", "invalid V line vendor code: \"\"");
	}
}

static void do_D(struct cfp *c, const char *p)
{
	size_t u = macid(c, p, &c->t3, 1);
	char *name;

	if (u == 0)
		return;
	name = dupz(c, c->t3.s);
	if (name == NULL)
		return;
	munch(p + u, &c->t3, '\0', NULL);
	if (host_macro_set(c->h, name, c->t3.s ? c->t3.s : "", c->file, c->line) == NULL)
		c->oom = 1;
	free(name);
}

static void do_C(struct cfp *c, const char *p, int trusted)
{
	char *name;
	const char *v;

	if (trusted) {
		classwords(c, "t", p, HOST_SRC_CF, c->file, c->line);
		return;
	}
	{
		size_t u = macid(c, p, &c->t3, 1);

		if (u == 0)
			return;
		name = dupz(c, c->t3.s);
		if (name == NULL)
			return;
		if (name[0] && sp((unsigned char)name[0]) && name[1] == '\0')
			cwarn(c, "S2Q-C025",
			      "class name is a white space character: sendmail files the words under "
			      "that class (a space after 'C' by mistake?)");
		v = expandz(c, p + u, strlen(p + u), 0);
		/* classwords may expand nothing more: copy v, t2 is reused by nobody below */
		{
			char *vv = dupz(c, v);

			if (vv) {
				if (mkclass(c, name))
					classwords(c, name, vv, HOST_SRC_CF, c->file, c->line);
				free(vv);
			}
		}
		free(name);
	}
}

/* extrquotstr - a file name: quotes toggle and vanish, "\ " is a blank, ends at a space */
static int extrquot(const char *p, buf *out, const char **end)
{
	int bs = 0, q = 0;

	buf_reset(out);
	for (; *p; p++) {
		if (bs) {
			bs = 0;
			if (*p != ' ')
				(void)buf_append_c(out, '\\');
		}
		if (*p == '\\')
			bs = 1;
		else if (*p == '"')
			q = !q;
		else if (q || *p != ' ')
			(void)buf_append_c(out, *p);
		else
			break;
	}
	*end = p;
	(void)buf_cstr(out);
	return !(q || bs);
}

static void do_F(struct cfp *c, const char *p)
{
	size_t u = macid(c, p, &c->t3, 1);
	char *name = NULL, *file = NULL;
	const char *q, *fmt;
	int optional = 0, ismap = 0;
	char db[40];
	const char *disp;

	if (u == 0)
		return;
	name = dupz(c, c->t3.s);
	if (name == NULL)
		return;
	disp = dispname(name, db, sizeof(db));
	p += u;
	while (sp((unsigned char)*p))
		p++;
	if (p[0] == '-' && p[1] == 'o') {
		optional = 1;
		while (*p && !sp((unsigned char)*p))
			p++;
		while (sp((unsigned char)*p))
			p++;
	}
	if (*p != '/' && *p != '|' && (q = strchr(p, '@')) != NULL) {
		q++;
		if (strcmp(q, "LDAP") == 0 || (*q != ':' && strchr(q, ':') != NULL))
			ismap = 1;
	}
	if (ismap) {
		cwarn(c, "S2Q-C012",
		      "F%s: class from a map lookup (%s) is not performed by s2q: the class "
		      "misses those members; add them with --local or to the class file", disp, p);
		goto out;
	}
	if (!extrquot(p, &c->t3, &q)) {
		cerr(c, "S2Q-C008", "illegal filename '%s'", p);
		goto out;
	}
	file = dupz(c, c->t3.s ? c->t3.s : "");
	if (file == NULL)
		goto out;
	if (file[0] == '\0') {
		cerr(c, "S2Q-C008", "fileclass: missing file name");
		goto out;
	}
	if (file[0] == '|') {
		cwarn(c, "S2Q-C011",
		      "F%s: class from the output of a program (%s) is not run by s2q: the class "
		      "misses those members; add them with --local or a class file", disp, file);
		goto out;
	}
	if (strchr(file, '$') != NULL)
		cwarn(c, "S2Q-C022",
		      "F%s: file name %s contains '$': sendmail does not expand macros in F lines, "
		      "so it opens a file of that literal name", disp, file);
	if (*q == '\0') {
		fmt = "%s";
	} else {
		while (sp((unsigned char)*q))
			q++;
		fmt = *q ? q : "%s";
	}
	if (strcmp(name, "w") == 0)
		c->fp[FP_FW_FILE] = 1;
	if (strcmp(name, "t") == 0)
		c->fp[FP_FT_FILE] = 1;
	if (mkclass(c, name))
		fileclass(c, name, file, fmt, optional);
out:
	free(name);
	free(file);
}

static const char *const internal_classes[] = {
	"implicit", "sequence", "switch", "user", "host", "dequote", "macro", "arith", "stab",
	"null", "syslog", "bestmx", "arpa", "dns", NULL
};
static const char *const other_classes[] = {
	"regex", "ldap", "nis", "nisplus", "program", "socket", "userdb", NULL
};

static int inlist(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (ieq(*l, s))
			return 1;
	return 0;
}

static void do_K(struct cfp *c, const char *line)
{
	const char *x, *p, *nm, *cl;
	size_t nlen, clen, i;
	struct host_map m, *slot = NULL;
	char *args;

	x = expandz(c, line, strlen(line), 0);
	args = dupz(c, x);
	if (args == NULL)
		return;
	p = args;
	while (sp((unsigned char)*p))
		p++;
	if (!alnum((unsigned char)*p)) {
		cerr(c, "S2Q-C013", "readcf: config K line: no map name");
		free(args);
		return;
	}
	nm = p++;
	while (alnum((unsigned char)*p) || *p == '_' || *p == '.')
		p++;
	nlen = (size_t)(p - nm);
	if (*p && !sp((unsigned char)*p)) {
		/* sendmail cuts the name here and takes the next byte as the start of the class */
		p++;
	}
	while (sp((unsigned char)*p))
		p++;
	if (!alnum((unsigned char)*p)) {
		cerr(c, "S2Q-C013", "readcf: config K line, map %.*s: no map class", (int)nlen, nm);
		free(args);
		return;
	}
	cl = p++;
	while (alnum((unsigned char)*p))
		p++;
	clen = (size_t)(p - cl);
	if (*p)
		p++;
	while (sp((unsigned char)*p))
		p++;
	memset(&m, 0, sizeof(m));
	m.name = dupn(c, nm, nlen);
	m.mclass = dupn(c, cl, clen);
	m.args = dupz(c, p);
	m.file = dupz(c, c->file);
	m.line = c->line;
	if (m.name == NULL || m.mclass == NULL || m.args == NULL || m.file == NULL)
		goto fail;
	for (i = 0; i < clen; i++)
		m.mclass[i] = (char)lc((unsigned char)m.mclass[i]);
	if (ieq(m.mclass, "dbm") || ieq(m.mclass, "cdb") ||
	    !(ieq(m.mclass, "hash") || ieq(m.mclass, "btree") || ieq(m.mclass, "text") ||
	      inlist(internal_classes, m.mclass) || inlist(other_classes, m.mclass))) {
		cerr(c, "S2Q-C014", "readcf: map %s: class %s not available (sendmail 8.17 has no "
		     "such map class: every lookup in it fails)", m.name, m.mclass);
		goto fail;
	}
	if (ieq(m.mclass, "hash") || ieq(m.mclass, "btree"))
		m.kind = HOST_MAP_DB;
	else if (ieq(m.mclass, "text"))
		m.kind = HOST_MAP_TEXT;
	else if (inlist(internal_classes, m.mclass))
		m.kind = HOST_MAP_INTERNAL;
	else
		m.kind = HOST_MAP_OTHER;
	/* map_parseargs: -x flags, then the file name, then rebuild text */
	for (;;) {
		const char *w;
		char **nf;

		while (sp((unsigned char)*p))
			p++;
		if (*p != '-')
			break;
		w = p;
		while (*p && !sp((unsigned char)*p))
			p++;
		nf = realloc(m.flags, (m.nflags + 1) * sizeof(*nf));
		if (nf == NULL) {
			c->oom = 1;
			goto fail;
		}
		m.flags = nf;
		m.flags[m.nflags] = dupn(c, w, (size_t)(p - w));
		if (m.flags[m.nflags] == NULL)
			goto fail;
		m.nflags++;
		switch (w[1]) {
		case 'o':
			m.optional = 1;
			break;
		case 'f':
			m.nofold = 1;
			break;
		case 'm':
			m.matchonly = 1;
			break;
		case 'a':
			free(m.append);
			m.append = dupn(c, w + 2, (size_t)(p - w - 2));
			break;
		case 'T':
			free(m.tmpf);
			m.tmpf = dupn(c, w + 2, (size_t)(p - w - 2));
			break;
		default:
			break;
		}
	}
	if (*p) {
		const char *w = p;

		while (*p && !sp((unsigned char)*p))
			p++;
		m.path = dupn(c, w, (size_t)(p - w));
		while (sp((unsigned char)*p))
			p++;
		if (*p)
			m.rest = dupz(c, p);
	}
	if (m.kind == HOST_MAP_DB || m.kind == HOST_MAP_TEXT) {
		if (m.path == NULL) {
			cerr(c, "S2Q-C013", "No file name for %s map %s", m.mclass, m.name);
			goto fail;
		}
		if (m.kind == HOST_MAP_DB && strlen(m.path) > 3 &&
		    strcmp(m.path + strlen(m.path) - 3, ".db") == 0)
			m.source = dupn(c, m.path, strlen(m.path) - 3);
		else
			m.source = dupz(c, m.path);
		if (m.path[0] != '/')
			cwarn(c, "S2Q-C021",
			      "map %s: relative file name %s is read from the sendmail root (sendmail "
			      "opens it relative to its working directory)", m.name, m.path);
	}
	if (c->oom)
		goto fail;
	/* a K line for a name already declared replaces it (one symbol table entry) */
	for (i = 0; i < c->h->nmaps; i++)
		if (ieq(c->h->maps[i].name, m.name))
			slot = &c->h->maps[i];
	if (slot) {
		struct host_map old = *slot;

		*slot = m;
		free(old.name);
		free(old.mclass);
		free(old.args);
		for (i = 0; i < old.nflags; i++)
			free(old.flags[i]);
		free(old.flags);
		free(old.append);
		free(old.tmpf);
		free(old.path);
		free(old.source);
		free(old.rest);
		free(old.file);
	} else {
		if (c->h->nmaps == c->h->capmaps) {
			size_t nc = c->h->capmaps ? 2 * c->h->capmaps : 16;
			struct host_map *nv = realloc(c->h->maps, nc * sizeof(*nv));

			if (nv == NULL) {
				c->oom = 1;
				goto fail;
			}
			c->h->maps = nv;
			c->h->capmaps = nc;
		}
		c->h->maps[c->h->nmaps++] = m;
	}
	free(args);
	return;
fail:
	free(m.name);
	free(m.mclass);
	free(m.args);
	for (i = 0; i < m.nflags; i++)
		free(m.flags[i]);
	free(m.flags);
	free(m.append);
	free(m.tmpf);
	free(m.path);
	free(m.source);
	free(m.rest);
	free(m.file);
	free(args);
}

/* ---- O lines ---- */

#define OI_SUBOPT 1
static const struct opt {
	const char *name;
	unsigned char code;
	int flags;
} opttab[] = {
	{ "SevenBitInput", '7', 0 }, { "EightBitMode", '8', 0 }, { "AliasFile", 'A', 0 },
	{ "AliasWait", 'a', 0 }, { "BlankSub", 'B', 0 }, { "MinFreeBlocks", 'b', 0 },
	{ "CheckpointInterval", 'C', 0 }, { "HoldExpensive", 'c', 0 }, { "DeliveryMode", 'd', 0 },
	{ "ErrorHeader", 'E', 0 }, { "ErrorMode", 'e', 0 }, { "TempFileMode", 'F', 0 },
	{ "SaveFromLine", 'f', 0 }, { "MatchGECOS", 'G', 0 }, { "", 'g', 0 },
	{ "HelpFile", 'H', 0 }, { "MaxHopCount", 'h', 0 }, { "ResolverOptions", 'I', 0 },
	{ "IgnoreDots", 'i', 0 }, { "ForwardPath", 'J', 0 }, { "SendMimeErrors", 'j', 0 },
	{ "ConnectionCacheSize", 'k', 0 }, { "ConnectionCacheTimeout", 'K', 0 },
	{ "UseErrorsTo", 'l', 0 }, { "LogLevel", 'L', 0 }, { "MeToo", 'm', 0 }, { "", 'M', 0 },
	{ "CheckAliases", 'n', 0 }, { "OldStyleHeaders", 'o', 0 },
	{ "DaemonPortOptions", 'O', 0 }, { "PrivacyOptions", 'p', 0 },
	{ "PostmasterCopy", 'P', 0 }, { "QueueFactor", 'q', 0 }, { "QueueDirectory", 'Q', 0 },
	{ "DontPruneRoutes", 'R', 0 }, { "Timeout", 'r', OI_SUBOPT }, { "StatusFile", 'S', 0 },
	{ "SuperSafe", 's', 0 }, { "QueueTimeout", 'T', 0 }, { "TimeZoneSpec", 't', 0 },
	{ "UserDatabaseSpec", 'U', 0 }, { "DefaultUser", 'u', 0 }, { "FallbackMXhost", 'V', 0 },
	{ "Verbose", 'v', 0 }, { "TryNullMXList", 'w', 0 }, { "QueueLA", 'x', 0 },
	{ "RefuseLA", 'X', 0 }, { "RecipientFactor", 'y', 0 }, { "ForkEachJob", 'Y', 0 },
	{ "ClassFactor", 'z', 0 }, { "RetryFactor", 'Z', 0 },
	{ "QueueSortOrder", 0x81, 0 }, { "HostsFile", 0x82, 0 }, { "MinQueueAge", 0x83, 0 },
	{ "DefaultCharSet", 0x85, 0 }, { "ServiceSwitchFile", 0x86, 0 }, { "DialDelay", 0x87, 0 },
	{ "NoRecipientAction", 0x88, 0 }, { "SafeFileEnvironment", 0x89, 0 },
	{ "MaxMessageSize", 0x8a, 0 }, { "ColonOkInAddr", 0x8b, 0 },
	{ "MaxQueueRunSize", 0x8c, 0 }, { "MaxDaemonChildren", 0x8d, 0 },
	{ "DontExpandCnames", 0x8e, 0 }, { "MustQuoteChars", 0x8f, 0 },
	{ "SmtpGreetingMessage", 0x90, 0 }, { "UnixFromLine", 0x91, 0 },
	{ "OperatorChars", 0x92, 0 }, { "DontInitGroups", 0x93, 0 },
	{ "SingleLineFromHeader", 0x94, 0 }, { "AllowBogusHELO", 0x95, 0 },
	{ "ConnectionRateThrottle", 0x97, 0 }, { "UnsafeGroupWrites", 0x99, 0 },
	{ "DoubleBounceAddress", 0x9a, 0 }, { "HostStatusDirectory", 0x9b, 0 },
	{ "SingleThreadDelivery", 0x9c, 0 }, { "RunAsUser", 0x9d, 0 },
	{ "RrtImpliesDsn", 0x9e, 0 }, { "PidFile", 0x9f, 0 }, { "DontBlameSendmail", 0xa0, 0 },
	{ "DontProbeInterfaces", 0xa1, 0 }, { "MaxRecipientsPerMessage", 0xa2, 0 },
	{ "DeadLetterDrop", 0xa3, 0 }, { "MaxAliasRecursion", 0xa5, 0 },
	{ "ConnectOnlyTo", 0xa6, 0 }, { "TrustedUser", 0xa7, 0 },
	{ "MaxMimeHeaderLength", 0xa8, 0 }, { "ControlSocketName", 0xa9, 0 },
	{ "MaxHeadersLength", 0xaa, 0 }, { "ProcessTitlePrefix", 0xac, 0 },
	{ "DefaultAuthInfo", 0xad, 0 }, { "AuthMechanisms", 0xae, 0 },
	{ "ClientPortOptions", 0xaf, 0 }, { "DataFileBufferSize", 0xb0, 0 },
	{ "XscriptFileBufferSize", 0xb1, 0 }, { "LDAPDefaultSpec", 0xb2, 0 },
	{ "ServerCertFile", 0xb4, 0 }, { "ServerKeyFile", 0xb5, 0 },
	{ "ClientCertFile", 0xb6, 0 }, { "ClientKeyFile", 0xb7, 0 }, { "CACertFile", 0xb8, 0 },
	{ "CACertPath", 0xb9, 0 }, { "DHParameters", 0xba, 0 }, { "InputMailFilters", 0xbb, 0 },
	{ "Milter", 0xbc, OI_SUBOPT }, { "AuthOptions", 0xbd, 0 }, { "QueueFileMode", 0xbe, 0 },
	{ "CertFingerprintAlgorithm", 0xbf, 0 }, { "CipherList", 0xc0, 0 },
	{ "RandFile", 0xc1, 0 }, { "TLSSrvOptions", 0xc2, 0 }, { "BadRcptThrottle", 0xc3, 0 },
	{ "DeliverByMin", 0xc4, 0 }, { "MaxQueueChildren", 0xc5, 0 },
	{ "MaxRunnersPerQueue", 0xc6, 0 }, { "DirectSubmissionModifiers", 0xc7, 0 },
	{ "NiceQueueRun", 0xc8, 0 }, { "SharedMemoryKey", 0xc9, 0 }, { "AuthMaxBits", 0xca, 0 },
	{ "MailboxDatabase", 0xcb, 0 }, { "UseMSP", 0xcc, 0 }, { "DelayLA", 0xcd, 0 },
	{ "FastSplit", 0xce, 0 }, { "SoftBounce", 0xcf, 0 }, { "SharedMemoryKeyFile", 0xd0, 0 },
	{ "RejectLogInterval", 0xd1, 0 }, { "RequiresDirfsync", 0xd2, 0 },
	{ "ConnectionRateWindowSize", 0xd3, 0 }, { "CRLFile", 0xd4, 0 },
	{ "FallbackSmartHost", 0xd5, 0 }, { "AuthRealm", 0xd6, 0 }, { "CRLPath", 0xd7, 0 },
	{ "HeloName", 0xd8, 0 }, { "MaxNOOPCommands", 0xdc, 0 },
	{ "BadRcptShutdown", 0xe1, 0 }, { "BadRcptShutdownGood", 0xe2, 0 },
	{ "ServerSSLOptions", 0xe3, 0 }, { "ClientSSLOptions", 0xe4, 0 },
	{ "MaxQueueAge", 0xe5, 0 }, { "RejectNUL", 0xe9, 0 },
	{ "UseCompressedIPv6Addresses", 0xec, 0 }, { "SSLEngine", 0xed, 0 },
	{ "SSLEnginePath", 0xee, 0 }, { "TLSFallbacktoClear", 0xef, 0 },
	{ "SetCertAltnames", 0xf7, 0 }, { "SmtpUTF8", 0xf8, 0 },
	{ "StrictTransportSecurity", 0xf9, 0 }, { "CipherSuites", 0xfa, 0 },
	{ NULL, 0, 0 }
};

static const char *const privacy_words[] = {
	"public", "needmailhelo", "needexpnhelo", "needvrfyhelo", "noexpn", "novrfy",
	"restrictexpand", "restrictmailq", "restrictqrun", "noetrn", "noverb", "authwarnings",
	"noreceipts", "nobodyreturn", "goaway", "noactualrecipient", NULL
};

static void addopt(struct cfp *c, const char *name, const char *sub, const char *value)
{
	struct host *h = c->h;
	struct host_option *o;

	if (h->noptions == h->capoptions) {
		size_t nc = h->capoptions ? 2 * h->capoptions : 32;
		struct host_option *nv = realloc(h->options, nc * sizeof(*nv));

		if (nv == NULL) {
			c->oom = 1;
			return;
		}
		h->options = nv;
		h->capoptions = nc;
	}
	o = &h->options[h->noptions];
	o->name = dupz(c, name);
	o->sub = dupz(c, sub);
	o->value = dupz(c, value);
	o->file = dupz(c, c->file);
	o->line = c->line;
	if (o->name == NULL || o->value == NULL || o->file == NULL || (sub && o->sub == NULL)) {
		free(o->name);
		free(o->sub);
		free(o->value);
		free(o->file);
		return;
	}
	h->noptions++;
}

/* setalias - AliasFile: comma-separated "path" or "class:spec" elements, quotes keep commas */
static void setalias(struct cfp *c, const char *spec)
{
	const char *p = spec;
	struct host *h = c->h;

	while (p != NULL) {
		const char *start, *sep, *cls = "implicit", *e;
		size_t clen = 8;
		int q = 0;
		struct host_aliasfile *a;

		while (sp((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		sep = strpbrk(p, " ,/:");
		if (sep && *sep == ':') {
			cls = start;
			clen = (size_t)(sep - start);
			start = sep + 1;
		}
		e = sep ? (*sep == ':' ? sep + 1 : sep) : NULL;
		if (e != NULL) {
			for (; *e; e++) {
				if (*e == '"')
					q = !q;
				else if (*e == ',' && !q)
					break;
			}
			if (*e == '\0')
				e = NULL;
		}
		if (h->naliasfiles == h->capaliasfiles) {
			size_t nc = h->capaliasfiles ? 2 * h->capaliasfiles : 4;
			struct host_aliasfile *nv = realloc(h->aliasfiles, nc * sizeof(*nv));

			if (nv == NULL) {
				c->oom = 1;
				return;
			}
			h->aliasfiles = nv;
			h->capaliasfiles = nc;
		}
		a = &h->aliasfiles[h->naliasfiles];
		{
			size_t n = e ? (size_t)(e - start) : strlen(start);

			while (n > 0 && sp((unsigned char)start[n - 1]))
				n--;
			a->spec = dupn(c, start, n);
		}
		a->mclass = dupn(c, cls, clen);
		a->file = dupz(c, c->file);
		a->line = c->line;
		if (a->spec == NULL || a->mclass == NULL || a->file == NULL) {
			free(a->spec);
			free(a->mclass);
			free(a->file);
			return;
		}
		h->naliasfiles++;
		if (!ieq(a->mclass, "implicit") && !ieq(a->mclass, "hash") &&
		    !ieq(a->mclass, "btree") && !ieq(a->mclass, "text"))
			cwarn(c, "S2Q-C031",
			      "AliasFile %s:%s: alias map class %s cannot be read by s2q (closest: "
			      "export it to a text aliases file for s2q-aliases)",
			      a->mclass, a->spec, a->mclass);
		p = e ? e + 1 : NULL;
	}
}

static void privacy(struct cfp *c, const char *v)
{
	const char *p = v;
	struct host *h = c->h;

	for (;;) {
		const char *w;
		size_t n, i;

		while (*p && ((unsigned char)*p < 0x80) &&
		       (sp((unsigned char)*p) || (strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", *p) &&
						  *p != '\0')))
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (alnum((unsigned char)*p))
			p++;
		n = (size_t)(p - w);
		if (n == 0) {
			p++;
			continue;
		}
		for (i = 0; privacy_words[i]; i++)
			if (strlen(privacy_words[i]) == n && ieqn(privacy_words[i], w, n))
				break;
		if (privacy_words[i] == NULL) {
			cerr(c, "S2Q-C019", "readcf: Op line: %.*s unrecognized", shortn(n), w);
			continue;
		}
		for (i = 0; i < h->nprivacy; i++)
			if (strlen(h->privacy[i]) == n && ieqn(h->privacy[i], w, n))
				break;
		if (i < h->nprivacy)
			continue;
		{
			char **nv = realloc(h->privacy, (h->nprivacy + 1) * sizeof(*nv));
			size_t k;

			if (nv == NULL) {
				c->oom = 1;
				return;
			}
			h->privacy = nv;
			h->privacy[h->nprivacy] = dupn(c, w, n);
			if (h->privacy[h->nprivacy] == NULL)
				return;
			for (k = 0; k < n; k++)
				h->privacy[h->nprivacy][k] = (char)lc((unsigned char)w[k]);
			h->nprivacy++;
		}
	}
}

static void setopt(struct cfp *c, const struct opt *o, const char *sub, const char *val)
{
	struct host *h = c->h;

	if (o->code == 'M') {
		size_t u = macid(c, val, &c->t3, 1);
		char *name;

		if (u == 0)
			return;
		name = dupz(c, c->t3.s);
		if (name && host_macro_set(h, name, val + u, c->file, c->line) == NULL)
			c->oom = 1;
		free(name);
		return;
	}
	addopt(c, o->name, sub, val);
	switch (o->code) {
	case 'A':
		setalias(c, val[0] ? val : "aliases");
		break;
	case 'b': {
		const char *sl = strchr(val, '/');

		if (sl)
			h->max_message_size = atol(sl + 1);
		break;
	}
	case 0x8a:
		h->max_message_size = atol(val);
		break;
	case 'J':
		free(h->forward_path);
		h->forward_path = dupz(c, val);
		break;
	case 'p':
		privacy(c, val);
		break;
	case 'B':
		h->blanksub = val[0] ? val[0] : ' ';
		break;
	case 0xa1:
		h->dont_probe_interfaces = ieq(val, "loopback") ? 2 : host_atobool(val) ? 1 : 0;
		break;
	case 'u':
		free(h->default_user);
		h->default_user = dupz(c, val);
		break;
	default:
		break;
	}
}

static void do_O(struct cfp *c, char *bp)
{
	const struct opt *o, *sel = NULL;
	char *val, *p, *sub = NULL, *name;

	if (bp[1] != ' ') {
		for (o = opttab; o->name; o++)
			if (o->code == (unsigned char)bp[1])
				break;
		if (o->name == NULL) {
			cerr(c, "S2Q-C015", "readcf: unknown option name 0x%x", (unsigned char)bp[1]);
			return;
		}
		setopt(c, o, NULL, bp[1] ? bp + 2 : bp + 1);
		return;
	}
	/* long form, pointer for pointer as setoption() does it */
	val = bp + 2;
	p = strchr(val, '=');
	if (p == NULL)
		p = val + strlen(val);
	while (*--p == ' ')
		;
	while (*++p == ' ')
		*p = '\0';
	if (p == val) {
		cerr(c, "S2Q-C015", "readcf: null option name");
		return;
	}
	if (*p == '=')
		*p++ = '\0';
	while (*p == ' ')
		p++;
	/* the name may have lost its first bytes to the blanks: it starts at val anyway */
	name = val;
	sub = strchr(name, '.');
	if (sub)
		*sub++ = '\0';
	for (o = opttab; o->name; o++) {
		if (o->name[0] == '\0' && name[0] != '\0')
			continue;
		if (!ieqn(o->name, name, strlen(name)))
			continue;
		if (strlen(o->name) == strlen(name)) {
			sel = NULL;
			break;
		}
		if (sel != NULL)
			break;
		sel = o;
	}
	if (sel != NULL && o->name == NULL) {
		o = sel;
	} else if (o->name == NULL) {
		cerr(c, "S2Q-C015", "readcf: unknown option name %s", name);
		return;
	} else if (sel != NULL) {
		cerr(c, "S2Q-C015", "readcf: ambiguous option name %s (matches %s and %s)", name,
		     sel->name, o->name);
		return;
	}
	if (strlen(name) != strlen(o->name))
		cnote(c, "S2Q-C016", "Option %s used as abbreviation for %s", name, o->name);
	if (sub != NULL && !(o->flags & OI_SUBOPT))
		sub = NULL;
	setopt(c, o, sub, p);
}

/* ---- M lines ---- */

static void do_M(struct cfp *c, const char *line)
{
	const char *p = line, *nm;
	struct host_mailer m;
	struct host *h = c->h;
	size_t i;
	char fcode;

	memset(&m, 0, sizeof(m));
	nm = p;
	while (*p && *p != ',' && !sp((unsigned char)*p))
		p++;
	if (p == nm) {
		cerr(c, "S2Q-C017", "name required for mailer");
		return;
	}
	m.name = dupn(c, nm, (size_t)(p - nm));
	if (*p)
		p++;
	while (*p) {
		const char *end;

		while (*p == ',' || sp((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		fcode = *p;
		while (*p && *p != '=' && *p != ',')
			p++;
		if (*p++ != '=') {
			cerr(c, "S2Q-C017", "mailer %s: `=' expected", m.name ? m.name : "?");
			goto fail;
		}
		while (sp((unsigned char)*p))
			p++;
		munch(p, &c->t3, ',', &end);
		p = end;
		switch (fcode) {
		case 'P':
			if (c->t3.len) {
				free(m.path);
				m.path = dupz(c, c->t3.s);
			}
			break;
		case 'F': {
			size_t k;

			free(m.flags);
			m.flags = dupz(c, "");
			for (k = 0; m.flags && k < c->t3.len; k++)
				if (!sp((unsigned char)c->t3.s[k]) &&
				    strchr(m.flags, c->t3.s[k]) == NULL) {
					size_t fl = strlen(m.flags);
					char *nf = realloc(m.flags, fl + 2);

					if (nf == NULL) {
						c->oom = 1;
						goto fail;
					}
					m.flags = nf;
					m.flags[fl] = c->t3.s[k];
					m.flags[fl + 1] = '\0';
				}
			break;
		}
		case 'A':
			if (c->t3.len) {
				free(m.argv);
				m.argv = dupz(c, c->t3.s);
			}
			break;
		case 'M':
			m.maxsize = atol(c->t3.s ? c->t3.s : "0");
			break;
		case 'E':
			free(m.eol);
			m.eol = dupz(c, c->t3.s ? c->t3.s : "");
			break;
		default:
			break;
		}
		if (*p)
			p++;
	}
	if (m.argv == NULL) {
		cerr(c, "S2Q-C017", "M%s: A= argument required", m.name);
		goto fail;
	}
	if (m.path == NULL) {
		cerr(c, "S2Q-C017", "M%s: P= argument required", m.name);
		goto fail;
	}
	if (m.flags == NULL)
		m.flags = dupz(c, "");
	m.file = dupz(c, c->file);
	m.line = c->line;
	if (c->oom)
		goto fail;
	for (i = 0; i < h->nmailers; i++) {
		if (ieq(h->mailers[i].name, m.name)) {
			struct host_mailer old = h->mailers[i];

			h->mailers[i] = m;
			free(old.name);
			free(old.path);
			free(old.flags);
			free(old.argv);
			free(old.eol);
			free(old.file);
			return;
		}
	}
	if (h->nmailers == h->capmailers) {
		size_t nc = h->capmailers ? 2 * h->capmailers : 8;
		struct host_mailer *nv = realloc(h->mailers, nc * sizeof(*nv));

		if (nv == NULL) {
			c->oom = 1;
			goto fail;
		}
		h->mailers = nv;
		h->capmailers = nc;
	}
	h->mailers[h->nmailers++] = m;
	return;
fail:
	free(m.name);
	free(m.path);
	free(m.flags);
	free(m.argv);
	free(m.eol);
	free(m.file);
}

/* ---- S and R lines ---- */

static const char *rsname(struct cfp *c, int num)
{
	size_t i;

	for (i = 0; i < c->nrs; i++)
		if (c->rs[i].num == num && c->rs[i].name)
			return c->rs[i].name;
	return NULL;
}

static void addrsname(struct cfp *c, const char *label)
{
	struct host *h = c->h;
	size_t i;
	char **nv;

	for (i = 0; i < h->nrulesets; i++)
		if (strcmp(h->rulesets[i], label) == 0)
			return;
	nv = realloc(h->rulesets, (h->nrulesets + 1) * sizeof(*nv));
	if (nv == NULL) {
		c->oom = 1;
		return;
	}
	h->rulesets = nv;
	h->rulesets[h->nrulesets] = dupz(c, label);
	if (h->rulesets[h->nrulesets])
		h->nrulesets++;
}

static void do_S(struct cfp *c, const char *p)
{
	int num = -1;
	size_t i;
	char label[64];

	while (sp((unsigned char)*p))
		p++;
	if ((unsigned char)*p >= 0x80) {
		cerr(c, "S2Q-C007", "invalid ruleset name: \"%.20s\"", p);
		c->cur = -1;
		return;
	}
	if (*p >= '0' && *p <= '9') {
		long v = strtol(p, NULL, 10);

		if (v < 0 || v >= 100) {
			cerr(c, "S2Q-C007", "bad ruleset %ld (100 max)", v);
			c->cur = -1;
			return;
		}
		num = (int)v;
		c->cur = num;
		snprintf(label, sizeof(label), "%d", num);
		addrsname(c, rsname(c, num) ? rsname(c, num) : label);
		c->rules_in_cur = 0;
		return;
	} else {
		const char *q = p;
		struct rs *r = NULL;
		size_t n;

		while (alnum((unsigned char)*p) || *p == '_')
			p++;
		n = (size_t)(p - q);
		if (n == 0 || !(((*q | 0x20) >= 'a') && ((*q | 0x20) <= 'z'))) {
			cerr(c, "S2Q-C007", "invalid ruleset name: \"%.20s\"", q);
			c->cur = -1;
			return;
		}
		while (sp((unsigned char)*p))
			p++;
		for (i = 0; i < c->nrs; i++)
			if (c->rs[i].name && strlen(c->rs[i].name) == n &&
			    memcmp(c->rs[i].name, q, n) == 0)
				r = &c->rs[i];
		if (*p == '=') {
			p++;
			while (sp((unsigned char)*p))
				p++;
			if (!(*p >= '0' && *p <= '9')) {
				cerr(c, "S2Q-C007",
				     "bad ruleset definition \"%.*s=\" (number required after `=')",
				     shortn(n), q);
				c->cur = -1;
				return;
			}
			num = (int)strtol(p, NULL, 10);
			if (num < 0 || num >= 100) {
				cerr(c, "S2Q-C007", "bad ruleset number %d in \"%.*s\" (100 max)", num,
				     shortn(n), q);
				c->cur = -1;
				return;
			}
		}
		if (r == NULL) {
			struct rs *nv;

			if (c->nrs == c->caprs) {
				size_t nc = c->caprs ? 2 * c->caprs : 64;

				nv = realloc(c->rs, nc * sizeof(*nv));
				if (nv == NULL) {
					c->oom = 1;
					return;
				}
				c->rs = nv;
				c->caprs = nc;
			}
			r = &c->rs[c->nrs++];
			r->name = dupn(c, q, n);
			r->num = num >= 0 ? num : --c->nextrs;
		} else if (num >= 0 && r->num != num) {
			cerr(c, "S2Q-C007", "%s: ruleset changed value (old %d, new %d)", r->name,
			     r->num, num);
		}
		c->cur = r->num;
		if (r->name)
			addrsname(c, r->name);
		c->rules_in_cur = 0;
	}
}

static int has(const buf *b, const char *s)
{
	return b->s != NULL && strstr(b->s, s) != NULL;
}

static int is(const buf *b, const char *s)
{
	return b->s != NULL && strcmp(b->s, s) == 0;
}

/* fingerprint - the traces FEATUREs leave in the rules (../shared/ref/sendmail.md §1.8) */
static void fingerprint(struct cfp *c, const char *lhs, size_t ll, const char *rhs, size_t rl)
{
	buf L = BUF_INIT, R = BUF_INIT;
	const char *rs = rsname(c, c->cur);

	nows(&L, lhs, ll);
	nows(&R, rhs, rl);
	if (L.s == NULL || R.s == NULL) {
		c->oom = 1;
		goto out;
	}
	if (has(&R, "$(virtuser"))
		c->fp[FP_VIRTUSER_USED] = 1;
	if (has(&R, "$(virtuser") && has(&L, "<@$*$={VirtHost}.>"))
		c->fp[FP_VIRTUSER_ENTIRE] = 1;
	if (has(&R, "$(mailertable"))
		c->fp[FP_MAILERTABLE_USED] = 1;
	if (has(&R, "$(generics"))
		c->fp[FP_GENERICS_USED] = 1;
	if (has(&L, "<@$*$=G.>"))
		c->fp[FP_GENERICS_ENTIRE] = 1;
	if (has(&R, "$(domaintable"))
		c->fp[FP_DOMAINTABLE_USED] = 1;
	if (has(&R, "$(access"))
		c->fp[FP_ACCESS_USED] = 1;
	if (is(&L, "<?>$+<@$=w>") && has(&R, "<U:$1@>"))
		c->fp[FP_BLOCKLIST] = 1;
	if (rs && strcmp(rs, "MasqEnv") == 0 && is(&L, "$+") && is(&R, "$@$>MasqHdr$1"))
		c->fp[FP_MASQENV] = 1;
	if (is(&L, "$*<@$*$=M>$*"))
		c->fp[FP_MASQ_ENTIRE] = 1;
	if (rs && strcmp(rs, "MasqHdr") == 0 && is(&L, "$*<@$=w.>$*") && has(&R, "@$M>"))
		c->fp[FP_MASQ_W] = 1;
	if (rs && strcmp(rs, "HdrToL") == 0 && is(&L, "$*") && is(&R, "$:$>MasqHdr$1"))
		c->fp[FP_ALLMASQ] = 1;
	if (is(&L, "$+<@$=w.>") && strncmp(R.s, "$:<$H>$1<@$2.>", 14) == 0)
		c->fp[FP_STICKY] = 1;
	if (c->cur == 5 && is(&L, "$++*") && is(&R, "$#local$@$&h$:$1"))
		c->fp[FP_PLUS_DETAIL] = 1;
	if (c->cur == 5 && has(&R, "$&{Host}"))
		c->fp[FP_LUSER_HOST] = 1;
	/* Parse1's "regular local names": the local delivery mailer */
	if (rs && strcmp(rs, "Parse1") == 0 && is(&L, "$+") && strncmp(R.s, "$#", 2) == 0 &&
	    R.len > 6 && strcmp(R.s + R.len - 4, "$:$1") == 0 && c->h->local_mailer == NULL) {
		size_t mn = R.len - 6;

		if (mn > 0 && memchr(R.s + 2, '$', mn) == NULL)
			c->h->local_mailer = dupn(c, R.s + 2, mn);
	}
	if (has(&L, "$={Canonify}"))
		c->fp[FP_CANONIFY_CLASS] = 1;
	if (is(&L, "$+<@$*$=m>") && is(&R, "$@RELAY"))
		c->fp[FP_RELAY_ENTIRE] = 1;
	if (is(&L, "$+<@$=R>") && is(&R, "$@RELAY"))
		c->fp[FP_RELAY_HOSTS_ONLY] = 1;
	if (is(&L, "<?>$+<@$=w>") && is(&R, "$@RELAY"))
		c->fp[FP_RELAY_LOCAL_FROM] = 1;
	if (has(&R, "$>SearchList<!From>"))
		c->fp[FP_RELAY_MAIL_FROM] = 1;
	if (rs && strcmp(rs, "Rcpt_ok") == 0 && c->rules_in_cur == 0 &&
	    is(&R, "$:$>CanonAddr$1"))
		c->fp[FP_LOOSE_RELAY] = 1;
	if (has(&R, "\"550Relayingdenied\""))
		c->fp[FP_RELAY_DENIED] = 1;
	if (is(&L, "<?><$+>") && is(&R, "$:<@><$1>"))
		c->fp[FP_UNQUAL_CHECK] = 1;
out:
	buf_free(&L);
	buf_free(&R);
}

static void do_R(struct cfp *c, const char *bp)
{
	const char *p = bp + 1, *lhs, *rhs;
	size_t ll;

	if (c->cur < 0) {
		cerr(c, "S2Q-C005", "missing valid ruleset for \"%.*s\"", shortn(strlen(bp)), bp);
		return;
	}
	lhs = p;
	while (*p && *p != '\t')
		p++;
	if (*p == '\0') {
		cerr(c, "S2Q-C006", "invalid rewrite line \"%.*s\" (tab expected)",
		     shortn(strlen(bp)), bp);
		return;
	}
	ll = (size_t)(p - lhs);
	while (*p == '\t')
		p++;
	rhs = p;
	while (*p && *p != '\t')
		p++;
	c->h->nrules++;
	fingerprint(c, lhs, ll, rhs, (size_t)(p - rhs));
	c->rules_in_cur++;
}

/* m4file - "#####  $Id: virtusertable.m4,v 8.24 ..." comments name the m4 files used */
static void m4file(struct cfp *c, const char *s)
{
	const char *p = strstr(s, "$Id: "), *e;
	struct host *h = c->h;
	size_t n, i;

	if (p == NULL)
		return;
	p += 5;
	e = p;
	while (*e && !sp((unsigned char)*e) && *e != ',')
		e++;
	n = (size_t)(e - p);
	if (n < 4 || memcmp(e - 3, ".m4", 3) != 0)
		return;
	for (i = 0; i < h->nm4files; i++)
		if (strlen(h->m4files[i]) == n && memcmp(h->m4files[i], p, n) == 0)
			return;
	if (h->nm4files == h->capm4files) {
		size_t nc = h->capm4files ? 2 * h->capm4files : 32;
		char **nv = realloc(h->m4files, nc * sizeof(*nv));

		if (nv == NULL) {
			c->oom = 1;
			return;
		}
		h->m4files = nv;
		h->capm4files = nc;
	}
	h->m4files[h->nm4files] = dupn(c, p, n);
	if (h->m4files[h->nm4files])
		h->nm4files++;
}

/* ---- after the cf ---- */

static void route(struct cfp *c, struct host_route *r, const char *macro, const char *dflmailer)
{
	const struct host_macro *m = host_macro_get(c->h, macro);
	const char *v, *colon;
	size_t n;

	if (m == NULL || m->value == NULL)
		return;
	v = m->value;
	while (sp((unsigned char)*v))
		v++;
	n = strlen(v);
	while (n > 0 && sp((unsigned char)v[n - 1]))
		n--;
	if (n == 0)
		return;
	r->raw = dupn(c, v, n);
	r->file = dupz(c, m->file);
	r->line = m->line;
	if (r->raw == NULL)
		return;
	colon = memchr(r->raw, ':', n);
	if (colon) {
		r->mailer = dupn(c, r->raw, (size_t)(colon - r->raw));
		v = colon + 1;
	} else {
		r->mailer = dupz(c, dflmailer);
		v = r->raw;
	}
	if (r->mailer && (ieq(r->mailer, "local") || ieq(r->mailer, "error"))) {
		r->host = dupz(c, v);
		return;
	}
	n = strlen(v);
	if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
		r->bracket = 1;
		v++;
		n -= 2;
	}
	while (n > 1 && v[n - 1] == '.')
		n--;
	r->host = dupn(c, v, n);
}

static void finish(struct cfp *c)
{
	struct host *h = c->h;
	const struct host_mailer *lm, *pm;
	const struct host_class *o;
	size_t i;

	for (i = 0; i < h->nmacros; i++) {
		struct host_macro *m = &h->macros[i];

		free(m->value);
		m->value = NULL;
		c->line = m->line;
		buf_reset(&c->t2);
		expand(c, m->raw, strlen(m->raw), &c->t2, 1, 0);
		m->value = dupn(c, c->t2.s ? c->t2.s : "", c->t2.len);
	}
	c->line = 0;
	{
		const struct host_macro *j = host_macro_get(h, "j"), *w = host_macro_get(h, "w"),
					*mm = host_macro_get(h, "m");

		h->j = dupz(c, j && j->value ? j->value : "");
		h->w = dupz(c, w && w->value ? w->value : "");
		/* sendmail puts $j into class w once the cf is read (a confDOMAIN_NAME
		   apart from the host name is a local domain) */
		if (h->j && h->j[0])
			addword(c, "w", h->j, strlen(h->j), HOST_SRC_IMPLICIT,
				j && j->file ? j->file : NULL, j ? j->line : 0, NULL);
		h->m = dupz(c, mm && mm->value ? mm->value : "");
		if (h->m && h->m[0])
			addword(c, "m", h->m, strlen(h->m), HOST_SRC_IMPLICIT, NULL, 0, NULL);
	}
	route(c, &h->smart_host, "S", "relay");
	route(c, &h->mail_hub, "H", "relay");
	route(c, &h->local_relay, "R", "relay");
	route(c, &h->luser_relay, "L", "relay");
	{
		const struct host_macro *mm = host_macro_get(h, "M");

		if (mm && mm->value && mm->value[0])
			h->masquerade_as = dupz(c, mm->value);
	}
	/* features */
	h->feature[HF_VIRTUSERTABLE] = host_map_get(h, "virtuser") && c->fp[FP_VIRTUSER_USED];
	h->feature[HF_VIRTUSER_ENTIRE_DOMAIN] = c->fp[FP_VIRTUSER_ENTIRE];
	h->feature[HF_MAILERTABLE] = host_map_get(h, "mailertable") && c->fp[FP_MAILERTABLE_USED];
	h->feature[HF_GENERICSTABLE] = c->fp[FP_GENERICS_USED];
	h->feature[HF_GENERICS_ENTIRE_DOMAIN] = c->fp[FP_GENERICS_ENTIRE];
	h->feature[HF_DOMAINTABLE] = c->fp[FP_DOMAINTABLE_USED];
	h->feature[HF_ACCESS_DB] = host_map_get(h, "access") && c->fp[FP_ACCESS_USED];
	h->feature[HF_BLOCKLIST_RECIPIENTS] = c->fp[FP_BLOCKLIST];
	for (i = 0; i < h->nrulesets; i++)
		if (strcmp(h->rulesets[i], "checkrcpt") == 0)
			h->feature[HF_DELAY_CHECKS] = 1;
	h->feature[HF_USE_CW_FILE] = c->fp[FP_FW_FILE];
	h->feature[HF_USE_CT_FILE] = c->fp[FP_FT_FILE];
	h->feature[HF_MASQUERADE_ENVELOPE] = c->fp[FP_MASQENV];
	h->feature[HF_MASQUERADE_ENTIRE_DOMAIN] = c->fp[FP_MASQ_ENTIRE];
	h->feature[HF_LIMITED_MASQUERADE] = h->masquerade_as != NULL && !c->fp[FP_MASQ_W];
	h->feature[HF_ALLMASQUERADE] = c->fp[FP_ALLMASQ];
	h->feature[HF_STICKYHOST] = c->fp[FP_STICKY];
	lm = host_mailer_get(h, "local");
	h->feature[HF_PRESERVE_LOCAL_PLUS_DETAIL] =
		lm != NULL && strchr(lm->flags, '5') != NULL && rsname(c, 5) != NULL &&
		!c->fp[FP_PLUS_DETAIL];
	h->feature[HF_PRESERVE_LUSER_HOST] = c->fp[FP_LUSER_HOST];
	h->feature[HF_NOCANONIFY] = c->fp[FP_CANONIFY_CLASS];
	h->feature[HF_RELAY_ENTIRE_DOMAIN] = c->fp[FP_RELAY_ENTIRE];
	h->feature[HF_RELAY_HOSTS_ONLY] = c->fp[FP_RELAY_HOSTS_ONLY];
	for (i = 0; i < h->nmaps; i++)
		if (ieq(h->maps[i].mclass, "bestmx") && ieq(h->maps[i].name, "mxserved"))
			h->feature[HF_RELAY_BASED_ON_MX] = 1;
	h->feature[HF_RELAY_LOCAL_FROM] = c->fp[FP_RELAY_LOCAL_FROM];
	h->feature[HF_RELAY_MAIL_FROM] = c->fp[FP_RELAY_MAIL_FROM];
	h->feature[HF_LOOSE_RELAY_CHECK] = c->fp[FP_LOOSE_RELAY];
	h->feature[HF_PROMISCUOUS_RELAY] = !c->fp[FP_RELAY_DENIED];
	{
		const struct host_map *r = host_map_get(h, "resolve");

		h->feature[HF_ACCEPT_UNRESOLVABLE_DOMAINS] = r == NULL || !ieq(r->mclass, "host");
	}
	h->feature[HF_ACCEPT_UNQUALIFIED_SENDERS] = !c->fp[FP_UNQUAL_CHECK];
	h->feature[HF_REDIRECT] = host_class_has(h, "P", "REDIRECT", 8);
	o = host_class_get(h, "O");
	h->feature[HF_NOUUCP] = !(o && host_class_has(h, "O", "!", 1));
	h->feature[HF_NOPERCENTHACK] = !(o && host_class_has(h, "O", "%", 1));
	h->feature[HF_LUSER_RELAY] = h->luser_relay.raw != NULL;
	h->feature[HF_MAIL_HUB] = h->mail_hub.raw != NULL;
	h->feature[HF_LOCAL_RELAY] = h->local_relay.raw != NULL;
	h->feature[HF_SMART_HOST] = h->smart_host.raw != NULL;
	h->feature[HF_MASQUERADE_AS] = h->masquerade_as != NULL;
	h->feature[HF_NULLCLIENT] = h->mail_hub.raw != NULL && h->smart_host.raw != NULL &&
				    strcmp(h->mail_hub.raw, h->smart_host.raw) == 0 && lm != NULL &&
				    strchr(lm->flags, 'A') == NULL && !c->fp[FP_FW_FILE];
	pm = host_mailer_get(h, "prog");
	if (pm && pm->path) {
		const char *b = strrchr(pm->path, '/');

		h->feature[HF_SMRSH] = strcmp(b ? b + 1 : pm->path, "smrsh") == 0;
	}
	if (lm && lm->path) {
		const char *b = strrchr(lm->path, '/');

		h->feature[HF_LOCAL_PROCMAIL] = strcmp(b ? b + 1 : lm->path, "procmail") == 0;
	}
}

int cf_load(struct host *h, const char *path, const struct cf_opts *o, struct diag_sink *d)
{
	struct cfp c;
	lline lr;
	buf ln = BUF_INIT;
	int fd, r, e = 0;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.h = h;
	c.o = o;
	c.d = d;
	c.cur = -1;
	c.nextrs = 200;
	c.file = path;
	h->cf = dupz(&c, path);
	/* sendmail's main() before readcf: $w $j $m $k and class w, k */
	if (o->hostname && o->hostname[0]) {
		const char *dot = strchr(o->hostname, '.');
		const char *node = o->nodename ? o->nodename : o->hostname;

		h->hostname = dupz(&c, o->hostname);
		h->nodename = dupz(&c, node);
		if (host_macro_set(h, "w", o->hostname, NULL, 0) == NULL ||
		    host_macro_set(h, "j", o->hostname, NULL, 0) == NULL)
			c.oom = 1;
		if (dot && dot[1] && host_macro_set(h, "m", dot + 1, NULL, 0) == NULL)
			c.oom = 1;
		if (host_macro_set(h, "k", node, NULL, 0) == NULL)
			c.oom = 1;
		addword(&c, "w", o->hostname, strlen(o->hostname), HOST_SRC_IMPLICIT, NULL, 0, NULL);
		addword(&c, "k", node, strlen(node), HOST_SRC_IMPLICIT, NULL, 0, NULL);
		addword(&c, "w", node, strlen(node), HOST_SRC_IMPLICIT, NULL, 0, NULL);
	} else if (o->nodename) {
		h->nodename = dupz(&c, o->nodename);
		if (host_macro_set(h, "k", o->nodename, NULL, 0) == NULL)
			c.oom = 1;
		addword(&c, "w", o->nodename, strlen(o->nodename), HOST_SRC_IMPLICIT, NULL, 0, NULL);
	}
	for (i = 0; i < o->nlocals; i++)
		addword(&c, "w", o->locals[i], strlen(o->locals[i]), HOST_SRC_IMPLICIT, NULL, 0,
			NULL);
	fd = sroot_open(o->rootfd, path, NULL);
	if (fd < 0)
		return -1;
	if (lline_fdopen(&lr, fd, LLINE_CONT_WS | LLINE_KEEP_NL | LLINE_CRLF) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	while (!c.oom && (r = lline_next(&lr, &ln)) > 0) {
		c.line = lr.lineno;
		if (lr.hasnul) {
			cerr(&c, "S2Q-C001", "line contains a NUL byte (sendmail reads the line only "
			     "up to it)");
			continue;
		}
		if (buf_cstr(&ln) == NULL) {
			c.oom = 1;
			break;
		}
		if (ln.s[0] == '#') {
			m4file(&c, ln.s);
			continue;
		}
		translate(&c, &ln);
		if (c.oom)
			break;
		switch (ln.s[0]) {
		case '\0':
		case '#':
			break;
		case 'V':
			do_V(&c, ln.s + 1);
			break;
		case 'D':
			do_D(&c, ln.s + 1);
			break;
		case 'C':
			do_C(&c, ln.s + 1, 0);
			break;
		case 'T':
			do_C(&c, ln.s + 1, 1);
			break;
		case 'F':
			do_F(&c, ln.s + 1);
			break;
		case 'K':
			do_K(&c, ln.s + 1);
			break;
		case 'O':
			do_O(&c, ln.s);
			break;
		case 'M':
			do_M(&c, ln.s + 1);
			break;
		case 'S':
			do_S(&c, ln.s + 1);
			break;
		case 'R':
			do_R(&c, ln.s);
			break;
		case 'H':
		case 'Q':
		case 'E':
			break;
		case 'P':
			if (strchr(ln.s, '=') == NULL)
				cerr(&c, "S2Q-C002", "unknown configuration line \"%.*s\"",
				     shortn(ln.len), ln.s);
			break;
		case 'X':
			cwarn(&c, "S2Q-C028",
			      "mail filter (milter) %.*s is not carried over: qmail has no milter "
			      "interface (closest: a qmail-smtpd wrapper or QMAILQUEUE filter)",
			      shortn(ln.len - 1), ln.s + 1);
			break;
		default:
			cerr(&c, "S2Q-C002", "unknown configuration line \"%.*s\"", shortn(ln.len),
			     ln.s);
			break;
		}
	}
	if (!c.oom && r < 0)
		e = errno;
	lline_close(&lr);
	close(fd);
	if (!c.oom && !e)
		finish(&c);
	buf_free(&ln);
	buf_free(&c.t1);
	buf_free(&c.t2);
	buf_free(&c.t3);
	for (i = 0; i < c.nrs; i++)
		free(c.rs[i].name);
	free(c.rs);
	if (c.oom || d->oom) {
		errno = ENOMEM;
		return -1;
	}
	if (e) {
		errno = e;
		return -1;
	}
	/* things sendmail adds at run time that a file cannot show */
	c.line = 0;
	if (!h->dont_probe_interfaces)
		cnote(&c, "S2Q-C026",
		      "DontProbeInterfaces is not set: sendmail also puts every interface address "
		      "([192.0.2.1] ...) and their host names into class w; s2q does not model them "
		      "(qmail-smtpd accepts box@[local IP] through control/localiphost)");
	if (h->j == NULL || h->j[0] == '\0')
		cwarn(&c, "S2Q-C027", "no host name: $j is empty (give --hostname FQDN of the old "
		      "host, or define Dj in the cf)");
	return 0;
}

int cf_map_source(const struct host *h, const struct host_map *m, int rootfd, int *fd,
		  char **shown, struct diag_sink *d)
{
	buf real = BUF_INIT, db = BUF_INIT;
	struct stat st, sdb;
	int f, e, dbfd;

	(void)h;
	*fd = -1;
	*shown = NULL;
	if (m->source == NULL) {
		if (diag_add(d, DIAG_WARN, "S2Q-C029", m->file, m->line,
			     "map %s of class %s cannot be read by s2q: it is not converted (closest "
			     "qmail construct: see MIGRATION.md)", m->name, m->mclass) < 0)
			return -1;
		return 0;
	}
	*shown = strdup(m->source);
	if (*shown == NULL)
		return -1;
	f = sroot_open(rootfd, m->source, &real);
	if (f >= 0) {
		if (m->kind == HOST_MAP_DB && fstat(f, &st) == 0 &&
		    buf_printf(&db, "%s.db", m->source) == 0 && buf_cstr(&db) != NULL &&
		    (dbfd = sroot_open(rootfd, db.s, NULL)) >= 0) {
			if (fstat(dbfd, &sdb) == 0 &&
			    (st.st_mtim.tv_sec > sdb.st_mtim.tv_sec ||
			     (st.st_mtim.tv_sec == sdb.st_mtim.tv_sec &&
			      st.st_mtim.tv_nsec > sdb.st_mtim.tv_nsec)))
				diag_add(d, DIAG_WARN, "S2Q-C068", m->file, m->line,
					 "map %s: the text source %s is newer than %s: sendmail still "
					 "uses the old database; s2q converts the text (run makemap "
					 "and compare if unsure)", m->name, m->source, db.s);
			close(dbfd);
		}
		buf_free(&real);
		buf_free(&db);
		*fd = f;
		return 1;
	}
	e = errno;
	if (e == ENOMEM)
		goto oom;
	if (e == ENOENT && m->kind == HOST_MAP_DB) {
		if (buf_printf(&db, "%s.db", m->source) < 0 || buf_cstr(&db) == NULL)
			goto oom;
		dbfd = sroot_open(rootfd, db.s, NULL);
		if (dbfd >= 0) {
			close(dbfd);
			diag_add(d, DIAG_ERROR, "S2Q-C065", m->file, m->line,
				 "map %s: only the database %s is there, not its text source %s: s2q "
				 "reads makemap text sources (recreate it on the old host with "
				 "`makemap -u %s %s > %s`)", m->name, db.s, m->source, m->mclass,
				 m->source, m->source);
			goto out0;
		}
	}
	if (e == ENOENT) {
		if (m->optional)
			diag_add(d, DIAG_NOTE, "S2Q-C067", m->file, m->line,
				 "map %s: %s does not exist; the map is optional (-o), so sendmail "
				 "never finds anything in it", m->name, m->source);
		else
			diag_add(d, DIAG_WARN, "S2Q-C066", m->file, m->line,
				 "map %s: %s does not exist and the map is not optional: sendmail "
				 "defers (4.x.x) every address that needs it; nothing is converted",
				 m->name, m->source);
		goto out0;
	}
	diag_add(d, DIAG_ERROR, "S2Q-C009", m->file, m->line, "map %s: %s cannot be read: %s",
		 m->name, m->source, sroot_errstr(e));
out0:
	buf_free(&real);
	buf_free(&db);
	return d->oom ? -1 : 0;
oom:
	buf_free(&real);
	buf_free(&db);
	errno = ENOMEM;
	return -1;
}
