/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON through libyaml: a JSON text is a flow-style YAML document. */
#include <stdio.h>
#include <string.h>

#include "gjson.h"
#include "model.h"

int pl_json_load(yaml_document_t *doc, const char *buf, size_t len, char *err, size_t errlen)
{
	yaml_parser_t p;
	int ok;

	/* libyaml reads block YAML too: insist on a JSON object or array */
	while (len && strchr(" \t\r\n", *buf)) {
		buf++;
		len--;
	}
	if (!len || (*buf != '{' && *buf != '[')) {
		snprintf(err, errlen, "not a JSON object");
		return PL_EINVAL;
	}
	if (!yaml_parser_initialize(&p))
		return PL_ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	ok = yaml_parser_load(&p, doc);
	if (!ok)
		snprintf(err, errlen, "malformed JSON at offset %zu: %s", p.problem_mark.index,
			 p.problem ? p.problem : "unknown problem");
	else if (!yaml_document_get_root_node(doc)) {
		snprintf(err, errlen, "empty JSON");
		yaml_document_delete(doc);
		ok = 0;
	}
	yaml_parser_delete(&p);
	return ok ? PL_OK : PL_EINVAL;
}

yaml_node_t *pl_json_root(yaml_document_t *doc)
{
	return yaml_document_get_root_node(doc);
}

yaml_node_t *pl_json_get(yaml_document_t *doc, yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = pl_json_str(yaml_document_get_node(doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

const char *pl_json_str(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool pl_json_is_string(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && (n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
						    n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE);
}

yaml_node_t *pl_json_item(yaml_document_t *doc, yaml_node_t *n, size_t i)
{
	if (!n || n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start + i >= n->data.sequence.items.top)
		return NULL;
	return yaml_document_get_node(doc, n->data.sequence.items.start[i]);
}
