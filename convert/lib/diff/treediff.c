/* diff/treediff - compare two qmail trees, decoding what qmail compiles; lint the new one */
#include "treediff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../model/assign.h"
#include "../parse/assign.h"
#include "../parse/binlist.h"
#include "../parse/cdbfile.h"
#include "../parse/fwdcdb.h"
#include "../parse/mrhcdb.h"
#include "../parse/userscdb.h"
#include "../util/aw.h"
#include "../util/hset.h"
#include "../util/mfile.h"

/* diagnostic codes: S2Q-D050..D059 (walk), S2Q-D101..D109 (lint of tree B) */

#define MAXDEPTH 200		/* directories deeper than this are not compared */
#define FLUSH 65536

/* ---- forms ---- */

static const char *basename_(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int endswith(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

enum tdiff_form tdiff_form_for(const char *path)
{
	const char *b = basename_(path);

	if (strcmp(path, "users/cdb") == 0 || endswith(path, "/users/cdb"))
		return TD_USERS;
	if (strcmp(b, "aliases.cdb") == 0)
		return TD_FORWARD;
	if (strcmp(b, "morercpthosts.cdb") == 0)
		return TD_LIST;
	if (endswith(b, ".cdb"))
		return TD_CDB;
	if (endswith(b, ".bin"))
		return TD_MAILLIST;
	return TD_TEXT;
}

const char *tdiff_form_name(enum tdiff_form f)
{
	static const char *const names[] = { "text", "binary", "users/assign", "printforward",
					     "printmaillist", "sorted list", "cdb -d" };

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

int tdiff_form_parse(const char *w)
{
	static const struct {
		const char *w;
		enum tdiff_form f;
	} t[] = { { "users", TD_USERS }, { "forward", TD_FORWARD }, { "maillist", TD_MAILLIST },
		  { "list", TD_LIST }, { "cdb", TD_CDB } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(w, t[i].w) == 0)
			return (int)t[i].f;
	return -1;
}

/* relay - copy the records of from into to, errors as warnings */
static void relay(struct diag_sink *to, const struct diag_sink *from)
{
	size_t i;

	for (i = 0; i < from->n; i++) {
		const struct diag *g = &from->v[i];

		diag_add(to, g->sev == DIAG_ERROR ? DIAG_WARN : g->sev, g->code, g->file, g->line,
			 "%s", g->msg);
	}
	if (from->oom)
		to->oom = 1;
}

int tdiff_decode(buf *out, enum tdiff_form f, const void *p, size_t n, const char *file,
		 struct diag_sink *d)
{
	int r;

	switch (f) {
	case TD_USERS:
		r = userscdb_print(out, p, n, file, d);
		break;
	case TD_FORWARD:
		r = fwdcdb_print(out, p, n, file, d);
		break;
	case TD_LIST:
		r = mrhcdb_print(out, p, n, file, d);
		break;
	case TD_CDB:
		r = cdbfile_dump(out, p, n, file, d);
		break;
	case TD_MAILLIST: {
		struct diag_sink tmp;
		const char *s = p;
		size_t len0 = out->len;

		diag_init(&tmp);
		r = binlist_print(out, p, n, file, &tmp);
		if (r > 0) {
			/* report only what looks like a damaged list, not any other .bin */
			if (n > 0 && strchr("&./", s[0]) && s[n - 1] == '\0')
				relay(d, &tmp);
			out->len = len0;
		}
		diag_free(&tmp);
		return r;
	}
	default:
		return buf_append(out, p, n);
	}
	if (r < 0)
		return -1;
	return cdbfile_readable(p, n) ? 0 : 1;
}

int tdiff_faithful(const struct diag_sink *d, size_t from)
{
	static const char *const lossy[] = {
		"S2Q-D001", "S2Q-D002", "S2Q-D003", "S2Q-D004", "S2Q-D010", "S2Q-D011", "S2Q-D012",
		"S2Q-D020", "S2Q-D021", "S2Q-D022", "S2Q-D023", "S2Q-D030", "S2Q-D031", "S2Q-D032",
		"S2Q-D033", "S2Q-D034", "S2Q-D040"
	};
	size_t i, k;

	for (i = from; i < d->n; i++)
		for (k = 0; k < sizeof(lossy) / sizeof(lossy[0]); k++)
			if (strcmp(d->v[i].code, lossy[k]) == 0)
				return 0;
	return 1;
}

/* ---- the walk ---- */

struct ent {
	char *name;
	struct stat st;
};

struct list {
	struct ent *v;
	size_t n, cap;
};

struct tw {
	const struct tdiff_opts *o;
	const struct udiff_sink *out;
	struct diag_sink *d;
	struct tdiff_stats *st;
	buf *err;
	int rootb;
	buf rel;		/* current path below the roots */
	buf ob;			/* output not yet written */
	buf ta, tb;		/* decoded contents */
	buf jd;			/* a diff collected for JSON */
	buf la, lb, na, nb;	/* labels and display names */
	buf homes;		/* home directories named in tree B's users/assign, NUL-separated */
	struct hset homeseen;	/* home directories already checked */
	struct hset bdirs;	/* every directory of tree B walked: path -> st_mode */
	unsigned long nrec;	/* JSON records written */
};

static int flush(struct tw *t)
{
	int r = 0;

	if (t->ob.len)
		r = t->out->write(t->out->ctx, t->ob.s, t->ob.len);
	buf_reset(&t->ob);
	return r;
}

static int maybe_flush(struct tw *t)
{
	return t->ob.len >= FLUSH ? flush(t) : 0;
}

static int fail(struct tw *t, const char *verb, const char *tree)
{
	int e = errno;

	buf_reset(t->err);
	buf_printf(t->err, "%s %s/", verb, tree);
	buf_append(t->err, t->rel.s ? t->rel.s : "", t->rel.len);
	if (t->rel.len == 0)
		t->err->len--;	/* the root itself: no trailing '/' */
	buf_cstr(t->err);
	errno = e;
	return -1;
}

/* disp - a path for a text line: control bytes as \xNN, so one record stays one line */
static int disp(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			if (buf_append(b, e, 4) < 0)
				return -1;
		} else if (buf_append_c(b, (char)c) < 0) {
			return -1;
		}
	}
	return 0;
}

/* name - "TREE/rel" (or "TREE" at the root) for labels and diagnostics, NUL-terminated */
static const char *name(struct tw *t, buf *b, int side)
{
	buf_reset(b);
	if (buf_append_s(b, side == 'a' ? t->o->name_a : t->o->name_b) < 0)
		return NULL;
	if (t->rel.len && (buf_append_c(b, '/') < 0 || disp(b, t->rel.s, t->rel.len) < 0))
		return NULL;
	return buf_cstr(b);
}

static const char *tname(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "symlink";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "chardev";
	case S_IFBLK:
		return "blockdev";
	default:
		return "unknown";
	}
}

/* rec - start one difference: JSON object head, or the text line's "KIND: PATH" */
static int rec(struct tw *t, const char *kind)
{
	t->st->ndiff++;
	if (t->o->json) {
		if (buf_append_s(&t->ob, t->nrec++ ? ",\n{\"path\":" : "\n{\"path\":") < 0 ||
		    json_str(&t->ob, t->rel.s ? t->rel.s : "", t->rel.len) < 0 ||
		    buf_printf(&t->ob, ",\"kind\":\"%s\"", kind) < 0)
			return -1;
		return 0;
	}
	if (buf_printf(&t->ob, "%s: ", kind) < 0 || disp(&t->ob, t->rel.s ? t->rel.s : "", t->rel.len) < 0)
		return -1;
	return 0;
}

static int rec_end(struct tw *t)
{
	if (buf_append_s(&t->ob, t->o->json ? "}" : "\n") < 0)
		return -1;
	return maybe_flush(t);
}

/* jfield - ,"key":"value" */
static int jfield(struct tw *t, const char *key, const char *v, size_t n)
{
	if (buf_printf(&t->ob, ",\"%s\":", key) < 0)
		return -1;
	return json_str(&t->ob, v, n);
}

static int jpair(struct tw *t, const char *a, const char *b)
{
	if (jfield(t, "a", a, strlen(a)) < 0 || jfield(t, "b", b, strlen(b)) < 0)
		return -1;
	return 0;
}

/* change - a difference described by two short strings: "KIND: PATH: a -> b" */
static int change(struct tw *t, const char *kind, const char *a, const char *b)
{
	if (rec(t, kind) < 0)
		return -1;
	if (t->o->json) {
		if (jpair(t, a, b) < 0)
			return -1;
	} else if (buf_printf(&t->ob, ": %s -> %s", a, b) < 0) {
		return -1;
	}
	return rec_end(t);
}

static int readlink_(int fd, const char *nm, buf *out)
{
	size_t sz = 256;
	ssize_t r;

	for (;;) {
		buf_reset(out);
		if (buf_ready(out, sz) < 0)
			return -1;
		r = readlinkat(fd, nm, out->s, sz);
		if (r < 0)
			return -1;
		if ((size_t)r < sz) {
			out->len = (size_t)r;
			return 0;
		}
		if (sz > (1u << 20)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		sz *= 2;
	}
}

/* only - a file or directory in one tree only */
static int only(struct tw *t, int fd, const struct ent *e, int side)
{
	char mode[8], own[48];
	buf tgt = BUF_INIT;
	int lnk = S_ISLNK(e->st.st_mode);

	if (lnk && readlink_(fd, e->name, &tgt) < 0) {
		buf_free(&tgt);
		return fail(t, "read symlink", side == 'a' ? t->o->name_a : t->o->name_b);
	}
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(e->st.st_mode & 07777));
	snprintf(own, sizeof(own), "%lu:%lu", (unsigned long)e->st.st_uid,
		 (unsigned long)e->st.st_gid);
	if (t->o->json) {
		if (rec(t, side == 'a' ? "only_a" : "only_b") < 0 ||
		    jfield(t, "type", tname(e->st.st_mode), strlen(tname(e->st.st_mode))) < 0 ||
		    (!lnk && jfield(t, "mode", mode, strlen(mode)) < 0) ||
		    (!t->o->ignore_owner && jfield(t, "owner", own, strlen(own)) < 0) ||
		    (lnk && jfield(t, "target", tgt.s ? tgt.s : "", tgt.len) < 0))
			goto oom;
	} else {
		/* "only in TREE: PATH (type mode owner)" */
		t->st->ndiff++;
		if (buf_printf(&t->ob, "only in %s: ", side == 'a' ? t->o->name_a : t->o->name_b) < 0 ||
		    disp(&t->ob, t->rel.s, t->rel.len) < 0 ||
		    buf_printf(&t->ob, " (%s", tname(e->st.st_mode)) < 0)
			goto oom;
		if (lnk) {
			if (buf_append_s(&t->ob, " -> ") < 0 ||
			    disp(&t->ob, tgt.s ? tgt.s : "", tgt.len) < 0)
				goto oom;
		} else if (buf_printf(&t->ob, " %s", mode) < 0) {
			goto oom;
		}
		if ((!t->o->ignore_owner && buf_printf(&t->ob, " %s", own) < 0) ||
		    buf_append_c(&t->ob, ')') < 0)
			goto oom;
	}
	buf_free(&tgt);
	return rec_end(t);
oom:
	buf_free(&tgt);
	errno = ENOMEM;
	return -1;
}

/* meta - mode, owner and device number of an entry present in both trees */
static int meta(struct tw *t, const struct stat *a, const struct stat *b)
{
	char x[48], y[48];

	if (!S_ISLNK(a->st_mode) && (a->st_mode & 07777) != (b->st_mode & 07777)) {
		snprintf(x, sizeof(x), "%04o", (unsigned)(a->st_mode & 07777));
		snprintf(y, sizeof(y), "%04o", (unsigned)(b->st_mode & 07777));
		if (change(t, "mode", x, y) < 0)
			return -1;
	}
	if (!t->o->ignore_owner && (a->st_uid != b->st_uid || a->st_gid != b->st_gid)) {
		snprintf(x, sizeof(x), "%lu:%lu", (unsigned long)a->st_uid, (unsigned long)a->st_gid);
		snprintf(y, sizeof(y), "%lu:%lu", (unsigned long)b->st_uid, (unsigned long)b->st_gid);
		if (change(t, "owner", x, y) < 0)
			return -1;
	}
	if ((S_ISCHR(a->st_mode) || S_ISBLK(a->st_mode)) && a->st_rdev != b->st_rdev) {
		snprintf(x, sizeof(x), "%u,%u", major(a->st_rdev), minor(a->st_rdev));
		snprintf(y, sizeof(y), "%u,%u", major(b->st_rdev), minor(b->st_rdev));
		if (change(t, "device", x, y) < 0)
			return -1;
	}
	return 0;
}

static int symlinks(struct tw *t, int fa, int fb, const char *nm)
{
	buf x = BUF_INIT, y = BUF_INIT;
	int r = 0;

	if (readlink_(fa, nm, &x) < 0) {
		r = fail(t, "read symlink", t->o->name_a);
		goto done;
	}
	if (readlink_(fb, nm, &y) < 0) {
		r = fail(t, "read symlink", t->o->name_b);
		goto done;
	}
	if (x.len == y.len && (x.len == 0 || memcmp(x.s, y.s, x.len) == 0))
		goto done;
	r = -1;
	if (rec(t, "symlink") < 0)
		goto done;
	if (t->o->json) {
		if (jfield(t, "a", x.s ? x.s : "", x.len) < 0 || jfield(t, "b", y.s ? y.s : "", y.len) < 0)
			goto done;
	} else if (buf_append_s(&t->ob, ": -> ") < 0 || disp(&t->ob, x.s ? x.s : "", x.len) < 0 ||
		   buf_append_s(&t->ob, " became -> ") < 0 || disp(&t->ob, y.s ? y.s : "", y.len) < 0) {
		goto done;
	}
	r = rec_end(t);
done:
	buf_free(&x);
	buf_free(&y);
	return r;
}

/* ---- lint of tree B ---- */

static int finding_start(struct tw *t)
{
	return (int)(t->d->nwarn + t->d->nerr);
}

static void finding_end(struct tw *t, int w0)
{
	t->st->nfind += (unsigned long)((int)(t->d->nwarn + t->d->nerr) - w0);
}

/* home - the checks qmail-local makes on a home directory (qmail.md §4.2) */
static void lint_home(struct tw *t, const struct stat *st, const char *shown)
{
	if (st->st_mode & 002)
		diag_add(t->d, DIAG_WARN, "S2Q-D101", shown, 0,
			 "home directory is world-writable (mode %04o): qmail-local defers every "
			 "delivery to it (\"Uh-oh: home directory is writable\")",
			 (unsigned)(st->st_mode & 07777));
	if (st->st_mode & 01000)
		diag_add(t->d, DIAG_WARN, "S2Q-D102", shown, 0,
			 "home directory has the sticky bit (mode %04o): qmail-local defers "
			 "deliveries (\"Home directory is sticky\")", (unsigned)(st->st_mode & 07777));
}

static int isdotqmail(const char *nm)
{
	return strcmp(nm, ".qmail") == 0 || strncmp(nm, ".qmail-", 7) == 0;
}

/* lint_dotqmail - permission and first-line checks of qmail-local on a .qmail file */
static void lint_dotqmail(struct tw *t, const struct stat *st, const char *p, size_t n,
			  const char *shown)
{
	size_t i = 0;

	if (st->st_mode & 002)
		diag_add(t->d, DIAG_WARN, "S2Q-D103", shown, 0,
			 ".qmail file is world-writable (mode %04o): qmail-local defers deliveries "
			 "(\"Uh-oh: .qmail file is writable\")", (unsigned)(st->st_mode & 07777));
	if (n > 0) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == n || p[i] == '\n')
			diag_add(t->d, DIAG_WARN, "S2Q-D105", shown, 1,
				 "first line is blank: qmail-local defers deliveries (\"first line "
				 "of .qmail file is blank\")");
	}
	if (st->st_mode & 0100) {
		unsigned long ln = 1;

		for (i = 0; i < n; ln++) {
			const char *nl = memchr(p + i, '\n', n - i);

			if (p[i] == '|' || p[i] == '.' || p[i] == '/') {
				diag_add(t->d, DIAG_WARN, "S2Q-D104", shown, ln,
					 "the x bit is set (mode %04o) but the file has a %s line: "
					 "qmail-local defers deliveries (\"has prog delivery but has x "
					 "bit set\")", (unsigned)(st->st_mode & 07777),
					 p[i] == '|' ? "program" : "mbox/maildir");
				break;
			}
			i = nl ? (size_t)(nl - p) + 1 : n;
		}
	}
}

static int isassign(const char *rel)
{
	return strcmp(rel, "users/assign") == 0 || endswith(rel, "/users/assign");
}

/* lint_assign - users/assign of tree B: its parser's findings, upper case, home list */
static int lint_assign(struct tw *t, int fd, const char *nm, const char *shown)
{
	struct diag_sink tmp;
	struct assign_parser p;
	struct assign_ent e;
	int f, r;

	f = openat(fd, nm, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return fail(t, "read", t->o->name_b);
	diag_init(&tmp);
	if (assign_fdopen(&p, f, shown, &tmp) < 0) {
		close(f);
		diag_free(&tmp);
		return -1;
	}
	while ((r = assign_next(&p, &e)) > 0) {
		size_t i;

		for (i = 0; i < e.addr.len && !(e.addr.s[i] >= 'A' && e.addr.s[i] <= 'Z'); i++)
			;
		/* a wildcard ending in upper case has its own finding (S2Q-U012) */
		if (i < e.addr.len && !(e.wild && e.addr.s[e.addr.len - 1] >= 'A' &&
					e.addr.s[e.addr.len - 1] <= 'Z'))
			diag_add(&tmp, DIAG_WARN, "S2Q-D107", shown, e.line,
				 "address '%.*s' has upper-case letters: qmail matches addresses in "
				 "lower case (a wildcard ending in one never matches); write it in "
				 "lower case", (int)(e.addr.len > 200 ? 200 : e.addr.len), e.addr.s);
		if (buf_append(&t->homes, e.home.s, e.home.len) < 0 ||
		    buf_append_c(&t->homes, '\0') < 0) {
			r = -1;
			break;
		}
	}
	assign_close(&p);
	close(f);
	if (r < 0) {
		diag_free(&tmp);
		return fail(t, "read", t->o->name_b);
	}
	relay(t->d, &tmp);
	diag_free(&tmp);
	return 0;
}

/* lint_control - a qmail control directory without rcpthosts is an open relay */
static void lint_control(struct tw *t, const struct list *l, const char *shown)
{
	static const char *const known[] = {
		"me", "locals", "virtualdomains", "smtproutes", "morercpthosts",
		"morercpthosts.cdb", "defaultdomain", "defaulthost", "plusdomain", "smtpgreeting",
		"concurrencylocal", "concurrencyremote", "badmailfrom", "databytes", "helohost"
	};
	size_t i, k;
	int qmail = 0, rcpt = 0, mrh = 0;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, "rcpthosts") == 0)
			rcpt = 1;
		if (strcmp(l->v[i].name, "morercpthosts.cdb") == 0)
			mrh = 1;
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strcmp(l->v[i].name, known[k]) == 0)
				qmail = 1;
	}
	if (qmail && !rcpt)
		diag_add(t->d, DIAG_WARN, "S2Q-D108", shown, 0,
			 "no rcpthosts: qmail-smtpd accepts mail for every domain (an open relay)%s",
			 mrh ? " and never reads morercpthosts.cdb" : "");
}

/* ---- contents ---- */

static int to_buf(void *ctx, const char *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static int to_out(void *ctx, const char *p, size_t n)
{
	struct tw *t = ctx;

	if (buf_append(&t->ob, p, n) < 0)
		return -1;
	return maybe_flush(t);
}

/* label - "TREE/path" plus "\t(form)" for decoded contents; "/dev/null" when absent */
static const char *label(struct tw *t, buf *b, int side, int present, enum tdiff_form f)
{
	if (!present) {
		buf_reset(b);
		if (buf_append_s(b, "/dev/null") < 0)
			return NULL;
		return buf_cstr(b);
	}
	if (name(t, b, side) == NULL)
		return NULL;
	if (f != TD_TEXT && buf_printf(b, "\t(%s)", tdiff_form_name(f)) < 0)
		return NULL;
	return buf_cstr(b);
}

/* showdiff - the unified diff of ta and tb, as text lines or a JSON record */
static int showdiff(struct tw *t, int pa, int pb, enum tdiff_form f, size_t asz, size_t bsz)
{
	struct udiff_stats us;
	struct udiff_sink s;
	const char *la, *lb;
	int r;

	la = label(t, &t->la, 'a', pa, f);
	lb = label(t, &t->lb, 'b', pb, f);
	if (la == NULL || lb == NULL)
		return -1;
	if (t->o->json) {
		buf_reset(&t->jd);
		s.write = to_buf;
		s.ctx = &t->jd;
	} else {
		s.write = to_out;
		s.ctx = t;
	}
	if (t->o->json) {
		r = udiff(t->ta.s ? t->ta.s : "", t->ta.len, t->tb.s ? t->tb.s : "", t->tb.len, la, lb,
			  t->o->context, &s, &us);
		if (r < 0)
			return -1;
		if (rec(t, "content") < 0 ||
		    jfield(t, "form", tdiff_form_name(f), strlen(tdiff_form_name(f))) < 0 ||
		    buf_printf(&t->ob, ",\"a_size\":%zu,\"b_size\":%zu", asz, bsz) < 0)
			return -1;
		if (r == 0) {
			if (buf_append_s(&t->ob, ",\"same_decoded\":true,\"added\":0,\"deleted\":0,"
					 "\"diff\":null") < 0)
				return -1;
		} else if (buf_printf(&t->ob, ",\"same_decoded\":false,\"added\":%zu,\"deleted\":%zu,"
				      "\"diff\":", us.nadd, us.ndel) < 0 ||
			   json_str(&t->ob, t->jd.s ? t->jd.s : "", t->jd.len) < 0) {
			return -1;
		}
		return rec_end(t);
	}
	/* text: the header line, then the diff straight through */
	if (f != TD_TEXT) {
		size_t mark = t->ob.len;

		if (rec(t, "content") < 0 || buf_printf(&t->ob, " (%s)\n", tdiff_form_name(f)) < 0)
			return -1;
		r = udiff(t->ta.s ? t->ta.s : "", t->ta.len, t->tb.s ? t->tb.s : "", t->tb.len, la, lb,
			  t->o->context, &s, &us);
		if (r < 0)
			return -1;
		if (r == 0) {
			/* decoded the same: replace the header with the index line */
			t->ob.len = mark < t->ob.len ? mark : t->ob.len;
			t->st->ndiff--;
			if (rec(t, "index") < 0 ||
			    buf_printf(&t->ob, ": same %s, different bytes (record order, duplicates "
					       "or hash tables)\n", tdiff_form_name(f)) < 0)
				return -1;
		}
		return maybe_flush(t);
	}
	t->st->ndiff++;
	r = udiff(t->ta.s ? t->ta.s : "", t->ta.len, t->tb.s ? t->tb.s : "", t->tb.len, la, lb,
		  t->o->context, &s, &us);
	if (r == 0)
		t->st->ndiff--;	/* cannot happen: the bytes differ */
	return r < 0 ? -1 : maybe_flush(t);
}

static int binary(struct tw *t, size_t asz, size_t bsz, int pa, int pb)
{
	if (rec(t, "content") < 0)
		return -1;
	if (t->o->json) {
		if (buf_printf(&t->ob, ",\"form\":\"binary\",\"a_size\":%zu,\"b_size\":%zu,"
				       "\"same_decoded\":false,\"added\":0,\"deleted\":0,\"diff\":null",
			       asz, bsz) < 0)
			return -1;
	} else if (buf_printf(&t->ob, ": binary files differ: %s%zu bytes -> %s%zu bytes",
			      pa ? "" : "absent, ", asz, pb ? "" : "absent, ", bsz) < 0) {
		return -1;
	}
	return rec_end(t);
}

/*
 * content - compare (and lint) the contents of a regular file; ea or eb is
 * NULL for a file in one tree only (compared against nothing with -N)
 */
static int content(struct tw *t, int fa, int fb, const char *nm, const struct ent *ea,
		   const struct ent *eb)
{
	struct mfile ma, mb;
	enum tdiff_form f = tdiff_form_for(t->rel.s ? t->rel.s : "");
	const char *sa = NULL, *sb = NULL;
	int r = -1, same, w0, da = 0, db = 0, diffit;

	/* a file in one tree only is read only to diff it (-N) or to lint it */
	if (!(ea && eb) && !t->o->new_file &&
	    !(eb && !t->o->no_lint && (f != TD_TEXT || isdotqmail(nm) || isassign(t->rel.s))))
		return 0;
	mfile_mem(&ma, "", 0);
	mfile_mem(&mb, "", 0);
	if (ea && mfile_openat(&ma, fa, nm, NULL) < 0)
		return fail(t, "read", t->o->name_a);
	if (eb && mfile_openat(&mb, fb, nm, NULL) < 0) {
		mfile_close(&ma);
		return fail(t, "read", t->o->name_b);
	}
	if ((ea && (sa = name(t, &t->na, 'a')) == NULL) || (eb && (sb = name(t, &t->nb, 'b')) == NULL))
		goto oom;
	same = ea && eb && ma.len == mb.len && (ma.len == 0 || memcmp(ma.p, mb.p, ma.len) == 0);
	diffit = !same && ((ea && eb) || t->o->new_file);
	buf_reset(&t->ta);
	buf_reset(&t->tb);
	w0 = finding_start(t);
	if (eb && !t->o->no_lint) {
		if (isdotqmail(nm))
			lint_dotqmail(t, &eb->st, mb.p, mb.len, sb);
		if (isassign(t->rel.s) && lint_assign(t, fb, nm, sb) < 0)
			goto done;
	}
	if (f != TD_TEXT && eb && (diffit || !t->o->no_lint)) {
		db = tdiff_decode(&t->tb, f, mb.p, mb.len, sb, t->d);
		if (db < 0)
			goto oom;
	}
	finding_end(t, w0);
	if (!diffit) {
		r = 0;
		goto done;
	}
	if (f != TD_TEXT && ea) {
		da = tdiff_decode(&t->ta, f, ma.p, ma.len, sa, t->d);
		if (da < 0)
			goto oom;
	}
	if (f == TD_TEXT && (udiff_is_binary(ma.p, ma.len) || udiff_is_binary(mb.p, mb.len)))
		da = 1;
	if (da || db) {
		r = binary(t, ma.len, mb.len, ea != NULL, eb != NULL);
		goto done;
	}
	if (f == TD_TEXT) {
		buf_reset(&t->ta);
		buf_reset(&t->tb);
		if (buf_append(&t->ta, ma.p, ma.len) < 0 || buf_append(&t->tb, mb.p, mb.len) < 0)
			goto oom;
	}
	r = showdiff(t, ea != NULL, eb != NULL, f, ma.len, mb.len);
	goto done;
oom:
	errno = ENOMEM;
done:
	mfile_close(&ma);
	mfile_close(&mb);
	if (t->ta.cap > (1u << 24)) {
		buf_free(&t->ta);
		buf_free(&t->tb);
	}
	return r;
}

/* ---- directories ---- */

static void list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int entcmp(const void *x, const void *y)
{
	return strcmp(((const struct ent *)x)->name, ((const struct ent *)y)->name);
}

/* list - every entry of the directory fd (not . and ..), lstat'ed, sorted by name */
static int list(int fd, struct list *l)
{
	DIR *dir;
	struct dirent *de;
	int dfd = dup(fd), e;

	memset(l, 0, sizeof(*l));
	if (dfd < 0)
		return -1;
	dir = fdopendir(dfd);
	if (dir == NULL) {
		close(dfd);
		return -1;
	}
	rewinddir(dir);
	for (;;) {
		struct ent *n;

		errno = 0;
		de = readdir(dir);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (l->n == l->cap) {
			size_t ncap = l->cap ? l->cap * 2 : 32;

			n = realloc(l->v, ncap * sizeof(*n));
			if (n == NULL) {
				errno = ENOMEM;
				goto fail;
			}
			l->v = n;
			l->cap = ncap;
		}
		n = &l->v[l->n];
		if (fstatat(fd, de->d_name, &n->st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;	/* gone meanwhile */
			goto fail;
		}
		n->name = strdup(de->d_name);
		if (n->name == NULL) {
			errno = ENOMEM;
			goto fail;
		}
		l->n++;
	}
	if (errno != 0)
		goto fail;
	closedir(dir);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), entcmp);
	return 0;
fail:
	e = errno;
	closedir(dir);
	list_free(l);
	errno = e;
	return -1;
}

static int walk(struct tw *t, int fa, int fb, const struct stat *dirst_b, int depth);

static int subdir(int fd, const char *nm)
{
	return openat(fd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* descend - walk the directory nm, present in A (fa >= 0) and/or B */
static int descend(struct tw *t, int fa, int fb, const char *nm, const struct stat *stb, int depth)
{
	int sa = -1, sb = -1, r;

	if (depth >= MAXDEPTH) {
		diag_add(t->d, DIAG_WARN, "S2Q-D050", name(t, &t->na, fb >= 0 ? 'b' : 'a'), 0,
			 "directories nested deeper than %d levels: not compared", MAXDEPTH);
		if (rec(t, "not_compared") < 0 || rec_end(t) < 0)
			return -1;
		return 0;
	}
	if (fa >= 0 && (sa = subdir(fa, nm)) < 0)
		return fail(t, "open directory", t->o->name_a);
	if (fb >= 0 && (sb = subdir(fb, nm)) < 0) {
		if (sa >= 0)
			close(sa);
		return fail(t, "open directory", t->o->name_b);
	}
	r = walk(t, sa, sb, stb, depth + 1);
	if (sa >= 0)
		close(sa);
	if (sb >= 0)
		close(sb);
	return r;
}

/* entry - one name of the merged listing */
static int entry(struct tw *t, int fa, int fb, const struct ent *ea, const struct ent *eb,
		 int depth)
{
	const char *nm = ea ? ea->name : eb->name;

	if (ea && eb && (ea->st.st_mode & S_IFMT) == (eb->st.st_mode & S_IFMT)) {
		if (meta(t, &ea->st, &eb->st) < 0)
			return -1;
		if (S_ISDIR(ea->st.st_mode))
			return descend(t, fa, fb, nm, &eb->st, depth);
		if (S_ISREG(ea->st.st_mode))
			return content(t, fa, fb, nm, ea, eb);
		if (S_ISLNK(ea->st.st_mode))
			return symlinks(t, fa, fb, nm);
		return 0;
	}
	if (ea && eb) {
		if (change(t, "type", tname(ea->st.st_mode), tname(eb->st.st_mode)) < 0)
			return -1;
	} else if (only(t, ea ? fa : fb, ea ? ea : eb, ea ? 'a' : 'b') < 0) {
		return -1;
	}
	if (ea && S_ISDIR(ea->st.st_mode) && descend(t, fa, -1, nm, NULL, depth) < 0)
		return -1;
	if (eb && S_ISDIR(eb->st.st_mode) && descend(t, -1, fb, nm, &eb->st, depth) < 0)
		return -1;
	if ((ea && S_ISREG(ea->st.st_mode)) || (eb && S_ISREG(eb->st.st_mode)))
		return content(t, fa, fb, nm, ea && S_ISREG(ea->st.st_mode) ? ea : NULL,
			       eb && S_ISREG(eb->st.st_mode) ? eb : NULL);
	return 0;
}

static int walk(struct tw *t, int fa, int fb, const struct stat *dirst_b, int depth)
{
	struct list la, lb;
	size_t i = 0, j = 0, keep = t->rel.len;
	int r = 0;

	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	if (fa >= 0 && list(fa, &la) < 0)
		return fail(t, "list", t->o->name_a);
	if (fb >= 0 && list(fb, &lb) < 0) {
		list_free(&la);
		return fail(t, "list", t->o->name_b);
	}
	if (fb >= 0 && !t->o->no_lint && dirst_b && t->rel.len &&
	    hset_set(&t->bdirs, t->rel.s, t->rel.len, (unsigned long)dirst_b->st_mode) < 0) {
		errno = ENOMEM;
		r = -1;
		goto done;
	}
	if (fb >= 0 && !t->o->no_lint) {
		const char *shown = name(t, &t->nb, 'b');
		int w0 = finding_start(t), home = 0;

		if (shown == NULL) {
			errno = ENOMEM;
			r = -1;
			goto done;
		}
		for (i = 0; i < lb.n; i++)
			if (isdotqmail(lb.v[i].name))
				home = 1;
		if (home && dirst_b && hset_put(&t->homeseen, t->rel.s ? t->rel.s : "", t->rel.len, 0,
						NULL) > 0)
			lint_home(t, dirst_b, shown);
		if (strcmp(basename_(t->rel.s ? buf_cstr(&t->rel) : ""), "control") == 0)
			lint_control(t, &lb, shown);
		finding_end(t, w0);
		i = 0;
	}
	while (r == 0 && (i < la.n || j < lb.n)) {
		int c = i >= la.n ? 1 : j >= lb.n ? -1 : strcmp(la.v[i].name, lb.v[j].name);
		const struct ent *ea = c <= 0 ? &la.v[i] : NULL, *eb = c >= 0 ? &lb.v[j] : NULL;
		const char *nm = ea ? ea->name : eb->name;

		t->rel.len = keep;
		if ((keep && buf_append_c(&t->rel, '/') < 0) || buf_append_s(&t->rel, nm) < 0 ||
		    buf_cstr(&t->rel) == NULL) {
			errno = ENOMEM;
			r = -1;
			break;
		}
		r = entry(t, fa, fb, ea, eb, depth);
		if (ea)
			i++;
		if (eb)
			j++;
	}
	t->rel.len = keep;
	buf_cstr(&t->rel);
done:
	list_free(&la);
	list_free(&lb);
	return r;
}

/* homes - the home directories tree B's users/assign names (absolute paths are
 * taken below TREE_B), checked as qmail-local would */
static int homes(struct tw *t)
{
	size_t i = 0;

	while (i < t->homes.len) {
		const char *h = t->homes.s + i;
		size_t n = strlen(h);
		buf rel = BUF_INIT;
		struct stat st;
		unsigned long mode;
		int w0;

		i += n + 1;
		while (*h == '/')
			h++;
		if (buf_append_s(&rel, h) < 0 || buf_cstr(&rel) == NULL)
			goto oom;
		while (rel.len > 0 && rel.s[rel.len - 1] == '/')
			rel.s[--rel.len] = '\0';
		if (rel.len == 0 || !aw_relpath_ok(rel.s) ||
		    hset_put(&t->homeseen, rel.s, rel.len, 0, NULL) <= 0) {
			buf_free(&rel);
			continue;
		}
		/* every directory of tree B was seen by the walk (without following links) */
		if (hset_get(&t->bdirs, rel.s, rel.len, &mode)) {
			memset(&st, 0, sizeof(st));
			st.st_mode = (mode_t)mode;
			buf_reset(&t->nb);
			if (buf_printf(&t->nb, "%s/", t->o->name_b) < 0 ||
			    disp(&t->nb, rel.s, rel.len) < 0 || buf_cstr(&t->nb) == NULL)
				goto oom;
			w0 = finding_start(t);
			lint_home(t, &st, t->nb.s);
			finding_end(t, w0);
		}
		buf_free(&rel);
		continue;
oom:
		buf_free(&rel);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int tdiff_trees(const struct tdiff_opts *opts, int rootfd_a, int rootfd_b,
		const struct udiff_sink *out, struct diag_sink *d, struct tdiff_stats *st,
		buf *err)
{
	struct tw t;
	struct stat sb;
	int r;

	memset(&t, 0, sizeof(t));
	memset(st, 0, sizeof(*st));
	t.o = opts;
	t.out = out;
	t.d = d;
	t.st = st;
	t.err = err;
	t.rootb = rootfd_b;
	hset_init(&t.homeseen);
	hset_init(&t.bdirs);
	if (buf_cstr(&t.rel) == NULL)
		goto oom;
	if (opts->json && (buf_append_s(&t.ob, "{\"program\":\"s2q-diff\",\"a\":") < 0 ||
			   json_str(&t.ob, opts->name_a, strlen(opts->name_a)) < 0 ||
			   buf_append_s(&t.ob, ",\"b\":") < 0 ||
			   json_str(&t.ob, opts->name_b, strlen(opts->name_b)) < 0 ||
			   buf_append_s(&t.ob, ",\"changes\":[") < 0))
		goto oom;
	if (fstat(rootfd_b, &sb) < 0) {
		r = fail(&t, "stat", opts->name_b);
		goto done;
	}
	r = walk(&t, rootfd_a, rootfd_b, &sb, 0);
	if (r == 0 && !opts->no_lint)
		r = homes(&t);
	if (r == 0 && opts->json) {
		if (buf_printf(&t.ob, "\n],\"differences\":%lu,\"findings\":%lu,\"diagnostics\":",
			       st->ndiff, st->nfind) < 0)
			goto oom;
		{
			size_t i;

			if (buf_append_c(&t.ob, '[') < 0)
				goto oom;
			for (i = 0; i < d->n; i++)
				if ((i && buf_append_c(&t.ob, ',') < 0) || diag_json(&t.ob, &d->v[i]) < 0)
					goto oom;
			if (buf_append_s(&t.ob, "]}\n") < 0)
				goto oom;
		}
	}
	if (r == 0 && d->oom) {
		errno = ENOMEM;
		r = -1;
	}
	if (r == 0)
		r = flush(&t);
	goto done;
oom:
	errno = ENOMEM;
	r = -1;
done:
	if (r < 0 && err->len == 0) {
		int e = errno;

		buf_append_s(err, "compare the trees");
		buf_cstr(err);
		errno = e;
	}
	buf_free(&t.rel);
	buf_free(&t.ob);
	buf_free(&t.ta);
	buf_free(&t.tb);
	buf_free(&t.jd);
	buf_free(&t.la);
	buf_free(&t.lb);
	buf_free(&t.na);
	buf_free(&t.nb);
	buf_free(&t.homes);
	hset_free(&t.homeseen);
	hset_free(&t.bdirs);
	return r;
}
