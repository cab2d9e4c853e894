/*
 * smresolve - print where sendmail delivers addresses, from a copy of the
 * old host's files (the sendmail side of s2q-route, convert/lib/resolve/smres.h),
 * for the oracle and unit-level script tests and for looking at a host by hand.
 *
 *   smresolve [-s|-r|-P] [-t] [-j] [-u] [-F] [-H FQDN] [-N NODENAME] [-l DOMAIN]...
 *             [-C CF] [-p PASSWD] [-A FILE[,FILE...]] ROOT [ADDRESS...]
 *
 * reads CF (default /etc/mail/sendmail.cf) below ROOT with the host name
 * FQDN, opens the resolver and prints "ADDRESS<TAB>delivery set" per
 * address (from the command line, else one per line on stdin).  -s checks
 * the address as an SMTP recipient from an outside client first
 * (check_rcpt); -r prints only what check_rcpt does (nothing: accepted); -t adds the trace (indented lines); -j prints the set as
 * JSON; -u appends "<TAB>used FILE:LINE ..." (the lines that decided);
 * -F does not read .forward files; -l adds a class w member; -A replaces
 * the cf's AliasFile list (as sendmail -OAliasFile=... does); -P prints
 * "DOMAIN<TAB>plain" or "DOMAIN<TAB>not-plain" (smres_domain_plain) for each
 * argument instead.  Diagnostics of the input go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../convert/lib/parse/sendmailcf.h"
#include "../../convert/lib/resolve/smres.h"
#include "../../convert/lib/util/lline.h"

static void die(int code, const char *what)
{
	fprintf(stderr, "smresolve: fatal: %s: %s\n", what, strerror(errno));
	exit(code);
}

static void usage(void)
{
	fputs("smresolve: usage: smresolve [-s|-r|-P] [-t] [-j] [-u] [-F] [-H FQDN] [-N NODENAME] "
	      "[-l DOMAIN]... [-C CF] [-p PASSWD] [-A FILE[,FILE...]] ROOT [ADDRESS...]\n",
	      stderr);
	exit(100);
}

struct flags {
	int smtp, tr, json, used;	/* smtp: 0 local, 1 SMTP, 2 check_rcpt only */
	int plain;			/* -P: smres_domain_plain of each argument */
};

static void one(struct smres *r, const char *addr, const struct flags *f, buf *out)
{
	struct dlv_set s;
	struct smres_used u;
	buf trace = BUF_INIT;
	size_t i;
	int k;

	if (f->plain) {
		k = smres_domain_plain(r, addr, strlen(addr));
		if (k < 0)
			die(111, "out of memory");
		if (buf_printf(out, "%s\t%s\n", addr, k ? "plain" : "not-plain") < 0)
			die(111, "out of memory");
		return;
	}
	dlv_set_init(&s);
	smres_used_init(&u);
	if (smres_resolve(r, addr, f->smtp == 2 ? SMRES_VIA_RCPT : f->smtp ? SMRES_VIA_SMTP
								       : SMRES_VIA_LOCAL, &s, &u,
			  f->tr ? &trace : NULL) < 0)
		die(111, "unable to resolve");
	if (buf_append_s(out, addr) < 0 || buf_append_c(out, '\t') < 0 ||
	    (f->json ? dlv_json_set(out, &s) : dlv_format_set(out, &s)) < 0)
		die(111, "out of memory");
	if (f->used) {
		if (buf_append_s(out, "\tused") < 0)
			die(111, "out of memory");
		for (i = 0; i < u.n; i++)
			if (buf_printf(out, " %s:%lu", u.v[i].file, u.v[i].line) < 0)
				die(111, "out of memory");
	}
	if (buf_append_c(out, '\n') < 0 || buf_append(out, trace.s, trace.len) < 0)
		die(111, "out of memory");
	dlv_set_free(&s);
	smres_used_free(&u);
	buf_free(&trace);
}

int main(int argc, char **argv)
{
	struct smres_opts o;
	struct smres r;
	struct cf_opts co;
	struct host h;
	struct diag_sink d;
	struct flags f;
	const char *cf = "/etc/mail/sendmail.cf", *locals[64], *afiles = NULL;
	struct host_aliasfile af[16], *saved = NULL;
	size_t nlocals = 0, k, naf = 0, nsaved = 0;
	char *afcopy = NULL;
	buf out = BUF_INIT, line = BUF_INIT;
	int i, rootfd;

	memset(&f, 0, sizeof(f));
	memset(&co, 0, sizeof(co));
	smres_opts_init(&o);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-s") == 0)
			f.smtp = 1;
		else if (strcmp(a, "-r") == 0)
			f.smtp = 2;
		else if (strcmp(a, "-t") == 0)
			f.tr = 1;
		else if (strcmp(a, "-j") == 0)
			f.json = 1;
		else if (strcmp(a, "-u") == 0)
			f.used = 1;
		else if (strcmp(a, "-F") == 0)
			o.no_forward = 1;
		else if (strcmp(a, "-P") == 0)
			f.plain = 1;
		else if (i + 1 < argc && strcmp(a, "-H") == 0)
			co.hostname = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-N") == 0)
			co.nodename = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-l") == 0 && nlocals < 64)
			locals[nlocals++] = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-C") == 0)
			cf = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-p") == 0)
			o.passwd = argv[++i];
		else if (i + 1 < argc && strcmp(a, "-A") == 0)
			afiles = argv[++i];
		else
			usage();
	}
	if (i >= argc)
		usage();
	rootfd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die(100, "unable to open the root");
	o.rootfd = rootfd;
	o.root = argv[i];
	co.rootfd = rootfd;
	co.locals = locals;
	co.nlocals = nlocals;
	diag_init(&d);
	host_init(&h);
	if (cf_load(&h, cf, &co, &d) < 0)
		die(errno == ENOMEM ? 111 : 100, "unable to read the cf");
	if (afiles) {
		char *p, *save = NULL;

		afcopy = strdup(afiles);
		if (afcopy == NULL)
			die(111, "out of memory");
		for (p = strtok_r(afcopy, ",", &save); p && naf < 16; p = strtok_r(NULL, ",", &save)) {
			memset(&af[naf], 0, sizeof(af[naf]));
			af[naf].mclass = (char *)"implicit";
			af[naf].spec = p;
			naf++;
		}
		saved = h.aliasfiles;
		nsaved = h.naliasfiles;
		h.aliasfiles = af;
		h.naliasfiles = naf;
	}
	if (smres_open(&r, &h, &o, &d) < 0)
		die(errno == ENOMEM ? 111 : 100, "unable to open the resolver");
	for (k = 0; k < d.n; k++) {
		buf_reset(&line);
		if (diag_format(&line, "smresolve", &d.v[k]) < 0)
			die(111, "out of memory");
		fwrite(line.s, 1, line.len, stderr);
	}
	if (i + 1 < argc) {
		for (i++; i < argc; i++)
			one(&r, argv[i], &f, &out);
	} else {
		lline lr;
		int rr;

		if (lline_fdopen(&lr, 0, 0) < 0)
			die(111, "out of memory");
		while ((rr = lline_next(&lr, &line)) > 0) {
			if (buf_cstr(&line) == NULL)
				die(111, "out of memory");
			one(&r, line.s, &f, &out);
			if (out.len > 65536) {
				if (fwrite(out.s, 1, out.len, stdout) != out.len)
					die(111, "unable to write");
				buf_reset(&out);
			}
		}
		if (rr < 0)
			die(111, "unable to read standard input");
		lline_close(&lr);
	}
	if (out.len && fwrite(out.s, 1, out.len, stdout) != out.len)
		die(111, "unable to write");
	if (fflush(stdout) != 0)
		die(111, "unable to write");
	smres_close(&r);
	if (afiles) {
		h.aliasfiles = saved;
		h.naliasfiles = nsaved;
	}
	free(afcopy);
	host_free(&h);
	diag_free(&d);
	buf_free(&out);
	buf_free(&line);
	close(rootfd);
	return 0;
}
