/* model/alias - the sendmail alias table as plain data */
#include "alias.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


void alias_table_init(struct alias_table *t)
{
	memset(t, 0, sizeof(*t));
	hset_init(&t->byinc);
	hset_init(&t->infile);
	arena_init(&t->packs);
}

void alias_table_free(struct alias_table *t)
{
	size_t i;

	for (i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	free(t->fstats);
	arena_free(&t->packs);	/* every entry's and include's elems */
	free(t->ents);
	for (i = 0; i < t->nincs; i++) {
		free(t->incs[i].path);
		free(t->incs[i].realpath);
		free(t->incs[i].lines);
	}
	free(t->incs);
	numidx_free(&t->byname);
	hset_free(&t->byinc);
	hset_free(&t->infile);
	alias_table_init(t);
}

/* the name looked for, compared with the entries' own names (numidx_eq_fn) */
struct name_key {
	const struct alias_table *t;
	const char *name;
	size_t len;
};

static int name_eq(const void *ctx, uint32_t idx)
{
	const struct name_key *k = ctx;
	const char *have = k->t->ents[idx].name;

	/* name has no NUL (the callers see to it): strncmp stops at have's end */
	return strncmp(have, k->name, k->len) == 0 && have[k->len] == '\0';
}

const struct alias_ent *alias_lookup_n(const struct alias_table *t, const char *name, size_t len)
{
	struct name_key k = { t, name, len };
	int64_t i;

	/* stored names have no NUL: a name with one is none of them */
	if (memchr(name, '\0', len) != NULL)
		return NULL;
	i = numidx_find(&t->byname, hset_hash(name, len), name_eq, &k);
	return i < 0 ? NULL : &t->ents[i];
}

const struct alias_ent *alias_lookup(const struct alias_table *t, const char *name)
{
	return alias_lookup_n(t, name, strlen(name));
}

/* grow - make room for one more element in an array of size sz */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *nv;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	if (nc < *cap || nc > SIZE_MAX / sz) {
		errno = ENOMEM;
		return -1;
	}
	nv = realloc(*v, nc * sz);
	if (nv == NULL) {
		errno = ENOMEM;
		return -1;
	}
	*v = nv;
	*cap = nc;
	return 0;
}

int alias_table_addfile(struct alias_table *t, const char *name, size_t *idx)
{
	char *c;
	size_t cap = t->capfiles;

	if (t->nfiles >= ALIAS_FILES_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	if (grow((void **)&t->files, &cap, t->nfiles, sizeof(*t->files)) < 0)
		return -1;
	if (cap != t->capfiles) {
		struct alias_filestat *ns = realloc(t->fstats, cap * sizeof(*ns));

		if (ns == NULL) {
			errno = ENOMEM;
			return -1;
		}
		t->fstats = ns;
		t->capfiles = cap;
	}
	c = strdup(name);
	if (c == NULL)
		return -1;
	t->files[t->nfiles] = c;
	memset(&t->fstats[t->nfiles], 0, sizeof(t->fstats[0]));
	*idx = t->nfiles++;
	/* duplicates are per file: forget the previous file's names */
	hset_free(&t->infile);
	hset_init(&t->infile);
	return 0;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* same - both set and equal */
static int same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

size_t alias_elems_size(const struct alias_elem_src *src, size_t n, size_t extra)
{
	size_t total, i, k;

	if (n > UINT32_MAX / sizeof(struct alias_elem) || extra > UINT32_MAX)
		return SIZE_MAX;
	total = n * sizeof(struct alias_elem) + extra;
	for (i = 0; i < n; i++) {
		/* raw and local are often the text itself: stored once (1M-entry tables) */
		k = slen(src[i].text);
		if (!same(src[i].raw, src[i].text))
			k += slen(src[i].raw);
		if (!same(src[i].local, src[i].text))
			k += slen(src[i].local);
		if (k > UINT32_MAX || (total += k) > UINT32_MAX)
			return SIZE_MAX;
	}
	return total;
}

char *alias_elems_pack(struct alias_elem *out, char *p, const struct alias_elem_src *src,
		       size_t n)
{
	size_t i, len;

#define PUT(s) do { len = strlen(s); memcpy(p, (s), len); p[len] = '\0'; p += len + 1; } while (0)
	for (i = 0; i < n; i++) {
		struct alias_elem *e = &out[i];

		e->off = (uint32_t)(p - (char *)e);
		e->kind = (uint8_t)src[i].kind;
		e->flags = 0;
		e->spare = 0;
		if (src[i].text) {
			PUT(src[i].text);
			e->flags |= ALIAS_EL_TEXT;
		}
		if (same(src[i].raw, src[i].text)) {
			e->flags |= ALIAS_EL_RAWSAME;
		} else if (src[i].raw) {
			PUT(src[i].raw);
			e->flags |= ALIAS_EL_RAW;
		}
		if (same(src[i].local, src[i].text)) {
			e->flags |= ALIAS_EL_LOCSAME;
		} else if (src[i].local) {
			PUT(src[i].local);
			e->flags |= ALIAS_EL_LOCAL;
		}
	}
#undef PUT
	return p;
}

/*
 * pack - copy elems (and optionally two more strings) into one block of
 * the arena: the element array first, then the two strings, then the
 * elements' strings.  NULL on ENOMEM.
 */
static struct alias_elem *pack(struct arena *ar, const struct alias_elem_src *elems, size_t nelems,
			       const char *a, size_t alen, char **acopy, const char *b, size_t blen,
			       char **bcopy)
{
	size_t extra = 0, total;
	struct alias_elem *out;
	char *p;

	if (acopy)
		extra += alen + 1;
	if (bcopy)
		extra += blen + 1;
	if (extra < alen || (total = alias_elems_size(elems, nelems, extra)) == SIZE_MAX)
		goto oom;
	out = arena_alloc(ar, total);
	if (out == NULL)
		goto oom;
	p = (char *)(out + nelems);
#define PUT(dst, src, len) do { memcpy(p, (src), (len)); p[(len)] = '\0'; (dst) = p; p += (len) + 1; } while (0)
	if (acopy)
		PUT(*acopy, a, alen);
	if (bcopy)
		PUT(*bcopy, b, blen);
#undef PUT
	alias_elems_pack(out, p, elems, nelems);
	return out;
oom:
	errno = ENOMEM;
	return NULL;
}

int alias_table_add(struct alias_table *t, const char *name, size_t nlen, const char *value,
		    size_t vlen, const struct alias_elem_src *elems, size_t nelems, unsigned long line,
		    unsigned long lastline, size_t *same, size_t *first)
{
	struct alias_ent *e;
	unsigned long prev;
	size_t idx;
	char *vcopy;
	int vraw;
	struct name_key k = { t, name, nlen };
	uint64_t *slot;
	uint32_t hv;
	int r, bits = 0;

	*same = *first = (size_t)-1;
	if (t->nfiles == 0 || memchr(name, '\0', nlen) != NULL) {
		errno = EINVAL;	/* no file, or a name the by-name index cannot hold */
		return -1;
	}
	if (line > ALIAS_LINE_MAX || lastline > ALIAS_LINE_MAX || nelems > UINT32_MAX ||
	    t->nents >= (size_t)UINT32_MAX - 2) {
		errno = EOVERFLOW;
		return -1;
	}
	if (grow((void **)&t->ents, &t->capents, t->nents, sizeof(*t->ents)) < 0)
		return -1;
	idx = t->nents;
	e = &t->ents[idx];
	memset(e, 0, sizeof(*e));
	/*
	 * the value right after the name: alias_ent_value(); a value that is
	 * its one element as written (most are) is that element's raw text
	 */
	vraw = nelems == 1 && elems[0].raw && strlen(elems[0].raw) == vlen &&
	       memcmp(elems[0].raw, value, vlen) == 0;
	e->elems = pack(&t->packs, elems, nelems, name, nlen, &e->name, value, vlen,
			vraw ? NULL : &vcopy);
	if (e->elems == NULL)
		return -1;
	e->vraw = vraw;
	e->nelems = (uint32_t)nelems;
	e->file = (unsigned)(t->nfiles - 1) & ALIAS_FILES_MAX;
	e->line = (uint32_t)line;
	e->lastline = (uint32_t)lastline;
	/*
	 * across files the first file that has the name wins; in one file the
	 * last definition does.  byname holds the live entry: when that is in
	 * this file it is also this file's last one.  Only a name an earlier
	 * file has (this one is shadowed) needs infile to find its last entry
	 * in this file.
	 */
	if (numidx_grow(&t->byname) < 0)
		goto fail;
	hv = hset_hash(name, nlen);
	slot = numidx_slot(&t->byname, hv, name_eq, &k);
	r = *slot == 0;
	if (r)
		numidx_set(&t->byname, slot, hv, (uint32_t)idx);
	else
		prev = (unsigned long)numidx_num(slot);
	if (r == 0 && t->ents[prev].file == e->file) {
		numidx_set(&t->byname, slot, hv, (uint32_t)idx);
		*same = prev;
		bits |= ALIAS_ADD_REPLACES;
	} else if (r == 0) {
		e->dead = ALIAS_DEAD_SHADOW;
		*first = prev;
		bits |= ALIAS_ADD_SHADOWED;
		r = hset_put(&t->infile, name, nlen, idx, &prev);
		if (r < 0)
			goto fail;
		if (r == 0) {
			if (hset_set(&t->infile, name, nlen, idx) < 0)
				goto fail;
			*same = prev;
			bits |= ALIAS_ADD_REPLACES;
		}
	}
	if (bits & ALIAS_ADD_REPLACES)
		t->ents[*same].dead = ALIAS_DEAD_DUP;
	t->nents++;
	t->fstats[e->file].naliases++;
	t->fstats[e->file].bytes += nlen + vlen;
	if (vlen > t->fstats[e->file].longest)
		t->fstats[e->file].longest = vlen;
	return bits;
fail:
	/*
	 * byname is unchanged when this is reached (it changes only when nothing
	 * can fail after); the block stays in the arena.
	 */
	memset(e, 0, sizeof(*e));
	errno = ENOMEM;
	return -1;
}

void alias_table_prefetch(const struct alias_table *t, const char *name, size_t nlen)
{
	numidx_prefetch(&t->byname, hset_hash(name, nlen));
}

void alias_table_endfile(struct alias_table *t)
{
	hset_free(&t->infile);
	hset_init(&t->infile);
}

int alias_table_addinc(struct alias_table *t, const char *path, const char *realpath,
		       const struct alias_elem_src *elems, const unsigned long *lines, size_t nelems,
		       int missing, size_t *idx)
{
	struct alias_include *inc;
	unsigned long prev;
	int r;

	r = hset_get(&t->byinc, path, strlen(path), &prev);
	if (r) {
		*idx = prev;
		return 0;
	}
	if (grow((void **)&t->incs, &t->capincs, t->nincs, sizeof(*t->incs)) < 0)
		return -1;
	inc = &t->incs[t->nincs];
	memset(inc, 0, sizeof(*inc));
	inc->path = strdup(path);
	inc->realpath = realpath ? strdup(realpath) : NULL;
	inc->elems = pack(&t->packs, elems, nelems, NULL, 0, NULL, NULL, 0, NULL);
	if (inc->path == NULL || (realpath && inc->realpath == NULL) || inc->elems == NULL)
		goto fail;
	if (lines && nelems) {
		inc->lines = malloc(nelems * sizeof(*lines));
		if (inc->lines == NULL)
			goto fail;
		memcpy(inc->lines, lines, nelems * sizeof(*lines));
	}
	if (hset_put(&t->byinc, path, strlen(path), t->nincs, NULL) < 0)
		goto fail;
	inc->nelems = nelems;
	inc->missing = missing;
	*idx = t->nincs++;
	return 1;
fail:
	free(inc->path);
	free(inc->realpath);
	free(inc->lines);
	memset(inc, 0, sizeof(*inc));
	errno = ENOMEM;
	return -1;
}

size_t alias_include_find(const struct alias_table *t, const char *path)
{
	unsigned long v;

	if (!hset_get(&t->byinc, path, strlen(path), &v))
		return (size_t)-1;
	return v;
}

const char *alias_kind_name(enum alias_kind k)
{
	switch (k) {
	case ALIAS_ADDR:
		return "addr";
	case ALIAS_LOCAL:
		return "local";
	case ALIAS_PROG:
		return "prog";
	case ALIAS_FILE:
		return "file";
	case ALIAS_INCLUDE:
		return "include";
	case ALIAS_ERROR:
		return "error";
	}
	return "?";
}
