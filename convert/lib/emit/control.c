/* emit/control - qmail control files (and etc/tcp.smtp) that say what sendmail.cf said */
#include "control.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/aw.h"
#include "../util/cdbw.h"
#include "../util/outtx.h"

#define DEFAULT_RCPTHOSTS_MAX 50

static int lcc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lcc((unsigned char)*a) != lcc((unsigned char)*b))
			return 0;
	return *a == *b;
}

static int spc(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void __attribute__((format(printf, 6, 7)))
report(struct ctl *c, enum diag_sev sev, const char *code, const char *file, unsigned long line,
       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (diag_vadd(c->d, sev, code, file, line, fmt, ap) < 0)
		c->oom = 1;
	va_end(ap);
}

static void list_init(struct ctl_list *l)
{
	buf_init(&l->text);
	hset_init(&l->seen);
	l->n = 0;
}

static void list_free(struct ctl_list *l)
{
	buf_free(&l->text);
	hset_free(&l->seen);
}

/* list_add - append s[0..n) lower-cased unless present: 1 added, 0 present */
static int list_add(struct ctl *c, struct ctl_list *l, const char *s, size_t n)
{
	buf b = BUF_INIT;
	unsigned long old;
	size_t i;
	int r;

	if (buf_ready(&b, n + 1) < 0) {
		c->oom = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		b.s[i] = (char)lcc((unsigned char)s[i]);
	b.len = n;
	r = hset_put(&l->seen, b.s, b.len, 1, &old);
	if (r > 0 && (buf_append(&l->text, b.s, b.len) < 0 || buf_append_c(&l->text, '\n') < 0))
		r = -1;
	buf_free(&b);
	if (r < 0) {
		c->oom = 1;
		return 0;
	}
	if (r > 0)
		l->n++;
	return r;
}

/*
 * domain_ok - a name qmail can list: no blank or control byte, no ':'
 * (the smtproutes/virtualdomains separator), no '/', not starting with '#'
 */
static int domain_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '#')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= ' ' || ch == 0x7f || ch == ':' || ch == '/' || ch == ',')
			return 0;
	}
	return 1;
}

static int ip_literal(const char *s, size_t n)
{
	return n >= 2 && s[0] == '[' && s[n - 1] == ']';
}

int ctl_init(struct ctl *c, const struct host *h, const struct ctl_opts *o,
	     struct diag_sink *d)
{
	const char *qh;

	memset(c, 0, sizeof(*c));
	c->h = h;
	c->d = d;
	if (o)
		c->o = *o;
	if (c->o.rcpthosts_max == 0)
		c->o.rcpthosts_max = DEFAULT_RCPTHOSTS_MAX;
	qh = c->o.qmailhome ? c->o.qmailhome : "/var/qmail";
	while (*qh == '/')
		qh++;
	c->qmailhome = strdup(qh);
	if (c->qmailhome == NULL)
		return -1;
	{
		size_t n = strlen(c->qmailhome);

		while (n > 0 && c->qmailhome[n - 1] == '/')
			c->qmailhome[--n] = '\0';
	}
	list_init(&c->locals);
	list_init(&c->rcpthosts);
	list_init(&c->smtproutes);
	list_init(&c->badmailfrom);
	list_init(&c->percenthack);
	list_init(&c->relaydom);
	list_init(&c->mtlocals);
	list_init(&c->accrelay);
	hset_init(&c->routekeys);
	tcprules_init(&c->tcp);
	if (buf_printf(&c->tcp.text, "# tcprules source for qmail-smtpd (from %s by s2q-cf);\n"
		       "# compile: tcprules tcp.smtp.cdb tcp.smtp.tmp < tcp.smtp\n",
		       h->cf ? h->cf : "sendmail.cf") < 0)
		return -1;
	return 0;
}

void ctl_free(struct ctl *c)
{
	free(c->qmailhome);
	list_free(&c->locals);
	list_free(&c->rcpthosts);
	list_free(&c->smtproutes);
	list_free(&c->badmailfrom);
	list_free(&c->percenthack);
	list_free(&c->relaydom);
	list_free(&c->mtlocals);
	list_free(&c->accrelay);
	hset_free(&c->routekeys);
	tcprules_free(&c->tcp);
	buf_free(&c->me);
	buf_free(&c->defaultdomain);
	buf_free(&c->defaulthost);
	buf_free(&c->plusdomain);
	buf_free(&c->databytes);
	buf_free(&c->rcpt);
	buf_free(&c->morercpt);
	memset(c, 0, sizeof(*c));
}

/* smtp_mailer - 1 if the cf's mailer delivers by SMTP (P=[IPC], A=TCP ...) */
static int smtp_mailer(const struct host *h, const char *name)
{
	const struct host_mailer *m = host_mailer_get(h, name);

	if (m == NULL)
		return -1;
	return m->path && strcmp(m->path, "[IPC]") == 0 && m->argv &&
	       strncmp(m->argv, "TCP", 3) == 0;
}

/* addroute - "key:host" unless key has a route already */
static void addroute(struct ctl *c, const char *key, size_t klen, const char *host, size_t hlen)
{
	buf line = BUF_INIT;
	unsigned long old;
	int r;

	r = hset_put(&c->routekeys, key, klen, 1, &old);
	if (r < 0) {
		c->oom = 1;
		return;
	}
	if (r == 0)
		return;
	if (buf_append(&line, key, klen) < 0 || buf_append_c(&line, ':') < 0 ||
	    buf_append(&line, host, hlen) < 0)
		c->oom = 1;
	else
		list_add(c, &c->smtproutes, line.s, line.len);
	buf_free(&line);
}

int ctl_mailertable(struct ctl *c, const char *key, size_t klen, const char *val, size_t vlen,
		    const char *file, unsigned long line)
{
	const char *colon, *rest, *at, *h;
	size_t mlen, rlen, hl;
	char mailer[64];
	int smtp;

	c->nmailertable++;
	while (vlen > 0 && spc((unsigned char)val[vlen - 1]))
		vlen--;
	colon = memchr(val, ':', vlen);
	if (colon == NULL) {
		report(c, DIAG_WARN, "S2Q-C047", file, line,
		       "mailertable %.*s: value \"%.*s\" has no \"mailer:\" part: sendmail does not "
		       "route by it; not converted", (int)klen, key, (int)vlen, val);
		return c->oom ? -1 : 0;
	}
	mlen = (size_t)(colon - val);
	if (mlen >= sizeof(mailer))
		mlen = sizeof(mailer) - 1;
	memcpy(mailer, val, mlen);
	mailer[mlen] = '\0';
	rest = colon + 1;
	rlen = vlen - (size_t)(rest - val);
	if (ieq(mailer, "error")) {
		report(c, DIAG_WARN, "S2Q-C045", file, line,
		       "mailertable %.*s: \"%.*s\" makes sendmail reject the mail; qmail has no "
		       "rejection by domain (closest: keep the domain out of rcpthosts, which it is "
		       "unless class R or access relays it; local injection would still send it)",
		       (int)klen, key, (int)vlen, val);
		return c->oom ? -1 : 0;
	}
	if (ieq(mailer, "local")) {
		if (klen > 0 && key[0] != '.' && rlen == 0 && domain_ok(key, klen)) {
			list_add(c, &c->mtlocals, key, klen);
			report(c, DIAG_NOTE, "S2Q-C044", file, line,
			       "mailertable %.*s local: -> %.*s added to control/locals", (int)klen,
			       key, (int)klen, key);
		} else {
			report(c, DIAG_WARN, "S2Q-C075", file, line,
			       "mailertable %.*s: \"%.*s\" delivers locally; qmail has no wildcard "
			       "or per-user local route in control files (closest: locals for an "
			       "exact domain, virtualdomains %.*s:USER for local:USER); not converted",
			       (int)klen, key, (int)vlen, val, (int)klen, key);
		}
		return c->oom ? -1 : 0;
	}
	smtp = smtp_mailer(c->h, mailer);
	if (smtp < 0) {
		report(c, DIAG_WARN, "S2Q-C046", file, line,
		       "mailertable %.*s: mailer %s is not defined in the cf (sendmail fails such "
		       "mail); not converted", (int)klen, key, mailer);
		return c->oom ? -1 : 0;
	}
	if (smtp == 0) {
		report(c, DIAG_WARN, "S2Q-C046", file, line,
		       "mailertable %.*s: mailer %s does not deliver by SMTP; qmail-remote only "
		       "speaks SMTP (closest: a virtualdomains entry with a .qmail program); not "
		       "converted", (int)klen, key, mailer);
		return c->oom ? -1 : 0;
	}
	if (memchr(rest, '%', rlen) != NULL) {
		report(c, DIAG_WARN, "S2Q-C042", file, line,
		       "mailertable %.*s: \"%.*s\" builds the host from the address (%%n); "
		       "smtproutes has only fixed hosts; not converted, such mail follows the "
		       "next smtproutes candidate instead", (int)klen, key, (int)vlen, val);
		return c->oom ? -1 : 0;
	}
	at = NULL;
	for (h = rest; h < rest + rlen; h++)
		if (*h == '@')
			at = h;
	if (at) {
		report(c, DIAG_WARN, "S2Q-C043", file, line,
		       "mailertable %.*s: \"%.*s\" also replaces the recipient with %.*s; "
		       "smtproutes only chooses the host, the recipient stays as addressed",
		       (int)klen, key, (int)vlen, val, (int)rlen, rest);
		h = at + 1;
	} else {
		h = rest;
	}
	hl = rlen - (size_t)(h - rest);
	{
		/* "host1:host2" (or "[h1]:[h2]") lists fallback hosts: qmail would read a port */
		const char *mcol = NULL, *q = h;

		if (hl > 0 && h[0] == '[') {
			const char *rb = memchr(h, ']', hl);

			if (rb && rb + 1 < h + hl && rb[1] == ':')
				mcol = rb + 1;
		} else {
			mcol = memchr(q, ':', hl);
		}
		if (mcol) {
			report(c, DIAG_WARN, "S2Q-C043", file, line,
			       "mailertable %.*s: \"%.*s\" lists fallback hosts; smtproutes takes one "
			       "host (the first, %.*s) and ':' would be read as a port", (int)klen,
			       key, (int)vlen, val, (int)(mcol - h), h);
			hl = (size_t)(mcol - h);
		}
	}
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	} else if (hl > 0) {
		report(c, DIAG_WARN, "S2Q-C041", file, line,
		       "mailertable %.*s: sendmail looks up the MX records of %.*s; qmail-remote "
		       "connects to its A record only (write [%.*s] in sendmail to mean the same)",
		       (int)klen, key, (int)hl, h, (int)hl, h);
	}
	while (hl > 1 && h[hl - 1] == '.')
		hl--;
	if (hl == 0 || !domain_ok(h, hl)) {
		report(c, DIAG_WARN, "S2Q-C047", file, line,
		       "mailertable %.*s: no host qmail could use in \"%.*s\"; not converted",
		       (int)klen, key, (int)vlen, val);
		return c->oom ? -1 : 0;
	}
	if (klen == 1 && key[0] == '.') {
		c->default_route = 1;
		addroute(c, "", 0, h, hl);
	} else if (domain_ok(key, klen)) {
		addroute(c, key, klen, h, hl);
	} else {
		report(c, DIAG_WARN, "S2Q-C047", file, line,
		       "mailertable key %.*s cannot be written to smtproutes; not converted",
		       (int)klen, key);
	}
	return c->oom ? -1 : 0;
}

/* access value kinds */
enum aval { AV_OK, AV_RELAY, AV_REJECT, AV_DISCARD, AV_SKIP, AV_ERR5, AV_ERR4, AV_QUAR,
	    AV_OTHER };

static enum aval aclass(const char *v, size_t n)
{
	size_t k = 0;

	while (k < n && !spc((unsigned char)v[k]))
		k++;
	if (k == 2 && strncasecmp(v, "OK", 2) == 0)
		return AV_OK;
	if (k == 5 && strncasecmp(v, "RELAY", 5) == 0)
		return AV_RELAY;
	if (k == 6 && strncasecmp(v, "REJECT", 6) == 0)
		return AV_REJECT;
	if (k == 7 && strncasecmp(v, "DISCARD", 7) == 0)
		return AV_DISCARD;
	if (k == 4 && strncasecmp(v, "SKIP", 4) == 0)
		return AV_SKIP;
	if (n > 11 && strncasecmp(v, "QUARANTINE:", 11) == 0)
		return AV_QUAR;
	if (n >= 6 && strncasecmp(v, "ERROR:", 6) == 0) {
		const char *p = v + 6;

		while (p < v + n && spc((unsigned char)*p))
			p++;
		if (p < v + n && *p == '4')
			return AV_ERR4;
		return AV_ERR5;
	}
	/* any other text is the reply sendmail gives */
	if (n > 0 && v[0] == '4')
		return AV_ERR4;
	return AV_OTHER;
}

static const char *const known_tags[] = {
	"connect", "from", "to", "spam", "greetpause", "clientrate", "clientconn", "tls_clt",
	"tls_srv", "try_tls", "srv_features", "clt_features", "certissuer", "certsubject",
	"tls_rcpt", "mta-sts", "auth", NULL
};

static void access_connect(struct ctl *c, const char *key, size_t klen, const char *val,
			   size_t vlen, enum aval av, int tagged, const char *file,
			   unsigned long line)
{
	buf a = BUF_INIT, cm = BUF_INIT;
	int ip = tcprules_ipv4(key, klen, &a);

	if (ip < 0) {
		c->oom = 1;
		goto out;
	}
	if (ip == 0) {
		if (!tagged)
			goto out;	/* an untagged domain key: handled as From:/To: */
		if (av == AV_SKIP || av == AV_OK)
			goto out;
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access Connect:%.*s %.*s matches the client's host name (or an IPv6 "
		       "address); tcp.smtp gets IPv4 rules only (by name it would need tcpserver "
		       "-h and =name rules); not converted", (int)klen, key, (int)vlen, val);
		goto out;
	}
	if (buf_printf(&cm, "%s:%lu: %sconnect:%.*s %.*s", file, line, tagged ? "" : "(untagged) ",
		       (int)klen, key, (int)vlen, val) < 0 || buf_cstr(&cm) == NULL) {
		c->oom = 1;
		goto out;
	}
	switch (av) {
	case AV_RELAY:
		if (tcprules_add(&c->tcp, a.s, TCPR_RELAY, cm.s) < 0)
			c->oom = 1;
		break;
	case AV_OK:
		if (tcprules_add(&c->tcp, a.s, TCPR_ALLOW, cm.s) < 0)
			c->oom = 1;
		break;
	case AV_REJECT:
		if (tcprules_add(&c->tcp, a.s, TCPR_DENY, cm.s) < 0)
			c->oom = 1;
		break;
	case AV_ERR5:
	case AV_ERR4:
	case AV_OTHER:
		if (tcprules_add(&c->tcp, a.s, TCPR_DENY, cm.s) < 0)
			c->oom = 1;
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access Connect:%.*s %.*s: written as a tcp.smtp deny rule: the client is "
		       "disconnected instead of getting %s reply and its text",
		       (int)klen, key, (int)vlen, val, av == AV_ERR4 ? "this temporary" : "this");
		break;
	case AV_DISCARD:
	case AV_QUAR:
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access Connect:%.*s %.*s: qmail-smtpd cannot discard or quarantine; not "
		       "converted (the client's mail is delivered)", (int)klen, key, (int)vlen, val);
		break;
	case AV_SKIP:
		break;
	}
out:
	buf_free(&a);
	buf_free(&cm);
}

static void access_from(struct ctl *c, const char *key, size_t klen, const char *val,
			size_t vlen, enum aval av, int tagged, const char *file, unsigned long line)
{
	const char *at = memchr(key, '@', klen);
	buf b = BUF_INIT;

	if (av == AV_OK || av == AV_RELAY || av == AV_SKIP)
		return;
	if (av == AV_DISCARD || av == AV_QUAR) {
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access %s%.*s %.*s: qmail-smtpd cannot discard or quarantine by sender; not "
		       "converted (such mail is delivered)", tagged ? "From:" : "", (int)klen, key,
		       (int)vlen, val);
		return;
	}
	if (av == AV_ERR4) {
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access %s%.*s %.*s is a temporary rejection; badmailfrom rejects for good; "
		       "not converted", tagged ? "From:" : "", (int)klen, key, (int)vlen, val);
		return;
	}
	if (at != NULL && at == key + klen - 1) {
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access %s%.*s %.*s rejects a local part at every domain; badmailfrom has "
		       "no such form; not converted", tagged ? "From:" : "", (int)klen, key,
		       (int)vlen, val);
		return;
	}
	if (!domain_ok(key, klen) || (at == NULL && ip_literal(key, klen))) {
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access %s%.*s cannot be written to badmailfrom; not converted",
		       tagged ? "From:" : "", (int)klen, key);
		return;
	}
	if (at == NULL) {
		if (buf_append_c(&b, '@') < 0 || buf_append(&b, key, klen) < 0) {
			c->oom = 1;
			goto out;
		}
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access %s%.*s %.*s -> badmailfrom @%.*s: sendmail also rejected every "
		       "subdomain of %.*s; badmailfrom matches the domain exactly",
		       tagged ? "From:" : "", (int)klen, key, (int)vlen, val, (int)klen, key,
		       (int)klen, key);
	} else if (buf_append(&b, key, klen) < 0) {
		c->oom = 1;
		goto out;
	}
	if (av != AV_REJECT)
		report(c, DIAG_NOTE, "S2Q-C074", file, line,
		       "access %s%.*s %.*s -> badmailfrom: qmail answers with its own 553 text",
		       tagged ? "From:" : "", (int)klen, key, (int)vlen, val);
	list_add(c, &c->badmailfrom, b.s, b.len);
out:
	buf_free(&b);
}

static void access_to(struct ctl *c, const char *key, size_t klen, const char *val,
		      size_t vlen, enum aval av, int tagged, const char *file, unsigned long line)
{
	const char *at = memchr(key, '@', klen);

	if (av == AV_OK || av == AV_SKIP)
		return;
	if (av == AV_RELAY) {
		if (at != NULL) {
			report(c, DIAG_WARN, "S2Q-C054", file, line,
			       "access %s%.*s RELAY names an address; rcpthosts lists domains; not "
			       "converted", tagged ? "To:" : "", (int)klen, key);
			return;
		}
		if (!domain_ok(key, klen) || ip_literal(key, klen)) {
			report(c, DIAG_WARN, "S2Q-C054", file, line,
			       "access %s%.*s RELAY cannot be written to rcpthosts; not converted",
			       tagged ? "To:" : "", (int)klen, key);
			return;
		}
		list_add(c, &c->accrelay, key, klen);
		return;
	}
	if (!tagged)
		return;	/* untagged REJECT etc.: reported as From: */
	report(c, DIAG_WARN, "S2Q-C054", file, line,
	       "access To:%.*s %.*s: %s; qmail-smtpd has no per-recipient rejection (closest: a "
	       ".qmail with |bouncesaying after acceptance); not converted", (int)klen, key,
	       (int)vlen, val,
	       c->h->feature[HF_BLOCKLIST_RECIPIENTS] ?
		       "sendmail rejects it at RCPT (blocklist_recipients)" :
		       "sendmail ignores it without FEATURE(blocklist_recipients)");
}

int ctl_access(struct ctl *c, const char *key, size_t klen, const char *val, size_t vlen,
	       const char *file, unsigned long line)
{
	const char *colon = memchr(key, ':', klen);
	enum aval av;
	char tag[32];
	size_t tl = 0, i;

	c->naccess++;
	while (vlen > 0 && spc((unsigned char)val[vlen - 1]))
		vlen--;
	av = aclass(val, vlen);
	if (colon != NULL && (size_t)(colon - key) < sizeof(tag)) {
		tl = (size_t)(colon - key);
		for (i = 0; i < tl; i++)
			tag[i] = (char)lcc((unsigned char)key[i]);
		tag[tl] = '\0';
		if (strcmp(tag, "ipv6") == 0) {
			tl = 0;	/* an untagged IPv6 key */
		} else {
			for (i = 0; known_tags[i]; i++)
				if (strcmp(known_tags[i], tag) == 0)
					break;
			if (known_tags[i] == NULL) {
				report(c, DIAG_WARN, "S2Q-C054", file, line,
				       "access %.*s: unknown tag %s:; not converted", (int)klen, key,
				       tag);
				return c->oom ? -1 : 0;
			}
		}
	} else {
		colon = NULL;
	}
	if (tl == 0) {
		/* untagged (legacy): tried for Connect, From and To alike */
		if (klen > 5 && strncasecmp(key, "ipv6:", 5) == 0) {
			report(c, DIAG_WARN, "S2Q-C054", file, line,
			       "access %.*s: IPv6 client rules are not written to tcp.smtp; not "
			       "converted", (int)klen, key);
			return c->oom ? -1 : 0;
		}
		{
			buf a = BUF_INIT;
			int ip = tcprules_ipv4(key, klen, &a);

			buf_free(&a);
			if (ip < 0)
				return -1;
			if (ip > 0) {
				access_connect(c, key, klen, val, vlen, av, 0, file, line);
				return c->oom ? -1 : 0;
			}
		}
		access_from(c, key, klen, val, vlen, av, 0, file, line);
		access_to(c, key, klen, val, vlen, av, 0, file, line);
		if (av == AV_RELAY || av == AV_REJECT)
			report(c, DIAG_NOTE, "S2Q-C074", file, line,
			       "access %.*s %.*s (no tag) also applies to clients whose host name is "
			       "%.*s; tcp.smtp is written by address only", (int)klen, key, (int)vlen,
			       val, (int)klen, key);
		return c->oom ? -1 : 0;
	}
	key += tl + 1;
	klen -= tl + 1;
	if (strcmp(tag, "connect") == 0)
		access_connect(c, key, klen, val, vlen, av, 1, file, line);
	else if (strcmp(tag, "from") == 0)
		access_from(c, key, klen, val, vlen, av, 1, file, line);
	else if (strcmp(tag, "to") == 0)
		access_to(c, key, klen, val, vlen, av, 1, file, line);
	else
		report(c, DIAG_WARN, "S2Q-C054", file, line,
		       "access %s:%.*s %.*s: qmail-smtpd has no %s checks; not converted", tag,
		       (int)klen, key, (int)vlen, val, tag);
	return c->oom ? -1 : 0;
}

static void line1(struct ctl *c, buf *b, const char *s)
{
	size_t i;

	buf_reset(b);
	for (i = 0; s[i]; i++)
		if (buf_append_c(b, (char)lcc((unsigned char)s[i])) < 0)
			c->oom = 1;
	if (buf_append_c(b, '\n') < 0)
		c->oom = 1;
}

static int not_local(const struct ctl *c, const char *w)
{
	size_t i;

	for (i = 0; i < c->o.nnot_local; i++)
		if (ieq(c->o.not_local[i], w))
			return 1;
	return 0;
}

int ctl_finish(struct ctl *c)
{
	const struct host *h = c->h;
	const struct host_class *w = host_class_get(h, "w"), *R = host_class_get(h, "R");
	const char *cf = h->cf;
	const char *dom;
	int nullclient = h->feature[HF_NULLCLIENT];
	size_t i;

	/* identity */
	if (h->j == NULL || h->j[0] == '\0') {
		report(c, DIAG_ERROR, "S2Q-C040", cf, 0,
		       "no host name for control/me: give --hostname (the old host's FQDN) or "
		       "define Dj in the cf");
	}
	line1(c, &c->me, h->j ? h->j : "");
	dom = (h->m && h->m[0]) ? h->m : (h->j ? h->j : "");
	line1(c, &c->defaultdomain, dom);
	line1(c, &c->plusdomain, dom);
	if (h->masquerade_as && (nullclient || host_class_has(h, "w", h->masquerade_as,
							       strlen(h->masquerade_as)))) {
		line1(c, &c->defaulthost, h->masquerade_as);
	} else {
		line1(c, &c->defaulthost, h->j ? h->j : "");
		if (h->masquerade_as)
			report(c, DIAG_WARN, "S2Q-C070", cf, 0,
			       "MASQUERADE_AS %s is not a local domain: control/defaulthost stays %s "
			       "(qmail-inject would send unqualified recipients to %s, sendmail kept "
			       "them local); senders of local mail keep $j (set QMAILHOST=%s for "
			       "qmail-inject to masquerade them)",
			       h->masquerade_as, h->j ? h->j : "", h->masquerade_as, h->masquerade_as);
	}
	buf_reset(&c->databytes);
	if (buf_printf(&c->databytes, "%ld\n", h->max_message_size > 0 ? h->max_message_size : 0) <
	    0)
		c->oom = 1;
	for (i = 0; i < h->nmailers; i++)
		if (h->mailers[i].maxsize > 0)
			report(c, DIAG_NOTE, "S2Q-C053", h->mailers[i].file, h->mailers[i].line,
			       "mailer %s has its own size limit M=%ld; qmail has one global "
			       "databytes (%ld)", h->mailers[i].name, h->mailers[i].maxsize,
			       h->max_message_size);

	/* locals: class w, except IP literals and virtual domains */
	if (nullclient) {
		report(c, DIAG_NOTE, "S2Q-C071", cf, 0,
		       "nullclient: control/locals is empty and smtproutes sends everything to "
		       "%s, as sendmail did (no local delivery, no aliases)",
		       h->mail_hub.host ? h->mail_hub.host : "the hub");
	}
	for (i = 0; w && i < w->n; i++) {
		const struct host_word *x = &w->v[i];
		size_t n = strlen(x->word);
		buf a = BUF_INIT;

		if (ip_literal(x->word, n)) {
			if (tcprules_ipv4(x->word + 1, n - 2, &a) > 0) {
				char cm[160];

				snprintf(cm, sizeof(cm), "class w has %.64s: sendmail relays for it",
					 x->word);
				if (tcprules_add(&c->tcp, a.s, TCPR_RELAY, cm) < 0)
					c->oom = 1;
			}
			report(c, DIAG_NOTE, "S2Q-C064", x->file ? x->file : cf, x->line,
			       "class w member %s (an address literal) is not written to locals: "
			       "qmail-smtpd maps box@[its own IP] to control/localiphost", x->word);
			buf_free(&a);
			continue;
		}
		buf_free(&a);
		if (!domain_ok(x->word, n)) {
			report(c, DIAG_WARN, "S2Q-C072", x->file ? x->file : cf, x->line,
			       "class w member \"%s\" cannot be written to a qmail control file; "
			       "skipped", x->word);
			continue;
		}
		if (!nullclient && !not_local(c, x->word))
			list_add(c, &c->locals, x->word, n);
		list_add(c, &c->rcpthosts, x->word, n);
	}
	if (!h->feature[HF_NOPERCENTHACK] && c->locals.n && !c->o.percenthack) {
		report(c, DIAG_WARN, "S2Q-C076", cf, 0,
		       "sendmail routes user%%host@local-domain (class O has %%) for its own "
		       "users but refuses it from outside (Relaying denied); qmail's "
		       "control/percenthack would apply to mail from anyone and make this host "
		       "an open relay: not written, such addresses now go to the local name "
		       "user%%host (--percenthack writes it anyway)");
	} else if (!h->feature[HF_NOPERCENTHACK]) {
		if (buf_append(&c->percenthack.text, c->locals.text.s, c->locals.text.len) < 0)
			c->oom = 1;
		c->percenthack.n = c->locals.n;
		if (c->locals.n) {
			report(c, DIAG_NOTE, "S2Q-C062", cf, 0,
			       "sendmail routes user%%host@local-domain (class O has %%): "
			       "control/percenthack lists the %zu local domains", c->locals.n);
			report(c, DIAG_WARN, "S2Q-C077", cf, 0,
			       "control/percenthack (asked for with --percenthack) lets anyone "
			       "relay through this host with user%%remote@local-domain: "
			       "qmail-smtpd checks rcpthosts before qmail-send applies the %% hack");
		}
	}
	{
		/* mailertable "dom local:" entries: local too, but the sendmail %-hack is class w only */
		const char *p = c->mtlocals.text.s, *e = p ? p + c->mtlocals.text.len : p;

		while (p && p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));

			if (!nullclient)
				list_add(c, &c->locals, p, (size_t)(nl - p));
			p = nl + 1;
		}
	}
	if (h->local_mailer && strcmp(h->local_mailer, "local") != 0) {
		const struct host_mailer *lm = host_mailer_get(h, h->local_mailer);

		report(c, DIAG_WARN, "S2Q-C079", lm ? lm->file : cf, lm ? lm->line : 0,
		       "local names go to the mailer %s (confLOCAL_MAILER): sendmail handed it every "
		       "local name (no passwd check%s) and read no .forward; qmail delivers to the "
		       "logins' home directories and bounces other names: deliver to %s from "
		       "~alias/.qmail-default and the users' .qmail files by hand", h->local_mailer,
		       lm && lm->flags && strchr(lm->flags, '5') ? "" : ", no +detail split",
		       h->local_mailer);
	}
	if (!h->feature[HF_NOUUCP])
		report(c, DIAG_WARN, "S2Q-C059", cf, 0,
		       "sendmail routes UUCP paths (host!user, class O has !); qmail delivers "
		       "host!user as a local name (add FEATURE(nouucp) semantics by hand if needed)");

	/* relaying: class R, $m, access To: */
	for (i = 0; R && i < R->n; i++) {
		const struct host_word *x = &R->v[i];
		size_t n = strlen(x->word);
		buf a = BUF_INIT;
		int ip = tcprules_ipv4(x->word, n, &a);

		if (ip > 0) {
			char cm[160];

			snprintf(cm, sizeof(cm), "class R has %.64s: clients there may relay",
				 x->word);
			if (tcprules_add(&c->tcp, a.s, TCPR_RELAY, cm) < 0)
				c->oom = 1;
		} else if (ip < 0) {
			c->oom = 1;
		}
		buf_free(&a);
		if (ip > 0)
			continue;
		if (ip_literal(x->word, n) || !domain_ok(x->word, n)) {
			report(c, DIAG_WARN, "S2Q-C072", x->file ? x->file : cf, x->line,
			       "class R member \"%s\" cannot be written to a qmail control file; "
			       "skipped", x->word);
			continue;
		}
		list_add(c, &c->relaydom, x->word, n);
	}
	if (h->feature[HF_RELAY_ENTIRE_DOMAIN] && h->m && h->m[0])
		list_add(c, &c->relaydom, h->m, strlen(h->m));
	{
		const char *p = c->accrelay.text.s, *e = p ? p + c->accrelay.text.len : p;

		while (p && p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));

			list_add(c, &c->relaydom, p, (size_t)(nl - p));
			p = nl + 1;
		}
	}
	{
		const char *p = c->relaydom.text.s, *e = p ? p + c->relaydom.text.len : p;
		int only = h->feature[HF_RELAY_HOSTS_ONLY];

		while (p && p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			buf dot = BUF_INIT;

			list_add(c, &c->rcpthosts, p, (size_t)(nl - p));
			if (!only) {
				if (buf_append_c(&dot, '.') < 0 ||
				    buf_append(&dot, p, (size_t)(nl - p)) < 0)
					c->oom = 1;
				else
					list_add(c, &c->rcpthosts, dot.s, dot.len);
			}
			buf_free(&dot);
			p = nl + 1;
		}
		if (c->relaydom.n && !only)
			report(c, DIAG_NOTE, "S2Q-C055", cf, 0,
			       "sendmail relays to class R and access To: RELAY domains and all "
			       "their subdomains: rcpthosts lists each as \"dom\" and \".dom\"");
	}
	report(c, DIAG_NOTE, "S2Q-C055", cf, 0,
	       "sendmail also lets clients relay whose host name (reverse DNS) is in class w or "
	       "R; tcp.smtp is written by address only");
	if (tcprules_add(&c->tcp, "127.0.0.1", TCPR_RELAY,
			 "sendmail lets mail from 127.0.0.1 relay (\"originated locally\")") < 0)
		c->oom = 1;
	if (tcprules_finish(&c->tcp) < 0)
		c->oom = 1;
	if (h->feature[HF_PROMISCUOUS_RELAY])
		report(c, DIAG_WARN, "S2Q-C057", cf, 0,
		       "sendmail relays for anybody here (promiscuous_relay, or no check_rcpt "
		       "ruleset); s2q never writes an open relay: rcpthosts lists the local and "
		       "relay domains only");
	{
		static const enum host_feature rf[] = { HF_RELAY_BASED_ON_MX, HF_RELAY_LOCAL_FROM,
							HF_RELAY_MAIL_FROM, HF_LOOSE_RELAY_CHECK };

		for (i = 0; i < sizeof(rf) / sizeof(rf[0]); i++)
			if (h->feature[rf[i]])
				report(c, DIAG_WARN, "S2Q-C056", cf, 0,
				       "FEATURE(%s) lets sendmail relay in cases qmail-smtpd cannot "
				       "tell (closest: list those domains in rcpthosts or the clients "
				       "in tcp.smtp by hand)", host_feature_name(rf[i]));
	}

	/* rcpthosts / morercpthosts */
	buf_reset(&c->rcpt);
	buf_reset(&c->morercpt);
	c->nmore = 0;
	{
		const char *p = c->rcpthosts.text.s, *e = p ? p + c->rcpthosts.text.len : p;
		size_t k = 0;

		if (buf_printf(&c->rcpt, "# domains qmail-smtpd accepts mail for (from %s by "
			       "s2q-cf)\n", cf) < 0)
			c->oom = 1;
		while (p && p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));

			if (k < c->o.rcpthosts_max) {
				if (buf_append(&c->rcpt, p, (size_t)(nl + 1 - p)) < 0)
					c->oom = 1;
			} else {
				if (buf_append(&c->morercpt, p, (size_t)(nl + 1 - p)) < 0)
					c->oom = 1;
				c->nmore++;
			}
			k++;
			p = nl + 1;
		}
	}
	if (c->rcpthosts.n == 0)
		report(c, DIAG_WARN, "S2Q-C063", cf, 0,
		       "control/rcpthosts is empty: qmail-smtpd accepts mail from remote clients "
		       "for no domain (it is written anyway: without it qmail would be an open "
		       "relay)");
	if (c->nmore)
		report(c, DIAG_NOTE, "S2Q-C058", cf, 0,
		       "%zu domains: the first %zu are in control/rcpthosts, the other %zu in "
		       "control/morercpthosts and morercpthosts.cdb", c->rcpthosts.n,
		       c->o.rcpthosts_max, c->nmore);

	/* routes: the mailertable came first; then the hub (nullclient) or smart host */
	{
		const struct host_route *r = nullclient ? &h->mail_hub : &h->smart_host;

		if (r->raw != NULL) {
			int smtp = r->mailer ? smtp_mailer(h, r->mailer) : -1;

			if (c->default_route) {
				report(c, DIAG_NOTE, "S2Q-C048", r->file, r->line,
				       "the mailertable's \".\" entry overrides %s %s in sendmail too: "
				       "smtproutes gets only the mailertable default",
				       nullclient ? "the hub" : "SMART_HOST", r->raw);
			} else if (r->mailer && (ieq(r->mailer, "local") || ieq(r->mailer, "error"))) {
				report(c, DIAG_WARN, "S2Q-C049", r->file, r->line,
				       "SMART_HOST %s is not a host; qmail has no equivalent; no default "
				       "route written", r->raw);
			} else if (smtp != 1) {
				report(c, DIAG_WARN, "S2Q-C046", r->file, r->line,
				       "SMART_HOST %s: mailer %s %s; no default route written", r->raw,
				       r->mailer ? r->mailer : "?",
				       smtp < 0 ? "is not defined in the cf" :
						  "does not deliver by SMTP");
			} else if (r->host == NULL || !domain_ok(r->host, strlen(r->host))) {
				report(c, DIAG_WARN, "S2Q-C047", r->file, r->line,
				       "SMART_HOST %s: no host qmail could use; no default route "
				       "written", r->raw);
			} else if (!nullclient && host_class_has(h, "w", r->host, strlen(r->host))) {
				report(c, DIAG_NOTE, "S2Q-C048", r->file, r->line,
				       "SMART_HOST %s is this host (class w): sendmail delivers "
				       "normally; no default route written", r->raw);
			} else {
				if (!r->bracket)
					report(c, DIAG_WARN, "S2Q-C041", r->file, r->line,
					       "%s %s: sendmail looks up the MX records of %s; "
					       "qmail-remote connects to its A record only",
					       nullclient ? "the hub" : "SMART_HOST", r->raw, r->host);
				addroute(c, "", 0, r->host, strlen(r->host));
			}
		}
		if (!nullclient && h->mail_hub.raw)
			report(c, DIAG_WARN, "S2Q-C049", h->mail_hub.file, h->mail_hub.line,
			       "MAIL_HUB %s: sendmail sends local names to the hub after aliasing; "
			       "qmail has no such step (closest: route the domain with smtproutes "
			       "and take it out of locals); not converted", h->mail_hub.raw);
		if (h->local_relay.raw)
			report(c, DIAG_WARN, "S2Q-C049", h->local_relay.file, h->local_relay.line,
			       "LOCAL_RELAY %s: no qmail equivalent for relaying unqualified names; "
			       "not converted", h->local_relay.raw);
	}
	if (h->luser_relay.raw)
		report(c, DIAG_NOTE, "S2Q-C050", h->luser_relay.file, h->luser_relay.line,
		       "LUSER_RELAY %s is not a control file: s2q-aliases --luser-relay carries it "
		       "over (~alias/.qmail-default; s2q-migrate passes it)", h->luser_relay.raw);
	/* stickyhost: user@<local domain> reaches the local mailer as "@user", past
	   ruleset 5: the relays take bare names and user+detail@<local domain> only */
	if (h->feature[HF_STICKYHOST] && h->luser_relay.raw)
		report(c, DIAG_WARN, "S2Q-C080", h->luser_relay.file, h->luser_relay.line,
		       "LUSER_RELAY %s with FEATURE(stickyhost): sendmail relayed unknown bare "
		       "names and user+detail@<local domain>, but bounced an unknown "
		       "user@<local domain> as User unknown; qmail cannot tell them apart: the "
		       "converted catch-all relays every unknown name", h->luser_relay.raw);
	/* preserve_local_plus_detail: the user map is asked about the name before
	   the +detail, the local mailer about the whole name */
	if (h->feature[HF_PRESERVE_LOCAL_PLUS_DETAIL] && h->luser_relay.raw)
		report(c, DIAG_WARN, "S2Q-C081", h->luser_relay.file, h->luser_relay.line,
		       "LUSER_RELAY %s with FEATURE(preserve_local_plus_detail): sendmail "
		       "relayed user+detail only when user was not a login, and bounced a "
		       "login's user+detail as User unknown; qmail cannot tell them apart: "
		       "the converted catch-all relays every unknown name", h->luser_relay.raw);
	if (h->feature[HF_STICKYHOST] && h->local_relay.raw)
		report(c, DIAG_WARN, "S2Q-C080", h->local_relay.file, h->local_relay.line,
		       "LOCAL_RELAY %s with FEATURE(stickyhost): sendmail relayed bare names and "
		       "user+detail@<local domain> only; user@<local domain> stayed local",
		       h->local_relay.raw);
	if (!nullclient && (h->feature[HF_GENERICSTABLE] || h->masquerade_as))
		report(c, DIAG_WARN, "S2Q-C051", cf, 0,
		       "sendmail rewrites sender/header addresses (%s%s%s); qmail never rewrites "
		       "relayed mail (closest: control/defaulthost for locally injected mail, or "
		       "QMAILHOST/QMAILUSER for qmail-inject)",
		       h->feature[HF_GENERICSTABLE] ? "genericstable" : "",
		       h->feature[HF_GENERICSTABLE] && h->masquerade_as ? ", " : "",
		       h->masquerade_as ? "MASQUERADE_AS" : "");
	if (h->feature[HF_DOMAINTABLE])
		report(c, DIAG_WARN, "S2Q-C052", cf, 0,
		       "domaintable renames domains before routing; qmail has no equivalent "
		       "(closest: list the old names in locals or virtualdomains too)");
	if (h->feature[HF_VIRTUSERTABLE])
		report(c, DIAG_NOTE, "S2Q-C069", cf, 0,
		       "virtusertable: convert it with s2q-virtusers (virtualdomains, users/assign, "
		       ".qmail files)");
	return c->oom ? -1 : 0;
}

static int listfile(struct ctl *c, struct outtx *t, buf *path, const char *name,
		    const char *comment, const struct ctl_list *l)
{
	buf body = BUF_INIT;
	int r;

	buf_reset(path);
	if (buf_printf(path, "%s/control/%s", c->qmailhome, name) < 0 || buf_cstr(path) == NULL ||
	    buf_printf(&body, "# %s (from %s by s2q-cf)\n", comment, c->h->cf) < 0 ||
	    (l->text.len && buf_append(&body, l->text.s, l->text.len) < 0)) {
		buf_free(&body);
		errno = ENOMEM;
		return -1;
	}
	r = outtx_file(t, path->s, 0644, body.s, body.len);
	buf_free(&body);
	return r;
}

static int onefile(struct ctl *c, struct outtx *t, buf *path, const char *name, const buf *b)
{
	buf_reset(path);
	if (buf_printf(path, "%s/control/%s", c->qmailhome, name) < 0 || buf_cstr(path) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return outtx_file(t, path->s, 0644, b->s, b->len);
}

int ctl_write(struct ctl *c, int outrootfd, int reusefd, char *failed)
{
	struct outtx t;
	buf path = BUF_INIT;
	int e;

	if (failed)
		failed[0] = '\0';
	if (outtx_begin(&t, outrootfd) < 0)
		return -1;
	if (reusefd >= 0)
		outtx_reuse(&t, reusefd);
	if (onefile(c, &t, &path, "me", &c->me) < 0 ||
	    onefile(c, &t, &path, "defaultdomain", &c->defaultdomain) < 0 ||
	    onefile(c, &t, &path, "defaulthost", &c->defaulthost) < 0 ||
	    onefile(c, &t, &path, "plusdomain", &c->plusdomain) < 0 ||
	    onefile(c, &t, &path, "databytes", &c->databytes) < 0 ||
	    listfile(c, &t, &path, "locals", "domains delivered on this host", &c->locals) < 0 ||
	    onefile(c, &t, &path, "rcpthosts", &c->rcpt) < 0 ||
	    listfile(c, &t, &path, "smtproutes", "routes for remote domains",
		     &c->smtproutes) < 0 ||
	    listfile(c, &t, &path, "badmailfrom", "rejected envelope senders",
		     &c->badmailfrom) < 0 ||
	    listfile(c, &t, &path, "percenthack", "domains where user%host@domain is routed",
		     &c->percenthack) < 0)
		goto fail;
	if (c->nmore) {
		struct cdbw cw;
		char stage[16];
		const char *p = c->morercpt.s, *e2 = p + c->morercpt.len;

		if (onefile(c, &t, &path, "morercpthosts", &c->morercpt) < 0)
			goto fail;
		buf_reset(&path);
		if (buf_printf(&path, "%s/control/morercpthosts.cdb", c->qmailhome) < 0 ||
		    buf_cstr(&path) == NULL) {
			errno = ENOMEM;
			goto fail;
		}
		if (outtx_add(&t, path.s, stage) < 0 || cdbw_open(&cw, t.stagefd, stage, 0644, 0) < 0)
			goto fail;
		if (cdbw_reuse(&cw, t.reffd, path.s) < 0) {
			cdbw_abort(&cw);
			goto fail;
		}
		/* qmail-newmrh: key = the line lower-cased (already), data empty, file order */
		while (p < e2) {
			const char *nl = memchr(p, '\n', (size_t)(e2 - p));

			if (cdbw_add(&cw, p, (size_t)(nl - p), "", 0) < 0) {
				cdbw_abort(&cw);
				goto fail;
			}
			p = nl + 1;
		}
		if (cdbw_commit(&cw) < 0)
			goto fail;
	}
	if (outtx_file(&t, "etc/tcp.smtp", 0644, c->tcp.text.s, c->tcp.text.len) < 0)
		goto fail;
	buf_free(&path);
	if (outtx_commit(&t) < 0) {
		e = errno;
		if (failed)
			snprintf(failed, 256, "%s", t.failed);
		errno = e;
		return -1;
	}
	return 0;
fail:
	e = errno;
	if (failed && path.s)
		snprintf(failed, 256, "%s", path.s);
	outtx_abort(&t);
	buf_free(&path);
	errno = e;
	return -1;
}
