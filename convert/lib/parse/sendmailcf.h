/* parse/sendmailcf - sendmail.cf read the way sendmail's readcf() reads it, into the host model */
#ifndef S2Q_PARSE_SENDMAILCF_H
#define S2Q_PARSE_SENDMAILCF_H

#include <stddef.h>

#include "../model/host.h"
#include "../util/diag.h"

/*
 * Lines (../shared/ref/sendmail.md §1.1-1.6): folded with the lline reader
 * (a line starting with SP/TAB continues the previous one, the newline
 * kept; CRLF read as LF); a line starting with '#' is a comment, with its
 * continuations; from the V line on (config level >= 3) '#' after text
 * starts a comment up to the end of that physical line together with the
 * blanks before it, except "\#" (a literal '#') and "$#"; "$$" is a
 * literal dollar; trailing white space is dropped.  Then by first letter:
 *
 *   V D C T F K O M S R H P Q E X    (everything else: error S2Q-C002)
 *
 * C and K lines are macro-expanded with the macros defined so far (as
 * sendmail does while reading); D values are stored raw and expanded at
 * the end with the final macro table.  `$=X` in a C line copies class X as
 * it is at that point.  F lines read the class file below the sendmail
 * root with the line's scanf format (default "%s": the first word of each
 * line), run as a PCRE2 pattern.  O lines accept the short form, the long
 * form and unique abbreviations of sendmail 8.17's option names (Debian's
 * build); AliasFile accumulates.
 *
 * Implicit values, as sendmail's main() sets them before reading the cf:
 * $w = $j = hostname, $m = hostname after its first dot, $k = nodename,
 * class w = {hostname, nodename} + locals; $w is cut to its first label at
 * the V line when the level is >= 5; class m = {$m} after the cf.
 * Interface addresses (unless DontProbeInterfaces) and the host's aliases
 * from DNS or /etc/hosts are not modelled (pass them with locals).
 *
 * Every absolute path named in the cf is opened below rootfd (util/sroot):
 * never outside it.  All problems are reported to the sink with FILE:LINE
 * (codes S2Q-C0nn, listed in MIGRATION.md); sendmail's own words are used
 * where it has some.
 */
struct cf_opts {
	int rootfd;			/* the sendmail root (a copy of the old host's /) */
	const char *hostname;		/* the old host's FQDN, or NULL */
	const char *nodename;		/* its uname node name; NULL: the hostname */
	const char *const *locals;	/* further implicit class w members */
	size_t nlocals;
};

/*
 * cf_load - read the cf at path (inside the root) into h (host_init'ed).
 * 0 when read (input problems are in the sink), -1 with errno when the cf
 * cannot be opened or read, or ENOMEM (input problems so far are kept).
 */
int cf_load(struct host *h, const char *path, const struct cf_opts *o, struct diag_sink *d);

/*
 * cf_map_source - open the text source of a K map (hash/btree: the path
 * without ".db"; text: the path itself) below rootfd.  1 and *fd when it
 * is there; 0 when it cannot be read - reported to the sink as sendmail
 * would see it (an -o map that is missing never matches: note; a map that
 * is missing without -o defers mail: warning; a .db without its text
 * source: error, s2q reads only text sources); -1 with errno on ENOMEM.
 * A text source newer than its .db is warned about (sendmail still uses
 * the .db).  *shown gets the name to use in diagnostics (the source path,
 * owned by the caller, free it).
 */
int cf_map_source(const struct host *h, const struct host_map *m, int rootfd, int *fd,
		  char **shown, struct diag_sink *d);

/*
 * cf_scanf_regex - translate a class-file scanf format into a PCRE2
 * pattern (appended to out) whose group 1 is the one string sscanf would
 * convert; 0, or -1 with *why set (a static message) when sendmail's
 * sscanf could not convert exactly one string with it.
 */
int cf_scanf_regex(const char *fmt, buf *out, const char **why);

#endif
