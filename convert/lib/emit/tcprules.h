/* emit/tcprules - a tcprules(1) source file (OUTROOT/etc/tcp.smtp) for tcpserver */
#ifndef S2Q_EMIT_TCPRULES_H
#define S2Q_EMIT_TCPRULES_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/hset.h"

/*
 * tcprules source syntax (ucspi-tcp): one rule per line, "ADDRESS:ACTION"
 * with ACTION "allow" or "deny" followed by ",VAR=\"value\"" settings; an
 * ADDRESS is an exact IPv4 address "1.2.3.4", a prefix ending in a dot
 * "1.2.3." (tcpserver tries the exact address, then ever shorter dotted
 * prefixes), or empty (the default rule).  Lines starting with '#' are
 * comments.  For one address the FIRST rule in the file wins, so a rule
 * for an address already present is dropped (tcprules_add returns 0).
 *
 * Used for qmail-smtpd: RELAYCLIENT="" lets a client relay (what sendmail's
 * access "Connect:IP RELAY" and class R IP prefixes do), deny refuses the
 * connection.
 */
enum tcprules_act {
	TCPR_ALLOW = 0,		/* accept, no relaying */
	TCPR_RELAY,		/* accept and relay: allow,RELAYCLIENT="" */
	TCPR_DENY		/* refuse the connection */
};

struct tcprules {
	buf text;		/* the rule lines so far (comments included) */
	struct hset seen;	/* address -> action */
	size_t nrules;
};

void tcprules_init(struct tcprules *t);
void tcprules_free(struct tcprules *t);

/*
 * tcprules_ipv4 - normalise a sendmail IPv4 key or class R entry ("192.0.2",
 * "192.0.2.", "10.1.2.3") into a tcprules address (out replaced): an exact
 * address when it has four octets, else a prefix ending in '.'.  1 done,
 * 0 when s is not a dotted IPv4 address or prefix, -1 ENOMEM.
 */
int tcprules_ipv4(const char *s, size_t n, buf *out);

/*
 * tcprules_add - one rule; comment (may be NULL) is written on the line
 * before it as "# comment".  1 added, 0 the address already has a rule,
 * -1 ENOMEM.
 */
int tcprules_add(struct tcprules *t, const char *addr, enum tcprules_act act,
		 const char *comment);

/* tcprules_finish - append the default rule ":allow" (once) */
int tcprules_finish(struct tcprules *t);

#endif
