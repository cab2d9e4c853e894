/*
 * fuzz_lline - the logical-line reader (convert/lib/util/lline.c), every
 * continuation mode, against a plain in-memory model of the rules in lline.h.
 *
 * Input: byte 0 = continuation flags (low 4 bits: LLINE_CONT_WS, _KEEP_NL,
 * _CONT_BSNL, _CRLF) and maxlen (high 4 bits k: 0 unlimited, else 3k bytes);
 * byte 1 = how to read: bit 7 puts a line of 65536-(b & 0x7f) bytes ("xx..x\n")
 * before the text, so that the text straddles the reader's 64 KiB buffer
 * (and sets maxlen to unlimited), bit 6 reads through
 * lline_fdopen instead of lline_open; the rest is the file.
 *
 * Properties: every logical line, its first physical line number and its
 * final-newline flag equal the model's; hasnul is exact; a cut line is
 * exactly maxlen bytes and (without LLINE_CONT_BSNL, which may drop more
 * backslashes later) a prefix of the model's line, which may itself be just
 * maxlen long (the cut comes before a '\r' that LLINE_CRLF drops); after the
 * end, lline_next keeps returning 0.
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/util/buf.h"
#include "../../convert/lib/util/lline.h"

/* the model: the header's rules, applied to a byte array */
struct model {
	const char *s;
	size_t n, pos;
	unsigned long phys;
	unsigned flags;
};

static int mphys(struct model *m, buf *out, int *nl)
{
	const char *p, *e;
	size_t len;

	if (m->pos >= m->n)
		return 0;
	p = m->s + m->pos;
	e = memchr(p, '\n', m->n - m->pos);
	len = e ? (size_t)(e - p) : m->n - m->pos;
	*nl = e != NULL;
	m->pos += len + (e != NULL);
	m->phys++;
	/* LLINE_CRLF: a '\r' right before the '\n' (of this physical line) is dropped */
	if ((m->flags & LLINE_CRLF) && *nl && len > 0 && p[len - 1] == '\r')
		len--;
	FUZZ_ASSERT(buf_append(out, p, len) == 0);
	return 1;
}

static int mnext(struct model *m, buf *out, unsigned long *lineno, int *nl)
{
	buf_reset(out);
	if (!mphys(m, out, nl))
		return 0;
	*lineno = m->phys;
	for (;;) {
		if ((m->flags & LLINE_CONT_BSNL) && *nl && out->len > 0 &&
		    out->s[out->len - 1] == '\\') {
			out->len--;
			if (!mphys(m, out, nl)) {
				*nl = 1;
				break;
			}
			continue;
		}
		if ((m->flags & LLINE_CONT_WS) && *nl && m->pos < m->n &&
		    (m->s[m->pos] == ' ' || m->s[m->pos] == '\t')) {
			if (m->flags & LLINE_KEEP_NL)
				FUZZ_ASSERT(buf_append_c(out, '\n') == 0);
			mphys(m, out, nl);
			continue;
		}
		break;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;
	size_t maxlen, pad = 0;
	int byfd, fd, r, mr, mnl = 0, cut = 0;
	unsigned long mline = 0, last = 0;
	char *text;
	char path[64];
	struct model m;
	lline lr;
	buf l = BUF_INIT, ml = BUF_INIT;

	if (size < 2)
		return 0;
	flags = data[0] & 0xf;
	maxlen = (size_t)(data[0] >> 4) * 3;
	byfd = (data[1] & 0x40) != 0;
	if (data[1] & 0x80) {
		pad = 65536 - (size_t)(data[1] & 0x7f);
		maxlen = 0;	/* the pad is one long line: no cut, compare everything */
	}
	text = malloc(pad + size - 2 + 1);
	FUZZ_ASSERT(text != NULL);
	memset(text, 'x', pad);
	if (pad)
		text[pad - 1] = '\n';
	memcpy(text + pad, data + 2, size - 2);
	fd = fuzz_memfd(text, pad + size - 2);

	if (byfd)
		FUZZ_ASSERT(lline_fdopen(&lr, fd, flags) == 0);
	else
		FUZZ_ASSERT(lline_open(&lr, fuzz_fdpath(path, sizeof(path), fd), flags) == 0);
	lr.maxlen = maxlen;
	memset(&m, 0, sizeof(m));
	m.s = text;
	m.n = pad + size - 2;
	m.flags = flags;

	while ((r = lline_next(&lr, &l)) > 0) {
		FUZZ_ASSERT(lr.lineno > last && lr.lineno <= lr.phys);
		last = lr.lineno;
		FUZZ_ASSERT(!lr.toolong || (maxlen && l.len == maxlen));
		FUZZ_ASSERT(!maxlen || l.len <= maxlen);
		FUZZ_ASSERT(!memchr(l.s ? l.s : "", '\0', l.len) || lr.hasnul);
		if (!lr.toolong)	/* nothing was cut: hasnul is exact */
			FUZZ_ASSERT(lr.hasnul == (memchr(l.s ? l.s : "", '\0', l.len) != NULL));
		if (cut)
			continue;	/* a cut line may end a continuation early: stop comparing */
		mr = mnext(&m, &ml, &mline, &mnl);
		FUZZ_ASSERT(mr == 1);
		FUZZ_ASSERT(lr.lineno == mline);
		if (lr.toolong) {
			/*
			 * >=: the cut comes before a final '\r' that LLINE_CRLF would drop.
			 * With LLINE_CONT_BSNL the model may go on to drop backslashes
			 * before the cut point ("\\\\" then empty lines), so no prefix.
			 */
			FUZZ_ASSERT(ml.len >= maxlen || (flags & LLINE_CONT_BSNL));
			if (!(flags & LLINE_CONT_BSNL))
				FUZZ_ASSERT(memcmp(l.s, ml.s, maxlen) == 0);
			cut = 1;
			continue;
		}
		FUZZ_ASSERT(l.len == ml.len && (l.len == 0 || memcmp(l.s, ml.s, l.len) == 0));
		FUZZ_ASSERT(lr.nl == mnl);
	}
	FUZZ_ASSERT(r == 0);
	if (!cut) {
		FUZZ_ASSERT(mnext(&m, &ml, &mline, &mnl) == 0);
		FUZZ_ASSERT(lr.phys == m.phys);
	}
	FUZZ_ASSERT(lline_next(&lr, &l) == 0);
	lline_close(&lr);
	close(fd);
	buf_free(&l);
	buf_free(&ml);
	free(text);
	return 0;
}
