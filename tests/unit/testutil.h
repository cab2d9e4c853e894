/* testutil - shared bits of the cmocka unit tests */
#ifndef S2Q_TESTUTIL_H
#define S2Q_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* a private scratch directory, removed by tu_rmtree */
static inline char *tu_tmpdir(void)
{
	char *t = strdup("/tmp/s2q-unit.XXXXXX");
	assert_non_null(t);
	assert_non_null(mkdtemp(t));
	return t;
}

static inline void tu_rmtree(char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

/* tu_writefile - write n bytes to dir/name */
static inline void tu_writefile(const char *dir, const char *name, const char *s, size_t n)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* tu_readfile - whole file, malloc'ed, length in *n; NULL if absent */
static inline char *tu_readfile(const char *dir, const char *name, size_t *n)
{
	char path[512], *b;
	FILE *f;
	long sz;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)sz + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	b[sz] = '\0';
	*n = (size_t)sz;
	return b;
}

/* tu_ino - the inode of dir/rel (not following a symlink there) */
static inline ino_t tu_ino(const char *dir, const char *rel)
{
	char path[600];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

#endif
