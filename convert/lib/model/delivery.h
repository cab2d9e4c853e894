/* model/delivery - one vocabulary for where mail goes, shared by both route resolvers */
#ifndef S2Q_MODEL_DELIVERY_H
#define S2Q_MODEL_DELIVERY_H

#include <stddef.h>

#include "../util/buf.h"

/*
 * An address resolves to a *set* of deliveries after full expansion
 * (aliases, lists, forwards, virtual domains).  Both the sendmail-side and
 * the qmail-side resolver produce these; s2q-route compares the sets.
 */
enum dlv_kind {
	DLV_MAILBOX = 0,	/* the default local delivery of user (mailbox / Maildir) */
	DLV_PROGRAM,		/* program target run as user */
	DLV_FILE,		/* file target appended to as user */
	DLV_FORWARD,		/* to address target via route (see below) */
	DLV_BOUNCE,		/* permanent failure: status (e.g. "5.1.1") and text */
	DLV_DEFER,		/* temporary failure: status and text */
	DLV_REFUSED,		/* refused at SMTP: text says why (not in rcpthosts, relaying denied) */
	DLV_DISCARD		/* accepted and thrown away: sendmail's discard mailer / access
				   DISCARD; a .qmail file with no delivery lines */
};

struct delivery {
	enum dlv_kind kind;
	char *user;		/* MAILBOX, PROGRAM, FILE: the local account; else NULL */
	char *target;		/* PROGRAM: command; FILE: path; FORWARD: address; else NULL */
	char *route;		/* FORWARD: "mx:DOMAIN" (MX of the domain) or "relay:HOST:PORT"
				   (HOST as written, e.g. "[10.0.0.1]" or "hub.example"); else NULL */
	char *status;		/* BOUNCE, DEFER: "5.1.1" etc., may be NULL */
	char *text;		/* BOUNCE, DEFER, REFUSED: the message, may be NULL */
};

struct dlv_set {
	struct delivery *v;
	size_t n, cap;
};

void dlv_set_init(struct dlv_set *s);
void dlv_set_free(struct dlv_set *s);
/*
 * dlv_add - add a copy of d (strings duplicated; NULL fields stay NULL);
 * an identical delivery already present is not added again.  0 or -1 ENOMEM.
 */
int dlv_add(struct dlv_set *s, const struct delivery *d);
/* dlv_add_at - dlv_add, and *at = the index of d's copy in s (added or already there) */
int dlv_add_at(struct dlv_set *s, const struct delivery *d, size_t *at);
/* dlv_has - s has a delivery identical to d: 1, else 0 */
int dlv_has(const struct dlv_set *s, const struct delivery *d);
/* dlv_add_simple - convenience: kind plus up to three strings in field order */
int dlv_add_simple(struct dlv_set *s, enum dlv_kind kind, const char *user, const char *target,
		   const char *route);
/* dlv_sort - canonical order (by dlv_format text), so equal sets compare equal */
void dlv_sort(struct dlv_set *s);
/* dlv_equal - same deliveries (both sorted) */
int dlv_equal(const struct dlv_set *a, const struct dlv_set *b);
/* dlv_kind_name - "mailbox", "program", "file", "forward", "bounce", "defer", "refused",
   "discard" */
const char *dlv_kind_name(enum dlv_kind k);
/*
 * dlv_format - one line, no newline: "mailbox alice", "program alias |cmd",
 * "file mail /var/x", "forward bob@x.example via mx:x.example",
 * "bounce 5.1.1 User unknown", "defer 4.3.0 text", "refused text"
 */
int dlv_format(buf *out, const struct delivery *d);
/* dlv_format_set - the sorted set joined with " | " */
int dlv_format_set(buf *out, const struct dlv_set *s);
/* dlv_json - one JSON object {"kind":..., "user":..., ...}; dlv_json_set - an array */
int dlv_json(buf *out, const struct delivery *d);
int dlv_json_set(buf *out, const struct dlv_set *s);

#endif
