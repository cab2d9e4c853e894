/*
 * fuzz_sroot - opening a path of the old host's configuration below the
 * sendmail root (convert/lib/util/sroot.c): the one place where s2q
 * follows symlinks, so the one that must never leave the root.
 *
 * Input: lines that build a tree below ROOT, then paths to open:
 *   "d NAME"         a directory      "f NAME"  a regular file (its name as content)
 *   "l NAME TARGET"  a symlink to TARGET (anything: absolute, "..", loops)
 *   "p FIFO"         a named pipe     "o PATH"  sroot_open(PATH)
 * NAMEs are relative, without "." or ".." components (the harness builds
 * only inside ROOT); TARGETs and PATHs are free.  Next to ROOT lies a file
 * "outside" (and ROOT/escape points at it).
 *
 * Properties: an open that succeeds gives a regular file inside ROOT (its
 * device and inode are those of a file made under ROOT, never "outside"),
 * and the resolved path it reports, opened plainly below ROOT, is that same
 * file; an open that fails says why with one of sroot's errno values, and
 * never fails for a plain path (no symlink, "." or "..") to a regular file; no
 * descriptor leaks; nothing blocks (a FIFO is refused, not opened for read).
 *
 * fuzz-options: -max_len=2048
 */
#include "fuzz.h"

#include "../../convert/lib/util/sroot.h"

static int okname(const char *s)
{
	const char *p = s;

	if (*s == '\0' || *s == '/')
		return 0;
	for (;;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!e)
			return 1;
		p = e + 1;
	}
}

/* plainfile - 1 if ROOT/rel is a regular file reached through real directories only */
static int plainfile(const char *root, const char *rel)
{
	char p[1400], *s;
	struct stat st;
	size_t off;

	while (*rel == '/')
		rel++;
	off = strlen(root) + 1;
	if (!okname(rel) || off + strlen(rel) + 1 > sizeof(p))
		return 0;
	memcpy(p, root, off - 1);
	p[off - 1] = '/';
	memcpy(p + off, rel, strlen(rel) + 1);
	for (s = p + off; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			return 0;
		*s = '/';
	}
	return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_tmpdir();
	char root[128], path[1200], line[1024];
	struct stat out, st;
	const uint8_t *s = data, *end = data + size;
	int rootfd, nopen = 0;

	fuzz_cleartree();
	fuzz_putfile(dir, "outside", "outside\n", 8);
	snprintf(root, sizeof(root), "%s/root", dir);
	FUZZ_ASSERT(mkdir(root, 0755) == 0);
	snprintf(path, sizeof(path), "%s/escape", root);
	FUZZ_ASSERT(symlink("../outside", path) == 0);
	snprintf(path, sizeof(path), "%s/outside", dir);
	FUZZ_ASSERT(stat(path, &out) == 0);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(rootfd >= 0);

	while (s < end && nopen < 64) {
		const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *arg, *arg2;

		if (n < 3 || n >= sizeof(line) || memchr(s, '\0', n) || s[1] != ' ') {
			s = nl ? nl + 1 : end;
			continue;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		s = nl ? nl + 1 : end;
		arg = line + 2;
		switch (line[0]) {
		case 'd':
			if (okname(arg)) {
				snprintf(path, sizeof(path), "%s/%s", root, arg);
				(void)mkdir(path, 0755);
			}
			break;
		case 'f':
			if (okname(arg)) {
				int fd;

				snprintf(path, sizeof(path), "%s/%s", root, arg);
				fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (fd >= 0) {
					FUZZ_ASSERT(write(fd, arg, strlen(arg)) >= 0);
					close(fd);
				}
			}
			break;
		case 'p':
			if (okname(arg)) {
				snprintf(path, sizeof(path), "%s/%s", root, arg);
				(void)mkfifo(path, 0644);
			}
			break;
		case 'l':
			arg2 = strchr(arg, ' ');
			if (arg2) {
				*arg2++ = '\0';
				if (okname(arg)) {
					snprintf(path, sizeof(path), "%s/%s", root, arg);
					(void)symlink(arg2, path);
				}
			}
			break;
		case 'o': {
			buf real = BUF_INIT;
			int fd, e;

			nopen++;
			fd = sroot_open(rootfd, arg, &real);
			e = errno;
			if (fd >= 0) {
				int fd2;
				struct stat st2;

				FUZZ_ASSERT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
				FUZZ_ASSERT(!(st.st_dev == out.st_dev && st.st_ino == out.st_ino));
				FUZZ_ASSERT(real.len > 0 && real.s[0] == '/' && buf_cstr(&real) != NULL);
				/* the reported path names the same file, found plainly below ROOT */
				snprintf(path, sizeof(path), "%s%s", root, real.s);
				fd2 = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
				FUZZ_ASSERT(fd2 >= 0 && fstat(fd2, &st2) == 0);
				FUZZ_ASSERT(st2.st_dev == st.st_dev && st2.st_ino == st.st_ino);
				close(fd2);
				close(fd);
			} else {
				FUZZ_ASSERT(e == ENOENT || e == ENOTDIR || e == EXDEV || e == ELOOP ||
					    e == EINVAL || e == ENAMETOOLONG || e == EACCES);
				/* a plain path to a regular file, no symlink on the way, must open */
				FUZZ_ASSERT(!plainfile(root, arg));
			}
			buf_free(&real);
			break;
		}
		default:
			break;
		}
	}
	close(rootfd);
	return 0;
}
