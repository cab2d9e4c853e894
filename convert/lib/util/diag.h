/* diag - diagnostics sink: severity, stable code, file, line, message */
#ifndef S2Q_DIAG_H
#define S2Q_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include "buf.h"

enum diag_sev {
	DIAG_NOTE = 0,		/* a change of meaning the operator should know */
	DIAG_WARN = 1,
	DIAG_ERROR = 2		/* input problem: the program refuses to write */
};

/* one record; strings are owned by the sink */
struct diag {
	enum diag_sev sev;
	char code[12];		/* stable code, e.g. "S2Q-U003" */
	char *file;		/* may be NULL */
	unsigned long line;	/* 0: no line */
	char *msg;
};

/*
 * The sink keeps every record in order (programs print them all, as text
 * or JSON, after the input has been read) and counts them.  A sink that
 * ran out of memory sets oom; the program then exits 111.  Only the first
 * DIAG_KEEP - 1 records are kept (hostile input: a million bad lines must
 * not cost a million records); the last slot holds a note S2Q-Z001 saying
 * so, and later diagnostics are only counted: nerr, nwarn and nnote count
 * every diagnostic added (not that note), dropped those not kept.
 */
#define DIAG_KEEP 10000
struct diag_sink {
	struct diag *v;
	size_t n, cap;
	size_t nerr, nwarn, nnote;
	size_t dropped;
	int oom;
};

void diag_init(struct diag_sink *d);
void diag_free(struct diag_sink *d);
/*
 * diag_mark / diag_undo - remember the sink's state, and later drop every
 * record and count made since (a pass that is to be run again)
 */
struct diag_mark {
	size_t n, nerr, nwarn, nnote, dropped;
	int oom;
};
void diag_mark(const struct diag_sink *d, struct diag_mark *m);
void diag_undo(struct diag_sink *d, const struct diag_mark *m);
/*
 * diag_add - record one diagnostic; 0, or -1 (ENOMEM, also sets oom).  A
 * message longer than DIAG_MSG_MAX bytes keeps its first and last
 * (DIAG_MSG_MAX-64)/2 bytes around " [... N bytes left out ...] ".
 */
#define DIAG_MSG_MAX 4096
int diag_add(struct diag_sink *d, enum diag_sev sev, const char *code, const char *file,
	     unsigned long line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int diag_vadd(struct diag_sink *d, enum diag_sev sev, const char *code, const char *file,
	      unsigned long line, const char *fmt, va_list ap);
const char *diag_sevname(enum diag_sev sev);
/*
 * diag_format - append "prog: error: FILE:LINE: msg [CODE]\n", always one
 * line: control bytes of FILE and msg other than TAB appear as \n, \r, \xNN
 */
int diag_format(buf *out, const char *prog, const struct diag *g);
/* diag_json - append one JSON object (no newline) */
int diag_json(buf *out, const struct diag *g);
/*
 * json_str - append s[0..n) as a JSON string literal.  Well-formed UTF-8 is
 * copied; '"', '\\', control bytes and DEL are escaped; every other byte
 * >= 0x80 (input that is not UTF-8, e.g. Latin-1 alias names) is written as
 * \u00XX, the code point of the same value, so the output is always valid
 * JSON and the original byte can be recovered.
 */
int json_str(buf *out, const char *s, size_t n);

#endif
