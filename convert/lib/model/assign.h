/* model/assign - one users/assign entry (qmail-users(5)) */
#ifndef S2Q_MODEL_ASSIGN_H
#define S2Q_MODEL_ASSIGN_H

#include <stddef.h>

/* a byte string that points into someone else's memory */
struct bstr {
	const char *s;
	size_t len;
};

/*
 * =local:user:uid:gid:home:dash:ext:   (wild = 0)
 * +prefix:user:uid:gid:home:dash:pre:  (wild = 1)
 * Fields are raw bytes, not lower-cased; they point into the parser's line
 * buffer and are valid until the next call.
 */
struct assign_ent {
	int wild;
	char type;		/* the raw first byte ('=' or '+' normally) */
	struct bstr addr, user, uid, gid, home, dash, ext;
	unsigned long line;
};

#endif
