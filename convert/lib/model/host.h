/* model/host - what sendmail.cf and the files it names say about the host, as plain data */
#ifndef S2Q_MODEL_HOST_H
#define S2Q_MODEL_HOST_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/hset.h"

/*
 * The host model is filled by parse/sendmailcf (cf_load) and read by
 * s2q-cf (control files), s2q-aliases (alias files, class w, BlankSub),
 * s2q-virtusers (class w, {VirtHost}, the virtuser map, the FEATUREs) and
 * the sendmail-side resolver of s2q-route (everything here).  Nobody else
 * reads sendmail.cf.  All strings are NUL-terminated and owned by the
 * model; host_free releases everything.
 *
 * Where a value comes from is kept as (file, line): file is the display
 * name of the cf ("/etc/mail/sendmail.cf", the path inside the sendmail
 * root) or the path of a class file inside the root; NULL and 0 for
 * implicit values (the host name given on the command line, defaults).
 *
 * Names and case (../shared/ref/sendmail.md §1.2): macro and class names
 * are case-sensitive and stored without braces ("j", "VirtHost"); class
 * members, map names and mailer names are compared case-insensitively
 * (ASCII), members keep the spelling of their first appearance.
 */

/* ---- classes ---- */

enum host_src {
	HOST_SRC_CF = 0,	/* a C or T line of the cf (file, line = that line) */
	HOST_SRC_FILE,		/* an F class file (file = its path inside the root, line in it) */
	HOST_SRC_IMPLICIT,	/* put there by sendmail itself: host name, node name, --local */
	HOST_SRC_COPY		/* a `$=X` word: copied from class X at that point of the cf
				   (file, line = the C line; via = X) */
};

struct host_word {
	char *word;		/* as sendmail stores it (first spelling) */
	enum host_src src;
	char *file;		/* see above; NULL for HOST_SRC_IMPLICIT */
	unsigned long line;
	char *via;		/* HOST_SRC_COPY: the class copied from; else NULL */
};

struct host_class {
	char *name;		/* "w", "VirtHost", "R", "t", ... */
	struct host_word *v;	/* members in the order sendmail added them */
	size_t n, cap;
	struct hset idx;	/* ASCII-lower-cased word -> index into v */
};

/* ---- macros (D lines, `OM` options, implicit $w $j $m $k) ---- */

struct host_macro {
	char *name;		/* "j", "S", "MTAHost" (braces removed) */
	char *raw;		/* the value as stored by sendmail: quotes and backslash escapes
				   resolved, macro references still written "$x" / "${name}",
				   a literal dollar written "$$" */
	char *value;		/* raw expanded with the final macro table, as sendmail expands
				   it at run time ($&x like $x, $?x..$|..$. conditionals) */
	char *file;
	unsigned long line;
};

/* ---- DS / DH / DR / DL and mailertable-style routes ---- */

/*
 * A relay value as MailerToTriple reads it: "[mailer:]host", host in
 * brackets means "no MX lookup".  Special forms: "local:user" (mailer
 * local), "error:..." (mailer error).  Empty raw means "not set".
 */
struct host_route {
	char *raw;		/* the expanded macro value, white space trimmed; NULL: unset */
	char *mailer;		/* "esmtp", "relay" (default for a bare host), "local", "error",
				   ... ; NULL when unset */
	char *host;		/* host without brackets and without a trailing dot; for local:
				   the user (may be ""), for error: the text after "error:" */
	int bracket;		/* 1: written [host]: A/AAAA only, no MX (what qmail always does) */
	char *file;
	unsigned long line;
};

/* ---- K lines ---- */

enum host_map_kind {
	HOST_MAP_OTHER = 0,	/* a class s2q cannot read (ldap, nis, regex, program, socket, ...) */
	HOST_MAP_DB,		/* hash, btree, dbm: built by makemap from a text source */
	HOST_MAP_TEXT,		/* class text: the file is read as it is */
	HOST_MAP_INTERNAL	/* needs no file: host, user, dequote, arith, macro, sequence,
				   switch, stab, implicit (alias class), bestmx, ... */
};

struct host_map {
	char *name;		/* "virtuser", "mailertable", "access", ... */
	char *mclass;		/* the map class as written: "hash", "btree", "ldap", ... */
	enum host_map_kind kind;
	char *args;		/* everything after the class, macro-expanded, as written */
	char **flags;		/* the -x words before the file name, in order ("-o", "-T<TMPF>") */
	size_t nflags;
	int optional;		/* -o */
	int nofold;		/* -f: keys keep their case */
	int matchonly;		/* -m */
	char *append;		/* -a text, or NULL */
	char *tmpf;		/* -T text, or NULL */
	char *path;		/* the file name word as written ("/etc/mail/access.db"), or NULL */
	char *source;		/* HOST_MAP_DB: the text source makemap built it from (path with a
				   trailing ".db" removed); HOST_MAP_TEXT: path; else NULL */
	char *rest;		/* words after the file name (rebuild text), or NULL */
	char *file;
	unsigned long line;
};

/* ---- O lines ---- */

struct host_option {
	char *name;		/* the full option name ("MaxMessageSize"); short forms are mapped
				   to it ("OA..." -> "AliasFile"); unknown names as written */
	char *sub;		/* "queuereturn" for Timeout.queuereturn, or NULL */
	char *value;		/* as written after '=' (spaces around '=' dropped) */
	char *file;
	unsigned long line;
};

/* one element of the AliasFile list: "path" (class implicit) or "class:spec" */
struct host_aliasfile {
	char *mclass;		/* "implicit", "hash", "btree", "nis", "ldap", ... */
	char *spec;		/* the path (or map spec) after "class:" */
	char *file;
	unsigned long line;
};

/* ---- M lines ---- */

struct host_mailer {
	char *name;
	char *path;		/* P= */
	char *flags;		/* F= letters, as written without blanks */
	char *argv;		/* A= as written */
	long maxsize;		/* M=, 0 when absent */
	char *eol;		/* E= after escape processing, or NULL */
	char *file;
	unsigned long line;
};

/* ---- FEATURE fingerprints (../shared/ref/sendmail.md §1.8) ---- */

enum host_feature {
	HF_VIRTUSERTABLE = 0,		/* Kvirtuser + $(virtuser in the rules */
	HF_VIRTUSER_ENTIRE_DOMAIN,	/* R<!> $+ < @ $* $={VirtHost} . > */
	HF_MAILERTABLE,			/* Kmailertable + $(mailertable */
	HF_GENERICSTABLE,		/* $(generics */
	HF_GENERICS_ENTIRE_DOMAIN,	/* R$+ < @ $* $=G . > */
	HF_DOMAINTABLE,			/* $(domaintable */
	HF_ACCESS_DB,			/* Kaccess + $(access */
	HF_BLOCKLIST_RECIPIENTS,	/* R<?> $+ < @ $=w >  ... <U:$1@> in Rcpt_ok */
	HF_DELAY_CHECKS,		/* ruleset checkrcpt (renamed check_rcpt) */
	HF_USE_CW_FILE,			/* an Fw line */
	HF_USE_CT_FILE,			/* an Ft line */
	HF_MASQUERADE_ENVELOPE,		/* R$+  $@ $>MasqHdr $1 in MasqEnv */
	HF_MASQUERADE_ENTIRE_DOMAIN,	/* R$* < @ $* $=M > $* in Canonify2 */
	HF_LIMITED_MASQUERADE,		/* MASQUERADE_AS set, no $=w masquerading in MasqHdr */
	HF_ALLMASQUERADE,		/* R$*  $: $>MasqHdr $1 in HdrToL (header recipients) */
	HF_STICKYHOST,			/* R$+ < @ $=w . >  $: < $H > ... in Parse1 */
	HF_PRESERVE_LOCAL_PLUS_DETAIL,	/* local mailer runs ruleset 5, but R$+ + * is missing */
	HF_PRESERVE_LUSER_HOST,		/* $&{Host} in ruleset 5: LUSER_RELAY keeps the host */
	HF_NOCANONIFY,			/* $={Canonify} in Canonify2 */
	HF_RELAY_ENTIRE_DOMAIN,		/* R$+ < @ $* $=m >  $@ RELAY */
	HF_RELAY_HOSTS_ONLY,		/* R$+ < @ $=R >  $@ RELAY (no $* before $=R) */
	HF_RELAY_BASED_ON_MX,		/* Kmxserved bestmx */
	HF_RELAY_LOCAL_FROM,		/* R<?> $+ < @ $=w >  $@ RELAY  FROM local */
	HF_RELAY_MAIL_FROM,		/* SearchList <! From> ... RELAY FROM sender */
	HF_LOOSE_RELAY_CHECK,		/* Rcpt_ok starts with $>CanonAddr, not $>ParseRecipient */
	HF_PROMISCUOUS_RELAY,		/* check_rcpt has no "550 Relaying denied" */
	HF_ACCEPT_UNRESOLVABLE_DOMAINS,	/* no Kresolve host map */
	HF_ACCEPT_UNQUALIFIED_SENDERS,	/* no $&{daemon_flags} test on unqualified senders */
	HF_REDIRECT,			/* CPREDIRECT */
	HF_NOUUCP,			/* class O without '!' */
	HF_NOPERCENTHACK,		/* class O without '%' */
	HF_NULLCLIENT,			/* DS = DH (= DM), no Fw, local mailer without A and w */
	HF_SMRSH,			/* Mprog P=.../smrsh */
	HF_LOCAL_PROCMAIL,		/* Mlocal P=.../procmail */
	HF_LUSER_RELAY,			/* DL set (with Kuser user -m -a<>) */
	HF_MAIL_HUB,			/* DH set */
	HF_LOCAL_RELAY,			/* DR set */
	HF_SMART_HOST,			/* DS set */
	HF_MASQUERADE_AS,		/* DM set */
	HF_COUNT
};

/* host_feature_name - "virtusertable", "virtuser_entire_domain", ... (the FEATURE/macro name) */
const char *host_feature_name(enum host_feature f);

/* ---- the host ---- */

struct host {
	char *cf;			/* display name of the cf ("/etc/mail/sendmail.cf") */
	int config_level;		/* V line level, 0 if none */
	char *vendor;			/* V line vendor ("Berkeley"), or NULL */

	/* identity: hostname/nodename as given, j/w/m/k the final expanded macros */
	char *hostname;			/* --hostname FQDN (the old host's canonical name), or NULL */
	char *nodename;			/* uname node name (default: hostname), or NULL */
	char *j, *w, *m;		/* $j (official name), $w (short name at V>=5), $m (domain);
					   "" when unknown */
	char *local_mailer;		/* the mailer Parse1 gives local names (R$+ $#X $: $1):
					   "local" unless confLOCAL_MAILER names another
					   (cyrusv2), NULL when no such rule was seen */

	/* every class, in order of first appearance; lookups through host_class_get */
	struct host_class *classes;
	size_t nclasses, capclasses;
	struct hset classidx;		/* class name -> index */

	struct host_macro *macros;	/* every macro defined by D / OM lines, plus the implicit
					   w j m k; in order of first definition (a redefinition
					   updates the entry in place) */
	size_t nmacros, capmacros;
	struct hset macroidx;

	/* routing macros, parsed (ruleset 0 / 5 semantics, §3.3) */
	struct host_route smart_host;	/* DS: SMART_HOST */
	struct host_route mail_hub;	/* DH: MAIL_HUB */
	struct host_route local_relay;	/* DR: LOCAL_RELAY */
	struct host_route luser_relay;	/* DL: LUSER_RELAY */
	char *masquerade_as;		/* $M expanded, or NULL */

	struct host_map *maps;		/* K lines in order; a later K line for the same name
					   replaces the earlier (as sendmail's symbol table does) */
	size_t nmaps, capmaps;

	struct host_option *options;	/* every O line in order (all, also unknown names) */
	size_t noptions, capoptions;

	/* options that matter to a migration, as sendmail ends up with them */
	struct host_aliasfile *aliasfiles;	/* AliasFile list, accumulated over all lines */
	size_t naliasfiles, capaliasfiles;
	long max_message_size;		/* MaxMessageSize; 0 = unlimited (also when unset) */
	char *forward_path;		/* ForwardPath as written; NULL: the default
					   "$z/.forward.$w:$z/.forward"; "" : no .forward at all */
	char **privacy;			/* PrivacyOptions words, lower-cased, accumulated */
	size_t nprivacy;
	char blanksub;			/* BlankSub, ' ' when unset (sendmail's default) */
	int dont_probe_interfaces;	/* DontProbeInterfaces true (1) / loopback (2) / false (0) */
	char *default_user;		/* DefaultUser as written, or NULL */

	struct host_mailer *mailers;	/* M lines in order (a redefinition replaces) */
	size_t nmailers, capmailers;

	char **rulesets;		/* S line names / numbers, in order of first appearance */
	size_t nrulesets, caprulesets;
	size_t nrules;			/* R lines read */

	unsigned char feature[HF_COUNT];	/* 1 when the fingerprint is present */
	char **m4files;			/* "virtusertable.m4" ... from the "$Id: x.m4" comments */
	size_t nm4files, capm4files;
};

void host_init(struct host *h);
void host_free(struct host *h);

/* host_class_get - the class named name, or NULL */
const struct host_class *host_class_get(const struct host *h, const char *name);
/* host_class_has - 1 if word is a member of class name (ASCII case-insensitive) */
int host_class_has(const struct host *h, const char *name, const char *word, size_t len);
/* host_macro_get - the macro named name (without braces), or NULL */
const struct host_macro *host_macro_get(const struct host *h, const char *name);
/* host_map_get - the map declared as name (case-insensitive), or NULL */
const struct host_map *host_map_get(const struct host *h, const char *name);
/* host_mailer_get - the mailer called name (case-insensitive), or NULL */
const struct host_mailer *host_mailer_get(const struct host *h, const char *name);
/* host_option_last - the last O line that set option name (full name), or NULL */
const struct host_option *host_option_last(const struct host *h, const char *name);
/* host_atobool - sendmail's atobool(): no value, "" or one starting with t, T, y, Y is true */
int host_atobool(const char *s);
/* host_option_bool - option name is set (its last O line) and true as host_atobool says */
int host_option_bool(const struct host *h, const char *name);
/* host_has_privacy - 1 if PrivacyOptions includes word (e.g. "novrfy"; "goaway" implies all) */
int host_has_privacy(const struct host *h, const char *word);

/*
 * Builders used by the parser (0, or -1 ENOMEM).  host_class_add adds a
 * member unless present (case-insensitively): 1 added, 0 present.
 */
struct host_class *host_class_make(struct host *h, const char *name);
int host_class_add(struct host_class *c, const char *word, size_t len, enum host_src src,
		   const char *file, unsigned long line, const char *via);
struct host_macro *host_macro_set(struct host *h, const char *name, const char *raw,
				  const char *file, unsigned long line);

/*
 * host_json - append the model as one JSON object (documented in
 * s2q-cf(8) and MIGRATION.md; field names are stable).
 */
int host_json(buf *out, const struct host *h);

/* host_text - append a human-readable summary (s2q-cf --show) */
int host_text(buf *out, const struct host *h);

#endif
