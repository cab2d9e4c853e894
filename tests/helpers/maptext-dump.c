/* maptext-dump - what parse/maptext reads from a makemap text file (for maptext-oracle.sh) */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../convert/lib/parse/maptext.h"

/*
 * maptext-dump FILE RECORDS ERRORS: RECORDS gets "key TAB value" per record
 * (as `makemap -u` prints them), ERRORS the line numbers of the errors, one a line.
 */
int main(int argc, char **argv)
{
	struct maptext m;
	struct maptext_rec r;
	struct diag_sink d;
	FILE *rec, *err;
	size_t i;
	int fd, x;

	if (argc != 4) {
		fprintf(stderr, "usage: maptext-dump FILE RECORDS ERRORS\n");
		return 100;
	}
	fd = open(argv[1], O_RDONLY);
	rec = fopen(argv[2], "w");
	err = fopen(argv[3], "w");
	if (fd < 0 || rec == NULL || err == NULL) {
		perror("maptext-dump");
		return 111;
	}
	diag_init(&d);
	if (maptext_fdopen(&m, fd, argv[1], 0, &d) < 0)
		return 111;
	while ((x = maptext_next(&m, &r)) > 0)
		fprintf(rec, "%.*s\t%.*s\n", (int)r.klen, r.key, (int)r.vlen, r.val);
	maptext_close(&m);
	for (i = 0; i < d.n; i++)
		if (d.v[i].sev == DIAG_ERROR)
			fprintf(err, "%lu\n", d.v[i].line);
	diag_free(&d);
	return (x < 0 || fclose(rec) || fclose(err)) ? 111 : 0;
}
