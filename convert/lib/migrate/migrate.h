/* migrate/migrate - the whole-host chain of s2q-migrate: stage, merge, report */
#ifndef S2Q_MIGRATE_MIGRATE_H
#define S2Q_MIGRATE_MIGRATE_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/diag.h"

/*
 * The converters run as child programs (found in bindir), each with --json,
 * writing into one staged tree; this module merges what they leave for the
 * others (users/assign.aliases, users/assign.virtusers, rcpthosts.virtusers,
 * not-local.virtusers), writes users/assign (qmail-pw2u's rules, emit/pw2u)
 * and has s2q-newu compile users/cdb, runs the route proof, and keeps every
 * step's diagnostics with the FILE names of the old host ("/etc/mail/aliases").
 */

enum mig_status {
	MIG_OK = 0,		/* ran, wrote its files */
	MIG_SKIPPED,		/* nothing to do on this host (reason says why) */
	MIG_REFUSED,		/* input errors: the host is not converted */
	MIG_FAILED,		/* system trouble (exit 111, a crash, cannot run) */
	MIG_NOT_DONE		/* the step is not available in this build */
};

const char *mig_status_name(enum mig_status s);

struct mig_opts {
	const char *bindir;	/* the s2q programs */
	const char *from;	/* SENDMAIL_ROOT, absolute */
	const char *hostname;	/* the old host's FQDN, or NULL */
	const char *cf;		/* inside the root; NULL: /etc/mail/sendmail.cf */
	const char *passwd;	/* inside the root; NULL: /etc/passwd */
	unsigned long rcpthosts_max;	/* 0: s2q-cf's default (50) */
	int no_home_check;	/* qmail-pw2u -H instead of -o */
	const char *alias_user;	/* NULL: "alias" */
	unsigned long alias_uid, alias_gid;	/* 0: from the passwd */
	const char *only_domains;	/* PCRE2 patterns, or NULL */
	const char *exclude_domains;
	int no_route;		/* do not run the route proof */
	const char *defaultdelivery;	/* qmail-start's default delivery on the new host,
					   for converted .forward files; NULL: "./Mailbox" */
	const char *reuse;	/* the output tree the staged one will replace (absolute), or
				   NULL: files there with the same bytes are linked, not written
				   again (util/aw_reuse; the converters' --reuse) */
};

#define MIG_MAXSTEPS 10

struct mig_step {
	const char *name;	/* "virtusers", "cf", "aliases", "users", "newu", "rcpthosts",
				   "forward", "route" */
	const char *program;	/* "s2q-cf", ..., or "s2q-migrate" for the merge steps */
	enum mig_status status;
	int rc;			/* the child's exit code, -1 when none ran */
	char *reason;		/* why it is not MIG_OK (malloc'ed), or NULL */
	buf counts;		/* JSON members "name":number,... (no braces) */
	struct diag_sink d;	/* its diagnostics, FILE names of the old host */
};

struct mig_route {
	int ran;		/* 1: the proof ran and its summary was read */
	unsigned long same, different, known, only_sendmail, only_qmail, unexplained, total;
};

struct mig_result {
	struct mig_step step[MIG_MAXSTEPS];
	size_t nsteps;
	struct mig_route route;
	size_t nerr, nwarn, nnote;
	int refused;		/* an input error somewhere: nothing may be installed */
	int failed;		/* system trouble somewhere */
	char *reason;		/* first reason the host is not converted, or NULL */
	/* the staged tree: sorted relative paths, mode, size */
	struct mig_file {
		char *rel;
		unsigned mode;
		unsigned long long size;
		unsigned long long dev, ino;	/* as mig_list found it */
		unsigned long nlink;
		long long ctime_sec;	/* its inode change time then */
		long ctime_nsec;
	} *files;
	size_t nfiles;
};

void mig_result_init(struct mig_result *r);
void mig_result_free(struct mig_result *r);

/*
 * mig_stage - run the chain with o into the empty directory work (absolute
 * path; it gets work/tree, the staged qmail tree, and work/tmp).  0 when
 * every step was run (look at r->refused / r->failed), -1 with errno on
 * ENOMEM or when work cannot be used.
 */
int mig_stage(const struct mig_opts *o, const char *work, struct mig_result *r);

/* mig_exit - the exit code the result calls for: 0, 1 (route: unexplained), 100, 111 */
int mig_exit(const struct mig_result *r);

/*
 * mig_json - the report (MIGRATION.md "s2q-migrate report"): mode is
 * "report", "convert", "dry-run" or "apply"; to is the output root or NULL;
 * extra is more members to put in ("\"diff\":{...}," form, or NULL).
 */
int mig_json(buf *out, const struct mig_opts *o, const char *mode, const char *to,
	     const struct mig_result *r, const char *extra);
/* mig_text - the same as text lines for stderr (prog names the program) */
int mig_text(buf *out, const char *prog, const char *mode, const struct mig_result *r);

/* ---- tree helpers used by the main ---- */

/* mig_list - every regular file under dirfd, sorted; -1 on error (errno; ELOOP: a symlink) */
int mig_list(int dirfd, struct mig_file **files, size_t *n);
void mig_files_free(struct mig_file *f, size_t n);
/* mig_rmtree - remove name (a file or a directory and all below it) in dirfd */
int mig_rmtree(int dirfd, const char *name);
/* mig_bindir - the directory holding the running program (S2Q_BINDIR overrides) */
int mig_bindir(buf *out);

#endif
