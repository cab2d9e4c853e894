/*
 * qresolve - print where qmail delivers addresses, from a staged qmail tree
 * (the qmail side of s2q-route, convert/lib/resolve/qres.h), for golden
 * tests and for looking at a converted tree by hand.
 *
 *   qresolve [-s|-i|-P] [-t] [-j] [-p PASSWD] [-H HOMEROOT] [-D DEFAULTDELIVERY]
 *            [-q QMAILHOME] [-a ALIASHOME] [-m MAXDEPTH] OUTROOT [ADDRESS...]
 *
 * prints "ADDRESS<TAB>delivery set" per address (addresses from the command
 * line, else one per line on stdin); -s checks rcpthosts first (as if the
 * address came in by SMTP), -i qualifies it as qmail-inject would (a local
 * user's mail); without either it is handed to qmail-queue as is; -t adds the trace (indented lines), -j prints
 * the set as JSON.  -P: the arguments are domains; for each, s2q.nosuch@DOMAIN is
 * resolved (so that the aliases cdbs it reaches are open) and "DOMAIN<TAB>plain"
 * or "DOMAIN<TAB>not-plain" (qres_domain_plain) is printed.  Diagnostics of the
 * tree go to stderr.
 *
 *   qresolve --ff [-d] [-p] CDB
 *
 * runs qres's fastforward on CDB (relative to the current directory) with
 * RECIPIENT, SENDER, DEFAULT, EXT, HOST from the environment and prints on
 * stderr exactly what `fastforward -n` prints, exiting with its exit code:
 * the comparison with Debian's fastforward in tests/scripts/qres-fastforward.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../convert/lib/resolve/qres.h"
#include "../../convert/lib/util/lline.h"

static void die(int code, const char *what)
{
	fprintf(stderr, "qresolve: fatal: %s: %s\n", what, strerror(errno));
	exit(code);
}

static void usage(void)
{
	fputs("qresolve: usage: qresolve [-s|-i|-P] [-t] [-j] [-p PASSWD] [-H HOMEROOT] "
	      "[-D DEFAULTDELIVERY] [-q QMAILHOME] [-a ALIASHOME] [-m MAXDEPTH] OUTROOT "
	      "[ADDRESS...]\n       qresolve --ff [-d] [-p] CDB\n", stderr);
	exit(100);
}

static int ffmode(int argc, char **argv)
{
	struct qres_opts o;
	struct qres q;
	struct qres_ffenv env;
	unsigned flags = 0;
	buf out = BUF_INIT;
	char cwd[4096];
	int i, code = 0;

	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-d") == 0)
			flags |= QRES_FF_D;
		else if (strcmp(argv[i], "-p") == 0)
			flags |= QRES_FF_P;
		else
			usage();
	}
	if (i + 1 != argc)
		usage();
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		die(111, "unable to get the current directory");
	qres_opts_init(&o);
	o.qmailhome = "/nonexistent/qresolve";	/* no control files: only fastforward is used */
	if (qres_open(&q, "/", &o, NULL) < 0)
		die(111, "unable to open /");
	env.recipient = getenv("RECIPIENT");
	env.sender = getenv("SENDER");
	env.default_ = getenv("DEFAULT");
	env.ext = getenv("EXT");
	env.host = getenv("HOST");
	if (qres_ff_dryrun(&q, argv[i], cwd, flags, &env, &out, &code) < 0)
		die(111, "out of memory");
	if (out.len && fwrite(out.s, 1, out.len, stderr) != out.len)
		die(111, "unable to write");
	qres_close(&q);
	buf_free(&out);
	return code;
}

static void one(struct qres *q, const char *addr, int smtp, int tr, int json, buf *out)
{
	struct dlv_set s;
	buf trace = BUF_INIT;

	dlv_set_init(&s);
	if (qres_resolve(q, addr, smtp, &s, tr ? &trace : NULL) < 0)
		die(111, "unable to resolve");
	if (buf_append_s(out, addr) < 0 || buf_append_c(out, '\t') < 0 ||
	    (json ? dlv_json_set(out, &s) : dlv_format_set(out, &s)) < 0 ||
	    buf_append_c(out, '\n') < 0 || buf_append(out, trace.s, trace.len) < 0)
		die(111, "out of memory");
	dlv_set_free(&s);
	buf_free(&trace);
}

static void plainone(struct qres *q, const char *dom, buf *out)
{
	struct dlv_set s;
	buf a = BUF_INIT;
	int k;

	dlv_set_init(&s);
	if (buf_printf(&a, "s2q.nosuch@%s", dom) < 0 || qres_resolve(q, a.s, QRES_VIA_QUEUE, &s, NULL) < 0)
		die(111, "out of memory");
	k = qres_domain_plain(q, dom, strlen(dom));
	if (k < 0 || buf_printf(out, "%s\t%s\n", dom, k ? "plain" : "not-plain") < 0)
		die(111, "out of memory");
	dlv_set_free(&s);
	buf_free(&a);
}

int main(int argc, char **argv)
{
	struct qres_opts o;
	struct qres q;
	struct diag_sink d;
	buf out = BUF_INIT, line = BUF_INIT;
	int i, smtp = 0, tr = 0, json = 0, plain = 0;
	size_t k;

	if (argc > 1 && strcmp(argv[1], "--ff") == 0)
		return ffmode(argc, argv);
	qres_opts_init(&o);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-s") == 0)
			smtp = QRES_VIA_SMTP;
		else if (strcmp(a, "-i") == 0)
			smtp = QRES_VIA_INJECT;
		else if (strcmp(a, "-t") == 0)
			tr = 1;
		else if (strcmp(a, "-j") == 0)
			json = 1;
		else if (strcmp(a, "-P") == 0)
			plain = 1;
		else if (i + 1 < argc && strcmp(a, "-p") == 0)
			o.passwd = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-H") == 0)
			o.home_root = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-D") == 0)
			o.default_delivery = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-q") == 0)
			o.qmailhome = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-a") == 0)
			o.alias_home = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-m") == 0)
			o.max_depth = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			usage();
	}
	if (i >= argc)
		usage();
	diag_init(&d);
	if (qres_open(&q, argv[i], &o, &d) < 0)
		die(errno == ENOENT ? 100 : 111, "unable to open the tree");
	for (k = 0; k < d.n; k++) {
		buf_reset(&line);
		if (diag_format(&line, "qresolve", &d.v[k]) < 0)
			die(111, "out of memory");
		fwrite(line.s, 1, line.len, stderr);
	}
	if (i + 1 < argc) {
		for (i++; i < argc; i++)
			if (plain)
				plainone(&q, argv[i], &out);
			else
				one(&q, argv[i], smtp, tr, json, &out);
	} else {
		lline lr;
		int r;

		if (lline_fdopen(&lr, 0, 0) < 0)
			die(111, "out of memory");
		while ((r = lline_next(&lr, &line)) > 0) {
			if (buf_cstr(&line) == NULL)
				die(111, "out of memory");
			one(&q, line.s, smtp, tr, json, &out);
		}
		if (r < 0)
			die(111, "unable to read standard input");
		lline_close(&lr);
	}
	if (out.len && fwrite(out.s, 1, out.len, stdout) != out.len)
		die(111, "unable to write");
	qres_close(&q);
	diag_free(&d);
	buf_free(&out);
	buf_free(&line);
	return 0;
}
