/* emit/dotqmail - .qmail files as qmail-local reads them (dot-qmail(5)) */
#ifndef S2Q_EMIT_DOTQMAIL_H
#define S2Q_EMIT_DOTQMAIL_H

#include <stddef.h>

#include "../util/buf.h"

/*
 * qmail-local looks for ".qmail" + dash + safeext, where safeext is the
 * extension with ASCII upper case lowered and every '.' turned into ':'
 * (../shared/ref/qmail.md §4.1).  So the alias user's file for the local
 * part NAME is ".qmail-" + safeext(NAME).
 *
 * dotqmail_filename - that file name into out (replaced, NUL-terminated).
 * -1 EINVAL when NAME cannot be a safe file name in the alias home: empty,
 * a '/' (a path into another directory), a NUL or other control byte
 * (0x01-0x1f, 0x7f), or a name longer than 255 bytes.  ENOMEM.
 */
int dotqmail_filename(buf *out, const char *name, size_t len);

/*
 * dotqmail_special - 1 if the file name ".qmail-" + safeext(NAME)
 * has a meaning of its own to qmail-local: "default" or "...-default"
 * (a catch-all for NAME-*), "...-owner" or "...-owner-default" (changes
 * the envelope sender of the forwards of the name before "-owner").
 */
int dotqmail_special(const char *name, size_t len);

/*
 * dotqmail_line - append one line of a .qmail file, checked so that
 * qmail-local reads back exactly the instruction meant (§4.3):
 *   '&'  forward to s          '|'  program s, run with /bin/sh -c
 *   '/'  mbox file s (absolute, must not end in '/': that is a maildir)
 *   '#'  comment s (may be empty)
 * -1 EINVAL: a NUL or newline in s, an empty forward/program/file, a
 * forward beginning with a blank, text ending in a space or tab (qmail-local
 * strips it), a file path that is not absolute or ends in '/'.  ENOMEM.
 */
int dotqmail_line(buf *out, char kind, const char *s, size_t n);

/* dotqmail_content_ok - 1 if content is non-empty lines of dotqmail_line (first line not blank) */
int dotqmail_content_ok(const char *content, size_t len);

/*
 * dotqmail_write - write content as dir/fname under rootfd, mode 0644 (no x
 * bit: the x bit would make qmail-local refuse program and file lines).
 * content must be non-empty lines made by dotqmail_line.  0 or -1 errno.
 */
int dotqmail_write(int rootfd, const char *dir, const char *fname, const char *content,
		   size_t len, unsigned flags);

#endif
