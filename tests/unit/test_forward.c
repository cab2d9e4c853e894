/* test_forward - parse/forward (sendmail's reading of ~/.forward) and emit/fwdqmail */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "testutil.h"

#include "../../convert/lib/emit/fwdqmail.h"

static const struct fwdq_opts qopts = {
	"mx.example.test", "./Maildir/", "/var/qmail/bin/preline", "/var/qmail/bin/bouncesaying"
};

/* a root with home/alice (0755) and, if content, home/alice/.forward with mode */
static char *mkroot(const char *content, size_t n, mode_t mode)
{
	char *t = tu_tmpdir(), p[512];

	snprintf(p, sizeof(p), "%s/home", t);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/home/alice", t);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(chmod(t, 0755), 0);
	if (content) {
		tu_writefile(t, "home/alice/.forward", content, n);
		snprintf(p, sizeof(p), "%s/home/alice/.forward", t);
		assert_int_equal(chmod(p, mode), 0);
	}
	return t;
}

static struct forward_user alice(void)
{
	struct forward_user u = { "alice", 0, 0, "/home/alice", "/bin/sh" };

	u.uid = (unsigned long)getuid();
	u.gid = (unsigned long)getgid();
	return u;
}

static int hascode(const struct diag_sink *d, const char *code)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].code, code) == 0)
			return 1;
	return 0;
}

/* conv - read and convert alice's .forward under root; returns fwdq_content's result */
static int conv(const char *root, const struct forward_opts *fo, const struct forward_user *u,
		struct forward_file *f, buf *out, struct diag_sink *d)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY), r;

	assert_true(fd >= 0);
	assert_int_equal(forward_read(fd, u, fo, f, d), 0);
	r = fwdq_content(&qopts, u, f, out, d);
	close(fd);
	return r;
}

static const struct forward_opts fopts = { NULL, "$z/.forward", NULL, 0, NULL };

struct ccase {
	const char *name, *in, *want;	/* want NULL: no .qmail */
	const char *code;		/* a diagnostic that must be there, or NULL */
};

static const struct ccase ccases[] = {
	{ "mapping", "# c\n\nbob, \\alice\n\"|/usr/bin/vacation alice\"\n/tmp/a.mbox\n"
	  "carol@remote.example.net, Root <root>\n",
	  "# from /home/alice/.forward by s2q\n&bob@mx.example.test\n./Maildir/\n"
	  "|/var/qmail/bin/preline sh -c '/usr/bin/vacation alice'\n/tmp/a.mbox\n"
	  "&carol@remote.example.net\n&root@mx.example.test\n", "S2Q-F020" },
	{ "self", "alice, bob\n", "# from /home/alice/.forward by s2q\n./Maildir/\n&bob@mx.example.test\n",
	  NULL },
	/* alice+detail: sendmail reads the .forward again for it, then it is a self reference */
	{ "self detail", "alice+other, alicex\n", "# from /home/alice/.forward by s2q\n./Maildir/\n"
	  "&alicex@mx.example.test\n", "S2Q-F028" },
	{ "crlf", "bob\r\n\\alice\r\n", "# from /home/alice/.forward by s2q\n&bob@mx.example.test\n./Maildir/\n",
	  NULL },
	{ "dupes", "bob, bob, BOB, bob@mx.example.test\n", "# from /home/alice/.forward by s2q\n"
	  "&bob@mx.example.test\n", NULL },
	{ "empty", "", NULL, NULL },
	{ "comments only", "# x\n\n#y\n", NULL, NULL },
	{ "bsother", "\\bob\n", "# from /home/alice/.forward by s2q\n&bob@mx.example.test\n", "S2Q-F022" },
	{ "lone backslash", "bob,\\\n", "# from /home/alice/.forward by s2q\n&bob@mx.example.test\n", NULL },
	{ "route", "@relay.example:u@far.example\n", "# from /home/alice/.forward by s2q\n&u@far.example\n",
	  "S2Q-F023" },
	{ "quote in program", "\"|echo 'x y'\"\n", "# from /home/alice/.forward by s2q\n"
	  "|/var/qmail/bin/preline sh -c 'echo '\\''x y'\\'''\n", "S2Q-F020" },
	{ "maildir path", "/var/spool/x/\n, bob\n", "# from /home/alice/.forward by s2q\n"
	  "&bob@mx.example.test\n", "S2Q-F021" },
	{ "all bad", "error:nouser gone\n", "# from /home/alice/.forward by s2q\n"
	  "|/var/qmail/bin/bouncesaying 'Sorry, no mailbox here by that name. (#5.1.1)'\n", "S2Q-F025" },
	{ "comment marker", "bob #@# a comment\n", "# from /home/alice/.forward by s2q\n"
	  "&bob@mx.example.test\n", NULL },
};

static void test_content(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		const struct ccase *c = &ccases[i];
		char *root = mkroot(c->in, strlen(c->in), 0644);
		struct forward_user u = alice();
		struct forward_file f;
		struct diag_sink d;
		buf out = BUF_INIT;
		int r;

		diag_init(&d);
		r = conv(root, &fopts, &u, &f, &out, &d);
		if (c->want == NULL) {
			assert_int_equal(r, 0);
			assert_int_equal(f.state, FWD_READ);
		} else {
			assert_int_equal(r, 1);
			assert_true(buf_cstr(&out) != NULL);
			if (strcmp(out.s, c->want) != 0)
				fail_msg("%s: got\n%s\nwant\n%s", c->name, out.s, c->want);
		}
		if (c->code && !hascode(&d, c->code))
			fail_msg("%s: no %s", c->name, c->code);
		assert_int_equal(d.nerr, 0);
		buf_free(&out);
		forward_file_free(&f);
		diag_free(&d);
		tu_rmtree(root);
	}
}

/* the safety checks: what sendmail ignores, and the DontBlameSendmail bits */
static void test_checks(void **state)
{
	struct forward_user u = alice();
	struct forward_opts fo = fopts;
	struct forward_file f;
	struct diag_sink d;
	buf out = BUF_INIT;
	char *root, p[512];

	(void)state;
	/* no file */
	root = mkroot(NULL, 0, 0);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_int_equal(f.state, FWD_NONE);
	assert_int_equal(d.n, 0);
	forward_file_free(&f);
	diag_free(&d);
	tu_rmtree(root);

	/* group-writable file: ignored (F004), unless GroupWritableForwardFileSafe */
	root = mkroot("bob\n", 4, 0664);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_int_equal(f.state, FWD_IGNORED);
	assert_string_equal(f.why, "Group writable file");
	assert_true(hascode(&d, "S2Q-F004"));
	forward_file_free(&f);
	diag_free(&d);
	fo.dontblame = FWD_DBS_GW_FORWARD;
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 1);
	forward_file_free(&f);
	diag_free(&d);
	fo.dontblame = 0;
	/* world-writable file: "Group writable file" first, as sendmail says */
	snprintf(p, sizeof(p), "%s/home/alice/.forward", root);
	assert_int_equal(chmod(p, 0646), 0);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_string_equal(f.why, "World writable file");
	assert_true(hascode(&d, "S2Q-F005"));
	forward_file_free(&f);
	diag_free(&d);
	assert_int_equal(chmod(p, 0644), 0);
	/* world-writable home: F008; sticky + TrustStickyBit: read */
	snprintf(p, sizeof(p), "%s/home/alice", root);
	assert_int_equal(chmod(p, 0777), 0);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_string_equal(f.why, "World writable directory");
	assert_true(hascode(&d, "S2Q-F008"));
	forward_file_free(&f);
	diag_free(&d);
	assert_int_equal(chmod(p, 01777), 0);
	fo.dontblame = FWD_DBS_STICKY;
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 1);
	forward_file_free(&f);
	diag_free(&d);
	fo.dontblame = 0;
	/* group-writable home: F007 */
	assert_int_equal(chmod(p, 0775), 0);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_true(hascode(&d, "S2Q-F007"));
	forward_file_free(&f);
	diag_free(&d);
	assert_int_equal(chmod(p, 0755), 0);
	/* owned by someone else (neither the user nor root): F003 */
	if (getuid() == 0) {
		snprintf(p, sizeof(p), "%s/home/alice/.forward", root);
		assert_int_equal(chown(p, 4243, 4243), 0);
		u.uid = 4242;
	} else {
		u.uid = (unsigned long)getuid() + 1;
	}
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_string_equal(f.why, "Permission denied");
	assert_true(hascode(&d, "S2Q-F003"));
	forward_file_free(&f);
	diag_free(&d);
	u = alice();
	tu_rmtree(root);

	/* a directory: F002 */
	root = mkroot(NULL, 0, 0);
	snprintf(p, sizeof(p), "%s/home/alice/.forward", root);
	assert_int_equal(mkdir(p, 0755), 0);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_int_equal(f.state, FWD_IGNORED);
	assert_true(hascode(&d, "S2Q-F002"));
	forward_file_free(&f);
	diag_free(&d);
	tu_rmtree(root);

	/* a link out of the root: error F009, nothing read */
	root = mkroot(NULL, 0, 0);
	snprintf(p, sizeof(p), "%s/home/alice/.forward", root);
	assert_int_equal(symlink("../../../../../../../../etc/passwd", p), 0);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 0);
	assert_true(hascode(&d, "S2Q-F009"));
	assert_int_equal(d.nerr, 1);
	forward_file_free(&f);
	diag_free(&d);
	tu_rmtree(root);
	buf_free(&out);
}

/* ForwardPath: $z, $u, $w; the first file that is read wins */
static void test_forward_path(void **state)
{
	struct forward_user u = alice();
	struct forward_opts fo = { NULL, NULL, "mx.example.test", 0, NULL };
	struct forward_file f;
	struct diag_sink d;
	buf out = BUF_INIT;
	char *root = mkroot("bob\n", 4, 0644);

	(void)state;
	tu_writefile(root, "home/alice/.forward.mx", "carol\n", 6);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 1);
	assert_string_equal(f.path, "/home/alice/.forward.mx");
	forward_file_free(&f);
	diag_free(&d);
	/* no host name: $w entries are reported and skipped */
	fo.hostname = NULL;
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 1);
	assert_string_equal(f.path, "/home/alice/.forward");
	assert_true(hascode(&d, "S2Q-F001"));
	forward_file_free(&f);
	diag_free(&d);
	/* $u */
	fo.forward_path = "/var/forward/$u:$z/.forward";
	tu_writefile(root, "home/alice/x", "", 0);
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/var", root);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/var/forward", root);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	tu_writefile(root, "var/forward/alice", "dave@remote.example\n", 20);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 1);
	assert_string_equal(f.path, "/var/forward/alice");
	assert_true(buf_cstr(&out) != NULL);
	assert_non_null(strstr(out.s, "&dave@remote.example\n"));
	forward_file_free(&f);
	diag_free(&d);
	buf_free(&out);
	tu_rmtree(root);
}

/* :include: lists: read below the root, nested, each once; a missing one warned */
static void test_include(void **state)
{
	struct forward_user u = alice();
	struct aliases_opts ao;
	struct forward_opts fo = fopts;
	struct forward_file f;
	struct diag_sink d;
	buf out = BUF_INIT;
	char *root = mkroot(":include:/lists/a, :include:/lists/missing\n", 43, 0644), p[512];

	(void)state;
	memset(&ao, 0, sizeof(ao));
	fo.ao = &ao;
	snprintf(p, sizeof(p), "%s/lists", root);
	assert_int_equal(mkdir(p, 0755), 0);
	tu_writefile(root, "lists/a", "x@remote.example\n:include:/lists/b\n", 35);
	tu_writefile(root, "lists/b", "y@remote.example, :include:/lists/a\n", 36);
	snprintf(p, sizeof(p), "%s/lists/a", root);
	assert_int_equal(chmod(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/lists/b", root);
	assert_int_equal(chmod(p, 0644), 0);
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 1);
	assert_true(buf_cstr(&out) != NULL);
	assert_string_equal(out.s, "# from /home/alice/.forward by s2q\n&x@remote.example\n"
			    "&y@remote.example\n");
	assert_int_equal(f.nincs, 3);
	assert_non_null(forward_inc_find(&f, "/lists/missing"));
	assert_int_equal(forward_inc_find(&f, "/lists/missing")->missing, 1);
	assert_true(hascode(&d, "S2Q-F015"));
	assert_true(hascode(&d, "S2Q-F026"));
	/* the list's lines */
	assert_int_equal(forward_inc_find(&f, "/lists/a")->list.lines[1], 2);
	forward_file_free(&f);
	diag_free(&d);
	buf_free(&out);
	tu_rmtree(root);
}

/* the shell check: programs and files refused, as sendmail does */
static void test_shell(void **state)
{
	struct forward_user u = alice();
	struct forward_opts fo = fopts;
	struct forward_file f;
	struct diag_sink d;
	struct hset shells;
	buf out = BUF_INIT;
	char *root = mkroot("\"|/bin/prog\", /tmp/f, bob\n", 26, 0644);
	int fd;

	(void)state;
	hset_init(&shells);
	fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(forward_read_shells(fd, &shells), 0);	/* no /etc/shells: built-in */
	close(fd);
	assert_true(hset_get(&shells, "/bin/sh", 7, NULL));
	fo.shells = &shells;
	u.shell = "/usr/sbin/nologin";
	diag_init(&d);
	assert_int_equal(conv(root, &fo, &u, &f, &out, &d), 1);
	assert_true(buf_cstr(&out) != NULL);
	assert_string_equal(out.s, "# from /home/alice/.forward by s2q\n&bob@mx.example.test\n");
	assert_true(hascode(&d, "S2Q-F011"));
	forward_file_free(&f);
	diag_free(&d);
	hset_free(&shells);
	buf_free(&out);
	tu_rmtree(root);
}

static void test_relpath(void **state)
{
	static const struct {
		const char *home, *want;
	} t[] = {
		{ "/home/alice", "home/alice/.qmail" },
		{ "/home/alice/", "home/alice/.qmail" },
		{ "//srv//x", NULL },
		{ "//srv/x", "srv/x/.qmail" },
		{ "/", NULL },
		{ "home/alice", NULL },
		{ "/home/../etc", NULL },
		{ "/home/./a", NULL },
		{ "/home/a\nb", NULL },
		{ "", NULL },
	};
	buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = fwdq_relpath(&out, t[i].home);

		if (t[i].want == NULL) {
			assert_int_equal(r, -1);
			assert_int_equal(errno, EINVAL);
		} else {
			assert_int_equal(r, 0);
			assert_string_equal(out.s, t[i].want);
		}
	}
	buf_free(&out);
}

/* fwdq_user: written below OUTROOT 0644; a planted link is never followed */
static void test_user_write(void **state)
{
	struct forward_user u = alice();
	struct forward_opts fo = fopts;
	struct fwdq_result res;
	struct diag_sink d;
	char *root = mkroot("bob\n", 4, 0644), *out = tu_tmpdir(), p[512], *c;
	struct stat st;
	size_t n;
	int sfd, ofd;

	(void)state;
	sfd = open(root, O_RDONLY | O_DIRECTORY);
	ofd = open(out, O_RDONLY | O_DIRECTORY);
	assert_true(sfd >= 0 && ofd >= 0);
	fwdq_result_init(&res);
	diag_init(&d);
	/* check mode: nothing written */
	assert_int_equal(fwdq_user(sfd, &u, &fo, &qopts, -1, &res, &d), 0);
	assert_int_equal(res.need, 1);
	assert_int_equal(res.written, 0);
	assert_string_equal(res.rel.s, "home/alice/.qmail");
	assert_null(tu_readfile(out, "home/alice/.qmail", &n));
	assert_int_equal(fwdq_user(sfd, &u, &fo, &qopts, ofd, &res, &d), 0);
	assert_int_equal(res.written, 1);
	c = tu_readfile(out, "home/alice/.qmail", &n);
	assert_non_null(c);
	assert_int_equal(n, res.content.len);
	assert_memory_equal(c, res.content.s, n);
	free(c);
	snprintf(p, sizeof(p), "%s/home/alice/.qmail", out);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* a link planted at OUTROOT/home: the write fails, nothing outside */
	snprintf(p, sizeof(p), "rm -rf '%s/home' && ln -s '%s/home' '%s/home'", out, root, out);
	assert_int_equal(system(p), 0);
	errno = 0;
	assert_int_equal(fwdq_user(sfd, &u, &fo, &qopts, ofd, &res, &d), -1);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	assert_null(tu_readfile(root, "home/alice/.qmail", &n));
	/* a home that cannot be placed: error, nothing written */
	u.home = "/";
	tu_writefile(root, ".forward", "bob\n", 4);
	assert_int_equal(fwdq_user(sfd, &u, &fo, &qopts, ofd, &res, &d), 0);
	assert_int_equal(res.errors, 1);
	assert_int_equal(res.written, 0);
	assert_true(hascode(&d, "S2Q-F033"));
	diag_free(&d);
	fwdq_result_free(&res);
	close(sfd);
	close(ofd);
	tu_rmtree(root);
	tu_rmtree(out);
}

/* aliases_read_list: the include reader exposed, with line numbers */
static void test_read_list(void **state)
{
	static const char in[] = "# c\na, b\n\n  c\r\nd #@# e\n";
	struct alias_list l;
	struct diag_sink d;
	int fd;
	char *dir = tu_tmpdir(), p[512];

	(void)state;
	tu_writefile(dir, "l", in, sizeof(in) - 1);
	snprintf(p, sizeof(p), "%s/l", dir);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	diag_init(&d);
	assert_int_equal(aliases_read_list(fd, "l", NULL, &d, &l), 0);
	assert_int_equal(l.nelems, 4);
	assert_string_equal(alias_elem_text(&l.elems[0]), "a");
	assert_int_equal(l.lines[0], 2);
	assert_int_equal(l.lines[1], 2);
	assert_string_equal(alias_elem_text(&l.elems[2]), "c");
	assert_int_equal(l.lines[2], 4);
	assert_string_equal(alias_elem_text(&l.elems[3]), "d");
	assert_int_equal(l.lines[3], 5);
	alias_list_free(&l);
	diag_free(&d);
	close(fd);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_forward_path),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_relpath),
		cmocka_unit_test(test_user_write),
		cmocka_unit_test(test_read_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
