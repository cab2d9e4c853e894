/* parse/binlist - fastforward's binary mailing lists (.bin, from setmaillist/newinclude) */
#ifndef S2Q_PARSE_BINLIST_H
#define S2Q_PARSE_BINLIST_H

#include "../model/assign.h"
#include "../util/buf.h"
#include "../util/diag.h"

/*
 * ../shared/ref/qmail.md §5.2: NUL-terminated instructions, "&address",
 * "/list" or "./list".  The reader accepts exactly what printmaillist
 * accepts and reports (S2Q-D030..D034) what it would refuse; a bad
 * instruction is skipped and reading goes on at the next NUL.  Printing
 * each instruction and a newline (binlist_print) is printmaillist's output.
 */
struct binlist {
	const char *p;
	size_t len, pos;
	const char *file;
	struct diag_sink *d;
	unsigned long n;	/* instructions read */
	unsigned long cnt[5];	/* problems reported per code S2Q-D030 + i */
	int problems;
};

void binlist_init(struct binlist *b, const void *p, size_t len, const char *file,
		  struct diag_sink *d);
/* binlist_next - 1 and the next good instruction, 0 at the end */
int binlist_next(struct binlist *b, struct bstr *ins);
/* binlist_end - report the count of problems not shown one by one; 0 good, 1 problems */
int binlist_end(struct binlist *b);
/* binlist_print - every instruction and '\n'; 0 good, 1 problems reported, -1 ENOMEM */
int binlist_print(buf *out, const void *p, size_t len, const char *file, struct diag_sink *d);

#endif
