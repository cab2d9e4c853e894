/* emit/fflist - :include: lists as fastforward's binary mailing lists (setmaillist's .bin) */
#include "fflist.h"

#include <errno.h>
#include <string.h>

#include "../util/aw.h"
#include "ffcdb.h"

int fflist_relpath(buf *out, const char *path, size_t len)
{
	buf_reset(out);
	if (len < 2 || path[0] != '/' || memchr(path, '\0', len) != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (buf_append(out, path + 1, len - 1) < 0 || buf_append_s(out, ".bin") < 0 ||
	    buf_cstr(out) == NULL)
		return -1;
	if (!aw_relpath_ok(out->s)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int fflist_ref(buf *data, const char *path, size_t len)
{
	buf rel = BUF_INIT;
	int r = fflist_relpath(&rel, path, len);

	if (r == 0)
		r = ffcdb_ins(data, '/', rel.s, rel.len);
	buf_free(&rel);
	return r;
}

int fflist_write(int rootfd, const char *rel, const char *data, size_t len, unsigned flags)
{
	/* an empty list is valid: fastforward reads no instruction from it */
	if (len > 0 && ffcdb_check_data(data, len, "&/.") < 0)
		return -1;
	return aw_file(rootfd, rel, 0644, flags, data, len);
}
