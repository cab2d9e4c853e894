/* emit/ffcdb - aliases.cdb in fastforward's binary format (setforward, newaliases) */
#include "ffcdb.h"

#include <errno.h>
#include <string.h>

int ffcdb_ins(buf *data, char kind, const char *s, size_t n)
{
	switch (kind) {
	case '&': case '|': case '!': case '/': case '.':
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (n == 0 || memchr(s, '\0', n) != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (buf_ready(data, n + 2) < 0)
		return -1;
	data->s[data->len] = kind;
	memcpy(data->s + data->len + 1, s, n);
	data->s[data->len + 1 + n] = '\0';
	data->len += n + 2;
	return 0;
}

int ffcdb_check_data(const char *data, size_t len, const char *kinds)
{
	size_t i = 0, j;

	if (len == 0 || data[len - 1] != '\0')
		goto bad;
	while (i < len) {
		/* the last byte is a NUL: there is one at or after i */
		j = (size_t)((const char *)memchr(data + i, '\0', len - i) - data);
		/* an instruction is a kind byte and at least one byte of text */
		if (j - i < 2 || strchr(kinds, data[i]) == NULL)
			goto bad;
		i = j + 1;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int ffcdb_open(struct ffcdb *f, int rootfd, const char *rel, unsigned flags)
{
	memset(f, 0, sizeof(*f));
	if (rootfd >= 0) {
		if (cdbw_open(&f->w, rootfd, rel, 0644, flags) < 0)
			return -1;
		f->writing = 1;
	}
	return 0;
}

int ffcdb_reuse(struct ffcdb *f, int refroot, const char *refrel)
{
	return f->writing ? cdbw_reuse(&f->w, refroot, refrel) : 0;
}

static int mkkey(buf *key, char type, const char *target, size_t tlen)
{
	size_t i;

	if (tlen == 0 || memchr(target, '\0', tlen) != NULL) {
		errno = EINVAL;
		return -1;
	}
	buf_reset(key);
	if (buf_ready(key, tlen + 1) < 0)
		return -1;
	key->s[key->len++] = type;
	for (i = 0; i < tlen; i++) {
		char c = target[i];

		key->s[key->len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	return 0;
}

int ffcdb_target(struct ffcdb *f, const char *target, size_t tlen, const char *data, size_t dlen)
{
	if (ffcdb_check_data(data, dlen, "&|!/.") < 0 || mkkey(&f->key, ':', target, tlen) < 0)
		return -1;
	f->nrec++;
	if (!f->writing)
		return 0;
	return cdbw_add(&f->w, f->key.s, f->key.len, data, dlen);
}

int ffcdb_owner(struct ffcdb *f, const char *target, size_t tlen, const char *owner, size_t olen)
{
	if (olen == 0 || memchr(owner, '\0', olen) != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (mkkey(&f->key, '?', target, tlen) < 0)
		return -1;
	f->nrec++;
	if (!f->writing)
		return 0;
	return cdbw_add(&f->w, f->key.s, f->key.len, owner, olen);
}

int ffcdb_commit(struct ffcdb *f)
{
	int r = 0;

	if (f->writing)
		r = cdbw_commit(&f->w);
	f->writing = 0;
	buf_free(&f->key);
	return r;
}

void ffcdb_abort(struct ffcdb *f)
{
	if (f->writing)
		cdbw_abort(&f->w);
	f->writing = 0;
	buf_free(&f->key);
}
