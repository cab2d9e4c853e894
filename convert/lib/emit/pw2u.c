/* emit/pw2u - V7 passwd lines -> users/assign lines, as qmail-pw2u writes them */
#include "pw2u.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

const char *pw2u_skip_name(enum pw2u_skip s)
{
	switch (s) {
	case PW2U_TAKEN: return "taken";
	case PW2U_SKIP_FORMAT: return "not a passwd line qmail-pw2u reads";
	case PW2U_SKIP_UID0: return "uid 0";
	case PW2U_SKIP_UPPER: return "upper-case letters in the name";
	case PW2U_SKIP_NOHOME: return "no such home directory";
	case PW2U_SKIP_OWNER: return "home directory not owned by the uid";
	case PW2U_FATAL_HOME: return "home directory cannot be checked";
	}
	return "?";
}

const char *pw2u_name(const char *p, size_t n, size_t *len)
{
	const char *c = memchr(p, ':', n);

	*len = c ? (size_t)(c - p) : 0;
	return p;
}

/* the next ':'-terminated field of p[*pos..n): 1 found, 0 no ':' */
static int field(const char *p, size_t n, size_t *pos, const char **f, size_t *flen)
{
	const char *c = memchr(p + *pos, ':', n - *pos);

	if (c == NULL)
		return 0;
	*f = p + *pos;
	*flen = (size_t)(c - *f);
	*pos = (size_t)(c - p) + 1;
	return 1;
}

static int default_stat(void *ctx, const char *home, unsigned long *uid)
{
	struct stat st;

	(void)ctx;
	if (stat(home, &st) < 0)
		return -1;
	*uid = (unsigned long)st.st_uid;
	return 0;
}

int pw2u_line(const struct pw2u_opts *o, const char *p, size_t n, buf *out, int *is_alias)
{
	const char *name, *pw, *uid, *gid, *gecos, *home;
	size_t namel, pwl, uidl, gidl, gecosl, homel, pos = 0, i;
	unsigned long uidv = 0;
	buf h = BUF_INIT;
	size_t start = out->len;

	*is_alias = 0;
	if (memchr(p, '\0', n) != NULL)
		return PW2U_SKIP_FORMAT;
	if (!field(p, n, &pos, &name, &namel) || !field(p, n, &pos, &pw, &pwl) ||
	    !field(p, n, &pos, &uid, &uidl) || !field(p, n, &pos, &gid, &gidl) ||
	    !field(p, n, &pos, &gecos, &gecosl) || !field(p, n, &pos, &home, &homel))
		return PW2U_SKIP_FORMAT;
	(void)pw;
	(void)gecos;
	/* scan_ulong: leading digits, wrapping as unsigned long arithmetic does */
	for (i = 0; i < uidl && uid[i] >= '0' && uid[i] <= '9'; i++)
		uidv = uidv * 10 + (unsigned long)(uid[i] - '0');
	if (uidv == 0)
		return PW2U_SKIP_UID0;
	if (!o->allow_upper)
		for (i = 0; i < namel; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				return PW2U_SKIP_UPPER;
	if (o->home != PW2U_HOME_IGNORE) {
		unsigned long owner = 0;
		int r;

		if (buf_copy(&h, home, homel) < 0 || buf_cstr(&h) == NULL)
			return -1;
		r = o->stat_home ? o->stat_home(o->ctx, h.s, &owner) : default_stat(NULL, h.s, &owner);
		buf_free(&h);
		if (r < 0) {
			if (errno == ENOMEM)
				return -1;
			if (errno != ENOENT || o->home == PW2U_HOME_STOP)
				return PW2U_FATAL_HOME;
			return PW2U_SKIP_NOHOME;
		}
		if (owner != uidv)
			return PW2U_SKIP_OWNER;
	}
	if (namel == strlen(o->alias_user) && memcmp(name, o->alias_user, namel) == 0) {
		if (buf_printf(out, "+:%.*s:%.*s:%.*s:%.*s:%s:\n", (int)namel, name, (int)uidl, uid,
			       (int)gidl, gid, (int)homel, home, o->dash_slash ? "-/:" : "-:") < 0)
			goto oom;
		*is_alias = 1;
	}
	if (namel == 0)
		return out->len > start ? PW2U_TAKEN : PW2U_SKIP_FORMAT;
	if (buf_printf(out, "=%.*s:%.*s:%.*s:%.*s:%.*s:::\n", (int)namel, name, (int)namel, name,
		       (int)uidl, uid, (int)gidl, gid, (int)homel, home) < 0)
		goto oom;
	if (o->brk && buf_printf(out, "+%.*s%c:%.*s:%.*s:%.*s:%.*s:%s:\n", (int)namel, name, o->brk,
				 (int)namel, name, (int)uidl, uid, (int)gidl, gid, (int)homel, home,
				 o->dash_slash ? "-/:" : "-:") < 0)
		goto oom;
	return PW2U_TAKEN;
oom:
	out->len = start;
	errno = ENOMEM;
	return -1;
}
