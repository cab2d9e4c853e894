/*
 * test_pw2u - passwd -> users/assign as qmail-pw2u writes it.  The expected
 * lines are written by hand from the rules in ../shared/ref/qmail.md §1.6
 * (qmail-pw2u.c:doaccount(), verified there against the real program): no
 * output of this module was copied into them.
 */
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>

#include "../../convert/lib/emit/pw2u.h"

/* homes: "path=uid" words; a path not listed is ENOENT, "path=!" is EACCES */
static int fake_stat(void *ctx, const char *home, unsigned long *uid)
{
	const char *t = ctx;
	size_t n = strlen(home);

	while (t && *t) {
		const char *sp = strchr(t, ' ');
		size_t wl = sp ? (size_t)(sp - t) : strlen(t);

		if (wl > n && memcmp(t, home, n) == 0 && t[n] == '=') {
			if (t[n + 1] == '!') {
				errno = EACCES;
				return -1;
			}
			*uid = strtoul(t + n + 1, NULL, 10);
			return 0;
		}
		t += wl;
		while (*t == ' ')
			t++;
	}
	errno = ENOENT;
	return -1;
}

static const struct row {
	const char *label;
	const char *in;		/* one passwd line */
	size_t inlen;		/* 0: strlen */
	const char *opts;	/* letters: u (-u), H, h, C, / */
	const char *homes;
	int want;		/* verdict */
	const char *out;
} rows[] = {
	{ "plain account", "joe:x:503:78:Joe:/home/joe:/bin/sh\n", 0, "", "/home/joe=503",
	  PW2U_TAKEN, "=joe:joe:503:78:/home/joe:::\n+joe-:joe:503:78:/home/joe:-::\n" },
	{ "no trailing newline", "joe:x:503:78::/home/joe:", 0, "", "/home/joe=503", PW2U_TAKEN,
	  "=joe:joe:503:78:/home/joe:::\n+joe-:joe:503:78:/home/joe:-::\n" },
	{ "alias user gets the catch-all first", "alias:*:7790:2108::/var/qmail/alias:/bin/true\n", 0,
	  "", "/var/qmail/alias=7790", PW2U_TAKEN,
	  "+:alias:7790:2108:/var/qmail/alias:-::\n=alias:alias:7790:2108:/var/qmail/alias:::\n"
	  "+alias-:alias:7790:2108:/var/qmail/alias:-::\n" },
	{ "root is skipped", "root:x:0:0:root:/root:/bin/bash\n", 0, "", "/root=0", PW2U_SKIP_UID0, "" },
	{ "uid without digits is 0", "odd:x:abc:1::/h:\n", 0, "", "/h=0", PW2U_SKIP_UID0, "" },
	{ "uid junk after digits: text copied, value compared", "odd:x:12abc:1::/h:\n", 0, "", "/h=12",
	  PW2U_TAKEN, "=odd:odd:12abc:1:/h:::\n+odd-:odd:12abc:1:/h:-::\n" },
	{ "gid copied as text", "g:x:5:staff::/h:\n", 0, "", "/h=5", PW2U_TAKEN,
	  "=g:g:5:staff:/h:::\n+g-:g:5:staff:/h:-::\n" },
	{ "upper case skipped", "Joe:x:503:78::/home/joe:\n", 0, "", "/home/joe=503", PW2U_SKIP_UPPER, "" },
	{ "upper case allowed with -u", "Joe:x:503:78::/home/joe:\n", 0, "u", "/home/joe=503",
	  PW2U_TAKEN, "=Joe:Joe:503:78:/home/joe:::\n+Joe-:Joe:503:78:/home/joe:-::\n" },
	{ "missing home skipped (-o)", "joe:x:503:78::/home/joe:\n", 0, "", "", PW2U_SKIP_NOHOME, "" },
	{ "missing home fatal (-h)", "joe:x:503:78::/home/joe:\n", 0, "h", "", PW2U_FATAL_HOME, "" },
	{ "stat error fatal (-o)", "joe:x:503:78::/home/joe:\n", 0, "", "/home/joe=!", PW2U_FATAL_HOME, "" },
	{ "home of someone else skipped", "joe:x:503:78::/home/joe:\n", 0, "", "/home/joe=504",
	  PW2U_SKIP_OWNER, "" },
	{ "no home check (-H)", "joe:x:503:78::/nonexistent:\n", 0, "H", "", PW2U_TAKEN,
	  "=joe:joe:503:78:/nonexistent:::\n+joe-:joe:503:78:/nonexistent:-::\n" },
	{ "no extensions (-C)", "joe:x:503:78::/h:\n", 0, "C", "/h=503", PW2U_TAKEN,
	  "=joe:joe:503:78:/h:::\n" },
	{ "dash slash (-/)", "joe:x:503:78::/h:\n", 0, "/", "/h=503", PW2U_TAKEN,
	  "=joe:joe:503:78:/h:::\n+joe-:joe:503:78:/h:-/::\n" },
	{ "alias with -/", "alias:x:7:7::/a:\n", 0, "/", "/a=7", PW2U_TAKEN,
	  "+:alias:7:7:/a:-/::\n=alias:alias:7:7:/a:::\n+alias-:alias:7:7:/a:-/::\n" },
	{ "five colons: no field after home", "joe:x:503:78::/h\n", 0, "", "/h=503", PW2U_SKIP_FORMAT, "" },
	{ "comment line", "# joe:x:503:78::/h\n", 0, "", "/h=503", PW2U_SKIP_FORMAT, "" },
	{ "comment line with enough colons is an account", "#c:x:5:5::/h:\n", 0, "", "/h=5", PW2U_TAKEN,
	  "=#c:#c:5:5:/h:::\n+#c-:#c:5:5:/h:-::\n" },
	{ "blank line", "\n", 0, "", "", PW2U_SKIP_FORMAT, "" },
	{ "nul", "jo\0e:x:503:78::/h:\n", 19, "", "/h=503", PW2U_SKIP_FORMAT, "" },
	{ "extra fields ignored", "joe:x:503:78::/h:/bin/sh:x:y\n", 0, "", "/h=503", PW2U_TAKEN,
	  "=joe:joe:503:78:/h:::\n+joe-:joe:503:78:/h:-::\n" },
	{ "crlf: the \\r stays in the shell", "joe:x:503:78::/h:/bin/sh\r\n", 0, "", "/h=503", PW2U_TAKEN,
	  "=joe:joe:503:78:/h:::\n+joe-:joe:503:78:/h:-::\n" },
	{ "empty name: nothing printed", ":x:5:5::/h:\n", 0, "", "/h=5", PW2U_SKIP_FORMAT, "" },
	{ "dots and dashes kept", "a.b-c:x:9:9::/h:\n", 0, "", "/h=9", PW2U_TAKEN,
	  "=a.b-c:a.b-c:9:9:/h:::\n+a.b-c-:a.b-c:9:9:/h:-::\n" },
};

static void opts_for(struct pw2u_opts *o, const char *letters, const char *homes)
{
	memset(o, 0, sizeof(*o));
	o->alias_user = "alias";
	o->brk = '-';
	o->home = PW2U_HOME_SKIP;
	o->stat_home = fake_stat;
	o->ctx = (void *)homes;
	for (; *letters; letters++)
		switch (*letters) {
		case 'u': o->allow_upper = 1; break;
		case 'H': o->home = PW2U_HOME_IGNORE; break;
		case 'h': o->home = PW2U_HOME_STOP; break;
		case 'C': o->brk = 0; break;
		case '/': o->dash_slash = 1; break;
		}
}

static void test_rows(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct pw2u_opts o;
		buf out = BUF_INIT;
		int alias, v;

		opts_for(&o, r->opts, r->homes);
		v = pw2u_line(&o, r->in, r->inlen ? r->inlen : strlen(r->in), &out, &alias);
		if (v != r->want || !buf_eq(&out, r->out, strlen(r->out))) {
			fprintf(stderr, "row '%s': verdict %d (want %d), out:\n%.*s--\n", r->label, v,
				r->want, (int)out.len, out.s ? out.s : "");
			bad++;
		}
		buf_free(&out);
	}
	assert_int_equal(bad, 0);
}

/* a whole file through the real stat(2): homes made in a scratch dir */
static void test_real_stat(void **state)
{
	char *dir = tu_tmpdir(), line[1024];
	struct pw2u_opts o;
	buf out = BUF_INIT, want = BUF_INIT;
	int alias;
	struct stat st;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.alias_user = "alias";
	o.brk = '-';
	o.home = PW2U_HOME_SKIP;
	snprintf(line, sizeof(line), "%s/a", dir);
	assert_int_equal(mkdir(line, 0755), 0);
	assert_int_equal(stat(line, &st), 0);
	snprintf(line, sizeof(line), "u:x:%lu:1::%s/a:\n", (unsigned long)st.st_uid + 1, dir);
	assert_int_equal(pw2u_line(&o, line, strlen(line), &out, &alias), PW2U_SKIP_OWNER);
	snprintf(line, sizeof(line), "u:x:4321:1::%s/missing:\n", dir);
	assert_int_equal(pw2u_line(&o, line, strlen(line), &out, &alias), PW2U_SKIP_NOHOME);
	if (st.st_uid != 0) {
		snprintf(line, sizeof(line), "u:x:%lu:1::%s/a:\n", (unsigned long)st.st_uid, dir);
		assert_int_equal(pw2u_line(&o, line, strlen(line), &out, &alias), PW2U_TAKEN);
	} else {
		/* as root: chown the home to a non-zero uid */
		snprintf(line, sizeof(line), "%s/a", dir);
		assert_int_equal(chown(line, 4321, 4321), 0);
		snprintf(line, sizeof(line), "alias:x:4321:7::%s/a:\n", dir);
		assert_int_equal(pw2u_line(&o, line, strlen(line), &out, &alias), PW2U_TAKEN);
		assert_int_equal(alias, 1);
		buf_printf(&want, "+:alias:4321:7:%s/a:-::\n=alias:alias:4321:7:%s/a:::\n"
			   "+alias-:alias:4321:7:%s/a:-::\n", dir, dir, dir);
		assert_true(buf_eq(&out, want.s, want.len));
	}
	buf_free(&out);
	buf_free(&want);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_real_stat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
