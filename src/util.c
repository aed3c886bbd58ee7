/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping for QEMU option values, POSIX shell words and input quoted in messages. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

size_t pl_utf8_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;               /* a continuation byte, an overlong lead, or past U+10FFFF */
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	/* the second byte's range rules out overlongs, surrogates and values past U+10FFFF */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* One character of s[0..len) as an excerpt shows it: *n bytes of input become the returned
 * bytes (esc when escaped); its width in columns is the length of what is shown, 1 for UTF-8. */
static const char *show(const char *s, size_t len, char esc[16], size_t *n, size_t *bytes, size_t *w)
{
	unsigned char c = (unsigned char)s[0];
	size_t u = pl_utf8_len(s, len);

	/* C1 controls (U+0080-U+009F) are terminal escapes too: CSI is U+009B */
	if (u == 1 && c >= 0x20 && c != 0x7f && c != '\\') {
		*n = *bytes = *w = 1;
		return s;
	}
	if (u > 1 && !(c == 0xc2 && (unsigned char)s[1] < 0xa0)) {
		*n = *bytes = u;
		*w = 1;
		return s;
	}
	*n = 1;
	if (c == '\\')
		memcpy(esc, "\\\\", 3);
	else
		snprintf(esc, 16, "\\x%02x", c);
	*bytes = *w = strlen(esc);
	return esc;
}

char *pl_excerpt_n(char *buf, size_t size, const char *s, size_t len)
{
	size_t o = 0, cols = 0, i, n, bytes, w, limit = PL_EXCERPT_COLS;
	char esc[16];

	if (!size)
		return buf;
	/* the whole of s when it fits, else room for "..." */
	for (i = 0; i < len && cols <= PL_EXCERPT_COLS; i += n, cols += w)
		show(s + i, len - i, esc, &n, &bytes, &w);
	if (cols > PL_EXCERPT_COLS)
		limit -= 3;
	for (i = 0, cols = 0; i < len; i += n, cols += w) {
		const char *put = show(s + i, len - i, esc, &n, &bytes, &w);

		if (cols + w > limit || o + bytes + 4 > size) {
			if (o + 4 <= size) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(buf + o, put, bytes);
		o += bytes;
	}
	buf[o] = 0;
	return buf;
}

char *pl_excerpt(char *buf, size_t size, const char *s)
{
	return pl_excerpt_n(buf, size, s ? s : "", s ? strlen(s) : 0);
}

int pl_read_all(int fd, size_t cap, char **buf, size_t *len)
{
	size_t n = 0, size = 0, first = 65536;
	struct stat st;
	char *b = NULL;

	/* a regular file in one buffer of its size (+1 to see growth, +1 for the NUL): no copies;
	 * /proc files say 0 */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= cap)
		first = (size_t)st.st_size + 2;
	for (;;) {
		ssize_t r;

		/* full: grow, up to room for cap + 1 bytes and the NUL, so that input past the cap is seen */
		if (n + 1 >= size) {
			size_t want = size ? size * 2 : first;
			char *nb;

			if (want > cap + 2)
				want = cap + 2;
			nb = realloc(b, want);
			if (!nb) {
				free(b);
				errno = ENOMEM;
				return -1;
			}
			b = nb;
			size = want;
		}
		r = read(fd, b + n, size - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			errno = e;
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > cap) {
			free(b);
			errno = EFBIG;
			return -1;
		}
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

int pl_grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 16;
	void *np;

	if (n < *cap)
		return 0;
	if (want < n + 1)
		want = n + 1;
	if (want > SIZE_MAX / size)
		return -1;
	np = realloc(*p, want * size);
	if (!np)
		return -1;
	*p = np;
	*cap = want;
	return 0;
}
