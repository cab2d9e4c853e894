/* parse/aliases - sendmail aliases files, read exactly as sendmail's readaliases() */
#include "aliases.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/lline.h"
#include "../util/sroot.h"

/*
 * Diagnostic codes S2Q-A0nn (MIGRATION.md "Aliases: what the parser
 * reports").  A001-A008 and A010 mirror what sendmail -bi prints: the
 * message starts with sendmail's own words; A002 and A010 add " -- why".
 * Facts below were checked against sendmail 8.17.1.9 (../shared/ref/
 * sendmail.md §2 and the recordings in tests/aliases/).
 */

/* ---------------------------------------------------------------- tokens */

/*
 * The address scanner: sendmail's prescan() as far as aliases need it.
 * Tokens are atoms, quoted strings (quotes kept) and one-character
 * operators (OperatorChars .:%@!^/[]+ plus , ; < >).  White space and
 * (comments) separate atoms; sendmail joins the tokens again with BlankSub
 * between two atoms (cataddr), so "sp ace" becomes "sp.ace" and "a (c) b"
 * "a.b".  A stray ')' or '>' is dropped without separating ("g)h" -> "gh").
 */
enum { T_ATOM = 0, T_QSTR, T_OP };

struct tok {
	int type;
	size_t off, len;	/* in scan.tb */
};

/* problems prescan reports, in the order met */
#define P_QUOTE	'"'
#define P_LPAR	'('
#define P_RPAR	')'
#define P_LANG	'<'
#define P_RANG	'>'
#define P_CTL	'c'	/* non-printable: replaced by '?', address kept */
#define P_8BIT	'8'	/* 8-bit control byte 0x80-0x9f: address refused */

struct scan {
	buf tb;
	struct tok *v;
	size_t n, cap;
	size_t end;		/* input bytes consumed up to the delimiter (or all) */
	int delim;		/* the delimiter was found at end */
	char probs[8];
	size_t nprobs;
};

static void scan_init(struct scan *sc)
{
	memset(sc, 0, sizeof(*sc));
}

static void scan_free(struct scan *sc)
{
	buf_free(&sc->tb);
	free(sc->v);
	scan_init(sc);
}

static void scan_reset(struct scan *sc)
{
	buf_reset(&sc->tb);
	sc->n = 0;
	sc->end = 0;
	sc->delim = 0;
	sc->nprobs = 0;
}

static void prob(struct scan *sc, char p)
{
	size_t i;

	for (i = 0; i < sc->nprobs; i++)
		if (sc->probs[i] == p)
			return;
	if (sc->nprobs < sizeof(sc->probs))
		sc->probs[sc->nprobs++] = p;
}

static int push(struct scan *sc, int type)
{
	if (sc->n == sc->cap) {
		size_t nc = sc->cap ? sc->cap * 2 : 16;
		struct tok *nv;

		if (nc > SIZE_MAX / sizeof(*nv))
			return -1;
		nv = realloc(sc->v, nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		sc->v = nv;
		sc->cap = nc;
	}
	sc->v[sc->n].type = type;
	sc->v[sc->n].off = sc->tb.len;
	sc->v[sc->n].len = 0;
	sc->n++;
	return 0;
}

/* add a byte to the current token */
static int tadd(struct scan *sc, char c)
{
	if (buf_add_c(&sc->tb, c) < 0)
		return -1;
	sc->v[sc->n - 1].len++;
	return 0;
}

static int isws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int isop(unsigned char c)
{
	switch (c) {
	case '.': case ':': case '%': case '@': case '!': case '^': case '/':
	case '[': case ']': case '+': case ',': case ';':
		return 1;
	default:
		return 0;
	}
}

/* byte class as prescan sees it: 0 ordinary, P_CTL, P_8BIT */
static char bclass(unsigned char c)
{
	if (c >= 0x80 && c <= 0x9f)
		return P_8BIT;
	if ((c < 0x20 && !isws(c)) || c == 0x7f || c == 0xff)
		return P_CTL;
	return 0;
}

/* plain - a byte that continues an atom with nothing to check or report */
static inline int plain(unsigned char c)
{
	/* white space, control bytes, 0x7f and the 8-bit bytes prescan flags */
	if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0xff)
		return 0;
	switch (c) {
	case '"': case '\\': case '(': case ')': case '<': case '>':
		return 0;
	default:
		return !isop(c);
	}
}

/* an ordinary byte of an atom or quoted string (problem bytes become '?') */
static int tbyte(struct scan *sc, unsigned char c)
{
	char k = bclass(c);

	if (k) {
		prob(sc, k);
		c = '?';
	}
	return tadd(sc, (char)c);
}

/*
 * scan - tokenize s[0..n) up to the first delim outside quotes, comments
 * and <>; delim 0: the whole input.  0, or -1 ENOMEM.
 */
static int scan(struct scan *sc, const char *s, size_t n, int delim)
{
	size_t i = 0;
	int cmnt = 0, angle = 0, inatom = 0;

	scan_reset(sc);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (cmnt > 0) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '(')
				cmnt++;
			else if (c == ')')
				cmnt--;
			i++;
			continue;
		}
		if (c == '"') {
			inatom = 0;
			if (push(sc, T_QSTR) < 0 || tadd(sc, '"') < 0)
				return -1;
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n) {
					if (tadd(sc, '\\') < 0)
						return -1;
					i++;
				}
				if (tbyte(sc, (unsigned char)s[i]) < 0)
					return -1;
			}
			if (i < n)
				i++;
			else
				prob(sc, P_QUOTE);
			if (tadd(sc, '"') < 0)
				return -1;
			continue;
		}
		if (c == '\\') {
			if (!inatom && push(sc, T_ATOM) < 0)
				return -1;
			inatom = 1;
			if (tadd(sc, '\\') < 0)
				return -1;
			if (i + 1 < n && tbyte(sc, (unsigned char)s[i + 1]) < 0)
				return -1;
			i += (i + 1 < n) ? 2 : 1;	/* a final '\\' escapes nothing: end stays <= n */
			continue;
		}
		if (c == '(') {
			cmnt = 1;
			inatom = 0;
			i++;
			continue;
		}
		if (c == ')') {
			prob(sc, P_RPAR);
			i++;
			continue;
		}
		if (delim && c == (unsigned char)delim && angle <= 0) {
			sc->delim = 1;
			break;
		}
		if (c == '>' && angle <= 0) {
			prob(sc, P_RANG);
			i++;
			continue;
		}
		if (c == '<' || c == '>') {
			angle += (c == '<') ? 1 : -1;
			inatom = 0;
			if (push(sc, T_OP) < 0 || tadd(sc, (char)c) < 0)
				return -1;
			i++;
			continue;
		}
		if (isws(c)) {
			inatom = 0;
			i++;
			continue;
		}
		if (isop(c)) {
			inatom = 0;
			if (push(sc, T_OP) < 0 || tadd(sc, (char)c) < 0)
				return -1;
			i++;
			continue;
		}
		if (!inatom && push(sc, T_ATOM) < 0)
			return -1;
		inatom = 1;
		if (plain(c)) {
			/* a run of plain bytes at once */
			size_t j = i + 1;

			while (j < n && plain((unsigned char)s[j]))
				j++;
			if (buf_append(&sc->tb, s + i, j - i) < 0)
				return -1;
			sc->v[sc->n - 1].len += j - i;
			i = j;
			continue;
		}
		if (tbyte(sc, c) < 0)
			return -1;
		i++;
	}
	if (cmnt > 0)
		prob(sc, P_LPAR);
	if (angle > 0)
		prob(sc, P_LANG);
	sc->end = i;
	return 0;
}

static const char *tstr(const struct scan *sc, size_t k)
{
	return sc->tb.s + sc->v[k].off;
}

static int isoptok(const struct scan *sc, size_t k, char c)
{
	return sc->v[k].type == T_OP && tstr(sc, k)[0] == c;
}

/*
 * join - tokens [a, b) as sendmail's cataddr writes them: BlankSub between
 * two adjacent atoms.  *subbed set when a BlankSub was inserted.
 */
static int join(const struct scan *sc, size_t a, size_t b, char blanksub, buf *out, int *subbed)
{
	size_t k;
	int prevatom = 0;

	for (k = a; k < b; k++) {
		int atom = sc->v[k].type == T_ATOM;

		if (prevatom && atom) {
			if (buf_add_c(out, blanksub) < 0)
				return -1;
			if (subbed)
				*subbed = 1;
		}
		if (buf_append(out, tstr(sc, k), sc->v[k].len) < 0)
			return -1;
		prevatom = atom;
	}
	return 0;
}

static void lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* route - narrow [*a, *b) to the inside of the first <...> (nested ones too) */
static int route(const struct scan *sc, size_t *a, size_t *b)
{
	size_t k, depth, start;
	int angled = 0;

	for (;;) {
		for (k = *a; k < *b && !isoptok(sc, k, '<'); k++)
			;
		if (k == *b)
			return angled;
		angled = 1;
		start = k + 1;
		depth = 0;
		for (k = start; k < *b; k++) {
			if (isoptok(sc, k, '<'))
				depth++;
			else if (isoptok(sc, k, '>')) {
				if (depth == 0)
					break;
				depth--;
			}
		}
		*a = start;
		*b = k;
	}
}

/* ------------------------------------------------------------- resolving */

struct ctx {
	struct hset locals;	/* class w, lower-cased, no trailing dot */
	char blanksub;
	const char *root;
	const char *queue_dir;
	int read_includes;
	int names_only;
	int (*name_map)(void *arg, const char *name, size_t n, const char *file,
			unsigned long line, buf *out);
	void *name_map_arg;
};

/* result of resolving an address the way the m4 cf's rulesets 3 and 0 do */
#define R_LOCAL		0	/* local name in the key buffer */
#define R_REMOTE	1
#define R_EMPTY		2	/* no tokens at all */

/* ruleset error messages */
static const char M_USERREQ[] = "User address required";
static const char M_HOSTREQ[] = "Hostname required";
static const char M_BADHOST[] = "Invalid host name";
static const char M_BADROUTE[] = "Invalid route address";

static int islocaldom(const struct ctx *cx, const struct scan *sc, size_t a, size_t b)
{
	buf d = BUF_INIT;
	int r = 0;

	if (a >= b || cx == NULL || cx->locals.n == 0)
		return 0;	/* (no class w given: nothing is a local domain) */
	if (join(sc, a, b, cx->blanksub, &d, NULL) < 0) {
		buf_free(&d);
		return -1;
	}
	lower(d.s, d.len);
	if (d.len > 0 && d.s[d.len - 1] == '.')
		d.len--;
	if (d.len > 0)
		r = hset_get(&cx->locals, d.s, d.len, NULL);
	buf_free(&d);
	return r;
}

/*
 * dequote - sendmail's dequote map on one quoted token: the quotes go when
 * the inside has no unescaped white space (backslashes stay).  *ok = 1 and
 * the text in out, or *ok = 0: stays quoted.  0, or -1 ENOMEM.
 */
static int dequote(const char *q, size_t n, buf *out, int *ok);

int aliases_dequote(const char *q, size_t n, buf *out, int *ok)
{
	return dequote(q, n, out, ok);
}

static int dequote(const char *q, size_t n, buf *out, int *ok)
{
	size_t i;
	int bs = 0;

	*ok = 0;
	buf_reset(out);
	for (i = 0; i < n; i++) {
		char c = q[i];

		if (bs) {
			bs = 0;
			if (buf_append_c(out, c) < 0)
				return -1;
			continue;
		}
		if (c == '\\')
			bs = 1;
		else if (c == ' ' || c == '\t')
			return 0;
		else if (c == '"')
			continue;
		if (buf_append_c(out, c) < 0)
			return -1;
	}
	if (bs)
		return 0;
	*ok = 1;
	return 0;
}

/*
 * resolve - where sendmail's rulesets send the address in tokens [a, b):
 * R_LOCAL with the lower-cased user name in key, R_REMOTE (then *err may
 * name the ruleset's error text), R_EMPTY.  -1 ENOMEM.
 */
static int resolve(const struct ctx *cx, const struct scan *sc, size_t a, size_t b, buf *key,
		   const char **err, int level)
{
	size_t k, at = 0, nat = 0, bang = (size_t)-1, pct = (size_t)-1;
	int r;

	*err = NULL;
	buf_reset(key);
	if (route(sc, &a, &b) && a == b)
		return R_LOCAL;	/* <>: sendmail stores the empty name */
	if (a == b)
		return R_EMPTY;
	if (level > 8)
		return R_REMOTE;
	for (k = a; k < b; k++) {
		if (isoptok(sc, k, '@')) {
			nat++;
			at = k;
		}
	}
	/* Parse0's checks, in its order ("@" alone is its <@> special case) */
	if (b - a == 1 && nat == 1)
		return R_LOCAL;
	if (b - a == 2 && nat == 2) {
		*err = M_HOSTREQ;
		return R_REMOTE;
	}
	if (isoptok(sc, a, '@') &&
	    (nat == 1 || (nat == 2 && b - a > 1 && isoptok(sc, a + 1, '@')))) {
		*err = M_USERREQ;	/* @host, and the "@@host" bogosity */
		return R_REMOTE;
	}
	if (nat > 1) {
		*err = M_BADROUTE;
		return R_REMOTE;
	}
	if (isoptok(sc, b - 1, '@')) {
		*err = M_HOSTREQ;
		return R_REMOTE;
	}
	if (nat == 1) {
		if (isoptok(sc, at + 1, '.'))
			goto badhost;
		for (k = at + 1; k + 1 < b; k++)
			if (isoptok(sc, k, '.') && isoptok(sc, k + 1, '.'))
				goto badhost;
	}
	for (k = a; k + 1 < b; k++) {
		if (isoptok(sc, k, ',') && !isoptok(sc, k + 1, '@') && !isoptok(sc, k + 1, '%') &&
		    !isoptok(sc, k + 1, '!')) {
			*err = M_BADROUTE;
			return R_REMOTE;
		}
	}
	if (nat == 1) {
		r = islocaldom(cx, sc, at + 1, b);
		if (r < 0)
			return -1;
		if (!r)
			return R_REMOTE;
		b = at;
	}
	/* the local part: "foo" is dequoted, then %, ! are re-parsed (class O) */
	if (b - a == 1 && sc->v[a].type == T_QSTR) {
		buf dq = BUF_INIT;
		struct scan s2;
		int ok;

		if (dequote(tstr(sc, a), sc->v[a].len, &dq, &ok) < 0) {
			buf_free(&dq);
			return -1;
		}
		if (ok) {
			if (dq.len == 0) {
				buf_free(&dq);
				*err = M_USERREQ;
				return R_REMOTE;
			}
			scan_init(&s2);
			r = scan(&s2, dq.s, dq.len, 0);
			if (r == 0)
				r = resolve(cx, &s2, 0, s2.n, key, err, level + 1);
			scan_free(&s2);
			buf_free(&dq);
			return r;
		}
		buf_free(&dq);
	}
	for (k = a; k < b; k++) {
		if (bang == (size_t)-1 && isoptok(sc, k, '!'))
			bang = k;
		if (isoptok(sc, k, '%'))
			pct = k;
	}
	if (bang != (size_t)-1) {
		r = islocaldom(cx, sc, a, bang);
		if (r <= 0)
			return r < 0 ? -1 : R_REMOTE;
		return resolve(cx, sc, bang + 1, b, key, err, level + 1);
	}
	if (pct != (size_t)-1) {
		r = islocaldom(cx, sc, pct + 1, b);
		if (r <= 0)
			return r < 0 ? -1 : R_REMOTE;
		return resolve(cx, sc, a, pct, key, err, level + 1);
	}
	if (join(sc, a, b, cx ? cx->blanksub : '.', key, NULL) < 0)
		return -1;
	lower(key->s, key->len);
	return R_LOCAL;
badhost:
	*err = M_BADHOST;
	return R_REMOTE;
}

/* ------------------------------------------------------------- elements */

/* an element under construction: offsets into the split's string buffer */
struct pelem {
	enum alias_kind kind;
	size_t text, raw, local;	/* offsets + 1; 0 = none */
	int subbed;		/* BlankSub inserted into an unquoted prog/file/addr */
};

struct split {
	buf sb;			/* strings, NUL-terminated */
	struct pelem *v;
	size_t n, cap;
	struct scan sc;
	buf tmp, key;
	buf ekey;		/* entry(): the alias name (kept between lines) */
	struct alias_elem_src *ev;	/* entry(): the elements handed to the table */
	size_t evcap;
};

static void split_init(struct split *sp)
{
	memset(sp, 0, sizeof(*sp));
	scan_init(&sp->sc);
}

static void split_free(struct split *sp)
{
	buf_free(&sp->sb);
	free(sp->v);
	scan_free(&sp->sc);
	buf_free(&sp->tmp);
	buf_free(&sp->key);
	buf_free(&sp->ekey);
	free(sp->ev);
	memset(sp, 0, sizeof(*sp));
}

static size_t putstr(struct split *sp, const char *s, size_t n, int *bad)
{
	size_t off = sp->sb.len + 1;

	if (buf_append(&sp->sb, s, n) < 0 || buf_append_c(&sp->sb, '\0') < 0)
		*bad = 1;
	return off;
}

/* unquote - text without quote characters; \x -> x */
static int unquote(const char *s, size_t n, buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			continue;
		if (s[i] == '\\' && i + 1 < n)
			i++;
		if (buf_append_c(out, s[i]) < 0)
			return -1;
	}
	return 0;
}

static int strncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

/* push a finished element */
static int add_pelem(struct split *sp, const struct pelem *e)
{
	if (sp->n == sp->cap) {
		size_t nc = sp->cap ? sp->cap * 2 : 8;
		struct pelem *nv;

		if (nc > SIZE_MAX / sizeof(*nv))
			return -1;
		nv = realloc(sp->v, nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		sp->v = nv;
		sp->cap = nc;
	}
	sp->v[sp->n++] = *e;
	return 0;
}

/* element - classify one element s[0..n) (already scanned into sp->sc) */
static int element(struct split *sp, const struct ctx *cx, const char *s, size_t n)
{
	struct scan *sc = &sp->sc;
	struct pelem e;
	size_t a = 0, b = sc->n, k, rawlen = n;
	const char *raw = s, *err;
	char bsub = cx ? cx->blanksub : '.';
	int bad = 0, r;

	while (rawlen > 0 && isws((unsigned char)raw[0])) {
		raw++;
		rawlen--;
	}
	while (rawlen > 0 && isws((unsigned char)raw[rawlen - 1]))
		rawlen--;
	if (sc->n == 0)
		return 0;	/* empty element (",,", a lone comment): sendmail skips it */
	memset(&e, 0, sizeof(e));
	/* error:... is an RFC 822 group name to sendmail; flagged, never special */
	if (sc->v[0].type == T_ATOM && sc->v[0].len == 5 && strncaseeq(tstr(sc, 0), "error", 5) &&
	    sc->n > 1 && isoptok(sc, 1, ':')) {
		const char *c = memchr(raw, ':', rawlen);
		size_t off = c ? (size_t)(c - raw) + 1 : rawlen;

		while (off < rawlen && isws((unsigned char)raw[off]))
			off++;
		e.kind = ALIAS_ERROR;
		e.text = putstr(sp, raw + off, rawlen - off, &bad);
		goto done;
	}
	if (!route(sc, &a, &b)) {
		/* group syntax "name: addr" (not :include:, not node::user, not @route:) */
		int dbl = 0;

		for (k = a; k + 1 < b; k++)
			if (isoptok(sc, k, ':') && isoptok(sc, k + 1, ':'))
				dbl = 1;
		if (!dbl && a < b && !isoptok(sc, a, ':') && !isoptok(sc, a, '@')) {
			for (k = a; k < b; k++) {
				if (isoptok(sc, k, ':')) {
					a = k + 1;
					break;
				}
			}
		}
	}
	if (b > a && isoptok(sc, b - 1, ';'))
		b--;
	if (a == b)
		return 0;
	buf_reset(&sp->tmp);
	if (join(sc, a, b, bsub, &sp->tmp, &e.subbed) < 0)
		return -1;
	{
		const char *u = sp->tmp.s;
		size_t ul = sp->tmp.len;
		int quoted = u[0] == '"';
		char c0 = quoted ? (ul > 1 ? u[1] : '\0') : u[0];
		buf uq = BUF_INIT;

		if (quoted)
			e.subbed = 0;
		if (c0 == '|' || c0 == '/') {
			e.kind = c0 == '|' ? ALIAS_PROG : ALIAS_FILE;
			if (quoted) {
				if (unquote(u, ul, &uq) < 0) {
					buf_free(&uq);
					return -1;
				}
				e.text = putstr(sp, uq.s + (c0 == '|'), uq.len - (c0 == '|'), &bad);
			} else {
				e.text = putstr(sp, u + (c0 == '|'), ul - (c0 == '|'), &bad);
			}
		} else if (c0 == ':' && (unquote(u, ul, &uq) < 0 ? (bad = 1) : 0) == 0 &&
			   uq.len >= 9 && strncaseeq(uq.s, ":include:", 9)) {
			e.kind = ALIAS_INCLUDE;
			e.text = putstr(sp, uq.s + 9, uq.len - 9, &bad);
			e.subbed = 0;
		} else if (c0 == '\\' && !quoted) {
			e.kind = ALIAS_LOCAL;
			e.text = putstr(sp, u + 1, ul - 1, &bad);
			if (!bad)
				lower(sp->sb.s + e.text - 1, ul - 1);
			e.local = e.text;
			e.subbed = 0;
		} else {
			int ok = 0;

			e.kind = ALIAS_ADDR;
			/* one quoted string with an address inside ("kim@example.org"): sendmail's
			   dequote map opens it and parses the inside again, so that is the address */
			if (b - a == 1 && sc->v[a].type == T_QSTR &&
			    (dequote(tstr(sc, a), sc->v[a].len, &uq, &ok) < 0 ||
			     (ok && buf_cstr(&uq) == NULL))) {
				buf_free(&uq);
				return -1;
			}
			if (ok && uq.len && strpbrk(uq.s, "@%!")) {
				u = uq.s;
				ul = uq.len;
			}
			e.text = putstr(sp, u, ul, &bad);
			r = resolve(cx, sc, a, b, &sp->key, &err, 0);
			if (r < 0) {
				buf_free(&uq);
				return -1;
			}
			if (r == R_LOCAL)
				e.local = putstr(sp, sp->key.s ? sp->key.s : "", sp->key.len, &bad);
		}
		buf_free(&uq);
	}
done:
	e.raw = putstr(sp, raw, rawlen, &bad);
	if (bad)
		return -1;
	return add_pelem(sp, &e);
}

/*
 * simple_element - the common element, "name", "name@domain" or
 * "first.last@host.domain": plain bytes and dots with at most one '@'
 * between a non-empty local part and a domain that starts with no dot and
 * has no "..", blanks only around it, then ',' or the end.  For that,
 * scan() makes atoms and '.' / '@' operators with no problem, element()
 * none of its special cases ('|' first is a program: not taken here), and
 * resolve() no error: the text is the raw bytes, and the name is local
 * (lower-cased local part) when there is no '@' or the domain is in class
 * w.  1 done (*used: bytes up to the ',' or n, *delim: a ',' is there),
 * 0 not simple (scan() and element() take it), -1 ENOMEM.
 */
static int simple_element(struct split *sp, const struct ctx *cx, const char *s, size_t n,
			  size_t *used, int *delim)
{
	size_t i = 0, b, e, at = 0, nat = 0, k, ll;
	struct pelem pe;
	int bad = 0;

	while (i < n && isws((unsigned char)s[i]))
		i++;
	b = i;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '@') {
			nat++;
			at = i;
		} else if (c != '.' && !plain(c)) {
			break;
		}
	}
	e = i;
	while (i < n && isws((unsigned char)s[i]))
		i++;
	if ((i < n && s[i] != ',') || e == b || s[b] == '|' || nat > 1)
		return 0;
	ll = e - b;
	if (nat == 1) {
		if (at == b || at + 1 == e || s[at + 1] == '.')
			return 0;
		for (k = at + 1; k + 1 < e; k++)
			if (s[k] == '.' && s[k + 1] == '.')
				return 0;
		/* islocaldom(): lower-cased, one trailing dot dropped */
		if (cx == NULL || cx->locals.n == 0) {
			ll = 0;
		} else {
			size_t dl = e - at - 1;

			buf_reset(&sp->key);
			if (buf_append(&sp->key, s + at + 1, dl) < 0)
				return -1;
			lower(sp->key.s, dl);
			if (sp->key.s[dl - 1] == '.')
				dl--;
			ll = dl > 0 && hset_get(&cx->locals, sp->key.s, dl, NULL) == 1 ? at - b : 0;
		}
	}
	memset(&pe, 0, sizeof(pe));
	pe.kind = ALIAS_ADDR;
	pe.text = putstr(sp, s + b, e - b, &bad);
	pe.raw = pe.text;
	if (ll > 0) {
		pe.local = putstr(sp, s + b, ll, &bad);
		if (!bad)
			lower(sp->sb.s + pe.local - 1, ll);
	}
	if (bad || add_pelem(sp, &pe) < 0)
		return -1;
	*used = i;
	*delim = i < n;
	return 1;
}

/* split_value - append the comma-separated elements of s[0..n) */
static int split_value(struct split *sp, const struct ctx *cx, const char *s, size_t n)
{
	size_t start = 0;

	for (;;) {
		size_t used;
		int delim, r = simple_element(sp, cx, s + start, n - start, &used, &delim);

		if (r < 0)
			return -1;
		if (r > 0) {
			if (!delim)
				break;
			start += used + 1;
			continue;
		}
		if (scan(&sp->sc, s + start, n - start, ',') < 0)
			return -1;
		if (element(sp, cx, s + start, sp->sc.end) < 0)
			return -1;
		if (!sp->sc.delim)
			break;
		start += sp->sc.end + 1;
	}
	return 0;
}

/*
 * elems - the split's elements as alias_elem_src pointing into sp->sb (valid
 * until it changes), in sp->ev (reused from line to line)
 */
static int elems(struct split *sp, size_t from, struct alias_elem_src **out)
{
	size_t i, n = sp->n - from;
	struct alias_elem_src *v;

	*out = NULL;
	if (n == 0)
		return 0;
	if (n > sp->evcap) {
		size_t nc = sp->evcap ? sp->evcap : 8;

		while (nc < n)
			nc *= 2;
		if (nc > SIZE_MAX / sizeof(*v))
			return -1;
		v = realloc(sp->ev, nc * sizeof(*v));
		if (v == NULL)
			return -1;
		sp->ev = v;
		sp->evcap = nc;
	}
	v = sp->ev;
	memset(v, 0, n * sizeof(*v));
	for (i = 0; i < n; i++) {
		const struct pelem *p = &sp->v[from + i];

		v[i].kind = p->kind;
		v[i].text = p->text ? sp->sb.s + p->text - 1 : NULL;
		v[i].raw = p->raw ? sp->sb.s + p->raw - 1 : NULL;
		v[i].local = p->local ? sp->sb.s + p->local - 1 : NULL;
	}
	*out = v;
	return 0;
}

static int ctx_init(struct ctx *cx, const struct aliases_opts *o)
{
	size_t i;

	memset(cx, 0, sizeof(*cx));
	hset_init(&cx->locals);
	cx->blanksub = (o && o->blanksub) ? o->blanksub : '.';
	if (o == NULL)
		return 0;
	cx->root = o->root;
	cx->queue_dir = o->queue_dir;
	cx->read_includes = o->read_includes && !o->names_only;
	cx->names_only = o->names_only;
	cx->name_map = o->name_map;
	cx->name_map_arg = o->name_map_arg;
	for (i = 0; i < o->nlocal_domains; i++) {
		const char *dom = o->local_domains[i];
		size_t n = strlen(dom);
		char *c = malloc(n + 1);

		if (c == NULL)
			return -1;
		memcpy(c, dom, n + 1);
		lower(c, n);
		if (n > 0 && c[n - 1] == '.')
			n--;
		if (n > 0 && hset_put(&cx->locals, c, n, 1, NULL) < 0) {
			free(c);
			return -1;
		}
		free(c);
	}
	return 0;
}

static void ctx_free(struct ctx *cx)
{
	hset_free(&cx->locals);
}

/* pack_elems - one allocation holding the array and its strings */
static int pack_elems(struct split *sp, struct alias_elem **out, size_t *nout)
{
	struct alias_elem_src *src;
	size_t total;

	*out = NULL;
	*nout = 0;
	if (elems(sp, 0, &src) < 0)
		return -1;
	total = alias_elems_size(src, sp->n, 0);
	if (total == SIZE_MAX)
		return -1;
	*out = malloc(total ? total : 1);
	if (*out == NULL)
		return -1;
	alias_elems_pack(*out, (char *)(*out + sp->n), src, sp->n);
	*nout = sp->n;
	return 0;
}

int aliases_split_opts(const char *value, size_t len, const struct aliases_opts *o,
		       struct alias_elem **elemsp, size_t *nelems)
{
	struct ctx cx;
	struct split sp;
	int r = -1;

	*elemsp = NULL;
	*nelems = 0;
	split_init(&sp);
	if (ctx_init(&cx, o) == 0 && split_value(&sp, &cx, value, len) == 0 &&
	    pack_elems(&sp, elemsp, nelems) == 0)
		r = 0;
	ctx_free(&cx);
	split_free(&sp);
	if (r < 0)
		errno = ENOMEM;
	return r;
}

int aliases_split(const char *value, size_t len, struct alias_elem **elemsp, size_t *nelems)
{
	return aliases_split_opts(value, len, NULL, elemsp, nelems);
}

/* ------------------------------------------------------------- includes */

struct reader {
	struct alias_table *t;
	struct ctx cx;
	struct diag_sink *d;
	const char *file;	/* display name of the alias file */
	struct hset busy;	/* include paths being read (nested includes) */
	int depth;
	int rootfd;		/* the sendmail root, or -1 */
	buf *lines;		/* aliases_read_list: the line of each element read (unsigned long) */
	struct hset *names;	/* names_only into a set: aliases_opts.names */
};

static int element_warnings(struct reader *rd, const char *file, unsigned long line,
			    const struct split *sp, size_t from);
static int read_include(struct reader *rd, const char *path, unsigned long line);

/* include_line - one fgets() chunk of an :include: file, as sendmail's include() */
static int include_chunk(struct reader *rd, struct split *sp, const char *path, char *c, size_t n,
			 unsigned long ln)
{
	char *nl, *p;
	size_t before = sp->n;

	if (memchr(c, '\0', n) != NULL) {
		if (diag_add(rd->d, DIAG_WARN, "S2Q-A035", path, ln,
			     "NUL byte in the line: sendmail ignores the rest of the line") < 0)
			return -1;
		n = strlen(c);
	}
	/* fixcrlf: the line ends at its newline, a CR before it goes too */
	nl = memchr(c, '\n', n);
	if (nl) {
		if (nl > c && nl[-1] == '\r')
			nl--;
		n = (size_t)(nl - c);
	}
	c[n] = '\0';
	if (n == 0 || c[0] == '#')
		return 0;
	/* " #@# " starts a comment anywhere */
	for (p = c + 1; (p = strchr(p, '#')) != NULL; p++) {
		if (p[1] == '@' && p[2] == '#' && isws((unsigned char)p[-1]) &&
		    (p[3] == '\0' || isws((unsigned char)p[3]))) {
			p--;
			while (p > c && isws((unsigned char)p[-1]))
				p--;
			*p = '\0';
			n = (size_t)(p - c);
			break;
		}
	}
	if (n == 0)
		return 0;
	if (split_value(sp, &rd->cx, c, n) < 0)
		return -1;
	return element_warnings(rd, path, ln, sp, before);
}

static int include_elems(struct reader *rd, const char *path, int fd, struct split *sp)
{
	lline lr;
	buf l = BUF_INIT, chunk = BUF_INIT;
	unsigned long ln = 0;
	int r, rv = -1;

	if (lline_fdopen(&lr, fd, 0) < 0)
		return -1;
	lr.maxlen = 1 << 20;
	while ((r = lline_next(&lr, &l)) > 0) {
		size_t off = 0, total;

		if (lr.toolong) {
			ln++;
			if (diag_add(rd->d, DIAG_ERROR, "S2Q-A036", path, ln,
				     "line longer than 1 MiB: not read") < 0)
				goto out;
			continue;
		}
		if (lr.nl && buf_append_c(&l, '\n') < 0)
			goto out;
		total = l.len;
		if (total > ALIASES_INCLUDE_LINE &&
		    diag_add(rd->d, DIAG_WARN, "S2Q-A034", path, ln + 1,
			     "line longer than %d bytes: sendmail reads it in pieces of %d bytes, "
			     "each a separate list, cutting an address in two",
			     ALIASES_INCLUDE_LINE, ALIASES_INCLUDE_LINE) < 0)
			goto out;
		do {
			size_t n = total - off < ALIASES_INCLUDE_LINE ? total - off : ALIASES_INCLUDE_LINE;

			if (buf_copy(&chunk, l.s + off, n) < 0 || buf_cstr(&chunk) == NULL)
				goto out;
			size_t before = sp->n, k;

			ln++;
			if (include_chunk(rd, sp, path, chunk.s, n, ln) < 0)
				goto out;
			for (k = before; rd->lines != NULL && k < sp->n; k++)
				if (buf_append(rd->lines, &ln, sizeof(ln)) < 0)
					goto out;
			off += n;
		} while (off < total);
	}
	if (r < 0)
		goto out;
	rv = 0;
out:
	lline_close(&lr);
	buf_free(&l);
	buf_free(&chunk);
	return rv;
}

/* read_include - read path once into the table; report problems at the alias file's line */
static int read_include(struct reader *rd, const char *path, unsigned long line)
{
	struct split sp;
	buf full = BUF_INIT, res = BUF_INIT, lines = BUF_INIT, *saved;
	struct alias_elem_src *v;	/* in sp */
	size_t idx, i;
	int fd = -1, r, missing = 0, rv = -1;

	if (rd->rootfd < 0)
		return 0;	/* reading includes is off */
	if (alias_include_find(rd->t, path) != (size_t)-1)
		return 0;
	if (hset_get(&rd->busy, path, strlen(path), NULL))
		return 0;	/* nested include of itself: already being read */
	if (rd->depth > 16)
		return 0;
	split_init(&sp);
	if (path[0] != '/') {
		if (rd->cx.queue_dir == NULL) {
			if (diag_add(rd->d, DIAG_WARN, "S2Q-A033", rd->file, line,
				     ":include:%s is a relative path: sendmail resolves it against its "
				     "queue directory, which was not given; not read", path) < 0)
				goto out;
			missing = 1;
			goto reg;
		}
		if (buf_printf(&full, "%s/%s", rd->cx.queue_dir, path) < 0)
			goto out;
	} else if (buf_append_s(&full, path) < 0) {
		goto out;
	}
	if (buf_cstr(&full) == NULL)
		goto out;
	fd = sroot_open(rd->rootfd, full.s, &res);
	if (fd < 0 && (errno == EXDEV || errno == EINVAL)) {
		if (errno == EXDEV) {
			if (diag_add(rd->d, DIAG_ERROR, "S2Q-A030", rd->file, line,
				     ":include:%s leads outside the root %s: not read", path,
				     rd->cx.root ? rd->cx.root : "/") < 0)
				goto out;
		} else if (diag_add(rd->d, DIAG_ERROR, "S2Q-A031", rd->file, line,
				    ":include:%s is not a regular file (sendmail: \"Cannot open %s: "
				    "Regular files only\"): not read", path, path) < 0) {
			goto out;
		}
		missing = 2;
		goto reg;
	}
	if (fd < 0) {
		if (errno == ENOMEM)
			goto out;
		if (diag_add(rd->d, DIAG_WARN, "S2Q-A032", rd->file, line,
			     ":include:%s cannot be read: %s; sendmail answers \"Cannot open %s\" for "
			     "mail to this alias", path, sroot_errstr(errno), path) < 0)
			goto out;
		missing = 1;
		goto reg;
	}
	if (buf_cstr(&res) == NULL)
		goto out;
	if (hset_put(&rd->busy, path, strlen(path), 1, NULL) < 0)
		goto out;
	rd->depth++;
	saved = rd->lines;
	rd->lines = &lines;
	r = include_elems(rd, path, fd, &sp);
	rd->lines = saved;
	rd->depth--;
	close(fd);
	fd = -1;
	if (r < 0)
		goto out;
	/* nested includes: read them too (problems reported at the alias line that led here) */
	for (i = 0; i < sp.n; i++) {
		if (sp.v[i].kind == ALIAS_INCLUDE) {
			rd->depth++;
			r = read_include(rd, sp.sb.s + sp.v[i].text - 1, line);
			rd->depth--;
			if (r < 0)
				goto out;
		}
	}
reg:
	if (elems(&sp, 0, &v) < 0)
		goto out;
	if (alias_table_addinc(rd->t, path, missing ? NULL : res.s, v,
			       missing ? NULL : (const unsigned long *)(void *)lines.s, sp.n, missing,
			       &idx) < 0)
		goto out;
	rv = 0;
out:
	if (fd >= 0)
		close(fd);
	split_free(&sp);
	buf_free(&full);
	buf_free(&res);
	buf_free(&lines);
	if (rv < 0)
		errno = ENOMEM;
	return rv;
}

int aliases_read_list(int fd, const char *display, const struct aliases_opts *o,
		      struct diag_sink *d, struct alias_list *out)
{
	struct reader rd;
	struct split sp;
	buf lines = BUF_INIT;
	int rv = -1, e = ENOMEM;

	memset(out, 0, sizeof(*out));
	memset(&rd, 0, sizeof(rd));
	rd.d = d;
	rd.file = display;
	rd.rootfd = -1;
	rd.lines = &lines;
	hset_init(&rd.busy);
	split_init(&sp);
	if (ctx_init(&rd.cx, o) < 0)
		goto out;
	errno = 0;
	if (include_elems(&rd, display, fd, &sp) < 0) {
		e = errno ? errno : ENOMEM;
		goto out;
	}
	if (pack_elems(&sp, &out->elems, &out->nelems) < 0)
		goto out;
	out->lines = (unsigned long *)(void *)lines.s;
	lines.s = NULL;
	rv = 0;
out:
	ctx_free(&rd.cx);
	split_free(&sp);
	hset_free(&rd.busy);
	buf_free(&lines);
	if (rv < 0)
		errno = e;
	return rv;
}

void alias_list_free(struct alias_list *l)
{
	free(l->elems);
	free(l->lines);
	memset(l, 0, sizeof(*l));
}

/* ---------------------------------------------------------- aliases_read */

/* show - bytes as sendmail shows an address in its 8-bit/non-printable messages */
static int show(buf *out, const char *s, size_t n)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (bclass(c) || (isws(c) && c != ' '))
			c = '?';
		else if (c >= 0x80)
			c &= 0x7f;	/* sendmail strips the high bit of the others */
		if (buf_append_c(out, (char)c) < 0)
			return -1;
	}
	return buf_cstr(out) == NULL ? -1 : 0;
}

static int element_warnings(struct reader *rd, const char *file, unsigned long line,
			    const struct split *sp, size_t from)
{
	size_t i;

	for (i = from; i < sp->n; i++) {
		const struct pelem *e = &sp->v[i];
		const char *text = e->text ? sp->sb.s + e->text - 1 : "";
		const char *raw = e->raw ? sp->sb.s + e->raw - 1 : "";
		int r = 0;

		if (e->kind == ALIAS_ERROR)
			r = diag_add(rd->d, DIAG_WARN, "S2Q-A012", file, line,
				     "'%s' is not special in sendmail aliases: it is an RFC 822 group "
				     "name, and sendmail routes the rest as a local name: \"User "
				     "unknown\", unless a user or alias has that name or LUSER_RELAY, "
				     "MAIL_HUB or LOCAL_RELAY takes unknown names", raw);
		else if (e->subbed && e->kind == ALIAS_PROG)
			r = diag_add(rd->d, DIAG_WARN, "S2Q-A013", file, line,
				     "unquoted program '%s': sendmail turns its blanks into '%c' and runs "
				     "'%s'; quote the whole element to pass arguments", raw,
				     rd->cx.blanksub, text);
		else if (e->subbed && e->kind == ALIAS_FILE)
			r = diag_add(rd->d, DIAG_WARN, "S2Q-A014", file, line,
				     "unquoted file name '%s': sendmail turns its blanks into '%c' and "
				     "appends to '%s'", raw, rd->cx.blanksub, text);
		else if (e->subbed && e->kind == ALIAS_ADDR)
			r = diag_add(rd->d, DIAG_WARN, "S2Q-A015", file, line,
				     "'%s' is one address, not several (the value is split on commas "
				     "only): sendmail delivers to '%s'", raw, text);
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * shortstr - a name as sendmail's message prefix shows it ("NAME... text"):
 * longer than 203 bytes (MAXSHORTSTR), the first 100, "...", the last 100
 */
static int shortstr(buf *out, const char *s, size_t n)
{
	buf_reset(out);
	if (n <= 203) {
		if (buf_append(out, s, n) < 0)
			return -1;
	} else if (buf_append(out, s, 100) < 0 || buf_append_s(out, "...") < 0 ||
		   buf_append(out, s + n - 100, 100) < 0) {
		return -1;
	}
	return buf_cstr(out) == NULL ? -1 : 0;
}

/* smerr - an S2Q-A008 error: "PREFIX... text", the prefix shortened as sendmail does */
static int smerr(struct reader *rd, unsigned long ln, const char *pfx, size_t n, const char *text)
{
	buf b = BUF_INIT;
	int r = shortstr(&b, pfx, n);

	if (r == 0)
		r = diag_add(rd->d, DIAG_ERROR, "S2Q-A008", rd->file, ln, "%s... %s", b.s, text);
	buf_free(&b);
	return r;
}

/*
 * lhs_problems - what prescan and parseaddr say about the alias name
 * l[0..lhslen) of the line l[0..len): a token or the name too long, the
 * Unbalanced messages (prefixed with the whole line, parseaddr's argument),
 * bad bytes (the name shown as sendmail shows it).  *fatal: parseaddr fails
 * ("illegal alias name" follows).
 */
static int lhs_problems(struct reader *rd, unsigned long ln, const struct scan *sc, const char *l,
			size_t len, size_t lhslen, int *fatal)
{
	buf shown = BUF_INIT;
	size_t i;
	int r = 0;

	*fatal = 0;
	for (i = 0; i < sc->n; i++) {
		if (sc->v[i].len > ALIASES_ADDR_MAX + 1) {
			*fatal = 1;
			return smerr(rd, ln, l, len, "prescan: token too long");
		}
	}
	for (i = 0; r == 0 && i < sc->nprobs; i++) {
		char p = sc->probs[i];

		switch (p) {
		case P_CTL:
			r = show(&shown, l, lhslen);
			if (r == 0)
				r = diag_add(rd->d, DIAG_ERROR, "S2Q-A008", rd->file, ln,
					     "Syntax error in mailbox address \"%s\" (non-printable "
					     "character)", shown.s);
			break;
		case P_8BIT:
			r = show(&shown, l, lhslen);
			if (r == 0)
				r = diag_add(rd->d, DIAG_ERROR, "S2Q-A008", rd->file, ln,
					     "8-bit character in mailbox address \"%s\"", shown.s);
			*fatal = 2;
			break;
		default: {
			char text[] = "Unbalanced 'x'";

			text[12] = p;
			r = smerr(rd, ln, l, len, text);
			break;
		}
		}
	}
	if (r == 0 && !*fatal && lhslen > ALIASES_ADDR_MAX) {
		buf_reset(&shown);
		r = buf_printf(&shown, "Address \"%.*s\" too long (%d bytes max)", ALIASES_ADDR_MAX, l,
			       ALIASES_ADDR_MAX);
		/* parseaddr cut the name at 255 bytes before the message shows it */
		if (r == 0 && buf_cstr(&shown) != NULL)
			r = smerr(rd, ln, l, ALIASES_ADDR_MAX, shown.s);
		*fatal = 1;
	}
	buf_free(&shown);
	return r;
}

/* plain_qualified - the name l[0..n) is one plain user@domain (atoms and
   dots, white space around): 1 and [*b, *e) the name without the white space */
static int plain_qualified(const char *l, size_t n, size_t *b, size_t *e)
{
	size_t i, nat = 0;

	*b = 0;
	while (*b < n && isws((unsigned char)l[*b]))
		(*b)++;
	while (n > *b && isws((unsigned char)l[n - 1]))
		n--;
	*e = n;
	for (i = *b; i < n; i++) {
		if (l[i] == '@')
			nat++;
		else if (l[i] != '.' && !plain((unsigned char)l[i]))
			return 0;
	}
	return nat == 1 && l[*b] != '@' && l[n - 1] != '@';
}

/* mapped_name - the caller's name_map for a plain user@domain name: -1, 0,
   1 (key set), 2 */
static int mapped_name(struct reader *rd, const char *l, size_t n, unsigned long ln, buf *key)
{
	size_t b, e;
	int r;

	if (!plain_qualified(l, n, &b, &e))
		return 0;
	n = e;
	buf_reset(key);
	r = rd->cx.name_map(rd->cx.name_map_arg, l + b, n - b, rd->file, ln, key);
	if (r == 1 && (key->len == 0 || key->len > ALIASES_ADDR_MAX))
		return 0;
	if (r == 1)
		lower(key->s, key->len);
	return r;
}

/* entry - one logical line that is neither a comment nor blank */
static int entry(struct reader *rd, struct split *sp, const char *l, size_t len, unsigned long first,
		 unsigned long ln)
{
	struct scan *sc = &sp->sc;
	const char *colon = memchr(l, ':', len), *err, *val;
	size_t lhslen, vlen, same, firstidx, i, qb, qe;
	struct alias_elem_src *ev = NULL;
	buf key = sp->ekey;	/* its memory kept from line to line; reset by show(), resolve() */
	int r, fatal, rv = -1;

	if (colon == NULL)
		return diag_add(rd->d, DIAG_ERROR, "S2Q-A004", rd->file, ln, "missing colon");
	/* the common name, plain bytes only: one atom, nothing to report, local */
	lhslen = (size_t)(colon - l);
	for (i = 0; i < lhslen && plain((unsigned char)l[i]); i++)
		;
	if (i == lhslen && lhslen > 0 && lhslen <= ALIASES_ADDR_MAX) {
		if (buf_copy(&key, l, lhslen) < 0)
			goto out;
		lower(key.s, lhslen);
		goto named;
	}
	if (rd->cx.name_map) {
		r = mapped_name(rd, l, lhslen, ln, &key);
		if (r < 0)
			goto out;
		if (r == 1)
			goto named;
		if (r == 2) {
			rv = diag_add(rd->d, DIAG_ERROR, "S2Q-A007", rd->file, ln,
				      "%.*s... cannot alias non-local names", (int)lhslen, l);
			goto out;
		}
	}
	if (scan(sc, l, len, ':') < 0)
		return -1;
	lhslen = sc->end;
	if (lhs_problems(rd, ln, sc, l, len, lhslen, &fatal) < 0)
		goto out;
	if (fatal == 2) {
		/* prescan has rewritten the name in place the way it shows it */
		if (show(&key, l, lhslen) < 0 || buf_append(&key, l + lhslen, len - lhslen) < 0 ||
		    buf_cstr(&key) == NULL)
			goto out;
		rv = diag_add(rd->d, DIAG_ERROR, "S2Q-A006", rd->file, ln,
			      "%.40s... illegal alias name", key.s);
		goto out;
	}
	if (fatal || sc->n == 0) {
		rv = diag_add(rd->d, DIAG_ERROR, "S2Q-A006", rd->file, ln,
			      "%.40s... illegal alias name", l);
		goto out;
	}
	r = resolve(&rd->cx, sc, 0, sc->n, &key, &err, 0);
	if (r < 0)
		goto out;
	if (r == R_EMPTY) {
		rv = diag_add(rd->d, DIAG_ERROR, "S2Q-A006", rd->file, ln,
			      "%.40s... illegal alias name", l);
		goto out;
	}
	if (r == R_REMOTE) {
		if (err && smerr(rd, ln, l, lhslen, err) < 0)
			goto out;
		rv = diag_add(rd->d, DIAG_ERROR, "S2Q-A007", rd->file, ln,
			      "%.*s... cannot alias non-local names", (int)lhslen, l);
		goto out;
	}
	/* a name with a local domain: without the caller's name_map (the
	   converters do not read the virtusertable) the local part is taken */
	if (rd->cx.name_map == NULL && !rd->cx.names_only && plain_qualified(l, lhslen, &qb, &qe) &&
	    diag_add(rd->d, DIAG_NOTE, "S2Q-A017", rd->file, ln,
		     "alias name %.*s has a domain: newaliases stores the entry under what "
		     "sendmail's ruleset 0 makes of the whole name - its local part here, but a "
		     "virtusertable entry for the name or a catch-all of its domain makes it that "
		     "entry's local name, which this alias then defines instead (the last one "
		     "winning); s2q takes the local part", (int)lhslen, l) < 0)
		goto out;
named:
	if (buf_cstr(&key) == NULL)
		goto out;
	/* the name's slot loads while the value is split */
	if (rd->names)
		hset_prefetch(rd->names, hset_hash(key.s, key.len));
	else
		alias_table_prefetch(rd->t, key.s, key.len);
	/* the value: from the first colon of the line, leading white space skipped */
	val = colon + 1;
	vlen = len - (size_t)(val - l);
	while (vlen > 0 && isws((unsigned char)*val)) {
		val++;
		vlen--;
	}
	if (vlen == 0) {
		rv = diag_add(rd->d, DIAG_ERROR, "S2Q-A005", rd->file, ln,
			      "%.40s... missing value for alias", l);
		goto out;
	}
	sp->n = 0;
	buf_reset(&sp->sb);
	if (rd->cx.names_only) {
		vlen = 0;	/* nothing of the value is kept */
	} else if (split_value(sp, &rd->cx, val, vlen) < 0 ||
		   element_warnings(rd, rd->file, ln, sp, 0) < 0) {
		goto out;
	}
	if (rd->cx.read_includes) {
		for (i = 0; i < sp->n; i++) {
			if (sp->v[i].kind == ALIAS_INCLUDE &&
			    read_include(rd, sp->sb.s + sp->v[i].text - 1, ln) < 0)
				goto out;
		}
	}
	if (rd->names) {
		if (hset_put(rd->names, key.s, key.len, 1, NULL) < 0)
			goto out;
		rv = 0;
		goto out;
	}
	if (elems(sp, 0, &ev) < 0)
		goto out;
	r = alias_table_add(rd->t, key.s, key.len, val, vlen, ev, sp->n, first, ln, &same, &firstidx);
	if (r < 0)
		goto out;
	if ((r & ALIAS_ADD_REPLACES) &&
	    (shortstr(&sp->tmp, l, lhslen) < 0 ||
	     diag_add(rd->d, DIAG_WARN, "S2Q-A010", rd->file, ln,
		      "%s... Warning: duplicate alias name %s -- replaces the entry at line %lu "
		      "(the last one wins)", sp->tmp.s, key.s, (unsigned long)rd->t->ents[same].lastline) < 0))
		goto out;
	if ((r & ALIAS_ADD_SHADOWED) &&
	    diag_add(rd->d, DIAG_WARN, "S2Q-A011", rd->file, ln,
		     "alias %s is also defined in %s:%lu, an alias file sendmail searches first: "
		     "this entry is never used", key.s, rd->t->files[rd->t->ents[firstidx].file],
		     (unsigned long)rd->t->ents[firstidx].lastline) < 0)
		goto out;
	rv = 0;
out:
	sp->ekey = key;
	if (rv < 0 && rd->d->oom)
		errno = ENOMEM;
	return rv;
}

int aliases_read(struct alias_table *t, const char *path, const char *display,
		 const struct aliases_opts *o, struct diag_sink *d)
{
	struct reader rd;
	struct split sp;
	lline lr;
	buf l = BUF_INIT;
	size_t fidx;
	int r, rv = -1, crlf = 0, e;

	memset(&rd, 0, sizeof(rd));
	rd.t = t;
	rd.d = d;
	rd.file = display ? display : path;
	rd.names = o && o->names_only ? o->names : NULL;
	hset_init(&rd.busy);
	split_init(&sp);
	if (ctx_init(&rd.cx, o) < 0) {
		ctx_free(&rd.cx);
		errno = ENOMEM;
		return -1;
	}
	rd.rootfd = -1;
	if (rd.cx.read_includes) {
		rd.rootfd = open(rd.cx.root ? rd.cx.root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rd.rootfd < 0) {
			e = errno;
			ctx_free(&rd.cx);
			errno = e;
			return -1;
		}
	}
	if (lline_open(&lr, path, LLINE_CONT_WS | LLINE_CONT_BSNL) < 0) {
		e = errno;
		if (rd.rootfd >= 0)
			close(rd.rootfd);
		ctx_free(&rd.cx);
		errno = e;
		return -1;
	}
	/* sendmail reads into a BUFSIZ (8192) buffer: 8190 bytes and the newline */
	lr.maxlen = ALIASES_LINE_MAX + 1;
	if (alias_table_addfile(t, rd.file, &fidx) < 0)
		goto out;
	while ((r = lline_next(&lr, &l)) > 0) {
		unsigned long ln = lr.phys;	/* sendmail's LineNumber: the last line read */

		if (buf_cstr(&l) == NULL)
			goto out;

		if (lr.toolong || (l.len > ALIASES_LINE_MAX && lr.nl)) {
			if (diag_add(d, DIAG_ERROR, "S2Q-A001", rd.file, ln, "alias line too long") < 0)
				goto out;
			continue;
		}
		if (lr.hasnul) {
			if (diag_add(d, DIAG_ERROR, "S2Q-A002", rd.file, ln,
				     "alias line too long -- the line contains a NUL byte, which "
				     "sendmail reads as its end (it then skips the next line too)") < 0)
				goto out;
			continue;
		}
		if (l.len == 0 || l.s[0] == '#')
			continue;
		if (l.s[0] == ' ' || l.s[0] == '\t') {
			if (diag_add(d, DIAG_ERROR, "S2Q-A003", rd.file, ln,
				     "Non-continuation line starts with space") < 0)
				goto out;
			continue;
		}
		if (!crlf && l.s[l.len - 1] == '\r') {
			crlf = 1;
			if (diag_add(d, DIAG_WARN, "S2Q-A016", rd.file, ln,
				     "line ends in a carriage return (a CRLF file?): sendmail keeps it "
				     "in the stored value and ignores it when it delivers; "
				     "a line of only CR is an error (missing colon)") < 0)
				goto out;
		}
		if (entry(&rd, &sp, l.s, l.len, lr.lineno, ln) < 0)
			goto out;
	}
	if (r < 0)
		goto out;
	rv = 0;
out:
	e = errno;
	if (d->oom)
		e = ENOMEM;
	alias_table_endfile(t);
	lline_close(&lr);
	if (rd.rootfd >= 0)
		close(rd.rootfd);
	buf_free(&l);
	split_free(&sp);
	ctx_free(&rd.cx);
	hset_free(&rd.busy);
	errno = e;
	return rv;
}

/* ------------------------------------------------------------- checking */

#define NONE ((uint32_t)-1)
#define SELF ((uint32_t)-2)

struct graph {
	const struct alias_table *t;
	size_t nents, n;	/* nodes: entries, then includes */
};

/* target - the node an element leads to, NONE (a delivery), SELF */
/* how many nodes ahead of the target lookups their names' slots are prefetched */
#define TARGET_AHEAD 8

static uint32_t target(const struct graph *g, uint32_t v, const struct alias_elem *e, buf *tmp)
{
	const struct alias_ent *a;
	size_t i;

	if (e->kind == ALIAS_INCLUDE) {
		i = alias_include_find(g->t, alias_elem_text(e));
		if (i == (size_t)-1 || g->t->incs[i].missing)
			return NONE;
		return (uint32_t)(g->nents + i);
	}
	if (e->kind != ALIAS_ADDR || alias_elem_local(e) == NULL)
		return NONE;
	a = alias_lookup(g->t, alias_elem_local(e));
	if (a == NULL) {
		/* user+detail: sendmail tries user+*, then user (ruleset 5) */
		const char *plus = strchr(alias_elem_local(e), '+');

		if (plus == NULL)
			return NONE;
		buf_reset(tmp);
		if (buf_append(tmp, alias_elem_local(e), (size_t)(plus - alias_elem_local(e)) + 1) == 0 &&
		    buf_append_c(tmp, '*') == 0)
			a = alias_lookup_n(g->t, tmp->s, tmp->len);
		if (a == NULL)
			a = alias_lookup_n(g->t, alias_elem_local(e), (size_t)(plus - alias_elem_local(e)));
		if (a == NULL)
			return NONE;
	}
	if ((size_t)(a - g->t->ents) == v)
		return SELF;
	return (uint32_t)(a - g->t->ents);
}

static void node_elems(const struct graph *g, uint32_t v, const struct alias_elem **ev, size_t *n)
{
	if (v < g->nents) {
		*ev = g->t->ents[v].elems;
		*n = g->t->ents[v].nelems;
	} else {
		*ev = g->t->incs[v - g->nents].elems;
		*n = g->t->incs[v - g->nents].nelems;
	}
}

struct frame {
	uint32_t v;
	uint32_t pos;		/* < the node's elements (at most UINT32_MAX in all) */
};

/* a loop to report: its members (entry indexes), reported at the first */
struct loopinfo {
	size_t first;
	int deliv;
	int exits;		/* targets outside the loop */
	buf names;
	buf users;		/* members that are real users (passwd) */
};

static int cmp_loop(const void *a, const void *b)
{
	const struct loopinfo *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static void nodename(const struct graph *g, uint32_t v, buf *out)
{
	if (v < g->nents)
		buf_append_s(out, g->t->ents[v].name);
	else
		buf_printf(out, ":include:%s", g->t->incs[v - g->nents].path);
}

/* leafdepth - the depth of a node with no alias or list among its targets */
static unsigned leafdepth(const struct graph *g, uint32_t v)
{
	const struct alias_elem *ev;
	size_t ne;

	node_elems(g, v, &ev, &ne);
	return ne > 0;
}

/* grow32 - room for n more in a uint32_t array holding *len of *cap */
static int grow32(uint32_t **v, size_t *cap, size_t len, size_t n)
{
	size_t nc = *cap ? *cap : 1024;
	uint32_t *nv;

	if (len + n <= *cap)
		return 0;
	while (nc < len + n) {
		if (nc > SIZE_MAX / 2 / sizeof(*nv))
			return -1;
		nc *= 2;
	}
	nv = realloc(*v, nc * sizeof(*nv));
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

int aliases_verdicts(const struct alias_table *t, const struct hset *users, unsigned char **outp,
		     unsigned **depthp, struct diag_sink *d)
{
	struct graph g;
	/*
	 * Only the nodes with an alias or a list among their targets take part
	 * in the search for loops (a tenth of a big table): the others are
	 * leaves, delivering at depth 1 (0 with no targets).  cid[v] is node v's
	 * number among the inner ones (NONE for a leaf or a dead entry), cn[u]
	 * the node of inner node u; the arrays below are per inner node.
	 */
	uint32_t *cid = NULL, *cn = NULL, *idx = NULL, *low = NULL, *comp = NULL, *best = NULL;
	uint32_t *stk = NULL, *tg = NULL, *toff = NULL;
	size_t ntg = 0, captg = 0, m = 0, capcn = 0, capoff = 0;
	unsigned *cdepth = NULL, *ndepth = NULL;
	unsigned char *cdeliv = NULL, *onstk = NULL, *out = NULL;
	struct frame *fr = NULL;
	struct loopinfo *loops = NULL;
	size_t nloops = 0, caploops = 0, nfr = 0, nstk = 0, ncomp = 0, s, i;
	unsigned maxrec = t->max_recursion ? t->max_recursion : ALIASES_MAX_RECURSION;
	uint32_t counter = 0;
	buf tmp = BUF_INIT, msg = BUF_INIT;
	int rv = -1;

	*outp = NULL;
	if (depthp)
		*depthp = NULL;
	g.t = t;
	g.nents = t->nents;
	g.n = t->nents + t->nincs;
	if (g.n >= (size_t)UINT32_MAX - 2) {
		errno = ENOMEM;
		return -1;
	}
	cid = malloc((g.n + 1) * sizeof(*cid));
	out = calloc(t->nents + 1, 1);
	if (!cid || !out)
		goto oom;
	/*
	 * Every element's target, looked up once (the walk below and the loop
	 * pass need them again), kept for the inner nodes: tg[toff[u] + k] for
	 * element k of inner node u.  Dead entries are never a target.
	 */
	for (i = 0; i < g.n; i++) {
		const struct alias_elem *ev;
		size_t ne, k;
		int inner = 0;

		/* the names a few nodes on load while these are looked up */
		if (i + TARGET_AHEAD < g.n &&
		    (i + TARGET_AHEAD >= t->nents || !t->ents[i + TARGET_AHEAD].dead)) {
			node_elems(&g, (uint32_t)(i + TARGET_AHEAD), &ev, &ne);
			for (k = 0; k < ne; k++) {
				const char *lc = alias_elem_local(&ev[k]);

				if (ev[k].kind == ALIAS_ADDR && lc)
					alias_table_prefetch(t, lc, strlen(lc));
			}
		}
		cid[i] = NONE;
		if (i < t->nents && t->ents[i].dead)
			continue;
		node_elems(&g, (uint32_t)i, &ev, &ne);
		/* 2^32 elements: a table of 100+ GB would fail first */
		if (ne >= (size_t)UINT32_MAX - ntg || grow32(&tg, &captg, ntg, ne) < 0)
			goto oom;
		for (k = 0; k < ne; k++) {
			uint32_t w = target(&g, (uint32_t)i, &ev[k], &tmp);

			tg[ntg + k] = w;
			if (w != NONE && w != SELF)
				inner = 1;
		}
		if (!inner)
			continue;	/* a leaf: its targets are not kept */
		if (grow32(&cn, &capcn, m, 1) < 0 || grow32(&toff, &capoff, m, 1) < 0)
			goto oom;
		cid[i] = (uint32_t)m;
		cn[m] = (uint32_t)i;
		toff[m] = (uint32_t)ntg;
		ntg += ne;
		m++;
	}
	if (grow32(&toff, &capoff, m, 1) < 0)
		goto oom;
	toff[m] = (uint32_t)ntg;
	idx = malloc((m + 1) * sizeof(*idx));
	low = malloc((m + 1) * sizeof(*low));
	comp = malloc((m + 1) * sizeof(*comp));
	best = malloc((m + 1) * sizeof(*best));
	stk = malloc((m + 1) * sizeof(*stk));
	fr = malloc((m + 1) * sizeof(*fr));
	onstk = calloc(m + 1, 1);
	cdepth = malloc((m + 1) * sizeof(*cdepth));
	cdeliv = malloc(m + 1);
	if (!idx || !low || !comp || !best || !stk || !fr || !onstk || !cdepth || !cdeliv)
		goto oom;
	for (i = 0; i < m; i++) {
		idx[i] = NONE;
		best[i] = NONE;
	}
	/* Tarjan's strongly connected components, iterative (1M-entry tables) */
	for (s = 0; s < t->nents; s++) {
		uint32_t su = cid[s];

		if (su == NONE || idx[su] != NONE)
			continue;
		fr[nfr].v = su;
		fr[nfr].pos = 0;
		nfr++;
		idx[su] = low[su] = counter++;
		stk[nstk++] = su;
		onstk[su] = 1;
		while (nfr > 0) {
			struct frame *f = &fr[nfr - 1];
			uint32_t v = f->v, w, cw;
			size_t ne = toff[v + 1] - toff[v];
			int descended = 0;

			while (f->pos < ne) {
				w = tg[toff[v] + f->pos];
				f->pos++;
				if (w == NONE || w == SELF || (cw = cid[w]) == NONE)
					continue;	/* a delivery or a leaf: done */
				if (idx[cw] == NONE) {
					idx[cw] = low[cw] = counter++;
					stk[nstk++] = cw;
					onstk[cw] = 1;
					fr[nfr].v = cw;
					fr[nfr].pos = 0;
					nfr++;
					descended = 1;
					break;
				}
				if (onstk[cw] && idx[cw] < low[v])
					low[v] = idx[cw];
			}
			if (descended)
				continue;
			/* v is done */
			nfr--;
			if (nfr > 0 && low[v] < low[fr[nfr - 1].v])
				low[fr[nfr - 1].v] = low[v];
			if (low[v] == idx[v]) {
				/*
				 * An SCC: pop it; its successors are all finished.  Depth
				 * (verified with sendmail -bv): an alias expansion puts its
				 * targets one level down, and so does an :include: list; mail is
				 * refused when a new address (not one already expanded)
				 * would appear more than 10 levels down.  Inside a loop
				 * each member is new once: the loop adds at most the
				 * weights of its members.
				 */
				size_t top = nstk, size, mi;
				unsigned maxexit = 0;
				int deliv = 0, exits = 0;
				uint32_t c = (uint32_t)ncomp++, minent = NONE;

				do {
					w = stk[--nstk];
					onstk[w] = 0;
					comp[w] = c;
				} while (w != v);
				size = top - nstk;
				for (mi = nstk; mi < top; mi++) {
					uint32_t x = stk[mi], xn = cn[x];
					size_t xe = toff[x + 1] - toff[x];
					unsigned xd = 0;

					if (xn < g.nents && xn < minent)
						minent = xn;
					if (xn < g.nents && users &&
					    hset_get(users, t->ents[xn].name, strlen(t->ents[xn].name), NULL))
						deliv = 1;
					for (i = 0; i < xe; i++) {
						unsigned wd;
						int wdeliv;

						w = tg[toff[x] + i];
						cw = w == NONE || w == SELF ? NONE : cid[w];
						/* back into the loop, or a list that names itself: a duplicate */
						if (cw != NONE && comp[cw] == c)
							continue;
						exits = 1;
						if (w == NONE || w == SELF) {
							deliv = 1;
							if (xd < 1)
								xd = 1;
							continue;
						}
						if (cw == NONE) {
							wd = leafdepth(&g, w);
							wdeliv = 1;
						} else {
							wd = cdepth[comp[cw]];
							wdeliv = cdeliv[comp[cw]];
						}
						if (wdeliv)
							deliv = 1;
						if (1 + wd > xd || best[x] == NONE) {
							if (1 + wd > xd)
								xd = 1 + wd;
							best[x] = w;
						}
					}
					if (size > 1 && xd > 0)
						xd += (unsigned)size - 1;	/* the longest way through the loop to x */
					if (xd > maxexit)
						maxexit = xd;
				}
				cdeliv[c] = (unsigned char)deliv;
				if (size > 1 && !exits)
					cdepth[c] = (unsigned)size - 1;
				else
					cdepth[c] = maxexit;
				if (size > 1 && minent != NONE) {
					struct loopinfo *li;

					if (nloops == caploops) {
						size_t nc = caploops ? caploops * 2 : 8;
						struct loopinfo *nl = realloc(loops, nc * sizeof(*nl));

						if (nl == NULL)
							goto oom;
						loops = nl;
						caploops = nc;
					}
					li = &loops[nloops++];
					li->first = minent;
					li->deliv = deliv;
					li->exits = exits;
					buf_init(&li->names);
					buf_init(&li->users);
					/* members in file order, at most 10 named */
					{
						size_t *mem = malloc(size * sizeof(*mem)), nm = 0, a, b;

						if (mem == NULL)
							goto oom;
						for (mi = nstk; mi < top; mi++)
							if (cn[stk[mi]] < g.nents)
								mem[nm++] = cn[stk[mi]];
						for (a = 1; a < nm; a++)
							for (b = a; b > 0 && mem[b - 1] > mem[b]; b--) {
								size_t x = mem[b];
								mem[b] = mem[b - 1];
								mem[b - 1] = x;
							}
						for (a = 0; a < nm && a < 10; a++)
							buf_printf(&li->names, "%s%s", a ? ", " : "",
								   t->ents[mem[a]].name);
						for (a = 0; users && a < nm; a++) {
							const char *un = t->ents[mem[a]].name;

							if (hset_get(users, un, strlen(un), NULL))
								buf_printf(&li->users, "%s%s",
									   li->users.len ? ", " : "", un);
						}
						if (nm > 10)
							buf_printf(&li->names, " and %zu more", nm - 10);
						free(mem);
						if (buf_cstr(&li->names) == NULL ||
						    buf_cstr(&li->users) == NULL)
							goto oom;
					}
				}
			}
		}
	}
	if (depthp) {
		ndepth = malloc((t->nents + 1) * sizeof(*ndepth));
		if (ndepth == NULL)
			goto oom;
	}
	for (i = 0; i < t->nents; i++) {
		unsigned dep;

		if (t->ents[i].dead)
			dep = 0;
		else if (cid[i] == NONE)
			dep = leafdepth(&g, (uint32_t)i);	/* delivers: out[i] stays ALIAS_OK */
		else if ((dep = cdepth[comp[cid[i]]]) > maxrec)
			out[i] = ALIAS_DEEP;
		else if (!cdeliv[comp[cid[i]]])
			out[i] = ALIAS_LOOP;
		if (ndepth)
			ndepth[i] = dep;
	}
	if (d) {
		size_t li = 0;

		if (nloops > 1)
			qsort(loops, nloops, sizeof(*loops), cmp_loop);
		for (i = 0; i < t->nents; i++) {
			const struct alias_ent *e = &t->ents[i];
			const char *fn = t->files[e->file];

			for (; li < nloops && loops[li].first == i; li++) {
				if (loops[li].deliv) {
					const struct loopinfo *lp = &loops[li];

					buf_reset(&msg);
					if (lp->exits)
						buf_append_s(&msg, "the targets outside the loop");
					if (lp->exits && lp->users.len)
						buf_append_s(&msg, " and ");
					if (lp->users.len)
						buf_printf(&msg, "the real user%s %s",
							   strchr(lp->users.s, ',') ? "s" : "", lp->users.s);
					if (buf_cstr(&msg) == NULL ||
					    diag_add(d, DIAG_WARN, "S2Q-A021", fn, e->lastline,
						     "alias loop among %s: sendmail expands each name once "
						     "and delivers only to %s", lp->names.s, msg.s) < 0)
						goto oom;
				} else if (diag_add(d, DIAG_WARN, "S2Q-A020", fn, e->lastline,
						    "alias loop among %s with no way out: sendmail refuses "
						    "mail to them (aliasing/forwarding loop broken)",
						    loops[li].names.s) < 0) {
					goto oom;
				}
			}
			if (out[i] == ALIAS_DEEP) {
				uint32_t v = (uint32_t)i;
				int n = 0;

				buf_reset(&msg);
				while (v != NONE && n < 13) {
					if (n)
						buf_append_s(&msg, " -> ");
					nodename(&g, v, &msg);
					v = cid[v] == NONE ? NONE : best[cid[v]];
					n++;
				}
				if (v != NONE)
					buf_append_s(&msg, " -> ...");
				if (buf_cstr(&msg) == NULL)
					goto oom;
				if (diag_add(d, DIAG_WARN, "S2Q-A022", fn, e->lastline,
					     "mail to %s is refused by sendmail: aliasing/forwarding loop "
					     "broken (%d aliases deep; %d max): %s reaches %u levels",
					     e->name, maxrec + 1, maxrec,
					     msg.s, cdepth[comp[cid[i]]]) < 0)
					goto oom;
			} else if (out[i] == ALIAS_LOOP) {
				/* members of a loop were named above; report names that lead into one */
				size_t k, ne = e->nelems;
				int inloop = 0;
				uint32_t w, u = cid[i];

				for (k = 0; k < ne && !inloop; k++) {
					w = tg[toff[u] + k];
					if (w != NONE && w != SELF && cid[w] != NONE &&
					    comp[cid[w]] == comp[u])
						inloop = 1;
				}
				if (!inloop &&
				    diag_add(d, DIAG_WARN, "S2Q-A023", fn, e->lastline,
					     "every target of %s ends in an alias loop: sendmail refuses "
					     "mail to it (aliasing/forwarding loop broken)", e->name) < 0)
					goto oom;
			}
		}
	}
	*outp = out;
	out = NULL;
	if (depthp) {
		*depthp = ndepth;
		ndepth = NULL;
	}
	rv = 0;
	goto done;
oom:
	errno = ENOMEM;
done:
	for (i = 0; i < nloops; i++) {
		buf_free(&loops[i].names);
		buf_free(&loops[i].users);
	}
	free(loops);
	free(cid);
	free(cn);
	free(toff);
	free(tg);
	free(idx);
	free(low);
	free(comp);
	free(best);
	free(stk);
	free(fr);
	free(onstk);
	free(cdepth);
	free(cdeliv);
	free(ndepth);
	free(out);
	buf_free(&tmp);
	buf_free(&msg);
	return rv;
}

int aliases_check(const struct alias_table *t, struct diag_sink *d)
{
	unsigned char *v = NULL;
	int r = aliases_verdicts(t, NULL, &v, NULL, d);

	free(v);
	return r;
}

int aliases_diag_smtext(const struct diag *g, size_t *len)
{
	static const char *const mirrored[] = { "S2Q-A001", "S2Q-A002", "S2Q-A003", "S2Q-A004",
						"S2Q-A005", "S2Q-A006", "S2Q-A007", "S2Q-A008",
						"S2Q-A010" };
	size_t i, n = strlen(g->msg);

	for (i = 0; i < sizeof(mirrored) / sizeof(mirrored[0]); i++) {
		if (strcmp(g->code, mirrored[i]) != 0)
			continue;
		if (strcmp(g->code, "S2Q-A002") == 0 || strcmp(g->code, "S2Q-A010") == 0) {
			/* the explanation follows the last " -- " (it contains none itself) */
			size_t k;

			for (k = n; k >= 4; k--) {
				if (memcmp(g->msg + k - 4, " -- ", 4) == 0) {
					n = k - 4;
					break;
				}
			}
		}
		*len = n;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------- MatchGECOS */

int aliases_buildfname(buf *out, const char *g, size_t n, const char *login, size_t ln)
{
	size_t k;

	buf_reset(out);
	if (n && g[0] == '*') {
		g++;
		n--;
	}
	for (k = 0; k < n && g[k] != ',' && g[k] != ';' && g[k] != '%'; k++) {
		if (g[k] != '&') {
			if (buf_append_c(out, g[k]) < 0)
				return -1;
			continue;
		}
		if (ln && (buf_append_c(out, (char)toupper((unsigned char)login[0])) < 0 ||
			   buf_append(out, login + 1, ln - 1) < 0))
			return -1;
	}
	return buf_cstr(out) == NULL ? -1 : 0;
}

int aliases_fullnames(struct alias_table *t, const char *file, const struct aliases_fullname *v,
		      size_t n, const struct hset *logins, struct diag_sink *d)
{
	buf nm = BUF_INIT, list = BUF_INIT;
	size_t i, fidx, same, first;
	int rc = -1;

	if (n == 0)
		return 0;
	if (alias_table_addfile(t, file, &fidx) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *f = v[i].fullname;
		size_t fl = strlen(f), nb = 0, k, combos, c;

		for (k = 0; k < fl; k++)
			nb += f[k] == ' ';
		if (nb == 0)
			continue;
		combos = nb <= 3 ? (size_t)1 << nb : 2;
		buf_reset(&list);
		for (c = 0; c < combos; c++) {
			struct alias_elem_src src;
			size_t b = 0;
			int bad = 0;

			buf_reset(&nm);
			for (k = 0; k < fl; k++) {
				char ch = (char)tolower((unsigned char)f[k]);

				if (ch == ' ') {
					/* nb <= 3: bit b of c; else all '.' (c 0) or all '_' (c 1) */
					int us = nb <= 3 ? (int)((c >> b) & 1) : (int)c;

					ch = us ? '_' : '.';
					b++;
				} else if (!plain((unsigned char)ch) && ch != '-' && ch != '\'') {
					bad = 1;
				}
				if (buf_append_c(&nm, ch) < 0)
					goto out;
			}
			if (bad || buf_cstr(&nm) == NULL || nm.len > ALIASES_ADDR_MAX ||
			    alias_lookup_n(t, nm.s, nm.len) != NULL ||
			    (logins && hset_get(logins, nm.s, nm.len, NULL) == 1))
				continue;
			memset(&src, 0, sizeof(src));
			src.kind = ALIAS_ADDR;
			src.text = src.raw = src.local = v[i].login;
			if (alias_table_add(t, nm.s, nm.len, v[i].login, strlen(v[i].login), &src, 1,
					    v[i].line, v[i].line, &same, &first) < 0)
				goto out;
			if (buf_printf(&list, "%s%s", list.len ? ", " : "", nm.s) < 0)
				goto out;
		}
		if (list.len && (buf_cstr(&list) == NULL ||
				 diag_add(d, DIAG_NOTE, "S2Q-A135", file, v[i].line,
					  "MatchGECOS: sendmail delivered the full name '%s' of %s "
					  "(%s) to that login; they are aliases of %s now", f,
					  v[i].login, list.s, v[i].login) < 0))
			goto out;
	}
	rc = 0;
out:
	alias_table_endfile(t);
	buf_free(&nm);
	buf_free(&list);
	if (rc < 0)
		errno = ENOMEM;
	return rc;
}
