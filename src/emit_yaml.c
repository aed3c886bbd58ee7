/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json-c tree to YAML through libyaml's emitter. Strings are always quoted: YAML 1.1 readers
 * take a bare 01:00.0 for a sexagesimal number and 0300 for an octal one. */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "emit.h"

static int put(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev) ? 0 : -1;
}

static int scalar(yaml_emitter_t *em, const char *v, bool quoted)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)v, (int)strlen(v), !quoted,
				     quoted, quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
	return put(em, &ev);
}

static int node(yaml_emitter_t *em, struct json_object *o)
{
	yaml_event_t ev;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return scalar(em, "null", false);
	case json_type_boolean:
		return scalar(em, json_object_get_boolean(o) ? "true" : "false", false);
	case json_type_int:
	case json_type_double:
		return scalar(em, json_object_to_json_string(o), false);
	case json_type_string:
		return scalar(em, json_object_get_string(o), true);
	case json_type_array:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (put(em, &ev))
			return -1;
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (node(em, json_object_array_get_idx(o, i)))
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return put(em, &ev);
	case json_type_object:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (put(em, &ev))
			return -1;
		json_object_object_foreach(o, k, v) {
			if (scalar(em, k, false) || node(em, v))
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return put(em, &ev);
	}
	return -1;
}

static int write_handler(void *data, unsigned char *buf, size_t size)
{
	return fwrite(buf, 1, size, data) == size;
}

struct pl_yaml {
	yaml_emitter_t em;
	bool failed;
};

struct pl_yaml *pl_yaml_open(FILE *out)
{
	struct pl_yaml *y = calloc(1, sizeof(*y));
	yaml_event_t ev;

	if (!y || !yaml_emitter_initialize(&y->em)) {
		free(y);
		return NULL;
	}
	yaml_emitter_set_output(&y->em, write_handler, out);
	yaml_emitter_set_unicode(&y->em, 1);
	yaml_emitter_set_width(&y->em, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	y->failed |= put(&y->em, &ev) != 0;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
	y->failed |= put(&y->em, &ev) != 0;
	return y;
}

void pl_yaml_begin(struct pl_yaml *y, bool seq)
{
	yaml_event_t ev;

	if (seq)
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	else
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	y->failed |= put(&y->em, &ev) != 0;
}

void pl_yaml_end(struct pl_yaml *y, bool seq)
{
	yaml_event_t ev;

	if (seq)
		yaml_sequence_end_event_initialize(&ev);
	else
		yaml_mapping_end_event_initialize(&ev);
	y->failed |= put(&y->em, &ev) != 0;
}

void pl_yaml_key(struct pl_yaml *y, const char *key)
{
	y->failed |= scalar(&y->em, key, false) != 0;
}

void pl_yaml_value(struct pl_yaml *y, struct json_object *o)
{
	y->failed |= node(&y->em, o) != 0;
}

int pl_yaml_close(struct pl_yaml *y)
{
	yaml_event_t ev;
	int rc;

	yaml_document_end_event_initialize(&ev, 1);
	y->failed |= put(&y->em, &ev) != 0;
	yaml_stream_end_event_initialize(&ev);
	y->failed |= put(&y->em, &ev) != 0;
	rc = y->failed ? PL_EACCES : PL_OK;
	yaml_emitter_delete(&y->em);
	free(y);
	return rc;
}

int pl_yaml_write(struct json_object *root, FILE *out)
{
	struct pl_yaml *y = pl_yaml_open(out);

	if (!y)
		return PL_ENOMEM;
	pl_yaml_value(y, root);
	return pl_yaml_close(y);
}
