/* test_smres - the sendmail-side route resolver on small hand-made hosts */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/parse/sendmailcf.h"
#include "../../convert/lib/resolve/smres.h"

/* a small host: the cf names everything below the root; features are set by hand */
static const char cf_base[] =
	"V10/Berkeley\n"
	"CO @ % !\n"
	"Cwlocalhost\n"
	"Cwexample.test\n"
	"C{VirtHost}virt.test\n"
	"CRpartner.test\n"
	"CR$={VirtHost}\n"
	"CLkeep\n"
	"DSrelay:[smart.test]\n"
	"O AliasFile=/etc/mail/aliases\n"
	"O DefaultUser=8:8\n"
	"O ForwardPath=$z/.forward\n"
	"O QueueDirectory=/var/spool/mqueue\n"
	"Kvirtuser hash -o /etc/mail/virtusertable\n"
	"Kmailertable hash -o /etc/mail/mailertable\n"
	"Kdomaintable hash -o /etc/mail/domaintable\n"
	"Kaccess hash -o /etc/mail/access\n"
	"Mlocal, P=/usr/bin/procmail, F=lsDFMAw5:/|@qSPfhn9, S=EnvFromL, R=EnvToL, "
	"A=procmail -d $u\n"
	"Mprog, P=/bin/sh, F=lsDFMoqeu9, S=EnvFromL, R=EnvToL, A=sh -c $u\n";

static const char aliases[] =
	"postmaster: root\n"
	"root: alice\n"
	"team: alice, bob, x@remote.test\n"
	"prog: \"|/usr/bin/handler arg\"\n"
	"file: /var/log/mail.archive\n"
	"list: :include:/etc/mail/lists/staff\n"
	"rel: :include:lists/rel\n"
	"missing: :include:/etc/mail/lists/nothere\n"
	"la: lb\n"
	"lb: la\n"
	"self: self, bob\n"
	"esc: \\alice, bob\n"
	"plus+*: carol\n"
	"loopuser: bob2\n"
	"bob2: loopuser, x@remote.test\n"
	"c1: c2\nc2: c3\nc3: c4\nc4: c5\nc5: c6\nc6: c7\nc7: c8\nc8: c9\nc9: c10\n"
	"c10: c11\nc11: c12\nc12: alice\n";

static const char virtusers[] =
	"info@virt.test\talice\n"
	"sales@virt.test\tbob@elsewhere.test\n"
	"user+*@virt.test\t%1-%2@detail.test\n"
	"gone@virt.test\terror:nouser 550 No such user here\n"
	"full@virt.test\terror:4.2.2:452 Mailbox full\n"
	"two@virt.test\ta@x.test, b@y.test\n"
	"bare@virt.test\terror:nouser\n"
	"@virt.test\tcatch@example.test\n";

static const char mailertable[] =
	"exact.test\tesmtp:%0.mx.test\n"
	".wild.test\trelay:%1.gw.test\n"
	"rewrite.test\tesmtp:pm@collector.test\n"
	"tolocal.test\tlocal:bob\n"
	"dead.test\terror:5.1.2:550 Host dead\n"
	"kw.test\terror:nohost:No such host\n";

static const char access_map[] =
	"To:blocked@example.test\tREJECT\n"
	"To:drop@example.test\tDISCARD\n"
	"To:open.test\tRELAY\n"
	"To:err.test\tERROR:5.7.9:550 Not here\n"
	"To:Mixed@example.test\tREJECT\n"
	"To:plus+*@example.test\tDISCARD\n"
	"To:base@example.test\tREJECT\n"
	"To:anyhost@\tDISCARD\n"
	"To:lit@[a@b]\tREJECT\n"
	"To:bob@x@y.test\tREJECT\n";

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"mail:x:8:8:mail:/var/mail:/usr/sbin/nologin\n"
	"alice:x:1001:1001::/home/alice:/bin/sh\n"
	"bob:x:1002:1002::/home/bob:/bin/sh\n"
	"carol:x:1003:1003::/home/carol:/bin/sh\n"
	"dave:x:1004:1004::/home/dave:/bin/false\n"
	"keep:x:1005:1005::/nonexistent:/bin/sh\n"
	"catch:x:1006:1006::/nonexistent:/bin/sh\n";

struct env {
	char *dir;
	int rootfd;
	struct host h;
	struct diag_sink d;
	struct smres r;
};

static void put(const char *dir, const char *name, const char *s)
{
	tu_writefile(dir, name, s, strlen(s));
}

static void mkdirs(const char *dir)
{
	static const char *const d[] = { "etc", "etc/mail", "etc/mail/lists", "home", "home/alice",
					  "home/bob", "home/dave", "var", "var/spool",
					  "var/spool/mqueue", "var/spool/mqueue/lists", NULL };
	char p[512];
	size_t i;

	for (i = 0; d[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, d[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
}

/* setup - the host above with extra cf text, features as the m4 rules would set them */
static void setup(struct env *e, const char *cfextra, int luser, int hub)
{
	struct cf_opts co;
	struct smres_opts o;
	char cf[4096];

	e->dir = tu_tmpdir();
	mkdirs(e->dir);
	snprintf(cf, sizeof(cf), "%s%s%s%s", cf_base, cfextra ? cfextra : "",
		 luser ? "DLlocal:lost\n" : "", hub ? "DH[hub.test]\n" : "");
	put(e->dir, "etc/mail/sendmail.cf", cf);
	put(e->dir, "etc/mail/aliases", aliases);
	put(e->dir, "etc/mail/virtusertable", virtusers);
	put(e->dir, "etc/mail/mailertable", mailertable);
	put(e->dir, "etc/mail/domaintable", "old.test\texample.test\nodd.test\tx@y.test\n");
	put(e->dir, "etc/mail/access", access_map);
	put(e->dir, "etc/mail/lists/staff", "# staff\nalice\nbob, x@remote.test\n");
	put(e->dir, "var/spool/mqueue/lists/rel", "carol\n");
	put(e->dir, "etc/passwd", passwd);
	put(e->dir, "etc/hosts", "127.0.0.1 localhost\n192.0.2.1 mx.example.test mx\n");
	put(e->dir, "home/alice/.forward", "\\alice, alice@home.test\n");
	put(e->dir, "home/bob/.forward", "bob\n\"|/usr/bin/vacation bob\"\n");
	put(e->dir, "home/dave/.forward", "\"|/usr/bin/procmail\"\n");
	e->rootfd = open(e->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(e->rootfd >= 0);
	memset(&co, 0, sizeof(co));
	co.rootfd = e->rootfd;
	co.hostname = "mx.example.test";
	diag_init(&e->d);
	host_init(&e->h);
	assert_int_equal(cf_load(&e->h, "/etc/mail/sendmail.cf", &co, &e->d), 0);
	e->h.feature[HF_VIRTUSERTABLE] = 1;
	e->h.feature[HF_MAILERTABLE] = 1;
	e->h.feature[HF_DOMAINTABLE] = 1;
	e->h.feature[HF_ACCESS_DB] = 1;
	e->h.feature[HF_BLOCKLIST_RECIPIENTS] = 1;
	e->h.feature[HF_PROMISCUOUS_RELAY] = 0;	/* the small cf has no check_rcpt rules */
	smres_opts_init(&o);
	o.rootfd = e->rootfd;
	o.root = e->dir;
	assert_int_equal(smres_open(&e->r, &e->h, &o, &e->d), 0);
}

static void teardown(struct env *e)
{
	smres_close(&e->r);
	host_free(&e->h);
	diag_free(&e->d);
	close(e->rootfd);
	tu_rmtree(e->dir);
}

/* resolve - the formatted set for addr */
static char *resolve(struct env *e, const char *addr, int via)
{
	struct dlv_set s;
	buf out = BUF_INIT;

	dlv_set_init(&s);
	assert_int_equal(smres_resolve(&e->r, addr, via, &s, NULL, NULL), 0);
	assert_int_equal(dlv_format_set(&out, &s), 0);
	assert_non_null(buf_cstr(&out));
	dlv_set_free(&s);
	return out.s;
}

struct row {
	const char *addr;
	int via;
	const char *want;
};

static void run_rows(struct env *e, const struct row *rows)
{
	size_t i;
	int bad = 0;

	for (i = 0; rows[i].addr; i++) {
		char *got = resolve(e, rows[i].addr, rows[i].via);

		if (strcmp(got, rows[i].want) != 0) {
			print_error("%s (via %d):\n  want %s\n  got  %s\n", rows[i].addr, rows[i].via,
				    rows[i].want, got);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

#define L SMRES_VIA_LOCAL
#define S SMRES_VIA_SMTP
#define C SMRES_VIA_RCPT
#define SMART "relay:smart.test:25"

static const struct row rows_basic[] = {
	/* local names, aliases, .forward with \user and self reference */
	{ "carol", L, "mailbox carol" },
	{ "Carol@Example.Test.", L, "mailbox carol" },
	{ "carol@localhost", L, "mailbox carol" },
	{ "carol@mx", L, "mailbox carol" },	/* the host's own alias in the hosts file */
	{ "carol@[192.0.2.1]", L, "mailbox carol" },
	{ "carol@old.test", L, "mailbox carol" },	/* domaintable */
	{ "nosuch", L, "bounce 5.1.1" },
	{ "postmaster", L, "forward alice@home.test via " SMART " | mailbox alice" },
	{ "bob", L, "mailbox bob | program bob /usr/bin/vacation bob" },
	{ "dave", L, "bounce 5.0.0 User dave@mx.example.test doesn't have a valid shell for "
		     "mailing to programs" },
	{ "team", L, "forward alice@home.test via " SMART " | forward x@remote.test via " SMART
		     " | mailbox alice | mailbox bob | program bob /usr/bin/vacation bob" },
	{ "prog", L, "program mail /usr/bin/handler arg" },
	{ "file", L, "file mail /var/log/mail.archive" },
	{ "list", L, "forward alice@home.test via " SMART " | forward x@remote.test via " SMART
		     " | mailbox alice | mailbox bob | program bob /usr/bin/vacation bob" },
	{ "rel", L, "mailbox carol" },
	{ "missing", L, "bounce 5.0.0 Cannot open /etc/mail/lists/nothere: No such file or "
			"directory" },
	{ "la", L, "bounce 5.4.6 aliasing/forwarding loop broken" },
	{ "self", L, "bounce 5.1.1 | mailbox bob | program bob /usr/bin/vacation bob" },
	{ "esc", L, "mailbox alice | mailbox bob | program bob /usr/bin/vacation bob" },
	{ "\\bob", L, "mailbox bob" },
	{ "plus+x", L, "mailbox carol" },
	{ "carol+x", L, "mailbox carol" },
	{ "loopuser", L, "forward x@remote.test via " SMART },	/* the loop part is dropped */
	{ "c1", L, "bounce 5.4.6 aliasing/forwarding loop broken (11 aliases deep; 10 max)" },
	{ "c3", L, "bounce 5.4.6 aliasing/forwarding loop broken | bounce 5.4.6 aliasing/forwarding "
		   "loop broken (11 aliases deep; 10 max)" },
	{ "c4", L, "forward alice@home.test via " SMART " | mailbox alice" },
	{ "keep", L, "mailbox keep" },
	/* percent hack at a local domain, domain literals */
	{ "x%remote.test@example.test", L, "forward x@remote.test via " SMART },
	{ "x@[192.0.2.99]", L, "forward x@[192.0.2.99] via " SMART },
	/* UUCP paths (no nouucp): h!u is u@h.UUCP; the relay mailer passes the path on */
	{ "h!u", L, "forward h!u via " SMART },
	{ "h!u@example.test", L, "forward h!u via " SMART },
	{ "x.y!u", L, "forward u@x.y via " SMART },
	{ "h!u", C, "refused 5.7.1 Relaying denied" },
	/* virtusertable */
	{ "info@virt.test", L, "forward alice@home.test via " SMART " | mailbox alice" },
	{ "INFO@VIRT.TEST", L, "forward alice@home.test via " SMART " | mailbox alice" },
	{ "sales@virt.test", L, "forward bob@elsewhere.test via " SMART },
	{ "user+Tag@virt.test", L, "forward user-Tag@detail.test via " SMART },
	{ "gone@virt.test", L, "bounce 5.1.1 No such user here" },
	{ "full@virt.test", L, "defer 4.2.2 Mailbox full" },
	{ "two@virt.test", L, "bounce 5.1.3 Invalid route address" },
	{ "bare@virt.test", L, "bounce 5.1.1 >bare<@virt.test." },
	{ "who@virt.test", L, "mailbox catch" },
	/* mailertable, smart host */
	{ "x@exact.test", L, "forward x@exact.test via mx:exact.test.mx.test" },
	{ "x@a.b.wild.test", L, "forward x@a.b.wild.test via mx:a.b.gw.test" },
	{ "x@wild.test", L, "forward x@wild.test via " SMART },
	{ "x@rewrite.test", L, "forward pm@collector.test via mx:collector.test" },
	{ "x@tolocal.test", L, "mailbox bob | program bob /usr/bin/vacation bob" },
	{ "x@dead.test", L, "bounce 5.1.2 Host dead" },
	{ "x@kw.test", L, "bounce 5.1.2 No such host" },
	{ "x@remote.test", L, "forward x@remote.test via " SMART },
	/* SMTP: relay check, access To: entries, then the route */
	{ "x@remote.test", S, "refused 5.7.1 Relaying denied" },
	{ "x@open.test", S, "forward x@open.test via " SMART },
	{ "x@sub.partner.test", S, "forward x@sub.partner.test via " SMART },
	{ "x@virt.test", S, "mailbox catch" },
	{ "blocked@example.test", S, "bounce 5.2.1 Mailbox disabled for this recipient" },
	{ "drop@example.test", S, "discard" },
	/* user keys: case folded, user+*@D, user@D for a +detail, user@ at local domains */
	{ "mIXED@example.test", S, "bounce 5.2.1 Mailbox disabled for this recipient" },
	{ "plus+x@example.test", S, "discard" },
	{ "base+y@example.test", S, "bounce 5.2.1 Mailbox disabled for this recipient" },
	{ "anyhost@example.test", S, "discard" },
	{ "anyhost+z@example.test", S, "discard" },
	/* keys an @ more or less away: the untagged lookup of a "to:" local part, an
	   @ inside a [literal], a domaintable value with an @ */
	{ "to:blocked@example.test", S, "bounce 5.2.1 Mailbox disabled for this recipient" },
	{ "lit@[a@b]", S, "bounce 5.2.1 Mailbox disabled for this recipient" },
	{ "bob@odd.test", S, "bounce 5.2.1 Mailbox disabled for this recipient" },
	{ "x@err.test", C, "bounce 5.7.9 Not here" },
	/* a domain asked again, and through a parent (access_domain keeps its answers) */
	{ "y@err.test", C, "bounce 5.7.9 Not here" },
	{ "z@sub.err.test", C, "bounce 5.7.9 Not here" },
	{ "y@open.test", S, "forward y@open.test via " SMART },
	{ "x@sub.open.test", S, "forward x@sub.open.test via " SMART },
	{ "y@remote.test", S, "refused 5.7.1 Relaying denied" },
	{ "carol@example.test", C, "" },
	{ "x%remote.test@example.test", C, "refused 5.7.1 Relaying denied" },
	{ NULL, 0, NULL }
};

static void test_basic(void **state)
{
	struct env e;

	(void)state;
	setup(&e, NULL, 0, 0);
	run_rows(&e, rows_basic);
	teardown(&e);
}

static const struct row rows_hub[] = {
	/* MAIL_HUB: after aliases every local name goes to the hub; class L stays */
	{ "carol", L, "forward carol@[hub.test] via relay:hub.test:25" },
	{ "carol+x", L, "forward carol+x@[hub.test] via relay:hub.test:25" },
	{ "postmaster", L, "forward alice@[hub.test] via relay:hub.test:25" },
	{ "keep", L, "mailbox keep" },
	{ "nosuch", L, "forward nosuch@[hub.test] via relay:hub.test:25" },
	{ NULL, 0, NULL }
};

static void test_relays(void **state)
{
	struct env e;

	(void)state;
	/* LUSER_RELAY local:lost where lost is no user: ruleset 5 gives "lost" for
	   "lost" again, which leaves it unchanged (sendmail: nosuch... User unknown) */
	setup(&e, "", 1, 0);
	{
		char *got = resolve(&e, "nosuch", L);

		assert_string_equal(got, "bounce 5.1.1");
		free(got);
		got = resolve(&e, "carol", L);
		assert_string_equal(got, "mailbox carol");
		free(got);
	}
	teardown(&e);
	setup(&e, "", 0, 1);
	run_rows(&e, rows_hub);
	teardown(&e);
}

/* provenance: the lines that decided, with the display names */
static void test_used(void **state)
{
	struct env e;
	struct dlv_set s;
	struct smres_used u;
	buf tr = BUF_INIT;
	size_t i;
	int alias = 0, vt = 0, mt = 0, ds = 0;

	(void)state;
	setup(&e, NULL, 0, 0);
	dlv_set_init(&s);
	smres_used_init(&u);
	assert_int_equal(smres_resolve(&e.r, "info@virt.test", L, &s, &u, &tr), 0);
	assert_int_equal(smres_resolve(&e.r, "x@dead.test", L, &s, &u, &tr), 0);
	assert_int_equal(smres_resolve(&e.r, "postmaster", L, &s, &u, &tr), 0);
	for (i = 0; i < u.n; i++) {
		if (strcmp(u.v[i].file, "/etc/mail/aliases") == 0 && u.v[i].line == 1)
			alias++;
		if (strcmp(u.v[i].file, "/etc/mail/virtusertable") == 0 && u.v[i].line == 1)
			vt++;
		if (strcmp(u.v[i].file, "/etc/mail/mailertable") == 0 && u.v[i].line == 5)
			mt++;
		if (strcmp(u.v[i].file, "/etc/mail/sendmail.cf") == 0 &&
		    u.v[i].line == e.h.smart_host.line && u.v[i].line == 9)
			ds++;
	}
	assert_int_equal(alias, 1);
	assert_int_equal(vt, 1);
	assert_int_equal(mt, 1);
	assert_true(ds >= 1);
	assert_non_null(buf_cstr(&tr));
	assert_non_null(strstr(tr.s, "virtusertable (/etc/mail/virtusertable:1)"));
	assert_non_null(strstr(tr.s, "\n    local alice\n"));	/* postmaster, root, alice */
	dlv_set_free(&s);
	smres_used_free(&u);
	buf_free(&tr);
	/* answers gathered in one set: bob, already there, adds nothing new, which
	   is no "loop broken" (that is for an expansion that produced nothing) */
	dlv_set_init(&s);
	assert_int_equal(smres_resolve(&e.r, "bob", L, &s, NULL, NULL), 0);
	i = s.n;
	assert_true(i > 0);
	assert_int_equal(smres_resolve(&e.r, "bob", L, &s, NULL, NULL), 0);
	assert_int_equal(s.n, i);
	for (i = 0; i < s.n; i++)
		assert_int_not_equal(s.v[i].kind, DLV_BOUNCE);
	dlv_set_free(&s);
	teardown(&e);
}

/* what s2q cannot model is said, not guessed */
static void test_diags(void **state)
{
	struct env e;
	size_t i;
	int r201 = 0, r202 = 0, r207 = 0;
	char *got;

	(void)state;
	setup(&e, "Kvirtuser ldap -k uid=%0 -v mail\nO AliasFile=nis:mail.aliases\n"
		  "SParseLocal=98\nR$* < @ $+ .REDIRECT. >\t$: $1 < @ $2 . REDIRECT . >\n"
		  "SLocal_localaddr\n\n# site rules\nR$+\t$: $1\nS5\n", 0, 0);
	for (i = 0; i < e.d.n; i++) {
		if (strcmp(e.d.v[i].code, "S2Q-R201") == 0)
			r201++;
		if (strcmp(e.d.v[i].code, "S2Q-R202") == 0)
			r202++;
		if (strcmp(e.d.v[i].code, "S2Q-R207") == 0) {
			r207++;
			assert_non_null(strstr(e.d.v[i].msg, "Local_localaddr"));
			assert_int_equal(e.d.v[i].line, 27);
		}
	}
	assert_int_equal(r201, 1);
	assert_int_equal(r202, 1);
	assert_int_equal(r207, 1);	/* FEATURE(redirect)'s rules are not site rules */
	/* the ldap virtuser map never matches: info@virt.test is relayed as not local */
	got = resolve(&e, "info@virt.test", L);
	assert_string_equal(got, "forward info@virt.test via " SMART);
	free(got);
	teardown(&e);
}

/* a root without passwd: every user unknown, reported */
static void test_nopasswd(void **state)
{
	struct env e;
	char p[512];
	size_t i;
	int r204 = 0;
	char *got;

	(void)state;
	e.dir = NULL;
	setup(&e, NULL, 0, 0);
	smres_close(&e.r);
	snprintf(p, sizeof(p), "%s/etc/passwd", e.dir);
	assert_int_equal(unlink(p), 0);
	{
		struct smres_opts o;

		smres_opts_init(&o);
		o.rootfd = e.rootfd;
		o.root = e.dir;
		o.no_forward = 1;
		assert_int_equal(smres_open(&e.r, &e.h, &o, &e.d), 0);
	}
	for (i = 0; i < e.d.n; i++)
		if (strcmp(e.d.v[i].code, "S2Q-R204") == 0)
			r204++;
	assert_int_equal(r204, 1);
	got = resolve(&e, "carol", L);
	assert_string_equal(got, "bounce 5.1.1");
	free(got);
	teardown(&e);
}

/* a hostile address: thousands of %-hops at the local domain stop, they do not crash */
static void test_hostile(void **state)
{
	struct env e;
	buf a = BUF_INIT;
	char *got;
	int i;

	(void)state;
	setup(&e, NULL, 0, 0);
	assert_int_equal(buf_append_s(&a, "x"), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_append_s(&a, "%example.test"), 0);
	assert_int_equal(buf_append_s(&a, "@example.test"), 0);
	assert_non_null(buf_cstr(&a));
	got = resolve(&e, a.s, L);
	assert_string_equal(got, "defer 4.0.0 s2q: address nested too deeply to follow");
	free(got);
	got = resolve(&e, a.s, C);
	assert_string_equal(got, "defer 4.0.0 s2q: address nested too deeply to follow");
	free(got);
	/* 20 hops are fine */
	buf_reset(&a);
	assert_int_equal(buf_append_s(&a, "carol"), 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(buf_append_s(&a, "%example.test"), 0);
	assert_int_equal(buf_append_s(&a, "@example.test"), 0);
	assert_non_null(buf_cstr(&a));
	got = resolve(&e, a.s, L);
	assert_string_equal(got, "mailbox carol");
	free(got);
	buf_free(&a);
	teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_relays),
		cmocka_unit_test(test_used),
		cmocka_unit_test(test_diags),
		cmocka_unit_test(test_nopasswd),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
