/* emit/fwdqmail - a user's sendmail .forward -> the same meaning as ~user/.qmail */
#ifndef S2Q_EMIT_FWDQMAIL_H
#define S2Q_EMIT_FWDQMAIL_H

#include <stddef.h>

#include "../parse/forward.h"
#include "../util/buf.h"
#include "../util/diag.h"

/*
 * The mapping (MIGRATION.md ".forward files"; diagnostics S2Q-F020..F039):
 *
 *   .forward element               ~user/.qmail line
 *   remote address a@b             &a@b
 *   local name bob, bob@<class w>  &bob@ME (bob's own aliases/.qmail apply, as in sendmail)
 *   the user's own name, \user     the default delivery line (DEFAULTDELIVERY, e.g.
 *                                  ./Maildir/): qmail-start's delivery, written out
 *                                  because a .qmail replaces it
 *   \other                         &other@ME, note F022: sendmail skipped other's
 *                                  aliases and .forward, qmail applies other's .qmail
 *   "|prog args"                   |PRELINE sh -c 'prog args' (sendmail's prog mailer
 *                                  gives programs a From_ line; preline adds it), note
 *   /file                          /file (mbox, appended with a From_ line, as sendmail)
 *   :include:list                  the list's addresses as read now (a snapshot), note
 *   error:..., <>, a@              dropped, warning (sendmail bounced that element)
 *
 * Nothing left that delivers (every element dropped) -> |BOUNCESAYING
 * 'Sorry, no mailbox here by that name. (#5.1.1)', warning F025 (sendmail
 * bounced the mail).  No .forward, one sendmail ignores, or one with no
 * element at all -> no .qmail (qmail's default delivery = sendmail's local
 * mailbox).  Equal lines are written once (sendmail suppresses duplicate
 * recipients; qmail would deliver twice).
 */
struct fwdq_opts {
	const char *me;		/* domain for local names (the new host's control/me) */
	const char *defaultdelivery;	/* qmail-start's default delivery, one .qmail line
					   ("./Maildir/", "./Mailbox") */
	const char *preline;	/* e.g. "/var/qmail/bin/preline" */
	const char *bouncesaying;	/* e.g. "/var/qmail/bin/bouncesaying" */
};

/*
 * fwdq_content - the .qmail text for f (read by forward_read for u) into
 * out (replaced).  Diagnostics at the .forward's (or list's) FILE:LINE.
 * 1: a .qmail is needed (out holds it), 0: none (out empty), -1 ENOMEM.
 * An element that cannot be written as a .qmail line is an error
 * (S2Q-F030): the caller must refuse.
 */
int fwdq_content(const struct fwdq_opts *o, const struct forward_user *u,
		 const struct forward_file *f, buf *out, struct diag_sink *d);

/*
 * fwdq_relpath - where ~user/.qmail goes below OUTROOT: the home with its
 * leading '/' removed, plus "/.qmail" (homes keep their old-host paths in
 * the staged tree, as users/assign names them).  -1 EINVAL: home not
 * absolute, "/" alone, or with an empty, "." or ".." component, a NUL or a
 * control byte; ENOMEM.
 */
int fwdq_relpath(buf *out, const char *home);

struct fwdq_result {
	int need;		/* 1: a .qmail is meant (content), 0: none */
	int written;		/* 1: it was written under outrootfd */
	size_t errors;		/* error diagnostics for this user: nothing written */
	enum forward_state state;	/* what forward_read found */
	buf content;		/* the .qmail text */
	buf rel;		/* its path below OUTROOT ("home/alice/.qmail") */
};

void fwdq_result_init(struct fwdq_result *r);
void fwdq_result_free(struct fwdq_result *r);

/*
 * fwdq_user - one passwd entry: read its .forward below srootfd (the copied
 * old host), convert it and, if outrootfd >= 0, need is 1 and the user has
 * no error, write res->rel under outrootfd with the atomic writer (mode
 * 0644, missing directories created 0755, no link followed, never outside
 * OUTROOT).  With outrootfd -1 nothing is written (check / dry run; the
 * caller may write res->content to res->rel itself, e.g. in an outtx).
 * 0, or -1 with errno (ENOMEM; a write error: res->rel names the file).
 */
int fwdq_user(int srootfd, const struct forward_user *u, const struct forward_opts *fo,
	      const struct fwdq_opts *o, int outrootfd, struct fwdq_result *res,
	      struct diag_sink *d);

#endif
