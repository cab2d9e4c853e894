/* resolve/qres_s2q - the two shell lines s2q's converters write, run as /bin/sh would run them */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qres_int.h"

/*
 * qres reads every program line through a small subset of sh (qres_local.c);
 * two lines that s2q itself writes go beyond it, and without them the
 * proof would see "a program" where qmail really forwards or bounces:
 *
 *   s2q-aliases, ~alias/.qmail-default after fastforward -p (emit/aliasmap.c):
 *     b="${DEFAULT%%+*}"; case "$b" in ""|"$DEFAULT") UNKNOWN;; esac; case
 *     "$DEFAULT" in "$b+*") exec FORWARD "$b@$HOST";; esac; exec FORWARD
 *     "$b+*@$HOST"
 *   UNKNOWN is echo "Sorry, no mailbox here by that name. (#5.1.1)"; exit 100,
 *   or with LUSER_RELAY exec FORWARD 'NAME@ME' / exec FORWARD "$DEFAULT"@HOST
 *   (also a line of its own with --no-plus); any other UNKNOWN is left
 *   unknown (a deferral), never guessed.
 *
 *   s2q-virtusers, the +detail line (emit/vdomains.c plusline()):
 *     L="${LOCAL#*-}"; r="${L#?}"; case "$r" in *+*) ;; *) NOMATCH;; esac;
 *     u=...; e=...; p=...; export DEFAULT="$L" S2Q_1="$u" S2Q_2="$e" S2Q_3="+$e";
 *     f() { RECIPIENT="$1@$HOST" FASTFORWARD -p CDB; c=$?; [INFF][ $c = 0 ] ||
 *     exit $c; }; f "$p-$L"; ... f "$p+"; echo '...'; exit 111
 *   NOMATCH is "exit 0", or (inside the domains database) "ACTION; exit $?";
 *   INFF is "[ $c = 99 ] && exit 0; " there.
 *
 * Each is recognised by its whole text (only the quoted paths and NOMATCH
 * vary) and evaluated with the same steps the shell takes, through qres's
 * own fastforward and forward.  A line that differs in any byte is not
 * recognised and stays an ordinary program.  What a line is (and its
 * captures) is found once per text and remembered (qres_st.s2qv).
 *
 * Also "sh -c 'CMD'" (one single-quoted word, as the .forward converter
 * writes a sendmail program): qmail-local already runs its line with
 * /bin/sh -c, so the program is CMD, as it was for sendmail's prog mailer.
 */

#define W "\001"	/* a shell word: bare, or '...' with '\'' escapes; captured unquoted */
#define ANY "\002"	/* any text up to what follows; captured as is */
#define OPT99 "\003"	/* optional "[ $c = 99 ] && exit 0; " */

static const char t_alias[] =
	"b=\"${DEFAULT%%+*}\"; case \"$b\" in \"\"|\"$DEFAULT\") " ANY ";; esac; "
	"case \"$DEFAULT\" in \"$b+*\") exec " W " \"$b@$HOST\";; esac; exec " W " \"$b+*@$HOST\"";

/* the unknown-name action of t_alias, and the --no-plus LUSER_RELAY line */
static const char t_bounce[] = "echo \"Sorry, no mailbox here by that name. (#5.1.1)\"; exit 100";
static const char t_exec[] = "exec " W " " ANY;

static const char t_vplus[] =
	"L=\"${LOCAL#*-}\"; r=\"${L#?}\"; case \"$r\" in *+*) ;; *) " ANY ";; esac; "
	"u=\"${L%\"$r\"}${r%%+*}\"; e=\"${r#*+}\"; p=\"${LOCAL%%-*}\"; "
	"export DEFAULT=\"$L\" S2Q_1=\"$u\" S2Q_2=\"$e\" S2Q_3=\"+$e\"; "
	"f() { RECIPIENT=\"$1@$HOST\" " W " -p " W "; c=$?; " OPT99 "[ $c = 0 ] || exit $c; }; "
	"f \"$p-$L\"; [ -n \"$e\" ] && f \"$p+$u++\"; f \"$p+$u+*\"; f \"$p+$u\"; "
	"f \"$p-$u\"; [ -n \"$e\" ] && f \"$p+++\"; f \"$p++*\"; f \"$p+\"; "
	"echo 's2q-virtusers: the domain is missing from the virtusers database (#4.3.0)'; "
	"exit 111";

static const char opt99[] = "[ $c = 99 ] && exit 0; ";

#define NCAP 4
struct caps {
	buf v[NCAP];
	size_t n;
	int inff;
};

static int word(const char *s, size_t *used, buf *out)
{
	size_t i = 0;

	if (s[0] != '\'') {
		while (s[i] && s[i] != ' ' && s[i] != ';' && s[i] != '"' && s[i] != '\'' &&
		       s[i] != '\\' && s[i] != '$' && s[i] != '`')
			i++;
		if (i == 0)
			return 0;
		*used = i;
		return buf_append(out, s, i) < 0 ? -1 : 1;
	}
	for (;;) {
		const char *q = strchr(s + i + 1, '\'');

		if (q == NULL)
			return 0;
		if (buf_append(out, s + i + 1, (size_t)(q - (s + i + 1))) < 0)
			return -1;
		i = (size_t)(q - s) + 1;
		if (strncmp(s + i, "\\''", 3) == 0) {	/* '\'' : a quote, then quoting goes on */
			if (buf_append_c(out, '\'') < 0)
				return -1;
			i += 2;
			continue;
		}
		break;
	}
	*used = i;
	return 1;
}

/* match - 1 s matches t (captures filled), 0 not, -1 ENOMEM */
static int match(const char *s, const char *t, struct caps *c)
{
	while (*t) {
		if (*t == '\001') {
			size_t used = 0, k = c->n;
			int r;

			if (k >= NCAP)
				return 0;
			buf_reset(&c->v[k]);
			r = word(s, &used, &c->v[k]);
			if (r <= 0)
				return r;
			c->n++;
			r = match(s + used, t + 1, c);
			if (r != 0)
				return r;
			c->n = k;
			return 0;
		}
		if (*t == '\002') {
			size_t k = c->n, i, len = strlen(s);

			if (k >= NCAP)
				return 0;
			c->n++;
			for (i = 0; i <= len; i++) {
				int r;

				if (t[1] && s[i] != t[1])
					continue;
				r = match(s + i, t + 1, c);
				if (r < 0)
					return -1;
				if (r) {
					buf_reset(&c->v[k]);
					return buf_append(&c->v[k], s, i) < 0 ? -1 : 1;
				}
			}
			c->n = k;
			return 0;
		}
		if (*t == '\003') {
			size_t n = sizeof(opt99) - 1;

			if (strncmp(s, opt99, n) == 0) {
				int r = match(s + n, t + 1, c);

				if (r != 0) {
					c->inff = 1;
					return r;
				}
			}
			t++;
			continue;
		}
		if (*s != *t)
			return 0;
		s++;
		t++;
	}
	return *s == '\0';
}

/* the captures' buffers come from the pool (a script line is matched for every delivery) */
static void caps_take(struct qres_st *st, struct caps *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NCAP; i++)
		c->v[i] = bufpool_take(&st->pool);
}

static void caps_give(struct qres_st *st, struct caps *c)
{
	size_t i;

	for (i = 0; i < NCAP; i++)
		bufpool_give(&st->pool, &c->v[i]);
}

static int fwd(struct qr_run *r, const char *a, size_t n)
{
	int rc;

	if (qr_trace(r, "forward(1): 1 address") < 0)
		return -1;
	r->depth++;
	rc = qr_deliver(r, a, n);
	r->depth--;
	return rc;
}

/*
 * unknown_action - what s2q-aliases' ~alias/.qmail-default does with a
 * local name nobody has: qmail's bounce, or (LUSER_RELAY) "exec FORWARD
 * ADDR" with ADDR a shell word or "$DEFAULT"@host.  Anything else is not
 * a text s2q writes: left unknown (a deferral saying so).
 */
static int unknown_action(struct qr_run *r, const struct qr_env *e, const char *act, int *code,
			  buf *msg)
{
	struct caps c;
	buf a;
	size_t used = 0;
	int rc = -1, m;

	if (strcmp(act, t_bounce) == 0) {
		*code = 100;
		return buf_append_s(msg, "Sorry, no mailbox here by that name. (#5.1.1)");
	}
	caps_take(r->st, &c);
	a = bufpool_take(&r->st->pool);
	m = match(act, t_exec, &c);
	if (m < 0 || (m == 1 && (buf_cstr(&c.v[0]) == NULL || buf_cstr(&c.v[1]) == NULL)))
		goto out;
	if (m == 1 && c.v[0].len >= 8 && memcmp(c.v[0].s + c.v[0].len - 8, "/forward", 8) == 0) {
		const char *w = c.v[1].s;

		if (strncmp(w, "\"$DEFAULT\"@", 11) == 0 && w[11]) {
			if (buf_append_s(&a, e->default_ ? e->default_ : "") < 0 ||
			    buf_append_c(&a, '@') < 0 || buf_append_s(&a, w + 11) < 0)
				goto out;
		} else {
			m = word(w, &used, &a);
			if (m < 0)
				goto out;
			if (m == 0 || w[used] != '\0')
				buf_reset(&a);
		}
		if (a.len) {
			*code = 0;
			rc = qr_trace(r, "LUSER_RELAY line: forward to %.*s", (int)a.len, a.s) < 0 ? -1
				 : fwd(r, a.s, a.len);
			goto out;
		}
	}
	*code = 111;	/* not a text s2q writes: leave it unknown */
	rc = buf_append_s(msg, "s2q-route: unrecognised unknown-name action") < 0 ? -1 : 0;
out:
	caps_give(r->st, &c);
	bufpool_give(&r->st->pool, &a);
	return rc;
}

/* the s2q-aliases +detail line */
static int run_alias(struct qr_run *r, const struct qr_env *e, struct caps *c, int *code,
		     buf *msg)
{
	const char *d = e->default_ ? e->default_ : "", *host = e->host ? e->host : "";
	size_t bl = strcspn(d, "+");
	buf a = BUF_INIT;
	int rc;

	if (qr_trace(r, "s2q-aliases +detail line: DEFAULT '%s'", d) < 0)
		return -1;
	if (bl == 0 || d[bl] == '\0')
		return unknown_action(r, e, c->v[0].s ? c->v[0].s : "", code, msg);
	*code = 0;
	if (buf_append(&a, d, bl) < 0 ||
	    (strcmp(d + bl, "+*") != 0 && buf_append_s(&a, "+*") < 0) ||
	    buf_append_c(&a, '@') < 0 || buf_append_s(&a, host) < 0) {
		buf_free(&a);
		return -1;
	}
	rc = fwd(r, a.s, a.len);
	buf_free(&a);
	return rc;
}

/* key3 - out = a b c d (NUL-terminated): 0, or -1 ENOMEM */
static int key3(buf *out, const char *a, const char *b, const char *c, const char *d)
{
	buf_reset(out);
	return buf_append_s(out, a) < 0 || buf_append_s(out, b) < 0 || buf_append_s(out, c) < 0 ||
	       buf_append_s(out, d) < 0 || buf_cstr(out) == NULL ? -1 : 0;
}

/* the s2q-virtusers +detail line: caps ANY (nomatch), W fastforward, W cdb */
static int run_vplus(struct qr_run *r, const struct qr_env *e, struct caps *c, int *code,
		     buf *msg)
{
	const char *local = e->local ? e->local : "", *host = e->host ? e->host : "";
	const char *L = strchr(local, '-'), *rr, *plus;
	buf u, ex, p, key, rcp, s3;
	struct qr_env e2;
	int rc = -1, step;

	L = L ? L + 1 : local;
	rr = *L ? L + 1 : L;
	if (qr_trace(r, "s2q-virtusers +detail line: L '%s'", L) < 0)
		return -1;
	plus = strchr(rr, '+');
	if (plus == NULL) {
		const char *na = c->v[0].s;
		size_t nl = c->v[0].len;

		if (nl == 6 && memcmp(na, "exit 0", 6) == 0) {
			*code = 0;
			return qr_trace(r, "no '+' after the first byte: exit 0");
		}
		if (nl > 9 && memcmp(na + nl - 9, "; exit $?", 9) == 0) {
			buf act = BUF_INIT;

			if (buf_append(&act, na, nl - 9) < 0 || buf_cstr(&act) == NULL ||
			    qr_trace(r, "no '+' after the first byte: %s", act.s) < 0) {
				buf_free(&act);
				return -1;
			}
			rc = qr_program(r, e, act.s, 1, code, msg);
			buf_free(&act);
			return rc;
		}
		*code = 111;	/* not a tail s2q writes: leave it unknown */
		return buf_append_s(msg, "s2q-route: unrecognised +detail fall-through");
	}
	u = bufpool_take(&r->st->pool);
	ex = bufpool_take(&r->st->pool);
	p = bufpool_take(&r->st->pool);
	key = bufpool_take(&r->st->pool);
	rcp = bufpool_take(&r->st->pool);
	s3 = bufpool_take(&r->st->pool);
	if (buf_append(&u, L, (size_t)(plus - L)) < 0 || buf_append_s(&ex, plus + 1) < 0 ||
	    buf_append(&p, local, strcspn(local, "-")) < 0 || buf_append_c(&s3, '+') < 0 ||
	    buf_append_s(&s3, plus + 1) < 0 || buf_cstr(&u) == NULL || buf_cstr(&ex) == NULL ||
	    buf_cstr(&p) == NULL || buf_cstr(&s3) == NULL)
		goto out;
	e2 = *e;
	e2.default_ = L;
	e2.s2q[0] = u.s;
	e2.s2q[1] = ex.s;
	e2.s2q[2] = s3.s;
	for (step = 0; step < 8; step++) {
		struct qr_ffres res;
		const char *f;
		size_t i;
		int frc;

		switch (step) {
		case 0: frc = key3(&key, p.s, "-", L, ""); break;
		case 1: frc = ex.len ? key3(&key, p.s, "+", u.s, "++") : 1; break;
		case 2: frc = key3(&key, p.s, "+", u.s, "+*"); break;
		case 3: frc = key3(&key, p.s, "+", u.s, ""); break;
		case 4: frc = key3(&key, p.s, "-", u.s, ""); break;
		case 5: frc = ex.len ? key3(&key, p.s, "+++", "", "") : 1; break;
		case 6: frc = key3(&key, p.s, "++*", "", ""); break;
		default: frc = key3(&key, p.s, "+", "", ""); break;
		}
		if (frc < 0)
			goto out;
		if (frc == 1)
			continue;
		if (key3(&rcp, key.s, "@", host, "") < 0)
			goto out;
		e2.recipient = rcp.s;
		if (qr_trace(r, "RECIPIENT=%s %s -p %s", rcp.s, c->v[1].s, c->v[2].s) < 0)
			goto out;
		memset(&res, 0, sizeof(res));
		if (qr_ff(r->st, r, c->v[2].s, e->home, QRES_FF_P, 0, &e2, NULL, &res) < 0) {
			qr_ffres_free(r->st, &res);
			goto out;
		}
		frc = 0;
		if ((res.code == 0 || res.code == 99) && res.nfwds) {
			r->depth++;
			for (f = res.fwds.s, i = 0; frc == 0 && i < res.nfwds; i++, f += strlen(f) + 1)
				frc = qr_deliver(r, f, strlen(f));
			r->depth--;
		}
		if (frc == 0 && res.code != 0) {
			*code = (c->inff && res.code == 99) ? 0 : res.code;
			frc = buf_append(msg, res.msg.s, res.msg.len);
			qr_ffres_free(r->st, &res);
			rc = frc;
			goto out;
		}
		qr_ffres_free(r->st, &res);
		if (frc < 0)
			goto out;
	}
	*code = 111;
	rc = buf_append_s(msg, "s2q-virtusers: the domain is missing from the virtusers database "
			  "(#4.3.0)");
out:
	bufpool_give(&r->st->pool, &u);
	bufpool_give(&r->st->pool, &ex);
	bufpool_give(&r->st->pool, &p);
	bufpool_give(&r->st->pool, &key);
	bufpool_give(&r->st->pool, &rcp);
	bufpool_give(&r->st->pool, &s3);
	return rc;
}

/*
 * sh_c - "sh -c 'CMD'" (or /bin/sh), the one word single-quoted as s2q's
 * converters quote it ('\'' for a quote), or left bare when it has only
 * bytes no shell treats specially (sh_word's choice): CMD unquoted into
 * out, 1; else 0
 */
static int sh_c(const char *cmd, buf *out, int *oom)
{
	static const char bare[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789_./+,:=@%-";
	size_t used = 0;
	int r;

	if (strncmp(cmd, "sh -c ", 6) == 0)
		cmd += 6;
	else if (strncmp(cmd, "/bin/sh -c ", 11) == 0)
		cmd += 11;
	else
		return 0;
	if (cmd[0] != '\'' && (cmd[0] == '\0' || cmd[strspn(cmd, bare)] != '\0'))
		return 0;
	r = word(cmd, &used, out);
	if (r < 0)
		*oom = 1;
	if (r <= 0)
		return 0;
	while (cmd[used] == ' ' || cmd[used] == '\t')
		used++;
	return cmd[used] == '\0' && buf_cstr(out) != NULL;
}

/* what a program line was recognised as */
enum s2q_kind { K_NONE, K_SHC, K_EXEC, K_ALIAS, K_VPLUS };

struct qr_s2qent {
	enum s2q_kind kind;
	struct caps c;		/* K_SHC: the program; K_ALIAS, K_VPLUS: the captures */
};

/* a host has a few such lines per domain: beyond this many, lines are matched each time */
#define S2Q_CACHE_MAX 65536

/* classify - what cmd is, with its captures in c (from the pool): 0, or -1 ENOMEM */
static int classify(const char *cmd, struct caps *c, enum s2q_kind *kind)
{
	int oom = 0, m;
	size_t i;

	*kind = K_NONE;
	/* sh -c 'CMD' is what qmail-local's own sh -c already does: CMD is the program */
	if (sh_c(cmd, &c->v[0], &oom)) {
		c->n = 1;
		*kind = K_SHC;
		return 0;
	}
	if (oom)
		return -1;
	buf_reset(&c->v[0]);
	if (strncmp(cmd, "exec ", 5) == 0) {
		m = match(cmd, t_exec, c);
		if (m < 0)
			return -1;
		if (m == 1 && c->v[0].len >= 8 &&
		    memcmp(c->v[0].s + c->v[0].len - 8, "/forward", 8) == 0) {
			*kind = K_EXEC;
			return 0;
		}
		c->n = 0;
	}
	m = match(cmd, t_alias, c);
	if (m == 1) {
		*kind = K_ALIAS;
		return buf_cstr(&c->v[0]) == NULL ? -1 : 0;
	}
	c->n = 0;
	c->inff = 0;
	if (m == 0)
		m = match(cmd, t_vplus, c);
	if (m < 0)
		return -1;
	if (m == 1) {
		for (i = 0; i < c->n; i++)
			if (buf_cstr(&c->v[i]) == NULL)
				return -1;
		*kind = K_VPLUS;
	}
	return 0;
}

static void ent_free(struct qr_s2qent *x)
{
	size_t i;

	for (i = 0; i < NCAP; i++)
		buf_free(&x->c.v[i]);
	free(x);
}

void qr_s2q_free(struct qres_st *st)
{
	size_t i;

	for (i = 0; i < st->ns2q; i++)
		ent_free(st->s2qv[i]);
	free(st->s2qv);
	st->s2qv = NULL;
	st->ns2q = st->caps2q = 0;
	hset_free(&st->s2qidx);
}

/*
 * lookup - cmd's entry, recognised once and remembered (entries are never
 * changed or moved, so one stays valid through the nested runs of its line).
 * NULL with *oom 0: not remembered (the cache is full), classify it yourself.
 */
static const struct qr_s2qent *lookup(struct qres_st *st, const char *cmd, int *oom)
{
	size_t len = strlen(cmd);
	unsigned long v;
	struct qr_s2qent *x;
	struct caps c;
	size_t i;

	*oom = 0;
	if (hset_get(&st->s2qidx, cmd, len, &v))
		return st->s2qv[v];
	if (st->ns2q >= S2Q_CACHE_MAX)
		return NULL;
	if (st->ns2q == st->caps2q) {
		size_t nc = st->caps2q ? st->caps2q * 2 : 16;
		struct qr_s2qent **nv = realloc(st->s2qv, nc * sizeof(*nv));

		if (nv == NULL)
			goto oom;
		st->s2qv = nv;
		st->caps2q = nc;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		goto oom;
	caps_take(st, &c);
	if (classify(cmd, &c, &x->kind) < 0) {
		caps_give(st, &c);
		ent_free(x);
		goto oom;
	}
	/* the entry keeps the captures it needs; the pool gets the rest back */
	x->c.n = c.n;
	x->c.inff = c.inff;
	for (i = 0; i < NCAP; i++)
		if (x->kind != K_NONE && x->kind != K_EXEC && i < c.n) {
			x->c.v[i] = c.v[i];
			buf_init(&c.v[i]);
		}
	caps_give(st, &c);
	if (hset_set(&st->s2qidx, cmd, len, st->ns2q) < 0) {
		ent_free(x);
		goto oom;
	}
	st->s2qv[st->ns2q++] = x;
	return x;
oom:
	*oom = 1;
	return NULL;
}

/* run - what the shell does with a line of kind k (captures c) */
static int run(struct qr_run *r, const struct qr_env *e, const char *cmd, enum s2q_kind k,
	       struct caps *c, int *code, buf *msg)
{
	int rc;

	switch (k) {
	case K_SHC:
		if (qr_trace(r, "sh -c: the program is '%s'", c->v[0].s) < 0)
			return -1;
		rc = qr_program(r, e, c->v[0].s, 0, code, msg);
		break;
	case K_EXEC:
		rc = unknown_action(r, e, cmd, code, msg);
		break;
	case K_ALIAS:
		rc = run_alias(r, e, c, code, msg);
		break;
	case K_VPLUS:
		rc = run_vplus(r, e, c, code, msg);
		break;
	default:
		return 0;
	}
	return rc < 0 ? -1 : 1;
}

int qr_s2q_script(struct qr_run *r, const struct qr_env *e, const char *cmd, int *code, buf *msg)
{
	const struct qr_s2qent *x;
	struct caps c;
	enum s2q_kind k;
	int oom, rc;

	x = lookup(r->st, cmd, &oom);
	if (oom)
		return -1;
	if (x) {
		struct caps cc = x->c;	/* a shallow copy: the runs only read it */

		return run(r, e, cmd, x->kind, &cc, code, msg);
	}
	caps_take(r->st, &c);
	rc = classify(cmd, &c, &k);
	if (rc == 0)
		rc = run(r, e, cmd, k, &c, code, msg);
	caps_give(r->st, &c);
	return rc;
}
