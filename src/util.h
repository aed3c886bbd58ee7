/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping for the target syntaxes and for quoting input in messages, in one place. */
#ifndef PL_UTIL_H
#define PL_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Write s with QEMU's option escaping: every ',' doubled. */
void pl_put_qemu_value(FILE *out, const char *s);
/* Write s as one POSIX shell word: bare when it holds only safe characters, else single-quoted. */
void pl_put_shell_word(FILE *out, const char *s);

/* The length (1-4) of the well-formed UTF-8 character at s (n bytes left), 0 when it is not one
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). NUL counts as one. */
size_t pl_utf8_len(const char *s, size_t n);

/*
 * Quote input in an error message: at most PL_EXCERPT_COLS columns of s[0..len), control
 * characters, DEL and bytes that are not UTF-8 written as \xNN (a backslash as \\), "..." when
 * cut. Always NUL-terminates buf; returns it. A buffer of PL_EXCERPT_SIZE holds any excerpt.
 */
#define PL_EXCERPT_COLS 40
#define PL_EXCERPT_SIZE (4 * PL_EXCERPT_COLS + 4)
char *pl_excerpt_n(char *buf, size_t size, const char *s, size_t len);
/* The same for a NUL-terminated string (NULL gives ""). */
char *pl_excerpt(char *buf, size_t size, const char *s);

/*
 * Read fd to its end into a new NUL-terminated buffer. Input is never mapped (a file that
 * shrinks would kill us with SIGBUS) and never grows without bound: 0, or -1 with errno set,
 * EFBIG when there is more than cap bytes (/dev/zero, a pipe that never ends).
 */
int pl_read_all(int fd, size_t cap, char **buf, size_t *len);

/*
 * Room for element n of the array *p of size-byte elements, *cap of them allocated: the array
 * doubles when full, so appending stays linear (realloc by one element copies it all each time
 * under ASan, and where glibc cannot grow in place). 0, or -1 with *p and *cap unchanged.
 */
int pl_grow(void **p, size_t *cap, size_t n, size_t size);

#endif
