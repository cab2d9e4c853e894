/*
 * fuzz_aliases - sendmail aliases files and their :include: lists
 * (convert/lib/parse/aliases.c), read below a sendmail root.
 *
 * Input: up to four parts cut at "\n--8<--\n" (fuzz_split): ROOT/etc/mail/aliases,
 * ROOT/etc/mail/staff.list, ROOT/etc/mail/lists/a, and a second alias file
 * ROOT/etc/aliases.more read after the first.  Outside ROOT, next to it, lies
 * a file holding a marker whose letters no input holds in order (fuzz_has_mark).
 *
 * Properties: aliases_read and aliases_check return 0 (no system error on
 * a tree that is all there) and leak nothing; every live entry is found by
 * alias_lookup under its own name (itself, not another); an include that was read resolved to a
 * path inside the root ("/..."), and no element anywhere holds the marker
 * of the file outside the root (nothing is ever read through ".." or a
 * symlink out of the root); the diagnostics pass fuzz_check_diags.
 *
 * fuzz-options: -max_len=8192
 */
#include "fuzz.h"

#include "../../convert/lib/model/alias.h"
#include "../../convert/lib/parse/aliases.h"

#define MARK "s2q-outside-the-root"

static void noleak(const struct alias_elem *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(alias_elem_text(&v[i]) == NULL || strstr(alias_elem_text(&v[i]), MARK) == NULL);
		FUZZ_ASSERT(alias_elem_raw(&v[i]) == NULL || strstr(alias_elem_raw(&v[i]), MARK) == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "root/etc/mail/aliases", "root/etc/mail/staff.list",
					     "root/etc/mail/lists/a", "root/etc/aliases.more" };
	static const char *const locals[] = { "example.com", "mx1.example.com" };
	const uint8_t *part[4];
	size_t len[4], n, i;
	char root[128], path[160], more[160];
	struct aliases_opts o;
	struct alias_table t;
	struct diag_sink d;
	const char *dir = fuzz_tmpdir();

	if (fuzz_has_mark(data, size, MARK))
		return 0;
	fuzz_cleartree();
	n = fuzz_split(data, size, part, len, 4);
	for (i = 0; i < 4; i++)
		fuzz_putfile(dir, names[i], i < n ? part[i] : (const uint8_t *)"", i < n ? len[i] : 0);
	fuzz_putfile(dir, "outside", MARK "\n", sizeof(MARK));
	fuzz_putfile(dir, "root/etc/mail/lists/outside-link-target", "", 0);
	/* a planted escape: a symlink in the root pointing out of it */
	snprintf(path, sizeof(path), "%s/root/etc/mail/lists/escape", dir);
	FUZZ_ASSERT(symlink("../../../../outside", path) == 0);
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(path, sizeof(path), "%s/root/etc/mail/aliases", dir);
	snprintf(more, sizeof(more), "%s/root/etc/aliases.more", dir);

	memset(&o, 0, sizeof(o));
	o.local_domains = locals;
	o.nlocal_domains = 2;
	o.root = root;
	o.read_includes = 1;
	o.queue_dir = "/var/spool/mqueue";
	diag_init(&d);
	alias_table_init(&t);
	FUZZ_ASSERT(aliases_read(&t, path, "/etc/mail/aliases", &o, &d) == 0);
	FUZZ_ASSERT(aliases_read(&t, more, "/etc/aliases.more", &o, &d) == 0);
	FUZZ_ASSERT(aliases_check(&t, &d) == 0);
	for (i = 0; i < t.nents; i++) {
		const struct alias_ent *e = &t.ents[i];

		FUZZ_ASSERT(e->name != NULL);
		if (!e->dead)
			FUZZ_ASSERT(alias_lookup(&t, e->name) == e);
		noleak(e->elems, e->nelems);
	}
	for (i = 0; i < t.nincs; i++) {
		FUZZ_ASSERT(t.incs[i].realpath == NULL || t.incs[i].realpath[0] == '/');
		noleak(t.incs[i].elems, t.incs[i].nelems);
	}
	fuzz_check_diags(&d, "S2Q-A");
	alias_table_free(&t);
	diag_free(&d);
	return 0;
}
