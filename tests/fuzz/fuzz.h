/*
 * fuzz.h - what every fuzz target (tests/fuzz/fuzz_NAME.c) shares.
 *
 * A target defines LLVMFuzzerTestOneInput and nothing else that is global.
 * The same object is linked twice:
 *   - with libFuzzer (`make fuzz`, clang -fsanitize=fuzzer,address,undefined);
 *   - with tests/fuzz/replay.c (`make check`, any compiler, SANITIZE=0 or 1),
 *     which feeds it every file of tests/fuzz/corpus/NAME/ and
 *     tests/fuzz/regress/NAME/.
 * A target must be deterministic, free everything it allocates (the leak
 * checker runs per input) and call FUZZ_ASSERT for every property it checks:
 * a false property aborts, which both drivers report as a crash.
 *
 * Parsers read files: fuzz_memfd() turns the input into an anonymous regular
 * file (memfd, no disk, nothing to clean up); fuzz_fdpath() names it for the
 * path-taking *_open() calls.  fuzz_split() cuts an input into several files
 * for targets that read more than one (a parent file and its includes).
 */
#ifndef S2Q_FUZZ_H
#define S2Q_FUZZ_H

/* include this header first: memfd_create is a GNU interface */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* optional; replay.c calls it too when a target defines it */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* FUZZ_ASSERT - a property of the code under test; abort with the location when false */
#define FUZZ_ASSERT(c)                                                                      \
	do {                                                                                \
		if (!(c)) {                                                                 \
			fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__,     \
				__LINE__, #c);                                              \
			abort();                                                            \
		}                                                                           \
	} while (0)

/* fuzz_memfd - a fresh anonymous regular file holding data[0..size), offset 0; aborts on failure */
static inline int fuzz_memfd(const void *data, size_t size)
{
	const char *p = data;
	int fd = memfd_create("s2q-fuzz", MFD_CLOEXEC);

	if (fd < 0) {
		perror("fuzz: memfd_create");
		abort();
	}
	while (size > 0) {
		ssize_t w = write(fd, p, size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("fuzz: write");
			abort();
		}
		p += w;
		size -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		perror("fuzz: lseek");
		abort();
	}
	return fd;
}

/* fuzz_fdpath - "/proc/self/fd/N": opening it opens the memfd afresh (its own offset) */
static inline const char *fuzz_fdpath(char *b, size_t n, int fd)
{
	snprintf(b, n, "/proc/self/fd/%d", fd);
	return b;
}

/*
 * fuzz_split - cut data at each FUZZ_SEP into at most max parts: part[i]
 * points into data, len[i] its length.  Returns the number of parts (>= 1;
 * the last part keeps any further separators).  Seed files for such a target
 * are readable text: "aliases text\n--8<--\ninclude file text".
 */
#define FUZZ_SEP "\n--8<--\n"
static inline size_t fuzz_split(const uint8_t *data, size_t size, const uint8_t **part,
				size_t *len, size_t max)
{
	const size_t sl = sizeof(FUZZ_SEP) - 1;
	size_t n = 0, i = 0, start = 0;

	while (n + 1 < max && i + sl <= size) {
		if (memcmp(data + i, FUZZ_SEP, sl) == 0) {
			part[n] = data + start;
			len[n++] = i - start;
			i += sl;
			start = i;
		} else {
			i++;
		}
	}
	part[n] = data + start;
	len[n++] = size - start;
	return n;
}

/*
 * fuzz_tmpdir - a private scratch directory for targets that need a tree
 * (a sendmail root with include or class files): created on the first call,
 * emptied by fuzz_cleartree, removed at exit.  fuzz_putfile writes
 * dir/rel (making parent directories, mode 0644).
 */
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

static char fuzz_tmp[64];

static inline int fuzz_rm1(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	if (f->level > 0)
		remove(p);
	return 0;
}

static inline void fuzz_cleartree(void)
{
	if (fuzz_tmp[0])
		nftw(fuzz_tmp, fuzz_rm1, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void fuzz_rmtmp(void)
{
	fuzz_cleartree();
	if (fuzz_tmp[0])
		rmdir(fuzz_tmp);
}

static inline const char *fuzz_tmpdir(void)
{
	if (!fuzz_tmp[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(fuzz_tmp, sizeof(fuzz_tmp), "%s/s2q-fuzz.XXXXXX", t && strlen(t) < 32 ? t : "/tmp");
		if (mkdtemp(fuzz_tmp) == NULL) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(fuzz_rmtmp);
	}
	return fuzz_tmp;
}

static inline void fuzz_putfile(const char *dir, const char *rel, const void *p, size_t n)
{
	char path[512], *s;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_ASSERT(fd >= 0);
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		FUZZ_ASSERT(w > 0);
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	close(fd);
}

/*
 * fuzz_has_mark - mark (lower case) occurs in the input as a subsequence, in any
 * case: the parsers delete bytes (comments, unbalanced '>', quotes) and fold
 * case, so an input holding the marker's letters in order, with anything between
 * them, can produce it without reading the file outside the root.  Such inputs
 * are skipped by the harnesses that look for the marker.
 */
static inline int fuzz_has_mark(const uint8_t *p, size_t n, const char *mark)
{
	size_t i, k = 0;

	for (i = 0; i < n && mark[k]; i++) {
		uint8_t c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c == (uint8_t)mark[k])
			k++;
	}
	return mark[k] == '\0';
}

/*
 * fuzz_check_diags - properties every diagnostic sink must have after a
 * parse: counts add up, every code starts with prefix (e.g. "S2Q-U"), every
 * record names a file, the text form is exactly one line without control
 * bytes other than TAB, the JSON form has no raw control byte (checked for
 * the first and last 4 records: speed), no message passes DIAG_MSG_MAX.
 */
#include "../../convert/lib/util/buf.h"
#include "../../convert/lib/util/diag.h"

static inline void fuzz_check_diags(const struct diag_sink *d, const char *prefix)
{
	size_t i, j, e = 0, w = 0, n = 0;

	FUZZ_ASSERT(!d->oom);
	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		buf t = BUF_INIT, js = BUF_INIT;

		e += g->sev == DIAG_ERROR;
		w += g->sev == DIAG_WARN;
		n += g->sev == DIAG_NOTE;
		if (strcmp(g->code, "S2Q-Z001") == 0) {	/* the sink's limit note, last */
			FUZZ_ASSERT(i == d->n - 1 && d->n == DIAG_KEEP && d->dropped > 0);
			continue;
		}
		FUZZ_ASSERT(strncmp(g->code, prefix, strlen(prefix)) == 0);
		FUZZ_ASSERT(g->file != NULL && g->msg != NULL);
		FUZZ_ASSERT(strlen(g->msg) <= DIAG_MSG_MAX);
		if (i >= 4 && i + 4 < d->n)
			continue;	/* the formatting is the same code for all: the ends suffice */
		FUZZ_ASSERT(diag_format(&t, "s2q-fuzz", g) == 0);
		FUZZ_ASSERT(diag_json(&js, g) == 0);
		FUZZ_ASSERT(t.len > 0 && t.s[t.len - 1] == '\n');
		for (j = 0; j + 1 < t.len; j++)
			FUZZ_ASSERT(((unsigned char)t.s[j] >= 0x20 && t.s[j] != 0x7f) || t.s[j] == '\t');
		for (j = 0; j < js.len; j++)
			FUZZ_ASSERT((unsigned char)js.s[j] >= 0x20 && js.s[j] != 0x7f);
		buf_free(&t);
		buf_free(&js);
	}
	FUZZ_ASSERT(d->n <= DIAG_KEEP);
	FUZZ_ASSERT(e + w + n + d->dropped == d->nerr + d->nwarn + d->nnote);
	FUZZ_ASSERT(e <= d->nerr && w <= d->nwarn && n <= d->nnote);
}

#endif
