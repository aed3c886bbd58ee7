/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output formats: one registry of emitters that read only the model or the plan. */
#ifndef PL_EMIT_H
#define PL_EMIT_H

#include <stdio.h>

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

struct pl_out;
/* The probe report, streamed to a JSON or YAML writer (schema in man/pcilink.1). */
void pl_report_write(struct pl_out *o, const struct pl_emit_in *in);

#define PL_SCHEMA_VERSION 1

extern const struct pl_emitter pl_emit_text, pl_emit_json, pl_emit_yaml;



/* QEMU argv words of a plan: per port "-device" "pcie-root-port,..." then its vfio-pci devices. */
struct pl_argv {
	char **w;
	size_t n;
};
int pl_plan_argv(const struct pl_plan *plan, struct pl_argv *out);
void pl_argv_free(struct pl_argv *a);
/* The plan to a JSON or YAML writer (schema in man/pcilink.1, PLAN SCHEMA); argv when given. */
void pl_plan_write(struct pl_out *o, const struct pl_emit_in *in, const struct pl_argv *argv);

extern const struct pl_emitter pl_emit_shell, pl_emit_args, pl_emit_null, pl_emit_readconfig;
/* libvirt domain XML; in->opts is a prepared struct pl_lv (libvirt.h) */
extern const struct pl_emitter pl_emit_libvirt_xml;
#endif
