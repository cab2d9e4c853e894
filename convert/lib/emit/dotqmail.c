/* emit/dotqmail - .qmail files as qmail-local reads them (dot-qmail(5)) */
#include "dotqmail.h"

#include <errno.h>
#include <string.h>

#include "../util/aw.h"

int dotqmail_filename(buf *out, const char *name, size_t len)
{
	size_t i;

	buf_reset(out);
	if (len == 0 || len > 255 - 7) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/' || c < 0x20 || c == 0x7f) {
			errno = EINVAL;
			return -1;
		}
	}
	if (buf_ready(out, len + 8) < 0)
		return -1;
	memcpy(out->s, ".qmail-", 7);
	out->len = 7;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '.')
			c = ':';
		out->s[out->len++] = c;
	}
	out->s[out->len] = '\0';
	return 0;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix), i;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++) {
		char c = s[n - k + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

int dotqmail_special(const char *name, size_t len)
{
	return (len == 7 && ends_with(name, len, "default")) || ends_with(name, len, "-default") ||
	       ends_with(name, len, "-owner");
}

int dotqmail_line(buf *out, char kind, const char *s, size_t n)
{
	if (memchr(s, '\0', n) != NULL || memchr(s, '\n', n) != NULL)
		goto bad;
	if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		goto bad;
	switch (kind) {
	case '&':
		if (n == 0 || s[0] == ' ' || s[0] == '\t')
			goto bad;
		break;
	case '|':
		if (n == 0)
			goto bad;
		break;
	case '/':
		if (n < 2 || s[0] != '/' || s[n - 1] == '/')
			goto bad;
		/* the line is the path itself: its '/' is the line type */
		return (buf_append(out, s, n) < 0 || buf_append_c(out, '\n') < 0) ? -1 : 0;
	case '#':
		break;
	default:
		goto bad;
	}
	if (buf_append_c(out, kind) < 0 || buf_append(out, s, n) < 0 || buf_append_c(out, '\n') < 0)
		return -1;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int dotqmail_content_ok(const char *content, size_t len)
{
	return len > 0 && content[0] != '\n' && content[len - 1] == '\n' &&
	       memchr(content, '\0', len) == NULL;
}

int dotqmail_write(int rootfd, const char *dir, const char *fname, const char *content,
		   size_t len, unsigned flags)
{
	buf rel = BUF_INIT;
	int r, e;

	if (!dotqmail_content_ok(content, len) || strncmp(fname, ".qmail", 6) != 0 ||
	    strchr(fname, '/') != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (buf_printf(&rel, "%s%s%s", dir, *dir ? "/" : "", fname) < 0 || buf_cstr(&rel) == NULL) {
		buf_free(&rel);
		return -1;
	}
	r = aw_file(rootfd, rel.s, 0644, flags, content, len);
	e = errno;
	buf_free(&rel);
	errno = e;
	return r;
}
