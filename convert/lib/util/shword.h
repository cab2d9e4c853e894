/* util/shword - one word for /bin/sh, for the program lines s2q writes itself */
#ifndef S2Q_UTIL_SHWORD_H
#define S2Q_UTIL_SHWORD_H

#include "buf.h"

/*
 * sh_word - append s as one word for /bin/sh: as it is when every byte is
 * one of [A-Za-z0-9/._+-=,:@%] (and s is not empty), else in single quotes
 * with each ' written '\''.  0, or -1 ENOMEM.
 */
int sh_word(buf *out, const char *s);

#endif
