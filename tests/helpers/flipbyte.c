/* flipbyte - flip the lowest bit of bytes of a file in place (a test helper)
 *
 *   flipbyte FILE POS...
 *
 * For each POS (a byte offset inside FILE) the byte there is XORed with 1.
 * Flipping the same POS again restores the file.  Exit 0, or 100 on bad usage
 * (a POS outside the file included), 111 when FILE cannot be read or written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: flipbyte FILE POS...\n");
		return 100;
	}
	int fd = open(argv[1], O_RDWR);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "flipbyte: %s: %s\n", argv[1], strerror(errno));
		return 111;
	}
	for (int i = 2; i < argc; i++) {
		char *end;
		errno = 0;
		unsigned long long pos = strtoull(argv[i], &end, 10);
		if (errno || end == argv[i] || *end || argv[i][0] == '-' ||
		    pos >= (unsigned long long)st.st_size) {
			fprintf(stderr, "flipbyte: %s: not a byte offset inside %s\n", argv[i], argv[1]);
			return 100;
		}
		unsigned char c;
		if (pread(fd, &c, 1, (off_t)pos) != 1) {
			fprintf(stderr, "flipbyte: %s: cannot read byte %llu\n", argv[1], pos);
			return 111;
		}
		c ^= 1;
		if (pwrite(fd, &c, 1, (off_t)pos) != 1) {
			fprintf(stderr, "flipbyte: %s: cannot write byte %llu\n", argv[1], pos);
			return 111;
		}
	}
	if (close(fd) != 0) {
		fprintf(stderr, "flipbyte: %s: %s\n", argv[1], strerror(errno));
		return 111;
	}
	return 0;
}
