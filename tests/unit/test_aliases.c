/*
 * test_aliases - the sendmail aliases parser and the alias table, table-driven.
 * Every expectation below was checked against the real sendmail 8.17 (the
 * recordings in tests/aliases/ hold its answers for the same constructs).
 */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "../../convert/lib/parse/aliases.h"

static const char *const doms[] = { "example.com", "Mail.Example.ORG.", "localhost" };

/* dump - the live entries: "name = kind:text->local ...", one per line */
static void dump(buf *out, const struct alias_table *t)
{
	size_t i, j;

	for (i = 0; i < t->nents; i++) {
		const struct alias_ent *e = &t->ents[i];

		if (e->dead)
			continue;
		buf_printf(out, "%s =", e->name);
		for (j = 0; j < e->nelems; j++) {
			buf_printf(out, " %s:%s", alias_kind_name(e->elems[j].kind), alias_elem_text(&e->elems[j]));
			if (alias_elem_local(&e->elems[j]))
				buf_printf(out, "->%s", alias_elem_local(&e->elems[j]));
		}
		buf_append_c(out, '\n');
	}
	buf_append_c(out, '\0');
}

static void codes(buf *out, const struct diag_sink *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		buf_printf(out, "%s%s@%lu", i ? " " : "", d->v[i].code + 4, d->v[i].line);
	buf_append_c(out, '\0');
}

static const struct row {
	const char *label, *in;
	size_t inlen;		/* 0: strlen */
	const char *table;	/* dump() of the live entries */
	const char *diags;	/* codes (without S2Q-) @ line, in order */
} rows[] = {
	{ "plain", "root: alice, bob\n", 0, "root = addr:alice->alice addr:bob->bob\n", "" },
	{ "name lower-cased, value kept", "UPPER: Root\npostMASTER: x\n", 0,
	  "upper = addr:Root->root\npostmaster = addr:x->x\n", "" },
	{ "tab separator, no final newline", "a:\tb", 0, "a = addr:b->b\n", "" },
	{ "comments and blank lines", "# c\n\na: b\n#d\n", 0, "a = addr:b->b\n", "" },
	{ "white space continues", "multi: one,\n\ttwo,\n three\nx: y\n", 0,
	  "multi = addr:one->one addr:two->two addr:three->three\nx = addr:y->y\n", "" },
	{ "backslash joins with nothing", "b: four, \\\nfive\n", 0,
	  "b = addr:four->four addr:five->five\n", "" },
	/* "rootnext: root" is an RFC 822 group to sendmail: it delivers to root */
	{ "backslash swallows the next alias", "x: root\\\nnext: root\n", 0, "x = addr:root->root\n",
	  "" },
	{ "comment continued", "# c\n  not: an alias\nz: w\n", 0, "z = addr:w->w\n", "" },
	{ "indented comment joins the value", "x: y\n  # note\n", 0, "x = addr:y.#.note->y.#.note\n",
	  "A015@2" },
	{ "no inline comments", "a: root # note\n", 0, "a = addr:root.#.note->root.#.note\n", "A015@1" },
	{ "empty value takes the indented line", "e:  \n  takes\n", 0, "e = addr:takes->takes\n", "" },
	{ "blank line ends a value", "c: a,\n\n  b\n", 0, "c = addr:a->a\n", "A003@3" },
	{ "first line indented", " lead: x\ny: z\n", 0, "y = addr:z->z\n", "A003@1" },
	{ "missing colon", "nocolon\na: b\n", 0, "a = addr:b->b\n", "A004@1" },
	{ "missing value", "e:\nf:   \n", 0, "", "A005@1 A005@2" },
	{ "missing value, last line of an entry", "e:\n  \n", 0, "", "A005@2" },
	{ "first colon splits", "colon:in:lhs: root\n", 0, "colon = addr:lhs:root->lhs:root\n", "" },
	{ "empty name", ": root\n(only a comment): x\n", 0, "", "A006@1 A006@2" },
	{ "local domains", "a@example.com: x\nb@MAIL.example.org.: y\nc@localhost: z\n", 0,
	  "a = addr:x->x\nb = addr:y->y\nc = addr:z->z\n", "A017@1 A017@2 A017@3" },
	{ "non-local", "r@remote.example: x\n@dom: y\nu@: z\nh!u: w\n", 0, "",
	  "A007@1 A008@2 A007@2 A008@3 A007@3 A007@4" },
	{ "route syntax", "a@b@example.com: x\nu@@example.com: x\nu@ex..com: x\na,b: x\n", 0, "",
	  "A008@1 A007@1 A008@2 A007@2 A008@3 A007@3 A008@4 A007@4" },
	{ "percent and bang hacks", "u%example.com: x\nv%mail.example.org@example.com: y\n"
	  "localhost!w: z\n", 0, "u = addr:x->x\nv = addr:y->y\nw = addr:z->z\n", "" },
	{ "blanks become BlankSub", "sp ace: x\ntab\t: y\nn (c) o: z\n\"a b\" c: w\n", 0,
	  "sp.ace = addr:x->x\ntab = addr:y->y\nn.o = addr:z->z\n\"a b\"c = addr:w->w\n", "" },
	{ "quoted names", "\"quoted lhs\": x\n\"Up\"@example.com: y\n\"q@r\": z\n\"\": w\n", 0,
	  "\"quoted lhs\" = addr:x->x\nup = addr:y->y\n", "A007@3 A008@4 A007@4" },
	{ "display names and route addresses", "Full Name <fn>: x\n<angle>: y\n<>: z\n@: w\n", 0,
	  "fn = addr:x->x\nangle = addr:y->y\n = addr:w->w\n", "A010@4" },
	{ "unbalanced", "a\"b: root\na(b: x\nc<d: x\ne>f: x\ng)h: x\n", 0,
	  "a\"b: root\" = addr:root->root\na = addr:x->x\nd:x = addr:x->x\nef = addr:x->x\n"
	  "gh = addr:x->x\n", "A008@1 A008@2 A008@3 A008@4 A008@5" },
	{ "non-printable and 8-bit bytes", "b\001y: x\nb\200y: x\ncaf\351: x\n", 0,
	  "b?y = addr:x->x\ncaf\351 = addr:x->x\n", "A008@1 A008@2 A006@2" },
	{ "duplicate: last wins", "dup: first\nb: x\ndup: second,\n third\n", 0,
	  "b = addr:x->x\ndup = addr:second->second addr:third->third\n", "A010@4" },
	{ "duplicate after lower-casing and domains", "a: 1\nA: 2\na@example.com: 3\n", 0,
	  "a = addr:3->3\n", "A010@2 A017@3 A010@3" },
	{ "rfc 822 elements", "r: Root User <root>, (comment) mail, bin (c2)\n", 0,
	  "r = addr:root->root addr:mail->mail addr:bin->bin\n", "" },
	{ "commas only, empty elements skipped", "t: root,, , mail,\nspc: root mail\n", 0,
	  "t = addr:root->root addr:mail->mail\nspc = addr:root.mail->root.mail\n", "A015@2" },
	{ "group syntax", "g: staff: root, mail;\n", 0, "g = addr:root->root addr:mail->mail\n", "" },
	{ "error: is not special", "e: error:5.1.1:550 gone away\nf: ERROR:nouser x\n", 0,
	  "e = error:5.1.1:550 gone away\nf = error:nouser x\n", "A012@1 A012@2" },
	{ "programs", "p: \"|/usr/bin/vacation joe\"\nq: |/bin/foo\nr: |/bin/foo arg\ns: | /bin/x\n"
	  "t: \"|/bin/p a, b\"\n", 0,
	  "p = prog:/usr/bin/vacation joe\nq = prog:/bin/foo\nr = prog:/bin/foo.arg\n"
	  "s = prog:/bin/x\nt = prog:/bin/p a, b\n", "A013@3" },
	{ "files", "f: /var/log/archive\ng: \"/x/bob.mbox\"\nh: < /tmp/f3 >\ni: /a b\n", 0,
	  "f = file:/var/log/archive\ng = file:/x/bob.mbox\nh = file:/tmp/f3\ni = file:/a.b\n",
	  "A014@4" },
	{ "include and local", "l: :include:/etc/mail/staff\nm: \":include:/x\"\nn: \\Root, \\bob\n", 0,
	  "l = include:/etc/mail/staff\nm = include:/x\nn = local:root->root local:bob->bob\n", "" },
	{ "qualified addresses", "q: ROOT@example.com, user@remote.example, \"root\", u+x@localhost\n", 0,
	  "q = addr:ROOT@example.com->root addr:user@remote.example addr:\"root\"->root "
	  "addr:u+x@localhost->u+x\n", "" },
	/* the plain-address shortcut (simple_element) and its edges, where scan() takes over */
	{ "plain addresses", "s: A.B, x.y@MAIL.example.org., u@remote.example, v@ex..com,"
	  " w@.example.com, caf\351@Example.COM, ..@localhost,  sp  ,z, t@localhost.., |pr@x,"
	  " a@b@example.com, @example.com, q@\nUPPER.Name: y\n", 0,
	  "s = addr:A.B->a.b addr:x.y@MAIL.example.org.->x.y addr:u@remote.example "
	  "addr:v@ex..com addr:w@.example.com addr:caf\351@Example.COM->caf\351 "
	  "addr:..@localhost->.. addr:sp->sp addr:z->z addr:t@localhost.. prog:pr@x "
	  "addr:a@b@example.com addr:@example.com addr:q@\nupper.name = addr:y->y\n", "" },
	{ "crlf", "crlf: root\r\nempty:\r\n\r\nb: one \\\r\ntwo: x\r\n", 0,
	  "crlf = addr:root->root\nb = addr:one.\\\r->one.\\\r\ntwo = addr:x->x\n",
	  "A016@1 A005@2 A004@3 A015@4" },
	{ "nul byte", "a: b\0c\nd: e\n", 12, "d = addr:e->e\n", "A002@1" },
};

static void run_file(const char *in, size_t n, buf *table, buf *diags)
{
	char *dir = tu_tmpdir(), path[512];
	struct aliases_opts o;
	struct alias_table t;
	struct diag_sink d;

	memset(&o, 0, sizeof(o));
	o.local_domains = doms;
	o.nlocal_domains = 3;
	tu_writefile(dir, "aliases", in, n);
	snprintf(path, sizeof(path), "%s/aliases", dir);
	alias_table_init(&t);
	diag_init(&d);
	assert_int_equal(aliases_read(&t, path, "aliases", &o, &d), 0);
	dump(table, &t);
	codes(diags, &d);
	alias_table_free(&t);
	diag_free(&d);
	tu_rmtree(dir);
}

/* a name_map like smres's virtusertable: v@example.com -> "vee", r@example.com
   is not local, anything else at example.com -> "catch", else none */
static int tmap(void *arg, const char *name, size_t n, const char *file, unsigned long line,
		buf *out)
{
	(void)arg;
	assert_string_equal(file, "aliases");
	assert_true(line >= 2 && line <= 7);
	if (n == 13 && memcmp(name, "V@example.com", 13) == 0)
		return buf_append_s(out, "VEE") < 0 ? -1 : 1;
	if (n == 13 && memcmp(name, "r@example.com", 13) == 0)
		return 2;
	if (n > 12 && memcmp(name + n - 12, "@example.com", 12) == 0)
		return buf_append_s(out, "catch") < 0 ? -1 : 1;
	return 0;
}

static void test_name_map(void **state)
{
	static const char in[] = "vee: 1\nV@example.com: 2\nr@example.com: 3\n"
				 "a@example.com: 4\nb@example.com : 5\nc@localhost: 6\n"
				 "\"q\"@example.com: 7\nplain: 8\n";
	char *dir = tu_tmpdir(), path[512];
	struct aliases_opts o;
	struct alias_table t;
	struct diag_sink d;
	buf table = BUF_INIT, diags = BUF_INIT;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.local_domains = doms;
	o.nlocal_domains = 3;
	o.name_map = tmap;
	tu_writefile(dir, "aliases", in, sizeof(in) - 1);
	snprintf(path, sizeof(path), "%s/aliases", dir);
	alias_table_init(&t);
	diag_init(&d);
	assert_int_equal(aliases_read(&t, path, "aliases", &o, &d), 0);
	dump(&table, &t);
	codes(&diags, &d);
	/* the mapped name (lower-cased) replaces the earlier vee and catch; a name
	   the map leaves alone or cannot take (quoted) follows the usual rules, with
	   no A017 note: the caller models what sendmail does */
	assert_string_equal(table.s, "vee = addr:2->2\ncatch = addr:5->5\nc = addr:6->6\n"
				     "q = addr:7->7\nplain = addr:8->8\n");
	assert_string_equal(diags.s, "A010@2 A007@3 A010@5");
	buf_free(&table);
	buf_free(&diags);
	alias_table_free(&t);
	diag_free(&d);
	tu_rmtree(dir);
}

static void test_rows(void **state)
{
	size_t i;
	int bad = 0;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		buf table = BUF_INIT, diags = BUF_INIT;

		run_file(r->in, r->inlen ? r->inlen : strlen(r->in), &table, &diags);
		if (strcmp(table.s, r->table) != 0 || strcmp(diags.s, r->diags) != 0) {
			print_message("%s:\n  table '%s'\n   want '%s'\n  diags '%s'\n   want '%s'\n",
				      r->label, table.s, r->table, diags.s, r->diags);
			bad = 1;
		}
		buf_free(&table);
		buf_free(&diags);
	}
	assert_false(bad);
}

/* same_names - whether set holds exactly the live names of t */
static int same_names(const struct alias_table *t, const struct hset *set)
{
	size_t i, live = 0;

	for (i = 0; i < t->nents; i++) {
		if (t->ents[i].dead)
			continue;
		live++;
		if (hset_get(set, t->ents[i].name, strlen(t->ents[i].name), NULL) != 1)
			return 0;
	}
	return live == set->n;
}

/* names - the live names of a table, one per line, with their line numbers */
static void names(buf *out, const struct alias_table *t, int want_empty)
{
	size_t i;

	for (i = 0; i < t->nents; i++) {
		const struct alias_ent *e = &t->ents[i];

		if (want_empty) {
			assert_int_equal(e->nelems, 0);
			assert_string_equal(alias_ent_value(e), "");
		}
		if (!e->dead)
			buf_printf(out, "%s@%lu\n", e->name, (unsigned long)e->lastline);
	}
	buf_append_c(out, '\0');
}

/*
 * names_only: every row of the table gives the same live names (and lines)
 * as a full read, no elements, no value, and no diagnostic a full read does
 * not make; an :include: is not read
 */
static void test_names_only(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	size_t i;
	int bad = 0;
	(void)state;
	snprintf(path, sizeof(path), "%s/aliases", dir);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]) + 1; i++) {
		const char *in = i < sizeof(rows) / sizeof(rows[0]) ? rows[i].in :
			"inc: :include:/nonexistent/list\nx: y, |prog, /file\n";
		size_t n = i < sizeof(rows) / sizeof(rows[0]) && rows[i].inlen ? rows[i].inlen : strlen(in);
		struct aliases_opts o;
		struct alias_table full, nm;
		struct diag_sink df, dn;
		buf a = BUF_INIT, b = BUF_INIT;
		size_t j, k;

		tu_writefile(dir, "aliases", in, n);
		memset(&o, 0, sizeof(o));
		o.local_domains = doms;
		o.nlocal_domains = 3;
		o.read_includes = 1;
		alias_table_init(&full);
		alias_table_init(&nm);
		diag_init(&df);
		diag_init(&dn);
		assert_int_equal(aliases_read(&full, path, "aliases", &o, &df), 0);
		o.names_only = 1;
		assert_int_equal(aliases_read(&nm, path, "aliases", &o, &dn), 0);
		names(&a, &full, 0);
		names(&b, &nm, 1);
		if (strcmp(a.s, b.s) != 0) {
			print_message("row %zu: names '%s' want '%s'\n", i, b.s, a.s);
			bad = 1;
		}
		/* its diagnostics are the full read's, in order, less some */
		for (j = k = 0; j < dn.n; j++, k++) {
			while (k < df.n && (strcmp(df.v[k].code, dn.v[j].code) != 0 ||
					    df.v[k].line != dn.v[j].line))
				k++;
			if (k == df.n) {
				print_message("row %zu: %s@%lu not made by a full read\n", i,
					      dn.v[j].code, dn.v[j].line);
				bad = 1;
				break;
			}
		}
		/* into a set: the full read's live names, no table entries */
		{
			struct alias_table ns;
			struct diag_sink dx;
			struct hset set;

			alias_table_init(&ns);
			diag_init(&dx);
			hset_init(&set);
			o.names = &set;
			assert_int_equal(aliases_read(&ns, path, "aliases", &o, &dx), 0);
			o.names = NULL;
			assert_int_equal(ns.nents, 0);
			if (!same_names(&full, &set)) {
				print_message("row %zu: the names set differs from the live names\n", i);
				bad = 1;
			}
			alias_table_free(&ns);
			diag_free(&dx);
			hset_free(&set);
		}
		buf_free(&a);
		buf_free(&b);
		alias_table_free(&full);
		alias_table_free(&nm);
		diag_free(&df);
		diag_free(&dn);
	}
	tu_rmtree(dir);
	assert_false(bad);
}

/*
 * names into a set over two files: a name of both (shadowed), a duplicate in
 * one, names only one has; the set is the full reads' live names
 */
static void test_names_set_files(void **state)
{
	char *dir = tu_tmpdir(), p1[512], p2[512];
	const char *files[2] = { p1, p2 };
	struct aliases_opts o;
	struct alias_table full, ns;
	struct diag_sink df, dn;
	struct hset set;
	size_t k;
	(void)state;
	snprintf(p1, sizeof(p1), "%s/a1", dir);
	snprintf(p2, sizeof(p2), "%s/a2", dir);
	tu_writefile(dir, "a1", "both: x\ndup: y\none: z\ndup: w\nbad entry\n", 39);
	tu_writefile(dir, "a2", "two: x\nboth: y\nTwo: again\nq@elsewhere.example: r\n", 49);
	memset(&o, 0, sizeof(o));
	o.local_domains = doms;
	o.nlocal_domains = 3;
	alias_table_init(&full);
	alias_table_init(&ns);
	diag_init(&df);
	diag_init(&dn);
	hset_init(&set);
	for (k = 0; k < 2; k++)
		assert_int_equal(aliases_read(&full, files[k], files[k], &o, &df), 0);
	o.names_only = 1;
	o.names = &set;
	for (k = 0; k < 2; k++)
		assert_int_equal(aliases_read(&ns, files[k], files[k], &o, &dn), 0);
	assert_int_equal(ns.nents, 0);
	assert_int_equal(ns.nfiles, 2);
	assert_int_equal(set.n, 4);	/* both dup one two */
	assert_true(same_names(&full, &set));
	alias_table_free(&full);
	alias_table_free(&ns);
	diag_free(&df);
	diag_free(&dn);
	hset_free(&set);
	tu_rmtree(dir);
}

/* sendmail's words, FILE:LINE, and the line numbers of both entries of a duplicate */
static void test_messages(void **state)
{
	static const char in[] = "dup: first\nmulti: a,\n  b\nmulti: c\nnocolon\nr@remote.example: x\n"
				 "empty:\ndup: second,\n\tthird\n@d: x\n";
	static const char *const want[] = {
		"S2Q-A010 4 multi... Warning: duplicate alias name multi -- replaces the entry at line 3 "
		"(the last one wins)",
		"S2Q-A004 5 missing colon",
		"S2Q-A007 6 r@remote.example... cannot alias non-local names",
		"S2Q-A005 7 empty:... missing value for alias",
		"S2Q-A010 9 dup... Warning: duplicate alias name dup -- replaces the entry at line 1 "
		"(the last one wins)",
		"S2Q-A008 10 @d... User address required",
		"S2Q-A007 10 @d... cannot alias non-local names",
	};
	char *dir = tu_tmpdir(), path[512];
	struct alias_table t;
	struct diag_sink d;
	const struct alias_ent *e;
	size_t i, len;
	(void)state;
	tu_writefile(dir, "aliases", in, sizeof(in) - 1);
	snprintf(path, sizeof(path), "%s/aliases", dir);
	alias_table_init(&t);
	diag_init(&d);
	assert_int_equal(aliases_read(&t, path, "/etc/aliases", NULL, &d), 0);
	assert_int_equal(d.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < d.n; i++) {
		char got[512];

		snprintf(got, sizeof(got), "%s %lu %s", d.v[i].code, d.v[i].line, d.v[i].msg);
		assert_string_equal(got, want[i]);
		assert_string_equal(d.v[i].file, "/etc/aliases");
	}
	assert_int_equal(d.nerr, 5);
	assert_int_equal(d.nwarn, 2);
	/* the part newaliases prints */
	assert_int_equal(aliases_diag_smtext(&d.v[0], &len), 1);
	assert_int_equal(len, strlen("multi... Warning: duplicate alias name multi"));
	assert_int_equal(aliases_diag_smtext(&d.v[3], &len), 1);
	assert_int_equal(len, strlen(d.v[3].msg));
	/* the entries: first and last physical line, dead ones kept */
	e = alias_lookup(&t, "dup");
	assert_non_null(e);
	assert_int_equal(e->line, 8);
	assert_int_equal(e->lastline, 9);
	assert_string_equal(alias_ent_value(e), "second,\tthird");
	assert_int_equal(t.ents[0].dead, ALIAS_DEAD_DUP);
	assert_int_equal(t.nents, 4);
	assert_int_equal(t.fstats[0].naliases, 4);
	assert_int_equal(t.fstats[0].longest, 13);
	assert_int_equal(t.fstats[0].bytes, 3 + 5 + 5 + 5 + 5 + 1 + 3 + 13);
	assert_null(alias_lookup(&t, "empty"));
	alias_table_free(&t);
	diag_free(&d);
	tu_rmtree(dir);
}

/* several files: the first file that has a name wins; duplicates are per file */
static void test_files(void **state)
{
	char *dir = tu_tmpdir(), p1[512], p2[512];
	struct alias_table t;
	struct diag_sink d;
	const struct alias_ent *e;
	(void)state;
	tu_writefile(dir, "a1", "sales: alice\nx: 1\n", 18);
	tu_writefile(dir, "a2", "sales: never\nx: 2\nx: 3\nnew: y\n", 30);
	snprintf(p1, sizeof(p1), "%s/a1", dir);
	snprintf(p2, sizeof(p2), "%s/a2", dir);
	alias_table_init(&t);
	diag_init(&d);
	assert_int_equal(aliases_read(&t, p1, "a1", NULL, &d), 0);
	assert_int_equal(aliases_read(&t, p2, "a2", NULL, &d), 0);
	assert_int_equal(t.nfiles, 2);
	e = alias_lookup(&t, "sales");
	assert_string_equal(alias_ent_value(e), "alice");
	assert_int_equal(e->file, 0);
	assert_string_equal(alias_ent_value(alias_lookup(&t, "x")), "1");
	assert_string_equal(alias_ent_value(alias_lookup(&t, "new")), "y");
	assert_int_equal(t.ents[2].dead, ALIAS_DEAD_SHADOW);
	assert_int_equal(t.ents[3].dead, ALIAS_DEAD_DUP);	/* x: 2, replaced in its file */
	assert_int_equal(t.ents[4].dead, ALIAS_DEAD_SHADOW);	/* x: 3, shadowed by a1 */
	/* A011 sales, A011 x, A010 x (the per-file duplicate), A011 x */
	assert_int_equal(d.n, 4);
	assert_string_equal(d.v[0].code, "S2Q-A011");
	assert_int_equal(d.v[0].line, 1);
	assert_string_equal(d.v[0].msg, "alias sales is also defined in a1:1, an alias file sendmail "
					"searches first: this entry is never used");
	assert_string_equal(d.v[2].code, "S2Q-A010");
	assert_int_equal(d.v[2].line, 3);
	assert_int_equal(aliases_diag_smtext(&d.v[0], &(size_t){ 0 }), 0);
	assert_int_equal(t.fstats[1].naliases, 4);
	alias_table_free(&t);
	diag_free(&d);
	tu_rmtree(dir);
}

/* the model alone: alias_table_add applies the rules */
static void test_model(void **state)
{
	struct alias_table t;
	struct alias_elem_src el = { ALIAS_ADDR, "b", "b", "b" };
	size_t f, same, first;
	(void)state;
	alias_table_init(&t);
	assert_int_equal(alias_table_add(&t, "a", 1, "b", 1, &el, 1, 1, 1, &same, &first), -1);
	assert_int_equal(alias_table_addfile(&t, "one", &f), 0);
	assert_int_equal(f, 0);
	assert_int_equal(alias_table_add(&t, "a", 1, "b", 1, &el, 1, 1, 1, &same, &first), 0);
	assert_int_equal(alias_table_add(&t, "a", 1, "c", 1, NULL, 0, 2, 3, &same, &first),
			 ALIAS_ADD_REPLACES);
	assert_int_equal(same, 0);
	assert_int_equal(first, (size_t)-1);
	assert_string_equal(alias_ent_value(alias_lookup(&t, "a")), "c");
	assert_int_equal(alias_table_addfile(&t, "two", &f), 0);
	assert_int_equal(alias_table_add(&t, "a", 1, "d", 1, NULL, 0, 1, 1, &same, &first),
			 ALIAS_ADD_SHADOWED);
	assert_int_equal(first, 1);
	assert_int_equal(alias_table_add(&t, "a", 1, "e", 1, NULL, 0, 2, 2, &same, &first),
			 ALIAS_ADD_REPLACES | ALIAS_ADD_SHADOWED);
	assert_int_equal(same, 2);
	assert_int_equal(t.ents[2].dead, ALIAS_DEAD_DUP);
	assert_int_equal(t.ents[3].dead, ALIAS_DEAD_SHADOW);
	assert_string_equal(alias_ent_value(alias_lookup(&t, "a")), "c");
	assert_string_equal(alias_elem_local(&t.ents[0].elems[0]), "b");
	assert_null(alias_lookup(&t, "b"));
	assert_null(alias_lookup_n(&t, "a\0", 2));
	assert_string_equal(alias_kind_name(ALIAS_INCLUDE), "include");
	/*
	 * a lookup with a NUL is no name, even one whose hash is a stored name's
	 * ("ab" and "ab\0uhdppaigcb" share hset_hash; the value follows the name
	 * in the entry's block: found by review), and no name with a NUL is added
	 */
	assert_int_equal(hset_hash("ab", 2), hset_hash("ab\0uhdppaigcb", 13));
	assert_int_equal(alias_table_add(&t, "ab", 2, "uhdppaigcb", 10, NULL, 0, 9, 9, &same, &first), 0);
	assert_non_null(alias_lookup(&t, "ab"));
	assert_null(alias_lookup_n(&t, "ab\0uhdppaigcb", 13));
	errno = 0;
	assert_int_equal(alias_table_add(&t, "c\0d", 3, "x", 1, NULL, 0, 9, 9, &same, &first), -1);
	assert_int_equal(errno, EINVAL);
	/* a value that is its one element as written is kept once, as that element */
	{
		struct alias_elem_src two[2] = { { ALIAS_ADDR, "x", "x", "x" }, { ALIAS_ADDR, "y", "y", "y" } };
		struct alias_elem_src q = { ALIAS_ADDR, "q r", "\"q r\"", NULL };
		const struct alias_ent *e;

		assert_int_equal(alias_table_add(&t, "v1", 2, "b", 1, &el, 1, 9, 9, &same, &first), 0);
		e = alias_lookup(&t, "v1");
		assert_string_equal(alias_ent_value(e), "b");
		assert_ptr_equal(alias_ent_value(e), alias_elem_raw(&e->elems[0]));
		assert_int_equal(alias_table_add(&t, "v2", 2, "b ", 2, &el, 1, 9, 9, &same, &first), 0);
		assert_string_equal(alias_ent_value(alias_lookup(&t, "v2")), "b ");
		assert_int_equal(alias_table_add(&t, "v3", 2, "x, y", 4, two, 2, 9, 9, &same, &first), 0);
		assert_string_equal(alias_ent_value(alias_lookup(&t, "v3")), "x, y");
		assert_int_equal(alias_table_add(&t, "v4", 2, "\"q r\"", 5, &q, 1, 9, 9, &same, &first), 0);
		e = alias_lookup(&t, "v4");
		assert_string_equal(alias_ent_value(e), "\"q r\"");
		assert_string_equal(alias_elem_text(&e->elems[0]), "q r");
		assert_int_equal(alias_table_add(&t, "v5", 2, "", 0, NULL, 0, 9, 9, &same, &first), 0);
		assert_string_equal(alias_ent_value(alias_lookup(&t, "v5")), "");
	}
	alias_table_free(&t);
}
/*
 * the packed element (8 bytes, strings after the array): every mix of
 * absent, shared and own raw/local reads back as given, in a block of
 * exactly alias_elems_size bytes
 */
static void test_elem_pack(void **state)
{
	static const char *const texts[] = { NULL, "t", "" };
	struct alias_elem_src src[27];
	char rawbuf[27][8], locbuf[27][8];
	struct alias_elem *v;
	size_t n = 0, i, size, want = 0;
	char *end;
	int a, b, c;
	(void)state;

	assert_int_equal(sizeof(struct alias_elem), 8);
	for (a = 0; a < 3; a++)
		for (b = 0; b < 3; b++)
			for (c = 0; c < 3; c++) {
				struct alias_elem_src *e = &src[n];
				const char *t = texts[a];

				e->kind = (enum alias_kind)(n % 6);
				e->text = t;
				snprintf(rawbuf[n], sizeof(rawbuf[n]), "r%zu", n);
				snprintf(locbuf[n], sizeof(locbuf[n]), "l%zu", n);
				/* 0 absent, 1 equal to text (another pointer), 2 its own */
				e->raw = b == 0 ? NULL : b == 1 && t ? strdup(t) : rawbuf[n];
				e->local = c == 0 ? NULL : c == 1 && t ? strdup(t) : locbuf[n];
				want += t ? strlen(t) + 1 : 0;
				if (e->raw && !(t && strcmp(e->raw, t) == 0))
					want += strlen(e->raw) + 1;
				if (e->local && !(t && strcmp(e->local, t) == 0))
					want += strlen(e->local) + 1;
				n++;
			}
	size = alias_elems_size(src, n, 5);
	assert_int_equal(size, n * 8 + 5 + want);
	v = malloc(size);
	assert_non_null(v);
	end = alias_elems_pack(v, (char *)(v + n) + 5, src, n);
	assert_ptr_equal(end, (char *)v + size);
	for (i = 0; i < n; i++) {
		const struct alias_elem *e = &v[i];

		assert_int_equal(e->kind, src[i].kind);
		if (src[i].text == NULL)
			assert_null(alias_elem_text(e));
		else
			assert_string_equal(alias_elem_text(e), src[i].text);
		if (src[i].raw == NULL)
			assert_null(alias_elem_raw(e));
		else
			assert_string_equal(alias_elem_raw(e), src[i].raw);
		if (src[i].local == NULL)
			assert_null(alias_elem_local(e));
		else
			assert_string_equal(alias_elem_local(e), src[i].local);
		/* a string equal to the text is the text, not a copy */
		if (src[i].text && src[i].raw && strcmp(src[i].raw, src[i].text) == 0)
			assert_ptr_equal(alias_elem_raw(e), alias_elem_text(e));
	}
	free(v);
	for (i = 0; i < n; i++) {
		if (src[i].text && src[i].raw && src[i].raw != rawbuf[i])
			free((char *)src[i].raw);
		if (src[i].text && src[i].local && src[i].local != locbuf[i])
			free((char *)src[i].local);
	}
	/* past what a 32-bit offset reaches */
	assert_int_equal(alias_elems_size(src, (size_t)UINT32_MAX, 0), SIZE_MAX);
	assert_int_equal(alias_elems_size(src, 1, (size_t)UINT32_MAX), SIZE_MAX);
}


/*
 * The by-name index over many names (grown many times): three files with
 * duplicates inside a file and names an earlier file has, every lookup
 * checked against the rules played out in a plain array; names that are
 * prefixes of others; the table's limits (EOVERFLOW)
 */
#define NIDX 20000
static void test_model_index(void **state)
{
	struct alias_table t;
	static size_t want[NIDX];	/* the live entry of name i, or -1 */
	static unsigned char wfile[NIDX];
	size_t f, same, first, i, k, live = 0;
	char nm[32], val[32];
	(void)state;
	alias_table_init(&t);
	for (i = 0; i < NIDX; i++)
		want[i] = (size_t)-1;
	for (f = 0; f < 3; f++) {
		size_t fi;

		assert_int_equal(alias_table_addfile(&t, f == 0 ? "one" : f == 1 ? "two" : "three", &fi), 0);
		/* file f has names i with i % (f + 2) == 0, each twice in file 1 */
		for (k = 0; k < (f == 1 ? 2u : 1u); k++) {
			for (i = 0; i < NIDX; i += f + 2) {
				size_t idx = t.nents;
				int r, wr = 0;

				snprintf(nm, sizeof(nm), "n%zu", i);
				snprintf(val, sizeof(val), "v%zu.%zu.%zu", i, f, k);
				if (want[i] != (size_t)-1 && wfile[i] == f)
					wr |= ALIAS_ADD_REPLACES;
				else if (want[i] != (size_t)-1)
					wr |= ALIAS_ADD_SHADOWED | (k ? ALIAS_ADD_REPLACES : 0);
				r = alias_table_add(&t, nm, strlen(nm), val, strlen(val), NULL, 0, idx + 1,
						    idx + 1, &same, &first);
				assert_int_equal(r, wr);
				if (want[i] == (size_t)-1 || wfile[i] == f) {
					if (want[i] == (size_t)-1)
						live++;
					want[i] = idx;
					wfile[i] = (unsigned char)f;
				}
			}
		}
		alias_table_endfile(&t);
	}
	assert_int_equal(t.byname.n, live);
	assert_true(t.byname.nslots >= 2 * live);
	for (i = 0; i < NIDX; i++) {
		const struct alias_ent *e;

		snprintf(nm, sizeof(nm), "n%zu", i);
		e = alias_lookup(&t, nm);
		if (want[i] == (size_t)-1) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_int_equal((size_t)(e - t.ents), want[i]);
		assert_int_equal(e->dead, ALIAS_LIVE);
		/* a name one byte longer or shorter is another name */
		snprintf(nm, sizeof(nm), "n%zux", i);
		assert_null(alias_lookup(&t, nm));
		assert_null(alias_lookup_n(&t, nm, 1));
	}
	/* the limits: lines and files the 32-byte entry holds */
	{
		size_t before = t.nents;

		errno = 0;
#if ULONG_MAX > 0xffffffffUL
		assert_int_equal(alias_table_add(&t, "big", 3, "x", 1, NULL, 0, ALIAS_LINE_MAX + 1UL,
						 ALIAS_LINE_MAX + 1UL, &same, &first), -1);
		assert_int_equal(errno, EOVERFLOW);
#endif
		assert_int_equal(alias_table_add(&t, "big", 3, "x", 1, NULL, 0, ALIAS_LINE_MAX,
						 ALIAS_LINE_MAX, &same, &first), 0);
		assert_int_equal(t.nents, before + 1);
		assert_int_equal(alias_lookup(&t, "big")->lastline, ALIAS_LINE_MAX);
	}
	assert_int_equal(sizeof(struct alias_ent), 32);
	alias_table_free(&t);
}

static void test_split(void **state)
{
	struct alias_elem *v;
	size_t n;
	static const char *const loc[] = { "example.com" };
	struct aliases_opts o;
	(void)state;
	assert_int_equal(aliases_split("a, \"|p x\", \\u, b@example.com", 28, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].kind, ALIAS_ADDR);
	assert_string_equal(alias_elem_local(&v[0]), "a");
	assert_int_equal(v[1].kind, ALIAS_PROG);
	assert_string_equal(alias_elem_text(&v[1]), "p x");
	assert_string_equal(alias_elem_raw(&v[1]), "\"|p x\"");
	assert_int_equal(v[2].kind, ALIAS_LOCAL);
	assert_null(alias_elem_local(&v[3]));	/* no local domains known */
	free(v);
	memset(&o, 0, sizeof(o));
	o.local_domains = loc;
	o.nlocal_domains = 1;
	o.blanksub = '_';
	assert_int_equal(aliases_split_opts("B@Example.com, x y", 18, &o, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(alias_elem_local(&v[0]), "b");
	assert_string_equal(alias_elem_text(&v[1]), "x_y");
	free(v);
	assert_int_equal(aliases_split(" , ,", 4, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	/* one quoted string with an address inside is that address (Parse0's dequote); one
	   with blanks inside, or without '@', '%' or '!', stays as written */
	assert_int_equal(aliases_split_opts("\"Kim@Example.com\", \"a b@c.org\", \"kim\"", 37, &o,
					    &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(alias_elem_text(&v[0]), "Kim@Example.com");
	assert_string_equal(alias_elem_raw(&v[0]), "\"Kim@Example.com\"");
	assert_string_equal(alias_elem_local(&v[0]), "kim");
	assert_string_equal(alias_elem_text(&v[1]), "\"a b@c.org\"");
	assert_string_equal(alias_elem_text(&v[2]), "\"kim\"");
	free(v);
}

/* logical lines of 8190 bytes are read, 8191 are too long; 8191 fit at the end without a newline */
static void test_long_lines(void **state)
{
	size_t n = 8300, i;
	char *in = malloc(4 * n), *p = in;
	buf table = BUF_INIT, diags = BUF_INIT;
	(void)state;
	assert_non_null(in);
	memcpy(p, "a: ", 3);
	memset(p + 3, 'x', 8190 - 3);
	p += 8190;
	*p++ = '\n';
	memcpy(p, "b: ", 3);
	memset(p + 3, 'y', 8191 - 3);
	p += 8191;
	*p++ = '\n';
	memcpy(p, "c: ", 3);
	memset(p + 3, 'z', 4000);
	p += 4003;
	memcpy(p, "\\\n", 2);
	p += 2;
	memset(p, 'w', 8191 - 4003);
	p += 8191 - 4003;
	*p++ = '\n';
	memcpy(p, "d: ", 3);
	memset(p + 3, 'v', 8191 - 3);
	p += 8191;
	run_file(in, (size_t)(p - in), &table, &diags);
	assert_string_equal(diags.s, "A001@2 A001@4");
	assert_true(strncmp(table.s, "a = addr:xxx", 12) == 0);
	for (i = 0; table.s[i] && table.s[i] != '\n'; i++)
		;
	assert_int_equal(i, strlen("a = addr:") + 8187 + strlen("->") + 8187);
	assert_non_null(strstr(table.s, "\nd = addr:vvv"));
	buf_free(&table);
	buf_free(&diags);
	free(in);
}

/* loops and depth: the rules verified with sendmail -bv (tests/aliases/loops.aliases) */
/* read_rooted - dir/aliases into a new table t, its :include: lists read under dir; no diagnostics */
static void read_rooted(struct alias_table *t, struct diag_sink *d, const char *dir)
{
	struct aliases_opts o;
	char path[512];

	snprintf(path, sizeof(path), "%s/aliases", dir);
	memset(&o, 0, sizeof(o));
	o.root = dir;
	o.read_includes = 1;
	alias_table_init(t);
	diag_init(d);
	assert_int_equal(aliases_read(t, path, "aliases", &o, d), 0);
	assert_int_equal(d->n, 0);
}

static void test_verdicts(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	buf in = BUF_INIT;
	struct alias_table t;
	struct diag_sink d;
	struct hset users;
	unsigned char *v;
	unsigned *depth;
	size_t i;
	int k;
	static const struct {
		const char *name;
		int verdict;
		unsigned depth;
	} want[] = {
		{ "c1", ALIAS_DEEP, 13 }, { "c3", ALIAS_DEEP, 11 }, { "c4", ALIAS_OK, 10 },
		{ "c13", ALIAS_OK, 1 }, { "la", ALIAS_LOOP, 1 }, { "lb", ALIAS_LOOP, 1 },
		{ "top", ALIAS_LOOP, 2 }, { "top2", ALIAS_OK, 2 }, { "y1", ALIAS_OK, 2 },
		{ "self", ALIAS_OK, 1 }, { "bin", ALIAS_OK, 1 }, { "yb", ALIAS_OK, 1 },
		{ "p1", ALIAS_LOOP, 1 }, { "i1", ALIAS_OK, 10 }, { "i0", ALIAS_DEEP, 11 },
		{ "w1", ALIAS_DEEP, 14 }, { "bs", ALIAS_OK, 1 },
	};
	(void)state;
	for (k = 1; k <= 12; k++)
		buf_printf(&in, "c%d: c%d\n", k, k + 1);
	buf_append_s(&in, "c13: root\nla: lb\nlb: la\ntop: la\ntop2: la, mail\ny1: y2\ny2: y1, mail\n"
			  "self: self, mail\nbin: yb\nyb: bin\np1: lp+x\nlp: p1\n"
			  "i0: :include:/lists/i0\ni1: :include:/lists/i1\nw1: daemon, c1\n"
			  "bs: \\la\n");
	for (k = 2; k <= 9; k++)
		buf_printf(&in, "i%d: i%d\n", k, k + 1);
	buf_append_s(&in, "i10: root\n");
	tu_writefile(dir, "aliases", in.s, in.len);
	assert_int_equal(mkdir(strcat(strcpy(path, dir), "/lists"), 0755), 0);
	tu_writefile(dir, "lists/i1", "i3\n", 3);	/* the include, i3..i10, root: 10 */
	tu_writefile(dir, "lists/i0", "i2\n", 3);	/* the include, i2..i10, root: 11 */
	read_rooted(&t, &d, dir);
	hset_init(&users);
	assert_int_equal(hset_put(&users, "bin", 3, 1, NULL), 1);
	assert_int_equal(aliases_verdicts(&t, &users, &v, &depth, &d), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct alias_ent *e = alias_lookup(&t, want[i].name);
		size_t x;

		assert_non_null(e);
		x = (size_t)(e - t.ents);
		if (v[x] != want[i].verdict || depth[x] != want[i].depth)
			fail_msg("%s: verdict %d depth %u, want %d %u", want[i].name, v[x], depth[x],
				 want[i].verdict, want[i].depth);
	}
	free(v);
	free(depth);
	/*
	 * the report: c1..c3, i0 and w1 too deep, la/lb and p1/lp loops with no way
	 * out, top leads into one, y1/y2 has a way out, bin/yb ends at the user bin
	 */
	{
		buf c = BUF_INIT;

		codes(&c, &d);
		assert_string_equal(c.s, "A022@1 A022@2 A022@3 A020@14 A023@16 A021@18 A021@21 "
					 "A020@23 A022@25 A022@27");
		buf_free(&c);
		assert_string_equal(d.v[0].msg, "mail to c1 is refused by sendmail: aliasing/forwarding "
						"loop broken (11 aliases deep; 10 max): c1 -> c2 -> c3 -> "
						"c4 -> c5 -> c6 -> c7 -> c8 -> c9 -> c10 -> c11 -> c12 -> c13 "
						"reaches 13 levels");
		assert_string_equal(d.v[3].msg, "alias loop among la, lb with no way out: sendmail "
						"refuses mail to them (aliasing/forwarding loop broken)");
	}
	/* without passwd, bin/yb is a loop too; aliases_check reports the same way */
	diag_free(&d);
	diag_init(&d);
	assert_int_equal(aliases_check(&t, &d), 0);
	assert_true(d.nwarn > 8);
	hset_free(&users);
	alias_table_free(&t);
	diag_free(&d);
	buf_free(&in);
	tu_rmtree(dir);
}

/* :include: files: read once, under the root, never outside it */
/*
 * a list that names itself: the second mention is a duplicate (sendmail
 * expands an address once), so a list with another address delivers, one
 * with only itself leads nowhere (found by review: the search read the
 * depth of the list's own, unfinished component)
 */
static void test_self_list(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	struct alias_table t;
	struct diag_sink d;
	unsigned char *v;
	unsigned *depth;
	const struct alias_ent *si, *so;
	(void)state;
	tu_writefile(dir, "aliases", "si: :include:/lists/si\nso: :include:/lists/so\n", 46);
	assert_int_equal(mkdir(strcat(strcpy(path, dir), "/lists"), 0755), 0);
	tu_writefile(dir, "lists/si", ":include:/lists/si\nq@r.org\n", 27);
	tu_writefile(dir, "lists/so", ":include:/lists/so\n", 19);
	read_rooted(&t, &d, dir);
	assert_int_equal(aliases_verdicts(&t, NULL, &v, &depth, &d), 0);
	si = alias_lookup(&t, "si");
	so = alias_lookup(&t, "so");
	assert_int_equal(v[si - t.ents], ALIAS_OK);
	assert_int_equal(depth[si - t.ents], 2);
	assert_int_equal(v[so - t.ents], ALIAS_LOOP);
	assert_int_equal(depth[so - t.ents], 1);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].code, "S2Q-A023");
	free(v);
	free(depth);
	alias_table_free(&t);
	diag_free(&d);
	tu_rmtree(dir);
}

static void test_includes(void **state)
{
	char *dir = tu_tmpdir(), path[512], root[512], big[3000];
	struct aliases_opts o;
	struct alias_table t;
	struct diag_sink d;
	buf c = BUF_INIT;
	size_t i;
	(void)state;
	snprintf(root, sizeof(root), "%s/root", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(strcat(strcpy(path, root), "/etc"), 0755), 0);
	assert_int_equal(mkdir(strcat(strcpy(path, root), "/q"), 0755), 0);
	assert_int_equal(mkdir(strcat(strcpy(path, root), "/q/lists"), 0755), 0);
	tu_writefile(dir, "root/etc/staff", "# staff\r\nalice, bob\r\n\r\n  carol #@# comment\n"
		     "d#@# e\n:include:/etc/nested\n", 70);
	tu_writefile(dir, "root/etc/nested", "nest1\n:include:/etc/staff\n", 26);
	tu_writefile(dir, "root/q/lists/rel", "relative\n", 9);
	memset(big, 'x', sizeof(big));
	memcpy(big + 2040, ", y", 3);
	big[sizeof(big) - 1] = '\n';
	tu_writefile(dir, "root/etc/big", big, sizeof(big));
	assert_int_equal(symlink("../../../outside", strcat(strcpy(path, root), "/etc/evil")), 0);
	assert_int_equal(symlink("/etc/staff", strcat(strcpy(path, root), "/etc/link")), 0);
	tu_writefile(dir, "outside", "secret\n", 7);
	tu_writefile(dir, "aliases",
		     "s: :include:/etc/staff\n"
		     "s2: :include:/etc/staff, x\n"
		     "l: :include:/etc/link\n"
		     "r: :include:lists/rel\n"
		     "m: :include:/etc/missing\n"
		     "dd: :include:/etc\n"
		     "up: :include:/../outside\n"
		     "ev: :include:/etc/evil\n"
		     "big: :include:/etc/big\n", 207);
	snprintf(path, sizeof(path), "%s/aliases", dir);
	memset(&o, 0, sizeof(o));
	o.root = root;
	o.queue_dir = "/q";
	o.read_includes = 1;
	alias_table_init(&t);
	diag_init(&d);
	assert_int_equal(aliases_read(&t, path, "aliases", &o, &d), 0);
	codes(&c, &d);
	/* /etc/link is another path to the same file: read (and reported) again */
	assert_string_equal(c.s, "A015@5 A015@5 A032@5 A031@6 A030@7 A030@8 A034@1");
	assert_string_equal(d.v[0].file, "/etc/staff");
	assert_string_equal(d.v[1].file, "/etc/link");
	assert_string_equal(d.v[6].file, "/etc/big");
	/* each path read once: staff, nested, link, rel, missing, /etc, outside, evil, big */
	assert_int_equal(t.nincs, 9);
	i = alias_include_find(&t, "/etc/staff");
	assert_true(i != (size_t)-1);
	assert_int_equal(t.incs[i].missing, 0);
	assert_string_equal(t.incs[i].realpath, "/etc/staff");
	assert_int_equal(t.incs[i].nelems, 5);
	assert_string_equal(alias_elem_local(&t.incs[i].elems[0]), "alice");
	assert_string_equal(alias_elem_text(&t.incs[i].elems[2]), "carol");
	assert_string_equal(alias_elem_text(&t.incs[i].elems[3]), "d#@#.e");
	assert_int_equal(t.incs[i].elems[4].kind, ALIAS_INCLUDE);
	i = alias_include_find(&t, "/etc/link");
	assert_string_equal(t.incs[i].realpath, "/etc/staff");
	i = alias_include_find(&t, "lists/rel");
	assert_string_equal(t.incs[i].realpath, "/q/lists/rel");
	assert_string_equal(alias_elem_local(&t.incs[i].elems[0]), "relative");
	assert_int_equal(t.incs[alias_include_find(&t, "/etc/missing")].missing, 1);
	assert_int_equal(t.incs[alias_include_find(&t, "/etc")].missing, 2);
	assert_int_equal(t.incs[alias_include_find(&t, "/../outside")].missing, 2);
	assert_int_equal(t.incs[alias_include_find(&t, "/etc/evil")].missing, 2);
	/* sendmail reads a long line in pieces of 2047 bytes: "x...x, yxxxx" | "xx...x" */
	i = alias_include_find(&t, "/etc/big");
	assert_int_equal(t.incs[i].nelems, 3);
	assert_int_equal(strlen(alias_elem_text(&t.incs[i].elems[0])), 2040);
	assert_string_equal(alias_elem_text(&t.incs[i].elems[1]), "yxxxx");
	alias_table_free(&t);
	diag_free(&d);
	/* reading includes off, or no queue directory */
	o.read_includes = 0;
	alias_table_init(&t);
	diag_init(&d);
	assert_int_equal(aliases_read(&t, path, "aliases", &o, &d), 0);
	assert_int_equal(t.nincs, 0);
	assert_int_equal(d.n, 0);
	alias_table_free(&t);
	diag_free(&d);
	buf_free(&c);
	tu_rmtree(dir);
}

static void test_errors(void **state)
{
	struct alias_table t;
	struct diag_sink d;
	struct aliases_opts o;
	char *dir = tu_tmpdir();
	(void)state;
	alias_table_init(&t);
	diag_init(&d);
	errno = 0;
	assert_int_equal(aliases_read(&t, "/nonexistent/aliases", NULL, NULL, &d), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(aliases_read(&t, dir, NULL, NULL, &d), -1);
	assert_int_equal(errno, EINVAL);
	memset(&o, 0, sizeof(o));
	o.root = "/nonexistent";
	o.read_includes = 1;
	assert_int_equal(aliases_read(&t, "/dev/null", NULL, &o, &d), -1);
	assert_int_equal(t.nfiles, 0);
	alias_table_free(&t);
	diag_free(&d);
	tu_rmtree(dir);
}

/* MatchGECOS: buildfname, then the names that become aliases (and those that do not) */
static void test_fullnames(void **state)
{
	char *dir = tu_tmpdir(), path[512];
	struct alias_table t;
	struct diag_sink d;
	struct hset logins;
	buf f = BUF_INIT;
	size_t i;
	static const struct aliases_fullname v[] = {
		{ "al", "Al Smith", 3 },		/* al.smith is an alias already */
		{ "bo", "Bo van Dyke", 4 },		/* 2 blanks: 4 names */
		{ "cy", "Cy", 5 },			/* no blank: sendmail never matches it */
		{ "di", "Al Smith", 6 },		/* al_smith: the earlier account has it */
		{ "ed", "A B C D E", 7 },		/* 4 blanks: all '.' and all '_' only */
		{ "fy", "Fy (x)", 8 },			/* a byte an alias name cannot have bare */
	};
	static const char *const yes[][2] = {
		{ "al_smith", "al" }, { "bo.van.dyke", "bo" }, { "bo_van.dyke", "bo" },
		{ "bo.van_dyke", "bo" }, { "bo_van_dyke", "bo" }, { "a.b.c.d.e", "ed" },
		{ "a_b_c_d_e", "ed" },
	};
	static const char *const no[] = { "al.smith", "cy", "a.b_c.d.e", "fy.(x)", "root" };
	(void)state;

	assert_int_equal(aliases_buildfname(&f, "*& Doe,Room 1", 13, "maxie", 5), 0);
	assert_string_equal(f.s, "Maxie Doe");
	assert_int_equal(aliases_buildfname(&f, "Jo;x", 4, "jo", 2), 0);
	assert_string_equal(f.s, "Jo");
	tu_writefile(dir, "aliases", "al.smith: x@remote.example\n", 27);
	snprintf(path, sizeof(path), "%s/aliases", dir);
	alias_table_init(&t);
	diag_init(&d);
	hset_init(&logins);
	assert_int_equal(hset_put(&logins, "root", 4, 0, NULL), 1);
	assert_int_equal(aliases_read(&t, path, "aliases", NULL, &d), 0);
	assert_int_equal(aliases_fullnames(&t, "/etc/passwd", v, sizeof(v) / sizeof(v[0]), &logins,
					   &d), 0);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		const struct alias_ent *e = alias_lookup(&t, yes[i][0]);

		assert_non_null(e);
		assert_string_equal(alias_ent_value(e), yes[i][1]);
		assert_string_equal(t.files[e->file], "/etc/passwd");
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		const struct alias_ent *e = alias_lookup(&t, no[i]);

		assert_true(e == NULL || strcmp(t.files[e->file], "aliases") == 0);
	}
	/* one note per account that got names */
	assert_int_equal(d.nnote, 3);
	assert_string_equal(d.v[0].code, "S2Q-A135");
	assert_int_equal(d.v[0].line, 3);
	alias_table_free(&t);
	diag_free(&d);
	hset_free(&logins);
	buf_free(&f);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fullnames),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_name_map),
		cmocka_unit_test(test_names_only),
		cmocka_unit_test(test_names_set_files),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_elem_pack),
		cmocka_unit_test(test_model_index),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_self_list),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("aliases", tests, NULL, NULL);
}
