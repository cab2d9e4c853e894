/*
 * replay - run a fuzz target's LLVMFuzzerTestOneInput on files, without libFuzzer.
 *
 *   fuzz-NAME [-v] PATH...
 *
 * Each PATH is a file or a directory (its regular files, in name order; a
 * missing directory counts as empty).  Every file is one input.  Prints
 * "replayed N inputs" and exits 0; a failing property or a sanitizer report
 * aborts the process.  `make check` runs it over tests/fuzz/corpus/NAME/ and
 * tests/fuzz/regress/NAME/ (see tests/scripts/fuzz-replay.sh).
 */
#include "fuzz.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static int verbose;

static int one(const char *path)
{
	struct stat st;
	uint8_t *b;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		exit(111);
	}
	/* a copy of exactly the input's size, so an overread is caught as under libFuzzer */
	b = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (b == NULL) {
		perror("replay: malloc");
		exit(111);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			perror(path);
			exit(111);
		}
		got += (size_t)r;
	}
	close(fd);
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, got);
	LLVMFuzzerTestOneInput(b, got);
	free(b);
	return 1;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i, count = 0;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		perror(path);
		exit(111);
	}
	if (!S_ISDIR(st.st_mode))
		return (size_t)one(path);
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		exit(111);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL) {
				perror("replay: realloc");
				exit(111);
			}
		}
		if (asprintf(&names[n], "%s/%s", path, e->d_name) < 0) {
			perror("replay: asprintf");
			exit(111);
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmpstr);
	for (i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			count += (size_t)one(names[i]);
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	size_t n = 0;
	int i = 1;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = 1;
		i++;
	}
	for (; i < argc; i++)
		n += tree(argv[i]);
	printf("replayed %zu inputs\n", n);
	return 0;
}
