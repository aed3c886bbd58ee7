/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dump reader of libpci 3.9 (lib/dump.c), rule for rule, minus its sscanf per byte: a
 * 10,000-function dump took libpci 2.4 G instructions. Lines are read as fgets(buf, 255)
 * would; anything on which libpci errs, crashes or keeps odd state defers to it instead.
 */
#include <stdlib.h>
#include <string.h>

#include "dumpread.h"
#include "util.h"

#define LINE_MAX_CHARS 253      /* fgets(buf, 255) holds 254 characters, the newline included */
#define DUMP_CFG_MAX 4096       /* libpci refuses bytes at or past this offset */

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* libpci's dump_validate(): '#' is a hex digit, anything else itself */
static bool shape(const char *s, size_t len, const char *pat)
{
	size_t i;

	for (i = 0; pat[i]; i++)
		if (i >= len || (pat[i] == '#' ? hex((unsigned char)s[i]) < 0 : s[i] != pat[i]))
			return false;
	return true;
}

static unsigned long hexnum(const char *s, size_t n)
{
	unsigned long v = 0;

	while (n--)
		v = v << 4 | (unsigned long)hex((unsigned char)*s++);
	return v;
}

/* A header line "[[dddd]d:]bb:dd.f ": 1 and the slot, 0 when not one, -1 to defer. */
static int header(const char *s, size_t len, struct pl_bdf *b, const char **why)
{
	size_t dom;

	if (shape(s, len, "##:##.# "))
		dom = 0;
	else if (shape(s, len, "####:##:##.# "))
		dom = 4;
	else if (shape(s, len, "#####:##:##.# "))
		dom = 5;
	else
		return 0;
	b->domain = (uint32_t)hexnum(s, dom);
	s += dom ? dom + 1 : 0;
	b->bus = (uint8_t)hexnum(s, 2);
	/* libpci takes the function with %d: a letter there is no header, and it keeps the
	 * previous function current; a device past 1f or a function past 7 it stores oddly */
	if (s[6] < '0' || s[6] > '9') {
		*why = "a slot with a letter for its function";
		return -1;
	}
	if (hexnum(s + 3, 2) > 0x1f || s[6] > '7') {
		*why = "a device number past 1f or a function past 7";
		return -1;
	}
	b->dev = (uint8_t)hexnum(s + 3, 2);
	b->fn = (uint8_t)(s[6] - '0');
	return 1;
}

/* A data line "offset: bb bb ..." of the current function: 0 read or ignored, -1 to defer. */
static int data(const char *s, size_t len, struct pl_dump_fn *f, const char **why)
{
	size_t k = 0;
	unsigned long off;
	const char *z, *e = s + len;

	while (k < len && k <= 8 && hex((unsigned char)s[k]) >= 0)
		k++;
	if (k < 2 || k > 8 || k + 1 >= len || s[k] != ':' || s[k + 1] != ' ')
		return 0;               /* not a data line: libpci skips it too */
	off = hexnum(s, k);
	if (off >= DUMP_CFG_MAX) {
		/* libpci errs, or writes before its buffer when the offset is negative as an int */
		*why = "an offset past the 4096 bytes of config space";
		return -1;
	}
	for (z = s + k + 2; e - z >= 2 && hex((unsigned char)z[0]) >= 0 && hex((unsigned char)z[1]) >= 0 &&
			    (e - z == 2 || z[2] == ' ');
	     off++) {
		if (off >= DUMP_CFG_MAX) {
			*why = "bytes past the 4096 bytes of config space";
			return -1;
		}
		if (off < PL_CFG_SIZE)
			f->bytes[off] = (uint8_t)(hex((unsigned char)z[0]) << 4 | hex((unsigned char)z[1]));
		if (off + 1 > f->len)
			f->len = (unsigned)off + 1;
		z += 2;
		if (z < e)
			z++;
	}
	if (z < e) {
		*why = "a malformed data line";
		return -1;
	}
	return 0;
}

static struct pl_dump_fn *add(struct pl_dump *d, const struct pl_bdf *b)
{
	struct pl_dump_fn *f;

	if (pl_grow((void **)&d->fns, &d->cap, d->n, sizeof(*d->fns)))
		return NULL;
	f = &d->fns[d->n++];
	f->bdf = *b;
	f->len = 0;
	memset(f->bytes, 0xff, sizeof(f->bytes));
	return f;
}

static int parse(const char *p, const char *end, struct pl_dump *d, const char **why)
{
	struct pl_dump_fn *cur = NULL;

	while (p < end) {
		size_t avail = (size_t)(end - p), len;
		const char *nl = memchr(p, '\n', avail < LINE_MAX_CHARS + 1 ? avail : LINE_MAX_CHARS + 1);
		struct pl_bdf b;
		int h;

		if (!nl) {
			*why = "a line too long or unterminated";
			return PL_DUMP_DEFER;
		}
		len = (size_t)(nl - p);
		if (memchr(p, 0, len)) {
			*why = "a NUL byte in a line";   /* libpci's strchr would miss the newline */
			return PL_DUMP_DEFER;
		}
		if (len && p[len - 1] == '\r')
			len--;
		h = header(p, len, &b, why);
		if (h < 0)
			return PL_DUMP_DEFER;
		if (h) {
			cur = add(d, &b);
			if (!cur)
				return PL_ENOMEM;
		} else if (!len) {
			cur = NULL;
		} else if (cur && data(p, len, cur, why)) {
			return PL_DUMP_DEFER;
		}
		p = nl + 1;
	}
	return PL_OK;
}

int pl_dump_parse(const char *text, size_t size, struct pl_dump *d, const char **why)
{
	int rc;

	memset(d, 0, sizeof(*d));
	*why = NULL;
	rc = parse(text, text + size, d, why);
	if (rc)
		pl_dump_free(d);
	return rc;
}

void pl_dump_free(struct pl_dump *d)
{
	free(d->fns);
	memset(d, 0, sizeof(*d));
}
