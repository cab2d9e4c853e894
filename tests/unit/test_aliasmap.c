/* test_aliasmap - sendmail alias meaning -> qmail/fastforward tree, on hand-built alias tables */
#include "testutil.h"

#include <cdb.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../convert/lib/emit/aliasmap.h"

/*
 * An alias is written "name: e1, e2" with elements classified by their
 * first characters, as the parser would ("|prog", "/file",
 * ":include:path", "\\user", "error:text", else an address); the local
 * name of an address is set when it has no '@' or its domain is
 * "mx.example.com" or "example.com".  A list is "@/path: e1, e2" (or
 * "@/path!" for one that could not be read), its members at that line of
 * the list file /path.  Lines are numbered from 1.
 */
struct tcase {
	const char *label;
	int style;		/* AMAP_* */
	int passwd;		/* use the logins below */
	int noids;		/* no alias uid/gid */
	int noplus;
	const char *in;		/* lines separated by '\n' */
	const char *refused;	/* names sendmail refuses (verdicts), space separated */
	const char *codes;	/* "CODE@line ...", "CODE@/list:line" for a list's member */
	const char *cdb;	/* dump of aliases.cdb ("" none written), NUL shown as '0' */
	const char *files;	/* "path=content\x01path=content..." under the root, except the cdb */
};

static const struct tcase cases[] = {
	{ "plain, remote, dotless", AMAP_FASTFORWARD, 0, 0, 0,
	  "sales: alice, Bob\nroot: ops@example.net, joe@host, x@[10.0.0.1], y@example.com",
	  NULL, "S2Q-A112@0 S2Q-A121@2",
	  ":sales@=&Bob@mx.example.com0&alice@mx.example.com0;"
	  ":root@=&y@example.com0&x@[10.0.0.1]0&joe@host.example.com0&ops@example.net0;",
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -p -d /etc/aliases.cdb\n|PLUS\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "newaliases order", AMAP_FASTFORWARD, 0, 0, 1,
	  "l4: a, \"|p\", :include:/x, b, c\n@/x: d",
	  NULL, "S2Q-A112@0 S2Q-A101@1",
	  ":l4@=&c@mx.example.com0/x.bin0!p0&b@mx.example.com0&a@mx.example.com0;",
	  "x.bin=&d@mx.example.com^@\001"
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "file, devnull, mixed", AMAP_FASTFORWARD, 0, 0, 1,
	  "archive: /var/mail/archive\nnobody: /dev/null\nm: /var/x, bob, /dev/null",
	  NULL, "S2Q-A112@0 S2Q-A102@1 S2Q-A103@2 S2Q-A102@3 S2Q-A103@3",
	  ":m@=&bob@mx.example.com0;",
	  "var/qmail/alias/.qmail-archive=/var/mail/archive\n\001"
	  "var/qmail/alias/.qmail-nobody=# discarded: sendmail delivered to /dev/null\n\001"
	  "var/qmail/alias/.qmail-m=/var/x\n|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "error alone and mixed", AMAP_FASTFORWARD, 0, 0, 1,
	  "gone: error:nouser gone away\nmix: bob, error:x",
	  NULL, "S2Q-A112@0 S2Q-A104@1 S2Q-A104@2 S2Q-A105@2",
	  ":mix@=&bob@mx.example.com0;",
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "backslash user, alias over login", AMAP_FASTFORWARD, 1, 0, 0,
	  "alice: \\alice, alice@home.example.net\nfwd: \\bob\nbad: \\nosuch, carol",
	  NULL, "S2Q-A111@1 S2Q-A109@1 S2Q-A109@2 S2Q-A107@3 S2Q-A105@3 S2Q-A127@1 S2Q-A127@2",
	  ":alice@=&alice@home.example.net0&\\alice@mx.example.com0;"
	  ":fwd@=&bob@mx.example.com0;:bad@=&carol@mx.example.com0;",
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -p -d /etc/aliases.cdb\n|PLUS\n\001"
	  "var/qmail/users/assign.aliases="
	  "=alice:alias:7790:2108:/var/qmail/alias:-:alice:\n"
	  "+alice+:alias:7790:2108:/var/qmail/alias:-:alice+:\n"
	  "=\\alice:alice:2001:2001:/home/alice:::\n" },
	{ "self reference", AMAP_FASTFORWARD, 1, 0, 1,
	  "bob: bob, carol\nghost: ghost, carol",
	  NULL, "S2Q-A111@1 S2Q-A110@1 S2Q-A110@2 S2Q-A107@2 S2Q-A105@2 S2Q-A127@1 "
		"S2Q-A127@2",
	  ":bob@=&carol@mx.example.com0&\\bob@mx.example.com0;:ghost@=&carol@mx.example.com0;",
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases="
	  "=bob:alias:7790:2108:/var/qmail/alias:-:bob:\n"
	  "=\\bob:bob:2002:2002:/home/bob:::\n" },
	{ "self reference without passwd", AMAP_FASTFORWARD, 0, 0, 1,
	  "bob: bob, carol", NULL, "S2Q-A112@0 S2Q-A110@1 S2Q-A108@1", "", "" },
	{ "root and logins by prefix", AMAP_FASTFORWARD, 1, 0, 1,
	  "x: \\root\nbob-list: carol\nbob+news: carol",
	  NULL, "S2Q-A106@1 S2Q-A111@2 S2Q-A111@3 S2Q-A127@1 S2Q-A127@2", "", "" },
	{ "alias ids needed", AMAP_FASTFORWARD, 1, 1, 1,
	  "bob: carol\nalice: carol", NULL, "S2Q-A126@1 S2Q-A127@1 S2Q-A127@2", "", "" },
	{ "owner", AMAP_FASTFORWARD, 0, 0, 1,
	  "list: a, b\nowner-list: listadmin\nl2: c\nowner-l2: a, b\nowner-none: x",
	  NULL, "S2Q-A112@0",
	  ":list@=&b@mx.example.com0&a@mx.example.com0;"
	  "?list@=listadmin@mx.example.com;:owner-list@=&listadmin@mx.example.com0;"
	  ":l2@=&c@mx.example.com0;"
	  "?l2@=owner-l2@mx.example.com;:owner-l2@=&b@mx.example.com0&a@mx.example.com0;"
	  ":owner-none@=&x@mx.example.com0;",
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "include with program and file", AMAP_FASTFORWARD, 0, 0, 1,
	  "staff: :include:/etc/staff, bob\n@/etc/staff: carol, \"|/bin/p\", /var/f, :include:/etc/n, "
	  "error:x\n@/etc/n: dave, /dev/null",
	  NULL, "S2Q-A112@0 S2Q-A101@/etc/staff:2 S2Q-A102@/etc/staff:2 S2Q-A103@/etc/n:3 "
	  "S2Q-A104@/etc/staff:2 S2Q-A105@/etc/staff:2 S2Q-A120@1",
	  ":staff@=!/bin/p0/etc/staff.bin0&bob@mx.example.com0;",
	  "etc/n.bin=&dave@mx.example.com^@\001"
	  "etc/staff.bin=&carol@mx.example.com^@/etc/n.bin^@\001"
	  "var/qmail/alias/.qmail-staff=/var/f\n|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "unreadable and relative lists", AMAP_FASTFORWARD, 0, 0, 1,
	  "a: :include:/etc/gone\nb: :include:rel\n@/etc/gone!\n@rel: x",
	  NULL, "S2Q-A112@0 S2Q-A119@1 S2Q-A118@2", "", "" },
	{ "names", AMAP_FASTFORWARD, 0, 0, 1,
	  "\"q u\": y\n\"joe\": a\njoe: b\na/b: /var/x\nlist-default: /var/y\n\"\": z",
	  NULL, "S2Q-A112@0 S2Q-A114@3 S2Q-A102@4 S2Q-A115@4 S2Q-A102@5 S2Q-A116@5 S2Q-A115@6",
	  "", "" },
	{ "names cdb only", AMAP_FASTFORWARD, 0, 0, 1,
	  "a/b: x\nlist-default: y\ndefault: z\nJoe.Smith: w",
	  NULL, "S2Q-A112@0",
	  ":a/b@=&x@mx.example.com0;:list-default@=&y@mx.example.com0;:default@=&z@mx.example.com0;"
	  ":joe.smith@=&w@mx.example.com0;",
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "refused by sendmail", AMAP_FASTFORWARD, 0, 0, 1,
	  "la: lb\nlb: la\nok: x", "la lb", "S2Q-A112@0 S2Q-A122@1 S2Q-A122@2",
	  ":ok@=&x@mx.example.com0;",
	  "var/qmail/alias/.qmail-default=|/usr/bin/fastforward -d /etc/aliases.cdb\n\001"
	  "var/qmail/users/assign.aliases=" },
	{ "bad targets", AMAP_FASTFORWARD, 0, 0, 1,
	  "a: @x.example\nb: /var/mail/",
	  NULL, "S2Q-A112@0 S2Q-A123@1 S2Q-A124@2", "", "" },
	{ "dotqmail", AMAP_DOTQMAIL, 1, 0, 0,
	  "sales: alice, Bob\nsupport: \"|/bin/t x\"\narchive: /var/a, carol@x.example\n"
	  "gone: error:x\nnobody: /dev/null\nstaff: :include:/etc/staff\nowner-staff: a, b\n"
	  "alice: \\alice\n@/etc/staff: dave, \"|/bin/p\", /var/f",
	  NULL, "S2Q-A101@2 S2Q-A102@3 S2Q-A104@4 S2Q-A103@5 S2Q-A120@6 S2Q-A101@/etc/staff:9 "
		"S2Q-A102@/etc/staff:9 S2Q-A113@7 S2Q-A111@8 S2Q-A109@8 S2Q-A127@1 S2Q-A127@2",
	  "",
	  "var/qmail/alias/.qmail-sales=&alice@mx.example.com\n&Bob@mx.example.com\n\001"
	  "var/qmail/alias/.qmail-support=|/var/qmail/bin/preline sh -c '/bin/t x'\n\001"
	  "var/qmail/alias/.qmail-archive=/var/a\n&carol@x.example\n\001"
	  "var/qmail/alias/.qmail-nobody=# discarded: sendmail delivered to /dev/null\n\001"
	  "var/qmail/alias/.qmail-staff=&dave@mx.example.com\n|/var/qmail/bin/preline sh -c /bin/p\n"
	  "/var/f\n\001"
	  "var/qmail/alias/.qmail-owner-staff=&a@mx.example.com\n&b@mx.example.com\n\001"
	  "var/qmail/alias/.qmail-staff-owner=&owner-staff@mx.example.com\n\001"
	  "var/qmail/alias/.qmail-alice=&\\alice@mx.example.com\n\001"
	  "var/qmail/alias/.qmail-default=|PLUS\n\001"
	  "var/qmail/users/assign.aliases="
	  "=alice:alias:7790:2108:/var/qmail/alias:-:alice:\n"
	  "+alice+:alias:7790:2108:/var/qmail/alias:-:alice+:\n"
	  "=\\alice:alice:2001:2001:/home/alice:::\n" },
	{ "dotqmail names", AMAP_DOTQMAIL, 0, 0, 1,
	  "default: x\nx-owner: y\nx: z", NULL, "S2Q-A112@0 S2Q-A116@1 S2Q-A117@2", "", "" },
};

static struct alias_elem_src *mkelems(char *spec, size_t *n)
{
	struct alias_elem_src *v = calloc(64, sizeof(*v));
	char *p = spec, *e, *t, *l;

	assert_non_null(v);
	*n = 0;
	while (*p) {
		struct alias_elem_src *m = &v[(*n)++];
		char *at;

		e = strstr(p, ", ");
		if (e)
			*e = '\0';
		m->raw = p;
		m->text = p;
		if (*p == '"' && p[1] == '|') {
			m->kind = ALIAS_PROG;
			m->text = t = p + 2;
			t[strlen(t) - 1] = '\0';
		} else if (*p == '|') {
			m->kind = ALIAS_PROG;
			m->text = p + 1;
		} else if (*p == '/') {
			m->kind = ALIAS_FILE;
		} else if (strncmp(p, ":include:", 9) == 0) {
			m->kind = ALIAS_INCLUDE;
			m->text = p + 9;
		} else if (*p == '\\') {
			m->kind = ALIAS_LOCAL;
			m->text = p + 1;
			m->local = p + 1;
		} else if (strncmp(p, "error:", 6) == 0) {
			m->kind = ALIAS_ERROR;
			m->text = p + 6;
		} else {
			m->kind = ALIAS_ADDR;
			at = strrchr(p, '@');
			if (at == NULL || strcmp(at, "@mx.example.com") == 0 || strcmp(at, "@example.com") == 0) {
				m->local = l = strdup(p);
				assert_non_null(l);
				if (at)
					l[at - p] = '\0';
				for (at = l; *at; at++)
					if (*at >= 'A' && *at <= 'Z')
						*at = (char)(*at - 'A' + 'a');
			}
		}
		if (!e)
			break;
		p = e + 2;
	}
	return v;
}

static void freeelems(struct alias_elem_src *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].kind == ALIAS_ADDR)
			free((char *)v[i].local);
	free(v);
}

static void build(struct alias_table *t, const char *in)
{
	char *copy = strdup(in), *line, *next, *colon;
	unsigned long ln = 0;
	size_t idx, same, first, n;
	struct alias_elem_src *v;

	assert_non_null(copy);
	assert_int_equal(alias_table_addfile(t, "aliases", &idx), 0);
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		ln++;
		if (line[0] == '@') {
			size_t len = strlen(line);

			if (line[len - 1] == '!') {
				line[len - 1] = '\0';
				assert_true(alias_table_addinc(t, line + 1, NULL, NULL, NULL, 0, 1, &idx) >= 0);
				continue;
			}
			unsigned long *lines;
			size_t k;

			colon = strchr(line, ':');
			*colon = '\0';
			v = mkelems(colon + 2, &n);
			/* every member at this line of the test (the parser gives each its own) */
			lines = calloc(n ? n : 1, sizeof(*lines));
			assert_non_null(lines);
			for (k = 0; k < n; k++)
				lines[k] = ln;
			assert_true(alias_table_addinc(t, line + 1, line + 1, v, lines, n, 0, &idx) >= 0);
			free(lines);
			freeelems(v, n);
			continue;
		}
		colon = strchr(line, ':');
		*colon = '\0';
		{
			char *name = strdup(line), *val = strdup(colon + 2), *q;

			for (q = name; *q; q++)
				if (*q >= 'A' && *q <= 'Z')
					*q = (char)(*q - 'A' + 'a');
			v = mkelems(colon + 2, &n);
			assert_true(alias_table_add(t, name, strlen(name), val, strlen(val), v, n, ln, ln,
						    &same, &first) >= 0);
			freeelems(v, n);
			free(name);
			free(val);
		}
	}
	free(copy);
}

static void dump_cdb(const char *path, buf *out)
{
	struct cdb c;
	unsigned pos;
	int fd = open(path, O_RDONLY);

	buf_reset(out);
	if (fd < 0) {
		buf_append_c(out, '\0');
		return;
	}
	assert_int_equal(cdb_init(&c, fd), 0);
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const char *k = cdb_getkey(&c), *v = cdb_getdata(&c);
		unsigned i;

		for (i = 0; i < cdb_keylen(&c); i++)
			buf_append_c(out, k[i]);
		buf_append_c(out, '=');
		for (i = 0; i < cdb_datalen(&c); i++)
			buf_append_c(out, v[i] ? v[i] : '0');
		buf_append_c(out, ';');
	}
	buf_append_c(out, '\0');
	cdb_free(&c);
	close(fd);
}

/* every regular file under dir except etc/aliases.cdb, sorted, as "path=content\001" */
static void walk(const char *dir, const char *rel, char **names, size_t *n)
{
	char path[1024];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char sub[512];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
		assert_int_equal(lstat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			walk(dir, sub, names, n);
		} else if (strcmp(sub, "etc/aliases.cdb") != 0) {
			assert_int_equal(st.st_mode & 07777, 0644);
			names[(*n)++] = strdup(sub);
		}
	}
	closedir(d);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* by path: the part before the first '=' */
static int cmppath(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
	int c = strncmp(x, y, nx < ny ? nx : ny);

	return c ? c : (nx > ny) - (nx < ny);
}

static void expected_files(const char *spec, const char *plus, buf *out)
{
	/* the spec in sorted path order, with PLUS replaced by the +detail program */
	char *copy = malloc(strlen(spec) + 1), *items[64], *p, *e;
	size_t n = 0, i;

	assert_non_null(copy);
	memcpy(copy, spec, strlen(spec) + 1);
	for (p = copy; *p; p = e + 1) {
		e = strchr(p, '\001');
		items[n++] = p;
		if (!e)
			break;
		*e = '\0';
	}
	qsort(items, n, sizeof(items[0]), cmppath);
	buf_reset(out);
	for (i = 0; i < n; i++) {
		for (p = items[i]; *p; p++) {
			if (strncmp(p, "|PLUS\n", 6) == 0) {
				buf_append_s(out, plus);
				p += 5;
			} else {
				buf_append_c(out, *p);
			}
		}
		buf_append_c(out, '\001');
	}
	buf_append_c(out, '\0');
	free(copy);
}

static void actual_files(const char *dir, buf *out)
{
	char *names[256];
	size_t n = 0, i, len = 0, k;

	walk(dir, "", names, &n);
	qsort(names, n, sizeof(names[0]), cmpstr);
	buf_reset(out);
	for (i = 0; i < n; i++) {
		char *c = tu_readfile(dir, names[i], &len);

		buf_append_s(out, names[i]);
		buf_append_c(out, '=');
		/* lists hold NULs: shown as ^@ */
		for (k = 0; k < len; k++)
			if (c[k])
				buf_append_c(out, c[k]);
			else
				buf_append_s(out, "^@");
		buf_append_c(out, '\001');
		free(c);
		free(names[i]);
	}
	buf_append_c(out, '\0');
}

static void set_logins(struct amap_logins *l)
{
	amap_logins_init(l);
	assert_int_equal(amap_logins_add(l, "root", 0, 0, "/root", 1), 1);
	assert_int_equal(amap_logins_add(l, "toor", 0, 0, "/root", 2), 1);
	assert_int_equal(amap_logins_add(l, "alice", 2001, 2001, "/home/alice", 3), 1);
	assert_int_equal(amap_logins_add(l, "bob", 2002, 2002, "/home/bob", 4), 1);
	assert_int_equal(amap_logins_add(l, "bob", 9, 9, "/x", 5), 0);
}

static void run_case(const struct tcase *k)
{
	static const char *const doms[] = { "mx.example.com", "example.com" };
	struct amap_opts o;
	struct alias_table t;
	struct amap_logins l;
	struct amap_result r;
	struct diag_sink d;
	unsigned char *verd = NULL;
	buf codes = BUF_INIT, got = BUF_INIT, want = BUF_INIT, plus = BUF_INIT;
	char *dir = tu_tmpdir(), path[600];
	size_t i, len;
	int fd, rc;

	memset(&o, 0, sizeof(o));
	o.style = (enum amap_style)k->style;
	o.me = "mx.example.com";
	o.defaultdomain = "example.com";
	o.local_domains = doms;
	o.nlocal_domains = 2;
	o.have_passwd = k->passwd;
	o.passwd_file = "passwd";
	o.alias_user = "alias";
	o.alias_uid = k->noids ? 0 : 7790;
	o.alias_gid = k->noids ? 0 : 2108;
	o.alias_home = "/var/qmail/alias";
	o.assign_path = "/var/qmail/users/assign.aliases";
	o.cdb_path = "/etc/aliases.cdb";
	o.fastforward = "/usr/bin/fastforward";
	o.forward = "/var/qmail/bin/forward";
	o.preline = "/var/qmail/bin/preline";
	o.plus = !k->noplus;
	alias_table_init(&t);
	build(&t, k->in);
	set_logins(&l);
	if (k->refused) {
		verd = calloc(t.nents, 1);
		for (i = 0; i < t.nents; i++) {
			const char *p = strstr(k->refused, t.ents[i].name);

			len = strlen(t.ents[i].name);
			if (p && (p[len] == ' ' || p[len] == '\0'))
				verd[i] = 1;
		}
	}
	memset(&r, 0, sizeof(r));
	diag_init(&d);
	rc = amap_run(&o, &t, &l, verd, -1, &d, &r);
	assert_int_equal(rc, 0);
	for (i = 0; i < d.n; i++)
		/* CODE@LINE, CODE@/LIST:LINE for a list's member (a list's path is absolute) */
		buf_printf(&codes, "%s%s@%s%s%lu", i ? " " : "", d.v[i].code,
			   d.v[i].file && d.v[i].file[0] == '/' ? d.v[i].file : "",
			   d.v[i].file && d.v[i].file[0] == '/' ? ":" : "", d.v[i].line);
	buf_append_c(&codes, '\0');
	if (strcmp(codes.s, k->codes) != 0) {
		for (i = 0; i < d.n; i++)
			print_message("%s: %s\n", d.v[i].code, d.v[i].msg);
		fail_msg("%s: codes '%s', want '%s'", k->label, codes.s, k->codes);
	}
	if (d.nerr == 0) {
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		assert_true(fd >= 0);
		rc = amap_run(&o, &t, &l, verd, fd, NULL, &r);
		if (rc == 0)
			rc = amap_publish(&r);
		close(fd);
		if (rc != 0)
			fail_msg("%s: write: %s: %s", k->label, r.where.s, strerror(errno));
		snprintf(path, sizeof(path), "%s/etc/aliases.cdb", dir);
		dump_cdb(path, &got);
		if (strcmp(got.s, k->cdb) != 0)
			fail_msg("%s: cdb\n%s\nwant\n%s", k->label, got.s, k->cdb);
		assert_int_equal(amap_default_qmail(&plus, &o), 0);
		buf_cstr(&plus);
		/* the +detail line (the one starting "|b=") of .qmail-default */
		{
			char *pl = plus.len ? strstr(plus.s, "|b=") : NULL;

			buf_reset(&want);
			buf_append_s(&want, pl ? pl : "");
			buf_cstr(&want);
			buf_copy(&plus, want.s, want.len);
			buf_cstr(&plus);
		}
		expected_files(k->files, plus.s ? plus.s : "\n", &want);
		actual_files(dir, &got);
		if (strcmp(got.s, want.s) != 0) {
			tu_writefile("/tmp", "s2q-aliasmap.got", got.s, strlen(got.s));
			tu_writefile("/tmp", "s2q-aliasmap.want", want.s, strlen(want.s));
			fail_msg("%s: files differ (/tmp/s2q-aliasmap.got, .want)", k->label);
		}
	} else {
		assert_string_equal(k->cdb, "");
	}
	/*
	 * the one-pass mode (rootfd and d): the check run's diagnostics and
	 * counts, and the write run's files, or nothing at all when it found
	 * an error (no stage left behind either)
	 */
	{
		char *dir2 = tu_tmpdir();
		struct diag_sink d2;
		struct amap_result r2;
		buf codes2 = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT;

		diag_init(&d2);
		memset(&r2, 0, sizeof(r2));
		fd = open(dir2, O_RDONLY | O_DIRECTORY);
		assert_true(fd >= 0);
		rc = amap_run(&o, &t, &l, verd, fd, &d2, &r2);
		assert_int_equal(rc, 0);
		assert_int_equal(r2.written, 0);
		assert_true((r2.staged != NULL) == (d2.nerr == 0));
		{
			/* staged, not published: only the stage directory is there */
			DIR *dd = opendir(dir2);
			struct dirent *de;

			assert_non_null(dd);
			while ((de = readdir(dd)) != NULL)
				if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
				    strncmp(de->d_name, ".s2q-stage.", 11) != 0)
					fail_msg("%s: one pass: %s there before amap_publish", k->label,
						 de->d_name);
			closedir(dd);
		}
		assert_int_equal(amap_publish(&r2), 0);
		assert_null(r2.staged);
		close(fd);
		for (i = 0; i < d2.n; i++)
			buf_printf(&codes2, "%s%s@%s%s%lu", i ? " " : "", d2.v[i].code,
				   d2.v[i].file && d2.v[i].file[0] == '/' ? d2.v[i].file : "",
				   d2.v[i].file && d2.v[i].file[0] == '/' ? ":" : "",
				   d2.v[i].line);
		buf_append_c(&codes2, '\0');
		if (strcmp(codes2.s, codes.s) != 0)
			fail_msg("%s: one pass: codes '%s', want '%s'", k->label, codes2.s, codes.s);
		assert_int_equal(r2.written, d2.nerr == 0);
		assert_int_equal(r2.records, r.records);
		assert_int_equal(r2.dotqmail, r.dotqmail);
		assert_int_equal(r2.assign, r.assign);
		actual_files(dir, &t1);
		actual_files(dir2, &t2);
		if (strcmp(t1.s ? t1.s : "", t2.s ? t2.s : "") != 0)
			fail_msg("%s: one pass: files\n%s\nwant\n%s", k->label, t2.s, t1.s);
		if (d2.nerr) {
			/* refused: not even the stage directory is left */
			DIR *dd = opendir(dir2);
			struct dirent *de;

			assert_non_null(dd);
			while ((de = readdir(dd)) != NULL)
				if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
					fail_msg("%s: one pass refused, but %s is there", k->label,
						 de->d_name);
			closedir(dd);
		} else {
			snprintf(path, sizeof(path), "%s/etc/aliases.cdb", dir);
			if (access(path, F_OK) == 0) {
				dump_cdb(path, &t1);
				snprintf(path, sizeof(path), "%s/etc/aliases.cdb", dir2);
				dump_cdb(path, &t2);
				assert_string_equal(t2.s, t1.s);
			}
		}
		amap_result_free(&r2);
		diag_free(&d2);
		buf_free(&codes2);
		buf_free(&t1);
		buf_free(&t2);
		tu_rmtree(dir2);
	}
	free(verd);
	amap_result_free(&r);
	amap_logins_free(&l);
	alias_table_free(&t);
	diag_free(&d);
	buf_free(&codes);
	buf_free(&got);
	buf_free(&want);
	buf_free(&plus);
	tu_rmtree(dir);
}

static void test_cases(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

static void test_default_qmail(void **state)
{
	struct amap_opts o;
	buf b = BUF_INIT;
	(void)state;

	memset(&o, 0, sizeof(o));
	o.style = AMAP_FASTFORWARD;
	o.fastforward = "/usr/local/bin/fast forward";
	o.cdb_path = "/etc/it's.cdb";
	o.forward = "/var/qmail/bin/forward";
	o.plus = 0;
	assert_int_equal(amap_default_qmail(&b, &o), 0);
	buf_cstr(&b);
	assert_string_equal(b.s, "|'/usr/local/bin/fast forward' -d '/etc/it'\\''s.cdb'\n");
	o.style = AMAP_DOTQMAIL;
	assert_int_equal(amap_default_qmail(&b, &o), 0);
	assert_int_equal(b.len, 0);
	o.plus = 1;
	o.forward = "/q/bin/forward";
	assert_int_equal(amap_default_qmail(&b, &o), 0);
	buf_cstr(&b);
	assert_string_equal(b.s,
			    "|b=\"${DEFAULT%%+*}\"; case \"$b\" in \"\"|\"$DEFAULT\") echo \"Sorry, no "
			    "mailbox here by that name. (#5.1.1)\"; exit 100;; esac; case \"$DEFAULT\" "
			    "in \"$b+*\") exec /q/bin/forward \"$b@$HOST\";; esac; exec /q/bin/forward "
			    "\"$b+*@$HOST\"\n");
	buf_free(&b);
}

static void test_local(void **state)
{
	buf b = BUF_INIT;
	(void)state;
	assert_int_equal(amap_local(&b, "joe"), 0);
	assert_string_equal(b.s, "joe");
	assert_int_equal(amap_local(&b, "\"quoted lhs\""), 0);
	assert_string_equal(b.s, "quoted lhs");
	assert_int_equal(amap_local(&b, "\"a\\\"b\".c"), 0);
	assert_string_equal(b.s, "a\"b.c");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_default_qmail),
		cmocka_unit_test(test_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
