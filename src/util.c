/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping for QEMU option values and POSIX shell words. */
#include <string.h>

#include "util.h"

void pl_put_qemu_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			fputc(',', out);
		fputc(*s, out);
	}
}

void pl_put_shell_word(FILE *out, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_-.,:=/@%+";

	if (*s && strspn(s, safe) == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}
