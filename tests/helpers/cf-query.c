/* cf-query - print what the host model says in the form `sendmail -bt` answers (for cf-oracle.sh) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../convert/lib/model/host.h"
#include "../../convert/lib/parse/sendmailcf.h"

/*
 * cf-query ROOT CF HOSTNAME
 * One line per question of tests/scripts/cf-oracle.sh, in its order:
 *   $j $w $m $S $H $R $L $M          the macro as -bt prints it (raw, a
 *                                    literal dollar as '$', ${x} as $x),
 *                                    "Undefined" when not set
 *   $=w $={VirtHost} $=R $=M $=N $=E $=G $=L $=m $=t
 *                                    members sorted bytewise, space separated
 */
static const char *const macros[] = { "j", "w", "m", "S", "H", "R", "L", "M", NULL };
static const char *const classes[] = { "w", "VirtHost", "R", "M", "N", "E", "G", "L", "m", "t",
				       NULL };

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rawprint(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '$' && s[i + 1] == '$') {
			putchar('$');
			i++;
		} else if (s[i] == '$' && s[i + 1] == '{' && s[i + 2] && s[i + 3] == '}') {
			putchar('$');
			putchar(s[i + 2]);
			i += 3;
		} else {
			putchar(s[i]);
		}
	}
}

int main(int argc, char **argv)
{
	struct host h;
	struct diag_sink d;
	struct cf_opts o;
	size_t i, j;

	if (argc != 4) {
		fprintf(stderr, "usage: cf-query ROOT CF HOSTNAME\n");
		return 100;
	}
	memset(&o, 0, sizeof(o));
	o.rootfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	o.hostname = argv[3];
	if (o.rootfd < 0) {
		perror(argv[1]);
		return 111;
	}
	host_init(&h);
	diag_init(&d);
	if (cf_load(&h, argv[2], &o, &d) < 0) {
		perror(argv[2]);
		return 111;
	}
	for (i = 0; macros[i]; i++) {
		const struct host_macro *m = host_macro_get(&h, macros[i]);

		printf("$%s: ", macros[i]);
		if (m == NULL)
			fputs("Undefined", stdout);
		else
			rawprint(m->raw);
		putchar('\n');
	}
	for (i = 0; classes[i]; i++) {
		const struct host_class *c = host_class_get(&h, classes[i]);
		char **v = NULL;

		printf(strlen(classes[i]) == 1 ? "$=%s:" : "$={%s}:", classes[i]);
		if (c && c->n) {
			v = malloc(c->n * sizeof(*v));
			if (v == NULL)
				return 111;
			for (j = 0; j < c->n; j++)
				v[j] = c->v[j].word;
			qsort(v, c->n, sizeof(*v), cmp);
			for (j = 0; j < c->n; j++)
				printf(" %s", v[j]);
			free(v);
		}
		putchar('\n');
	}
	host_free(&h);
	diag_free(&d);
	close(o.rootfd);
	return 0;
}
