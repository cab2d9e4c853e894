/*
 * aliasdump - test helper: parse sendmail aliases files with s2q's parser
 * and print what sendmail would show for them, so the tests can compare
 * with the real sendmail's answers (tests/aliases/, tests/scripts/
 * aliases-oracle.sh).
 *
 *   aliasdump [options] FILE...       (files in AliasFile order)
 *     -p        praliases: per file, the "key:value" lines of its database
 *               plus "@:@", sorted bytewise (as LC_ALL=C sort); the default
 *     -n        newaliases: what `sendmail -bi` prints, per file the
 *               diagnostics in sendmail's words ("FILE: line N: message")
 *               and the summary line ("FILE: N aliases, longest ...")
 *     -v        verdicts: "name<TAB>ok|deep|loop" per live name, sorted
 *     -e        elements: "name<TAB>kind<TAB>text<TAB>local" per element
 *               of each live name, then per include list "include:PATH"
 *     -d        every diagnostic in s2q's format
 *     -l DOMAIN a local domain (class w); repeat
 *     -r ROOT   the old host's root (for :include: files); default /
 *     -q DIR    sendmail's queue directory on the old host (relative
 *               :include: paths)
 *     -P DIR    show each file as DIR/basename(FILE) (the name sendmail
 *               printed in the recording)
 *     -u FILE   the old host's passwd (real users end loops), for -v
 *     -I        do not read :include: files
 *   Exit 0; 100 bad usage; 111 a file cannot be read, out of memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../convert/lib/parse/aliases.h"
#include "../../convert/lib/parse/passwd.h"

static void die(const char *what)
{
	fprintf(stderr, "aliasdump: fatal: %s: %s\n", what, strerror(errno));
	exit(111);
}

static void usage(void)
{
	fputs("aliasdump: usage: aliasdump [-pnved] [-l DOMAIN]... [-r ROOT] [-q DIR] [-P DIR] "
	      "[-u PASSWD] [-I] FILE...\n", stderr);
	exit(100);
}

static int cmpstr(const void *a, const void *b)
{
	const buf *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* lines - sort and print a vector of lines */
static void print_sorted(buf *v, size_t n)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmpstr);
	for (i = 0; i < n; i++) {
		fwrite(v[i].s, 1, v[i].len, stdout);
		putchar('\n');
		buf_free(&v[i]);
	}
}

static void praliases(const struct alias_table *t, size_t file)
{
	buf *v = calloc(t->nents + 1, sizeof(*v));
	size_t i, n = 0;

	if (v == NULL)
		die("calloc");
	for (i = 0; i < t->nents; i++) {
		const struct alias_ent *e = &t->ents[i];

		if (e->file != file || e->dead == ALIAS_DEAD_DUP)
			continue;
		if (buf_printf(&v[n], "%s:%s", e->name, alias_ent_value(e)) < 0)
			die("buf");
		n++;
	}
	if (buf_append_s(&v[n++], "@:@") < 0)
		die("buf");
	print_sorted(v, n);
	free(v);
}

static const char *display(const char *path, const char *dir, buf *b)
{
	const char *base = strrchr(path, '/');

	if (dir == NULL)
		return path;
	buf_reset(b);
	if (buf_printf(b, "%s/%s", dir, base ? base + 1 : path) < 0 || buf_cstr(b) == NULL)
		die("buf");
	return b->s;
}

int main(int argc, char **argv)
{
	const char *domains[64];
	struct aliases_opts o;
	struct alias_table t;
	struct diag_sink d;
	struct hset users, *up = NULL;
	const char *pwfile = NULL, *pdir = NULL;
	int mode_p = 0, mode_n = 0, mode_v = 0, mode_e = 0, mode_d = 0, i;
	size_t nd = 0, f, k, j;
	buf disp = BUF_INIT, line = BUF_INIT;

	memset(&o, 0, sizeof(o));
	o.read_includes = 1;
	o.blanksub = '.';
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		for (a++; *a; a++) {
			const char **opt = NULL;

			switch (*a) {
			case 'p': mode_p = 1; continue;
			case 'n': mode_n = 1; continue;
			case 'v': mode_v = 1; continue;
			case 'e': mode_e = 1; continue;
			case 'd': mode_d = 1; continue;
			case 'I': o.read_includes = 0; continue;
			case 'l':
				if (nd == sizeof(domains) / sizeof(domains[0]))
					usage();
				opt = &domains[nd++];
				break;
			case 'r': opt = &o.root; break;
			case 'q': opt = &o.queue_dir; break;
			case 'P': opt = &pdir; break;
			case 'u': opt = &pwfile; break;
			default: usage();
			}
			if (a[1]) {
				*opt = a + 1;
			} else if (i + 1 < argc) {
				*opt = argv[++i];
			} else {
				usage();
			}
			break;
		}
	}
	if (i >= argc)
		usage();
	if (!mode_n && !mode_v && !mode_e && !mode_d)
		mode_p = 1;
	o.local_domains = domains;
	o.nlocal_domains = nd;
	hset_init(&users);
	if (pwfile) {
		struct passwd_parser pp;
		struct passwd_ent pe;
		struct diag_sink pd;
		int r;

		diag_init(&pd);
		if (passwd_open(&pp, pwfile, pwfile, &pd) < 0)
			die(pwfile);
		while ((r = passwd_next(&pp, &pe)) > 0)
			if (hset_put(&users, pe.name.s, pe.name.len, 1, NULL) < 0)
				die("hset");
		if (r < 0)
			die(pwfile);
		passwd_close(&pp);
		diag_free(&pd);
		up = &users;
	}
	alias_table_init(&t);
	diag_init(&d);
	for (f = 0; i < argc; i++, f++) {
		size_t from = d.n;
		const char *name = display(argv[i], pdir, &disp);

		if (aliases_read(&t, argv[i], name, &o, &d) < 0)
			die(argv[i]);
		if (mode_n) {
			for (k = from; k < d.n; k++) {
				size_t len;

				if (!aliases_diag_smtext(&d.v[k], &len))
					continue;
				printf("%s: line %lu: %.*s\n", d.v[k].file, d.v[k].line, (int)len, d.v[k].msg);
			}
			printf("%s: %lu aliases, longest %lu bytes, %lu bytes total\n", name,
			       t.fstats[f].naliases, t.fstats[f].longest, t.fstats[f].bytes);
		}
	}
	if (mode_p)
		for (f = 0; f < t.nfiles; f++)
			praliases(&t, f);
	if (mode_v || mode_d) {
		unsigned char *verdict = NULL;
		static const char *const vname[] = { "ok", "deep", "loop" };

		if (aliases_verdicts(&t, up, &verdict, NULL, &d) < 0)
			die("aliases_verdicts");
		if (mode_v) {
			buf *v = calloc(t.nents + 1, sizeof(*v));
			size_t n = 0;

			if (v == NULL)
				die("calloc");
			for (k = 0; k < t.nents; k++) {
				if (t.ents[k].dead)
					continue;
				if (buf_printf(&v[n++], "%s\t%s", t.ents[k].name, vname[verdict[k]]) < 0)
					die("buf");
			}
			print_sorted(v, n);
			free(v);
		}
		free(verdict);
	}
	if (mode_e) {
		for (k = 0; k < t.nents; k++) {
			const struct alias_ent *e = &t.ents[k];

			if (e->dead)
				continue;
			for (j = 0; j < e->nelems; j++)
				printf("%s\t%s\t%s\t%s\n", e->name, alias_kind_name(e->elems[j].kind),
				       alias_elem_text(&e->elems[j]) ? alias_elem_text(&e->elems[j]) : "",
				       alias_elem_local(&e->elems[j]) ? alias_elem_local(&e->elems[j]) : "-");
		}
		for (k = 0; k < t.nincs; k++) {
			const struct alias_include *inc = &t.incs[k];

			if (inc->missing)
				printf("include:%s\t(missing %d)\n", inc->path, inc->missing);
			for (j = 0; j < inc->nelems; j++)
				printf("include:%s\t%s\t%s\t%s\n", inc->path,
				       alias_kind_name(inc->elems[j].kind),
				       alias_elem_text(&inc->elems[j]) ? alias_elem_text(&inc->elems[j]) : "",
				       alias_elem_local(&inc->elems[j]) ? alias_elem_local(&inc->elems[j]) : "-");
		}
	}
	if (mode_d) {
		for (k = 0; k < d.n; k++) {
			buf_reset(&line);
			if (diag_format(&line, "aliasdump", &d.v[k]) < 0)
				die("buf");
			fwrite(line.s, 1, line.len, stdout);
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		die("stdout");
	alias_table_free(&t);
	diag_free(&d);
	hset_free(&users);
	buf_free(&disp);
	buf_free(&line);
	return 0;
}
