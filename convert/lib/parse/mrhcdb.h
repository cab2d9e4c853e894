/* parse/mrhcdb - control/morercpthosts.cdb (qmail-newmrh's output) as a sorted list */
#ifndef S2Q_PARSE_MRHCDB_H
#define S2Q_PARSE_MRHCDB_H

#include "../util/buf.h"
#include "../util/diag.h"

/*
 * Keys are the domains (lower-case, qmail-smtpd looks them up lower-cased),
 * data is empty (../shared/ref/qmail.md §2.1).  mrhcdb_print writes the keys
 * sorted bytewise, one a line, duplicates kept; a '\' or a control byte in a
 * key is written as "\\" or "\xNN" (qmail-newmrh never stores one).  Problems
 * (S2Q-D040..D042): data that is not empty, upper-case keys that never match,
 * keys qmail-newmrh cannot produce.  0 good, 1 problems reported, -1 ENOMEM.
 */
int mrhcdb_print(buf *out, const void *p, size_t size, const char *file, struct diag_sink *d);

#endif
