/*
 * fuzz_sendmailcf - sendmail.cf and the files it names (convert/lib/parse/sendmailcf.c),
 * read below a sendmail root; and the class-file scanf-to-PCRE2 translation.
 *
 * Input: up to three parts cut at "\n--8<--\n" (fuzz_split): ROOT/etc/mail/sendmail.cf,
 * ROOT/etc/mail/local-host-names, ROOT/etc/mail/virtusertable.  ROOT also
 * holds a symlink that points out of it, and next to ROOT lies a file with
 * a marker no input part contains.
 *
 * Properties: cf_load returns 0 and host_free releases everything; no class
 * member or macro holds the marker (nothing is read out of the root, by
 * ".." or by the symlink); cf_map_source on every K map either opens a
 * regular file inside the root or reports why not; the first line of the
 * cf, taken as a class-file scanf format, either is refused with a reason
 * or becomes a pattern PCRE2 compiles; the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=16384
 */
#include "fuzz.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../../convert/lib/model/host.h"
#include "../../convert/lib/parse/sendmailcf.h"

#define MARK "s2q-outside-the-root"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "root/etc/mail/sendmail.cf",
					     "root/etc/mail/local-host-names",
					     "root/etc/mail/virtusertable" };
	const uint8_t *part[3];
	size_t len[3], n, i, j;
	char path[160];
	const char *dir = fuzz_tmpdir();
	struct cf_opts o;
	struct host h;
	struct diag_sink d;
	int rootfd;

	if (fuzz_has_mark(data, size, MARK))
		return 0;
	fuzz_cleartree();
	n = fuzz_split(data, size, part, len, 3);
	for (i = 0; i < 3; i++)
		fuzz_putfile(dir, names[i], i < n ? part[i] : (const uint8_t *)"", i < n ? len[i] : 0);
	fuzz_putfile(dir, "outside", MARK "\n", sizeof(MARK));
	snprintf(path, sizeof(path), "%s/root/etc/mail/escape", dir);
	FUZZ_ASSERT(symlink("../../../outside", path) == 0);
	snprintf(path, sizeof(path), "%s/root", dir);
	rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(rootfd >= 0);

	memset(&o, 0, sizeof(o));
	o.rootfd = rootfd;
	o.hostname = "mx1.example.com";
	diag_init(&d);
	host_init(&h);
	if (cf_load(&h, "/etc/mail/sendmail.cf", &o, &d) != 0) {
		perror("cf_load");
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "%s:%lu: %s [%s]\n", d.v[i].file, d.v[i].line, d.v[i].msg, d.v[i].code);
		abort();
	}
	for (i = 0; i < h.nclasses; i++)
		for (j = 0; j < h.classes[i].n; j++)
			FUZZ_ASSERT(strstr(h.classes[i].v[j].word, MARK) == NULL);
	for (i = 0; i < h.nmacros; i++)
		FUZZ_ASSERT(h.macros[i].value == NULL || strstr(h.macros[i].value, MARK) == NULL);
	for (i = 0; i < h.nmaps; i++) {
		int fd = -1, r;
		char *shown = NULL;
		size_t before = d.n + d.dropped;

		r = cf_map_source(&h, &h.maps[i], rootfd, &fd, &shown, &d);
		FUZZ_ASSERT(r == 0 || r == 1);
		if (r == 1) {
			struct stat st;
			char b[64];
			ssize_t got;

			FUZZ_ASSERT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
			got = read(fd, b, sizeof(b));
			FUZZ_ASSERT(got < 0 || memmem(b, (size_t)got, MARK, sizeof(MARK) - 1) == NULL);
			close(fd);
		} else {
			FUZZ_ASSERT(d.n + d.dropped > before);	/* said why */
		}
		free(shown);
	}
	fuzz_check_diags(&d, "S2Q-C");
	host_free(&h);
	diag_free(&d);
	close(rootfd);

	/* the first line as a class-file scanf format */
	{
		const uint8_t *nl = memchr(data, '\n', size);
		size_t fl = nl ? (size_t)(nl - data) : size;
		char fmt[256];
		buf re = BUF_INIT;
		const char *why = NULL;

		if (fl < sizeof(fmt) && !memchr(data, '\0', fl)) {
			memcpy(fmt, data, fl);
			fmt[fl] = '\0';
			if (cf_scanf_regex(fmt, &re, &why) == 0) {
				int err;
				PCRE2_SIZE off;
				pcre2_code *c = pcre2_compile((PCRE2_SPTR)(re.s ? re.s : ""), re.len, 0,
							      &err, &off, NULL);

				uint32_t ncap = 0;

				FUZZ_ASSERT(c != NULL);
				FUZZ_ASSERT(pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &ncap) == 0);
				FUZZ_ASSERT(ncap >= 1);	/* group 1 is the converted string */
				pcre2_code_free(c);
			} else {
				FUZZ_ASSERT(why != NULL);
			}
		}
		buf_free(&re);
	}
	return 0;
}
