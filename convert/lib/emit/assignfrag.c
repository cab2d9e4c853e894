/* emit/assignfrag - users/assign lines, checked so that qmail-newu and qmail-lspawn read them as meant */
#include "assignfrag.h"

#include <errno.h>
#include <string.h>

static int field_ok(const char *s)
{
	return strpbrk(s, ":\n") == NULL;
}

int assignfrag_line(buf *out, const struct assignfrag_ent *e)
{
	size_t i, start = out->len;

	if (!field_ok(e->addr) || !field_ok(e->user) || !field_ok(e->home) || !field_ok(e->dash) ||
	    !field_ok(e->ext) || (!e->wild && e->addr[0] == '\0') || e->user[0] == '\0' ||
	    e->uid == 0 || e->gid == 0 || e->home[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	if (buf_append_c(out, e->wild ? '+' : '=') < 0)
		return -1;
	for (i = 0; e->addr[i]; i++) {
		char c = e->addr[i];

		if (buf_append_c(out, (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c) < 0)
			goto fail;
	}
	/* ":user:uid:gid:home:dash:ext:\n", appended (a million lines: printf was 10 %) */
	if (buf_append_c(out, ':') < 0 || buf_append_s(out, e->user) < 0 ||
	    buf_append_c(out, ':') < 0 || buf_append_ulong(out, e->uid) < 0 ||
	    buf_append_c(out, ':') < 0 || buf_append_ulong(out, e->gid) < 0 ||
	    buf_append_c(out, ':') < 0 || buf_append_s(out, e->home) < 0 ||
	    buf_append_c(out, ':') < 0 || buf_append_s(out, e->dash) < 0 ||
	    buf_append_c(out, ':') < 0 || buf_append_s(out, e->ext) < 0 ||
	    buf_append(out, ":\n", 2) < 0)
		goto fail;
	return 0;
fail:
	out->len = start;
	return -1;
}
