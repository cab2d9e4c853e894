/* s2q-cf - sendmail.cf and the files it names -> qmail control files */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/emit/control.h"
#include "lib/model/host.h"
#include "lib/parse/maptext.h"
#include "lib/parse/sendmailcf.h"
#include "lib/util/buf.h"
#include "lib/util/diag.h"
#include "lib/util/sroot.h"
#include "prog.h"

static const char usage[] =
	"[-c] [--json] --root SENDMAIL_ROOT [-C CF] [--hostname FQDN] [--nodename NAME]\n"
	"        [--local DOMAIN]... [--not-local DOMAIN]... [--qmailhome DIR] [--percenthack]\n"
	"        [--rcpthosts-max N] [--reuse DIR] -o OUTROOT\n"
	"       s2q-cf --show [--json] --root SENDMAIL_ROOT [-C CF] [--hostname FQDN] ...";

struct strv {
	const char **v;
	size_t n;
};

static void push(struct strv *s, const char *x)
{
	const char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

	if (nv == NULL) {
		errno = ENOMEM;
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	s->v = nv;
	s->v[s->n++] = x;
}

/* input_code - a file named on the command line or in the cf that cannot be read */
static int input_code(int e)
{
	if (e == EXDEV || e == EINVAL || e == ENOENT || e == ENOTDIR || e == ELOOP ||
	    e == ENAMETOOLONG)
		return S2Q_EXIT_PERM;
	return S2Q_EXIT_TEMP;
}

/* feed - stream one map's text source into the control emitter */
static void feed(const struct host *h, const char *mapname, enum host_feature f, int rootfd,
		 struct ctl *ctl, struct diag_sink *d, int is_access)
{
	const struct host_map *m = host_map_get(h, mapname);
	struct maptext mt;
	struct maptext_rec rec;
	char *shown = NULL;
	int fd, r;

	if (m == NULL)
		return;
	if (!h->feature[f]) {
		if (diag_add(d, DIAG_NOTE, "S2Q-C073", m->file, m->line,
			     "map %s is declared but no rule looks it up: sendmail never uses it; "
			     "not converted", m->name) < 0)
			goto oom;
		return;
	}
	r = cf_map_source(h, m, rootfd, &fd, &shown, d);
	if (r < 0)
		goto oom;
	if (r == 0) {
		free(shown);
		return;
	}
	if (maptext_fdopen(&mt, fd, shown, 0, d) < 0) {
		close(fd);
		goto oom;
	}
	while ((r = maptext_next(&mt, &rec)) > 0) {
		if ((is_access ? ctl_access(ctl, rec.key, rec.klen, rec.val, rec.vlen, shown,
					    rec.line)
			       : ctl_mailertable(ctl, rec.key, rec.klen, rec.val, rec.vlen, shown,
						 rec.line)) < 0) {
			r = -1;
			errno = ENOMEM;
			break;
		}
	}
	if (r < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP,
			       "unable to read %s", shown);
	maptext_close(&mt);
	free(shown);
	return;
oom:
	errno = ENOMEM;
	prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
}

static void json_head(buf *out, const char *mode, const struct diag_sink *d)
{
	if (buf_printf(out, "{\"program\":\"s2q-cf\",\"mode\":\"%s\",\"errors\":%zu,"
		       "\"warnings\":%zu,\"notes\":%zu,", mode, d->nerr, d->nwarn, d->nnote) < 0) {
		errno = ENOMEM;
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
}

int main(int argc, char **argv)
{
	const char *root = NULL, *cfarg = "/etc/mail/sendmail.cf", *outroot = NULL, *reuse = NULL;
	const char *hostname = NULL, *nodename = NULL, *qmailhome = NULL;
	struct strv locals = { NULL, 0 }, notlocal = { NULL, 0 };
	int show = 0, json = 0, check = 0, percenthack = 0, rootfd, outfd = -1, reusefd = -1, i;
	int rc = S2Q_EXIT_OK;
	size_t rmax = 0;
	struct cf_opts co;
	struct ctl_opts xo;
	struct host h;
	struct ctl ctl;
	struct diag_sink d;
	buf cf = BUF_INIT, out = BUF_INIT;
	char failed[256];

	prog_name = "s2q-cf";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;

		if (strcmp(a, "--show") == 0)
			show = 1;
		else if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "-c") == 0)
			check = 1;
		else if (strcmp(a, "--percenthack") == 0)
			percenthack = 1;
		else if (v && strcmp(a, "--root") == 0)
			root = argv[++i];
		else if (v && strcmp(a, "-C") == 0)
			cfarg = argv[++i];
		else if (v && strcmp(a, "-o") == 0)
			outroot = argv[++i];
		else if (v && strcmp(a, "--reuse") == 0)
			reuse = argv[++i];
		else if (v && strcmp(a, "--hostname") == 0)
			hostname = argv[++i];
		else if (v && strcmp(a, "--nodename") == 0)
			nodename = argv[++i];
		else if (v && strcmp(a, "--local") == 0)
			push(&locals, argv[++i]);
		else if (v && strcmp(a, "--not-local") == 0)
			push(&notlocal, argv[++i]);
		else if (v && strcmp(a, "--qmailhome") == 0)
			qmailhome = argv[++i];
		else if (v && strcmp(a, "--rcpthosts-max") == 0) {
			char *e;
			long n = strtol(argv[++i], &e, 10);

			if (*e || n < 1 || n > 1000000)
				prog_usage(usage);
			rmax = (size_t)n;
		} else
			prog_usage(usage);
	}
	if (root == NULL || (!show && !check && outroot == NULL) || (show && outroot != NULL))
		prog_usage(usage);
	if (hostname && (hostname[0] == '\0' || strchr(hostname, '/') || strchr(hostname, ' ')))
		prog_usage(usage);
	/* the cf is named as on the old host: /etc/mail/sendmail.cf (relative = from the root) */
	if ((cfarg[0] != '/' && buf_append_c(&cf, '/') < 0) || buf_append_s(&cf, cfarg) < 0 ||
	    buf_cstr(&cf) == NULL) {
		errno = ENOMEM;
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		prog_fatal_sys(input_code(errno), "unable to open the sendmail root %s", root);
	if (outroot && !show && !check) {
		outfd = open(outroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (outfd < 0)
			prog_fatal_sys(input_code(errno), "unable to open the output root %s",
				       outroot);
		if (reuse) {
			reusefd = prog_reuse_dir(reuse);
		}
	}
	diag_init(&d);
	host_init(&h);
	memset(&co, 0, sizeof(co));
	co.rootfd = rootfd;
	co.hostname = hostname;
	co.nodename = nodename;
	co.locals = locals.v;
	co.nlocals = locals.n;
	if (cf_load(&h, cf.s, &co, &d) < 0) {
		int e = errno;

		prog_print_diags(&d);
		errno = e;
		if (e == ENOMEM)
			prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
		fprintf(stderr, "%s: fatal: unable to read %s in %s: %s\n", prog_name, cf.s, root,
			sroot_errstr(e));
		rc = input_code(e);
		goto done;
	}
	if (show) {
		if (json) {
			json_head(&out, "show", &d);
			if (buf_append_s(&out, "\"host\":") < 0 || host_json(&out, &h) < 0 ||
			    buf_append_s(&out, ",\"diagnostics\":") < 0 ||
			    prog_json_diags(&out, &d) < 0 || buf_append_s(&out, "}\n") < 0) {
				errno = ENOMEM;
				prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
			}
		} else if (host_text(&out, &h) < 0) {
			errno = ENOMEM;
			prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
		}
		prog_print_diags(&d);
		prog_write_stdout(&out);
		rc = d.nerr ? S2Q_EXIT_PERM : S2Q_EXIT_OK;
		goto done;
	}
	memset(&xo, 0, sizeof(xo));
	xo.qmailhome = qmailhome;
	xo.rcpthosts_max = rmax;
	xo.percenthack = percenthack;
	xo.not_local = notlocal.v;
	xo.nnot_local = notlocal.n;
	if (ctl_init(&ctl, &h, &xo, &d) < 0) {
		errno = ENOMEM;
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	feed(&h, "mailertable", HF_MAILERTABLE, rootfd, &ctl, &d, 0);
	feed(&h, "access", HF_ACCESS_DB, rootfd, &ctl, &d, 1);
	if (ctl_finish(&ctl) < 0 || d.oom) {
		errno = ENOMEM;
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	prog_print_diags(&d);
	if (json) {
		json_head(&out, check ? "check" : "convert", &d);
		if (buf_printf(&out, "\"written\":%s,\"locals\":%zu,\"rcpthosts\":%zu,"
			       "\"morercpthosts\":%zu,\"smtproutes\":%zu,\"badmailfrom\":%zu,"
			       "\"tcprules\":%zu,\"diagnostics\":",
			       (d.nerr || check) ? "false" : "true", ctl.locals.n, ctl.rcpthosts.n,
			       ctl.nmore, ctl.smtproutes.n, ctl.badmailfrom.n, ctl.tcp.nrules) < 0 ||
		    prog_json_diags(&out, &d) < 0 || buf_append_s(&out, "}\n") < 0) {
			errno = ENOMEM;
			prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
		}
	}
	if (d.nerr) {
		if (json)
			prog_write_stdout(&out);
		fprintf(stderr, "%s: fatal: %zu error%s in %s and the files it names; nothing "
			"written\n", prog_name, d.nerr, d.nerr == 1 ? "" : "s", cf.s);
		rc = S2Q_EXIT_PERM;
	} else if (!check && ctl_write(&ctl, outfd, reusefd, failed) < 0) {
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to write the control files under %s%s%s",
			       outroot, failed[0] ? " at " : "", failed);
	} else if (json) {
		prog_write_stdout(&out);
	}
	ctl_free(&ctl);
done:
	host_free(&h);
	diag_free(&d);
	buf_free(&cf);
	buf_free(&out);
	free(locals.v);
	free(notlocal.v);
	close(rootfd);
	if (outfd >= 0)
		close(outfd);
	if (reusefd >= 0)
		close(reusefd);
	return rc;
}
