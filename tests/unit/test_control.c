/* test_control - control files from the host model: locals, rcpthosts, smtproutes, ... */
#include "testutil.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/emit/control.h"
#include "../../convert/lib/emit/tcprules.h"
#include "../../convert/lib/parse/sendmailcf.h"

/* minimal cf parts: SMTP mailers and the check_rcpt rule of every m4 cf */
#define MAILERS "Mesmtp, P=[IPC], F=mDFMuXa, A=TCP $h\nMrelay, P=[IPC], F=mDFMuXa8, A=TCP $h\n" \
		"Msmtp, P=[IPC], F=mDFMuX, A=TCP $h\nMprocmail, P=/usr/bin/procmail, F=DFM, A=p $u\n" \
		"Scheck_rcpt\nR$*\t$#error $@ 5.7.1 $: \"550 Relaying denied\"\n"

struct row {
	const char *label, *cf, *host;
	const char *mailertable, *access;	/* "key\tvalue\n" lines */
	const char *want;			/* "file=content" checks, '|' for newlines */
};

static const struct row rows[] = {
	{ "identity and size",
	  "V10\nDj$w.example.org\nO MaxMessageSize=1000\nO DontProbeInterfaces=True\n" MAILERS,
	  "mx.example.com", "", "",
	  "me=mx.example.org|\ndefaultdomain=example.com|\ndefaulthost=mx.example.org|\n"
	  "plusdomain=example.com|\ndatabytes=1000|\ncodes=S2Q-C055" },
	{ "locals: class w lower-cased, no IP literals, not-local kept out; no percenthack (C076)",
	  "V10\nCwLocalHost\nCw[192.0.2.1]\nCwvirt.example\nCwbad:colon\nO DontProbeInterfaces=True\n"
	  "CO @ % !\n" MAILERS,
	  "MX.example.com", "", "",
	  "locals=mx.example.com|localhost|\npercenthack=\n"
	  "rcpt=mx.example.com|localhost|virt.example|\n"
	  "tcp=192.0.2.1:allow,RELAYCLIENT=\"\"|127.0.0.1:allow,RELAYCLIENT=\"\"|:allow|\n"
	  "codes=S2Q-C064 S2Q-C072 S2Q-C076 S2Q-C059 S2Q-C055" },
	{ "rcpthosts: class R and To: RELAY as dom and .dom; relay_hosts_only exact",
	  "V10\nCRpartner.example 10.1 192.0.2.9\nO DontProbeInterfaces=True\n" MAILERS, "h.example",
	  "", "To:Relayed.example\tRELAY\nto:a@b.example\tRELAY\nuntagged.example\tRELAY\n",
	  "rcpt=h.example|partner.example|.partner.example|relayed.example|.relayed.example|"
	  "untagged.example|.untagged.example|\n"
	  "tcp=10.1.:allow,RELAYCLIENT=\"\"|192.0.2.9:allow,RELAYCLIENT=\"\"|"
	  "127.0.0.1:allow,RELAYCLIENT=\"\"|:allow|\n"
	  "codes=S2Q-C054 S2Q-C074 S2Q-C055 S2Q-C055" },
	{ "relay_hosts_only and relay_entire_domain",
	  "V10\nCRpartner.example\nO DontProbeInterfaces=True\nScheck\nR$+ < @ $=R >\t$@ RELAY\n"
	  "R$+ < @ $* $=m >\t$@ RELAY\n" MAILERS,
	  "h.example.com", "", "", "rcpt=h.example.com|partner.example|example.com|\ncodes=S2Q-C055" },
	{ "smtproutes: exact, .dom, default, [host] vs MX, user@host, fallbacks, odd values",
	  "V10\nDSesmtp:[smart.example]\nO DontProbeInterfaces=True\n" MAILERS, "h.example",
	  "a.example\tesmtp:[a-gw.example]\n.b.example\trelay:B-GW.example.\n"
	  "c.example\tsmtp:user@[c-gw.example]\nd.example\tesmtp:[d1.example]:[d2.example]\n"
	  "e.example\tesmtp:%1.e-gw.example\nf.example\terror:5.1.1:gone\ng.example\tlocal:\n"
	  "h.example.net\tlocal:bob\ni.example\tprocmail:x\nj.example\tuucp:x\nk.example\tnocolon\n"
	  ".\tesmtp:[default.example]\n",
	  "",
	  "routes=a.example:a-gw.example|.b.example:b-gw.example|c.example:c-gw.example|"
	  "d.example:d1.example|:default.example|\nlocals=h.example|g.example|\n"
	  "codes=S2Q-C041 S2Q-C043 S2Q-C043 S2Q-C042 S2Q-C045 S2Q-C044 S2Q-C075 S2Q-C046 "
	  "S2Q-C046 S2Q-C047 S2Q-C055 S2Q-C048" },
	{ "smart host: bare host warns (MX), relay mailer; smart host in class w is no route",
	  "V10\nDSsmart.example\nO DontProbeInterfaces=True\n" MAILERS, "h.example", "", "",
	  "routes=:smart.example|\ncodes=S2Q-C055 S2Q-C041" },
	{ "smart host that is this host",
	  "V10\nDSh.example\nO DontProbeInterfaces=True\n" MAILERS, "h.example", "", "",
	  "routes=\ncodes=S2Q-C055 S2Q-C048" },
	{ "nullclient: empty locals, the hub as default route, defaulthost the hub",
	  "V10\nDShub.example\nDHhub.example\nDMhub.example\nCwlocalhost\n"
	  "Mlocal, P=/x, F=lsDFM5q, A=x $u\nO DontProbeInterfaces=True\n" MAILERS,
	  "h.example", "", "",
	  "locals=\nrcpt=h.example|localhost|\nroutes=:hub.example|\ndefaulthost=hub.example|\n"
	  "codes=S2Q-C071 S2Q-C055 S2Q-C041" },
	{ "access: Connect, From, untagged IP, tags qmail lacks",
	  "V10\nO DontProbeInterfaces=True\n" MAILERS, "h.example", "",
	  "Connect:192.0.2\tRELAY\nConnect:198.51.100.7\tREJECT\nConnect:203.0.113\tERROR:5.7.1:no\n"
	  "Connect:10.0.0.1\tOK\nConnect:host.example\tREJECT\nConnect:192.0.2.5\tDISCARD\n"
	  "198.51.100.8\tRELAY\nConnect:300.1.1.1\tREJECT\n"
	  "From:spam@bad.example\tREJECT\nFrom:bad2.example\tERROR:5.7.1:550 no\n"
	  "From:abuse@\tREJECT\nFrom:t.example\tERROR:4.7.1:later\nFrom:ok.example\tOK\n"
	  "From:d.example\tDISCARD\nbad3.example\tREJECT\nTo:x@h.example\tREJECT\n"
	  "Spam:abuse@\tFRIEND\nFoo:x\tOK\nIPv6:1::2\tRELAY\n",
	  "bmf=spam@bad.example|@bad2.example|@bad3.example|\n"
	  "tcp=192.0.2.:allow,RELAYCLIENT=\"\"|198.51.100.7:deny|203.0.113.:deny|10.0.0.1:allow|"
	  "198.51.100.8:allow,RELAYCLIENT=\"\"|127.0.0.1:allow,RELAYCLIENT=\"\"|:allow|\n"
	  "codes=S2Q-C054 S2Q-C054 S2Q-C054 S2Q-C054 S2Q-C054 S2Q-C074 S2Q-C054 S2Q-C054 "
	  "S2Q-C054 S2Q-C054 S2Q-C074 S2Q-C054 S2Q-C054 S2Q-C054 S2Q-C054 S2Q-C055" },
	{ "no host name: an error", "V10\nO DontProbeInterfaces=True\n" MAILERS, NULL, "", "",
	  "codes=S2Q-C027 S2Q-C040 S2Q-C055 S2Q-C063" },
	{ "open relay in sendmail, masquerading elsewhere, domaintable, virtusertable",
	  "V10\nDMelsewhere.example\nKvirtuser hash /v\nKdomaintable hash /d\nSx\n"
	  "R$*\t$: $(virtuser $1 $) $(domaintable $1 $)\nO DontProbeInterfaces=True\n", "h.example",
	  "", "",
	  "defaulthost=h.example|\ncodes=S2Q-C070 S2Q-C055 S2Q-C057 S2Q-C051 S2Q-C052 S2Q-C069" },
};

/* records - feed "key\tvalue\n" lines, key folded as makemap does */
static void records(struct ctl *c, const char *s, int access)
{
	while (*s) {
		const char *nl = strchr(s, '\n'), *tab = strchr(s, '\t');
		char key[128];
		size_t k;

		assert_non_null(nl);
		assert_true(tab && tab < nl);
		for (k = 0; s + k < tab; k++)
			key[k] = (char)((s[k] >= 'A' && s[k] <= 'Z') ? s[k] - 'A' + 'a' : s[k]);
		if (access)
			assert_int_equal(ctl_access(c, key, k, tab + 1, (size_t)(nl - tab - 1), "/m", 1), 0);
		else
			assert_int_equal(ctl_mailertable(c, key, k, tab + 1, (size_t)(nl - tab - 1), "/m",
							 1), 0);
		s = nl + 1;
	}
}

static void show(buf *o, const char *name, const buf *b, int skipcomments)
{
	size_t i = 0;

	buf_printf(o, "%s=", name);
	while (b->s && i < b->len) {
		const char *nl = memchr(b->s + i, '\n', b->len - i);
		size_t n = (size_t)(nl - (b->s + i));

		if (!(skipcomments && b->s[i] == '#')) {
			buf_append(o, b->s + i, n);
			buf_append_c(o, '|');
		}
		i += n + 1;
	}
}

static void render(buf *o, const struct ctl *c, const struct diag_sink *d, const char *key)
{
	size_t i;

	buf_reset(o);
	if (strcmp(key, "codes") == 0) {
		buf_append_s(o, "codes=");
		for (i = 0; i < d->n; i++)
			buf_printf(o, "%s%s", i ? " " : "", d->v[i].code);
	} else if (strcmp(key, "me") == 0)
		show(o, key, &c->me, 0);
	else if (strcmp(key, "defaultdomain") == 0)
		show(o, key, &c->defaultdomain, 0);
	else if (strcmp(key, "defaulthost") == 0)
		show(o, key, &c->defaulthost, 0);
	else if (strcmp(key, "plusdomain") == 0)
		show(o, key, &c->plusdomain, 0);
	else if (strcmp(key, "databytes") == 0)
		show(o, key, &c->databytes, 0);
	else if (strcmp(key, "locals") == 0)
		show(o, key, &c->locals.text, 0);
	else if (strcmp(key, "percenthack") == 0)
		show(o, key, &c->percenthack.text, 0);
	else if (strcmp(key, "rcpt") == 0)
		show(o, key, &c->rcpthosts.text, 0);
	else if (strcmp(key, "routes") == 0)
		show(o, key, &c->smtproutes.text, 0);
	else if (strcmp(key, "bmf") == 0)
		show(o, key, &c->badmailfrom.text, 0);
	else if (strcmp(key, "tcp") == 0)
		show(o, key, &c->tcp.text, 1);
	else
		fail_msg("unknown key %s", key);
}

static void test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char *dir = tu_tmpdir();
		const char *nl_ = "virt.example", *p = r->want;
		struct host h;
		struct diag_sink d;
		struct cf_opts o;
		struct ctl_opts xo;
		struct ctl c;
		buf got = BUF_INIT;

		tu_writefile(dir, "sendmail.cf", r->cf, strlen(r->cf));
		memset(&o, 0, sizeof(o));
		o.rootfd = open(dir, O_RDONLY | O_DIRECTORY);
		o.hostname = r->host;
		host_init(&h);
		diag_init(&d);
		assert_int_equal(cf_load(&h, "/sendmail.cf", &o, &d), 0);
		memset(&xo, 0, sizeof(xo));
		xo.not_local = &nl_;
		xo.nnot_local = 1;
		assert_int_equal(ctl_init(&c, &h, &xo, &d), 0);
		records(&c, r->mailertable, 0);
		records(&c, r->access, 1);
		assert_int_equal(ctl_finish(&c), 0);
		while (*p) {
			const char *nl = strchr(p, '\n'), *eq = strchr(p, '=');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			char key[32];

			memcpy(key, p, (size_t)(eq - p));
			key[eq - p] = '\0';
			render(&got, &c, &d, key);
			if (got.len != n || memcmp(got.s, p, n) != 0)
				fail_msg("%s:\n  want %.*s\n  got  %.*s", r->label, (int)n, p, (int)got.len,
					 got.s);
			p += n;
			if (*p == '\n')
				p++;
		}
		buf_free(&got);
		ctl_free(&c);
		host_free(&h);
		diag_free(&d);
		close(o.rootfd);
		tu_rmtree(dir);
	}
}

/* writing: every file, mode 0644, morercpthosts.cdb readable with the right keys */
static void test_write(void **state)
{
	char *dir = tu_tmpdir(), *out, p[700];
	struct host h;
	struct diag_sink d;
	struct cf_opts o;
	struct ctl_opts xo;
	struct ctl c;
	buf cf = BUF_INIT;
	static const char *const files[] = {
		"var/qmail/control/me", "var/qmail/control/locals", "var/qmail/control/rcpthosts",
		"var/qmail/control/morercpthosts", "var/qmail/control/morercpthosts.cdb",
		"var/qmail/control/smtproutes", "var/qmail/control/badmailfrom",
		"var/qmail/control/percenthack", "var/qmail/control/databytes",
		"var/qmail/control/defaulthost", "var/qmail/control/defaultdomain",
		"var/qmail/control/plusdomain", "etc/tcp.smtp",
	};
	struct stat st;
	struct cdb db;
	size_t i, n;
	char *s;
	int rootfd, fd;

	(void)state;
	buf_append_s(&cf, "V10\nO DontProbeInterfaces=True\n" MAILERS);
	for (i = 0; i < 6; i++)
		buf_printf(&cf, "Cwd%zu.example\n", i);
	tu_writefile(dir, "sendmail.cf", cf.s, cf.len);
	snprintf(p, sizeof(p), "%s/out", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	out = strdup(p);
	memset(&o, 0, sizeof(o));
	o.rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	o.hostname = "h.example";
	host_init(&h);
	diag_init(&d);
	assert_int_equal(cf_load(&h, "/sendmail.cf", &o, &d), 0);
	memset(&xo, 0, sizeof(xo));
	xo.rcpthosts_max = 3;
	xo.qmailhome = "/var/qmail/";
	assert_int_equal(ctl_init(&c, &h, &xo, &d), 0);
	assert_int_equal(ctl_finish(&c), 0);
	assert_int_equal(c.nmore, 4);
	rootfd = open(out, O_RDONLY | O_DIRECTORY);
	assert_int_equal(ctl_write(&c, rootfd, -1, NULL), 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", out, files[i]);
		if (stat(p, &st) != 0)
			fail_msg("%s not written", files[i]);
		assert_int_equal(st.st_mode & 07777, 0644);
	}
	s = tu_readfile(out, "var/qmail/control/rcpthosts", &n);
	assert_non_null(strstr(s, "\nh.example\nd0.example\nd1.example\n"));
	assert_null(strstr(s, "d2.example"));
	free(s);
	s = tu_readfile(out, "var/qmail/control/morercpthosts", &n);
	assert_string_equal(s, "d2.example\nd3.example\nd4.example\nd5.example\n");
	free(s);
	s = tu_readfile(out, "var/qmail/control/me", &n);
	assert_string_equal(s, "h.example\n");
	free(s);
	snprintf(p, sizeof(p), "%s/var/qmail/control/morercpthosts.cdb", out);
	fd = open(p, O_RDONLY);
	assert_int_equal(cdb_init(&db, fd), 0);
	assert_int_equal(cdb_find(&db, "d5.example", 10), 1);
	assert_int_equal(cdb_datalen(&db), 0);
	assert_int_equal(cdb_find(&db, "d1.example", 10), 0);
	cdb_free(&db);
	close(fd);
	/* nothing else in the output root: no stage, no temp */
	snprintf(p, sizeof(p), "test -z \"$(ls -A '%s' | grep -v '^var$' | grep -v '^etc$')\"", out);
	assert_int_equal(system(p), 0);
	close(rootfd);
	ctl_free(&c);
	host_free(&h);
	diag_free(&d);
	close(o.rootfd);
	buf_free(&cf);
	free(out);
	tu_rmtree(dir);
}

static void test_tcprules(void **state)
{
	static const struct {
		const char *in, *out;
		int r;
	} rows2[] = {
		{ "192.0.2.1", "192.0.2.1", 1 }, { "192.0.2", "192.0.2.", 1 }, { "10", "10.", 1 },
		{ "10.", "10.", 1 }, { "10.1.2.", "10.1.2.", 1 }, { "256.1", NULL, 0 },
		{ "1.2.3.4.5", NULL, 0 }, { "a.b", NULL, 0 }, { "", NULL, 0 }, { ".1", NULL, 0 },
		{ "1..2", NULL, 0 }, { "1.2.3.4.", NULL, 0 }, { "0001.2", NULL, 0 },
	};
	struct tcprules t;
	buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows2) / sizeof(rows2[0]); i++) {
		int r = tcprules_ipv4(rows2[i].in, strlen(rows2[i].in), &b);

		if (r != rows2[i].r || (r == 1 && strcmp(b.s, rows2[i].out) != 0))
			fail_msg("%s: %d", rows2[i].in, r);
	}
	tcprules_init(&t);
	assert_int_equal(tcprules_add(&t, "10.", TCPR_RELAY, "c"), 1);
	assert_int_equal(tcprules_add(&t, "10.", TCPR_DENY, NULL), 0);
	assert_int_equal(tcprules_add(&t, "10.0.0.1", TCPR_DENY, NULL), 1);
	assert_int_equal(tcprules_finish(&t), 0);
	assert_int_equal(tcprules_finish(&t), 0);
	buf_append_c(&t.text, '\0');
	assert_string_equal(t.text.s, "# c\n10.:allow,RELAYCLIENT=\"\"\n10.0.0.1:deny\n"
				      "# everybody else may connect, but not relay\n:allow\n");
	tcprules_free(&t);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_tcprules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
