/* util/shword - one word for /bin/sh */
#include <string.h>

#include "shword.h"

int sh_word(buf *out, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("/._+-=,:@%", *p)))
			break;
	if (*s && !*p)
		return buf_append_s(out, s);
	if (buf_append_c(out, '\'') < 0)
		return -1;
	for (p = s; *p; p++)
		if (*p == '\'' ? buf_append_s(out, "'\\''") < 0 : buf_append_c(out, *p) < 0)
			return -1;
	return buf_append_c(out, '\'');
}
