/*
 * newu-ref - an independent model of qmail-newu, for tests only.
 *
 * Reads users/assign on stdin the way qmail-newu.c main() does (see
 * ../shared/ref/qmail.md section 1) and prints the records it would store
 * in tinycdb's native `cdb -c` input format, wildchars record last.  It
 * shares no code with s2q.  Exit 111 with "bad format" where qmail-newu
 * would fail.  `cdb -c` of this output is byte-identical to qmail-newu's
 * users/cdb (qmail.md 1.3, verified).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bad(void)
{
	fputs("newu-ref: fatal: bad format in users/assign\n", stderr);
	exit(111);
}

static void rec(const char *k, size_t kl, const char *v, size_t vl)
{
	printf("+%zu,%zu:", kl, vl);
	fwrite(k, 1, kl, stdout);
	fputs("->", stdout);
	fwrite(v, 1, vl, stdout);
	putchar('\n');
}

int main(void)
{
	char *line = NULL, *key, *val, wild[256];
	size_t cap = 0, nwild = 0, i, colon, kl, vl;
	ssize_t n;
	int found_dot = 0;

	key = malloc(1 << 20);
	val = malloc(1 << 20);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[0] == '.') {
			found_dot = 1;
			break;
		}
		if (line[n - 1] != '\n' || n >= (1 << 20))
			bad();
		if (memchr(line, '\0', (size_t)n))
			bad();
		for (colon = 0; colon < (size_t)n && line[colon] != ':'; colon++)
			;
		if (colon == (size_t)n || colon == 0)
			bad();
		kl = 0;
		key[kl++] = '!';
		for (i = 1; i < colon; i++) {
			char c = line[i];
			key[kl++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
		}
		if (line[0] != '+')
			key[kl++] = '\0';
		else if (colon >= 2 && !memchr(wild, line[colon - 1], nwild))
			wild[nwild++] = line[colon - 1];
		/* six more colons; data = the five separators turned into NULs */
		vl = 0;
		{
			int seen = 0;
			for (i = colon + 1; i < (size_t)n - 1 && seen < 6; i++) {
				if (line[i] == ':') {
					seen++;
					if (seen < 6)
						val[vl++] = '\0';
				} else {
					val[vl++] = line[i];
				}
			}
			if (seen < 6)
				bad();
		}
		rec(key, kl, val, vl);
	}
	if (!found_dot)
		bad();
	rec("", 0, wild, nwild);
	putchar('\n');
	free(line);
	free(key);
	free(val);
	return 0;
}
