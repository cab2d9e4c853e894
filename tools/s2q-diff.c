/* s2q-diff - the dry-run differ: compare two qmail trees, decoding cdb files; dump one file */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../convert/lib/diff/treediff.h"
#include "../convert/lib/util/aw.h"
#include "../convert/lib/util/buf.h"
#include "../convert/lib/util/mfile.h"
#include "../convert/prog.h"

static const char usage[] =
	"[--json] [-N] [--ignore-owner] [--no-lint] [--strict] [-U LINES] TREE_A TREE_B\n"
	"       s2q-diff [--json] [--strict] --dump [--as users|forward|maillist|list|cdb] FILE";

static int to_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return write_all(1, p, n);
}

/* trim - a tree name as the user gave it, without trailing slashes ("/" stays) */
static char *trim(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

static int dump(const char *path, const char *as, int json, int strict)
{
	struct diag_sink d;
	struct mfile m;
	buf out = BUF_INIT, j = BUF_INIT;
	int fd, form, r, rc = S2Q_EXIT_OK, faithful;

	form = as ? tdiff_form_parse(as) : (int)tdiff_form_for(path);
	if (form < 0 || form == TD_TEXT) {
		fprintf(stderr, "%s: fatal: %s: %s; name its format with --as "
			"users|forward|maillist|list|cdb\n", prog_name, as ? as : path,
			as ? "unknown format" : "not a file s2q-diff decodes by its name");
		return S2Q_EXIT_PERM;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		prog_fatal_sys(prog_errno_code(), "unable to open %s", path);
	if (mfile_fd(&m, fd, NULL) < 0)
		prog_fatal_sys(prog_errno_code(), "unable to read %s", path);
	close(fd);
	diag_init(&d);
	r = tdiff_decode(&out, (enum tdiff_form)form, m.p, m.len, path, &d);
	if (r < 0 || d.oom) {
		errno = ENOMEM;
		prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
	}
	faithful = r == 0 && tdiff_faithful(&d, 0);
	if (!faithful)
		buf_reset(&out);
	if (json) {
		if (buf_append_s(&j, "{\"program\":\"s2q-diff\",\"file\":") < 0 ||
		    json_str(&j, path, strlen(path)) < 0 ||
		    buf_printf(&j, ",\"form\":\"%s\",\"decoded\":", tdiff_form_name((enum tdiff_form)form)) < 0 ||
		    (faithful ? json_str(&j, out.s ? out.s : "", out.len) : buf_append_s(&j, "null")) < 0 ||
		    buf_append_s(&j, ",\"diagnostics\":") < 0 || prog_json_diags(&j, &d) < 0 ||
		    buf_append_s(&j, "}\n") < 0)
			prog_fatal_sys(S2Q_EXIT_TEMP, "out of memory");
		prog_write_stdout(&j);
	} else {
		prog_write_stdout(&out);
	}
	prog_print_diags(&d);
	if (!faithful) {
		fprintf(stderr, "%s: fatal: %s cannot be decoded as %s without leaving something "
			"out; nothing printed\n", prog_name, path, tdiff_form_name((enum tdiff_form)form));
		rc = S2Q_EXIT_PERM;
	} else if (strict && (d.nwarn || d.nerr)) {
		rc = S2Q_EXIT_PERM;
	}
	mfile_close(&m);
	diag_free(&d);
	buf_free(&out);
	buf_free(&j);
	return rc;
}

int main(int argc, char **argv)
{
	struct tdiff_opts o;
	struct tdiff_stats st;
	struct diag_sink d;
	struct udiff_sink out = { to_stdout, NULL };
	buf err = BUF_INIT;
	const char *as = NULL;
	char *args[2];
	int i, nargs = 0, dumpmode = 0, strict = 0, fa, fb, rc;

	prog_name = "s2q-diff";
	memset(&o, 0, sizeof(o));
	o.context = 3;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (nargs == 2)
					prog_usage(usage);
				args[nargs++] = argv[i];
			}
			break;
		}
		if (strcmp(a, "--json") == 0)
			o.json = 1;
		else if (strcmp(a, "-N") == 0 || strcmp(a, "--new-file") == 0)
			o.new_file = 1;
		else if (strcmp(a, "--ignore-owner") == 0)
			o.ignore_owner = 1;
		else if (strcmp(a, "--no-lint") == 0)
			o.no_lint = 1;
		else if (strcmp(a, "--strict") == 0)
			strict = 1;
		else if (strcmp(a, "--dump") == 0)
			dumpmode = 1;
		else if (strcmp(a, "--as") == 0 && i + 1 < argc)
			as = argv[++i];
		else if (strcmp(a, "-U") == 0 && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*argv[i] < '0' || *argv[i] > '9' || *end || v > 1000000)
				prog_usage(usage);
			o.context = (unsigned)v;
		} else if (a[0] == '-' && a[1] != '\0')
			prog_usage(usage);
		else if (nargs < 2)
			args[nargs++] = argv[i];
		else
			prog_usage(usage);
	}
	if (dumpmode) {
		if (nargs != 1 || o.new_file || o.ignore_owner || o.no_lint)
			prog_usage(usage);
		return dump(args[0], as, o.json, strict);
	}
	if (nargs != 2 || as)
		prog_usage(usage);
	o.name_a = trim(args[0]);
	o.name_b = trim(args[1]);
	fa = open(args[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fa < 0)
		prog_fatal_sys(prog_errno_code(), "unable to open %s", args[0]);
	fb = open(args[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fb < 0)
		prog_fatal_sys(prog_errno_code(), "unable to open %s", args[1]);
	diag_init(&d);
	if (tdiff_trees(&o, fa, fb, &out, &d, &st, &err) < 0) {
		prog_print_diags(&d);
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to %s",
			       buf_cstr(&err) ? err.s : "compare the trees");
	}
	prog_print_diags(&d);
	rc = st.ndiff ? S2Q_EXIT_DIFF : (strict && st.nfind) ? S2Q_EXIT_DIFF : S2Q_EXIT_OK;
	close(fa);
	close(fb);
	diag_free(&d);
	buf_free(&err);
	return rc;
}
