/* resolve/qres_int - what the parts of the qmail-side resolver share (not a public API) */
#ifndef S2Q_RESOLVE_QRES_INT_H
#define S2Q_RESOLVE_QRES_INT_H

#include <cdb.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../util/cdbfilter.h"
#include "../util/hset.h"
#include "qres.h"

/* a qmail constmap: ASCII case-insensitive keys (stored lower-cased), last line wins */
struct qr_map {
	struct hset h;		/* lower(key) -> offset of the NUL-terminated value in vals */
	buf vals;
	buf lines;		/* "line number" of each key, for duplicate reports (parallel to vals) */
};

struct qr_pw {			/* one account of the old host's passwd */
	size_t name, home;	/* offsets into qres_st.pwarena */
	unsigned long uid, gid;
};

struct qr_file {		/* a cached regular file read under the root */
	mode_t mode;
	size_t off, len;	/* into qres_st.fdata */
};

struct qr_stat {		/* a remembered stat() */
	int r, err;
	struct stat sb;
};

struct qr_cdb {			/* an aliases.cdb opened by a fastforward line */
	char *path;
	int fd;
	int err;		/* 0 usable, else errno of the failed open/init */
	struct cdb c;
	struct cdbfilter filt;	/* keys it certainly lacks */
	int doms_ready;		/* doms is built (qres_domain_plain) */
	struct hset doms;	/* lower-cased domain parts of the keys */
};

struct qr_s2qent;

struct qres_st {
	int rootfd;		/* OUTROOT */
	int homefd;		/* home_root for qmail-getpw's ownership check, or -1 */
	struct diag_sink *d;
	struct diag_sink own;	/* used when the caller gave no sink */
	char *qmailhome, *aliasempty, *alias_user, *alias_home, *sender;
	unsigned max_depth;
	unsigned long max_steps;
	int have_openat2;	/* 0 after ENOSYS: component-by-component opens instead */

	/* control files */
	buf me;
	int have_me;
	buf envnoathost;
	buf defaulthost, defaultdomain, plusdomain;	/* qmail-inject */
	struct qr_map locals, percenthack, vdoms, routes, rcpthosts;
	int have_rcpthosts;
	int send_dead;		/* qmail-send would not start */
	char dead_why[80];
	int routes_bad;		/* smtproutes unreadable: qmail-remote defers everything */
	int mrh;		/* morercpthosts.cdb: 0 absent, 1 open, -1 unreadable (421) */
	int mrhfd;
	struct cdb mrhc;

	/* users/cdb */
	int ucdbfd;
	struct cdb ucdb;
	struct cdbfilter ucdbfilt;	/* keys it certainly lacks */
	size_t filter_min;	/* qres_opts.cdb_filter_min */
	buf wildchars;
	char ucdb_why[128];	/* why users/cdb is unusable */

	/* passwd */
	struct hset pw;		/* name -> index into pwv (first entry wins, as getpwnam) */
	struct qr_pw *pwv;
	size_t npw, cappw;
	buf pwarena;

	buf kbuf;		/* scratch: lower-cased lookup keys */
	struct bufpool pool;	/* scratch buffers of the delivery steps */

	/* caches: directory listings (.qmail* names only), file contents, cdbs */
	struct hset dirs;	/* dir path -> 1 listed, 2 absent */
	struct hset names;	/* dir path NUL name -> 1 */
	struct hset files;	/* path -> index into fv */
	struct qr_file *fv;
	size_t nf, capf;
	buf fdata;
	struct qr_cdb *cv;
	size_t nc, capc;
	struct hset stats;	/* 'R'/'H' + path -> index into sv */
	struct hset plains;	/* qres_domain_plain's answers: domain -> the cdbs open when
				   it was found (nc) * 2 + the answer (a 0 stays 0; a 1
				   holds while no other cdb is opened) */
	struct qr_stat *sv;
	size_t nsv, capsv;
	struct hset s2qidx;	/* qres_s2q.c: a program line's text -> index into s2qv */
	struct qr_s2qent **s2qv;	/* what the line was recognised as (never changed once
					   there: a nested run may add, never moves, one) */
	size_t ns2q, caps2q;
	/* qres.c deliver: what a re-injected address delivered to, for the next time */
	struct hset memo;	/* address as injected -> index into memov */
	struct qr_memo *memov;
	size_t nmemo, capmemo;
	buf memodt;		/* the entries' Delivered-To values, NUL after each */
};

/*
 * one remembered re-injection (qres.c deliver): what the delivery of an address
 * re-injected at level d did when it met no loop and no limit: its
 * deliveries (each once, in the order first made), how many qr_add calls and
 * qmail-local runs it took, how many levels below d it went, and the
 * Delivered-To values it checked.  It stands for the delivery again wherever
 * none of those values is on the message and the limits are not reached.
 */
struct qr_memo {
	struct dlv_set dl;
	unsigned long nadd, steps;
	unsigned levels;
	int hostdep;		/* it used $HOST or $RECIPIENT (qr_run.hostdep) */
	size_t dtoff, dtlen;	/* memodt[dtoff .. dtoff + dtlen) */
};

/* the environment qmail-local gives programs (NULL: unset) */
struct qr_env {
	const char *user, *home, *local, *host, *ext, *default_, *recipient, *sender, *newsender;
	const char *dtline;	/* "local@host", the Delivered-To value */
	const char *s2q[3];	/* S2Q_1..S2Q_3, exported by s2q-virtusers' +detail line */
	int *hostdep;		/* set to 1 when a program line expands $HOST, $HOST2..4 or
				   $RECIPIENT (the answer may depend on the domain); may be NULL */
};

/* one qres_resolve call */
struct qr_run {
	struct qres_st *st;
	struct dlv_set *out;
	buf *trace;
	buf tmp;		/* scratch for trace lines */
	unsigned depth;		/* forwarding level, also the trace indentation */
	unsigned long steps;
	unsigned long nadd;	/* deliveries reported (qr_add calls) */
	int hostdep;		/* a program line used the domain (qr_env.hostdep), or a loop or a
				   limit was met (when depends on the Delivered-To lines) */
	int ctxdep;		/* a loop or a limit was met: the answer depends on how the
				   address was reached, not only on itself */
	char **dt;		/* Delivered-To values the message carries (qmail-local loop check) */
	size_t ndt, capdt;
	/* qres_resolve_nested: the run's first re-injection at level 1 (qr_deliver) */
	struct qres_nested *nest;	/* NULL: not asked for, or that re-injection has passed */
	size_t nest_n;		/* its deliveries: out->v[0 .. nest_n) */
	unsigned long nest_nadd;	/* qr_add calls it made (none: discarded) */
	/* the re-injection memo (qres.c deliver); on for runs without a trace */
	int memo;
	buf addlog;		/* out index (size_t) of each qr_add's delivery, in call order */
	buf dtlog;		/* the Delivered-To values qmail-local checked, NUL after each */
	unsigned maxd;		/* the deepest level deliver was entered at */
};

/* fastforward's result (one run) */
struct qr_ffres {
	int code;		/* exit code: 0, 99, 100, 111 */
	buf msg;		/* what it printed on failure (no trailing newline) */
	buf fwds;		/* forwards, NUL-terminated each, in injection order */
	size_t nfwds;
	buf sender;		/* envelope sender after owner records */
};

/* qres.c */
/* qr_run_free - what a run holds besides its out set */
void qr_run_free(struct qr_run *r);
/* qr_dt_checked - qmail-local checked the Delivered-To value dt (for the memo): 0, -1 ENOMEM */
int qr_dt_checked(struct qr_run *r, const char *dt);
int qr_trace_f(struct qr_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* qr_trace - a trace line (printf format) when the run keeps a trace; without one, not even
   the arguments are evaluated (a run without a trace calls it some ten times per address) */
#define qr_trace(r, ...) ((r)->trace ? qr_trace_f((r), __VA_ARGS__) : 0)
int qr_add(struct qr_run *r, enum dlv_kind kind, const char *user, const char *target,
	   const char *route, const char *status, const char *text);
/* qr_add_msg - bounce/defer from a qmail message "text (#5.1.1)" (status split off) */
int qr_add_msg(struct qr_run *r, enum dlv_kind kind, const char *msg, size_t len);
/* qr_deliver - an address entering qmail-send (qmail-queue injection) */
int qr_deliver(struct qr_run *r, const char *addr, size_t len);
/*
 * qr_fs_read_into - read path (inside the root) as qmail's open_read +
 * fstat would: 1 regular file (*mode; contents appended to content unless
 * NULL), 0 absent or not a regular file (*mode set when it exists), 2
 * another open error (*err = errno), -1 ENOMEM.  Contents are cached.
 */
int qr_fs_read_into(struct qres_st *st, const char *path, mode_t *mode, buf *content, int *err);
/* qr_fs_stat - stat (following symlinks inside the root): 1 ok, 0 absent, 2 error (*err), -1 ENOMEM */
int qr_fs_stat(struct qres_st *st, int rootfd, const char *path, struct stat *sb, int *err);
/* qr_fs_open - open path inside the root (O_RDONLY|O_NONBLOCK); fd or -1 with errno */
int qr_fs_open(struct qres_st *st, int rootfd, const char *path, int flags);
/* qr_errstr - djb's error_str() wording, which qmail's messages use */
const char *qr_errstr(int e);
/* qr_lower - ASCII lower-case in place */
void qr_lower(char *s, size_t n);

/* qres_local.c */
/* qr_local - qmail-lspawn + qmail-getpw + qmail-local for local@domain */
int qr_local(struct qr_run *r, const char *local, const char *domain);
/*
 * qr_program - a program qmail-local (or fastforward, in_ff) runs with env e:
 * expanded when its outcome is fixed by its text, else a DLV_PROGRAM.
 * *code = its exit code, msg = its output.  0, or -1 ENOMEM.
 */
int qr_program(struct qr_run *r, const struct qr_env *e, const char *cmd, int in_ff, int *code,
	       buf *msg);

/* qres_s2q.c */
/*
 * qr_s2q_script - the +detail lines s2q-aliases and s2q-virtusers write,
 * evaluated as sh would: 1 recognised and run (*code, msg as qr_program),
 * 0 not one of them, -1 ENOMEM.
 */
int qr_s2q_script(struct qr_run *r, const struct qr_env *e, const char *cmd, int *code, buf *msg);
/* qr_s2q_free - what qr_s2q_script remembered of the lines it has seen */
void qr_s2q_free(struct qres_st *st);

/* qres_ff.c */
/*
 * qr_ff - run fastforward [flags] cdb with env e (e->default_ NULL = unset).
 * With r != NULL and !dry, programs go through qr_program (deliveries, exit
 * codes); with nlog != NULL everything -n prints is appended to it.  The
 * forwards are not delivered here.  0, or -1 ENOMEM.
 */
int qr_ff(struct qres_st *st, struct qr_run *r, const char *cdbpath, const char *cwd,
	  unsigned flags, int dry, const struct qr_env *e, buf *nlog, struct qr_ffres *res);
void qr_ffres_free(struct qres_st *st, struct qr_ffres *res);

#endif
