/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping for the target syntaxes, in one place. */
#ifndef PL_UTIL_H
#define PL_UTIL_H

#include <stdio.h>

/* Write s with QEMU's option escaping: every ',' doubled. */
void pl_put_qemu_value(FILE *out, const char *s);
/* Write s as one POSIX shell word: bare when it holds only safe characters, else single-quoted. */
void pl_put_shell_word(FILE *out, const char *s);

#endif
