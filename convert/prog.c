/* prog - what every s2q main shares: program name, messages, diagnostics output */
#include "prog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util/aw.h"

const char *prog_name = "s2q";

void prog_fatal_sys(int code, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "%s: fatal: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(code);
}

int prog_errno_code(void)
{
	switch (errno) {
	case ENOENT:
	case ENOTDIR:
	case EINVAL:
	case ELOOP:
		return S2Q_EXIT_PERM;
	default:
		return S2Q_EXIT_TEMP;
	}
}

void prog_usage(const char *usage)
{
	fprintf(stderr, "%s: usage: %s %s\n", prog_name, prog_name, usage);
	exit(S2Q_EXIT_PERM);
}

unsigned long prog_id_arg(const char *usage, const char *s)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		prog_usage(usage);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v == 0 || v > 0xffffffffUL)
		prog_usage(usage);
	return v;
}

int prog_reuse_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno != ENOENT)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to open %s", dir);
	return fd;
}

void prog_abs_arg(const char *usage, const char *s)
{
	if (s[0] != '/' || !aw_relpath_ok(s + 1))
		prog_usage(usage);
}

int prog_print_diags(const struct diag_sink *d)
{
	buf b = BUF_INIT;
	size_t i;
	int r = 0;

	/* in writes of 64 KB or more, not one per line (10,000 lines at 1M entries) */
	for (i = 0; i < d->n && r == 0; i++) {
		size_t before = b.len;

		if (diag_format(&b, prog_name, &d->v[i]) < 0) {
			/* the records before this one are still written */
			r = -1;
			if (before && write_all(2, b.s, before) < 0)
				r = -2;
			errno = r == -1 ? ENOMEM : errno;
		} else if ((b.len >= 65536 || i + 1 == d->n) && write_all(2, b.s, b.len) < 0) {
			r = -2;
		} else if (b.len >= 65536 || i + 1 == d->n) {
			buf_reset(&b);
		}
	}
	buf_free(&b);
	return r;
}

int prog_json_diags(buf *out, const struct diag_sink *d)
{
	size_t i;

	if (buf_append_c(out, '[') < 0)
		return -1;
	for (i = 0; i < d->n; i++) {
		if (i && buf_append_c(out, ',') < 0)
			return -1;
		if (diag_json(out, &d->v[i]) < 0)
			return -1;
	}
	return buf_append_c(out, ']');
}

void prog_write_stdout(const buf *b)
{
	if (write_all(1, b->s, b->len) < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to write to standard output");
}
