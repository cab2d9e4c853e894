/*
 * test_prove - the routing proof without the resolvers: address selection,
 * normalisation and verdicts, the converters' diagnostics as known changes,
 * and the report lines, with delivery sets fed directly.  Expectations are
 * written from the rules in prove.h and MIGRATION.md "Proving the migration".
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/parse/sendmailcf.h"
#include "../../convert/lib/resolve/prove.h"

/* ---------------------------------------------------------------- helpers */

/* all addresses as "via:addr\n" lines */
static char *listing(const struct prove_addrs *a)
{
	buf b = BUF_INIT;
	size_t pos = 0;
	const char *addr;
	int via;

	while (prove_addrs_next(a, &pos, &addr, &via))
		assert_int_equal(buf_printf(&b, "%s:%s\n", prove_via_name(via), addr), 0);
	assert_non_null(buf_cstr(&b));
	return b.s;
}

static void check_list(struct prove_addrs *a, const char *want)
{
	char *got;

	assert_int_equal(prove_addrs_seal(a), 0);	/* duplicates dropped */
	got = listing(a);

	if (strcmp(got, want) != 0)
		print_message("got:\n%s\nwant:\n%s", got, want);
	assert_string_equal(got, want);
	free(got);
}

/*
 * a set from text: deliveries separated by " | ", each
 *   "mailbox U" "program U CMD" "file U PATH" "forward ADDR ROUTE" "bounce ST TEXT"
 *   "defer ST TEXT" "refused ST TEXT" "discard"; "-" is NULL; "_" in TEXT is a blank
 */
static void mkset(struct dlv_set *s, const char *text)
{
	char *copy = strdup(text), *save = NULL, *part;

	assert_non_null(copy);
	dlv_set_init(s);
	for (part = strtok_r(copy, "|", &save); part; part = strtok_r(NULL, "|", &save)) {
		char *w[4] = { NULL, NULL, NULL, NULL }, *sv = NULL, *t;
		struct delivery d;
		int n = 0;

		for (t = strtok_r(part, " ", &sv); t && n < 4; t = strtok_r(NULL, " ", &sv)) {
			char *c;

			for (c = t; *c; c++)
				if (*c == '_')
					*c = ' ';
			w[n++] = strcmp(t, "-") == 0 ? NULL : t;
		}
		memset(&d, 0, sizeof(d));
		if (strcmp(w[0], "mailbox") == 0) {
			d.kind = DLV_MAILBOX;
			d.user = w[1];
		} else if (strcmp(w[0], "program") == 0 || strcmp(w[0], "file") == 0) {
			d.kind = w[0][0] == 'p' ? DLV_PROGRAM : DLV_FILE;
			d.user = w[1];
			d.target = w[2];
		} else if (strcmp(w[0], "forward") == 0) {
			d.kind = DLV_FORWARD;
			d.target = w[1];
			d.route = w[2];
		} else if (strcmp(w[0], "discard") == 0) {
			d.kind = DLV_DISCARD;
		} else {
			d.kind = strcmp(w[0], "bounce") == 0 ? DLV_BOUNCE :
				 strcmp(w[0], "defer") == 0 ? DLV_DEFER : DLV_REFUSED;
			d.status = w[1];
			d.text = w[2];
		}
		assert_int_equal(dlv_add(s, &d), 0);
	}
	dlv_sort(s);
	free(copy);
}

/* ---------------------------------------------------------------- the address list */

static void test_addrs(void **state)
{
	struct prove_addrs a;
	const char *const w[] = { "example.com", "mail.example.com" };

	(void)state;
	prove_addrs_init(&a);
	assert_int_equal(prove_addrs_add(&a, "joe@example.com", 15, PROVE_VIA_SMTP), 1);
	assert_int_equal(prove_addrs_add(&a, "joe@example.com", 15, PROVE_VIA_SMTP), 1);
	assert_int_equal(prove_addrs_add(&a, "joe@example.com", 15, PROVE_VIA_LOCAL), 1);
	assert_int_equal(prove_addrs_add(&a, "a\nb", 3, PROVE_VIA_LOCAL), 0);
	assert_int_equal(prove_addrs_add(&a, "a\0b", 3, PROVE_VIA_LOCAL), 0);
	assert_int_equal(prove_addrs_add(&a, "", 0, PROVE_VIA_LOCAL), 0);
	assert_int_equal(prove_sel_special(&a, w, 2), 0);
	assert_int_equal(prove_sel_name(&a, "joe", 3, w, 2), 0);
	assert_int_equal(prove_sel_name(&a, "root", 4, w, 1), 0);	/* all there already */
	check_list(&a,
		   "smtp:joe@example.com\n"
		   "local:joe@example.com\n"
		   "local:postmaster\n"
		   "smtp:postmaster@example.com\n"
		   "smtp:postmaster@mail.example.com\n"
		   "local:MAILER-DAEMON\n"
		   "smtp:MAILER-DAEMON@example.com\n"
		   "smtp:MAILER-DAEMON@mail.example.com\n"
		   "local:root\n"
		   "smtp:root@example.com\n"
		   "smtp:root@mail.example.com\n"
		   "local:joe\n"
		   "smtp:joe@mail.example.com\n");
	assert_int_equal(a.n, 13);
	prove_addrs_free(&a);
	assert_int_equal(prove_via_for("a@b"), PROVE_VIA_SMTP);
	assert_int_equal(prove_via_for("a"), PROVE_VIA_LOCAL);
}

static void test_vkeys_routes(void **state)
{
	struct prove_addrs a;

	(void)state;
	prove_addrs_init(&a);
	assert_int_equal(prove_sel_vkey(&a, "info@virt.example", 17), 0);
	assert_int_equal(prove_sel_vkey(&a, "bob+*@virt.example", 18), 0);
	assert_int_equal(prove_sel_vkey(&a, "al++@virt.example", 17), 0);
	assert_int_equal(prove_sel_vkey(&a, "a+b@virt.example", 16), 0);
	assert_int_equal(prove_sel_vkey(&a, "@virt.example", 13), 0);
	assert_int_equal(prove_sel_vkey(&a, "+*@other.example", 16), 0);
	assert_int_equal(prove_sel_vkey(&a, "nodomain", 8), 0);
	assert_int_equal(prove_sel_vkey(&a, "x@", 2), 0);
	assert_int_equal(prove_sel_unknown(&a, "virt.example", 12), 0);	/* already there */
	assert_int_equal(prove_sel_unknown(&a, "z.example", 9), 0);
	assert_int_equal(prove_sel_route(&a, "remote.example", 14), 0);
	assert_int_equal(prove_sel_route(&a, ".sub.example", 12), 0);
	assert_int_equal(prove_sel_route(&a, "", 0), 0);
	assert_int_equal(prove_sel_route(&a, ".", 1), 0);	/* the same default route */
	assert_int_equal(prove_sel_route(&a, "[10.0.0.1]", 10), 0);
	assert_int_equal(prove_sel_route(&a, "bad/key", 7), 0);
	check_list(&a,
		   "smtp:info@virt.example\n"
		   "smtp:info+s2qdetail@virt.example\n"
		   "smtp:INFO@VIRT.EXAMPLE\n"
		   "smtp:bob+s2qdetail@virt.example\n"
		   "smtp:al+s2qdetail@virt.example\n"
		   "smtp:a+b@virt.example\n"
		   "smtp:A+B@VIRT.EXAMPLE\n"
		   "smtp:s2q.nosuch@virt.example\n"
		   "smtp:s2q.nosuch+s2qdetail@virt.example\n"
		   "smtp:s2q.nosuch@other.example\n"
		   "smtp:s2q.nosuch+s2qdetail@other.example\n"
		   "smtp:s2q.nosuch@z.example\n"
		   "local:s2q.probe@remote.example\n"
		   "local:s2q.probe@s2q-sub.sub.example\n"
		   "local:s2q.probe@s2q-remote.invalid\n"
		   "local:s2q.probe@[10.0.0.1]\n");
	prove_addrs_free(&a);
}

/* many addresses: the list is deduplicated (the first of each kept) and in order */
static void test_addrs_many(void **state)
{
	struct prove_addrs a;
	char name[32];
	size_t pos = 0, k = 0;
	const char *addr;
	int via, i;

	(void)state;
	prove_addrs_init(&a);
	for (i = 0; i < 200000; i++) {
		int n = snprintf(name, sizeof(name), "u%d@d%d.example", i % 150000, (i % 150000) % 7);

		assert_true(prove_addrs_add(&a, name, (size_t)n, PROVE_VIA_SMTP) >= 0);
	}
	assert_int_equal(a.n, 200000);
	assert_int_equal(prove_addrs_seal(&a), 0);
	assert_int_equal(a.n, 150000);
	assert_int_equal(prove_addrs_seal(&a), 0);	/* again: nothing more to drop */
	assert_int_equal(a.n, 150000);
	while (prove_addrs_next(&a, &pos, &addr, &via)) {
		snprintf(name, sizeof(name), "u%zu@d%zu.example", k, k % 7);
		assert_string_equal(addr, name);
		k++;
	}
	assert_int_equal(k, a.n);
	prove_addrs_free(&a);
}

/* --all over a small sendmail root: cf, aliases, passwd */
static void test_select(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	struct host h;
	struct cf_opts co;
	struct diag_sink d;
	struct prove_addrs a;
	struct prove_sel_opts o;
	int rootfd;

	(void)state;
	snprintf(path, sizeof(path), "%s/etc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/mail", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	tu_writefile(dir, "etc/mail/sendmail.cf",
		     "V10/Berkeley\nCw example.com\nDjmail.example.com\n"
		     "O AliasFile=/etc/mail/aliases\n",
		     strlen("V10/Berkeley\nCw example.com\nDjmail.example.com\n"
			    "O AliasFile=/etc/mail/aliases\n"));
	tu_writefile(dir, "etc/mail/aliases",
		     "# comment\nsales: joe\nSupport@example.com: joe, bob\nsales: bob\n",
		     strlen("# comment\nsales: joe\nSupport@example.com: joe, bob\nsales: bob\n"));
	tu_writefile(dir, "etc/passwd", "joe:x:1000:1000::/home/joe:/bin/sh\n",
		     strlen("joe:x:1000:1000::/home/joe:/bin/sh\n"));
	rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	host_init(&h);
	diag_init(&d);
	memset(&co, 0, sizeof(co));
	co.rootfd = rootfd;
	co.hostname = "mail.example.com";
	assert_int_equal(cf_load(&h, "/etc/mail/sendmail.cf", &co, &d), 0);
	prove_addrs_init(&a);
	memset(&o, 0, sizeof(o));
	o.rootfd = rootfd;
	o.root = dir;
	o.qmailfd = -1;
	assert_int_equal(prove_select(&a, &h, &o, &d), 0);
	/* class w: the host name (implicit) first, then the Cw line; live aliases in file order
	   (the first "sales" is replaced by the last: its place is the last one's) */
	check_list(&a,
		   "local:postmaster\nsmtp:postmaster@mail.example.com\nsmtp:postmaster@example.com\n"
		   "local:MAILER-DAEMON\nsmtp:MAILER-DAEMON@mail.example.com\n"
		   "smtp:MAILER-DAEMON@example.com\n"
		   "local:root\nsmtp:root@mail.example.com\nsmtp:root@example.com\n"
		   "local:support\nsmtp:support@mail.example.com\nsmtp:support@example.com\n"
		   "local:sales\nsmtp:sales@mail.example.com\nsmtp:sales@example.com\n"
		   "local:joe\nsmtp:joe@mail.example.com\nsmtp:joe@example.com\n"
		   "smtp:s2q.nosuch@mail.example.com\nsmtp:s2q.nosuch@example.com\n"
		   "smtp:s2q.probe%s2q-remote.invalid@mail.example.com\n"
		   "smtp:s2q.probe%s2q-remote.invalid@example.com\n"
		   "local:s2q.probe@s2q-remote.invalid\n");
	assert_int_equal(d.nwarn + d.nerr, 0);
	prove_addrs_free(&a);

	/* an unreadable passwd: a warning, the rest is selected */
	prove_addrs_init(&a);
	o.passwd = "/etc/nopasswd";
	assert_int_equal(prove_select(&a, &h, &o, &d), 0);
	assert_int_equal(d.nwarn, 1);
	assert_string_equal(d.v[d.n - 1].code, "S2Q-R310");
	prove_addrs_free(&a);
	host_free(&h);
	diag_free(&d);
	close(rootfd);
	tu_rmtree(dir);
}

/* ---------------------------------------------------------------- normalisation, verdicts */

struct crow {
	const char *sm, *qm;
	int via;
	const char *verdict;
	const char *codes;
};

static const struct crow crows[] = {
	/* equal */
	{ "mailbox joe", "mailbox joe", 1, "same", "" },
	{ "", "", 1, "same", "" },
	/* route spellings */
	{ "forward a@x.example relay:[10.0.0.1]:25", "forward a@x.example relay:10.0.0.1:25", 1,
	  "same", "" },
	{ "forward a@x.example relay:[Hub.Example.]:25", "forward a@x.example relay:hub.example", 1,
	  "same", "" },
	{ "forward a@X.Example mx:X.EXAMPLE.", "forward a@x.example mx:x.example", 1, "same", "" },
	{ "forward A@x.example mx:x.example", "forward a@x.example mx:x.example", 1, "different",
	  "" },	/* local parts keep their case */
	{ "forward a@x.example relay:[IPv6:::1]:25", "forward a@x.example relay:[ipv6:::1]:25", 1,
	  "same", "" },
	{ "forward a@x.example relay:hub:2525", "forward a@x.example relay:hub:25", 1, "different",
	  "" },
	/* the generic unknown user */
	{ "bounce 5.1.1 -", "bounce 5.1.1 Sorry,_no_mailbox_here_by_that_name.", 1, "same", "S2Q-R302" },
	{ "bounce 5.1.1 User_unknown", "bounce 5.1.1 -", 0, "same", "" },
	/* refusals are refusals, whatever the words */
	{ "refused 5.7.1 Relaying_denied",
	  "refused 5.7.1 sorry,_that_domain_isn't_in_my_list_of_allowed_rcpthosts", 1, "same", "" },
	/* /dev/null and discards */
	{ "file root /dev/null", "discard", 1, "same", "" },
	{ "file root /dev/null | mailbox joe", "mailbox joe", 1, "same", "" },
	{ "discard | mailbox joe", "mailbox joe", 1, "same", "" },
	{ "file root /dev/null", "", 1, "different", "" },
	/* structural known changes */
	{ "program daemon /bin/x", "program alias /bin/x", 1, "different", "S2Q-R301" },
	{ "file daemon /var/log/x | mailbox joe", "file alias /var/log/x | mailbox joe", 1,
	  "different", "S2Q-R301" },
	{ "forward a@r.example mx:hub.example", "forward a@r.example relay:hub.example:25", 0,
	  "different", "S2Q-R303" },
	{ "forward a@r.example mx:hub.example | program daemon /bin/x",
	  "forward a@r.example relay:hub.example:25 | program alias /bin/x", 0, "different",
	  "S2Q-R301 S2Q-R303" },
	{ "bounce 5.1.1 -", "bounce 5.1.1 Sorry,_no_such_list.", 1, "different", "" },	/* words matter */
	{ "bounce 5.7.1 Go_away", "bounce 5.7.1 Go_away", 1, "same", "S2Q-R302" },
	{ "bounce 5.7.1 Go_away", "bounce 5.7.1 Go_away", 0, "same", "" },
	{ "refused 5.7.1 Relaying_denied", "refused 5.7.1 x", 1, "same", "" },
	{ "bounce 5.1.1 -", "bounce 5.1.1 Sorry,_no_such_list.", 0, "different", "" },
	{ "bounce 5.7.1 Go_away", "bounce 5.7.1 Go_away!", 1, "different", "" },
	/* real differences stay real */
	{ "mailbox joe", "mailbox bob", 1, "different", "" },
	{ "program daemon /bin/x", "program alias /bin/y", 1, "different", "" },
	{ "forward a@r.example mx:hub.example", "forward a@r.example relay:other.example:25", 0,
	  "different", "" },
	{ "mailbox joe", "bounce 5.1.1 -", 1, "only-sendmail", "" },
	{ "mailbox joe", "refused 5.7.1 x", 1, "only-sendmail", "" },
	{ "discard", "bounce 5.1.1 -", 1, "only-sendmail", "" },
	{ "bounce 5.1.1 -", "mailbox joe", 1, "only-qmail", "" },
	{ "refused 5.7.1 -", "forward a@b.example mx:b.example", 1, "only-qmail", "" },
	{ "mailbox joe", "defer 4.3.0 x", 1, "different", "" },
	{ "mailbox joe | bounce 5.1.1 -", "bounce 5.1.1 -", 1, "only-sendmail", "" },
	{ "mailbox joe", "", 1, "different", "" },
	/* root: qmail never delivers as uid 0 */
	{ "mailbox root", "bounce 5.1.1 Sorry,_no_mailbox_here_by_that_name.", 1, "only-sendmail",
	  "S2Q-R304" },
	{ "mailbox toor | mailbox joe", "mailbox joe | bounce 5.1.1 -", 0, "different", "S2Q-R304" },
	{ "mailbox toor | program daemon /x", "program alias /x | bounce 5.1.1 -", 0, "different",
	  "S2Q-R301 S2Q-R304" },
	/* root's mailbox all sendmail delivered to: whatever the alias user's catch-all did */
	{ "mailbox root", "mailbox joe", 1, "different", "S2Q-R304" },
	{ "mailbox root | mailbox joe", "mailbox joe | mailbox bob", 1, "different", "" },
	{ "mailbox root | mailbox joe", "bounce 5.1.1 -", 1, "only-sendmail", "" },
	{ "mailbox rooty", "bounce 5.1.1 -", 1, "only-sendmail", "" },
	/* refused as relaying by sendmail, an unknown local name to qmail */
	{ "refused 5.7.1 Relaying_denied", "bounce 5.1.1 Sorry,_no_mailbox_here_by_that_name.", 1,
	  "different", "S2Q-R305" },
	{ "refused 5.7.1 Relaying_denied", "bounce 5.1.1 Sorry,_no_such_list.", 1, "different",
	  "" },	/* a text of its own is not the generic bounce */
	{ "refused 5.7.1 Relaying_denied", "bounce 5.7.1 -", 1, "different", "" },
	{ "refused 5.7.1 Relaying_denied", "bounce 5.1.1 - | mailbox joe", 1, "only-qmail", "" },
	/* a partial bounce: sendmail bounced one recipient and delivered the rest */
	{ "bounce 5.1.1 - | mailbox joe | forward a@b.example mx:b.example",
	  "mailbox joe | forward a@b.example mx:b.example", 1, "different", "S2Q-R306" },
	{ "bounce 5.0.0 No_shell | program joe /usr/bin/x | mailbox bob",
	  "program alias /usr/bin/x | mailbox bob", 1, "different", "S2Q-R301 S2Q-R306" },
	{ "bounce 5.1.1 - | mailbox joe", "mailbox bob", 1, "different", "" },
	{ "bounce 5.1.1 - | mailbox joe", "mailbox joe | mailbox bob", 1, "different", "" },

	{ NULL, NULL, 0, NULL, NULL }
};

/* R311: a quoted local part with blanks through "%1@remote": sendmail's result has
   BlankSub for each blank ('_' is a blank in mkset, so '.' and '-' stand for BlankSub) */
static const struct {
	const char *addr, *sm, *qm, *verdict, *codes;
} blankrows[] = {
	{ "\"a_b\"@v.example", "forward a.b@remote.example mx:remote.example",
	  "forward a_b@remote.example mx:remote.example", "different", "S2Q-R311" },
	{ "\"a_b_c\"@v.example", "forward a-b-c@remote.example mx:remote.example | mailbox joe",
	  "forward a_b_c@remote.example mx:remote.example | mailbox joe", "different", "S2Q-R311" },
	/* no blank in the address: not R311 */
	{ "ab@v.example", "forward a.b@remote.example mx:remote.example",
	  "forward a_b@remote.example mx:remote.example", "different", "" },
	/* two different substitutes, a blank in the domain, another route, more: real */
	{ "\"a_b_c\"@v.example", "forward a.b-c@remote.example mx:remote.example",
	  "forward a_b_c@remote.example mx:remote.example", "different", "" },
	{ "\"a_b\"@v.example", "forward a@remote.example mx:remote.example",
	  "forward a@remote_example mx:remote.example", "different", "" },
	{ "\"a_b\"@v.example", "forward a.b@remote.example mx:remote.example",
	  "forward a_b@remote.example mx:other.example", "different", "" },
	{ "\"a_b\"@v.example", "forward a.b@remote.example mx:remote.example",
	  "forward a_b@remote.example mx:remote.example | mailbox joe", "different", "" },
	{ "\"a_b\"@v.example", "forward ab@remote.example mx:remote.example",
	  "forward a_b@remote.example mx:remote.example", "different", "" },
};

static void test_blank_sub(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(blankrows) / sizeof(blankrows[0]); i++) {
		struct dlv_set a, b;
		struct prove_result r;
		struct prove_cmp_opts o = { PROVE_VIA_SMTP, NULL, NULL, 0, 0 };
		char *addr = strdup(blankrows[i].addr), *c;

		assert_non_null(addr);
		for (c = addr; *c; c++)
			if (*c == '_')
				*c = ' ';
		o.address = addr;
		mkset(&a, blankrows[i].sm);
		mkset(&b, blankrows[i].qm);
		prove_result_init(&r);
		assert_int_equal(prove_compare(&a, &b, &o, &r), 0);
		assert_string_equal(prove_verdict_name(r.verdict), blankrows[i].verdict);
		assert_string_equal(r.codes.len ? buf_cstr(&r.codes) : "", blankrows[i].codes);
		prove_result_free(&r);
		dlv_set_free(&a);
		dlv_set_free(&b);
		free(addr);
	}
}

/* a relay form (user%host@D, host!user@D) sendmail refused as relaying: kept at D by
   qmail (R307), or bounced there with a text of its own (R305) */
static const struct {
	const char *addr, *qm, *verdict, *codes;
} relayrows[] = {
	{ "probe%remote.example@catchall.example", "mailbox joe", "only-qmail", "S2Q-R307" },
	{ "probe%remote.example@catchall.example",
	  "forward probe@remote.example mx:remote.example", "only-qmail", "" },	/* relayed: real */
	{ "probe@x.example", "mailbox joe", "only-qmail", "" },			/* no %-hack */
	{ "a%b%remote.example@catchall.example", "mailbox joe | forward x@other.example mx:other.example",
	  "only-qmail", "S2Q-R307" },
	{ "probe%remote.example@catchall.example", "bounce 5.1.1 gone", "different", "S2Q-R305" },
	{ "remote.example!probe@catchall.example", "bounce 5.7.1 rejected", "different", "S2Q-R305" },
	{ "probe@catchall.example", "bounce 5.1.1 gone", "different", "" },
	/* something delivered at D: R307's case, not R305's */
	{ "probe%remote.example@catchall.example", "bounce 5.1.1 gone | mailbox joe", "only-qmail",
	  "S2Q-R307" },
	{ "probe%remote.example@catchall.example", "bounce 5.1.1 gone | defer 4.3.0 x", "different",
	  "" },
};

static void test_relay_forms(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(relayrows) / sizeof(relayrows[0]); i++) {
		struct dlv_set a, b;
		struct prove_result r;
		struct prove_cmp_opts o = { PROVE_VIA_SMTP, NULL, relayrows[i].addr, 0, 0 };

		mkset(&a, "refused 5.7.1 Relaying_denied");
		mkset(&b, relayrows[i].qm);
		prove_result_init(&r);
		assert_int_equal(prove_compare(&a, &b, &o, &r), 0);
		assert_string_equal(prove_verdict_name(r.verdict), relayrows[i].verdict);
		assert_string_equal(r.codes.len ? buf_cstr(&r.codes) : "", relayrows[i].codes);
		prove_result_free(&r);
		dlv_set_free(&a);
		dlv_set_free(&b);
	}
}

/* R308: sendmail broke a loop at a user (its mailbox kept), qmail bounces it as looping;
   R309: sendmail refused a recipient as too deep counting steps s2q-aliases does not see */
#define LOOPING "bounce 5.4.6 This_message_is_looping:_it_already_has_my_Delivered-To_line."
#define DEEP "bounce 5.4.6 aliasing/forwarding_loop_broken_(5_aliases_deep;_4_max)"
static const struct {
	const char *sm, *qm;
	int loop_user, deep_hidden;
	const char *verdict, *codes;
} r308rows[] = {
	{ "mailbox carol | mailbox tami", LOOPING " | mailbox tami", 1, 0, "different", "S2Q-R308" },
	{ "mailbox carol", LOOPING, 1, 0, "only-sendmail", "S2Q-R308" },
	/* no loop broken by sendmail: a loop qmail made */
	{ "mailbox carol | mailbox tami", LOOPING " | mailbox tami", 0, 0, "different", "" },
	/* qmail delivers somewhere sendmail did not */
	{ "mailbox carol", LOOPING " | mailbox dave", 1, 0, "different", "" },
	/* sendmail's extra is not a mailbox */
	{ "forward x@remote.example mx:remote.example", LOOPING, 1, 0, "only-sendmail", "" },
	/* no looping bounce on the qmail side */
	{ "mailbox carol | mailbox tami", "mailbox tami", 1, 0, "different", "" },
	{ "mailbox carol", "bounce 5.1.1 Sorry,_no_mailbox_here_by_that_name.", 1, 0, "only-sendmail",
	  "" },
	/* R309: too deep for sendmail (counting a .forward or +detail), delivered by qmail */
	{ DEEP, "mailbox domi", 0, 1, "only-qmail", "S2Q-R309" },
	{ DEEP " | mailbox vone", "mailbox carol | mailbox vone", 0, 1, "different", "S2Q-R309" },
	/* the depth was aliases only: s2q-aliases' business (S2Q-A022), not R309 */
	{ DEEP, "mailbox domi", 0, 0, "only-qmail", "" },
	/* sendmail delivered something qmail does not */
	{ DEEP " | mailbox vone", "mailbox carol", 0, 1, "different", "" },
	/* qmail goes on as far as the recipient leads: what it has already (only the
	   refusal left over), a name nobody has, a loop its Delivered-To test caught */
	{ DEEP " | mailbox vone", "mailbox vone", 0, 1, "different", "S2Q-R306" },	/* first */
	{ DEEP " | mailbox vone", "bounce 5.1.1 Sorry,_no_mailbox_here_by_that_name. | mailbox vone",
	  0, 1, "different", "S2Q-R309" },
	{ DEEP, LOOPING " | mailbox kagebi", 0, 1, "only-qmail", "S2Q-R309" },
	/* qmail defers */
	{ DEEP, "mailbox domi | defer 4.3.0 x", 0, 1, "only-qmail", "" },
	/* a .forward whose members all went too deep: the plain "loop broken" too */
	{ DEEP " | bounce 5.4.6 aliasing/forwarding_loop_broken", "mailbox alice", 0, 1, "only-qmail",
	  "S2Q-R309" },
	/* another 5.4.6 bounce is not the depth */
	{ "bounce 5.4.6 aliasing/forwarding_loop_broken", "mailbox domi", 0, 1, "only-qmail", "" },
};

static void test_r308(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(r308rows) / sizeof(r308rows[0]); i++) {
		struct dlv_set a, b;
		struct prove_result r;
		struct prove_cmp_opts o = { PROVE_VIA_LOCAL, NULL, "x", r308rows[i].loop_user,
					    r308rows[i].deep_hidden };

		mkset(&a, r308rows[i].sm);
		mkset(&b, r308rows[i].qm);
		prove_result_init(&r);
		assert_int_equal(prove_compare(&a, &b, &o, &r), 0);
		assert_string_equal(prove_verdict_name(r.verdict), r308rows[i].verdict);
		assert_string_equal(r.codes.len ? buf_cstr(&r.codes) : "", r308rows[i].codes);
		assert_int_equal(r.known, r308rows[i].codes[0] != '\0');
		prove_result_free(&r);
		dlv_set_free(&a);
		dlv_set_free(&b);
	}
}

static void test_compare(void **state)
{
	const struct crow *c;
	struct hset uid0;
	int bad = 0;

	(void)state;
	hset_init(&uid0);
	assert_int_equal(hset_put(&uid0, "root", 4, 0, NULL), 1);
	assert_int_equal(hset_put(&uid0, "toor", 4, 0, NULL), 1);
	for (c = crows; c->sm; c++) {
		struct dlv_set a, b;
		struct prove_result r;
		struct prove_cmp_opts o;
		const char *codes;

		mkset(&a, c->sm);
		mkset(&b, c->qm);
		prove_result_init(&r);
		o.via = c->via ? PROVE_VIA_SMTP : PROVE_VIA_LOCAL;
		o.uid0 = &uid0;
		o.address = "x@local.example";
		o.loop_user = 0;
		o.deep_hidden = 0;
		assert_int_equal(prove_compare(&a, &b, &o, &r), 0);
		codes = r.codes.len ? buf_cstr(&r.codes) : "";
		if (strcmp(prove_verdict_name(r.verdict), c->verdict) || strcmp(codes, c->codes) ||
		    r.known != (c->codes[0] != '\0' && r.verdict != PROVE_SAME)) {
			print_message("'%s' vs '%s': got %s [%s], want %s [%s]\n", c->sm, c->qm,
				      prove_verdict_name(r.verdict), codes, c->verdict, c->codes);
			bad++;
		}
		prove_result_free(&r);
		dlv_set_free(&a);
		dlv_set_free(&b);
	}
	hset_free(&uid0);
	assert_int_equal(bad, 0);
}

static void test_normalise(void **state)
{
	struct dlv_set a, n;
	buf b = BUF_INIT;

	(void)state;
	mkset(&a, "forward X@Y.Example relay:[Mx.Y.example]:2525 | bounce 5.1.1 User_unknown | "
		  "refused 5.7.1 no | defer 4.4.1 later__ | file u /dev/null");
	dlv_set_init(&n);
	assert_int_equal(prove_normalise(&n, &a), 0);
	assert_int_equal(dlv_format_set(&b, &n), 0);
	assert_non_null(buf_cstr(&b));
	assert_string_equal(b.s, "bounce 5.1.1 | defer 4.4.1 later | forward X@y.example via "
			    "relay:mx.y.example:2525 | refused");
	dlv_set_free(&a);
	dlv_set_free(&n);
	buf_free(&b);
}

static void test_codes(void **state)
{
	struct prove_result r;

	(void)state;
	prove_result_init(&r);
	assert_int_equal(prove_add_code(&r, "S2Q-V006"), 0);
	assert_int_equal(prove_add_code(&r, "S2Q-A104"), 0);
	assert_int_equal(prove_add_code(&r, "S2Q-V006"), 0);
	assert_int_equal(prove_add_code(&r, "S2Q-R301"), 0);
	assert_int_equal(prove_add_code(&r, "S2Q-Z"), 0);
	assert_non_null(buf_cstr(&r.codes));
	assert_string_equal(r.codes.s, "S2Q-A104 S2Q-R301 S2Q-V006 S2Q-Z");
	assert_int_equal(r.known, 1);
	prove_result_free(&r);
}

/* ---------------------------------------------------------------- known diagnostics */

static void test_known(void **state)
{
	struct prove_known k;
	struct prove_result r;
	const char *err;
	unsigned long line;
	static const char conv[] =
		"{\"program\":\"s2q-aliases\",\"errors\":0,\"written\":true,\"diagnostics\":[\n"
		"{\"severity\":\"note\",\"code\":\"S2Q-A101\",\"file\":\"old/etc/mail/aliases\","
		"\"line\":12,\"message\":\"a program \\\"x\\\" {[\"},\n"
		"{\"severity\":\"warning\",\"code\":\"S2Q-A104\",\"file\":\"old/etc/mail/aliases\","
		"\"line\":14,\"message\":\"error:\"},\n"
		"{\"severity\":\"note\",\"code\":\"S2Q-A999\",\"line\":14,\"message\":\"no file\"},\n"
		"{\"severity\":\"note\",\"code\":\"S2Q-A998\",\"file\":\"x\",\"line\":0}\n"
		"]}\n";
	static const char lines[] =
		"{\"severity\":\"warning\",\"code\":\"S2Q-V006\",\"file\":\"/etc/mail/virtusertable\","
		"\"line\":3,\"message\":\"m\"}\n"
		"[{\"code\":\"S2Q-V009\",\"file\":\"/etc/mail/virtusertable\",\"line\":3,"
		"\"extra\":[1,2.5e3,-4,true,false,null,{\"a\":\"\\u00e9\\ud83d\\ude00\"}]}]\n";
	struct smres_src src[] = {
		{ "/etc/mail/aliases", 14 }, { "/etc/mail/virtusertable", 3 },
		{ "/etc/mail/aliases", 13 }, { NULL, 0 }
	};

	(void)state;
	prove_known_init(&k);
	assert_int_equal(prove_known_read(&k, conv, sizeof(conv) - 1, &err, &line), 1);
	assert_int_equal(prove_known_read(&k, lines, sizeof(lines) - 1, &err, &line), 1);
	assert_int_equal(k.n, 4);

	prove_result_init(&r);
	assert_int_equal(prove_known_match(&k, src, 1, &r), 0);
	assert_int_equal(r.known, 1);
	assert_string_equal(buf_cstr(&r.codes), "S2Q-A104");
	assert_int_equal(prove_known_match(&k, src + 1, 3, &r), 0);
	assert_string_equal(buf_cstr(&r.codes), "S2Q-A104 S2Q-V006 S2Q-V009");
	prove_result_free(&r);

	/* the same base name elsewhere, another line, a partial component: no match */
	{
		struct smres_src other[] = { { "/etc/aliases", 14 }, { "/etc/mail/aliases", 12000 },
					     { "/x/etc/mail/aliases", 14 },
					     { "/etc/mail/my-aliases", 14 } };

		prove_result_init(&r);
		assert_int_equal(prove_known_match(&k, other, 2, &r), 0);
		assert_int_equal(r.known, 0);
		assert_int_equal(prove_known_match(&k, other + 2, 2, &r), 0);
		assert_int_equal(r.known, 0);
		prove_result_free(&r);
	}

	/* not that shape */
	assert_int_equal(prove_known_read(&k, "", 0, &err, &line), 0);
	assert_string_equal(err, "no JSON text");
	assert_int_equal(prove_known_read(&k, "{\"a\":1}\n{\"b\":\n", 14, &err, &line), 0);
	assert_int_equal(line, 3);
	assert_int_equal(prove_known_read(&k, "s2q-aliases: error: x", 21, &err, &line), 0);
	assert_string_equal(err, "an object or an array expected");
	assert_int_equal(prove_known_read(&k, "[1,]", 4, &err, &line), 0);
	assert_int_equal(prove_known_read(&k, "{\"a\":\"x\ny\"}", 11, &err, &line), 0);
	assert_string_equal(err, "a control byte in a string");
	assert_int_equal(prove_known_read(&k, "{\"a\":\"\\q\"}", 10, &err, &line), 0);
	assert_int_equal(prove_known_read(&k, "{\"a\":1} x", 9, &err, &line), 0);
	{
		char deep[300];

		memset(deep, '[', sizeof(deep));
		assert_int_equal(prove_known_read(&k, deep, sizeof(deep), &err, &line), 0);
		assert_string_equal(err, "nested too deeply");
	}
	prove_known_free(&k);
}

/* ---------------------------------------------------------------- report */

static void test_report(void **state)
{
	struct dlv_set a, b;
	struct prove_result r;
	struct prove_summary s;
	struct prove_cmp_opts o = { PROVE_VIA_SMTP, NULL, NULL, 0, 0 };
	struct smres_src src[] = { { "/etc/mail/aliases", 7 }, { NULL, 3 } };
	buf out = BUF_INIT;

	(void)state;
	memset(&s, 0, sizeof(s));
	prove_result_init(&r);

	mkset(&a, "mailbox joe");
	mkset(&b, "mailbox joe");
	assert_int_equal(prove_compare(&a, &b, &o, &r), 0);
	prove_count(&s, &r);
	assert_int_equal(prove_format(&out, "joe@example.com", PROVE_VIA_SMTP, &r, &a, &b), 0);
	dlv_set_free(&a);
	dlv_set_free(&b);

	mkset(&a, "program daemon /bin/x");
	mkset(&b, "program alias /bin/x");
	assert_int_equal(prove_compare(&a, &b, &o, &r), 0);
	assert_int_equal(prove_add_code(&r, "S2Q-A101"), 0);
	prove_count(&s, &r);
	assert_int_equal(prove_format(&out, "prog", PROVE_VIA_LOCAL, &r, &a, &b), 0);
	dlv_set_free(&a);
	dlv_set_free(&b);

	mkset(&a, "mailbox joe");
	mkset(&b, "");
	assert_int_equal(prove_compare(&a, &b, &o, &r), 0);
	prove_count(&s, &r);
	assert_int_equal(prove_format(&out, "s2q.probe@x.example", PROVE_VIA_LOCAL, &r, &a, &b), 0);
	assert_int_equal(prove_format_summary(&out, &s), 0);
	assert_non_null(buf_cstr(&out));
	assert_string_equal(out.s,
			    "same joe@example.com: mailbox joe\n"
			    "different prog: sendmail: program daemon /bin/x / qmail: program alias "
			    "/bin/x [known S2Q-A101 S2Q-R301]\n"
			    "different s2q.probe@x.example (local): sendmail: mailbox joe / qmail: "
			    "(nothing)\n"
			    "summary: 1 same, 2 different, 0 only-sendmail, 0 only-qmail; 1 known, "
			    "1 unexplained; 3 total\n");
	buf_reset(&out);
	assert_int_equal(prove_json(&out, "a\"b", PROVE_VIA_LOCAL, &r, &a, &b, src, 2), 0);
	assert_int_equal(buf_append_c(&out, '\n'), 0);
	assert_int_equal(prove_json_summary(&out, &s), 0);
	assert_non_null(buf_cstr(&out));
	assert_string_equal(out.s,
			    "{\"address\":\"a\\\"b\",\"via\":\"local\",\"verdict\":\"different\","
			    "\"known\":false,\"codes\":[],\"sendmail\":[{\"kind\":\"mailbox\",\"user\":\"joe\"}],"
			    "\"qmail\":[],\"sources\":[\"/etc/mail/aliases:7\"]}\n"
			    "{\"same\":1,\"different\":2,\"known\":1,\"only_sendmail\":0,"
			    "\"only_qmail\":0,\"unexplained\":1,\"total\":3}");
	buf_reset(&out);
	assert_int_equal(prove_add_code(&r, "S2Q-V006"), 0);
	assert_int_equal(prove_add_code(&r, "S2Q-A104"), 0);
	assert_int_equal(prove_json(&out, "x", PROVE_VIA_SMTP, &r, &a, &b, NULL, 0), 0);
	assert_non_null(strstr(buf_cstr(&out), "\"known\":true,\"codes\":[\"S2Q-A104\",\"S2Q-V006\"]"));
	dlv_set_free(&a);
	dlv_set_free(&b);
	prove_result_free(&r);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addrs),
		cmocka_unit_test(test_vkeys_routes),
		cmocka_unit_test(test_addrs_many),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_relay_forms),
		cmocka_unit_test(test_blank_sub),
		cmocka_unit_test(test_r308),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
