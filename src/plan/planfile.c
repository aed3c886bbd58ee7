/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading plan files with libyaml's document API: every error names its line and column. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "planfile.h"
#include "util.h"

struct ctx {
	yaml_document_t *doc;
	const char *file;
	char *err;
	size_t errlen;
};

/* fmt has one %s for a: input, so it is quoted as a short excerpt with controls escaped */
static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, const char *a)
{
	char what[256], ex[PL_EXCERPT_SIZE];

	snprintf(what, sizeof(what), fmt, pl_excerpt(ex, sizeof(ex), a));
	if (n)
		snprintf(c->err, c->errlen, "%s:%zu:%zu: %s", c->file, n->start_mark.line + 1,
			 n->start_mark.column + 1, what);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->file, what);
	return PL_EINVAL;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int str(struct ctx *c, const yaml_node_t *n, const char *key, char **out)
{
	const char *s = scalar(n);

	if (!s || !*s)
		return fail(c, n, "'%s' needs a text value", key);
	free(*out);
	*out = strdup(s);
	return *out ? PL_OK : PL_ENOMEM;
}

static int num(struct ctx *c, const yaml_node_t *n, const char *key, int lo, int hi, int *out)
{
	const char *s = scalar(n);
	char *end;
	long v;

	errno = 0;
	v = s ? strtol(s, &end, 0) : 0;
	if (!s || errno || end == s || *end || v < lo || v > hi) {
		char msg[96];

		snprintf(msg, sizeof(msg), "'%%s' needs a number from %d to %d", lo, hi);
		return fail(c, n, msg, key);
	}
	*out = (int)v;
	return PL_OK;
}

static int boolean(struct ctx *c, const yaml_node_t *n, const char *key, const char *yes, const char *no,
		   int *out)
{
	const char *s = scalar(n);

	/* YAML 1.1 reads on/off/yes/no as booleans; take every spelling people write */
	if (s && (!strcmp(s, yes) || !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
		*out = 1;
	else if (s && (!strcmp(s, no) || !strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
		*out = 0;
	else
		return fail(c, n, "'%s' needs true or false (on or off)", key);
	return PL_OK;
}

static int policy(struct ctx *c, const yaml_node_t *n, int *out)
{
	static const char *const names[] = { "host", "device", "max" };
	const char *s = scalar(n);

	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return PL_OK;
		}
	return fail(c, n, "'policy' is host, device or max, not '%s'", s ? s : "a list");
}

static int speed(struct ctx *c, const yaml_node_t *n, int *out)
{
	const char *s = scalar(n);

	*out = s ? pl_speed_from_qemu(s) : 0;
	return *out ? PL_OK : fail(c, n, "'speed' is one of 2_5 5 8 16 32 64, not '%s'", s ? s : "a list");
}

static int width(struct ctx *c, const yaml_node_t *n, int *out)
{
	int rc = num(c, n, "width", 1, 32, out);

	if (!rc && !pl_width_valid(*out))
		return fail(c, n, "'width' is one of 1 2 4 8 12 16 32, not '%s'", scalar(n) ? scalar(n) : "?");
	return rc;
}

typedef int (*field_fn)(struct ctx *c, const char *key, yaml_node_t *v, void *obj);

/* Walk a mapping, calling fn per key; unknown keys are fn's to refuse. */
static int mapping(struct ctx *c, yaml_node_t *n, const char *what, field_fn fn, void *obj)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return fail(c, n, "%s must be a mapping (key: value lines)", what);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *key = scalar(k);
		int rc;

		if (!key)
			return fail(c, k, "%s has a key that is not text", what);
		/* YAML forbids a key twice in one mapping; libyaml does not check */
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(key, scalar(yaml_document_get_node(c->doc, q->key)) ?: ""))
				return fail(c, k, "'%s' is given twice", key);
		rc = fn(c, key, v, obj);
		if (rc)
			return rc;
	}
	return PL_OK;
}

static int target_field(struct ctx *c, const char *key, yaml_node_t *v, void *obj)
{
	struct pl_planfile *pf = obj;
	int a, b, m;

	if (!strcmp(key, "qemu"))
		return str(c, v, key, &pf->qemu);
	if (!strcmp(key, "qemu_version") || !strcmp(key, "libvirt_version") || !strcmp(key, "kernel_version")) {
		char **dst = key[0] == 'q' ? &pf->qemu_version : key[0] == 'l' ? &pf->libvirt_version
										: &pf->kernel_version;
		int rc = str(c, v, key, dst);

		if (!rc && pl_parse_version(*dst, &a, &b, &m))
			return fail(c, v, "'%s' is a version X.Y, e.g. \"7.2\" (quote it)", key);
		return rc;
	}
	return fail(c, v, "unknown key '%s' in target (qemu, qemu_version, libvirt_version, kernel_version)", key);
}

static int layout_field(struct ctx *c, const char *key, yaml_node_t *v, void *obj)
{
	struct pl_planfile *pf = obj;

	if (!strcmp(key, "split_functions"))
		return boolean(c, v, key, "true", "false", &pf->split);
	if (!strcmp(key, "hotplug"))
		return boolean(c, v, key, "on", "off", &pf->hotplug);
	if (!strcmp(key, "bus"))
		return str(c, v, key, &pf->bus);
	if (!strcmp(key, "first_addr"))
		return num(c, v, key, 0, 0x1f, &pf->first_addr);
	if (!strcmp(key, "first_chassis"))
		return num(c, v, key, 0, 255, &pf->first_chassis);
	if (!strcmp(key, "numa"))
		return boolean(c, v, key, "true", "false", &pf->numa);
	if (!strcmp(key, "numa_map"))
		return str(c, v, key, &pf->numa_map);
	return fail(c, v, "unknown key '%s' in layout (split_functions, hotplug, bus, first_addr, first_chassis, "
		    "numa, numa_map)", key);
}

static int dev_field(struct ctx *c, const char *key, yaml_node_t *v, void *obj)
{
	struct pl_pf_dev *d = obj;

	if (!strcmp(key, "slot"))
		return str(c, v, key, &d->slot);
	if (!strcmp(key, "id"))
		return str(c, v, key, &d->id);
	if (!strcmp(key, "speed"))
		return speed(c, v, &d->speed);
	if (!strcmp(key, "width"))
		return width(c, v, &d->width);
	if (!strcmp(key, "policy"))
		return policy(c, v, &d->policy);
	if (!strcmp(key, "numa_node"))
		return num(c, v, key, 0, 1023, &d->numa_node);
	return fail(c, v, "unknown key '%s' in a device (slot, id, speed, width, policy, numa_node)", key);
}

static int top_field(struct ctx *c, const char *key, yaml_node_t *v, void *obj)
{
	struct pl_planfile *pf = obj;
	int ver;

	if (!strcmp(key, "pcilink_plan")) {
		if (num(c, v, key, 0, 1000, &ver) || ver != 1)
			return fail(c, v, "'pcilink_plan' is %s; this pcilink reads version 1", scalar(v) ? scalar(v) : "?");
		return PL_OK;
	}
	if (!strcmp(key, "policy"))
		return policy(c, v, &pf->policy);
	if (!strcmp(key, "target"))
		return mapping(c, v, "'target'", target_field, pf);
	if (!strcmp(key, "layout"))
		return mapping(c, v, "'layout'", layout_field, pf);
	if (!strcmp(key, "devices")) {
		size_t n;

		if (v->type != YAML_SEQUENCE_NODE)
			return fail(c, v, "'devices' must be a list (lines starting with '- ')%s", "");
		n = v->data.sequence.items.top - v->data.sequence.items.start;
		pf->devs = calloc(n ? n : 1, sizeof(*pf->devs));
		if (!pf->devs)
			return PL_ENOMEM;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *dn = yaml_document_get_node(c->doc, *it);
			struct pl_pf_dev *d = &pf->devs[pf->ndevs++];
			int rc;

			d->policy = d->numa_node = -1;
			d->line = dn->start_mark.line + 1;
			rc = mapping(c, dn, "a device", dev_field, d);
			if (rc)
				return rc;
			if (!d->slot && !d->id)
				return fail(c, dn, "a device needs 'slot' or 'id'%s", "");
		}
		return PL_OK;
	}
	return fail(c, v, "unknown key '%s' (pcilink_plan, policy, target, layout, devices)", key);
}

/* A plan is a few hundred bytes; these stop an endless input and a nesting that would make
 * libyaml's loader take seconds (man/pcilink.1, PLAN FILES). A plan needs 3 levels. */
#define PLAN_MAX ((size_t)16 << 20)
#define PLAN_MAX_TEXT "16 MiB"
#define PLAN_DEPTH 16

static int not_yaml(const char *file, yaml_parser_t *p, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%zu:%zu: not YAML: %s", file, p->problem_mark.line + 1, p->problem_mark.column + 1,
		 p->problem ? p->problem : "parse error");
	return PL_EINVAL;
}

/* The events once, counting nesting, before the loader builds anything. */
static int check_depth(const char *file, const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = PL_OK;
	bool end = false;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!rc && !end) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = not_yaml(file, &parser, err, errlen);
			break;
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
			if (++depth > PLAN_DEPTH) {
				snprintf(err, errlen, "%s:%zu:%zu: nested deeper than %d levels: not a plan", file,
					 ev.start_mark.line + 1, ev.start_mark.column + 1, PLAN_DEPTH);
				rc = PL_EINVAL;
			}
		} else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int pl_planfile_read(const char *file, struct pl_planfile *pf, char *err, size_t errlen)
{
	bool in = !strcmp(file, "-");
	int fd = in ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC), e;
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx c = { .doc = &doc, .file = file, .err = err, .errlen = errlen };
	yaml_node_t *root;
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(pf, 0, sizeof(*pf));
	pf->policy = pf->first_addr = pf->first_chassis = pf->split = pf->numa = -1;
	pf->hotplug = -2;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return PL_ENOENT;
	}
	rc = pl_read_all(fd, PLAN_MAX, &text, &len);
	e = errno;
	if (!in)
		close(fd);
	if (rc) {
		if (e == EFBIG)
			snprintf(err, errlen, "%s: more than " PLAN_MAX_TEXT ": not a plan", file);
		else
			snprintf(err, errlen, "%s: cannot read: %s", file, strerror(e));
		return PL_EINVAL;
	}
	rc = check_depth(file, text, len, err, errlen);
	if (rc) {
		free(text);
		return rc;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = not_yaml(file, &parser, err, errlen);
		yaml_parser_delete(&parser);
		free(text);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root)
		rc = fail(&c, NULL, "the plan is empty%s", "");
	else
		rc = mapping(&c, root, "a plan", top_field, pf);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(text);
	if (rc)
		pl_planfile_free(pf);
	return rc;
}

void pl_planfile_free(struct pl_planfile *pf)
{
	for (size_t i = 0; i < pf->ndevs; i++) {
		free(pf->devs[i].slot);
		free(pf->devs[i].id);
	}
	free(pf->devs);
	free(pf->qemu);
	free(pf->qemu_version);
	free(pf->libvirt_version);
	free(pf->kernel_version);
	free(pf->bus);
	free(pf->numa_map);
	memset(pf, 0, sizeof(*pf));
}
