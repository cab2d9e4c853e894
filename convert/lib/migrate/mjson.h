/* migrate/mjson - a small JSON reader for the reports the s2q programs print */
#ifndef S2Q_MIGRATE_MJSON_H
#define S2Q_MIGRATE_MJSON_H

#include <stddef.h>

/*
 * RFC 8259 values into a tree.  Strings are decoded (\uXXXX to UTF-8,
 * surrogate pairs joined; a lone surrogate becomes U+FFFD) and may hold
 * NUL bytes (len).  Numbers keep their text and a double.  Depth is
 * limited (MJ_MAXDEPTH) so hostile input cannot exhaust the stack.
 */
#define MJ_MAXDEPTH 64

enum mj_type { MJ_NULL, MJ_FALSE, MJ_TRUE, MJ_NUM, MJ_STR, MJ_ARR, MJ_OBJ };

struct mj {
	enum mj_type t;
	char *s;		/* MJ_STR: decoded bytes (NUL-terminated too); MJ_NUM: the text */
	size_t len;
	double num;
	struct mj *v;		/* MJ_ARR, MJ_OBJ: the elements */
	char **keys;		/* MJ_OBJ: keys[i] names v[i] */
	size_t n;
};

/*
 * mj_parse - the one value in p[0..n) (white space around it allowed).
 * 0, or -1: errno EINVAL (not JSON; *at = the offset of the problem) or
 * ENOMEM.  Free with mj_free even after a failure.
 */
int mj_parse(struct mj *out, const char *p, size_t n, size_t *at);
void mj_free(struct mj *j);
/* mj_get - the member key of an object (the first one), or NULL */
const struct mj *mj_get(const struct mj *obj, const char *key);
/* mj_ulong - a member that is a non-negative integer number, else def */
unsigned long mj_ulong(const struct mj *obj, const char *key, unsigned long def);
/* mj_str - a member that is a string, else NULL */
const char *mj_str(const struct mj *obj, const char *key);

#endif
