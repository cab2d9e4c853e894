/* prog - what every s2q main shares: program name, messages, diagnostics output */
#ifndef S2Q_PROG_H
#define S2Q_PROG_H

#include "lib/util/diag.h"
#include "lib/util/exitcodes.h"

/* the only global: the program name used in every message */
extern const char *prog_name;

/* prog_fatal - "prog: fatal: msg: strerror(errno)" and exit with code */
void prog_fatal_sys(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/*
 * prog_errno_code - exit code for a failure to open an input: 100 when the
 * input is missing or not a regular file (rerunning won't help), else 111
 */
int prog_errno_code(void);
/* prog_usage - "prog: usage: text" and exit 100 */
void prog_usage(const char *usage) __attribute__((noreturn));
/* prog_id_arg - a uid/gid option value: 1..2^32-1, else usage error */
unsigned long prog_id_arg(const char *usage, const char *s);
/*
 * prog_reuse_dir - open --reuse DIR: its fd, or -1 when DIR does not exist
 * (nothing to reuse: every file is written); any other failure is fatal
 */
int prog_reuse_dir(const char *dir);
/* prog_abs_arg - an absolute path that maps to a safe path under OUTROOT, else usage error */
void prog_abs_arg(const char *usage, const char *s);
/*
 * prog_print_diags - every record of the sink to stderr, in order: 0, -1
 * out of memory (errno ENOMEM), -2 stderr could not be written (errno)
 */
int prog_print_diags(const struct diag_sink *d);
/* prog_json_diags - the sink as a JSON array appended to out */
int prog_json_diags(buf *out, const struct diag_sink *d);
/* prog_write_stdout - write a buffer to stdout; exits 111 on failure */
void prog_write_stdout(const buf *b);

#endif
