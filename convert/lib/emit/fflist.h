/* emit/fflist - :include: lists as fastforward's binary mailing lists (setmaillist's .bin) */
#ifndef S2Q_EMIT_FFLIST_H
#define S2Q_EMIT_FFLIST_H

#include <stddef.h>

#include "../util/buf.h"

/*
 * A .bin list (../shared/ref/qmail.md §5.2) is a sequence of NUL-terminated
 * instructions: "&address" or a nested list "/path.bin" ("./path.bin").
 * fastforward opens it at the path named in aliases.cdb (newaliases writes
 * ":include:/x" as "/x.bin") and ignores programs in it; it defers the
 * delivery unless the file is readable by all (mode & 0444), so it is
 * written 0644, as setmaillist does under umask 033.
 */

/*
 * fflist_relpath - where the list compiled from the :include: path goes
 * under an output root: path without its leading '/', plus ".bin".
 * -1 EINVAL unless path is absolute and safe (aw_relpath_ok: no "..",
 * ".", empty components, NUL, trailing '/').
 */
int fflist_relpath(buf *out, const char *path, size_t len);
/* fflist_ref - append the aliases.cdb instruction "/path.bin\0"; EINVAL as above */
int fflist_ref(buf *data, const char *path, size_t len);
/* fflist_write - write the list data (from ffcdb_ins with '&' and '/') at rel; 0 or -1 errno */
int fflist_write(int rootfd, const char *rel, const char *data, size_t len, unsigned flags);

#endif
