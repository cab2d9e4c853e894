/* emit/tcprules - a tcprules(1) source file (OUTROOT/etc/tcp.smtp) for tcpserver */
#include "tcprules.h"

#include <string.h>

void tcprules_init(struct tcprules *t)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->text);
	hset_init(&t->seen);
}

void tcprules_free(struct tcprules *t)
{
	buf_free(&t->text);
	hset_free(&t->seen);
}

int tcprules_ipv4(const char *s, size_t n, buf *out)
{
	size_t i, octets = 0, digits = 0;
	unsigned v = 0;

	buf_reset(out);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > 3)
				return 0;
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return 0;
		} else if (s[i] == '.') {
			if (digits == 0)
				return 0;
			octets++;
			digits = 0;
			v = 0;
		} else {
			return 0;
		}
	}
	if (digits)
		octets++;
	if (octets == 0 || octets > 4 || (octets == 4 && digits == 0))
		return 0;
	if (buf_append(out, s, n) < 0)
		return -1;
	if (octets < 4 && digits && buf_append_c(out, '.') < 0)
		return -1;
	return buf_cstr(out) ? 1 : -1;
}

int tcprules_add(struct tcprules *t, const char *addr, enum tcprules_act act,
		 const char *comment)
{
	unsigned long old;
	int r = hset_put(&t->seen, addr, strlen(addr), (unsigned long)act, &old);

	if (r <= 0)
		return r;
	if (comment && buf_printf(&t->text, "# %s\n", comment) < 0)
		return -1;
	if (buf_printf(&t->text, "%s:%s\n", addr,
		       act == TCPR_RELAY ? "allow,RELAYCLIENT=\"\"" :
		       act == TCPR_DENY ? "deny" : "allow") < 0)
		return -1;
	t->nrules++;
	return 1;
}

int tcprules_finish(struct tcprules *t)
{
	return tcprules_add(t, "", TCPR_ALLOW, "everybody else may connect, but not relay") < 0 ? -1
												: 0;
}
