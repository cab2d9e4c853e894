/* test_cdbdecode - cdb reader and the decoders of users/cdb, aliases.cdb, .bin lists, morercpthosts.cdb */
#include "testutil.h"

#include <cdb.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/diff/treediff.h"
#include "../../convert/lib/emit/usercdb.h"
#include "../../convert/lib/parse/assign.h"
#include "../../convert/lib/parse/binlist.h"
#include "../../convert/lib/parse/cdbfile.h"
#include "../../convert/lib/parse/fwdcdb.h"
#include "../../convert/lib/parse/mrhcdb.h"
#include "../../convert/lib/parse/userscdb.h"

struct kv {
	const char *k;
	size_t kl;
	const char *v;
	size_t vl;
};

#define KV(k, v) { k, sizeof(k) - 1, v, sizeof(v) - 1 }

/* mkcdb - the records in order, as tinycdb (= qmail's cdbmake) writes them */
static char *mkcdb(const struct kv *r, size_t n, size_t *len)
{
	char *dir = tu_tmpdir(), *data, path[512];
	struct cdb_make cm;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/x.cdb", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(cdb_make_start(&cm, fd), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(cdb_make_add(&cm, r[i].k, (unsigned)r[i].kl, r[i].v, (unsigned)r[i].vl), 0);
	assert_int_equal(cdb_make_finish(&cm), 0);
	close(fd);
	data = tu_readfile(dir, "x.cdb", len);
	assert_non_null(data);
	tu_rmtree(dir);
	return data;
}

/* codes - the diagnostic codes of the sink, space separated */
static const char *codes(const struct diag_sink *d, buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < d->n; i++)
		buf_printf(b, "%s%s", i ? " " : "", d->v[i].code);
	return buf_cstr(b);
}

static void test_cdbfile_records(void **state)
{
	static const struct kv r[] = { KV("a", "1"), KV("", ""), KV("a", "2\0x"), KV("long key", "") };
	static const char dump[] = "+1,1:a->1\n+0,0:->\n+1,3:a->2\0x\n+8,0:long key->\n\n";
	struct diag_sink d;
	struct cdbfile f;
	struct cdbrec c;
	buf out = BUF_INIT;
	size_t len;
	char *p = mkcdb(r, 4, &len);
	int n = 0;
	(void)state;
	diag_init(&d);
	assert_int_equal(cdbfile_init(&f, p, len, "x.cdb", &d), 0);
	while (cdbfile_next(&f, &c) > 0) {
		assert_int_equal(c.klen, r[n].kl);
		assert_memory_equal(c.key, r[n].k, c.klen);
		assert_int_equal(c.vlen, r[n].vl);
		assert_int_equal(c.n, n + 1);
		n++;
	}
	assert_int_equal(n, 4);
	assert_int_equal(cdbfile_verify(&f), 0);
	assert_int_equal(cdbfile_dump(&out, p, len, "x.cdb", &d), 0);
	assert_int_equal(out.len, sizeof(dump) - 1);
	assert_memory_equal(out.s, dump, out.len);
	assert_int_equal(d.n, 0);
	/* lookups: the first record of a key, as cdb_find */
	assert_int_equal(cdbfile_find(&f, "a", 1, &c), 1);
	assert_int_equal(c.vlen, 1);
	assert_memory_equal(c.val, "1", 1);
	assert_int_equal(c.off, 2048);
	assert_int_equal(cdbfile_find(&f, "", 0, &c), 1);
	assert_int_equal(c.vlen, 0);
	assert_int_equal(cdbfile_find(&f, "long key", 8, &c), 1);
	assert_int_equal(cdbfile_find(&f, "b", 1, &c), 0);
	assert_int_equal(cdbfile_find(&f, "long", 4, &c), 0);
	assert_int_equal(cdbfile_check(p, len), 0);
	assert_int_equal(cdbfile_readable(p, len), 1);
	buf_free(&out);
	diag_free(&d);
	free(p);
}

/* every truncation of a cdb is reported, never a crash: the code says where it was cut */
static void test_cdbfile_truncated(void **state)
{
	static const struct kv r[] = { KV("key1", "value1"), KV("key2", "value2") };
	size_t len, cut;
	char *p = mkcdb(r, 2, &len);
	buf b = BUF_INIT;
	(void)state;
	for (cut = 0; cut < len; cut++) {
		struct diag_sink d;
		struct cdbfile f;
		struct cdbrec c;
		char *q = malloc(cut ? cut : 1);
		const char *want = cut < 2048 ? "S2Q-D001" : cut < 2048 + 2 * 18 ? "S2Q-D002" : "S2Q-D005";

		memcpy(q, p, cut);
		diag_init(&d);
		assert_int_equal(cdbfile_init(&f, q, cut, "x.cdb", &d), 1);
		while (cdbfile_next(&f, &c) > 0)
			;
		if (strncmp(codes(&d, &b), want, 8) != 0)
			fail_msg("cut at %zu: codes '%s', want %s", cut, b.s, want);
		assert_int_equal(cdbfile_check(q, cut), 1);
		diag_free(&d);
		free(q);
	}
	buf_free(&b);
	free(p);
}

static void put32(char *p, uint32_t v)
{
	p[0] = (char)(v & 255);
	p[1] = (char)((v >> 8) & 255);
	p[2] = (char)((v >> 16) & 255);
	p[3] = (char)((v >> 24) & 255);
}

static const char *run(const char *p, size_t len, buf *b)
{
	struct diag_sink d;
	struct cdbfile f;
	struct cdbrec c;

	diag_init(&d);
	cdbfile_init(&f, p, len, "x.cdb", &d);
	while (cdbfile_next(&f, &c) > 0)
		;
	cdbfile_verify(&f);
	codes(&d, b);
	diag_free(&d);
	return b->s;
}

static void test_cdbfile_corrupt(void **state)
{
	static const struct kv r[] = { KV("k", "v1"), KV("k", "v2"), KV("other", "") };
	size_t len, t;
	char *p = mkcdb(r, 3, &len), *q = malloc(len);
	buf b = BUF_INIT;
	uint32_t h = cdbfile_hash("k", 1);
	(void)state;

	/* a key length that runs past the records */
	memcpy(q, p, len);
	put32(q + 2048, 100000);
	assert_string_equal(run(q, len, &b), "S2Q-D004");
	/* the records end inside a record header */
	memcpy(q, p, len);
	put32(q, 2048 + 3);
	assert_string_equal(run(q, len, &b), "S2Q-D003");
	/* end of records before 2048 */
	memcpy(q, p, len);
	put32(q, 100);
	assert_string_equal(run(q, len, &b), "S2Q-D002");
	/* a hash slot that points nowhere: the record is lost to lookups */
	memcpy(q, p, len);
	for (t = 0; t < 256; t++) {
		uint32_t pos = (uint32_t)(unsigned char)q[8 * t] | (uint32_t)(unsigned char)q[8 * t + 1] << 8 |
			       (uint32_t)(unsigned char)q[8 * t + 2] << 16;
		uint32_t n = (unsigned char)q[8 * t + 4];
		uint32_t i;

		if (t != (h & 255))
			continue;
		for (i = 0; i < n; i++) {
			char *slot = q + pos + 8 * i;
			uint32_t rp = (uint32_t)(unsigned char)slot[4] | (uint32_t)(unsigned char)slot[5] << 8;

			if (rp == 2048)	/* the first "k" record */
				put32(slot + 4, 0);
		}
	}
	/* the empty slot also ends the probe for the second "k" */
	assert_string_equal(run(q, len, &b), "S2Q-D006 S2Q-D006 S2Q-D007");
	/* the two "k" slots swapped: lookups return the second record first */
	memcpy(q, p, len);
	{
		uint32_t pos = (uint32_t)(unsigned char)q[8 * (h & 255)] |
			       (uint32_t)(unsigned char)q[8 * (h & 255) + 1] << 8;
		uint32_t n = (unsigned char)q[8 * (h & 255) + 4], i, a = 0, c = 0;
		char tmp[8];

		for (i = 0; i < n; i++) {
			char *slot = q + pos + 8 * i;

			if ((uint32_t)(unsigned char)slot[4] | (uint32_t)(unsigned char)slot[5] << 8) {
				if (!a)
					a = i + 1;
				else if (!c)
					c = i + 1;
			}
		}
		assert_true(a && c);
		memcpy(tmp, q + pos + 8 * (a - 1), 8);
		memcpy(q + pos + 8 * (a - 1), q + pos + 8 * (c - 1), 8);
		memcpy(q + pos + 8 * (c - 1), tmp, 8);
	}
	assert_string_equal(run(q, len, &b), "S2Q-D008");
	/* garbage */
	memset(q, 'x', len);
	assert_string_equal(run(q, len, &b), "S2Q-D002");
	buf_free(&b);
	free(p);
	free(q);
}

/* users/cdb written by our qmail-newu twin (emit/usercdb) decodes to the original lines */
static void test_users_roundtrip(void **state)
{
	static const char assign[] =
		"=joe:joe:1000:1000:/home/joe:::\n"
		"+Info-X:info:1001:1001:/home/info:-:pre-:\n"
		"+joe-:joe:1000:1000:/home/joe:-::\n"
		"=joe:dup:1002:1002:/home/dup:::\n"
		"+:alias:7790:2108:/var/qmail/alias:-::\n"
		".\n";
	static const char want[] =
		"=joe:joe:1000:1000:/home/joe:::\n"
		"+info-X:info:1001:1001:/home/info:-:pre-:\n"
		"+joe-:joe:1000:1000:/home/joe:-::\n"
		"=joe:dup:1002:1002:/home/dup:::\n"
		"+:alias:7790:2108:/var/qmail/alias:-::\n"
		".\n";
	char *dir = tu_tmpdir(), path[512], *cdb;
	struct diag_sink d;
	struct assign_parser ap;
	struct assign_ent e;
	struct usercdb u;
	buf out = BUF_INIT, b = BUF_INIT;
	size_t len = 0;
	int root;
	(void)state;
	snprintf(path, sizeof(path), "%s/users", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	tu_writefile(dir, "users/assign", assign, sizeof(assign) - 1);
	snprintf(path, sizeof(path), "%s/users/assign", dir);
	diag_init(&d);
	root = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(assign_open(&ap, path, "users/assign", &d), 0);
	assert_int_equal(usercdb_open(&u, root, "users/cdb", &d, "users/assign"), 0);
	while (assign_next(&ap, &e) > 0)
		assert_int_equal(usercdb_add(&u, &e), 0);
	assign_close(&ap);
	assert_int_equal(usercdb_commit(&u), 0);
	close(root);
	diag_free(&d);
	cdb = tu_readfile(dir, "users/cdb", &len);
	assert_non_null(cdb);
	diag_init(&d);
	assert_int_equal(userscdb_print(&out, cdb, len, "users/cdb", &d), 1);
	if (!buf_eq(&out, want, sizeof(want) - 1))
		fail_msg("got:\n%.*s", (int)out.len, out.s);
	/* +Info-X never matches: qmail-newu stored 'X', lookups test 'x' */
	assert_string_equal(codes(&d, &b), "S2Q-D014");
	assert_int_equal(d.v[0].sev, DIAG_WARN);
	diag_free(&d);
	buf_free(&out);
	buf_free(&b);
	free(cdb);
	tu_rmtree(dir);
}

static void test_users_problems(void **state)
{
	static const struct {
		const char *label;
		struct kv r[4];
		size_t n;
		const char *want, *codes;
	} rows[] = {
		{ "no wildchars record", { KV("!a\0", "u\0001\0002\0/h\0\0") }, 1,
		  "=a:u:1:2:/h:::\n.\n", "S2Q-D013" },
		{ "wildchars not last", { KV("", ""), KV("!a\0", "u\0001\0002\0/h\0\0") }, 2,
		  "=a:u:1:2:/h:::\n.\n", "S2Q-D015" },
		{ "two wildchars records", { KV("!a\0", "u\0001\0002\0/h\0\0"), KV("", ""), KV("", "-") }, 3,
		  "=a:u:1:2:/h:::\n.\n", "S2Q-D015 S2Q-D015" },
		{ "not a users/cdb key", { KV("xa", "u\0001\0002\0/h\0\0"), KV("", "") }, 2,
		  ".\n", "S2Q-D010" },
		{ "five fields", { KV("!a\0", "u\0001\0002\0/h\0"), KV("", "") }, 2, ".\n", "S2Q-D011" },
		{ "seven fields", { KV("!a\0", "u\0001\0002\0/h\0\0\0"), KV("", "") }, 2, ".\n", "S2Q-D011" },
		{ "colon in home", { KV("!a\0", "u\0001\0002\0/h:x\0\0"), KV("", "") }, 2,
		  "=a:u:1:2:/h:x:::\n.\n", "S2Q-D012" },
		{ "upper-case key", { KV("!Joe\0", "u\0001\0002\0/h\0\0"), KV("", "") }, 2,
		  "=Joe:u:1:2:/h:::\n.\n", "S2Q-D016" },
		{ "uid 0", { KV("!a\0", "u\0000\0002\0/h\0\0"), KV("", "") }, 2,
		  "=a:u:0:2:/h:::\n.\n", "S2Q-D017" },
		{ "gid junk", { KV("!a\0", "u\0001\0x\0/h\0\0"), KV("", "") }, 2,
		  "=a:u:1:x:/h:::\n.\n", "S2Q-D017" },
		{ "wildcard lacks its wildchar", { KV("!a-", "u\0001\0002\0/h\0-\0"), KV("", "") }, 2,
		  "+a-:u:1:2:/h:-::\n.\n", "S2Q-D014" },
		{ "extra wildchars", { KV("!a-", "u\0001\0002\0/h\0-\0"), KV("", "-.") }, 2,
		  "+a-:u:1:2:/h:-::\n.\n", "S2Q-D018" },
		{ "empty exact address", { KV("!\0", "u\0001\0002\0/h\0\0"), KV("", "") }, 2,
		  "=:u:1:2:/h:::\n.\n", "" },
		{ "raw upper-case wildchar after a lower-case one",
		  { KV("!a-x", "u\0001\0002\0/h\0-\0"), KV("!b-x", "v\0003\0004\0/h\0-\0"), KV("", "xX") }, 3,
		  "+a-x:u:1:2:/h:-::\n+b-X:v:3:4:/h:-::\n.\n", "" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct diag_sink d;
		buf out = BUF_INIT, b = BUF_INIT;
		size_t len;
		char *p = mkcdb(rows[i].r, rows[i].n, &len);
		int r;

		diag_init(&d);
		r = userscdb_print(&out, p, len, "users/cdb", &d);
		if (!buf_eq(&out, rows[i].want, strlen(rows[i].want)) ||
		    strcmp(codes(&d, &b), rows[i].codes) != 0 || r != (rows[i].codes[0] != '\0'))
			fail_msg("%s: r=%d out '%.*s' codes '%s'", rows[i].label, r, (int)out.len,
				 out.s ? out.s : "", b.s);
		diag_free(&d);
		buf_free(&out);
		buf_free(&b);
		free(p);
	}
}

/* recorded from fastforward 0.51's printforward on the same records (cdb -c) */
static void test_forward(void **state)
{
	static const struct kv r[] = {
		KV(":joe@", "&fred@x.com\0|prog arg\0!preline x\0/l/list.bin\0./rel.bin\0"),
		KV("?list@example.com", "owner-list@x.com"),
		KV(":list@", "&a@b\0&c d\0"),
		KV(":@dom.example", "&catch#1@x\0"),
		KV(":weird name;\\@", "&a:b,c@x\0"),
		KV(":empty@", ""),
		KV(":8bit\351\001@", "&\177\377@x\0"),
	};
	static const char want[] =
		"joe@:\n, &fred@x.com\n, |prog\\ arg\n, !preline\\ x\n, /l/list.bin\n, ./rel.bin\n;\n"
		"list@example.com: ?owner-list@x.com;\nlist@:\n, &a@b\n, &c\\ d\n;\n@dom.example:\n"
		", &catch\\#1@x\n;\nweird\\ name\\;\\\\@:\n, &a\\:b\\,c@x\n;\nempty@:\n;\n"
		"8bit\\\351\\\001@:\n, &\177\\\377@x\n;\n";
	struct diag_sink d;
	buf out = BUF_INIT;
	size_t len;
	char *p = mkcdb(r, sizeof(r) / sizeof(r[0]), &len);
	(void)state;
	diag_init(&d);
	assert_int_equal(fwdcdb_print(&out, p, len, "aliases.cdb", &d), 0);
	if (!buf_eq(&out, want, sizeof(want) - 1))
		fail_msg("got:\n%.*s", (int)out.len, out.s);
	assert_int_equal(d.n, 0);
	diag_free(&d);
	buf_free(&out);
	free(p);
}

static void test_forward_problems(void **state)
{
	char big[1000];
	struct kv r[] = {
		KV(":ok@", "&a@b\0"),
		KV("xbad@", "&a@b\0"),
		KV(":a@", "&a@b"),
		KV(":b@", "&a@b\0\0"),
		KV(":c@", "x@b\0"),
		{ ":d@", 3, big, 901 },
		KV("", ""),
	};
	struct diag_sink d;
	buf out = BUF_INIT, b = BUF_INIT;
	size_t len;
	char *p;
	(void)state;
	big[0] = '&';
	memset(big + 1, 'x', 899);
	big[900] = '\0';
	p = mkcdb(r, sizeof(r) / sizeof(r[0]), &len);
	diag_init(&d);
	assert_int_equal(fwdcdb_print(&out, p, len, "aliases.cdb", &d), 1);
	assert_string_equal(codes(&d, &b), "S2Q-D020 S2Q-D021 S2Q-D021 S2Q-D022 S2Q-D023 S2Q-D020");
	assert_true(buf_eq(&out, "ok@:\n, &a@b\n;\n", 14));
	diag_free(&d);
	/* 898 address bytes are fine */
	r[5].vl = 900;
	big[899] = '\0';
	free(p);
	p = mkcdb(r + 5, 1, &len);
	diag_init(&d);
	assert_int_equal(fwdcdb_print(&out, p, len, "aliases.cdb", &d), 0);
	diag_free(&d);
	buf_free(&out);
	buf_free(&b);
	free(p);
}

static void test_binlist(void **state)
{
	static const char good[] = "&god@heaven.af.mil\0./inc\0/abs/inc\0&  lead@x\0&|prog\0";
	static const char want[] = "&god@heaven.af.mil\n./inc\n/abs/inc\n&  lead@x\n&|prog\n";
	static const struct {
		const char *in;
		size_t n;
		const char *out, *codes;
	} bad[] = {
		{ "&x", 2, "", "S2Q-D030" },
		{ "&a\0\0&b\0", 7, "&a\n&b\n", "S2Q-D031" },
		{ "|p\0&b\0", 6, "&b\n", "S2Q-D032" },
		{ "&a\nb\0", 5, "", "S2Q-D033" },
		{ "", 0, "", "" },
	};
	struct diag_sink d;
	buf out = BUF_INIT, b = BUF_INIT;
	size_t i;
	char big[1001];
	(void)state;
	diag_init(&d);
	assert_int_equal(binlist_print(&out, good, sizeof(good) - 1, "l.bin", &d), 0);
	assert_true(buf_eq(&out, want, sizeof(want) - 1));
	diag_free(&d);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&out);
		diag_init(&d);
		assert_int_equal(binlist_print(&out, bad[i].in, bad[i].n, "l.bin", &d), bad[i].codes[0] != 0);
		assert_string_equal(codes(&d, &b), bad[i].codes);
		assert_true(buf_eq(&out, bad[i].out, strlen(bad[i].out)));
		diag_free(&d);
	}
	/* an address of 899 bytes (900 with '&') is too long, 898 is not */
	big[0] = '&';
	memset(big + 1, 'x', 999);
	big[900] = '\0';
	diag_init(&d);
	assert_int_equal(binlist_print(&out, big, 901, "l.bin", &d), 1);
	assert_string_equal(codes(&d, &b), "S2Q-D034");
	diag_free(&d);
	big[899] = '\0';
	diag_init(&d);
	assert_int_equal(binlist_print(&out, big, 900, "l.bin", &d), 0);
	diag_free(&d);
	buf_free(&out);
	buf_free(&b);
}

static void test_morercpthosts(void **state)
{
	static const struct kv r[] = {
		KV("zeta.example", ""), KV("alpha.example", ""), KV(".sub.example", ""),
		KV("alpha.example", ""), KV("a\\b", ""),
	};
	static const struct kv odd[] = { KV("Upper.Example", ""), KV("x.example", "data"),
					 KV("trailing ", ""), KV("#c", ""), KV("", "") };
	static const char want[] = ".sub.example\na\\\\b\nalpha.example\nalpha.example\nzeta.example\n";
	struct diag_sink d;
	buf out = BUF_INIT, b = BUF_INIT;
	size_t len;
	char *p = mkcdb(r, sizeof(r) / sizeof(r[0]), &len);
	(void)state;
	diag_init(&d);
	assert_int_equal(mrhcdb_print(&out, p, len, "control/morercpthosts.cdb", &d), 0);
	if (!buf_eq(&out, want, sizeof(want) - 1))
		fail_msg("got:\n%.*s", (int)out.len, out.s);
	diag_free(&d);
	free(p);
	p = mkcdb(odd, sizeof(odd) / sizeof(odd[0]), &len);
	diag_init(&d);
	buf_reset(&out);
	assert_int_equal(mrhcdb_print(&out, p, len, "control/morercpthosts.cdb", &d), 1);
	assert_string_equal(codes(&d, &b), "S2Q-D041 S2Q-D040 S2Q-D042 S2Q-D042 S2Q-D042");
	assert_true(buf_eq(&out, "\n#c\nUpper.Example\ntrailing \nx.example\n", 38));
	diag_free(&d);
	buf_free(&out);
	buf_free(&b);
	free(p);
}

static void test_forms(void **state)
{
	static const struct {
		const char *path;
		enum tdiff_form f;
	} rows[] = {
		{ "users/cdb", TD_USERS }, { "var/qmail/users/cdb", TD_USERS },
		{ "/var/qmail/users/cdb", TD_USERS }, { "cdb", TD_TEXT }, { "xusers/cdb", TD_TEXT },
		{ "etc/aliases.cdb", TD_FORWARD }, { "aliases.cdb", TD_FORWARD },
		{ "control/morercpthosts.cdb", TD_LIST }, { "control/morercpthosts", TD_TEXT },
		{ "etc/virtual.cdb", TD_CDB }, { "lists/staff.bin", TD_MAILLIST },
		{ "home/joe/.qmail", TD_TEXT },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (tdiff_form_for(rows[i].path) != rows[i].f)
			fail_msg("%s: form %d, want %d", rows[i].path, tdiff_form_for(rows[i].path), rows[i].f);
	assert_int_equal(tdiff_form_parse("users"), TD_USERS);
	assert_int_equal(tdiff_form_parse("forward"), TD_FORWARD);
	assert_int_equal(tdiff_form_parse("nonsense"), -1);
	assert_string_equal(tdiff_form_name(TD_FORWARD), "printforward");
}

/* random bytes never crash any decoder */
static void test_garbage(void **state)
{
	unsigned seed = 7;
	int it;
	(void)state;
	for (it = 0; it < 2000; it++) {
		size_t n = 2048 + (size_t)((seed = seed * 1103515245 + 12345) >> 16) % 200, i;
		char *p = malloc(n);
		enum tdiff_form f;

		for (i = 0; i < n; i++)
			p[i] = (char)((seed = seed * 1103515245 + 12345) >> 16);
		/* plausible table of contents: records end somewhere in the file */
		if (it & 1)
			put32(p, (uint32_t)(2048 + (seed >> 8) % (n - 2047)));
		for (f = TD_USERS; f <= TD_CDB; f++) {
			struct diag_sink d;
			buf out = BUF_INIT;

			diag_init(&d);
			assert_true(tdiff_decode(&out, f, p, n, "g", &d) >= 0);
			buf_free(&out);
			diag_free(&d);
		}
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cdbfile_records),
		cmocka_unit_test(test_cdbfile_truncated),
		cmocka_unit_test(test_cdbfile_corrupt),
		cmocka_unit_test(test_users_roundtrip),
		cmocka_unit_test(test_users_problems),
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_forward_problems),
		cmocka_unit_test(test_binlist),
		cmocka_unit_test(test_morercpthosts),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
