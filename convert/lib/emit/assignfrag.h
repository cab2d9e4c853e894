/* emit/assignfrag - users/assign lines, checked so that qmail-newu and qmail-lspawn read them as meant */
#ifndef S2Q_EMIT_ASSIGNFRAG_H
#define S2Q_EMIT_ASSIGNFRAG_H

#include <stddef.h>

#include "../util/buf.h"

/*
 * One users/assign line (qmail-users(5), ../shared/ref/qmail.md §1):
 *   =addr:user:uid:gid:home:dash:ext:     (wild = 0: exactly addr)
 *   +addr:user:uid:gid:home:dash:ext:     (wild = 1: every address beginning with addr)
 * addr is written lower-cased (qmail-lspawn looks up the lower-cased
 * address; an upper-case wildcard never matches).
 */
struct assignfrag_ent {
	int wild;
	const char *addr;
	const char *user;
	unsigned long uid, gid;
	const char *home;
	const char *dash;
	const char *ext;
};

/*
 * assignfrag_line - append the line.  -1 EINVAL when qmail would read it
 * differently or never deliver it: a ':', newline or NUL in a field, an
 * empty addr in an '=' line or an empty user, uid or gid 0 (qmail-lspawn
 * refuses root), a home that is not absolute.  ENOMEM.
 */
int assignfrag_line(buf *out, const struct assignfrag_ent *e);

#endif
