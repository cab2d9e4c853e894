/* lline - streaming logical-line reader with pluggable continuation rules */
#include "lline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RBUF_SIZE 65536

static int lline_init(lline *r, int fd, int owned, unsigned flags)
{
	memset(r, 0, sizeof(*r));
	r->rbuf = malloc(RBUF_SIZE);
	if (r->rbuf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	r->fd = fd;
	r->owned = owned;
	r->flags = flags;
	return 0;
}

int lline_open(lline *r, const char *path, unsigned flags)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (lline_init(r, fd, 1, flags) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int lline_fdopen(lline *r, int fd, unsigned flags)
{
	return lline_init(r, fd, 0, flags);
}

void lline_close(lline *r)
{
	if (r->owned && r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->rbuf);
	r->rbuf = NULL;
}

/* fill - make sure unread bytes exist: 1 yes, 0 end of file, -1 error */
static int fill(lline *r)
{
	ssize_t n;

	if (r->rpos < r->rlen)
		return 1;
	if (r->eof)
		return 0;
	for (;;) {
		n = read(r->fd, r->rbuf, RBUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0)
		return -1;
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->rpos = 0;
	r->rlen = (size_t)n;
	return 1;
}

/* add - append n bytes unless that would pass maxlen */
static int add(lline *r, buf *out, const char *p, size_t n)
{
	if (memchr(p, '\0', n) != NULL)
		r->hasnul = 1;
	if (r->maxlen && out->len + n > r->maxlen) {
		r->toolong = 1;
		if (out->len >= r->maxlen)
			return 0;
		n = r->maxlen - out->len;
	}
	return buf_append(out, p, n);
}

/* phys - append one physical line (without '\n'): 1 got one, 0 end, -1 error */
static int phys(lline *r, buf *out, int *nl)
{
	int got = 0, f;
	char *p;
	size_t n, start = out->len;

	*nl = 0;
	for (;;) {
		f = fill(r);
		if (f < 0)
			return -1;
		if (f == 0)
			break;
		got = 1;
		p = memchr(r->rbuf + r->rpos, '\n', r->rlen - r->rpos);
		n = (p ? (size_t)(p - (r->rbuf + r->rpos)) : r->rlen - r->rpos);
		if (add(r, out, r->rbuf + r->rpos, n) < 0)
			return -1;
		r->rpos += n;
		if (p) {
			r->rpos++;
			*nl = 1;
			break;
		}
	}
	if (!got)
		return 0;
	r->phys++;
	/* only a '\r' of this physical line (a backslash-joined empty line keeps the one before it) */
	if ((r->flags & LLINE_CRLF) && *nl && out->len > start && out->s[out->len - 1] == '\r' &&
	    !r->toolong)
		out->len--;
	return 1;
}

int lline_next(lline *r, buf *out)
{
	int nl, f;

	buf_reset(out);
	r->toolong = 0;
	r->hasnul = 0;
	f = phys(r, out, &nl);
	if (f <= 0)
		return f;
	r->lineno = r->phys;
	for (;;) {
		if ((r->flags & LLINE_CONT_BSNL) && nl && out->len > 0 &&
		    out->s[out->len - 1] == '\\' && !r->toolong) {
			out->len--;
			f = phys(r, out, &nl);
			if (f < 0)
				return -1;
			if (f == 0) {
				nl = 1;	/* the backslash line itself ended in '\n' */
				break;
			}
			continue;
		}
		if ((r->flags & LLINE_CONT_WS) && nl) {
			f = fill(r);
			if (f < 0)
				return -1;
			if (f == 1 && (r->rbuf[r->rpos] == ' ' || r->rbuf[r->rpos] == '\t')) {
				if ((r->flags & LLINE_KEEP_NL) && add(r, out, "\n", 1) < 0)
					return -1;
				if (phys(r, out, &nl) < 0)
					return -1;
				continue;
			}
		}
		break;
	}
	r->nl = nl;
	return 1;
}
