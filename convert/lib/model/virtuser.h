/* model/virtuser - the virtusertable as plain data, and sendmail's rules for looking it up */
#ifndef S2Q_MODEL_VIRTUSER_H
#define S2Q_MODEL_VIRTUSER_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/hset.h"

/*
 * What sendmail 8.17's m4 rules (proto.m4 1110-1172, ../shared/ref/sendmail.md
 * §3.1) do with the virtusertable, checked with the real sendmail
 * (tests/virtusers/):
 *
 * Eligible domains: an address is looked up only when its domain is in
 * class w or {VirtHost}, or (FEATURE(virtuser_entire_domain)) ends in
 * ".VH" for a {VirtHost} member VH; the keys still name the full domain.
 * Unqualified names are never looked up.
 *
 * For local part L at domain D, user = L up to the first '+' that has at
 * least one character before it (a leading '+' belongs to the user:
 * "++s" is user "+", detail "s"), detail = the rest after that '+'.  The
 * keys, first hit wins (%1 %2 %3 are the map arguments):
 *
 *   1  L@D                                 %1 = L
 *   2  user++@D     L has '+', detail ""   %1 = user, %2 = detail, %3 = +detail
 *   3  user+*@D     L has '+'              (same arguments)
 *   4  user@D       L has '+'
 *   5  ++@D         L has '+', detail ""
 *   6  +*@D         L has '+'
 *   7  @D           always                 with '+': as above; without: %1 = L
 *
 * In a value %1..%9 are the arguments (empty when absent), %0 the key that
 * matched, %% a '%'; any other %x is kept as written.  Keys are compared
 * after ASCII lower-casing (the map folds them) unless the map was built
 * with makemap -f; the arguments keep the address's case.
 */

/* kinds of keys: which of the seven lookups a key can answer */
enum vu_kind {
	VU_NOAT = 0,	/* no '@': never looked up */
	VU_EXACT,	/* L@D: lookup 1 only */
	VU_USER,	/* user@D (no '+' after the first byte): lookup 1 (L = user) and 4 */
	VU_USERPP,	/* user++@D: lookup 2 (and 1, for that literal local part) */
	VU_USERPS,	/* user+*@D: lookup 3 (and 1) */
	VU_PP,		/* ++@D: lookup 5 (and 1) */
	VU_PS,		/* +*@D: lookup 6 (and 1) */
	VU_DOMAIN	/* @D: lookup 7 */
};

/* a key split into its parts (pointers into the key given) */
struct vu_key {
	enum vu_kind kind;
	const char *local;	/* everything before the last '@' */
	size_t llen;
	const char *user;	/* VU_USER*: the user part (for VU_USER the whole local part) */
	size_t ulen;
	const char *domain;	/* after the last '@' ("" for VU_NOAT) */
	size_t dlen;
};

/* vu_key_parse - split and classify a key as stored (already folded) */
void vu_key_parse(const char *key, size_t klen, struct vu_key *k);
/* vu_kind_name - "exact", "user", "user++", "user+*", "++", "+*", "@domain", "no-at" */
const char *vu_kind_name(enum vu_kind k);

/*
 * vu_split - the user/detail split of a local part as the rules make it:
 * 1 and *ulen (user = local[0..ulen), detail = local[ulen+1..]) when it
 * has a '+' after its first byte (outside a quoted string), else 0.
 */
int vu_split(const char *local, size_t llen, size_t *ulen);

/* ---- map arguments and %n ---- */

struct vu_args {
	const char *a[10];	/* %0 (the key) .. %9; NULL = empty */
	size_t n[10];
};

/*
 * vu_expand - append value with %n replaced as sendmail's map_rewrite does
 * (absent arguments are empty, %% is '%', other %x stay).  0 or -1 ENOMEM.
 */
int vu_expand(buf *out, const char *value, size_t vlen, const struct vu_args *a);
/* vu_uses - bit n set when value contains %n (n = 0..9) */
unsigned vu_uses(const char *value, size_t vlen);

/* ---- the lookup ---- */

/*
 * get: look key[0..klen) up in the table: 1 and *val, *vlen when present,
 * 0 absent, -1 error (errno).  The key is built as sendmail builds it and
 * folded to lower case unless nofold.
 */
typedef int (*vu_get_fn)(void *ctx, const char *key, size_t klen, const char **val,
			 size_t *vlen);

struct vu_match {
	int step;		/* 1..7: which lookup hit; 0: no match */
	const char *val;	/* the value found (from get) */
	size_t vlen;
	buf key;		/* the key that matched (%0) */
	buf user, detail, pdetail;	/* %1 %2 %3 as the rules pass them (for step 1: user = L) */
	int nargs;		/* how many of %1..%3 the rule passes (1 or 3) */
};

void vu_match_init(struct vu_match *m);
void vu_match_free(struct vu_match *m);
/* vu_match_args - the arguments of a match, pointing into m */
void vu_match_args(const struct vu_match *m, struct vu_args *a);

/*
 * vu_lookup - the seven lookups for local@domain (domain without a
 * trailing dot); m filled.  1 match, 0 none, -1 error (ENOMEM or get's).
 */
int vu_lookup(vu_get_fn get, void *ctx, int nofold, const char *local, size_t llen,
	      const char *domain, size_t dlen, struct vu_match *m);

/* ---- eligible domains ---- */

enum vu_elig {
	VU_ELIG_NONE = 0,	/* never looked up */
	VU_ELIG_W = 1,		/* in class w (local): no match -> local delivery */
	VU_ELIG_VIRTHOST = 2,	/* in {VirtHost} only: no match -> relayed to the domain */
	VU_ELIG_SUB = 4		/* a subdomain of a {VirtHost} member (virtuser_entire_domain) */
};

/* the domain classes the lookup depends on (lower-cased members) */
struct vu_domains {
	struct hset w;		/* class w */
	struct hset virthost;	/* class {VirtHost} */
	int entire_domain;	/* FEATURE(virtuser_entire_domain) */
	int any;		/* nothing known about the host: every domain counts as {VirtHost} */
};

void vu_domains_init(struct vu_domains *v);
void vu_domains_free(struct vu_domains *v);
/* vu_domains_add - add a member (lower-cased) to class w (w = 1) or {VirtHost}; 0 or -1 ENOMEM */
int vu_domains_add(struct vu_domains *v, int w, const char *dom, size_t len);
/* vu_eligible - VU_ELIG_* bits for domain (any case; no trailing dot) */
unsigned vu_eligible(const struct vu_domains *v, const char *dom, size_t len);

/* ---- values ---- */

/*
 * A value found by a lookup is first matched, as tokens, against the two
 * error rules of proto.m4 (the workspace is "< VALUE > L < @ D . >"):
 *
 *   R< error : $-.$-.$- : $+ > $*   $#error $@ $1.$2.$3 $: $4
 *   R< error : $- $+ > $*           $#error $@ $(dequote $1 $) $: $2
 *
 * ($- is one token, $+ the shortest run up to the next '>', which is the
 * workspace's own '>' when the value has no text: "error:nouser" alone
 * gives the message ">L<@D.").  Anything else is re-parsed as a new
 * address (ruleset Recurse).  Verified with the real sendmail
 * (tests/virtusers/oracle-*.txt): "error:nouser 451 x" and
 * "error:5.1.1:451 x" are temporary (the reply code wins), "error:550 x"
 * has the exit status 550 (permanent), "error:5.1.1" gives status "5"
 * and message ".1.1", "error:nouser:550 x" the message ":550 x".
 *
 * Templates: the value's %0..%9 stay in the texts below as written
 * ("%1"), "%%" stands for a literal '%', and the parts of the workspace
 * that a text may run into are "%L" (the local part) and "%D" (the domain).
 */

#define VU_ODD_NOTEXT	0x01	/* no message: it is the rest of the workspace (">L<@D.") */
#define VU_ODD_COLON	0x02	/* "error:keyword:text": the message starts with ':' */
#define VU_ODD_NUMERIC	0x04	/* the status is a number (an exit code, e.g. 550) */
#define VU_ODD_KEYWORD	0x08	/* an unknown status keyword (sendmail: EX_UNAVAILABLE) */
#define VU_ODD_SHORTDSN	0x10	/* "error:D.S.N" without ":text": status is its first token */
#define VU_ODD_DYNAMIC	0x20	/* the status comes from a %n argument: not convertible */

struct vu_err {
	buf status;	/* sendmail's $@: "5.1.1", "nouser", "550", ... */
	buf text;	/* sendmail's $: as a template, tokens joined as sendmail joins them */
	buf shown;	/* text without a leading reply code and DSN: what sendmail prints */
	buf dsn;	/* the enhanced status code s2q reports ("5.1.1", "4.2.0") */
	int temp;	/* 1: sendmail queues the message and retries (not a bounce) */
	unsigned odd;	/* VU_ODD_* */
};

void vu_err_init(struct vu_err *e);
void vu_err_free(struct vu_err *e);

/*
 * vu_value_error - 1 if value (a template, %n as written) is an error
 * value (e filled), 0 if sendmail re-parses it as an address, -1 ENOMEM.
 */
int vu_value_error(const char *value, size_t vlen, struct vu_err *e);

/* what an address value resolves to when sendmail re-parses it */
enum vu_tkind {
	VT_ADDR = 0,	/* user@domain: re-resolved there (addr: the envelope address) */
	VT_BARE,	/* a local name (no domain): local delivery, aliases apply (addr: the name) */
	VT_NOALIAS,	/* \user: local delivery without aliases (addr: the user) */
	VT_PERCENT,	/* user%host, a local name: sendmail's %-hack makes it user@host */
	VT_UUCP,	/* host!user: a UUCP path (addr as written) */
	VT_BOUNCE	/* sendmail refuses it: status dsn, message text */
};

struct vu_target {
	enum vu_tkind kind;
	buf addr;	/* VT_ADDR: local@domain, RFC 822 quotes and comments removed, no
			   trailing dot on the domain; VT_BARE, VT_NOALIAS: the local name;
			   VT_PERCENT: the address after the %-hack */
	size_t at;	/* VT_ADDR, VT_PERCENT: index of the '@' in addr */
	const char *dsn;	/* VT_BOUNCE: "5.1.3", ... */
	const char *text;	/* VT_BOUNCE: sendmail's words ("Invalid route address") */
};

void vu_target_init(struct vu_target *t);
void vu_target_free(struct vu_target *t);

/*
 * vu_target_template - the same for a value with %n arguments, whose
 * result is only known per address: the light reading is that the value,
 * trimmed and without one pair of <>, is an address if it has an '@'
 * outside quotes (VT_ADDR, at = its last '@'), else a local name
 * (VT_BARE); several addresses (a ',') or an empty value are VT_BOUNCE.
 * addr gets the trimmed template.  0 or -1 ENOMEM.
 */
int vu_target_template(const char *value, size_t vlen, struct vu_target *t);

#endif
