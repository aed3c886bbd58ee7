/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON in (JSON -device, QMP replies), read with libyaml's document API: JSON is flow YAML. */
#ifndef PL_GJSON_H
#define PL_GJSON_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

/* Parse one JSON text; 0, or PL_EINVAL with libyaml's problem and position in err. */
int pl_json_load(yaml_document_t *doc, const char *buf, size_t len, char *err, size_t errlen);
yaml_node_t *pl_json_root(yaml_document_t *doc);
/* The value of key in a mapping, NULL when absent or n is not a mapping. */
yaml_node_t *pl_json_get(yaml_document_t *doc, yaml_node_t *n, const char *key);
/* A scalar's text, NULL for a mapping or sequence. */
const char *pl_json_str(const yaml_node_t *n);
/* A JSON string (quoted), not a number, boolean or null. */
bool pl_json_is_string(const yaml_node_t *n);
/* Item i of a sequence, NULL past the end. */
yaml_node_t *pl_json_item(yaml_document_t *doc, yaml_node_t *n, size_t i);

#endif
