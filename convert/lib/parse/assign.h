/* parse/assign - users/assign reader, exactly as qmail-newu reads it, plus validation */
#ifndef S2Q_PARSE_ASSIGN_H
#define S2Q_PARSE_ASSIGN_H

#include "../model/assign.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/lline.h"

/*
 * Record at a time.  Lines qmail-newu would reject, and lines it accepts
 * but that can never deliver (uid/gid 0 or not a number, relative home),
 * are reported as errors to the sink and skipped; things that work but
 * surprise are warnings.  The caller refuses to write when errors exist.
 */
struct assign_parser {
	lline lr;
	buf line;
	const char *file;	/* name used in diagnostics */
	struct diag_sink *d;
	int done;
};

/* assign_open - 0, or -1 with errno */
int assign_open(struct assign_parser *p, const char *path, const char *file,
		struct diag_sink *d);
int assign_fdopen(struct assign_parser *p, int fd, const char *file, struct diag_sink *d);
/* assign_next - 1 entry, 0 end of input, -1 system error (errno) */
int assign_next(struct assign_parser *p, struct assign_ent *e);
void assign_close(struct assign_parser *p);

#endif
