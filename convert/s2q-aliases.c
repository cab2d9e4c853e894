/* s2q-aliases - sendmail aliases files -> aliases.cdb / ~alias/.qmail files with sendmail's meaning */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/emit/aliasmap.h"
#include "lib/model/alias.h"
#include "lib/parse/aliases.h"
#include "lib/parse/passwd.h"
#include "lib/util/aw.h"
#include "lib/util/buf.h"
#include "lib/util/diag.h"
#include "prog.h"

static const char usage[] =
	"[-c] [--json] [--style fastforward|dotqmail] --me FQDN [--defaultdomain DOMAIN] "
	"[-w LOCALDOMAIN]... [--passwd FILE] [--root DIR] [--queue-dir DIR] [--alias-user NAME] "
	"[--alias-uid N] [--alias-gid N] [--alias-home DIR] [--qmail-home DIR] [--cdb PATH] "
	"[--fastforward PATH] [--luser-relay VALUE] [--max-alias-recursion N] [--blank-sub C] "
	"[--redirect] [--match-gecos] [--no-plus] "
	"[--reuse DIR] [--fresh] -o OUTROOT "
	"ALIASFILE...";

static void oom(void)
{
	errno = ENOMEM;
	prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
}

/* what one pass staged: removed when the program exits before publishing it (oom, fatal) */
static struct amap_result *pending;

static void drop_pending(void)
{
	if (pending)
		amap_result_free(pending);
}

/* a failed write under outroot (where: the file, or empty) with errno e: exit 111 */
static void write_failed(const char *outroot, const buf *where, int e) __attribute__((noreturn));
static void write_failed(const char *outroot, const buf *where, int e)
{
	errno = e;
	if (e == ENOMEM)
		oom();
	if (where->len)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to write %s/%s (nothing was replaced)", outroot,
			       where->s);
	prog_fatal_sys(S2Q_EXIT_TEMP, "unable to write under %s (nothing was replaced)", outroot);
}

/* every diagnostic to stderr; nothing is written unless the operator could read them all */
static void print_diags(const struct diag_sink *d)
{
	switch (prog_print_diags(d)) {
	case -1:
		oom();
		break;
	case -2:
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to write to standard error");
	}
}

int main(int argc, char **argv)
{
	struct amap_opts o;
	struct aliases_opts ao;
	struct alias_table t;
	struct amap_logins logins;
	struct amap_result res;
	struct diag_sink d;
	const char *outroot = NULL, *reuse = NULL, *passwd = NULL, *qmail_home = "/var/qmail", *root = NULL;
	const char *queue_dir = NULL, *alias_home = NULL, *style = "fastforward";
	unsigned long maxrec = 0;
	char blanksub = '.';
	int gecos = 0;			/* --match-gecos: the cf's MatchGECOS */
	struct aliases_fullname *fnv = NULL;
	size_t nfn = 0;
	buf fnames = BUF_INIT, fn = BUF_INIT;
	/* static: still reachable when prog_usage() or prog_fatal_sys() exits (leak checkers) */
	static const char **domains;
	static char **files;
	size_t ndomains = 0, nfiles = 0, i;
	unsigned char *verdicts = NULL;
	buf ah = BUF_INIT, ap = BUF_INIT, fw = BUF_INIT, pl = BUF_INIT, out = BUF_INIT, wwhere = BUF_INIT;
	int check = 0, json = 0, rootfd = -1, rc = S2Q_EXIT_OK, r, werr = 0;

	prog_name = "s2q-aliases";
	memset(&o, 0, sizeof(o));
	o.alias_user = "alias";
	o.cdb_path = "/etc/aliases.cdb";
	o.fastforward = "/usr/bin/fastforward";
	o.plus = 1;
	domains = calloc((size_t)argc + 1, sizeof(*domains));
	files = calloc((size_t)argc + 1, sizeof(*files));
	if (domains == NULL || files == NULL)
		oom();
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--") == 0) {
			for (i++; i < (size_t)argc; i++)
				files[nfiles++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			files[nfiles++] = argv[i];
			continue;
		}
		if (strcmp(a, "-c") == 0) {
			check = 1;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(a, "--no-plus") == 0) {
			o.plus = 0;
			continue;
		}
		if (strcmp(a, "--fresh") == 0) {
			o.fresh = 1;
			continue;
		}
		if (strcmp(a, "--redirect") == 0) {
			o.redirect = 1;
			continue;
		}
		if (strcmp(a, "--match-gecos") == 0) {
			gecos = 1;
			continue;
		}
		if (v == NULL)
			prog_usage(usage);
		i++;
		if (strcmp(a, "-o") == 0)
			outroot = v;
		else if (strcmp(a, "--reuse") == 0)
			reuse = v;
		else if (strcmp(a, "--style") == 0)
			style = v;
		else if (strcmp(a, "--me") == 0)
			o.me = v;
		else if (strcmp(a, "--defaultdomain") == 0)
			o.defaultdomain = v;
		else if (strcmp(a, "-w") == 0 || strcmp(a, "--local-domain") == 0)
			domains[ndomains++] = v;
		else if (strcmp(a, "--passwd") == 0)
			passwd = v;
		else if (strcmp(a, "--root") == 0)
			root = v;
		else if (strcmp(a, "--queue-dir") == 0)
			queue_dir = v;
		else if (strcmp(a, "--alias-user") == 0)
			o.alias_user = v;
		else if (strcmp(a, "--alias-uid") == 0)
			o.alias_uid = prog_id_arg(usage, v);
		else if (strcmp(a, "--alias-gid") == 0)
			o.alias_gid = prog_id_arg(usage, v);
		else if (strcmp(a, "--alias-home") == 0)
			alias_home = v;
		else if (strcmp(a, "--qmail-home") == 0)
			qmail_home = v;
		else if (strcmp(a, "--cdb") == 0)
			o.cdb_path = v;
		else if (strcmp(a, "--fastforward") == 0)
			o.fastforward = v;
		else if (strcmp(a, "--luser-relay") == 0)
			o.luser_relay = v;
		else if (strcmp(a, "--max-alias-recursion") == 0)
			maxrec = prog_id_arg(usage, v);
		else if (strcmp(a, "--blank-sub") == 0 && v[0] && !v[1] && v[0] != ' ' && v[0] != '\t')
			blanksub = v[0];
		else
			prog_usage(usage);
	}
	if (strcmp(style, "fastforward") == 0)
		o.style = AMAP_FASTFORWARD;
	else if (strcmp(style, "dotqmail") == 0)
		o.style = AMAP_DOTQMAIL;
	else
		prog_usage(usage);
	/* me must be a host name with a dot: it qualifies every local name */
	if (outroot == NULL || nfiles == 0 || o.me == NULL || strchr(o.me, '.') == NULL ||
	    strpbrk(o.me, "@ \t\n:") != NULL || o.me[0] == '.' || strchr(o.alias_user, ':'))
		prog_usage(usage);
	if (o.defaultdomain == NULL)
		o.defaultdomain = strchr(o.me, '.') + 1;
	prog_abs_arg(usage, qmail_home);
	prog_abs_arg(usage, o.cdb_path);
	if (alias_home == NULL) {
		if (buf_printf(&ah, "%s/alias", qmail_home) < 0 || buf_cstr(&ah) == NULL)
			oom();
		alias_home = ah.s;
	}
	prog_abs_arg(usage, alias_home);
	o.alias_home = alias_home;
	if (buf_printf(&ap, "%s/users/assign.aliases", qmail_home) < 0 || buf_cstr(&ap) == NULL ||
	    buf_printf(&fw, "%s/bin/forward", qmail_home) < 0 || buf_cstr(&fw) == NULL ||
	    buf_printf(&pl, "%s/bin/preline", qmail_home) < 0 || buf_cstr(&pl) == NULL)
		oom();
	o.preline = pl.s;
	o.assign_path = ap.s;
	o.forward = fw.s;
	o.local_domains = domains;
	o.nlocal_domains = ndomains;

	if (!check) {
		rootfd = open(outroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			prog_fatal_sys(prog_errno_code(), "unable to open %s", outroot);
		if (reuse) {
			o.reusefd = prog_reuse_dir(reuse);
			o.reuse = o.reusefd >= 0;
		}
	}
	diag_init(&d);
	alias_table_init(&t);
	amap_logins_init(&logins);
	memset(&res, 0, sizeof(res));

	if (passwd != NULL) {
		struct passwd_parser pp;
		struct passwd_ent pe;
		buf name = BUF_INIT, home = BUF_INIT;

		if (passwd_open(&pp, passwd, passwd, &d) < 0)
			prog_fatal_sys(prog_errno_code(), "unable to read %s", passwd);
		while ((r = passwd_next(&pp, &pe)) > 0) {
			if (buf_copy(&name, pe.name.s, pe.name.len) < 0 || buf_cstr(&name) == NULL ||
			    buf_copy(&home, pe.home.s, pe.home.len) < 0 || buf_cstr(&home) == NULL ||
			    amap_logins_add(&logins, name.s, pe.uid, pe.gid, home.s, pe.line) < 0)
				oom();
			if (gecos) {
				/* name and full name, NUL-terminated, kept for aliases_fullnames */
				struct aliases_fullname *nv;

				if (aliases_buildfname(&fn, pe.gecos.s, pe.gecos.len, pe.name.s,
						       pe.name.len) < 0)
					oom();
				if (memchr(fn.s, ' ', fn.len) == NULL)
					continue;
				nv = realloc(fnv, (nfn + 1) * sizeof(*nv));
				if (nv == NULL)
					oom();
				fnv = nv;
				fnv[nfn].line = pe.line;	/* the names: once fnames stops growing */
				nfn++;
				if (buf_append(&fnames, pe.name.s, pe.name.len) < 0 ||
				    buf_append_c(&fnames, '\0') < 0 ||
				    buf_append(&fnames, fn.s, fn.len) < 0 || buf_append_c(&fnames, '\0') < 0)
					oom();
			}
		}
		if (r < 0)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to read %s", passwd);
		passwd_close(&pp);
		buf_free(&name);
		buf_free(&home);
		o.have_passwd = 1;
		o.passwd_file = passwd;
		/* the alias user's ids, when the passwd given has it and none were given */
		{
			const struct amap_login *g = amap_login_get(&logins, o.alias_user,
								    strlen(o.alias_user));

			if (g != NULL && o.alias_uid == 0 && o.alias_gid == 0) {
				o.alias_uid = g->uid;
				o.alias_gid = g->gid;
			}
		}
	}

	memset(&ao, 0, sizeof(ao));
	/* the parser's class w: the -w names and me ($j): "name@me" is name too */
	domains[ndomains] = o.me;
	ao.local_domains = domains;
	ao.nlocal_domains = ndomains + 1;
	ao.root = root;
	ao.blanksub = blanksub;
	ao.read_includes = 1;
	ao.queue_dir = queue_dir;
	t.max_recursion = maxrec > 1000 ? 1000 : (unsigned)maxrec;	/* 0: the default */
	for (i = 0; i < nfiles; i++)
		if (aliases_read(&t, files[i], files[i], &ao, &d) < 0)
			prog_fatal_sys(errno == ENOMEM ? S2Q_EXIT_TEMP : prog_errno_code(),
				       "unable to read %s", files[i]);
	if (gecos && nfn) {
		/* fnames holds "login\0full name\0" per account, in fnv's order */
		const char *p = fnames.s;

		for (i = 0; i < nfn; i++) {
			fnv[i].login = p;
			p += strlen(p) + 1;
			fnv[i].fullname = p;
			p += strlen(p) + 1;
		}
		if (aliases_fullnames(&t, passwd, fnv, nfn, &logins.byname, &d) < 0)
			oom();
	}
	free(fnv);
	if (aliases_verdicts(&t, o.have_passwd ? &logins.byname : NULL, &verdicts, NULL, &d) < 0)
		oom();

	/*
	 * One pass maps and diagnoses everything and stages the files under
	 * OUTROOT; they are published only when no error was found (amap_run).
	 * With errors already (or -c) nothing is staged.  When staging fails
	 * the pass is run again without writing, so every input problem is
	 * still reported before the write error.
	 */
	if (check || d.nerr) {
		if (amap_run(&o, &t, &logins, verdicts, -1, &d, &res) < 0 || d.oom)
			oom();
	} else {
		struct diag_mark mk;

		diag_mark(&d, &mk);
		/* staged files do not outlive an exit before they are published; a
		   closed stderr or stdout is an error to report, not a SIGPIPE */
		pending = &res;
		atexit(drop_pending);
		signal(SIGPIPE, SIG_IGN);
		if (amap_run(&o, &t, &logins, verdicts, rootfd, &d, &res) < 0) {
			if (errno == ENOMEM || d.oom)
				oom();
			werr = errno;
			if (buf_copy(&wwhere, res.where.s ? res.where.s : "", res.where.len) < 0 ||
			    buf_cstr(&wwhere) == NULL)
				oom();
			diag_undo(&d, &mk);
			if (amap_run(&o, &t, &logins, verdicts, -1, &d, &res) < 0 || d.oom)
				oom();
		} else if (d.oom) {
			oom();
		}
	}
	print_diags(&d);
	if (werr && !d.nerr)
		write_failed(outroot, &wwhere, werr);
	if (json) {
		if (buf_printf(&out, "{\"program\":\"s2q-aliases\",\"style\":\"%s\",\"aliases\":%lu,"
			       "\"records\":%lu,\"qmail_files\":%lu,\"lists\":%lu,\"assign_lines\":%lu,"
			       "\"errors\":%zu,\"warnings\":%zu,\"notes\":%zu,\"written\":%s,"
			       "\"diagnostics\":", style, res.aliases, res.records, res.dotqmail,
			       res.lists, res.assign, d.nerr, d.nwarn, d.nnote,
			       (d.nerr || check) ? "false" : "true") < 0 ||
		    prog_json_diags(&out, &d) < 0 || buf_append_s(&out, "}\n") < 0)
			oom();
	}
	if (d.nerr) {
		fprintf(stderr, "%s: fatal: %zu error%s; nothing written\n", prog_name, d.nerr,
			d.nerr == 1 ? "" : "s");
		rc = S2Q_EXIT_PERM;
	}
	/* every diagnostic is out and the report made: now the tree changes */
	if (amap_publish(&res) < 0)
		write_failed(outroot, &res.where, errno);
	pending = NULL;
	if (rootfd >= 0)
		close(rootfd);
	if (json)
		prog_write_stdout(&out);
	free(verdicts);
	free(domains);
	free(files);
	amap_result_free(&res);
	amap_logins_free(&logins);
	alias_table_free(&t);
	diag_free(&d);
	buf_free(&ah);
	buf_free(&fnames);
	buf_free(&fn);
	buf_free(&ap);
	buf_free(&fw);
	buf_free(&pl);
	buf_free(&out);
	buf_free(&wwhere);
	return rc;
}
