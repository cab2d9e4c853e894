/* emit/usercdb - users/cdb exactly as qmail-newu writes it */
#include "usercdb.h"

#include <errno.h>
#include <string.h>

int usercdb_open(struct usercdb *u, int rootfd, const char *rel, struct diag_sink *d,
		 const char *file)
{
	memset(u, 0, sizeof(*u));
	hset_init(&u->seen);
	u->d = d;
	u->file = file;
	if (rootfd >= 0) {
		if (cdbw_open(&u->w, rootfd, rel, 0644, 0) < 0)
			return -1;
		u->writing = 1;
	}
	return 0;
}

int usercdb_key(buf *out, const struct assign_ent *e)
{
	size_t i;

	buf_reset(out);
	if (buf_ready(out, e->addr.len + 2) < 0)
		return -1;
	out->s[out->len++] = '!';
	for (i = 0; i < e->addr.len; i++) {
		char c = e->addr.s[i];

		out->s[out->len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (!e->wild)
		out->s[out->len++] = '\0';
	return 0;
}

static void cleanup(struct usercdb *u)
{
	buf_free(&u->key);
	buf_free(&u->val);
	buf_free(&u->wildchars);
	hset_free(&u->seen);
}

int usercdb_add(struct usercdb *u, const struct assign_ent *e)
{
	const struct bstr *f[6] = { &e->user, &e->uid, &e->gid, &e->home, &e->dash, &e->ext };
	unsigned long first;
	int i, r;

	if (usercdb_key(&u->key, e) < 0)
		return -1;
	r = hset_put(&u->seen, u->key.s, u->key.len, e->line, &first);
	if (r < 0)
		return -1;
	if (r == 0)
		diag_add(u->d, DIAG_WARN, "S2Q-U013", u->file, e->line,
			 "duplicate %s '%.*s': the entry at line %lu wins", e->wild ? "wildcard" : "address",
			 (int)e->addr.len, e->addr.s, first);
	if (e->wild && e->addr.len > 0) {
		char last = e->addr.s[e->addr.len - 1];

		if (memchr(u->wildchars.s ? u->wildchars.s : "", last, u->wildchars.len) == NULL &&
		    buf_append_c(&u->wildchars, last) < 0)
			return -1;
	}
	u->nrec++;
	if (!u->writing)
		return 0;
	buf_reset(&u->val);
	for (i = 0; i < 6; i++) {
		if (i > 0 && buf_append_c(&u->val, '\0') < 0)
			return -1;
		if (buf_append(&u->val, f[i]->s, f[i]->len) < 0)
			return -1;
	}
	return cdbw_add(&u->w, u->key.s, u->key.len, u->val.s, u->val.len);
}

int usercdb_commit(struct usercdb *u)
{
	int r = 0;

	if (u->writing) {
		r = cdbw_add(&u->w, "", 0, u->wildchars.s ? u->wildchars.s : "", u->wildchars.len);
		if (r < 0)
			cdbw_abort(&u->w);
		else
			r = cdbw_commit(&u->w);
		u->writing = 0;
	}
	cleanup(u);
	return r;
}

void usercdb_abort(struct usercdb *u)
{
	if (u->writing)
		cdbw_abort(&u->w);
	u->writing = 0;
	cleanup(u);
}
