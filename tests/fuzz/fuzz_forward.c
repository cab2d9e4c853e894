/*
 * fuzz_forward - a user's .forward (convert/lib/parse/forward.c, read with
 * the :include: reader of parse/aliases.c) and its conversion to ~/.qmail
 * (convert/lib/emit/fwdqmail.c).
 *
 * Input: a flag byte, then up to three parts cut at "\n--8<--\n"
 * (fuzz_split): ROOT/home/alice/.forward, ROOT/var/spool/mqueue/lists/a
 * (":include:lists/a") and ROOT/etc/mail/b (":include:/etc/mail/b").  Flag
 * bits: 1 the .forward is group-writable, 2 the login shell is not in
 * ROOT/etc/shells, 4 a second ForwardPath entry $z/.forward.$w is tried
 * first (a copy of part 1 with the bytes reversed), 8 the home is
 * world-writable and sticky with TrustStickyBit.  Outside ROOT, next to it,
 * lies a file holding a marker no input part contains (in any case: local
 * names are lower-cased); ROOT/etc/mail/escape
 * is a symlink to it.
 *
 * Properties: forward_read and fwdq_user return 0 (no system error on a
 * tree that is all there) and leak nothing; a group-writable .forward is
 * ignored (FWD_IGNORED), otherwise it is read; no element of the .forward
 * or of a list holds the marker as written (raw: nothing is read out of the
 * root; the normalized text can be built from pieces, "s2q-outside-)the-root"); the
 * .qmail text is non-empty lines (first a '#' comment), each one a
 * forward ('&'), program ('|'), mbox ('/') or the default delivery
 * ('./Maildir/'), without NUL; a program line is preline sh -c with one
 * single-quoted or plain word; no .qmail without a delivering line; the
 * path is home/alice/.qmail; the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/emit/fwdqmail.h"

#define MARK "s2q-outside-the-root"

static void noleak(const struct alias_list *l)
{
	size_t i;

	for (i = 0; i < l->nelems; i++) {
		const char *raw = alias_elem_raw(&l->elems[i]);

		FUZZ_ASSERT(raw == NULL || strstr(raw, MARK) == NULL);
		FUZZ_ASSERT(l->lines[i] >= 1);
	}
}

static void check_qmail(const buf *q)
{
	static const char pre[] = "|/var/qmail/bin/preline sh -c ";
	static const char bounce[] = "|/var/qmail/bin/bouncesaying ";
	const char *s = q->s, *end = q->s + q->len;
	size_t delivering = 0;

	FUZZ_ASSERT(q->len > 0 && s[0] == '#' && end[-1] == '\n');
	FUZZ_ASSERT(memchr(s, '\0', q->len) == NULL);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)(nl - s);

		FUZZ_ASSERT(nl != NULL && n > 0);
		FUZZ_ASSERT(s[n - 1] != ' ' && s[n - 1] != '\t');
		switch (s[0]) {
		case '#':
			break;
		case '&':
			FUZZ_ASSERT(n > 1 && s[1] != ' ' && s[1] != '\t');
			delivering++;
			break;
		case '/':
			FUZZ_ASSERT(s[n - 1] != '/');
			delivering++;
			break;
		case '.':
			FUZZ_ASSERT(n == 10 && memcmp(s, "./Maildir/", 10) == 0);
			delivering++;
			break;
		case '|':
			if (n > sizeof(pre) - 1 && memcmp(s, pre, sizeof(pre) - 1) == 0) {
				const char *w = s + sizeof(pre) - 1;
				size_t wl = n - (sizeof(pre) - 1), k;

				/* one word: plain, or quoted with ' as '\'' inside */
				if (w[0] == '\'') {
					FUZZ_ASSERT(wl >= 2 && w[wl - 1] == '\'');
					for (k = 1; k + 1 < wl; k++)
						if (w[k] == '\'')
							FUZZ_ASSERT(k + 3 < wl && memcmp(w + k, "'\\''", 4) == 0 &&
								    (k += 3));
				} else {
					for (k = 0; k < wl; k++)
						FUZZ_ASSERT(w[k] != ' ' && w[k] != '\'' && w[k] != ';');
				}
			} else {
				FUZZ_ASSERT(n > sizeof(bounce) - 1 &&
					    memcmp(s, bounce, sizeof(bounce) - 1) == 0);
			}
			delivering++;
			break;
		default:
			FUZZ_ASSERT(0);
		}
		s = nl + 1;
	}
	FUZZ_ASSERT(delivering > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const locals[] = { "example.com", "mx.example.test" };
	const uint8_t *part[3];
	size_t len[3], n, i;
	unsigned flags;
	char root[128], path[192];
	struct aliases_opts ao;
	struct forward_opts fo;
	struct fwdq_opts qo = { "mx.example.test", "./Maildir/", "/var/qmail/bin/preline",
				"/var/qmail/bin/bouncesaying" };
	struct forward_user u = { "alice", 0, 0, "/home/alice", "/bin/sh" };
	struct forward_file f;
	struct fwdq_result res;
	struct diag_sink d;
	struct hset shells;
	const char *dir = fuzz_tmpdir();
	int rootfd;

	if (size < 1 || fuzz_has_mark(data, size, MARK))
		return 0;
	flags = data[0];
	fuzz_cleartree();
	n = fuzz_split(data + 1, size - 1, part, len, 3);
	fuzz_putfile(dir, "root/home/alice/.forward", n > 0 ? part[0] : (const uint8_t *)"",
		     n > 0 ? len[0] : 0);
	fuzz_putfile(dir, "root/var/spool/mqueue/lists/a", n > 1 ? part[1] : (const uint8_t *)"",
		     n > 1 ? len[1] : 0);
	fuzz_putfile(dir, "root/etc/mail/b", n > 2 ? part[2] : (const uint8_t *)"", n > 2 ? len[2] : 0);
	fuzz_putfile(dir, "root/etc/shells", "/bin/sh\n/bin/bash\n", 18);
	fuzz_putfile(dir, "outside", MARK "\n", sizeof(MARK));
	if ((flags & 4) && n > 0) {
		char *rev = malloc(len[0] + 1);

		FUZZ_ASSERT(rev != NULL);
		for (i = 0; i < len[0]; i++)
			rev[i] = (char)part[0][len[0] - 1 - i];
		fuzz_putfile(dir, "root/home/alice/.forward.mx", rev, len[0]);
		free(rev);
	}
	snprintf(path, sizeof(path), "%s/root/etc/mail/escape", dir);
	FUZZ_ASSERT(symlink("../../../outside", path) == 0);
	snprintf(path, sizeof(path), "%s/root/home/alice/.forward", dir);
	FUZZ_ASSERT(chmod(path, (flags & 1) ? 0664 : 0644) == 0);
	snprintf(path, sizeof(path), "%s/root/home/alice", dir);
	FUZZ_ASSERT(chmod(path, (flags & 8) ? 01777 : 0755) == 0);
	snprintf(root, sizeof(root), "%s/root", dir);
	FUZZ_ASSERT(chmod(root, 0755) == 0);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(rootfd >= 0);

	u.uid = (unsigned long)getuid();
	u.gid = (unsigned long)getgid();
	if (flags & 2)
		u.shell = "/usr/sbin/nologin";
	memset(&ao, 0, sizeof(ao));
	ao.local_domains = locals;
	ao.nlocal_domains = 2;
	ao.queue_dir = "/var/spool/mqueue";
	memset(&fo, 0, sizeof(fo));
	fo.ao = &ao;
	fo.forward_path = (flags & 4) ? "$z/.forward.$w:$z/.forward" : "$z/.forward";
	fo.hostname = "mx.example.test";
	fo.dontblame = (flags & 8) ? FWD_DBS_STICKY : 0;
	hset_init(&shells);
	FUZZ_ASSERT(forward_read_shells(rootfd, &shells) == 0);
	fo.shells = &shells;
	diag_init(&d);

	FUZZ_ASSERT(forward_read(rootfd, &u, &fo, &f, &d) == 0);
	if ((flags & 1) && !((flags & 4) && n > 0))
		FUZZ_ASSERT(f.state == FWD_IGNORED);
	else
		FUZZ_ASSERT(f.state == FWD_READ);
	noleak(&f.list);
	for (i = 0; i < f.nincs; i++)
		noleak(&f.incs[i].list);
	forward_file_free(&f);

	fwdq_result_init(&res);
	FUZZ_ASSERT(fwdq_user(rootfd, &u, &fo, &qo, -1, &res, &d) == 0);
	FUZZ_ASSERT(!res.written);
	if (res.need) {
		check_qmail(&res.content);
		FUZZ_ASSERT(strcmp(res.rel.s, "home/alice/.qmail") == 0);
	} else {
		FUZZ_ASSERT(res.content.len == 0);
	}
	fwdq_result_free(&res);
	fuzz_check_diags(&d, "S2Q-");
	diag_free(&d);
	hset_free(&shells);
	close(rootfd);
	return 0;
}
