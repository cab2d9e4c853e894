/* emit/fwdqmail - a user's sendmail .forward -> the same meaning as ~user/.qmail */
#include "fwdqmail.h"

#include <errno.h>
#include <string.h>

#include "dotqmail.h"
#include "../util/aw.h"
#include "../util/hset.h"
#include "../util/shword.h"

static const char nomailbox[] = "Sorry, no mailbox here by that name. (#5.1.1)";

struct ctx {
	const struct fwdq_opts *o;
	const struct forward_user *u;
	const struct forward_file *f;
	struct diag_sink *d;
	buf *out;
	buf line, tmp;
	struct hset seen;	/* lines written (equal lines once) */
	struct hset incs;	/* include paths expanded */
	size_t delivering;	/* lines that deliver */
};


/* put - one .qmail line (kind + s), once; 0, or -1 ENOMEM */
static int put(struct ctx *c, char kind, const char *s, size_t n, const char *file,
	       unsigned long ln)
{
	buf_reset(&c->line);
	if (dotqmail_line(&c->line, kind, s, n) < 0) {
		if (errno != EINVAL)
			return -1;
		return diag_add(c->d, DIAG_ERROR, "S2Q-F030", file, ln,
				"'%c%.*s' cannot be written as a .qmail line that qmail-local reads "
				"back the same (a newline, NUL, trailing blank or empty target)", kind,
				(int)n, s);
	}
	c->delivering++;
	if (hset_put(&c->seen, c->line.s, c->line.len, 1, NULL) == 0)
		return 0;	/* already written */
	return buf_append(c->out, c->line.s, c->line.len);
}

/* deflt - the default delivery line, where the user asked for a local copy */
static int deflt(struct ctx *c, const char *file, unsigned long ln)
{
	const char *dd = c->o->defaultdelivery;
	size_t n = strlen(dd);

	if (n == 0 || dd[n - 1] == '\n' || strchr(dd, '\n') != NULL ||
	    !(dd[0] == '.' || dd[0] == '/' || dd[0] == '|' || dd[0] == '&'))
		return diag_add(c->d, DIAG_ERROR, "S2Q-F031", file, ln,
				"the default delivery '%s' is not one .qmail delivery line", dd);
	if (dd[0] == '.') {
		/* ./Maildir/ and ./Mailbox: relative to the home, written as is */
		buf_reset(&c->line);
		if (buf_append(&c->line, dd, n) < 0 || buf_append_c(&c->line, '\n') < 0)
			return -1;
		c->delivering++;
		if (hset_put(&c->seen, c->line.s, c->line.len, 1, NULL) == 0)
			return 0;
		return buf_append(c->out, c->line.s, c->line.len);
	}
	if (dd[0] == '/')
		return put(c, '/', dd, n, file, ln);
	return put(c, dd[0], dd + 1, n - 1, file, ln);
}

static int local_fwd(struct ctx *c, const char *name, const char *file, unsigned long ln)
{
	buf_reset(&c->tmp);
	if (c->o->me == NULL || c->o->me[0] == '\0')
		return diag_add(c->d, DIAG_ERROR, "S2Q-F032", file, ln,
				"local name '%s' needs the host name (me) to be forwarded", name);
	if (buf_printf(&c->tmp, "%s@%s", name, c->o->me) < 0)
		return -1;
	return put(c, '&', c->tmp.s, c->tmp.len, file, ln);
}

static int elems(struct ctx *c, const struct alias_list *l, const char *file, int depth,
		 unsigned long owner);

static int elem(struct ctx *c, const struct alias_elem *e, const char *file, unsigned long ln,
		int depth, unsigned long owner)
{
	const struct forward_user *u = c->u;
	const char *t = alias_elem_text(e) ? alias_elem_text(e) : "";
	const char *raw = alias_elem_raw(e) ? alias_elem_raw(e) : t, *local = alias_elem_local(e);
	size_t tl = strlen(t);

	switch (e->kind) {
	case ALIAS_LOCAL:
		if (tl == 0)
			return 0;	/* a lone backslash ("bob,\"): sendmail skips it */
		if (strcmp(t, u->name) == 0)
			return deflt(c, file, ln);
		if (diag_add(c->d, DIAG_NOTE, "S2Q-F022", file, ln,
			     "\\%s: sendmail delivered to %s's mailbox directly, skipping %s's aliases "
			     "and .forward; qmail forwards to %s@%s, where %s's .qmail applies", t, t, t,
			     t, c->o->me ? c->o->me : "ME", t) < 0)
			return -1;
		return local_fwd(c, t, file, ln);
	case ALIAS_ADDR:
		if (tl == 0 || t[tl - 1] == '@' || (local != NULL && local[0] == '\0'))
			return diag_add(c->d, DIAG_WARN, "S2Q-F024", file, ln,
					"'%s' is not a deliverable address: sendmail bounces it for this "
					"element only; not converted", raw);
		if (local != NULL) {
			size_t un = strlen(u->name);

			if (strcmp(local, u->name) == 0)
				return deflt(c, file, ln);	/* sendmail: self reference */
			/* name+detail: ruleset 5 takes the detail off, the user's .forward
			   names the user again, a self reference: the mailbox */
			if (strncmp(local, u->name, un) == 0 && local[un] == '+') {
				if (diag_add(c->d, DIAG_NOTE, "S2Q-F028", file, ln,
					     "'%s' is %s with a +detail: sendmail reads this .forward "
					     "again for it and delivers to the mailbox (unless an alias "
					     "%s or %s+* catches it first); so does the .qmail", raw,
					     u->name, local, u->name) < 0)
					return -1;
				return deflt(c, file, ln);
			}
			return local_fwd(c, local, file, ln);
		}
		if (t[0] == '@' && strrchr(t, ':') != NULL) {
			/* a source route @relay:user@host: sendmail delivers to user@host */
			const char *a = strrchr(t, ':') + 1;

			if (diag_add(c->d, DIAG_NOTE, "S2Q-F023", file, ln,
				     "source route '%s': sendmail delivers to '%s'; so does the .qmail", t,
				     a) < 0)
				return -1;
			return put(c, '&', a, strlen(a), file, ln);
		}
		return put(c, '&', t, tl, file, ln);
	case ALIAS_PROG:
	case ALIAS_FILE:
		if (c->f->bad_shell)
			return diag_add(c->d, DIAG_WARN, "S2Q-F011", file, ln,
					"'%s': sendmail refuses it (\"User %s doesn't have a valid shell "
					"for mailing to %s\"); not converted (qmail-local would run it)",
					raw, u->name,
					e->kind == ALIAS_PROG ? "programs" : "files");
		if (depth > 0 && owner != u->uid && owner != 0 &&
		    diag_add(c->d, DIAG_NOTE, "S2Q-F027", file, ln,
			     "'%s' comes from a list owned by uid %lu: sendmail ran it as that user, "
			     "qmail-local runs it as %s", raw, owner, u->name) < 0)
			return -1;
		if (e->kind == ALIAS_FILE) {
			if (tl > 0 && t[tl - 1] == '/')
				return diag_add(c->d, DIAG_WARN, "S2Q-F021", file, ln,
						"file target '%s' ends in '/': sendmail cannot append to a "
						"directory (the element fails), qmail would make it a maildir; "
						"not converted", t);
			return put(c, '/', t, tl, file, ln);
		}
		{
			if (diag_add(c->d, DIAG_NOTE, "S2Q-F020", file, ln,
				     "program '%s' runs as %s through %s (the From_ line sendmail's prog "
				     "mailer gave it; also Return-Path and Delivered-To) and /bin/sh -c "
				     "in the home directory, as before; its environment is qmail-local's "
				     "(SENDER, RECIPIENT, LOCAL, HOST, ... instead of sendmail's), no "
				     "smrsh restriction applies, and a temporary failure makes qmail "
				     "retry the whole .qmail (other lines delivered again)",
				     t, u->name, c->o->preline) < 0)
				return -1;
		}
		buf_reset(&c->tmp);
		if (sh_word(&c->tmp, c->o->preline) < 0 || buf_append_s(&c->tmp, " sh -c ") < 0 ||
		    sh_word(&c->tmp, t) < 0 || buf_cstr(&c->tmp) == NULL)
			return -1;
		if (strchr(t, '\n') != NULL || tl == 0)
			return diag_add(c->d, DIAG_ERROR, "S2Q-F030", file, ln,
					"program '%s' cannot be written as one .qmail line", t);
		return put(c, '|', c->tmp.s, c->tmp.len, file, ln);
	case ALIAS_INCLUDE: {
		const struct forward_inc *inc = forward_inc_find(c->f, t);

		if (inc == NULL || inc->missing)
			return diag_add(c->d, DIAG_WARN, "S2Q-F026", file, ln,
					":include:%s could not be read: sendmail fails this element at "
					"delivery; not converted", t);
		if (hset_put(&c->incs, t, tl, 1, NULL) == 0)
			return 0;	/* each list once, as sendmail's duplicate suppression */
		if (diag_add(c->d, DIAG_NOTE, "S2Q-F026", file, ln,
			     ":include:%s: sendmail read the list at every delivery; the .qmail holds "
			     "its %zu address%s as they are now (later edits of the list have no "
			     "effect)", t, inc->list.nelems, inc->list.nelems == 1 ? "" : "es") < 0)
			return -1;
		return elems(c, &inc->list, inc->path, depth + 1, inc->owner);
	}
	case ALIAS_ERROR:
	default:
		return diag_add(c->d, DIAG_WARN, "S2Q-F024", file, ln,
				"'%s' is an RFC 822 group to sendmail, the rest routed as a local name "
				"(\"User unknown\" unless a relay took unknown names); not converted",
				raw);
	}
}

static int elems(struct ctx *c, const struct alias_list *l, const char *file, int depth,
		 unsigned long owner)
{
	size_t i;

	for (i = 0; i < l->nelems; i++)
		if (elem(c, &l->elems[i], file, l->lines[i], depth, owner) < 0)
			return -1;
	return 0;
}

int fwdq_content(const struct fwdq_opts *o, const struct forward_user *u,
		 const struct forward_file *f, buf *out, struct diag_sink *d)
{
	struct ctx c;
	int rv = -1;

	buf_reset(out);
	if (f->state != FWD_READ || f->list.nelems == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.u = u;
	c.f = f;
	c.d = d;
	c.out = out;
	hset_init(&c.seen);
	hset_init(&c.incs);
	if (buf_append_s(out, "# from ") < 0 || buf_append_s(out, f->path) < 0 ||
	    buf_append_s(out, " by s2q\n") < 0)
		goto out;
	if (memchr(f->path, '\n', strlen(f->path)) != NULL) {
		buf_reset(out);
		if (buf_append_s(out, "# from .forward by s2q\n") < 0)
			goto out;
	}
	if (elems(&c, &f->list, f->path, 0, u->uid) < 0)
		goto out;
	if (c.delivering == 0) {
		if (diag_add(d, DIAG_WARN, "S2Q-F025", f->path, 0,
			     "nothing in this .forward delivers: sendmail bounced mail to %s; the "
			     ".qmail bounces it too (bouncesaying)", u->name) < 0)
			goto out;
		buf_reset(&c.tmp);
		if (sh_word(&c.tmp, o->bouncesaying) < 0 || buf_append_c(&c.tmp, ' ') < 0 ||
		    sh_word(&c.tmp, nomailbox) < 0 || buf_cstr(&c.tmp) == NULL ||
		    put(&c, '|', c.tmp.s, c.tmp.len, f->path, 0) < 0)
			goto out;
	}
	rv = 1;
out:
	hset_free(&c.seen);
	hset_free(&c.incs);
	buf_free(&c.line);
	buf_free(&c.tmp);
	if (rv < 0)
		errno = ENOMEM;
	return rv;
}

int fwdq_relpath(buf *out, const char *home)
{
	const char *h = home;
	size_t n, i;

	buf_reset(out);
	if (h == NULL || h[0] != '/')
		goto bad;
	while (*h == '/')
		h++;
	n = strlen(h);
	while (n > 0 && h[n - 1] == '/')
		n--;
	if (n == 0)
		goto bad;
	for (i = 0; i < n; i++)
		if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f)
			goto bad;
	if (buf_append(out, h, n) < 0 || buf_append_s(out, "/.qmail") < 0 || buf_cstr(out) == NULL)
		return -1;
	if (!aw_relpath_ok(out->s)) {
		buf_reset(out);
		goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

void fwdq_result_init(struct fwdq_result *r)
{
	memset(r, 0, sizeof(*r));
}

void fwdq_result_free(struct fwdq_result *r)
{
	buf_free(&r->content);
	buf_free(&r->rel);
	memset(r, 0, sizeof(*r));
}

int fwdq_user(int srootfd, const struct forward_user *u, const struct forward_opts *fo,
	      const struct fwdq_opts *o, int outrootfd, struct fwdq_result *res,
	      struct diag_sink *d)
{
	struct forward_file f;
	size_t nerr0 = d->nerr;
	int r, rv = -1;

	res->need = res->written = 0;
	res->errors = 0;
	buf_reset(&res->content);
	buf_reset(&res->rel);
	if (forward_read(srootfd, u, fo, &f, d) < 0)
		return -1;
	res->state = f.state;
	r = fwdq_content(o, u, &f, &res->content, d);
	if (r < 0)
		goto out;
	res->need = r;
	if (r == 1 && fwdq_relpath(&res->rel, u->home) < 0) {
		if (errno != EINVAL)
			goto out;
		if (diag_add(d, DIAG_ERROR, "S2Q-F033", f.path, 0,
			     "home directory '%s' of %s cannot be placed below the output root", u->home,
			     u->name) < 0)
			goto out;
	}
	res->errors = d->nerr - nerr0;
	if (outrootfd >= 0 && res->need && res->errors == 0) {
		const char *rel = res->rel.s;
		const char *slash = strrchr(rel, '/');
		buf dir = BUF_INIT;

		if (buf_copy(&dir, rel, (size_t)(slash - rel)) < 0 || buf_cstr(&dir) == NULL) {
			buf_free(&dir);
			goto out;
		}
		/* the directories first (0755), then the file: never a link, never outside */
		r = dotqmail_write(outrootfd, dir.s, ".qmail", res->content.s, res->content.len,
				   AW_MKDIRS);
		buf_free(&dir);
		if (r < 0)
			goto out;
		res->written = 1;
	}
	rv = 0;
out:
	forward_file_free(&f);
	return rv;
}
