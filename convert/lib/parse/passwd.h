/* parse/passwd - the old host's V7 passwd file, record at a time */
#ifndef S2Q_PARSE_PASSWD_H
#define S2Q_PARSE_PASSWD_H

#include "../model/assign.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "../util/hset.h"
#include "../util/lline.h"

/*
 * name:passwd:uid:gid:gecos:home:shell, one per line.  Fields point into
 * the parser's line buffer and are valid until the next call.  Read as
 * glibc's files backend reads it (getpwnam): '#' lines and blank lines are
 * skipped silently; a line it would skip (too few fields, uid or gid not a
 * number) is reported as an error and skipped; extra ':' fields stay in the
 * shell, as glibc keeps them.  Diagnostics S2Q-P0nn (MIGRATION.md).
 */
struct passwd_ent {
	struct bstr name, passwd, gecos, home, shell;
	unsigned long uid, gid;
	unsigned long line;
};

struct passwd_parser {
	lline lr;
	buf line;
	const char *file;	/* name used in diagnostics */
	struct diag_sink *d;
	struct hset names;	/* for the duplicate warning */
};

/* passwd_open - 0, or -1 with errno (EINVAL: not a regular file) */
int passwd_open(struct passwd_parser *p, const char *path, const char *file, struct diag_sink *d);
/* passwd_fdopen - read fd (not closed by passwd_close); 0 or -1 ENOMEM */
int passwd_fdopen(struct passwd_parser *p, int fd, const char *file, struct diag_sink *d);
/* passwd_next - 1 entry, 0 end of input, -1 system error (errno) */
int passwd_next(struct passwd_parser *p, struct passwd_ent *e);
void passwd_close(struct passwd_parser *p);

#endif
