/*
 * test_virtuser - the virtusertable semantics (model/virtuser) and value
 * reading (parse/virtuser), table-driven.  The expected answers are the real
 * sendmail's (the recordings tests/virtusers/NAME.sm, ../shared/ref/sendmail.md §3.1).
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>

#include "../../convert/lib/model/virtuser.h"
#include "../../convert/lib/parse/virtuser.h"

/* ---- keys ---- */

static const struct keyrow {
	const char *key;
	enum vu_kind kind;
	const char *user;	/* user part for VU_USER* */
	const char *domain;
} keyrows[] = {
	{ "info@example.com", VU_USER, "info", "example.com" },
	{ "bob+*@d.test", VU_USERPS, "bob", "d.test" },
	{ "bob++@d.test", VU_USERPP, "bob", "d.test" },
	{ "++@d.test", VU_PP, "", "d.test" },
	{ "+*@d.test", VU_PS, "", "d.test" },
	{ "@d.test", VU_DOMAIN, "", "d.test" },
	{ "bob+news@d.test", VU_EXACT, "", "d.test" },
	{ "a+b+*@d.test", VU_EXACT, "", "d.test" },	/* user would be "a": never key 3 */
	{ "+foo@d.test", VU_USER, "+foo", "d.test" },	/* a leading '+' belongs to the user */
	{ "+++@d.test", VU_USERPP, "+", "d.test" },	/* "++s": user "+", key 2 "+++@" */
	{ "++*@d.test", VU_USERPS, "+", "d.test" },
	{ "root", VU_NOAT, "", "" },
	{ ".com", VU_NOAT, "", "" },
	{ "a@b@d.test", VU_USER, "a@b", "d.test" },	/* the last '@' splits */
	{ "x@", VU_USER, "x", "" },
};

static void test_keys(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keyrows) / sizeof(keyrows[0]); i++) {
		const struct keyrow *r = &keyrows[i];
		struct vu_key k;

		vu_key_parse(r->key, strlen(r->key), &k);
		if (k.kind != r->kind || k.dlen != strlen(r->domain) ||
		    memcmp(k.domain, r->domain, k.dlen) != 0 ||
		    ((r->kind == VU_USER || r->kind == VU_USERPP || r->kind == VU_USERPS) &&
		     (k.ulen != strlen(r->user) || memcmp(k.user, r->user, k.ulen) != 0)))
			fail_msg("key %s: kind %s user %.*s domain %.*s", r->key, vu_kind_name(k.kind),
				 (int)k.ulen, k.user, (int)k.dlen, k.domain);
	}
}

/* ---- user+detail ---- */

static const struct splitrow {
	const char *local;
	int plus;
	size_t ulen;
} splitrows[] = {
	{ "bob", 0, 0 },     { "bob+x", 1, 3 },  { "bob+", 1, 3 },   { "a+b+c", 1, 1 },
	{ "+x", 0, 0 },      { "++x", 1, 1 },    { "+", 0, 0 },      { "+a+b", 1, 2 },
	{ "a.b+c", 1, 3 },   { "\"a+b\"", 0, 0 }, { "\"a+b\"+c", 1, 5 },
};

static void test_split(void **state)
{
	size_t i, u;

	(void)state;
	for (i = 0; i < sizeof(splitrows) / sizeof(splitrows[0]); i++) {
		const struct splitrow *r = &splitrows[i];
		int p;

		u = 0;
		p = vu_split(r->local, strlen(r->local), &u);
		if (p != r->plus || (p && u != r->ulen))
			fail_msg("split %s: %d %zu", r->local, p, u);
	}
}

/* ---- %n ---- */

static void test_expand(void **state)
{
	static const struct {
		const char *tmpl, *want;
		unsigned uses;
	} rows[] = {
		{ "%1@x", "L@x", 0x2 },
		{ "a%%b-%x-50%@r", "a%b-%x-50%@r", 0 },	/* verified: pct@v2.test */
		{ "x%4y@r", "xy@r", 0x10 },		/* absent arguments are empty */
		{ "%0", "k@d", 0x1 },
		{ "%1-%2-%3", "L-D-+D", 0xe },
		{ "trail%", "trail%", 0 },
	};
	struct vu_args a;
	size_t i;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.a[0] = "k@d", a.n[0] = 3;
	a.a[1] = "L", a.n[1] = 1;
	a.a[2] = "D", a.n[2] = 1;
	a.a[3] = "+D", a.n[3] = 2;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf b = BUF_INIT;

		assert_int_equal(vu_expand(&b, rows[i].tmpl, strlen(rows[i].tmpl), &a), 0);
		assert_non_null(buf_cstr(&b));
		if (strcmp(b.s, rows[i].want) != 0 ||
		    vu_uses(rows[i].tmpl, strlen(rows[i].tmpl)) != rows[i].uses)
			fail_msg("expand %s: got %s uses %x", rows[i].tmpl, b.s,
				 vu_uses(rows[i].tmpl, strlen(rows[i].tmpl)));
		buf_free(&b);
	}
}

/* ---- the seven lookups, over a small table ---- */

static const char *const table[] = {
	/* tests/virtusers/lookup.vt */
	"exact@v1.test", "E", "bob@v1.test", "BOB", "bob+*@v1.test", "BOBSTAR",
	"bob++@v1.test", "BOBPP", "bob+news@v1.test", "BOBNEWS", "carol@v1.test", "CAROL",
	"dan+*@v1.test", "DANSTAR", "++@v1.test", "PP", "+*@v1.test", "PS", "@v1.test", "CATCH",
	"dave+*@v2.test", "DAVE", "@v2.test", "CATCH2", "gus++@v3.test", "GUS", "@v3.test", "C3",
	"frank@v3.test", "FRANK",
	/* ../shared/ref/sendmail.md 3.1: the parent's @domain is not used for a subdomain */
	"x@sub.hosted-a.example", "SUBX", "@hosted-a.example", "PARENT",
	NULL
};

static int tget(void *ctx, const char *key, size_t klen, const char **val, size_t *vlen)
{
	size_t i;

	(void)ctx;
	for (i = 0; table[i]; i += 2)
		if (strlen(table[i]) == klen && memcmp(table[i], key, klen) == 0) {
			*val = table[i + 1];
			*vlen = strlen(table[i + 1]);
			return 1;
		}
	return 0;
}

static const struct lookrow {
	const char *addr;
	int step;		/* 0: no match */
	const char *val;
	const char *args;	/* "%1|%2|%3" as passed (step 1 and no-plus 7: just %1) */
} lookrows[] = {
	/* every answer below is the real sendmail's (tests/virtusers/lookup.sm) */
	{ "exact@v1.test", 1, "E", "exact" },
	{ "EXACT@V1.test", 1, "E", "EXACT" },
	{ "Exact+x@v1.test", 4, "E", "Exact|x|+x" },	/* key 4: exact@v1.test */
	{ "bob@v1.test", 1, "BOB", "bob" },
	{ "Bob@v1.test", 1, "BOB", "Bob" },
	{ "bob+x@v1.test", 2, "BOBPP", "bob|x|+x" },
	{ "Bob+X@v1.test", 2, "BOBPP", "Bob|X|+X" },
	{ "bob+@v1.test", 3, "BOBSTAR", "bob||+" },	/* empty detail: not ++ */
	{ "bob+news@v1.test", 1, "BOBNEWS", "bob+news" },
	{ "bob+a+b@v1.test", 2, "BOBPP", "bob|a+b|+a+b" },	/* split at the first '+' */
	{ "bob+*@v1.test", 1, "BOBSTAR", "bob+*" },	/* the literal local part: key 1 */
	{ "carol+x@v1.test", 4, "CAROL", "carol|x|+x" },
	{ "carol+@v1.test", 4, "CAROL", "carol||+" },
	{ "dan+q@v1.test", 3, "DANSTAR", "dan|q|+q" },
	{ "dan@v1.test", 7, "CATCH", "dan" },
	{ "x+y@v1.test", 5, "PP", "x|y|+y" },
	{ "x+@v1.test", 6, "PS", "x||+" },
	{ "x@v1.test", 7, "CATCH", "x" },
	{ "+x@v1.test", 7, "CATCH", "+x" },	/* a leading '+' is no detail */
	{ "++x@v1.test", 5, "PP", "+|x|+x" },
	{ "+@v1.test", 7, "CATCH", "+" },
	{ "a.b+c@v1.test", 5, "PP", "a.b|c|+c" },
	{ "dave+q@v2.test", 3, "DAVE", "dave|q|+q" },
	{ "dave@v2.test", 7, "CATCH2", "dave" },
	{ "carl+x@v2.test", 7, "CATCH2", "carl|x|+x" },	/* %1 is the user: carl */
	{ "gus+y@v3.test", 2, "GUS", "gus|y|+y" },
	{ "gus+@v3.test", 7, "C3", "gus||+" },		/* gus++ needs a detail */
	{ "frank+x@v3.test", 4, "FRANK", "frank|x|+x" },
	{ "x@sub.hosted-a.example", 1, "SUBX", "x" },
	{ "y@sub.hosted-a.example", 0, NULL, "" },
	{ "nobody@nowhere.test", 0, NULL, "" },
};

static void test_lookup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lookrows) / sizeof(lookrows[0]); i++) {
		const struct lookrow *r = &lookrows[i];
		const char *at = strrchr(r->addr, '@');
		struct vu_match m;
		buf args = BUF_INIT;
		int n;

		vu_match_init(&m);
		n = vu_lookup(tget, NULL, 0, r->addr, (size_t)(at - r->addr), at + 1, strlen(at + 1), &m);
		assert_true(n >= 0);
		buf_append(&args, m.user.s ? m.user.s : "", m.user.len);
		if (m.nargs == 3) {
			buf_append_c(&args, '|');
			buf_append(&args, m.detail.s ? m.detail.s : "", m.detail.len);
			buf_append_c(&args, '|');
			buf_append(&args, m.pdetail.s ? m.pdetail.s : "", m.pdetail.len);
		}
		buf_cstr(&args);
		if (m.step != r->step || (r->val && (m.val == NULL || strlen(r->val) != m.vlen ||
						      memcmp(r->val, m.val, m.vlen) != 0)) ||
		    (r->step && strcmp(args.s, r->args) != 0))
			fail_msg("%s: step %d (want %d) val %.*s args %s (want %s)", r->addr, m.step,
				 r->step, (int)m.vlen, m.val ? m.val : "", args.s, r->args);
		buf_free(&args);
		vu_match_free(&m);
	}
}

/* ---- eligible domains ---- */

static void test_eligible(void **state)
{
	struct vu_domains v;

	(void)state;
	vu_domains_init(&v);
	assert_int_equal(vu_domains_add(&v, 1, "Example.COM", 11), 0);
	assert_int_equal(vu_domains_add(&v, 0, "hosted-a.example", 16), 0);
	assert_int_equal(vu_eligible(&v, "example.com", 11), VU_ELIG_W);
	assert_int_equal(vu_eligible(&v, "EXAMPLE.com", 11), VU_ELIG_W);
	assert_int_equal(vu_eligible(&v, "hosted-a.example", 16), VU_ELIG_VIRTHOST);
	/* subdomains only with virtuser_entire_domain, at a label boundary */
	assert_int_equal(vu_eligible(&v, "sub.hosted-a.example", 20), VU_ELIG_NONE);
	v.entire_domain = 1;
	assert_int_equal(vu_eligible(&v, "sub.hosted-a.example", 20), VU_ELIG_SUB);
	assert_int_equal(vu_eligible(&v, "a.b.hosted-a.example", 20), VU_ELIG_SUB);
	assert_int_equal(vu_eligible(&v, "xhosted-a.example", 17), VU_ELIG_NONE);
	assert_int_equal(vu_eligible(&v, "sub.example.com", 15), VU_ELIG_NONE);	/* class w: exact */
	assert_int_equal(vu_eligible(&v, "other.test", 10), VU_ELIG_NONE);
	v.any = 1;
	assert_int_equal(vu_eligible(&v, "other.test", 10), VU_ELIG_VIRTHOST);
	assert_int_equal(vu_eligible(&v, "example.com", 11), VU_ELIG_W);
	vu_domains_free(&v);
}

/* ---- error: values (tests/virtusers/errors.sm) ---- */

static const struct errrow {
	const char *val;
	int iserr;
	const char *status, *text, *shown, *dsn;
	int temp;
	unsigned odd;
} errrows[] = {
	{ "error:nouser 550 User unknown here", 1, "nouser", "550 User unknown here",
	  "User unknown here", "5.1.1", 0, 0 },
	{ "error:5.7.1:550 Access denied", 1, "5.7.1", "550 Access denied", "Access denied", "5.7.1",
	  0, 0 },
	{ "error:5.7.0:550 Address invalid", 1, "5.7.0", "550 Address invalid", "Address invalid",
	  "5.7.0", 0, 0 },
	{ "error:nouser", 1, "nouser", ">%L<@%D.", ">%L<@%D.", "5.1.1", 0, VU_ODD_NOTEXT },
	{ "error:nouser:550 colon", 1, "nouser", ":550 colon", ":550 colon", "5.1.1", 0,
	  VU_ODD_COLON },
	{ "error:550 numeric keyword", 1, "550", "numeric keyword", "numeric keyword", "5.0.0", 0,
	  VU_ODD_NUMERIC },
	{ "error:tempfail 451 try later", 1, "tempfail", "451 try later", "try later", "4.2.0", 1,
	  0 },
	{ "error:nouser 451 reply code wins", 1, "nouser", "451 reply code wins",
	  "reply code wins", "4.1.1", 1, 0 },
	{ "error:4.2.0:450 queue it", 1, "4.2.0", "450 queue it", "queue it", "4.2.0", 1, 0 },
	{ "error:5.1.1", 1, "5", ".1.1", ".1.1", "5.0.0", 0, VU_ODD_NUMERIC | VU_ODD_SHORTDSN },
	{ "error:bogus 550 unknown keyword", 1, "bogus", "550 unknown keyword", "unknown keyword",
	  "5.5.0", 0, VU_ODD_KEYWORD },
	{ "error:\"nouser\" 550 quoted keyword", 1, "nouser", "550 quoted keyword",
	  "quoted keyword", "5.1.1", 0, 0 },
	{ "ERROR:unavailable 550 upper case", 1, "unavailable", "550 upper case", "upper case",
	  "5.5.0", 0, 0 },
	{ "error:nouser 550 5.1.1 with a DSN", 1, "nouser", "550 5.1.1 with a DSN", "with a DSN",
	  "5.1.1", 0, 0 },
	{ "error:5.1.1:", 1, "5.1.1", ">%L<@%D.", ">%L<@%D.", "5.1.1", 0, VU_ODD_NOTEXT },
	{ "error:nouser 550 %1 is gone", 1, "nouser", "550 %1 is gone", "%1 is gone", "5.1.1", 0, 0 },
	{ "error:nouser  550 two  spaces", 1, "nouser", "550 two spaces", "two spaces", "5.1.1", 0,
	  0 },
	{ "error:nouser 550 text with # hash", 1, "nouser", "550 text with # hash",
	  "text with # hash", "5.1.1", 0, 0 },
	{ "error:%1 550 x", 1, "%1", "550 x", "x", "5.5.0", 0, VU_ODD_DYNAMIC | VU_ODD_KEYWORD },
	{ "someone", 0, NULL, NULL, NULL, NULL, 0, 0 },
	{ "errors@example.com", 0, NULL, NULL, NULL, NULL, 0, 0 },
	{ "error", 0, NULL, NULL, NULL, NULL, 0, 0 },
};

static void test_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errrows) / sizeof(errrows[0]); i++) {
		const struct errrow *r = &errrows[i];
		struct vu_err e;
		int n;

		vu_err_init(&e);
		n = vu_value_error(r->val, strlen(r->val), &e);
		if (n != r->iserr)
			fail_msg("%s: iserr %d", r->val, n);
		if (n == 1 && (strcmp(e.status.s, r->status) != 0 || strcmp(e.text.s, r->text) != 0 ||
			       strcmp(e.shown.s, r->shown) != 0 || strcmp(e.dsn.s, r->dsn) != 0 ||
			       e.temp != r->temp || e.odd != r->odd))
			fail_msg("%s: status '%s' text '%s' shown '%s' dsn %s temp %d odd %x", r->val,
				 e.status.s, e.text.s, e.shown.s, e.dsn.s, e.temp, e.odd);
		vu_err_free(&e);
	}
}

/* ---- targets (tests/virtusers/targets.sm) ---- */

static const struct tgtrow {
	const char *val;
	int tmpl;		/* read with vu_target_template */
	enum vu_tkind kind;
	const char *addr;	/* or the bounce text */
} tgtrows[] = {
	{ "someone", 0, VT_BARE, "someone" },
	{ "SomeOne", 0, VT_BARE, "SomeOne" },
	{ "first second", 0, VT_BARE, "first.second" },	/* BlankSub */
	{ "\"quoted user\"", 0, VT_BARE, "quoted user" },	/* the envelope has no quotes */
	{ "Some Body <sb@r.example>", 0, VT_ADDR, "sb@r.example" },
	{ "sb@r.example (comment)", 0, VT_ADDR, "sb@r.example" },
	{ "<sb@r.example>", 0, VT_ADDR, "sb@r.example" },
	{ "sb@r.example.", 0, VT_ADDR, "sb@r.example" },
	{ "sb@[10.0.0.1]", 0, VT_ADDR, "sb@[10.0.0.1]" },
	{ "\"a b\"@r.example", 0, VT_ADDR, "a b@r.example" },
	{ "user@r.example  ", 0, VT_ADDR, "user@r.example" },
	{ "|/bin/true", 0, VT_BOUNCE, "Cannot mail directly to programs" },
	{ "/tmp/file", 0, VT_BOUNCE, "Cannot mail directly to files" },
	{ ":include:/tmp/list", 0, VT_BOUNCE, "Cannot mail directly to :include:s" },
	{ "\\someone", 0, VT_NOALIAS, "someone" },
	{ "a@r.example, b@r.example", 0, VT_BOUNCE, "Invalid route address" },
	{ "@r.example", 0, VT_BOUNCE, "User address required" },
	{ "user@", 0, VT_BOUNCE, "Hostname required" },
	{ "<>", 0, VT_BOUNCE, "User unknown" },
	{ "user%r.example", 0, VT_PERCENT, "user@r.example" },
	{ "host!user", 0, VT_UUCP, "host!user" },
	{ "%1@catch.example", 1, VT_ADDR, "%1@catch.example" },
	{ " <%1+%2@x.example> ", 1, VT_ADDR, "%1+%2@x.example" },
	{ "bob+%2", 1, VT_BARE, "bob+%2" },
	{ "%1@x, %2@y", 1, VT_BOUNCE, "Invalid route address" },
	{ "%3@remote.example", 1, VT_ADDR, "%3@remote.example" },
	{ "@%1", 1, VT_BOUNCE, "User address required" },
};

static void test_targets(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tgtrows) / sizeof(tgtrows[0]); i++) {
		const struct tgtrow *r = &tgtrows[i];
		struct vu_target t;
		const char *got;

		vu_target_init(&t);
		assert_int_equal(r->tmpl ? vu_target_template(r->val, strlen(r->val), &t)
					 : vu_target_parse(r->val, strlen(r->val), &t), 0);
		got = t.kind == VT_BOUNCE ? t.text : t.addr.s;
		if (t.kind != r->kind || got == NULL || strcmp(got, r->addr) != 0)
			fail_msg("%s: kind %d '%s'", r->val, t.kind, got ? got : "(null)");
		if ((t.kind == VT_ADDR || t.kind == VT_PERCENT) && t.addr.s[t.at] != '@')
			fail_msg("%s: at %zu", r->val, t.at);
		vu_target_free(&t);
	}
}

/* vt_read - DIR/NAME opened as a virtusertable and read to its end: the records */
static size_t vt_read(const char *dir, const char *name, unsigned flags, struct vtab *t,
		      struct diag_sink *d)
{
	char path[512];
	struct maptext_rec rec;
	size_t n = 0;
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	diag_init(d);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(vtab_open(t, fd, name, flags, d), 0);
	while ((r = vtab_next(t, &rec)) > 0)
		n++;
	assert_int_equal(r, 0);
	return n;
}

/* ---- the table index ---- */

static void test_vtab(void **state)
{
	static const char text[] = "# comment\n"
				   "Info@Example.COM\tsales\n"
				   "\n"
				   "bob+*@d.test  bob+%2 # kept\n"
				   "info@example.com\tduplicate\n"
				   " leading\tspace\n"
				   "@d.test\tcatch\n";
	char *dir = tu_tmpdir();
	struct diag_sink d;
	struct vtab t;
	const char *k, *v;
	size_t kl, vl;
	unsigned long line;
	int fd;

	(void)state;
	tu_writefile(dir, "vt", text, sizeof(text) - 1);
	assert_int_equal(vt_read(dir, "vt", 0, &t, &d), 3);
	/* duplicate (the first wins) and leading space: maptext's errors */
	assert_int_equal(d.nerr, 2);
	assert_int_equal(vtab_get(&t, "info@example.com", 16, &v, &vl), 1);
	assert_memory_equal(v, "sales", 5);
	assert_int_equal(vl, 5);
	assert_int_equal(vtab_get(&t, "bob+*@d.test", 12, &v, &vl), 1);
	assert_int_equal(vl, strlen("bob+%2 # kept"));
	assert_int_equal(vtab_get(&t, "Info@Example.COM", 16, &v, &vl), 0);	/* keys are folded */
	assert_int_equal(vtab_get(&t, "@d.test", 7, &v, &vl), 1);
	assert_int_equal(vtab_at(&t, 0, &k, &kl, &v, &vl, &line), 1);
	assert_int_equal(kl, 16);
	assert_memory_equal(k, "info@example.com", 16);
	assert_int_equal(line, 2);
	assert_int_equal(vtab_at(&t, 2, &k, &kl, &v, &vl, &line), 1);
	assert_int_equal(line, 7);
	assert_memory_equal(v, "catch", 5);
	assert_int_equal(vtab_at(&t, 3, &k, &kl, &v, &vl, &line), 0);
	vtab_close(&t);
	diag_free(&d);
	/* not a regular file */
	fd = open(dir, O_RDONLY);
	assert_true(fd >= 0);
	diag_init(&d);
	assert_int_equal(vtab_open(&t, fd, "dir", 0, &d), -1);
	assert_int_equal(errno, EINVAL);
	diag_free(&d);
	tu_rmtree(dir);
}

/*
 * the key index over the mapped file: keys found whatever case the file
 * wrote them in (folded), duplicates after folding reported at the later
 * line with the first one's, -f (NOFOLD) keeping case apart, and enough
 * keys for the index to grow many times
 */
static void test_vtab_index(void **state)
{
	static const char text[] = "Joe@X.Example\tv1\n"
				   "JOE@x.example\tv2\n"
				   "joe@X.EXAMPLE\tv3\n"
				   "other@x.example\tv4\n";
	char *dir = tu_tmpdir(), key[64];
	struct diag_sink d;
	struct vtab t;
	const char *v;
	size_t vl, i;
	buf big = BUF_INIT;

	(void)state;
	tu_writefile(dir, "vt", text, sizeof(text) - 1);
	vt_read(dir, "vt", 0, &t, &d);
	assert_int_equal(t.nrec, 2);
	assert_int_equal(d.nerr, 2);
	assert_string_equal(d.v[0].code, "S2Q-M005");
	assert_int_equal(d.v[0].line, 2);
	assert_non_null(strstr(d.v[0].msg, "keeps line 1 "));
	assert_int_equal(d.v[1].line, 3);
	assert_non_null(strstr(d.v[1].msg, "keeps line 1 "));
	assert_int_equal(vtab_get(&t, "joe@x.example", 13, &v, &vl), 1);
	assert_memory_equal(v, "v1", 2);
	assert_int_equal(vtab_line(&t, "joe@x.example", 13), 1);
	assert_int_equal(vtab_line(&t, "other@x.example", 15), 4);
	assert_int_equal(vtab_line(&t, "joe@x.exampl", 12), 0);
	assert_int_equal(vtab_get(&t, "joe@x.examplf", 13, &v, &vl), 0);
	vtab_close(&t);
	diag_free(&d);

	/* makemap -f: case kept, three keys */
	vt_read(dir, "vt", MAPTEXT_NOFOLD, &t, &d);
	assert_int_equal(t.nrec, 4);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(vtab_get(&t, "JOE@x.example", 13, &v, &vl), 1);
	assert_memory_equal(v, "v2", 2);
	assert_int_equal(vtab_get(&t, "joe@x.example", 13, &v, &vl), 0);
	vtab_close(&t);
	diag_free(&d);

	/* 20,000 keys, then each of them again (folded: duplicates) */
	for (i = 0; i < 20000; i++)
		assert_int_equal(buf_printf(&big, "U%zu@D%zu.test v%zu\n", i, i % 97, i), 0);
	for (i = 0; i < 20000; i += 7)
		assert_int_equal(buf_printf(&big, "u%zu@d%zu.TEST again\n", i, i % 97), 0);
	tu_writefile(dir, "big", big.s, big.len);
	vt_read(dir, "big", 0, &t, &d);
	assert_int_equal(t.nrec, 20000);
	assert_int_equal(d.nerr, (20000 + 6) / 7);
	for (i = 0; i < 20000; i++) {
		int kl = snprintf(key, sizeof(key), "u%zu@d%zu.test", i, i % 97);
		char want[16];

		snprintf(want, sizeof(want), "v%zu", i);
		assert_int_equal(vtab_get(&t, key, (size_t)kl, &v, &vl), 1);
		assert_int_equal(vl, strlen(want));
		assert_memory_equal(v, want, vl);
		assert_int_equal(vtab_line(&t, key, (size_t)kl), i + 1);
	}
	vtab_close(&t);
	diag_free(&d);
	buf_free(&big);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),	 cmocka_unit_test(test_split),
		cmocka_unit_test(test_expand),	 cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_eligible), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_targets),	 cmocka_unit_test(test_vtab),
		cmocka_unit_test(test_vtab_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
