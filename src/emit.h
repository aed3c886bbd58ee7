/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output formats: one registry of emitters that read only the model or the plan. */
#ifndef PL_EMIT_H
#define PL_EMIT_H

#include <stdio.h>

#include <json-c/json.h>

#include "model.h"

struct pl_plan;

/* What a format can print. */
enum pl_emit_kind {
	PL_EMIT_REPORT = 1,     /* probe: the host model */
	PL_EMIT_QEMU = 2,       /* gen-qemu-args: the plan as QEMU arguments */
	PL_EMIT_LIBVIRT = 4,    /* gen-libvirt-xml: the plan as domain XML */
};

struct pl_emit_in {
	const struct pl_system *sys;
	struct pl_dev *const *devs;     /* the selected functions, analysed */
	size_t ndev;
	const struct pl_plan *plan;     /* generators only */
	bool numeric;                   /* no names */
	bool color;                     /* text: stdout is a terminal */
	unsigned kind;                  /* the verb's kind: enum pl_emit_kind */
	const void *opts;               /* emitter-specific options (libvirt merge) */
};

struct pl_emitter {
	const char *name;
	const char *help;
	unsigned kinds;
	int (*emit)(const struct pl_emit_in *in, FILE *out);
};

/* The registry: NULL when no format of that name prints that kind. */
const struct pl_emitter *pl_emit_find(const char *name, unsigned kind);
/* Print "name\thelp" for every format of the kind (--format=help). */
void pl_emit_list(unsigned kind, FILE *out);

/* The report tree shared by JSON and YAML (schema in man/pcilink.1). Caller puts it. */
struct json_object *pl_report_json(const struct pl_emit_in *in);
/* Its top level without devices and warnings, for streaming one device at a time. */
struct json_object *pl_report_head(const struct pl_emit_in *in);
/* Print a json-c tree as YAML, every string scalar quoted. */
int pl_yaml_write(struct json_object *root, FILE *out);
/* The same, streamed: open, then keys, values and nested maps (seq false) or lists (seq true). */
struct pl_yaml;
struct pl_yaml *pl_yaml_open(FILE *out);
void pl_yaml_begin(struct pl_yaml *y, bool seq);
void pl_yaml_end(struct pl_yaml *y, bool seq);
void pl_yaml_key(struct pl_yaml *y, const char *key);
void pl_yaml_value(struct pl_yaml *y, struct json_object *o);
int pl_yaml_close(struct pl_yaml *y);

#define PL_SCHEMA_VERSION 1

extern const struct pl_emitter pl_emit_text, pl_emit_json, pl_emit_yaml;



/* QEMU argv words of a plan: per port "-device" "pcie-root-port,..." then its vfio-pci devices. */
struct pl_argv {
	char **w;
	size_t n;
};
int pl_plan_argv(const struct pl_plan *plan, struct pl_argv *out);
void pl_argv_free(struct pl_argv *a);
/* The plan as a json-c tree (schema in man/pcilink.1, PLAN SCHEMA); argv included when given. */
struct json_object *pl_plan_json(const struct pl_emit_in *in, const struct pl_argv *argv);

extern const struct pl_emitter pl_emit_shell, pl_emit_args, pl_emit_null, pl_emit_readconfig;
/* libvirt domain XML; in->opts is a prepared struct pl_lv (libvirt.h) */
extern const struct pl_emitter pl_emit_libvirt_xml;
#endif
