/* parse/fwdcdb - fastforward's forward database (aliases.cdb), printed as printforward does */
#ifndef S2Q_PARSE_FWDCDB_H
#define S2Q_PARSE_FWDCDB_H

#include "../model/assign.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "cdbfile.h"

/*
 * ../shared/ref/qmail.md §5.2: key ":" + target holds NUL-terminated
 * instructions (&address, |program, !program, /list or ./list), key "?" +
 * target an owner address.  The reader accepts exactly what fastforward's
 * printforward accepts and reports (S2Q-D020..D023) every record it would
 * refuse; such records are skipped.  printforward output of a good file is
 * reproduced byte for byte by fwdcdb_format over its records.
 */
struct fwd_rec {
	int owner;		/* 1: "?" record, data = the owner address */
	struct bstr target;	/* the key without its first byte */
	struct bstr data;
	unsigned long n;	/* record number */
};

struct fwdcdb {
	struct cdbfile f;
	const char *file;
	struct diag_sink *d;
	unsigned long cnt[4];	/* problems reported per code S2Q-D020 + i */
	int problems;
};

/* fwdcdb_init - 0, or 1 if the cdb structure is bad (reported) */
int fwdcdb_init(struct fwdcdb *r, const void *p, size_t size, const char *file,
		struct diag_sink *d);
/* fwdcdb_next - 1 good record, 0 end (bad records are reported and skipped) */
int fwdcdb_next(struct fwdcdb *r, struct fwd_rec *rec);
/* fwdcdb_end - 0 good, 1 problems were reported (hash tables checked here) */
int fwdcdb_end(struct fwdcdb *r);
/* fwdcdb_instr - the instruction at *pos of a ":" record (1), advancing *pos; 0 at the end */
int fwdcdb_instr(const struct fwd_rec *rec, size_t *pos, struct bstr *ins);
/* fwdcdb_format - append the record in printforward's syntax */
int fwdcdb_format(buf *out, const struct fwd_rec *rec);
/* fwdcdb_print - the whole database as printforward prints it; 0, 1 problems, -1 ENOMEM */
int fwdcdb_print(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d);

/* fwd_escape - append s as setforward syntax: '\' before blanks, controls, # , : ; \ and 8-bit bytes */
int fwd_escape(buf *out, const char *s, size_t n);

#endif
