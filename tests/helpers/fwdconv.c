/*
 * fwdconv - test helper: read users' .forward files with parse/forward and
 * convert them with emit/fwdqmail, the calls s2q-migrate makes.
 *
 *   fwdconv [options] -r ROOT USER...    USER = name:uid:gid:home[:shell]
 *     -q        print each user's .qmail ("== name REL" then the content, or
 *               "== name none (STATE)"); the default
 *     -v        print what sendmail -bv -v would decide for each user, one
 *               verdict a line, sorted, unique (tests/scripts/forward-oracle.sh):
 *               "local NAME", "remote ADDR", "prog CMD", "file PATH",
 *               "bad ELEMENT", "refused ELEMENT", "cannot-open PATH",
 *               "ignored WHY"
 *     -o OUT    write the .qmail files below OUT (fwdq_user with an output root)
 *     -l DOM    a local domain (class w); repeat
 *     -k FILE   the old host's passwd: names in it are real users (for -v)
 *     -Q DIR    sendmail's queue directory (relative :include: paths)
 *     -P PATH   ForwardPath (default sendmail's "$z/.forward.$w:$z/.forward")
 *     -H FQDN   the old host's name ($j, $w)
 *     -S        check shells against ROOT/etc/shells
 *     -B WORDS  DontBlameSendmail bits: g (GW forward), w (WW forward),
 *               d (GW dir path), s (TrustStickyBit), u (unsafe dir path)
 *     -m ME     domain for local names (default mx.example.test)
 *     -D LINE   default delivery (default ./Maildir/)
 *   Diagnostics on stderr in s2q's format.  Exit 0; 100 an error
 *   diagnostic or bad usage; 111 system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../convert/lib/emit/fwdqmail.h"
#include "../../convert/lib/util/hset.h"
#include "../../convert/lib/util/lline.h"

static void die(const char *what)
{
	fprintf(stderr, "fwdconv: fatal: %s: %s\n", what, strerror(errno));
	exit(111);
}

static void usage(void)
{
	fputs("fwdconv: usage: fwdconv [-qv] [-o OUT] [-l DOM]... [-k PASSWD] [-Q DIR] [-P PATH] "
	      "[-H FQDN] [-S] [-B WORDS] [-m ME] [-D LINE] -r ROOT USER...\n", stderr);
	exit(100);
}

static int cmpbuf(const void *a, const void *b)
{
	const buf *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	return c ? c : (x->len < y->len ? -1 : x->len > y->len);
}

struct verdicts {
	buf *v;
	size_t n, cap;
};

static void vadd(struct verdicts *vs, const char *kind, const char *s)
{
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 16;
		vs->v = realloc(vs->v, vs->cap * sizeof(*vs->v));
		if (vs->v == NULL)
			die("realloc");
	}
	buf_init(&vs->v[vs->n]);
	if (buf_printf(&vs->v[vs->n], "%s%s%s", kind, *s ? " " : "", s) < 0)
		die("buf");
	vs->n++;
}

/* unq - a program/file text as sendmail prints the user: without the quotes */
static void verdict_elems(struct verdicts *vs, const struct forward_file *f,
			  const struct alias_list *l, const struct hset *users,
			  const char *self, struct hset *seen)
{
	size_t i;

	for (i = 0; i < l->nelems; i++) {
		const struct alias_elem *e = &l->elems[i];
		const char *t = alias_elem_text(e) ? alias_elem_text(e) : "";
		size_t tl = strlen(t);

		switch (e->kind) {
		case ALIAS_LOCAL:
			if (tl == 0)
				break;	/* a lone backslash: sendmail skips it */
			if (strcmp(t, self) == 0 || hset_get(users, t, tl, NULL))
				vadd(vs, "local", t);
			else
				vadd(vs, "bad", alias_elem_raw(e));
			break;
		case ALIAS_ADDR:
			if (tl == 0 || t[tl - 1] == '@')
				vadd(vs, "bad", alias_elem_raw(e));
			else if (alias_elem_local(e) == NULL)
				/* @route:user@host: sendmail delivers to user@host */
				vadd(vs, "remote", t[0] == '@' && strrchr(t, ':') ? strrchr(t, ':') + 1 : t);
			else if (strcmp(alias_elem_local(e), self) == 0 ||
				 hset_get(users, alias_elem_local(e), strlen(alias_elem_local(e)), NULL))
				vadd(vs, "local", alias_elem_local(e));
			else
				vadd(vs, "bad", alias_elem_raw(e));
			break;
		case ALIAS_PROG:
		case ALIAS_FILE:
			if (f->bad_shell)
				vadd(vs, "refused", alias_elem_raw(e));
			else
				vadd(vs, e->kind == ALIAS_PROG ? "prog" : "file", t);
			break;
		case ALIAS_INCLUDE: {
			const struct forward_inc *inc = forward_inc_find(f, t);

			if (inc == NULL || inc->missing)
				vadd(vs, "cannot-open", t);
			else if (hset_put(seen, t, tl, 1, NULL) == 1)
				verdict_elems(vs, f, &inc->list, users, self, seen);
			break;
		}
		default:
			vadd(vs, "bad", alias_elem_raw(e));
			break;
		}
	}
}

static void print_diags(struct diag_sink *d, size_t from)
{
	buf b = BUF_INIT;
	size_t i;

	for (i = from; i < d->n; i++) {
		buf_reset(&b);
		if (diag_format(&b, "fwdconv", &d->v[i]) < 0)
			die("diag");
		fwrite(b.s, 1, b.len, stderr);
	}
	buf_free(&b);
}

static void read_users(const char *path, struct hset *users)
{
	lline lr;
	buf l = BUF_INIT;
	int r;

	if (lline_open(&lr, path, 0) < 0)
		die(path);
	while ((r = lline_next(&lr, &l)) > 0) {
		const char *c = memchr(l.s, ':', l.len);

		if (c && hset_put(users, l.s, (size_t)(c - l.s), 1, NULL) < 0)
			die("hset");
	}
	if (r < 0)
		die(path);
	lline_close(&lr);
	buf_free(&l);
}

int main(int argc, char **argv)
{
	struct aliases_opts ao;
	struct forward_opts fo;
	struct fwdq_opts qo;
	struct diag_sink d;
	struct hset users, shells;
	const char *root = NULL, *out = NULL, *doms[32];
	size_t ndoms = 0;
	int mode = 'q', c, rootfd, outfd = -1, shellcheck = 0, i;

	memset(&ao, 0, sizeof(ao));
	memset(&fo, 0, sizeof(fo));
	memset(&qo, 0, sizeof(qo));
	qo.me = "mx.example.test";
	qo.defaultdelivery = "./Maildir/";
	qo.preline = "/var/qmail/bin/preline";
	qo.bouncesaying = "/var/qmail/bin/bouncesaying";
	hset_init(&users);
	hset_init(&shells);
	while ((c = getopt(argc, argv, "qvo:l:k:Q:P:H:SB:m:D:r:")) != -1) {
		switch (c) {
		case 'q':
		case 'v':
			mode = c;
			break;
		case 'o':
			out = optarg;
			break;
		case 'l':
			if (ndoms == 32)
				usage();
			doms[ndoms++] = optarg;
			break;
		case 'k':
			read_users(optarg, &users);
			break;
		case 'Q':
			ao.queue_dir = optarg;
			break;
		case 'P':
			fo.forward_path = optarg;
			break;
		case 'H':
			fo.hostname = optarg;
			break;
		case 'S':
			shellcheck = 1;
			break;
		case 'B':
			for (; *optarg; optarg++)
				fo.dontblame |= *optarg == 'g' ? FWD_DBS_GW_FORWARD :
						*optarg == 'w' ? FWD_DBS_WW_FORWARD :
						*optarg == 'd' ? FWD_DBS_GW_DIRPATH :
						*optarg == 's' ? FWD_DBS_STICKY :
						*optarg == 'u' ? FWD_DBS_UNSAFE_DIRPATH : 0;
			break;
		case 'm':
			qo.me = optarg;
			break;
		case 'D':
			qo.defaultdelivery = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		default:
			usage();
		}
	}
	if (root == NULL || optind >= argc)
		usage();
	ao.local_domains = doms;
	ao.nlocal_domains = ndoms;
	ao.blanksub = '.';
	fo.ao = &ao;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die(root);
	if (out != NULL && (outfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(out);
	if (shellcheck) {
		if (forward_read_shells(rootfd, &shells) < 0)
			die("shells");
		fo.shells = &shells;
	}
	diag_init(&d);
	for (i = optind; i < argc; i++) {
		char *spec = strdup(argv[i]), *fld[5] = { 0 };
		struct forward_user u;
		struct fwdq_result res;
		size_t k = 0, from = d.n;
		char *p = spec, *colon;

		if (spec == NULL)
			die("strdup");
		while (k < 5 && p) {
			fld[k++] = p;
			colon = k < 5 ? strchr(p, ':') : NULL;
			if (colon)
				*colon++ = '\0';
			p = colon;
		}
		if (k < 4)
			usage();
		memset(&u, 0, sizeof(u));
		u.name = fld[0];
		u.uid = strtoul(fld[1], NULL, 10);
		u.gid = strtoul(fld[2], NULL, 10);
		u.home = fld[3];
		u.shell = fld[4];
		if (mode == 'v') {
			struct forward_file f;
			struct verdicts vs = { NULL, 0, 0 };
			struct hset seen;
			size_t j;

			hset_init(&seen);
			if (forward_read(rootfd, &u, &fo, &f, &d) < 0)
				die("forward_read");
			if (f.state == FWD_IGNORED && f.why)
				vadd(&vs, "ignored", f.why);
			if (f.state != FWD_READ || f.list.nelems == 0)
				vadd(&vs, "local", u.name);
			else
				verdict_elems(&vs, &f, &f.list, &users, u.name, &seen);
			if (vs.n == 0)
				vadd(&vs, "bounce-all", "");
			qsort(vs.v, vs.n, sizeof(*vs.v), cmpbuf);
			for (j = 0; j < vs.n; j++)
				if (j == 0 || cmpbuf(&vs.v[j], &vs.v[j - 1]) != 0)
					printf("%.*s\n", (int)vs.v[j].len, vs.v[j].s);
			for (j = 0; j < vs.n; j++)
				buf_free(&vs.v[j]);
			free(vs.v);
			hset_free(&seen);
			forward_file_free(&f);
		} else {
			fwdq_result_init(&res);
			if (fwdq_user(rootfd, &u, &fo, &qo, outfd, &res, &d) < 0)
				die(res.rel.len ? res.rel.s : "fwdq_user");
			if (res.need)
				printf("== %s %s%s\n%.*s", u.name, res.rel.len ? res.rel.s : "-",
				       res.errors ? " (errors: not written)" : "",
				       (int)res.content.len, res.content.s);
			else
				printf("== %s none (%s)\n", u.name,
				       res.errors ? "errors" : res.state == FWD_NONE ? "no .forward" :
				       res.state == FWD_IGNORED ? "ignored by sendmail" : "empty .forward");
			fwdq_result_free(&res);
		}
		print_diags(&d, from);
		free(spec);
	}
	fflush(stdout);
	c = d.nerr ? 100 : 0;
	if (d.oom)
		c = 111;
	diag_free(&d);
	hset_free(&users);
	hset_free(&shells);
	close(rootfd);
	if (outfd >= 0)
		close(outfd);
	return c;
}
