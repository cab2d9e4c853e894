/*
 * bench-gen - deterministic benchmark inputs for `make bench` (tools/bench.sh)
 *
 *   bench-gen [-s SEED] aliases N FILE [-f] [-I INCPREFIX] [-L LISTDIR] [-P PAIRS]
 *   bench-gen [-s SEED] virtusers DOMAINS USERS FILE [-D DOMAINFILE]
 *   bench-gen [-s SEED] assign N FILE
 *   bench-gen [-s SEED] passwd N FILE
 *   bench-gen [-s SEED] forwards N HOMEROOT
 *
 * Same seed and arguments -> same bytes, on every machine: the generator has
 * its own PRNG (splitmix64) and every name is a pure function of (seed, index).
 *
 * aliases: N alias entries (duplicates counted) in sendmail syntax: single
 *   targets, lists, indented continuation lines, :include: lists (LISTDIR/list-K,
 *   written there, named INCPREFIX/list-K in the file), quoted and unquoted
 *   programs, owner- entries, mixed-case names, comments and blank lines
 *   between entries.  Without -f it also has what only sendmail accepts with
 *   its meaning: /file targets, \user, error: targets, backslash-newline
 *   continuations and duplicate names.  -f restricts it to what Debian
 *   fastforward's newaliases also accepts with the same meaning (the fair
 *   comparison).  -P writes one `key value` line per entry (cdb -c -m input):
 *   the lower-cased name and the targets joined by commas.
 * virtusers: DOMAINS x USERS virtusertable lines (key TAB value): local users,
 *   remote forwards, other hosted domains, user+*@ detail keys, error:nouser and
 *   error:D.S.N:text, catch-alls @domain (with %1, local, error:).  -D writes
 *   the domain list (VIRTUSER_DOMAIN_FILE).
 * assign: N users/assign lines (90 % =exact, 10 % +wildcard) and the final ".".
 * passwd: N accounts u0..u(N-1) (uid 10000+), after the usual system ones.
 * forwards: HOMEROOT/home/uK/.forward for the first N of the passwd users.
 *
 * Local users named in aliases and virtusertable are u0..u9999 (passwd 10000).
 * Exit 0, 100 usage, 111 write error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NUSERS 10000UL
#define NLISTS 100UL

static uint64_t seed = 20241127;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* a stream of random numbers */
struct rng {
	uint64_t s;
};

static void rng_init(struct rng *r, uint64_t stream)
{
	r->s = mix(seed ^ mix(stream));
}

static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix(r->s);
}

/* rng_below - uniform in [0, n) (n > 0; modulo bias is irrelevant here) */
static unsigned long rng_below(struct rng *r, unsigned long n)
{
	return (unsigned long)(rng_next(r) % n);
}

static const char *const syl[] = {
	"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ber", "dan", "el", "fi", "gar", "hu",
	"jo", "ma", "ri", "st", "on", "an", "is", "ul", "pe", "qu", "wen", "xa", "yo", "ze",
};
#define NSYL (sizeof(syl) / sizeof(syl[0]))

/* word - 1..maxsyl syllables from (stream, i), lower-case letters only */
static size_t word(char *out, uint64_t stream, unsigned long i, unsigned maxsyl)
{
	struct rng r;
	unsigned n, k;
	size_t len = 0;

	rng_init(&r, stream * 0x100000001b3ULL + i);
	n = 1 + (unsigned)rng_below(&r, maxsyl);
	for (k = 0; k < n; k++) {
		const char *s = syl[rng_below(&r, NSYL)];

		memcpy(out + len, s, strlen(s));
		len += strlen(s);
	}
	out[len] = '\0';
	return len;
}

/* aname - alias name i: letters + decimal index (unique: letters never contain digits) */
static void aname(char *out, unsigned long i)
{
	size_t n = word(out, 1, i, 3);

	snprintf(out + n, 24, "%lu", i);
}

static FILE *xopen(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "bench-gen: fatal: unable to create %s: %s\n", path, strerror(errno));
		exit(111);
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static void xclose(FILE *f, const char *path)
{
	if (ferror(f) || fclose(f) != 0) {
		fprintf(stderr, "bench-gen: fatal: unable to write %s: %s\n", path, strerror(errno));
		exit(111);
	}
}

static void usage(void)
{
	fprintf(stderr, "bench-gen: usage: bench-gen [-s SEED] aliases N FILE [-f] [-I INCPREFIX] "
			"[-L LISTDIR] [-P PAIRS] | virtusers DOMAINS USERS FILE [-D DOMAINFILE] | "
			"assign N FILE | passwd N FILE | forwards N HOMEROOT\n");
	exit(100);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end)
		usage();
	return v;
}

/* a growable target list for one alias entry */
struct tl {
	char t[8][256];
	unsigned n;
};

static void remote(char *out, size_t cap, struct rng *r)
{
	char a[64], b[64];

	word(a, 7, rng_below(r, 50000), 2);
	word(b, 8, rng_below(r, 500), 2);
	snprintf(out, cap, "%s.%lu@%s.example.net", a, rng_below(r, 100), b);
}

/* targets - the targets of entry i */
static void targets(struct tl *t, struct rng *r, unsigned long i, unsigned long n, int ff)
{
	unsigned long k = rng_below(r, 1000), j;
	unsigned m, c;

	t->n = 0;
	if (k < 600) {
		m = 1;
	} else if (k < 900) {
		m = 2 + (unsigned)rng_below(r, 2);
	} else {
		m = 4 + (unsigned)rng_below(r, 4);
	}
	for (c = 0; c < m; c++) {
		char *o = t->t[t->n++];
		char nm[64];

		k = rng_below(r, 1000);
		if (k < 550) {
			snprintf(o, 256, "u%lu", rng_below(r, NUSERS));
		} else if (k < 850) {
			remote(o, 256, r);
		} else if (k < 900 && i + 1 < n) {
			/* another alias, always a later one: chains, never loops */
			j = i + 1 + rng_below(r, (n - i - 1) < 1000 ? (n - i - 1) : 1000);
			aname(nm, j);
			snprintf(o, 256, "%s", nm);
		} else if (k < 920) {
			snprintf(o, 256, "\"|/usr/bin/procmail -m /etc/procmailrcs/r%lu.rc\"",
				 rng_below(r, 1000));
		} else if (k < 930) {
			snprintf(o, 256, "|/usr/local/bin/autoreply%lu", rng_below(r, 10));
		} else if (k < 945) {
			snprintf(o, 256, ":include:@LIST@%lu", rng_below(r, NLISTS));
		} else if (k < 960 && !ff) {
			snprintf(o, 256, "/var/mail/archive/a%lu", rng_below(r, 100000));
		} else if (k < 975 && !ff) {
			snprintf(o, 256, "\\u%lu", rng_below(r, NUSERS));
		} else if (k < 980 && !ff) {
			snprintf(o, 256, "error:nouser No such user here");
		} else {
			snprintf(o, 256, "u%lu@mx1.example.com", rng_below(r, NUSERS));
		}
	}
}

static void gen_aliases(unsigned long n, const char *file, int ff, const char *incprefix,
			const char *listdir, const char *pairs)
{
	FILE *f = xopen(file), *p = pairs ? xopen(pairs) : NULL;
	struct rng r;
	struct tl t;
	char nm[96], path[4096], inc[4200];
	unsigned long i, l, u;
	unsigned c;

	rng_init(&r, ff ? 11 : 12);
	if (listdir) {
		struct rng lr;

		rng_init(&lr, 13);
		for (l = 0; l < NLISTS; l++) {
			FILE *lf;
			unsigned long m = 10 + rng_below(&lr, 40);

			snprintf(path, sizeof(path), "%s/list-%lu", listdir, l);
			lf = xopen(path);
			fprintf(lf, "# list %lu\n", l);
			for (u = 0; u < m; u++) {
				if (rng_below(&lr, 4) == 0) {
					char rm[256];

					remote(rm, sizeof(rm), &lr);
					fprintf(lf, "%s\n", rm);
				} else {
					fprintf(lf, "u%lu\n", rng_below(&lr, NUSERS));
				}
			}
			xclose(lf, path);
		}
	}
	fprintf(f, "# bench-gen aliases %lu%s seed %llu\n", n, ff ? " (fastforward subset)" : "",
		(unsigned long long)seed);
	fprintf(f, "postmaster: root\nMAILER-DAEMON: postmaster\nroot: u0\n");
	if (p)
		fprintf(p, "postmaster root\nmailer-daemon postmaster\nroot u0\n");
	for (i = 3; i < n; i++) {
		unsigned long k = rng_below(&r, 1000);
		int owner = 0;

		if (i % 97 == 0)
			fprintf(f, "# section %lu\n", i / 97);
		if (i % 211 == 0)
			fputc('\n', f);
		if (!ff && k < 10 && i > 10)
			aname(nm, rng_below(&r, i - 3) + 3);	/* duplicate: sendmail warns, last wins */
		else if (k < 20 && i > 10)
			owner = 1;
		else
			aname(nm, i);
		if (owner) {
			/* owner-X of the previous entry X */
			char x[64];

			aname(x, i - 1);	/* unique: entry i is the only owner of entry i-1 */
			snprintf(nm, sizeof(nm), "owner-%s", x);
			t.n = 1;
			snprintf(t.t[0], 256, "u%lu", rng_below(&r, NUSERS));
		} else {
			targets(&t, &r, i, n, ff);
		}
		/* a few mixed-case names: both sendmail and fastforward fold them */
		if (k >= 990 && nm[0] >= 'a' && nm[0] <= 'z')
			nm[0] = (char)(nm[0] - 'a' + 'A');
		fprintf(f, "%s:", nm);
		for (c = 0; c < t.n; c++) {
			const char *s = t.t[c];

			if (strncmp(s, ":include:@LIST@", 15) == 0) {
				snprintf(inc, sizeof(inc), ":include:%s/list-%s", incprefix, s + 15);
				s = inc;
			}
			if (c == 0)
				fputc(' ', f);
			else if (t.n > 3 && c % 3 == 0)
				fputs(rng_below(&r, 2) ? ",\n\t" : ",\n    ", f);
			else if (!ff && t.n > 3 && c % 3 == 1 && rng_below(&r, 8) == 0)
				fputs(", \\\n ", f);
			else
				fputs(", ", f);
			fputs(s, f);
			if (p) {
				size_t z;

				if (c == 0) {
					for (z = 0; nm[z]; z++)
						fputc((nm[z] >= 'A' && nm[z] <= 'Z') ? nm[z] - 'A' + 'a' : nm[z], p);
					fputc(' ', p);
				} else {
					fputc(',', p);
				}
				fputs(s, p);
			}
		}
		fputc('\n', f);
		if (p)
			fputc('\n', p);
	}
	xclose(f, file);
	if (p)
		xclose(p, pairs);
}

/* dname - hosted domain d */
static void dname(char *out, unsigned long d)
{
	static const char *const tld[] = { "example", "example.com", "example.net", "example.org" };
	size_t n = word(out, 3, d, 3);

	snprintf(out + n, 64, "%lu.%s", d, tld[d % 4]);
}

static void gen_virtusers(unsigned long nd, unsigned long nu, const char *file, const char *dfile)
{
	FILE *f = xopen(file), *df = dfile ? xopen(dfile) : NULL;
	struct rng r;
	char dom[128], other[128], user[64], rm[256];
	unsigned long d, u, k;

	rng_init(&r, 21);
	fprintf(f, "# bench-gen virtusertable %lu x %lu seed %llu\n", nd, nu,
		(unsigned long long)seed);
	for (d = 0; d < nd; d++) {
		unsigned long ncatch;

		dname(dom, d);
		if (df)
			fprintf(df, "%s\n", dom);
		if (d % 50 == 0)
			fprintf(f, "# domain group %lu\n", d / 50);
		ncatch = rng_below(&r, 2);	/* half the domains have a catch-all */
		for (u = 0; u + ncatch < nu; u++) {
			size_t wl = word(user, 4, d * 1000 + u, 2);

			snprintf(user + wl, 24, "%lu", u);
			k = rng_below(&r, 1000);
			if (k < 600) {
				fprintf(f, "%s@%s\tu%lu\n", user, dom, rng_below(&r, NUSERS));
			} else if (k < 800) {
				remote(rm, sizeof(rm), &r);
				fprintf(f, "%s@%s\t%s\n", user, dom, rm);
			} else if (k < 850) {
				dname(other, rng_below(&r, nd));
				fprintf(f, "%s@%s\tpostmaster@%s\n", user, dom, other);
			} else if (k < 880) {
				fprintf(f, "%s+*@%s\tu%lu\n", user, dom, rng_below(&r, NUSERS));
			} else if (k < 910) {
				fprintf(f, "%s@%s\terror:nouser 550 User unknown\n", user, dom);
			} else if (k < 930) {
				fprintf(f, "%s@%s\terror:5.7.1:550 Mailbox disabled for policy reasons\n",
					user, dom);
			} else {
				fprintf(f, "%s@%s\tu%lu@mx1.example.com\n", user, dom,
					rng_below(&r, NUSERS));
			}
		}
		if (ncatch) {
			k = rng_below(&r, 10);
			if (k < 5)
				fprintf(f, "@%s\t%%1@mail.customer%lu.example.net\n", dom, d);
			else if (k < 8)
				fprintf(f, "@%s\tu%lu\n", dom, rng_below(&r, NUSERS));
			else
				fprintf(f, "@%s\terror:nouser 550 No such user here\n", dom);
		}
	}
	xclose(f, file);
	if (df)
		xclose(df, dfile);
}

static void gen_assign(unsigned long n, const char *file)
{
	FILE *f = xopen(file);
	struct rng r;
	char w[64];
	unsigned long i;

	rng_init(&r, 31);
	for (i = 0; i < n; i++) {
		unsigned long uid = 10000 + rng_below(&r, 50000);

		word(w, 5, i, 3);
		if (rng_below(&r, 10) == 0)
			fprintf(f, "+%s%lu-:v%lu:%lu:%lu:/var/vhome/d%lu/%s%lu:-::\n", w, i, uid, uid,
				uid, i % 10000, w, i);
		else
			fprintf(f, "=%s%lu:v%lu:%lu:%lu:/var/vhome/d%lu/%s%lu:::\n", w, i, uid, uid, uid,
				i % 10000, w, i);
	}
	fputs(".\n", f);
	xclose(f, file);
}

static void gen_passwd(unsigned long n, const char *file)
{
	FILE *f = xopen(file);
	unsigned long i;

	fputs("root:x:0:0:root:/root:/bin/bash\n"
	      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	      "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
	      "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
	      "mail:x:8:8:mail:/var/mail:/usr/sbin/nologin\n"
	      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	      "alice:x:2001:2001:Alice:/home/alice:/bin/bash\n"
	      "bob:x:2002:2002:Bob:/home/bob:/bin/bash\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "u%lu:x:%lu:100:User %lu:/home/u%lu:/bin/bash\n", i, 10000 + i, i, i);
	xclose(f, file);
}

static void gen_forwards(unsigned long n, const char *root)
{
	struct rng r;
	char path[4096], rm[256];
	unsigned long i;

	rng_init(&r, 41);
	snprintf(path, sizeof(path), "%s/home", root);
	mkdir(path, 0755);
	for (i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/home/u%lu", root, i);
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "bench-gen: fatal: unable to mkdir %s: %s\n", path, strerror(errno));
			exit(111);
		}
		snprintf(path, sizeof(path), "%s/home/u%lu/.forward", root, i);
		f = xopen(path);
		remote(rm, sizeof(rm), &r);
		switch (i % 3) {
		case 0:
			fprintf(f, "%s\n", rm);
			break;
		case 1:
			fprintf(f, "\\u%lu, %s\n", i, rm);
			break;
		default:
			fprintf(f, "\"|/usr/bin/vacation u%lu\"\n\\u%lu\n", i, i);
			break;
		}
		xclose(f, path);
	}
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		seed = num(argv[2]);
		i = 3;
	}
	if (i >= argc)
		usage();
	if (strcmp(argv[i], "aliases") == 0 && argc - i >= 3) {
		unsigned long n = num(argv[i + 1]);
		const char *file = argv[i + 2], *inc = NULL, *ldir = NULL, *pairs = NULL;
		int ff = 0, a;

		for (a = i + 3; a < argc; a++) {
			if (strcmp(argv[a], "-f") == 0)
				ff = 1;
			else if (strcmp(argv[a], "-I") == 0 && a + 1 < argc)
				inc = argv[++a];
			else if (strcmp(argv[a], "-L") == 0 && a + 1 < argc)
				ldir = argv[++a];
			else if (strcmp(argv[a], "-P") == 0 && a + 1 < argc)
				pairs = argv[++a];
			else
				usage();
		}
		if (n < 3)
			usage();
		if (inc == NULL)
			inc = ldir ? ldir : "/etc/mail/lists";
		gen_aliases(n, file, ff, inc, ldir, pairs);
	} else if (strcmp(argv[i], "virtusers") == 0 && (argc - i == 4 || argc - i == 6)) {
		const char *df = NULL;

		if (argc - i == 6) {
			if (strcmp(argv[i + 4], "-D") != 0)
				usage();
			df = argv[i + 5];
		}
		gen_virtusers(num(argv[i + 1]), num(argv[i + 2]), argv[i + 3], df);
	} else if (strcmp(argv[i], "assign") == 0 && argc - i == 3) {
		gen_assign(num(argv[i + 1]), argv[i + 2]);
	} else if (strcmp(argv[i], "passwd") == 0 && argc - i == 3) {
		gen_passwd(num(argv[i + 1]), argv[i + 2]);
	} else if (strcmp(argv[i], "forwards") == 0 && argc - i == 3) {
		gen_forwards(num(argv[i + 1]), argv[i + 2]);
	} else {
		usage();
	}
	return 0;
}
