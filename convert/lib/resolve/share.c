/* resolve/share - both resolvers' answers for one address, reusing earlier answers where they provably apply */
#include "share.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void half_init(struct share_half *h)
{
	memset(h, 0, sizeof(*h));
	dlv_set_init(&h->set);
	smres_used_init(&h->used);
}

static void half_drop(struct share_half *h)
{
	h->valid = 0;
	dlv_set_free(&h->set);
	smres_used_free(&h->used);
}

static void half_free(struct share_half *h)
{
	half_drop(h);
	buf_free(&h->local);
	buf_free(&h->addr);
}

void share_init(struct share *s, int on)
{
	memset(s, 0, sizeof(*s));
	s->on = on;
	half_init(&s->sm);
	half_init(&s->qplain);
	half_init(&s->qinj);
	qres_nested_init(&s->qnest);
	dlv_set_init(&s->sm_own);
	dlv_set_init(&s->qm_own);
	smres_used_init(&s->used_own);
}

void share_free(struct share *s)
{
	half_free(&s->sm);
	half_free(&s->qplain);
	half_free(&s->qinj);
	qres_nested_free(&s->qnest);
	dlv_set_free(&s->sm_own);
	dlv_set_free(&s->qm_own);
	smres_used_free(&s->used_own);
	buf_free(&s->host);
}

/* does any field of set mention d (ASCII case-insensitive)? */
static int mentions1(const char *f, const char *d, size_t dn)
{
	size_t n, i;

	if (f == NULL)
		return 0;
	n = strlen(f);
	for (i = 0; i + dn <= n; i++)
		if (strncasecmp(f + i, d, dn) == 0)
			return 1;
	return 0;
}

static int mentions(const struct dlv_set *s, const char *d, size_t dn)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (mentions1(s->v[i].user, d, dn) || mentions1(s->v[i].target, d, dn) ||
		    mentions1(s->v[i].route, d, dn) || mentions1(s->v[i].status, d, dn) ||
		    mentions1(s->v[i].text, d, dn))
			return 1;
	return 0;
}

static int copy_set(struct dlv_set *dst, const struct dlv_set *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (dlv_add(dst, &src->v[i]) < 0)
			return -1;
	return 0;
}

static int copy_used(struct smres_used *dst, const struct smres_used *src)
{
	smres_used_free(dst);
	dst->loop_user = src->loop_user;
	dst->deep_hidden = src->deep_hidden;
	if (src->n == 0)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (dst->v == NULL)
		return -1;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

/* the half keeps (a copy of) set and used as the answer for local part l */
static int keep(struct share_half *h, const char *l, size_t ln, const struct dlv_set *set,
		const struct smres_used *used)
{
	half_drop(h);
	buf_reset(&h->local);
	if (buf_append(&h->local, l, ln) < 0 || buf_cstr(&h->local) == NULL ||
	    copy_set(&h->set, set) < 0 || (used && copy_used(&h->used, used) < 0)) {
		half_drop(h);
		return -1;
	}
	h->valid = 1;
	return 0;
}

static int same_local(const struct share_half *h, const char *l, size_t ln)
{
	return h->valid && h->local.len == ln && memcmp(h->local.s, l, ln) == 0;
}

/*
 * a local part that may share answers: printable ASCII without the characters
 * either side gives a meaning (% ! @ quotes, backslash, blanks, <> () [] , ; :)
 */
static int clean(const char *l, size_t ln)
{
	size_t i;

	if (ln == 0)
		return 0;
	for (i = 0; i < ln; i++)
		if ((unsigned char)l[i] <= ' ' || (unsigned char)l[i] >= 0x7f ||
		    strchr("%!@\"\\<>()[],;:", l[i]))
			return 0;
	return 1;
}

/*
 * qmail's answer for address by SMTP is set once qmail-smtpd's rcpthosts takes
 * it, else the refusal: a->qm points to the one that holds.  1, or -1 ENOMEM.
 */
static int after_rcpthosts(struct share *s, struct qres *q, const char *address,
			   const struct dlv_set *set, struct share_answer *a)
{
	struct dlv_set rs;

	dlv_set_init(&rs);
	if (qres_resolve(q, address, QRES_VIA_RCPT, &rs, NULL) < 0) {
		dlv_set_free(&rs);
		return -1;
	}
	if (rs.n == 0) {
		a->qm = set;
		dlv_set_free(&rs);
	} else {
		s->qm_own = rs;
	}
	return 1;
}

int share_resolve(struct share *s, struct smres *sr, struct qres *q, const char *address,
		  int smtp, buf *st, buf *qt, struct share_answer *a)
{
	const char *at = strrchr(address, '@'), *dom = NULL;
	size_t ln = strlen(address), dn = 0;
	int on = s->on && st == NULL && qt == NULL, k, qp = -1, hostdep = 0;
	struct dlv_set rs;
	struct smres_used ru;

	dlv_set_free(&s->sm_own);
	dlv_set_free(&s->qm_own);
	smres_used_free(&s->used_own);
	a->sm = &s->sm_own;
	a->qm = &s->qm_own;
	a->used = &s->used_own;
	if (smtp && at && at != address && at[1]) {
		dom = at + 1;
		dn = strlen(dom);
		ln = (size_t)(at - address);
	}
	if (!clean(address, ln) || (smtp && dom == NULL) || (!smtp && at))
		on = 0;

	/* sendmail */
	k = 0;
	if (on && smtp && same_local(&s->sm, address, ln)) {
		k = smres_addr_plain(sr, address, ln, dom, dn);
		if (k < 0)
			return -1;
	}
	if (k == 1) {
		dlv_set_init(&rs);
		smres_used_init(&ru);
		if (smres_resolve(sr, address, SMRES_VIA_RCPT, &rs, &ru, NULL) < 0) {
			dlv_set_free(&rs);
			smres_used_free(&ru);
			return -1;
		}
		if (rs.n == 0 && ru.n == 0) {
			a->sm = &s->sm.set;	/* taken: the routing of the local part */
			a->used = &s->sm.used;
			dlv_set_free(&rs);
			smres_used_free(&ru);
		} else if (rs.n) {
			s->sm_own = rs;		/* refused: that is the whole answer */
			s->used_own = ru;
		} else {
			dlv_set_free(&rs);
			smres_used_free(&ru);
			k = 0;
		}
	}
	if (k != 1 && smres_resolve(sr, address, smtp ? SMRES_VIA_SMTP : SMRES_VIA_LOCAL,
				    &s->sm_own, &s->used_own, st) < 0)
		return -1;

	/* qmail */
	k = 0;
	if (on && smtp && same_local(&s->qinj, address, ln) &&
	    strcmp(s->qinj.addr.s, address) == 0)
		k = after_rcpthosts(s, q, address, &s->qinj.set, a);
	else if (on && smtp && s->qnest.valid && strcmp(s->qnest.addr.s, address) == 0)
		k = after_rcpthosts(s, q, address, &s->qnest.set, a);
	if (k < 0)
		return -1;
	if (k == 0 && on && smtp && same_local(&s->qplain, address, ln)) {
		qp = qres_domain_plain(q, dom, dn);
		if (qp < 0)
			return -1;
		if (qp == 1) {
			a->qm = &s->qplain.set;
			k = 1;
		}
	}
	if (k == 0 && qres_resolve_nested(q, address, smtp ? QRES_VIA_SMTP : QRES_VIA_INJECT,
					  &s->qm_own, qt, &hostdep,
					  on && !smtp ? &s->qnest : NULL) < 0)
		return -1;
	if (!on)
		return 0;

	/* keep what later addresses may take */
	if (!smtp) {
		/* the unqualified name: sendmail's routing of it; what qmail-inject made of it */
		if (keep(&s->sm, address, ln, &s->sm_own, &s->used_own) < 0 ||
		    keep(&s->qinj, address, ln, &s->qm_own, NULL) < 0 ||
		    qres_inject_host(q, &s->host) < 0)
			return -1;
		buf_reset(&s->qinj.addr);
		if (buf_append(&s->qinj.addr, address, ln) < 0 ||
		    buf_append_c(&s->qinj.addr, '@') < 0 ||
		    buf_append(&s->qinj.addr, s->host.s, s->host.len) < 0 ||
		    buf_cstr(&s->qinj.addr) == NULL)
			return -1;
		half_drop(&s->qplain);
		if (s->host.len) {
			qp = qres_domain_plain(q, s->host.s, s->host.len);
			if (qp < 0)
				return -1;
			if (qp == 1 && !hostdep && !mentions(&s->qm_own, s->host.s, s->host.len) &&
			    keep(&s->qplain, address, ln, &s->qm_own, NULL) < 0)
				return -1;
		}
	} else if ((a->qm == &s->qm_own || a->qm == &s->qnest.set) &&
		   !same_local(&s->qplain, address, ln)) {
		/* a plain domain's answer, for the next plain domains (the re-injection's
		   met no $HOST, loop or limit) */
		if (qp < 0)
			qp = qres_domain_plain(q, dom, dn);
		if (qp < 0)
			return -1;
		if (qp == 1 && !hostdep && !mentions(a->qm, dom, dn) &&
		    keep(&s->qplain, address, ln, a->qm, NULL) < 0)
			return -1;
	}
	return 0;
}
