/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The streamed JSON/YAML writer (src/emit/out.c): json-c's layout and escaping, byte for byte. */
#include <limits.h>
#include <stdlib.h>

#include "harness.h"
#include "model.h"
#include "out.h"

typedef void (*walk_fn)(struct pl_out *o);

/* run a walk through a writer into memory */
static char *run(struct pl_out *(*open_)(FILE *), walk_fn walk, int *rc)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct pl_out *o = open_(f);

	walk(o);
	*rc = pl_out_close(o);
	fclose(f);
	return buf;
}

static void walk_nested(struct pl_out *o)
{
	pl_out_map(o, NULL);
	pl_out_int(o, "schema", 1);
	pl_out_map(o, "empty_map");
	pl_out_end(o);
	pl_out_list(o, "empty_list");
	pl_out_end(o);
	pl_out_list(o, "speeds");
	pl_out_num(o, NULL, "2.5");
	pl_out_num(o, NULL, "16");
	pl_out_end(o);
	pl_out_map(o, "m");
	pl_out_str(o, "slot", "0000:01:00.0");
	pl_out_null(o, "none");
	pl_out_str(o, "nul", NULL);
	pl_out_bool(o, "t", true);
	pl_out_bool(o, "f", false);
	pl_out_end(o);
	pl_out_end(o);
}

/* the layout json-c printed with PRETTY|SPACED|NOSLASHESCAPE, empty containers included */
static void test_json_layout(void)
{
	int rc;
	char *s = run(pl_out_json, walk_nested, &rc);

	CHECK_EQ(rc, PL_OK);
	CHECK_STR(s, "{\n"
		     "  \"schema\": 1,\n"
		     "  \"empty_map\": {\n"
		     "  },\n"
		     "  \"empty_list\": [\n"
		     "  ],\n"
		     "  \"speeds\": [\n"
		     "    2.5,\n"
		     "    16\n"
		     "  ],\n"
		     "  \"m\": {\n"
		     "    \"slot\": \"0000:01:00.0\",\n"
		     "    \"none\": null,\n"
		     "    \"nul\": null,\n"
		     "    \"t\": true,\n"
		     "    \"f\": false\n"
		     "  }\n"
		     "}\n");
	free(s);
}

static void test_yaml_layout(void)
{
	int rc;
	char *s = run(pl_out_yaml, walk_nested, &rc);

	CHECK_EQ(rc, PL_OK);
	CHECK_STR(s, "---\n"
		     "\"schema\": 1\n"
		     "\"empty_map\": {}\n"
		     "\"empty_list\": []\n"
		     "\"speeds\":\n"
		     "- 2.5\n"
		     "- 16\n"
		     "\"m\":\n"
		     "  \"slot\": \"0000:01:00.0\"\n"
		     "  \"none\": null\n"
		     "  \"nul\": null\n"
		     "  \"t\": true\n"
		     "  \"f\": false\n");
	free(s);
}

static const char *g_str;

static void walk_str(struct pl_out *o)
{
	pl_out_str(o, NULL, g_str);
}

/* every byte: the seven short escapes, \u00XX below 0x20, U+FFFD for a byte that is not UTF-8,
 * everything else as is (no "\/") */
static void test_json_escape_every_byte(void)
{
	for (int c = 1; c < 256; c++) {
		char in[4] = { 'a', (char)c, 'b', 0 }, want[16];
		const char *e = NULL;
		int rc;

		switch (c) {
		case '\b': e = "\\b"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\f': e = "\\f"; break;
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		}
		if (e)
			snprintf(want, sizeof(want), "\"a%sb\"\n", e);
		else if (c < 0x20)
			snprintf(want, sizeof(want), "\"a\\u%04xb\"\n", c);
		else if (c >= 0x80)
			snprintf(want, sizeof(want), "\"a\xef\xbf\xbd" "b\"\n");
		else
			snprintf(want, sizeof(want), "\"a%cb\"\n", c);
		g_str = in;
		char *s = run(pl_out_json, walk_str, &rc);

		CHECK_STR(s, want);
		free(s);
	}
}

/* keys and strings from input that are not UTF-8: U+FFFD per stray byte, in both formats
 * (YAML looped or double-freed on them); well-formed characters pass through */
static void walk_utf8(struct pl_out *o)
{
	pl_out_map(o, NULL);
	pl_out_str(o, "name", "Caf\xe9 \xc3");
	pl_out_str(o, "ok", "\xe2\x82\xac \xf0\x9f\x98\x80");
	pl_out_str(o, "k\xff", "\xc0\xaf\xed\xa0\x80");
	pl_out_map(o, "m\x80");
	pl_out_int(o, "\xf4\x90\x80\x80", 1);
	pl_out_end(o);
	pl_out_end(o);
}

#define R "\xef\xbf\xbd"

static void test_invalid_utf8(void)
{
	int rc;
	char *s = run(pl_out_json, walk_utf8, &rc);

	CHECK_EQ(rc, PL_OK);
	CHECK_STR(s, "{\n"
		     "  \"name\": \"Caf" R " " R "\",\n"
		     "  \"ok\": \"\xe2\x82\xac \xf0\x9f\x98\x80\",\n"
		     "  \"k" R "\": \"" R R R R R "\",\n"
		     "  \"m" R "\": {\n"
		     "    \"" R R R R "\": 1\n"
		     "  }\n"
		     "}\n");
	free(s);
	s = run(pl_out_yaml, walk_utf8, &rc);
	CHECK_EQ(rc, PL_OK);
	CHECK_STR(s, "---\n"
		     "\"name\": \"Caf" R " " R "\"\n"
		     "\"ok\": \"\xe2\x82\xac \\U0001F600\"\n"      /* libyaml escapes past the BMP */
		     "\"k" R "\": \"" R R R R R "\"\n"
		     "\"m" R "\":\n"
		     "  \"" R R R R "\": 1\n");
	free(s);
}

/* keys that look like numbers stay strings in YAML, as they are in JSON */
static void walk_numeric_keys(struct pl_out *o)
{
	pl_out_map(o, NULL);
	pl_out_str(o, "32", "a");
	pl_out_str(o, "128", "b");
	pl_out_end(o);
}

static void test_yaml_numeric_keys(void)
{
	int rc;
	char *s = run(pl_out_yaml, walk_numeric_keys, &rc);

	CHECK_STR(s, "---\n\"32\": \"a\"\n\"128\": \"b\"\n");
	free(s);
}

static void walk_ints(struct pl_out *o)
{
	pl_out_list(o, NULL);
	pl_out_int(o, NULL, 0);
	pl_out_int(o, NULL, -7);
	pl_out_int(o, NULL, 252048);
	pl_out_int(o, NULL, LLONG_MAX);
	pl_out_int(o, NULL, LLONG_MIN);
	pl_out_end(o);
}

static void test_ints(void)
{
	int rc;
	char *s = run(pl_out_json, walk_ints, &rc);

	CHECK_STR(s, "[\n  0,\n  -7,\n  252048,\n  9223372036854775807,\n  -9223372036854775808\n]\n");
	free(s);
}

/* output larger than the writer's buffer arrives whole and in order */
static void walk_big(struct pl_out *o)
{
	static char big[200000];

	memset(big, 'x', sizeof(big) - 1);
	pl_out_list(o, NULL);
	for (int i = 0; i < 3; i++)
		pl_out_str(o, NULL, big);
	pl_out_end(o);
}

static void test_big(void)
{
	int rc;
	char *s = run(pl_out_json, walk_big, &rc);

	CHECK_EQ(rc, PL_OK);
	CHECK_EQ(strlen(s), 2 + 3 * (2 + 2 + 199999) + 2 * 2 + 1 + 1 + 1);
	CHECK(s[strlen(s) - 2] == ']');
	free(s);
}

/* unclosed containers are closed; a full disk is a write error, not silence */
static void test_close_and_errors(void)
{
	FILE *f = fopen("/dev/full", "w");
	struct pl_out *o;

	if (!f)
		return;
	o = pl_out_json(f);
	walk_big(o);
	CHECK_EQ(pl_out_close(o), PL_EACCES);
	fclose(f);
	f = fopen("/dev/full", "w");
	o = pl_out_yaml(f);
	walk_big(o);
	CHECK_EQ(pl_out_close(o), PL_EACCES);
	fclose(f);
}

int main(void)
{
	TEST(test_json_layout);
	TEST(test_yaml_layout);
	TEST(test_json_escape_every_byte);
	TEST(test_invalid_utf8);
	TEST(test_yaml_numeric_keys);
	TEST(test_ints);
	TEST(test_big);
	TEST(test_close_and_errors);
	DONE();
}
