/* parse/forward - a user's .forward as sendmail 8.17 reads it (alias.c forward(), recipient.c include()) */
#ifndef S2Q_PARSE_FORWARD_H
#define S2Q_PARSE_FORWARD_H

#include <stddef.h>

#include "aliases.h"
#include "../util/diag.h"
#include "../util/hset.h"

/*
 * sendmail reads ~user/.forward with the code that reads :include: lists
 * (aliases_read_list: no continuation lines, '#' in column 1, " #@# ",
 * CR before LF dropped, 2047-byte pieces, comma-separated addresses), after
 * safety checks on the file and the directories above it; a file that
 * fails them is ignored (the user's mail goes to the local mailbox) and
 * only -v shows why.  Facts verified with the real sendmail: tests/forward/.
 */

/* the passwd entry whose .forward is read */
struct forward_user {
	const char *name;	/* login name as sendmail looks it up (lower case) */
	unsigned long uid, gid;
	const char *home;	/* $z: the home directory on the old host (absolute) */
	const char *shell;	/* login shell, or NULL: not checked */
};

/* DontBlameSendmail options that change the checks (the default is none) */
#define FWD_DBS_GW_FORWARD	0x01	/* GroupWritableForwardFileSafe / GroupWritableForwardFile */
#define FWD_DBS_WW_FORWARD	0x02	/* WorldWritableForwardfile */
#define FWD_DBS_GW_DIRPATH	0x04	/* GroupWritableDirPathSafe */
#define FWD_DBS_STICKY		0x08	/* TrustStickyBit: a sticky writable directory is safe */
#define FWD_DBS_UNSAFE_DIRPATH	0x10	/* ForwardFileInUnsafeDirPath: no directory check */
#define FWD_DBS_GW_INCLUDE	0x20	/* GroupWritableIncludeFile(Safe) */
#define FWD_DBS_WW_INCLUDE	0x40	/* WorldWritableIncludefile */

struct forward_opts {
	const struct aliases_opts *ao;	/* local domains, BlankSub, queue directory (relative
					   :include: paths); may be NULL */
	const char *forward_path;	/* O ForwardPath, entries separated by ':'; macros $z
					   (home), $u (user), $w (short host name), $j (FQDN);
					   NULL: sendmail's default "$z/.forward.$w:$z/.forward" */
	const char *hostname;		/* the old host's FQDN ($j; $w is its first label);
					   NULL: entries with $w/$j are reported and skipped */
	unsigned dontblame;		/* FWD_DBS_* */
	const struct hset *shells;	/* the old host's /etc/shells (forward_read_shells),
					   or NULL: the shell is not checked */
};

enum forward_state {
	FWD_NONE = 0,		/* no .forward on ForwardPath: local mailbox */
	FWD_IGNORED,		/* .forward(s) found but refused by sendmail's checks: local
				   mailbox (the reasons are warnings S2Q-F002..F008) */
	FWD_READ		/* read: list (may hold no element: local mailbox) */
};

/* an :include: list named in the .forward (or in such a list), read once */
struct forward_inc {
	char *path;		/* as written */
	struct alias_list list;
	unsigned long owner;	/* uid of the list file */
	int missing;		/* 1: sendmail cannot open it at delivery ("Cannot open"),
				   2: it leads outside the sendmail root (s2q cannot tell) */
};

struct forward_file {
	enum forward_state state;
	char *path;		/* the ForwardPath entry read (old host's path), or NULL */
	struct alias_list list;
	struct forward_inc *incs;
	size_t nincs;
	const char *why;	/* FWD_IGNORED: sendmail's words for the last file refused
				   ("Group writable file", ...; static) */
	int bad_shell;		/* the shell is not in /etc/shells: sendmail refuses the
				   program and file targets (S2Q-F011 per target) */
};

void forward_file_init(struct forward_file *f);
void forward_file_free(struct forward_file *f);

/*
 * forward_read - find and read the user's .forward below rootfd (the
 * copied old host, paths never leave it: util/sroot).  Problems go to d
 * (S2Q-F0nn, and S2Q-A0nn from the list reader) at the .forward's old path.
 * Errors (the file leads outside the root, cannot be read by s2q): the
 * caller must refuse.  0, or -1 with errno (ENOMEM).
 */
int forward_read(int rootfd, const struct forward_user *u, const struct forward_opts *o,
		 struct forward_file *f, struct diag_sink *d);

/* forward_inc_find - the include read for path, or NULL */
const struct forward_inc *forward_inc_find(const struct forward_file *f, const char *path);

/*
 * forward_read_shells - the old host's /etc/shells (below rootfd) into out
 * (keys: shell paths).  Without the file sendmail uses its built-in list
 * (/bin/sh, /usr/bin/sh, /bin/csh, /usr/bin/csh, /sbin/sh, /sbin/jsh,
 * /bin/ksh, /bin/rsh, ...); s2q then adds /bin/sh, /bin/csh, /bin/ksh,
 * /bin/bash, /usr/bin/sh, /usr/bin/csh, /usr/bin/ksh, /usr/bin/bash.
 * Lines: '#' comments and blank lines skipped, first word.  0 or -1 errno.
 */
int forward_read_shells(int rootfd, struct hset *out);

#endif
