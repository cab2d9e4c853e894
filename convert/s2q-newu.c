/* s2q-newu - compile users/assign into users/cdb, byte-identical to qmail-newu, with checks */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/emit/usercdb.h"
#include "lib/parse/assign.h"
#include "lib/util/buf.h"
#include "lib/util/diag.h"
#include "prog.h"

static const char usage[] = "[-c] [--json] [--allow-empty] [--reuse QMAILHOME] [-d QMAILHOME]";

int main(int argc, char **argv)
{
	const char *home = "/var/qmail", *reuse = NULL;
	int check = 0, json = 0, allow_empty = 0, rootfd = -1, reusefd = -1, i, r, rc = S2Q_EXIT_OK;
	struct diag_sink d;
	struct assign_parser p;
	struct assign_ent e;
	struct usercdb u;
	buf path = BUF_INIT, out = BUF_INIT;

	prog_name = "s2q-newu";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0)
			check = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--allow-empty") == 0)
			allow_empty = 1;
		else if (strcmp(argv[i], "--reuse") == 0 && i + 1 < argc)
			reuse = argv[++i];
		else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strncmp(argv[i], "-d", 2) == 0 && argv[i][2])
			home = argv[i] + 2;
		else
			prog_usage(usage);
	}
	diag_init(&d);
	if (buf_printf(&path, "%s/users/assign", home) < 0 || buf_cstr(&path) == NULL)
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	if (!check) {
		rootfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			prog_fatal_sys(prog_errno_code(), "unable to open %s", home);
		if (reuse) {
			reusefd = prog_reuse_dir(reuse);
		}
	}
	if (assign_open(&p, path.s, "users/assign", &d) < 0)
		prog_fatal_sys(prog_errno_code(), "unable to read %s", path.s);
	if (usercdb_open(&u, rootfd, "users/cdb", &d, "users/assign") < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to create a temporary file in %s/users", home);
	if (reusefd >= 0 && usercdb_reuse(&u, reusefd, "users/cdb") < 0) {
		usercdb_abort(&u);
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	while ((r = assign_next(&p, &e)) > 0) {
		if (usercdb_add(&u, &e) < 0) {
			r = -1;
			break;
		}
	}
	if (r < 0) {
		usercdb_abort(&u);
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to convert %s to %s/users/cdb", path.s, home);
	}
	assign_close(&p);
	/* the duplicate warnings, before the diagnostics are printed */
	if (usercdb_finish(&u) < 0) {
		usercdb_abort(&u);
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	/*
	 * issue 8 guard: a users/assign with no assignment gives a users/cdb of
	 * the wildchars record only.  qmail then sends every local address to
	 * qmail-getpw (qmail.md 1.4): every user and wildcard the file used to
	 * hold bounces or reaches ~alias.  Almost always a broken generator, so
	 * refused unless asked (--allow-empty).
	 */
	if (u.nrec == 0 && d.nerr == 0 && !allow_empty &&
	    diag_add(&d, DIAG_ERROR, "S2Q-U008", "users/assign", 0,
		     "no assignment before the '.' line: users/cdb would hold no user, and qmail "
		     "would hand every local address to qmail-getpw (users only in users/assign "
		     "bounce); refused (--allow-empty writes it)") < 0)
		d.oom = 1;
	if (d.oom) {
		usercdb_abort(&u);
		errno = ENOMEM;
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	if (json) {
		if (buf_printf(&out, "{\"program\":\"s2q-newu\",\"records\":%lu,\"errors\":%zu,"
			       "\"warnings\":%zu,\"written\":%s,\"diagnostics\":",
			       u.nrec, d.nerr, d.nwarn, (d.nerr || check) ? "false" : "true") < 0 ||
		    prog_json_diags(&out, &d) < 0 || buf_append_s(&out, "}\n") < 0)
			prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	prog_print_diags(&d);
	if (d.nerr) {
		usercdb_abort(&u);
		if (json)
			prog_write_stdout(&out);
		fprintf(stderr, "%s: fatal: %zu error%s in %s; users/cdb not written\n", prog_name,
			d.nerr, d.nerr == 1 ? "" : "s", path.s);
		rc = S2Q_EXIT_PERM;
	} else if (usercdb_commit(&u) < 0) {
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to write %s/users/cdb", home);
	} else if (json) {
		prog_write_stdout(&out);
	}
	if (rootfd >= 0)
		close(rootfd);
	if (reusefd >= 0)
		close(reusefd);
	buf_free(&path);
	buf_free(&out);
	diag_free(&d);
	return rc;
}
