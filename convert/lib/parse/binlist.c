/* parse/binlist - fastforward's binary mailing lists (.bin, from setmaillist/newinclude) */
#include "binlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* diagnostic codes: S2Q-D030..D034 (.bin mailing lists) */

#define ADDRMAX 899	/* the longest &address printmaillist takes, '&' included */

#define MAXSHOWN 10

/* report - S2Q-D0(30+k): the first MAXSHOWN of a kind one by one, the rest counted */
static void report(struct binlist *b, int k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct binlist *b, int k, const char *fmt, ...)
{
	char code[12];
	va_list ap;

	b->problems = 1;
	if (++b->cnt[k] > MAXSHOWN)
		return;
	snprintf(code, sizeof(code), "S2Q-D%03d", 30 + k);
	va_start(ap, fmt);
	diag_vadd(b->d, DIAG_WARN, code, b->file, 0, fmt, ap);
	va_end(ap);
}

int binlist_end(struct binlist *b)
{
	int k;

	for (k = 0; k < 5; k++) {
		char code[12];

		if (b->cnt[k] <= MAXSHOWN)
			continue;
		snprintf(code, sizeof(code), "S2Q-D%03d", 30 + k);
		diag_add(b->d, DIAG_WARN, code, b->file, 0, "%lu more instructions with this problem",
			 b->cnt[k] - MAXSHOWN);
	}
	return b->problems;
}

void binlist_init(struct binlist *b, const void *p, size_t len, const char *file,
		  struct diag_sink *d)
{
	memset(b, 0, sizeof(*b));
	b->p = len ? p : "";
	b->len = len;
	b->file = file;
	b->d = d;
}

int binlist_next(struct binlist *b, struct bstr *ins)
{
	while (b->pos < b->len) {
		const char *s = b->p + b->pos, *z = memchr(s, '\0', b->len - b->pos);
		size_t n;
		unsigned long k = ++b->n;

		if (z == NULL) {
			report(b, 0, "instruction %lu at offset %zu is not NUL-terminated (truncated?)",
				 k, b->pos);
			b->problems = 1;
			b->pos = b->len;
			return 0;
		}
		n = (size_t)(z - s);
		b->pos += n + 1;
		if (n == 0) {
			report(b, 1, "instruction %lu at offset %zu is empty", k, b->pos - 1);
			b->problems = 1;
			continue;
		}
		if (*s != '&' && *s != '.' && *s != '/') {
			report(b, 2, "instruction %lu at offset %zu begins with '%c', not &, . or /",
				 k, b->pos - n - 1, (*s >= 0x20 && *s < 0x7f) ? *s : '?');
			b->problems = 1;
			continue;
		}
		if (memchr(s, '\n', n) != NULL) {
			report(b, 3, "instruction %lu at offset %zu holds a newline", k, b->pos - n - 1);
			b->problems = 1;
			continue;
		}
		if (*s == '&' && n > ADDRMAX) {
			report(b, 4, "instruction %lu at offset %zu: address of %zu bytes; fastforward "
				 "takes at most %d", k, b->pos - n - 1, n - 1, ADDRMAX - 1);
			b->problems = 1;
			continue;
		}
		ins->s = s;
		ins->len = n;
		return 1;
	}
	return 0;
}

int binlist_print(buf *out, const void *p, size_t len, const char *file, struct diag_sink *d)
{
	struct binlist b;
	struct bstr ins;

	binlist_init(&b, p, len, file, d);
	while (binlist_next(&b, &ins) > 0)
		if (buf_append(out, ins.s, ins.len) < 0 || buf_append_c(out, '\n') < 0)
			return -1;
	return binlist_end(&b);
}
