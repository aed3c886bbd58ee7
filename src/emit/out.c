/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The streamed JSON and YAML writers behind out.h: one walk, two spellings. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "model.h"
#include "out.h"
#include "util.h"

#define DEPTH 32
#define BUFSZ 65536

struct pl_out;

struct out_ops {
	void (*begin)(struct pl_out *o, const char *key, bool list);
	void (*end)(struct pl_out *o, bool list);
	void (*scalar)(struct pl_out *o, const char *key, const char *text, bool quoted);
	void (*finish)(struct pl_out *o);
};

struct pl_out {
	const struct out_ops *ops;
	FILE *f;
	int depth;
	bool failed;
	bool list[DEPTH];       /* the container at each depth is a list */
	bool had[DEPTH];        /* ... and has had an item (JSON's commas) */
	yaml_emitter_t em;
	size_t n;               /* JSON: bytes waiting in buf (stdio per token cost a third) */
	char buf[BUFSZ];
};

/* JSON: byte for byte what json-c printed before (the goldens hold it) */

static void flush(struct pl_out *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		o->failed = true;
	o->n = 0;
}

static void put(struct pl_out *o, const char *s, size_t len)
{
	if (o->n + len > BUFSZ) {
		flush(o);
		if (len > BUFSZ) {
			if (fwrite(s, 1, len, o->f) != len)
				o->failed = true;
			return;
		}
	}
	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

static void puts_(struct pl_out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void escape(struct pl_out *o, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *e;
		char u[7];

		if (c >= ' ' && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '\b': e = "\\b"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\f': e = "\\f"; break;
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		default:
			snprintf(u, sizeof(u), "\\u%04x", c);
			e = u;
		}
		put(o, run, (size_t)(s - run));
		puts_(o, e);
		run = s + 1;
	}
	put(o, run, (size_t)(s - run));
}

static void json_indent(struct pl_out *o, int level)
{
	static const char sp[] = "                                                                ";
	size_t n = (size_t)(2 * level);

	put(o, sp, n < sizeof(sp) - 1 ? n : sizeof(sp) - 1);
}

/* the separator, indentation and key before an item */
static void json_item(struct pl_out *o, const char *key)
{
	if (o->depth) {
		if (o->had[o->depth])
			put(o, ",\n", 2);
		o->had[o->depth] = true;
		json_indent(o, o->depth);
	}
	if (key) {
		put(o, "\"", 1);
		escape(o, key);
		put(o, "\": ", 3);
	}
}

static void json_begin(struct pl_out *o, const char *key, bool list)
{
	json_item(o, key);
	put(o, list ? "[\n" : "{\n", 2);
}

static void json_end(struct pl_out *o, bool list)
{
	if (o->had[o->depth + 1])
		put(o, "\n", 1);
	json_indent(o, o->depth);
	put(o, list ? "]" : "}", 1);
}

static void json_scalar(struct pl_out *o, const char *key, const char *text, bool quoted)
{
	json_item(o, key);
	if (!quoted) {
		puts_(o, text);
		return;
	}
	put(o, "\"", 1);
	escape(o, text);
	put(o, "\"", 1);
}

static void json_finish(struct pl_out *o)
{
	put(o, "\n", 1);
	flush(o);
}

static const struct out_ops json_ops = { json_begin, json_end, json_scalar, json_finish };

/* YAML: libyaml events; strings double-quoted (YAML 1.1 reads 01:00.0 as a number) */

/* the emitter owns an event it was given; after a failure we must free it ourselves */
static void yaml_put(struct pl_out *o, yaml_event_t *ev)
{
	if (o->failed)
		yaml_event_delete(ev);
	else if (!yaml_emitter_emit(&o->em, ev))
		o->failed = true;
}

static void yaml_text(struct pl_out *o, const char *text, bool quoted)
{
	yaml_event_t ev;

	/* it refuses what is not UTF-8 (the front replaced that) and fails only for memory */
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), !quoted,
					  quoted, quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
							 : YAML_PLAIN_SCALAR_STYLE)) {
		o->failed = true;
		return;
	}
	yaml_put(o, &ev);
}

static void yaml_begin(struct pl_out *o, const char *key, bool list)
{
	yaml_event_t ev;

	if (key)
		yaml_text(o, key, true);
	if (list)
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	else
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	yaml_put(o, &ev);
}

static void yaml_end(struct pl_out *o, bool list)
{
	yaml_event_t ev;

	if (list)
		yaml_sequence_end_event_initialize(&ev);
	else
		yaml_mapping_end_event_initialize(&ev);
	yaml_put(o, &ev);
}

static void yaml_scalar(struct pl_out *o, const char *key, const char *text, bool quoted)
{
	if (key)
		yaml_text(o, key, true);
	yaml_text(o, text, quoted);
}

static void yaml_finish(struct pl_out *o)
{
	yaml_event_t ev;

	yaml_document_end_event_initialize(&ev, 1);
	yaml_put(o, &ev);
	yaml_stream_end_event_initialize(&ev);
	yaml_put(o, &ev);
	yaml_emitter_delete(&o->em);
}

static const struct out_ops yaml_ops = { yaml_begin, yaml_end, yaml_scalar, yaml_finish };

static int yaml_write(void *data, unsigned char *buf, size_t size)
{
	return fwrite(buf, 1, size, data) == size;
}

/* the front: nesting bookkeeping shared by both */

static struct pl_out *out_new(const struct out_ops *ops, FILE *f)
{
	struct pl_out *o = malloc(sizeof(*o));

	if (o) {
		memset(o, 0, offsetof(struct pl_out, buf));
		o->ops = ops;
		o->f = f;
	}
	return o;
}

struct pl_out *pl_out_json(FILE *f)
{
	return out_new(&json_ops, f);
}

struct pl_out *pl_out_yaml(FILE *f)
{
	struct pl_out *o = out_new(&yaml_ops, f);
	yaml_event_t ev;

	if (!o)
		return NULL;
	if (!yaml_emitter_initialize(&o->em)) {
		free(o);
		return NULL;
	}
	yaml_emitter_set_output(&o->em, yaml_write, f);
	yaml_emitter_set_unicode(&o->em, 1);
	yaml_emitter_set_width(&o->em, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	yaml_put(o, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
	yaml_put(o, &ev);
	return o;
}

/*
 * Strings from input (file names, names from an ids file, option values) may not be UTF-8:
 * JSON and YAML must be. Each byte that is not part of a well-formed character becomes
 * U+FFFD. Returns s itself when it is clean, else a copy in *tmp (NULL when out of memory).
 */
static const char *utf8(const char *s, char **tmp)
{
	size_t len, i, o = 0, n;
	char *t;

	*tmp = NULL;
	if (!s)
		return NULL;
	len = strlen(s);
	for (i = 0; i < len && (n = pl_utf8_len(s + i, len - i)); i += n)
		;
	if (i == len)
		return s;
	t = *tmp = malloc(3 * len + 1);
	if (!t)
		return NULL;
	for (i = 0; i < len; i += n) {
		n = pl_utf8_len(s + i, len - i);
		if (n) {
			memcpy(t + o, s + i, n);
			o += n;
		} else {
			memcpy(t + o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		}
	}
	t[o] = 0;
	return t;
}

static void scalar(struct pl_out *o, const char *key, const char *text, bool quoted)
{
	char *kt, *tt;
	const char *k = utf8(key, &kt), *t = utf8(text, &tt);

	if ((key && !k) || !t)
		o->failed = true;
	else
		o->ops->scalar(o, k, t, quoted);
	free(kt);
	free(tt);
}

static void begin(struct pl_out *o, const char *key, bool list)
{
	char *kt;
	const char *k;

	if (o->depth + 1 >= DEPTH) {
		o->failed = true;       /* no walk nests this deep: a bug, reported as a write error */
		return;
	}
	k = utf8(key, &kt);
	if (key && !k)
		o->failed = true;
	else
		o->ops->begin(o, k, list);
	free(kt);
	o->depth++;
	o->list[o->depth] = list;
	o->had[o->depth] = false;
}

void pl_out_map(struct pl_out *o, const char *key)
{
	begin(o, key, false);
}

void pl_out_list(struct pl_out *o, const char *key)
{
	begin(o, key, true);
}

void pl_out_end(struct pl_out *o)
{
	if (!o->depth)
		return;
	o->depth--;
	o->ops->end(o, o->list[o->depth + 1]);
}

void pl_out_str(struct pl_out *o, const char *key, const char *s)
{
	scalar(o, key, s ? s : "null", s != NULL);
}

void pl_out_num(struct pl_out *o, const char *key, const char *text)
{
	scalar(o, key, text ? text : "null", false);
}

void pl_out_int(struct pl_out *o, const char *key, long long v)
{
	char b[24], *p = b + sizeof(b) - 1;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	*p = 0;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	scalar(o, key, p, false);
}

void pl_out_bool(struct pl_out *o, const char *key, bool v)
{
	scalar(o, key, v ? "true" : "false", false);
}

void pl_out_null(struct pl_out *o, const char *key)
{
	scalar(o, key, "null", false);
}

int pl_out_close(struct pl_out *o)
{
	int rc;

	while (o->depth)
		pl_out_end(o);
	o->ops->finish(o);
	rc = o->failed || ferror(o->f) ? PL_EACCES : PL_OK;
	free(o);
	return rc;
}
