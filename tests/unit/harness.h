/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny unit-test harness: CHECK macros, named tests, one summary line. */
#ifndef PL_HARNESS_H
#define PL_HARNESS_H

#include <stdio.h>
#include <string.h>

static int h_pass, h_fail, h_cur_fail;
static const char *h_name;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "  %s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, \
				h_name, #cond);                                         \
			h_cur_fail = 1;                                                 \
		}                                                                       \
	} while (0)

#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		long long _a = (long long)(a), _b = (long long)(b);                     \
		if (_a != _b) {                                                         \
			fprintf(stderr, "  %s:%d: %s: %s == %lld, expected %s == %lld\n",  \
				__FILE__, __LINE__, h_name, #a, _a, #b, _b);            \
			h_cur_fail = 1;                                                 \
		}                                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *_a = (a), *_b = (b);                                        \
		if (!_a || !_b || strcmp(_a, _b)) {                                     \
			fprintf(stderr, "  %s:%d: %s: %s == \"%s\", expected \"%s\"\n",     \
				__FILE__, __LINE__, h_name, #a, _a ? _a : "(null)",     \
				_b ? _b : "(null)");                                    \
			h_cur_fail = 1;                                                 \
		}                                                                       \
	} while (0)

#define TEST(fn)                                                                        \
	do {                                                                            \
		h_name = #fn;                                                           \
		h_cur_fail = 0;                                                         \
		fn();                                                                   \
		if (h_cur_fail) {                                                       \
			h_fail++;                                                       \
			printf("not ok %s\n", #fn);                                     \
		} else {                                                                \
			h_pass++;                                                       \
			printf("ok %s\n", #fn);                                         \
		}                                                                       \
	} while (0)

#define DONE()                                                                          \
	do {                                                                            \
		printf("%d passed, %d failed\n", h_pass, h_fail);                       \
		return h_fail ? 1 : 0;                                                  \
	} while (0)

#endif
