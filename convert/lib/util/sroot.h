/* sroot - open files of a copied host tree (a SENDMAIL_ROOT) without ever leaving it */
#ifndef S2Q_SROOT_H
#define S2Q_SROOT_H

#include <stddef.h>

#include "buf.h"

/*
 * A path named inside the old host's configuration ("/etc/mail/aliases")
 * is opened below ROOT as if ROOT were "/".  The path is walked one
 * component at a time from the root's descriptor with O_NOFOLLOW:
 *
 *   - ".." that would climb above ROOT is an error (EXDEV), not clamped;
 *   - a symlink is read and followed inside the tree: an absolute target
 *     restarts at ROOT (it names a path on the old host), a relative one
 *     continues from the link's directory; a target that climbs above ROOT
 *     is again EXDEV; more than SROOT_MAXLINKS links give ELOOP;
 *   - a relative path is taken relative to ROOT.
 *
 * Errors: ENOENT, ENOTDIR, EXDEV (escape), ELOOP, EINVAL (empty path, or
 * the final object is not a regular file), ENAMETOOLONG, EACCES, ENOMEM...
 */
#define SROOT_MAXLINKS 40

/*
 * sroot_open - open PATH below rootfd for reading (regular files only,
 * O_NONBLOCK is cleared after the check); the descriptor, or -1 with
 * errno.  If real is not NULL it gets the resolved path inside the tree,
 * "/"-rooted, symlinks replaced ("/etc/aliases" for a link
 * /etc/mail/aliases -> ../aliases), also filled on most failures.
 */
int sroot_open(int rootfd, const char *path, buf *real);

/* sroot_errstr - the words for an errno of sroot_open ("escapes the root" for EXDEV) */
const char *sroot_errstr(int e);

#endif
