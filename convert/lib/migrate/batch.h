/* migrate/batch - many hosts from a manifest, in parallel, one report each */
#ifndef S2Q_MIGRATE_BATCH_H
#define S2Q_MIGRATE_BATCH_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/diag.h"

/*
 * The manifest: one host per line, words separated by blanks (no quoting):
 *
 *   NAME SENDMAIL_ROOT OUTROOT [option...]
 *
 * '#' lines and blank lines are skipped.  NAME is [A-Za-z0-9._-], at most
 * 64 bytes, not starting with '.', unique (it names NAME.json and NAME.log
 * in the report directory).  The options are s2q-migrate's single-host
 * options (--hostname FQDN, --rcpthosts-max N, --only-domains RE, ...).
 * Problems: S2Q-G030 (bad line), S2Q-G031 (duplicate name), errors.
 */
struct batch_host {
	char *name, *from, *to;
	char **opts;		/* NULL-terminated */
	size_t nopts;
	unsigned long line;
	/* filled by batch_run */
	int rc;			/* exit code, 128+N for signal N, -1 not run */
};

struct batch {
	struct batch_host *v;
	size_t n;
};

int batch_read(struct batch *b, const char *path, const char *shown, struct diag_sink *d);
void batch_free(struct batch *b);

/*
 * batch_run - run every host: self (the s2q-migrate binary) with
 * --from ROOT --to OUTROOT --json DIR/NAME.json, the common options, then
 * the host's own; its stdout and stderr go to DIR/NAME.log.  At most jobs
 * at once; progress(ctx, done, total, host) after each.  Then one JSON line
 * per host in manifest order is appended to out (name, status, exit, errors,
 * warnings, notes, files, route_unexplained, reason).  0, or -1 errno.
 */
int batch_run(struct batch *b, const char *self, char *const *common, size_t ncommon,
	      unsigned jobs, const char *dir,
	      void (*progress)(void *ctx, size_t done, size_t total, const struct batch_host *h),
	      void *ctx, buf *out, size_t *nbad);

#endif
